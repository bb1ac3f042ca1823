/* entity_http: the entity layer's HTTP API. For each declared entity:
 * list, get, create, PATCH, soft delete, reveal of sensitive fields, the
 * Excel export, import template and import; GET /api/v1/meta/entities; and
 * the rule by which an uploaded file attached to records may be read (given
 * to files at registration). Handlers check permission and scope, then call
 * the core (entity.c), the list queries and the spreadsheets. */
#include "entity.h"
#include "entity_impl.h"
#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "crypto.h"
#include "dict.h"
#include "files.h"
#include "http.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *perm_of(arena *a, const struct entity *e, const char *action)
{
    return arena_printf(a, "%s:%s", e->perm, action);
}

static void defer_decref(void *p)
{
    json_decref(p);
}

/* Loads the row named by the path and checks perm on its region; replies and
 * returns NULL when absent, out of scope or forbidden. */
static json_t *load_authorized(req *r, const struct entity *e, const char *action,
                               struct dict_cache *dc)
{
    int st;
    const char *key = req_param(r, "id");
    json_t *row = entity_row_load(req_db(r), e, key, dc, &st);
    if (!row) {
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return NULL;
    }
    arena_defer(r->a, defer_decref, row);
    if (authz_require(r, perm_of(r->a, e, action), entity_row_region(e, row)) != 0)
        return NULL;
    if (entity_row_hidden(e, r->user, row)) {
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return NULL;
    }
    return row;
}

static struct audit_actor actor_of(req *r)
{
    return (struct audit_actor){.user = r->user, .ip = r->client_ip};
}

/* ---- HTTP handlers ---- */

static const struct entity *route_entity(req *r)
{
    return req_route_data(r);
}

struct kv {
    int n, cap;
    const char **k, **v;
    arena *a;
};

static int collect_kv(void *ctx, const char *k, const char *v)
{
    struct kv *kv = ctx;
    if (kv->n == kv->cap) {
        int cap = kv->cap ? kv->cap * 2 : 16;
        const char **nk = arena_alloc(kv->a, (size_t)cap * sizeof *nk);
        const char **nv = arena_alloc(kv->a, (size_t)cap * sizeof *nv);
        if (kv->n) {
            memcpy(nk, kv->k, (size_t)kv->n * sizeof *nk);
            memcpy(nv, kv->v, (size_t)kv->n * sizeof *nv);
        }
        kv->k = nk;
        kv->v = nv;
        kv->cap = cap;
    }
    kv->k[kv->n] = k;
    kv->v[kv->n] = v;
    kv->n++;
    return kv->n > 200; /* more parameters than any form has */
}

static int request_query(req *r, const struct entity *e, struct query *q)
{
    struct kv kv = {0};
    kv.a = r->a;
    if (req_query_each(r, collect_kv, &kv) != 0) {
        reply_error(r, 400, "bad_request", "查询参数过多", NULL);
        return -1;
    }
    if (entity_list_query_build(r->a, req_db(r), r->user, e, kv.n, kv.k, kv.v, q) != 0) {
        json_t *f = json_object();
        json_object_set_new(f, q->err_key, json_string(q->err_msg));
        reply_error(r, 400, "bad_request", q->err_msg, f);
        entity_list_query_free(q);
        return -1;
    }
    return 0;
}

static void h_list(req *r)
{
    const struct entity *e = route_entity(r);
    if (authz_require(r, perm_of(r->a, e, "read"), NULL) != 0)
        return;
    struct query q;
    if (request_query(r, e, &q) != 0)
        return;
    db_conn *c = req_db(r);
    struct dict_cache *dc = dict_cache_new(r->a, c);
    buf sql;
    buf_init(&sql, ENTITY_SQL_CAP);
    buf_puts(&sql, "SELECT count(*)");
    entity_from_clause(e, &sql);
    buf_puts(&sql, buf_str(&q.sql_where));
    int64_t total = 0;
    db_stmt *s = db_prepare(c, buf_str(&sql));
    int st = s ? DB_ERR : db_last_status(c);
    if (s) {
        entity_binds_apply(s, &q.b);
        st = db_step(s);
        total = st == DB_ROW ? db_col_int(s, 0) : 0;
        db_done(s);
    }
    if (st != DB_ROW)
        goto dberr;
    buf_reset(&sql);
    buf_puts(&sql, "SELECT ");
    entity_select_cols(e, &sql, q.today_n);
    entity_from_clause(e, &sql);
    int nl = entity_bind_int(&q.b, q.page_size);
    int no = entity_bind_int(&q.b, (int64_t)(q.page - 1) * q.page_size);
    buf_printf(&sql, "%s ORDER BY %s LIMIT $%d OFFSET $%d", buf_str(&q.sql_where),
               buf_str(&q.order), nl, no);
    s = db_prepare(c, buf_str(&sql));
    if (!s) {
        st = db_last_status(c);
        goto dberr;
    }
    entity_binds_apply(s, &q.b);
    buf o;
    buf_init(&o, (size_t)64 << 20);
    buf_puts(&o, "{\"items\":[");
    int n = 0;
    while ((st = db_step(s)) == DB_ROW) {
        if (n++)
            buf_puts(&o, ",");
        entity_row_write(&o, e, s, dc);
    }
    db_done(s);
    if (st != DB_DONE) {
        buf_free(&o);
        goto dberr;
    }
    buf_printf(&o, "],\"total\":%lld,\"page\":%d,\"page_size\":%d}", (long long)total, q.page,
               q.page_size);
    size_t len;
    char *body = buf_detach(&o, &len);
    reply_take(r, 200, "application/json; charset=utf-8", body, len);
    buf_free(&sql);
    entity_list_query_free(&q);
    return;
dberr:
    reply_db_error(r, st < 0 ? st : DB_ERR);
    buf_free(&sql);
    entity_list_query_free(&q);
}

static void h_get(req *r)
{
    const struct entity *e = route_entity(r);
    db_conn *c = req_db(r);
    const char *key = req_param(r, "id");
    long long id = 0;
    if (!entity_is_region_table(e) && (entity_parse_long(key, &id) != 0 || id < 1)) {
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    db_stmt *s = db_prepare(c, entity_one_row_sql(e));
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    if (entity_is_region_table(e))
        db_bind_text(s, 1, key);
    else
        db_bind_int(s, 1, id);
    entity_bind_today(s, e, 2);
    int st = db_step(s);
    if (st != DB_ROW) {
        db_done(s);
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    /* The region is column 0 (regions) or 4 (plain records) of one_row_sql. */
    const char *region = arena_strdup(r->a, db_col_text(s, entity_is_region_table(e) ? 0 : 4));
    if (authz_require(r, perm_of(r->a, e, "read"), region) != 0) {
        db_done(s);
        return;
    }
    if (entity_row_hidden_col(e, r->user, s)) {
        db_done(s);
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    buf o;
    buf_init(&o, (size_t)16 << 20);
    entity_row_write(&o, e, s, dict_cache_new(r->a, c));
    db_done(s);
    /* A registry record is personal data: who looked at it is kept. */
    if (entity_has_sensitive(e)) {
        struct audit_actor who = actor_of(r);
        st = db_begin(c);
        if (st == DB_OK)
            st = audit_write(c, &who, "read", e->name, key, region, NULL, NULL);
        if (st == DB_OK)
            st = db_commit(c);
        if (st != DB_OK) {
            db_rollback(c);
            buf_free(&o);
            reply_db_error(r, st);
            return;
        }
    }
    size_t len;
    char *body = buf_detach(&o, &len);
    reply_take(r, 200, "application/json; charset=utf-8", body, len);
}

/* POST /E/{id}/reveal {"reason"}: the clear values of the sensitive fields,
 * for a caller with <perm>:reveal, audited with the reason. */
static void h_reveal(req *r)
{
    const struct entity *e = route_entity(r);
    json_t *in = req_json_only(r, REQ_KEYS("reason"));
    if (!in)
        return;
    db_conn *c = req_begin(r);
    if (!c)
        return;
    /* Permission and scope first: a caller who may not reveal learns
     * nothing more from the reason's validation. */
    json_t *row = load_authorized(r, e, "reveal", dict_cache_new(r->a, c));
    if (!row) {
        db_rollback(c);
        return;
    }
    const char *reason = json_string_value(json_object_get(in, "reason"));
    if (!reason || util_utf8_len(reason) < 2 || util_utf8_len(reason) > 200) {
        db_rollback(c);
        reply_field_error(r, "reason", "请填写查看原因（2 到 200 个字）");
        return;
    }
    buf sql;
    buf_init(&sql, ENTITY_SQL_CAP);
    buf_puts(&sql, "SELECT 0");
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_SENSITIVE)
            buf_printf(&sql, ", %s_enc", e->fields[i].name);
    buf_printf(&sql, " FROM %s WHERE id = $1", e->name);
    db_stmt *s = db_prepare(c, buf_str(&sql));
    buf_free(&sql);
    json_t *fields = json_object();
    arena_defer(r->a, defer_decref, fields);
    if (!s || (db_bind_int(s, 1, atoll(req_param(r, "id"))), db_step(s)) != DB_ROW) {
        db_done(s);
        db_rollback(c);
        reply_db_error(r, DB_ERR);
        return;
    }
    int col = 1, broken = 0;
    char rowid[24];
    snprintf(rowid, sizeof rowid, "%lld", atoll(req_param(r, "id")));
    for (int i = 0; i < e->nfields; i++) {
        const struct field *f = &e->fields[i];
        if (f->type != FT_SENSITIVE)
            continue;
        const char *sealed = db_col_text(s, col++);
        char *plain = sealed ? crypto_open_row(e->name, f->name, rowid, sealed) : NULL;
        broken |= sealed && !plain;
        json_object_set_new(fields, f->name, plain ? json_string(plain) : json_null());
        if (plain) {
            sodium_memzero(plain, strlen(plain));
            free(plain);
        }
    }
    db_done(s);
    if (broken) {
        db_rollback(c);
        reply_error(r, 500, "internal", "敏感字段无法解密（密钥文件不匹配？）", NULL);
        return;
    }
    struct audit_actor who = actor_of(r);
    int st = audit_write(c, &who, "reveal", e->name, req_param(r, "id"), entity_row_region(e, row),
                         NULL, reason);
    if (req_commit(r, c, st) != 0)
        return;
    reply_json(r, 200, json_pack("{s:O}", "fields", fields));
}

/* The message names the first field by its label, as the form does; a key
 * the declaration does not know (an unknown field sent) is named as sent. */
static void reply_validation(req *r, const struct entity *e, json_t *errors)
{
    const char *first = NULL;
    json_t *v;
    const char *k;
    json_object_foreach(errors, k, v)
    {
        const struct field *f = entity_field_find(e, k);
        first = arena_printf(r->a, "数据校验失败：%s %s", f ? f->label : k, json_string_value(v));
        break;
    }
    reply_error(r, 422, "validation_failed", first ? first : "数据校验失败", json_incref(errors));
}

/* 409 for a record its state machine owns: asked after scope and
 * permission, so only a caller who may write the record learns its state. */
static void reply_locked(req *r, const struct entity *e, json_t *row)
{
    reply_error(r, 409, "conflict", entity_locked_message(r->a, e, row), NULL);
}

/* Reads back the stored row for the reply; the transaction has committed. */
static void reply_row(req *r, const struct entity *e, const char *key, int status)
{
    int st;
    json_t *row = entity_row_load(req_db(r), e, key, dict_cache_new(r->a, req_db(r)), &st);
    if (!row) {
        reply_db_error(r, st < 0 ? st : DB_ERR);
        return;
    }
    reply_json(r, status, row);
}

/* 409 when a live record already holds a value that is one record's only
 * (FF_UNIQUE: a person's ID number). The record is named (its id) only to
 * a caller who may read it; anyone else learns that the value is taken,
 * which the create could not hide, and nothing of the record. 0 when there
 * is no conflict; -1 with the reply queued. */
static int reply_unique_conflict(req *r, db_conn *c, const struct entity *e, json_t *in,
                                 const char *except_key)
{
    const struct field *f = NULL;
    const char *k = NULL;
    int st = entity_unique_conflict(c, r->a, e, in, except_key, &f, &k);
    if (st == 0)
        return 0;
    if (st < 0) {
        reply_db_error(r, st);
        return -1;
    }
    long long id = atoll(k);
    int vis = entity_ref_visible(c, r->a, r->user, e, id, NULL);
    const char *msg = arena_printf(r->a, "该%s已登记", f->label);
    json_t *err = json_pack("{s:s, s:s, s:{s:s}}", "code", "conflict", "message",
                            vis == 1 ? arena_printf(r->a, "%s（记录编号 %lld）", msg, id) : msg,
                            "fields", f->name, msg);
    if (vis == 1)
        json_object_set_new(err, "existing", json_pack("{s:I}", "id", (json_int_t)id));
    reply_json(r, 409, json_pack("{s:o}", "error", err));
    return -1;
}

static void h_create(req *r)
{
    const struct entity *e = route_entity(r);
    if (authz_require(r, perm_of(r->a, e, "write"), NULL) != 0)
        return;
    json_t *in = req_json(r);
    if (!in)
        return;
    db_conn *c = req_begin(r);
    if (!c)
        return;
    json_t *errors = json_object();
    arena_defer(r->a, defer_decref, errors);
    struct audit_actor who = actor_of(r);
    const char *key = NULL;
    if (reply_unique_conflict(r, c, e, in, NULL) != 0) {
        db_rollback(c);
        return;
    }
    int st = entity_create(c, r->a, &who, e, in, errors, &key);
    if (json_object_size(errors)) {
        db_rollback(c);
        reply_validation(r, e, errors);
        return;
    }
    if (st == DB_OK)
        st = db_commit(c);
    if (st != DB_OK) {
        db_rollback(c);
        if (st == DB_ERR_UNIQUE && entity_is_region_table(e)) {
            reply_field_error(r, "code", "该区域代码已存在");
            return;
        }
        reply_db_error(r, st);
        return;
    }
    reply_row(r, e, key, 201);
}

static void h_patch(req *r)
{
    const struct entity *e = route_entity(r);
    json_t *in = req_json(r);
    if (!in)
        return;
    db_conn *c = req_begin(r);
    if (!c)
        return;
    struct dict_cache *dc = dict_cache_new(r->a, c);
    /* Load inside the transaction so that the merge sees the latest row. */
    json_t *row = load_authorized(r, e, "write", dc);
    if (!row) {
        db_rollback(c);
        return;
    }
    if (!entity_row_writable(e, row)) {
        db_rollback(c);
        reply_locked(r, e, row);
        return;
    }
    json_t *errors = json_object();
    arena_defer(r->a, defer_decref, errors);
    struct audit_actor who = actor_of(r);
    const char *key = req_param(r, "id");
    int st = entity_update(c, r->a, dc, &who, e, key, row, in, errors);
    if (json_object_size(errors)) {
        db_rollback(c);
        reply_validation(r, e, errors);
        return;
    }
    if (req_commit(r, c, st) != 0)
        return;
    reply_row(r, e, key, 200);
}

static void h_delete(req *r)
{
    const struct entity *e = route_entity(r);
    db_conn *c = req_begin(r);
    if (!c)
        return;
    json_t *row = load_authorized(r, e, "write", dict_cache_new(r->a, c));
    if (!row) {
        db_rollback(c);
        return;
    }
    if (!entity_row_writable(e, row)) {
        db_rollback(c);
        reply_locked(r, e, row);
        return;
    }
    struct audit_actor who = actor_of(r);
    int st = entity_delete(c, &who, e, req_param(r, "id"), row);
    if (st == DB_ERR_FOREIGN_KEY && entity_is_region_table(e)) {
        db_rollback(c);
        reply_error(r, 409, "conflict", "该区域下仍有下级区域、用户或业务数据，不能删除", NULL);
        return;
    }
    if (req_commit(r, c, st) != 0)
        return;
    reply_empty(r, 204);
}

/* ---- HTTP: spreadsheets ---- */

static void h_export(req *r)
{
    const struct entity *e = route_entity(r);
    if (authz_require(r, perm_of(r->a, e, "read"), NULL) != 0)
        return;
    struct kv kv = {0};
    kv.a = r->a;
    if (req_query_each(r, collect_kv, &kv) != 0) {
        reply_error(r, 400, "bad_request", "查询参数过多", NULL);
        return;
    }
    char *path = http_temp_path(r->a, ".xlsx");
    if (!path) {
        reply_error(r, 500, "internal", "无法创建临时文件", NULL);
        return;
    }
    char *err = NULL;
    struct audit_actor who = actor_of(r);
    long n = entity_export_file(req_db(r), &who, e, kv.n, kv.k, kv.v, path, &err);
    if (n < 0) {
        unlink(path);
        reply_error(r, n == -2 ? 400 : 500, n == -2 ? "bad_request" : "internal",
                    err ? err : "导出失败", NULL);
        free(err);
        return;
    }
    char today[11];
    util_today(today);
    reply_temp_file_named(r, path, XLSX_MIME, arena_printf(r->a, "%s.xlsx", e->name),
                          arena_printf(r->a, "%s-%s.xlsx", e->label, today));
    reply_header(r, "X-Row-Count", arena_printf(r->a, "%ld", n));
}

static void h_template(req *r)
{
    const struct entity *e = route_entity(r);
    if (authz_require(r, perm_of(r->a, e, "read"), NULL) != 0)
        return;
    char *path = http_temp_path(r->a, ".xlsx");
    struct audit_actor who = actor_of(r);
    if (!path || entity_template_file(req_db(r), &who, e, path) != 0) {
        if (path)
            unlink(path);
        reply_error(r, 500, "internal", "无法生成导入模板", NULL);
        return;
    }
    reply_temp_file_named(r, path, XLSX_MIME, arena_printf(r->a, "%s-template.xlsx", e->name),
                          arena_printf(r->a, "%s-导入模板.xlsx", e->label));
}

static void h_import(req *r)
{
    const struct entity *e = route_entity(r);
    if (authz_require(r, perm_of(r->a, e, "write"), NULL) != 0)
        return;
    const char *p = req_query(r, "partial");
    int partial = p && (strcmp(p, "1") == 0 || strcmp(p, "true") == 0);
    json_t *report = NULL;
    struct audit_actor who = actor_of(r);
    int rc = entity_import_file(req_db(r), &who, e, r->upload_path,
                                partial ? ENTITY_IMPORT_PARTIAL : 0u, &report);
    if (rc == 0) {
        reply_json(r, 200, report);
        return;
    }
    if (rc == ENTITY_IMPORT_DB) {
        /* busy or down is 503 with Retry-After, never a fault of the file */
        int st = db_last_status(req_db(r));
        json_decref(report);
        reply_db_error(r, st < 0 ? st : DB_ERR);
        return;
    }
    const char *msg = json_string_value(json_object_get(report, "message"));
    int big = rc == ENTITY_IMPORT_TOO_LARGE;
    json_t *body = json_pack("{s:{s:s, s:s}}", "error", "code",
                             rc == 1 ? "import_failed"
                             : big   ? "too_large"
                                     : "bad_file",
                             "message", msg ? msg : "导入失败");
    if (big)
        json_object_set_new(json_object_get(body, "error"), "fields",
                            json_pack("{s:s}", "file", msg ? msg : "文件过大"));
    json_object_update(body, report);
    json_object_del(body, "message");
    json_decref(report);
    reply_json(r, big ? 413 : 422, body);
}

/* ---- metadata ---- */

static const char *type_name(enum field_type t)
{
    static const char *names[] = {"text",     "int",  "number", "bool",      "date",
                                  "datetime", "dict", "region", "sensitive", "files"};
    return names[t];
}

static json_t *field_meta(const struct field *f)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "name", f->name, "label",
                  f->label, "type", type_name(f->type), "required", (f->flags & FF_REQUIRED) != 0,
                  "searchable", (f->flags & FF_SEARCH) != 0, "filter", (f->flags & FF_FILTER) != 0,
                  "sortable", (f->flags & FF_SORT) != 0, "readonly", (f->flags & FF_READONLY) != 0,
                  "list", (f->flags & FF_LIST) != 0, "range", (f->flags & FF_RANGE) != 0);
    if (f->type == FT_TEXT) {
        json_object_set_new(o, "max_len", json_integer(entity_field_max_len(f)));
        json_object_set_new(o, "multiline", json_boolean(f->flags & FF_MULTILINE));
    }
    if (f->min < f->max) {
        json_object_set_new(o, "min", json_real(f->min));
        json_object_set_new(o, "max", json_real(f->max));
    }
    if (f->dict)
        json_object_set_new(o, f->type == FT_SENSITIVE ? "sensitive_kind" : "dict",
                            json_string(f->dict));
    if (f->flags & FF_CREATE_ONLY)
        json_object_set_new(o, "create_only", json_true());
    if (f->ref)
        json_object_set_new(o, "ref", json_string(f->ref));
    if (f->flags & FF_SUM)
        json_object_set_new(o, "sum", json_true());
    if (f->flags & FF_KEYCOL)
        json_object_set_new(o, "key_column", json_true());
    return o;
}

json_t *entity_meta(void)
{
    json_t *items = json_array();
    for (int i = 0; i < entity_count(); i++) {
        const struct entity *e = entity_at(i);
        json_t *fields = json_array();
        for (int k = 0; k < entity_col_count(e); k++)
            json_array_append_new(fields, field_meta(entity_col_at(e, k)));
        /* Derived columns (a hazard's overdue) are read-only; listing them
         * lets the console filter on them like any other field. */
        for (int k = 0; k < e->nderived; k++)
            json_array_append_new(fields, field_meta(&e->derived[k].f));
        json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "name", e->name, "label", e->label,
                              "permission", e->perm, "key", entity_key_col(e), "default_sort",
                              e->default_sort, "fields", fields);
        /* The console offers edit and delete only while a record is in its
         * first state (entity_row_writable). */
        if (e->state_field && e->initial_state) {
            json_object_set_new(m, "state_field", json_string(e->state_field));
            json_object_set_new(m, "initial_state", json_string(e->initial_state));
        }
        if (e->state_field && e->state_tags) {
            json_t *tags = json_object();
            for (const struct state_tag *t = e->state_tags; t->state; t++)
                json_object_set_new(tags, t->state, json_string(t->type));
            json_object_set_new(m, "state_tags", tags);
        }
        json_array_append_new(items, m);
    }
    return json_pack("{s:o}", "items", items);
}

static void h_meta(req *r)
{
    reply_json(r, 200, entity_meta());
}

/* ---- who may read an attached file ---- */

/* The record (entity, key) as it is now: a moved record's photos follow
 * it, a deleted record's photos go with it. 1 when u may read it, 0 when
 * not, or a DB_ERR_* status. */
static int record_readable(db_conn *c, arena *a, const struct user *u, const char *entity,
                           const char *key)
{
    const struct entity *e = entity_find(entity);
    if (!e)
        return 0;
    int st = 0;
    json_t *row = entity_get(c, a, e, key, &st);
    if (!row)
        return st < 0 ? st : 0;
    const char *region = json_string_value(json_object_get(row, "region"));
    if (!region)
        region = json_string_value(json_object_get(row, "code"));
    int ok = authz_check(u, perm_of(a, e, "read"), region) == 0 && !entity_row_hidden(e, u, row);
    json_decref(row);
    return ok;
}

/* The routes of every entity, under /api/v1/<name>, in the order they are
 * registered (export.xlsx before {id}). */
static const struct {
    const char *method, *suffix;
    http_handler_fn fn;
    int flags;
    int sensitive_only; /* only for entities with sensitive fields */
} routes[] = {
    {.method = "GET", .suffix = "", .fn = h_list},
    {.method = "POST", .suffix = "", .fn = h_create},
    {.method = "GET", .suffix = "/export.xlsx", .fn = h_export, .flags = ROUTE_LONG},
    {.method = "GET", .suffix = "/import-template.xlsx", .fn = h_template},
    {.method = "POST", .suffix = "/import", .fn = h_import, .flags = ROUTE_UPLOAD | ROUTE_LONG},
    {.method = "GET", .suffix = "/{id}", .fn = h_get},
    {.method = "PATCH", .suffix = "/{id}", .fn = h_patch},
    {.method = "DELETE", .suffix = "/{id}", .fn = h_delete},
    {.method = "POST", .suffix = "/{id}/reveal", .fn = h_reveal, .sensitive_only = 1},
};

void entity_routes_register(void)
{
    files_record_rule_set(record_readable);
    http_route("GET", "/api/v1/meta/entities", h_meta, 0, NULL);
    for (int i = 0; i < entity_count(); i++) {
        const struct entity *e = entity_at(i);
        for (size_t k = 0; k < sizeof routes / sizeof routes[0]; k++)
            if (!routes[k].sensitive_only || entity_has_sensitive(e))
                /* Patterns live as long as the process. */
                http_route(routes[k].method, xasprintf("/api/v1/%s%s", e->name, routes[k].suffix),
                           routes[k].fn, routes[k].flags, e);
    }
}
