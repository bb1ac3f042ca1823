/* db_sqlite: the embedded backend of db.h. A fixed pool of connections, each
 * with its own statement cache; WAL so readers never wait for the writer,
 * synchronous=FULL so an acknowledged write survives a crash, and foreign
 * keys on. The common dialect's $N placeholders become SQLite's ?N. */
#include "db.h"
#include "migrations.h"
#include "util.h"

#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 128

struct db_stmt {
    sqlite3_stmt *st;
    db_conn *conn;
    char *sql; /* the caller's text: the cache key */
    uint64_t hash;
    int in_use;
    int cached;
};

struct db_conn {
    sqlite3 *h;
    db *owner;
    int in_tx;
    int last_status;
    int in_use;
    db_stmt *cache[STMT_CACHE];
};

struct db {
    enum db_kind kind;
    char *path;
    int nconns;
    db_conn *conns;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct db_stats stats;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void stat_add(db *d, uint64_t *field)
{
    __atomic_fetch_add(field, 1, __ATOMIC_RELAXED);
    (void)d;
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
        stat_add(c->owner, &c->owner->stats.busy);
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
        stat_add(c->owner, &c->owner->stats.errors);
        /* Constraint failures are expected answers (a duplicate name, a
         * region still in use); the caller reports them. */
        if (st == DB_ERR_UNIQUE || st == DB_ERR_FOREIGN_KEY || st == DB_ERR_CONSTRAINT)
            log_debug("sqlite: %s (%d)", sqlite3_errmsg(c->h), rc);
        else
            log_warn("sqlite: %s (%d)", sqlite3_errmsg(c->h), rc);
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

static int conn_open(db *d, db_conn *c, char **err)
{
    memset(c, 0, sizeof *c);
    c->owner = d;
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
                                 "PRAGMA foreign_keys=ON;"
                                 "PRAGMA cache_size=-16000;"
                                 "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    if (sqlite3_exec(c->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        *err = xasprintf("无法设置数据库 %s: %s", d->path, msg ? msg : "?");
        sqlite3_free(msg);
        goto fail;
    }
    return 0;
fail:
    if (c->h)
        sqlite3_close(c->h);
    c->h = NULL;
    return -1;
}

static void stmt_free(db_stmt *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->st);
    free(s->sql);
    free(s);
}

static void conn_close(db_conn *c)
{
    for (int i = 0; i < STMT_CACHE; i++)
        stmt_free(c->cache[i]);
    if (c->h)
        sqlite3_close(c->h);
}

db *db_open(const char *uri, int nconns, char **err)
{
    *err = NULL;
    if (strncmp(uri, "postgres://", 11) == 0 || strncmp(uri, "postgresql://", 13) == 0) {
        *err = xstrdup("此版本尚未包含 PostgreSQL 后端");
        return NULL;
    }
    if (nconns < 1)
        nconns = 1;
    db *d = xcalloc(1, sizeof *d);
    d->kind = DB_KIND_SQLITE;
    d->path = xstrdup(uri);
    d->nconns = nconns;
    d->conns = xcalloc((size_t)nconns, sizeof *d->conns);
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->freed, NULL);
    for (int i = 0; i < nconns; i++) {
        if (conn_open(d, &d->conns[i], err) != 0) {
            for (int j = 0; j < i; j++)
                conn_close(&d->conns[j]);
            goto fail;
        }
    }
    d->stats.conns_total = nconns;
    return d;
fail:
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->freed);
    free(d->conns);
    free(d->path);
    free(d);
    return NULL;
}

void db_close(db *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->nconns; i++)
        conn_close(&d->conns[i]);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->freed);
    free(d->conns);
    free(d->path);
    free(d);
}

enum db_kind db_kind(const db *d)
{
    return d->kind;
}

const char *db_path(const db *d)
{
    return d->path;
}

void db_stats_get(db *d, struct db_stats *out)
{
    pthread_mutex_lock(&d->lock);
    *out = d->stats;
    pthread_mutex_unlock(&d->lock);
}

db_conn *db_acquire(db *d)
{
    pthread_mutex_lock(&d->lock);
    for (;;) {
        for (int i = 0; i < d->nconns; i++) {
            if (!d->conns[i].in_use) {
                d->conns[i].in_use = 1;
                d->stats.conns_in_use++;
                pthread_mutex_unlock(&d->lock);
                return &d->conns[i];
            }
        }
        d->stats.acquire_waits++;
        pthread_cond_wait(&d->freed, &d->lock);
    }
}

void db_release(db *d, db_conn *c)
{
    if (!c)
        return;
    if (c->in_tx)
        db_rollback(c);
    pthread_mutex_lock(&d->lock);
    c->in_use = 0;
    d->stats.conns_in_use--;
    pthread_cond_signal(&d->freed);
    pthread_mutex_unlock(&d->lock);
}

static int exec_simple(db_conn *c, const char *sql)
{
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, NULL);
    return map_rc(c, rc);
}

int db_begin(db_conn *c)
{
    assert(!c->in_tx);
    int st = exec_simple(c, "BEGIN IMMEDIATE");
    if (st == DB_OK)
        c->in_tx = 1;
    return st;
}

int db_commit(db_conn *c)
{
    int st = exec_simple(c, "COMMIT");
    if (st == DB_OK) {
        c->in_tx = 0;
        stat_add(c->owner, &c->owner->stats.commits);
    } else {
        db_rollback(c);
    }
    return st;
}

int db_rollback(db_conn *c)
{
    if (!c->in_tx)
        return DB_OK;
    c->in_tx = 0;
    stat_add(c->owner, &c->owner->stats.rollbacks);
    sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
    return DB_OK;
}

int db_in_tx(const db_conn *c)
{
    return c->in_tx;
}

int db_exec_script(db_conn *c, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        log_warn("script failed: %s", msg ? msg : "?");
    sqlite3_free(msg);
    return map_rc(c, rc);
}

db_stmt *db_prepare(db_conn *c, const char *sql)
{
    uint64_t h = hash_str(sql);
    size_t slot = h % STMT_CACHE;
    db_stmt *s = c->cache[slot];
    if (s && s->hash == h && !s->in_use && strcmp(s->sql, sql) == 0) {
        s->in_use = 1;
        stat_add(c->owner, &c->owner->stats.stmt_hits);
        return s;
    }
    stat_add(c->owner, &c->owner->stats.stmt_misses);
    char *text = rewrite_placeholders(sql);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(c->h, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    free(text);
    if (rc != SQLITE_OK) {
        map_rc(c, rc);
        log_error("prepare failed: %s: %s", sqlite3_errmsg(c->h), sql);
        return NULL;
    }
    db_stmt *n = xcalloc(1, sizeof *n);
    n->st = st;
    n->conn = c;
    n->sql = xstrdup(sql);
    n->hash = h;
    n->in_use = 1;
    /* Take the slot unless its statement is busy; then this one is single-use. */
    if (!s || !s->in_use) {
        stmt_free(s);
        c->cache[slot] = n;
        n->cached = 1;
    }
    return n;
}

void db_bind_int(db_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(s->st, i, v);
}

void db_bind_double(db_stmt *s, int i, double v)
{
    sqlite3_bind_double(s->st, i, v);
}

void db_bind_text(db_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s->st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s->st, i);
}

void db_bind_blob(db_stmt *s, int i, const void *v, size_t n)
{
    sqlite3_bind_blob(s->st, i, v, (int)n, SQLITE_TRANSIENT);
}

void db_bind_null(db_stmt *s, int i)
{
    sqlite3_bind_null(s->st, i);
}

int db_step(db_stmt *s)
{
    return map_rc(s->conn, sqlite3_step(s->st));
}

int db_col_count(db_stmt *s)
{
    return sqlite3_column_count(s->st);
}

const char *db_col_name(db_stmt *s, int i)
{
    return sqlite3_column_name(s->st, i);
}

enum db_type db_col_type(db_stmt *s, int i)
{
    switch (sqlite3_column_type(s->st, i)) {
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

int64_t db_col_int(db_stmt *s, int i)
{
    return sqlite3_column_int64(s->st, i);
}

double db_col_double(db_stmt *s, int i)
{
    return sqlite3_column_double(s->st, i);
}

const char *db_col_text(db_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s->st, i);
}

const void *db_col_blob(db_stmt *s, int i, size_t *n)
{
    const void *p = sqlite3_column_blob(s->st, i);
    *n = (size_t)sqlite3_column_bytes(s->st, i);
    return p;
}

void db_done(db_stmt *s)
{
    if (!s)
        return;
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    s->in_use = 0;
    if (!s->cached)
        stmt_free(s);
}

int64_t db_changes(db_conn *c)
{
    return sqlite3_changes64(c->h);
}

const char *db_errmsg(db_conn *c)
{
    return sqlite3_errmsg(c->h);
}

int db_last_status(db_conn *c)
{
    return c->last_status;
}

int db_exec_params(db_conn *c, const char *sql, int n, const char *const *params)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return c->last_status < 0 ? c->last_status : DB_ERR;
    for (int i = 0; i < n; i++)
        db_bind_text(s, i + 1, params[i]);
    int st = db_step(s);
    db_done(s);
    return st == DB_DONE || st == DB_ROW ? DB_OK : st;
}

int64_t db_query_int(db_conn *c, const char *sql, const char *param, int64_t def)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return def;
    if (param)
        db_bind_text(s, 1, param);
    int64_t v = def;
    if (db_step(s) == DB_ROW && db_col_type(s, 0) != DB_T_NULL)
        v = db_col_int(s, 0);
    db_done(s);
    return v;
}

int db_schema_version(db *d)
{
    db_conn *c = db_acquire(d);
    int64_t v = 0;
    if (db_query_int(c, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'", NULL,
                     0))
        v = db_query_int(c, "SELECT max(version) FROM schema_migrations", NULL, 0);
    db_release(d, c);
    return (int)v;
}

int db_migrate(db *d, char **err)
{
    int rc = -1;
    db_conn *c = db_acquire(d);
    *err = NULL;
    if (db_exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                          "KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)") != DB_OK) {
        *err = xasprintf("无法创建迁移表: %s", db_errmsg(c));
        goto fail;
    }
    for (size_t i = 0; i < db_migrations_count; i++) {
        const struct db_migration *m = &db_migrations[i];
        if (strcmp(m->dialect, "sqlite") != 0)
            continue;
        char ver[16];
        snprintf(ver, sizeof ver, "%d", m->version);
        if (db_query_int(c, "SELECT count(*) FROM schema_migrations WHERE version = $1", ver, 0))
            continue;
        if (db_begin(c) != DB_OK) {
            *err = xasprintf("无法开始事务: %s", db_errmsg(c));
            goto fail;
        }
        if (db_exec_script(c, m->sql) != DB_OK) {
            *err = xasprintf("迁移 %04d_%s 失败: %s", m->version, m->name, db_errmsg(c));
            db_rollback(c);
            goto fail;
        }
        char now[32];
        util_now_iso(now);
        const char *p[] = {ver, m->name, now};
        if (db_exec_params(c,
                           "INSERT INTO schema_migrations (version, name, applied_at) "
                           "VALUES ($1, $2, $3)",
                           3, p) != DB_OK ||
            db_commit(c) != DB_OK) {
            *err = xasprintf("迁移 %04d_%s 记录失败: %s", m->version, m->name, db_errmsg(c));
            db_rollback(c);
            goto fail;
        }
        log_info("applied migration %04d_%s", m->version, m->name);
    }
    rc = 0;
fail:
    db_release(d, c);
    return rc;
}

int db_backup(db *d, const char *path, char **err)
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
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->h, "main");
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

int db_restore(db *d, const char *path, char **err)
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
    sqlite3_backup *b = sqlite3_backup_init(c->h, "main", src, "main");
    if (!b) {
        *err = xasprintf("恢复失败: %s", sqlite3_errmsg(c->h));
        goto fail;
    }
    int step = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        *err = xasprintf("恢复失败: %s", sqlite3_errmsg(c->h));
        goto fail;
    }
    /* Cached statements may describe the old schema. */
    for (int i = 0; i < STMT_CACHE; i++) {
        stmt_free(c->cache[i]);
        c->cache[i] = NULL;
    }
    rc = 0;
fail:
    if (src)
        sqlite3_close(src);
    db_release(d, c);
    return rc;
}
