/* tabread: rows of a CSV (libcsv) or XLSX (libzip + expat) file, streamed to a
 * callback (see tabread.h). An XLSX sheet is parsed in chunks straight out of the
 * zip; only the shared strings and the date styles are held in memory. An
 * .xlsx is read on a thread of its own, which hands the rows over in batches
 * (see "the reading thread"), so that its parse and the callback's work
 * overlap. */
#include "tabread.h"
#include "sheetw.h"
#include "util.h"

#include <csv.h>
#include <expat.h>
#include <zip.h>

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHUNK (64 * 1024)
#define MB    ((zip_uint64_t)1024 * 1024)
/* The read's limits (struct tabread_limits, in MB and items) in bytes. */
#define MAX_PART_SIZE ((zip_uint64_t)x->r->lim.part_mb * MB)  /* one xlsx part, inflated */
#define MAX_TOTAL     ((zip_uint64_t)x->r->lim.total_mb * MB) /* … and all the parts read */
#define MAX_SST_BYTES ((size_t)x->r->lim.sst_mb * 1024 * 1024)
#define MAX_ROW_BYTES ((size_t)TABREAD_MAX_COLS * (TABREAD_MAX_CELL + 1))
#define MAX_RAW_TEXT  (8 * TABREAD_MAX_CELL) /* cell text before _xHHHH_ unescaping */
#define NO_CELL       SIZE_MAX
#define TEXT_OUT      64 /* a formatted date or time */

#define MSG_READ     "无法读取上传的文件"
#define MSG_BAD_XLSX "文件不是有效的 Excel 文件"
#define MSG_PART_BIG "Excel 文件中的 %s 解压后超过 %d MB 的上限，无法导入"
#define MSG_ALL_BIG  "Excel 文件解压后超过 %d MB 的上限，无法导入"
#define MSG_SST_BIG  "Excel 文件的共享字符串超过 %d MB 的上限，无法导入"
#define MSG_SST_MANY "Excel 文件的共享字符串超过 %d 条的上限，无法导入"
#define MSG_COLS     "第 %ld 行超过 %d 列，无法导入"
#define MSG_CELL     "第 %ld 行有单元格超过 32 KB，无法导入"

/* The row being built and how the read ended; shared by both formats. */
struct reader {
    tabread_row_fn fn;
    void *ctx;
    char *err;
    size_t errlen;
    bool done; /* stopped by an error or by the callback */
    int rc;    /* once done: -1 or the callback's value */
    long rowno;
    char *buf; /* the row's cell values, each NUL-terminated */
    size_t len, cap;
    size_t ncells;
    size_t off[TABREAD_MAX_COLS]; /* offset of each cell in buf, or NO_CELL */
    const char *cells[TABREAD_MAX_COLS];
    struct tabread_limits lim;
};

static void reader_set_err(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void reader_set_err(struct reader *r, const char *fmt, ...)
{
    r->done = true;
    r->rc = -1;
    if (r->err && r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err, r->errlen, fmt, ap);
        va_end(ap);
    }
}

/* Fails the read with a user-facing message (the first one wins), logged under
 * the caller's function name. */
#define reader_fail(r, ...)                                                                        \
    do {                                                                                           \
        if (!(r)->done) {                                                                          \
            log_warn(__VA_ARGS__);                                                                 \
            reader_set_err((r), __VA_ARGS__);                                                      \
        }                                                                                          \
    } while (0)

/* reader_fail for a file past one of tabread.h's limits on expansion. */
#define reader_too_large(r, ...)                                                                   \
    do {                                                                                           \
        if (!(r)->done) {                                                                          \
            reader_fail((r), __VA_ARGS__);                                                         \
            (r)->rc = TABREAD_TOO_LARGE;                                                           \
        }                                                                                          \
    } while (0)

static void row_reset(struct reader *r)
{
    r->len = 0;
    r->ncells = 0;
}

/* Stores the value of column col (0-based, < TABREAD_MAX_COLS); a later value
 * for the same column replaces it. */
static void row_set(struct reader *r, size_t col, const char *s, size_t n)
{
    if (r->len + n + 1 > MAX_ROW_BYTES) {
        reader_fail(r, "第 %ld 行数据过多，无法导入", r->rowno);
        return;
    }
    while (r->ncells <= col)
        r->off[r->ncells++] = NO_CELL;
    if (r->cap - r->len < n + 1) {
        size_t cap = r->cap ? r->cap * 2 : 4096;
        while (cap - r->len < n + 1)
            cap *= 2;
        r->buf = xrealloc(r->buf, cap);
        r->cap = cap;
    }
    if (n)
        memcpy(r->buf + r->len, s, n);
    r->buf[r->len + n] = '\0';
    r->off[col] = r->len;
    r->len += n + 1;
}

static void row_emit(struct reader *r)
{
    if (r->done || r->ncells == 0)
        return;
    for (size_t i = 0; i < r->ncells; i++)
        r->cells[i] = r->off[i] == NO_CELL ? "" : r->buf + r->off[i];
    int v = r->fn(r->ctx, r->rowno, r->cells, r->ncells);
    if (v) {
        r->done = true;
        r->rc = v;
    }
}

/* ---- CSV ---- */

struct csv_state {
    struct reader *r;
    int last_term; /* the character that ended the previous row */
};

static int csv_no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static void csv_field(void *field, size_t len, void *data)
{
    struct csv_state *cs = data;
    struct reader *r = cs->r;
    const char *s = len ? field : "";
    if (r->done)
        return;
    if (r->ncells >= TABREAD_MAX_COLS) {
        reader_fail(r, MSG_COLS, r->rowno, TABREAD_MAX_COLS);
        return;
    }
    if (len > TABREAD_MAX_CELL) {
        reader_fail(r, MSG_CELL, r->rowno);
        return;
    }
    /* A NUL also catches UTF-16, whose ASCII would otherwise pass as UTF-8. */
    if (memchr(s, '\0', len) || !util_utf8_valid(s, len)) {
        reader_fail(r, "文件编码不是 UTF-8，请另存为 UTF-8 CSV");
        return;
    }
    /* The apostrophe sheetw puts before a cell that could run as a formula
     * is not part of the value (sheetw_csv_guarded). */
    if (len > 1 && s[0] == '\'' && sheetw_csv_guarded(s, len))
        s++, len--;
    row_set(r, r->ncells, s, len);
}

/* With CSV_REPALL_NL every line end is reported, so blank lines are counted;
 * the LF of a CRLF arrives as an empty row of its own and is dropped. */
static void csv_row(int c, void *data)
{
    struct csv_state *cs = data;
    struct reader *r = cs->r;
    if (r->done)
        return;
    if (r->ncells == 0 && c == '\n' && cs->last_term == '\r') {
        cs->last_term = 0;
        return;
    }
    cs->last_term = c;
    row_emit(r);
    row_reset(r);
    r->rowno++;
}

static void read_csv(struct reader *r, const char *path)
{
    struct csv_parser p;
    struct csv_state cs = {.r = r};
    bool parser_ok = false, first = true;
    char *chunk = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        reader_fail(r, MSG_READ);
        goto fail;
    }
    if (csv_init(&p, CSV_STRICT | CSV_REPALL_NL) != 0) {
        reader_fail(r, MSG_READ);
        goto fail;
    }
    parser_ok = true;
    csv_set_space_func(&p, csv_no_space); /* keep spaces around values */
    csv_set_realloc_func(&p, xrealloc);
    csv_set_free_func(&p, free);
    chunk = xmalloc(CHUNK);
    r->rowno = 1;
    for (;;) {
        size_t n = fread(chunk, 1, CHUNK, f);
        if (n == 0) {
            if (ferror(f))
                reader_fail(r, MSG_READ);
            break;
        }
        const char *s = chunk;
        if (first && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            n -= 3;
        }
        first = false;
        size_t used = csv_parse(&p, s, n, csv_field, csv_row, &cs);
        if (r->done)
            break;
        if (used != n) {
            reader_fail(r, "CSV 文件第 %ld 行格式错误：引号使用不正确", r->rowno);
            break;
        }
        /* libcsv holds a whole field before reporting it: bound that too. */
        if (p.entry_pos > TABREAD_MAX_CELL + 1) {
            reader_fail(r, MSG_CELL, r->rowno);
            break;
        }
    }
    if (r->done)
        goto fail;
    /* Strict only now: libcsv reports a quote left open only in strict mode. */
    csv_set_opts(&p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI);
    if (csv_fini(&p, csv_field, csv_row, &cs) != 0)
        reader_fail(r, "CSV 文件第 %ld 行格式错误：引号没有闭合", r->rowno);
fail:
    if (parser_ok)
        csv_free(&p);
    free(chunk);
    if (f)
        fclose(f);
}

/* ---- XLSX ---- */

enum cell_type { CT_NUM, CT_SST, CT_INLINE, CT_STR, CT_BOOL, CT_ERR, CT_ISODATE };
enum fmt_kind { FK_NONE, FK_DATE, FK_DATETIME, FK_TIME };

struct numfmt {
    long id;
    unsigned char kind;
};

struct xlsx {
    struct reader *r;
    zip_t *za;
    XML_Parser xp;    /* of the part being parsed */
    const char *part; /* its name, for logs */
    /* _rels/.rels, workbook.xml and its rels */
    const char *rels_base; /* directory that relative targets start from */
    bool date1904;
    char *sheet_rid;
    char *doc_path, *sheet_path, *sst_path, *styles_path;
    /* sharedStrings.xml: string i is sst + sst_off[i], sst_off[sst_n] ends the last */
    char *sst;
    size_t sst_len, sst_cap;
    size_t *sst_off;
    size_t sst_n, sst_offcap;
    zip_uint64_t inflated; /* uncompressed bytes of the parts read so far */
    bool in_si, in_sst_t;
    int sst_rph;
    /* styles.xml */
    struct numfmt *fmts;
    size_t nfmts, fmtcap;
    long *xf_fmt;
    size_t nxf, xfcap;
    unsigned char *xf_kind;
    bool in_numfmts, in_cellxfs;
    /* the sheet */
    bool in_data, in_c, in_v, in_is, in_t;
    int rph;
    long last_row, col, next_col, style;
    enum cell_type type;
    bool has_value;
    char *text; /* the cell's <v> or inline text, NUL-terminated */
    size_t text_len, text_cap;
};

#define xlsx_fail(x, ...)                                                                          \
    do {                                                                                           \
        reader_fail((x)->r, __VA_ARGS__);                                                          \
        XML_StopParser((x)->xp, XML_FALSE);                                                        \
    } while (0)

/* "x:sheet" -> "sheet": prefixes vary between writers. */
static const char *local_name(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static bool is(const char *name, const char *local)
{
    return strcmp(local_name(name), local) == 0;
}

static const char *attr(const char **atts, const char *local)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (is(atts[i], local))
            return atts[i + 1];
    return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of an "_xHHHH_" escape at s (n bytes left), or -1. */
static long xescape(const char *s, size_t n)
{
    if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
        return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes OOXML's "_xHHHH_" escapes (e.g. _x000D_ for CR, _x005F_ for "_") in
 * place and NUL-terminates; s must have room for s[n]. Returns the new length. */
static size_t unescape_x(char *s, size_t n)
{
    size_t i = 0, o = 0;
    while (i < n) {
        long cp = xescape(s + i, n - i);
        if (cp < 0) {
            s[o++] = s[i++];
            continue;
        }
        i += 7;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            long lo = xescape(s + i, n - i);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i += 7;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
        }
        if (cp == 0)
            continue;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        o += put_utf8(s + o, (unsigned long)cp);
    }
    s[o] = '\0';
    return o;
}

/* Splits path "xl/workbook.xml" into a new "xl/" (the directory, with its slash). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return xstrndup(path, slash ? (size_t)(slash - path) + 1 : 0);
}

/* The zip entry name for a relationship target: relative to base, or absolute
 * when it starts with "/"; "." and ".." segments are resolved. */
static char *part_path(const char *base, const char *target)
{
    char *s = target[0] == '/' ? xstrdup(target + 1) : xasprintf("%s%s", base, target);
    size_t o = 0;
    const char *p = s;
    while (*p) {
        const char *seg = p;
        size_t n = strcspn(p, "/");
        p += n;
        if (*p == '/')
            p++;
        if (n == 0 || (n == 1 && seg[0] == '.'))
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o > 0 && s[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            continue;
        }
        if (o > 0)
            s[o++] = '/';
        memmove(s + o, seg, n);
        o += n;
    }
    s[o] = '\0';
    return s;
}

static void XMLCALL no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    struct xlsx *x = ud;
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    log_warn("%s: DOCTYPE not allowed", x->part);
    xlsx_fail(x, MSG_BAD_XLSX);
}

/* Streams one part of the zip through expat, CHUNK bytes at a time. Returns 0
 * when parsed, 1 when the part is absent, -1 when the read is done (an error,
 * or the callback stopped). */
static int xlsx_parse(struct xlsx *x, const char *name, XML_StartElementHandler start,
                      XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    int rc = -1;
    zip_file_t *zf = NULL;
    zip_stat_t st;
    zip_uint64_t total = 0;
    zip_int64_t idx = zip_name_locate(x->za, name, 0);
    if (idx < 0)
        idx = zip_name_locate(x->za, name, ZIP_FL_NOCASE);
    if (idx < 0)
        return 1;
    x->part = name;
    if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) != 0) {
        log_warn("%s: %s", name, zip_strerror(x->za));
        reader_fail(x->r, MSG_BAD_XLSX);
        goto fail;
    }
    /* The sizes the zip declares first, so that a bomb is refused before any
     * of it is inflated; the bytes really inflated are counted below, for a
     * zip that lies. */
    if ((st.valid & ZIP_STAT_SIZE) && st.size > MAX_PART_SIZE) {
        reader_too_large(x->r, MSG_PART_BIG, name, x->r->lim.part_mb);
        goto fail;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > MAX_TOTAL - x->inflated) {
        reader_too_large(x->r, MSG_ALL_BIG, x->r->lim.total_mb);
        goto fail;
    }
    zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
    if (!zf) {
        log_warn("%s: %s", name, zip_strerror(x->za));
        reader_fail(x->r, MSG_BAD_XLSX);
        goto fail;
    }
    x->xp = XML_ParserCreate(NULL);
    if (!x->xp) {
        reader_fail(x->r, "内存不足，无法读取 Excel 文件");
        goto fail;
    }
    XML_SetUserData(x->xp, x);
    XML_SetElementHandler(x->xp, start, end);
    XML_SetCharacterDataHandler(x->xp, text);
    XML_SetStartDoctypeDeclHandler(x->xp, no_doctype);
    for (;;) {
        void *buf = XML_GetBuffer(x->xp, CHUNK);
        if (!buf) {
            log_warn("%s: %s", name, XML_ErrorString(XML_GetErrorCode(x->xp)));
            reader_fail(x->r, MSG_BAD_XLSX);
            goto fail;
        }
        zip_int64_t n = zip_fread(zf, buf, CHUNK);
        if (n < 0) {
            log_warn("%s: %s", name, zip_file_strerror(zf));
            reader_fail(x->r, MSG_BAD_XLSX);
            goto fail;
        }
        total += (zip_uint64_t)n;
        x->inflated += (zip_uint64_t)n;
        if (total > MAX_PART_SIZE) {
            reader_too_large(x->r, MSG_PART_BIG, name, x->r->lim.part_mb);
            goto fail;
        }
        if (x->inflated > MAX_TOTAL) {
            reader_too_large(x->r, MSG_ALL_BIG, x->r->lim.total_mb);
            goto fail;
        }
        if (XML_ParseBuffer(x->xp, (int)n, n == 0) != XML_STATUS_OK) {
            if (!x->r->done) {
                log_warn("%s: %s at line %lu", name, XML_ErrorString(XML_GetErrorCode(x->xp)),
                         (unsigned long)XML_GetCurrentLineNumber(x->xp));
                reader_fail(x->r, MSG_BAD_XLSX);
            }
            goto fail;
        }
        if (x->r->done)
            goto fail;
        if (n == 0)
            break;
    }
    rc = 0;
fail:
    if (x->xp)
        XML_ParserFree(x->xp);
    x->xp = NULL;
    if (zf)
        zip_fclose(zf);
    return rc;
}

/* _rels/.rels and the workbook's rels: where the workbook, the first sheet,
 * the shared strings and the styles live. */
static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xlsx *x = ud;
    if (!is(name, "Relationship"))
        return;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type");
    const char *target = attr(atts, "Target"), *mode = attr(atts, "TargetMode");
    if (!id || !type || !target || (mode && strcmp(mode, "External") == 0))
        return;
    char **slot = NULL;
    if (x->sheet_rid && strcmp(id, x->sheet_rid) == 0)
        slot = &x->sheet_path;
    else if (ends_with(type, "/officeDocument"))
        slot = &x->doc_path;
    else if (ends_with(type, "/sharedStrings"))
        slot = &x->sst_path;
    else if (ends_with(type, "/styles"))
        slot = &x->styles_path;
    if (slot && !*slot)
        *slot = part_path(x->rels_base, target);
}

static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xlsx *x = ud;
    if (is(name, "workbookPr")) {
        const char *v = attr(atts, "date1904");
        x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (is(name, "sheet") && !x->sheet_rid) {
        const char *rid = attr(atts, "id");
        if (!rid) {
            log_warn("%s: <sheet> without r:id", x->part);
            xlsx_fail(x, MSG_BAD_XLSX);
            return;
        }
        x->sheet_rid = xstrdup(rid);
    }
}

static void sst_reserve(struct xlsx *x, size_t n)
{
    if (x->sst_cap - x->sst_len >= n)
        return;
    size_t cap = x->sst_cap ? x->sst_cap * 2 : 64 * 1024;
    while (cap - x->sst_len < n)
        cap *= 2;
    x->sst = xrealloc(x->sst, cap);
    x->sst_cap = cap;
}

static void sst_push_off(struct xlsx *x, size_t off)
{
    if (x->sst_n == x->sst_offcap) {
        x->sst_offcap = x->sst_offcap ? x->sst_offcap * 2 : 1024;
        x->sst_off = xrealloc(x->sst_off, x->sst_offcap * sizeof *x->sst_off);
    }
    x->sst_off[x->sst_n++] = off;
}

/* sharedStrings.xml: the text of each <si>, runs joined, phonetic runs left out. */
static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xlsx *x = ud;
    (void)atts;
    if (is(name, "si")) {
        if (x->sst_n >= (size_t)x->r->lim.sst_items) {
            reader_too_large(x->r, MSG_SST_MANY, x->r->lim.sst_items);
            XML_StopParser(x->xp, XML_FALSE);
            return;
        }
        x->in_si = true;
        x->sst_rph = 0;
        sst_push_off(x, x->sst_len);
    } else if (x->in_si && is(name, "rPh")) {
        x->sst_rph++;
    } else if (x->in_si && x->sst_rph == 0 && is(name, "t")) {
        x->in_sst_t = true;
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    struct xlsx *x = ud;
    if (!x->in_si)
        return;
    if (is(name, "t")) {
        x->in_sst_t = false;
    } else if (is(name, "rPh")) {
        x->sst_rph--;
    } else if (is(name, "si")) {
        size_t start = x->sst_off[x->sst_n - 1];
        sst_reserve(x, 1);
        x->sst_len = start + unescape_x(x->sst + start, x->sst_len - start) + 1;
        x->in_si = false;
    }
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
    struct xlsx *x = ud;
    if (x->r->done || !x->in_si || !x->in_sst_t || x->sst_rph > 0)
        return;
    /* What is held is bounded here, well before the part's own limit. */
    if (x->sst_len + (size_t)len + 1 > MAX_SST_BYTES) {
        reader_too_large(x->r, MSG_SST_BIG, x->r->lim.sst_mb);
        XML_StopParser(x->xp, XML_FALSE);
        return;
    }
    sst_reserve(x, (size_t)len + 1);
    memcpy(x->sst + x->sst_len, s, (size_t)len);
    x->sst_len += (size_t)len;
}

/* Whether a number format code shows a date and/or a time: y, m, d, h, s
 * outside quotes, brackets and escapes ("m" is minutes next to h or s). */
static unsigned char format_kind(const char *code)
{
    bool date = false, time_ = false, month = false;
    for (const char *p = code; *p; p++) {
        switch (*p) {
        case '"':
            while (p[1] && p[1] != '"')
                p++;
            if (p[1])
                p++;
            continue;
        case '[':
            while (p[1] && p[1] != ']')
                p++;
            if (p[1])
                p++;
            continue;
        case '\\':
        case '_':
        case '*':
            if (p[1])
                p++;
            continue;
        case 'a':
        case 'A':
            if (strncasecmp(p, "AM/PM", 5) == 0)
                p += 4;
            else if (strncasecmp(p, "A/P", 3) == 0)
                p += 2;
            continue;
        case 'y':
        case 'Y':
        case 'd':
        case 'D':
            date = true;
            continue;
        case 'h':
        case 'H':
        case 's':
        case 'S':
            time_ = true;
            continue;
        case 'm':
        case 'M':
            month = true;
            continue;
        default:
            continue;
        }
    }
    if (month && !time_)
        date = true;
    if (date)
        return time_ ? FK_DATETIME : FK_DATE;
    return time_ ? FK_TIME : FK_NONE;
}

/* Built-in formats: 14-22 and 45-47, and the ids that zh-CN (and other CJK)
 * Excel uses for its own date and time formats. */
static unsigned char builtin_kind(long id)
{
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 54) ||
        id == 57 || id == 58)
        return FK_DATE;
    if (id == 22)
        return FK_DATETIME;
    if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) || id == 55 ||
        id == 56)
        return FK_TIME;
    return FK_NONE;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xlsx *x = ud;
    if (is(name, "numFmts")) {
        x->in_numfmts = true;
    } else if (is(name, "cellXfs")) {
        x->in_cellxfs = true;
    } else if (x->in_numfmts && is(name, "numFmt")) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (!id || !code)
            return;
        if (x->nfmts == x->fmtcap) {
            x->fmtcap = x->fmtcap ? x->fmtcap * 2 : 16;
            x->fmts = xrealloc(x->fmts, x->fmtcap * sizeof *x->fmts);
        }
        x->fmts[x->nfmts].id = strtol(id, NULL, 10);
        x->fmts[x->nfmts++].kind = format_kind(code);
    } else if (x->in_cellxfs && is(name, "xf")) {
        const char *id = attr(atts, "numFmtId");
        if (x->nxf == x->xfcap) {
            x->xfcap = x->xfcap ? x->xfcap * 2 : 64;
            x->xf_fmt = xrealloc(x->xf_fmt, x->xfcap * sizeof *x->xf_fmt);
        }
        x->xf_fmt[x->nxf++] = id ? strtol(id, NULL, 10) : 0;
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    struct xlsx *x = ud;
    if (is(name, "numFmts"))
        x->in_numfmts = false;
    else if (is(name, "cellXfs"))
        x->in_cellxfs = false;
}

/* The kind of each cell style, from its number format (custom ones first). */
static void styles_resolve(struct xlsx *x)
{
    x->xf_kind = xcalloc(x->nxf ? x->nxf : 1, 1);
    for (size_t i = 0; i < x->nxf; i++) {
        long id = x->xf_fmt[i];
        unsigned char kind = builtin_kind(id);
        for (size_t j = 0; j < x->nfmts; j++) {
            if (x->fmts[j].id == id) {
                kind = x->fmts[j].kind;
                break;
            }
        }
        x->xf_kind[i] = kind;
    }
}

/* "C12" -> 2; -1 when not a cell reference. */
static long ref_col(const char *ref)
{
    long col = 0;
    const char *p = ref;
    for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
        col = col * 26 + ((*p | 0x20) - 'a' + 1);
        if (col > 100000)
            return -1;
    }
    if (p == ref || *p < '0' || *p > '9')
        return -1;
    return col - 1;
}

static void text_add(struct xlsx *x, const char *s, size_t n)
{
    if (x->text_len + n > MAX_RAW_TEXT) {
        xlsx_fail(x, MSG_CELL, x->r->rowno);
        return;
    }
    if (x->text_cap - x->text_len < n + 1) {
        size_t cap = x->text_cap * 2;
        while (cap - x->text_len < n + 1)
            cap *= 2;
        x->text = xrealloc(x->text, cap);
        x->text_cap = cap;
    }
    memcpy(x->text + x->text_len, s, n);
    x->text_len += n;
    x->text[x->text_len] = '\0';
}

/* Trims ASCII whitespace in place; returns the start, *n the new length. */
static char *trim(char *s, size_t *n)
{
    size_t len = *n;
    while (len && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++, len--;
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    s[len] = '\0';
    *n = len;
    return s;
}

/* An Excel serial day number as text, or false when out of range. In the 1900
 * system serial 1 is 1900-01-01 and 60 is Excel's fictitious 1900-02-29. */
static bool serial_text(double v, unsigned char kind, bool date1904, char out[TEXT_OUT])
{
    if (!(v >= 0 && v < 2958466.0))
        return false;
    long day = (long)v;
    long secs = (long)((v - (double)day) * 86400.0 + 0.5);
    if (secs >= 86400) {
        day++;
        secs -= 86400;
    }
    if (day >= 2958466)
        return false;
    if (kind == FK_TIME && v < 1) {
        snprintf(out, TEXT_OUT, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
        return true;
    }
    char date[11];
    if (date1904)
        util_days_to_date(day - 24107, date);
    else if (day == 0)
        return false;
    else if (day == 60)
        memcpy(date, "1900-02-29", 11);
    else
        util_days_to_date(day < 60 ? day - 25568 : day - 25569, date);
    if (kind == FK_DATE && secs == 0)
        memcpy(out, date, 11);
    else
        snprintf(out, TEXT_OUT, "%s %02ld:%02ld:%02ld", date, secs / 3600, secs / 60 % 60,
                 secs % 60);
    return true;
}

/* A numeric cell: a date when its style says so, else the number as written
 * less trailing fractional zeros ("12.0" -> "12"). */
static const char *number_text(struct xlsx *x, size_t *n, char out[TEXT_OUT])
{
    char *s = trim(x->text, n);
    unsigned char kind = x->style >= 0 && (size_t)x->style < x->nxf ? x->xf_kind[x->style] : 0;
    if (kind != FK_NONE && *n > 0) {
        char *end;
        double v = strtod(s, &end);
        if (end == s + *n && serial_text(v, kind, x->date1904, out)) {
            *n = strlen(out);
            return out;
        }
    }
    if (memchr(s, '.', *n) && !memchr(s, 'e', *n) && !memchr(s, 'E', *n)) {
        while (s[*n - 1] == '0')
            (*n)--;
        if (s[*n - 1] == '.')
            (*n)--;
        if (*n == 0 || (*n == 2 && s[0] == '-' && s[1] == '0')) {
            *n = 1;
            return "0";
        }
    }
    return s;
}

/* t="d": an ISO 8601 date-time, given as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS". */
static const char *isodate_text(struct xlsx *x, size_t *n, char out[TEXT_OUT])
{
    char *s = trim(x->text, n);
    if (*n < 10 || s[4] != '-' || s[7] != '-')
        return s;
    if (*n >= 19 && s[10] == 'T' && strncmp(s + 11, "00:00:00", 8) != 0)
        snprintf(out, TEXT_OUT, "%.10s %.8s", s, s + 11);
    else
        snprintf(out, TEXT_OUT, "%.10s", s);
    *n = strlen(out);
    return out;
}

static void cell_end(struct xlsx *x)
{
    struct reader *r = x->r;
    char out[TEXT_OUT];
    size_t n = x->text_len;
    const char *val = x->text;
    if (!x->has_value)
        return;
    if (x->col >= TABREAD_MAX_COLS) {
        xlsx_fail(x, MSG_COLS, r->rowno, TABREAD_MAX_COLS);
        return;
    }
    switch (x->type) {
    case CT_SST: {
        char *end;
        char *s = trim(x->text, &n);
        unsigned long i = strtoul(s, &end, 10);
        if (n == 0 || end != s + n || i >= x->sst_n) {
            log_warn("%s: row %ld: bad shared string index \"%s\"", x->part, r->rowno, s);
            xlsx_fail(x, MSG_BAD_XLSX);
            return;
        }
        val = x->sst + x->sst_off[i];
        n = x->sst_off[i + 1] - x->sst_off[i] - 1;
        break;
    }
    case CT_INLINE:
    case CT_STR:
        n = unescape_x(x->text, n);
        break;
    case CT_BOOL: {
        char *s = trim(x->text, &n);
        val = strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0 ? "1" : "0";
        n = 1;
        break;
    }
    case CT_ERR:
        break;
    case CT_ISODATE:
        val = isodate_text(x, &n, out);
        break;
    case CT_NUM:
        val = number_text(x, &n, out);
        break;
    }
    if (n > TABREAD_MAX_CELL) {
        xlsx_fail(x, MSG_CELL, r->rowno);
        return;
    }
    row_set(r, (size_t)x->col, val, n);
    if (r->done)
        XML_StopParser(x->xp, XML_FALSE);
}

static enum cell_type parse_cell_type(const char *t)
{
    if (!t || strcmp(t, "n") == 0)
        return CT_NUM;
    if (strcmp(t, "s") == 0)
        return CT_SST;
    if (strcmp(t, "inlineStr") == 0)
        return CT_INLINE;
    if (strcmp(t, "b") == 0)
        return CT_BOOL;
    if (strcmp(t, "e") == 0)
        return CT_ERR;
    if (strcmp(t, "d") == 0)
        return CT_ISODATE;
    return CT_STR;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xlsx *x = ud;
    const char *local = local_name(name);
    if (x->r->done)
        return;
    if (strcmp(local, "sheetData") == 0) {
        x->in_data = true;
    } else if (!x->in_data) {
        return;
    } else if (strcmp(local, "row") == 0) {
        const char *ref = attr(atts, "r");
        long rowno = ref ? strtol(ref, NULL, 10) : 0;
        row_reset(x->r);
        x->r->rowno = rowno > 0 ? rowno : x->last_row + 1;
        x->next_col = 0;
    } else if (strcmp(local, "c") == 0) {
        const char *ref = attr(atts, "r"), *s = attr(atts, "s");
        long col = ref ? ref_col(ref) : -1;
        x->in_c = true;
        x->col = col >= 0 ? col : x->next_col;
        x->type = parse_cell_type(attr(atts, "t"));
        x->style = s ? strtol(s, NULL, 10) : 0;
        x->has_value = false;
        x->text_len = 0;
        x->text[0] = '\0';
        x->rph = 0;
    } else if (!x->in_c) {
        return;
    } else if (strcmp(local, "v") == 0) {
        x->in_v = true;
    } else if (strcmp(local, "is") == 0) {
        x->in_is = true;
        x->has_value = true;
    } else if (x->in_is && strcmp(local, "rPh") == 0) {
        x->rph++;
    } else if (x->in_is && x->rph == 0 && strcmp(local, "t") == 0) {
        x->in_t = true;
    }
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    struct xlsx *x = ud;
    const char *local = local_name(name);
    if (x->r->done || !x->in_data)
        return;
    if (strcmp(local, "sheetData") == 0) {
        x->in_data = false;
    } else if (strcmp(local, "row") == 0) {
        x->last_row = x->r->rowno;
        row_emit(x->r);
        if (x->r->done)
            XML_StopParser(x->xp, XML_FALSE);
    } else if (!x->in_c) {
        return;
    } else if (strcmp(local, "c") == 0) {
        cell_end(x);
        x->in_c = x->in_v = x->in_is = x->in_t = false;
        x->next_col = x->col + 1;
    } else if (strcmp(local, "v") == 0) {
        x->in_v = false;
        x->has_value = true;
    } else if (strcmp(local, "is") == 0) {
        x->in_is = false;
    } else if (strcmp(local, "rPh") == 0) {
        x->rph--;
    } else if (strcmp(local, "t") == 0) {
        x->in_t = false;
    }
}

static void XMLCALL sheet_text(void *ud, const XML_Char *s, int len)
{
    struct xlsx *x = ud;
    if (!x->r->done && (x->in_v || x->in_t))
        text_add(x, s, (size_t)len);
}

static void read_xlsx(struct reader *r, const char *path)
{
    struct xlsx *x = xcalloc(1, sizeof *x);
    char *dir = NULL, *rels = NULL;
    int zerr = 0, pr;
    x->r = r;
    x->text_cap = 256;
    x->text = xmalloc(x->text_cap);
    x->za = zip_open(path, ZIP_RDONLY, &zerr);
    if (!x->za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        log_warn("zip_open %s: %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        if (zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ)
            reader_fail(r, MSG_READ);
        else
            reader_fail(r, MSG_BAD_XLSX);
        goto fail;
    }
    /* The package's rels name the workbook; nearly always xl/workbook.xml. */
    x->rels_base = "";
    if (xlsx_parse(x, "_rels/.rels", rels_start, NULL, NULL) < 0)
        goto fail;
    if (!x->doc_path)
        x->doc_path = xstrdup("xl/workbook.xml");
    pr = xlsx_parse(x, x->doc_path, workbook_start, NULL, NULL);
    if (pr < 0)
        goto fail;
    if (pr == 1) {
        log_warn("%s: no %s", path, x->doc_path);
        reader_fail(r, MSG_BAD_XLSX);
        goto fail;
    }
    if (!x->sheet_rid) {
        reader_fail(r, "Excel 文件中没有工作表");
        goto fail;
    }
    dir = dir_of(x->doc_path);
    rels = xasprintf("%s_rels/%s.rels", dir, x->doc_path + strlen(dir));
    x->rels_base = dir;
    pr = xlsx_parse(x, rels, rels_start, NULL, NULL);
    if (pr < 0)
        goto fail;
    if (pr == 1 || !x->sheet_path) {
        log_warn("%s: no target for sheet %s in %s", path, x->sheet_rid, rels);
        reader_fail(r, MSG_BAD_XLSX);
        goto fail;
    }
    if (x->sst_path && xlsx_parse(x, x->sst_path, sst_start, sst_end, sst_text) < 0)
        goto fail;
    sst_push_off(x, x->sst_len); /* ends the last string */
    x->sst_n--;
    if (x->styles_path && xlsx_parse(x, x->styles_path, styles_start, styles_end, NULL) < 0)
        goto fail;
    styles_resolve(x);
    pr = xlsx_parse(x, x->sheet_path, sheet_start, sheet_end, sheet_text);
    if (pr == 1) {
        log_warn("%s: no %s", path, x->sheet_path);
        reader_fail(r, MSG_BAD_XLSX);
    }
fail:
    if (x->za)
        zip_discard(x->za);
    free(dir);
    free(rels);
    free(x->sheet_rid);
    free(x->doc_path);
    free(x->sheet_path);
    free(x->sst_path);
    free(x->styles_path);
    free(x->sst);
    free(x->sst_off);
    free(x->fmts);
    free(x->xf_fmt);
    free(x->xf_kind);
    free(x->text);
    free(x);
}

/* ---- entry point ---- */

/* The format from the first bytes: "xlsx" for a zip, "csv" otherwise; NULL
 * (with the read failed) for an unreadable file or an old binary .xls. */
static const char *sniff(struct reader *r, const char *path, const char *format)
{
    unsigned char magic[4] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        reader_fail(r, MSG_READ);
        return NULL;
    }
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (n == 4 && memcmp(magic, "\xD0\xCF\x11\xE0", 4) == 0 &&
        (!format || strcasecmp(format, "xlsx") == 0)) {
        /* OLE2: Excel 97-2003, or an .xlsx saved with a password */
        reader_fail(r, "不支持旧版 .xls 或加密的 Excel 文件，请另存为 .xlsx 或 CSV 后再上传");
        return NULL;
    }
    if (format)
        return format;
    return n == 4 && memcmp(magic, "PK\3\4", 4) == 0 ? "xlsx" : "csv";
}

const struct tabread_limits tabread_upload_limits = {
    .part_mb = TABREAD_MAX_PART_MB,
    .total_mb = TABREAD_MAX_TOTAL_MB,
    .sst_mb = TABREAD_MAX_SST_MB,
    .sst_items = TABREAD_MAX_SST,
};

int tabread_file(const char *path, const char *format, tabread_row_fn fn, void *ctx, char *err,
                 size_t errlen)
{
    return tabread_file_limits(path, format, &tabread_upload_limits, fn, ctx, err, errlen);
}

/* ---- the reading thread ----
 *
 * An .xlsx's reader runs on a thread of its own and copies its rows into batches;
 * the caller's thread takes them in order and calls the callback, which
 * alone touches the caller's state (an import's database connection). Up
 * to RELAY_DEPTH full batches wait, so memory stays bounded whatever the
 * file's size. A callback that stops the read is seen by the reader at its
 * next batch; the rows it read ahead are dropped. */

#define RELAY_BATCH (256 * 1024) /* bytes of rows in a batch, about */
#define RELAY_DEPTH 4

struct relay_batch {
    char *data; /* rows: long rowno, size_t ncells, then each cell NUL-terminated */
    size_t len, cap;
    struct relay_batch *next;
};

struct relay {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    struct relay_batch *head, *tail; /* full batches, oldest first */
    int depth;
    int stop;                    /* the callback's value that stopped the read; 0 to go on */
    bool eof;                    /* the reader has handed over its last batch */
    struct relay_batch *filling; /* the reader's thread only */
    struct reader *r;
    const char *path, *format;
};

static void batch_put(struct relay_batch *b, const void *p, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : RELAY_BATCH + 4096;
        while (cap - b->len < n)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void batch_free(struct relay_batch *b)
{
    if (b)
        free(b->data);
    free(b);
}

/* Hands the batch being filled over (the reader's thread); the callback's
 * value once it has stopped the read, else 0. */
static int relay_hand_over(struct relay *q)
{
    struct relay_batch *b = q->filling;
    q->filling = NULL;
    pthread_mutex_lock(&q->mu);
    while (q->depth >= RELAY_DEPTH && !q->stop)
        pthread_cond_wait(&q->can_put, &q->mu);
    int stop = q->stop;
    if (!stop && b) {
        if (q->tail)
            q->tail->next = b;
        else
            q->head = b;
        q->tail = b;
        q->depth++;
        b = NULL;
        pthread_cond_signal(&q->can_take);
    }
    pthread_mutex_unlock(&q->mu);
    batch_free(b);
    return stop;
}

/* The reader's callback on its thread: the row into the batch. */
static int relay_row(void *ctx, long rowno, const char *const *cells, size_t n)
{
    struct relay *q = ctx;
    if (!q->filling)
        q->filling = xcalloc(1, sizeof *q->filling);
    batch_put(q->filling, &rowno, sizeof rowno);
    batch_put(q->filling, &n, sizeof n);
    for (size_t i = 0; i < n; i++)
        batch_put(q->filling, cells[i], strlen(cells[i]) + 1);
    return q->filling->len >= RELAY_BATCH ? relay_hand_over(q) : 0;
}

/* format is "csv" or "xlsx" (checked by the caller). */
static void read_format(struct reader *r, const char *path, const char *format)
{
    if (strcasecmp(format, "csv") == 0)
        read_csv(r, path);
    else
        read_xlsx(r, path);
}

static void *relay_read(void *arg)
{
    struct relay *q = arg;
    read_format(q->r, q->path, q->format);
    /* the rows before an error too, as a read on one thread gives them */
    if (q->filling)
        relay_hand_over(q);
    pthread_mutex_lock(&q->mu);
    q->eof = true;
    pthread_cond_signal(&q->can_take);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* The caller's side: each batch's rows through fn, in order, until the
 * reader is done; the callback's value if it stopped the read, else 0. */
static int relay_take(struct relay *q, tabread_row_fn fn, void *ctx)
{
    const char **cells = xcalloc(TABREAD_MAX_COLS, sizeof *cells);
    int stop = 0;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (!q->head && !q->eof)
            pthread_cond_wait(&q->can_take, &q->mu);
        struct relay_batch *b = q->head;
        if (b) {
            q->head = b->next;
            if (!q->head)
                q->tail = NULL;
            q->depth--;
            pthread_cond_signal(&q->can_put);
        }
        pthread_mutex_unlock(&q->mu);
        if (!b)
            break;
        for (size_t at = 0; at < b->len && !stop;) {
            long rowno;
            size_t n;
            memcpy(&rowno, b->data + at, sizeof rowno);
            memcpy(&n, b->data + at + sizeof rowno, sizeof n);
            at += sizeof rowno + sizeof n;
            assert(n <= TABREAD_MAX_COLS);
            for (size_t i = 0; i < n; i++) {
                cells[i] = b->data + at;
                at += strlen(cells[i]) + 1;
            }
            stop = fn(ctx, rowno, cells, n);
        }
        batch_free(b);
        if (stop) {
            pthread_mutex_lock(&q->mu);
            if (!q->stop)
                q->stop = stop;
            pthread_cond_signal(&q->can_put);
            pthread_mutex_unlock(&q->mu);
        }
    }
    free(cells);
    return stop;
}

/* Reads the file on a thread of its own, fn called on this one; false when
 * no thread could be started (nothing was read). */
static bool read_relayed(struct reader *r, const char *path, const char *format, tabread_row_fn fn,
                         void *ctx)
{
    /* on the heap: the reader keeps a pointer to it */
    struct relay *q = xcalloc(1, sizeof *q);
    *q = (struct relay){.r = r, .path = path, .format = format};
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->can_put, NULL);
    pthread_cond_init(&q->can_take, NULL);
    r->fn = relay_row;
    r->ctx = q;
    pthread_t t;
    bool started = pthread_create(&t, NULL, relay_read, q) == 0;
    if (started) {
        int stop = relay_take(q, fn, ctx);
        pthread_join(t, NULL);
        if (stop) {
            /* the callback's stop wins over whatever the reader met after */
            r->done = true;
            r->rc = stop;
        }
    }
    pthread_cond_destroy(&q->can_take);
    pthread_cond_destroy(&q->can_put);
    pthread_mutex_destroy(&q->mu);
    free(q);
    return started;
}

int tabread_file_limits(const char *path, const char *format, const struct tabread_limits *lim,
                        tabread_row_fn fn, void *ctx, char *err, size_t errlen)
{
    struct reader *r = xcalloc(1, sizeof *r);
    int rc;
    r->lim = *lim;
    r->err = err;
    r->errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
    format = sniff(r, path, format);
    if (!format)
        goto fail;
    if (strcasecmp(format, "csv") != 0 && strcasecmp(format, "xlsx") != 0) {
        reader_fail(r, "不支持的文件格式，请上传 CSV 或 Excel (.xlsx) 文件");
        goto fail;
    }
    /* A CSV is parsed faster than its rows are stored: a second thread
     * would only slow the first (measured: 10-25 % more CPU, no sooner
     * done). An .xlsx's XML costs as much as the rows. No thread to spare
     * is no error: the file is read on this one. */
    if (strcasecmp(format, "xlsx") != 0 || !read_relayed(r, path, format, fn, ctx)) {
        r->fn = fn;
        r->ctx = ctx;
        read_format(r, path, format);
    }
fail:
    rc = r->done ? r->rc : 0;
    free(r->buf);
    free(r);
    return rc;
}
