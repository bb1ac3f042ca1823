/* db_pg: the PostgreSQL backend of db.h, on libpq (its operations table;
 * db.c keeps the pool).
 *
 * - Statements are prepared once per connection (PQprepare, names s1, s2, …)
 *   and cached by SQL text; parameters go as text and the server infers
 *   their types from the statement; results come back as text, which
 *   db_col_int and db_col_double parse.
 * - A result is read whole when the statement first steps, so that a caller
 *   may run other statements on the connection while it walks the rows
 *   (dictionary look-ups inside a list).
 * - Every call waits at most the statement timeout plus a margin on the
 *   socket; a connection that times out, or that the server closed (a
 *   restart), is marked broken, the request gets DB_ERR_UNAVAILABLE (503)
 *   and the next db_acquire resets it (PQreset) with an empty cache.
 * - A write transaction takes a transaction-level advisory lock, so writers
 *   are serialised as with SQLite's BEGIN IMMEDIATE (see db.h).
 * - SAFECOMM_PG_STATEMENT_TIMEOUT_MS sets statement_timeout (default
 *   15000); lock waits give up after 5 s like SQLite's busy timeout. */
#include "db_impl.h"
#include "util.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_CACHE 256

struct pg_stmt {
    struct db_stmt base;
    char *sql;
    uint64_t hash;
    char name[24];
    int nparams;
    int nfields; /* from the description, before a result exists */
    int cached;  /* lives in the cache; otherwise freed (and deallocated) by done */
    int shared;  /* borrows a cached statement's name: never deallocated */
    int in_use;
    char **vals; /* nparams bound values, NULL = SQL NULL */
    PGresult *res;
    int row, nrows;
    unsigned char *blob;
};

struct pg_conn {
    struct db_conn base;
    PGconn *h;
    int broken;
    uint64_t next_name;
    int64_t changes;
    char errmsg[512];
    struct pg_stmt *cache[PG_CACHE];
};

#define PC(c) ((struct pg_conn *)(c))
#define PS(s) ((struct pg_stmt *)(s))

static long statement_timeout_ms(void)
{
    const char *v = getenv("SAFECOMM_PG_STATEMENT_TIMEOUT_MS");
    long ms = v && *v ? strtol(v, NULL, 10) : 15000;
    return ms >= 100 && ms <= 3600000 ? ms : 15000;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void set_errmsg(struct pg_conn *c, const char *msg)
{
    snprintf(c->errmsg, sizeof c->errmsg, "%s", msg && *msg ? msg : "?");
    size_t n = strlen(c->errmsg);
    while (n && (c->errmsg[n - 1] == '\n' || c->errmsg[n - 1] == ' '))
        c->errmsg[--n] = '\0';
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* After a PQsend…: waits for every result of the command and returns the
 * first error, or else the last result. NULL when the connection failed or
 * the wait timed out (the connection is then broken). */
static PGresult *wait_result(struct pg_conn *c)
{
    int64_t deadline = now_ms() + statement_timeout_ms() + 5000;
    PGresult *keep = NULL;
    int fd = PQsocket(c->h);
    for (;;) {
        while (PQisBusy(c->h)) {
            int64_t left = deadline - now_ms();
            struct pollfd p = {fd, POLLIN, 0};
            int n = left > 0 ? poll(&p, 1, (int)left) : 0;
            if (n == 0) {
                set_errmsg(c, "PostgreSQL did not answer in time");
                c->broken = 1;
                PQclear(keep);
                return NULL;
            }
            if ((n < 0 && errno == EINTR) || (n > 0 && PQconsumeInput(c->h)))
                continue;
            set_errmsg(c, PQerrorMessage(c->h));
            c->broken = 1;
            PQclear(keep);
            return NULL;
        }
        PGresult *r = PQgetResult(c->h);
        if (!r)
            break;
        if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
            PQclear(r);
        } else {
            PQclear(keep);
            keep = r;
        }
    }
    if (!keep) {
        set_errmsg(c, PQerrorMessage(c->h));
        if (PQstatus(c->h) != CONNECTION_OK)
            c->broken = 1;
    }
    return keep;
}

/* The status of a finished command, with SQLSTATE mapped as db.h says. */
static int map_result(struct pg_conn *c, PGresult *r, const char *what)
{
    db_conn *cb = &c->base;
    int st;
    ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (r && (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK || es == PGRES_EMPTY_QUERY)) {
        cb->last_status = DB_OK;
        return DB_OK;
    }
    const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (r)
        set_errmsg(c, PQresultErrorMessage(r));
    if (PQstatus(c->h) != CONNECTION_OK)
        c->broken = 1;
    if (!code)
        st = c->broken ? DB_ERR_UNAVAILABLE : DB_ERR;
    else if (strcmp(code, "23505") == 0)
        st = DB_ERR_UNIQUE;
    else if (strcmp(code, "23503") == 0)
        st = DB_ERR_FOREIGN_KEY;
    else if (strcmp(code, "23502") == 0 || strcmp(code, "23514") == 0 ||
             strncmp(code, "22", 2) == 0)
        st = DB_ERR_CONSTRAINT;
    else if (strcmp(code, "40001") == 0 || strcmp(code, "40P01") == 0 ||
             strcmp(code, "55P03") == 0 || strcmp(code, "57014") == 0)
        st = DB_ERR_BUSY;
    else if (strncmp(code, "08", 2) == 0 || strncmp(code, "57P", 3) == 0 ||
             strncmp(code, "53", 2) == 0 || c->broken)
        st = DB_ERR_UNAVAILABLE;
    else
        st = DB_ERR;
    db_stat_add(&cb->owner->stats.errors);
    if (st == DB_ERR_BUSY)
        db_stat_add(&cb->owner->stats.busy);
    if (st == DB_ERR_UNIQUE || st == DB_ERR_FOREIGN_KEY || st == DB_ERR_CONSTRAINT)
        log_debug("postgresql: %s (%s)", c->errmsg, code ? code : "-");
    else
        log_warn("postgresql: %s (%s)%s%.200s", c->errmsg, code ? code : "-", what ? ": " : "",
                 what ? what : "");
    cb->last_status = st;
    return st;
}

static int usable(struct pg_conn *c)
{
    if (!c->broken && PQstatus(c->h) == CONNECTION_OK)
        return 1;
    c->broken = 1;
    set_errmsg(c, "PostgreSQL connection lost");
    c->base.last_status = DB_ERR_UNAVAILABLE;
    return 0;
}

static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    log_debug("postgresql: %s", message);
}

/* The session settings, after a connect or a reset. */
static int session_setup(struct pg_conn *c)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SET statement_timeout = %ld; SET lock_timeout = 5000; "
             "SET idle_in_transaction_session_timeout = 60000; "
             "SET client_min_messages = warning; SET client_encoding = 'UTF8'",
             statement_timeout_ms());
    if (!PQsendQuery(c->h, sql)) {
        set_errmsg(c, PQerrorMessage(c->h));
        return -1;
    }
    PGresult *r = wait_result(c);
    int st = map_result(c, r, sql);
    PQclear(r);
    return st == DB_OK ? 0 : -1;
}

static void stmt_free(struct pg_stmt *s)
{
    if (!s)
        return;
    PQclear(s->res);
    for (int i = 0; i < s->nparams; i++)
        free(s->vals[i]);
    free(s->vals);
    PQfreemem(s->blob);
    free(s->sql);
    free(s);
}

/* Forgets every cached statement; deallocate says whether the server
 * still has them. */
static void cache_clear(struct pg_conn *c, int deallocate)
{
    for (int i = 0; i < PG_CACHE; i++) {
        if (!c->cache[i])
            continue;
        if (c->cache[i]->in_use) { /* still walked by a caller: let done free it */
            c->cache[i]->cached = 0;
            c->cache[i]->shared = 1;
        } else {
            stmt_free(c->cache[i]);
        }
        c->cache[i] = NULL;
    }
    if (deallocate && usable(c) && PQsendQuery(c->h, "DEALLOCATE ALL"))
        PQclear(wait_result(c));
}

static int collation_ok(struct pg_conn *c, char **err)
{
    /* Region scopes are ranges of codes compared as text: the collation
     * must order bytes like SQLite does. */
    PGresult *r =
        PQexec(c->h, "SELECT datcollate FROM pg_database WHERE datname = current_database()");
    const char *v =
        r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?";
    int ok = strcmp(v, "C") == 0 || strcmp(v, "POSIX") == 0 || strncmp(v, "C.", 2) == 0;
    const char *any = getenv("SAFECOMM_PG_ANY_COLLATION");
    if (!ok && !(any && strcmp(any, "1") == 0))
        *err = xasprintf("数据库的排序规则是 %s；safecomm 需要 C 或 C.UTF-8（CREATE DATABASE … "
                         "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0，"
                         "见 docs/deploy.md）",
                         v);
    PQclear(r);
    return ok || (any && strcmp(any, "1") == 0);
}

static db_conn *pg_conn_open(db *d, char **err)
{
    struct pg_conn *c = xcalloc(1, sizeof *c);
    c->base.owner = d;
    const char *keys[8], *vals[8];
    int n = 0;
    keys[n] = "dbname", vals[n++] = d->path;
    if (!strstr(d->path, "connect_timeout"))
        keys[n] = "connect_timeout", vals[n++] = "5";
    if (!strstr(d->path, "application_name"))
        keys[n] = "application_name", vals[n++] = "safecomm";
    if (!strstr(d->path, "keepalives_idle"))
        keys[n] = "keepalives_idle", vals[n++] = "10";
    if (!strstr(d->path, "keepalives_interval"))
        keys[n] = "keepalives_interval", vals[n++] = "5";
    if (!strstr(d->path, "keepalives_count"))
        keys[n] = "keepalives_count", vals[n++] = "3";
    keys[n] = NULL, vals[n] = NULL;
    c->h = PQconnectdbParams(keys, vals, 1);
    if (!c->h || PQstatus(c->h) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", c->h ? PQerrorMessage(c->h) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        *err = xasprintf("无法连接 PostgreSQL: %s", msg);
        goto fail;
    }
    PQsetNoticeProcessor(c->h, notice_to_log, NULL);
    if (session_setup(c) != 0) {
        *err = xasprintf("无法设置 PostgreSQL 会话: %s", c->errmsg);
        goto fail;
    }
    if (d->conns[0] == NULL && !collation_ok(c, err))
        goto fail;
    return &c->base;
fail:
    if (c->h)
        PQfinish(c->h);
    free(c);
    return NULL;
}

static void pg_conn_close(db_conn *cb)
{
    struct pg_conn *c = PC(cb);
    cache_clear(c, 0);
    if (c->h)
        PQfinish(c->h);
    free(c);
}

/* On the way out of the pool: notices a connection the server closed while
 * it sat idle, and resets a broken one. */
static void pg_conn_check(db_conn *cb)
{
    struct pg_conn *c = PC(cb);
    if (!c->broken && PQstatus(c->h) == CONNECTION_OK) {
        struct pollfd p = {PQsocket(c->h), POLLIN, 0};
        if (poll(&p, 1, 0) > 0) {
            /* Nothing is expected while idle: this is an error or EOF. */
            if (!PQconsumeInput(c->h) || PQstatus(c->h) != CONNECTION_OK)
                c->broken = 1;
            PGresult *r;
            while (!c->broken && !PQisBusy(c->h) && (r = PQgetResult(c->h)))
                PQclear(r);
        }
    }
    if (!c->broken && PQstatus(c->h) == CONNECTION_OK)
        return;
    cache_clear(c, 0);
    cb->in_tx = 0;
    PQreset(c->h);
    if (PQstatus(c->h) == CONNECTION_OK && session_setup(c) == 0) {
        c->broken = 0;
        log_info("postgresql: connection re-established");
    } else {
        c->broken = 1;
        set_errmsg(c, PQerrorMessage(c->h));
    }
}

static int pg_exec(db_conn *cb, const char *sql)
{
    struct pg_conn *c = PC(cb);
    if (!usable(c))
        return DB_ERR_UNAVAILABLE;
    if (!PQsendQuery(c->h, sql)) {
        set_errmsg(c, PQerrorMessage(c->h));
        c->broken = PQstatus(c->h) != CONNECTION_OK;
        return cb->last_status = c->broken ? DB_ERR_UNAVAILABLE : DB_ERR;
    }
    PGresult *r = wait_result(c);
    int st = map_result(c, r, strncmp(sql, "ROLLBACK", 8) == 0 ? NULL : sql);
    PQclear(r);
    return st;
}

static struct pg_stmt *stmt_new(struct pg_conn *c, const char *sql, uint64_t h)
{
    struct pg_stmt *s = xcalloc(1, sizeof *s);
    s->base.conn = &c->base;
    s->sql = xstrdup(sql);
    s->hash = h;
    s->row = -1;
    return s;
}

static void stmt_params(struct pg_stmt *s, int nparams, int nfields)
{
    s->nparams = nparams;
    s->nfields = nfields;
    s->vals = nparams ? xcalloc((size_t)nparams, sizeof *s->vals) : NULL;
}

static void deallocate(struct pg_conn *c, const char *name)
{
    char sql[64];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", name);
    if (usable(c) && PQsendQuery(c->h, sql))
        PQclear(wait_result(c));
}

static db_stmt *pg_prepare(db_conn *cb, const char *sql)
{
    struct pg_conn *c = PC(cb);
    uint64_t h = hash_str(sql);
    size_t slot = h % PG_CACHE;
    struct pg_stmt *s = c->cache[slot];
    if (s && s->hash == h && strcmp(s->sql, sql) == 0) {
        db_stat_add(&cb->owner->stats.stmt_hits);
        if (!s->in_use) {
            s->in_use = 1;
            return &s->base;
        }
        /* Already being walked by the caller: another cursor on the same
         * server-side statement. */
        struct pg_stmt *n = stmt_new(c, sql, h);
        memcpy(n->name, s->name, sizeof n->name);
        stmt_params(n, s->nparams, s->nfields);
        n->shared = 1;
        n->in_use = 1;
        return &n->base;
    }
    db_stat_add(&cb->owner->stats.stmt_misses);
    if (!usable(c))
        return NULL;
    struct pg_stmt *n = stmt_new(c, sql, h);
    snprintf(n->name, sizeof n->name, "s%llu", (unsigned long long)++c->next_name);
    PGresult *r = NULL;
    int st = DB_ERR;
    if (PQsendPrepare(c->h, n->name, sql, 0, NULL)) {
        r = wait_result(c);
        st = map_result(c, r, sql);
        PQclear(r);
    } else {
        set_errmsg(c, PQerrorMessage(c->h));
        c->broken = PQstatus(c->h) != CONNECTION_OK;
        cb->last_status = st = c->broken ? DB_ERR_UNAVAILABLE : DB_ERR;
    }
    if (st == DB_OK) {
        st = DB_ERR;
        if (PQsendDescribePrepared(c->h, n->name)) {
            r = wait_result(c);
            st = map_result(c, r, sql);
            if (st == DB_OK)
                stmt_params(n, PQnparams(r), PQnfields(r));
            PQclear(r);
        }
    }
    if (st != DB_OK) {
        if (st == DB_ERR)
            log_error("prepare failed: %s: %s", c->errmsg, sql);
        if (!c->broken)
            cb->last_status = st;
        stmt_free(n);
        return NULL;
    }
    n->in_use = 1;
    if (!s || !s->in_use) {
        if (s) {
            deallocate(c, s->name);
            stmt_free(s);
        }
        c->cache[slot] = n;
        n->cached = 1;
    }
    return &n->base;
}

static void bind_str(db_stmt *sb, int i, char *v)
{
    struct pg_stmt *s = PS(sb);
    if (i < 1 || i > s->nparams) {
        free(v);
        return;
    }
    free(s->vals[i - 1]);
    s->vals[i - 1] = v;
}

static void pg_bind_int(db_stmt *s, int i, int64_t v)
{
    bind_str(s, i, xasprintf("%lld", (long long)v));
}

static void pg_bind_double(db_stmt *s, int i, double v)
{
    bind_str(s, i, xasprintf("%.17g", v));
}

static void pg_bind_text(db_stmt *s, int i, const char *v)
{
    bind_str(s, i, v ? xstrdup(v) : NULL);
}

static void pg_bind_blob(db_stmt *s, int i, const void *v, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *t = xmalloc(2 * n + 3);
    t[0] = '\\';
    t[1] = 'x';
    for (size_t k = 0; k < n; k++) {
        t[2 + 2 * k] = hex[((const unsigned char *)v)[k] >> 4];
        t[3 + 2 * k] = hex[((const unsigned char *)v)[k] & 15];
    }
    t[2 * n + 2] = '\0';
    bind_str(s, i, t);
}

static void pg_bind_null(db_stmt *s, int i)
{
    bind_str(s, i, NULL);
}

static int pg_step(db_stmt *sb)
{
    struct pg_stmt *s = PS(sb);
    struct pg_conn *c = PC(sb->conn);
    if (s->res) {
        s->row++;
        return s->row < s->nrows ? DB_ROW : DB_DONE;
    }
    if (!usable(c))
        return DB_ERR_UNAVAILABLE;
    if (!PQsendQueryPrepared(c->h, s->name, s->nparams, (const char *const *)s->vals, NULL, NULL,
                             0)) {
        set_errmsg(c, PQerrorMessage(c->h));
        c->broken = PQstatus(c->h) != CONNECTION_OK;
        return sb->conn->last_status = c->broken ? DB_ERR_UNAVAILABLE : DB_ERR;
    }
    PGresult *r = wait_result(c);
    int st = map_result(c, r, s->sql);
    if (st != DB_OK) {
        PQclear(r);
        return st;
    }
    const char *cmd = PQcmdStatus(r);
    if (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
        strncmp(cmd, "DELETE", 6) == 0 || strncmp(cmd, "MERGE", 5) == 0)
        c->changes = atoll(PQcmdTuples(r));
    s->res = r;
    s->nrows = PQntuples(r);
    s->row = 0;
    st = s->nrows > 0 ? DB_ROW : DB_DONE;
    sb->conn->last_status = st;
    return st;
}

static int pg_col_count(db_stmt *s)
{
    return PS(s)->res ? PQnfields(PS(s)->res) : PS(s)->nfields;
}

static const char *pg_col_name(db_stmt *s, int i)
{
    return PS(s)->res ? PQfname(PS(s)->res, i) : "";
}

static int have(struct pg_stmt *s, int i)
{
    return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res) &&
           !PQgetisnull(s->res, s->row, i);
}

static enum db_type pg_col_type(db_stmt *sb, int i)
{
    struct pg_stmt *s = PS(sb);
    if (!have(s, i))
        return DB_T_NULL;
    switch (PQftype(s->res, i)) {
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
        return DB_T_INT;
    case 700:  /* float4 */
    case 701:  /* float8 */
    case 1700: /* numeric */
        return DB_T_REAL;
    case 17: /* bytea */
        return DB_T_BLOB;
    default:
        return DB_T_TEXT;
    }
}

static int64_t pg_col_int(db_stmt *sb, int i)
{
    struct pg_stmt *s = PS(sb);
    if (!have(s, i))
        return 0;
    const char *v = PQgetvalue(s->res, s->row, i);
    if (PQftype(s->res, i) == 700 || PQftype(s->res, i) == 701 || PQftype(s->res, i) == 1700)
        return (int64_t)strtod(v, NULL);
    return strtoll(v, NULL, 10);
}

static double pg_col_double(db_stmt *sb, int i)
{
    struct pg_stmt *s = PS(sb);
    return have(s, i) ? strtod(PQgetvalue(s->res, s->row, i), NULL) : 0.0;
}

static const char *pg_col_text(db_stmt *sb, int i)
{
    struct pg_stmt *s = PS(sb);
    return have(s, i) ? PQgetvalue(s->res, s->row, i) : NULL;
}

static const void *pg_col_blob(db_stmt *sb, int i, size_t *n)
{
    struct pg_stmt *s = PS(sb);
    *n = 0;
    if (!have(s, i))
        return NULL;
    PQfreemem(s->blob);
    s->blob = NULL;
    if (PQftype(s->res, i) != 17) {
        *n = (size_t)PQgetlength(s->res, s->row, i);
        return PQgetvalue(s->res, s->row, i);
    }
    s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, i), n);
    return s->blob;
}

static void pg_done(db_stmt *sb)
{
    struct pg_stmt *s = PS(sb);
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->nrows = 0;
    PQfreemem(s->blob);
    s->blob = NULL;
    for (int i = 0; i < s->nparams; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
    }
    s->in_use = 0;
    if (s->cached)
        return;
    if (!s->shared)
        deallocate(PC(sb->conn), s->name);
    stmt_free(s);
}

static int64_t pg_changes(db_conn *c)
{
    return PC(c)->changes;
}

static const char *pg_errmsg(db_conn *c)
{
    return PC(c)->errmsg;
}

static int pg_table_exists(db_conn *c, const char *name)
{
    int64_t n = db_query_int(c,
                             "SELECT count(*) FROM pg_catalog.pg_tables "
                             "WHERE schemaname = current_schema() AND tablename = $1",
                             name, -1);
    return n < 0 ? -1 : n > 0;
}

static int pg_backup(db *d, const char *path, char **err)
{
    (void)d;
    (void)path;
    *err = xstrdup("PostgreSQL 数据库请用 pg_dump 或 pg_basebackup 备份（见 docs/deploy.md）");
    return -1;
}

static int pg_restore(db *d, const char *path, char **err)
{
    (void)d;
    (void)path;
    *err = xstrdup("PostgreSQL 数据库请用 pg_restore 或 psql 恢复（见 docs/deploy.md）");
    return -1;
}

const struct db_ops db_pg_ops = {
    .dialect = "pg",
    /* The write lock: writers queue here, as on SQLite (see db.h). */
    .begin_sql = "BEGIN; SELECT pg_advisory_xact_lock(5317700601)",
    .conn_open = pg_conn_open,
    .conn_close = pg_conn_close,
    .conn_check = pg_conn_check,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .col_type = pg_col_type,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .done = pg_done,
    .changes = pg_changes,
    .errmsg = pg_errmsg,
    .table_exists = pg_table_exists,
    .backup = pg_backup,
    .restore = pg_restore,
};
