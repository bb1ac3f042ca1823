/* db: the common half of db.h. It picks the backend by URI (postgresql:// or
 * postgres:// is PostgreSQL, anything else a SQLite file), keeps the pool of
 * connections, the transaction flags and the statistics, applies the
 * migrations of the backend's dialect, and forwards everything else to the
 * backend's table of operations (db_impl.h). */
#include "db_impl.h"
#include "migrations.h"
#include "strmap.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void db_stat_add(uint64_t *field)
{
    __atomic_fetch_add(field, 1, __ATOMIC_RELAXED);
}

int db_uri_is_pg(const char *uri)
{
    return uri && (strncmp(uri, "postgres://", 11) == 0 || strncmp(uri, "postgresql://", 13) == 0);
}

db *db_open(const char *uri, int nconns, char **err)
{
    *err = NULL;
    if (nconns < 1)
        nconns = 1;
    db *d = xcalloc(1, sizeof *d);
    d->kind = db_uri_is_pg(uri) ? DB_KIND_PG : DB_KIND_SQLITE;
    d->ops = d->kind == DB_KIND_PG ? &db_pg_ops : &db_sqlite_ops;
    d->path = xstrdup(uri);
    d->nconns = nconns;
    d->conns = xcalloc((size_t)nconns, sizeof *d->conns);
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->freed, NULL);
    pthread_mutex_init(&d->group.lock, NULL);
    pthread_cond_init(&d->group.wake, NULL);
    pthread_cond_init(&d->group.synced, NULL);
    for (int i = 0; i < nconns; i++) {
        d->conns[i] = d->ops->conn_open(d, err);
        if (!d->conns[i]) {
            for (int j = 0; j < i; j++)
                d->ops->conn_close(d->conns[j]);
            goto fail;
        }
        d->conns[i]->owner = d;
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

static void memo_clear(db_conn *c)
{
    if (!c->memo)
        return;
    size_t pos = 0;
    void *v;
    while (strmap_next(c->memo, &pos, &v)) {
        struct db_memo *m = v;
        if (m->free_p)
            m->free_p(m->p);
    }
    strmap_free(c->memo);
    c->memo = NULL;
}

void db_close(db *d)
{
    if (!d)
        return;
    db_group_commit_stop(d);
    for (int i = 0; i < d->nconns; i++) {
        memo_clear(d->conns[i]);
        d->ops->conn_close(d->conns[i]);
    }
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

enum db_kind db_conn_kind(const db_conn *c)
{
    return c->owner->kind;
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

static db_conn *take_free(db *d)
{
    pthread_mutex_lock(&d->lock);
    for (;;) {
        for (int i = 0; i < d->nconns; i++) {
            if (!d->conns[i]->in_use) {
                d->conns[i]->in_use = 1;
                d->stats.conns_in_use++;
                pthread_mutex_unlock(&d->lock);
                return d->conns[i];
            }
        }
        d->stats.acquire_waits++;
        pthread_cond_wait(&d->freed, &d->lock);
    }
}

db_conn *db_acquire(db *d)
{
    db_conn *c = take_free(d);
    c->last_status = DB_OK;
    if (d->ops->conn_check)
        d->ops->conn_check(c);
    return c;
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

int db_begin(db_conn *c)
{
    if (c->in_tx) {
        log_error("db_begin: a transaction is already open");
        return c->last_status = DB_ERR;
    }
    int st = c->owner->ops->exec(c, c->owner->ops->begin_sql);
    if (st == DB_OK) {
        c->in_tx = 1;
    } else if (c->owner->kind == DB_KIND_PG) {
        /* BEGIN worked but waiting for the write lock failed. */
        c->owner->ops->exec(c, "ROLLBACK");
        c->last_status = st;
    }
    return st;
}

static void (*end_hook)(int committed);

void db_end_hook_set(void (*hook)(int committed))
{
    end_hook = hook;
}

static void (*sync_hook)(int after);
static _Thread_local uint64_t thread_ticket;

void db_sync_hook_set(void (*hook)(int after))
{
    sync_hook = hook;
}

int db_commit(db_conn *c)
{
    int st = c->owner->ops->exec(c, "COMMIT");
    if (st == DB_OK) {
        c->in_tx = 0;
        memo_clear(c);
        db_stat_add(&c->owner->stats.commits);
        if (end_hook)
            end_hook(1);
        struct db_group *g = &c->owner->group;
        /* The ticket is counted after the hook, so that whatever the hook
         * recorded is covered by the sync that makes the ticket durable. */
        if (__atomic_load_n(&g->on, __ATOMIC_ACQUIRE)) {
            pthread_mutex_lock(&g->lock);
            thread_ticket = ++g->committed;
            pthread_cond_signal(&g->wake);
            pthread_mutex_unlock(&g->lock);
        } else if (sync_hook) {
            sync_hook(0);
            sync_hook(1);
        }
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
    memo_clear(c);
    db_stat_add(&c->owner->stats.rollbacks);
    int keep = c->last_status;
    c->owner->ops->exec(c, "ROLLBACK");
    c->last_status = keep;
    if (end_hook)
        end_hook(0);
    return DB_OK;
}

/* ---- group commit ---- */

uint64_t db_durable_ticket_take(void)
{
    uint64_t t = thread_ticket;
    thread_ticket = 0;
    return t;
}

int db_is_durable(db *d, uint64_t ticket)
{
    struct db_group *g = &d->group;
    pthread_mutex_lock(&g->lock);
    int yes = !g->on || ticket <= g->durable;
    pthread_mutex_unlock(&g->lock);
    return yes;
}

int db_durable_when(db *d, struct db_durable_waiter *w)
{
    struct db_group *g = &d->group;
    pthread_mutex_lock(&g->lock);
    if (!g->on || w->ticket <= g->durable) {
        pthread_mutex_unlock(&g->lock);
        return 1;
    }
    w->next = NULL;
    if (g->tail)
        g->tail->next = w;
    else
        g->head = w;
    g->tail = w;
    pthread_mutex_unlock(&g->lock);
    return 0;
}

uint64_t db_group_syncs(db *d)
{
    pthread_mutex_lock(&d->group.lock);
    uint64_t n = d->group.syncs;
    pthread_mutex_unlock(&d->group.lock);
    return n;
}

static void *group_main(void *arg)
{
    db *d = arg;
    struct db_group *g = &d->group;
    pthread_mutex_lock(&g->lock);
    for (;;) {
        while (g->committed == g->durable && !g->stop)
            pthread_cond_wait(&g->wake, &g->lock);
        if (g->committed == g->durable)
            break;
        uint64_t target = g->committed;
        pthread_mutex_unlock(&g->lock);
        if (sync_hook)
            sync_hook(0);
        /* A commit is acknowledged only once synced: on failure, say so and
         * try again rather than release anyone. */
        while (d->ops->sync_log(d) != 0) {
            log_error("group commit: syncing the log of %s failed: %s; retrying", d->path,
                      strerror(errno));
            struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (sync_hook)
            sync_hook(1);
        pthread_mutex_lock(&g->lock);
        g->durable = target;
        g->syncs++;
        /* Waiters are queued in ticket order per thread but not overall:
         * walk them all. */
        struct db_durable_waiter *ready = NULL, **pp = &g->head;
        g->tail = NULL;
        while (*pp) {
            struct db_durable_waiter *w = *pp;
            if (w->ticket <= target) {
                *pp = w->next;
                w->next = ready;
                ready = w;
            } else {
                g->tail = w;
                pp = &w->next;
            }
        }
        pthread_cond_broadcast(&g->synced);
        pthread_mutex_unlock(&g->lock);
        while (ready) {
            struct db_durable_waiter *w = ready;
            ready = w->next;
            w->fn(w->arg);
        }
        pthread_mutex_lock(&g->lock);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

static int group_mode_all(db *d, int on)
{
    for (int i = 0; i < d->nconns; i++)
        if (d->ops->group_mode(d->conns[i], on) != 0)
            return -1;
    return 0;
}

int db_group_commit_start(db *d, char **err)
{
    *err = NULL;
    struct db_group *g = &d->group;
    if (!d->ops->sync_log || g->on)
        return 0;
    if (group_mode_all(d, 1) != 0) {
        *err = xasprintf("无法为 %s 打开组提交", d->path);
        group_mode_all(d, 0);
        return -1;
    }
    g->stop = 0;
    g->committed = g->durable = 0;
    if (pthread_create(&g->thread, NULL, group_main, d) != 0) {
        *err = xasprintf("无法启动组提交线程");
        group_mode_all(d, 0);
        return -1;
    }
    __atomic_store_n(&g->on, 1, __ATOMIC_RELEASE);
    return 0;
}

void db_group_commit_stop(db *d)
{
    struct db_group *g = &d->group;
    if (!g->on)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    __atomic_store_n(&g->on, 0, __ATOMIC_RELEASE);
    group_mode_all(d, 0);
}

int db_in_tx(const db_conn *c)
{
    return c->in_tx;
}

struct db_memo *db_tx_memo(db_conn *c, const char *key)
{
    if (!c->in_tx)
        return NULL;
    if (!c->memo)
        c->memo = strmap_new(sizeof(struct db_memo));
    return strmap_get(c->memo, key, 1);
}

int db_savepoint(db_conn *c)
{
    return c->owner->ops->exec(c, "SAVEPOINT sp");
}

int db_savepoint_release(db_conn *c)
{
    return c->owner->ops->exec(c, "RELEASE SAVEPOINT sp");
}

int db_savepoint_rollback(db_conn *c)
{
    int keep = c->last_status;
    int st = c->owner->ops->exec(c, "ROLLBACK TO SAVEPOINT sp");
    if (st == DB_OK)
        st = c->owner->ops->exec(c, "RELEASE SAVEPOINT sp");
    if (st == DB_OK)
        c->last_status = keep;
    return st;
}

int db_exec_script(db_conn *c, const char *sql)
{
    return c->owner->ops->exec(c, sql);
}

db_stmt *db_prepare(db_conn *c, const char *sql)
{
    return c->owner->ops->prepare(c, sql);
}

#define OPS(s) ((s)->conn->owner->ops)

void db_bind_int(db_stmt *s, int i, int64_t v)
{
    OPS(s)->bind_int(s, i, v);
}

void db_bind_double(db_stmt *s, int i, double v)
{
    OPS(s)->bind_double(s, i, v);
}

void db_bind_text_kept(db_stmt *s, int i, const char *v)
{
    if (OPS(s)->bind_text_kept)
        OPS(s)->bind_text_kept(s, i, v);
    else
        OPS(s)->bind_text(s, i, v);
}

void db_bind_text(db_stmt *s, int i, const char *v)
{
    OPS(s)->bind_text(s, i, v);
}

void db_bind_blob(db_stmt *s, int i, const void *v, size_t n)
{
    OPS(s)->bind_blob(s, i, v, n);
}

void db_bind_null(db_stmt *s, int i)
{
    OPS(s)->bind_null(s, i);
}

int db_step(db_stmt *s)
{
    return OPS(s)->step(s);
}

int db_col_count(db_stmt *s)
{
    return OPS(s)->col_count(s);
}

const char *db_col_name(db_stmt *s, int i)
{
    return OPS(s)->col_name(s, i);
}

enum db_type db_col_type(db_stmt *s, int i)
{
    return OPS(s)->col_type(s, i);
}

int64_t db_col_int(db_stmt *s, int i)
{
    return OPS(s)->col_int(s, i);
}

double db_col_double(db_stmt *s, int i)
{
    return OPS(s)->col_double(s, i);
}

const char *db_col_text(db_stmt *s, int i)
{
    return OPS(s)->col_text(s, i);
}

const void *db_col_blob(db_stmt *s, int i, size_t *n)
{
    return OPS(s)->col_blob(s, i, n);
}

void db_done(db_stmt *s)
{
    if (s)
        OPS(s)->done(s);
}

int64_t db_changes(db_conn *c)
{
    return c->owner->ops->changes(c);
}

int64_t db_last_insert_id(db_conn *c)
{
    return c->owner->ops->last_insert_id ? c->owner->ops->last_insert_id(c) : -1;
}

void db_bulk_aside_free(struct db_aside *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->n; i++)
        free(a->sql[i]);
    free(a->sql);
    free(a);
}

struct db_aside *db_bulk_aside(db_conn *c, const char *table, int *st)
{
    *st = DB_OK;
    if (!c->owner->ops->bulk_aside)
        return NULL;
    assert(c->in_tx); /* outside a transaction the drop would be for good */
    struct db_aside *a = xcalloc(1, sizeof *a);
    if ((*st = c->owner->ops->bulk_aside(c, table, a)) != DB_OK) {
        db_bulk_aside_free(a);
        return NULL;
    }
    return a;
}

int db_bulk_restore(db_conn *c, struct db_aside *a)
{
    int st = DB_OK;
    for (int i = 0; a && i < a->n && st == DB_OK; i++)
        st = db_exec_script(c, a->sql[i]);
    db_bulk_aside_free(a);
    return st;
}

const char *db_errmsg(db_conn *c)
{
    return c->owner->ops->errmsg(c);
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

int db_table_exists(db_conn *c, const char *name)
{
    return c->owner->ops->table_exists(c, name);
}

int db_schema_version(db *d)
{
    db_conn *c = db_acquire(d);
    int64_t v = 0;
    if (d->ops->table_exists(c, "schema_migrations") > 0)
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
        if (strcmp(m->dialect, d->ops->dialect) != 0)
            continue;
        char ver[16];
        snprintf(ver, sizeof ver, "%d", m->version);
        if (db_query_int(c, "SELECT count(*) FROM schema_migrations WHERE version = $1", ver, 0))
            continue;
        if (db_begin(c) != DB_OK) {
            *err = xasprintf("无法开始事务: %s", db_errmsg(c));
            goto fail;
        }
        /* Another process may have applied it while this one waited for
         * the write lock (several servers starting against one database). */
        if (db_query_int(c, "SELECT count(*) FROM schema_migrations WHERE version = $1", ver, 0)) {
            db_rollback(c);
            continue;
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
    return d->ops->backup(d, path, err);
}

int db_restore(db *d, const char *path, char **err)
{
    return d->ops->restore(d, path, err);
}
