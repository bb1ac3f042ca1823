/* promotion: see promotion.h. The entities (projects, their indicators and
 * process records), the evaluation of the indicators from the declared
 * figures, the effect route, the statistics section, the summary's
 * paragraphs and the demo. */
#include "promotion.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authz.h"
#include "demo.h"
#include "dict.h"
#include "entity.h"
#include "http.h"
#include "region.h"
#include "report.h"
#include "stats.h"
#include "util.h"

int project_indicator_met(const char *op, double actual, double target)
{
    double eps = 1e-9;
    return strcmp(op, "le") == 0 ? actual <= target + eps : actual >= target - eps;
}

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

/* ---- entities ---- */

static int project_check_row(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    const char *from = text_of(obj, "start_on"), *to = text_of(obj, "end_on");
    if (from && to && strcmp(to, from) < 0)
        error_set(errors, "end_on", "结束日期不能早于开始日期");
    if (!text_of(obj, "status"))
        json_object_set_new(obj, "status", json_string("planned"));
    return 0;
}

static const struct field project_fields[] = {
    {.name = "title",
     .label = "项目名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "work_group",
     .label = "专项工作组",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "work_group"},
    {.name = "domain",
     .label = "领域",
     .type = FT_DICT,
     .flags = FF_FILTER,
     .dict = "hazard_domain"},
    {.name = "year",
     .label = "年度",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST,
     .min = 2000,
     .max = 2100},
    {.name = "background",
     .label = "项目背景",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 2000},
    {.name = "target_group",
     .label = "目标人群",
     .type = FT_TEXT,
     .flags = FF_LIST,
     .max_len = 200},
    {.name = "target_size",
     .label = "目标人群数量（人）",
     .type = FT_INT,
     .flags = FF_LIST | FF_SUM,
     .min = 0,
     .max = 1e9},
    {.name = "measures",
     .label = "主要措施",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
    {.name = "funds",
     .label = "经费（万元）",
     .type = FT_NUM,
     .min = 0,
     .max = 1e9,
     .flags = FF_SUM},
    {.name = "staff",
     .label = "投入人员（人）",
     .type = FT_INT,
     .min = 0,
     .max = 1e6,
     .flags = FF_SUM},
    {.name = "start_on", .label = "开始日期", .type = FT_DATE, .flags = FF_SORT},
    {.name = "end_on", .label = "结束日期", .type = FT_DATE, .flags = FF_SORT},
    {.name = "status",
     .label = "项目状态",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "project_status"},
    {.name = "awareness", .label = "知晓率调查（%）", .type = FT_NUM, .min = 0, .max = 100},
    {.name = "satisfaction", .label = "满意度调查（%）", .type = FT_NUM, .min = 0, .max = 100},
    {.name = "evaluation",
     .label = "效果评估",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
    {.name = "improvement",
     .label = "改进计划",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
};

static const struct entity projects = {
    .name = "projects",
    .perm = "project",
    .label = "安全促进项目",
    .fields = project_fields,
    .nfields = MODULE_N(project_fields),
    .default_sort = "-year",
    .check = project_check_row,
};

/* "incidents.road_traffic": a declared figure; a change needs one counted
 * for the year before too (STATS_YOY). */
static int indicator_check_row(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    const char *fig = text_of(obj, "figure"), *measure = text_of(obj, "measure");
    if (fig) {
        const char *dot = strchr(fig, '.');
        char sec[64];
        const struct stats_figure *f = NULL;
        if (dot && dot - fig < (long)sizeof sec) {
            snprintf(sec, sizeof sec, "%.*s", (int)(dot - fig), fig);
            f = stats_figure_find(sec, dot + 1);
        }
        if (!f)
            error_set(errors, "figure", "必须是已声明的统计指标（见统计指标列表）");
        else if (measure && strcmp(measure, "change_pct") == 0 && !(f->flags & STATS_YOY))
            error_set(errors, "measure", "该统计指标没有上年数，不能按同比考核");
    }
    return 0;
}

/* The figure by its label, as the statistics page names it (field.shown). */
static void figure_shown(buf *out, const char *value, struct dict_cache *dc)
{
    (void)dc;
    const char *dot = strchr(value, '.');
    char sec[64];
    if (!dot || dot - value >= (long)sizeof sec)
        return;
    snprintf(sec, sizeof sec, "%.*s", (int)(dot - value), value);
    const struct stats_figure *f = stats_figure_find(sec, dot + 1);
    if (f)
        buf_puts(out, f->label);
}

static const struct field indicator_fields[] = {
    {.name = "project_id",
     .label = "促进项目",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "projects",
     .shown_sql = "SELECT p.title FROM projects p WHERE p.id = t.project_id"},
    {.name = "label", .label = "目标说明", .type = FT_TEXT, .flags = FF_LIST, .max_len = 200},
    {.name = "figure",
     .label = "统计指标",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_LIST,
     .max_len = 80,
     .shown = figure_shown},
    {.name = "measure",
     .label = "指标口径",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_LIST,
     .dict = "indicator_measure"},
    {.name = "op",
     .label = "比较",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_LIST,
     .dict = "indicator_op"},
    {.name = "target",
     .label = "目标值",
     .type = FT_NUM,
     .flags = FF_REQUIRED | FF_LIST,
     .min = -1e9,
     .max = 1e9},
};

static const struct entity project_indicators = {
    .name = "project_indicators",
    .perm = "project_indicator",
    .label = "项目目标指标",
    .fields = indicator_fields,
    .nfields = MODULE_N(indicator_fields),
    .default_sort = "id",
    .check = indicator_check_row,
};

static const struct field record_fields[] = {
    {.name = "project_id",
     .label = "促进项目",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "projects",
     .shown_sql = "SELECT x.title FROM projects x WHERE x.id = t.project_id"},
    {.name = "held_on",
     .label = "日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "title",
     .label = "活动内容",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 200},
    {.name = "reached",
     .label = "覆盖人数",
     .type = FT_INT,
     .flags = FF_LIST | FF_SUM,
     .min = 0,
     .max = 1e9},
    {.name = "content",
     .label = "过程记录",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
    {.name = "photos", .label = "照片", .type = FT_FILES, .flags = FF_NOEXPORT | FF_NOIMPORT},
};

static const struct entity project_records = {
    .name = "project_records",
    .perm = "project_record",
    .label = "项目过程记录",
    .fields = record_fields,
    .nfields = MODULE_N(record_fields),
    .default_sort = "-held_on",
};

/* ---- evaluation ---- */

/* The figure's value, from the cache of computed sections (an object
 * section -> answer, filled on first use). */
static int figure_values(db_conn *c, const struct user *u, const char *region, int year,
                         const char *today, json_t *cache, const char *sec, const char *key,
                         json_t **val, json_t **prev, json_t **chg)
{
    char ck[96];
    snprintf(ck, sizeof ck, "%s|%s", region, sec);
    json_t *ans = json_object_get(cache, ck);
    if (!ans) {
        json_t *out = NULL;
        int st = stats_compute_only(c, u, region, year, today, sec, &out);
        if (st < 0)
            return st;
        ans = out ? json_incref(json_object_get(out, sec)) : NULL;
        json_decref(out);
        json_object_set_new(cache, ck, ans ? ans : json_null());
    }
    char k2[96];
    *val = json_object_get(ans, key);
    snprintf(k2, sizeof k2, "%s_prev", key);
    *prev = json_object_get(ans, k2);
    snprintf(k2, sizeof k2, "%s_change_pct", key);
    *chg = json_object_get(ans, k2);
    return DB_OK;
}

int projects_evaluate(db_conn *c, const struct user *u, const char *region, int year,
                      long long only_id, const char *today, json_t *items)
{
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    region_subtree(region, lo, hi);
    db_stmt *s = db_prepare(
        c, "SELECT p.id, p.title, p.work_group, p.target_group, p.target_size, p.status, "
           "p.awareness, p.satisfaction, p.improvement, p.region, p.year, "
           "(SELECT COALESCE(SUM(r.reached), 0) FROM project_records r WHERE r.project_id = p.id "
           "AND r.deleted_at IS NULL), (SELECT count(*) FROM project_records r WHERE r.project_id "
           "= p.id AND r.deleted_at IS NULL), p.evaluation FROM projects p WHERE p.deleted_at IS "
           "NULL AND ((p.region >= $1 AND p.region < $2 AND p.year = CAST($3 AS INTEGER) AND "
           "CAST($4 AS INTEGER) = 0) OR p.id = CAST($4 AS INTEGER)) ORDER BY p.work_group, p.id");
    if (!s)
        return db_last_status(c);
    char ys[8], ids[24];
    snprintf(ys, sizeof ys, "%d", year);
    snprintf(ids, sizeof ids, "%lld", only_id);
    db_bind_text(s, 1, lo);
    db_bind_text(s, 2, hi);
    db_bind_text(s, 3, ys);
    db_bind_text(s, 4, ids);
    int rc;
    json_t *found = json_array();
    arena *a = arena_new();
    struct dict_cache *dc = dict_cache_new(a, c);
    while ((rc = db_step(s)) == DB_ROW) {
        long long target = db_col_type(s, 4) == DB_T_NULL ? 0 : db_col_int(s, 4),
                  reached = db_col_int(s, 11);
        const char *wg = db_col_text(s, 2);
        json_t *p =
            json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:I, s:s, s:s, s:I, s:I, s:I, s:s?}", "id",
                      (json_int_t)db_col_int(s, 0), "title", db_col_text(s, 1), "work_group", wg,
                      "work_group_label", dict_label(dc, "work_group", wg), "target_group",
                      db_col_text(s, 3), "target_size", (json_int_t)target, "status",
                      db_col_text(s, 5), "region", db_col_text(s, 9), "year",
                      (json_int_t)db_col_int(s, 10), "reached", (json_int_t)reached, "records",
                      (json_int_t)db_col_int(s, 12), "improvement", db_col_text(s, 8));
        json_object_set_new(p, "evaluation",
                            db_col_text(s, 13) ? json_string(db_col_text(s, 13)) : json_null());
        double cov = target > 0 ? round((double)reached * 10000.0 / (double)target) / 10000.0 : -1;
        json_object_set_new(p, "coverage", cov >= 0 ? json_real(cov) : json_null());
        json_object_set_new(p, "coverage_met", cov >= 0 ? json_boolean(cov > 0.5) : json_null());
        json_object_set_new(p, "awareness",
                            db_col_type(s, 6) == DB_T_NULL ? json_null()
                                                           : json_real(db_col_double(s, 6)));
        json_object_set_new(p, "satisfaction",
                            db_col_type(s, 7) == DB_T_NULL ? json_null()
                                                           : json_real(db_col_double(s, 7)));
        json_array_append_new(found, p);
    }
    db_done(s);
    arena_free(a);
    if (rc < 0) {
        json_decref(found);
        return rc;
    }
    json_t *cache = json_object();
    size_t i;
    json_t *p;
    int st = DB_OK;
    json_array_foreach(found, i, p)
    {
        if (st != DB_OK)
            break;
        const char *preg = json_string_value(json_object_get(p, "region"));
        int pyear = (int)json_integer_value(json_object_get(p, "year"));
        s = db_prepare(c, "SELECT id, figure, measure, op, target, label FROM project_indicators "
                          "WHERE project_id = $1 AND deleted_at IS NULL ORDER BY id");
        if (!s) {
            st = db_last_status(c);
            break;
        }
        db_bind_int(s, 1, json_integer_value(json_object_get(p, "id")));
        /* Read the rows first: evaluating runs other statements. */
        json_t *rows = json_array();
        while ((rc = db_step(s)) == DB_ROW)
            json_array_append_new(rows,
                                  json_pack("[I, s, s, s, f, s?]", (json_int_t)db_col_int(s, 0),
                                            db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3),
                                            db_col_double(s, 4), db_col_text(s, 5)));
        db_done(s);
        if (rc < 0) {
            json_decref(rows);
            st = rc;
            break;
        }
        json_t *inds = json_array();
        int met = 0, known = 0;
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row)
        {
            json_t *o = NULL;
            const char *fig = json_string_value(json_array_get(row, 1));
            const char *dot = strchr(fig, '.');
            char sec[64];
            snprintf(sec, sizeof sec, "%.*s", dot ? (int)(dot - fig) : 0, fig);
            const struct stats_figure *f = dot ? stats_figure_find(sec, dot + 1) : NULL;
            o = json_pack("{s:I, s:O, s:s, s:s, s:s, s:f}", "id",
                          json_integer_value(json_array_get(row, 0)), "label",
                          json_array_get(row, 5), "figure", fig, "measure",
                          json_string_value(json_array_get(row, 2)), "op",
                          json_string_value(json_array_get(row, 3)), "target",
                          json_real_value(json_array_get(row, 4)));
            json_object_set_new(o, "achieved", json_null());
            if (f) {
                json_object_set_new(o, "figure_label", json_string(f->label));
                json_object_set_new(o, "unit", json_string(f->unit ? f->unit : ""));
                json_t *val = NULL, *prev = NULL, *chg = NULL;
                st =
                    figure_values(c, u, preg, pyear, today, cache, sec, dot + 1, &val, &prev, &chg);
                if (st != DB_OK) {
                    json_decref(o);
                    break;
                }
                json_object_set(o, "value", val ? val : json_null());
                json_object_set(o, "prev", prev ? prev : json_null());
                json_t *actual = NULL;
                if (strcmp(json_string_value(json_object_get(o, "measure")), "change_pct") == 0)
                    actual = json_is_number(chg) ? json_real(json_number_value(chg)) : NULL;
                else if (json_is_number(val))
                    actual = json_real(f->kind == STATS_RATE
                                           ? round(json_number_value(val) * 1000.0) / 10.0
                                           : json_number_value(val));
                json_object_set_new(o, "actual", actual ? actual : json_null());
                if (actual) {
                    int ok = project_indicator_met(json_string_value(json_object_get(o, "op")),
                                                   json_number_value(actual),
                                                   json_number_value(json_object_get(o, "target")));
                    json_object_set_new(o, "achieved", json_boolean(ok));
                    known++;
                    met += ok;
                }
            }
            json_array_append_new(inds, o);
        }
        json_decref(rows);
        json_object_set_new(p, "indicators", inds);
        json_object_set_new(p, "indicators_met", json_integer(met));
        json_object_set_new(p, "indicators_known", json_integer(known));
    }
    json_decref(cache);
    if (st != DB_OK) {
        json_decref(found);
        return st;
    }
    json_array_extend(items, found);
    json_decref(found);
    return DB_OK;
}

/* GET /api/v1/projects/{id}/effect: the effect evaluation. */
static void h_effect(req *r)
{
    db_conn *c = req_db(r);
    int st;
    const char *id = req_param(r, "id");
    json_t *row = entity_get(c, r->a, entity_find("projects"), id, &st);
    if (!row) {
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    int rc = authz_require(r, "project:read", json_string_value(json_object_get(row, "region")));
    json_decref(row);
    if (rc != 0)
        return;
    char today[11];
    util_today(today);
    json_t *items = json_array();
    st = projects_evaluate(c, r->user, r->user->region, 0, atoll(id), today, items);
    if (st != DB_OK || json_array_size(items) != 1) {
        json_decref(items);
        reply_db_error(r, st != DB_OK ? st : DB_ERR);
        return;
    }
    json_t *p = json_incref(json_array_get(items, 0));
    json_decref(items);
    reply_json(r, 200, p);
}

static void project_routes(void)
{
    http_route("GET", "/api/v1/projects/{id}/effect", h_effect, 0, NULL);
}

/* ---- statistics ---- */

#define THIS_YEAR "year = CAST(substr(CAST($3 AS TEXT), 1, 4) AS INTEGER)"

static const struct stats_figure project_figures[] = {
    {
        .key = "count",
        .label = "安全促进项目",
        .unit = "项",
        .expr = "CASE WHEN " THIS_YEAR " THEN 1 ELSE 0 END",
    },
    {.key = "target",
     .label = "项目目标人群",
     .unit = "人",
     .expr = "CASE WHEN " THIS_YEAR " THEN COALESCE(target_size, 0) ELSE 0 END"},
};

static int project_detail(db_conn *c, const struct user *u, const char *region, int year,
                          const char *today, json_t *obj)
{
    json_t *items = json_array();
    int st = projects_evaluate(c, u, region, year, 0, today, items);
    json_object_set_new(obj, "items", items);
    return st;
}

static const struct stats_section project_stats = {
    .name = "projects",
    .label = "安全促进项目",
    .perm = "project:read",
    .table = "projects",
    .figures = project_figures,
    .nfigures = MODULE_N(project_figures),
    .detail = project_detail,
};

static const struct stats_section *const stats_sections[] = {&project_stats};

/* ---- the summary's chapter 安全促进项目 ---- */

static const char *num_text(arena *a, double v)
{
    if (fabs(v - round(v)) < 1e-9)
        return arena_printf(a, "%.0f", v);
    return arena_printf(a, "%.1f", v);
}

static const char *indicator_text(arena *a, json_t *ind)
{
    const char *label = json_string_value(json_object_get(ind, "figure_label"));
    const char *unit = json_string_value(json_object_get(ind, "unit"));
    int chg = strcmp(json_string_value(json_object_get(ind, "measure")), "change_pct") == 0;
    const char *op = strcmp(json_string_value(json_object_get(ind, "op")), "le") == 0 ? "≤" : "≥";
    double target = json_number_value(json_object_get(ind, "target"));
    json_t *actual = json_object_get(ind, "actual");
    json_t *val = json_object_get(ind, "value"), *prev = json_object_get(ind, "prev");
    int pct = unit && strcmp(unit, "%") == 0;
    const char *u = chg || pct ? "%" : unit ? unit : "";
    const char *goal =
        arena_printf(a, "目标%s%s%s%s", chg ? "同比" : "", op, num_text(a, target), u);
    if (!label)
        return NULL;
    if (!json_is_number(actual))
        return arena_printf(a, "%s（%s）暂无可比数据", label, goal);
    const char *fact;
    if (chg) {
        double v = json_number_value(actual);
        fact =
            arena_printf(a, "%s%s%s起，上年%s起，同比%s%s%%", label, json_is_number(val) ? "" : "",
                         num_text(a, json_number_value(val)), num_text(a, json_number_value(prev)),
                         v < 0 ? "下降" : "增长", num_text(a, fabs(v)));
        if (unit && strcmp(unit, "起") != 0)
            fact = arena_printf(a, "%s%s%s，上年%s%s，同比%s%s%%", label,
                                num_text(a, json_number_value(val)), unit,
                                num_text(a, json_number_value(prev)), unit, v < 0 ? "下降" : "增长",
                                num_text(a, fabs(v)));
    } else {
        fact = arena_printf(a, "%s%s%s", label, num_text(a, json_number_value(actual)), u);
    }
    return arena_printf(a, "%s（%s），%s", fact, goal,
                        json_is_true(json_object_get(ind, "achieved")) ? "已达到目标"
                                                                       : "未达到目标");
}

static void summary_projects(struct summary *x)
{
    json_t *sec = summary_section(x, "projects");
    json_t *items = json_object_get(sec, "items");
    if (!json_array_size(items))
        return;
    arena *a = summary_arena(x);
    /* One paragraph per working group, in the order of the groups. */
    size_t i = 0, n = json_array_size(items);
    while (i < n) {
        const char *wg = json_string_value(json_object_get(json_array_get(items, i), "work_group"));
        const char *wl =
            json_string_value(json_object_get(json_array_get(items, i), "work_group_label"));
        char *text = arena_printf(a, "%s组：", wl ? wl : wg);
        size_t j = i;
        for (; j < n; j++) {
            json_t *p = json_array_get(items, j);
            if (strcmp(json_string_value(json_object_get(p, "work_group")), wg) != 0)
                break;
            long long target = (long long)json_integer_value(json_object_get(p, "target_size"));
            long long reached = (long long)json_integer_value(json_object_get(p, "reached"));
            const char *title = json_string_value(json_object_get(p, "title"));
            size_t tl = strlen(title);
            int named = tl >= 6 && strcmp(title + tl - 6, "项目") == 0;
            text = arena_printf(a, "%s%s实施“%s”%s", text, j > i ? "；" : "", title,
                                named ? "" : "项目");
            const char *tg = json_string_value(json_object_get(p, "target_group"));
            if (target > 0)
                text =
                    arena_printf(a, "%s，目标人群为%s%lld人，开展活动%lld次，覆盖%lld人，覆盖率%s",
                                 text, tg ? tg : "", target,
                                 (long long)json_integer_value(json_object_get(p, "records")),
                                 reached, summary_pct(x, reached, target));
            size_t k;
            json_t *ind;
            json_array_foreach(json_object_get(p, "indicators"), k, ind)
            {
                const char *t = indicator_text(a, ind);
                if (t)
                    text = arena_printf(a, "%s；%s", text, t);
            }
            if (target > 0 && reached * 2 <= target)
                summary_problem(x,
                                arena_printf(a, "“%s”覆盖率仅%s，未达到目标人群的50%%。",
                                             json_string_value(json_object_get(p, "title")),
                                             summary_pct(x, reached, target)),
                                arena_printf(a, "扩大“%s”的覆盖面，使覆盖率超过50%%。",
                                             json_string_value(json_object_get(p, "title"))));
        }
        summary_para(x, arena_printf(a, "%s。", text));
        i = j;
    }
}

static const struct summary_part summary_parts[] = {
    {.chapter = "projects", .rank = 10, .write = summary_projects},
};

/* ---- demo ---- */

/* The projects the demo draws from. */
static const struct {
    const char *wg, *title, *domain, *tg, *figure, *measure, *op;
    int size;
    double target;
} rows[] = {
    {"road_traffic", "摩托车安全骑行促进项目", "road_traffic", "摩托车驾乘人员",
     "incidents.road_traffic", "change_pct", "le", 3000, -30},
    {"fire", "村级义务消防队建设项目", "fire", "村民", "incidents.fire", "change_pct", "le", 5000,
     -20},
    {"home", "老年人居家防跌倒项目", "household_electricity", "60岁以上老人", "injuries.elderly",
     "change_pct", "le", 1500, -10},
    {"school", "校园安全护学项目", "school", "在校学生", "injuries.student", "change_pct", "le",
     2000, -10},
    {"disaster", "地质灾害群测群防项目", "geological", "隐患点周边群众", "hazards.on_time_rate",
     "value", "ge", 800, 90},
    {"public_order", "平安村组创建项目", "crowded_place", "村民", "incidents.public_security",
     "change_pct", "le", 6000, -10},
};

static int project_demo(struct demo_ctx *d, char **err)
{
    /* The demo township's projects for 2025, one per working group. */
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char key[32];
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:f, s:i, s:s, s:s, s:s, s:f, s:f}", "region",
            DEMO_TOWNSHIP, "title", rows[i].title, "work_group", rows[i].wg, "domain",
            rows[i].domain, "year", 2025, "target_group", rows[i].tg, "target_size", rows[i].size,
            "measures", "宣传教育、排查整治、督导检查", "funds", 5.0 + (double)i, "staff",
            10 + (int)i, "start_on", "2025-03-01", "end_on", "2025-12-31", "status", "running",
            "awareness", 85.0 + (double)i, "satisfaction", 90.0 + (double)i);
        if (demo_add(d, "projects", o, key, sizeof key, err) != 0)
            return -1;
        long long pid = atoll(key);
        o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:f}", "region", DEMO_TOWNSHIP, "project_id",
                      (json_int_t)pid, "label", rows[i].title, "figure", rows[i].figure, "measure",
                      rows[i].measure, "op", rows[i].op, "target", rows[i].target);
        if (demo_add(d, "project_indicators", o, NULL, 0, err) != 0)
            return -1;
        int nrec = 3 + (int)demo_rnd(d, 4);
        for (int k = 0; k < nrec; k++) {
            char day[16];
            snprintf(day, sizeof day, "2025-%02d-15", 3 + k % 9);
            o = json_pack("{s:s, s:I, s:s, s:s, s:i, s:s}", "region", DEMO_TOWNSHIP, "project_id",
                          (json_int_t)pid, "held_on", day, "title", "入户宣传和专项检查", "reached",
                          rows[i].size / 12 + (int)demo_rnd(d, (unsigned)rows[i].size / 16),
                          "content", "工作组入村开展宣传、排查和劝导");
            if (demo_add(d, "project_records", o, NULL, 0, err) != 0)
                return -1;
        }
    }
    return 0;
}

/* `demo --scale`: per county 120 projects of 2025 (six a township), each
 * with its indicator and ten records. */
static int project_demo_scale(struct demo_ctx *d, char **err)
{
    long n = demo_scale_n(d, 120), nrec = demo_scale_n(d, 1200);
    int64_t *ids = xcalloc((size_t)n, sizeof *ids);
    int rc = demo_bulk_begin(d, "projects", n, err);
    for (long k = 0; rc == 0 && k < n; k++) {
        size_t i = (size_t)k % (sizeof rows / sizeof rows[0]);
        rc = demo_bulk_add(
            d,
            json_pack(
                "{s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:f, s:i, s:s, s:s, s:s, s:f, "
                "s:f}",
                "region", d->townships[k % d->ntownships], "title", rows[i].title, "work_group",
                rows[i].wg, "domain", rows[i].domain, "year", 2025, "target_group", rows[i].tg,
                "target_size", rows[i].size, "measures", "宣传教育、排查整治、督导检查", "funds",
                5.0 + (double)demo_rnd(d, 20), "staff", 10 + (int)demo_rnd(d, 20), "start_on",
                "2025-03-01", "end_on", "2025-12-31", "status", "running", "awareness",
                80.0 + (double)demo_rnd(d, 15), "satisfaction", 85.0 + (double)demo_rnd(d, 12)),
            &ids[k], err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "project_indicators", n, err);
    for (long k = 0; rc == 0 && k < n; k++) {
        size_t i = (size_t)k % (sizeof rows / sizeof rows[0]);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:f}", "region",
                                     d->townships[k % d->ntownships], "project_id",
                                     (json_int_t)ids[k], "label", rows[i].title, "figure",
                                     rows[i].figure, "measure", rows[i].measure, "op", rows[i].op,
                                     "target", rows[i].target),
                           NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "project_records", nrec, err);
    for (long r = 0; rc == 0 && r < nrec; r++) {
        long k = r % n;
        size_t i = (size_t)k % (sizeof rows / sizeof rows[0]);
        char day[16];
        snprintf(day, sizeof day, "2025-%02d-%02u", 3 + (int)(r / n) % 9, 1 + demo_rnd(d, 28));
        rc = demo_bulk_add(
            d,
            json_pack("{s:s, s:I, s:s, s:s, s:i, s:s}", "region", d->townships[k % d->ntownships],
                      "project_id", (json_int_t)ids[k], "held_on", day, "title",
                      "入户宣传和专项检查", "reached",
                      rows[i].size / 12 + (int)demo_rnd(d, (unsigned)rows[i].size / 16), "content",
                      "工作组入村开展宣传、排查和劝导"),
            NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    free(ids);
    return rc ? -1 : 0;
}

static const struct entity *const entities[] = {&projects, &project_indicators, &project_records};

const struct module promotion_module = {
    .name = "promotion",
    .label = "安全促进项目",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .routes = project_routes,
    .stats = stats_sections,
    .nstats = MODULE_N(stats_sections),
    .summary = summary_parts,
    .nsummary = MODULE_N(summary_parts),
    .demo = project_demo,
    .demo_scale = project_demo_scale,
};
