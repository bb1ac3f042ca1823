/* check: see check.h. Each check is independent and names what it found, so
 * an operator can tell which invariant broke. */
#include "check.h"
#include "audit.h"
#include "buf.h"
#include "entity.h"
#include "files.h"
#include "module.h"
#include "search.h"
#include "util.h"

#include <string.h>

static int check_sqlite_integrity(db_conn *c, FILE *out)
{
    if (db_conn_kind(c) == DB_KIND_PG) {
        /* PostgreSQL checks its own pages and enforces every constraint at
         * once; there is nothing like PRAGMA integrity_check to ask. */
        fprintf(out, "ok   database constraints enforced by PostgreSQL\n");
        return 0;
    }
    db_stmt *s = db_prepare(c, "PRAGMA integrity_check");
    int bad = 0;
    if (!s)
        return 1;
    while (db_step(s) == DB_ROW) {
        const char *t = db_col_text(s, 0);
        if (strcmp(t, "ok") != 0) {
            fprintf(out, "FAIL integrity: %s\n", t);
            bad = 1;
        }
    }
    db_done(s);
    s = db_prepare(c, "PRAGMA foreign_key_check");
    if (!s)
        return 1;
    while (db_step(s) == DB_ROW) {
        fprintf(out, "FAIL foreign key: table %s row %lld refers to missing %s\n",
                db_col_text(s, 0), (long long)db_col_int(s, 1), db_col_text(s, 2));
        bad = 1;
    }
    db_done(s);
    if (!bad)
        fprintf(out, "ok   database integrity and foreign keys\n");
    return bad;
}

static int check_regions(db_conn *c, const struct entity *e, FILE *out)
{
    char sql[256];
    if (e->flags & ENT_REGION_TABLE)
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM regions t WHERE t.parent IS NOT NULL AND NOT EXISTS "
                 "(SELECT 1 FROM regions p WHERE p.code = t.parent)");
    else
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM %s t WHERE NOT EXISTS "
                 "(SELECT 1 FROM regions r WHERE r.code = t.region)",
                 e->name);
    int64_t n = db_query_int(c, sql, NULL, -1);
    if (n != 0) {
        fprintf(out, "FAIL regions: %lld rows of %s name a region that does not exist\n",
                (long long)n, e->name);
        return 1;
    }
    fprintf(out, "ok   every %s row's region exists\n", e->name);
    return 0;
}

static int check_search(db_conn *c, const struct entity *e, FILE *out)
{
    int searchable = 0;
    for (int i = 0; i < e->nfields; i++)
        searchable |= (e->fields[i].flags & FF_SEARCH) != 0;
    if (!searchable || (e->flags & ENT_REGION_TABLE))
        return 0;
    buf sql;
    buf_init(&sql, 8192);
    buf_printf(&sql, "SELECT t.id, f.uni, f.bi");
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].flags & FF_SEARCH)
            buf_printf(&sql, ", t.%s", e->fields[i].name);
    buf_printf(&sql, " FROM %s t LEFT JOIN %s_fts f ON f.%s = t.id WHERE t.deleted_at IS NULL",
               e->name, e->name, search_index_key(db_conn_kind(c)));
    db_stmt *s = db_prepare(c, buf_str(&sql));
    buf_free(&sql);
    if (!s)
        return 1;
    long live = 0, bad = 0;
    while (db_step(s) == DB_ROW) {
        live++;
        buf uni, bi;
        buf_init(&uni, 1 << 20);
        buf_init(&bi, 1 << 20);
        for (int i = 3; i < db_col_count(s); i++)
            search_grams(db_col_text(s, i), &uni, &bi);
        const char *su = db_col_text(s, 1), *sb = db_col_text(s, 2);
        if (!su || !sb || strcmp(su, buf_str(&uni)) != 0 || strcmp(sb, buf_str(&bi)) != 0) {
            if (bad < 5)
                fprintf(out, "FAIL search index: %s row %lld is missing or stale in the index\n",
                        e->name, (long long)db_col_int(s, 0));
            bad++;
        }
        buf_free(&uni);
        buf_free(&bi);
    }
    db_done(s);
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM %s_fts", e->name);
    int64_t indexed = db_query_int(c, q, NULL, -1);
    if (indexed != live) {
        fprintf(out, "FAIL search index: %s has %ld live rows but %lld index rows\n", e->name, live,
                (long long)indexed);
        bad++;
    }
    if (!bad)
        fprintf(out, "ok   search index of %s agrees with its table (%ld rows)\n", e->name, live);
    return bad ? 1 : 0;
}

int check_run(db *d, FILE *out)
{
    int failed = 0;
    db_conn *c = db_acquire(d);
    failed += check_sqlite_integrity(c, out);
    for (int i = 0; i < entity_count(); i++) {
        failed += check_regions(c, entity_at(i), out);
        failed += check_search(c, entity_at(i), out);
    }
    failed += audit_verify(c, out);
    /* The modules' invariants: each state machine's records agree with
     * their history. */
    for (int m = 0; m < module_count; m++)
        if (module_list[m]->check)
            failed += module_list[m]->check(c, out);
    failed += files_check(c, out);
    db_release(d, c);
    return failed;
}
