/* workbook: the statistical workbook (统计工作簿) of a region and a year,
 * `safecomm report workbook`: one sheet per module that declares
 * statistics, each section a table of its child regions (the figures that
 * have a per-child value) with a 合计 row of the region's totals, the
 * figures without one listed beneath, and a native Excel column chart of
 * the section's first per-child figure. The numbers are stats_compute's,
 * so the workbook, the statistics page and the summary agree. */
#include "workbook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "arena.h"
#include "module.h"
#include "stats.h"
#include "util.h"

/* Excel forbids []:*?/\ in a sheet's name and allows 31 characters. */
static void sheet_name(char *out, size_t n, const char *label, int i)
{
    snprintf(out, n, "%d %s", i + 1, label);
    for (char *p = out; *p; p++)
        if (strchr("[]:*?/\\", *p))
            *p = ' ';
    /* 31 characters at most: cut at a UTF-8 boundary. */
    size_t chars = 0, k = 0;
    while (out[k] && chars < 31) {
        k++;
        while ((out[k] & 0xC0) == 0x80)
            k++;
        chars++;
    }
    out[k] = 0;
}

static double num(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : 0;
}

int workbook_write(db_conn *c, const struct user *u, const char *region, int year, const char *path,
                   char **err)
{
    *err = NULL;
    char today[11];
    util_today(today);
    json_t *s = NULL;
    int st = stats_compute(c, u, region, year, today, &s);
    if (st == DB_DONE) {
        *err = xstrdup("区域不存在");
        return -1;
    }
    if (st != DB_OK) {
        *err = xstrdup("读取统计数据失败");
        return -1;
    }
    lxw_workbook *wb = workbook_new(path);
    arena *a = arena_new();
    if (!wb) {
        arena_free(a);
        json_decref(s);
        *err = xasprintf("无法创建 %s", path);
        return -1;
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *pct = workbook_add_format(wb);
    format_set_num_format(pct, "0.0%");
    lxw_format *pctb = workbook_add_format(wb);
    format_set_num_format(pctb, "0.0%");
    format_set_bold(pctb);
    lxw_format *title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    json_t *children = json_object_get(s, "children");
    const char *rname = json_string_value(json_object_get(json_object_get(s, "region"), "name"));
    int sheets = 0;
    for (int m = 0; m < module_count; m++) {
        const struct module *mod = module_list[m];
        int present = 0;
        for (int k = 0; k < mod->nstats; k++)
            present |= json_is_object(json_object_get(s, mod->stats[k]->name));
        if (!present)
            continue;
        char name[128];
        sheet_name(name, sizeof name, mod->label, sheets++);
        lxw_worksheet *ws = workbook_add_worksheet(wb, name);
        worksheet_set_column(ws, 0, 0, 22, NULL);
        worksheet_set_column(ws, 1, 30, 14, NULL);
        lxw_row_t row = 0;
        worksheet_write_string(
            ws, row++, 0, arena_printf(a, "%s%d年%s", rname ? rname : region, year, mod->label),
            title);
        row++;
        for (int k = 0; k < mod->nstats; k++) {
            const struct stats_section *sec = mod->stats[k];
            json_t *obj = json_object_get(s, sec->name);
            if (!json_is_object(obj))
                continue;
            worksheet_write_string(ws, row++, 0, sec->label, bold);
            /* The per-child figures as columns. */
            const struct stats_figure *cols[32];
            int nc = 0;
            for (int f = 0; f < sec->nfigures && nc < 32; f++)
                if (sec->figures[f].child)
                    cols[nc++] = &sec->figures[f];
            if (nc && json_array_size(children)) {
                lxw_row_t head = row;
                worksheet_write_string(ws, row, 0, "名称", bold);
                for (int f = 0; f < nc; f++)
                    worksheet_write_string(ws, row, (lxw_col_t)(f + 1), cols[f]->label, bold);
                row++;
                size_t i;
                json_t *ch;
                json_array_foreach(children, i, ch)
                {
                    worksheet_write_string(ws, row, 0,
                                           json_string_value(json_object_get(ch, "name")), NULL);
                    for (int f = 0; f < nc; f++) {
                        json_t *v = json_object_get(ch, cols[f]->child);
                        if (json_is_number(v))
                            worksheet_write_number(ws, row, (lxw_col_t)(f + 1), num(v),
                                                   cols[f]->kind == STATS_RATE ? pct : NULL);
                    }
                    row++;
                }
                worksheet_write_string(ws, row, 0, "合计", bold);
                for (int f = 0; f < nc; f++) {
                    json_t *v = json_object_get(obj, cols[f]->key);
                    if (json_is_number(v))
                        worksheet_write_number(ws, row, (lxw_col_t)(f + 1), num(v),
                                               cols[f]->kind == STATS_RATE ? pctb : bold);
                }
                row++;
                /* A column chart of the first figure by child region. */
                lxw_chart *chart = workbook_add_chart(wb, LXW_CHART_COLUMN);
                lxw_chart_series *ser = chart_add_series(chart, NULL, NULL);
                chart_series_set_categories(ser, name, head + 1, 0, row - 2, 0);
                chart_series_set_values(ser, name, head + 1, 1, row - 2, 1);
                chart_series_set_name(ser, cols[0]->label);
                chart_title_set_name(chart, arena_printf(a, "%s：%s", sec->label, cols[0]->label));
                chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
                lxw_chart_options opt = {.x_offset = 10, .y_offset = 10};
                worksheet_insert_chart_opt(ws, head, (lxw_col_t)(nc + 2), chart, &opt);
                row++;
                if (row < head + 16)
                    row = head + 16;
            }
            /* The figures without a per-child value. */
            for (int f = 0; f < sec->nfigures; f++) {
                const struct stats_figure *fig = &sec->figures[f];
                if (fig->child && json_array_size(children))
                    continue;
                json_t *v = json_object_get(obj, fig->key);
                worksheet_write_string(ws, row, 0, fig->label, NULL);
                if (json_is_number(v))
                    worksheet_write_number(ws, row, 1, num(v),
                                           fig->kind == STATS_RATE ? pct : NULL);
                worksheet_write_string(ws, row, 2, fig->unit ? fig->unit : "", NULL);
                row++;
            }
            row++;
        }
    }
    if (!sheets)
        workbook_add_worksheet(wb, "无数据");
    lxw_error e = workbook_close(wb);
    arena_free(a);
    json_decref(s);
    if (e != LXW_NO_ERROR) {
        *err = xasprintf("无法写入 %s：%s", path, lxw_strerror(e));
        return -1;
    }
    return 0;
}
