/* migrate_data: see migrate_data.h. */
#include "migrate_data.h"
#include "buf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TABLES 1024
#define MAX_COLS   128
#define BATCH      500

struct table {
    char *name;
    int ndeps;
    char *deps[16];
    int placed;
};

struct cols {
    int n;
    char *dst[MAX_COLS]; /* target column */
    char *src[MAX_COLS]; /* source expression */
    int pk[MAX_COLS];
};

static void cols_free(struct cols *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->dst[i]);
        free(c->src[i]);
    }
    c->n = 0;
}

/* Column names of one row set, as a NULL-terminated list. */
static int list_query(db_conn *c, const char *sql, const char *param, char **out, int cap)
{
    db_stmt *s = db_prepare(c, sql);
    int n = 0;
    if (!s)
        return -1;
    if (param)
        db_bind_text(s, 1, param);
    int st;
    while ((st = db_step(s)) == DB_ROW && n < cap)
        out[n++] = xstrdup(db_col_text(s, 0) ? db_col_text(s, 0) : "");
    db_done(s);
    /* A row left over means more than cap: an error, not a silent cut (a
     * cut table list once left regions behind the tables referring to it). */
    if (st != DB_DONE) {
        while (n)
            free(out[--n]);
        return -1;
    }
    return n;
}

static int has(char *const *list, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

/* The target's columns of t and where each comes from in the source. */
static int table_cols(db_conn *sc, db_conn *dc, const char *t, struct cols *out, char **err)
{
    char *dcols[MAX_COLS], *scols[MAX_COLS], *pks[MAX_COLS];
    int nd = list_query(dc,
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                        "current_schema() AND table_name = $1 ORDER BY ordinal_position",
                        t, dcols, MAX_COLS);
    int ns = list_query(sc, "SELECT name FROM pragma_table_info($1)", t, scols, MAX_COLS);
    int np = list_query(dc,
                        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                        "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = "
                        "to_regclass($1) AND i.indisprimary",
                        t, pks, MAX_COLS);
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (nd < 0 || ns < 0 || np < 0) {
        *err = xasprintf("无法读取表 %s 的列", t);
        goto out;
    }
    for (int i = 0; i < nd; i++) {
        const char *src = NULL;
        if (has(scols, ns, dcols[i]))
            src = dcols[i];
        else if (strcmp(dcols[i], "id") == 0)
            src = "rowid"; /* an FTS5 index: its key is the rowid */
        else
            continue;
        out->dst[out->n] = xasprintf("\"%s\"", dcols[i]);
        out->src[out->n] = strcmp(src, "rowid") == 0 ? xstrdup("rowid") : xasprintf("\"%s\"", src);
        out->pk[out->n] = has(pks, np, dcols[i]);
        out->n++;
    }
    rc = 0;
    if (np == 0) {
        *err = xasprintf("表 %s 在目标库中没有主键", t);
        rc = -1;
    }
out:
    for (int i = 0; i < nd; i++)
        free(dcols[i]);
    for (int i = 0; i < ns; i++)
        free(scols[i]);
    for (int i = 0; i < np; i++)
        free(pks[i]);
    if (rc != 0)
        cols_free(out);
    return rc;
}

static int64_t checkpoint(db_conn *dc, const char *source, const char *t, int *done)
{
    db_stmt *s = db_prepare(dc, "SELECT last_rowid, done FROM migrate_data_progress WHERE "
                                "source = $1 AND tbl = $2");
    int64_t last = 0;
    *done = 0;
    if (!s)
        return -1;
    db_bind_text(s, 1, source);
    db_bind_text(s, 2, t);
    if (db_step(s) == DB_ROW) {
        last = db_col_int(s, 0);
        *done = (int)db_col_int(s, 1);
    }
    db_done(s);
    return last;
}

static int save_checkpoint(db_conn *dc, const char *source, const char *t, int64_t last,
                           int64_t copied, int done)
{
    db_stmt *s = db_prepare(
        dc, "INSERT INTO migrate_data_progress (source, tbl, last_rowid, copied, done) VALUES "
            "($1, $2, $3, $4, $5) ON CONFLICT (source, tbl) DO UPDATE SET last_rowid = "
            "excluded.last_rowid, copied = migrate_data_progress.copied + excluded.copied, done = "
            "excluded.done");
    if (!s)
        return db_last_status(dc);
    db_bind_text(s, 1, source);
    db_bind_text(s, 2, t);
    db_bind_int(s, 3, last);
    db_bind_int(s, 4, copied);
    db_bind_int(s, 5, done);
    int st = db_step(s);
    db_done(s);
    return st == DB_DONE ? DB_OK : st;
}

/* Copies one table from the checkpoint on; the number of rows, or -1. */
static long copy_table(db_conn *sc, db_conn *dc, const char *source, const char *t, char **err)
{
    struct cols cl;
    if (table_cols(sc, dc, t, &cl, err) != 0)
        return -1;
    buf sel, ins;
    buf_init(&sel, 1 << 20);
    buf_init(&ins, 1 << 20);
    buf_puts(&sel, "SELECT rowid");
    for (int i = 0; i < cl.n; i++)
        buf_printf(&sel, ", %s", cl.src[i]);
    buf_printf(&sel, " FROM \"%s\" WHERE rowid > $1 ORDER BY rowid LIMIT %d", t, BATCH);
    buf_printf(&ins, "INSERT INTO \"%s\" (", t);
    for (int i = 0; i < cl.n; i++)
        buf_printf(&ins, "%s%s", i ? ", " : "", cl.dst[i]);
    buf_puts(&ins, ") VALUES (");
    for (int i = 0; i < cl.n; i++)
        buf_printf(&ins, "%s$%d", i ? ", " : "", i + 1);
    buf_puts(&ins, ") ON CONFLICT (");
    int first = 1, nonpk = 0;
    for (int i = 0; i < cl.n; i++)
        if (cl.pk[i]) {
            buf_printf(&ins, "%s%s", first ? "" : ", ", cl.dst[i]);
            first = 0;
        } else {
            nonpk++;
        }
    /* The audit log is append-only (its trigger refuses updates): an entry
     * already there is the same entry, its hash says so. */
    if (!nonpk || strcmp(t, "audit_log") == 0) {
        buf_puts(&ins, ") DO NOTHING");
    } else {
        buf_puts(&ins, ") DO UPDATE SET ");
        first = 1;
        for (int i = 0; i < cl.n; i++)
            if (!cl.pk[i]) {
                buf_printf(&ins, "%s%s = excluded.%s", first ? "" : ", ", cl.dst[i], cl.dst[i]);
                first = 0;
            }
    }
    int done = 0;
    int64_t last = checkpoint(dc, source, t, &done);
    long total = 0;
    if (last < 0) {
        *err = xasprintf("无法读取 %s 的进度: %s", t, db_errmsg(dc));
        total = -1;
        goto out;
    }
    if (done)
        goto out;
    for (;;) {
        db_stmt *s = db_prepare(sc, buf_str(&sel));
        if (!s) {
            *err = xasprintf("无法读取源表 %s: %s", t, db_errmsg(sc));
            total = -1;
            goto out;
        }
        db_bind_int(s, 1, last);
        if (db_begin(dc) != DB_OK) {
            db_done(s);
            *err = xasprintf("无法开始事务: %s", db_errmsg(dc));
            total = -1;
            goto out;
        }
        long n = 0;
        int st;
        while ((st = db_step(s)) == DB_ROW) {
            last = db_col_int(s, 0);
            db_stmt *w = db_prepare(dc, buf_str(&ins));
            if (!w) {
                st = db_last_status(dc);
                break;
            }
            for (int i = 0; i < cl.n; i++)
                db_bind_text(w, i + 1, db_col_text(s, i + 1));
            int wst = db_step(w);
            db_done(w);
            if (wst != DB_DONE) {
                st = wst;
                break;
            }
            n++;
        }
        db_done(s);
        if (st == DB_DONE)
            st = save_checkpoint(dc, source, t, last, n, n < BATCH);
        if (st == DB_OK)
            st = db_commit(dc);
        if (st != DB_OK) {
            *err = xasprintf("复制表 %s 失败（第 %lld 行附近）: %s", t, (long long)last,
                             db_errmsg(dc));
            db_rollback(dc);
            total = -1;
            goto out;
        }
        total += n;
        if (n < BATCH)
            break;
    }
out:
    buf_free(&sel);
    buf_free(&ins);
    cols_free(&cl);
    return total;
}

/* Moves each identity sequence of t past its largest value. */
static int fix_sequences(db_conn *dc, const char *t, char **err)
{
    char *idc[MAX_COLS];
    int n = list_query(dc,
                       "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                       "current_schema() AND table_name = $1 AND is_identity = 'YES'",
                       t, idc, MAX_COLS);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char *sql = xasprintf("SELECT setval(pg_get_serial_sequence($1, $2), (SELECT "
                              "coalesce(max(\"%s\"), 0) + 1 FROM \"%s\"), false)",
                              idc[i], t);
        const char *p[] = {t, idc[i]};
        if (db_exec_params(dc, sql, 2, p) != DB_OK) {
            *err = xasprintf("无法调整 %s.%s 的序列: %s", t, idc[i], db_errmsg(dc));
            rc = -1;
        }
        free(sql);
    }
    for (int i = 0; i < n; i++)
        free(idc[i]);
    return n < 0 ? -1 : rc;
}

int migrate_data(db *src, db *dst, const char *source_name, FILE *out, char **err)
{
    struct table tables[MAX_TABLES];
    int nt = 0, rc = -1;
    char *names[MAX_TABLES];
    *err = NULL;
    db_conn *sc = db_acquire(src), *dc = db_acquire(dst);
    if (db_exec_script(
            dc, "CREATE TABLE IF NOT EXISTS migrate_data_progress (source TEXT NOT "
                "NULL, tbl TEXT NOT NULL, last_rowid BIGINT NOT NULL, copied BIGINT "
                "NOT NULL, done INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (source, tbl))") != DB_OK) {
        *err = xasprintf("无法创建进度表: %s", db_errmsg(dc));
        goto done;
    }
    /* Ids are kept: the target must be empty, or hold an earlier run of
     * this same source. */
    if (db_query_int(dc, "SELECT count(*) FROM migrate_data_progress WHERE source = $1",
                     source_name, 0) == 0 &&
        (db_query_int(dc, "SELECT count(*) FROM users", NULL, 0) > 0 ||
         db_query_int(dc, "SELECT count(*) FROM regions", NULL, 0) > 0)) {
        *err = xstrdup("目标数据库已有数据：migrate-data 保留原编号，只能迁入空库（或继续同一来源"
                       "未完成的迁移）");
        goto done;
    }
    int n = list_query(sc, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                       NULL, names, MAX_TABLES);
    if (n < 0) {
        *err = xasprintf("无法读取源数据库的表（至多 %d 个）: %s", MAX_TABLES, db_errmsg(sc));
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], "schema_migrations") == 0 ||
            strcmp(names[i], "migrate_data_progress") == 0 || db_table_exists(dc, names[i]) != 1) {
            free(names[i]);
            continue;
        }
        struct table *t = &tables[nt++];
        memset(t, 0, sizeof *t);
        t->name = names[i];
        t->ndeps = list_query(sc, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)",
                              t->name, t->deps, 16);
        if (t->ndeps < 0) {
            t->ndeps = 0;
            *err = xasprintf("无法读取表 %s 的外键: %s", t->name, db_errmsg(sc));
            for (int j = i + 1; j < n; j++)
                free(names[j]);
            goto done;
        }
    }
    /* Foreign key order: a table after the tables it refers to. */
    int placed = 0, order[MAX_TABLES];
    while (placed < nt) {
        int progress = 0;
        for (int i = 0; i < nt; i++) {
            if (tables[i].placed)
                continue;
            int ready = 1;
            for (int k = 0; k < tables[i].ndeps && ready; k++)
                for (int j = 0; j < nt; j++)
                    if (j != i && !tables[j].placed &&
                        strcmp(tables[j].name, tables[i].deps[k]) == 0)
                        ready = 0;
            if (ready) {
                tables[i].placed = 1;
                order[placed++] = i;
                progress = 1;
            }
        }
        if (!progress) {
            *err = xstrdup("外键关系成环，无法确定复制顺序");
            goto done;
        }
    }
    for (int k = 0; k < nt; k++) {
        const char *t = tables[order[k]].name;
        long copied = copy_table(sc, dc, source_name, t, err);
        if (copied < 0)
            goto done;
        if (fix_sequences(dc, t, err) != 0)
            goto done;
        fprintf(out, "%-28s %ld 行\n", t, copied);
    }
    rc = 0;
done:
    for (int i = 0; i < nt; i++) {
        free(tables[i].name);
        for (int k = 0; k < tables[i].ndeps; k++)
            free(tables[i].deps[k]);
    }
    db_release(src, sc);
    db_release(dst, dc);
    return rc;
}
