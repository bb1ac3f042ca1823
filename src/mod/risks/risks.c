/* risks: see risks.h. The entity, its derived score and level, the
 * four-colour map and the module. */
#include "risks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "auth.h"
#include "boundary.h"
#include "demo.h"
#include "dict.h"
#include "entity.h"
#include "http.h"
#include "region.h"

double risk_lec_d(double l, double e, double c)
{
    return round(l * e * c * 100.0) / 100.0;
}

const char *risk_band_level(json_t *bands, double score)
{
    size_t i;
    json_t *b;
    json_array_foreach(bands, i, b)
    {
        json_t *mn = json_object_get(b, "min"), *mx = json_object_get(b, "max");
        if (json_is_number(mn) && score < json_number_value(mn))
            continue;
        if (json_is_number(mx) && score >= json_number_value(mx))
            continue;
        return json_string_value(json_object_get(b, "risk_level"));
    }
    return NULL;
}

/* The extra objects of a dictionary's current items, in order (new
 * reference), or NULL on a database error. */
static json_t *dict_extras(db_conn *c, const char *dict)
{
    db_stmt *s =
        db_prepare(c, "SELECT i.extra, i.code FROM dicts d JOIN dict_items i ON i.dict = "
                      "d.name AND i.version = d.version WHERE d.name = $1 ORDER BY i.sort");
    if (!s)
        return NULL;
    db_bind_text(s, 1, dict);
    json_t *out = json_array();
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        json_t *x = db_col_text(s, 0) ? json_loads(db_col_text(s, 0), 0, NULL) : NULL;
        if (!json_is_object(x)) {
            json_decref(x);
            x = json_object();
        }
        json_object_set_new(x, "code", json_string(db_col_text(s, 1) ? db_col_text(s, 1) : ""));
        json_array_append_new(out, x);
    }
    db_done(s);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The factor of a code of dict (its extra.value), or NAN. */
static double factor_of(json_t *extras, const char *code)
{
    size_t i;
    json_t *x;
    json_array_foreach(extras, i, x)
    {
        if (code && strcmp(json_string_value(json_object_get(x, "code")), code) == 0)
            return json_is_number(json_object_get(x, "value"))
                       ? json_number_value(json_object_get(x, "value"))
                       : NAN;
    }
    return NAN;
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

/* Reads the factors of the method, derives the score and the level. */
static int risk_check_row(db_conn *c, json_t *obj, json_t *errors)
{
    const char *method = text_of(obj, "method");
    if (!method)
        return 0;
    int lec = strcmp(method, "lec") == 0;
    static const char *const lec_keys[] = {"lec_l", "lec_e", "lec_c"};
    static const char *const mx_keys[] = {"likelihood", "severity"};
    const char *const *keys = lec ? lec_keys : mx_keys;
    static const char *const mx_dicts[] = {"risk_likelihood", "risk_severity"};
    int n = lec ? 3 : 2;
    double score = 1;
    for (int i = 0; i < n; i++) {
        const char *v = text_of(obj, keys[i]);
        if (!v) {
            error_set(errors, keys[i],
                      lec ? "作业条件危险性评价法必须填写事故发生的可能性、暴露频繁程度和后果三项"
                          : "风险矩阵法必须填写可能性和严重性");
            return 0;
        }
        json_t *x = dict_extras(c, lec ? keys[i] : mx_dicts[i]);
        double f = factor_of(x, v);
        json_decref(x);
        if (isnan(f)) {
            error_set(errors, keys[i], "取值不在代码表中");
            return 0;
        }
        score *= f;
    }
    /* The other method's factors do not belong to this assessment. */
    for (int i = 0; i < (lec ? 2 : 3); i++)
        json_object_set_new(obj, lec ? mx_keys[i] : lec_keys[i], json_null());
    score = round(score * 100.0) / 100.0;
    json_t *bands_src = dict_extras(c, lec ? "lec_band" : "risk_matrix_band");
    const char *level = bands_src ? risk_band_level(bands_src, score) : NULL;
    json_object_set_new(obj, "lec_d", lec ? json_real(score) : json_null());
    json_object_set_new(obj, "score", json_real(score));
    if (level)
        json_object_set_new(obj, "level", json_string(level));
    else
        error_set(errors, "method", "风险分级表不完整，无法确定风险等级");
    json_decref(bands_src);
    const char *tags = text_of(obj, "tags");
    if (tags) {
        /* "high_risk_group,key_place": codes of risk_tag. */
        json_t *x = dict_extras(c, "risk_tag");
        char *dup = strdup(tags), *save = NULL;
        for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int ok = 0;
            size_t i;
            json_t *it;
            json_array_foreach(x, i, it)
            {
                ok |= strcmp(json_string_value(json_object_get(it, "code")), t) == 0;
            }
            if (!ok) {
                error_set(errors, "tags",
                          "标签必须是高危人群、高危环境、脆弱群体、重点问题、重点场所之一");
                break;
            }
        }
        free(dup);
        json_decref(x);
    }
    return 0;
}

/* The tags as their labels, "高危人群、重点场所" (field.shown). */
static void tags_shown(buf *out, const char *value, struct dict_cache *dc)
{
    const char *p = value;
    while (*p) {
        size_t n = strcspn(p, ",");
        char code[64];
        snprintf(code, sizeof code, "%.*s", (int)n, p);
        const char *l = dict_label(dc, "risk_tag", code);
        buf_printf(out, "%s%s", out->len ? "、" : "", l ? l : code);
        p += n;
        if (*p)
            p++;
    }
}

static const struct field risk_fields[] = {
    {.name = "title",
     .label = "风险名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "domain",
     .label = "风险领域",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "hazard_domain"},
    {.name = "place",
     .label = "场所或单位",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 200},
    {.name = "groups_affected",
     .label = "影响人群",
     .type = FT_TEXT,
     .flags = FF_SEARCH,
     .max_len = 200},
    {.name = "method",
     .label = "评价方法",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER,
     .dict = "risk_method"},
    {.name = "lec_l", .label = "事故发生的可能性", .type = FT_DICT, .dict = "lec_l"},
    {.name = "lec_e", .label = "暴露于危险环境的频繁程度", .type = FT_DICT, .dict = "lec_e"},
    {.name = "lec_c", .label = "发生事故产生的后果", .type = FT_DICT, .dict = "lec_c"},
    {.name = "lec_d",
     .label = "危险性分值",
     .type = FT_NUM,
     .flags = FF_READONLY | FF_SORT | FF_LIST},
    {.name = "likelihood", .label = "可能性", .type = FT_DICT, .dict = "risk_likelihood"},
    {.name = "severity", .label = "严重性", .type = FT_DICT, .dict = "risk_severity"},
    {.name = "score", .label = "风险分值", .type = FT_NUM, .flags = FF_READONLY | FF_SORT},
    {.name = "level",
     .label = "风险等级",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_SORT | FF_LIST,
     .dict = "risk_level"},
    {.name = "tags",
     .label = "风险标签（两高一脆弱、三重点）",
     .type = FT_TEXT,
     .flags = FF_FILTER,
     .max_len = 200,
     .shown = tags_shown},
    {.name = "controls",
     .label = "现有管控措施",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 2000},
    {.name = "hazard_ids",
     .label = "关联隐患编号",
     .type = FT_TEXT,
     .flags = FF_NOEXPORT | FF_NOIMPORT,
     .max_len = 200},
    {.name = "project_id",
     .label = "关联促进项目",
     .type = FT_INT,
     .flags = FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "projects",
     .shown_sql = "SELECT p.title FROM projects p WHERE p.id = t.project_id"},
    {.name = "assessed_on", .label = "评估日期", .type = FT_DATE, .flags = FF_SORT | FF_RANGE},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static const struct entity risks = {
    .name = "risks",
    .perm = "risk",
    .label = "风险",
    .fields = risk_fields,
    .nfields = MODULE_N(risk_fields),
    .default_sort = "-lec_d",
    .check = risk_check_row,
};

/* ---- the four-colour map ---- */

/* GET /api/v1/risks/map?region=: each child region of the region with its
 * highest risk level and the count per level, over the boundaries. */
static void h_risk_map(req *r)
{
    const char *region = boundary_map_region(r, "risk:read");
    if (!region)
        return;
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    region_subtree(region, lo, hi);
    enum region_level lv = region_level_of(region);
    /* The children's codes are prefixes of their rows' codes: a township's
     * 9 digits, a village's 12. */
    int plen = lv <= RL_CITY ? 6 : lv == RL_COUNTY ? 9 : 12;
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, "SELECT substr(region, 1, $3), level, count(*) FROM risks WHERE "
                               "deleted_at IS NULL AND region >= $1 AND region < $2 GROUP BY "
                               "substr(region, 1, $3), level ORDER BY 1");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, lo);
    db_bind_text(s, 2, hi);
    db_bind_int(s, 3, plen);
    static const char *const order[] = {"major", "larger", "general", "low"};
    static const char *const colors[] = {"red", "orange", "yellow", "blue"};
    json_t *byreg = json_object();
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *p = db_col_text(s, 0), *level = db_col_text(s, 1);
        char code[REGION_CODE_MAX];
        snprintf(code, sizeof code, "%s", p);
        size_t n = strlen(code);
        while (n < 12 && n + 1 < sizeof code)
            code[n++] = '0';
        code[n] = 0;
        json_t *o = json_object_get(byreg, code);
        if (!o) {
            o = json_pack("{s:s, s:{}}", "region", code, "counts");
            json_object_set_new(byreg, code, o);
        }
        json_object_set_new(json_object_get(o, "counts"), level, json_integer(db_col_int(s, 2)));
    }
    db_done(s);
    if (rc < 0) {
        json_decref(byreg);
        reply_db_error(r, rc);
        return;
    }
    json_t *items = json_array(), *o;
    const char *k;
    json_object_foreach(byreg, k, o)
    {
        for (int i = 0; i < 4; i++)
            if (json_object_get(json_object_get(o, "counts"), order[i])) {
                json_object_set_new(o, "level", json_string(order[i]));
                json_object_set_new(o, "color", json_string(colors[i]));
                break;
            }
        json_array_append(items, o);
    }
    json_decref(byreg);
    boundary_reply_geo(r, 200, json_pack("{s:s, s:o}", "region", region, "items", items));
}

static void risk_routes(void)
{
    http_route("GET", "/api/v1/risks/map", h_risk_map, 0, NULL);
}

/* ---- demo ---- */

/* The risks the demo draws from. */
static const struct {
    const char *title, *domain, *place, *groups, *l, *e, *c, *tags, *controls;
} rows[] = {
    {"国道穿镇路段摩托车违法载人", "road_traffic", "国道穿镇路段", "骑行摩托车的村民", "6", "6",
     "15", "high_risk_group,key_place", "交警定点查处，劝导站值守"},
    {"留守老人居家用火用电", "household_electricity", "偏远村组农户", "独居老人、留守儿童", "3",
     "6", "15", "vulnerable_group", "网格员入户检查线路"},
    {"地质灾害隐患点", "geological", "滑坡隐患点", "隐患点周边住户", "3", "3", "40",
     "high_risk_env,key_place", "群测群防员巡查，汛期转移"},
    {"中心小学上下学交通", "school", "中心小学门口", "在校学生", "3", "6", "7",
     "vulnerable_group,key_place", "护学岗"},
    {"山坪塘溺水", "drowning", "村组山坪塘", "儿童", "1", "3", "15", "key_problem",
     "设置警示牌和围栏"},
};

static int risk_demo(struct demo_ctx *d, char **err)
{
    for (int t = 0; t < d->nvillages && t < 60; t += 6) {
        const char *v = d->villages[t];
        int i = (int)demo_rnd(d, (unsigned)(sizeof rows / sizeof rows[0]));
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region", v,
                      "title", rows[i].title, "domain", rows[i].domain, "place", rows[i].place,
                      "groups_affected", rows[i].groups, "method", "lec", "lec_l", rows[i].l,
                      "lec_e", rows[i].e, "lec_c", rows[i].c, "tags", rows[i].tags, "controls",
                      rows[i].controls, "assessed_on", "2025-03-15");
        if (demo_add(d, "risks", o, NULL, 0, err) != 0)
            return -1;
    }
    return 0;
}

/* `demo --scale`: ten assessed risks per village, over 2024 and 2025. */
static int risk_demo_scale(struct demo_ctx *d, char **err)
{
    long n = demo_scale_n(d, 10L * DEMO_SCALE_VILLAGES);
    if (demo_bulk_begin(d, "risks", n, err))
        return -1;
    for (long k = 0; k < n; k++) {
        int i = (int)demo_rnd(d, (unsigned)(sizeof rows / sizeof rows[0]));
        char on[11];
        demo_date(d, 2024 + (int)demo_rnd(d, 2), on);
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region",
                      d->villages[k % d->nvillages], "title", rows[i].title, "domain",
                      rows[i].domain, "place", rows[i].place, "groups_affected", rows[i].groups,
                      "method", "lec", "lec_l", rows[i].l, "lec_e", rows[i].e, "lec_c", rows[i].c,
                      "tags", rows[i].tags, "controls", rows[i].controls, "assessed_on", on);
        if (demo_bulk_add(d, o, NULL, err))
            return -1;
    }
    return demo_bulk_end(d, err);
}

static const struct entity *const entities[] = {&risks};

/* The audit log reads a risk's tags as the risk_tag codes they are. */
static const struct audit_label audit_labels[] = {
    {AUDIT_KEY, "risks", "tags", "风险标签", "risk_tag"},
};

const struct module risks_module = {
    .name = "risks",
    .label = "风险辨识评估",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .routes = risk_routes,
    .demo = risk_demo,
    .demo_scale = risk_demo_scale,
    .audit_labels = audit_labels,
    .naudit_labels = MODULE_N(audit_labels),
};
