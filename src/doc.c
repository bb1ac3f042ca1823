/* doc: see doc.h. The blocks live in one array that grows by copying within
 * the arena; the open table's cells grow the same way. Each renderer first
 * checks the whole doc (UTF-8, no table left open), so that a refusal leaves
 * the caller's buf untouched, then writes through a struct out that stops at
 * the first append past the buf's cap (buf empties itself on that failure,
 * and writing on would leave a headless tail). */
#include "doc.h"
#include "pdfdoc.h"
#include "util.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

#define MAX_COLS 16

struct doc {
    arena *a;
    const char *title;
    struct doc_block *blocks;
    int n, cap;
    int open;                   /* the last block is a table still taking cells */
    int ncells, cellcap;        /* of the open table */
    const char *chapter, *part; /* doc_chapter, doc_part */
};

static const char ERR_UTF8[] = "文本不是有效的 UTF-8";
static const char ERR_OPEN[] = "表格尚未结束";
static const char ERR_CAP[] = "文档超过大小上限";

/* ---- building ---- */

/* A copy of s in the arena, without what no format can carry: the C0
 * controls other than tab and newline (XML 1.0 cannot carry them even as
 * references, HTML calls them parse errors, pango draws them as hex boxes,
 * and a "\r" would end a Markdown line behind the escaping's back) and the
 * non-characters U+FFFE and U+FFFF (not XML characters either). Dropping them
 * once here keeps every renderer simple. */
static const char *keep(doc *d, const char *s)
{
    if (!s)
        return "";
    char *copy = arena_alloc(d->a, strlen(s) + 1), *p = copy;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && c != '\t' && c != '\n')
            continue;
        /* s[1] is read only when s[0] is not the end, s[2] when s[1] is not */
        if (c == 0xEF && (unsigned char)s[1] == 0xBF &&
            ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF)) {
            s += 2;
            continue;
        }
        *p++ = *s;
    }
    *p = '\0';
    return copy;
}

static struct doc_block *add(doc *d, enum doc_block_kind kind)
{
    assert(!d->open && "a block added inside a table: doc_table_end first");
    if (d->n == d->cap) {
        /* Arena memory is not freed, so growth copies; doubling keeps the
         * waste under the array's own size. */
        int cap = d->cap ? 2 * d->cap : 16;
        struct doc_block *blocks = arena_alloc(d->a, (size_t)cap * sizeof *blocks);
        if (d->n)
            memcpy(blocks, d->blocks, (size_t)d->n * sizeof *blocks);
        d->blocks = blocks;
        d->cap = cap;
    }
    struct doc_block *b = &d->blocks[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->chapter = d->chapter;
    if (kind == DOC_PARA && d->chapter) {
        /* The ordinal among the paragraphs this part wrote in the chapter:
         * the keys "prefix" + digits before it. */
        const char *prefix = d->part ? arena_printf(d->a, "%s/%s/", d->chapter, d->part)
                                     : arena_printf(d->a, "%s/", d->chapter);
        size_t len = strlen(prefix);
        int n = 1;
        for (int i = 0; i < d->n - 1; i++) {
            const char *k = d->blocks[i].key;
            if (k && strncmp(k, prefix, len) == 0 &&
                strspn(k + len, "0123456789") == strlen(k + len))
                n++;
        }
        b->key = arena_printf(d->a, "%s%d", prefix, n);
    }
    return b;
}

void doc_chapter(doc *d, const char *chapter)
{
    d->chapter = chapter;
    d->part = NULL;
}

void doc_part(doc *d, const char *part)
{
    d->part = part;
}

void doc_set_text(doc *d, int i, const char *text)
{
    if (i >= 0 && i < d->n && d->blocks[i].kind == DOC_PARA)
        d->blocks[i].text = keep(d, text);
}

void doc_insert_para(doc *d, int at, const char *text, const char *chapter, const char *key)
{
    const char *saved = d->chapter;
    d->chapter = NULL; /* no ordinal key: the caller gives one */
    struct doc_block *b = add(d, DOC_PARA);
    d->chapter = saved;
    b->text = keep(d, text);
    b->chapter = chapter ? keep(d, chapter) : NULL;
    b->key = key ? keep(d, key) : NULL;
    if (at < 0 || at >= d->n - 1)
        return;
    struct doc_block tmp = *b;
    memmove(&d->blocks[at + 1], &d->blocks[at], (size_t)(d->n - 1 - at) * sizeof tmp);
    d->blocks[at] = tmp;
}

doc *doc_new(arena *a, const char *title)
{
    doc *d = arena_zalloc(a, sizeof *d);
    d->a = a;
    d->title = keep(d, title);
    return d;
}

void doc_title(doc *d, const char *text)
{
    add(d, DOC_TITLE)->text = keep(d, text);
}

void doc_heading(doc *d, const char *text)
{
    add(d, DOC_HEADING)->text = keep(d, text);
}

void doc_subheading(doc *d, const char *text)
{
    add(d, DOC_SUBHEADING)->text = keep(d, text);
}

void doc_para(doc *d, const char *text)
{
    add(d, DOC_PARA)->text = keep(d, text);
}

void doc_signature(doc *d, const char *text)
{
    add(d, DOC_SIGNATURE)->text = keep(d, text);
}

void doc_table_begin(doc *d, int ncols)
{
    assert(ncols >= 1 && ncols <= MAX_COLS);
    struct doc_block *b = add(d, DOC_TABLE);
    b->ncols = ncols;
    /* Never NULL, as the header promises, even for a table left empty. */
    d->cellcap = 4 * ncols;
    b->cells = arena_alloc(d->a, (size_t)d->cellcap * sizeof *b->cells);
    d->ncells = 0;
    d->open = 1;
}

void doc_cell(doc *d, const char *text)
{
    assert(d->open && "doc_cell outside a table");
    struct doc_block *b = &d->blocks[d->n - 1];
    if (d->ncells == d->cellcap) {
        int cap = 2 * d->cellcap;
        const char **cells = arena_alloc(d->a, (size_t)cap * sizeof *cells);
        memcpy(cells, b->cells, (size_t)d->ncells * sizeof *cells);
        b->cells = cells;
        d->cellcap = cap;
    }
    b->cells[d->ncells++] = keep(d, text);
    /* Complete rows only: a renderer never reads past nrows * ncols. */
    b->nrows = d->ncells / b->ncols;
}

void doc_table_end(doc *d)
{
    assert(d->open && "doc_table_end without doc_table_begin");
    struct doc_block *b = &d->blocks[d->n - 1];
    while (d->ncells % b->ncols)
        doc_cell(d, "");
    d->open = 0;
}

int doc_nblocks(const doc *d)
{
    return d->n;
}

const struct doc_block *doc_block_at(const doc *d, int i)
{
    return i >= 0 && i < d->n ? &d->blocks[i] : NULL;
}

const char *doc_title_text(const doc *d)
{
    return d->title;
}

/* ---- shared by the renderers ---- */

/* 0, or -1 with *msg: every string is checked before any output is written. */
static int check(const doc *d, const char **msg)
{
    if (d->open) {
        *msg = ERR_OPEN;
        return -1;
    }
    if (!util_utf8_valid(d->title, strlen(d->title)))
        goto bad;
    for (int i = 0; i < d->n; i++) {
        const struct doc_block *b = &d->blocks[i];
        if (b->kind != DOC_TABLE) {
            if (!util_utf8_valid(b->text, strlen(b->text)))
                goto bad;
            continue;
        }
        for (int c = 0; c < b->nrows * b->ncols; c++)
            if (!util_utf8_valid(b->cells[c], strlen(b->cells[c])))
                goto bad;
    }
    return 0;
bad:
    *msg = ERR_UTF8;
    return -1;
}

/* The title for metadata (<title>, PDF and DOCX properties): doc_new's, else
 * the first title block's. */
static const char *meta_title(const doc *d)
{
    if (*d->title)
        return d->title;
    for (int i = 0; i < d->n; i++)
        if (d->blocks[i].kind == DOC_TITLE)
            return d->blocks[i].text;
    return "";
}

struct out {
    buf *b;
    int err;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (!o->err && buf_append(o->b, s, n) != 0)
        o->err = 1;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static int finish(const struct out *o, const char **msg)
{
    if (o->err) {
        *msg = ERR_CAP;
        return -1;
    }
    return 0;
}

/* ---- Markdown ---- */

/* One line of text, escaped so that it is read back as the same text and no
 * markup. At the start of a paragraph line, block markers are escaped too
 * (a heading, quote, list item, setext underline or thematic break), and the
 * leading blanks, which Markdown drops or reads as a code block, are dropped. */
static void md_line(struct out *o, const char *s, size_t n, int line_start)
{
    size_t i = 0;
    if (line_start) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        /* "#", ">" and "*" are escaped wherever they stand, below. */
        if (i < n && strchr("-+=", s[i])) {
            puts_(o, "\\");
        } else {
            size_t j = i;
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            if (j > i && j < n && (s[j] == '.' || s[j] == ')')) {
                put(o, s + i, j - i); /* "1\." is not an ordered list */
                puts_(o, "\\");
                i = j;
            }
        }
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* Emphasis, code, links, raw HTML and entities, headings' closing
         * "#"s, strikethrough, table pipes: each is a backslash escape. */
        if (strchr("\\`*_[]<>&#|~", c))
            puts_(o, "\\");
        put(o, s + i, 1);
    }
}

/* Text as Markdown: a "\n" becomes a hard line break (a backslash ending the
 * line), or a space where flat (headings, table cells hold one line). Trailing
 * blanks and newlines are dropped: a hard break cannot end a paragraph. A
 * table cell (cell) starts no block, so "26.3%" needs no escape there. */
static void md_text(struct out *o, const char *s, int flat, int cell)
{
    size_t end = strlen(s);
    while (end > 0 && (unsigned char)s[end - 1] <= ' ')
        end--;
    for (size_t i = 0; i < end;) {
        size_t j = i;
        while (j < end && s[j] != '\n')
            j++;
        if (i > 0)
            puts_(o, flat ? " " : "\\\n");
        md_line(o, s + i, j - i, !cell && (!flat || i == 0));
        i = j + 1;
    }
}

/* Whether text has anything to show in Markdown, which has no empty
 * paragraph. */
static int md_blank(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s > ' ')
            return 0;
    return 1;
}

int doc_render_md(const doc *d, buf *out, const char **msg)
{
    if (check(d, msg) != 0)
        return -1;
    struct out o = {.b = out};
    int first = 1;
    for (int i = 0; i < d->n; i++) {
        const struct doc_block *b = &d->blocks[i];
        if (b->kind == DOC_TABLE
                ? b->nrows == 0
                : (b->kind == DOC_PARA || b->kind == DOC_SIGNATURE) && md_blank(b->text))
            continue;
        if (!first)
            puts_(&o, "\n");
        first = 0;
        switch (b->kind) {
        case DOC_TITLE:
        case DOC_HEADING:
        case DOC_SUBHEADING:
            puts_(&o, b->kind == DOC_TITLE ? "# " : b->kind == DOC_HEADING ? "## " : "### ");
            md_text(&o, b->text, 1, 0);
            break;
        case DOC_PARA:
        case DOC_SIGNATURE:
            /* Markdown cannot align right: the signature is its lines. */
            md_text(&o, b->text, 0, 0);
            break;
        case DOC_TABLE:
            for (int r = 0; r < b->nrows; r++) {
                for (int c = 0; c < b->ncols; c++) {
                    puts_(&o, c ? " | " : "| ");
                    md_text(&o, b->cells[r * b->ncols + c], 1, 1);
                }
                puts_(&o, " |\n");
                if (r == 0) {
                    for (int c = 0; c < b->ncols; c++)
                        puts_(&o, c ? " --- |" : "| --- |");
                    puts_(&o, "\n");
                }
            }
            continue; /* its rows end with their newlines */
        }
        puts_(&o, "\n");
    }
    return finish(&o, msg);
}

/* ---- HTML ---- */

/* Text with the five HTML specials as references; a "\n" is a <br> where
 * markup may follow (not inside <title>). */
static void html_text(struct out *o, const char *s, int br)
{
    if (!o->err && buf_escape_xml(o->b, s, strlen(s),
                                  BUF_XML_APOS | (br ? BUF_XML_BR : BUF_XML_NL_SPACE)) != 0)
        o->err = 1;
}

/* A4 print with pdfdoc's fonts and sizes, and readable on a screen. */
static const char HTML_STYLE[] =
    "@page { size: A4; margin: 25mm; }\n"
    "body { font-family: \"Noto Serif CJK SC\", \"Source Han Serif SC\", SimSun, serif;\n"
    "       font-size: 12pt; line-height: 1.6; color: #000; max-width: 160mm;\n"
    "       margin: 2em auto; padding: 0 1em; }\n"
    "h1, h2, h3 { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", SimHei, "
    "sans-serif; }\n"
    "h1 { font-size: 20pt; text-align: center; margin: 0.5em 0 1em; }\n"
    "h2 { font-size: 14pt; margin: 1em 0 0.4em; }\n"
    "h3 { font-size: 12pt; margin: 0.8em 0 0.3em; }\n"
    "p { text-indent: 2em; margin: 0 0 0.4em; text-align: justify; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 11pt; }\n"
    "th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; text-align: left; "
    "}\n"
    "th { background: #eee; }\n"
    "thead { display: table-header-group; }\n"
    "tr { break-inside: avoid; }\n"
    ".signature { text-align: right; margin-top: 2em; }\n"
    "@media print { body { max-width: none; margin: 0; padding: 0; } }\n";

static void html_table(struct out *o, const struct doc_block *b)
{
    puts_(o, "<table>\n<thead>\n");
    for (int r = 0; r < b->nrows; r++) {
        if (r == 1)
            puts_(o, "</thead>\n<tbody>\n");
        puts_(o, "<tr>");
        for (int c = 0; c < b->ncols; c++) {
            puts_(o, r ? "<td>" : "<th>");
            html_text(o, b->cells[r * b->ncols + c], 1);
            puts_(o, r ? "</td>" : "</th>");
        }
        puts_(o, "</tr>\n");
    }
    puts_(o, b->nrows > 1 ? "</tbody>\n</table>\n" : "</thead>\n</table>\n");
}

int doc_render_html(const doc *d, buf *out, const char **msg)
{
    if (check(d, msg) != 0)
        return -1;
    struct out o = {.b = out};
    puts_(&o, "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<title>");
    html_text(&o, meta_title(d), 0);
    puts_(&o, "</title>\n<style>\n");
    puts_(&o, HTML_STYLE);
    puts_(&o, "</style>\n</head>\n<body>\n");
    for (int i = 0; i < d->n; i++) {
        const struct doc_block *b = &d->blocks[i];
        static const char *const open[] = {
            [DOC_TITLE] = "<h1>",      [DOC_HEADING] = "<h2>",
            [DOC_SUBHEADING] = "<h3>", [DOC_PARA] = "<p>",
            [DOC_TABLE] = "",          [DOC_SIGNATURE] = "<div class=\"signature\">"};
        static const char *const close[] = {
            [DOC_TITLE] = "</h1>\n", [DOC_HEADING] = "</h2>\n", [DOC_SUBHEADING] = "</h3>\n",
            [DOC_PARA] = "</p>\n",   [DOC_TABLE] = "",          [DOC_SIGNATURE] = "</div>\n"};
        if (b->kind == DOC_TABLE) {
            if (b->nrows > 0)
                html_table(&o, b);
            continue;
        }
        puts_(&o, open[b->kind]);
        html_text(&o, b->text, 1);
        puts_(&o, close[b->kind]);
    }
    puts_(&o, "</body>\n</html>\n");
    return finish(&o, msg);
}

/* ---- PDF ---- */

int doc_render_pdf(const doc *d, buf *out, const char **msg)
{
    if (check(d, msg) != 0)
        return -1;
    /* pdfdoc copies every string into its arena: a scratch one, so that a
     * render leaves nothing behind in the doc's (which may be long-lived). */
    arena *a = arena_new();
    pdfdoc *p = pdfdoc_new(a, meta_title(d));
    pdfdoc_official(p);
    for (int i = 0; i < d->n; i++) {
        const struct doc_block *b = &d->blocks[i];
        switch (b->kind) {
        case DOC_TITLE:
            pdfdoc_title(p, b->text);
            break;
        case DOC_HEADING:
            /* Headings and body text are indented by two full-width
             * spaces, as official documents set them. */
            pdfdoc_heading(p, arena_printf(a, "\u3000\u3000%s", b->text));
            break;
        case DOC_SUBHEADING:
            pdfdoc_subheading(p, arena_printf(a, "\u3000\u3000%s", b->text));
            break;
        case DOC_PARA:
            pdfdoc_paragraph(p, PDFDOC_LEFT, arena_printf(a, "\u3000\u3000%s", b->text));
            break;
        case DOC_SIGNATURE:
            pdfdoc_signature(p, b->text);
            break;
        case DOC_TABLE:
            if (b->nrows == 0)
                break;
            pdfdoc_table_begin(p, b->ncols, NULL, PDFDOC_TABLE_HEADER);
            for (int c = 0; c < b->nrows * b->ncols; c++)
                pdfdoc_table_cell(p, b->cells[c]);
            pdfdoc_table_end(p);
            break;
        }
    }
    int rc = pdfdoc_render(p, out, msg);
    arena_free(a);
    return rc;
}

/* ---- DOCX ---- */

/* n bytes of text for an XML text node or attribute (keep has dropped what
 * XML cannot hold at all). */
static void xml_text(struct out *o, const char *s, size_t n)
{
    if (!o->err && buf_escape_xml(o->b, s, n, 0) != 0)
        o->err = 1;
}

/* One run of text: a "\n" is a <w:br/>, a tab a <w:tab/>, each between
 * w:t elements that keep their spaces. */
static void docx_run(struct out *o, const char *s, const char *rpr)
{
    puts_(o, "<w:r>");
    puts_(o, rpr);
    puts_(o, "<w:t xml:space=\"preserve\">");
    for (;;) {
        size_t n = strcspn(s, "\n\t");
        xml_text(o, s, n);
        s += n;
        if (!*s)
            break;
        puts_(o, *s == '\n' ? "</w:t><w:br/><w:t xml:space=\"preserve\">"
                            : "</w:t><w:tab/><w:t xml:space=\"preserve\">");
        s++;
    }
    puts_(o, "</w:t></w:r>");
}

static void docx_para(struct out *o, const char *ppr, const char *text, const char *rpr)
{
    puts_(o, "<w:p>");
    puts_(o, ppr);
    docx_run(o, text, rpr);
    puts_(o, "</w:p>");
}

/* The official document format (GB/T 9704-2012, 党政机关公文格式): A4 with
 * margins of 37 mm (top), 35 mm (bottom), 28 mm (left) and 26 mm (right),
 * a text block of 156 × 225 mm holding 22 lines of 28 characters of 3号
 * (16 pt) type. In twentieths of a point (1 mm = 56.69 twips). The line
 * pitch is 225 mm / 22, set by a line grid (docGrid type "lines") and the
 * exact line spacing of every text style. 28 characters of 16 pt are 448 pt,
 * more than the 442.2 pt of the line: the body is condensed by 0.25 pt a
 * character (DOCX_CONDENSE) so that 28 fit. A character grid (type
 * "linesAndChars" with a negative charSpace) would say the same to Word, but
 * LibreOffice then gives each character wider than its cell two cells, and
 * a line holds 14. */
#define TWIPS_PAGE_W     11906
#define TWIPS_PAGE_H     16838
#define TWIPS_TOP        2098
#define TWIPS_BOTTOM     1984
#define TWIPS_LEFT       1587
#define TWIPS_RIGHT      1474
#define TWIPS_TEXT_W     (TWIPS_PAGE_W - TWIPS_LEFT - TWIPS_RIGHT)
#define TWIPS_LINE_PITCH 579
/* The page number (4号, 14 pt) stands 7 mm below the text block: its line's
 * foot about 23 mm above the page's. */
#define TWIPS_FOOTER 1304

static void docx_table(struct out *o, const struct doc_block *b)
{
    char w[160];
    int colw = TWIPS_TEXT_W / b->ncols;
    snprintf(w, sizeof w, "<w:tblW w:w=\"%d\" w:type=\"dxa\"/>", colw * b->ncols);
    puts_(o, "<w:tbl><w:tblPr>");
    puts_(o, w);
    puts_(o, "<w:tblBorders>"
             "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
             "<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
             "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
             "<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
             "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
             "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
             "</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
             "<w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/>"
             "<w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>");
    snprintf(w, sizeof w, "<w:gridCol w:w=\"%d\"/>", colw);
    for (int c = 0; c < b->ncols; c++)
        puts_(o, w);
    puts_(o, "</w:tblGrid>");
    for (int r = 0; r < b->nrows; r++) {
        /* The header row repeats on each page the table continues on. */
        puts_(o, r ? "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
                   : "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        for (int c = 0; c < b->ncols; c++) {
            snprintf(w, sizeof w, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/>%s</w:tcPr>",
                     colw, r ? "" : "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"EEEEEE\"/>");
            puts_(o, w);
            docx_para(o,
                      r ? "<w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr>"
                        : "<w:pPr><w:pStyle w:val=\"TableText\"/><w:jc w:val=\"center\"/></w:pPr>",
                      b->cells[r * b->ncols + c], r ? "" : "<w:rPr><w:b/></w:rPr>");
            puts_(o, "</w:tc>");
        }
        puts_(o, "</w:tr>");
    }
    puts_(o, "</w:tbl>");
}

static const char XML_DECL[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

static void docx_document(struct out *o, const doc *d)
{
    puts_(o, XML_DECL);
    puts_(o, "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
             "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
             "<w:body>");
    for (int i = 0; i < d->n; i++) {
        const struct doc_block *b = &d->blocks[i];
        switch (b->kind) {
        case DOC_TITLE:
            docx_para(o, "<w:pPr><w:pStyle w:val=\"Title\"/></w:pPr>", b->text, "");
            break;
        case DOC_HEADING:
            docx_para(o, "<w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>", b->text, "");
            break;
        case DOC_SUBHEADING:
            docx_para(o, "<w:pPr><w:pStyle w:val=\"Heading2\"/></w:pPr>", b->text, "");
            break;
        case DOC_PARA:
            docx_para(o, "<w:pPr><w:pStyle w:val=\"BodyText\"/></w:pPr>", b->text, "");
            break;
        case DOC_SIGNATURE:
            /* 成文日期右空四字: the signature's lines end four characters
             * short of the right margin, after a blank line. */
            docx_para(o, "<w:pPr><w:pStyle w:val=\"Signature\"/></w:pPr>", b->text, "");
            break;
        case DOC_TABLE:
            if (b->nrows == 0)
                break;
            docx_table(o, b);
            /* Word runs two adjacent tables together and wants a paragraph
             * between the last table and the section properties. */
            if (i + 1 == d->n || d->blocks[i + 1].kind == DOC_TABLE)
                puts_(o, "<w:p/>");
            break;
        }
    }
    /* The odd pages' footer is the default one, the even pages' the other
     * (settings.xml turns on different odd and even footers). */
    char sect[512];
    snprintf(sect, sizeof sect,
             "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId2\"/>"
             "<w:footerReference w:type=\"even\" r:id=\"rId3\"/>"
             "<w:pgSz w:w=\"%d\" w:h=\"%d\"/><w:pgMar w:top=\"%d\" w:right=\"%d\" "
             "w:bottom=\"%d\" w:left=\"%d\" w:header=\"851\" w:footer=\"%d\" w:gutter=\"0\"/>"
             "<w:pgNumType w:fmt=\"decimal\"/>"
             "<w:docGrid w:type=\"lines\" w:linePitch=\"%d\"/>"
             "</w:sectPr>",
             TWIPS_PAGE_W, TWIPS_PAGE_H, TWIPS_TOP, TWIPS_RIGHT, TWIPS_BOTTOM, TWIPS_LEFT,
             TWIPS_FOOTER, TWIPS_LINE_PITCH);
    puts_(o, sect);
    puts_(o, "</w:body></w:document>");
}

/* Sizes in half-points by their Chinese names: 二号 22 pt, 三号 16 pt, 四号
 * 14 pt, 小四 12 pt. The East Asian faces are those GB/T 9704 names, as
 * Chinese Word and WPS know them: the title in 方正小标宋简体, the body in
 * 仿宋_GB2312, 一、 headings in 黑体, （一） headings in 楷体_GB2312, the page
 * numbers in 宋体; Latin letters and digits in Times New Roman. Where a face
 * is missing, the font table (fontTable.xml) names what stands in: the
 * Windows faces (仿宋, 楷体, 宋体, 黑体) by altName, with panose and family
 * for Word's own matching, and Noto Serif CJK SC for the title. LibreOffice
 * reads neither altName nor family; fontconfig decides there, and
 * scripts/fonts/fonts.conf maps each face to Noto Serif CJK SC (黑体 to Noto
 * Sans CJK SC) from fonts-noto-cjk.
 * Body lines stand on the document grid: exactly 579 twips apart, 22 to a
 * page. */
#define DOCX_BODY_FONT  "仿宋_GB2312"
#define DOCX_TITLE_FONT "方正小标宋简体"
#define DOCX_H1_FONT    "黑体"
#define DOCX_H2_FONT    "楷体_GB2312"
#define DOCX_NUM_FONT   "宋体"
#define DOCX_LATIN                                                                                 \
    "w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\""
#define DOCX_CONDENSE "<w:spacing w:val=\"-5\"/>"
#define DOCX_LINE     "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"579\" w:lineRule=\"exact\"/>"

static const char DOCX_STYLES[] =
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    "<w:rFonts " DOCX_LATIN " w:eastAsia=\"" DOCX_BODY_FONT "\"/>"
    "<w:kern w:val=\"2\"/>" DOCX_CONDENSE "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>"
    "<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>"
    "<w:pPrDefault><w:pPr>" DOCX_LINE "</w:pPr></w:pPrDefault></w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">"
    "<w:name w:val=\"Normal\"/><w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/>"
    "<w:overflowPunct w:val=\"0\"/>" DOCX_LINE "<w:jc w:val=\"both\"/></w:pPr>"
    "<w:rPr><w:rFonts " DOCX_LATIN " w:eastAsia=\"" DOCX_BODY_FONT "\"/>" DOCX_CONDENSE
    "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>"
    /* The title: centred, one blank line below it. */
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"BodyText\"/><w:qFormat/>"
    "<w:pPr><w:spacing w:before=\"0\" w:after=\"579\" w:line=\"579\" w:lineRule=\"exact\"/>"
    "<w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/></w:pPr>"
    "<w:rPr><w:rFonts w:ascii=\"" DOCX_TITLE_FONT "\" w:hAnsi=\"" DOCX_TITLE_FONT
    "\" w:eastAsia=\"" DOCX_TITLE_FONT "\" w:cs=\"Times New Roman\"/>"
    "<w:spacing w:val=\"0\"/><w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>"
    /* Headings are indented two characters like the body, in 三号. */
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"BodyText\"/><w:qFormat/>"
    "<w:pPr><w:keepNext/><w:ind w:firstLine=\"640\" w:firstLineChars=\"200\"/>"
    "<w:jc w:val=\"left\"/><w:outlineLvl w:val=\"1\"/></w:pPr>"
    "<w:rPr><w:rFonts " DOCX_LATIN " w:eastAsia=\"" DOCX_H1_FONT "\"/>"
    "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"BodyText\"/><w:qFormat/>"
    "<w:pPr><w:keepNext/><w:ind w:firstLine=\"640\" w:firstLineChars=\"200\"/>"
    "<w:jc w:val=\"left\"/><w:outlineLvl w:val=\"2\"/></w:pPr>"
    "<w:rPr><w:rFonts " DOCX_LATIN " w:eastAsia=\"" DOCX_H2_FONT "\"/>"
    "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>"
    /* Body text: the first line indented by two characters (firstLineChars
     * is in hundredths of a character; firstLine, 2 × 16 pt, is the fallback
     * of readers that ignore it). */
    "<w:style w:type=\"paragraph\" w:styleId=\"BodyText\"><w:name w:val=\"Body Text\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:qFormat/>"
    "<w:pPr><w:ind w:firstLine=\"640\" w:firstLineChars=\"200\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Signature\"><w:name w:val=\"Signature\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:qFormat/>"
    "<w:pPr><w:spacing w:before=\"579\" w:after=\"0\" w:line=\"579\" w:lineRule=\"exact\"/>"
    "<w:ind w:right=\"1280\" w:rightChars=\"400\"/><w:jc w:val=\"right\"/></w:pPr></w:style>"
    /* Tables in 小四, off the grid, single-spaced. */
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:qFormat/>"
    "<w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" "
    "w:lineRule=\"auto\"/><w:jc w:val=\"left\"/></w:pPr>"
    "<w:rPr><w:spacing w:val=\"0\"/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/></w:rPr></w:style>"
    /* The page number: 4号 半角宋体阿拉伯数字 between two dashes. */
    "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/>"
    "<w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" "
    "w:lineRule=\"auto\"/></w:pPr>"
    "<w:rPr><w:rFonts w:ascii=\"" DOCX_NUM_FONT "\" w:hAnsi=\"" DOCX_NUM_FONT
    "\" w:eastAsia=\"" DOCX_NUM_FONT "\" w:cs=\"Times New Roman\"/>"
    "<w:spacing w:val=\"0\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
    "</w:styles>";

/* Each face the styles name, with what stands in for it where it is
 * missing (see above). */
#define DOCX_FONT(name, alt, family, pitch, panose)                                                \
    "<w:font w:name=\"" name "\">" alt "<w:panose1 w:val=\"" panose "\"/>"                         \
    "<w:charset w:val=\"86\"/><w:family w:val=\"" family "\"/><w:pitch w:val=\"" pitch "\"/>"      \
    "</w:font>"
static const char DOCX_FONTS[] =
    "<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:font w:name=\"Times New Roman\"><w:panose1 w:val=\"02020603050405020304\"/>"
    "<w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch "
    "w:val=\"variable\"/></w:font>" DOCX_FONT(
        DOCX_BODY_FONT, "<w:altName w:val=\"仿宋\"/>", "roman", "variable",
        "02010609030101010101") DOCX_FONT("仿宋", "<w:altName w:val=\"FangSong\"/>", "roman",
                                          "variable", "02010609060101010101")
        DOCX_FONT(DOCX_TITLE_FONT, "<w:altName w:val=\"Noto Serif CJK SC\"/>", "roman", "variable",
                  "02000000000000000000") DOCX_FONT(DOCX_H1_FONT, "<w:altName w:val=\"SimHei\"/>",
                                                    "swiss", "variable", "02010609060101010101")
            DOCX_FONT(DOCX_H2_FONT, "<w:altName w:val=\"楷体\"/>", "script", "variable",
                      "02010609030101010101") DOCX_FONT("楷体", "<w:altName w:val=\"KaiTi\"/>",
                                                        "script", "variable",
                                                        "02010609060101010101")
                DOCX_FONT(DOCX_NUM_FONT, "<w:altName w:val=\"SimSun\"/>", "auto", "variable",
                          "02010600030101010101")
                    DOCX_FONT("Noto Serif CJK SC", "", "roman", "variable", "02020400000000000000")
                        DOCX_FONT("Noto Sans CJK SC", "", "swiss", "variable",
                                  "020B0500000000000000") "</w:fonts>";

static const char DOCX_SETTINGS[] =
    "<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:evenAndOddHeaders/><w:defaultTabStop w:val=\"640\"/>"
    "<w:characterSpacingControl w:val=\"compressPunctuation\"/>"
    "<w:compat><w:spaceForUL/><w:balanceSingleByteDoubleByteWidth/>"
    "<w:doNotLeaveBackslashAlone/><w:ulTrailSpace/><w:doNotExpandShiftReturn/>"
    "<w:adjustLineHeightInTable/><w:useFELayout/></w:compat></w:settings>";

/* The page number: "— 1 —" (a PAGE field between dashes), on odd pages at
 * the right and on even pages at the left, one character in. */
#define DOCX_PAGE_FIELD                                                                            \
    "<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>"                                            \
    "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"                                              \
    "<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"                          \
    "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r>"                    \
    "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"                                                \
    "<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r>"
#define DOCX_FOOTER(jc, ind)                                                                       \
    "<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"             \
    "<w:p><w:pPr><w:pStyle w:val=\"Footer\"/><w:ind " ind "/><w:jc w:val=\"" jc                    \
    "\"/></w:pPr>" DOCX_PAGE_FIELD "</w:p></w:ftr>"
static const char DOCX_FOOTER_ODD[] = DOCX_FOOTER("right", "w:right=\"280\"");
static const char DOCX_FOOTER_EVEN[] = DOCX_FOOTER("left", "w:left=\"280\"");

static const char DOCX_CONTENT_TYPES[] =
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
    "<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>"
    "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>"
    "<Override PartName=\"/word/footer2.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" "
    "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "</Types>";

static const char DOCX_RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/"
    "relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "</Relationships>";

static const char DOCX_DOC_RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/footer\" Target=\"footer1.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/footer\" Target=\"footer2.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/settings\" Target=\"settings.xml\"/>"
    "<Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/fontTable\" Target=\"fontTable.xml\"/>"
    "</Relationships>";

/* No dates: they would make two renderings differ. */
static void docx_core(struct out *o, const doc *d)
{
    puts_(o, XML_DECL);
    puts_(o, "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/"
             "metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
             "<dc:title>");
    xml_text(o, meta_title(d), strlen(meta_title(d)));
    puts_(o, "</dc:title><dc:creator>safecomm</dc:creator></cp:coreProperties>");
}

enum {
    PART_TYPES,
    PART_RELS,
    PART_CORE,
    PART_DOC,
    PART_DOC_RELS,
    PART_STYLES,
    PART_SETTINGS,
    PART_FONTS,
    PART_FOOTER_ODD,
    PART_FOOTER_EVEN,
    NPARTS
};

static const char *const part_name[NPARTS] = {[PART_TYPES] = "[Content_Types].xml",
                                              [PART_RELS] = "_rels/.rels",
                                              [PART_CORE] = "docProps/core.xml",
                                              [PART_DOC] = "word/document.xml",
                                              [PART_DOC_RELS] = "word/_rels/document.xml.rels",
                                              [PART_STYLES] = "word/styles.xml",
                                              [PART_SETTINGS] = "word/settings.xml",
                                              [PART_FONTS] = "word/fontTable.xml",
                                              [PART_FOOTER_ODD] = "word/footer1.xml",
                                              [PART_FOOTER_EVEN] = "word/footer2.xml"};

/* 2000-01-01 00:00:00 as an MS-DOS date and time, set directly rather than
 * through zip_file_set_mtime, whose conversion goes through the local time
 * zone: the bytes would then differ between servers. */
#define DOS_DATE_2000 ((2000 - 1980) << 9 | 1 << 5 | 1)
#define DOS_TIME_0    0

/* Zips the parts in their fixed order into memory and appends the archive
 * to out. */
static int docx_zip(buf parts[NPARTS], buf *out, const char **msg)
{
    int rc = -1;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_t *za = NULL;
    buf zipped;
    buf_init(&zipped, out->cap);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    *msg = "DOCX 打包失败";
    if (!src) {
        log_error("zip_source_buffer_create: %s", zip_error_strerror(&ze));
        goto fail;
    }
    za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!za) {
        log_error("zip_open_from_source: %s", zip_error_strerror(&ze));
        goto fail;
    }
    /* Keep the source past zip_close, which writes into it and then drops
     * the archive's reference: the bytes are read from it afterwards. */
    zip_source_keep(src);
    for (int i = 0; i < NPARTS; i++) {
        zip_source_t *s = zip_source_buffer(za, parts[i].ptr, parts[i].len, 0);
        zip_int64_t idx = s ? zip_file_add(za, part_name[i], s, 0) : -1;
        if (idx < 0) {
            zip_source_free(s);
            log_error("%s: %s", part_name[i], zip_strerror(za));
            goto fail;
        }
        if (zip_file_set_dostime(za, (zip_uint64_t)idx, DOS_TIME_0, DOS_DATE_2000, 0) != 0) {
            log_error("%s: %s", part_name[i], zip_strerror(za));
            goto fail;
        }
    }
    if (zip_close(za) != 0) {
        log_error("zip_close: %s", zip_strerror(za));
        goto fail;
    }
    za = NULL;
    if (zip_source_open(src) != 0) {
        log_error("zip_source_open: %s", zip_error_strerror(zip_source_error(src)));
        goto fail;
    }
    /* Read whole before appending, so that a failed read leaves no partial
     * archive in out. */
    char chunk[16384];
    zip_int64_t n;
    while ((n = zip_source_read(src, chunk, sizeof chunk)) > 0)
        if (buf_append(&zipped, chunk, (size_t)n) != 0)
            break;
    zip_source_close(src);
    if (n < 0)
        goto fail;
    if (n > 0 || buf_append(out, zipped.ptr, zipped.len) != 0) {
        *msg = ERR_CAP;
        goto fail;
    }
    rc = 0;
fail:
    if (za)
        zip_discard(za);
    zip_source_free(src);
    zip_error_fini(&ze);
    buf_free(&zipped);
    return rc;
}

int doc_render_docx(const doc *d, buf *out, const char **msg)
{
    if (check(d, msg) != 0)
        return -1;
    buf parts[NPARTS];
    struct out o[NPARTS];
    /* No part can be larger than the whole archive may be. */
    for (int i = 0; i < NPARTS; i++) {
        buf_init(&parts[i], out->cap);
        o[i] = (struct out){.b = &parts[i]};
    }
    puts_(&o[PART_TYPES], XML_DECL);
    puts_(&o[PART_TYPES], DOCX_CONTENT_TYPES);
    puts_(&o[PART_RELS], XML_DECL);
    puts_(&o[PART_RELS], DOCX_RELS);
    docx_core(&o[PART_CORE], d);
    docx_document(&o[PART_DOC], d);
    puts_(&o[PART_DOC_RELS], XML_DECL);
    puts_(&o[PART_DOC_RELS], DOCX_DOC_RELS);
    puts_(&o[PART_STYLES], XML_DECL);
    puts_(&o[PART_STYLES], DOCX_STYLES);
    static const struct {
        int part;
        const char *xml;
    } fixed[] = {{PART_SETTINGS, DOCX_SETTINGS},
                 {PART_FONTS, DOCX_FONTS},
                 {PART_FOOTER_ODD, DOCX_FOOTER_ODD},
                 {PART_FOOTER_EVEN, DOCX_FOOTER_EVEN}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        puts_(&o[fixed[i].part], XML_DECL);
        puts_(&o[fixed[i].part], fixed[i].xml);
    }
    int rc = 0;
    for (int i = 0; i < NPARTS && rc == 0; i++)
        rc = finish(&o[i], msg);
    if (rc == 0)
        rc = docx_zip(parts, out, msg);
    for (int i = 0; i < NPARTS; i++)
        buf_free(&parts[i]);
    return rc;
}

/* ---- formats ---- */

static const struct {
    const char *name, *mime;
    int (*render)(const doc *, buf *, const char **);
} formats[] = {
    {.name = "md", .mime = "text/markdown; charset=utf-8", .render = doc_render_md},
    {.name = "html", .mime = "text/html; charset=utf-8", .render = doc_render_html},
    {.name = "pdf", .mime = "application/pdf", .render = doc_render_pdf},
    {.name = "docx",
     .mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     .render = doc_render_docx},
};

int doc_render(const doc *d, const char *format, buf *out, const char **msg)
{
    for (size_t i = 0; format && i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(format, formats[i].name) == 0)
            return formats[i].render(d, out, msg);
    *msg = "未知的文档格式";
    return -1;
}

const char *doc_format_mime(const char *format)
{
    for (size_t i = 0; format && i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(format, formats[i].name) == 0)
            return formats[i].mime;
    return NULL;
}
