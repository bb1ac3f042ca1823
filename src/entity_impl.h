/* entity_impl: what the parts of the entity layer share. Private to
 * entity*.c (and their unit tests); callers use entity.h only.
 *
 * entity.c is the core: the registry, the declaration's columns, bound
 * parameters, reading a row, validation and the writes (with their audit
 * and search index). entity_list.c builds the list queries, entity_sheet.c
 * the spreadsheets, entity_http.c the routes and the metadata. The column
 * order of entity_select_cols is the one entity_row_write reads. */
#ifndef SAFECOMM_ENTITY_IMPL_H
#define SAFECOMM_ENTITY_IMPL_H

#include "entity.h"
#include "buf.h"

#include <stdint.h>

struct dict_cache;

#define ENTITY_MAX_BINDS 64
#define ENTITY_SQL_CAP   (64 * 1024)

/* ---- the declaration (entity.c) ---- */

/* The implicit region column of every plain entity. */
extern const struct field entity_region_field;

int entity_is_region_table(const struct entity *e);
/* "code" for the region table, else "id". */
const char *entity_key_col(const struct entity *e);
/* The declared or implicit field name, or NULL. */
const struct field *entity_field_find(const struct entity *e, const char *name);
int entity_has_search(const struct entity *e);
int entity_has_sensitive(const struct entity *e);
/* The columns of the declaration in storage order: the implicit region
 * first for plain entities. */
int entity_col_count(const struct entity *e);
const struct field *entity_col_at(const struct entity *e, int i);
/* A text field's limit in code points. */
int entity_field_max_len(const struct field *f);
/* The associated data that binds a sealed value to its column (arena). */
const char *entity_sensitive_ad(arena *a, const struct entity *e, const struct field *f);
/* A whole decimal number; 0, or -1 when s is not one. */
int entity_parse_long(const char *s, long long *out);

/* ---- bound parameters (entity.c) ---- */

struct binds {
    int n;
    struct {
        enum db_type t;
        const char *s;
        int64_t i;
        double d;
    } v[ENTITY_MAX_BINDS];
};

/* Each returns the new parameter's number ($n). A text is kept by its
 * pointer, not copied, up to the statement's db_done (db_bind_text_kept):
 * it must live that long, which arena and JSON strings do. */
int entity_bind_text(struct binds *b, const char *s);
int entity_bind_int(struct binds *b, int64_t i);
int entity_bind_double(struct binds *b, double d);
void entity_binds_apply(db_stmt *s, const struct binds *b);

/* ---- reading rows (entity.c) ---- */

/* The columns entity_row_write reads; today_n is the parameter that holds
 * today's date, for derived fields. */
void entity_select_cols(const struct entity *e, buf *sql, int today_n);
/* " FROM <table> t … WHERE <live rows>", for " AND …" to follow. */
void entity_from_clause(const struct entity *e, buf *sql);
/* Binds today's date as parameter n when e has derived fields. */
void entity_bind_today(db_stmt *s, const struct entity *e, int n);
/* The row under the cursor (of entity_select_cols) as a JSON object. */
void entity_row_write(buf *o, const struct entity *e, db_stmt *s, struct dict_cache *dc);
json_t *entity_row_json(const struct entity *e, db_stmt *s, struct dict_cache *dc);
/* The statement that reads one live row by key ($1; today is $2). */
const char *entity_one_row_sql(const struct entity *e);
/* The live row with key, without scope; NULL when absent, with *st < 0 on
 * a database error. */
json_t *entity_row_load(db_conn *c, const struct entity *e, const char *key, struct dict_cache *dc,
                        int *st);
/* The region of a row (the code itself for the region table). */
const char *entity_row_region(const struct entity *e, json_t *row);
/* entity_row_hidden on the row under the cursor of entity_one_row_sql. */
int entity_row_hidden_col(const struct entity *e, const struct user *u, db_stmt *s);

/* ---- validation and writes (entity.c) ---- */

/* Adds {field: msg} unless field already has a message. */
void entity_error_add(json_t *errors, const char *field, const char *msg);
/* Whether input may set f: writable fields, and FF_IMPORT ones in an import. */
int entity_field_settable(const struct field *f, int importing);
/* The object to store: existing (may be NULL) merged with input, validated
 * into errors. Returns the merged object (the caller's) even with errors.
 * An import's new row (importing, no existing) is input itself, with a
 * reference added: its cells are read once and thrown away, so the copy of
 * every key is saved, and input may change (an empty value becomes null). */
json_t *entity_merge_validate(arena *a, db_conn *c, struct dict_cache *dc, const struct user *u,
                              const struct entity *e, json_t *input, json_t *existing,
                              json_t *errors, int importing);
/* Inserts a validated object with its search entry; *id_out gets the new
 * id (0 for regions). */
int entity_row_insert(db_conn *c, arena *a, const struct user *u, const struct entity *e,
                      json_t *obj, int64_t *id_out);
/* entity_row_insert for many rows (an import): created_at and updated_at
 * are now; sql holds the INSERT's text once the first row built it (start
 * with an empty buf, the caller's to free), so later rows only bind. */
int entity_row_insert_bulk(db_conn *c, arena *a, const struct user *u, const struct entity *e,
                           json_t *obj, const char *now, buf *sql, int64_t *id_out);
/* The audit entry of a write, with the changed columns. */
int entity_audit_change(db_conn *c, const struct audit_actor *who, const char *action,
                        const struct entity *e, const char *key, const char *region, json_t *before,
                        json_t *after);
/* PATCH of row (as loaded, in the caller's transaction) by input, as
 * entity_create: on validation failure errors is filled and the status is
 * DB_ERR_CONSTRAINT; else the row, its files and its audit entry. */
int entity_update(db_conn *c, arena *a, struct dict_cache *dc, const struct audit_actor *who,
                  const struct entity *e, const char *key, json_t *row, json_t *input,
                  json_t *errors);
/* Deletes row (soft; a region for real, DB_ERR_FOREIGN_KEY while in use),
 * with its audit entry. */
int entity_delete(db_conn *c, const struct audit_actor *who, const struct entity *e,
                  const char *key, json_t *row);

/* ---- list queries (entity_list.c) ---- */

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

/* Builds WHERE/ORDER for u's scope plus the filters (key/value pairs of
 * the list API). 0, or -1 with q->err_key/err_msg; free q either way. */
int entity_list_query_build(arena *a, db_conn *c, const struct user *u, const struct entity *e,
                            int n, const char *const *keys, const char *const *values,
                            struct query *q);
void entity_list_query_free(struct query *q);
/* A derived field's SQL (expr) with "$T" as parameter today_n. */
void entity_list_derived_sql(buf *sql, const char *expr, int today_n);

#endif
