/* db_sqlite: the embedded backend of db.h (its operations table; db.c keeps
 * the pool). Each connection has its own statement cache; WAL so readers
 * never wait for the writer, synchronous=FULL so an acknowledged write
 * survives a crash, and foreign keys on. The common dialect's $N
 * placeholders become SQLite's ?N. */
#include "db_impl.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STMT_CACHE 128

struct sq_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    char *sql; /* the caller's text: the cache key */
    uint64_t hash;
    int in_use;
    int cached;
};

struct sq_conn {
    struct db_conn base;
    sqlite3 *h;
    struct sq_stmt *cache[STMT_CACHE];
    struct sq_stmt *last; /* the cached statement handed out last */
};

#define SQ(c) ((struct sq_conn *)(c))
#define ST(s) ((struct sq_stmt *)(s))

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int map_rc(db_conn *c, int rc)
{
    int st;
    switch (rc & 0xff) {
    case SQLITE_OK:
        st = DB_OK;
        break;
    case SQLITE_ROW:
        st = DB_ROW;
        break;
    case SQLITE_DONE:
        st = DB_DONE;
        break;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            st = DB_ERR_UNIQUE;
        else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            st = DB_ERR_FOREIGN_KEY;
        else
            st = DB_ERR_CONSTRAINT;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        st = DB_ERR_BUSY;
        db_stat_add(&c->owner->stats.busy);
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        st = DB_ERR_UNAVAILABLE;
        break;
    default:
        st = DB_ERR;
    }
    if (st < 0) {
        db_stat_add(&c->owner->stats.errors);
        /* Constraint failures are expected answers (a duplicate name, a
         * region still in use); the caller reports them. */
        if (st == DB_ERR_UNIQUE || st == DB_ERR_FOREIGN_KEY || st == DB_ERR_CONSTRAINT)
            log_debug("sqlite: %s (%d)", sqlite3_errmsg(SQ(c)->h), rc);
        else
            log_warn("sqlite: %s (%d)", sqlite3_errmsg(SQ(c)->h), rc);
    }
    c->last_status = st;
    return st;
}

/* $N -> ?N outside quotes. */
static char *rewrite_placeholders(const char *sql)
{
    size_t n = strlen(sql);
    char *out = xmalloc(n + 1);
    char quote = 0;
    for (size_t i = 0; i <= n; i++) {
        char ch = sql[i];
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
        } else if (ch == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            ch = '?';
        }
        out[i] = ch;
    }
    return out;
}

static db_conn *sq_conn_open(db *d, char **err)
{
    struct sq_conn *c = xcalloc(1, sizeof *c);
    c->base.owner = d;
    int rc = sqlite3_open_v2(
        d->path, &c->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        *err = xasprintf("无法打开数据库 %s: %s", d->path, c->h ? sqlite3_errmsg(c->h) : "?");
        goto fail;
    }
    sqlite3_extended_result_codes(c->h, 1);
    sqlite3_busy_timeout(c->h, 5000);
    static const char *pragmas = "PRAGMA journal_mode=WAL;"
                                 "PRAGMA synchronous=FULL;"
                                 /* Deleted and overwritten content is zeroed,
                                    so a value once sealed leaves no clear
                                    copy in the file's free space. */
                                 "PRAGMA secure_delete=ON;"
                                 "PRAGMA foreign_keys=ON;"
                                 "PRAGMA cache_size=-16000;"
                                 "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    if (sqlite3_exec(c->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        *err = xasprintf("无法设置数据库 %s: %s", d->path, msg ? msg : "?");
        sqlite3_free(msg);
        goto fail;
    }
    return &c->base;
fail:
    if (c->h)
        sqlite3_close(c->h);
    free(c);
    return NULL;
}

static void stmt_free(struct sq_stmt *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->st);
    free(s->sql);
    free(s);
}

static void cache_clear(struct sq_conn *c)
{
    for (int i = 0; i < STMT_CACHE; i++) {
        stmt_free(c->cache[i]);
        c->cache[i] = NULL;
    }
    c->last = NULL;
}

static void sq_conn_close(db_conn *c)
{
    cache_clear(SQ(c));
    if (SQ(c)->h)
        sqlite3_close(SQ(c)->h);
    free(c);
}

static int sq_exec(db_conn *c, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(SQ(c)->h, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    /* A ROLLBACK after SQLite already ended the transaction is no error. */
    if (rc != SQLITE_OK && strcmp(sql, "ROLLBACK") == 0)
        return DB_OK;
    return map_rc(c, rc);
}

static db_stmt *sq_prepare(db_conn *cb, const char *sql)
{
    struct sq_conn *c = SQ(cb);
    /* A loop prepares the same text again and again (an import, once per
     * row): comparing it with the last costs less than hashing it. */
    struct sq_stmt *s = c->last;
    if (s && !s->in_use && strcmp(s->sql, sql) == 0) {
        s->in_use = 1;
        db_stat_add(&cb->owner->stats.stmt_hits);
        return &s->base;
    }
    uint64_t h = hash_str(sql);
    size_t slot = h % STMT_CACHE;
    s = c->cache[slot];
    if (s && s->hash == h && !s->in_use && strcmp(s->sql, sql) == 0) {
        s->in_use = 1;
        c->last = s;
        db_stat_add(&cb->owner->stats.stmt_hits);
        return &s->base;
    }
    db_stat_add(&cb->owner->stats.stmt_misses);
    char *text = rewrite_placeholders(sql);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(c->h, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    free(text);
    if (rc != SQLITE_OK) {
        map_rc(cb, rc);
        log_error("prepare failed: %s: %s", sqlite3_errmsg(c->h), sql);
        return NULL;
    }
    struct sq_stmt *n = xcalloc(1, sizeof *n);
    n->base.conn = cb;
    n->st = st;
    n->sql = xstrdup(sql);
    n->hash = h;
    n->in_use = 1;
    /* Take the slot unless its statement is busy; then this one is single-use. */
    if (!s || !s->in_use) {
        if (c->last == s)
            c->last = NULL;
        stmt_free(s);
        c->cache[slot] = n;
        n->cached = 1;
        c->last = n;
    }
    return &n->base;
}

static void sq_bind_int(db_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(ST(s)->st, i, v);
}

static void sq_bind_double(db_stmt *s, int i, double v)
{
    sqlite3_bind_double(ST(s)->st, i, v);
}

static void sq_bind_text(db_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(ST(s)->st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(ST(s)->st, i);
}

static void sq_bind_text_kept(db_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(ST(s)->st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(ST(s)->st, i);
}

static void sq_bind_blob(db_stmt *s, int i, const void *v, size_t n)
{
    sqlite3_bind_blob(ST(s)->st, i, v, (int)n, SQLITE_TRANSIENT);
}

static void sq_bind_null(db_stmt *s, int i)
{
    sqlite3_bind_null(ST(s)->st, i);
}

static int sq_step(db_stmt *s)
{
    return map_rc(s->conn, sqlite3_step(ST(s)->st));
}

static int sq_col_count(db_stmt *s)
{
    return sqlite3_column_count(ST(s)->st);
}

static const char *sq_col_name(db_stmt *s, int i)
{
    return sqlite3_column_name(ST(s)->st, i);
}

static enum db_type sq_col_type(db_stmt *s, int i)
{
    switch (sqlite3_column_type(ST(s)->st, i)) {
    case SQLITE_INTEGER:
        return DB_T_INT;
    case SQLITE_FLOAT:
        return DB_T_REAL;
    case SQLITE_TEXT:
        return DB_T_TEXT;
    case SQLITE_BLOB:
        return DB_T_BLOB;
    default:
        return DB_T_NULL;
    }
}

static int64_t sq_col_int(db_stmt *s, int i)
{
    return sqlite3_column_int64(ST(s)->st, i);
}

static double sq_col_double(db_stmt *s, int i)
{
    return sqlite3_column_double(ST(s)->st, i);
}

static const char *sq_col_text(db_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(ST(s)->st, i);
}

static const void *sq_col_blob(db_stmt *s, int i, size_t *n)
{
    const void *p = sqlite3_column_blob(ST(s)->st, i);
    *n = (size_t)sqlite3_column_bytes(ST(s)->st, i);
    return p;
}

static void sq_done(db_stmt *sb)
{
    struct sq_stmt *s = ST(sb);
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    s->in_use = 0;
    if (!s->cached)
        stmt_free(s);
}

static int64_t sq_changes(db_conn *c)
{
    return sqlite3_changes64(SQ(c)->h);
}

static int64_t sq_last_insert_id(db_conn *c)
{
    return sqlite3_last_insert_rowid(SQ(c)->h);
}

static const char *sq_errmsg(db_conn *c)
{
    return sqlite3_errmsg(SQ(c)->h);
}

static int sq_table_exists(db_conn *c, const char *name)
{
    return db_query_int(c, "SELECT count(*) FROM sqlite_master WHERE name = $1", name, -1) > 0;
}

/* The catalogue is read whole before anything is dropped: a statement
 * stepping over sqlite_master must not see it change. Names come from the
 * catalogue, never from a caller, and are quoted all the same. A unique
 * index stays: it is a rule, and a row that breaks it must be refused as
 * it comes (记录重复), not by the index's build at the end. */
static int sq_bulk_aside(db_conn *c, const char *table, struct db_aside *a)
{
    db_stmt *s = db_prepare(c, "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = $1 "
                               "AND sql IS NOT NULL AND ((type = 'index' AND sql NOT LIKE "
                               "'CREATE UNIQUE %') OR (type = 'trigger' AND sql LIKE "
                               "'%AFTER INSERT%' AND sql LIKE '%bulk_loads%'))");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, table);
    int st;
    char **drops = NULL;
    while ((st = db_step(s)) == DB_ROW) {
        if (a->n == a->cap) {
            a->cap = a->cap ? a->cap * 2 : 8;
            a->sql = xrealloc(a->sql, (size_t)a->cap * sizeof *a->sql);
            drops = xrealloc(drops, (size_t)a->cap * sizeof *drops);
        }
        char *q = sqlite3_mprintf("DROP %s \"%w\"",
                                  strcmp(db_col_text(s, 0), "index") ? "TRIGGER" : "INDEX",
                                  db_col_text(s, 1));
        drops[a->n] = xstrdup(q);
        sqlite3_free(q);
        a->sql[a->n++] = xstrdup(db_col_text(s, 2));
    }
    db_done(s);
    st = st == DB_DONE ? DB_OK : st;
    for (int i = 0; i < a->n; i++) {
        if (st == DB_OK)
            st = sq_exec(c, drops[i]);
        free(drops[i]);
    }
    free(drops);
    return st;
}

static int sq_backup(db *d, const char *path, char **err)
{
    sqlite3 *dst = NULL;
    int rc = -1;
    *err = NULL;
    db_conn *c = db_acquire(d);
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        *err = xasprintf("无法创建备份文件 %s", path);
        goto fail;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", SQ(c)->h, "main");
    if (!b) {
        *err = xasprintf("备份失败: %s", sqlite3_errmsg(dst));
        goto fail;
    }
    int step;
    /* Pages in batches so that writers are not locked out for the whole copy. */
    while ((step = sqlite3_backup_step(b, 256)) == SQLITE_OK || step == SQLITE_BUSY ||
           step == SQLITE_LOCKED)
        if (step != SQLITE_OK)
            sqlite3_sleep(20);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        *err = xasprintf("备份失败: %s", sqlite3_errmsg(dst));
        goto fail;
    }
    rc = 0;
fail:
    if (dst)
        sqlite3_close(dst);
    db_release(d, c);
    return rc;
}

static int sq_restore(db *d, const char *path, char **err)
{
    sqlite3 *src = NULL;
    int rc = -1;
    *err = NULL;
    db_conn *c = db_acquire(d);
    if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        *err = xasprintf("无法打开备份文件 %s", path);
        goto fail;
    }
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(src, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    /* A safecomm backup carries its migrations: an empty file or another
     * program's database must not replace the data. */
    st = NULL;
    ok = ok &&
         sqlite3_prepare_v2(src, "SELECT max(version) FROM schema_migrations", -1, &st, NULL) ==
             SQLITE_OK &&
         sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) >= 1;
    sqlite3_finalize(st);
    if (!ok) {
        *err = xasprintf("备份文件 %s 已损坏或不是 safecomm 数据库", path);
        goto fail;
    }
    sqlite3_backup *b = sqlite3_backup_init(SQ(c)->h, "main", src, "main");
    if (!b) {
        *err = xasprintf("恢复失败: %s", sqlite3_errmsg(SQ(c)->h));
        goto fail;
    }
    int step = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        *err = xasprintf("恢复失败: %s", sqlite3_errmsg(SQ(c)->h));
        goto fail;
    }
    /* Cached statements may describe the old schema. */
    cache_clear(SQ(c));
    rc = 0;
fail:
    if (src)
        sqlite3_close(src);
    db_release(d, c);
    return rc;
}

/* Group commit: in WAL mode synchronous=NORMAL writes a commit's frames to
 * the log without syncing it (checkpoints still sync the log before, and the
 * database after), so syncing the log file makes every commit written so far
 * durable. fsync is per file, not per descriptor: a descriptor of our own
 * serves. No log file means it was checkpointed and removed, after a sync. */
static int sq_group_mode(db_conn *c, int on)
{
    return sq_exec(c, on ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL") == DB_OK ? 0
                                                                                             : -1;
}

static int sq_sync_log(db *d)
{
    char *wal = xasprintf("%s-wal", d->path);
    int fd = open(wal, O_RDONLY | O_CLOEXEC);
    int rc = 0;
    if (fd < 0) {
        rc = errno == ENOENT ? 0 : -1;
    } else {
        rc = fsync(fd);
        int e = errno;
        close(fd);
        errno = e;
    }
    free(wal);
    return rc;
}

const struct db_ops db_sqlite_ops = {
    .dialect = "sqlite",
    .begin_sql = "BEGIN IMMEDIATE",
    .conn_open = sq_conn_open,
    .conn_close = sq_conn_close,
    .conn_check = NULL,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_int = sq_bind_int,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_text_kept = sq_bind_text_kept,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .col_type = sq_col_type,
    .col_int = sq_col_int,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .done = sq_done,
    .changes = sq_changes,
    .last_insert_id = sq_last_insert_id,
    .bulk_aside = sq_bulk_aside,
    .errmsg = sq_errmsg,
    .table_exists = sq_table_exists,
    .group_mode = sq_group_mode,
    .sync_log = sq_sync_log,
    .backup = sq_backup,
    .restore = sq_restore,
};
