/* doc: a report's document model, written once and rendered in the four
 * formats the year-end work summary (工作总结) is asked for: Markdown, HTML,
 * PDF (through pdfdoc) and DOCX (WordprocessingML in a zip, through libzip).
 * report.c builds the summary as a doc from the statistics (stats.c); the
 * evaluation dossier can reuse it later.
 *
 * The model is a flat list of blocks in reading order: a title, headings of
 * two levels, paragraphs, tables (first row a header), and a closing
 * signature. Text is plain UTF-8; every renderer escapes it for its own
 * format (Markdown punctuation, HTML and XML entities), so text taken from
 * records cannot inject markup. A "\n" inside a paragraph or a signature is a
 * line break (a space in a Markdown heading or cell). What no format can
 * carry is dropped as text is copied in: C0 control characters other than
 * tab and newline, and the non-characters U+FFFE and U+FFFF.
 *
 * Renderings are deterministic: the same doc gives the same bytes in md,
 * html and docx (the zip entries carry a fixed time), so two databases with
 * the same records give identical summaries (tested across backends). PDF
 * differs only in its creation date metadata.
 *
 * Ownership: a doc and every string given to it are copied into the arena
 * passed to doc_new and live until that arena is freed; NULL text is "".
 * Each render appends to a caller's buf and returns 0, or -1 with *msg (a
 * static string): text that is not UTF-8 (checked before anything is
 * written, so out is untouched), or out passing its cap (out is then emptied,
 * as buf does). Renders read the doc only; a PDF render uses the calling
 * thread's font map (see pdfdoc.h). */
#ifndef SAFECOMM_DOC_H
#define SAFECOMM_DOC_H

#include "arena.h"
#include "buf.h"

typedef struct doc doc;

enum doc_block_kind { DOC_TITLE, DOC_HEADING, DOC_SUBHEADING, DOC_PARA, DOC_TABLE, DOC_SIGNATURE };

struct doc_block {
    enum doc_block_kind kind;
    const char *text;   /* all kinds but DOC_TABLE */
    int ncols, nrows;   /* DOC_TABLE: nrows includes the header row */
    const char **cells; /* DOC_TABLE: row-major, nrows * ncols, never NULL */
    /* Where the block stands in a summary's outline (doc_chapter), or NULL;
     * for a DOC_PARA its stable key "chapter/part/N" ("chapter/N" for the
     * outline's own text): the N-th paragraph that part writes in that
     * chapter. The editable text of a summary is found by it. */
    const char *chapter, *key;
};

doc *doc_new(arena *a, const char *title);
void doc_title(doc *d, const char *text);
void doc_heading(doc *d, const char *text);    /* 一、… */
void doc_subheading(doc *d, const char *text); /* （一）… */
void doc_para(doc *d, const char *text);
void doc_signature(doc *d, const char *text);
/* A table of ncols (1–16) columns; cells follow row-major with doc_cell; the
 * first row is the header. A short last row is padded with "" at
 * doc_table_end. Misuse (ncols out of range, a cell outside a table, another
 * block before doc_table_end) is a programming error and fails an assert; a
 * table still open at render time is refused with -1. A table without cells
 * renders as nothing. */
void doc_table_begin(doc *d, int ncols);
void doc_cell(doc *d, const char *text);
void doc_table_end(doc *d);

/* The outline position of the blocks added next: the chapter's key (NULL
 * to leave the outline) and the part writing (a module's name, or NULL for
 * the outline's own text). doc_chapter resets the part. Strings are kept,
 * not copied: static or in the doc's arena. */
void doc_chapter(doc *d, const char *chapter);
void doc_part(doc *d, const char *part);
/* Editing a built doc: the text of block i (a DOC_PARA; ignored otherwise),
 * and a new DOC_PARA inserted before block at (0..nblocks) with the given
 * key and chapter. A table must not be open. */
void doc_set_text(doc *d, int i, const char *text);
void doc_insert_para(doc *d, int at, const char *text, const char *chapter, const char *key);

/* Reading the model back (tests, other renderers). A block pointer is valid
 * until the next block is added (the array grows by copying); NULL when i is
 * out of range. doc_title_text is doc_new's title, the one metadata carry
 * (HTML <title>, PDF and DOCX properties; the first title block stands in
 * when it is ""). */
int doc_nblocks(const doc *d);
const struct doc_block *doc_block_at(const doc *d, int i);
const char *doc_title_text(const doc *d);

/* Renderers. format names: "md", "html", "pdf", "docx". */
int doc_render_md(const doc *d, buf *out, const char **msg);
int doc_render_html(const doc *d, buf *out, const char **msg);
int doc_render_pdf(const doc *d, buf *out, const char **msg);
int doc_render_docx(const doc *d, buf *out, const char **msg);
/* Dispatches on format; -1 with *msg for an unknown format. */
int doc_render(const doc *d, const char *format, buf *out, const char **msg);
/* The MIME type of a format (whose file extension is the format's name), or
 * NULL when unknown. */
const char *doc_format_mime(const char *format);

#endif
