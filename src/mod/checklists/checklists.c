/* checklists: see checklists.h. The entities (checklists, their items,
 * evaluations), the installation of a shipped template, the reviewers'
 * scores, the combined result with its verdict and weakest items, the
 * evidence an item suggests, and the demo. The scoring arithmetic is in
 * checklist_score.c, the dossier in dossier.c. */
#include "checklists.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "demo.h"
#include "entity.h"
#include "http.h"
#include "region.h"
#include "stats.h"
#include "util.h"

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

static double num_or(json_t *obj, const char *k, double def)
{
    json_t *v = json_object_get(obj, k);
    return json_is_number(v) ? json_number_value(v) : def;
}

/* ---- entities ---- */

static int checklist_check_row(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    struct cl_config cfg;
    const char *msg;
    if (!json_is_boolean(json_object_get(obj, "veto_zero")))
        json_object_set_new(obj, "veto_zero", json_true());
    if (cl_config_parse(&cfg, text_of(obj, "parts"), text_of(obj, "grades"),
                        num_or(obj, "pass_min", 0), num_or(obj, "rectify_min", 0), 1, -1,
                        &msg) != 0) {
        const char *field = strstr(msg, "等级表") ? "grades"
                            : strstr(msg, "整改") ? "rectify_min"
                                                  : "parts";
        error_set(errors, field, msg);
    }
    return 0;
}

/* A number as people write it: 0.8, 1, 70. */
static void num_put(buf *out, double d)
{
    buf_printf(out, "%g", round(d * 100.0) / 100.0);
}

/* The parts as "有无（权重 0.8）、痕迹（权重 1）…" (field.shown). */
static void parts_shown(buf *out, const char *value, struct dict_cache *dc)
{
    (void)dc;
    json_t *arr = json_loads(value, 0, NULL);
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p)
    {
        const char *l = text_of(p, "label");
        buf_printf(out, "%s%s（权重 ", i ? "、" : "", l ? l : "未命名");
        num_put(out, num_or(p, "weight", 1));
        buf_puts(out, "）");
    }
    json_decref(arr);
}

/* The grades as "完全符合（得分 100%）、基本符合（得分 70%）…"
 * (field.shown): a label that repeats its code ("a（完全符合）") by what
 * it says. */
static void grades_shown(buf *out, const char *value, struct dict_cache *dc)
{
    (void)dc;
    json_t *arr = json_loads(value, 0, NULL);
    size_t i;
    json_t *g;
    json_array_foreach(arr, i, g)
    {
        const char *l = text_of(g, "label"), *code = text_of(g, "code");
        size_t n = l ? strlen(l) : 0, cn = code ? strlen(code) : 0;
        static const char open[] = "（", close[] = "）";
        if (l && code && n > cn + 6 && strncmp(l, code, cn) == 0 && strncmp(l + cn, open, 3) == 0 &&
            strcmp(l + n - 3, close) == 0)
            buf_printf(out, "%s%.*s", i ? "、" : "", (int)(n - cn - 6), l + cn + 3);
        else
            buf_printf(out, "%s%s", i ? "、" : "", l ? l : "未命名");
        buf_puts(out, "（得分 ");
        num_put(out, num_or(g, "share", 0) * 100.0);
        buf_puts(out, "%）");
    }
    json_decref(arr);
}

/* The kinds of records an item files, by their names: "宣传培训活动、…"
 * (field.shown). */
static void entities_shown(buf *out, const char *value, struct dict_cache *dc)
{
    (void)dc;
    const char *p = value;
    while (*p) {
        size_t n = strcspn(p, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        const struct entity *e = entity_find(name);
        buf_printf(out, "%s%s", out->len ? "、" : "", e ? e->label : name);
        p += n;
        if (*p)
            p++;
    }
}

static const struct field checklist_fields[] = {
    {.name = "name",
     .label = "评分表名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_LIST,
     .max_len = 100},
    {.name = "campaign",
     .label = "创建活动",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "campaign"},
    {.name = "parts",
     .label = "评分部分",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_MULTILINE,
     .max_len = 2000,
     .shown = parts_shown},
    {.name = "grades",
     .label = "等级表",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_MULTILINE,
     .max_len = 2000,
     .shown = grades_shown},
    {.name = "pass_min",
     .label = "通过分数线",
     .type = FT_NUM,
     .flags = FF_REQUIRED | FF_LIST,
     .min = 0,
     .max = 10000},
    {.name = "rectify_min",
     .label = "限期整改分数线",
     .type = FT_NUM,
     .flags = FF_REQUIRED | FF_LIST,
     .min = 0,
     .max = 10000},
    {.name = "rectify_days", .label = "整改期限（天）", .type = FT_INT, .min = 0, .max = 3650},
    {.name = "veto_zero", .label = "任一项得 0 分否决", .type = FT_BOOL},
    {.name = "veto_satisfaction",
     .label = "满意度否决线（%）",
     .type = FT_NUM,
     .min = 0,
     .max = 100},
    {.name = "total", .label = "总分", .type = FT_NUM, .flags = FF_READONLY | FF_LIST},
};

static const struct entity checklists = {
    .name = "checklists",
    .perm = "score_checklist",
    .label = "评分表",
    .fields = checklist_fields,
    .nfields = MODULE_N(checklist_fields),
    .default_sort = "id",
    .check = checklist_check_row,
};

static const struct field item_fields[] = {
    {.name = "checklist_id",
     .label = "评分表",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "checklists",
     .shown_sql = "SELECT c.name FROM checklists c WHERE c.id = t.checklist_id"},
    {.name = "parent_id",
     .label = "上级指标",
     .type = FT_INT,
     .flags = FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "checklist_items",
     .shown_sql =
         "SELECT p.code || ' ' || p.title FROM checklist_items p WHERE p.id = t.parent_id"},
    {.name = "code",
     .label = "条目编号",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_LIST | FF_SORT,
     .max_len = 20},
    {.name = "title",
     .label = "指标内容",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_LIST,
     .max_len = 200},
    {.name = "points",
     .label = "分值",
     .type = FT_NUM,
     .flags = FF_REQUIRED | FF_LIST | FF_SUM,
     .min = 0,
     .max = 1000},
    {.name = "sort", .label = "顺序", .type = FT_INT, .flags = FF_SORT, .min = 0, .max = 100000},
    {.name = "hint", .label = "佐证数据", .type = FT_TEXT, .max_len = 80},
    {.name = "entities",
     .label = "档案记录类型",
     .type = FT_TEXT,
     .max_len = 200,
     .shown = entities_shown},
};

static const struct entity checklist_items = {
    .name = "checklist_items",
    .perm = "checklist_item",
    .label = "评分指标",
    .fields = item_fields,
    .nfields = MODULE_N(item_fields),
    .default_sort = "sort",
};

static int evaluation_check_row(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    (void)errors;
    if (!text_of(obj, "combine"))
        json_object_set_new(obj, "combine", json_string("mean"));
    return 0;
}

static const struct field evaluation_fields[] = {
    {.name = "checklist_id",
     .label = "评分表",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "checklists",
     .shown_sql = "SELECT x.name FROM checklists x WHERE x.id = t.checklist_id"},
    {.name = "year",
     .label = "年度",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST,
     .min = 2000,
     .max = 2100},
    {.name = "kind",
     .label = "评定类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "evaluation_kind"},
    {.name = "combine",
     .label = "合成方式",
     .type = FT_DICT,
     .flags = FF_FILTER,
     .dict = "evaluation_combine"},
    {.name = "satisfaction",
     .label = "群众满意度（%）",
     .type = FT_NUM,
     .flags = FF_LIST,
     .min = 0,
     .max = 100},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 1000},
};

/* Not scored yet by anyone (?unscored=true): the reviewers' to-do. */
static const struct derived evaluation_derived[] = {
    {.f =
         {.name = "unscored", .label = "未评分", .type = FT_BOOL, .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN EXISTS (SELECT 1 FROM evaluation_scores s WHERE s.evaluation_id = t.id) "
             "THEN 0 ELSE 1 END",
     .if_true = "NOT EXISTS (SELECT 1 FROM evaluation_scores s WHERE s.evaluation_id = t.id)",
     .if_false = "EXISTS (SELECT 1 FROM evaluation_scores s WHERE s.evaluation_id = t.id)"},
};

static const struct entity evaluations = {
    .name = "evaluations",
    .perm = "evaluation",
    .label = "评定",
    .fields = evaluation_fields,
    .nfields = MODULE_N(evaluation_fields),
    .default_sort = "-year",
    .check = evaluation_check_row,
    .derived = evaluation_derived,
    .nderived = MODULE_N(evaluation_derived),
};

/* ---- installing a template ---- */

/* Creates the checklist of template t in region with its items through
 * entity_create (validation, scope, audit); *key_out its id. */
static int install_template(db_conn *c, arena *a, const struct audit_actor *who,
                            const struct cl_template *t, const char *region, json_t *errors,
                            const char **key_out)
{
    double total = 0;
    for (int i = 0; i < t->nitems; i++)
        total += t->items[i].points;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:b}", "region", region, "name",
                          t->name, "campaign", t->campaign, "parts", t->parts, "grades", t->grades,
                          "pass_min", t->pass_min, "rectify_min", t->rectify_min, "rectify_days",
                          t->rectify_days, "veto_zero", t->veto_zero);
    if (t->veto_satisfaction >= 0)
        json_object_set_new(o, "veto_satisfaction", json_real(t->veto_satisfaction));
    int st = entity_create(c, a, who, entity_find("checklists"), o, errors, key_out);
    json_decref(o);
    if (st != DB_OK || json_object_size(errors))
        return st != DB_OK ? st : DB_ERR_CONSTRAINT;
    const char *cid = *key_out;
    const char *parent = NULL;
    for (int i = 0; i < t->nitems; i++) {
        const struct cl_template_item *it = &t->items[i];
        int first = strchr(it->code, '.') == NULL;
        double pts = it->points;
        if (first) {
            pts = 0;
            for (int k = i + 1; k < t->nitems && strchr(t->items[k].code, '.'); k++)
                pts += t->items[k].points;
        }
        o = json_pack("{s:s, s:I, s:s, s:s, s:f, s:i, s:s?, s:s?}", "region", region,
                      "checklist_id", (json_int_t)atoll(cid), "code", it->code, "title", it->title,
                      "points", pts, "sort", i + 1, "hint", it->hint, "entities", it->records);
        if (!first && parent)
            json_object_set_new(o, "parent_id", json_integer(atoll(parent)));
        const char *k = NULL;
        st = entity_create(c, a, who, entity_find("checklist_items"), o, errors, &k);
        json_decref(o);
        if (st != DB_OK || json_object_size(errors))
            return st != DB_OK ? st : DB_ERR_CONSTRAINT;
        if (first)
            parent = k;
    }
    db_stmt *s = db_prepare(c, "UPDATE checklists SET total = $1 WHERE id = $2");
    if (!s)
        return db_last_status(c);
    db_bind_double(s, 1, total);
    db_bind_int(s, 2, atoll(cid));
    st = db_step(s);
    db_done(s);
    return st == DB_DONE ? DB_OK : st;
}

/* POST /api/v1/checklists/install {"template","region"} */
static void h_install(req *r)
{
    json_t *in = req_json_only(r, REQ_KEYS("template", "region"));
    if (!in)
        return;
    const struct cl_template *t = cl_template_find(text_of(in, "template"));
    const char *region = text_of(in, "region") ? text_of(in, "region") : r->user->region;
    if (!t) {
        reply_field_error(r, "template", "必须是 national、municipal 或 drug_free 之一");
        return;
    }
    if (authz_require(r, "score_checklist:write", region) != 0)
        return;
    db_conn *c = req_begin(r);
    if (!c)
        return;
    struct audit_actor who = {r->user, r->client_ip};
    json_t *errors = json_object();
    const char *key = NULL;
    int st = install_template(c, r->a, &who, t, region, errors, &key);
    if (json_object_size(errors)) {
        db_rollback(c);
        reply_error(r, 422, "validation_failed", "评分表无法安装", errors);
        return;
    }
    json_decref(errors);
    if (req_commit(r, c, st) != 0)
        return;
    int st2;
    json_t *row = entity_get(req_db(r), r->a, entity_find("checklists"), key, &st2);
    if (!row) {
        reply_db_error(r, st2 < 0 ? st2 : DB_ERR);
        return;
    }
    reply_json(r, 201, row);
}

/* ---- an evaluation ---- */

struct eval {
    json_t *row; /* the evaluation */
    json_t *checklist;
    struct cl_config cfg;
    json_t *parts, *grades; /* the checklist's, parsed */
    json_t *items;          /* leaves: [{id, code, title, points, hint, first_code, first_title}] */
};

static void eval_free(struct eval *e)
{
    json_decref(e->row);
    json_decref(e->checklist);
    json_decref(e->parts);
    json_decref(e->grades);
    json_decref(e->items);
}

/* Loads the evaluation id as r's user may read it (perm); on refusal the
 * reply is queued and -1 returned. */
static int eval_load(req *r, const char *perm, struct eval *e)
{
    memset(e, 0, sizeof *e);
    db_conn *c = req_db(r);
    int st;
    e->row = entity_get(c, r->a, entity_find("evaluations"), req_param(r, "id"), &st);
    if (!e->row) {
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "评定不存在", NULL);
        return -1;
    }
    if (authz_require(r, perm, text_of(e->row, "region")) != 0) {
        eval_free(e);
        return -1;
    }
    char cid[24];
    snprintf(cid, sizeof cid, "%lld",
             (long long)json_integer_value(json_object_get(e->row, "checklist_id")));
    e->checklist = entity_get(c, r->a, entity_find("checklists"), cid, &st);
    const char *msg;
    if (!e->checklist ||
        cl_config_parse(&e->cfg, text_of(e->checklist, "parts"), text_of(e->checklist, "grades"),
                        num_or(e->checklist, "pass_min", 0), num_or(e->checklist, "rectify_min", 0),
                        json_is_true(json_object_get(e->checklist, "veto_zero")),
                        num_or(e->checklist, "veto_satisfaction", -1), &msg) != 0) {
        eval_free(e);
        reply_error(r, 409, "conflict", "评定所用的评分表不存在或配置有误", NULL);
        return -1;
    }
    e->parts = json_loads(text_of(e->checklist, "parts"), 0, NULL);
    e->grades = json_loads(text_of(e->checklist, "grades"), 0, NULL);
    /* The items in order; a leaf is an item no live item names as parent. */
    db_stmt *s = db_prepare(
        c, "SELECT i.id, i.code, i.title, i.points, i.hint, p.code, p.title, (SELECT count(*) "
           "FROM checklist_items k WHERE k.parent_id = i.id AND k.deleted_at IS NULL) FROM "
           "checklist_items i LEFT JOIN checklist_items p ON p.id = i.parent_id WHERE "
           "i.checklist_id = $1 AND i.deleted_at IS NULL ORDER BY i.sort, i.id");
    if (!s) {
        eval_free(e);
        reply_db_error(r, db_last_status(c));
        return -1;
    }
    db_bind_int(s, 1, atoll(cid));
    e->items = json_array();
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (db_col_int(s, 7) > 0)
            continue;
        json_array_append_new(e->items,
                              json_pack("{s:I, s:s, s:s, s:f, s:s?, s:s?, s:s?}", "id",
                                        (json_int_t)db_col_int(s, 0), "code", db_col_text(s, 1),
                                        "title", db_col_text(s, 2), "points", db_col_double(s, 3),
                                        "hint", db_col_text(s, 4), "first_code", db_col_text(s, 5),
                                        "first_title", db_col_text(s, 6)));
    }
    db_done(s);
    if (rc < 0) {
        eval_free(e);
        reply_db_error(r, rc);
        return -1;
    }
    return 0;
}

/* The evidence the data gives for a hint, as a sentence, or NULL. */
static const char *hint_text(req *r, json_t *cache, const char *region, int year, const char *hint)
{
    if (!hint || !*hint)
        return NULL;
    char sec[48], rest[64];
    const char *dot = strchr(hint, '.');
    if (!dot || dot - hint >= (long)sizeof sec)
        return NULL;
    snprintf(sec, sizeof sec, "%.*s", (int)(dot - hint), hint);
    snprintf(rest, sizeof rest, "%s", dot + 1);
    json_t *ans = json_object_get(cache, sec);
    if (!ans) {
        char today[11];
        util_today(today);
        json_t *out = NULL;
        if (!stats_sections_valid(sec) ||
            stats_compute_only(req_db(r), r->user, region, year, today, sec, &out) != DB_OK)
            return NULL;
        ans = json_object_get(out, sec);
        json_object_set(cache, sec, ans ? ans : json_null());
        json_decref(out);
        ans = json_object_get(cache, sec);
    }
    if (!json_is_object(ans))
        return NULL;
    if (strcmp(sec, "projects") == 0 && strcmp(rest, "coverage") == 0) {
        long long reached = 0, target = 0;
        double low = 2;
        const char *lowt = NULL;
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(ans, "items"), i, p)
        {
            long long t = json_integer_value(json_object_get(p, "target_size"));
            long long n = json_integer_value(json_object_get(p, "reached"));
            reached += n;
            target += t;
            if (t > 0 && (double)n / (double)t < low) {
                low = (double)n / (double)t;
                lowt = json_string_value(json_object_get(p, "title"));
            }
        }
        if (!target)
            return "没有填写目标人群的促进项目";
        return arena_printf(r->a, "项目覆盖率 %s（最低：“%s” %s）",
                            stats_pct(r->a, reached, target), lowt ? lowt : "",
                            stats_pct(r->a, (long long)(low * 1000), 1000));
    }
    const char *bd = strchr(rest, '.');
    if (bd) {
        char key[48];
        snprintf(key, sizeof key, "%.*s", (int)(bd - rest), rest);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(ans, key), i, it)
        {
            if (strcmp(json_string_value(json_object_get(it, "code")) ?: "", bd + 1) == 0)
                return arena_printf(r->a, "%s %lld 次",
                                    json_string_value(json_object_get(it, "label")),
                                    (long long)json_integer_value(json_object_get(it, "count")));
        }
        return NULL;
    }
    const struct stats_figure *f = stats_figure_find(sec, rest);
    json_t *v = json_object_get(ans, rest);
    if (!f || !json_is_number(v))
        return NULL;
    if (f->kind == STATS_RATE)
        return arena_printf(
            r->a, "%s %s", f->label,
            stats_pct(r->a, (long long)llround(json_number_value(v) * 10000), 10000));
    return arena_printf(r->a, "%s %g %s", f->label, json_number_value(v), f->unit ? f->unit : "");
}

/* GET /api/v1/evaluations/{id}/items: the leaves with their evidence hints
 * and the caller's own scores: the reviewers' screen. */
static void h_items(req *r)
{
    struct eval e;
    if (eval_load(r, "evaluation:read", &e) != 0)
        return;
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, "SELECT item_id, grades, comment, evidence, updated_at FROM "
                               "evaluation_scores WHERE evaluation_id = $1 AND reviewer = $2");
    if (!s) {
        eval_free(&e);
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_int(s, 1, json_integer_value(json_object_get(e.row, "id")));
    db_bind_text(s, 2, r->user->username);
    json_t *mine = json_object();
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)db_col_int(s, 0));
        json_t *g = json_loads(db_col_text(s, 1), 0, NULL);
        json_t *ev = db_col_text(s, 3) ? json_loads(db_col_text(s, 3), 0, NULL) : NULL;
        json_object_set_new(mine, k,
                            json_pack("{s:o, s:s?, s:o, s:s}", "grades", g ? g : json_object(),
                                      "comment", db_col_text(s, 2), "evidence",
                                      ev ? ev : json_array(), "updated_at", db_col_text(s, 4)));
    }
    db_done(s);
    if (rc < 0) {
        json_decref(mine);
        eval_free(&e);
        reply_db_error(r, rc);
        return;
    }
    json_t *cache = json_object();
    const char *region = text_of(e.row, "region");
    int year = (int)json_integer_value(json_object_get(e.row, "year"));
    size_t i;
    json_t *it;
    json_array_foreach(e.items, i, it)
    {
        const char *h = hint_text(r, cache, region, year, text_of(it, "hint"));
        json_object_set_new(it, "suggestion", h ? json_string(h) : json_null());
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)json_integer_value(json_object_get(it, "id")));
        json_t *m = json_object_get(mine, k);
        json_object_set(it, "mine", m ? m : json_null());
    }
    json_decref(cache);
    json_decref(mine);
    json_t *out = json_pack("{s:O, s:{s:O, s:O, s:O}, s:O}", "evaluation", e.row, "checklist",
                            "name", json_object_get(e.checklist, "name"), "parts", e.parts,
                            "grades", e.grades, "items", e.items);
    eval_free(&e);
    reply_json(r, 200, out);
}

/* PUT /api/v1/evaluations/{id}/scores/{item}: the caller's grades of one
 * item ({"grades":{part:grade}, "comment", "evidence":[links]}), replacing
 * the caller's earlier ones: sending it twice is harmless (the offline
 * queue may). */
static void h_score(req *r)
{
    struct eval e;
    if (eval_load(r, "evaluation:score", &e) != 0)
        return;
    json_t *in = req_json_only(r, REQ_KEYS("grades", "comment", "evidence"));
    if (!in) {
        eval_free(&e);
        return;
    }
    long long item = atoll(req_param(r, "item"));
    int found = 0;
    size_t i;
    json_t *it;
    json_array_foreach(e.items, i, it)
    {
        found |= json_integer_value(json_object_get(it, "id")) == item;
    }
    json_t *grades = json_object_get(in, "grades"), *evidence = json_object_get(in, "evidence");
    const char *comment = text_of(in, "comment");
    const char *bad = NULL, *badmsg = NULL;
    if (!found) {
        eval_free(&e);
        reply_error(r, 404, "not_found", "评分项不存在", NULL);
        return;
    }
    if (!json_is_object(grades)) {
        bad = "grades";
        badmsg = "必须是各评分部分的等级";
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(grades, k, v)
        {
            int kp = 0, kg = 0;
            for (int p = 0; p < e.cfg.nparts; p++)
                kp |= strcmp(e.cfg.part_key[p], k) == 0;
            for (int g = 0; g < e.cfg.ngrades; g++)
                kg |= json_is_string(v) && strcmp(e.cfg.grade_code[g], json_string_value(v)) == 0;
            if (!kp || !kg) {
                bad = "grades";
                badmsg = !kp ? "含有评分表中没有的评分部分" : "等级必须是评分表等级表中的一个";
                break;
            }
        }
    }
    if (!bad && evidence && !json_is_null(evidence)) {
        if (!json_is_array(evidence) || json_array_size(evidence) > 20) {
            bad = "evidence";
            badmsg = "必须是最多 20 个佐证链接的列表";
        }
        json_array_foreach(evidence, i, it)
        {
            if (!json_is_string(it) || strlen(json_string_value(it)) > 500) {
                bad = "evidence";
                badmsg = "每个佐证链接必须是不超过 500 字的文本";
            }
        }
    }
    if (!bad && comment && strlen(comment) > 3000) {
        bad = "comment";
        badmsg = "评语不能超过 1000 字";
    }
    if (bad) {
        eval_free(&e);
        reply_field_error(r, bad, badmsg);
        return;
    }
    char *gs = json_dumps(grades, JSON_COMPACT | JSON_SORT_KEYS);
    char *es = evidence && json_is_array(evidence) ? json_dumps(evidence, JSON_COMPACT) : NULL;
    char now[32];
    util_now_iso(now);
    long long eid = json_integer_value(json_object_get(e.row, "id"));
    const char *region = arena_strdup(r->a, text_of(e.row, "region"));
    eval_free(&e);
    db_conn *c = req_begin(r);
    if (!c) {
        free(gs);
        free(es);
        return;
    }
    db_stmt *s = db_prepare(
        c, "INSERT INTO evaluation_scores (evaluation_id, item_id, reviewer, grades, comment, "
           "evidence, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (evaluation_id, "
           "item_id, reviewer) DO UPDATE SET grades = excluded.grades, comment = excluded.comment, "
           "evidence = excluded.evidence, updated_at = excluded.updated_at");
    int st = s ? DB_OK : db_last_status(c);
    if (s) {
        db_bind_int(s, 1, eid);
        db_bind_int(s, 2, item);
        db_bind_text(s, 3, r->user->username);
        db_bind_text(s, 4, gs);
        db_bind_text(s, 5, comment);
        db_bind_text(s, 6, es);
        db_bind_text(s, 7, now);
        st = db_step(s);
        db_done(s);
        st = st == DB_DONE ? DB_OK : st;
    }
    if (st == DB_OK) {
        struct audit_actor who = {r->user, r->client_ip};
        json_t *ch = json_pack("{s:I, s:O, s:s?}", "item_id", (json_int_t)item, "grades", grades,
                               "comment", comment);
        char id[24];
        snprintf(id, sizeof id, "%lld", eid);
        st = audit_write(c, &who, "score", "evaluations", id, region, ch, NULL);
        json_decref(ch);
    }
    free(gs);
    free(es);
    if (req_commit(r, c, st) != 0)
        return;
    reply_json(r, 200,
               json_pack("{s:I, s:I, s:s}", "evaluation_id", (json_int_t)eid, "item_id",
                         (json_int_t)item, "saved_at", now));
}

/* GET /api/v1/evaluations/{id}/result */
static void h_result(req *r)
{
    struct eval e;
    if (eval_load(r, "evaluation:read", &e) != 0)
        return;
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, "SELECT item_id, reviewer, grades, comment FROM evaluation_scores "
                               "WHERE evaluation_id = $1 ORDER BY reviewer, item_id");
    if (!s) {
        eval_free(&e);
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_int(s, 1, json_integer_value(json_object_get(e.row, "id")));
    json_t *by = json_object(), *reviewers = json_object();
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)db_col_int(s, 0));
        json_t *l = json_object_get(by, k);
        if (!l)
            json_object_set_new(by, k, l = json_array());
        json_t *g = json_loads(db_col_text(s, 2), 0, NULL);
        json_array_append_new(l,
                              json_pack("{s:s, s:o, s:s?}", "reviewer", db_col_text(s, 1), "grades",
                                        g ? g : json_object(), "comment", db_col_text(s, 3)));
        json_object_set_new(reviewers, db_col_text(s, 1), json_true());
    }
    db_done(s);
    if (rc < 0) {
        json_decref(by);
        json_decref(reviewers);
        eval_free(&e);
        reply_db_error(r, rc);
        return;
    }
    const char *combine = text_of(e.row, "combine") ? text_of(e.row, "combine") : "mean";
    size_t n = json_array_size(e.items), i;
    double *scores = calloc(n ? n : 1, sizeof *scores);
    json_t *items = json_array(), *it;
    int complete = 1;
    json_array_foreach(e.items, i, it)
    {
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)json_integer_value(json_object_get(it, "id")));
        json_t *l = json_object_get(by, k);
        double pts = num_or(it, "points", 0), comb = 0;
        size_t j;
        json_t *sc;
        json_t *per = json_array();
        json_array_foreach(l, j, sc)
        {
            const char *g[CL_MAX_PARTS];
            for (int p = 0; p < e.cfg.nparts; p++)
                g[p] = json_string_value(
                    json_object_get(json_object_get(sc, "grades"), e.cfg.part_key[p]));
            double v = cl_item_score(&e.cfg, pts, g);
            json_array_append_new(per, json_pack("{s:O, s:f, s:O}", "reviewer",
                                                 json_object_get(sc, "reviewer"), "score", v,
                                                 "comment", json_object_get(sc, "comment")));
            if (j == 0)
                comb = v;
            else if (strcmp(combine, "min") == 0)
                comb = fmin(comb, v);
            else if (strcmp(combine, "max") == 0)
                comb = fmax(comb, v);
            else
                comb += v;
        }
        size_t nr = json_array_size(l);
        if (nr && strcmp(combine, "min") != 0 && strcmp(combine, "max") != 0)
            comb /= (double)nr;
        comb = round(comb * 100.0) / 100.0;
        complete &= nr > 0;
        scores[i] = comb;
        json_array_append_new(
            items, json_pack("{s:O, s:O, s:O, s:O, s:f, s:f, s:f, s:i, s:o}", "id",
                             json_object_get(it, "id"), "code", json_object_get(it, "code"),
                             "title", json_object_get(it, "title"), "first_title",
                             json_object_get(it, "first_title"), "points", pts, "score", comb,
                             "share", pts > 0 ? round(comb / pts * 10000) / 10000 : 1.0,
                             "reviewers", (int)nr, "by_reviewer", per));
    }
    double total;
    const char *why;
    enum cl_verdict v =
        cl_verdict(&e.cfg, scores, (int)n, num_or(e.row, "satisfaction", -1), &total, &why);
    free(scores);
    /* The weakest: the lowest shares of their points, five at most. */
    json_t *weak = json_array();
    for (int w = 0; w < 5; w++) {
        json_t *best = NULL;
        json_array_foreach(items, i, it)
        {
            double sh = num_or(it, "share", 1);
            if (sh >= 1 || json_object_get(it, "_weak"))
                continue;
            if (!best || sh < num_or(best, "share", 1))
                best = it;
        }
        if (!best)
            break;
        json_object_set_new(best, "_weak", json_true());
        json_array_append_new(
            weak, json_pack("{s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(best, "id"), "code",
                            json_object_get(best, "code"), "title", json_object_get(best, "title"),
                            "score", json_object_get(best, "score"), "points",
                            json_object_get(best, "points")));
    }
    json_array_foreach(items, i, it)
    {
        json_object_del(it, "_weak");
    }
    double max_total = 0;
    json_array_foreach(e.items, i, it)
    {
        max_total += num_or(it, "points", 0);
    }
    json_t *rv = json_array();
    const char *rk;
    json_t *rvv;
    json_object_foreach(reviewers, rk, rvv)
    {
        json_array_append_new(rv, json_string(rk));
    }
    json_t *out = json_pack(
        "{s:O, s:s, s:f, s:f, s:s, s:s, s:s?, s:b, s:o, s:o, s:o, s:f, s:f, s:O}", "evaluation_id",
        json_object_get(e.row, "id"), "combine", combine, "total", total, "max_total",
        round(max_total * 100) / 100, "verdict", cl_verdict_code(v), "verdict_label",
        cl_verdict_label(v), "veto", why, "complete", complete, "reviewers", rv, "items", items,
        "weakest", weak, "pass_min", e.cfg.pass_min, "rectify_min", e.cfg.rectify_min,
        "rectify_days", json_object_get(e.checklist, "rectify_days"));
    json_decref(by);
    json_decref(reviewers);
    eval_free(&e);
    reply_json(r, 200, out);
}

/* GET /api/v1/reports/dossier?region=&year=&campaign=: the evaluation
 * dossier as a ZIP, written to a temporary file on the long pool and sent
 * from it (never whole in memory). */
static void h_dossier(req *r)
{
    const char *region = req_query(r, "region") ? req_query(r, "region") : r->user->region;
    const char *ys = req_query(r, "year"), *campaign = req_query(r, "campaign");
    if (region_level_of(region) == RL_INVALID) {
        reply_field_error(r, "region", "必须是有效的区域代码");
        return;
    }
    int year = ys ? stats_year_parse(ys) : -1;
    if (year < 0) {
        reply_field_error(r, "year", "必须是 1949 到 2100 之间的年份");
        return;
    }
    if (campaign && strcmp(campaign, "safe") != 0 && strcmp(campaign, "drug_free") != 0 &&
        strcmp(campaign, "rule_of_law") != 0 && strcmp(campaign, "civilized") != 0) {
        reply_field_error(r, "campaign", "必须是 safe、drug_free、rule_of_law 或 civilized");
        return;
    }
    if (authz_require(r, "report:read", region) != 0)
        return;
    char *path = http_temp_path(r->a, ".zip");
    if (!path) {
        reply_error(r, 500, "internal", "无法创建临时文件", NULL);
        return;
    }
    struct audit_actor who = {r->user, r->client_ip};
    char *err = NULL;
    if (dossier_write(req_db(r), &who, region, year, campaign ? campaign : "safe", path, &err) !=
        0) {
        unlink(path);
        reply_error(r, 500, "internal", err ? err : "生成评审档案失败", NULL);
        free(err);
        return;
    }
    /* Named for people ("评审档案-九龙镇-2025年.zip"), the code as the ASCII
     * fallback. */
    const char *rname = region;
    db_stmt *s = db_prepare(req_db(r), "SELECT name FROM regions WHERE code = $1");
    if (s) {
        db_bind_text(s, 1, region);
        if (db_step(s) == DB_ROW && db_col_text(s, 0))
            rname = arena_strdup(r->a, db_col_text(s, 0));
        db_done(s);
    }
    reply_temp_file_named(r, path, "application/zip",
                          arena_printf(r->a, "dossier-%s-%d.zip", region, year),
                          arena_printf(r->a, "评审档案-%s-%d年.zip", rname, year));
}

static void checklist_routes(void)
{
    http_route("GET", "/api/v1/reports/dossier", h_dossier, ROUTE_LONG, NULL);
    http_route("POST", "/api/v1/checklists/install", h_install, 0, NULL);
    http_route("GET", "/api/v1/evaluations/{id}/items", h_items, 0, NULL);
    http_route("GET", "/api/v1/evaluations/{id}/result", h_result, 0, NULL);
    http_route("PUT", "/api/v1/evaluations/{id}/scores/{item}", h_score, 0, NULL);
}

/* ---- demo ---- */

static int checklist_demo(struct demo_ctx *d, char **err)
{
    json_t *errors = json_object();
    arena *a = arena_new();
    const char *key = NULL;
    int st =
        install_template(d->c, a, d->who, cl_template_find("national"), DEMO_COUNTY, errors, &key);
    int rc = 0;
    if (st != DB_OK || json_object_size(errors)) {
        char *e = json_dumps(errors, JSON_COMPACT);
        *err = xasprintf("演示评分表写入失败：%s", e ? e : "");
        free(e);
        rc = -1;
    }
    json_decref(errors);
    if (rc == 0) {
        json_t *o = json_pack("{s:s, s:I, s:i, s:s, s:s, s:f}", "region", DEMO_TOWNSHIP,
                              "checklist_id", (json_int_t)atoll(key), "year", 2025, "kind",
                              "expert", "combine", "mean", "satisfaction", 92.5);
        rc = demo_add(d, "evaluations", o, NULL, 0, err);
    }
    if (rc == 0) {
        /* The township's self-evaluation of the year before, not scored
         * yet: the reviewers' 待评分 keeps an item once the browser test has
         * scored the first. */
        json_t *o =
            json_pack("{s:s, s:I, s:i, s:s, s:s}", "region", DEMO_TOWNSHIP, "checklist_id",
                      (json_int_t)atoll(key), "year", 2024, "kind", "self", "combine", "mean");
        rc = demo_add(d, "evaluations", o, NULL, 0, err);
    }
    if (rc == 0)
        rc = demo_add_user(d, "reviewer", "评审专家", "reviewer", DEMO_COUNTY, err);
    arena_free(a);
    return rc;
}

/* `demo --scale`: each township's self-evaluations of 2024 and 2025 (40 per
 * county) on the demo's checklist, not scored yet. */
static int checklist_demo_scale(struct demo_ctx *d, char **err)
{
    int64_t cl = db_query_int(d->c,
                              "SELECT id FROM checklists WHERE deleted_at IS NULL ORDER BY id "
                              "LIMIT 1",
                              NULL, 0);
    if (cl < 1) {
        *err = xstrdup("演示评分表不存在");
        return -1;
    }
    long n = demo_scale_n(d, 40);
    if (demo_bulk_begin(d, "evaluations", n, err))
        return -1;
    for (long i = 0; i < n; i++)
        if (demo_bulk_add(d,
                          json_pack("{s:s, s:I, s:i, s:s, s:s}", "region",
                                    d->townships[(i / 2) % d->ntownships], "checklist_id",
                                    (json_int_t)cl, "year", 2024 + (int)(i % 2), "kind", "self",
                                    "combine", "mean"),
                          NULL, err))
            return -1;
    return demo_bulk_end(d, err);
}

static const struct entity *const entities[] = {&checklists, &checklist_items, &evaluations};

static const struct module_perm perms[] = {
    {.perm = "evaluation:score", .label = "评定：评分（评审专家、自评）"},
};

static int dossier_report(db_conn *c, const struct audit_actor *who, const char *region, int year,
                          const char *campaign, const char *path, char **err)
{
    return dossier_write(c, who, region, year, campaign, path, err);
}

/* The to-do list (todo.c): evaluations no one has scored yet. */
static const struct module_todo todos[] = {
    {.key = "evaluations_to_score",
     .label = "待评分",
     .perm = "evaluation:score",
     .entity = "evaluations",
     .query = "unscored=true&sort=-year",
     .title = "{year}年{kind_label}"},
};

static const struct module_report reports[] = {
    {.name = "dossier", .label = "评审档案", .write = dossier_report},
};

/* The audit log's names of the dossier and the scoring. */
static const struct audit_label audit_labels[] = {
    {AUDIT_SUBJECT, NULL, "dossier", "评审档案", NULL},
    {AUDIT_ACTION, "evaluations", "score", "评分", NULL},
    {AUDIT_KEY, "evaluations", "item_id", "评审项目编号", NULL},
    {AUDIT_KEY, "evaluations", "grades", "评分", NULL},
    {AUDIT_KEY, "evaluations", "exists", "有无", NULL},
    {AUDIT_KEY, "evaluations", "evidence", "痕迹", NULL},
    {AUDIT_KEY, "evaluations", "effect", "效果", NULL},
    {AUDIT_VALUE, "evaluations", "a", "完全符合", NULL},
    {AUDIT_VALUE, "evaluations", "b", "基本符合", NULL},
    {AUDIT_VALUE, "evaluations", "c", "部分符合", NULL},
    {AUDIT_VALUE, "evaluations", "d", "缺失或造假", NULL},
};

const struct module checklists_module = {
    .name = "checklists",
    .label = "评分与评定",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .routes = checklist_routes,
    .demo = checklist_demo,
    .demo_scale = checklist_demo_scale,
    .perms = perms,
    .nperms = MODULE_N(perms),
    .audit_labels = audit_labels,
    .naudit_labels = MODULE_N(audit_labels),
    .reports = reports,
    .nreports = MODULE_N(reports),
    .todos = todos,
    .ntodos = MODULE_N(todos),
};
