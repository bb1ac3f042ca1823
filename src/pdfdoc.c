/* pdfdoc: see pdfdoc.h. Rendering runs the same layout code twice: the first
 * pass only measures (to learn the page count for the footers), the second
 * draws. Text flows line by line so that a page can end inside a paragraph or
 * a table row. */
#include "pdfdoc.h"
#include "util.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <string.h>

#define MAX_COLS 16

/* A4 in points, 25 mm margins. */
#define PAGE_W   595.28
#define PAGE_H   841.89
#define MARGIN   70.87
#define CELL_PAD 4.0
#define MM       (72.0 / 25.4)

#define SERIF "Noto Serif CJK SC"
#define SANS  "Noto Sans CJK SC"

/* The official document format (pdfdoc_official): margins 37, 35, 28 and
 * 26 mm; 22 lines of 28 characters of 16 pt in the 156 × 225 mm text block,
 * each line on a pitch of 225 mm / 22, the characters condensed by 0.25 pt
 * so that 28 fit in 156 mm. Each face is named first and falls back to the
 * Noto CJK face (fontconfig skips the names it does not have). */
#define GB_TOP    (37 * MM)
#define GB_BOTTOM (35 * MM)
#define GB_LEFT   (28 * MM)
#define GB_RIGHT  (26 * MM)
#define GB_PITCH  (225 * MM / 22)
#define GB_BODY   "仿宋_GB2312, FangSong_GB2312, 仿宋, FangSong, Noto Serif CJK SC"
#define GB_TITLE  "方正小标宋简体, FZXiaoBiaoSong-B05S, Noto Serif CJK SC"
#define GB_H1     "黑体, SimHei, Noto Sans CJK SC"
#define GB_H2     "楷体_GB2312, KaiTi_GB2312, 楷体, KaiTi, Noto Serif CJK SC"
#define GB_NUMBER "宋体, SimSun, Noto Serif CJK SC"

enum kind { B_TITLE, B_HEADING, B_SUBHEADING, B_PARA, B_SIGN, B_SPACE, B_BREAK, B_TABLE };

struct block {
    enum kind kind;
    enum pdfdoc_align align;
    const char *text;
    double space;
    int ncols, flags, ncells, cap;
    double widths[MAX_COLS];
    const char **cells;
    struct block *next;
};

struct pdfdoc {
    arena *a;
    const char *title;
    struct block *head, *tail;
    struct block *table; /* the table being filled */
    const char *error;   /* the first misuse, reported by pdfdoc_render */
    int pages;
    int official; /* pdfdoc_official */
};

/* The page's geometry, by layout. */
static double left_of(const pdfdoc *d)
{
    return d->official ? GB_LEFT : MARGIN;
}

static double top_of(const pdfdoc *d)
{
    return d->official ? GB_TOP : MARGIN;
}

static double bottom_of(const pdfdoc *d)
{
    return PAGE_H - (d->official ? GB_BOTTOM : MARGIN);
}

static double width_of(const pdfdoc *d)
{
    return d->official ? PAGE_W - GB_LEFT - GB_RIGHT : PAGE_W - 2 * MARGIN;
}

/* ---- building ---- */

static const char *keep(pdfdoc *d, const char *s)
{
    if (!s)
        return "";
    if (!util_utf8_valid(s, strlen(s))) {
        if (!d->error)
            d->error = "文本不是有效的 UTF-8";
        return "";
    }
    return arena_strdup(d->a, s);
}

static struct block *add(pdfdoc *d, enum kind k)
{
    if (d->table && !d->error)
        d->error = "表格尚未结束";
    struct block *b = arena_zalloc(d->a, sizeof *b);
    b->kind = k;
    if (d->tail)
        d->tail->next = b;
    else
        d->head = b;
    d->tail = b;
    return b;
}

pdfdoc *pdfdoc_new(arena *a, const char *title)
{
    pdfdoc *d = arena_zalloc(a, sizeof *d);
    d->a = a;
    d->title = keep(d, title);
    return d;
}

void pdfdoc_official(pdfdoc *d)
{
    d->official = 1;
}

void pdfdoc_subheading(pdfdoc *d, const char *text)
{
    add(d, B_SUBHEADING)->text = keep(d, text);
}

void pdfdoc_title(pdfdoc *d, const char *text)
{
    add(d, B_TITLE)->text = keep(d, text);
}

void pdfdoc_heading(pdfdoc *d, const char *text)
{
    add(d, B_HEADING)->text = keep(d, text);
}

void pdfdoc_paragraph(pdfdoc *d, enum pdfdoc_align align, const char *text)
{
    struct block *b = add(d, B_PARA);
    b->align = align;
    b->text = keep(d, text);
}

void pdfdoc_signature(pdfdoc *d, const char *text)
{
    struct block *b = add(d, B_SIGN);
    b->align = PDFDOC_RIGHT;
    b->text = keep(d, text);
}

void pdfdoc_space(pdfdoc *d, double points)
{
    add(d, B_SPACE)->space = points > 0 ? points : 0;
}

void pdfdoc_page_break(pdfdoc *d)
{
    add(d, B_BREAK);
}

void pdfdoc_table_begin(pdfdoc *d, int ncols, const double *widths, int flags)
{
    struct block *b = add(d, B_TABLE);
    if (ncols < 1 || ncols > MAX_COLS) {
        if (!d->error)
            d->error = "表格列数超出范围";
        ncols = 1;
    }
    b->ncols = ncols;
    b->flags = flags;
    double sum = 0;
    for (int i = 0; i < ncols; i++) {
        b->widths[i] = widths && widths[i] > 0 ? widths[i] : 1;
        sum += b->widths[i];
    }
    for (int i = 0; i < ncols; i++)
        b->widths[i] = width_of(d) * b->widths[i] / sum;
    d->table = b;
}

void pdfdoc_table_cell(pdfdoc *d, const char *text)
{
    struct block *b = d->table;
    if (!b) {
        if (!d->error)
            d->error = "单元格不在表格内";
        return;
    }
    if (b->ncells == b->cap) {
        /* Arena memory is not freed, so growth copies; doubling keeps the
         * waste under the table's own size. */
        int cap = b->cap ? 2 * b->cap : 32;
        const char **cells = arena_alloc(d->a, (size_t)cap * sizeof *cells);
        if (b->ncells)
            memcpy(cells, b->cells, (size_t)b->ncells * sizeof *cells);
        b->cells = cells;
        b->cap = cap;
    }
    b->cells[b->ncells++] = keep(d, text);
}

void pdfdoc_table_end(pdfdoc *d)
{
    struct block *b = d->table;
    if (!b) {
        if (!d->error)
            d->error = "表格未开始";
        return;
    }
    while (b->ncells % b->ncols)
        pdfdoc_table_cell(d, "");
    d->table = NULL;
}

int pdfdoc_pages(const pdfdoc *d)
{
    return d->pages;
}

/* ---- rendering ---- */

struct rs {
    pdfdoc *d;
    cairo_t *cr;
    PangoContext *ctx;
    int draw;  /* 0: the measuring pass */
    int page;  /* 1-based */
    int total; /* pages, known in the drawing pass */
    double y;
    int fresh; /* nothing placed on this page yet */
};

/* The lines of a layout, in points relative to the layout's top. */
struct lines {
    PangoLayout *layout;
    int n;
    PangoLayoutLine **line;
    double *top, *h, *base, *x;
};

static PangoLayout *layout_new(struct rs *s, const char *text, const char *family, double size,
                               int bold, double width, enum pdfdoc_align align)
{
    PangoLayout *l = pango_layout_new(s->ctx);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, family);
    pango_font_description_set_size(fd, (gint)(size * PANGO_SCALE));
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align == PDFDOC_CENTER  ? PANGO_ALIGN_CENTER
                                  : align == PDFDOC_RIGHT ? PANGO_ALIGN_RIGHT
                                                          : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, text, -1);
    if (s->d->official) {
        /* flow sets the lines on the pitch; the text type is condensed. */
        if (size >= 16) {
            PangoAttrList *al = pango_attr_list_new();
            pango_attr_list_insert(al, pango_attr_letter_spacing_new((int)(-0.25 * PANGO_SCALE)));
            pango_layout_set_attributes(l, al);
            pango_attr_list_unref(al);
        }
        return l;
    }
    /* 1.5 line spacing reads like a printed notice. */
    pango_layout_set_line_spacing(l, 1.5f);
    return l;
}

static void lines_of(struct rs *s, PangoLayout *l, struct lines *out)
{
    arena *a = s->d->a;
    out->layout = l;
    out->n = pango_layout_get_line_count(l);
    size_t n = (size_t)out->n;
    out->line = arena_alloc(a, n * sizeof *out->line);
    out->top = arena_alloc(a, 4 * n * sizeof(double));
    out->h = out->top + n;
    out->base = out->h + n;
    out->x = out->base + n;
    PangoLayoutIter *it = pango_layout_get_iter(l);
    int i = 0;
    do {
        PangoRectangle log;
        pango_layout_iter_get_line_extents(it, NULL, &log);
        out->line[i] = pango_layout_iter_get_line_readonly(it);
        out->top[i] = (double)log.y / PANGO_SCALE;
        out->h[i] = (double)log.height / PANGO_SCALE;
        out->x[i] = (double)log.x / PANGO_SCALE;
        out->base[i] = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
        i++;
    } while (i < out->n && pango_layout_iter_next_line(it));
    out->n = i;
    pango_layout_iter_free(it);
}

/* Height of lines [from, to) as they stack. */
static double lines_span(const struct lines *ls, int from, int to)
{
    if (to <= from)
        return 0;
    return ls->top[to - 1] + ls->h[to - 1] - ls->top[from];
}

/* Draws lines [from, to) with line from's top at y. */
static void lines_draw(struct rs *s, const struct lines *ls, int from, int to, double x, double y)
{
    for (int i = from; i < to; i++) {
        cairo_move_to(s->cr, x + ls->x[i], y + ls->base[i] - ls->top[from]);
        pango_cairo_show_layout_line(s->cr, ls->line[i]);
    }
}

/* GB/T 9704: "— 1 —" in 4号 7 mm below the text block, on odd pages at the
 * right and on even pages at the left, one character in. */
static void footer_official(struct rs *s)
{
    char text[64];
    snprintf(text, sizeof text, "— %d —", s->page);
    double w = width_of(s->d) - 2 * 14;
    PangoLayout *l =
        layout_new(s, text, GB_NUMBER, 14, 0, w, s->page % 2 ? PDFDOC_RIGHT : PDFDOC_LEFT);
    cairo_move_to(s->cr, left_of(s->d) + 14, bottom_of(s->d) + 7 * MM);
    pango_cairo_show_layout(s->cr, l);
    g_object_unref(l);
}

static void footer(struct rs *s)
{
    if (s->d->official) {
        footer_official(s);
        return;
    }
    char text[64];
    snprintf(text, sizeof text, "第 %d 页 共 %d 页", s->page, s->total);
    PangoLayout *l = layout_new(s, text, SERIF, 9, 0, width_of(s->d), PDFDOC_CENTER);
    int h;
    pango_layout_get_size(l, NULL, &h);
    cairo_move_to(s->cr, MARGIN, PAGE_H - MARGIN / 2 - (double)h / PANGO_SCALE / 2);
    pango_cairo_show_layout(s->cr, l);
    g_object_unref(l);
}

static void page_end(struct rs *s)
{
    if (s->draw) {
        footer(s);
        cairo_show_page(s->cr);
    }
}

static void page_new(struct rs *s)
{
    page_end(s);
    s->page++;
    s->y = top_of(s->d);
    s->fresh = 1;
}

/* A block of running text; before/after are spaces around it, the one
 * before dropped at the top of a page. keep: points of room the first line
 * wants below it, so a heading is not left alone at the foot of a page. */
static void flow(struct rs *s, PangoLayout *l, double before, double after, double keep)
{
    struct lines ls;
    lines_of(s, l, &ls);
    if (!s->fresh)
        s->y += before;
    /* The official layout sets every line on the pitch, its glyphs centred
     * in it (the 0.5 pt spares rounding at the 22nd line). */
    double pitch = s->d->official ? GB_PITCH : 0, bottom = bottom_of(s->d) + (pitch ? 0.5 : 0);
    for (int i = 0; i < ls.n; i++) {
        double h = pitch ? pitch : ls.h[i];
        double need = h + (i == 0 ? keep : 0);
        if (s->y + need > bottom && !s->fresh)
            page_new(s);
        if (s->draw && pitch) {
            cairo_move_to(s->cr, left_of(s->d) + ls.x[i],
                          s->y + (pitch - ls.h[i]) / 2 + ls.base[i] - ls.top[i]);
            pango_cairo_show_layout_line(s->cr, ls.line[i]);
        } else if (s->draw) {
            lines_draw(s, &ls, i, i + 1, left_of(s->d), s->y);
        }
        s->y += h;
        s->fresh = 0;
    }
    s->y += after;
    g_object_unref(l);
}

struct row {
    int n;
    struct lines cell[MAX_COLS];
    int next[MAX_COLS]; /* the first line of each cell not yet placed */
};

static void row_prepare(struct rs *s, const struct block *b, int r, struct row *row)
{
    row->n = b->ncols;
    int header = (b->flags & PDFDOC_TABLE_HEADER) && r == 0;
    for (int c = 0; c < b->ncols; c++) {
        int bold = header || ((b->flags & PDFDOC_TABLE_LABELS) && c == 0);
        PangoLayout *l =
            layout_new(s, b->cells[r * b->ncols + c], s->d->official ? GB_BODY : SERIF,
                       s->d->official ? 12 : 11, bold, b->widths[c] - 2 * CELL_PAD, PDFDOC_LEFT);
        if (!s->d->official)
            pango_layout_set_line_spacing(l, 1.25f);
        lines_of(s, l, &row->cell[c]);
        row->next[c] = 0;
    }
}

static void row_free(struct row *row)
{
    for (int c = 0; c < row->n; c++)
        g_object_unref(row->cell[c].layout);
}

static double row_height(const struct row *row)
{
    double h = 0;
    for (int c = 0; c < row->n; c++) {
        double ch = lines_span(&row->cell[c], 0, row->cell[c].n);
        if (ch > h)
            h = ch;
    }
    return h + 2 * CELL_PAD;
}

/* Places as much of the row as fits above the bottom margin (at least one
 * line of each cell when force). Returns 1 when the whole row is placed. */
static int row_place(struct rs *s, const struct block *b, struct row *row, int shade, int force)
{
    int to[MAX_COLS];
    double h = 0, avail = bottom_of(s->d) - s->y - 2 * CELL_PAD;
    int moved = 0, done = 1;
    for (int c = 0; c < row->n; c++) {
        const struct lines *ls = &row->cell[c];
        int k = row->next[c];
        while (k < ls->n &&
               (lines_span(ls, row->next[c], k + 1) <= avail || (force && k == row->next[c])))
            k++;
        to[c] = k;
        moved |= k > row->next[c];
        if (k < ls->n)
            done = 0;
        double ch = lines_span(ls, row->next[c], k);
        if (ch > h)
            h = ch;
    }
    if (!moved && !done)
        return 0;
    h += 2 * CELL_PAD;
    if (s->draw) {
        double x = left_of(s->d);
        for (int c = 0; c < row->n; c++) {
            cairo_rectangle(s->cr, x, s->y, b->widths[c], h);
            if (shade) {
                cairo_set_source_rgb(s->cr, 0.9, 0.9, 0.9);
                cairo_fill_preserve(s->cr);
                cairo_set_source_rgb(s->cr, 0, 0, 0);
            }
            cairo_stroke(s->cr);
            lines_draw(s, &row->cell[c], row->next[c], to[c], x + CELL_PAD, s->y + CELL_PAD);
            x += b->widths[c];
        }
    }
    for (int c = 0; c < row->n; c++)
        row->next[c] = to[c];
    s->y += h;
    s->fresh = 0;
    return done;
}

static void table(struct rs *s, const struct block *b)
{
    int nrows = b->ncols ? b->ncells / b->ncols : 0;
    int has_header = (b->flags & PDFDOC_TABLE_HEADER) && nrows > 0;
    struct row head;
    double head_h = 0;
    if (has_header) {
        row_prepare(s, b, 0, &head);
        head_h = row_height(&head);
    }
    if (!s->fresh)
        s->y += 6;
    double top = -1; /* where the rows start on this page, below the header */
    for (int r = has_header; r < nrows || (r == 1 && has_header && nrows == 1); r++) {
        struct row row;
        int body = r < nrows;
        double h = 0;
        if (body) {
            row_prepare(s, b, r, &row);
            h = row_height(&row);
        }
        /* A row that fits on a page whole moves to the next page rather than
         * split, and takes the header with it when the table starts there. */
        double need = h + (top < 0 ? head_h : 0);
        if (!s->fresh && s->y != top && s->y + need > bottom_of(s->d) &&
            h + head_h <= bottom_of(s->d) - top_of(s->d))
            page_new(s);
        for (;;) {
            if (top < 0 || s->fresh) {
                if (has_header) {
                    for (int c = 0; c < head.n; c++)
                        head.next[c] = 0;
                    row_place(s, b, &head, 1, 1);
                }
                top = s->y;
            }
            if (!body || row_place(s, b, &row, 0, s->y == top))
                break;
            page_new(s);
        }
        if (body)
            row_free(&row);
    }
    if (has_header)
        row_free(&head);
    s->y += 6;
}

/* The blocks of the official layout: the title in 2号, one blank line
 * below it; headings and body in 3号; the signature four characters in from
 * the right after a blank line; tables in 小四. */
static void block_official(struct rs *s, const struct block *b)
{
    double w = width_of(s->d);
    switch (b->kind) {
    case B_TITLE:
        flow(s, layout_new(s, b->text, GB_TITLE, 22, 0, w, PDFDOC_CENTER), 0, GB_PITCH, GB_PITCH);
        break;
    case B_HEADING:
        flow(s, layout_new(s, b->text, GB_H1, 16, 0, w, PDFDOC_LEFT), 0, 0, GB_PITCH);
        break;
    case B_SUBHEADING:
        flow(s, layout_new(s, b->text, GB_H2, 16, 0, w, PDFDOC_LEFT), 0, 0, GB_PITCH);
        break;
    case B_PARA:
        flow(s, layout_new(s, b->text, GB_BODY, 16, 0, w, b->align), 0, 0, 0);
        break;
    case B_SIGN:
        flow(s, layout_new(s, b->text, GB_BODY, 16, 0, w - 4 * 16, PDFDOC_RIGHT), GB_PITCH, 0, 0);
        break;
    default:
        break;
    }
}

static void run(struct rs *s)
{
    s->page = 1;
    s->y = top_of(s->d);
    s->fresh = 1;
    double w = width_of(s->d);
    for (const struct block *b = s->d->head; b; b = b->next) {
        int text = b->kind != B_SPACE && b->kind != B_BREAK && b->kind != B_TABLE;
        if (s->d->official && text) {
            block_official(s, b);
        } else {
            switch (b->kind) {
            case B_TITLE:
                flow(s, layout_new(s, b->text, SANS, 20, 1, w, PDFDOC_CENTER), 12, 18, 40);
                break;
            case B_HEADING:
            case B_SUBHEADING:
                flow(s, layout_new(s, b->text, SANS, 14, 1, w, PDFDOC_LEFT), 12, 6, 40);
                break;
            case B_PARA:
                flow(s, layout_new(s, b->text, SERIF, 12, 0, w, b->align), 0, 6, 0);
                break;
            case B_SIGN:
                flow(s, layout_new(s, b->text, SERIF, 12, 0, w, PDFDOC_RIGHT), 30, 6, 0);
                break;
            case B_SPACE:
                if (!s->fresh)
                    s->y += b->space;
                break;
            case B_BREAK:
                page_new(s);
                break;
            case B_TABLE:
                table(s, b);
                break;
            }
        }
        if (s->y > bottom_of(s->d) + 0.5)
            page_new(s);
    }
    page_end(s);
}

void pdfdoc_thread_done(void)
{
    pango_cairo_font_map_set_default(NULL);
}

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
    return buf_append(closure, data, len) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int pdfdoc_render(pdfdoc *d, buf *out, const char **msg)
{
    int rc = -1;
    cairo_surface_t *surface = NULL;
    cairo_t *cr = NULL;
    PangoContext *ctx = NULL;
    cairo_font_options_t *fo = NULL;
    *msg = "";
    if (d->error || d->table) {
        *msg = d->error ? d->error : "表格尚未结束";
        goto fail;
    }
    surface = cairo_pdf_surface_create_for_stream(write_out, out, PAGE_W, PAGE_H);
    cr = cairo_create(surface);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        *msg = cairo_status_to_string(cairo_status(cr));
        goto fail;
    }
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "safecomm");
    /* This thread's own font map: see the header on threads. */
    ctx = pango_font_map_create_context(pango_cairo_font_map_get_default());
    pango_cairo_update_context(cr, ctx);
    /* PDF user space is in points: 72 units per inch, so a 12 pt font is 12
     * units high. Unhinted metrics keep the layout device-independent. */
    pango_cairo_context_set_resolution(ctx, 72);
    fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(ctx, fo);
    cairo_set_line_width(cr, 0.6);
    cairo_set_source_rgb(cr, 0, 0, 0);

    struct rs s = {.d = d, .cr = cr, .ctx = ctx};
    run(&s);
    s.total = s.page;
    s.draw = 1;
    run(&s);
    d->pages = s.total;
    cairo_surface_finish(surface);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        *msg = cairo_status_to_string(cairo_surface_status(surface));
        log_warn("%s", *msg);
        goto fail;
    }
    rc = 0;
fail:
    if (fo)
        cairo_font_options_destroy(fo);
    if (ctx)
        g_object_unref(ctx);
    if (cr)
        cairo_destroy(cr);
    if (surface)
        cairo_surface_destroy(surface);
    return rc;
}
