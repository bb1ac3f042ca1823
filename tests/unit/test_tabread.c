/* Unit tests for tabread: CSV files written to a temp dir; .xlsx files built with
 * libxlsxwriter (shared strings and constant_memory/inline strings) and, for what
 * libxlsxwriter never writes (date1904, sparse refs, "12.0", rich and phonetic
 * runs, _xHHHH_ escapes, broken parts), by hand with libzip. Every cell is
 * checked through a row rendered as "rowno:cell|cell|...". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "harness.h"
#include "../../src/tabread.h"
#include "../../src/sheetw.h"

#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#define KEEP 64

/* What the callback saw: the first KEEP rows rendered, the last one, a count. */
struct rows {
    char *line[KEEP];
    size_t n;
    long count;
    char *last;
    long stop_at; /* return 7 on this call (1-based) */
};

static char tmpdir[] = "/tmp/tabread-test-XXXXXX";
static char err[256];

static int collect(void *ctx, long rowno, const char *const *cells, size_t ncells)
{
    struct rows *r = ctx;
    size_t len = 32;
    for (size_t i = 0; i < ncells; i++)
        len += strlen(cells[i]) + 1;
    char *s = malloc(len);
    int o = snprintf(s, len, "%ld:", rowno);
    for (size_t i = 0; i < ncells; i++)
        o += snprintf(s + o, len - (size_t)o, "%s%s", i ? "|" : "", cells[i]);
    if (r->n < KEEP)
        r->line[r->n++] = strdup(s);
    free(r->last);
    r->last = s;
    r->count++;
    return r->count == r->stop_at ? 7 : 0;
}

static void rows_free(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->line[i]);
    free(r->last);
    memset(r, 0, sizeof *r);
}

static const char *row(const struct rows *r, size_t i)
{
    return i < r->n ? r->line[i] : "(no such row)";
}

static char *path_of(const char *name)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static const char *write_file(const char *name, const char *data, size_t len)
{
    const char *p = path_of(name);
    FILE *f = fopen(p, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    return p;
}

static const char *write_str(const char *name, const char *data)
{
    return write_file(name, data, strlen(data));
}

static int read_rows(const char *path, const char *format, struct rows *r)
{
    rows_free(r);
    return tabread_file(path, format, collect, r, err, sizeof err);
}

/* ---- CSV ---- */

static void test_csv_basic(void)
{
    struct rows r = {0};
    const char *p = write_str("basic.csv", "\xEF\xBB\xBF"
                                           "姓名,电话,备注\r\n"
                                           "张三,13800138000,\"住址：幸福路 1 号, 3 栋\"\r\n"
                                           "\r\n"
                                           "李四,\"0571\",\"两行\r\n第二行\"\r\n"
                                           "王五\r\n"
                                           "\"说\"\"你好\"\"\",, 空格 \r\n"
                                           ",,\n"
                                           "最后一行,无换行");
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_STR(err, "");
    CHECK_INT(r.count, 7);
    CHECK_STR(row(&r, 0), "1:姓名|电话|备注"); /* the BOM is gone */
    CHECK_STR(row(&r, 1), "2:张三|13800138000|住址：幸福路 1 号, 3 栋");
    /* the blank line 3 is not reported but counted */
    CHECK_STR(row(&r, 2), "4:李四|0571|两行\r\n第二行");
    CHECK_STR(row(&r, 3), "5:王五"); /* a short row as it is */
    CHECK_STR(row(&r, 4), "6:说\"你好\"|| 空格 ");
    CHECK_STR(row(&r, 5), "7:||");
    CHECK_STR(row(&r, 6), "8:最后一行|无换行");

    /* LF line ends, an explicit format, no BOM */
    p = write_str("lf.csv", "a,b\n\n\nc,d\n");
    CHECK_INT(read_rows(p, "csv", &r), 0);
    CHECK_INT(r.count, 2);
    CHECK_STR(row(&r, 0), "1:a|b");
    CHECK_STR(row(&r, 1), "4:c|d");

    /* empty file, and a file that is only a BOM */
    p = write_str("empty.csv", "");
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_INT(r.count, 0);
    p = write_str("bom.csv", "\xEF\xBB\xBF");
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_INT(r.count, 0);
    rows_free(&r);
}

static void test_csv_errors(void)
{
    struct rows r = {0};
    /* "张三" in GBK */
    const char *p = write_str("gbk.csv", "name\n\xD5\xC5\xC8\xFD,1\n");
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "文件编码不是 UTF-8，请另存为 UTF-8 CSV");
    CHECK_INT(r.count, 1); /* rows before the bad one were passed */

    /* UTF-16LE with a BOM: "a,b\n" */
    p = write_file("utf16.csv",
                   "\xFF\xFE"
                   "a\0,\0b\0\n\0",
                   10);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "文件编码不是 UTF-8，请另存为 UTF-8 CSV");

    p = write_str("open.csv", "a,b\nc,\"never closed\nd,e\n");
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "CSV 文件第 2 行格式错误：引号没有闭合");

    p = write_str("stray.csv", "a,b\nc,d\"e\n");
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "CSV 文件第 2 行格式错误：引号使用不正确");

    CHECK_INT(read_rows(path_of("no-such-file.csv"), NULL, &r), -1);
    CHECK_STR(err, "无法读取上传的文件");

    p = write_str("fmt.csv", "a\n");
    CHECK_INT(read_rows(p, "ods", &r), -1);
    CHECK_STR(err, "不支持的文件格式，请上传 CSV 或 Excel (.xlsx) 文件");

    /* err may be NULL */
    CHECK_INT(tabread_file(path_of("no-such-file.csv"), NULL, collect, &r, NULL, 0), -1);
    rows_free(&r);
}

static void test_csv_limits(void)
{
    struct rows r = {0};
    /* 1024 columns pass, 1025 do not */
    size_t cap = 16 * 1024;
    char *s = malloc(cap);
    size_t o = 0;
    for (int i = 0; i < 1024; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%d", i ? "," : "", i);
    o += (size_t)snprintf(s + o, cap - o, "\n");
    const char *p = write_file("cols.csv", s, o);
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK(r.last && strstr(r.last, "|1023") && !strstr(r.last, "|1024"));
    o += (size_t)snprintf(s + o, cap - o, "x");
    for (int i = 0; i < 1024; i++)
        o += (size_t)snprintf(s + o, cap - o, ",%d", i);
    p = write_file("cols2.csv", s, o);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "第 2 行超过 1024 列，无法导入");
    free(s);

    /* a cell of exactly 32 KiB passes; one byte more fails, quoted or not */
    s = malloc(3 * TABREAD_MAX_CELL);
    o = (size_t)sprintf(s, "h\n");
    memset(s + o, 'x', TABREAD_MAX_CELL);
    o += TABREAD_MAX_CELL;
    s[o++] = '\n';
    p = write_file("cell.csv", s, o);
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_INT(r.last ? strlen(r.last) : 0, 2 + TABREAD_MAX_CELL);
    o = (size_t)sprintf(s, "h\nok\n\"");
    memset(s + o, 'y', TABREAD_MAX_CELL + 1);
    o += TABREAD_MAX_CELL + 1;
    o += (size_t)sprintf(s + o, "\",z\n");
    p = write_file("cell2.csv", s, o);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "第 3 行有单元格超过 32 KB，无法导入");
    /* an unterminated quote in a big file stops at the cell limit */
    o = (size_t)sprintf(s, "h\n\"");
    memset(s + o, 'z', 3 * TABREAD_MAX_CELL - o);
    p = write_file("cell3.csv", s, 3 * TABREAD_MAX_CELL);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "第 2 行有单元格超过 32 KB，无法导入");
    free(s);
    rows_free(&r);
}

static void test_csv_stop(void)
{
    struct rows r = {0};
    const char *p = write_str("stop.csv", "a\nb\nc\nd\n");
    rows_free(&r);
    r.stop_at = 2;
    CHECK_INT(tabread_file(p, NULL, collect, &r, err, sizeof err), 7);
    CHECK_INT(r.count, 2);
    CHECK_STR(row(&r, 1), "2:b");
    rows_free(&r);
}

/* ---- XLSX written by libxlsxwriter ---- */

/* The same sheet both ways: shared strings, or inline strings (constant_memory). */
static const char *make_people(const char *name, bool inline_strings)
{
    const char *p = path_of(name);
    lxw_workbook_options opt = {.constant_memory = inline_strings};
    lxw_workbook *wb = workbook_new_opt(p, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "居民");
    lxw_worksheet *ws2 = workbook_add_worksheet(wb, "other");
    lxw_format *date = workbook_add_format(wb), *datetime = workbook_add_format(wb);
    lxw_format *cn_date = workbook_add_format(wb), *builtin14 = workbook_add_format(wb);
    lxw_format *time_only = workbook_add_format(wb), *bold = workbook_add_format(wb);
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    format_set_num_format(datetime, "yyyy-mm-dd hh:mm:ss");
    format_set_num_format(cn_date, "yyyy\"年\"m\"月\"d\"日\"");
    format_set_num_format_index(builtin14, 14);
    format_set_num_format(time_only, "hh:mm");
    format_set_num_format(money, "#,##0.00\"元\"");
    format_set_bold(bold);
    const char *head[] = {"姓名", "电话", "生日", "登记时间", "人数", "党员", "备注", "金额"};
    for (lxw_col_t c = 0; c < 8; c++)
        worksheet_write_string(ws, 0, c, head[c], bold);

    lxw_datetime d1 = {1950, 6, 15, 0, 0, 0}, t1 = {2025, 1, 2, 8, 30, 0};
    worksheet_write_string(ws, 1, 0, "张三", NULL);
    worksheet_write_string(ws, 1, 1, "13800138000", NULL); /* digits kept as text */
    worksheet_write_datetime(ws, 1, 2, &d1, date);
    worksheet_write_datetime(ws, 1, 3, &t1, datetime);
    worksheet_write_number(ws, 1, 4, 3, NULL);
    worksheet_write_boolean(ws, 1, 5, 1, NULL);
    worksheet_write_string(ws, 1, 6, "  前后有空格  ", NULL);
    worksheet_write_number(ws, 1, 7, 1234.5, money);

    /* an empty cell in the middle (B, and a formatted blank D), a rich string */
    lxw_datetime d2 = {2000, 2, 29, 0, 0, 0}, d3 = {2024, 12, 31, 0, 0, 0};
    lxw_rich_string_tuple f1 = {.format = bold, .string = "重点"};
    lxw_rich_string_tuple f2 = {.format = NULL, .string = "关注"};
    lxw_rich_string_tuple *rich[] = {&f1, &f2, NULL};
    worksheet_write_string(ws, 2, 0, "李四", NULL);
    worksheet_write_datetime(ws, 2, 2, &d2, cn_date);
    worksheet_write_blank(ws, 2, 3, date);
    worksheet_write_number(ws, 2, 4, -12.25, NULL);
    worksheet_write_boolean(ws, 2, 5, 0, NULL);
    worksheet_write_rich_string(ws, 2, 6, rich, NULL);
    worksheet_write_datetime(ws, 2, 7, &d3, builtin14);

    /* rows 4 and 5 skipped; a time, a formula with its cached string, big numbers */
    lxw_datetime tm = {1899, 12, 31, 14, 5, 0};
    worksheet_write_string(ws, 5, 0, "王五", NULL);
    worksheet_write_datetime(ws, 5, 1, &tm, time_only);
    worksheet_write_formula_str(ws, 5, 2, "=\"a\"&\"b\"", NULL, "ab");
    worksheet_write_number(ws, 5, 3, 1e20, NULL);
    worksheet_write_number(ws, 5, 4, 110101195006150000.0, NULL);
    worksheet_write_number(ws, 5, 6, 0.1, NULL);
    worksheet_write_string(ws2, 0, 0, "not the first sheet", NULL);
    CHECK_INT(workbook_close(wb), LXW_NO_ERROR);
    return p;
}

static void check_people(const char *p)
{
    struct rows r = {0};
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_STR(err, "");
    CHECK_INT(r.count, 4);
    CHECK_STR(row(&r, 0), "1:姓名|电话|生日|登记时间|人数|党员|备注|金额");
    CHECK_STR(row(&r, 1),
              "2:张三|13800138000|1950-06-15|2025-01-02 08:30:00|3|1|  前后有空格  |1234.5");
    CHECK_STR(row(&r, 2), "3:李四||2000-02-29||-12.25|0|重点关注|2024-12-31");
    CHECK_STR(row(&r, 3), "6:王五|14:05:00|ab|1E+20|1.1010119500615E+17||0.1");
    rows_free(&r);
    /* the explicit format gives the same */
    CHECK_INT(read_rows(p, "xlsx", &r), 0);
    CHECK_INT(r.count, 4);
    rows_free(&r);
}

static void test_xlsx_writer(void)
{
    check_people(make_people("shared.xlsx", false));
    check_people(make_people("inline.xlsx", true));
}

static void test_xlsx_big(void)
{
    /* 20,000 rows through constant_memory: the sheet is several MB of XML,
     * parsed 64 KiB at a time */
    const char *p = path_of("big.xlsx");
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(p, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    char name[64];
    worksheet_write_string(ws, 0, 0, "序号", NULL);
    worksheet_write_string(ws, 0, 1, "姓名", NULL);
    worksheet_write_string(ws, 0, 2, "日期", NULL);
    for (lxw_row_t i = 1; i < 20000; i++) {
        lxw_datetime d = {2024, 1 + (int)(i % 12), 1 + (int)(i % 28), 0, 0, 0};
        snprintf(name, sizeof name, "居民%u 号", i);
        worksheet_write_number(ws, i, 0, i, NULL);
        worksheet_write_string(ws, i, 1, name, NULL);
        worksheet_write_datetime(ws, i, 2, &d, date);
    }
    CHECK_INT(workbook_close(wb), LXW_NO_ERROR);

    struct rows r = {0};
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_INT(r.count, 20000);
    CHECK_STR(row(&r, 0), "1:序号|姓名|日期");
    CHECK_STR(row(&r, 1), "2:1|居民1 号|2024-02-02");
    /* 19999 % 12 = 7, 19999 % 28 = 7 */
    CHECK_STR(r.last, "20000:19999|居民19999 号|2024-08-08");

    /* the callback stops it part way */
    rows_free(&r);
    r.stop_at = 15000;
    CHECK_INT(tabread_file(p, NULL, collect, &r, err, sizeof err), 7);
    CHECK_INT(r.count, 15000);
    CHECK_STR(r.last, "15000:14999|居民14999 号|2024-12-20");
    rows_free(&r);
}

/* Rows in order, none lost, none twice: the row numbers seen. */
struct order {
    long count, last_rowno, out_of_order, stop_at;
    size_t bytes;
};

static int in_order(void *ctx, long rowno, const char *const *cells, size_t ncells)
{
    struct order *o = ctx;
    if (rowno != o->last_rowno + 1 || ncells != 3)
        o->out_of_order++;
    o->last_rowno = rowno;
    for (size_t i = 0; i < ncells; i++)
        o->bytes += strlen(cells[i]);
    return ++o->count == o->stop_at ? 9 : 0;
}

static void test_xlsx_relay(void)
{
    /* An .xlsx is read on a thread of its own and handed over in batches of
     * about 256 KiB, four waiting at most: 60,000 rows of ~120 bytes are
     * some 28 batches, so the reader waits for the callback many times. */
    const char *p = path_of("relay.xlsx");
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(p, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    char text[160];
    for (lxw_row_t i = 0; i < 60000; i++) {
        snprintf(text, sizeof text,
                 "第%u行：居民住址与联系方式的说明文字，长一些，好让一批装不下太多行。", i);
        worksheet_write_number(ws, i, 0, i, NULL);
        worksheet_write_string(ws, i, 1, text, NULL);
        worksheet_write_string(ws, i, 2, "尾", NULL);
    }
    CHECK_INT(workbook_close(wb), LXW_NO_ERROR);
    struct order o = {0};
    CHECK_INT(tabread_file(p, NULL, in_order, &o, err, sizeof err), 0);
    CHECK_INT(o.count, 60000);
    CHECK_INT(o.out_of_order, 0);
    CHECK_INT(o.last_rowno, 60000);
    CHECK(o.bytes > 28 * 256 * 1024 / 2);
    /* stopped in the middle of a batch, with batches read ahead */
    o = (struct order){.stop_at = 33333};
    CHECK_INT(tabread_file(p, NULL, in_order, &o, err, sizeof err), 9);
    CHECK_INT(o.count, 33333);
    CHECK_INT(o.out_of_order, 0);
    /* stopped at once */
    o = (struct order){.stop_at = 1};
    CHECK_INT(tabread_file(p, NULL, in_order, &o, err, sizeof err), 9);
    CHECK_INT(o.count, 1);
}

/* ---- XLSX built by hand ---- */

struct part {
    const char *name, *xml;
};

static const char *make_zip(const char *name, const struct part *parts, size_t n)
{
    const char *p = path_of(name);
    int zerr = 0;
    zip_t *za = zip_open(p, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    CHECK(za != NULL);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(za, parts[i].xml, strlen(parts[i].xml), 0);
        CHECK(zip_file_add(za, parts[i].name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) >= 0);
    }
    CHECK_INT(zip_close(za), 0);
    return p;
}

#define NS  "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define RNS "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char *pkg_rels = "<Relationships "
                              "xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                              "relationships\"><Relationship Id=\"rId1\" Type=\"" REL
                              "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

static const char *wb_rels =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId3\" Type=\"" REL "styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" REL "sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"" REL "worksheet\" Target=\"worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId9\" Type=\"" REL "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "</Relationships>";

static const char *styles =
    "<styleSheet " NS "><numFmts count=\"4\">"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy/m/d\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"0.0&quot;h&quot;;[Red]\\-0.0\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"[$-F800]dddd, mmmm dd, yyyy\"/>"
    "<numFmt numFmtId=\"14\" formatCode=\"0.00\"/>" /* a builtin id redefined */
    "</numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"22\"/></cellStyleXfs>"
    "<cellXfs count=\"8\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
    "<xf numFmtId=\"22\"/><xf numFmtId=\"14\"/><xf numFmtId=\"31\"/><xf numFmtId=\"166\"/>"
    "<xf numFmtId=\"20\"/></cellXfs>"
    "<dxfs count=\"1\"><dxf><numFmt numFmtId=\"165\" formatCode=\"yyyy\"/></dxf></dxfs>"
    "</styleSheet>";

static const char *sst =
    "<sst " NS " count=\"4\" uniqueCount=\"4\">"
    "<si><t>姓名</t></si>"
    "<si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space=\"preserve\"> 文本</t></r></si>"
    "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh><phoneticPr fontId=\"1\"/></si>"
    "<si><t>a_x000D__x000A_b_x005F_x0041_&amp;&lt;_xD83D__xDE00_</t></si>"
    "<si/>"
    "</sst>";

static const char *workbook(bool date1904)
{
    return date1904 ? "<workbook " NS " " RNS "><workbookPr date1904=\"1\"/><sheets>"
                      "<sheet name=\"第一\" sheetId=\"1\" r:id=\"rId9\"/>"
                      "<sheet name=\"第二\" sheetId=\"2\" r:id=\"rId7\"/></sheets></workbook>"
                    : "<workbook " NS " " RNS "><workbookPr/><sheets>"
                      "<sheet name=\"第一\" sheetId=\"1\" r:id=\"rId9\"/>"
                      "<sheet name=\"第二\" sheetId=\"2\" r:id=\"rId7\"/></sheets></workbook>";
}

static const char *hand_xlsx(const char *name, const char *sheet, bool date1904)
{
    struct part parts[] = {
        {"[Content_Types].xml", "<Types/>"},
        {"_rels/.rels", pkg_rels},
        {"xl/workbook.xml", workbook(date1904)},
        {"xl/_rels/workbook.xml.rels", wb_rels},
        {"xl/styles.xml", styles},
        {"xl/sharedStrings.xml", sst},
        {"xl/worksheets/sheet1.xml", sheet},
        {"xl/worksheets/sheet2.xml", "<worksheet " NS "><sheetData><row r=\"1\"><c "
                                     "t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row>"
                                     "</sheetData></worksheet>"},
    };
    return make_zip(name, parts, sizeof parts / sizeof parts[0]);
}

static const char *sheet_of(const char *rows)
{
    static char buf[16384];
    snprintf(buf, sizeof buf,
             "<worksheet %s><dimension ref=\"A1\"/><sheetData>%s</sheetData>"
             "<mergeCells count=\"0\"/></worksheet>",
             NS, rows);
    return buf;
}

static void test_xlsx_hand(void)
{
    struct rows r = {0};
    const char *p = hand_xlsx(
        "hand.xlsx",
        sheet_of(
            /* shared strings: runs joined, phonetic run left out, escapes decoded */
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
            "<c r=\"C1\" t=\"s\"><v> 2 </v></c><c r=\"D1\" t=\"s\"><v>3</v></c>"
            "<c r=\"E1\" t=\"s\"><v>4</v></c></row>"
            /* sparse: only C3 and E3; numbers as written less ".0" */
            "<row r=\"3\"><c r=\"C3\"><v>12.0</v></c><c r=\"E3\"><v>1.2E+4</v></c>"
            "<c r=\"F3\"><v>0.50</v></c><c r=\"G3\"><v>-0.0</v></c><c r=\"H3\"><v>100</v></c>"
            "</row>"
            /* no r attributes: rows and cells follow on */
            "<row><c><v>1</v></c><c t=\"b\"><v>0</v></c><c t=\"b\"><v>1</v></c>"
            "<c t=\"e\"><v>#N/A</v></c><c t=\"str\"><f>A1</f><v>x_x0009_y</v></c></row>"
            /* dates: 1900 leap-year bug, a time part, styles resolved through cellXfs */
            "<row r=\"7\"><c r=\"A7\" s=\"1\"><v>1</v></c><c r=\"B7\" s=\"1\"><v>59</v></c>"
            "<c r=\"C7\" s=\"1\"><v>60</v></c><c r=\"D7\" s=\"1\"><v>61</v></c>"
            "<c r=\"E7\" s=\"3\"><v>45658.5</v></c><c r=\"F7\" s=\"1\"><v>45658.75</v></c>"
            "<c r=\"G7\" s=\"3\"><v>45658</v></c><c r=\"H7\" s=\"5\"><v>45658</v></c>"
            "<c r=\"I7\" s=\"6\"><v>45658</v></c><c r=\"J7\" s=\"7\"><v>0.999999</v></c></row>"
            /* not dates: quoted "h", builtin 14 redefined as 0.00, no style, text */
            "<row r=\"8\"><c r=\"A8\" s=\"2\"><v>45658</v></c><c r=\"B8\" s=\"4\"><v>45658</v></c>"
            "<c r=\"C8\"><v>45658</v></c><c r=\"D8\" s=\"1\" t=\"s\"><v>0</v></c>"
            "<c r=\"E8\" s=\"1\"><v>0</v></c><c r=\"F8\" s=\"1\"><v>-1</v></c>"
            "<c r=\"G8\" s=\"99\"><v>7</v></c><c r=\"H8\" s=\"1\"><v>abc</v></c></row>"
            /* inline strings with rich text and phonetic runs; t="d"; formula only */
            "<row r=\"9\" spans=\"1:9\"><c r=\"A9\" t=\"inlineStr\"><is><r><t>甲</t></r>"
            "<r><rPr><i/></rPr><t>乙</t></r><rPh><t>x</t></rPh></is></c>"
            "<c r=\"B9\" t=\"d\"><v>2025-03-04T00:00:00Z</v></c>"
            "<c r=\"C9\" t=\"d\"><v>2025-03-04T09:08:07</v></c>"
            "<c r=\"D9\"><f>1+1</f></c><c r=\"E9\" t=\"inlineStr\"><is><t/></is></c>"
            "<c r=\"F9\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
            /* a row of formatted blanks is not reported */
            "<row r=\"10\" customFormat=\"1\"><c r=\"A10\" s=\"1\"/><c r=\"B10\" s=\"1\"/></row>"
            /* trailing formatted blanks, even past column 1024, do not count */
            "<row r=\"11\"><c r=\"A11\" t=\"s\"><v>0</v></c><c r=\"B11\" s=\"1\"/>"
            "<c r=\"XFD11\" s=\"1\"/></row>"
            "<row r=\"12\"><c r=\"AMJ12\"><v>1024</v></c></row>"),
        false);
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_STR(err, "");
    CHECK_INT(r.count, 8);
    CHECK_STR(row(&r, 0), "1:姓名|富 文本|東京|a\r\nb_x0041_&<\xF0\x9F\x98\x80|");
    CHECK_STR(row(&r, 1), "3:||12||1.2E+4|0.5|0|100");
    CHECK_STR(row(&r, 2), "4:1|0|1|#N/A|x\ty");
    CHECK_STR(row(&r, 3), "7:1900-01-01|1900-02-28|1900-02-29|1900-03-01|2025-01-01 12:00:00|"
                          "2025-01-01 18:00:00|2025-01-01 00:00:00|2025-01-01|2025-01-01|"
                          "00:00:00");
    CHECK_STR(row(&r, 4), "8:45658|45658|45658|姓名|0|-1|7|abc");
    CHECK_STR(row(&r, 5), "9:甲乙|2025-03-04|2025-03-04 09:08:07|||x");
    CHECK_STR(row(&r, 6), "11:姓名");
    CHECK_INT(r.last ? strlen(r.last) : 0, strlen("12:") + 1023 + 4);
    rows_free(&r);

    /* date1904: serial 0 is 1904-01-01 */
    p = hand_xlsx("d1904.xlsx",
                  sheet_of("<row r=\"1\"><c s=\"1\"><v>0</v></c><c s=\"1\"><v>1</v></c>"
                           "<c s=\"3\"><v>44196.25</v></c><c s=\"7\"><v>0.5</v></c></row>"),
                  true);
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_STR(row(&r, 0), "1:1904-01-01|1904-01-02|2025-01-01 06:00:00|12:00:00");
    rows_free(&r);
}

/* Namespace prefixes, no package rels, a workbook and sheet somewhere else,
 * absolute targets, no styles and no shared strings. */
static void test_xlsx_odd_layout(void)
{
    struct rows r = {0};
    struct part parts[] = {
        {"_rels/.rels", "<Relationships><Relationship Id=\"a\" Type=\"" REL "officeDocument\" "
                        "Target=\"/book/main.xml\"/></Relationships>"},
        {"book/main.xml", "<x:workbook xmlns:x=\"urn:x\" xmlns:rr=\"urn:r\"><x:sheets>"
                          "<x:sheet name=\"s\" sheetId=\"1\" rr:id=\"s1\"/></x:sheets>"
                          "</x:workbook>"},
        {"book/_rels/main.xml.rels",
         "<Relationships><Relationship Id=\"ext\" Type=\"" REL "hyperlink\" "
         "Target=\"http://example.com/\" TargetMode=\"External\"/>"
         "<Relationship Id=\"s1\" Type=\"" REL "worksheet\" Target=\"./sheets/../data/s.xml\"/>"
         "</Relationships>"},
        {"book/data/s.xml", "<x:worksheet xmlns:x=\"urn:x\"><x:sheetData><x:row x:r=\"2\">"
                            "<x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t>值</x:t></x:is></x:c>"
                            "<x:c r=\"C2\"><x:v>5.10</x:v></x:c></x:row></x:sheetData>"
                            "</x:worksheet>"},
    };
    const char *p = make_zip("odd.xlsx", parts, sizeof parts / sizeof parts[0]);
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_STR(err, "");
    CHECK_INT(r.count, 1);
    CHECK_STR(row(&r, 0), "2:|值|5.1");
    rows_free(&r);
}

static void expect_fail(const char *name, const char *sheet, const char *msg)
{
    struct rows r = {0};
    const char *p = hand_xlsx(name, sheet, false);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    if (strcmp(err, msg) != 0)
        fprintf(stderr, "  (in %s)\n", name);
    CHECK_STR(err, msg);
    rows_free(&r);
}

/* Patches the uncompressed size of a zip entry, local and central headers. */
static void patch_size(const char *path, const char *entry, uint32_t size)
{
    FILE *f = fopen(path, "r+b");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    unsigned char *b = malloc((size_t)len);
    fseek(f, 0, SEEK_SET);
    CHECK_INT(fread(b, 1, (size_t)len, f), len);
    size_t elen = strlen(entry);
    int patched = 0;
    for (long i = 0; i + 46 < len; i++) {
        size_t at = 0;
        if (memcmp(b + i, "PK\3\4", 4) == 0 && b[i + 26] == elen &&
            memcmp(b + i + 30, entry, elen) == 0)
            at = (size_t)i + 22;
        else if (memcmp(b + i, "PK\1\2", 4) == 0 && b[i + 28] == elen &&
                 memcmp(b + i + 46, entry, elen) == 0)
            at = (size_t)i + 24;
        if (!at)
            continue;
        for (int k = 0; k < 4; k++)
            b[at + (size_t)k] = (unsigned char)(size >> (8 * k));
        patched++;
    }
    CHECK_INT(patched, 2);
    fseek(f, 0, SEEK_SET);
    fwrite(b, 1, (size_t)len, f);
    fclose(f);
    free(b);
}

static void test_xlsx_errors(void)
{
    struct rows r = {0};
    const char *p = write_str("text.xlsx", "姓名,电话\n张三,1\n");
    CHECK_INT(read_rows(p, "xlsx", &r), -1);
    CHECK_STR(err, "文件不是有效的 Excel 文件");
    CHECK_INT(r.count, 0);

    p = write_str("fake.xlsx", "PK\3\4 but not a zip at all");
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "文件不是有效的 Excel 文件");

    p = write_file("old.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest", 13);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "不支持旧版 .xls 或加密的 Excel 文件，请另存为 .xlsx 或 CSV 后再上传");

    /* a zip that is not a workbook */
    struct part junk[] = {{"readme.txt", "hello"}};
    p = make_zip("junk.xlsx", junk, 1);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "文件不是有效的 Excel 文件");

    struct part nosheet[] = {{"xl/workbook.xml", "<workbook><sheets/></workbook>"}};
    p = make_zip("nosheet.xlsx", nosheet, 1);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "Excel 文件中没有工作表");

    struct part nopart[] = {{"xl/workbook.xml", workbook(false)},
                            {"xl/_rels/workbook.xml.rels", wb_rels}};
    p = make_zip("nopart.xlsx", nopart, 2);
    CHECK_INT(read_rows(p, NULL, &r), -1);
    CHECK_STR(err, "文件不是有效的 Excel 文件");

    expect_fail("badxml.xlsx", "<worksheet><sheetData><row><c><v>1</v></row>",
                "文件不是有效的 Excel 文件");
    expect_fail("doctype.xlsx",
                "<!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row>"
                "</sheetData></worksheet>",
                "文件不是有效的 Excel 文件");
    expect_fail("badsst.xlsx",
                sheet_of("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>"
                         "<row r=\"2\"><c t=\"s\"><v>5</v></c></row>"),
                "文件不是有效的 Excel 文件");
    expect_fail("wide.xlsx",
                sheet_of("<row r=\"4\"><c r=\"A4\"><v>1</v></c>"
                         "<c r=\"AMK4\"><v>1</v></c></row>"),
                "第 4 行超过 1024 列，无法导入");

    /* a cell over 32 KiB, inline and shared */
    size_t big = TABREAD_MAX_CELL + 1;
    char *s = malloc(8 * TABREAD_MAX_CELL);
    int o = sprintf(s, "<worksheet><sheetData><row r=\"3\"><c t=\"inlineStr\"><is><t>");
    memset(s + o, 'x', big);
    strcpy(s + o + big, "</t></is></c></row></sheetData></worksheet>");
    expect_fail("longcell.xlsx", s, "第 3 行有单元格超过 32 KB，无法导入");
    /* ... exactly 32 KiB is fine, even when written with escapes */
    o = sprintf(s, "<worksheet><sheetData><row r=\"3\"><c t=\"inlineStr\"><is><t>");
    for (int i = 0; i < TABREAD_MAX_CELL / 2; i++)
        o += sprintf(s + o, "_x0041_");
    memset(s + o, 'b', TABREAD_MAX_CELL / 2);
    strcpy(s + o + TABREAD_MAX_CELL / 2, "</t></is></c></row></sheetData></worksheet>");
    p = hand_xlsx("maxcell.xlsx", s, false);
    CHECK_INT(read_rows(p, NULL, &r), 0);
    CHECK_INT(r.last ? strlen(r.last) : 0, strlen("3:") + TABREAD_MAX_CELL);
    CHECK(r.last && r.last[2] == 'A' && r.last[strlen(r.last) - 1] == 'b');
    free(s);

    /* a zip bomb: a part that claims more than 128 MiB, refused before
     * anything is inflated */
    p = hand_xlsx("bomb.xlsx", sheet_of("<row><c><v>1</v></c></row>"), false);
    patch_size(p, "xl/worksheets/sheet1.xml", 600u * 1024 * 1024);
    CHECK_INT(read_rows(p, NULL, &r), TABREAD_TOO_LARGE);
    CHECK_STR(err, "Excel 文件中的 xl/worksheets/sheet1.xml 解压后超过 128 MB 的上限，无法导入");
    rows_free(&r);
}

/* Shared strings past their limits, as an .xlsx with this sharedStrings.xml. */
static void expect_sst_fail(const char *name, const char *sst_xml, const char *msg)
{
    struct rows r = {0};
    struct part parts[] = {
        {"_rels/.rels", pkg_rels},
        {"xl/workbook.xml", workbook(false)},
        {"xl/_rels/workbook.xml.rels", wb_rels},
        {"xl/sharedStrings.xml", sst_xml},
        {"xl/worksheets/sheet1.xml", sheet_of("<row><c t=\"s\"><v>0</v></c></row>")},
    };
    const char *p = make_zip(name, parts, sizeof parts / sizeof parts[0]);
    CHECK_INT(read_rows(p, NULL, &r), TABREAD_TOO_LARGE);
    CHECK_STR(err, msg);
    CHECK_INT(r.count, 0);
    rows_free(&r);
}

static void test_xlsx_expansion(void)
{
    /* more strings than TABREAD_MAX_SST, each tiny */
    size_t n = TABREAD_MAX_SST + 1;
    char *s = malloc(n * 5 + 64);
    size_t o = (size_t)sprintf(s, "<sst>");
    for (size_t i = 0; i < n; i++, o += 5)
        memcpy(s + o, "<si/>", 5);
    strcpy(s + o, "</sst>");
    expect_sst_fail("manysst.xlsx", s, "Excel 文件的共享字符串超过 1000000 条的上限，无法导入");
    free(s);

    /* more text than TABREAD_MAX_SST_MB, in strings of 30 KB (each under
     * the cell limit) */
    size_t one = 30 * 1024, count = (size_t)TABREAD_MAX_SST_MB * 1024 * 1024 / one + 2;
    s = malloc(count * (one + 16) + 64);
    o = (size_t)sprintf(s, "<sst>");
    for (size_t i = 0; i < count; i++) {
        o += (size_t)sprintf(s + o, "<si><t>");
        memset(s + o, 'x', one);
        o += one;
        o += (size_t)sprintf(s + o, "</t></si>");
    }
    strcpy(s + o, "</sst>");
    expect_sst_fail("bigsst.xlsx", s, "Excel 文件的共享字符串超过 32 MB 的上限，无法导入");
    free(s);
}

/* The limits as a parameter (a trusted local file): what an upload is
 * refused for reads with larger ones, and smaller ones refuse more. */
static void test_xlsx_limits_param(void)
{
    size_t n = TABREAD_MAX_SST + 1;
    char *s = malloc(n * 5 + 64);
    size_t o = (size_t)sprintf(s, "<sst>");
    for (size_t i = 0; i < n; i++, o += 5)
        memcpy(s + o, "<si/>", 5);
    strcpy(s + o, "</sst>");
    struct part parts[] = {
        {"_rels/.rels", pkg_rels},
        {"xl/workbook.xml", workbook(false)},
        {"xl/_rels/workbook.xml.rels", wb_rels},
        {"xl/sharedStrings.xml", s},
        {"xl/worksheets/sheet1.xml", sheet_of("<row><c><v>7</v></c></row>")},
    };
    const char *p = make_zip("limits.xlsx", parts, sizeof parts / sizeof parts[0]);
    free(s);
    struct rows r = {0};
    CHECK_INT(read_rows(p, NULL, &r), TABREAD_TOO_LARGE);
    struct tabread_limits big = tabread_upload_limits;
    big.sst_items = 2 * TABREAD_MAX_SST;
    rows_free(&r);
    CHECK_INT(tabread_file_limits(p, NULL, &big, collect, &r, err, sizeof err), 0);
    CHECK_INT(r.count, 1);
    struct tabread_limits small = big;
    small.part_mb = 0;
    rows_free(&r);
    CHECK_INT(tabread_file_limits(p, NULL, &small, collect, &r, err, sizeof err),
              TABREAD_TOO_LARGE);
    CHECK(strstr(err, "解压后超过 0 MB 的上限") != NULL);
    rows_free(&r);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* sheetw's CSV puts an apostrophe before a text cell a spreadsheet would run
 * as a formula; tabread takes it off again, so every value comes back. */
static void test_csv_formula_round_trip(void)
{
    static const char *vals[] = {"=1+1",   "+8613800138000", "-note", "@SUM(A1)", "\tx", "'=quoted",
                                 "''+two", "'plain",         "plain", "a=b",      "'"};
    const int nv = (int)(sizeof vals / sizeof *vals);
    const char *p = path_of("formula.csv");
    char *e = NULL;
    struct sheetw *w = sheetw_open(p, "s", &e);
    CHECK(w != NULL);
    sheetw_header(w, 1, (const char *[]){"h"}, NULL);
    for (int i = 0; i < nv; i++)
        sheetw_text(w, i + 1, 0, vals[i]);
    sheetw_number(w, nv + 1, 0, -5);
    CHECK_INT(sheetw_close(w, &e), 0);
    FILE *f = fopen(p, "rb");
    char raw[512] = "";
    size_t n = fread(raw, 1, sizeof raw - 1, f);
    raw[n] = '\0';
    fclose(f);
    CHECK(strstr(raw, "\r\n'=1+1\r\n'+8613800138000\r\n'-note\r\n'@SUM(A1)\r\n'\tx\r\n") != NULL);
    CHECK(strstr(raw, "\r\n''=quoted\r\n'''+two\r\n'plain\r\nplain\r\na=b\r\n'\r\n-5\r\n") != NULL);
    struct rows r = {0};
    CHECK_INT(read_rows(p, "csv", &r), 0);
    CHECK_INT(r.count, nv + 2);
    char want[64];
    for (int i = 0; i < nv; i++) {
        snprintf(want, sizeof want, "%d:%s", i + 2, vals[i]);
        CHECK_STR(row(&r, (size_t)i + 1), want);
    }
    snprintf(want, sizeof want, "%d:-5", nv + 2);
    CHECK_STR(row(&r, (size_t)nv + 1), want);
    rows_free(&r);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_csv_basic();
    test_csv_errors();
    test_csv_limits();
    test_csv_stop();
    test_csv_formula_round_trip();
    test_xlsx_writer();
    test_xlsx_big();
    test_xlsx_relay();
    test_xlsx_hand();
    test_xlsx_odd_layout();
    test_xlsx_errors();
    test_xlsx_expansion();
    test_xlsx_limits_param();
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return TEST_REPORT();
}
