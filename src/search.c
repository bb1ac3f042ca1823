/* search: see search.h. A sentinel token separates runs and fields in the
 * bigram column, so that a phrase never matches across a boundary. */
#include "search.h"
#include "util.h"

#include <stdio.h>
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

/* The first ncp (1 or 2) code points of run as one gram. */
static size_t put_gram(char *out, const uint32_t *run, size_t ncp)
{
    size_t k = put_cp(out, run[0]);
    return ncp > 1 ? k + put_cp(out + k, run[1]) : k;
}

struct gram_ctx {
    buf *uni, *bi;
};

static void emit_grams(void *vctx, const uint32_t *run, size_t n)
{
    struct gram_ctx *g = vctx;
    char tmp[16];
    for (size_t i = 0; i < n; i++) {
        size_t k = put_gram(tmp, run + i, 1);
        tmp[k++] = ' ';
        buf_append(g->uni, tmp, k);
        if (i + 1 < n) {
            k = put_gram(tmp, run + i, 2);
            tmp[k++] = ' ';
            buf_append(g->bi, tmp, k);
        }
    }
    buf_puts(g->bi, SEP);
}

void search_grams(const char *text, buf *uni, buf *bi)
{
    struct gram_ctx g = {.uni = uni, .bi = bi};
    if (text)
        each_run(text, emit_grams, &g);
}

/* A query looks for each run's grams: its one unigram, or its bigrams. The
 * backends differ only in how they spell that: FTS5 as a column filter with
 * a phrase, a tsquery as a conjunction of quoted grams; runs are ANDed. */
struct query_syntax {
    const char *run_sep, *uni_open, *bi_open, *gram_sep, *close;
};

static const struct query_syntax fts5_syntax = {
    .run_sep = " AND ",
    .uni_open = "uni : \"",
    .bi_open = "bi : \"",
    .gram_sep = " ",
    .close = "\"",
};

/* Grams are letters and digits only: quoting them is enough. */
static const struct query_syntax tsquery_syntax = {
    .run_sep = " & ",
    .uni_open = "'",
    .bi_open = "'",
    .gram_sep = "' & '",
    .close = "'",
};

struct query_ctx {
    buf *out;
    const struct query_syntax *syn;
};

static void emit_query(void *vctx, const uint32_t *run, size_t n)
{
    struct query_ctx *q = vctx;
    char tmp[16];
    if (q->out->len)
        buf_puts(q->out, q->syn->run_sep);
    buf_puts(q->out, n == 1 ? q->syn->uni_open : q->syn->bi_open);
    for (size_t i = 0; i == 0 || i + 1 < n; i++) {
        if (i)
            buf_puts(q->out, q->syn->gram_sep);
        buf_append(q->out, tmp, put_gram(tmp, run + i, n == 1 ? 1 : 2));
    }
    buf_puts(q->out, q->syn->close);
}

static char *query_text(arena *a, const char *q, const struct query_syntax *syn)
{
    buf b;
    buf_init(&b, 64 * 1024);
    struct query_ctx ctx = {.out = &b, .syn = syn};
    each_run(q, emit_query, &ctx);
    char *r = b.len ? arena_strdup(a, b.ptr) : NULL;
    buf_free(&b);
    return r;
}

char *search_match_expr(arena *a, const char *q)
{
    return query_text(a, q, &fts5_syntax);
}

/* ---- PostgreSQL ---- */

char *search_tsquery(arena *a, const char *q)
{
    return query_text(a, q, &tsquery_syntax);
}

char *search_query(arena *a, enum db_kind k, const char *q)
{
    return k == DB_KIND_PG ? search_tsquery(a, q) : search_match_expr(a, q);
}

void search_filter_sql(enum db_kind k, const char *entity, int param_no, buf *out)
{
    if (k == DB_KIND_PG)
        buf_printf(out,
                   " AND t.id IN (SELECT id FROM %s_fts WHERE to_tsvector('simple', uni || ' ' || "
                   "bi) @@ to_tsquery('simple', $%d))",
                   entity, param_no);
    else
        buf_printf(out, " AND t.id IN (SELECT rowid FROM %s_fts WHERE %s_fts MATCH $%d)", entity,
                   entity, param_no);
}

const char *search_like(enum db_kind k)
{
    return k == DB_KIND_PG ? "ILIKE" : "LIKE";
}

const char *search_index_key(enum db_kind k)
{
    return k == DB_KIND_PG ? "id" : "rowid";
}

int search_index_remove(db_conn *c, const char *entity, int64_t id)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM %s_fts WHERE %s = $1", entity,
             search_index_key(db_conn_kind(c)));
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c);
    db_bind_int(s, 1, id);
    int st = db_step(s);
    db_done(s);
    return st == DB_DONE ? DB_OK : st;
}

int search_index_add(db_conn *c, const char *entity, int64_t id, const char *uni, const char *bi)
{
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO %s_fts (%s, uni, bi) VALUES ($1, $2, $3)", entity,
             search_index_key(db_conn_kind(c)));
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c);
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, uni);
    db_bind_text(s, 3, bi);
    int st = db_step(s);
    db_done(s);
    return st == DB_DONE ? DB_OK : st;
}

int search_index_put(db_conn *c, const char *entity, int64_t id, const char *uni, const char *bi)
{
    int st = search_index_remove(c, entity, id);
    return st == DB_OK ? search_index_add(c, entity, id, uni, bi) : st;
}
