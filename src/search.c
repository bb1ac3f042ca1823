/* search: see search.h. A sentinel token separates runs and fields in the
 * bigram column, so that a phrase never matches across a boundary. */
#include "search.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#define SEP " zzsep "

/* Letters and digits, as a subset of what FTS5's unicode61 tokenizer keeps:
 * a character counted here must be a token character there too, or a query
 * would look for a gram the index never holds. Anything else separates runs;
 * the exact substring test after the index still sees it. */
static int is_token_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||    /* Latin letters */
           (cp >= 0x370 && cp <= 0x3FF && cp != 0x37E && cp != 0x387) || /* Greek */
           (cp >= 0x400 && cp <= 0x52F) ||                               /* Cyrillic */
           (cp >= 0x3041 && cp <= 0x3096) ||                             /* Hiragana */
           (cp >= 0x30A1 && cp <= 0x30FA) ||                             /* Katakana */
           (cp >= 0x3400 && cp <= 0x4DBF) ||                             /* CJK ext. A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||                             /* CJK */
           (cp >= 0xAC00 && cp <= 0xD7A3) ||                             /* Hangul */
           (cp >= 0xF900 && cp <= 0xFAFF) ||                             /* CJK compatibility */
           (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
           (cp >= 0xFF41 && cp <= 0xFF5A) || /* full-width letters and digits */
           (cp >= 0x20000 && cp <= 0x2FA1F); /* CJK ext. B and later */
}

static size_t put_cp(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Calls emit for each run of token characters, with the code points. */
static void each_run(const char *text, void (*emit)(void *, const uint32_t *, size_t), void *ctx)
{
    /* A run has at most one code point per byte. */
    uint32_t *run = xmalloc((strlen(text) + 1) * sizeof *run);
    size_t n = 0;
    for (const char *p = text; *p;) {
        uint32_t cp;
        p += util_utf8_next(p, &cp);
        if (is_token_char(cp)) {
            run[n++] = cp;
            continue;
        }
        if (n)
            emit(ctx, run, n);
        n = 0;
    }
    if (n)
        emit(ctx, run, n);
    free(run);
}

struct gram_ctx {
    buf *uni, *bi;
};

static void emit_grams(void *vctx, const uint32_t *run, size_t n)
{
    struct gram_ctx *g = vctx;
    char tmp[16];
    for (size_t i = 0; i < n; i++) {
        size_t k = put_cp(tmp, run[i]);
        tmp[k++] = ' ';
        buf_append(g->uni, tmp, k);
        if (i + 1 < n) {
            k = put_cp(tmp, run[i]);
            k += put_cp(tmp + k, run[i + 1]);
            tmp[k++] = ' ';
            buf_append(g->bi, tmp, k);
        }
    }
    buf_puts(g->bi, SEP);
}

void search_grams(const char *text, buf *uni, buf *bi)
{
    struct gram_ctx g = {uni, bi};
    if (text)
        each_run(text, emit_grams, &g);
}

struct query_ctx {
    buf *out;
};

static void emit_query(void *vctx, const uint32_t *run, size_t n)
{
    struct query_ctx *q = vctx;
    char tmp[16];
    if (q->out->len)
        buf_puts(q->out, " AND ");
    if (n == 1) {
        size_t k = put_cp(tmp, run[0]);
        buf_puts(q->out, "uni : \"");
        buf_append(q->out, tmp, k);
        buf_puts(q->out, "\"");
        return;
    }
    buf_puts(q->out, "bi : \"");
    for (size_t i = 0; i + 1 < n; i++) {
        size_t k = put_cp(tmp, run[i]);
        k += put_cp(tmp + k, run[i + 1]);
        if (i)
            buf_puts(q->out, " ");
        buf_append(q->out, tmp, k);
    }
    buf_puts(q->out, "\"");
}

char *search_match_expr(arena *a, const char *q)
{
    buf b;
    buf_init(&b, 64 * 1024);
    struct query_ctx ctx = {&b};
    each_run(q, emit_query, &ctx);
    char *r = b.len ? arena_strdup(a, b.ptr) : NULL;
    buf_free(&b);
    return r;
}
