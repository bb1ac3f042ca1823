/* entity: the core of the generic record layer; see entity.h and
 * entity_impl.h. One declaration drives the SQL (identifiers only from the
 * declaration), the validation (shared by the API and import) and the JSON
 * shape. Each write is one transaction, and the search index is updated
 * inside it. */
#include "entity.h"
#include "entity_impl.h"
#include "auth.h"
#include "authz.h"
#include "buf.h"
#include "crypto.h"
#include "dict.h"
#include "files.h"
#include "idcard.h"
#include "module.h"
#include "audit.h"
#include "region.h"
#include "search.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
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

const struct field entity_region_field = {
    .name = "region",
    .label = "所属区域",
    .type = FT_REGION,
    .flags = FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST,
};

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

int entity_is_region_table(const struct entity *e)
{
    return (e->flags & ENT_REGION_TABLE) != 0;
}

const char *entity_key_col(const struct entity *e)
{
    return entity_is_region_table(e) ? "code" : "id";
}

const struct field *entity_field_find(const struct entity *e, const char *name)
{
    /* The first letter first: this runs for every key of every row. */
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].name[0] == name[0] && strcmp(e->fields[i].name, name) == 0)
            return &e->fields[i];
    if (!entity_is_region_table(e) && strcmp(name, "region") == 0)
        return &entity_region_field;
    return NULL;
}

int entity_has_search(const struct entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].flags & FF_SEARCH)
            return 1;
    return 0;
}

int entity_col_count(const struct entity *e)
{
    return e->nfields + (entity_is_region_table(e) ? 0 : 1);
}

const struct field *entity_col_at(const struct entity *e, int i)
{
    if (entity_is_region_table(e))
        return &e->fields[i];
    return i == 0 ? &entity_region_field : &e->fields[i - 1];
}

int entity_field_max_len(const struct field *f)
{
    return f->max_len > 0 ? f->max_len : 200;
}

const char *entity_sensitive_ad(arena *a, const struct entity *e, const struct field *f)
{
    return arena_printf(a, "%s.%s", e->name, f->name);
}

int entity_parse_long(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

/* ---- bound parameters ---- */

int entity_bind_text(struct binds *b, const char *s)
{
    if (b->n >= ENTITY_MAX_BINDS)
        abort(); /* the declarations bound the parameter count */
    b->v[b->n].t = s ? DB_T_TEXT : DB_T_NULL;
    b->v[b->n].s = s;
    return ++b->n;
}

int entity_bind_int(struct binds *b, int64_t i)
{
    if (b->n >= ENTITY_MAX_BINDS)
        abort();
    b->v[b->n].t = DB_T_INT;
    b->v[b->n].i = i;
    return ++b->n;
}

int entity_bind_double(struct binds *b, double d)
{
    if (b->n >= ENTITY_MAX_BINDS)
        abort();
    b->v[b->n].t = DB_T_REAL;
    b->v[b->n].d = d;
    return ++b->n;
}

void entity_binds_apply(db_stmt *s, const struct binds *b)
{
    for (int i = 0; i < b->n; i++) {
        switch (b->v[i].t) {
        case DB_T_TEXT: /* the binds' strings outlive the statement's use */
            db_bind_text_kept(s, i + 1, b->v[i].s);
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
        return entity_bind_text(b, NULL);
    switch (f->type) {
    case FT_INT:
        return entity_bind_int(b, json_integer_value(v));
    case FT_NUM:
        return entity_bind_double(b, json_number_value(v));
    case FT_BOOL:
        return entity_bind_int(b, json_is_true(v));
    default:
        return entity_bind_text(b, json_string_value(v));
    }
}

/* ---- reading rows ---- */

/* today_n: the parameter that holds today's date, for derived fields. */
void entity_select_cols(const struct entity *e, buf *sql, int today_n)
{
    if (entity_is_region_table(e)) {
        buf_puts(sql, "t.code, t.created_at, t.updated_at");
        for (int i = 0; i < e->nfields; i++)
            if (strcmp(e->fields[i].name, "code") != 0)
                buf_printf(sql, ", t.%s", e->fields[i].name);
        for (int i = 0; i < e->nfields; i++)
            if (e->fields[i].shown_sql)
                buf_printf(sql, ", (%s)", e->fields[i].shown_sql);
        return;
    }
    buf_puts(sql, "t.id, t.created_at, t.updated_at, t.created_by, t.region, r.name");
    for (int i = 0; i < e->nfields; i++)
        buf_printf(sql, e->fields[i].type == FT_SENSITIVE ? ", t.%s_mask" : ", t.%s",
                   e->fields[i].name);
    for (int i = 0; i < e->nderived; i++) {
        buf_puts(sql, ", (");
        entity_list_derived_sql(sql, e->derived[i].expr, today_n);
        buf_puts(sql, ")");
    }
    /* The creator as people know them (issue 17: no login names on pages);
     * last, so that the columns before keep their places. */
    buf_puts(sql, ", (SELECT u.display_name FROM users u WHERE u.username = t.created_by)");
    /* Then what readers are shown for the fields that say (field.shown_sql). */
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].shown_sql)
            buf_printf(sql, ", (%s)", e->fields[i].shown_sql);
}

/* Binds today's date as parameter n when e has derived fields. */
void entity_bind_today(db_stmt *s, const struct entity *e, int n)
{
    if (e->nderived) {
        char today[11];
        util_today(today);
        db_bind_text(s, n, today);
    }
}

void entity_from_clause(const struct entity *e, buf *sql)
{
    if (entity_is_region_table(e))
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
void entity_row_write(buf *o, const struct entity *e, db_stmt *s, struct dict_cache *dc)
{
    int k = 0;
    buf_puts(o, "{");
    if (entity_is_region_table(e)) {
        key_write(o, "code", 1);
        col_write(o, s, k++, NULL);
        key_write(o, "created_at", 0);
        col_write(o, s, k++, NULL);
        key_write(o, "updated_at", 0);
        col_write(o, s, k++, NULL);
    } else {
        static const char *std[] = {"id",         "created_at", "updated_at",
                                    "created_by", "region",     "region_name"};
        static const struct field id_field = {.name = "id", .label = "编号", .type = FT_INT};
        for (int i = 0; i < 6; i++) {
            key_write(o, std[i], i == 0);
            col_write(o, s, k++, i == 0 ? &id_field : NULL);
        }
    }
    /* The shown_sql columns follow the creator's name, or a region's fields
     * (entity_select_cols). */
    int shown_k = entity_is_region_table(e) ? 3 + e->nfields - 1 : 6 + e->nfields + e->nderived + 1;
    for (int i = 0; i < e->nfields; i++) {
        const struct field *f = &e->fields[i];
        if (entity_is_region_table(e) && strcmp(f->name, "code") == 0)
            continue;
        key_write(o, f->name, 0);
        col_write(o, s, k, f);
        if (f->type == FT_DICT && db_col_type(s, k) == DB_T_TEXT) {
            const char *label = dict_label(dc, f->dict, db_col_text(s, k));
            buf_puts(o, ",");
            buf_printf(o, "\"%s_label\":", f->name);
            buf_json_string(o, label ? label : "");
        }
        if (f->shown_sql) {
            buf_printf(o, ",\"%s_text\":", f->name);
            col_write(o, s, shown_k++, NULL);
        } else if (f->shown && db_col_type(s, k) != DB_T_NULL) {
            buf t;
            buf_init(&t, (size_t)64 << 10);
            f->shown(&t, db_col_text(s, k), dc);
            if (t.len) {
                buf_printf(o, ",\"%s_text\":", f->name);
                buf_json_string(o, buf_str(&t));
            }
            buf_free(&t);
        }
        k++;
    }
    for (int i = 0; i < e->nderived; i++) {
        key_write(o, e->derived[i].f.name, 0);
        col_write(o, s, k++, &e->derived[i].f);
    }
    if (!entity_is_region_table(e)) {
        key_write(o, "created_by_name", 0);
        col_write(o, s, k++, NULL);
    }
    buf_puts(o, "}");
}

/* The same row as a jansson object, for code that edits it. */
json_t *entity_row_json(const struct entity *e, db_stmt *s, struct dict_cache *dc)
{
    buf o;
    buf_init(&o, (size_t)16 << 20);
    entity_row_write(&o, e, s, dc);
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
            return !entity_is_region_table(e) || i != 0;
    size_t n = strlen(k);
    if (n > 6 && strcmp(k + n - 6, "_label") == 0) {
        char base[96];
        snprintf(base, sizeof base, "%.*s", (int)(n - 6), k);
        const struct field *f = entity_field_find(e, base);
        return f && f->type == FT_DICT;
    }
    if (n > 5 && strcmp(k + n - 5, "_text") == 0) {
        char base[96];
        snprintf(base, sizeof base, "%.*s", (int)(n - 5), k);
        const struct field *f = entity_field_find(e, base);
        return f && (f->shown_sql || f->shown);
    }
    return 0;
}

void entity_error_add(json_t *errors, const char *field, const char *msg)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msg));
}

/* Found regions are remembered for the transaction (db_tx_memo); a
 * region deleted later in it is still caught by the row's foreign key. */
static int region_exists(db_conn *c, const char *code)
{
    char key[64];
    snprintf(key, sizeof key, "region:%s", code);
    struct db_memo *m = db_tx_memo(c, key);
    if (m && m->p)
        return 1;
    int found = db_query_int(c, "SELECT count(*) FROM regions WHERE code = $1", code, 0) > 0;
    if (found && m)
        m->p = m; /* any non-NULL: found */
    return found;
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
        if (util_utf8_len(json_string_value(v)) > (size_t)entity_field_max_len(f)) {
            *msg = arena_printf(a, "长度不能超过 %d 个字", entity_field_max_len(f));
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
        if (util_utf8_len(sv) > (size_t)entity_field_max_len(f)) {
            *msg = arena_printf(a, "长度不能超过 %d 个字", entity_field_max_len(f));
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
        if (strcmp(f->dict, "date") == 0 && !util_date_valid(norm)) {
            bad = 1;
            why = "必须是有效日期（YYYY-MM-DD）";
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

/* ---- references ---- */

static const struct entity *ref_target(const struct field *f)
{
    const struct entity *to = entity_find(f->ref);
    if (!to || entity_is_region_table(to))
        abort(); /* a declaration names no plain entity: a bug */
    return to;
}

int entity_ref_visible(db_conn *c, arena *a, const struct user *u, const struct entity *to,
                       long long id, json_t **row_out)
{
    if (row_out)
        *row_out = NULL;
    if (!to || entity_is_region_table(to) || id < 1)
        return 0;
    int st;
    json_t *row = entity_row_load(c, to, arena_printf(a, "%lld", id), dict_cache_new(a, c), &st);
    if (!row)
        return st < 0 ? st : 0;
    /* The same three questions as a GET of the record: scope, permission,
     * unit. Any "no" is answered alike, so a reference probes nothing. */
    int ok =
        authz_check(u, arena_printf(a, "%s:read", to->perm), entity_row_region(to, row)) == 0 &&
        !entity_row_hidden(to, u, row);
    if (ok && row_out)
        *row_out = row;
    else
        json_decref(row);
    return ok;
}

const char *entity_ref_message(arena *a, const struct entity *to)
{
    return arena_printf(a, "%s不存在", to ? to->label : "记录");
}

/* A reference value (a valid FT_INT) set by a write: 0 when the writer may
 * refer to it, else -1 with *msg. */
static int ref_check(arena *a, db_conn *c, const struct user *u, const struct field *f, json_t *v,
                     const char **msg)
{
    const struct entity *to = ref_target(f);
    int rc = entity_ref_visible(c, a, u, to, (long long)json_integer_value(v), NULL);
    if (rc == 1)
        return 0;
    *msg = rc < 0 ? "暂时无法核对，请重试" : entity_ref_message(a, to);
    return -1;
}

/* ENT_UNIT_SCOPED: a user of a unit writes only rows of that unit. */
static void unit_scope_check(arena *a, const struct user *u, const struct entity *e, json_t *obj,
                             json_t *errors)
{
    if (!(e->flags & ENT_UNIT_SCOPED) || !u || !u->unit_id)
        return;
    json_t *v = json_object_get(obj, "unit_id");
    if (json_is_integer(v) && json_integer_value(v) == u->unit_id)
        return;
    const struct field *f = entity_field_find(e, "unit_id");
    entity_error_add(errors, "unit_id",
                     !v || json_is_null(v) ? "必填"
                     : f && f->ref         ? entity_ref_message(a, ref_target(f))
                                           : "不在您的单位");
}

/* ---- records owned by a state machine ---- */

int entity_row_writable(const struct entity *e, json_t *row)
{
    if (!e->state_field || !e->initial_state)
        return 1;
    /* No state at all is not the first state: refused, to be safe. */
    const char *state = json_string_value(json_object_get(row, e->state_field));
    return state && strcmp(state, e->initial_state) == 0;
}

const char *entity_locked_message(arena *a, const struct entity *e, json_t *row)
{
    const char *state = NULL;
    if (e->state_field) {
        state =
            json_string_value(json_object_get(row, arena_printf(a, "%s_label", e->state_field)));
        if (!state || !*state)
            state = json_string_value(json_object_get(row, e->state_field));
    }
    return arena_printf(
        a, "该%s已进入办理流程（当前状态：%s），只能通过办理操作变更，不能直接修改或删除", e->label,
        state ? state : "未知");
}

/* Whether input may set f: writable fields, and FF_IMPORT ones in an import. */
int entity_field_settable(const struct field *f, int importing)
{
    return !(f->flags & FF_READONLY) || (importing && (f->flags & FF_IMPORT));
}

/* Builds the object to store: existing (may be NULL) merged with input.
 * Unknown and read-only keys in input are errors. Returns the merged object
 * (owned by the caller) even when errors were added. */
json_t *entity_merge_validate(arena *a, db_conn *c, struct dict_cache *dc, const struct user *u,
                              const struct entity *e, json_t *input, json_t *existing,
                              json_t *errors, int importing)
{
    int own = importing && !existing;
    json_t *obj = existing ? json_deep_copy(existing) : own ? json_incref(input) : json_object();
    const char *k;
    json_t *v;
    /* An existing row holds masks for its sensitive fields; they are not
     * values and must never be written back. */
    for (int i = 0; existing && i < e->nfields; i++)
        if (e->fields[i].type == FT_SENSITIVE)
            json_object_del(obj, e->fields[i].name);
    json_object_foreach(input, k, v)
    {
        const struct field *f = entity_field_find(e, k);
        if (!f) {
            entity_error_add(errors, k, is_std_key(e, k) ? "只读字段，不能修改" : "未知字段");
            continue;
        }
        if (!entity_field_settable(f, importing)) {
            entity_error_add(errors, k, "只读字段，不能修改");
            continue;
        }
        if (existing && (f->flags & FF_CREATE_ONLY)) {
            json_t *old = json_object_get(existing, k);
            if (!json_equal(old, v))
                entity_error_add(errors, k, "创建后不能修改");
            continue;
        }
        if (!own)
            json_object_set(obj, k, v);
    }
    for (int i = 0; i < entity_col_count(e); i++) {
        const struct field *f = entity_col_at(e, i);
        if (!entity_field_settable(f, importing))
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
                entity_error_add(errors, f->name, "必填");
            continue;
        }
        const char *msg = NULL;
        if (check_value(a, c, dc, u, f, val, &msg) != 0) {
            entity_error_add(errors, f->name, msg);
            continue;
        }
        if (f->ref && !(existing && json_equal(val, json_object_get(existing, f->name))) &&
            ref_check(a, c, u, f, val, &msg) != 0)
            entity_error_add(errors, f->name, msg);
    }
    unit_scope_check(a, u, e, obj, errors);
    if (entity_is_region_table(e)) {
        const char *code = json_string_value(json_object_get(obj, "code"));
        if (code && !authz_in_scope(u, code))
            entity_error_add(errors, "code", "区域不存在或不在您的管辖范围内");
    }
    if (json_object_size(errors) == 0 && e->check)
        e->check(c, obj, errors);
    return obj;
}

static json_t *merge_validate(arena *a, db_conn *c, struct dict_cache *dc, const struct user *u,
                              const struct entity *e, json_t *input, json_t *existing,
                              json_t *errors)
{
    return entity_merge_validate(a, c, dc, u, e, input, existing, errors, 0);
}

/* ---- writes ---- */

/* mode: 1 removes the row's entry; 2 adds the entry of a row just inserted
 * (it has none to replace); 0 replaces it. A row without searched text has
 * no entry: no search can find it, and an import of cards without notes
 * then writes no index row for them (`safecomm check` allows an empty
 * entry too, which older databases hold). */
static int fts_update(db_conn *c, const struct entity *e, int64_t id, json_t *obj, int mode)
{
    if (entity_is_region_table(e) || !entity_has_search(e))
        return DB_OK;
    if (mode == 1)
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
    int st = DB_OK;
    int empty = uni.len == 0 && bi.len == 0;
    if (mode == 0)
        st = empty ? search_index_remove(c, e->name, id)
                   : search_index_put(c, e->name, id, buf_str(&uni), buf_str(&bi));
    else if (!empty)
        st = search_index_add(c, e->name, id, buf_str(&uni), buf_str(&bi));
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
 * bound value; sql NULL binds the value only. A sensitive field is three columns: sealed, look-up hash and
 * mask; its plaintext is never bound. The sealed value is bound to its row
 * (crypto.h), so an INSERT, which has no id yet, leaves it to seal_new_row. */
static void put_col(buf *sql, struct binds *b, arena *a, const struct entity *e,
                    const struct field *f, json_t *v, int update, const char *row)
{
    if (f->type != FT_SENSITIVE) {
        int n = f->type == FT_FILES ? entity_bind_text(b, files_text(a, v)) : bind_value(b, f, v);
        if (!sql)
            return; /* the values only: the text is built */
        if (update)
            buf_printf(sql, ", %s = $%d", f->name, n);
        else
            buf_printf(sql, ", %s", f->name);
        return;
    }
    const char *sealed = NULL, *hash = NULL, *mask = NULL;
    const char *plain = json_string_value(v);
    if (plain && *plain) {
        const char *ad = entity_sensitive_ad(a, e, f);
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
        int n = entity_bind_text(b, vals[i]);
        if (!sql)
            continue;
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
        int st = files_attach(c, e->name, key, entity_row_region(e, obj), v);
        if (st != DB_OK)
            return st;
    }
    return DB_OK;
}

/* The sensitive values of a row just inserted, sealed with its new id, in
 * the inserting transaction. */
static int seal_new_row(db_conn *c, arena *a, const struct entity *e, int64_t id, json_t *obj)
{
    char row[24] = "";
    for (int i = 0; i < entity_col_count(e); i++) {
        const struct field *f = entity_col_at(e, i);
        if (f->type != FT_SENSITIVE)
            continue;
        const char *plain = json_string_value(json_object_get(obj, f->name));
        if (!plain || !*plain)
            continue;
        if (!row[0])
            snprintf(row, sizeof row, "%lld", (long long)id);
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

/* The INSERT of a validated object and its bound values, the same text for
 * every row of an entity (absent values bind NULL): an import prepares it
 * once (db_prepare caches it by text) and binds each row. now is the
 * created_at and updated_at. */
static void insert_build(buf *sql, struct binds *b, arena *a, const struct user *u,
                         const struct entity *e, json_t *obj, const char *now, int returning)
{
    if (sql)
        buf_printf(sql, "INSERT INTO %s (created_at, updated_at", e->name);
    entity_bind_text(b, now);
    entity_bind_text(b, now);
    if (!entity_is_region_table(e)) {
        if (sql)
            buf_puts(sql, ", created_by");
        entity_bind_text(b, u->username);
    }
    for (int i = 0; i < entity_col_count(e); i++)
        put_col(sql, b, a, e, entity_col_at(e, i), json_object_get(obj, entity_col_at(e, i)->name),
                0, NULL);
    if (!sql)
        return;
    buf_puts(sql, ") VALUES (");
    for (int i = 1; i <= b->n; i++)
        buf_printf(sql, "%s$%d", i > 1 ? ", " : "", i);
    buf_puts(sql, ")");
    if (returning)
        buf_printf(sql, " RETURNING %s", entity_is_region_table(e) ? "0" : "id");
}

int entity_row_insert_bulk(db_conn *c, arena *a, const struct user *u, const struct entity *e,
                           json_t *obj, const char *now, buf *sql, int64_t *id_out)
{
    struct binds b = {0};
    /* Where the backend keeps the last id, the INSERT says no RETURNING:
     * on SQLite that clause costs a scratch table per row. */
    int returning = db_last_insert_id(c) < 0;
    /* The text is built on the first row only; later rows bind alone. */
    insert_build(sql->len ? NULL : sql, &b, a, u, e, obj, now, returning);
    db_stmt *s = db_prepare(c, buf_str(sql));
    if (!s)
        return db_last_status(c);
    entity_binds_apply(s, &b);
    int st = db_step(s);
    if (returning) {
        *id_out = st == DB_ROW ? db_col_int(s, 0) : 0;
        db_done(s);
        if (st != DB_ROW)
            return st < 0 ? st : DB_ERR;
    } else {
        db_done(s);
        if (st != DB_DONE)
            return st < 0 ? st : DB_ERR;
        *id_out = entity_is_region_table(e) ? 0 : db_last_insert_id(c);
    }
    st = seal_new_row(c, a, e, *id_out, obj);
    if (st != DB_OK)
        return st;
    return fts_update(c, e, *id_out, obj, 2);
}

/* Inserts a validated object; *id_out gets the new id (0 for regions). */
int entity_row_insert(db_conn *c, arena *a, const struct user *u, const struct entity *e,
                      json_t *obj, int64_t *id_out)
{
    char now[32];
    util_now_iso(now);
    buf sql;
    buf_init(&sql, ENTITY_SQL_CAP);
    int st = entity_row_insert_bulk(c, a, u, e, obj, now, &sql, id_out);
    buf_free(&sql);
    return st;
}

static int update_row(db_conn *c, arena *a, const struct entity *e, const char *key, int64_t id,
                      json_t *obj)
{
    buf sql;
    struct binds b = {0};
    char now[32];
    util_now_iso(now);
    buf_init(&sql, ENTITY_SQL_CAP);
    buf_printf(&sql, "UPDATE %s SET updated_at = $%d", e->name, entity_bind_text(&b, now));
    /* Sealed values are bound to the id as stored, whatever spelling of it
     * the URL used. */
    char row[24];
    snprintf(row, sizeof row, "%lld", (long long)id);
    for (int i = 0; i < entity_col_count(e); i++) {
        const struct field *f = entity_col_at(e, i);
        json_t *v = json_object_get(obj, f->name);
        /* A sensitive value absent from the object was not sent: keep it. */
        if ((f->flags & FF_CREATE_ONLY) || (f->type == FT_SENSITIVE && !v))
            continue;
        put_col(&sql, &b, a, e, f, v, 1, row);
    }
    if (entity_is_region_table(e))
        buf_printf(&sql, " WHERE code = $%d", entity_bind_text(&b, key));
    else
        buf_printf(&sql, " WHERE id = $%d AND deleted_at IS NULL", entity_bind_int(&b, id));
    db_stmt *s = db_prepare(c, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return db_last_status(c);
    entity_binds_apply(s, &b);
    int st = db_step(s);
    db_done(s);
    if (st != DB_DONE)
        return st < 0 ? st : DB_ERR;
    return fts_update(c, e, id, obj, 0);
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
        buf_init(&sql, ENTITY_SQL_CAP);
        buf_puts(&sql, "SELECT ");
        entity_select_cols(e, &sql, 2);
        entity_from_clause(e, &sql);
        buf_printf(&sql, " AND t.%s = $1", entity_key_col(e));
        one_row_sqls[i] = buf_detach(&sql, NULL);
    }
}

const char *entity_one_row_sql(const struct entity *e)
{
    pthread_once(&one_row_once, build_one_row_sqls);
    for (int i = 0; i < one_row_n; i++)
        if (one_row_ents[i] == e)
            return one_row_sqls[i];
    abort(); /* every entity comes from the registry */
}

/* Loads a live row by key without scope (the caller asks authz next).
 * NULL when absent; *st carries a database error. */
json_t *entity_row_load(db_conn *c, const struct entity *e, const char *key, struct dict_cache *dc,
                        int *st)
{
    long long id = 0;
    *st = DB_OK;
    if (!entity_is_region_table(e) && (entity_parse_long(key, &id) != 0 || id < 1))
        return NULL;
    db_stmt *s = db_prepare(c, entity_one_row_sql(e));
    if (!s) {
        *st = db_last_status(c);
        return NULL;
    }
    if (entity_is_region_table(e))
        db_bind_text(s, 1, key);
    else
        db_bind_int(s, 1, id);
    entity_bind_today(s, e, 2);
    json_t *o = NULL;
    int rc = db_step(s);
    if (rc == DB_ROW)
        o = entity_row_json(e, s, dc);
    else if (rc < 0)
        *st = rc;
    db_done(s);
    return o;
}

const char *entity_row_region(const struct entity *e, json_t *row)
{
    return json_string_value(json_object_get(row, entity_is_region_table(e) ? "code" : "region"));
}

int entity_row_hidden(const struct entity *e, const struct user *u, json_t *row)
{
    if (!(e->flags & ENT_UNIT_SCOPED) || !u || !u->unit_id)
        return 0;
    json_t *v = json_object_get(row, "unit_id");
    return !json_is_integer(v) || json_integer_value(v) != u->unit_id;
}

int entity_row_hidden_col(const struct entity *e, const struct user *u, db_stmt *s)
{
    if (!(e->flags & ENT_UNIT_SCOPED) || !u || !u->unit_id)
        return 0;
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, "unit_id") == 0)
            return db_col_type(s, 6 + i) == DB_T_NULL || db_col_int(s, 6 + i) != u->unit_id;
    return 1;
}

/* ---- audit ---- */

/* {field:[before, after]} over the declared columns that changed. Sensitive
 * values never enter the log: a change shows as "***". */
static json_t *changes_of(const struct entity *e, json_t *before, json_t *after)
{
    json_t *d = json_object();
    for (int i = 0; i < entity_col_count(e); i++) {
        const struct field *f = entity_col_at(e, i);
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

int entity_has_sensitive(const struct entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_SENSITIVE)
            return 1;
    return 0;
}

int entity_audit_change(db_conn *c, const struct audit_actor *who, const char *action,
                        const struct entity *e, const char *key, const char *region, json_t *before,
                        json_t *after)
{
    json_t *ch = changes_of(e, before, after);
    int st = audit_write(c, who, action, e->name, key, region, ch, NULL);
    json_decref(ch);
    return st;
}

/* ---- sensitive values ---- */

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

/* Seals the clear values of one column that became sensitive: each value
 * goes to <col>_enc, _hash and _mask as put_col writes them, and the clear
 * column is emptied. Identifiers come from the declaration, not the table. */
static int seal_column(db_conn *c, arena *a, const struct entity *e, const struct field *f)
{
    const char *ad = entity_sensitive_ad(a, e, f);
    char *sel = xasprintf("SELECT id, %s FROM %s WHERE %s IS NOT NULL", f->name, e->name, f->name);
    char *upd = xasprintf("UPDATE %s SET %s_enc = $1, %s_hash = $2, %s_mask = $3, %s = NULL "
                          "WHERE id = $4",
                          e->name, f->name, f->name, f->name, f->name);
    /* The keys first: the rows are then updated with no cursor open on them. */
    json_t *rows = json_array();
    db_stmt *s = db_prepare(c, sel);
    int st = s ? DB_ROW : db_last_status(c);
    while (s && (st = db_step(s)) == DB_ROW)
        json_array_append_new(rows,
                              json_pack("[I,s?]", (json_int_t)db_col_int(s, 0), db_col_text(s, 1)));
    db_done(s);
    st = st == DB_DONE ? DB_OK : (st < 0 ? st : DB_ERR);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (st != DB_OK)
            break;
        const char *plain = json_string_value(json_array_get(row, 1));
        char id[24], h[65];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_array_get(row, 0)));
        /* Sealed to its row, as put_col seals (crypto.h). */
        char *norm = crypto_normalize(f->dict, plain ? plain : ""),
             *sealed = crypto_seal_row(e->name, f->name, id, norm),
             *mask = crypto_mask(f->dict, norm);
        crypto_lookup_hash(ad, norm, h);
        const char *p[] = {sealed, h, mask, id};
        st = db_exec_params(c, upd, 4, p);
        sodium_memzero(norm, strlen(norm));
        free(norm);
        free(sealed);
        free(mask);
    }
    json_decref(rows);
    free(sel);
    free(upd);
    return st;
}

/* The search index of e rebuilt from its live rows: a migration that wrote
 * rows or changed what is searched lists e in seal_pending with col '*'. */
static int reindex_all(db_conn *c, arena *a, const struct entity *e)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM %s_fts", e->name);
    int st = db_exec_params(c, sql, 0, NULL);
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE deleted_at IS NULL ORDER BY id", e->name);
    db_stmt *s = st == DB_OK ? db_prepare(c, sql) : NULL;
    json_t *ids = json_array();
    while (s && (st = db_step(s)) == DB_ROW)
        json_array_append_new(ids, json_integer(db_col_int(s, 0)));
    db_done(s);
    st = st == DB_DONE ? DB_OK : (st < 0 ? st : DB_ERR);
    for (size_t i = 0; st == DB_OK && i < json_array_size(ids); i++)
        st = entity_reindex(
            c, a, e,
            arena_printf(a, "%lld", (long long)json_integer_value(json_array_get(ids, i))));
    json_decref(ids);
    return st;
}

int entity_seal_pending(db_conn *c, char **err)
{
    *err = NULL;
    int have = db_table_exists(c, "seal_pending");
    if (have <= 0)
        return have;
    arena *a = arena_new();
    int st = db_begin(c);
    db_stmt *s = st == DB_OK ? db_prepare(c, "SELECT tbl, col FROM seal_pending") : NULL;
    json_t *pending = json_array();
    while (s && (st = db_step(s)) == DB_ROW)
        json_array_append_new(pending, json_pack("[s,s]", db_col_text(s, 0), db_col_text(s, 1)));
    db_done(s);
    st = st == DB_DONE ? DB_OK : (st < 0 ? st : DB_ERR);
    size_t i;
    json_t *pc;
    json_array_foreach(pending, i, pc)
    {
        const char *tbl = json_string_value(json_array_get(pc, 0));
        const char *col = json_string_value(json_array_get(pc, 1));
        const struct entity *e = entity_find(tbl);
        const struct field *f = e ? entity_field_find(e, col) : NULL;
        if (st == DB_OK && f && f->type == FT_SENSITIVE && !entity_is_region_table(e))
            st = seal_column(c, a, e, f);
        if (st == DB_OK && e && strcmp(col, "*") == 0 && entity_has_search(e) &&
            !entity_is_region_table(e))
            st = reindex_all(c, a, e);
        const char *p[] = {tbl, col};
        if (st == DB_OK)
            st = db_exec_params(c, "DELETE FROM seal_pending WHERE tbl = $1 AND col = $2", 2, p);
        if (st != DB_OK && !*err)
            *err = xasprintf("无法加密保存 %s.%s: %s", tbl, col, db_errmsg(c));
    }
    json_decref(pending);
    arena_free(a);
    if (st == DB_OK)
        st = db_commit(c);
    if (st != DB_OK) {
        db_rollback(c);
        if (!*err)
            *err = xasprintf("无法加密保存待处理的字段: %s", db_errmsg(c));
        return -1;
    }
    /* With secure_delete the emptied cells are zeroed; the checkpoint
     * takes the old pages out of the WAL too. */
    if (db_conn_kind(c) == DB_KIND_SQLITE)
        db_exec_script(c, "PRAGMA wal_checkpoint(TRUNCATE)");
    return 0;
}

/* ---- the layer's reads and writes ---- */

json_t *entity_get(db_conn *c, arena *a, const struct entity *e, const char *key, int *st)
{
    return entity_row_load(c, e, key, dict_cache_new(a, c), st);
}

int entity_reindex(db_conn *c, arena *a, const struct entity *e, const char *key)
{
    int st;
    json_t *row = entity_row_load(c, e, key, dict_cache_new(a, c), &st);
    if (!row)
        return st < 0 ? st : DB_ERR;
    st = entity_has_search(e) ? fts_update(c, e, atoll(key), row, 0) : DB_OK;
    json_decref(row);
    return st;
}

int entity_create(db_conn *c, arena *a, const struct audit_actor *who, const struct entity *e,
                  json_t *in, json_t *errors, const char **key_out)
{
    json_t *obj = merge_validate(a, c, dict_cache_new(a, c), who->user, e, in, NULL, errors);
    int st = DB_ERR_CONSTRAINT;
    if (json_object_size(errors) == 0) {
        int64_t id = 0;
        st = entity_row_insert(c, a, who->user, e, obj, &id);
        const char *key = entity_is_region_table(e)
                              ? arena_strdup(a, json_string_value(json_object_get(obj, "code")))
                              : arena_printf(a, "%lld", (long long)id);
        if (st == DB_OK)
            st = attach_files(c, e, key, obj);
        if (st == DB_OK)
            st =
                entity_audit_change(c, who, "create", e, key, entity_row_region(e, obj), NULL, obj);
        if (st == DB_OK && e->created)
            st = e->created(c, a, who, key, obj, 0);
        if (key_out)
            *key_out = key;
    }
    json_decref(obj);
    return st;
}

int entity_update(db_conn *c, arena *a, struct dict_cache *dc, const struct audit_actor *who,
                  const struct entity *e, const char *key, json_t *row, json_t *input,
                  json_t *errors)
{
    /* The core refuses too, not only the routes: no caller rewrites a
     * record its state machine owns. */
    if (!entity_row_writable(e, row))
        return ENTITY_LOCKED;
    json_t *obj = merge_validate(a, c, dc, who->user, e, input, row, errors);
    int st = DB_ERR_CONSTRAINT;
    if (json_object_size(errors) == 0) {
        st = update_row(c, a, e, key, entity_is_region_table(e) ? 0 : atoll(key), obj);
        if (st == DB_OK)
            st = attach_files(c, e, key, obj);
        if (st == DB_OK)
            st = entity_audit_change(c, who, "update", e, key, entity_row_region(e, obj), row, obj);
    }
    json_decref(obj);
    return st;
}

int entity_delete(db_conn *c, const struct audit_actor *who, const struct entity *e,
                  const char *key, json_t *row)
{
    char sql[256], now[32];
    int st;
    if (!entity_row_writable(e, row))
        return ENTITY_LOCKED;
    util_now_iso(now);
    if (entity_is_region_table(e)) {
        /* Regions are deleted for real; a region still in use is refused by
         * the foreign keys of its children and records. */
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE code = $1", e->name);
        const char *p[] = {key};
        st = db_exec_params(c, sql, 1, p);
        if (st == DB_ERR_FOREIGN_KEY)
            return st;
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
    if (st == DB_OK)
        st = audit_write(c, who, "delete", e->name, key, entity_row_region(e, row), NULL, NULL);
    return st;
}

/* ---- unique sensitive values ---- */

int entity_unique_conflict(db_conn *c, arena *a, const struct entity *e, json_t *in,
                           const char *except_key, const struct field **field_out,
                           const char **key_out)
{
    for (int i = 0; i < e->nfields; i++) {
        const struct field *f = &e->fields[i];
        if (f->type != FT_SENSITIVE || !(f->flags & FF_UNIQUE))
            continue;
        const char *v = json_string_value(json_object_get(in, f->name));
        if (!v || !*v)
            continue;
        char *norm = crypto_normalize(f->dict, v);
        if (!norm)
            continue;
        char h[65];
        crypto_lookup_hash(entity_sensitive_ad(a, e, f), norm, h);
        sodium_memzero(norm, strlen(norm));
        free(norm);
        db_stmt *s = db_prepare(c, arena_printf(a,
                                                "SELECT id FROM %s WHERE %s_hash = $1 AND "
                                                "deleted_at IS NULL ORDER BY id",
                                                e->name, f->name));
        if (!s)
            return db_last_status(c);
        db_bind_text(s, 1, h);
        int st;
        while ((st = db_step(s)) == DB_ROW) {
            const char *k = arena_printf(a, "%lld", (long long)db_col_int(s, 0));
            if (except_key && strcmp(k, except_key) == 0)
                continue;
            db_done(s);
            *field_out = f;
            *key_out = k;
            return 1;
        }
        db_done(s);
        if (st < 0)
            return st;
    }
    return 0;
}
