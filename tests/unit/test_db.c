/* Unit tests for the SQLite backend of db.h on temporary files: $N
 * placeholders, the statement cache, the mapping of constraint errors,
 * transactions, migrations, backup and restore. */
#include "harness.h"
#include "../../src/db_sqlite.c"
#include "migrations.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/safecomm-db-XXXXXX";

static char *path_in(const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

static void remove_db(const char *name)
{
    static const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        char *p = xasprintf("%s/%s%s", dir, name, suffix[i]);
        unlink(p);
        free(p);
    }
}

static db *open_db(const char *name, int nconns)
{
    char *p = path_in(name), *err = NULL;
    db *d = db_open(p, nconns, &err);
    if (!d)
        fprintf(stderr, "db_open %s: %s\n", p, err ? err : "?");
    free(err);
    free(p);
    return d;
}

static const char *query_text(db_conn *c, const char *sql, const char *param, char *out, size_t n)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return NULL;
    if (param)
        db_bind_text(s, 1, param);
    const char *r = NULL;
    if (db_step(s) == DB_ROW && db_col_text(s, 0)) {
        snprintf(out, n, "%s", db_col_text(s, 0));
        r = out;
    }
    db_done(s);
    return r;
}

static void test_placeholders(void)
{
    char *r = rewrite_placeholders("SELECT $1, '$1', \"$2\", $10 FROM t WHERE a = $2");
    CHECK_STR(r, "SELECT ?1, '$1', \"$2\", ?10 FROM t WHERE a = ?2");
    free(r);
    r = rewrite_placeholders("SELECT 'it''s $1', $1, $ x, $a");
    CHECK_STR(r, "SELECT 'it''s $1', ?1, $ x, $a");
    free(r);
    r = rewrite_placeholders("");
    CHECK_STR(r, "");
    free(r);

    db *d = open_db("p.db", 1);
    CHECK(d != NULL);
    if (!d)
        return;
    db_conn *c = db_acquire(d);
    char out[128];
    db_stmt *s = db_prepare(c, "SELECT $2 || '$1' || $1");
    CHECK(s != NULL);
    if (s) {
        db_bind_text(s, 1, "A");
        db_bind_text(s, 2, "B");
        CHECK_INT(db_step(s), DB_ROW);
        CHECK_STR(db_col_text(s, 0), "B$1A");
        db_done(s);
    }
    CHECK_STR(query_text(c, "SELECT 'x''$1' || $1", "y", out, sizeof out), "x'$1y");
    /* a parameter used twice binds once */
    s = db_prepare(c, "SELECT $1 + $1 * 10");
    CHECK(s != NULL);
    if (s) {
        db_bind_int(s, 1, 3);
        CHECK_INT(db_step(s), DB_ROW);
        CHECK_INT(db_col_int(s, 0), 33);
        db_done(s);
    }
    /* column types */
    s = db_prepare(c, "SELECT 1, 2.5, 't', NULL, x'0001ff'");
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(db_step(s), DB_ROW);
        CHECK_INT(db_col_count(s), 5);
        CHECK_INT(db_col_type(s, 0), DB_T_INT);
        CHECK_INT(db_col_type(s, 1), DB_T_REAL);
        CHECK_INT(db_col_type(s, 2), DB_T_TEXT);
        CHECK_INT(db_col_type(s, 3), DB_T_NULL);
        CHECK_INT(db_col_type(s, 4), DB_T_BLOB);
        CHECK(db_col_double(s, 1) == 2.5);
        CHECK(db_col_text(s, 3) == NULL);
        size_t n = 0;
        const unsigned char *b = db_col_blob(s, 4, &n);
        CHECK_INT(n, 3);
        CHECK(b && b[0] == 0 && b[1] == 1 && b[2] == 0xff);
        CHECK_INT(db_step(s), DB_DONE);
        db_done(s);
    }
    CHECK_INT(db_query_int(c, "SELECT 7 WHERE $1 = 'a'", "a", -1), 7);
    CHECK_INT(db_query_int(c, "SELECT 7 WHERE $1 = 'a'", "b", -1), -1);
    CHECK_INT(db_query_int(c, "SELECT NULL", NULL, -2), -2);
    db_release(d, c);
    db_close(d);
    remove_db("p.db");
}

static void test_cache(void)
{
    db *d = open_db("c.db", 1);
    CHECK(d != NULL);
    if (!d)
        return;
    db_conn *c = db_acquire(d);
    struct db_stats s0, s1;
    const char *sql = "SELECT $1 + 1";
    db_stats_get(d, &s0);
    db_stmt *a = db_prepare(c, sql);
    db_done(a);
    db_stats_get(d, &s1);
    CHECK_INT(s1.stmt_misses - s0.stmt_misses, 1);
    CHECK_INT(s1.stmt_hits - s0.stmt_hits, 0);
    db_stmt *b = db_prepare(c, sql);
    CHECK(b == a);
    db_done(b);
    db_stats_get(d, &s1);
    CHECK_INT(s1.stmt_hits - s0.stmt_hits, 1);
    /* while the cached statement is in use, a second use gets its own */
    a = db_prepare(c, sql);
    b = db_prepare(c, sql);
    CHECK(a != NULL && b != NULL && a != b);
    db_bind_int(a, 1, 1);
    db_bind_int(b, 1, 10);
    CHECK_INT(db_step(a), DB_ROW);
    CHECK_INT(db_step(b), DB_ROW);
    CHECK_INT(db_col_int(a, 0), 2);
    CHECK_INT(db_col_int(b, 0), 11);
    db_done(b);
    db_done(a);
    db_stats_get(d, &s1);
    CHECK_INT(s1.stmt_hits - s0.stmt_hits, 2);
    CHECK_INT(s1.stmt_misses - s0.stmt_misses, 2);
    /* the cached one is back; bindings were cleared by db_done */
    a = db_prepare(c, sql);
    CHECK_INT(db_step(a), DB_ROW);
    CHECK_INT(db_col_type(a, 0), DB_T_NULL);
    db_done(a);
    db_stats_get(d, &s1);
    CHECK_INT(s1.stmt_hits - s0.stmt_hits, 3);
    /* a different text is a miss */
    db_done(db_prepare(c, "SELECT $1 + 2"));
    db_stats_get(d, &s1);
    CHECK_INT(s1.stmt_misses - s0.stmt_misses, 3);
    CHECK_INT(s1.conns_total, 1);
    CHECK_INT(s1.conns_in_use, 1);
    db_release(d, c);
    db_stats_get(d, &s1);
    CHECK_INT(s1.conns_in_use, 0);
    db_close(d);
    remove_db("c.db");
}

static void test_errors(void)
{
    db *d = open_db("e.db", 1);
    CHECK(d != NULL);
    if (!d)
        return;
    db_conn *c = db_acquire(d);
    CHECK_INT(db_exec_script(c, "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                                "CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT UNIQUE,"
                                " n TEXT NOT NULL, k INTEGER CHECK (k > 0),"
                                " p INTEGER REFERENCES parent(id));"
                                "INSERT INTO parent (id) VALUES (1);"),
              DB_OK);
    const char *ins = "INSERT INTO t (id, u, n, k, p) VALUES ($1, $2, $3, $4, $5)";
    const char *ok[] = {"1", "a", "x", "1", "1"};
    CHECK_INT(db_exec_params(c, ins, 5, ok), DB_OK);
    CHECK_INT(db_changes(c), 1);
    struct db_stats s0, s1;
    db_stats_get(d, &s0);
    const char *dup_pk[] = {"1", "b", "x", "1", "1"};
    CHECK_INT(db_exec_params(c, ins, 5, dup_pk), DB_ERR_UNIQUE);
    CHECK_INT(db_last_status(c), DB_ERR_UNIQUE);
    const char *dup_u[] = {"2", "a", "x", "1", "1"};
    CHECK_INT(db_exec_params(c, ins, 5, dup_u), DB_ERR_UNIQUE);
    const char *bad_fk[] = {"3", "c", "x", "1", "99"};
    CHECK_INT(db_exec_params(c, ins, 5, bad_fk), DB_ERR_FOREIGN_KEY);
    const char *null_n[] = {"4", "d", NULL, "1", "1"};
    CHECK_INT(db_exec_params(c, ins, 5, null_n), DB_ERR_CONSTRAINT);
    const char *bad_k[] = {"5", "e", "x", "0", "1"};
    CHECK_INT(db_exec_params(c, ins, 5, bad_k), DB_ERR_CONSTRAINT);
    /* deleting a referenced row */
    CHECK_INT(db_exec_params(c, "DELETE FROM parent WHERE id = 1", 0, NULL), DB_ERR_FOREIGN_KEY);
    db_stats_get(d, &s1);
    CHECK_INT(s1.errors - s0.errors, 6);
    CHECK_INT(db_query_int(c, "SELECT count(*) FROM t", NULL, -1), 1);
    /* a statement that does not prepare */
    CHECK(db_prepare(c, "SELEKT 1") == NULL);
    CHECK_INT(db_last_status(c), DB_ERR);
    CHECK(strlen(db_errmsg(c)) > 0);
    CHECK_INT(db_exec_params(c, "INSERT INTO nosuch VALUES (1)", 0, NULL), DB_ERR);
    CHECK_INT(db_query_int(c, "SELECT bogus()", NULL, 42), 42);
    CHECK(db_exec_script(c, "CREATE TABLE parent (x)") < 0);
    /* a good statement after errors works and resets the status */
    CHECK_INT(db_exec_params(c, "UPDATE t SET n = 'y' WHERE id = 1", 0, NULL), DB_OK);
    CHECK_INT(db_last_status(c), DB_DONE);
    db_release(d, c);
    db_close(d);
    remove_db("e.db");
}

static void test_transactions(void)
{
    db *d = open_db("t.db", 2);
    CHECK(d != NULL);
    if (!d)
        return;
    db_conn *c = db_acquire(d), *c2 = db_acquire(d);
    CHECK(c != c2);
    CHECK_INT(db_exec_script(c, "CREATE TABLE t (v INTEGER)"), DB_OK);
    struct db_stats s0, s1;
    db_stats_get(d, &s0);
    CHECK_INT(db_in_tx(c), 0);
    CHECK_INT(db_begin(c), DB_OK);
    CHECK_INT(db_in_tx(c), 1);
    CHECK_INT(db_exec_params(c, "INSERT INTO t VALUES (1)", 0, NULL), DB_OK);
    CHECK_INT(db_query_int(c, "SELECT count(*) FROM t", NULL, -1), 1);
    /* the other connection does not see uncommitted rows */
    CHECK_INT(db_query_int(c2, "SELECT count(*) FROM t", NULL, -1), 0);
    CHECK_INT(db_rollback(c), DB_OK);
    CHECK_INT(db_in_tx(c), 0);
    CHECK_INT(db_query_int(c, "SELECT count(*) FROM t", NULL, -1), 0);
    CHECK_INT(db_rollback(c), DB_OK); /* no transaction: nothing */

    CHECK_INT(db_begin(c), DB_OK);
    CHECK_INT(db_exec_params(c, "INSERT INTO t VALUES (2)", 0, NULL), DB_OK);
    CHECK_INT(db_commit(c), DB_OK);
    CHECK_INT(db_in_tx(c), 0);
    CHECK_INT(db_query_int(c2, "SELECT count(*) FROM t", NULL, -1), 1);
    db_stats_get(d, &s1);
    CHECK_INT(s1.commits - s0.commits, 1);
    CHECK_INT(s1.rollbacks - s0.rollbacks, 1);
    db_release(d, c2);

    /* a transaction left open is rolled back by db_release */
    CHECK_INT(db_begin(c), DB_OK);
    CHECK_INT(db_exec_params(c, "INSERT INTO t VALUES (3)", 0, NULL), DB_OK);
    db_release(d, c);
    c = db_acquire(d);
    CHECK_INT(db_in_tx(c), 0);
    CHECK_INT(db_query_int(c, "SELECT count(*) FROM t", NULL, -1), 1);
    CHECK_INT(db_query_int(c, "SELECT max(v) FROM t", NULL, -1), 2);
    /* and the lock is free again: another writer can begin */
    c2 = db_acquire(d);
    CHECK_INT(db_begin(c2), DB_OK);
    CHECK_INT(db_commit(c2), DB_OK);
    db_release(d, c2);
    db_stats_get(d, &s1);
    CHECK_INT(s1.rollbacks - s0.rollbacks, 2);
    db_release(d, c);
    db_close(d);
    remove_db("t.db");
}

static int sqlite_migrations(void)
{
    int n = 0;
    for (size_t i = 0; i < db_migrations_count; i++)
        n += strcmp(db_migrations[i].dialect, "sqlite") == 0;
    return n;
}

static int max_version(void)
{
    int v = 0;
    for (size_t i = 0; i < db_migrations_count; i++)
        if (strcmp(db_migrations[i].dialect, "sqlite") == 0 && db_migrations[i].version > v)
            v = db_migrations[i].version;
    return v;
}

static int64_t count_of(db *d, const char *table)
{
    db_conn *c = db_acquire(d);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    int64_t n = db_query_int(c, sql, NULL, -1);
    db_release(d, c);
    return n;
}

/* db_bulk_aside: the plain indexes and the insert triggers that name
 * bulk_loads go, the unique index and the other triggers stay, and both a
 * restore and a rollback bring back exactly what was there. */
static void test_bulk_aside(void)
{
    db *d = open_db("aside.db", 1);
    CHECK(d != NULL);
    if (!d)
        return;
    db_conn *c = db_acquire(d);
    CHECK_INT(db_exec_script(c, "CREATE TABLE bulk_loads (entity TEXT PRIMARY KEY);"
                                "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, "
                                "k TEXT UNIQUE);"
                                "CREATE TABLE n (v INTEGER);"
                                "CREATE INDEX t_a ON t(a);"
                                "CREATE INDEX t_b ON t(b) WHERE b IS NOT NULL;"
                                "CREATE UNIQUE INDEX t_ab ON t(a, b);"
                                "CREATE TRIGGER t_bulk AFTER INSERT ON t WHEN NOT EXISTS "
                                "(SELECT 1 FROM bulk_loads) BEGIN INSERT INTO n VALUES (1); END;"
                                "CREATE TRIGGER t_other AFTER INSERT ON t "
                                "BEGIN INSERT INTO n VALUES (2); END;"),
              DB_OK);
    const char *all = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                      "WHERE tbl_name = 't' ORDER BY name)";
    char before[256], now[256];
    CHECK(query_text(c, all, NULL, before, sizeof before) != NULL);
    CHECK_STR(before, "sqlite_autoindex_t_1,t,t_a,t_ab,t_b,t_bulk,t_other");
    int st = -1;
    CHECK_INT(db_begin(c), DB_OK);
    struct db_aside *a = db_bulk_aside(c, "t", &st);
    CHECK_INT(st, DB_OK);
    CHECK(a != NULL);
    CHECK(query_text(c, all, NULL, now, sizeof now) != NULL);
    CHECK_STR(now, "sqlite_autoindex_t_1,t,t_ab,t_other");
    /* the unique rules still hold while the rest is aside */
    CHECK_INT(db_exec_params(c, "INSERT INTO t (a, b, k) VALUES ('x', 'y', 'k1')", 0, NULL), DB_OK);
    CHECK_INT(db_exec_params(c, "INSERT INTO t (a, b, k) VALUES ('x', 'y', 'k2')", 0, NULL),
              DB_ERR_UNIQUE);
    CHECK_INT(db_exec_params(c, "INSERT INTO t (a, b, k) VALUES ('x', 'z', 'k1')", 0, NULL),
              DB_ERR_UNIQUE);
    CHECK_INT(db_bulk_restore(c, a), DB_OK);
    CHECK(query_text(c, all, NULL, now, sizeof now) != NULL);
    CHECK_STR(now, before);
    /* the rebuilt index holds the row stored while it was aside */
    CHECK_INT(db_query_int(c, "SELECT count(*) FROM t INDEXED BY t_a WHERE a = 'x'", NULL, -1), 1);
    CHECK_INT(db_commit(c), DB_OK);

    CHECK_INT(db_begin(c), DB_OK);
    a = db_bulk_aside(c, "t", &st);
    CHECK(a != NULL);
    CHECK_INT(db_rollback(c), DB_OK);
    db_bulk_aside_free(a);
    CHECK(query_text(c, all, NULL, now, sizeof now) != NULL);
    CHECK_STR(now, before);
    CHECK(query_text(c, "PRAGMA integrity_check", NULL, now, sizeof now) != NULL);
    CHECK_STR(now, "ok");
    db_release(d, c);
    db_close(d);
    remove_db("aside.db");
}

static void test_migrate_backup_restore(void)
{
    db *d = open_db("m.db", 2);
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK(sqlite_migrations() >= 3);
    CHECK_INT(db_schema_version(d), 0);
    char *err = NULL;
    CHECK_INT(db_migrate(d, &err), 0);
    CHECK(err == NULL);
    free(err);
    CHECK_INT(db_schema_version(d), max_version());
    CHECK_INT(count_of(d, "schema_migrations"), sqlite_migrations());
    CHECK_INT(count_of(d, "volunteers"), 0);
    CHECK(count_of(d, "dict_items") > 50);
    CHECK(count_of(d, "roles") >= 8);
    /* every migration's row is there, by version and name */
    db_conn *c = db_acquire(d);
    int missing = 0;
    char out[128];
    for (size_t i = 0; i < db_migrations_count; i++) {
        char ver[16];
        snprintf(ver, sizeof ver, "%d", db_migrations[i].version);
        const char *name = query_text(c, "SELECT name FROM schema_migrations WHERE version = $1",
                                      ver, out, sizeof out);
        if (!name || strcmp(name, db_migrations[i].name) != 0)
            missing++;
    }
    CHECK_INT(missing, 0);
    char applied[128];
    CHECK(query_text(c, "SELECT group_concat(applied_at) FROM schema_migrations", NULL, applied,
                     sizeof applied) != NULL);
    db_release(d, c);

    /* idempotent: a second run applies nothing */
    CHECK_INT(db_migrate(d, &err), 0);
    free(err);
    CHECK_INT(count_of(d, "schema_migrations"), sqlite_migrations());
    CHECK_INT(db_schema_version(d), max_version());
    c = db_acquire(d);
    CHECK_STR(query_text(c, "SELECT group_concat(applied_at) FROM schema_migrations", NULL, out,
                         sizeof out),
              applied);

    /* some rows to carry over */
    CHECK_INT(db_exec_script(c, "INSERT INTO regions (code, name, level, parent, created_at, "
                                "updated_at) VALUES "
                                "('510000000000', '四川省', 'province', NULL, 'x', 'x'),"
                                "('511600000000', '广安市', 'city', '510000000000', 'x', 'x'),"
                                "('511621000000', '岳池县', 'county', '511600000000', 'x', 'x')"),
              DB_OK);
    db_release(d, c);
    int64_t dicts = count_of(d, "dict_items");

    /* backup: a file that opens with the same content */
    char *bpath = path_in("backup.db");
    CHECK_INT(db_backup(d, bpath, &err), 0);
    CHECK(err == NULL);
    free(err);
    db *b = open_db("backup.db", 1);
    CHECK(b != NULL);
    if (b) {
        CHECK_INT(count_of(b, "regions"), 3);
        CHECK_INT(count_of(b, "dict_items"), dicts);
        CHECK_INT(db_schema_version(b), max_version());
        db_close(b);
    }
    /* a backup to a directory that does not exist fails with a message */
    char *nopath = path_in("no/such/dir.db");
    CHECK_INT(db_backup(d, nopath, &err), -1);
    CHECK(err != NULL);
    free(err);
    free(nopath);

    /* restore replaces changed content with the backup's */
    c = db_acquire(d);
    CHECK_INT(db_exec_script(c, "DELETE FROM regions WHERE level = 'county';"
                                "DELETE FROM dict_items WHERE dict = 'sex';"),
              DB_OK);
    CHECK_INT(db_query_int(c, "SELECT count(*) FROM regions", NULL, -1), 2);
    db_release(d, c);
    CHECK_INT(db_restore(d, bpath, &err), 0);
    CHECK(err == NULL);
    free(err);
    CHECK_INT(count_of(d, "regions"), 3);
    CHECK_INT(count_of(d, "dict_items"), dicts);
    CHECK_INT(db_schema_version(d), max_version());

    /* restore refuses what is not a backup and leaves the data alone */
    char *missing_path = path_in("missing.db");
    CHECK_INT(db_restore(d, missing_path, &err), -1);
    CHECK(err != NULL);
    free(err);
    char *garbage = path_in("garbage.db");
    FILE *f = fopen(garbage, "w");
    if (f) {
        for (int i = 0; i < 200; i++)
            fputs("this is not a database file. ", f);
        fclose(f);
    }
    CHECK_INT(db_restore(d, garbage, &err), -1);
    CHECK(err != NULL);
    free(err);
    CHECK_INT(count_of(d, "regions"), 3);
    /* an empty file (a failed copy) is not a safecomm backup */
    char *empty = path_in("empty.db");
    f = fopen(empty, "w");
    if (f)
        fclose(f);
    CHECK_INT(db_restore(d, empty, &err), -1);
    free(err);
    CHECK_INT(count_of(d, "regions"), 3);
    /* nor is another application's SQLite database */
    db *other = open_db("other.db", 1);
    if (other) {
        db_conn *oc = db_acquire(other);
        db_exec_script(oc, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hi');");
        db_release(other, oc);
        db_close(other);
    }
    char *opath = path_in("other.db");
    CHECK_INT(db_restore(d, opath, &err), -1);
    free(err);
    CHECK_INT(count_of(d, "regions"), 3);
    CHECK_INT(db_schema_version(d), max_version());

    free(missing_path);
    free(garbage);
    free(empty);
    free(opath);
    free(bpath);
    db_close(d);
    static const char *names[] = {"m.db",     "backup.db", "garbage.db",
                                  "empty.db", "other.db",  "missing.db"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove_db(names[i]);
}

static void test_open(void)
{
    char *err = NULL;
    CHECK(db_open("postgresql://localhost/x", 1, &err) == NULL);
    CHECK(err != NULL);
    free(err);
    err = NULL;
    char *p = path_in("no/such/dir/x.db");
    CHECK(db_open(p, 1, &err) == NULL);
    CHECK(err != NULL);
    free(err);
    free(p);
    db *d = open_db("k.db", 0); /* at least one connection */
    CHECK(d != NULL);
    if (d) {
        struct db_stats st;
        db_stats_get(d, &st);
        CHECK_INT(st.conns_total, 1);
        CHECK_INT(db_kind(d), DB_KIND_SQLITE);
        CHECK(strstr(db_path(d), "k.db") != NULL);
        db_conn *c = db_acquire(d);
        char out[32];
        CHECK_STR(query_text(c, "PRAGMA journal_mode", NULL, out, sizeof out), "wal");
        CHECK_INT(db_query_int(c, "PRAGMA foreign_keys", NULL, -1), 1);
        CHECK_INT(db_query_int(c, "PRAGMA synchronous", NULL, -1), 2); /* FULL */
        db_release(d, c);
        db_close(d);
    }
    remove_db("k.db");
}

/* Group commit: commits from several threads get tickets; a waiter for a
 * ticket not yet synced is told once, after a sync that covers it; the
 * connections run with synchronous=NORMAL meanwhile, FULL again after; the
 * sync hook is told around each sync; stop leaves nothing unsynced. */
#define GC_THREADS 4
#define GC_ROWS    50

static int hook_before, hook_after;
static void count_hook(int after)
{
    __atomic_fetch_add(after ? &hook_after : &hook_before, 1, __ATOMIC_RELAXED);
}

struct gc_arg {
    db *d;
    int told, wrong;
};

/* Outlives the writers: a waiter is told after its thread may have left. */
static struct db_durable_waiter gc_w[GC_THREADS][GC_ROWS];
static int gc_next;

static void told(void *arg)
{
    struct gc_arg *g = arg;
    __atomic_fetch_add(&g->told, 1, __ATOMIC_RELAXED);
}

static void *gc_writer(void *arg)
{
    struct gc_arg *g = arg;
    struct db_durable_waiter *w = gc_w[__atomic_fetch_add(&gc_next, 1, __ATOMIC_RELAXED)];
    for (int i = 0; i < GC_ROWS; i++) {
        db_conn *c = db_acquire(g->d);
        if (db_begin(c) != DB_OK ||
            db_exec_params(c, "INSERT INTO g (v) VALUES ($1)", 1, (const char *[]){"x"}) != DB_OK ||
            db_commit(c) != DB_OK)
            __atomic_fetch_add(&g->wrong, 1, __ATOMIC_RELAXED);
        db_release(g->d, c);
        uint64_t t = db_durable_ticket_take();
        if (t == 0 || db_durable_ticket_take() != 0)
            __atomic_fetch_add(&g->wrong, 1, __ATOMIC_RELAXED);
        w[i] = (struct db_durable_waiter){.ticket = t, .fn = told, .arg = g};
        if (db_durable_when(g->d, &w[i]))
            told(g);
    }
    return NULL;
}

static void test_group_commit(void)
{
    remove_db("gc.db");
    db *d = open_db("gc.db", GC_THREADS);
    CHECK(d != NULL);
    if (!d)
        return;
    db_conn *c = db_acquire(d);
    CHECK_INT(db_exec_script(c, "CREATE TABLE g (id INTEGER PRIMARY KEY, v TEXT)"), DB_OK);
    CHECK_INT((int)db_query_int(c, "PRAGMA synchronous", NULL, -1), 2);
    db_release(d, c);
    CHECK_INT(db_durable_ticket_take(), 0);
    db_sync_hook_set(count_hook);
    char *err = NULL;
    CHECK_INT(db_group_commit_start(d, &err), 0);
    c = db_acquire(d);
    CHECK_INT((int)db_query_int(c, "PRAGMA synchronous", NULL, -1), 1);
    db_release(d, c);
    struct gc_arg g = {.d = d};
    pthread_t th[GC_THREADS];
    for (int i = 0; i < GC_THREADS; i++)
        pthread_create(&th[i], NULL, gc_writer, &g);
    for (int i = 0; i < GC_THREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 5000 && __atomic_load_n(&g.told, __ATOMIC_RELAXED) < GC_THREADS * GC_ROWS;
         i++)
        usleep(1000);
    CHECK_INT(g.wrong, 0);
    CHECK_INT(g.told, GC_THREADS * GC_ROWS);
    uint64_t syncs = db_group_syncs(d);
    CHECK(syncs >= 1 && syncs <= GC_THREADS * GC_ROWS);
    CHECK(db_is_durable(d, GC_THREADS * GC_ROWS));
    CHECK(!db_is_durable(d, GC_THREADS * GC_ROWS + 1));
    CHECK_INT(hook_before, (int)syncs);
    CHECK_INT(hook_after, (int)syncs);
    db_group_commit_stop(d);
    /* Off: every commit is durable when it returns, and told so at once. */
    c = db_acquire(d);
    CHECK_INT((int)db_query_int(c, "PRAGMA synchronous", NULL, -1), 2);
    CHECK_INT((int)db_query_int(c, "SELECT count(*) FROM g", NULL, -1), GC_THREADS * GC_ROWS);
    CHECK_INT(db_begin(c), DB_OK);
    CHECK_INT(db_commit(c), DB_OK);
    db_release(d, c);
    CHECK_INT(db_durable_ticket_take(), 0);
    CHECK_INT(hook_after, (int)syncs + 1);
    db_sync_hook_set(NULL);
    db_close(d);
    remove_db("gc.db");
}

int main(void)
{
    log_set_level(LOG_ERROR + 1);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_open();
    test_placeholders();
    test_cache();
    test_errors();
    test_transactions();
    test_bulk_aside();
    test_migrate_backup_restore();
    test_group_commit();
    CHECK_INT(rmdir(dir), 0);
    return TEST_REPORT();
}
