/* pdfdoc: a small document renderer to PDF (cairo + pango), for the printed
 * papers of safecomm: the rectification notice (整改通知书) now, the year-end
 * work summary and the evaluation dossier later.
 *
 * Use: pdfdoc_new, then append blocks in reading order (title, heading,
 * paragraph, table, signature, space, page break), then pdfdoc_render into a
 * buf. The renderer lays the blocks out on A4 with fixed margins, breaks pages
 * where the content runs out of room (inside paragraphs and table cells, line
 * by line; a table's header row is repeated on every page it continues on),
 * and prints "第 N 页 共 M 页" in each footer (a first pass counts the pages).
 * All text is plain UTF-8 (never pango markup, so user text cannot inject
 * formatting) and wraps at word or character boundaries, which Chinese needs.
 * Body text is set in "Noto Serif CJK SC", titles and headings in "Noto Sans
 * CJK SC" (Debian fonts-noto-cjk).
 *
 * A work summary, for instance: pdfdoc_title(d, "2025年度安全生产工作总结");
 * pdfdoc_heading(d, "一、隐患排查治理"); pdfdoc_paragraph(d, PDFDOC_LEFT, …);
 * pdfdoc_table_begin(d, 4, widths, PDFDOC_TABLE_HEADER); pdfdoc_table_cell(…)
 * row-major, one call per cell; pdfdoc_table_end(d); pdfdoc_signature(d,
 * "九龙镇人民政府\n2025-12-31").
 *
 * Threads: the server renders on libmicrohttpd's pool threads. PangoCairo's
 * default font map is per thread since Pango 1.32.6 ("each thread gets its own
 * default fontmap. In this way, PangoCairo can be used safely from multiple
 * threads"), and a cairo surface and context are used by one thread only.
 * pdfdoc_render therefore uses pango_cairo_font_map_get_default() of the
 * calling thread and shares no pango object between threads: renders run in
 * parallel without a lock. The cost is one font map (its caches) per pool
 * thread that has rendered; the font files themselves are shared through
 * cairo's and fontconfig's process-wide caches. The map is released when its
 * thread exits (pdfdoc_thread_done releases it earlier). A fresh font map per
 * render would need no thread state at all but measured about 50% slower
 * (≈130 ms against ≈85 ms for a one-page notice).
 *
 * Library caveat: Debian 12's cairo 1.16 loses about 768 bytes per CFF font
 * (every Noto CJK face) each time it finishes a PDF; the ASan builds suppress
 * it (end of src/main.c). A long-running server loses a few KB per PDF.
 *
 * Ownership: a pdfdoc and every string given to it are copied into the arena
 * passed to pdfdoc_new and live until it is freed; nothing to release. */
#ifndef SAFECOMM_PDFDOC_H
#define SAFECOMM_PDFDOC_H

#include "arena.h"
#include "buf.h"

typedef struct pdfdoc pdfdoc;

enum pdfdoc_align { PDFDOC_LEFT, PDFDOC_CENTER, PDFDOC_RIGHT };

/* Flags of a table. */
enum {
    PDFDOC_TABLE_HEADER = 1, /* the first row is a header: bold, shaded, repeated */
    PDFDOC_TABLE_LABELS = 2, /* the first column holds labels: bold */
};

/* title goes to the PDF metadata (the creator is "safecomm"). */
pdfdoc *pdfdoc_new(arena *a, const char *title);

/* The layout of the official document format (GB/T 9704-2012), for the
 * work summary: margins 37, 35, 28 and 26 mm (top, bottom, left, right);
 * the title in 2号 方正小标宋简体, headings in 3号 黑体 (pdfdoc_heading) and
 * 楷体 (pdfdoc_subheading), the body in 3号 仿宋_GB2312, each falling back
 * to Noto Serif CJK SC (黑体 to Noto Sans CJK SC); 22 lines of 28
 * characters a page; the page number "— 1 —" 7 mm below the text, at the
 * right on odd pages and at the left on even ones. Call before adding
 * blocks (tables take the text width when they begin). Without it: 25 mm
 * margins, Noto faces, "第 N 页 共 M 页". */
void pdfdoc_official(pdfdoc *d);

void pdfdoc_title(pdfdoc *d, const char *text);
void pdfdoc_heading(pdfdoc *d, const char *text);
/* A second-level heading: as pdfdoc_heading, but in 楷体 in the official
 * layout. */
void pdfdoc_subheading(pdfdoc *d, const char *text);
/* A "\n" in text starts a new line. */
void pdfdoc_paragraph(pdfdoc *d, enum pdfdoc_align align, const char *text);
/* Right-aligned lines ("\n"-separated) after some space: who signs, the date. */
void pdfdoc_signature(pdfdoc *d, const char *text);
void pdfdoc_space(pdfdoc *d, double points);
void pdfdoc_page_break(pdfdoc *d);

/* A table of ncols (1–16) columns. widths are relative (NULL: equal); they
 * are copied. A row too tall for the rest of the page moves to the next one,
 * and one taller than a page is split between lines; a header row is never
 * split, so keep it short. Cells follow row-major with pdfdoc_table_cell; a short last row
 * is padded with empty cells at pdfdoc_table_end. */
void pdfdoc_table_begin(pdfdoc *d, int ncols, const double *widths, int flags);
void pdfdoc_table_cell(pdfdoc *d, const char *text);
void pdfdoc_table_end(pdfdoc *d);

/* Renders the document as a PDF appended to out. Returns 0, or -1 with *msg
 * (a static string) saying why: text that is not UTF-8, a misuse such as a
 * cell outside a table, a cairo failure, or out passing its cap. */
int pdfdoc_render(pdfdoc *d, buf *out, const char **msg);

/* Releases the calling thread's font map now rather than at thread exit:
 * for a command-line tool's main thread before it exits, so that the leak
 * checker of the test builds sees the memory returned. */
void pdfdoc_thread_done(void);

/* The number of pages of the last successful pdfdoc_render of d. */
int pdfdoc_pages(const pdfdoc *d);

#endif
