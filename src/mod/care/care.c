/* care: see care.h. The entity, its figures, the summary's care chapter and
 * the demo households. */
#include "care.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "entity.h"
#include "report.h"
#include "stats.h"
#include "util.h"

static const struct field care_fields[] = {
    {.name = "name",
     .label = "户主姓名",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 50},
    {.name = "kind",
     .label = "类别",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "care_kind"},
    {.name = "gender", .label = "性别", .type = FT_DICT, .flags = FF_FILTER, .dict = "sex"},
    /* Sensitive: with the region and the sex it would give the ID number's
     * masked digits. Readers see the year; the reveal gives the date. */
    {.name = "birth_date",
     .label = "出生日期",
     .type = FT_SENSITIVE,
     .max_len = 10,
     .dict = "date"},
    {.name = "id_number",
     .label = "身份证号",
     .type = FT_SENSITIVE,
     .flags = FF_LIST,
     .max_len = 18,
     .dict = "idcard"},
    {.name = "phone",
     .label = "联系电话",
     .type = FT_SENSITIVE,
     .flags = FF_LIST,
     .max_len = 20,
     .dict = "phone"},
    {.name = "address", .label = "住址", .type = FT_SENSITIVE, .max_len = 100, .dict = "text"},
    {.name = "members",
     .label = "家庭人口",
     .type = FT_INT,
     .flags = FF_SORT | FF_SUM,
     .min = 0,
     .max = 30},
    {.name = "helper",
     .label = "结对帮扶人",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "needs",
     .label = "主要困难与需求",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 500},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
    /* The resident (registries' persons), when registered there. */
    {.name = "person_id",
     .label = "人员编号",
     .type = FT_INT,
     .flags = FF_FILTER,
     .ref = "persons"},
    /* Kept by the visits (care_visits): the last one, and the next one due
     * by the plan of the household's kind (care_kind's visit_days). */
    {.name = "last_visit_on",
     .label = "最近走访日期",
     .type = FT_DATE,
     .flags = FF_READONLY | FF_SORT | FF_RANGE},
    {.name = "next_visit_on",
     .label = "下次走访日期",
     .type = FT_DATE,
     .flags = FF_READONLY | FF_SORT | FF_RANGE | FF_LIST},
};

/* Due and not visited: the overdue-visit list is ?visit_overdue=true. */
static const struct derived care_derived[] = {
    {.f = {.name = "visit_overdue",
           .label = "走访逾期",
           .type = FT_BOOL,
           .flags = FF_READONLY | FF_FILTER | FF_LIST},
     .expr = "CASE WHEN t.next_visit_on IS NOT NULL AND t.next_visit_on < $T THEN 1 ELSE 0 END",
     .if_true = "t.next_visit_on < $T",
     .if_false = "t.next_visit_on IS NULL OR t.next_visit_on >= $T"},
};

/* Days between visits of a household of kind (care_kind's extra
 * "visit_days"), 0 when the kind has no plan. */
static long plan_days(db_conn *c, const char *kind)
{
    if (!kind)
        return 0;
    db_stmt *s = db_prepare(c, "SELECT i.extra FROM dicts d JOIN dict_items i ON i.dict = d.name "
                               "AND i.version = d.version WHERE d.name = 'care_kind' AND "
                               "i.code = $1");
    if (!s)
        return 0;
    db_bind_text(s, 1, kind);
    long days = 0;
    if (db_step(s) == DB_ROW && db_col_text(s, 0)) {
        json_t *x = json_loads(db_col_text(s, 0), 0, NULL);
        json_t *v = json_object_get(x, "visit_days");
        days = json_is_integer(v) ? (long)json_integer_value(v) : 0;
        json_decref(x);
    }
    db_done(s);
    return days;
}

/* A new household of a kind with a visit plan is due for its first visit
 * at once. */
static int care_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)errors;
    if (json_string_value(json_object_get(obj, "next_visit_on")) ||
        json_string_value(json_object_get(obj, "last_visit_on")))
        return 0;
    if (plan_days(c, json_string_value(json_object_get(obj, "kind"))) > 0) {
        char today[11];
        util_today(today);
        json_object_set_new(obj, "next_visit_on", json_string(today));
    }
    return 0;
}

static const struct entity care_households = {
    .name = "care_households",
    .perm = "care",
    .label = "关爱对象",
    .fields = care_fields,
    .nfields = MODULE_N(care_fields),
    .default_sort = "-created_at",
    .check = care_check,
    .derived = care_derived,
    .nderived = MODULE_N(care_derived),
};

/* ---- visits to households in need ---- */

static const struct field visit_fields[] = {
    {.name = "household_id",
     .label = "关爱对象",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_CREATE_ONLY,
     .ref = "care_households",
     .shown_sql = "SELECT x.name FROM care_households x WHERE x.id = t.household_id"},
    {.name = "household_kind",
     .label = "对象类别",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .dict = "care_kind"},
    {.name = "visited_on",
     .label = "走访日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST | FF_CREATE_ONLY},
    {.name = "visitors",
     .label = "走访人员",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "help_given",
     .label = "帮扶形式",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "help_given"},
    {.name = "help_value",
     .label = "折合金额（元）",
     .type = FT_NUM,
     .flags = FF_LIST | FF_SUM,
     .min = 0,
     .max = 1000000},
    {.name = "note", .label = "走访情况", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 1000},
    {.name = "photos", .label = "照片", .type = FT_FILES, .flags = FF_NOEXPORT | FF_NOIMPORT},
};

/* The visit takes its household's region and kind; a visit is not in the
 * future. */
static int visit_check(db_conn *c, json_t *obj, json_t *errors)
{
    json_t *hid = json_object_get(obj, "household_id");
    const char *on = json_string_value(json_object_get(obj, "visited_on"));
    char today[11];
    util_today(today);
    if (on && strcmp(on, today) > 0)
        json_object_set_new(errors, "visited_on", json_string("走访日期不能晚于今天"));
    const char *given = json_string_value(json_object_get(obj, "help_given"));
    json_t *val = json_object_get(obj, "help_value");
    if (given && strcmp(given, "none") != 0 && !json_is_number(val))
        json_object_set_new(errors, "help_value", json_string("送帮扶时必须填写折合金额"));
    if (!json_is_integer(hid))
        return 0;
    db_stmt *s = db_prepare(c, "SELECT region, kind FROM care_households WHERE id = $1");
    if (!s)
        return 0;
    db_bind_int(s, 1, json_integer_value(hid));
    if (db_step(s) == DB_ROW) {
        json_object_set_new(obj, "region", json_string(db_col_text(s, 0)));
        json_object_set_new(obj, "household_kind", json_string(db_col_text(s, 1)));
    }
    db_done(s);
    return 0;
}

/* After a visit, the household's last visit and its next one by the plan. */
static int visit_created(db_conn *c, arena *a, const struct audit_actor *who, const char *key,
                         json_t *obj, int importing)
{
    (void)a;
    (void)who;
    (void)key;
    (void)importing;
    json_t *hid = json_object_get(obj, "household_id");
    if (!json_is_integer(hid))
        return DB_OK;
    char hkey[32];
    snprintf(hkey, sizeof hkey, "%lld", (long long)json_integer_value(hid));
    db_stmt *s = db_prepare(c, "SELECT h.kind, (SELECT max(v.visited_on) FROM care_visits v "
                               "WHERE v.household_id = h.id AND v.deleted_at IS NULL) "
                               "FROM care_households h WHERE h.id = CAST($1 AS INTEGER)");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, hkey);
    int st = db_step(s);
    if (st != DB_ROW) {
        db_done(s);
        return st < 0 ? st : DB_OK;
    }
    char kind[64] = "", last[11] = "";
    snprintf(kind, sizeof kind, "%s", db_col_text(s, 0) ? db_col_text(s, 0) : "");
    snprintf(last, sizeof last, "%s", db_col_text(s, 1) ? db_col_text(s, 1) : "");
    db_done(s);
    if (!*last)
        return DB_OK;
    long days = plan_days(c, kind);
    char next[11];
    if (days > 0)
        util_days_to_date(util_date_to_days(last) + days, next);
    char now[32];
    util_now_iso(now);
    const char *p[] = {last, days > 0 ? next : NULL, now, hkey};
    return db_exec_params(c,
                          "UPDATE care_households SET last_visit_on = $1, next_visit_on = $2, "
                          "updated_at = $3 WHERE id = CAST($4 AS INTEGER)",
                          4, p);
}

static const struct entity care_visits = {
    .name = "care_visits",
    .perm = "care",
    .label = "走访慰问",
    .fields = visit_fields,
    .nfields = MODULE_N(visit_fields),
    .default_sort = "-visited_on",
    .check = visit_check,
    .created = visit_created,
};

static const struct stats_figure care_figures[] = {
    {.key = "total", .label = "关爱对象", .unit = "户", .expr = "1"},
};

static const struct stats_breakdown care_breakdowns[] = {
    {.key = "by_kind", .label = "关爱对象类别", .dict = "care_kind"},
};

static const struct stats_section care_stats = {
    .name = "care",
    .label = "关爱困难群众",
    .perm = "care:read",
    .table = "care_households",
    .figures = care_figures,
    .nfigures = MODULE_N(care_figures),
    .breakdowns = care_breakdowns,
    .nbreakdowns = MODULE_N(care_breakdowns),
    .breakdown_cols = "kind",
};

#define VISITED "visited_on >= $3 AND visited_on <= $4"

static const struct stats_figure visit_figures[] = {
    {.key = "visits",
     .label = "走访慰问",
     .unit = "次",
     .expr = "CASE WHEN " VISITED " THEN 1 ELSE 0 END"},
    {.key = "households",
     .label = "走访慰问困难群众",
     .unit = "户",
     .aggregate = "count(DISTINCT household_id)",
     .where = VISITED},
    {.key = "dibao",
     .label = "走访慰问低保户",
     .unit = "户",
     .aggregate = "count(DISTINCT household_id)",
     .where = VISITED " AND household_kind = 'dibao'"},
    {.key = "value",
     .label = "慰问金及物资折合",
     .unit = "元",
     .kind = STATS_SUM,
     .expr = "CASE WHEN " VISITED " THEN COALESCE(help_value, 0) ELSE 0 END"},
};

static const struct stats_section visit_stats = {
    .name = "care_visits",
    .label = "走访慰问",
    .perm = "care:read",
    .table = "care_visits",
    .figures = visit_figures,
    .nfigures = MODULE_N(visit_figures),
};

static const struct stats_section *const stats[] = {&care_stats, &visit_stats};

static void summary_care(struct summary *x)
{
    json_t *care = summary_section(x, "care");
    if (!care || summary_int(care, "total") == 0)
        return;
    arena *a = summary_arena(x);
    const char *txt =
        arena_printf(a, "关注“两高一脆弱”中的弱势群体，%s登记%s%lld户，逐户落实结对帮扶人",
                     summary_all(x), stats_label("care", "total"), summary_int(care, "total"));
    json_t *by_kind = json_object_get(care, "by_kind");
    if (json_array_size(by_kind))
        txt = arena_printf(a, "%s，其中%s", txt, summary_kinds(x, by_kind, "户", NULL, NULL));
    summary_para(x, arena_printf(a, "%s。", txt));
}

/* The civilised summary: the visits of the year, as the seed says them
 * ("走访慰问低保户N户"). Counts of households, never who. */
static void summary_visits(struct summary *x)
{
    json_t *v = summary_section(x, "care_visits");
    if (!v || summary_int(v, "visits") == 0)
        return;
    arena *a = summary_arena(x);
    const char *t = arena_printf(a, "%s走访慰问困难群众%lld户%lld次", summary_all(x),
                                 summary_int(v, "households"), summary_int(v, "visits"));
    if (summary_int(v, "dibao") > 0)
        t = arena_printf(a, "%s，其中走访慰问低保户%lld户", t, summary_int(v, "dibao"));
    double value = json_number_value(json_object_get(v, "value"));
    if (value > 0)
        t = arena_printf(a, "%s，发放慰问金及慰问物资折合%.0f元", t, value);
    summary_para(x, arena_printf(a, "%s。", t));
}

static const struct summary_part summary[] = {
    {.chapter = "livelihood", .rank = 10, .write = summary_care},
    {.chapter = "livelihood", .rank = 20, .write = summary_visits, .campaigns = "civilized"},
};

/* The kinds and needs the demo draws from. */
static const char *kinds[] = {"dibao",          "wubao",    "elderly_alone",
                              "lonely_elderly", "disabled", "left_behind_child"};
static const char *needs[] = {"行动不便，需定期上门探访", "房屋老旧，存在用电安全隐患",
                              "子女在外务工，需结对关爱", "慢性病需长期服药", "冬季取暖困难"};

static int demo(struct demo_ctx *d, char **err)
{
    for (int i = 0; i < 240; i++) {
        char name[32], birth[11], id[19], phone[16], addr[96], hkey[32];
        int kind = (int)demo_rnd(d, 6);
        demo_person_name(d, name, sizeof name);
        demo_date(d, kind == 5 ? 2010 + (int)demo_rnd(d, 10) : 1935 + (int)demo_rnd(d, 50), birth);
        demo_id_number(d, birth, id);
        snprintf(phone, sizeof phone, "13%09u", demo_rnd(d, 1000000000));
        unsigned vi = demo_rnd(d, (unsigned)d->nvillages);
        unsigned group = 1 + demo_rnd(d, 8), no = 1 + demo_rnd(d, 60);
        snprintf(addr, sizeof addr, "%s%u组%u号", d->vnames[vi], group, no);
        const char *gender = demo_rnd(d, 2) ? "1" : "2";
        int members = (int)(1 + demo_rnd(d, 5));
        const char *helper = demo_rnd(d, 2) ? "村网格员" : "镇包村干部";
        if (demo_add(d, "care_households",
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "region",
                               d->villages[vi], "name", name, "kind", kinds[kind], "gender", gender,
                               "birth_date", birth, "id_number", id, "phone", phone, "address",
                               addr, "members", members, "helper", helper, "needs",
                               needs[demo_rnd(d, 5)]),
                     hkey, sizeof hkey, err))
            return -1;
        /* Visits of 2025 by the village's workers; the plan moves the next. */
        int nv = (int)demo_rnd(d, 3);
        for (int k = 0; k < nv; k++) {
            char on[11];
            snprintf(on, sizeof on, "2025-%02d-%02u", 1 + 3 * k + (int)demo_rnd(d, 3),
                     1 + demo_rnd(d, 28));
            int money = demo_rnd(d, 3) == 0;
            json_t *v = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "region", d->villages[vi],
                                  "household_id", (json_int_t)atoll(hkey), "visited_on", on,
                                  "visitors", helper, "help_given", money ? "money" : "none",
                                  "note", "上门看望，了解生活情况");
            if (money)
                json_object_set_new(v, "help_value", json_integer(200 + 100 * demo_rnd(d, 4)));
            if (demo_add(d, "care_visits", v, NULL, 0, err))
                return -1;
        }
    }
    return 0;
}

/* `demo --scale`: per county 6,000 households and 18,000 visits of 2025. */
static int demo_scale(struct demo_ctx *d, char **err)
{
    long nh = demo_scale_n(d, 6000), nv = demo_scale_n(d, 18000);
    int64_t *ids = xcalloc((size_t)nh, sizeof *ids);
    unsigned *village = xcalloc((size_t)nh, sizeof *village);
    int rc = demo_bulk_begin(d, "care_households", nh, err);
    for (long i = 0; rc == 0 && i < nh; i++) {
        char name[32], birth[11], id[19], phone[16], addr[96];
        int kind = (int)demo_rnd(d, 6);
        demo_person_name(d, name, sizeof name);
        demo_date(d, kind == 5 ? 2010 + (int)demo_rnd(d, 10) : 1935 + (int)demo_rnd(d, 50), birth);
        demo_id_number(d, birth, id);
        snprintf(phone, sizeof phone, "13%09u", demo_rnd(d, 1000000000));
        village[i] = demo_rnd(d, (unsigned)d->nvillages);
        snprintf(addr, sizeof addr, "%s%u组%u号", d->vnames[village[i]], 1 + demo_rnd(d, 8),
                 1 + demo_rnd(d, 60));
        rc = demo_bulk_add(
            d,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "region",
                      d->villages[village[i]], "name", name, "kind", kinds[kind], "gender",
                      demo_rnd(d, 2) ? "1" : "2", "birth_date", birth, "id_number", id, "phone",
                      phone, "address", addr, "members", (int)(1 + demo_rnd(d, 5)), "helper",
                      demo_rnd(d, 2) ? "村网格员" : "镇包村干部", "needs", needs[demo_rnd(d, 5)]),
            &ids[i], err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "care_visits", nv, err);
    for (long i = 0; rc == 0 && i < nv; i++) {
        long h = (long)demo_rnd(d, (unsigned)nh);
        char on[11];
        demo_date(d, 2025, on);
        int money = demo_rnd(d, 3) == 0;
        json_t *v =
            json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "region", d->villages[village[h]],
                      "household_id", (json_int_t)ids[h], "visited_on", on, "visitors", "村网格员",
                      "help_given", money ? "money" : "none", "note", "上门看望，了解生活情况");
        if (money)
            json_object_set_new(v, "help_value", json_integer(200 + 100 * demo_rnd(d, 4)));
        rc = demo_bulk_add(d, v, NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    free(ids);
    free(village);
    return rc ? -1 : 0;
}

static const struct entity *const entities[] = {&care_households, &care_visits};

/* The to-do list (todo.c): households whose next visit falls within the
 * week, the overdue ones included. */
static const struct module_todo todos[] = {
    {.key = "care_visits_due",
     .label = "7天内应走访",
     .perm = "care:write",
     .entity = "care_households",
     .query = "next_visit_on_to=$T+7&sort=next_visit_on",
     .title = "{name}（{kind_label}）",
     .due = "next_visit_on"},
};

const struct module care_module = {
    .name = "care",
    .label = "关爱对象",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .stats = stats,
    .nstats = MODULE_N(stats),
    .summary = summary,
    .nsummary = MODULE_N(summary),
    .demo = demo,
    .demo_scale = demo_scale,
    .todos = todos,
    .ntodos = MODULE_N(todos),
};
