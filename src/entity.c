/* entity: the generic record layer; see entity.h. One declaration drives the
 * SQL (identifiers only from the declaration), the validation (shared by the
 * API and import), the JSON shape and the spreadsheet columns. Each write is
 * one transaction, and the search index is updated inside it. */
#include "entity.h"
#include "app.h"
#include "auth.h"
#include "authz.h"
#include "buf.h"
#include "crypto.h"
#include "dict.h"
#include "files.h"
#include "idcard.h"
#include "module.h"
#include "audit.h"
#include "http.h"
#include "region.h"
#include "search.h"
#include "sheetw.h"
#include "tabread.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <unistd.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* entities.c: the platform's own entities (the region tree); the modules'
 * follow in module_list's order. */
extern const struct entity *const entity_platform_list[];
extern const int entity_platform_count;

#define MAX_BINDS       64
#define EXPORT_MAX_ROWS 200000
#define SQL_CAP         (64 * 1024)

static const char *row_region(const struct entity *e, json_t *row);

static const struct field region_field = {
    "region", "所属区域", FT_REGION, FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST, 0, 0, 0, NULL};

/* ---- registry ---- */

const struct entity *entity_find(const char *name)
{
    for (int i = 0; i < entity_count(); i++)
        if (strcmp(entity_at(i)->name, name) == 0)
            return entity_at(i);
    return NULL;
}

int entity_count(void)
{
    int n = entity_platform_count;
    for (int m = 0; m < module_count; m++)
        n += module_list[m]->nentities;
    return n;
}

const struct entity *entity_at(int i)
{
    assert(i >= 0);
    if (i < entity_platform_count)
        return entity_platform_list[i];
    i -= entity_platform_count;
    for (int m = 0; m < module_count; m++) {
        if (i < module_list[m]->nentities)
            return module_list[m]->entities[i];
        i -= module_list[m]->nentities;
    }
    assert(!"entity_at: out of range");
    return NULL;
}

static int is_region_table(const struct entity *e)
{
    return (e->flags & ENT_REGION_TABLE) != 0;
}

static const char *key_col(const struct entity *e)
{
    return is_region_table(e) ? "code" : "id";
}

static const struct field *field_find(const struct entity *e, const char *name)
{
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, name) == 0)
            return &e->fields[i];
    if (!is_region_table(e) && strcmp(name, "region") == 0)
        return &region_field;
    return NULL;
}

static int has_search(const struct entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].flags & FF_SEARCH)
            return 1;
    return 0;
}

/* The columns of the declaration in storage order: the implicit region
 * first for plain entities. */
static int ncols(const struct entity *e)
{
    return e->nfields + (is_region_table(e) ? 0 : 1);
}

static const struct field *col_at(const struct entity *e, int i)
{
    if (is_region_table(e))
        return &e->fields[i];
    return i == 0 ? &region_field : &e->fields[i - 1];
}

static int max_len(const struct field *f)
{
    return f->max_len > 0 ? f->max_len : 200;
}

static const char *sensitive_ad(arena *a, const struct entity *e, const struct field *f)
{
    return arena_printf(a, "%s.%s", e->name, f->name);
}

/* ---- bound parameters ---- */

struct binds {
    int n;
    struct {
        enum db_type t;
        const char *s;
        int64_t i;
        double d;
    } v[MAX_BINDS];
};

static int bind_text(struct binds *b, const char *s)
{
    if (b->n >= MAX_BINDS)
        abort(); /* the declarations bound the parameter count */
    b->v[b->n].t = s ? DB_T_TEXT : DB_T_NULL;
    b->v[b->n].s = s;
    return ++b->n;
}

static int bind_int(struct binds *b, int64_t i)
{
    if (b->n >= MAX_BINDS)
        abort();
    b->v[b->n].t = DB_T_INT;
    b->v[b->n].i = i;
    return ++b->n;
}

static int bind_double(struct binds *b, double d)
{
    if (b->n >= MAX_BINDS)
        abort();
    b->v[b->n].t = DB_T_REAL;
    b->v[b->n].d = d;
    return ++b->n;
}

static void binds_apply(db_stmt *s, const struct binds *b)
{
    for (int i = 0; i < b->n; i++) {
        switch (b->v[i].t) {
        case DB_T_TEXT:
            db_bind_text(s, i + 1, b->v[i].s);
            break;
        case DB_T_INT:
            db_bind_int(s, i + 1, b->v[i].i);
            break;
        case DB_T_REAL:
            db_bind_double(s, i + 1, b->v[i].d);
            break;
        default:
            db_bind_null(s, i + 1);
        }
    }
}

/* Binds a validated JSON value of field f. */
static int bind_value(struct binds *b, const struct field *f, json_t *v)
{
    if (!v || json_is_null(v))
        return bind_text(b, NULL);
    switch (f->type) {
    case FT_INT:
        return bind_int(b, json_integer_value(v));
    case FT_NUM:
        return bind_double(b, json_number_value(v));
    case FT_BOOL:
        return bind_int(b, json_is_true(v));
    default:
        return bind_text(b, json_string_value(v));
    }
}

/* ---- reading rows ---- */

/* A derived field's expression with "$T" as parameter today_n. */
static void derived_sql(buf *sql, const char *expr, int today_n)
{
    for (const char *p = expr; *p; p++)
        if (p[0] == '$' && p[1] == 'T') {
            buf_printf(sql, "$%d", today_n);
            p++;
        } else {
            buf_printf(sql, "%c", *p);
        }
}

static const struct derived *derived_find(const struct entity *e, const char *name)
{
    for (int i = 0; i < e->nderived; i++)
        if (strcmp(e->derived[i].f.name, name) == 0)
            return &e->derived[i];
    return NULL;
}

/* today_n: the parameter that holds today's date, for derived fields. */
static void select_cols(const struct entity *e, buf *sql, int today_n)
{
    if (is_region_table(e)) {
        buf_puts(sql, "t.code, t.created_at, t.updated_at");
        for (int i = 0; i < e->nfields; i++)
            if (strcmp(e->fields[i].name, "code") != 0)
                buf_printf(sql, ", t.%s", e->fields[i].name);
        return;
    }
    buf_puts(sql, "t.id, t.created_at, t.updated_at, t.created_by, t.region, r.name");
    for (int i = 0; i < e->nfields; i++)
        buf_printf(sql, e->fields[i].type == FT_SENSITIVE ? ", t.%s_mask" : ", t.%s",
                   e->fields[i].name);
    for (int i = 0; i < e->nderived; i++) {
        buf_puts(sql, ", (");
        derived_sql(sql, e->derived[i].expr, today_n);
        buf_puts(sql, ")");
    }
}

/* Binds today's date as parameter n when e has derived fields. */
static void bind_today(db_stmt *s, const struct entity *e, int n)
{
    if (e->nderived) {
        char today[11];
        util_today(today);
        db_bind_text(s, n, today);
    }
}

static void from_clause(const struct entity *e, buf *sql)
{
    if (is_region_table(e))
        buf_printf(sql, " FROM %s t WHERE 1 = 1", e->name);
    else
        buf_printf(sql, " FROM %s t JOIN regions r ON r.code = t.region WHERE t.deleted_at IS NULL",
                   e->name);
}

/* One column as JSON text. */
static void col_write(buf *o, db_stmt *s, int i, const struct field *f)
{
    if (db_col_type(s, i) == DB_T_NULL) {
        buf_puts(o, "null");
        return;
    }
    switch (f ? f->type : FT_TEXT) {
    case FT_INT:
        buf_printf(o, "%lld", (long long)db_col_int(s, i));
        return;
    case FT_NUM: {
        double d = db_col_double(s, i);
        if (d == floor(d) && fabs(d) < 1e15)
            buf_printf(o, "%lld", (long long)d);
        else
            buf_printf(o, "%.17g", d);
        return;
    }
    case FT_BOOL:
        buf_puts(o, db_col_int(s, i) ? "true" : "false");
        return;
    case FT_FILES: {
        /* Stored by files_text; anything else reads as no files rather
         * than as invalid JSON. */
        json_t *j = json_loads(db_col_text(s, i), 0, NULL);
        char *t = json_is_array(j) ? json_dumps(j, JSON_COMPACT) : NULL;
        buf_puts(o, t ? t : "null");
        free(t);
        json_decref(j);
        return;
    }
    default:
        buf_json_string(o, db_col_text(s, i));
    }
}

static void key_write(buf *o, const char *key, int first)
{
    if (!first)
        buf_puts(o, ",");
    buf_json_string(o, key);
    buf_puts(o, ":");
}

/* The row under the cursor as a JSON object, written straight into o: the
 * shape of every read (and the hot path of GET and list). */
static void row_write(buf *o, const struct entity *e, db_stmt *s, struct dict_cache *dc)
{
    int k = 0;
    buf_puts(o, "{");
    if (is_region_table(e)) {
        key_write(o, "code", 1);
        col_write(o, s, k++, NULL);
        key_write(o, "created_at", 0);
        col_write(o, s, k++, NULL);
        key_write(o, "updated_at", 0);
        col_write(o, s, k++, NULL);
    } else {
        static const char *std[] = {"id",         "created_at", "updated_at",
                                    "created_by", "region",     "region_name"};
        static const struct field id_field = {"id", "编号", FT_INT, 0, 0, 0, 0, NULL};
        for (int i = 0; i < 6; i++) {
            key_write(o, std[i], i == 0);
            col_write(o, s, k++, i == 0 ? &id_field : NULL);
        }
    }
    for (int i = 0; i < e->nfields; i++) {
        const struct field *f = &e->fields[i];
        if (is_region_table(e) && strcmp(f->name, "code") == 0)
            continue;
        key_write(o, f->name, 0);
        col_write(o, s, k, f);
        if (f->type == FT_DICT && db_col_type(s, k) == DB_T_TEXT) {
            const char *label = dict_label(dc, f->dict, db_col_text(s, k));
            buf_puts(o, ",");
            buf_printf(o, "\"%s_label\":", f->name);
            buf_json_string(o, label ? label : "");
        }
        k++;
    }
    for (int i = 0; i < e->nderived; i++) {
        key_write(o, e->derived[i].f.name, 0);
        col_write(o, s, k++, &e->derived[i].f);
    }
    buf_puts(o, "}");
}

/* The same row as a jansson object, for code that edits it. */
static json_t *row_json(const struct entity *e, db_stmt *s, struct dict_cache *dc)
{
    buf o;
    buf_init(&o, (size_t)16 << 20);
    row_write(&o, e, s, dc);
    json_t *j = json_loadb(o.ptr, o.len, 0, NULL);
    buf_free(&o);
    if (!j)
        abort(); /* row_write produced invalid JSON: a bug */
    return j;
}

/* ---- validation, shared by the API and import ---- */

static int is_std_key(const struct entity *e, const char *k)
{
    static const char *std[] = {"id", "created_at", "updated_at", "created_by", "region_name"};
    for (size_t i = 0; i < sizeof std / sizeof std[0]; i++)
        if (strcmp(k, std[i]) == 0)
            return !is_region_table(e) || i != 0;
    size_t n = strlen(k);
    if (n > 6 && strcmp(k + n - 6, "_label") == 0) {
        char base[96];
        snprintf(base, sizeof base, "%.*s", (int)(n - 6), k);
        const struct field *f = field_find(e, base);
        return f && f->type == FT_DICT;
    }
    return 0;
}

static void add_err(json_t *errors, const char *field, const char *msg)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msg));
}

static int region_exists(db_conn *c, const char *code)
{
    return db_query_int(c, "SELECT count(*) FROM regions WHERE code = $1", code, 0) > 0;
}

/* Checks one value against its field; *msg is a Chinese reason on failure. */
static int check_value(arena *a, db_conn *c, struct dict_cache *dc, const struct user *u,
                       const struct field *f, json_t *v, const char **msg)
{
    switch (f->type) {
    case FT_TEXT:
        if (!json_is_string(v)) {
            *msg = "必须是文本";
            return -1;
        }
        if (util_utf8_len(json_string_value(v)) > (size_t)max_len(f)) {
            *msg = arena_printf(a, "长度不能超过 %d 个字", max_len(f));
            return -1;
        }
        return 0;
    case FT_INT:
    case FT_NUM: {
        if (!json_is_number(v) || (f->type == FT_INT && !json_is_integer(v))) {
            *msg = f->type == FT_INT ? "必须是整数" : "必须是数字";
            return -1;
        }
        double d = json_number_value(v);
        if (f->min < f->max && (d < f->min || d > f->max)) {
            *msg = arena_printf(a, "必须在 %g 到 %g 之间", f->min, f->max);
            return -1;
        }
        return 0;
    }
    case FT_BOOL:
        if (!json_is_boolean(v)) {
            *msg = "必须是 true 或 false";
            return -1;
        }
        return 0;
    case FT_DATE:
        if (!json_is_string(v) || !util_date_valid(json_string_value(v))) {
            *msg = "必须是有效日期（YYYY-MM-DD）";
            return -1;
        }
        return 0;
    case FT_DATETIME:
        if (!json_is_string(v) || !util_datetime_valid(json_string_value(v))) {
            *msg = "必须是带时区的时间（如 2025-03-05T09:30:00+08:00）";
            return -1;
        }
        return 0;
    case FT_DICT:
        if (!json_is_string(v) || !dict_label(dc, f->dict, json_string_value(v))) {
            *msg = "不是有效的选项";
            return -1;
        }
        return 0;
    case FT_SENSITIVE: {
        const char *sv = json_string_value(v);
        if (!sv) {
            *msg = "必须是文本";
            return -1;
        }
        if (util_utf8_len(sv) > (size_t)max_len(f)) {
            *msg = arena_printf(a, "长度不能超过 %d 个字", max_len(f));
            return -1;
        }
        char *norm = crypto_normalize(f->dict, sv);
        const char *why = NULL;
        int bad = 0;
        if (strcmp(f->dict, "idcard") == 0 && idcard_validate(norm, &why) != 0)
            bad = 1;
        if (strcmp(f->dict, "phone") == 0) {
            size_t n = strlen(norm);
            bad = n < 5 || n > 20 || strspn(norm, "0123456789+") != n;
            why = "必须是有效的电话号码";
        }
        sodium_memzero(norm, strlen(norm));
        free(norm);
        if (bad) {
            *msg = why ? why : "格式无效";
            return -1;
        }
        return 0;
    }
    case FT_FILES: {
        int rc = files_ids_check(c, a, u, v, msg);
        if (rc < 0)
            *msg = "暂时无法核对附件，请重试";
        return rc ? -1 : 0;
    }
    case FT_REGION:
        if (!json_is_string(v) || region_level_of(json_string_value(v)) == RL_INVALID) {
            *msg = "必须是有效的区域代码";
            return -1;
        }
        if (!authz_in_scope(u, json_string_value(v)) || !region_exists(c, json_string_value(v))) {
            *msg = "区域不存在或不在您的管辖范围内";
            return -1;
        }
        return 0;
    }
    return 0;
}

/* Whether input may set f: writable fields, and FF_IMPORT ones in an import. */
static int settable(const struct field *f, int importing)
{
    return !(f->flags & FF_READONLY) || (importing && (f->flags & FF_IMPORT));
}

/* Builds the object to store: existing (may be NULL) merged with input.
 * Unknown and read-only keys in input are errors. Returns the merged object
 * (owned by the caller) even when errors were added. */
static json_t *merge_validate_as(arena *a, db_conn *c, struct dict_cache *dc, const struct user *u,
                                 const struct entity *e, json_t *input, json_t *existing,
                                 json_t *errors, int importing)
{
    json_t *obj = existing ? json_deep_copy(existing) : json_object();
    const char *k;
    json_t *v;
    /* An existing row holds masks for its sensitive fields; they are not
     * values and must never be written back. */
    for (int i = 0; existing && i < e->nfields; i++)
        if (e->fields[i].type == FT_SENSITIVE)
            json_object_del(obj, e->fields[i].name);
    json_object_foreach(input, k, v)
    {
        const struct field *f = field_find(e, k);
        if (!f) {
            add_err(errors, k, is_std_key(e, k) ? "只读字段，不能修改" : "未知字段");
            continue;
        }
        if (!settable(f, importing)) {
            add_err(errors, k, "只读字段，不能修改");
            continue;
        }
        if (existing && (f->flags & FF_CREATE_ONLY)) {
            json_t *old = json_object_get(existing, k);
            if (!json_equal(old, v))
                add_err(errors, k, "创建后不能修改");
            continue;
        }
        json_object_set(obj, k, v);
    }
    for (int i = 0; i < ncols(e); i++) {
        const struct field *f = col_at(e, i);
        if (!settable(f, importing))
            continue;
        json_t *val = json_object_get(obj, f->name);
        if (json_is_string(val) && json_string_length(val) == 0 && f->type != FT_TEXT)
            json_object_set_new(obj, f->name, json_null()), val = json_null();
        int empty =
            !val || json_is_null(val) || (json_is_string(val) && json_string_length(val) == 0);
        if (empty) {
            int kept = existing && f->type == FT_SENSITIVE && !val &&
                       !json_is_null(json_object_get(existing, f->name));
            if ((f->flags & FF_REQUIRED) && !kept)
                add_err(errors, f->name, "必填");
            continue;
        }
        const char *msg = NULL;
        if (check_value(a, c, dc, u, f, val, &msg) != 0)
            add_err(errors, f->name, msg);
    }
    if (is_region_table(e)) {
        const char *code = json_string_value(json_object_get(obj, "code"));
        if (code && !authz_in_scope(u, code))
            add_err(errors, "code", "区域不存在或不在您的管辖范围内");
    }
    if (json_object_size(errors) == 0 && e->check)
        e->check(c, obj, errors);
    return obj;
}

static json_t *merge_validate(arena *a, db_conn *c, struct dict_cache *dc, const struct user *u,
                              const struct entity *e, json_t *input, json_t *existing,
                              json_t *errors)
{
    return merge_validate_as(a, c, dc, u, e, input, existing, errors, 0);
}

/* ---- writes ---- */

static int fts_update(db_conn *c, const struct entity *e, int64_t id, json_t *obj, int remove_only)
{
    if (is_region_table(e) || !has_search(e))
        return DB_OK;
    if (remove_only)
        return search_index_remove(c, e->name, id);
    buf uni, bi;
    buf_init(&uni, 1 << 20);
    buf_init(&bi, 1 << 20);
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].flags & FF_SEARCH) {
            json_t *v = json_object_get(obj, e->fields[i].name);
            if (json_is_string(v))
                search_grams(json_string_value(v), &uni, &bi);
        }
    int st = search_index_put(c, e->name, id, buf_str(&uni), buf_str(&bi));
    buf_free(&uni);
    buf_free(&bi);
    return st;
}

/* A files value as stored: JSON text (arena), NULL for none. */
static const char *files_text(arena *a, json_t *v)
{
    if (!json_is_array(v))
        return NULL;
    char *t = json_dumps(v, JSON_COMPACT);
    const char *out = arena_strdup(a, t);
    free(t);
    return out;
}

/* One column of an INSERT (", name") or UPDATE (", name = $n"), with its
 * bound value. A sensitive field is three columns: sealed, look-up hash and
 * mask; its plaintext is never bound. The sealed value is bound to its row
 * (crypto.h), so an INSERT, which has no id yet, leaves it to seal_new_row. */
static void put_col(buf *sql, struct binds *b, arena *a, const struct entity *e,
                    const struct field *f, json_t *v, int update, const char *row)
{
    if (f->type != FT_SENSITIVE) {
        int n = f->type == FT_FILES ? bind_text(b, files_text(a, v)) : bind_value(b, f, v);
        if (update)
            buf_printf(sql, ", %s = $%d", f->name, n);
        else
            buf_printf(sql, ", %s", f->name);
        return;
    }
    const char *sealed = NULL, *hash = NULL, *mask = NULL;
    const char *plain = json_string_value(v);
    if (plain && *plain) {
        const char *ad = sensitive_ad(a, e, f);
        char *norm = crypto_normalize(f->dict, plain), *x = NULL;
        char h[65];
        crypto_lookup_hash(ad, norm, h);
        if (row) {
            x = crypto_seal_row(e->name, f->name, row, norm);
            sealed = arena_strdup(a, x);
            free(x);
        }
        x = crypto_mask(f->dict, norm);
        mask = arena_strdup(a, x);
        free(x);
        hash = arena_strdup(a, h);
        sodium_memzero(norm, strlen(norm));
        free(norm);
    }
    static const char *suffix[] = {"enc", "hash", "mask"};
    const char *vals[] = {sealed, hash, mask};
    for (int i = 0; i < 3; i++) {
        int n = bind_text(b, vals[i]);
        if (update)
            buf_printf(sql, ", %s_%s = $%d", f->name, suffix[i], n);
        else
            buf_printf(sql, ", %s_%s", f->name, suffix[i]);
    }
}

/* Attaches the files of every files field of obj to the stored record, in
 * the writer's transaction. obj has passed merge_validate (check_value ran
 * files_ids_check on each new value; the others are the record's stored
 * ones). Earlier values stay attached: history keeps its photos. */
static int attach_files(db_conn *c, const struct entity *e, const char *key, json_t *obj)
{
    for (int i = 0; i < e->nfields; i++) {
        const struct field *f = &e->fields[i];
        json_t *v = json_object_get(obj, f->name);
        if (f->type != FT_FILES || !json_is_array(v))
            continue;
        int st = files_attach(c, e->name, key, row_region(e, obj), v);
        if (st != DB_OK)
            return st;
    }
    return DB_OK;
}

/* The sensitive values of a row just inserted, sealed with its new id, in
 * the inserting transaction. */
static int seal_new_row(db_conn *c, arena *a, const struct entity *e, int64_t id, json_t *obj)
{
    char row[24];
    snprintf(row, sizeof row, "%lld", (long long)id);
    for (int i = 0; i < ncols(e); i++) {
        const struct field *f = col_at(e, i);
        const char *plain = json_string_value(json_object_get(obj, f->name));
        if (f->type != FT_SENSITIVE || !plain || !*plain)
            continue;
        char *norm = crypto_normalize(f->dict, plain);
        char *x = crypto_seal_row(e->name, f->name, row, norm);
        sodium_memzero(norm, strlen(norm));
        free(norm);
        const char *p[] = {x, row};
        int st = db_exec_params(
            c,
            arena_printf(a, "UPDATE %s SET %s_enc = $1 WHERE id = CAST($2 AS BIGINT)", e->name,
                         f->name),
            2, p);
        free(x);
        if (st != DB_OK)
            return st;
    }
    return DB_OK;
}

/* Inserts a validated object; *id_out gets the new id (0 for regions). */
static int insert_row(db_conn *c, arena *a, const struct user *u, const struct entity *e,
                      json_t *obj, int64_t *id_out)
{
    buf sql;
    struct binds b = {0};
    char now[32];
    util_now_iso(now);
    buf_init(&sql, SQL_CAP);
    buf_printf(&sql, "INSERT INTO %s (created_at, updated_at", e->name);
    bind_text(&b, now);
    bind_text(&b, now);
    if (!is_region_table(e)) {
        buf_puts(&sql, ", created_by");
        bind_text(&b, u->username);
    }
    for (int i = 0; i < ncols(e); i++)
        put_col(&sql, &b, a, e, col_at(e, i), json_object_get(obj, col_at(e, i)->name), 0, NULL);
    buf_puts(&sql, ") VALUES (");
    for (int i = 1; i <= b.n; i++)
        buf_printf(&sql, "%s$%d", i > 1 ? ", " : "", i);
    buf_printf(&sql, ") RETURNING %s", is_region_table(e) ? "0" : "id");
    db_stmt *s = db_prepare(c, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return db_last_status(c);
    binds_apply(s, &b);
    int st = db_step(s);
    *id_out = st == DB_ROW ? db_col_int(s, 0) : 0;
    db_done(s);
    if (st != DB_ROW)
        return st < 0 ? st : DB_ERR;
    st = seal_new_row(c, a, e, *id_out, obj);
    if (st != DB_OK)
        return st;
    return fts_update(c, e, *id_out, obj, 0);
}

static int update_row(db_conn *c, arena *a, const struct entity *e, const char *key, int64_t id,
                      json_t *obj)
{
    buf sql;
    struct binds b = {0};
    char now[32];
    util_now_iso(now);
    buf_init(&sql, SQL_CAP);
    buf_printf(&sql, "UPDATE %s SET updated_at = $%d", e->name, bind_text(&b, now));
    /* Sealed values are bound to the id as stored, whatever spelling of it
     * the URL used. */
    char row[24];
    snprintf(row, sizeof row, "%lld", (long long)id);
    for (int i = 0; i < ncols(e); i++) {
        const struct field *f = col_at(e, i);
        json_t *v = json_object_get(obj, f->name);
        /* A sensitive value absent from the object was not sent: keep it. */
        if ((f->flags & FF_CREATE_ONLY) || (f->type == FT_SENSITIVE && !v))
            continue;
        put_col(&sql, &b, a, e, f, v, 1, row);
    }
    if (is_region_table(e))
        buf_printf(&sql, " WHERE code = $%d", bind_text(&b, key));
    else
        buf_printf(&sql, " WHERE id = $%d AND deleted_at IS NULL", bind_int(&b, id));
    db_stmt *s = db_prepare(c, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return db_last_status(c);
    binds_apply(s, &b);
    int st = db_step(s);
    db_done(s);
    if (st != DB_DONE)
        return st < 0 ? st : DB_ERR;
    return fts_update(c, e, id, obj, 0);
}

/* ---- list queries ---- */

struct query {
    arena *a;
    buf sql_where;
    struct binds b;
    buf order;
    int page, page_size;
    int today_n;         /* the parameter of today's date (derived fields), or 0 */
    const char *err_key; /* the offending parameter, for a 400 */
    const char *err_msg;
};

static int parse_long(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

static const char *scope_col(const struct entity *e)
{
    return is_region_table(e) ? "t.code" : "t.region";
}

/* Adds "AND col OP $n" for a typed filter value; -1 when the value is bad. */
static int add_cond(struct query *q, const struct field *f, const char *op, const char *value)
{
    int n;
    switch (f->type) {
    case FT_INT:
    case FT_BOOL: {
        long long v;
        if (f->type == FT_BOOL && (strcmp(value, "true") == 0 || strcmp(value, "false") == 0))
            v = value[0] == 't';
        else if (parse_long(value, &v) != 0)
            return -1;
        n = bind_int(&q->b, v);
        break;
    }
    case FT_NUM: {
        char *end;
        double d = strtod(value, &end);
        if (!*value || *end || !isfinite(d))
            return -1;
        n = bind_double(&q->b, d);
        break;
    }
    case FT_DATE:
        if (!util_date_valid(value))
            return -1;
        n = bind_text(&q->b, value);
        break;
    case FT_REGION:
        if (region_level_of(value) == RL_INVALID)
            return -1;
        n = bind_text(&q->b, value);
        break;
    default:
        n = bind_text(&q->b, value);
    }
    buf_printf(&q->sql_where, " AND t.%s %s $%d", f->name, op, n);
    return 0;
}

static void add_subtree(struct query *q, const char *col, const char *code)
{
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    region_subtree(code, lo, hi);
    if (strcmp(col, "t.region") == 0 || strcmp(col, "t.code") == 0) {
        /* The caller's scope is the first pair of parameters on the same
         * column: narrow it, so the index range is the intersection rather
         * than the scope with a filter checked row by row. */
        const char *slo = q->b.v[0].s, *shi = q->b.v[1].s;
        q->b.v[0].s = strcmp(lo, slo) > 0 ? arena_strdup(q->a, lo) : slo;
        q->b.v[1].s = strcmp(hi, shi) < 0 ? arena_strdup(q->a, hi) : shi;
        return;
    }
    int nlo = bind_text(&q->b, arena_strdup(q->a, lo));
    int nhi = bind_text(&q->b, arena_strdup(q->a, hi));
    buf_printf(&q->sql_where, " AND %s >= $%d AND %s < $%d", col, nlo, col, nhi);
}

static int sort_key_ok(const struct entity *e, const char *k, const char **col)
{
    static const char *std[] = {"id", "created_at", "updated_at"};
    if (is_region_table(e)) {
        if (strcmp(k, "code") == 0 || strcmp(k, "created_at") == 0 ||
            strcmp(k, "updated_at") == 0) {
            *col = k;
            return 1;
        }
    } else {
        for (size_t i = 0; i < sizeof std / sizeof std[0]; i++)
            if (strcmp(k, std[i]) == 0) {
                *col = std[i];
                return 1;
            }
    }
    const struct field *f = field_find(e, k);
    if (f && (f->flags & FF_SORT)) {
        *col = f->name;
        return 1;
    }
    return 0;
}

static int parse_sort(struct query *q, const struct entity *e, const char *spec)
{
    char *copy = arena_strdup(q->a, spec);
    int n = 0;
    for (char *save = NULL, *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        int desc = 0;
        if (*k == '-' || *k == '+')
            desc = *k++ == '-';
        const char *col;
        if (!sort_key_ok(e, k, &col) || n >= 4) {
            q->err_key = "sort";
            q->err_msg = arena_printf(q->a, "不支持按“%s”排序", k);
            return -1;
        }
        buf_printf(&q->order, "%st.%s %s", n++ ? ", " : "", col, desc ? "DESC" : "ASC");
    }
    return 0;
}

/* Typed fields are always exact filters; free text only when declared so. */
static int filterable(const struct field *f)
{
    return (f->flags & FF_FILTER) || f->type == FT_INT || f->type == FT_BOOL ||
           f->type == FT_DICT || f->type == FT_DATE || f->type == FT_REGION ||
           f->type == FT_SENSITIVE;
}

struct qctx {
    struct query *q;
    const struct entity *e;
    db_conn *c;
    const char *sort, *search;
};

static int query_param(struct qctx *x, const char *k, const char *v)
{
    struct query *q = x->q;
    const struct entity *e = x->e;
    long long n;
    if (!util_utf8_valid(v, strlen(v))) {
        q->err_key = k;
        q->err_msg = "参数不是有效的 UTF-8 文本";
        return -1;
    }
    if (strcmp(k, "page") == 0 || strcmp(k, "page_size") == 0) {
        int is_page = k[4] == '\0';
        if (parse_long(v, &n) != 0 || n < 1 || n > (is_page ? 1000000 : 500)) {
            q->err_key = k;
            q->err_msg = is_page ? "page 必须是正整数" : "page_size 必须是 1 到 500 之间的整数";
            return -1;
        }
        *(is_page ? &q->page : &q->page_size) = (int)n;
        return 0;
    }
    if (strcmp(k, "sort") == 0) {
        x->sort = v;
        return 0;
    }
    if (strcmp(k, "q") == 0) {
        x->search = v;
        return 0;
    }
    if (strcmp(k, "region") == 0 && !is_region_table(e)) {
        if (region_level_of(v) == RL_INVALID) {
            q->err_key = k;
            q->err_msg = "region 必须是有效的区域代码";
            return -1;
        }
        add_subtree(q, "t.region", v);
        return 0;
    }
    size_t kl = strlen(k);
    const char *op = "=";
    char base[96];
    snprintf(base, sizeof base, "%s", k);
    if (kl > 5 && strcmp(k + kl - 5, "_from") == 0) {
        base[kl - 5] = '\0';
        op = ">=";
    } else if (kl > 3 && strcmp(k + kl - 3, "_to") == 0) {
        base[kl - 3] = '\0';
        op = "<=";
    }
    const struct derived *d = derived_find(e, k);
    if (d && (d->f.flags & FF_FILTER) && d->f.type == FT_BOOL) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
            q->err_key = k;
            q->err_msg = arena_printf(q->a, "%s 必须是 true 或 false", k);
            return -1;
        }
        const char *cond = v[0] == 't' ? d->if_true : d->if_false;
        buf_puts(&q->sql_where, " AND (");
        if (cond) {
            derived_sql(&q->sql_where, cond, q->today_n);
            buf_puts(&q->sql_where, ")");
            return 0;
        }
        int nb = bind_int(&q->b, v[0] == 't');
        derived_sql(&q->sql_where, d->expr, q->today_n);
        buf_printf(&q->sql_where, ") = $%d", nb);
        return 0;
    }
    const struct field *f = field_find(e, base);
    int ok = f && (op[0] == '=' ? filterable(f) : (f->flags & FF_RANGE) != 0);
    if (!ok) {
        q->err_key = k;
        q->err_msg = arena_printf(q->a, "未知的筛选条件“%s”", k);
        return -1;
    }
    if (f->type == FT_SENSITIVE && op[0] == '=') {
        /* Exact match through the keyed hash; the value itself is never
         * compared or stored in clear. */
        char *norm = crypto_normalize(f->dict, v);
        char h[65];
        crypto_lookup_hash(sensitive_ad(q->a, e, f), norm, h);
        sodium_memzero(norm, strlen(norm));
        free(norm);
        int nh = bind_text(&q->b, arena_strdup(q->a, h));
        buf_printf(&q->sql_where, " AND t.%s_hash = $%d", f->name, nh);
        return 0;
    }
    if (f->type == FT_REGION && op[0] == '=') {
        if (region_level_of(v) == RL_INVALID) {
            q->err_key = k;
            q->err_msg = arena_printf(q->a, "%s 必须是有效的区域代码", k);
            return -1;
        }
        add_subtree(q, arena_printf(q->a, "t.%s", f->name), v);
        return 0;
    }
    if (add_cond(q, f, op, v) != 0) {
        q->err_key = k;
        q->err_msg = arena_printf(q->a, "筛选条件“%s”的值无效", k);
        return -1;
    }
    return 0;
}

/* "%text%" with LIKE's wildcards escaped by a backslash. */
static const char *like_pattern(arena *a, const char *text)
{
    size_t n = strlen(text);
    char *p = arena_alloc(a, n * 2 + 3), *o = p;
    *o++ = '%';
    for (const char *t = text; *t; t++) {
        if (*t == '%' || *t == '_' || *t == '\\')
            *o++ = '\\';
        *o++ = *t;
    }
    *o++ = '%';
    *o = '\0';
    return p;
}

/* Builds WHERE/ORDER for the caller's scope plus the filters. 0 or -1
 * (q->err_key/err_msg say why). */
static int query_build(arena *a, db_conn *c, const struct user *u, const struct entity *e, int n,
                       const char *const *keys, const char *const *values, struct query *q)
{
    memset(q, 0, sizeof *q);
    q->a = a;
    buf_init(&q->sql_where, SQL_CAP);
    buf_init(&q->order, 1024);
    q->page = 1;
    q->page_size = 20;
    /* The caller's subtree first: every list and export is scoped. */
    int nlo = bind_text(&q->b, u->scope_lo), nhi = bind_text(&q->b, u->scope_hi);
    buf_printf(&q->sql_where, " AND %s >= $%d AND %s < $%d", scope_col(e), nlo, scope_col(e), nhi);
    if (e->nderived) {
        /* Today's date, for the derived fields; named in the WHERE clause
         * so that every statement of the query (count too) uses it. */
        char today[11];
        util_today(today);
        q->today_n = bind_text(&q->b, arena_strdup(a, today));
        buf_printf(&q->sql_where, " AND CAST($%d AS TEXT) IS NOT NULL", q->today_n);
    }
    if ((e->flags & ENT_UNIT_SCOPED) && u->unit_id) {
        int nu = bind_int(&q->b, u->unit_id);
        buf_printf(&q->sql_where, " AND t.unit_id = $%d", nu);
    }
    struct qctx x = {q, e, c, NULL, NULL};
    for (int i = 0; i < n; i++)
        if (query_param(&x, keys[i], values[i]) != 0)
            return -1;
    if (x.search && *x.search && is_region_table(e)) {
        /* The region tree is small; a substring scan of names is enough. */
        int nq = bind_text(&q->b, like_pattern(a, x.search));
        buf_printf(&q->sql_where, " AND (t.name %s $%d ESCAPE '\\' OR t.code LIKE $%d)",
                   search_like(db_conn_kind(c)), nq, nq);
    } else if (x.search && *x.search) {
        if (!has_search(e)) {
            q->err_key = "q";
            q->err_msg = "此列表不支持关键字搜索";
            return -1;
        }
        char *expr = search_query(a, db_conn_kind(c), x.search);
        if (expr)
            search_filter_sql(db_conn_kind(c), e->name, bind_text(&q->b, expr), &q->sql_where);
        /* The index finds candidates by grams; the substring test makes the
         * answer exact (punctuation, spaces, terms of only symbols). */
        int nl = bind_text(&q->b, like_pattern(a, x.search));
        buf_puts(&q->sql_where, " AND (");
        int first = 1;
        for (int i = 0; i < e->nfields; i++)
            if (e->fields[i].flags & FF_SEARCH) {
                buf_printf(&q->sql_where, "%st.%s %s $%d ESCAPE '\\'", first ? "" : " OR ",
                           e->fields[i].name, search_like(db_conn_kind(c)), nl);
                first = 0;
            }
        buf_puts(&q->sql_where, ")");
    }
    if (parse_sort(q, e, x.sort ? x.sort : e->default_sort) != 0)
        return -1;
    buf_printf(&q->order, "%st.%s", q->order.len ? ", " : "", key_col(e));
    return 0;
}

static void query_free(struct query *q)
{
    buf_free(&q->sql_where);
    buf_free(&q->order);
}

/* ---- one row ---- */

/* The statement that reads one row by key, built once per entity: it is on
 * the hottest path (every GET of one object). */
static char **one_row_sqls;
static const struct entity **one_row_ents;
static int one_row_n;
static pthread_once_t one_row_once = PTHREAD_ONCE_INIT;

static void build_one_row_sqls(void)
{
    one_row_n = entity_count();
    one_row_sqls = xcalloc((size_t)one_row_n, sizeof *one_row_sqls);
    one_row_ents = xcalloc((size_t)one_row_n, sizeof *one_row_ents);
    for (int i = 0; i < one_row_n; i++) {
        const struct entity *e = one_row_ents[i] = entity_at(i);
        buf sql;
        buf_init(&sql, SQL_CAP);
        buf_puts(&sql, "SELECT ");
        select_cols(e, &sql, 2);
        from_clause(e, &sql);
        buf_printf(&sql, " AND t.%s = $1", key_col(e));
        one_row_sqls[i] = buf_detach(&sql, NULL);
    }
}

static const char *one_row_sql(const struct entity *e)
{
    pthread_once(&one_row_once, build_one_row_sqls);
    for (int i = 0; i < one_row_n; i++)
        if (one_row_ents[i] == e)
            return one_row_sqls[i];
    abort(); /* every entity comes from the registry */
}

/* Loads a live row by key without scope (the caller asks authz next).
 * NULL when absent; *st carries a database error. */
static json_t *load_row(db_conn *c, const struct entity *e, const char *key, struct dict_cache *dc,
                        int *st)
{
    long long id = 0;
    *st = DB_OK;
    if (!is_region_table(e) && (parse_long(key, &id) != 0 || id < 1))
        return NULL;
    db_stmt *s = db_prepare(c, one_row_sql(e));
    if (!s) {
        *st = db_last_status(c);
        return NULL;
    }
    if (is_region_table(e))
        db_bind_text(s, 1, key);
    else
        db_bind_int(s, 1, id);
    bind_today(s, e, 2);
    json_t *o = NULL;
    int rc = db_step(s);
    if (rc == DB_ROW)
        o = row_json(e, s, dc);
    else if (rc < 0)
        *st = rc;
    db_done(s);
    return o;
}

static const char *row_region(const struct entity *e, json_t *row)
{
    return json_string_value(json_object_get(row, is_region_table(e) ? "code" : "region"));
}

int entity_row_hidden(const struct entity *e, const struct user *u, json_t *row)
{
    if (!(e->flags & ENT_UNIT_SCOPED) || !u || !u->unit_id)
        return 0;
    json_t *v = json_object_get(row, "unit_id");
    return !json_is_integer(v) || json_integer_value(v) != u->unit_id;
}

/* The same on a row under the cursor of one_row_sql. */
static int unit_hidden_col(const struct entity *e, const struct user *u, db_stmt *s)
{
    if (!(e->flags & ENT_UNIT_SCOPED) || !u || !u->unit_id)
        return 0;
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, "unit_id") == 0)
            return db_col_type(s, 6 + i) == DB_T_NULL || db_col_int(s, 6 + i) != u->unit_id;
    return 1;
}

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
    json_t *row = load_row(req_db(r), e, key, dc, &st);
    if (!row) {
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return NULL;
    }
    arena_defer(r->a, defer_decref, row);
    if (authz_require(r, perm_of(r->a, e, action), row_region(e, row)) != 0)
        return NULL;
    if (entity_row_hidden(e, r->user, row)) {
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return NULL;
    }
    return row;
}

/* ---- audit ---- */

/* {field:[before, after]} over the declared columns that changed. Sensitive
 * values never enter the log: a change shows as "***". */
static json_t *changes_of(const struct entity *e, json_t *before, json_t *after)
{
    json_t *d = json_object();
    for (int i = 0; i < ncols(e); i++) {
        const struct field *f = col_at(e, i);
        json_t *b = before ? json_object_get(before, f->name) : NULL;
        json_t *a = after ? json_object_get(after, f->name) : NULL;
        if (f->type == FT_SENSITIVE) {
            if (!a && after)
                continue; /* not sent: unchanged */
            int had = b && !json_is_null(b), has = a && !json_is_null(a);
            if (had || has)
                json_object_set_new(d, f->name,
                                    json_pack("[s?,s?]", had ? "***" : NULL, has ? "***" : NULL));
            continue;
        }
        if (!b)
            b = json_null();
        if (!a)
            a = json_null();
        if (!json_equal(a, b))
            json_object_set_new(d, f->name, json_pack("[O,O]", b, a));
    }
    return d;
}

static int has_sensitive(const struct entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_SENSITIVE)
            return 1;
    return 0;
}

static int audit_change(db_conn *c, const struct audit_actor *who, const char *action,
                        const struct entity *e, const char *key, const char *region, json_t *before,
                        json_t *after)
{
    json_t *ch = changes_of(e, before, after);
    int st = audit_write(c, who, action, e->name, key, region, ch, NULL);
    json_decref(ch);
    return st;
}

static struct audit_actor actor_of(req *r)
{
    struct audit_actor who = {r->user, r->client_ip};
    return who;
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
    if (query_build(r->a, req_db(r), r->user, e, kv.n, kv.k, kv.v, q) != 0) {
        json_t *f = json_object();
        json_object_set_new(f, q->err_key, json_string(q->err_msg));
        reply_error(r, 400, "bad_request", q->err_msg, f);
        query_free(q);
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
    buf_init(&sql, SQL_CAP);
    buf_puts(&sql, "SELECT count(*)");
    from_clause(e, &sql);
    buf_puts(&sql, buf_str(&q.sql_where));
    int64_t total = 0;
    db_stmt *s = db_prepare(c, buf_str(&sql));
    int st = s ? DB_ERR : db_last_status(c);
    if (s) {
        binds_apply(s, &q.b);
        st = db_step(s);
        total = st == DB_ROW ? db_col_int(s, 0) : 0;
        db_done(s);
    }
    if (st != DB_ROW)
        goto dberr;
    buf_reset(&sql);
    buf_puts(&sql, "SELECT ");
    select_cols(e, &sql, q.today_n);
    from_clause(e, &sql);
    int nl = bind_int(&q.b, q.page_size);
    int no = bind_int(&q.b, (int64_t)(q.page - 1) * q.page_size);
    buf_printf(&sql, "%s ORDER BY %s LIMIT $%d OFFSET $%d", buf_str(&q.sql_where),
               buf_str(&q.order), nl, no);
    s = db_prepare(c, buf_str(&sql));
    if (!s) {
        st = db_last_status(c);
        goto dberr;
    }
    binds_apply(s, &q.b);
    buf o;
    buf_init(&o, (size_t)64 << 20);
    buf_puts(&o, "{\"items\":[");
    int n = 0;
    while ((st = db_step(s)) == DB_ROW) {
        if (n++)
            buf_puts(&o, ",");
        row_write(&o, e, s, dc);
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
    query_free(&q);
    return;
dberr:
    reply_db_error(r, st < 0 ? st : DB_ERR);
    buf_free(&sql);
    query_free(&q);
}

static void h_get(req *r)
{
    const struct entity *e = route_entity(r);
    db_conn *c = req_db(r);
    const char *key = req_param(r, "id");
    long long id = 0;
    if (!is_region_table(e) && (parse_long(key, &id) != 0 || id < 1)) {
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    db_stmt *s = db_prepare(c, one_row_sql(e));
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    if (is_region_table(e))
        db_bind_text(s, 1, key);
    else
        db_bind_int(s, 1, id);
    bind_today(s, e, 2);
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
    const char *region = arena_strdup(r->a, db_col_text(s, is_region_table(e) ? 0 : 4));
    if (authz_require(r, perm_of(r->a, e, "read"), region) != 0) {
        db_done(s);
        return;
    }
    if (unit_hidden_col(e, r->user, s)) {
        db_done(s);
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    buf o;
    buf_init(&o, (size_t)16 << 20);
    row_write(&o, e, s, dict_cache_new(r->a, c));
    db_done(s);
    /* A registry record is personal data: who looked at it is kept. */
    if (has_sensitive(e)) {
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
    db_conn *c = req_db(r);
    int st = db_begin(c);
    if (st != DB_OK) {
        reply_db_error(r, st);
        return;
    }
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
    buf_init(&sql, SQL_CAP);
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
    st = audit_write(c, &who, "reveal", e->name, req_param(r, "id"), row_region(e, row), NULL,
                     reason);
    if (req_commit(r, c, st) != 0)
        return;
    reply_json(r, 200, json_pack("{s:O}", "fields", fields));
}

long entity_rekey(db_conn *c, char **err)
{
    long n = 0;
    arena *a = arena_new();
    *err = NULL;
    for (int i = 0; i < entity_count() && !*err; i++) {
        const struct entity *e = entity_at(i);
        for (int k = 0; k < e->nfields && !*err; k++) {
            const struct field *f = &e->fields[k];
            if (f->type != FT_SENSITIVE)
                continue;
            char *sel = xasprintf("SELECT id, %s_enc FROM %s WHERE %s_enc IS NOT NULL", f->name,
                                  e->name, f->name);
            char *upd = xasprintf("UPDATE %s SET %s_enc = $1 WHERE id = $2", e->name, f->name);
            db_stmt *s = db_prepare(c, sel);
            while (s && db_step(s) == DB_ROW && !*err) {
                const char *sealed = db_col_text(s, 1);
                char id[24];
                snprintf(id, sizeof id, "%lld", (long long)db_col_int(s, 0));
                /* Legacy values (bound to their column only) are re-sealed
                 * to their row even under the current key. */
                if (crypto_sealed_key_id(sealed) == crypto_current_key_id() &&
                    crypto_sealed_row_bound(sealed))
                    continue;
                char *plain = crypto_open_row(e->name, f->name, id, sealed);
                if (!plain) {
                    *err = xasprintf("%s 第 %lld 条记录的 %s 无法解密", e->label,
                                     (long long)db_col_int(s, 0), f->label);
                    break;
                }
                char *fresh = crypto_seal_row(e->name, f->name, id, plain);
                sodium_memzero(plain, strlen(plain));
                free(plain);
                const char *p[] = {fresh, id};
                if (db_exec_params(c, upd, 2, p) != DB_OK)
                    *err = xasprintf("写入失败: %s", db_errmsg(c));
                free(fresh);
                n++;
            }
            db_done(s);
            free(sel);
            free(upd);
        }
    }
    arena_free(a);
    return *err ? -1 : n;
}

static void reply_validation(req *r, json_t *errors)
{
    const char *first = NULL;
    json_t *v;
    const char *k;
    json_object_foreach(errors, k, v)
    {
        first = arena_printf(r->a, "数据校验失败：%s %s", k, json_string_value(v));
        break;
    }
    reply_error(r, 422, "validation_failed", first ? first : "数据校验失败", json_incref(errors));
}

/* Reads back the stored row for the reply; the transaction has committed. */
json_t *entity_get(db_conn *c, arena *a, const struct entity *e, const char *key, int *st)
{
    return load_row(c, e, key, dict_cache_new(a, c), st);
}

int entity_reindex(db_conn *c, arena *a, const struct entity *e, const char *key)
{
    int st;
    json_t *row = load_row(c, e, key, dict_cache_new(a, c), &st);
    if (!row)
        return st < 0 ? st : DB_ERR;
    st = has_search(e) ? fts_update(c, e, atoll(key), row, 0) : DB_OK;
    json_decref(row);
    return st;
}

static void reply_row(req *r, const struct entity *e, const char *key, int status)
{
    int st;
    json_t *row = load_row(req_db(r), e, key, dict_cache_new(r->a, req_db(r)), &st);
    if (!row) {
        reply_db_error(r, st < 0 ? st : DB_ERR);
        return;
    }
    reply_json(r, status, row);
}

int entity_create(db_conn *c, arena *a, const struct audit_actor *who, const struct entity *e,
                  json_t *in, json_t *errors, const char **key_out)
{
    json_t *obj = merge_validate(a, c, dict_cache_new(a, c), who->user, e, in, NULL, errors);
    int st = DB_ERR_CONSTRAINT;
    if (json_object_size(errors) == 0) {
        int64_t id = 0;
        st = insert_row(c, a, who->user, e, obj, &id);
        const char *key = is_region_table(e)
                              ? arena_strdup(a, json_string_value(json_object_get(obj, "code")))
                              : arena_printf(a, "%lld", (long long)id);
        if (st == DB_OK)
            st = attach_files(c, e, key, obj);
        if (st == DB_OK)
            st = audit_change(c, who, "create", e, key, row_region(e, obj), NULL, obj);
        if (st == DB_OK && e->created)
            st = e->created(c, a, who, key, obj, 0);
        if (key_out)
            *key_out = key;
    }
    json_decref(obj);
    return st;
}

static void h_create(req *r)
{
    const struct entity *e = route_entity(r);
    if (authz_require(r, perm_of(r->a, e, "write"), NULL) != 0)
        return;
    json_t *in = req_json(r);
    if (!in)
        return;
    db_conn *c = req_db(r);
    int st = db_begin(c);
    if (st != DB_OK) {
        reply_db_error(r, st);
        return;
    }
    json_t *errors = json_object();
    arena_defer(r->a, defer_decref, errors);
    struct audit_actor who = actor_of(r);
    const char *key = NULL;
    st = entity_create(c, r->a, &who, e, in, errors, &key);
    if (json_object_size(errors)) {
        db_rollback(c);
        reply_validation(r, errors);
        return;
    }
    if (st == DB_OK)
        st = db_commit(c);
    if (st != DB_OK) {
        db_rollback(c);
        if (st == DB_ERR_UNIQUE && is_region_table(e)) {
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
    db_conn *c = req_db(r);
    struct dict_cache *dc = dict_cache_new(r->a, c);
    json_t *in = req_json(r);
    if (!in)
        return;
    int st = db_begin(c);
    if (st != DB_OK) {
        reply_db_error(r, st);
        return;
    }
    /* Load inside the transaction so that the merge sees the latest row. */
    json_t *row = load_authorized(r, e, "write", dc);
    if (!row) {
        db_rollback(c);
        return;
    }
    json_t *errors = json_object();
    arena_defer(r->a, defer_decref, errors);
    json_t *obj = merge_validate(r->a, c, dc, r->user, e, in, row, errors);
    arena_defer(r->a, defer_decref, obj);
    if (json_object_size(errors)) {
        db_rollback(c);
        reply_validation(r, errors);
        return;
    }
    const char *key = req_param(r, "id");
    st = update_row(c, r->a, e, key, is_region_table(e) ? 0 : atoll(key), obj);
    if (st == DB_OK)
        st = attach_files(c, e, key, obj);
    struct audit_actor who = actor_of(r);
    if (st == DB_OK)
        st = audit_change(c, &who, "update", e, key, row_region(e, obj), row, obj);
    if (req_commit(r, c, st) != 0)
        return;
    reply_row(r, e, key, 200);
}

static void h_delete(req *r)
{
    const struct entity *e = route_entity(r);
    db_conn *c = req_db(r);
    int st = db_begin(c);
    if (st != DB_OK) {
        reply_db_error(r, st);
        return;
    }
    json_t *row = load_authorized(r, e, "write", dict_cache_new(r->a, c));
    if (!row) {
        db_rollback(c);
        return;
    }
    const char *key = req_param(r, "id");
    char sql[256], now[32];
    util_now_iso(now);
    if (is_region_table(e)) {
        /* Regions are deleted for real; a region still in use is refused by
         * the foreign keys of its children and records. */
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE code = $1", e->name);
        const char *p[] = {key};
        st = db_exec_params(c, sql, 1, p);
        if (st == DB_ERR_FOREIGN_KEY) {
            db_rollback(c);
            reply_error(r, 409, "conflict", "该区域下仍有下级区域、用户或业务数据，不能删除", NULL);
            return;
        }
    } else {
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET deleted_at = $1, updated_at = $1 WHERE id = $2 "
                 "AND deleted_at IS NULL",
                 e->name);
        const char *p[] = {now, key};
        st = db_exec_params(c, sql, 2, p);
        if (st == DB_OK)
            st = fts_update(c, e, atoll(key), NULL, 1);
    }
    struct audit_actor who = actor_of(r);
    if (st == DB_OK)
        st = audit_write(c, &who, "delete", e->name, key, row_region(e, row), NULL, NULL);
    if (req_commit(r, c, st) != 0)
        return;
    reply_empty(r, 204);
}

/* ---- spreadsheet columns ---- */

/* Import columns: the region code first for plain entities, then every
 * writable, importable field. */
static int import_cols(const struct entity *e, const struct field **out, int cap)
{
    int n = 0;
    for (int i = 0; i < ncols(e) && n < cap; i++) {
        const struct field *f = col_at(e, i);
        if (settable(f, 1) && !(f->flags & FF_NOIMPORT))
            out[n++] = f;
    }
    return n;
}

static const char *col_label(const struct entity *e, const struct field *f)
{
    return f == &region_field || (is_region_table(e) && strcmp(f->name, "code") == 0) ? "区域代码"
                                                                                      : f->label;
}

long entity_export_file(db_conn *c, const struct user *u, const struct entity *e, int nfilters,
                        const char *const *keys, const char *const *values, const char *path,
                        char **err)
{
    arena *a = arena_new();
    struct query q;
    long rows = -1;
    buf sql;
    buf_init(&sql, SQL_CAP);
    *err = NULL;
    if (query_build(a, c, u, e, nfilters, keys, values, &q) != 0) {
        *err = xstrdup(q.err_msg);
        query_free(&q);
        arena_free(a);
        buf_free(&sql);
        return -2;
    }
    struct dict_cache *dc = dict_cache_new(a, c);
    struct sheetw *w = sheetw_open(path, e->label, err);
    if (!w)
        goto out;
    /* Columns: key, region name (plain entities), then every exportable
     * column of the declaration, then who and when. */
    const char *labels[128];
    int nl = 0;
    if (!is_region_table(e))
        labels[nl++] = "编号";
    for (int i = 0; i < ncols(e); i++)
        if (!(col_at(e, i)->flags & FF_NOEXPORT)) {
            labels[nl++] = col_label(e, col_at(e, i));
            if (col_at(e, i) == &region_field)
                labels[nl++] = "所属区域";
        }
    labels[nl++] = "创建时间";
    if (!is_region_table(e))
        labels[nl++] = "创建人";
    sheetw_header(w, nl, labels, NULL);
    buf_puts(&sql, "SELECT ");
    select_cols(e, &sql, q.today_n);
    from_clause(e, &sql);
    int nlim = bind_int(&q.b, EXPORT_MAX_ROWS);
    buf_printf(&sql, "%s ORDER BY %s LIMIT $%d", buf_str(&q.sql_where), buf_str(&q.order), nlim);
    db_stmt *s = db_prepare(c, buf_str(&sql));
    if (!s) {
        *err = xstrdup("数据库查询失败");
        sheetw_close(w, err);
        goto out;
    }
    binds_apply(s, &q.b);
    int st;
    long row = 0;
    while ((st = db_step(s)) == DB_ROW) {
        json_t *o = row_json(e, s, dc);
        int col = 0;
        row++;
        if (!is_region_table(e))
            sheetw_number(w, (int)row, col++, (double)json_integer_value(json_object_get(o, "id")));
        for (int i = 0; i < ncols(e); i++) {
            const struct field *f = col_at(e, i);
            if (f->flags & FF_NOEXPORT)
                continue;
            const char *name = f == &region_field ? "region" : f->name;
            json_t *v =
                json_object_get(o, is_region_table(e) && strcmp(name, "code") == 0 ? "code" : name);
            if (f->type == FT_DICT) {
                char key[96];
                snprintf(key, sizeof key, "%s_label", f->name);
                sheetw_text(w, (int)row, col, json_string_value(json_object_get(o, key)));
            } else if (json_is_number(v)) {
                sheetw_number(w, (int)row, col, json_number_value(v));
            } else if (json_is_boolean(v)) {
                sheetw_text(w, (int)row, col, json_is_true(v) ? "是" : "否");
            } else if (f->type == FT_DATE) {
                sheetw_date(w, (int)row, col, json_string_value(v));
            } else {
                sheetw_text(w, (int)row, col, json_string_value(v));
            }
            col++;
            if (f == &region_field)
                sheetw_text(w, (int)row, col++,
                            json_string_value(json_object_get(o, "region_name")));
        }
        sheetw_text(w, (int)row, col++, json_string_value(json_object_get(o, "created_at")));
        if (!is_region_table(e))
            sheetw_text(w, (int)row, col++, json_string_value(json_object_get(o, "created_by")));
        json_decref(o);
    }
    db_done(s);
    if (st != DB_DONE) {
        sheetw_close(w, err);
        free(*err);
        *err = xstrdup("数据库查询失败");
        goto out;
    }
    if (sheetw_close(w, err) == 0)
        rows = row;
out:
    buf_free(&sql);
    query_free(&q);
    arena_free(a);
    return rows;
}

int entity_template_file(const struct entity *e, const char *path)
{
    char *err = NULL;
    struct sheetw *w = sheetw_open(path, e->label, &err);
    if (!w) {
        free(err);
        return -1;
    }
    const struct field *cols[128];
    const char *labels[128], *notes[130];
    int n = import_cols(e, cols, 128);
    arena *a = arena_new();
    notes[0] = arena_printf(a, "%s导入说明", e->label);
    for (int i = 0; i < n; i++) {
        const struct field *f = cols[i];
        labels[i] = col_label(e, f);
        const char *kind = f->type == FT_DATE        ? "日期，如 2025-03-05"
                           : f->type == FT_INT       ? "整数"
                           : f->type == FT_NUM       ? "数字"
                           : f->type == FT_BOOL      ? "是/否"
                           : f->type == FT_DICT      ? "从字典中选择（填写名称）"
                           : f->type == FT_REGION    ? "12 位区域代码"
                           : f->type == FT_DATETIME  ? "时间，如 2025-03-05 09:30"
                           : f->type == FT_SENSITIVE ? "文本（加密保存）"
                                                     : "文本";
        notes[i + 1] = arena_printf(a, "%s：%s%s", labels[i], kind,
                                    (f->flags & FF_REQUIRED) ? "（必填）" : "");
    }
    sheetw_header(w, n, labels, NULL);
    sheetw_notes(w, "说明", n + 1, notes);
    int rc = sheetw_close(w, &err);
    free(err);
    arena_free(a);
    return rc;
}

/* ---- import ---- */

struct import_ctx {
    db_conn *c;
    const struct audit_actor *who;
    const struct user *u;
    const struct entity *e;
    struct dict_cache *dc;
    arena *a, *row_arena;
    int partial;
    int header_seen;
    int ncols;
    const struct field *colmap[1024];
    int region_by_name[1024];
    long total, accepted, rejected;
    json_t *rows;
    int db_status;
    int savepoints; /* a savepoint per row (see import_row) */
    int retry;      /* PostgreSQL refused a row without one: start over with them */
    char message[256];
};

static const char *norm_date(arena *a, const char *s)
{
    int y, m, d;
    char tail;
    if (util_date_valid(s))
        return s;
    if (sscanf(s, "%d-%d-%d%c", &y, &m, &d, &tail) >= 3 ||
        sscanf(s, "%d/%d/%d%c", &y, &m, &d, &tail) >= 3 ||
        sscanf(s, "%d.%d.%d%c", &y, &m, &d, &tail) >= 3 ||
        sscanf(s, "%d年%d月%d日", &y, &m, &d) == 3) {
        char *out = arena_printf(a, "%04d-%02d-%02d", y, m, d);
        if (util_date_valid(out))
            return out;
    }
    return NULL;
}

/* One cell to its JSON value; NULL and *msg on a bad cell. */
static json_t *cell_value(struct import_ctx *x, const struct field *f, int by_name,
                          const char *cell, const char **msg)
{
    arena *a = x->row_arena;
    switch (f->type) {
    case FT_INT: {
        long long v;
        if (parse_long(cell, &v) != 0) {
            *msg = "必须是整数";
            return NULL;
        }
        return json_integer(v);
    }
    case FT_NUM: {
        char *end;
        double d = strtod(cell, &end);
        if (*end || !isfinite(d)) {
            *msg = "必须是数字";
            return NULL;
        }
        return json_real(d);
    }
    case FT_BOOL:
        if (!strcmp(cell, "是") || !strcmp(cell, "1") || !strcasecmp(cell, "true") ||
            !strcasecmp(cell, "y"))
            return json_true();
        if (!strcmp(cell, "否") || !strcmp(cell, "0") || !strcasecmp(cell, "false") ||
            !strcasecmp(cell, "n"))
            return json_false();
        *msg = "必须是“是”或“否”";
        return NULL;
    case FT_DATE: {
        const char *d = norm_date(a, cell);
        if (!d) {
            *msg = "必须是有效日期（YYYY-MM-DD）";
            return NULL;
        }
        return json_string(d);
    }
    case FT_DATETIME: {
        if (util_datetime_valid(cell))
            return json_string(cell);
        char date[11];
        int hh = 0, mm = 0, ss = 0;
        if (strlen(cell) >= 10) {
            memcpy(date, cell, 10);
            date[10] = '\0';
            const char *d = norm_date(a, date);
            if (d && (cell[10] == '\0' || sscanf(cell + 11, "%d:%d:%d", &hh, &mm, &ss) >= 2) &&
                hh < 24 && mm < 60 && ss < 61)
                return json_string(arena_printf(a, "%sT%02d:%02d:%02d+08:00", d, hh, mm, ss));
        }
        *msg = "必须是时间（如 2025-03-05 09:30）";
        return NULL;
    }
    case FT_DICT: {
        const char *code = dict_code_for(x->dc, f->dict, cell);
        if (!code) {
            *msg =
                arena_printf(a, "不是有效的选项（可选：%s）", dict_labels_joined(x->dc, f->dict));
            return NULL;
        }
        return json_string(code);
    }
    case FT_REGION:
        if (by_name || region_level_of(cell) == RL_INVALID) {
            db_stmt *s = db_prepare(x->c, "SELECT code FROM regions WHERE name = $1 "
                                          "AND code >= $2 AND code < $3 LIMIT 2");
            if (!s) {
                *msg = "数据库错误";
                return NULL;
            }
            db_bind_text(s, 1, cell);
            db_bind_text(s, 2, x->u->scope_lo);
            db_bind_text(s, 3, x->u->scope_hi);
            const char *code = NULL;
            int found = 0;
            while (db_step(s) == DB_ROW) {
                found++;
                code = arena_strdup(a, db_col_text(s, 0));
            }
            db_done(s);
            if (found != 1) {
                *msg = found ? "区域名称不唯一，请填写区域代码" : "区域不存在或不在您的管辖范围内";
                return NULL;
            }
            return json_string(code);
        }
        return json_string(cell);
    default:
        return json_string(cell);
    }
}

static int import_header(struct import_ctx *x, const char *const *cells, size_t n)
{
    const struct field *cols[128];
    int ncol = import_cols(x->e, cols, 128);
    x->ncols = (int)(n > 1024 ? 1024 : n);
    for (int i = 0; i < x->ncols; i++) {
        const char *h = cells[i];
        while (*h == ' ')
            h++;
        for (int k = 0; k < ncol; k++)
            if (strcmp(h, col_label(x->e, cols[k])) == 0 || strcmp(h, cols[k]->name) == 0)
                x->colmap[i] = cols[k];
        if (!x->colmap[i] && !is_region_table(x->e) && strcmp(h, "所属区域") == 0) {
            x->colmap[i] = &region_field;
            x->region_by_name[i] = 1;
        }
    }
    /* A required column missing from the header is a file error, not a row error. */
    for (int k = 0; k < ncol; k++) {
        int present = 0;
        for (int i = 0; i < x->ncols; i++)
            present |= x->colmap[i] == cols[k];
        if (!present && (cols[k]->flags & FF_REQUIRED)) {
            snprintf(x->message, sizeof x->message, "缺少必填列“%s”", col_label(x->e, cols[k]));
            return -1;
        }
    }
    return 0;
}

static void import_reject(struct import_ctx *x, long rowno, json_t *errors)
{
    x->rejected++;
    if (json_array_size(x->rows) < 1000)
        json_array_append_new(x->rows,
                              json_pack("{s:I, s:O}", "row", (json_int_t)rowno, "fields", errors));
}

static int import_row(void *ctx, long rowno, const char *const *cells, size_t n)
{
    struct import_ctx *x = ctx;
    if (!x->header_seen) {
        x->header_seen = 1;
        return import_header(x, cells, n) == 0 ? 0 : 1;
    }
    int blank = 1;
    for (size_t i = 0; i < n && blank; i++)
        blank = cells[i][0] == '\0';
    if (blank)
        return 0;
    x->total++;
    arena_reset(x->row_arena);
    json_t *in = json_object(), *errors = json_object();
    for (int i = 0; i < x->ncols && (size_t)i < n; i++) {
        const struct field *f = x->colmap[i];
        if (!f || !cells[i][0] || json_object_get(in, f->name))
            continue;
        const char *msg = NULL;
        json_t *v = cell_value(x, f, x->region_by_name[i], cells[i], &msg);
        if (v)
            json_object_set_new(in, f->name, v);
        else
            add_err(errors, f->name, msg);
    }
    /* Validate the rest of the row too, so that every bad cell is named. */
    json_t *obj = merge_validate_as(x->row_arena, x->c, x->dc, x->u, x->e, in, NULL, errors, 1);
    /* Good rows are stored even after a bad one: later rows may depend on
     * them (a village on its township), and all-or-nothing rolls back at
     * the end anyway. */
    if (json_object_size(errors) == 0) {
        int64_t id;
        /* A savepoint per row: a row refused by the database leaves no
         * trace, and on PostgreSQL the transaction goes on after it. On
         * PostgreSQL thousands of savepoints cost ten times the rows, so a
         * first pass goes without and a refused row starts it over with. */
        int st = x->savepoints ? db_savepoint(x->c) : DB_OK;
        if (st == DB_OK)
            st = insert_row(x->c, x->row_arena, x->u, x->e, obj, &id);
        if (st == DB_OK) {
            const char *key = is_region_table(x->e)
                                  ? json_string_value(json_object_get(obj, "code"))
                                  : arena_printf(x->row_arena, "%lld", (long long)id);
            st = audit_change(x->c, x->who, "import", x->e, key, row_region(x->e, obj), NULL, obj);
            if (st == DB_OK && x->e->created)
                st = x->e->created(x->c, x->row_arena, x->who, key, obj, 1);
        }
        if (!x->savepoints &&
            (st == DB_ERR_UNIQUE || st == DB_ERR_FOREIGN_KEY || st == DB_ERR_CONSTRAINT)) {
            x->retry = 1;
            json_decref(obj);
            json_decref(in);
            json_decref(errors);
            return 1;
        }
        if (x->savepoints && st == DB_OK)
            st = db_savepoint_release(x->c);
        else if (x->savepoints && db_savepoint_rollback(x->c) != DB_OK)
            st = db_last_status(x->c); /* the transaction is lost: fail the import */
        if (st == DB_ERR_UNIQUE || st == DB_ERR_FOREIGN_KEY || st == DB_ERR_CONSTRAINT) {
            add_err(errors, is_region_table(x->e) ? "code" : "_row",
                    st == DB_ERR_UNIQUE ? "记录重复" : "数据不满足约束条件");
        } else if (st != DB_OK) {
            x->db_status = st;
            snprintf(x->message, sizeof x->message, "数据库写入失败");
            json_decref(obj);
            json_decref(in);
            json_decref(errors);
            return 1;
        } else {
            x->accepted++;
        }
    }
    if (json_object_size(errors))
        import_reject(x, rowno, errors);
    json_decref(obj);
    json_decref(in);
    json_decref(errors);
    return 0;
}

int entity_import_file(db_conn *c, const struct audit_actor *who, const struct entity *e,
                       const char *path, int partial, json_t **report)
{
    const struct user *u = who->user;
    struct import_ctx *x = xcalloc(1, sizeof *x);
    int rc = -1;
    x->c = c;
    x->u = u;
    x->who = who;
    x->e = e;
    x->a = arena_new();
    x->row_arena = arena_new();
    x->dc = dict_cache_new(x->a, c);
    x->partial = partial;
    x->rows = json_array();
    x->savepoints = db_conn_kind(c) != DB_KIND_PG;
    char err[256] = "";
again:
    if (db_begin(c) != DB_OK) {
        snprintf(x->message, sizeof x->message, "数据库忙，请稍后重试");
        goto done;
    }
    int trc = tabread_file(path, NULL, import_row, x, err, sizeof err);
    if (x->retry) {
        db_rollback(c);
        json_decref(x->rows);
        x->rows = json_array();
        x->total = x->accepted = x->rejected = 0;
        x->header_seen = x->retry = 0;
        x->savepoints = 1;
        goto again;
    }
    if (trc < 0) {
        snprintf(x->message, sizeof x->message, "%s", err[0] ? err : "文件无法读取");
        db_rollback(c);
        goto done;
    }
    if (trc > 0 || x->db_status) {
        db_rollback(c);
        goto done;
    }
    if (!x->header_seen) {
        snprintf(x->message, sizeof x->message, "文件是空的");
        db_rollback(c);
        goto done;
    }
    if (x->rejected && !partial) {
        db_rollback(c);
        json_t *first = json_array_get(x->rows, 0);
        snprintf(x->message, sizeof x->message,
                 "第 %lld 行有错误，未导入任何数据（共 %ld 行有错误）",
                 (long long)json_integer_value(json_object_get(first, "row")), x->rejected);
        x->accepted = 0;
        rc = 1;
        goto done;
    }
    if (db_commit(c) != DB_OK) {
        snprintf(x->message, sizeof x->message, "数据库写入失败");
        goto done;
    }
    rc = 0;
done:
    *report = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)x->total, "accepted",
                        (json_int_t)(rc == 0 ? x->accepted : 0), "rejected",
                        (json_int_t)x->rejected, "rows", x->rows);
    if (x->message[0])
        json_object_set_new(*report, "message", json_string(x->message));
    arena_free(x->row_arena);
    arena_free(x->a);
    free(x);
    return rc;
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
    long n = entity_export_file(req_db(r), r->user, e, kv.n, kv.k, kv.v, path, &err);
    if (n < 0) {
        unlink(path);
        reply_error(r, n == -2 ? 400 : 500, n == -2 ? "bad_request" : "internal",
                    err ? err : "导出失败", NULL);
        free(err);
        return;
    }
    if (has_sensitive(e)) {
        struct audit_actor who = actor_of(r);
        db_conn *c = req_db(r);
        const char *filters = "";
        for (int i = 0; i < kv.n; i++)
            filters = arena_printf(r->a, "%s%s%s=%s", filters, i ? "&" : "", kv.k[i], kv.v[i]);
        int st = db_begin(c);
        if (st == DB_OK)
            st = audit_write(c, &who, "export", e->name, NULL, r->user->region, NULL,
                             arena_printf(r->a, "%ld 行 %s", n, filters));
        if (st == DB_OK)
            st = db_commit(c);
        if (st != DB_OK) {
            db_rollback(c);
            unlink(path);
            reply_db_error(r, st);
            return;
        }
    }
    reply_temp_file(r, path, XLSX_MIME, arena_printf(r->a, "%s.xlsx", e->name));
    reply_header(r, "X-Row-Count", arena_printf(r->a, "%ld", n));
}

static void h_template(req *r)
{
    const struct entity *e = route_entity(r);
    if (authz_require(r, perm_of(r->a, e, "read"), NULL) != 0)
        return;
    char *path = http_temp_path(r->a, ".xlsx");
    if (!path || entity_template_file(e, path) != 0) {
        if (path)
            unlink(path);
        reply_error(r, 500, "internal", "无法生成导入模板", NULL);
        return;
    }
    reply_temp_file(r, path, XLSX_MIME, arena_printf(r->a, "%s-template.xlsx", e->name));
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
    int rc = entity_import_file(req_db(r), &who, e, r->upload_path, partial, &report);
    if (rc == 0) {
        reply_json(r, 200, report);
        return;
    }
    const char *msg = json_string_value(json_object_get(report, "message"));
    json_t *body =
        json_pack("{s:{s:s, s:s}}", "error", "code", rc == 1 ? "import_failed" : "bad_file",
                  "message", msg ? msg : "导入失败");
    json_object_update(body, report);
    json_object_del(body, "message");
    json_decref(report);
    reply_json(r, 422, body);
}

/* ---- metadata ---- */

static const char *type_name(enum field_type t)
{
    static const char *names[] = {"text",     "int",  "number", "bool",      "date",
                                  "datetime", "dict", "region", "sensitive", "files"};
    return names[t];
}

static json_t *field_meta(const struct entity *e, const struct field *f)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "name", f->name, "label",
                  col_label(e, f) == f->label ? f->label : f->label, "type", type_name(f->type),
                  "required", (f->flags & FF_REQUIRED) != 0, "searchable",
                  (f->flags & FF_SEARCH) != 0, "filter", (f->flags & FF_FILTER) != 0, "sortable",
                  (f->flags & FF_SORT) != 0, "readonly", (f->flags & FF_READONLY) != 0, "list",
                  (f->flags & FF_LIST) != 0, "range", (f->flags & FF_RANGE) != 0);
    if (f->type == FT_TEXT) {
        json_object_set_new(o, "max_len", json_integer(max_len(f)));
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
    return o;
}

json_t *entity_meta(void)
{
    json_t *items = json_array();
    for (int i = 0; i < entity_count(); i++) {
        const struct entity *e = entity_at(i);
        json_t *fields = json_array();
        for (int k = 0; k < ncols(e); k++)
            json_array_append_new(fields, field_meta(e, col_at(e, k)));
        /* Derived columns (a hazard's overdue) are read-only; listing them
         * lets the console filter on them like any other field. */
        for (int k = 0; k < e->nderived; k++)
            json_array_append_new(fields, field_meta(e, &e->derived[k].f));
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "name", e->name, "label",
                                        e->label, "permission", e->perm, "key", key_col(e),
                                        "default_sort", e->default_sort, "fields", fields));
    }
    return json_pack("{s:o}", "items", items);
}

static void h_meta(req *r)
{
    reply_json(r, 200, entity_meta());
}

void entity_routes_register(void)
{
    http_route("GET", "/api/v1/meta/entities", h_meta, 0, NULL);
    for (int i = 0; i < entity_count(); i++) {
        const struct entity *e = entity_at(i);
        /* Patterns live as long as the process. */
        char *base = xasprintf("/api/v1/%s", e->name);
        http_route("GET", base, h_list, 0, e);
        http_route("POST", base, h_create, 0, e);
        http_route("GET", xasprintf("%s/export.xlsx", base), h_export, 0, e);
        http_route("GET", xasprintf("%s/import-template.xlsx", base), h_template, 0, e);
        http_route("POST", xasprintf("%s/import", base), h_import, ROUTE_UPLOAD, e);
        char *one = xasprintf("%s/{id}", base);
        http_route("GET", one, h_get, 0, e);
        http_route("PATCH", one, h_patch, 0, e);
        http_route("DELETE", one, h_delete, 0, e);
        if (has_sensitive(e))
            http_route("POST", xasprintf("%s/reveal", one), h_reveal, 0, e);
    }
}
