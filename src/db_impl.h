/* db_impl: what db.c shares with the backends (db_sqlite.c, db_pg.c). Not
 * for callers: they use db.h only.
 *
 * db.c owns the pool, the transaction flags, the statistics and the
 * migrations; a backend supplies a table of operations. A backend's
 * connection and statement structs start with struct db_conn and struct
 * db_stmt, so that db.c can find the operations from either. */
#ifndef SAFECOMM_DB_IMPL_H
#define SAFECOMM_DB_IMPL_H

#include "db.h"

#include <pthread.h>

struct db_stmt {
    db_conn *conn;
};

struct db_conn {
    db *owner;
    int in_use;
    int in_tx;
    int last_status;
    struct strmap *memo; /* db_tx_memo's, emptied when the transaction ends */
};

/* What db_bulk_aside dropped: the statements that make it again, each
 * malloc'd. */
struct db_aside {
    int n, cap;
    char **sql;
};

struct db_ops {
    const char *dialect; /* migrations/<dialect>/ */
    const char *begin_sql;
    /* Opens one pooled connection; NULL and a malloc'd *err on failure. */
    db_conn *(*conn_open)(db *d, char **err);
    void (*conn_close)(db_conn *c);
    /* Called when a connection leaves the pool: repairs a broken one. */
    void (*conn_check)(db_conn *c);
    /* One statement or several, without parameters; maps the status. */
    int (*exec)(db_conn *c, const char *sql);
    db_stmt *(*prepare)(db_conn *c, const char *sql);
    void (*bind_int)(db_stmt *s, int i, int64_t v);
    void (*bind_double)(db_stmt *s, int i, double v);
    void (*bind_text)(db_stmt *s, int i, const char *v);
    void (*bind_text_kept)(db_stmt *s, int i, const char *v); /* NULL: bind_text */
    void (*bind_blob)(db_stmt *s, int i, const void *v, size_t n);
    void (*bind_null)(db_stmt *s, int i);
    int (*step)(db_stmt *s);
    int (*col_count)(db_stmt *s);
    const char *(*col_name)(db_stmt *s, int i);
    enum db_type (*col_type)(db_stmt *s, int i);
    int64_t (*col_int)(db_stmt *s, int i);
    double (*col_double)(db_stmt *s, int i);
    const char *(*col_text)(db_stmt *s, int i);
    const void *(*col_blob)(db_stmt *s, int i, size_t *n);
    void (*done)(db_stmt *s);
    int64_t (*changes)(db_conn *c);
    int64_t (*last_insert_id)(db_conn *c); /* NULL: the backend keeps none */
    /* db_bulk_aside: drops what it sets aside and fills *a with the text
     * that makes it again. NULL: the backend sets nothing aside. */
    int (*bulk_aside)(db_conn *c, const char *table, struct db_aside *a);
    const char *(*errmsg)(db_conn *c);
    /* 1 when the table exists. */
    int (*table_exists)(db_conn *c, const char *name);
    /* Group commit: sets a connection's commits to wait for no sync
     * (on 1) or for their own (on 0), and syncs the log of every commit
     * made so far; 0, or -1 with errno. NULL where commits are synced by
     * the server itself (PostgreSQL). */
    int (*group_mode)(db_conn *c, int on);
    int (*sync_log)(db *d);
    int (*backup)(db *d, const char *path, char **err);
    int (*restore)(db *d, const char *path, char **err);
};

/* Group commit's state (db.c): commits counted, the count known durable,
 * and the waiters for a later count, oldest first. */
struct db_group {
    int on, stop;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake, synced;
    uint64_t committed, durable, syncs;
    struct db_durable_waiter *head, *tail;
};

struct db {
    enum db_kind kind;
    const struct db_ops *ops;
    char *path;
    int nconns;
    db_conn **conns;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct db_stats stats;
    struct db_group group;
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

/* Counts a statistic (atomic). */
void db_stat_add(uint64_t *field);

#endif
