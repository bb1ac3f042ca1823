/* db: the one storage interface. Callers write SQL once, in the common
 * dialect both backends accept: $1..$N placeholders, RETURNING, ON CONFLICT,
 * TEXT dates and times, INTEGER booleans; no PRAGMA, rowid, group_concat,
 * INSERT OR …, date functions or || on possibly NULL values. db.c picks the
 * backend by URI (db_sqlite.c or db_pg.c, see db_impl.h); each maps its
 * errors onto enum db_status, so callers never see backend codes. Where the
 * dialects must differ, the caller asks db_conn_kind. PostgreSQL infers each
 * parameter's type from the statement: a parameter seen first (or only) in
 * "$N IS NULL" needs CAST($N AS TEXT) (or INTEGER), and one parameter must
 * not be compared with both text and integer columns.
 *
 * Ownership: db_open returns a db the caller closes with db_close. A
 * db_conn is borrowed with db_acquire and given back with db_release; it is
 * used by one thread at a time. A db_stmt from db_prepare belongs to its
 * connection's cache: the caller ends each use with db_done and never frees
 * it. Text from db_col_text is valid until the next db_step or db_done. */
#ifndef SAFECOMM_DB_H
#define SAFECOMM_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct db db;
typedef struct db_conn db_conn;
typedef struct db_stmt db_stmt;

enum db_status {
    DB_OK = 0,
    DB_ROW = 1,              /* db_step: a row is ready */
    DB_DONE = 2,             /* db_step: no more rows */
    DB_ERR_UNIQUE = -1,      /* unique or primary key violation -> 409 */
    DB_ERR_FOREIGN_KEY = -2, /* referenced row missing or still referenced -> 409 */
    DB_ERR_CONSTRAINT = -3,  /* NOT NULL / CHECK -> 422 */
    DB_ERR_BUSY = -4,        /* locked or timed out -> 503 */
    DB_ERR_UNAVAILABLE = -5, /* I/O, disk full, connection lost -> 503 */
    DB_ERR = -6              /* anything else: a bug -> 500 */
};

enum db_kind { DB_KIND_SQLITE, DB_KIND_PG };
enum db_type { DB_T_NULL, DB_T_INT, DB_T_REAL, DB_T_TEXT, DB_T_BLOB };

struct db_stats {
    uint64_t stmt_hits, stmt_misses, commits, rollbacks, errors, busy, acquire_waits;
    int conns_total, conns_in_use;
};

/* uri: a SQLite file path or postgresql://… ; nconns: pool size. On failure
 * returns NULL and a malloc'd message in *err. */
db *db_open(const char *uri, int nconns, char **err);
void db_close(db *d);
enum db_kind db_kind(const db *d);
const char *db_path(const db *d);
void db_stats_get(db *d, struct db_stats *out);

db_conn *db_acquire(db *d);
/* Rolls back a transaction left open, then returns the connection. */
void db_release(db *d, db_conn *c);

/* A write transaction. Writers are serialised on both backends (BEGIN
 * IMMEDIATE on SQLite; on PostgreSQL a transaction-level advisory lock taken
 * by BEGIN), so a read followed by a write inside one transaction is safe
 * and a writer waits for the lock up front instead of failing later. On
 * PostgreSQL a failed statement aborts the transaction: a caller that wants
 * to go on after an expected failure wraps the statement in a savepoint. */
int db_begin(db_conn *c);
int db_commit(db_conn *c);
int db_rollback(db_conn *c);
/* One process-wide function told after each transaction ends, on the
 * thread that ended it: committed 1 after a COMMIT that succeeded, 0 after a
 * rollback. The audit log uses it to record its head outside the database
 * only once the entries are durable. Set once, before any connection is
 * used. */
void db_end_hook_set(void (*hook)(int committed));
int db_in_tx(const db_conn *c);

/* Group commit (SQLite; the server turns it on). A commit then returns once
 * its pages are written to the log, without waiting for its own fsync; one
 * thread syncs the log for every commit made meanwhile, so concurrent
 * writers share one fsync. A commit is durable, and may be acknowledged, only
 * once db_durable_when says so: the HTTP layer holds each answer until then.
 * On PostgreSQL the server groups its own commits, and this is a no-op.
 * start: 0, or -1 with a malloc'd *err. stop: syncs what is left, tells the
 * waiters and returns commits to waiting for their own fsync. */
int db_group_commit_start(db *d, char **err);
void db_group_commit_stop(db *d);
/* The ticket of the calling thread's last commit since the last take, or 0
 * when it made none that waits for a sync. */
uint64_t db_durable_ticket_take(void);
/* Storage owned by the caller, untouched by db once fn is called. */
struct db_durable_waiter {
    uint64_t ticket;
    void (*fn)(void *arg);
    void *arg;
    struct db_durable_waiter *next;
};
/* 1 when commits up to ticket are durable (or group commit is off). */
int db_is_durable(db *d, uint64_t ticket);
/* 1 when commits up to w->ticket are durable already (fn is not called); 0
 * when fn(arg) will be called, once, from the syncing thread when they are. */
int db_durable_when(db *d, struct db_durable_waiter *w);
/* The number of log syncs made by group commit (the benchmark and the tests
 * read it: commits over syncs is the mean group). */
uint64_t db_group_syncs(db *d);
/* One process-wide function told around each sync that makes commits
 * durable: after 0 before the sync starts, after 1 once it has ended. Without
 * group commit (or on PostgreSQL) it is told right after each commit, on the
 * committing thread. The audit log writes its head file from it. Set once,
 * before any connection is used. */
void db_sync_hook_set(void (*hook)(int after));
/* What a look-up found, remembered for the rest of the open transaction
 * (an import asks the same few hundred questions a million times: that a
 * region exists, a dictionary item's rules), for answers nothing else in
 * the transaction changes. The slot of key (callers prefix their keys),
 * zeroed when new; p is released with free_p when the transaction ends.
 * NULL outside a transaction. */
struct db_memo {
    void *p;
    void (*free_p)(void *p);
};
struct db_memo *db_tx_memo(db_conn *c, const char *key);
/* One level of savepoint inside a transaction (SAVEPOINT sp). Rolling back
 * to it undoes what followed and releases it; last_status is kept. */
int db_savepoint(db_conn *c);
int db_savepoint_release(db_conn *c);
int db_savepoint_rollback(db_conn *c);
enum db_kind db_conn_kind(const db_conn *c);
/* 1 when uri names a PostgreSQL database. */
int db_uri_is_pg(const char *uri);
/* 1 when the table exists, 0 when not, <0 on error. */
int db_table_exists(db_conn *c, const char *name);

/* A bulk load's set-aside. Inside the caller's transaction, the table's
 * secondary indexes (not the unique ones: they are rules), and the insert
 * triggers that a bulk load silences anyway (their text names bulk_loads),
 * are dropped; db_bulk_restore makes
 * them again from their stored text in the same transaction, so that a
 * large load builds each index once from sorted keys instead of adding one
 * entry per row. A rollback restores them too. On a backend that does not
 * (PostgreSQL) it returns NULL with *st DB_OK; on an error NULL and the
 * status. The caller owns the result: db_bulk_restore or db_bulk_aside_free
 * (after a rollback) frees it. */
struct db_aside;
struct db_aside *db_bulk_aside(db_conn *c, const char *table, int *st);
int db_bulk_restore(db_conn *c, struct db_aside *a);
void db_bulk_aside_free(struct db_aside *a);

/* Several statements without parameters (migrations, set-up). */
int db_exec_script(db_conn *c, const char *sql);
/* Prepared and cached by SQL text. NULL on error: see db_errmsg. */
db_stmt *db_prepare(db_conn *c, const char *sql);
void db_bind_int(db_stmt *s, int i, int64_t v); /* i is 1-based, like $i */
void db_bind_double(db_stmt *s, int i, double v);
void db_bind_text(db_stmt *s, int i, const char *v); /* NULL binds NULL */
/* db_bind_text without a copy where the backend can: v must stay as it is
 * until db_done. For the loops that bind every cell of every row. */
void db_bind_text_kept(db_stmt *s, int i, const char *v);
void db_bind_blob(db_stmt *s, int i, const void *v, size_t n);
void db_bind_null(db_stmt *s, int i);
int db_step(db_stmt *s);
int db_col_count(db_stmt *s);
const char *db_col_name(db_stmt *s, int i); /* 0-based */
enum db_type db_col_type(db_stmt *s, int i);
int64_t db_col_int(db_stmt *s, int i);
double db_col_double(db_stmt *s, int i);
const char *db_col_text(db_stmt *s, int i); /* NULL for SQL NULL */
const void *db_col_blob(db_stmt *s, int i, size_t *n);
/* Ends this use of the statement and returns it to the cache. */
void db_done(db_stmt *s);
/* Rows changed by the last statement. */
int64_t db_changes(db_conn *c);
/* The id of the connection's last INSERT where the backend keeps it
 * (SQLite's rowid), so that an insert need not say RETURNING, which costs
 * SQLite a scratch table per statement; -1 where it does not (PostgreSQL:
 * say RETURNING id). */
int64_t db_last_insert_id(db_conn *c);
const char *db_errmsg(db_conn *c);
int db_last_status(db_conn *c);

/* Convenience: one statement, all parameters text (NULL = NULL), no rows
 * expected. Returns DB_OK or an error status. */
int db_exec_params(db_conn *c, const char *sql, int n, const char *const *params);
/* First column of the first row as an integer; def when no row. */
int64_t db_query_int(db_conn *c, const char *sql, const char *param, int64_t def);

/* Applies the compiled-in migrations that are not yet applied. */
int db_migrate(db *d, char **err);
int db_schema_version(db *d);

/* SQLite only (PostgreSQL has pg_dump; there these fail with a message that
 * says so): an online copy to path. */
int db_backup(db *d, const char *path, char **err);
/* SQLite only: replaces the database with the backup at path (checked first).
 * The server must be stopped. */
int db_restore(db *d, const char *path, char **err);

#endif
