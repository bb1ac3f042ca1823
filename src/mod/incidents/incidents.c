/* incidents: see incidents.h. This file declares the two entities, their
 * cross-field checks and derived values, and the module; the figures and
 * the summary are in incident_stats.c, the demo in incident_demo.c. */
#include "incidents.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "entity.h"
#include "region.h"
#include "strmap.h"
#include "util.h"

/* ---- the grade ---- */

const char *incident_grade(long long deaths, long long seriously_injured, double loss_yuan)
{
    /* The thresholds of the accident_grade dictionary (migration 0002), in
     * 元: loss is kept in 元 as the records give it. */
    static const struct {
        const char *code;
        long long deaths, serious;
        double loss;
    } grades[] = {
        {"especially_major", 30, 100, 1e8},
        {"major", 10, 50, 5e7},
        {"larger", 3, 10, 1e7},
    };
    for (size_t i = 0; i < sizeof grades / sizeof grades[0]; i++)
        if (deaths >= grades[i].deaths || seriously_injured >= grades[i].serious ||
            loss_yuan >= grades[i].loss)
            return grades[i].code;
    return "general";
}

/* ---- shared checks ---- */

static void error_set(json_t *errors, const char *field, const char *msg)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msg));
}

static const char *text_of(json_t *obj, const char *k)
{
    const char *v = json_string_value(json_object_get(obj, k));
    return v && *v ? v : NULL;
}

/* "HH:MM" */
static int time_valid(const char *s)
{
    return strlen(s) == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
           s[2] == ':' && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' &&
           (s[0] - '0') * 10 + (s[1] - '0') < 24;
}

/* A linked record (a unit, a hazard, an incident) must be live and lie in
 * the subtree of the record's township (of its own region when that is a
 * county or above). The check hook does not know the caller, and the
 * record's region was checked against the caller's scope: a link inside
 * that subtree is therefore in the caller's scope, and one outside answers
 * as if it did not exist, as "references stay in scope" asks. */
static int link_ok(db_conn *c, const char *table, long long id, const char *region)
{
    char anchor[REGION_CODE_MAX], lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    snprintf(anchor, sizeof anchor, "%s", region);
    enum region_level l = region_level_of(region);
    if (l == RL_VILLAGE || l == RL_GRID)
        snprintf(anchor, sizeof anchor, "%.9s000", region);
    region_subtree(anchor, lo, hi);
    /* table is one of this file's names, never input. */
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM %s WHERE id = $1 AND deleted_at IS NULL AND region >= $2 AND "
             "region < $3",
             table);
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return -1;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, lo);
    db_bind_text(s, 3, hi);
    int rc = db_step(s), ok = rc == DB_ROW && db_col_int(s, 0) > 0;
    db_done(s);
    return rc < 0 ? -1 : ok;
}

static long long int_or_zero(json_t *obj, const char *k)
{
    json_t *v = json_object_get(obj, k);
    if (!json_is_number(v)) {
        json_object_set_new(obj, k, json_integer(0));
        return 0;
    }
    return (long long)json_number_value(v);
}

/* ---- incidents ---- */

/* Consequences default to none; the grade follows from them (it is never
 * typed in); links must be in the record's township. */
static int incident_check_row(db_conn *c, json_t *obj, json_t *errors)
{
    long long deaths = int_or_zero(obj, "deaths"), injured = int_or_zero(obj, "injured"),
              serious = int_or_zero(obj, "seriously_injured");
    json_t *loss = json_object_get(obj, "loss");
    if (!json_is_number(loss))
        json_object_set_new(obj, "loss", loss = json_real(0));
    if (serious > injured)
        error_set(errors, "seriously_injured", "重伤人数不能多于受伤人数");
    const char *t = text_of(obj, "occurred_time");
    if (t && !time_valid(t))
        error_set(errors, "occurred_time", "必须是时间（时:分，如 09:30）");
    const char *region = text_of(obj, "region");
    json_t *unit = json_object_get(obj, "unit_id");
    if (region && json_is_integer(unit)) {
        int ok = link_ok(c, "units", (long long)json_integer_value(unit), region);
        if (ok < 0)
            error_set(errors, "unit_id", "暂时无法核对单位，请重试");
        else if (!ok)
            error_set(errors, "unit_id", "单位不存在或不在本乡镇（街道）");
    }
    const char *hz = text_of(obj, "hazard_ids");
    if (region && hz) {
        /* "12,34": the ids of the hazards involved. */
        int n = 0;
        for (const char *p = hz; *p;) {
            char *end;
            long long id = strtoll(p, &end, 10);
            if (end == p || id <= 0 || (*end && *end != ',') || ++n > 20) {
                error_set(errors, "hazard_ids", "必须是以逗号分隔的隐患编号（最多 20 个）");
                break;
            }
            int ok = link_ok(c, "hazards", id, region);
            if (ok <= 0) {
                error_set(errors, "hazard_ids",
                          ok < 0 ? "暂时无法核对隐患，请重试" : "隐患不存在或不在本乡镇（街道）");
                break;
            }
            p = *end ? end + 1 : end;
        }
    }
    json_object_set_new(obj, "grade",
                        json_string(incident_grade(deaths, serious, json_number_value(loss))));
    return 0;
}

static const struct field incident_fields[] = {
    {.name = "kind",
     .label = "事故（案件）类别",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "incident_kind"},
    {.name = "occurred_on",
     .label = "发生日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "occurred_time", .label = "发生时间（时:分）", .type = FT_TEXT, .max_len = 5},
    {.name = "place",
     .label = "发生地点",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 200},
    /* Ids of this database, meaningless in another: left out of the
     * spreadsheet as the hazards' are. */
    {.name = "unit_id",
     .label = "单位编号",
     .type = FT_INT,
     .flags = FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .shown_sql = "SELECT u.name FROM units u WHERE u.id = t.unit_id"},
    {.name = "deaths",
     .label = "死亡人数",
     .type = FT_INT,
     .flags = FF_SORT | FF_LIST | FF_SUM,
     .min = 0,
     .max = 100000},
    {.name = "seriously_injured",
     .label = "重伤人数",
     .type = FT_INT,
     .flags = FF_SORT | FF_SUM,
     .min = 0,
     .max = 100000},
    {.name = "injured",
     .label = "受伤人数",
     .type = FT_INT,
     .flags = FF_SORT | FF_LIST | FF_SUM,
     .min = 0,
     .max = 100000},
    {.name = "loss",
     .label = "直接经济损失（元）",
     .type = FT_NUM,
     .flags = FF_SORT | FF_SUM,
     .min = 0,
     .max = 1e13},
    {.name = "description",
     .label = "事故经过",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 2000},
    {.name = "source",
     .label = "信息来源",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "incident_source"},
    {.name = "hazard_ids",
     .label = "涉及隐患编号",
     .type = FT_TEXT,
     .flags = FF_NOEXPORT | FF_NOIMPORT,
     .max_len = 200},
    {.name = "grade",
     .label = "事故等级",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_SORT | FF_LIST,
     .dict = "accident_grade"},
};

static const struct entity incidents = {
    .name = "incidents",
    .perm = "incident",
    .label = "事故（案件）",
    .fields = incident_fields,
    .nfields = MODULE_N(incident_fields),
    .default_sort = "-occurred_on",
    .check = incident_check_row,
};

/* ---- injury cases ---- */

/* The person-level card without the person's name or ID number: the
 * figures need neither, and a health record that names nobody cannot leak
 * anyone's. */
static const struct field injury_fields[] = {
    {.name = "card_no",
     .label = "报告卡编号",
     .type = FT_TEXT,
     .flags = FF_FILTER | FF_LIST,
     .max_len = 40},
    {.name = "injured_on",
     .label = "受伤日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "injured_time", .label = "受伤时间（时:分）", .type = FT_TEXT, .max_len = 5},
    {.name = "visited_on", .label = "就诊日期", .type = FT_DATE, .flags = FF_SORT | FF_RANGE},
    {.name = "reported_on", .label = "报告日期", .type = FT_DATE, .flags = FF_SORT | FF_RANGE},
    {.name = "sex",
     .label = "性别",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "sex"},
    {.name = "age",
     .label = "年龄（岁）",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST,
     .min = 0,
     .max = 130},
    {.name = "occupation",
     .label = "职业",
     .type = FT_DICT,
     .flags = FF_FILTER,
     .dict = "occupation"},
    {.name = "education", .label = "文化程度", .type = FT_DICT, .dict = "education"},
    {.name = "residence",
     .label = "户籍",
     .type = FT_DICT,
     .flags = FF_FILTER,
     .dict = "residence"},
    {.name = "cause",
     .label = "伤害原因",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "injury_cause"},
    {.name = "place",
     .label = "伤害发生地点",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "injury_place"},
    {.name = "activity",
     .label = "伤害发生时活动",
     .type = FT_DICT,
     .flags = FF_FILTER,
     .dict = "injury_activity"},
    {.name = "intent",
     .label = "伤害意图",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER,
     .dict = "injury_intent"},
    {.name = "alcohol", .label = "饮酒情况", .type = FT_DICT, .dict = "injury_alcohol"},
    {.name = "nature", .label = "伤害性质", .type = FT_DICT, .dict = "injury_nature"},
    {.name = "body_part", .label = "伤害部位", .type = FT_DICT, .dict = "injury_body_part"},
    {.name = "severity",
     .label = "伤害严重程度",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "injury_severity"},
    {.name = "outcome",
     .label = "伤害结局",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "injury_outcome"},
    {.name = "disabled", .label = "残疾人", .type = FT_BOOL, .flags = FF_FILTER},
    {.name = "incident_id",
     .label = "事故编号",
     .type = FT_INT,
     .flags = FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15},
    {.name = "note",
     .label = "备注",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 500},
};
static const int injury_nfields = MODULE_N(injury_fields);

/* The "implies" rules of the cause's dictionary item (migration 0002: a
 * traffic cause implies a road place and driving; suffocation, drowning and
 * poisoning the whole body; a burn a burn's nature): {"place":["5"], …}.
 * The dictionary is versioned data, so the rules are read from it. NULL
 * when none; a new reference. */
static void decref(void *p)
{
    json_decref(p);
}

static json_t *cause_implies(db_conn *c, const char *cause, int *st)
{
    *st = DB_OK;
    /* Remembered for the transaction (an import's rows ask for the same
     * few causes): a JSON null when the cause has no rules. */
    char key[96];
    snprintf(key, sizeof key, "injury_cause.implies:%s", cause);
    struct db_memo *m = db_tx_memo(c, key);
    if (m && m->p)
        return json_is_null((json_t *)m->p) ? NULL : json_incref((json_t *)m->p);
    db_stmt *s = db_prepare(c, "SELECT i.extra FROM dicts d JOIN dict_items i ON i.dict = d.name "
                               "AND i.version = d.version WHERE d.name = 'injury_cause' AND "
                               "i.code = $1");
    if (!s) {
        *st = db_last_status(c);
        return NULL;
    }
    db_bind_text(s, 1, cause);
    json_t *implies = NULL;
    int rc = db_step(s);
    if (rc == DB_ROW && db_col_text(s, 0)) {
        json_t *extra = json_loads(db_col_text(s, 0), 0, NULL);
        implies = json_incref(json_object_get(extra, "implies"));
        json_decref(extra);
    } else if (rc < 0) {
        *st = rc;
    }
    db_done(s);
    if (m && *st == DB_OK) {
        m->p = implies ? json_incref(implies) : json_null();
        m->free_p = decref;
    }
    return implies;
}

static const struct field *injury_field(const char *name)
{
    for (int i = 0; i < injury_nfields; i++)
        if (strcmp(injury_fields[i].name, name) == 0)
            return &injury_fields[i];
    return NULL;
}

static const char *injury_label(const char *name)
{
    const struct field *f = injury_field(name);
    return f ? f->label : name;
}

/* The report card's cross-field checks (domain reference, section 5), as
 * errors naming each field involved: the dates in order (injured ≤ visited
 * ≤ reported), the cause's implied place, activity, body part and nature. */
static int injury_check_row(db_conn *c, json_t *obj, json_t *errors)
{
    const char *injured = text_of(obj, "injured_on"), *visited = text_of(obj, "visited_on"),
               *reported = text_of(obj, "reported_on");
    if (injured && visited && strcmp(visited, injured) < 0)
        error_set(errors, "visited_on", "就诊日期不能早于受伤日期");
    if (reported && visited && strcmp(reported, visited) < 0)
        error_set(errors, "reported_on", "报告日期不能早于就诊日期");
    else if (reported && injured && strcmp(reported, injured) < 0)
        error_set(errors, "reported_on", "报告日期不能早于受伤日期");
    const char *t = text_of(obj, "injured_time");
    if (t && !time_valid(t))
        error_set(errors, "injured_time", "必须是时间（时:分，如 09:30）");
    const char *cause = text_of(obj, "cause");
    if (cause) {
        int st;
        json_t *implies = cause_implies(c, cause, &st), *allowed;
        const char *field;
        if (st != DB_OK)
            error_set(errors, "cause", "暂时无法核对伤害原因，请重试");
        json_object_foreach(implies, field, allowed)
        {
            const char *v = text_of(obj, field);
            int ok = !v;
            for (size_t i = 0; v && i < json_array_size(allowed); i++)
                ok |= strcmp(json_string_value(json_array_get(allowed, i)), v) == 0;
            if (ok)
                continue;
            /* The allowed values by their dictionary labels (公路/街道), as
             * the form and the card name them, not by their codes. */
            const struct field *f = injury_field(field);
            arena *a = arena_new();
            struct dict_cache *dc = f && f->dict ? dict_cache_new(a, c) : NULL;
            char msg[512];
            snprintf(msg, sizeof msg, "与伤害原因不符：该伤害原因的%s应为", injury_label(field));
            for (size_t i = 0; i < json_array_size(allowed); i++) {
                const char *code = json_string_value(json_array_get(allowed, i));
                const char *label = dc ? dict_label(dc, f->dict, code) : NULL;
                snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "%s“%s”", i ? "或" : "",
                         label ? label : code);
            }
            arena_free(a);
            error_set(errors, field, msg);
            char cmsg[160];
            snprintf(cmsg, sizeof cmsg, "与%s不符", injury_label(field));
            error_set(errors, "cause", cmsg);
        }
        json_decref(implies);
    }
    const char *region = text_of(obj, "region");
    json_t *inc = json_object_get(obj, "incident_id");
    if (region && json_is_integer(inc)) {
        int ok = link_ok(c, "incidents", (long long)json_integer_value(inc), region);
        if (ok <= 0)
            error_set(errors, "incident_id",
                      ok < 0 ? "暂时无法核对事故，请重试" : "事故不存在或不在本乡镇（街道）");
    }
    if (!json_is_boolean(json_object_get(obj, "disabled")))
        json_object_set_new(obj, "disabled", json_false());
    return 0;
}

/* The vulnerable groups, derived at query time from the age, the
 * occupation and the flag (the aggregate triggers of migration 0013 use
 * the same rules). */
static const struct derived injury_derived[] = {
    {.f = {.name = "elderly", .label = "老年人", .type = FT_BOOL, .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN t.age >= 60 THEN 1 ELSE 0 END"},
    {.f = {.name = "child", .label = "儿童", .type = FT_BOOL, .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN t.age < 14 THEN 1 ELSE 0 END"},
    {.f = {.name = "student", .label = "学生", .type = FT_BOOL, .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN t.occupation = '2' THEN 1 ELSE 0 END"},
    {.f = {.name = "vulnerable",
           .label = "老年人、残疾人、儿童",
           .type = FT_BOOL,
           .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN t.age >= 60 OR t.age < 14 OR t.disabled = 1 THEN 1 ELSE 0 END"},
};

/* An import's aggregates (struct entity_bulk): counted in memory as the
 * rows stream, by the same rules as the insert trigger of migration 0014
 * (which bulk_loads silences meanwhile), and added at the end with one
 * upsert per region and month and per region, month, dimension and code. */
struct injury_month_acc {
    long long n, elderly, child, student, disabled, vulnerable, died;
};

/* The dimensions of injury_cases_by_code, in the order of their names,
 * which is the order of the table's key. */
enum { DIM_AGE_BAND, DIM_CAUSE, DIM_GROUP, DIM_PLACE, DIM_SEX, NDIMS };
static const char *const dim_names[NDIMS] = {"age_band", "cause", "group", "place", "sex"};

/* The codes of one dimension met so far. A dimension has tens of codes
 * (a dictionary's), so a scan of short strings finds one sooner than a
 * hash would. */
struct dim_codes {
    int n, cap;
    char **code;
};

/* One region and month: its counts, and per dimension the count of each
 * code, by the code's place in struct dim_codes. */
struct injury_rm {
    struct injury_month_acc m;
    long long *by_code[NDIMS];
    int ncodes[NDIMS];
};

struct injury_acc {
    struct strmap *by_month; /* "region|month" -> struct injury_rm */
    struct dim_codes dims[NDIMS];
};

static void *injury_bulk_begin(void)
{
    struct injury_acc *acc = xcalloc(1, sizeof *acc);
    acc->by_month = strmap_new(sizeof(struct injury_rm));
    return acc;
}

static const char *age_band(long long age)
{
    return age < 7    ? "0-6"
           : age < 14 ? "7-13"
           : age < 18 ? "14-17"
           : age < 45 ? "18-44"
           : age < 60 ? "45-59"
           : age < 75 ? "60-74"
                      : "75+";
}

static void code_add(struct injury_acc *acc, struct injury_rm *rm, int dim, const char *code)
{
    struct dim_codes *d = &acc->dims[dim];
    int k = 0;
    while (k < d->n && strcmp(d->code[k], code) != 0)
        k++;
    if (k == d->n) {
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 16;
            d->code = xrealloc(d->code, (size_t)d->cap * sizeof *d->code);
        }
        d->code[d->n++] = xstrdup(code);
    }
    if (k >= rm->ncodes[dim]) {
        int n = d->cap;
        rm->by_code[dim] = xrealloc(rm->by_code[dim], (size_t)n * sizeof *rm->by_code[dim]);
        memset(rm->by_code[dim] + rm->ncodes[dim], 0,
               (size_t)(n - rm->ncodes[dim]) * sizeof *rm->by_code[dim]);
        rm->ncodes[dim] = n;
    }
    rm->by_code[dim][k]++;
}

static void injury_bulk_row(void *vacc, json_t *obj)
{
    struct injury_acc *acc = vacc;
    const char *region = text_of(obj, "region"), *on = text_of(obj, "injured_on");
    if (!region || !on || strlen(on) < 7)
        return; /* required: validation let no such row through */
    char key[96];
    snprintf(key, sizeof key, "%s|%.7s-01", region, on);
    long long age = json_integer_value(json_object_get(obj, "age"));
    const char *occ = text_of(obj, "occupation"), *outcome = text_of(obj, "outcome");
    int elderly = age >= 60, child = age < 14, student = occ && strcmp(occ, "2") == 0,
        disabled = json_is_true(json_object_get(obj, "disabled"));
    struct injury_rm *rm = strmap_get(acc->by_month, key, 1);
    struct injury_month_acc *m = &rm->m;
    m->n++;
    m->elderly += elderly;
    m->child += child;
    m->student += student;
    m->disabled += disabled;
    m->vulnerable += elderly || child || disabled;
    m->died += outcome && strcmp(outcome, "5") == 0;
    static const int dims[] = {DIM_CAUSE, DIM_PLACE, DIM_SEX};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        const char *v = text_of(obj, dim_names[dims[i]]);
        if (v)
            code_add(acc, rm, dims[i], v);
    }
    code_add(acc, rm, DIM_AGE_BAND, age_band(age));
    if (elderly)
        code_add(acc, rm, DIM_GROUP, "elderly");
    if (disabled)
        code_add(acc, rm, DIM_GROUP, "disabled");
    if (child)
        code_add(acc, rm, DIM_GROUP, "child");
    if (student)
        code_add(acc, rm, DIM_GROUP, "student");
}

static const char month_upsert[] =
    "INSERT INTO injury_cases_by_month (region, month, n, elderly, child, student, disabled, "
    "vulnerable, died) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
    "ON CONFLICT (region, month) DO UPDATE SET n = injury_cases_by_month.n + excluded.n, "
    "elderly = injury_cases_by_month.elderly + excluded.elderly, "
    "child = injury_cases_by_month.child + excluded.child, "
    "student = injury_cases_by_month.student + excluded.student, "
    "disabled = injury_cases_by_month.disabled + excluded.disabled, "
    "vulnerable = injury_cases_by_month.vulnerable + excluded.vulnerable, "
    "died = injury_cases_by_month.died + excluded.died";
static const char code_upsert[] =
    "INSERT INTO injury_cases_by_code (region, month, dim, code, n) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (dim, region, month, code) DO UPDATE SET n = injury_cases_by_code.n + excluded.n";

/* One upsert of an aggregate's row: its key columns as text, then the
 * counts. */
static int upsert(db_conn *c, const char *sql, const char *const *key, int nkey, const long long *n,
                  int nn)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c);
    for (int i = 0; i < nkey; i++)
        db_bind_text(s, i + 1, key[i]);
    for (int i = 0; i < nn; i++)
        db_bind_int(s, nkey + i + 1, n[i]);
    int st = db_step(s);
    db_done(s);
    return st == DB_DONE ? DB_OK : st < 0 ? st : DB_ERR;
}

/* A region and month of the accumulator: its key split in two. */
struct rm_kv {
    char region[64], month[16];
    const char *key;
    struct injury_rm *rm;
};

static int rm_cmp(const void *a, const void *b)
{
    return strcmp(((const struct rm_kv *)a)->key, ((const struct rm_kv *)b)->key);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Written in the order of each aggregate's key, so that its B-tree is
 * filled in sequence: by region and month, then by dimension, region,
 * month and code. */
static int injury_bulk_write(struct injury_acc *acc, db_conn *c)
{
    size_t nrm = strmap_count(acc->by_month), pos = 0, k = 0;
    struct rm_kv *rms = xcalloc(nrm + 1, sizeof *rms);
    const char *key;
    void *v;
    while ((key = strmap_next(acc->by_month, &pos, &v))) {
        const char *bar = strchr(key, '|');
        assert(bar && (size_t)(bar - key) < sizeof rms[k].region);
        snprintf(rms[k].region, sizeof rms[k].region, "%.*s", (int)(bar - key), key);
        snprintf(rms[k].month, sizeof rms[k].month, "%s", bar + 1);
        rms[k].key = key;
        rms[k++].rm = v;
    }
    qsort(rms, nrm, sizeof *rms, rm_cmp);
    int st = DB_OK;
    for (size_t i = 0; st == DB_OK && i < nrm; i++) {
        const struct injury_month_acc *m = &rms[i].rm->m;
        const char *kcol[] = {rms[i].region, rms[i].month};
        const long long n[] = {m->n,        m->elderly,    m->child, m->student,
                               m->disabled, m->vulnerable, m->died};
        st = upsert(c, month_upsert, kcol, 2, n, 7);
    }
    for (int d = 0; st == DB_OK && d < NDIMS; d++) {
        struct dim_codes *dc = &acc->dims[d];
        /* the codes in their order, and each one's place in the counts */
        char **order = xcalloc((size_t)dc->n + 1, sizeof *order);
        int *place = xcalloc((size_t)dc->n + 1, sizeof *place);
        if (dc->n) /* no code met: dc->code is NULL */
            memcpy(order, dc->code, (size_t)dc->n * sizeof *order);
        qsort(order, (size_t)dc->n, sizeof *order, str_cmp);
        for (int j = 0; j < dc->n; j++)
            while (dc->code[place[j]] != order[j])
                place[j]++;
        for (size_t i = 0; st == DB_OK && i < nrm; i++)
            for (int j = 0; st == DB_OK && j < dc->n; j++) {
                int at = place[j];
                const struct injury_rm *rm = rms[i].rm;
                if (at >= rm->ncodes[d] || rm->by_code[d][at] == 0)
                    continue;
                const char *kcol[] = {rms[i].region, rms[i].month, dim_names[d], order[j]};
                st = upsert(c, code_upsert, kcol, 4, &rm->by_code[d][at], 1);
            }
        free(order);
        free(place);
    }
    free(rms);
    return st;
}

static int injury_bulk_end(void *vacc, db_conn *c)
{
    struct injury_acc *acc = vacc;
    int st = c ? injury_bulk_write(acc, c) : DB_OK;
    size_t pos = 0;
    void *v;
    while (strmap_next(acc->by_month, &pos, &v)) {
        struct injury_rm *rm = v;
        for (int d = 0; d < NDIMS; d++)
            free(rm->by_code[d]);
    }
    strmap_free(acc->by_month);
    for (int d = 0; d < NDIMS; d++) {
        for (int j = 0; j < acc->dims[d].n; j++)
            free(acc->dims[d].code[j]);
        free(acc->dims[d].code);
    }
    free(acc);
    return st;
}

static const struct entity_bulk injury_bulk = {
    .begin = injury_bulk_begin, .row = injury_bulk_row, .end = injury_bulk_end};

static const struct entity injury_cases = {
    .name = "injury_cases",
    .perm = "injury",
    .label = "伤害病例",
    .fields = injury_fields,
    .nfields = MODULE_N(injury_fields),
    .default_sort = "-injured_on",
    .check = injury_check_row,
    .derived = injury_derived,
    .nderived = MODULE_N(injury_derived),
    .bulk = &injury_bulk,
};

static const struct entity *const entities[] = {&incidents, &injury_cases};

/* The statistics of injuries without the cases: for reviewers. */
static const struct module_perm perms[] = {
    {.perm = "injury_stats:read", .label = "伤害病例：查看汇总统计（不含病例）"},
};

const struct module incidents_module = {
    .name = "incidents",
    .label = "事故伤害",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .stats = incident_stats,
    .nstats = INCIDENT_NSTATS,
    .summary = incident_summary,
    .nsummary = INCIDENT_NSUMMARY,
    .check = incident_check,
    .demo = incident_demo,
    .demo_scale = incident_demo_scale,
    .perms = perms,
    .nperms = MODULE_N(perms),
};
