/* sheetw: see sheetw.h. CSV output buffers one row at a time and quotes as
 * RFC 4180 wants; a UTF-8 BOM makes Excel read Chinese text correctly. A
 * text cell that a spreadsheet would run as a formula gets a leading quote
 * (sheetw.h); .xlsx needs none, since every text cell is written as a string
 * and never as a formula. */
#include "sheetw.h"
#include "buf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

struct sheetw {
    int csv;
    FILE *f;
    int row, col; /* CSV cursor */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *date, *percent;
    int failed;
};

struct sheetw *sheetw_open(const char *path, const char *sheet_name, char **err)
{
    struct sheetw *w = xcalloc(1, sizeof *w);
    size_t n = strlen(path);
    w->csv = n > 4 && strcasecmp(path + n - 4, ".csv") == 0;
    if (w->csv) {
        w->f = fopen(path, "wb");
        if (!w->f)
            goto fail;
        fputs("\xEF\xBB\xBF", w->f);
        return w;
    }
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    w->wb = workbook_new_opt(path, &opt);
    if (!w->wb)
        goto fail;
    w->ws = workbook_add_worksheet(w->wb, sheet_name);
    w->bold = workbook_add_format(w->wb);
    format_set_bold(w->bold);
    w->percent = workbook_add_format(w->wb);
    format_set_num_format(w->percent, "0.0%");
    format_set_bg_color(w->bold, 0xDDEBF7);
    w->date = workbook_add_format(w->wb);
    format_set_num_format(w->date, "yyyy-mm-dd");
    return w;
fail:
    *err = xasprintf("无法创建文件 %s", path);
    free(w);
    return NULL;
}

int sheetw_csv_guarded(const char *s, size_t n)
{
    size_t q = 0;
    while (q < n && s[q] == '\'')
        q++;
    return q < n && s[q] && strchr("=+-@\t\r", s[q]) != NULL;
}

/* guard: a text cell, which gets the quote when it could run as a formula;
 * numbers are written as they are (a negative number is no formula). */
static void csv_cell(struct sheetw *w, int row, int col, const char *s, int guard)
{
    while (w->row < row) {
        fputs("\r\n", w->f);
        w->row++;
        w->col = 0;
    }
    /* w->col is the cell the cursor stands in; each comma moves one right. */
    while (w->col < col) {
        fputc(',', w->f);
        w->col++;
    }
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    const char *lead = guard && sheetw_csv_guarded(s, strlen(s)) ? "'" : "";
    if (!quote) {
        fputs(lead, w->f);
        fputs(s, w->f);
    } else {
        fputc('"', w->f);
        fputs(lead, w->f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', w->f);
            fputc(*p, w->f);
        }
        fputc('"', w->f);
    }
}

void sheetw_header(struct sheetw *w, int ncols, const char *const *labels, const int *widths)
{
    for (int i = 0; i < ncols; i++) {
        if (w->csv) {
            csv_cell(w, 0, i, labels[i], 1);
            continue;
        }
        worksheet_write_string(w->ws, 0, (lxw_col_t)i, labels[i], w->bold);
        worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i, widths ? widths[i] : 16, NULL);
    }
    if (!w->csv)
        worksheet_freeze_panes(w->ws, 1, 0);
}

void sheetw_text(struct sheetw *w, int row, int col, const char *s)
{
    if (!s || !*s)
        return;
    if (w->csv)
        csv_cell(w, row, col, s, 1);
    else
        worksheet_write_string(w->ws, (lxw_row_t)row, (lxw_col_t)col, s, NULL);
}

void sheetw_number(struct sheetw *w, int row, int col, double v)
{
    if (w->csv) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.15g", v);
        csv_cell(w, row, col, tmp, 0);
    } else {
        worksheet_write_number(w->ws, (lxw_row_t)row, (lxw_col_t)col, v, NULL);
    }
}

void sheetw_percent(struct sheetw *w, int row, int col, double v)
{
    if (w->csv)
        sheetw_number(w, row, col, v);
    else
        worksheet_write_number(w->ws, (lxw_row_t)row, (lxw_col_t)col, v, w->percent);
}

void sheetw_date(struct sheetw *w, int row, int col, const char *d)
{
    if (w->csv || !util_date_valid(d)) {
        sheetw_text(w, row, col, d);
        return;
    }
    lxw_datetime dt = {atoi(d), atoi(d + 5), atoi(d + 8), 0, 0, 0};
    worksheet_write_datetime(w->ws, (lxw_row_t)row, (lxw_col_t)col, &dt, w->date);
}

void sheetw_notes(struct sheetw *w, const char *title, int nrows, const char *const *lines)
{
    if (w->csv)
        return;
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, title);
    worksheet_set_column(ws, 0, 0, 100, NULL);
    for (int i = 0; i < nrows; i++)
        worksheet_write_string(ws, (lxw_row_t)i, 0, lines[i], i == 0 ? w->bold : NULL);
}

int sheetw_close(struct sheetw *w, char **err)
{
    int rc = 0;
    if (w->csv) {
        fputs("\r\n", w->f);
        if (fclose(w->f) != 0)
            rc = -1;
    } else {
        lxw_error e = workbook_close(w->wb);
        if (e != LXW_NO_ERROR) {
            *err = xasprintf("写入 Excel 文件失败: %s", lxw_strerror(e));
            rc = -1;
        }
    }
    if (rc && !*err)
        *err = xstrdup("写入文件失败");
    free(w);
    return rc;
}
