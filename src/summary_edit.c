/* summary_edit: see summary_edit.h. */
#include "summary_edit.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "buf.h"
#include "http.h"
#include "stats.h"
#include "util.h"

#define TEXT_MAX 4000 /* bytes of one paragraph */

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* The length of the number at p ("45", "14.3"), 0 when none starts there. */
static size_t number_len(const char *p)
{
    size_t n = 0;
    while (is_digit(p[n]))
        n++;
    if (n && p[n] == '.' && is_digit(p[n + 1])) {
        n++;
        while (is_digit(p[n]))
            n++;
    }
    return n;
}

/* The numbers of a text in reading order, as strings. New reference. */
static json_t *figures_of(const char *t)
{
    json_t *a = json_array();
    for (const char *p = t; *p;) {
        size_t n = number_len(p);
        if (n) {
            json_array_append_new(a, json_stringn(p, n));
            p += n;
        } else {
            p++;
        }
    }
    return a;
}

/* The stored form of text: each number equal to one of figs (the first not
 * yet taken, else the first) as "{i}", other numbers as typed, "{" as "{{". */
static char *template_of(arena *a, const char *text, json_t *figs)
{
    size_t nf = json_array_size(figs);
    char *used = calloc(nf ? nf : 1, 1);
    buf b;
    buf_init(&b, 8 * strlen(text) + 64);
    for (const char *p = text; *p;) {
        size_t n = number_len(p);
        if (!n) {
            buf_append(&b, *p == '{' ? "{{" : p, *p == '{' ? 2 : 1);
            p++;
            continue;
        }
        long hit = -1;
        for (int pass = 0; pass < 2 && hit < 0; pass++)
            for (size_t i = 0; i < nf && hit < 0; i++) {
                const char *f = json_string_value(json_array_get(figs, i));
                if ((pass || !used[i]) && strlen(f) == n && memcmp(f, p, n) == 0)
                    hit = (long)i;
            }
        if (hit >= 0) {
            used[hit] = 1;
            buf_puts(&b, arena_printf(a, "{%ld}", hit));
        } else {
            buf_append(&b, p, n);
        }
        p += n;
    }
    free(used);
    buf_append(&b, "", 1);
    char *out = arena_strdup(a, b.ptr);
    buf_free(&b);
    return out;
}

/* Literal text into segments: its numbers as typed by hand. */
static void literal_segments(json_t *segs, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len;) {
        size_t n = number_len(s + i);
        if (n && i + n <= len) {
            if (i > start)
                json_array_append_new(segs, json_pack("{s:s%}", "text", s + start, i - start));
            json_array_append_new(segs, json_pack("{s:s%, s:b}", "text", s + i, n, "hand", 1));
            i += n;
            start = i;
        } else {
            i++;
        }
    }
    if (len > start)
        json_array_append_new(segs, json_pack("{s:s%}", "text", s + start, len - start));
}

/* The text of a stored template with the figures vals (strings); segments
 * appended to segs when not NULL. */
static const char *render(arena *a, const char *tpl, json_t *vals, json_t *segs)
{
    buf out, lit;
    buf_init(&out, 2 * strlen(tpl) + 64 + 32 * json_array_size(vals));
    buf_init(&lit, strlen(tpl) + 1);
    for (const char *p = tpl; *p;) {
        if (p[0] == '{' && p[1] == '{') {
            buf_append(&lit, "{", 1);
            p += 2;
            continue;
        }
        size_t n = p[0] == '{' ? strspn(p + 1, "0123456789") : 0;
        if (n && p[1 + n] == '}') {
            const char *v = json_string_value(json_array_get(vals, strtoul(p + 1, NULL, 10)));
            if (!v)
                v = "？";
            if (segs) {
                literal_segments(segs, lit.ptr ? lit.ptr : "", lit.len);
                json_array_append_new(segs, json_pack("{s:s, s:i}", "text", v, "figure",
                                                      (int)strtol(p + 1, NULL, 10)));
            }
            buf_append(&out, lit.ptr, lit.len);
            buf_puts(&out, v);
            lit.len = 0;
            p += n + 2;
            continue;
        }
        buf_append(&lit, p, 1);
        p++;
    }
    if (segs)
        literal_segments(segs, lit.ptr ? lit.ptr : "", lit.len);
    buf_append(&out, lit.ptr, lit.len);
    buf_append(&out, "", 1);
    const char *s = arena_strdup(a, out.ptr);
    buf_free(&out);
    buf_free(&lit);
    return s;
}

static int find_key(const doc *d, const char *key)
{
    for (int i = 0; i < doc_nblocks(d); i++) {
        const struct doc_block *b = doc_block_at(d, i);
        if (b->key && strcmp(b->key, key) == 0)
            return i;
    }
    return -1;
}

struct row {
    long long id;
    const char *kind, *chapter, *key, *body, *figures;
};

static int rows_load(db_conn *c, arena *a, const char *region, int year, const char *campaign,
                     struct row **out, int *n)
{
    db_stmt *s = db_prepare(c, "SELECT id, kind, chapter, para_key, body, figures FROM "
                               "summary_edits WHERE region = $1 AND year = $2 AND campaign = $3 "
                               "ORDER BY id");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, region);
    db_bind_int(s, 2, year);
    db_bind_text(s, 3, campaign);
    int cap = 16, st;
    *n = 0;
    *out = arena_alloc(a, (size_t)cap * sizeof **out);
    while ((st = db_step(s)) == DB_ROW) {
        if (*n == cap) {
            struct row *more = arena_alloc(a, (size_t)cap * 2 * sizeof *more);
            memcpy(more, *out, (size_t)cap * sizeof *more);
            *out = more;
            cap *= 2;
        }
        const char *key = db_col_text(s, 3);
        (*out)[(*n)++] = (struct row){.id = db_col_int(s, 0),
                                      .kind = arena_strdup(a, db_col_text(s, 1)),
                                      .chapter = arena_strdup(a, db_col_text(s, 2)),
                                      .key = key ? arena_strdup(a, key) : NULL,
                                      .body = arena_strdup(a, db_col_text(s, 4)),
                                      .figures = arena_strdup(a, db_col_text(s, 5))};
    }
    db_done(s);
    return st == DB_DONE ? DB_OK : st;
}

int summary_edit_apply(db_conn *c, doc *d, const char *region, int year, const char *campaign,
                       json_t **notes)
{
    arena *a = arena_new();
    struct row *rows = NULL;
    int n = 0;
    int st = rows_load(c, a, region, year, campaign, &rows, &n);
    json_t *by_key = json_object(), *hidden = json_array();
    for (int k = 0; st == DB_OK && k < n; k++) {
        const struct row *w = &rows[k];
        json_t *segs = json_array();
        json_t *note = json_pack("{s:I, s:s, s:o}", "id", (json_int_t)w->id, "kind", w->kind,
                                 "segments", segs);
        const char *key = w->key;
        int at;
        if (strcmp(w->kind, "edit") == 0) {
            at = find_key(d, w->key);
            if (at >= 0) {
                const char *generated = doc_block_at(d, at)->text;
                json_t *cur = figures_of(generated), *saved = json_loads(w->figures, 0, NULL);
                int stale = json_array_size(cur) != json_array_size(saved);
                doc_set_text(d, at, render(a, w->body, stale ? saved : cur, segs));
                json_object_set_new(note, "generated", json_string(generated));
                json_object_set_new(note, "stale", json_boolean(stale));
                json_decref(cur);
                json_decref(saved);
            }
        } else {
            /* After the paragraph named (and the additions already after
             * it), else at the end of the chapter. */
            at = w->key ? find_key(d, w->key) : -1;
            if (at >= 0) {
                while (at + 1 < doc_nblocks(d) && doc_block_at(d, at + 1)->key &&
                       strncmp(doc_block_at(d, at + 1)->key, "add/", 4) == 0)
                    at++;
            } else {
                for (int i = 0; i < doc_nblocks(d); i++) {
                    const char *ch = doc_block_at(d, i)->chapter;
                    if (ch && strcmp(ch, w->chapter) == 0)
                        at = i;
                }
            }
            if (at >= 0) {
                key = arena_printf(a, "add/%lld", w->id);
                doc_insert_para(d, at + 1, render(a, w->body, NULL, segs), w->chapter, key);
            }
        }
        if (at >= 0) {
            json_object_set_new(by_key, key, note);
        } else {
            json_object_set_new(note, "chapter", json_string(w->chapter));
            json_t *saved = json_loads(w->figures, 0, NULL);
            json_object_set_new(note, "text", json_string(render(a, w->body, saved, NULL)));
            json_decref(saved);
            if (w->key)
                json_object_set_new(note, "key", json_string(w->key));
            json_array_append_new(hidden, note);
        }
    }
    if (notes && st == DB_OK)
        *notes = json_pack("{s:O, s:O}", "by_key", by_key, "hidden", hidden);
    json_decref(by_key);
    json_decref(hidden);
    arena_free(a);
    return st;
}

void summary_edit_annotate(json_t *preview, json_t *notes)
{
    json_t *by_key = json_object_get(notes, "by_key");
    json_t *blocks = json_object_get(preview, "blocks");
    for (size_t i = 0; i < json_array_size(blocks); i++) {
        json_t *b = json_array_get(blocks, i);
        json_t *note = json_object_get(by_key, json_string_value(json_object_get(b, "key")));
        if (note)
            json_object_set(b, "edit", note);
    }
    json_t *hidden = json_object_get(notes, "hidden");
    json_object_set(preview, "hidden_edits", hidden ? hidden : json_array());
}

const char *summary_edit_campaign(struct req *r)
{
    static const char *const types[] = {"safe", "drug_free", "rule_of_law", "civilized"};
    const char *c = req_query(r, "campaign");
    if (!c || !*c)
        return "safe";
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(c, types[i]) == 0)
            return types[i];
    reply_error(
        r, 400, "bad_request",
        "campaign 必须是 safe（安全社区）、drug_free（无毒社区）、rule_of_law（民主法治示范"
        "社区）或 civilized（文明社区）",
        json_pack("{s:s}", "campaign", "必须是安全社区、无毒社区、民主法治示范社区或文明社区"));
    return NULL;
}

/* ---- the API ---- */

static doc *(*build_summary)(arena *a, json_t *stats, const char *campaign);

struct target {
    const char *region, *campaign;
    int year;
    doc *d; /* the summary as generated, without edits */
};

/* The summary the request's query names, for a writer of its region. */
static int target_of(req *r, struct target *t)
{
    t->campaign = summary_edit_campaign(r);
    if (!t->campaign)
        return -1;
    json_t *s;
    if (stats_for_request(r, &t->region, &t->year, &s) != 0)
        return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, s);
    if (authz_require(r, "report:write", t->region) != 0)
        return -1;
    t->d = build_summary(r->a, s, t->campaign);
    return 0;
}

/* The paragraph text of a body: a non-blank string of at most TEXT_MAX
 * bytes; NULL with the 422 queued. */
static const char *text_of(req *r, json_t *in)
{
    json_t *v = json_object_get(in, "text");
    const char *t = json_string_value(v);
    size_t blank = t ? strspn(t, " \t\n\r") : 0;
    if (!t || !t[blank] || strcmp(t + blank, "\u3000") == 0) {
        reply_field_error(r, "text", "正文不能为空");
        return NULL;
    }
    if (strlen(t) > TEXT_MAX) {
        reply_field_error(r, "text", "正文过长（最多4000字节）");
        return NULL;
    }
    return t;
}

static json_t *row_json(req *r, long long id, const char *kind, const char *chapter,
                        const char *key, const char *body, json_t *figs)
{
    json_t *segs = json_array();
    const char *text = render(r->a, body, figs, segs);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)id, "kind", kind,
                          "chapter", chapter, "text", text, "segments", segs);
    json_object_set_new(o, "key", key ? json_string(key) : json_null());
    return o;
}

/* POST /api/v1/reports/summary-edits?region=&year=&campaign= */
static void h_create(req *r)
{
    struct target t;
    if (target_of(r, &t) != 0)
        return;
    json_t *in = req_json_only(r, REQ_KEYS("kind", "key", "chapter", "after", "text"));
    if (!in)
        return;
    const char *kind = json_string_value(json_object_get(in, "kind"));
    if (!kind || (strcmp(kind, "edit") != 0 && strcmp(kind, "add") != 0)) {
        reply_field_error(r, "kind", "类型必须是修改段落（edit）或新增段落（add）");
        return;
    }
    const char *text = text_of(r, in);
    if (!text)
        return;
    const char *chapter, *key, *body;
    const char *figs = "[]";
    if (strcmp(kind, "edit") == 0) {
        key = json_string_value(json_object_get(in, "key"));
        int at = key ? find_key(t.d, key) : -1;
        if (at < 0) {
            reply_field_error(r, "key", "段落不存在：不是本总结生成的段落");
            return;
        }
        const struct doc_block *b = doc_block_at(t.d, at);
        chapter = b->chapter;
        json_t *f = figures_of(b->text);
        body = template_of(r->a, text, f);
        char *dump = json_dumps(f, JSON_COMPACT);
        figs = arena_strdup(r->a, dump);
        free(dump);
        json_decref(f);
    } else {
        chapter = json_string_value(json_object_get(in, "chapter"));
        int found = 0;
        for (int i = 0; chapter && i < doc_nblocks(t.d); i++)
            found |= doc_block_at(t.d, i)->chapter &&
                     strcmp(doc_block_at(t.d, i)->chapter, chapter) == 0;
        if (!found) {
            reply_field_error(r, "chapter", "章节不存在：本总结中没有该章节");
            return;
        }
        key = json_string_value(json_object_get(in, "after"));
        if (json_object_get(in, "after") && !json_is_null(json_object_get(in, "after"))) {
            int at = key ? find_key(t.d, key) : -1;
            if (at < 0 || strcmp(doc_block_at(t.d, at)->chapter, chapter) != 0) {
                reply_field_error(r, "after", "位置无效：不是该章节中的段落");
                return;
            }
        }
        json_t *none = json_array();
        body = template_of(r->a, text, none);
        json_decref(none);
    }
    json_t *vals = json_loads(figs, 0, NULL);
    arena_defer(r->a, (void (*)(void *))json_decref, vals);
    db_conn *c = req_begin(r);
    if (!c)
        return;
    long long id = 0;
    int created = 1, st = DB_OK;
    if (strcmp(kind, "edit") == 0) {
        db_stmt *s = db_prepare(c, "SELECT id FROM summary_edits WHERE region = $1 AND year = $2 "
                                   "AND campaign = $3 AND kind = 'edit' AND para_key = $4");
        st = s ? DB_OK : db_last_status(c);
        if (s) {
            db_bind_text(s, 1, t.region);
            db_bind_int(s, 2, t.year);
            db_bind_text(s, 3, t.campaign);
            db_bind_text(s, 4, key);
            int rc = db_step(s);
            if (rc == DB_ROW) {
                id = db_col_int(s, 0);
                created = 0;
            } else if (rc != DB_DONE) {
                st = rc;
            }
            db_done(s);
        }
    }
    char now[32];
    util_now_iso(now);
    if (st == DB_OK) {
        db_stmt *s =
            created ? db_prepare(c, "INSERT INTO summary_edits (region, year, campaign, kind, "
                                    "chapter, para_key, body, figures, updated_by, updated_at) "
                                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
                    : db_prepare(c, "UPDATE summary_edits SET body = $7, figures = $8, "
                                    "updated_by = $9, updated_at = $10 WHERE id = $11 AND "
                                    "region = $1 AND year = $2 AND campaign = $3 AND kind = $4 AND "
                                    "chapter = $5 AND para_key = $6");
        st = s ? DB_OK : db_last_status(c);
        if (s) {
            db_bind_text(s, 1, t.region);
            db_bind_int(s, 2, t.year);
            db_bind_text(s, 3, t.campaign);
            db_bind_text(s, 4, kind);
            db_bind_text(s, 5, chapter);
            db_bind_text(s, 6, key);
            db_bind_text(s, 7, body);
            db_bind_text(s, 8, figs);
            db_bind_text(s, 9, r->user->username);
            db_bind_text(s, 10, now);
            if (!created)
                db_bind_int(s, 11, id);
            int rc = db_step(s);
            if (created && rc == DB_ROW)
                id = db_col_int(s, 0);
            else if (rc != DB_DONE)
                st = rc;
            db_done(s);
        }
    }
    json_t *out = row_json(r, id, kind, chapter, key, body, vals);
    if (st == DB_OK) {
        struct audit_actor who = {r->user, r->client_ip};
        json_t *ch = json_pack("{s:s, s:i, s:s, s:s, s:s, s:O}", "region", t.region, "year", t.year,
                               "campaign", t.campaign, "kind", kind, "chapter", chapter, "text",
                               json_object_get(out, "text"));
        json_object_set_new(ch, "key", key ? json_string(key) : json_null());
        st = audit_write(c, &who, created ? "create" : "update", "summary_edits",
                         arena_printf(r->a, "%lld", id), t.region, ch, NULL);
        json_decref(ch);
    }
    if (req_commit(r, c, st) != 0) {
        json_decref(out);
        return;
    }
    reply_json(r, created ? 201 : 200, out);
}

/* The stored edit {id} of the query's summary; 0, or -1 with a 404. */
static int row_of(req *r, const struct target *t, struct row *w)
{
    char *end;
    const char *p = req_param(r, "id");
    long long id = p ? strtoll(p, &end, 10) : 0;
    db_stmt *s = id > 0 && !*end
                     ? db_prepare(req_db(r), "SELECT id, kind, chapter, para_key, body, "
                                             "figures FROM summary_edits WHERE id = $1 AND "
                                             "region = $2 AND year = $3 AND "
                                             "campaign = $4")
                     : NULL;
    int found = 0;
    if (s) {
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, t->region);
        db_bind_int(s, 3, t->year);
        db_bind_text(s, 4, t->campaign);
        if (db_step(s) == DB_ROW) {
            const char *key = db_col_text(s, 3);
            *w = (struct row){.id = db_col_int(s, 0),
                              .kind = arena_strdup(r->a, db_col_text(s, 1)),
                              .chapter = arena_strdup(r->a, db_col_text(s, 2)),
                              .key = key ? arena_strdup(r->a, key) : NULL,
                              .body = arena_strdup(r->a, db_col_text(s, 4)),
                              .figures = arena_strdup(r->a, db_col_text(s, 5))};
            found = 1;
        }
        db_done(s);
    }
    if (!found)
        reply_error(r, 404, "not_found", "修改记录不存在", NULL);
    return found ? 0 : -1;
}

/* PUT /api/v1/reports/summary-edits/{id}?region=&year=&campaign= {text} */
static void h_update(req *r)
{
    struct target t;
    struct row w;
    if (target_of(r, &t) != 0 || row_of(r, &t, &w) != 0)
        return;
    json_t *in = req_json_only(r, REQ_KEYS("text"));
    if (!in)
        return;
    const char *text = text_of(r, in);
    if (!text)
        return;
    json_t *f = json_array();
    if (strcmp(w.kind, "edit") == 0) {
        int at = find_key(t.d, w.key);
        if (at >= 0) {
            json_decref(f);
            f = figures_of(doc_block_at(t.d, at)->text);
        }
    }
    const char *body = template_of(r->a, text, f);
    char *dump = json_dumps(f, JSON_COMPACT);
    const char *figs = arena_strdup(r->a, dump);
    free(dump);
    arena_defer(r->a, (void (*)(void *))json_decref, f);
    db_conn *c = req_begin(r);
    if (!c)
        return;
    char now[32];
    util_now_iso(now);
    db_stmt *s = db_prepare(c, "UPDATE summary_edits SET body = $1, figures = $2, "
                               "updated_by = $3, updated_at = $4 WHERE id = $5");
    int st = s ? DB_OK : db_last_status(c);
    if (s) {
        db_bind_text(s, 1, body);
        db_bind_text(s, 2, figs);
        db_bind_text(s, 3, r->user->username);
        db_bind_text(s, 4, now);
        db_bind_int(s, 5, w.id);
        int rc = db_step(s);
        if (rc != DB_DONE)
            st = rc;
        db_done(s);
    }
    json_t *out = row_json(r, w.id, w.kind, w.chapter, w.key, body, f);
    if (st == DB_OK) {
        struct audit_actor who = {r->user, r->client_ip};
        json_t *ch = json_pack("{s:O}", "text", json_object_get(out, "text"));
        st = audit_write(c, &who, "update", "summary_edits", arena_printf(r->a, "%lld", w.id),
                         t.region, ch, NULL);
        json_decref(ch);
    }
    if (req_commit(r, c, st) != 0) {
        json_decref(out);
        return;
    }
    reply_json(r, 200, out);
}

/* DELETE /api/v1/reports/summary-edits/{id}?region=&year=&campaign= */
static void h_delete(req *r)
{
    struct target t;
    struct row w;
    if (target_of(r, &t) != 0 || row_of(r, &t, &w) != 0)
        return;
    db_conn *c = req_begin(r);
    if (!c)
        return;
    db_stmt *s = db_prepare(c, "DELETE FROM summary_edits WHERE id = $1");
    int st = s ? DB_OK : db_last_status(c);
    if (s) {
        db_bind_int(s, 1, w.id);
        int rc = db_step(s);
        if (rc != DB_DONE)
            st = rc;
        db_done(s);
    }
    if (st == DB_OK) {
        struct audit_actor who = {r->user, r->client_ip};
        json_t *saved = json_loads(w.figures, 0, NULL);
        arena_defer(r->a, (void (*)(void *))json_decref, saved);
        json_t *ch = json_pack("{s:s, s:s, s:s}", "kind", w.kind, "chapter", w.chapter, "text",
                               render(r->a, w.body, saved, NULL));
        st = audit_write(c, &who, "delete", "summary_edits", arena_printf(r->a, "%lld", w.id),
                         t.region, ch, NULL);
        json_decref(ch);
    }
    if (req_commit(r, c, st) != 0)
        return;
    reply_empty(r, 204);
}

void summary_edit_routes_register(doc *(*build)(arena *a, json_t *stats, const char *campaign))
{
    build_summary = build;
    http_route("POST", "/api/v1/reports/summary-edits", h_create, ROUTE_LONG, NULL);
    http_route("PUT", "/api/v1/reports/summary-edits/{id}", h_update, ROUTE_LONG, NULL);
    http_route("DELETE", "/api/v1/reports/summary-edits/{id}", h_delete, ROUTE_LONG, NULL);
}
