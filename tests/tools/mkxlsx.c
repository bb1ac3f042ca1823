/* mkxlsx: a test tool that turns CSV on stdin into an .xlsx, for the import tests.
 *
 *   mkxlsx [--inline] OUT.xlsx < in.csv
 *
 * A cell is written as text unless prefixed: "N:123" a number, "D:2025-01-02" a
 * real Excel date (a number with a date format), "D:2025-01-02 08:30:00" a date
 * and time, "B:1" / "B:0" a boolean. Empty cells are left out. By default strings
 * go to the shared strings table; --inline uses libxlsxwriter's constant_memory
 * mode, which writes inline strings and keeps one row in memory.
 * Build: gcc -std=c11 -O2 tests/tools/mkxlsx.c -o mkxlsx -lxlsxwriter -lcsv */
#include <csv.h>
#include <xlsxwriter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mk {
    lxw_worksheet *ws;
    lxw_format *date_fmt, *datetime_fmt;
    lxw_row_t row;
    lxw_col_t col;
    long line; /* 1-based CSV record, for messages */
    int failed;
};

static int parse_date(const char *s, lxw_datetime *dt)
{
    int n = 0;
    memset(dt, 0, sizeof *dt);
    if (sscanf(s, "%4d-%2d-%2d%n", &dt->year, &dt->month, &dt->day, &n) != 3)
        return -1;
    s += n;
    if (*s == '\0')
        return 0;
    int sec = 0;
    if ((*s != ' ' && *s != 'T') ||
        sscanf(s + 1, "%2d:%2d:%2d%n", &dt->hour, &dt->min, &sec, &n) != 3 || s[1 + n] != '\0')
        return -1;
    dt->sec = sec;
    return 1;
}

static void on_field(void *field, size_t len, void *data)
{
    struct mk *mk = data;
    const char *s = field;
    lxw_error e = LXW_NO_ERROR;
    lxw_col_t col = mk->col++;
    if (mk->failed || len == 0)
        return;
    if (strncmp(s, "N:", 2) == 0) {
        char *end;
        double v = strtod(s + 2, &end);
        if (end == s + 2 || *end) {
            fprintf(stderr, "mkxlsx: record %ld: bad number \"%s\"\n", mk->line, s);
            mk->failed = 1;
            return;
        }
        e = worksheet_write_number(mk->ws, mk->row, col, v, NULL);
    } else if (strncmp(s, "D:", 2) == 0) {
        lxw_datetime dt;
        int kind = parse_date(s + 2, &dt);
        if (kind < 0) {
            fprintf(stderr, "mkxlsx: record %ld: bad date \"%s\"\n", mk->line, s);
            mk->failed = 1;
            return;
        }
        e = worksheet_write_datetime(mk->ws, mk->row, col, &dt,
                                     kind ? mk->datetime_fmt : mk->date_fmt);
    } else if (strncmp(s, "B:", 2) == 0) {
        int v = strcmp(s + 2, "1") == 0 || strcmp(s + 2, "TRUE") == 0;
        e = worksheet_write_boolean(mk->ws, mk->row, col, v, NULL);
    } else {
        e = worksheet_write_string(mk->ws, mk->row, col, s, NULL);
    }
    if (e != LXW_NO_ERROR) {
        fprintf(stderr, "mkxlsx: record %ld: %s\n", mk->line, lxw_strerror(e));
        mk->failed = 1;
    }
}

static void on_row(int c, void *data)
{
    struct mk *mk = data;
    (void)c;
    mk->row++;
    mk->col = 0;
    mk->line++;
}

int main(int argc, char **argv)
{
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE};
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--inline") == 0)
            opt.constant_memory = LXW_TRUE;
        else if (!out)
            out = argv[i];
        else
            out = NULL, i = argc;
    }
    if (!out) {
        fputs("usage: mkxlsx [--inline] OUT.xlsx < in.csv\n", stderr);
        return 2;
    }
    lxw_workbook *wb = workbook_new_opt(out, &opt);
    if (!wb) {
        fprintf(stderr, "mkxlsx: cannot create %s\n", out);
        return 1;
    }
    struct mk mk = {.ws = workbook_add_worksheet(wb, NULL), .line = 1};
    mk.date_fmt = workbook_add_format(wb);
    format_set_num_format(mk.date_fmt, "yyyy-mm-dd");
    mk.datetime_fmt = workbook_add_format(wb);
    format_set_num_format(mk.datetime_fmt, "yyyy-mm-dd hh:mm:ss");

    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL);
    char buf[64 * 1024];
    size_t n;
    int first = 1;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0 && !mk.failed) {
        const char *s = buf;
        if (first && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3, n -= 3;
        first = 0;
        if (csv_parse(&p, s, n, on_field, on_row, &mk) != n) {
            fprintf(stderr, "mkxlsx: record %ld: %s\n", mk.line, csv_strerror(csv_error(&p)));
            mk.failed = 1;
        }
    }
    if (!mk.failed)
        csv_fini(&p, on_field, on_row, &mk);
    csv_free(&p);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        fprintf(stderr, "mkxlsx: %s: %s\n", out, lxw_strerror(e));
        return 1;
    }
    return mk.failed ? 1 : 0;
}
