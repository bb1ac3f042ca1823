/* entity: the declared-entity layer. A plain record type is one static
 * struct entity (see entities.c); from it come the HTTP API (list with
 * filters, q search, sort and paging; get, create, PATCH, soft delete), the
 * Excel export and import template, CSV/XLSX import, and the metadata the
 * browser UI draws its forms from. Identifiers in SQL come only from these
 * declarations; user text is always a bound parameter.
 *
 * Ownership: declarations are static and live for the process. JSON objects
 * returned by the entity_* functions belong to the caller (json_decref). */
#ifndef SAFECOMM_ENTITY_H
#define SAFECOMM_ENTITY_H

#include <jansson.h>
#include "arena.h"
#include "buf.h"
#include "db.h"

struct user;
struct req;
struct dict_cache;
struct audit_actor;

enum field_type {
    FT_TEXT,
    FT_INT,
    FT_NUM,
    FT_BOOL,
    FT_DATE,      /* "YYYY-MM-DD" */
    FT_DATETIME,  /* ISO 8601 with offset */
    FT_DICT,      /* a code of the dictionary named in .dict */
    FT_REGION,    /* a region code */
    FT_SENSITIVE, /* encrypted at rest, masked in reads, clear only through
                     the reveal; .dict names its kind: "idcard", "phone",
                     "text" or "date" (YYYY-MM-DD, read as 1980-**-**). A
                     field that, with what a reader is given, would rebuild
                     a sensitive value is sensitive too: beside an ID number,
                     the birth date is declared so (docs/security.md) */
    FT_FILES      /* a JSON array of at most FILES_MAX_PER_RECORD uploaded file ids
                     (see files.h), each readable by the writer; attached to the
                     record on create and update. Declare FF_NOEXPORT|FF_NOIMPORT */
};

enum field_flag {
    FF_REQUIRED = 1 << 0,
    FF_SEARCH = 1 << 1,   /* searched by q */
    FF_FILTER = 1 << 2,   /* ?name=value exact filter */
    FF_SORT = 1 << 3,     /* may be a sort key */
    FF_READONLY = 1 << 4, /* computed; never written by a client */
    FF_NOEXPORT = 1 << 5,
    FF_NOIMPORT = 1 << 6,
    FF_LIST = 1 << 7,         /* a default column of the list page */
    FF_MULTILINE = 1 << 8,    /* long text: a textarea in forms */
    FF_RANGE = 1 << 9,        /* ?name_from=&name_to= range filter */
    FF_CREATE_ONLY = 1 << 10, /* set on create, never changed */
    /* With FF_READONLY: still read-only for the API's create and PATCH, but
     * a column of the import, so that an exported ledger imports back with
     * the values the transitions had set (validated like any field, and by
     * the entity's check; the after_create hook records how they came). */
    FF_IMPORT = 1 << 11,
    /* A sensitive field whose value is one record's only (a person's ID
     * number): a live row already holding it makes a create answer 409,
     * naming that row only to a caller who may read it. The table keeps a
     * unique index on <name>_hash over its live rows. */
    FF_UNIQUE = 1 << 12,
    /* A key column: the list shows these first, in declaration order, and a
     * phone's card shows them under the title (the hazard's 整改期限 and
     * 状态). Only how the console lays out a list; GET /meta/entities says
     * "key_column". */
    FF_KEYCOL = 1 << 13,
    /* A quantity that adds up across records (people, hours, yuan, rooms):
     * the list's 本页合计 and the export's 合计 row add it. An age, a year, a
     * rate or a score does not. GET /meta/entities says "sum". */
    FF_SUM = 1 << 14
};

struct field {
    const char *name;
    const char *label;
    enum field_type type;
    unsigned flags;
    int max_len;     /* text: code points; 0 means 200 */
    double min, max; /* numbers: inclusive range when min < max */
    const char *dict;
    /* A reference: the name of the entity whose id this FT_INT field holds
     * ("units"). A value set or changed by a write (create, PATCH, import)
     * must name a live record the writer may read (entity_ref_visible);
     * one outside the scope is refused exactly like a missing one, with
     * 422 naming the field and "<label>不存在". An unchanged value is not
     * checked again: the writer did not choose it. */
    const char *ref;
    /* What a reader is shown for a value that is no word of theirs (issue
     * 17: an id, a login name, codes): reads carry it as "<name>_text"
     * beside the value, and the console and the change history show it.
     * shown_sql: a scalar SELECT over t.<name> alone, read at query time
     * (a referenced record's name, a user's display name). shown: text made
     * from a non-empty value in out (labels of codes: figures, entities, a
     * dictionary's codes, a JSON table); nothing written: none. */
    const char *shown_sql;
    void (*shown)(buf *out, const char *value, struct dict_cache *dc);
};

enum entity_flag {
    ENT_REGION_TABLE = 1 << 0, /* the region tree itself: key "code", hard delete */
    /* Rows carry a unit_id field; a user who belongs to a unit (a unit
     * officer, users.unit_id) sees only the rows of that unit: lists and
     * exports add the condition, single rows of other units are 404. Such
     * a user's writes keep unit_id at their unit: a write never makes a
     * row its writer could not see. */
    ENT_UNIT_SCOPED = 1 << 1,
};

/* A hook for cross-field rules and derived values. obj is the full object
 * about to be stored (after a PATCH merge); add messages to errors
 * ({field: message}); may set READONLY fields. Returns 0. */
typedef int (*entity_check_fn)(db_conn *c, json_t *obj, json_t *errors);

/* A value computed by SQL at query time, never stored (so never stale): a
 * hazard's "overdue". expr is SQL over the row's columns (t.<name>); "$T"
 * stands for today's date (util_today), bound as a parameter. The field is
 * READONLY, read like a column and, when FF_FILTER, filtered in SQL.
 * A boolean one may name the conditions that filter it true and false
 * (if_true/if_false, the same SQL form): plain column comparisons an index
 * can serve, where "(expr) = 1" would scan every row in range. NULL: the
 * filter compares expr. */
struct derived {
    struct field f;
    const char *expr;
    const char *if_true, *if_false;
};

/* Called after a row was inserted (API create, import, demo) in the same
 * transaction, with its key and the stored object: what a module must
 * write beside the row (a hazard's imported state needs its history step).
 * importing is 1 for a file import. DB_OK or a DB_ERR_* status. */
typedef int (*entity_created_fn)(db_conn *c, arena *a, const struct audit_actor *who,
                                 const char *key, json_t *obj, int importing);

/* The set-based work an entity's insert triggers would do row by row (its
 * aggregates), done by an import in memory instead: begin gives a fresh
 * accumulator, row adds each row the import stored (the object as
 * inserted), end writes what was accumulated in the import's transaction
 * (c NULL: discards it) and frees it. An entity with these hooks has its
 * name in bulk_loads (migration 0014) during the import, which its insert
 * triggers read as "skip, the hook follows". end: DB_OK or a DB_ERR_*. */
struct entity_bulk {
    void *(*begin)(void);
    void (*row)(void *acc, json_t *obj);
    int (*end)(void *acc, db_conn *c);
};

struct entity {
    const char *name;  /* path segment and table: "volunteers" */
    const char *perm;  /* permission prefix: "volunteer" -> volunteer:read */
    const char *label; /* Chinese name: "志愿者" */
    const struct field *fields;
    int nfields;
    const char *default_sort; /* "-created_at" */
    unsigned flags;
    entity_check_fn check;
    const struct derived *derived;
    int nderived;
    entity_created_fn created;      /* NULL: nothing beside the row */
    const struct entity_bulk *bulk; /* NULL: nothing beside an import's rows */
    /* A record under a state machine: the field that holds its state and
     * the machine's first state. Once a record has left initial_state it
     * belongs to its transitions: the generic PATCH and DELETE refuse it
     * (ENTITY_LOCKED, 409), so a closed record is read-only and a past
     * year's figures move only through recorded steps. NULL: no machine. */
    const char *state_field;
    const char *initial_state;
    /* The colour of each state as the console's tag shows it, by the tag's
     * type ("info", "primary", "warning", "success", "danger"), ended by a
     * {NULL, NULL}; GET /meta/entities says "state_tags": {state: type}.
     * NULL: plain tags. */
    const struct state_tag *state_tags;
};

struct state_tag {
    const char *state, *type;
};

/* The status entity_update and entity_delete return for a record its state
 * machine owns (entity_row_writable is 0); below every DB_ERR_*. */
#define ENTITY_LOCKED (-100)

/* The registry of declared entities. */
const struct entity *entity_find(const char *name);
int entity_count(void);
const struct entity *entity_at(int i);
/* Registers the generic routes of every entity. */
void entity_routes_register(void);

/* Metadata of all entities, for GET /api/v1/meta/entities. */
json_t *entity_meta(void);

/* Validates and stores one object inside the caller's transaction, with its
 * audit entry. On validation failure errors gets {field: message} and the
 * status is DB_ERR_CONSTRAINT; *key_out (arena) is the new key. */
int entity_create(db_conn *c, arena *a, const struct audit_actor *who, const struct entity *e,
                  json_t *in, json_t *errors, const char **key_out);

/* The first FF_UNIQUE field of e whose value in in (a create's body) a live
 * row other than except_key (NULL: none) already holds: 1 with *field_out
 * and *key_out (arena), 0 when none, or a DB_ERR_* status. */
int entity_unique_conflict(db_conn *c, arena *a, const struct entity *e, json_t *in,
                           const char *except_key, const struct field **field_out,
                           const char **key_out);

/* The live row with key as the API reads it, without scope (the caller asks
 * authz); NULL when absent, with *st < 0 on a database error. */
json_t *entity_get(db_conn *c, arena *a, const struct entity *e, const char *key, int *st);

/* 1 when u belongs to a unit and row (as entity_get returns it) is not of
 * that unit's rows of an ENT_UNIT_SCOPED entity: answer as absent (404). */
int entity_row_hidden(const struct entity *e, const struct user *u, json_t *row);

/* 1 when the generic PATCH and DELETE may change row (as entity_get
 * returns it): always, unless e declares a state machine and row has left
 * its initial state. */
int entity_row_writable(const struct entity *e, json_t *row);
/* Why a row is not writable, in Chinese, naming its state (arena). */
const char *entity_locked_message(arena *a, const struct entity *e, json_t *row);

/* Whether u may refer to the record of entity to with this id: it is live
 * (a soft-deleted record is absent), in u's region subtree, readable by u
 * (<perm>:read) and not hidden by u's unit. 1 yes, 0 no (answer exactly as
 * for a missing record: entity_ref_message), or a DB_ERR_* status. With
 * row_out, a visible record is stored there (the caller's). Every check of a
 * reference, generic or a module's, goes through here. */
int entity_ref_visible(db_conn *c, arena *a, const struct user *u, const struct entity *to,
                       long long id, json_t **row_out);
/* The answer to a refused reference to entity to: "单位不存在" (arena). */
const char *entity_ref_message(arena *a, const struct entity *to);

/* The list API's answer without HTTP: the rows of e that u may see (the
 * region subtree, a unit officer's unit) under the filters (key/value pairs
 * as the list API takes them, sort included). *total gets their number and
 * items the first limit of them (0: none), each as a read gives it. 0; -1
 * on a bad filter (*err says which, arena); or a DB_ERR_* status. */
int entity_list_rows(db_conn *c, arena *a, const struct user *u, const struct entity *e, int n,
                     const char *const *keys, const char *const *values, int limit,
                     long long *total, json_t *items, const char **err);

/* Rewrites the search index entry of the row with key after a module
 * changed its columns with its own UPDATE (hazard transitions), inside the
 * caller's transaction. DB_OK or a DB_ERR_* status. */
int entity_reindex(db_conn *c, arena *a, const struct entity *e, const char *key);

/* Bulk import of a .csv/.xlsx file as user u. All-or-nothing unless flags
 * has ENTITY_IMPORT_PARTIAL. The file is read and its header checked before
 * the write transaction begins, under limits on its rows, cells and bytes
 * (and tabread.h's on an .xlsx's expansion); with ENTITY_IMPORT_LOCAL (a
 * file of the machine's own operator, the command line) it is read inside
 * the transaction as it streams, without the row, cell and byte limits,
 * which bound what an upload holds in memory. The import writes one audit
 * entry, "import" of the entity with {"rows","rejected","sha256","kind"}
 * (the file's SHA-256), none per row. Returns 0 when rows were stored (or the file was
 * empty), 1 when nothing was stored because of row errors, or one of the
 * ENTITY_IMPORT_* failures; *report is always set: {"total","accepted",
 * "rejected","rows":[{"row","fields":{…}}]} and "message" on failure. */
#define ENTITY_IMPORT_BAD_FILE  (-1) /* unreadable or malformed: 422 */
#define ENTITY_IMPORT_TOO_LARGE (-2) /* past a limit, which message names: 413 */
#define ENTITY_IMPORT_DB        (-3) /* the database failed (db_last_status(c) says how) */
#define ENTITY_IMPORT_PARTIAL   1u
#define ENTITY_IMPORT_LOCAL     2u
int entity_import_file(db_conn *c, const struct audit_actor *who, const struct entity *e,
                       const char *path, unsigned flags, json_t **report);
/* A writer of generated rows (`safecomm demo --scale`): the import's path
 * without a file. Each row is validated as an import's is
 * (entity_merge_validate, the entity's check), inserted with its sealed
 * values and search entry, passed to the entity's created hook (importing)
 * and its bulk accumulator; the insert triggers of an entity with bulk hooks
 * are skipped (bulk_loads) while the writer is open. Open and close it
 * inside the caller's transaction: close (write 1) writes the accumulated
 * aggregates, the empty search entries and one audit entry "import" of the
 * entity with {"rows", "rejected": 0, "kind"}; write 0 discards them (the
 * caller rolls back). */
struct entity_writer;
/* NULL when the database refused the bulk mark (db_last_status says why). */
struct entity_writer *entity_writer_open(db_conn *c, const struct audit_actor *who,
                                         const struct entity *e, const char *kind);
/* One row; in is the caller's. DB_OK with *id_out (0 for a region); on a
 * refused row DB_ERR_CONSTRAINT and errors ({field: message}); else the
 * database's status. */
int entity_writer_add(struct entity_writer *w, json_t *in, json_t *errors, int64_t *id_out);
/* The rows stored so far. */
long entity_writer_rows(const struct entity_writer *w);
/* Ends the writer and frees it: DB_OK or the status of what failed. */
int entity_writer_close(struct entity_writer *w, int write);

/* Seals the columns a migration listed in seal_pending (a field that became
 * sensitive): each clear value is sealed, hashed and masked, and its clear
 * column emptied, in one transaction. A row with col "*" rebuilds the
 * search index of the entity named by tbl from its live rows (a migration
 * that wrote rows or changed the searched fields). Run after the migrations, with the
 * key. 0, or -1 with a malloc'd message in *err. */
int entity_seal_pending(db_conn *c, char **err);
/* Re-encrypts every sensitive value under the current key (after a new key
 * was added). Returns the number of values, or -1. */
long entity_rekey(db_conn *c, char **err);
/* Writes the rows visible to who->user that match the filters (key/value
 * pairs as in the list API) to an .xlsx or .csv file at path, and audits it
 * (audit_export: the filter, sensitive values as "***", and the row count);
 * when the entry cannot be written the file is removed. Returns the row
 * count, or -1 with a message in *err (malloc'd); -2 on a bad filter. */
long entity_export_file(db_conn *c, const struct audit_actor *who, const struct entity *e,
                        int nfilters, const char *const *keys, const char *const *values,
                        const char *path, char **err);
/* The import template of e at path, audited like an export (kind
 * "template"). 0, or -1 (no file left). */
int entity_template_file(db_conn *c, const struct audit_actor *who, const struct entity *e,
                         const char *path);

#endif
