/* dict: see dict.h. A cache holds the current version of each table it was
 * asked for, as a small array: code tables have tens of items, so a linear
 * scan beats any index. */
#include "dict.h"
#include "auth.h"
#include "authz.h"
#include "http.h"
#include "util.h"

#include <string.h>

struct dict_table {
    const char *name;
    const char *asked; /* the caller's pointer for name (a field's f->dict) */
    int n, exists;
    const char **codes, **labels;
    struct dict_table *next;
};

struct dict_cache {
    arena *a;
    db_conn *c;
    struct dict_table *tables;
};

struct dict_cache *dict_cache_new(arena *a, db_conn *c)
{
    struct dict_cache *dc = arena_zalloc(a, sizeof *dc);
    dc->a = a;
    dc->c = c;
    return dc;
}

static struct dict_table *table_get(struct dict_cache *dc, const char *name)
{
    /* Callers name a table by a field's declared string, the same pointer
     * every time: an import asks once per cell. */
    for (struct dict_table *t = dc->tables; t; t = t->next)
        if (t->asked == name)
            return t;
    for (struct dict_table *t = dc->tables; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t;
    struct dict_table *t = arena_zalloc(dc->a, sizeof *t);
    t->asked = name;
    t->name = arena_strdup(dc->a, name);
    t->next = dc->tables;
    dc->tables = t;
    db_stmt *s = db_prepare(dc->c, "SELECT i.code, i.label FROM dicts d JOIN dict_items i "
                                   "ON i.dict = d.name AND i.version = d.version "
                                   "WHERE d.name = $1 ORDER BY i.sort, i.code");
    if (!s)
        return t;
    db_bind_text(s, 1, name);
    int cap = 0;
    while (db_step(s) == DB_ROW) {
        if (t->n == cap) {
            int ncap = cap ? cap * 2 : 32;
            const char **nc = arena_alloc(dc->a, (size_t)ncap * sizeof *nc);
            const char **nl = arena_alloc(dc->a, (size_t)ncap * sizeof *nl);
            if (t->n) {
                memcpy(nc, t->codes, (size_t)t->n * sizeof *nc);
                memcpy(nl, t->labels, (size_t)t->n * sizeof *nl);
            }
            t->codes = nc;
            t->labels = nl;
            cap = ncap;
        }
        t->codes[t->n] = arena_strdup(dc->a, db_col_text(s, 0));
        t->labels[t->n] = arena_strdup(dc->a, db_col_text(s, 1));
        t->n++;
    }
    db_done(s);
    t->exists = t->n > 0;
    return t;
}

int dict_exists(struct dict_cache *dc, const char *dict)
{
    return table_get(dc, dict)->exists;
}

const char *dict_label(struct dict_cache *dc, const char *dict, const char *code)
{
    struct dict_table *t = table_get(dc, dict);
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->codes[i], code) == 0)
            return t->labels[i];
    return NULL;
}

const char *dict_code_at(struct dict_cache *dc, const char *dict, int i)
{
    struct dict_table *t = table_get(dc, dict);
    return i >= 0 && i < t->n ? t->codes[i] : NULL;
}

const char *dict_code_for(struct dict_cache *dc, const char *dict, const char *text)
{
    struct dict_table *t = table_get(dc, dict);
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->labels[i], text) == 0 || strcmp(t->codes[i], text) == 0)
            return t->codes[i];
    return NULL;
}

const char *dict_labels_joined(struct dict_cache *dc, const char *dict)
{
    struct dict_table *t = table_get(dc, dict);
    buf b;
    buf_init(&b, 8192);
    for (int i = 0; i < t->n; i++)
        buf_printf(&b, "%s%s", i ? "、" : "", t->labels[i]);
    const char *s = arena_strdup(dc->a, buf_str(&b));
    buf_free(&b);
    return s;
}

/* ---- HTTP ---- */

static void h_dict_list(req *r)
{
    if (authz_require(r, "dict:read", NULL) != 0)
        return;
    db_stmt *s = db_prepare(req_db(r), "SELECT name, label, version, updated_at FROM dicts "
                                       "ORDER BY name");
    if (!s) {
        reply_db_error(r, db_last_status(req_db(r)));
        return;
    }
    json_t *items = json_array();
    while (db_step(s) == DB_ROW)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:I, s:s}", "name", db_col_text(s, 0), "label",
                                        db_col_text(s, 1), "version", (json_int_t)db_col_int(s, 2),
                                        "updated_at", db_col_text(s, 3)));
    db_done(s);
    reply_json(
        r, 200,
        json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
}

static json_t *dict_json(db_conn *c, const char *name, long version)
{
    db_stmt *s = db_prepare(c, "SELECT label, version, updated_at FROM dicts WHERE name = $1");
    if (!s)
        return NULL;
    db_bind_text(s, 1, name);
    json_t *o = NULL;
    if (db_step(s) == DB_ROW) {
        long cur = (long)db_col_int(s, 1);
        o = json_pack("{s:s, s:s, s:I, s:I, s:s}", "name", name, "label", db_col_text(s, 0),
                      "version", (json_int_t)(version ? version : cur), "current_version",
                      (json_int_t)cur, "updated_at", db_col_text(s, 2));
    }
    db_done(s);
    if (!o)
        return NULL;
    s = db_prepare(c, "SELECT code, label, sort, parent, extra FROM dict_items "
                      "WHERE dict = $1 AND version = $2 ORDER BY sort, code");
    if (!s) {
        json_decref(o);
        return NULL;
    }
    db_bind_text(s, 1, name);
    db_bind_int(s, 2, json_integer_value(json_object_get(o, "version")));
    json_t *items = json_array();
    while (db_step(s) == DB_ROW) {
        json_t *it = json_pack("{s:s, s:s, s:I}", "code", db_col_text(s, 0), "label",
                               db_col_text(s, 1), "sort", (json_int_t)db_col_int(s, 2));
        if (db_col_text(s, 3))
            json_object_set_new(it, "parent", json_string(db_col_text(s, 3)));
        if (db_col_text(s, 4)) {
            json_t *extra = json_loads(db_col_text(s, 4), 0, NULL);
            if (extra)
                json_object_set_new(it, "extra", extra);
        }
        json_array_append_new(items, it);
    }
    db_done(s);
    json_object_set_new(o, "items", items);
    return o;
}

static void h_dict_get(req *r)
{
    if (authz_require(r, "dict:read", NULL) != 0)
        return;
    const char *v = req_query(r, "version");
    long version = v ? atol(v) : 0;
    if (v && version < 1) {
        reply_error(r, 400, "bad_request", "version 必须是正整数", NULL);
        return;
    }
    json_t *o = dict_json(req_db(r), req_param(r, "name"), version);
    if (!o || json_array_size(json_object_get(o, "items")) == 0) {
        json_decref(o);
        reply_error(r, 404, "not_found", "字典不存在", NULL);
        return;
    }
    reply_json(r, 200, o);
}

/* PUT replaces the items with a new version; older versions stay readable,
 * so records coded against them keep their meaning. */
static void h_dict_put(req *r)
{
    if (authz_require(r, "dict:admin", NULL) != 0)
        return;
    json_t *in = req_json_only(r, REQ_KEYS("items", "label", "name"));
    if (!in)
        return;
    const char *name = req_param(r, "name");
    json_t *items = json_object_get(in, "items");
    json_t *label = json_object_get(in, "label");
    if (!json_is_array(items) || json_array_size(items) == 0) {
        reply_field_error(r, "items", "必须是非空数组");
        return;
    }
    if (label && (!json_is_string(label) || json_string_length(label) == 0)) {
        reply_field_error(r, "label", "必须是文本");
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        json_t *code = json_object_get(v, "code"), *lab = json_object_get(v, "label");
        if (!json_is_object(v) || !json_is_string(code) || !json_is_string(lab) ||
            json_string_length(code) == 0 || json_string_length(code) > 64 ||
            json_string_length(lab) == 0) {
            reply_field_error(r, arena_printf(r->a, "items[%zu]", i),
                              "每一项需要 code 和 label 文本");
            return;
        }
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(json_array_get(items, j), "code"), code)) {
                reply_field_error(r, arena_printf(r->a, "items[%zu]", i), "代码重复");
                return;
            }
    }
    db_conn *c = req_begin(r);
    if (!c)
        return;
    char now[32];
    util_now_iso(now);
    int st;
    int64_t cur = db_query_int(c, "SELECT version FROM dicts WHERE name = $1", name, 0);
    char ver[24];
    snprintf(ver, sizeof ver, "%lld", (long long)cur + 1);
    const char *lab = label ? json_string_value(label) : name;
    if (cur) {
        const char *p[] = {ver, now, label ? lab : NULL, name};
        st = db_exec_params(c,
                            "UPDATE dicts SET version = $1, updated_at = $2, "
                            "label = coalesce($3, label) WHERE name = $4",
                            4, p);
    } else {
        const char *p[] = {name, lab, ver, now};
        st = db_exec_params(c,
                            "INSERT INTO dicts (name, label, version, updated_at) "
                            "VALUES ($1, $2, $3, $4)",
                            4, p);
    }
    json_array_foreach(items, i, v)
    {
        if (st != DB_OK)
            break;
        char sort[24];
        snprintf(sort, sizeof sort, "%zu", i + 1);
        json_t *extra = json_object_get(v, "extra");
        char *extra_s = extra ? json_dumps(extra, JSON_COMPACT) : NULL;
        const char *p[] = {name,
                           ver,
                           json_string_value(json_object_get(v, "code")),
                           json_string_value(json_object_get(v, "label")),
                           sort,
                           json_string_value(json_object_get(v, "parent")),
                           extra_s};
        st = db_exec_params(c,
                            "INSERT INTO dict_items (dict, version, code, label, sort, parent, "
                            "extra) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            7, p);
        free(extra_s);
    }
    if (req_commit(r, c, st) != 0)
        return;
    reply_json(r, 200, dict_json(c, name, 0));
}

void dict_routes_register(void)
{
    http_route("GET", "/api/v1/dicts", h_dict_list, 0, NULL);
    http_route("GET", "/api/v1/dicts/{name}", h_dict_get, 0, NULL);
    http_route("PUT", "/api/v1/dicts/{name}", h_dict_put, 0, NULL);
}
