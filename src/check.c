/* check: see check.h. Each check is independent and names what it found, so
 * an operator can tell which invariant broke. */
#include "check.h"
#include "audit.h"
#include "auth.h"
#include "buf.h"
#include "crypto.h"
#include "entity.h"
#include "files.h"
#include "module.h"
#include "search.h"
#include "users.h"
#include "util.h"

#include <sodium.h>
#include <stdlib.h>
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
    /* A row without searched text has no entry, or an empty one (written
     * before such rows were left out); every other row has its own. */
    long live = 0, entries = 0, bad = 0;
    while (db_step(s) == DB_ROW) {
        live++;
        buf uni, bi;
        buf_init(&uni, 1 << 20);
        buf_init(&bi, 1 << 20);
        for (int i = 3; i < db_col_count(s); i++)
            search_grams(db_col_text(s, i), &uni, &bi);
        const char *su = db_col_text(s, 1), *sb = db_col_text(s, 2);
        int none = !su && !sb && uni.len == 0 && bi.len == 0;
        entries += su != NULL;
        if (!none &&
            (!su || !sb || strcmp(su, buf_str(&uni)) != 0 || strcmp(sb, buf_str(&bi)) != 0)) {
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
    if (indexed != entries) {
        fprintf(out, "FAIL search index: %s has %ld entries for live rows but %lld index rows\n",
                e->name, entries, (long long)indexed);
        bad++;
    }
    if (!bad)
        fprintf(out, "ok   search index of %s agrees with its table (%ld rows)\n", e->name, live);
    return bad ? 1 : 0;
}

/* Every sealed value must open with its own row's additional data: one
 * copied from another row or column does not (crypto.h). A value under a key
 * the key file lacks means the wrong key file; a value still bound to its
 * column only is legacy and could have been moved, so it is a finding until
 * `safecomm rekey` re-seals it. */
static int check_sensitive(db_conn *c, const struct entity *e, FILE *out)
{
    int bad = 0;
    for (int k = 0; k < e->nfields; k++) {
        const struct field *f = &e->fields[k];
        if (f->type != FT_SENSITIVE)
            continue;
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT id, %s_enc FROM %s WHERE %s_enc IS NOT NULL ORDER BY id",
                 f->name, e->name, f->name);
        db_stmt *s = db_prepare(c, sql);
        if (!s)
            return 1;
        long n = 0, legacy = 0, moved = 0, nokey = 0;
        while (db_step(s) == DB_ROW) {
            const char *sealed = db_col_text(s, 1);
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)db_col_int(s, 0));
            n++;
            int key = crypto_sealed_key_id(sealed);
            if (key > 0 && !crypto_has_key(key)) {
                if (nokey++ < 3)
                    fprintf(out,
                            "FAIL 密钥与数据库不匹配: %s row %s %s is sealed with key %d, which "
                            "the key file lacks\n",
                            e->name, id, f->name, key);
                continue;
            }
            char *plain = crypto_open_row(e->name, f->name, id, sealed);
            if (!plain) {
                if (moved++ < 5)
                    fprintf(out,
                            "FAIL sensitive field: %s row %s %s does not open with its own row "
                            "(moved from another row or column, or altered)\n",
                            e->name, id, f->name);
                continue;
            }
            sodium_memzero(plain, strlen(plain));
            free(plain);
            legacy += !crypto_sealed_row_bound(sealed);
        }
        db_done(s);
        if (legacy)
            fprintf(out,
                    "FAIL sensitive field: %ld values of %s.%s are bound to their column only "
                    "(written before rows were bound): run safecomm rekey\n",
                    legacy, e->name, f->name);
        if (legacy || moved || nokey)
            bad = 1;
        else
            fprintf(out, "ok   every %s.%s value opens with its own row (%ld values)\n", e->name,
                    f->name, n);
    }
    return bad;
}

int check_run(db *d, FILE *out)
{
    int failed = 0;
    db_conn *c = db_acquire(d);
    failed += check_sqlite_integrity(c, out);
    /* With the wrong key file every keyed check below would report
     * "altered" entries and unreadable values, which reads as tampering:
     * say what it is instead, and stop. */
    char *err = NULL;
    int key = audit_key_check(c, 0, &err);
    if (key != 0) {
        fprintf(out, "FAIL %s\n", err ? err : "cannot read the key fingerprint");
        free(err);
        db_release(d, c);
        return failed + 1;
    }
    fprintf(out, "ok   the key file is this database's\n");
    for (int i = 0; i < entity_count(); i++) {
        failed += check_regions(c, entity_at(i), out);
        failed += check_search(c, entity_at(i), out);
        failed += check_sensitive(c, entity_at(i), out);
    }
    failed += audit_verify(c, out);
    failed += users_check(c, out);
    /* The modules' invariants: each state machine's records agree with
     * their history. */
    for (int m = 0; m < module_count; m++)
        if (module_list[m]->check)
            failed += module_list[m]->check(c, out);
    failed += files_check(c, out);
    db_release(d, c);
    return failed;
}
