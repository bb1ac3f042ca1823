/* entity_sheet: the entity layer's spreadsheets. The export writes the
 * rows a list query selects (entity_list.c) to .xlsx or .csv; the import
 * template names the importable columns; the import reads a .csv/.xlsx
 * file row by row through the same validation and insert as the API, in
 * one transaction. See entity.h. */
#include "entity.h"
#include "entity_impl.h"
#include "audit.h"
#include "auth.h"
#include "dict.h"
#include "region.h"
#include "search.h"
#include "sheetw.h"
#include "tabread.h"
#include "util.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define EXPORT_MAX_ROWS 200000

/* What one import may hold: the file is read whole before the write lock
 * is taken (see entity_import_file), so these bound its memory. As many
 * rows as an export writes; the cell text of the largest CSV upload. */
#define IMPORT_MAX_ROWS  EXPORT_MAX_ROWS
#define IMPORT_MAX_MB    64
#define IMPORT_MAX_CELLS (4L * 1000 * 1000)

/* ---- columns ---- */

/* Whether an import reads field f: writable (or FF_IMPORT) and importable. */
static int import_col(const struct field *f)
{
    return entity_field_settable(f, 1) && !(f->flags & FF_NOIMPORT);
}

/* Import columns: the region code first for plain entities, then every
 * writable, importable field. */
static int import_cols(const struct entity *e, const struct field **out, int cap)
{
    int n = 0;
    for (int i = 0; i < entity_col_count(e) && n < cap; i++) {
        const struct field *f = entity_col_at(e, i);
        if (import_col(f))
            out[n++] = f;
    }
    return n;
}

static const char *col_label(const struct entity *e, const struct field *f)
{
    return f == &entity_region_field || (entity_is_region_table(e) && strcmp(f->name, "code") == 0)
               ? "区域代码"
               : f->label;
}

/* The heading of the column an export adds after an importable field that
 * readers are shown in words (field.shown_sql / field.shown): the field's
 * own column keeps the stored value, so that the sheet imports again, and
 * this one says it as the page does. NULL for a field without one; a field
 * no import reads is written in words in its own column instead. */
static int words_col(const struct field *f)
{
    return (f->shown_sql || f->shown) && import_col(f);
}

static const char *shown_col_label(arena *a, const struct entity *e, const struct field *f)
{
    if (!words_col(f))
        return NULL;
    return arena_printf(a, "%s%s", col_label(e, f), f->shown_sql ? "（名称）" : "（说明）");
}

/* The filter of an export as its audit entry keeps it: the value of a
 * sensitive field (a look-up by the full ID number) never enters the log. */
static json_t *export_filter(const struct entity *e, int n, const char *const *keys,
                             const char *const *values)
{
    json_t *f = json_object();
    for (int i = 0; i < n; i++) {
        const struct field *fd = entity_field_find(e, keys[i]);
        json_object_set_new(f, keys[i],
                            json_string(fd && fd->type == FT_SENSITIVE ? "***" : values[i]));
    }
    return f;
}

static const char *path_kind(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcasecmp(path + n - 4, ".csv") == 0 ? "csv" : "xlsx";
}

/* The audit entry of a file about to be handed over; when it cannot be
 * written the file is removed, so nothing leaves unaudited. */
static int export_audit(db_conn *c, const struct audit_actor *who, const struct entity *e,
                        const char *kind, json_t *filter, long rows, const char *path, char **err)
{
    const char *region = json_string_value(json_object_get(filter, "region"));
    if (!region)
        region = who->user && who->user->region && who->user->region[0] ? who->user->region : NULL;
    if (audit_export(c, who, e->name, NULL, region, kind, filter, rows) == DB_OK)
        return 0;
    unlink(path);
    free(*err);
    *err = xstrdup("写入审计日志失败，未导出");
    return -1;
}

/* The 创建人 column as people read it: the creator's display name, 系统 for
 * rows the machine wrote (demo data, migrations, the command line). */
static const char *creator_shown(json_t *o)
{
    const char *name = json_string_value(json_object_get(o, "created_by_name"));
    const char *login = json_string_value(json_object_get(o, "created_by"));
    if (name && *name)
        return name;
    if (!login || !*login || strcmp(login, "system") == 0 || strcmp(login, "demo") == 0 ||
        strcmp(login, "migrate") == 0 || strcmp(login, "init") == 0 || strcmp(login, "cli") == 0)
        return "系统";
    return login;
}

long entity_export_file(db_conn *c, const struct audit_actor *who, const struct entity *e,
                        int nfilters, const char *const *keys, const char *const *values,
                        const char *path, char **err)
{
    const struct user *u = who->user;
    arena *a = arena_new();
    struct query q;
    long rows = -1;
    buf sql;
    buf_init(&sql, ENTITY_SQL_CAP);
    *err = NULL;
    if (entity_list_query_build(a, c, u, e, nfilters, keys, values, &q) != 0) {
        *err = xstrdup(q.err_msg);
        entity_list_query_free(&q);
        arena_free(a);
        buf_free(&sql);
        return -2;
    }
    struct dict_cache *dc = dict_cache_new(a, c);
    struct sheetw *w = sheetw_open(path, e->label, err);
    if (!w)
        goto out;
    /* Columns: key, region name (plain entities), then every exportable
     * column of the declaration, then who and when. */
    const char *labels[128];
    int nl = 0;
    if (!entity_is_region_table(e))
        labels[nl++] = "编号";
    for (int i = 0; i < entity_col_count(e); i++) {
        const struct field *f = entity_col_at(e, i);
        if (f->flags & FF_NOEXPORT)
            continue;
        /* This field's two columns at most, and the two that close the row. */
        assert(nl + 4 <= (int)(sizeof labels / sizeof labels[0]));
        labels[nl++] = col_label(e, f);
        if (f == &entity_region_field)
            labels[nl++] = "所属区域";
        else if (words_col(f))
            labels[nl++] = shown_col_label(a, e, f);
    }
    labels[nl++] = "创建时间";
    if (!entity_is_region_table(e))
        labels[nl++] = "创建人";
    sheetw_header(w, nl, labels, NULL);
    buf_puts(&sql, "SELECT ");
    entity_select_cols(e, &sql, q.today_n);
    entity_from_clause(e, &sql);
    int nlim = entity_bind_int(&q.b, EXPORT_MAX_ROWS);
    buf_printf(&sql, "%s ORDER BY %s LIMIT $%d", buf_str(&q.sql_where), buf_str(&q.order), nlim);
    db_stmt *s = db_prepare(c, buf_str(&sql));
    if (!s) {
        *err = xstrdup("数据库查询失败");
        sheetw_close(w, err);
        goto out;
    }
    entity_binds_apply(s, &q.b);
    int st;
    long row = 0;
    /* The 合计 row: each FF_SUM column's total, by the column it is in. */
    double total[128] = {0};
    char summed[128] = {0};
    while ((st = db_step(s)) == DB_ROW) {
        json_t *o = entity_row_json(e, s, dc);
        int col = 0;
        row++;
        if (!entity_is_region_table(e))
            sheetw_number(w, (int)row, col++, (double)json_integer_value(json_object_get(o, "id")));
        for (int i = 0; i < entity_col_count(e); i++) {
            const struct field *f = entity_col_at(e, i);
            if (f->flags & FF_NOEXPORT)
                continue;
            const char *name = f == &entity_region_field ? "region" : f->name;
            json_t *v = json_object_get(
                o, entity_is_region_table(e) && strcmp(name, "code") == 0 ? "code" : name);
            json_t *shown = NULL;
            if (f->shown || f->shown_sql) {
                char tkey[96];
                snprintf(tkey, sizeof tkey, "%s_text", f->name);
                shown = json_object_get(o, tkey);
            }
            if (f->type == FT_DICT) {
                char key[96];
                snprintf(key, sizeof key, "%s_label", f->name);
                sheetw_text(w, (int)row, col, json_string_value(json_object_get(o, key)));
            } else if (json_is_string(shown) && !import_col(f)) {
                /* Codes with labels that no import reads back (a region's
                 * level): the labels, as the page shows them. */
                sheetw_text(w, (int)row, col, json_string_value(shown));
            } else if (json_is_number(v)) {
                sheetw_number(w, (int)row, col, json_number_value(v));
                if (f->flags & FF_SUM)
                    total[col] += json_number_value(v);
            } else if (json_is_boolean(v)) {
                sheetw_text(w, (int)row, col, json_is_true(v) ? "是" : "否");
            } else if (f->type == FT_DATE) {
                sheetw_date(w, (int)row, col, json_string_value(v));
            } else {
                sheetw_text(w, (int)row, col, json_string_value(v));
            }
            if (f->flags & FF_SUM)
                summed[col] = 1;
            col++;
            if (f == &entity_region_field) {
                sheetw_text(w, (int)row, col++,
                            json_string_value(json_object_get(o, "region_name")));
            } else if (words_col(f)) {
                sheetw_text(w, (int)row, col++, json_string_value(shown));
            }
        }
        sheetw_text(w, (int)row, col++, json_string_value(json_object_get(o, "created_at")));
        if (!entity_is_region_table(e))
            sheetw_text(w, (int)row, col++, creator_shown(o));
        json_decref(o);
    }
    db_done(s);
    if (st == DB_DONE && row > 0 && memchr(summed, 1, sizeof summed)) {
        sheetw_text(w, (int)row + 1, 0, "合计");
        for (int k = 1; k < nl; k++)
            if (summed[k])
                sheetw_number(w, (int)row + 1, k, total[k]);
    }
    if (st != DB_DONE) {
        sheetw_close(w, err);
        free(*err);
        *err = xstrdup("数据库查询失败");
        goto out;
    }
    if (sheetw_close(w, err) == 0) {
        json_t *filter = export_filter(e, nfilters, keys, values);
        if (export_audit(c, who, e, path_kind(path), filter, row, path, err) == 0)
            rows = row;
        json_decref(filter);
    }
out:
    buf_free(&sql);
    entity_list_query_free(&q);
    arena_free(a);
    return rows;
}

int entity_template_file(db_conn *c, const struct audit_actor *who, const struct entity *e,
                         const char *path)
{
    char *err = NULL;
    struct sheetw *w = sheetw_open(path, e->label, &err);
    if (!w) {
        free(err);
        return -1;
    }
    const struct field *cols[128];
    const char *labels[128], *notes[130];
    int n = import_cols(e, cols, 128);
    arena *a = arena_new();
    notes[0] = arena_printf(a, "%s导入说明", e->label);
    for (int i = 0; i < n; i++) {
        const struct field *f = cols[i];
        labels[i] = col_label(e, f);
        const char *kind = f->type == FT_DATE       ? "日期，如 2025-03-05"
                           : f->type == FT_INT      ? "整数"
                           : f->type == FT_NUM      ? "数字"
                           : f->type == FT_BOOL     ? "是/否"
                           : f->type == FT_DICT     ? "从字典中选择（填写名称）"
                           : f->type == FT_REGION   ? "12 位区域代码"
                           : f->type == FT_DATETIME ? "时间，如 2025-03-05 09:30"
                           : f->type == FT_SENSITIVE && !strcmp(f->dict, "date")
                               ? "日期，如 1980-03-05（加密保存）"
                           : f->type == FT_SENSITIVE ? "文本（加密保存）"
                                                     : "文本";
        notes[i + 1] = arena_printf(a, "%s：%s%s", labels[i], kind,
                                    (f->flags & FF_REQUIRED) ? "（必填）" : "");
    }
    sheetw_header(w, n, labels, NULL);
    sheetw_notes(w, "说明", n + 1, notes);
    int rc = sheetw_close(w, &err);
    if (rc == 0)
        rc = export_audit(c, who, e, "template", NULL, -1, path, &err);
    free(err);
    arena_free(a);
    return rc;
}

/* ---- import ---- */

/* A data row as read, before the write lock: the cells of mapped columns. */
struct held_row {
    long rowno;
    size_t n;
    const char **cells;
};

struct import_ctx {
    db_conn *c;
    const struct audit_actor *who;
    const struct user *u;
    const struct entity *e;
    struct dict_cache *dc;
    arena *a, *row_arena;
    int partial;
    int local; /* ENTITY_IMPORT_LOCAL: rows go in as they are read */
    int header_seen;
    int ncols;
    const struct field *colmap[1024];
    int region_by_name[1024];
    long total, accepted, rejected;
    json_t *rows;
    json_t *ignored; /* header cells that name no column: the report says so */
    int totals_row;  /* an export's sheet: its 合计 row is not a record */
    int db_status;
    int too_large;
    struct held_row *held; /* the rows read, in x->a */
    size_t nheld, heldcap, held_bytes, held_cells;
    char now[32];           /* every row's created_at and updated_at */
    buf ins_sql;            /* the INSERT's text, built by the first row */
    void *bulk;             /* e->bulk's accumulator, in the transaction */
    int savepoints;         /* a savepoint per row (see import_row) */
    int retry;              /* PostgreSQL refused a row without one: start over with them */
    long aside_at;          /* set the table's indexes aside at this many rows; -1: never */
    struct db_aside *aside; /* what db_bulk_aside dropped, made again at the end */
    char message[256];
};

static const char *norm_date(arena *a, const char *s)
{
    int y, m, d;
    char tail;
    if (util_date_valid(s))
        return s;
    if (sscanf(s, "%d-%d-%d%c", &y, &m, &d, &tail) >= 3 ||
        sscanf(s, "%d/%d/%d%c", &y, &m, &d, &tail) >= 3 ||
        sscanf(s, "%d.%d.%d%c", &y, &m, &d, &tail) >= 3 ||
        sscanf(s, "%d年%d月%d日", &y, &m, &d) == 3) {
        char *out = arena_printf(a, "%04d-%02d-%02d", y, m, d);
        if (util_date_valid(out))
            return out;
    }
    return NULL;
}

/* One cell to its JSON value; NULL and *msg on a bad cell. */
static json_t *cell_value(struct import_ctx *x, const struct field *f, int by_name,
                          const char *cell, const char **msg)
{
    arena *a = x->row_arena;
    switch (f->type) {
    case FT_INT: {
        long long v;
        if (entity_parse_long(cell, &v) != 0) {
            *msg = "必须是整数";
            return NULL;
        }
        return json_integer(v);
    }
    case FT_NUM: {
        char *end;
        double d = strtod(cell, &end);
        if (*end || !isfinite(d)) {
            *msg = "必须是数字";
            return NULL;
        }
        return json_real(d);
    }
    case FT_BOOL:
        if (!strcmp(cell, "是") || !strcmp(cell, "1") || !strcasecmp(cell, "true") ||
            !strcasecmp(cell, "y"))
            return json_true();
        if (!strcmp(cell, "否") || !strcmp(cell, "0") || !strcasecmp(cell, "false") ||
            !strcasecmp(cell, "n"))
            return json_false();
        *msg = "必须是“是”或“否”";
        return NULL;
    case FT_DATE: {
        const char *d = norm_date(a, cell);
        if (!d) {
            *msg = "必须是有效日期（YYYY-MM-DD）";
            return NULL;
        }
        return json_string(d);
    }
    case FT_DATETIME: {
        if (util_datetime_valid(cell))
            return json_string(cell);
        char date[11];
        int hh = 0, mm = 0, ss = 0;
        if (strlen(cell) >= 10) {
            memcpy(date, cell, 10);
            date[10] = '\0';
            const char *d = norm_date(a, date);
            if (d && (cell[10] == '\0' || sscanf(cell + 11, "%d:%d:%d", &hh, &mm, &ss) >= 2) &&
                hh < 24 && mm < 60 && ss < 61)
                return json_string(arena_printf(a, "%sT%02d:%02d:%02d+08:00", d, hh, mm, ss));
        }
        *msg = "必须是时间（如 2025-03-05 09:30）";
        return NULL;
    }
    case FT_DICT: {
        const char *code = dict_code_for(x->dc, f->dict, cell);
        if (!code) {
            *msg =
                arena_printf(a, "不是有效的选项（可选：%s）", dict_labels_joined(x->dc, f->dict));
            return NULL;
        }
        return json_string(code);
    }
    case FT_REGION:
        if (by_name || region_level_of(cell) == RL_INVALID) {
            db_stmt *s = db_prepare(x->c, "SELECT code FROM regions WHERE name = $1 "
                                          "AND code >= $2 AND code < $3 LIMIT 2");
            if (!s) {
                *msg = "数据库错误";
                return NULL;
            }
            db_bind_text(s, 1, cell);
            db_bind_text(s, 2, x->u->scope_lo);
            db_bind_text(s, 3, x->u->scope_hi);
            const char *code = NULL;
            int found = 0;
            while (db_step(s) == DB_ROW) {
                found++;
                code = arena_strdup(a, db_col_text(s, 0));
            }
            db_done(s);
            if (found != 1) {
                *msg = found ? "区域名称不唯一，请填写区域代码" : "区域不存在或不在您的管辖范围内";
                return NULL;
            }
            return json_string(code);
        }
        return json_string(cell);
    case FT_SENSITIVE: {
        /* A sealed date is read as any date is (2025/3/5, an Excel date). */
        const char *d = strcmp(f->dict, "date") == 0 ? norm_date(a, cell) : cell;
        if (!d) {
            *msg = "必须是有效日期（YYYY-MM-DD）";
            return NULL;
        }
        return json_string(d);
    }
    default:
        return json_string(cell);
    }
}

/* A heading of the columns an export adds in words (shown_col_label): an
 * exported sheet imports again without them named as left out. */
static int is_shown_heading(struct import_ctx *x, const char *h)
{
    for (int i = 0; i < entity_col_count(x->e); i++) {
        const char *l = shown_col_label(x->a, x->e, entity_col_at(x->e, i));
        if (l && strcmp(l, h) == 0)
            return 1;
    }
    return 0;
}

static int import_header(struct import_ctx *x, const char *const *cells, size_t n)
{
    const struct field *cols[128];
    int ncol = import_cols(x->e, cols, 128);
    x->ncols = (int)(n > 1024 ? 1024 : n);
    for (int i = 0; i < x->ncols; i++) {
        const char *h = cells[i];
        while (*h == ' ')
            h++;
        for (int k = 0; k < ncol; k++)
            if (strcmp(h, col_label(x->e, cols[k])) == 0 || strcmp(h, cols[k]->name) == 0)
                x->colmap[i] = cols[k];
        if (!x->colmap[i] && !entity_is_region_table(x->e) && strcmp(h, "所属区域") == 0) {
            x->colmap[i] = &entity_region_field;
            x->region_by_name[i] = 1;
        }
    }
    /* A sheet whose first column is 编号 or 区域代码 (an export, or the
     * template) takes a row whose first cell is 合计 as a totals row, as an
     * export ends, not a record: no record or region is numbered 合计
     * (header_or_blank passes it over). */
    x->totals_row = n > 0 && (strcmp(cells[0], "编号") == 0 || strcmp(cells[0], "区域代码") == 0);
    /* Columns the import leaves out are named, so that a misspelt heading
     * is not silently a column of blanks (read again on a retry). */
    json_decref(x->ignored);
    x->ignored = json_array();
    for (int i = 0; i < x->ncols; i++)
        if (!x->colmap[i] && *cells[i] && !is_shown_heading(x, cells[i]) &&
            json_array_size(x->ignored) < 100)
            json_array_append_new(x->ignored, json_string(cells[i]));
    /* A required column missing from the header is a file error, not a row error. */
    for (int k = 0; k < ncol; k++) {
        int present = 0;
        for (int i = 0; i < x->ncols; i++)
            present |= x->colmap[i] == cols[k];
        if (!present && (cols[k]->flags & FF_REQUIRED)) {
            snprintf(x->message, sizeof x->message, "缺少必填列“%s”", col_label(x->e, cols[k]));
            return -1;
        }
    }
    return 0;
}

static void import_reject(struct import_ctx *x, long rowno, json_t *errors)
{
    x->rejected++;
    if (json_array_size(x->rows) < 1000)
        json_array_append_new(x->rows,
                              json_pack("{s:I, s:O}", "row", (json_int_t)rowno, "fields", errors));
}

static int import_too_large(struct import_ctx *x, const char *what)
{
    x->too_large = 1;
    snprintf(x->message, sizeof x->message, "文件超过%s的上限，无法导入，请分批导入", what);
    return 1;
}

/* Both ways of reading a file start a row alike: the first row is the
 * header, and a blank row is skipped. 1 when the row was so dealt with, and
 * *rc is the callback's answer (1 stops the read on a bad header); 0 when it
 * is a row of data. */
static int header_or_blank(struct import_ctx *x, const char *const *cells, size_t n, int *rc)
{
    *rc = 0;
    if (!x->header_seen) {
        x->header_seen = 1;
        *rc = import_header(x, cells, n) == 0 ? 0 : 1;
        return 1;
    }
    if (x->totals_row && n > 0 && strcmp(cells[0], "合计") == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (cells[i][0] != '\0')
            return 0;
    return 1;
}

/* The first pass (tabread's callback): checks the header and keeps each
 * non-blank row's mapped cells, under the IMPORT_MAX_* limits. */
static int hold_row(void *ctx, long rowno, const char *const *cells, size_t n)
{
    struct import_ctx *x = ctx;
    int rc;
    if (header_or_blank(x, cells, n, &rc))
        return rc;
    if (n > (size_t)x->ncols)
        n = (size_t)x->ncols; /* columns without a header are never read */
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        if (x->colmap[i] && cells[i][0])
            bytes += strlen(cells[i]) + 1;
    if (x->nheld >= IMPORT_MAX_ROWS)
        return import_too_large(x, arena_printf(x->a, " %d 行", IMPORT_MAX_ROWS));
    if (x->held_cells + n > (size_t)IMPORT_MAX_CELLS)
        return import_too_large(x, arena_printf(x->a, " %ld 个单元格", IMPORT_MAX_CELLS));
    if (x->held_bytes + bytes > (size_t)IMPORT_MAX_MB * 1024 * 1024)
        return import_too_large(x, arena_printf(x->a, "数据量 %d MB ", IMPORT_MAX_MB));
    if (x->nheld == x->heldcap) {
        x->heldcap = x->heldcap ? x->heldcap * 2 : 256;
        x->held = xrealloc(x->held, x->heldcap * sizeof *x->held);
    }
    const char **kept = arena_alloc(x->a, (n ? n : 1) * sizeof *kept);
    for (size_t i = 0; i < n; i++)
        kept[i] = x->colmap[i] && cells[i][0] ? arena_strdup(x->a, cells[i]) : "";
    x->held[x->nheld++] = (struct held_row){.rowno = rowno, .n = n, .cells = kept};
    x->held_bytes += bytes;
    x->held_cells += n;
    return 0;
}

/* Ends e->bulk's accumulator: written in the transaction (write 1) or
 * discarded. DB_OK or the write's status. */
static int bulk_end(struct import_ctx *x, int write)
{
    if (!x->bulk)
        return DB_OK;
    int st = x->e->bulk->end(x->bulk, write ? x->c : NULL);
    x->bulk = NULL;
    return st;
}

/* An import that has stored as many rows as the table held before it (and
 * IMPORT_ASIDE_MIN at least) sets the table's indexes aside: building them
 * again at the end from sorted keys costs less than adding each row's
 * entries, once the import is as large as the table. */
#define IMPORT_ASIDE_MIN 10000

static long import_aside_at(struct import_ctx *x)
{
    if (db_conn_kind(x->c) != DB_KIND_SQLITE)
        return -1; /* PostgreSQL: the import is bound by round trips */
    int64_t n =
        db_query_int(x->c, arena_printf(x->a, "SELECT count(*) FROM %s", x->e->name), NULL, -1);
    return n < 0 ? -1 : n < IMPORT_ASIDE_MIN ? IMPORT_ASIDE_MIN : (long)n;
}

static void import_aside(struct import_ctx *x)
{
    int st;
    x->aside = db_bulk_aside(x->c, x->e->name, &st);
    if (st != DB_OK) {
        x->db_status = st;
        snprintf(x->message, sizeof x->message, "数据库写入失败");
    }
}

/* The second pass, inside the write transaction: one held row through the
 * API's validation and insert. 0 to go on, 1 to stop. */
static int import_row(struct import_ctx *x, const struct held_row *h)
{
    long rowno = h->rowno;
    const char *const *cells = h->cells;
    size_t n = h->n;
    x->total++;
    arena_reset(x->row_arena);
    json_t *in = json_object(), *errors = json_object();
    for (int i = 0; i < x->ncols && (size_t)i < n; i++) {
        const struct field *f = x->colmap[i];
        if (!f || !cells[i][0] || json_object_get(in, f->name))
            continue;
        const char *msg = NULL;
        json_t *v = cell_value(x, f, x->region_by_name[i], cells[i], &msg);
        if (v)
            json_object_set_new(in, f->name, v);
        else
            entity_error_add(errors, f->name, msg);
    }
    /* Validate the rest of the row too, so that every bad cell is named. */
    json_t *obj = entity_merge_validate(x->row_arena, x->c, x->dc, x->u, x->e, in, NULL, errors, 1);
    /* Good rows are stored even after a bad one: later rows may depend on
     * them (a village on its township), and all-or-nothing rolls back at
     * the end anyway. */
    if (json_object_size(errors) == 0) {
        int64_t id;
        /* A savepoint per row: a row refused by the database leaves no
         * trace, and on PostgreSQL the transaction goes on after it. A
         * savepoint costs more than the row's insert (ten times on
         * PostgreSQL, twice on SQLite), so a first pass goes without and a
         * refused row starts it over with. */
        int st = x->savepoints ? db_savepoint(x->c) : DB_OK;
        if (st == DB_OK)
            st = entity_row_insert_bulk(x->c, x->row_arena, x->u, x->e, obj, x->now, &x->ins_sql,
                                        &id);
        /* No audit entry per row: the import's one entry (import_audit)
         * names the file by its hash and counts the rows. */
        if (st == DB_OK && x->e->created) {
            const char *key = entity_is_region_table(x->e)
                                  ? json_string_value(json_object_get(obj, "code"))
                                  : arena_printf(x->row_arena, "%lld", (long long)id);
            st = x->e->created(x->c, x->row_arena, x->who, key, obj, 1);
        }
        if (!x->savepoints &&
            (st == DB_ERR_UNIQUE || st == DB_ERR_FOREIGN_KEY || st == DB_ERR_CONSTRAINT)) {
            x->retry = 1;
            json_decref(obj);
            json_decref(in);
            json_decref(errors);
            return 1;
        }
        if (x->savepoints && st == DB_OK)
            st = db_savepoint_release(x->c);
        else if (x->savepoints && db_savepoint_rollback(x->c) != DB_OK)
            st = db_last_status(x->c); /* the transaction is lost: fail the import */
        if (st == DB_ERR_UNIQUE || st == DB_ERR_FOREIGN_KEY || st == DB_ERR_CONSTRAINT) {
            entity_error_add(errors, entity_is_region_table(x->e) ? "code" : "_row",
                             st == DB_ERR_UNIQUE ? "记录重复" : "数据不满足约束条件");
        } else if (st != DB_OK) {
            x->db_status = st;
            snprintf(x->message, sizeof x->message, "数据库写入失败");
            json_decref(obj);
            json_decref(in);
            json_decref(errors);
            return 1;
        } else {
            x->accepted++;
            if (x->accepted == x->aside_at)
                import_aside(x); /* a failure sets x->db_status: stops below */
            if (x->bulk)
                x->e->bulk->row(x->bulk, obj);
        }
    }
    if (json_object_size(errors))
        import_reject(x, rowno, errors);
    json_decref(obj);
    json_decref(in);
    json_decref(errors);
    return x->db_status ? 1 : 0;
}

/* ENTITY_IMPORT_LOCAL's callback, inside the write transaction: the header,
 * then each non-blank row straight through import_row. */
static int stream_row(void *ctx, long rowno, const char *const *cells, size_t n)
{
    struct import_ctx *x = ctx;
    int rc;
    if (header_or_blank(x, cells, n, &rc))
        return rc;
    struct held_row h = {.rowno = rowno,
                         .n = n > (size_t)x->ncols ? (size_t)x->ncols : n,
                         .cells = (const char **)cells};
    return import_row(x, &h);
}

/* Marks (on) or unmarks the entity in bulk_loads, inside the import's
 * transaction: see struct entity_bulk. */
static int bulk_mark_entity(db_conn *c, const struct entity *e, int on)
{
    const char *p[] = {e->name};
    return db_exec_params(c,
                          on ? "INSERT INTO bulk_loads (entity) VALUES ($1)"
                             : "DELETE FROM bulk_loads WHERE entity = $1",
                          1, p);
}

static int bulk_mark(struct import_ctx *x, int on)
{
    return bulk_mark_entity(x->c, x->e, on);
}

/* The SHA-256 of the file (hex), which the import's audit entry keeps: the
 * entry then names exactly the bytes that were imported. */
static int file_sha256(const char *path, char hex[65], const char **kind)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char chunk[65536], out[crypto_hash_sha256_BYTES];
    size_t n;
    *kind = NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (!*kind) /* as tabread tells them: an upload's name has no suffix */
            *kind = n >= 4 && memcmp(chunk, "PK\3\4", 4) == 0 ? "xlsx" : "csv";
        crypto_hash_sha256_update(&h, chunk, (unsigned long long)n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return -1;
    crypto_hash_sha256_final(&h, out);
    sodium_bin2hex(hex, 65, out, sizeof out);
    return 0;
}

/* The import's one audit entry, in its transaction: action "import", the
 * entity, and {"rows", "rejected", "sha256", "kind"}. */
static int import_audit(struct import_ctx *x, const char *path)
{
    char hex[65];
    const char *kind;
    if (file_sha256(path, hex, &kind) != 0 || !kind)
        return DB_ERR;
    const struct user *u = x->u;
    const char *region = u && u->region && u->region[0] ? u->region : NULL;
    json_t *ch = json_pack("{s:I, s:I, s:s, s:s}", "rows", (json_int_t)x->accepted, "rejected",
                           (json_int_t)x->rejected, "sha256", hex, "kind", kind);
    int st = audit_write(x->c, x->who, "import", x->e->name, NULL, region, ch, NULL);
    json_decref(ch);
    return st;
}

/* A local file is one the operator trusts (the command line's import of a
 * file on disk) and streamed: its .xlsx may expand far past what an upload
 * may (1,000,000 rows of 17 columns are about 600 MB of sheet XML); only
 * the shared strings are held in memory. */
static const struct tabread_limits local_limits = {
    .part_mb = 64 * 1024, .total_mb = 64 * 1024, .sst_mb = 1024, .sst_items = 50 * 1000 * 1000};

/* Reads the whole file first, so that a file that is slow to read, or too
 * large, never holds the write lock: only the rows go through the
 * transaction. A local file (ENTITY_IMPORT_LOCAL) is read inside it instead,
 * row by row, so that its size costs no memory. */
int entity_import_file(db_conn *c, const struct audit_actor *who, const struct entity *e,
                       const char *path, unsigned flags, json_t **report)
{
    int partial = (flags & ENTITY_IMPORT_PARTIAL) != 0;
    const struct user *u = who->user;
    struct import_ctx *x = xcalloc(1, sizeof *x);
    int rc = -1;
    x->c = c;
    x->u = u;
    x->who = who;
    x->e = e;
    x->a = arena_new();
    x->row_arena = arena_new();
    x->dc = dict_cache_new(x->a, c);
    x->partial = partial;
    x->rows = json_array();
    x->local = (flags & ENTITY_IMPORT_LOCAL) != 0;
    util_now_iso(x->now);
    buf_init(&x->ins_sql, ENTITY_SQL_CAP);
    char err[256] = "";
    int trc = x->local ? 0 : tabread_file(path, NULL, hold_row, x, err, sizeof err);
    if (trc == TABREAD_TOO_LARGE || x->too_large) {
        if (trc == TABREAD_TOO_LARGE)
            snprintf(x->message, sizeof x->message, "%s", err);
        rc = ENTITY_IMPORT_TOO_LARGE;
        goto done;
    }
    if (trc < 0) {
        snprintf(x->message, sizeof x->message, "%s", err[0] ? err : "文件无法读取");
        goto done;
    }
    if (trc > 0)
        goto done; /* the header's message */
    if (!x->header_seen && !x->local) {
        snprintf(x->message, sizeof x->message, "文件是空的");
        goto done;
    }
    /* A local import's B-trees (the table's indexes, written in the rows'
     * order, not theirs) stay in a page cache of 256 MB instead of the
     * connection's 16 MB, which a server's many connections keep. */
    if (x->local && db_conn_kind(c) == DB_KIND_SQLITE)
        db_exec_script(c, "PRAGMA cache_size=-262144");
again:
    if ((x->db_status = db_begin(c)) != DB_OK) {
        snprintf(x->message, sizeof x->message, "数据库忙，请稍后重试");
        rc = ENTITY_IMPORT_DB;
        goto done;
    }
    if (x->e->bulk && (x->db_status = bulk_mark(x, 1)) != DB_OK) {
        db_rollback(c);
        snprintf(x->message, sizeof x->message, "数据库写入失败");
        rc = ENTITY_IMPORT_DB;
        goto done;
    }
    /* A run started over begins afresh; its rollback put back what the
     * last one set aside. */
    db_bulk_aside_free(x->aside);
    x->aside = NULL;
    x->aside_at = import_aside_at(x);
    bulk_end(x, 0);
    if (x->e->bulk)
        x->bulk = x->e->bulk->begin();
    if (x->local) {
        x->header_seen = 0;
        trc = tabread_file_limits(path, NULL, &local_limits, stream_row, x, err, sizeof err);
        if (!x->retry && !x->db_status && (trc != 0 || !x->header_seen)) {
            db_rollback(c);
            if (trc == TABREAD_TOO_LARGE)
                rc = ENTITY_IMPORT_TOO_LARGE;
            if (trc < 0)
                snprintf(x->message, sizeof x->message, "%s", err[0] ? err : "文件无法读取");
            else if (!x->header_seen)
                snprintf(x->message, sizeof x->message, "文件是空的");
            x->accepted = 0;
            goto done; /* or the header's message */
        }
    } else {
        for (size_t i = 0; i < x->nheld && !x->retry && !x->db_status; i++)
            if (import_row(x, &x->held[i]) != 0)
                break;
    }
    if (x->retry) {
        db_rollback(c);
        json_decref(x->rows);
        x->rows = json_array();
        x->total = x->accepted = x->rejected = 0;
        x->retry = 0;
        x->savepoints = 1;
        goto again;
    }
    if (x->db_status) {
        db_rollback(c);
        rc = ENTITY_IMPORT_DB;
        goto done;
    }
    if (x->rejected && !partial) {
        db_rollback(c);
        json_t *first = json_array_get(x->rows, 0);
        snprintf(x->message, sizeof x->message,
                 "第 %lld 行有错误，未导入任何数据（共 %ld 行有错误）",
                 (long long)json_integer_value(json_object_get(first, "row")), x->rejected);
        x->accepted = 0;
        rc = 1;
        goto done;
    }
    if (x->aside) {
        x->db_status = db_bulk_restore(c, x->aside);
        x->aside = NULL;
        if (x->db_status != DB_OK) {
            db_rollback(c);
            snprintf(x->message, sizeof x->message, "数据库写入失败");
            rc = ENTITY_IMPORT_DB;
            goto done;
        }
    }
    if (x->e->bulk) {
        x->db_status = bulk_end(x, 1);
        if (x->db_status == DB_OK)
            x->db_status = bulk_mark(x, 0);
        if (x->db_status != DB_OK) {
            db_rollback(c);
            snprintf(x->message, sizeof x->message, "数据库写入失败");
            rc = ENTITY_IMPORT_DB;
            goto done;
        }
    }
    if (x->accepted && (x->db_status = import_audit(x, path)) != DB_OK) {
        db_rollback(c);
        snprintf(x->message, sizeof x->message, "写入审计日志失败，未导入");
        rc = ENTITY_IMPORT_DB;
        goto done;
    }
    if ((x->db_status = db_commit(c)) != DB_OK) {
        snprintf(x->message, sizeof x->message, "数据库写入失败");
        rc = ENTITY_IMPORT_DB;
        goto done;
    }
    rc = 0;
done:
    *report =
        json_pack("{s:I, s:I, s:I, s:o, s:o}", "total", (json_int_t)x->total, "accepted",
                  (json_int_t)(rc == 0 ? x->accepted : 0), "rejected", (json_int_t)x->rejected,
                  "rows", x->rows, "ignored_columns", x->ignored ? x->ignored : json_array());
    x->ignored = NULL;
    if (x->message[0])
        json_object_set_new(*report, "message", json_string(x->message));
    bulk_end(x, 0);
    db_bulk_aside_free(x->aside); /* rolled back: the indexes are there */
    buf_free(&x->ins_sql);
    arena_free(x->row_arena);
    arena_free(x->a);
    free(x->held);
    free(x);
    return rc;
}

/* ---- the writer of generated rows ---- */

struct entity_writer {
    db_conn *c;
    const struct audit_actor *who;
    const struct entity *e;
    const char *kind;
    arena *a, *row_arena;
    struct dict_cache *dc;
    buf ins_sql;
    void *bulk;
    long rows;
    char now[32];
};

struct entity_writer *entity_writer_open(db_conn *c, const struct audit_actor *who,
                                         const struct entity *e, const char *kind)
{
    if (e->bulk && bulk_mark_entity(c, e, 1) != DB_OK)
        return NULL;
    struct entity_writer *w = xcalloc(1, sizeof *w);
    w->c = c;
    w->who = who;
    w->e = e;
    w->kind = kind;
    w->a = arena_new();
    w->row_arena = arena_new();
    w->dc = dict_cache_new(w->a, c);
    buf_init(&w->ins_sql, ENTITY_SQL_CAP);
    util_now_iso(w->now);
    if (e->bulk)
        w->bulk = e->bulk->begin();
    return w;
}

int entity_writer_add(struct entity_writer *w, json_t *in, json_t *errors, int64_t *id_out)
{
    arena_reset(w->row_arena);
    *id_out = 0;
    json_t *obj =
        entity_merge_validate(w->row_arena, w->c, w->dc, w->who->user, w->e, in, NULL, errors, 1);
    int st = DB_ERR_CONSTRAINT;
    if (json_object_size(errors) == 0) {
        st = entity_row_insert_bulk(w->c, w->row_arena, w->who->user, w->e, obj, w->now,
                                    &w->ins_sql, id_out);
        if (st == DB_OK && w->e->created) {
            const char *key = entity_is_region_table(w->e)
                                  ? json_string_value(json_object_get(obj, "code"))
                                  : arena_printf(w->row_arena, "%lld", (long long)*id_out);
            st = w->e->created(w->c, w->row_arena, w->who, key, obj, 1);
        }
        if (st == DB_OK) {
            w->rows++;
            if (w->bulk)
                w->e->bulk->row(w->bulk, obj);
        }
    }
    json_decref(obj);
    return st;
}

long entity_writer_rows(const struct entity_writer *w)
{
    return w->rows;
}

int entity_writer_close(struct entity_writer *w, int write)
{
    int st = DB_OK;
    if (w->bulk) {
        st = w->e->bulk->end(w->bulk, write ? w->c : NULL);
        if (st == DB_OK && write)
            st = bulk_mark_entity(w->c, w->e, 0);
    }
    if (st == DB_OK && write && w->rows) {
        json_t *ch = json_pack("{s:I, s:i, s:s}", "rows", (json_int_t)w->rows, "rejected", 0,
                               "kind", w->kind);
        st = audit_write(w->c, w->who, "import", w->e->name, NULL, NULL, ch, NULL);
        json_decref(ch);
    }
    buf_free(&w->ins_sql);
    arena_free(w->row_arena);
    arena_free(w->a);
    free(w);
    return st;
}
