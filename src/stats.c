/* stats: the year's figures (see stats.h). Each section is one aggregate
 * query over the region's code range grouped by region code, written once
 * from the module's declaration: its groups sum to the region's totals and,
 * by code prefix, to each child's row. The cost follows the covering indexes
 * of migration 0009, not the number of regions. */
#include "stats.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "module.h"
#include "authz.h"
#include "dict.h"
#include "http.h"
#include "region.h"
#include "sheetw.h"
#include "buf.h"
#include "util.h"

double stats_round(double v, int places)
{
    double m = pow(10.0, places);
    return round(v * m) / m;
}

static double ratio(long long num, long long den)
{
    return den ? stats_round((double)num / (double)den, 4) : 0.0;
}

/* The dates of one query: the year, the year before, and the "as at" day. */
struct span {
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    char from[16], to[16], pfrom[16], pto[16], asof[16];
};

/* Runs sql with the span's parameters bound as $1..$7 (lo, hi, from, to,
 * pfrom, pto, asof) and calls row for each result row. */
typedef int (*row_fn)(void *ctx, db_stmt *s);

static int run(db_conn *c, const char *sql, const struct span *sp, row_fn row, void *ctx)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c);
    const char *p[] = {sp->lo, sp->hi, sp->from, sp->to, sp->pfrom, sp->pto, sp->asof};
    for (int i = 0; i < 7; i++)
        db_bind_text(s, i + 1, p[i]);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (row(ctx, s) != 0) {
            rc = DB_ERR;
            break;
        }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

/* ---- counts by dictionary code and by month, from one grouped scan ---- */

/* A grouped query's rows are (key 0, …, key n-1, count[, extra]); each key
 * column is summed on its own into a list of [code, count, extra] (or, for
 * the month key, into 12 counts). One scan grouped by (grade, domain, month)
 * gives the three breakdowns that three scans would. */
#define CUBE_KEYS STATS_MAX_BREAKDOWNS
struct cube {
    int nkeys, month_key;     /* month_key: the column holding "MM", or -1 */
    json_t *lists[CUBE_KEYS]; /* [[code, count, extra], …] in first-seen order */
    json_t *months;
};

static void cube_init(struct cube *q, int nkeys, int month_key)
{
    memset(q, 0, sizeof *q);
    q->nkeys = nkeys;
    q->month_key = month_key;
    for (int k = 0; k < nkeys; k++)
        q->lists[k] = json_array();
    q->months = json_array();
    for (int i = 0; i < 12; i++)
        json_array_append_new(q->months, json_integer(0));
}

static void cube_free(struct cube *q)
{
    for (int k = 0; k < q->nkeys; k++)
        json_decref(q->lists[k]);
    json_decref(q->months);
}

static void cube_add(json_t *list, const char *code, json_int_t n, json_int_t extra)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *row = json_array_get(list, i);
        if (strcmp(json_string_value(json_array_get(row, 0)), code) != 0)
            continue;
        json_array_set_new(row, 1, json_integer(json_integer_value(json_array_get(row, 1)) + n));
        json_array_set_new(row, 2,
                           json_integer(json_integer_value(json_array_get(row, 2)) + extra));
        return;
    }
    json_array_append_new(list, json_pack("[s, I, I]", code, n, extra));
}

static int cube_row(void *ctx, db_stmt *s)
{
    struct cube *q = ctx;
    json_int_t n = (json_int_t)db_col_int(s, q->nkeys);
    json_int_t extra = db_col_count(s) > q->nkeys + 1 ? (json_int_t)db_col_int(s, q->nkeys + 1) : 0;
    for (int k = 0; k < q->nkeys; k++) {
        const char *code = db_col_text(s, k);
        if (k == q->month_key) {
            int m = code ? atoi(code) : 0;
            if (m >= 1 && m <= 12)
                json_array_set_new(
                    q->months, (size_t)m - 1,
                    json_integer(json_integer_value(json_array_get(q->months, (size_t)m - 1)) + n));
        } else {
            cube_add(q->lists[k], code ? code : "", n, extra);
        }
    }
    return 0;
}

/* rows of [code, count, extra] become into[key] = [{"code","label","count"
 * (,extra_name)}] ordered as the dictionary lists its items (the request's
 * dict_cache); unknown codes (an older dictionary version) follow in the
 * rows' order. */
static void labelled_item(json_t *out, const char *label, json_t *row, const char *extra_name)
{
    json_t *item = json_pack("{s:O, s:s, s:O}", "code", json_array_get(row, 0), "label", label,
                             "count", json_array_get(row, 1));
    if (extra_name)
        json_object_set(item, extra_name, json_array_get(row, 2));
    json_array_append_new(out, item);
}

/* The year before's count of a breakdown of its own (row: [code, count,
 * prev]) and the change, as a figure's. */
static void change_set(json_t *obj, const char *change_key, const char *pct_key, json_int_t cur,
                       json_int_t prev)
{
    json_object_set_new(obj, change_key, json_integer(cur - prev));
    if (prev == 0) {
        json_object_set_new(obj, pct_key, json_null());
        return;
    }
    json_int_t d = cur > prev ? cur - prev : prev - cur;
    json_int_t pm = (d * 1000 + prev / 2) / prev;
    json_object_set_new(obj, pct_key, json_real((double)(cur < prev ? -pm : pm) / 10.0));
}

/* Each item's share of the list's total count: 构成比, 0..1. */
static void shares(json_t *list)
{
    json_int_t total = 0;
    for (size_t i = 0; i < json_array_size(list); i++)
        total += json_integer_value(json_object_get(json_array_get(list, i), "count"));
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *it = json_array_get(list, i);
        json_object_set_new(
            it, "share", json_real(ratio(json_integer_value(json_object_get(it, "count")), total)));
    }
}

static void labelled(struct dict_cache *dc, const char *dict, json_t *rows, const char *extra_name,
                     json_t *into, const char *key)
{
    json_t *out = json_array();
    size_t n = json_array_size(rows);
    char *used = xcalloc(n + 1, 1);
    const char *code;
    for (int i = 0; (code = dict_code_at(dc, dict, i)) != NULL; i++)
        for (size_t k = 0; k < n; k++)
            if (!used[k] &&
                strcmp(json_string_value(json_array_get(json_array_get(rows, k), 0)), code) == 0) {
                used[k] = 1;
                labelled_item(out, dict_label(dc, dict, code), json_array_get(rows, k), extra_name);
            }
    for (size_t k = 0; k < n; k++)
        if (!used[k]) {
            json_t *row = json_array_get(rows, k);
            labelled_item(out, json_string_value(json_array_get(row, 0)), row, extra_name);
        }
    free(used);
    shares(out);
    json_object_set_new(into, key, out);
}

/* ---- the statements, written once from the declarations ---- */

/* The section's live rows in the region's code range. */
static void scope(buf *b, const struct stats_section *sec)
{
    buf_printf(b, " WHERE %s AND region >= $1 AND region < $2",
               sec->live ? sec->live : "deleted_at IS NULL");
}

/* run() binds $1..$7 to every statement, and PostgreSQL refuses a bind that
 * supplies parameters a statement does not use (SQLite, one out of range):
 * a statement that needs only some of them mentions the rest in a condition
 * that is always true. */
static void pad_params(buf *b)
{
    for (int k = 3; k <= 7; k++) {
        char p[16];
        snprintf(p, sizeof p, "$%d", k);
        if (!strstr(buf_str(b), p))
            buf_printf(b, " AND CAST(%s AS TEXT) IS NOT NULL", p);
    }
}

/* expr with the year's parameters ($3, $4) read as the year before's. */
static void put_prev(buf *b, const char *expr)
{
    for (const char *p = expr; *p; p++) {
        if (p[0] == '$' && (p[1] == '3' || p[1] == '4')) {
            buf_printf(b, "$%c", p[1] == '3' ? '5' : '6');
            p++;
        } else {
            buf_printf(b, "%c", *p);
        }
    }
}

struct plan {
    const struct stats_section *sec;
    char *groups;                    /* SELECT region, the sums … GROUP BY region */
    char *breakdown;                 /* NULL without breakdowns */
    char **aggregates;               /* per figure: its statement, or NULL */
    char *own[STATS_MAX_BREAKDOWNS]; /* a breakdown's own statement (col), or NULL */
    /* The section's dated figures (counts and sums compared with the year's
     * first day, $3), this year's and the year before's, over the whole
     * region: whether a year has records (GET /stats/years). NULL: none. */
    char *dated;
};

static struct plan *plans;
static int nplans;
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;

static char *sql_detach(buf *b)
{
    size_t n;
    return buf_detach(b, &n);
}

static const struct stats_figure *figure_in(const struct stats_section *sec, const char *key)
{
    for (int i = 0; i < sec->nfigures; i++)
        if (strcmp(sec->figures[i].key, key) == 0)
            return &sec->figures[i];
    return NULL;
}

static void plan_build(struct plan *p, const struct stats_section *sec)
{
    buf b;
    p->sec = sec;
    p->aggregates = xcalloc((size_t)sec->nfigures, sizeof *p->aggregates);
    buf_init(&b, 1 << 16);
    buf_printf(&b, "SELECT region");
    for (int i = 0; i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        /* A declaration the code cannot honour is a programming error. */
        assert(f->key && f->label && f->unit);
        assert(f->kind == STATS_RATE      ? f->num && f->den && !f->expr && !f->aggregate
               : f->kind == STATS_PER100K ? f->num && !f->den && !f->expr && !f->aggregate
                                          : (f->expr != NULL) != (f->aggregate != NULL));
        assert(!f->aggregate || !f->child);
        if (f->kind == STATS_RATE) {
            const struct stats_figure *n = figure_in(sec, f->num), *d = figure_in(sec, f->den);
            assert(n && d && (!f->child || (n->child && d->child)));
            (void)n;
            (void)d;
        }
        if (f->kind == STATS_PER100K) {
            const struct stats_figure *n = figure_in(sec, f->num);
            assert(n && n->expr && (!f->child || n->child));
            assert(!(f->flags & STATS_YOY) || (n->flags & STATS_YOY));
            (void)n;
        }
        if (!f->expr)
            continue;
        buf_printf(&b, ", COALESCE(SUM(%s), 0)", f->expr);
        if (f->flags & STATS_YOY) {
            buf_printf(&b, ", COALESCE(SUM(");
            put_prev(&b, f->expr);
            buf_printf(&b, "), 0)");
        }
    }
    buf_printf(&b, " FROM %s", sec->table);
    scope(&b, sec);
    pad_params(&b);
    /* Grouped by the full code, which the indexes hold in order: SQLite
     * then streams the groups instead of sorting the rows by a prefix; the
     * prefixes are summed in C. */
    buf_printf(&b, " GROUP BY region");
    p->groups = sql_detach(&b);

    /* A figure that reads the year's first day counts what happened in the
     * year; the others (as at the year's end) count what exists. */
    int ndated = 0;
    buf_init(&b, 1 << 16);
    buf_printf(&b, "SELECT 0");
    for (int i = 0; i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        if (!f->expr || !(f->flags & STATS_YOY) || !strstr(f->expr, "$3"))
            continue;
        buf_printf(&b, " + COALESCE(SUM(CASE WHEN (%s) <> 0 THEN 1 ELSE 0 END), 0)", f->expr);
        ndated++;
    }
    buf_printf(&b, ", 0");
    for (int i = 0; i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        if (!f->expr || !(f->flags & STATS_YOY) || !strstr(f->expr, "$3"))
            continue;
        buf_printf(&b, " + COALESCE(SUM(CASE WHEN (");
        put_prev(&b, f->expr);
        buf_printf(&b, ") <> 0 THEN 1 ELSE 0 END), 0)");
    }
    buf_printf(&b, " FROM %s", sec->table);
    scope(&b, sec);
    pad_params(&b);
    p->dated = ndated ? sql_detach(&b) : NULL;
    if (!ndated)
        buf_free(&b);

    for (int i = 0; i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        if (!f->aggregate)
            continue;
        buf_init(&b, 1 << 14);
        buf_printf(&b, "SELECT %s FROM %s", f->aggregate, sec->table);
        scope(&b, sec);
        if (f->where)
            buf_printf(&b, " AND (%s)", f->where);
        pad_params(&b);
        p->aggregates[i] = sql_detach(&b);
    }

    int legacy = 0;
    assert(sec->nbreakdowns <= STATS_MAX_BREAKDOWNS);
    for (int k = 0; k < sec->nbreakdowns; k++) {
        const struct stats_breakdown *bd = &sec->breakdowns[k];
        if (!bd->col) {
            legacy++;
            continue;
        }
        assert(bd->date);
        const char *cnt = bd->count ? bd->count : "1";
        buf_init(&b, 1 << 14);
        /* A sum in tenths: integers, the same on both backends. */
        const char *pre = bd->tenths ? "CAST(ROUND((" : "",
                   *post = bd->tenths ? ") * 10) AS BIGINT)" : "";
        buf_printf(
            &b,
            "SELECT %s, COALESCE(SUM(CASE WHEN %s >= $3 AND %s <= $4 THEN %s%s%s ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN %s >= $5 AND %s <= $6 THEN %s%s%s ELSE 0 END), 0) FROM %s",
            bd->col, bd->date, bd->date, pre, cnt, post, bd->date, bd->date, pre, cnt, post,
            bd->table ? bd->table : sec->table);
        scope(&b, sec);
        buf_printf(&b, " AND ((%s >= $3 AND %s <= $4) OR (%s >= $5 AND %s <= $6))", bd->date,
                   bd->date, bd->date, bd->date);
        if (bd->where)
            buf_printf(&b, " AND (%s)", bd->where);
        pad_params(&b);
        buf_printf(&b, " GROUP BY %s ORDER BY %s", bd->col, bd->col);
        p->own[k] = sql_detach(&b);
    }
    if (legacy) {
        assert(sec->breakdown_cols);
        buf_init(&b, 1 << 14);
        buf_printf(&b, "SELECT %s, count(*)", sec->breakdown_cols);
        if (sec->breakdown_extra)
            buf_printf(&b, ", COALESCE(SUM(%s), 0)", sec->breakdown_extra);
        buf_printf(&b, " FROM %s", sec->table);
        scope(&b, sec);
        if (sec->breakdown_where)
            buf_printf(&b, " AND %s", sec->breakdown_where);
        pad_params(&b);
        buf_printf(&b, " GROUP BY %s ORDER BY %s", sec->breakdown_cols, sec->breakdown_cols);
        p->breakdown = sql_detach(&b);
    }
}

static void plans_build(void)
{
    for (int m = 0; m < module_count; m++)
        nplans += module_list[m]->nstats;
    plans = xcalloc((size_t)nplans + 1, sizeof *plans);
    int k = 0;
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < module_list[m]->nstats; i++)
            plan_build(&plans[k++], module_list[m]->stats[i]);
}

static void plans_ready(void)
{
    pthread_once(&plans_once, plans_build);
}

const struct stats_figure *stats_figure_find(const char *section, const char *key)
{
    plans_ready();
    for (int i = 0; i < nplans; i++)
        if (strcmp(plans[i].sec->name, section) == 0)
            return figure_in(plans[i].sec, key);
    return NULL;
}

const char *stats_label(const char *section, const char *key)
{
    const struct stats_figure *f = stats_figure_find(section, key);
    assert(f);
    return f ? f->label : key;
}

int stats_column_count(void)
{
    plans_ready();
    int n = 0;
    for (int i = 0; i < nplans; i++)
        for (int k = 0; k < plans[i].sec->nfigures; k++)
            n += (plans[i].sec->figures[k].flags & STATS_COLUMN) != 0;
    return n;
}

struct stats_column stats_column_at(int i)
{
    plans_ready();
    for (int p = 0; p < nplans; p++)
        for (int k = 0; k < plans[p].sec->nfigures; k++)
            if ((plans[p].sec->figures[k].flags & STATS_COLUMN) && i-- == 0)
                return (struct stats_column){.section = plans[p].sec,
                                             .figure = &plans[p].sec->figures[k]};
    assert(!"stats_column_at: out of range");
    return (struct stats_column){0};
}

/* ---- one section: totals and children from the grouped scan ---- */

static void add(json_t *obj, const char *key, enum stats_kind kind, db_stmt *s, int col)
{
    json_t *v = json_object_get(obj, key);
    if (kind == STATS_SUM)
        json_object_set_new(obj, key, json_real(json_real_value(v) + db_col_double(s, col)));
    else
        json_object_set_new(obj, key, json_integer(json_integer_value(v) + db_col_int(s, col)));
}

struct scan_ctx {
    const struct stats_section *sec;
    json_t *totals;
    json_t *children; /* [{code, …}] ordered by code */
    int prefix;
    arena *a;
};

/* A group is a child's prefix (or the region itself, or a code between the
 * levels): all groups add up to the region's totals, and a child's group is
 * its row. */
static int scan_row(void *vctx, db_stmt *s)
{
    struct scan_ctx *x = vctx;
    const char *p = db_col_text(s, 0);
    json_t *child = NULL;
    if (p && strlen(p) >= (size_t)x->prefix)
        for (size_t i = 0; i < json_array_size(x->children) && !child; i++) {
            json_t *ch = json_array_get(x->children, i);
            if (strncmp(json_string_value(json_object_get(ch, "code")), p, (size_t)x->prefix) == 0)
                child = ch;
        }
    int col = 1;
    for (int i = 0; i < x->sec->nfigures; i++) {
        const struct stats_figure *f = &x->sec->figures[i];
        if (!f->expr)
            continue;
        int yoy = (f->flags & STATS_YOY) != 0;
        for (int prev = 0; prev <= yoy; prev++, col++) {
            add(x->totals, prev ? arena_printf(x->a, "%s_prev", f->key) : f->key, f->kind, s, col);
            if (child && f->child)
                add(child, prev ? arena_printf(x->a, "%s_prev", f->child) : f->child, f->kind, s,
                    col);
        }
    }
    return 0;
}

static void round_sums(json_t *obj, const struct stats_figure *f, const char *key, arena *a)
{
    if (f->kind != STATS_SUM)
        return;
    int yoy = (f->flags & STATS_YOY) ? 1 : 0;
    for (int prev = 0; prev <= yoy; prev++) {
        const char *k = prev ? arena_printf(a, "%s_prev", key) : key;
        json_object_set_new(obj, k,
                            json_real(stats_round(json_real_value(json_object_get(obj, k)), 1)));
    }
}

static void set_rate(json_t *obj, const char *key, const char *num, const char *den)
{
    json_object_set_new(obj, key,
                        json_real(ratio(json_integer_value(json_object_get(obj, num)),
                                        json_integer_value(json_object_get(obj, den)))));
}

/* The section's totals and its children's rows from one scan grouped by
 * region code, matched to a child by its code prefix (a region without
 * children matches none). Every child starts at zero: a child without
 * records is a row of zeros. */
/* The populations of a year and of the year before: the region's and each
 * child's (in the order of children); -1 when unknown. */
struct pops {
    long long cur, prev;
    long long *child_cur, *child_prev;
};

/* num per 100 000 of pop, 2 places; null without a population. */
static json_t *per100k(json_t *num, long long pop)
{
    if (pop <= 0)
        return json_null();
    return json_real(stats_round(json_number_value(num) * 100000.0 / (double)pop, 2));
}

static void set_per100k(json_t *obj, arena *a, const struct stats_figure *f, const char *key,
                        const char *num, long long pop, long long pop_prev)
{
    json_object_set_new(obj, key, per100k(json_object_get(obj, num), pop));
    if (f->flags & STATS_YOY)
        json_object_set_new(
            obj, arena_printf(a, "%s_prev", key),
            per100k(json_object_get(obj, arena_printf(a, "%s_prev", num)), pop_prev));
}

static int section_scan(db_conn *c, arena *a, const struct plan *p, const struct span *sp,
                        json_t *children, int prefix, const struct pops *pops, json_t *obj)
{
    const struct stats_section *sec = p->sec;
    for (int i = 0; i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        if (f->kind == STATS_RATE || f->kind == STATS_PER100K)
            continue;
        int yoy = (f->flags & STATS_YOY) != 0;
        json_object_set_new(obj, f->key, f->kind == STATS_SUM ? json_real(0) : json_integer(0));
        if (yoy)
            json_object_set_new(obj, arena_printf(a, "%s_prev", f->key),
                                f->kind == STATS_SUM ? json_real(0) : json_integer(0));
        if (!f->child)
            continue;
        for (size_t k = 0; k < json_array_size(children); k++) {
            json_t *ch = json_array_get(children, k);
            json_object_set_new(ch, f->child,
                                f->kind == STATS_SUM ? json_real(0) : json_integer(0));
            if (yoy)
                json_object_set_new(ch, arena_printf(a, "%s_prev", f->child),
                                    f->kind == STATS_SUM ? json_real(0) : json_integer(0));
        }
    }
    struct scan_ctx x = {
        .sec = sec, .totals = obj, .children = children, .prefix = prefix ? prefix : 15, .a = a};
    int st = run(c, p->groups, sp, scan_row, &x);
    for (int i = 0; st == DB_OK && i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        if (f->aggregate) {
            db_stmt *s = db_prepare(c, p->aggregates[i]);
            if (!s)
                return db_last_status(c);
            const char *v[] = {sp->lo, sp->hi, sp->from, sp->to, sp->pfrom, sp->pto, sp->asof};
            for (int k = 0; k < 7; k++)
                db_bind_text(s, k + 1, v[k]);
            int rc = db_step(s);
            json_object_set_new(obj, f->key, json_integer(rc == DB_ROW ? db_col_int(s, 0) : 0));
            db_done(s);
            if (rc < 0)
                return rc;
            continue;
        }
        round_sums(obj, f, f->key, a);
        for (size_t k = 0; f->child && k < json_array_size(children); k++)
            round_sums(json_array_get(children, k), f, f->child, a);
    }
    /* Rates follow from the counts, the region's and each child's alike. */
    for (int i = 0; st == DB_OK && i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        if (f->kind != STATS_RATE)
            continue;
        set_rate(obj, f->key, f->num, f->den);
        if (!f->child)
            continue;
        const char *num = figure_in(sec, f->num)->child, *den = figure_in(sec, f->den)->child;
        for (size_t k = 0; k < json_array_size(children); k++)
            set_rate(json_array_get(children, k), f->child, num, den);
    }
    /* Per 100 000 residents, each of its own year's population. */
    for (int i = 0; st == DB_OK && i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        if (f->kind != STATS_PER100K)
            continue;
        set_per100k(obj, a, f, f->key, f->num, pops->cur, pops->prev);
        if (!f->child)
            continue;
        const char *num = figure_in(sec, f->num)->child;
        for (size_t k = 0; k < json_array_size(children); k++)
            set_per100k(json_array_get(children, k), a, f, f->child, num, pops->child_cur[k],
                        pops->child_prev[k]);
    }
    /* The change from the year before, of the region's counts and sums. */
    for (int i = 0; st == DB_OK && i < sec->nfigures; i++) {
        const struct stats_figure *f = &sec->figures[i];
        if (!(f->flags & STATS_YOY) || !f->expr)
            continue;
        const char *ck = arena_printf(a, "%s_change", f->key),
                   *pk = arena_printf(a, "%s_change_pct", f->key);
        json_t *cur = json_object_get(obj, f->key),
               *prev = json_object_get(obj, arena_printf(a, "%s_prev", f->key));
        if (f->kind == STATS_SUM) {
            /* Sums have one decimal: the change is taken in tenths. */
            json_int_t c10 = (json_int_t)llround(json_number_value(cur) * 10),
                       p10 = (json_int_t)llround(json_number_value(prev) * 10);
            change_set(obj, ck, pk, c10, p10);
            json_object_set_new(obj, ck, json_real((double)(c10 - p10) / 10.0));
        } else {
            change_set(obj, ck, pk, json_integer_value(cur), json_integer_value(prev));
        }
    }
    return st;
}

/* A breakdown's own statement: rows (code, count, count of the year
 * before). */
struct own_ctx {
    json_t *rows; /* [[code, count, prev], …] */
};

static int own_row(void *ctx, db_stmt *s)
{
    struct own_ctx *x = ctx;
    const char *code = db_col_text(s, 0);
    json_array_append_new(x->rows,
                          json_pack("[s, I, I]", code ? code : "", (json_int_t)db_col_int(s, 1),
                                    (json_int_t)db_col_int(s, 2)));
    return 0;
}

static void own_item(json_t *out, const char *label, json_t *row)
{
    json_int_t cur = json_integer_value(json_array_get(row, 1)),
               prev = json_integer_value(json_array_get(row, 2));
    json_t *item = json_pack("{s:O, s:s, s:I, s:I}", "code", json_array_get(row, 0), "label", label,
                             "count", cur, "count_prev", prev);
    change_set(item, "change", "change_pct", cur, prev);
    json_array_append_new(out, item);
}

static int own_breakdown(db_conn *c, struct dict_cache *dc, arena *a,
                         const struct stats_breakdown *bd, const char *sql, const struct span *sp,
                         json_t *obj)
{
    struct own_ctx x = {.rows = json_array()};
    int st = run(c, sql, sp, own_row, &x);
    size_t n = json_array_size(x.rows);
    if (st == DB_OK && !bd->dict && !bd->labels) {
        json_t *m[2] = {json_array(), json_array()};
        for (int i = 0; i < 12; i++)
            for (int y = 0; y < 2; y++)
                json_array_append_new(m[y], json_integer(0));
        for (size_t k = 0; k < n; k++) {
            json_t *row = json_array_get(x.rows, k);
            int mm = atoi(json_string_value(json_array_get(row, 0)));
            if (mm >= 1 && mm <= 12)
                for (int y = 0; y < 2; y++)
                    json_array_set(m[y], (size_t)mm - 1, json_array_get(row, 1 + (size_t)y));
        }
        json_object_set_new(obj, bd->key, m[0]);
        json_object_set_new(obj, arena_printf(a, "%s_prev", bd->key), m[1]);
    } else if (st == DB_OK && bd->labels) {
        /* In the order of the ids; each named by its row. */
        json_t *out = json_array();
        char lsql[256];
        snprintf(lsql, sizeof lsql, "SELECT name FROM %s WHERE id = $1", bd->labels);
        for (size_t k = 0; st == DB_OK && k < n; k++) {
            json_t *row = json_array_get(x.rows, k);
            const char *code = json_string_value(json_array_get(row, 0));
            const char *label = "未填写";
            db_stmt *s = *code ? db_prepare(c, lsql) : NULL;
            if (s) {
                db_bind_int(s, 1, atoll(code));
                if (db_step(s) == DB_ROW && db_col_text(s, 0))
                    label = arena_strdup(a, db_col_text(s, 0));
                db_done(s);
            } else if (*code) {
                st = db_last_status(c);
            }
            own_item(out, label, row);
        }
        shares(out);
        json_object_set_new(obj, bd->key, out);
    } else if (st == DB_OK) {
        /* In the dictionary's order; codes it no longer lists follow. */
        json_t *out = json_array();
        char *used = xcalloc(n + 1, 1);
        const char *code;
        for (int i = 0; (code = dict_code_at(dc, bd->dict, i)) != NULL; i++)
            for (size_t k = 0; k < n; k++)
                if (!used[k] &&
                    strcmp(json_string_value(json_array_get(json_array_get(x.rows, k), 0)), code) ==
                        0) {
                    used[k] = 1;
                    own_item(out, dict_label(dc, bd->dict, code), json_array_get(x.rows, k));
                }
        for (size_t k = 0; k < n; k++)
            if (!used[k]) {
                json_t *row = json_array_get(x.rows, k);
                own_item(out, json_string_value(json_array_get(row, 0)), row);
            }
        free(used);
        shares(out);
        json_object_set_new(obj, bd->key, out);
    }
    json_decref(x.rows);
    /* Sums in tenths become numbers with one decimal. */
    json_t *items = bd->tenths && st == DB_OK ? json_object_get(obj, bd->key) : NULL;
    for (size_t k = 0; k < json_array_size(items); k++) {
        json_t *it = json_array_get(items, k);
        static const char *const keys[] = {"count", "count_prev", "change"};
        for (int i = 0; i < 3; i++)
            json_object_set_new(
                it, keys[i],
                json_real((double)json_integer_value(json_object_get(it, keys[i])) / 10.0));
    }
    return st;
}

static int section_breakdowns(db_conn *c, struct dict_cache *dc, arena *a, const struct plan *p,
                              const struct span *sp, json_t *obj)
{
    const struct stats_section *sec = p->sec;
    int st = DB_OK;
    for (int k = 0; st == DB_OK && k < sec->nbreakdowns; k++)
        if (p->own[k])
            st = own_breakdown(c, dc, a, &sec->breakdowns[k], p->own[k], sp, obj);
    if (!p->breakdown || st != DB_OK)
        return st;
    /* The cube's keys are the breakdowns without a statement of their own. */
    const struct stats_breakdown *keys[STATS_MAX_BREAKDOWNS];
    int nkeys = 0, month_key = -1;
    for (int k = 0; k < sec->nbreakdowns; k++)
        if (!sec->breakdowns[k].col) {
            if (!sec->breakdowns[k].dict)
                month_key = nkeys;
            keys[nkeys++] = &sec->breakdowns[k];
        }
    struct cube q;
    cube_init(&q, nkeys, month_key);
    st = run(c, p->breakdown, sp, cube_row, &q);
    for (int k = 0; st == DB_OK && k < nkeys; k++) {
        if (k == month_key)
            json_object_set(obj, keys[k]->key, q.months);
        else
            labelled(dc, keys[k]->dict, q.lists[k], sec->breakdown_extra, obj, keys[k]->key);
    }
    cube_free(&q);
    return st;
}

static int children_load(db_conn *c, const char *region, json_t *children)
{
    db_stmt *s = db_prepare(c, "SELECT code, name, level FROM regions WHERE parent = $1 "
                               "ORDER BY code");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, region);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        json_array_append_new(children,
                              json_pack("{s:s, s:s, s:s}", "code", db_col_text(s, 0), "name",
                                        db_col_text(s, 1), "level", db_col_text(s, 2)));
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

/* The number of leading characters that name a child of a region of level l:
 * a city is 4 digits of its code, a county 6, a township 9, a village 12,
 * a grid its whole code (village + "-NN"). 0: no children. */
static int child_prefix(enum region_level l)
{
    switch (l) {
    case RL_PROVINCE:
        return 4;
    case RL_CITY:
        return 6;
    case RL_COUNTY:
        return 9;
    case RL_TOWNSHIP:
        return 12;
    case RL_VILLAGE:
        return 15;
    default:
        return 0;
    }
}

/* The population of region and of each child in year and the year before:
 * region_populations, else regions.population; -1 when neither. */
static int pops_load(db_conn *c, arena *a, const char *region, int year, json_t *children,
                     struct pops *out)
{
    size_t n = json_array_size(children);
    out->cur = out->prev = -1;
    out->child_cur = arena_alloc(a, (n + 1) * sizeof *out->child_cur);
    out->child_prev = arena_alloc(a, (n + 1) * sizeof *out->child_prev);
    for (size_t k = 0; k < n; k++)
        out->child_cur[k] = out->child_prev[k] = -1;
    db_stmt *s = db_prepare(
        c, "SELECT r.code, COALESCE(p.population, r.population), COALESCE(q.population, "
           "r.population) FROM regions r LEFT JOIN region_populations p ON p.region = r.code AND "
           "p.year = $2 LEFT JOIN region_populations q ON q.region = r.code AND q.year = $3 "
           "WHERE r.code = $1 OR r.parent = $1");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, region);
    db_bind_int(s, 2, year);
    db_bind_int(s, 3, year - 1);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *code = db_col_text(s, 0);
        long long cur = db_col_type(s, 1) == DB_T_NULL ? -1 : (long long)db_col_int(s, 1),
                  prev = db_col_type(s, 2) == DB_T_NULL ? -1 : (long long)db_col_int(s, 2);
        if (code && strcmp(code, region) == 0) {
            out->cur = cur;
            out->prev = prev;
            continue;
        }
        for (size_t k = 0; code && k < n; k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(children, k), "code")),
                       code) == 0) {
                out->child_cur[k] = cur;
                out->child_prev[k] = prev;
            }
    }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

static int region_row(void *ctx, db_stmt *s)
{
    json_t *r = ctx;
    json_object_set_new(r, "name", json_string(db_col_text(s, 0)));
    json_object_set_new(r, "level", json_string(db_col_text(s, 1)));
    json_object_set_new(r, "population",
                        db_col_type(s, 2) == DB_T_NULL ? json_null()
                                                       : json_integer(db_col_int(s, 2)));
    json_object_set_new(r, "population_year",
                        db_col_type(s, 3) == DB_T_NULL ? json_null()
                                                       : json_integer(db_col_int(s, 3)));
    return 0;
}

/* 1 when name is one of list's comma-separated names (NULL: all are). */
static int listed(const char *list, const char *name)
{
    if (!list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (e != NULL);
    }
    return 0;
}

int stats_sections_valid(const char *list)
{
    plans_ready();
    if (!*list)
        return 0;
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int known = 0;
        for (int i = 0; i < nplans && !known; i++)
            known = strlen(plans[i].sec->name) == len && strncmp(plans[i].sec->name, p, len) == 0;
        if (!known)
            return 0;
        p += len + (e != NULL);
        if (e && !*p)
            return 0; /* a trailing comma */
    }
    return 1;
}

int stats_compute(db_conn *c, const struct user *user, const char *region, int year,
                  const char *today, json_t **out)
{
    return stats_compute_only(c, user, region, year, today, NULL, out);
}

int stats_compute_only(db_conn *c, const struct user *user, const char *region, int year,
                       const char *today, const char *only, json_t **out)
{
    *out = NULL;
    plans_ready();
    struct span sp;
    assert(year >= 1949 && year <= 2100);
    unsigned y = (unsigned)year % 10000u, py = (unsigned)(year - 1) % 10000u;
    region_subtree(region, sp.lo, sp.hi);
    snprintf(sp.from, sizeof sp.from, "%04u-01-01", y);
    snprintf(sp.to, sizeof sp.to, "%04u-12-31", y);
    snprintf(sp.pfrom, sizeof sp.pfrom, "%04u-01-01", py);
    snprintf(sp.pto, sizeof sp.pto, "%04u-12-31", py);
    snprintf(sp.asof, sizeof sp.asof, "%s", strcmp(today, sp.to) < 0 ? today : sp.to);

    json_t *reg = json_pack("{s:s}", "code", region);
    int st = DB_OK, found = 0;
    {
        db_stmt *s = db_prepare(c, "SELECT name, level, population, population_year FROM regions "
                                   "WHERE code = $1");
        if (!s) {
            json_decref(reg);
            return db_last_status(c);
        }
        db_bind_text(s, 1, region);
        int rc = db_step(s);
        if (rc == DB_ROW) {
            region_row(reg, s);
            found = 1;
        } else if (rc < 0) {
            st = rc;
        }
        db_done(s);
    }
    if (st != DB_OK || !found) {
        json_decref(reg);
        return st != DB_OK ? st : DB_DONE;
    }
    json_t *res = json_pack("{s:o, s:i, s:s, s:s, s:s, s:[]}", "region", reg, "year", year, "from",
                            sp.from, "to", sp.to, "as_of", sp.asof, "sections");
    arena *a = arena_new();
    struct dict_cache *dc = dict_cache_new(a, c);
    json_t *children = json_array();
    int prefix = child_prefix(region_level_of(region));
    if (prefix)
        st = children_load(c, region, children);
    struct pops pops = {0};
    if (st == DB_OK)
        st = pops_load(c, a, region, year, children, &pops);
    if (st == DB_OK)
        json_object_set_new(reg, "populations",
                            json_pack("{s:o, s:o}", arena_printf(a, "%d", year),
                                      pops.cur > 0 ? json_integer(pops.cur) : json_null(),
                                      arena_printf(a, "%d", year - 1),
                                      pops.prev > 0 ? json_integer(pops.prev) : json_null()));
    for (int i = 0; st == DB_OK && i < nplans; i++) {
        const struct stats_section *sec = plans[i].sec;
        if (!authz_has(user, sec->perm) || !listed(only, sec->name))
            continue;
        json_t *obj = json_object();
        st = section_scan(c, a, &plans[i], &sp, children, prefix, &pops, obj);
        if (st == DB_OK)
            st = section_breakdowns(c, dc, a, &plans[i], &sp, obj);
        if (st == DB_OK && sec->detail)
            st = sec->detail(c, user, region, year, today, obj);
        json_object_set_new(res, sec->name, obj);
        json_array_append_new(json_object_get(res, "sections"), json_string(sec->name));
    }
    arena_free(a);
    json_object_set_new(res, "children", children);
    if (st != DB_OK) {
        log_error("stats of %s %d: %s", region, year, db_errmsg(c));
        json_decref(res);
        return st;
    }
    *out = res;
    return DB_OK;
}

int stats_year_parse(const char *s)
{
    if (strlen(s) != 4 || strspn(s, "0123456789") != 4)
        return -1;
    int y = atoi(s);
    return y >= 1949 && y <= 2100 ? y : -1;
}

const char *stats_pct(arena *a, long long num, long long den)
{
    if (den <= 0)
        return "—";
    long long pm = (num * 1000 + den / 2) / den;
    return arena_printf(a, "%lld.%lld%%", pm / 10, pm % 10);
}

static json_int_t int_of(json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v);
    return json_is_real(v) ? (json_int_t)json_real_value(v) : 0;
}

const char *stats_column_text(arena *a, struct stats_column col, json_t *child)
{
    const struct stats_figure *f = col.figure;
    json_t *v = json_object_get(child, f->child);
    if (f->kind == STATS_RATE) {
        const struct stats_figure *n = figure_in(col.section, f->num),
                                  *d = figure_in(col.section, f->den);
        return stats_pct(a, int_of(json_object_get(child, n->child)),
                         int_of(json_object_get(child, d->child)));
    }
    if (f->kind == STATS_PER100K) {
        if (!json_is_number(v))
            return "—";
        long long t = llround(json_number_value(v) * 100);
        return arena_printf(a, "%lld.%02lld", t / 100, t % 100);
    }
    if (f->kind == STATS_SUM) {
        long long t = (long long)(json_number_value(v) * 10 + 0.5);
        return t % 10 ? arena_printf(a, "%lld.%lld", t / 10, t % 10)
                      : arena_printf(a, "%lld", t / 10);
    }
    return arena_printf(a, "%lld", (long long)int_of(v));
}

/* ---- the years that have records ---- */

struct dated_ctx {
    long long cur, prev;
};

static int dated_row(void *ctx, db_stmt *s)
{
    struct dated_ctx *x = ctx;
    x->cur += db_col_int(s, 0);
    x->prev += db_col_int(s, 1);
    return 0;
}

int stats_years(db_conn *c, const struct user *user, const char *region, const char *today,
                int *years, int max, int *n)
{
    plans_ready();
    *n = 0;
    int current = atoi(today), found = 0;
    /* Two years a statement (a year and the one before), newest first, until
     * two years without records follow one with, or twenty without any. */
    for (int y = current; y > 1949 && *n < max; y -= 2) {
        struct span sp;
        region_subtree(region, sp.lo, sp.hi);
        unsigned uy = (unsigned)y % 10000u, upy = (unsigned)(y - 1) % 10000u;
        snprintf(sp.from, sizeof sp.from, "%04u-01-01", uy);
        snprintf(sp.to, sizeof sp.to, "%04u-12-31", uy);
        snprintf(sp.pfrom, sizeof sp.pfrom, "%04u-01-01", upy);
        snprintf(sp.pto, sizeof sp.pto, "%04u-12-31", upy);
        snprintf(sp.asof, sizeof sp.asof, "%s", strcmp(today, sp.to) < 0 ? today : sp.to);
        struct dated_ctx x = {0, 0};
        for (int i = 0; i < nplans; i++) {
            if (!plans[i].dated || (user && !authz_has(user, plans[i].sec->perm)))
                continue;
            int st = run(c, plans[i].dated, &sp, dated_row, &x);
            if (st != DB_OK)
                return st;
            if (x.cur && x.prev)
                break;
        }
        if (x.cur && *n < max)
            years[(*n)++] = y;
        if (x.prev && *n < max)
            years[(*n)++] = y - 1;
        if (x.cur || x.prev)
            found = 1;
        else if (found || y <= current - 20)
            break;
    }
    return DB_OK;
}

/* ---- the declarations, for the console ---- */

static const char *const kind_names[] = {[STATS_COUNT] = "count",
                                         [STATS_SUM] = "sum",
                                         [STATS_RATE] = "rate",
                                         [STATS_PER100K] = "per100k"};

static json_t *figure_json(const struct stats_section *sec, const struct stats_figure *f)
{
    int yoy = (f->flags & STATS_YOY) != 0;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "key", f->key, "label", f->label,
                          "unit", f->unit, "kind", kind_names[f->kind], "yoy", yoy, "column",
                          (f->flags & STATS_COLUMN) != 0);
    char prev[128];
    snprintf(prev, sizeof prev, "%s_prev", f->key);
    json_object_set_new(o, "prev_key", yoy ? json_string(prev) : json_null());
    json_object_set_new(o, "child_key", f->child ? json_string(f->child) : json_null());
    if (f->kind == STATS_PER100K) {
        const struct stats_figure *n = figure_in(sec, f->num);
        json_object_set_new(o, "num", json_string(f->num));
        json_object_set_new(o, "num_child_key", n->child ? json_string(n->child) : json_null());
    }
    if (f->kind == STATS_RATE) {
        const struct stats_figure *n = figure_in(sec, f->num), *d = figure_in(sec, f->den);
        json_object_set_new(o, "num", json_string(f->num));
        json_object_set_new(o, "den", json_string(f->den));
        json_object_set_new(o, "num_child_key", n->child ? json_string(n->child) : json_null());
        json_object_set_new(o, "den_child_key", d->child ? json_string(d->child) : json_null());
    }
    return o;
}

json_t *stats_figures_json(void)
{
    plans_ready();
    json_t *sections = json_array(), *columns = json_array();
    for (int i = 0; i < nplans; i++) {
        const struct stats_section *sec = plans[i].sec;
        json_t *figs = json_array(), *bds = json_array();
        for (int k = 0; k < sec->nfigures; k++)
            json_array_append_new(figs, figure_json(sec, &sec->figures[k]));
        for (int k = 0; k < sec->nbreakdowns; k++)
            json_array_append_new(bds, json_pack("{s:s, s:s, s:b}", "key", sec->breakdowns[k].key,
                                                 "label", sec->breakdowns[k].label, "monthly",
                                                 sec->breakdowns[k].dict == NULL &&
                                                     sec->breakdowns[k].labels == NULL));
        json_array_append_new(sections, json_pack("{s:s, s:s, s:s, s:o, s:o}", "key", sec->name,
                                                  "label", sec->label, "perm", sec->perm, "figures",
                                                  figs, "breakdowns", bds));
    }
    for (int i = 0; i < stats_column_count(); i++) {
        struct stats_column col = stats_column_at(i);
        json_t *o = figure_json(col.section, col.figure);
        json_object_set_new(o, "section", json_string(col.section->name));
        json_array_append_new(columns, o);
    }
    return json_pack("{s:o, s:o}", "sections", sections, "columns", columns);
}

/* ---- HTTP ---- */

/* ?region= (default: the caller's region) and ?year= (default: this year),
 * checked; on refusal the reply is queued and -1 returned. */
static int stats_args(req *r, const char **region, int *year, char today[11])
{
    util_today(today);
    *region = req_query(r, "region");
    if (!*region)
        *region = r->user->region;
    if (region_level_of(*region) == RL_INVALID) {
        reply_error(r, 400, "bad_request", "region 必须是有效的区域代码",
                    json_pack("{s:s}", "region", "必须是有效的区域代码"));
        return -1;
    }
    const char *y = req_query(r, "year");
    *year = y ? stats_year_parse(y) : atoi(today);
    if (*year < 0) {
        reply_error(r, 400, "bad_request", "year 必须是 1949 到 2100 之间的年份",
                    json_pack("{s:s}", "year", "必须是 1949 到 2100 之间的年份"));
        return -1;
    }
    if (authz_require(r, "report:read", *region) != 0)
        return -1;
    if (r->user->unit_id) {
        reply_error(r, 403, "forbidden", "单位用户只能查看本单位的隐患，不能查看区域统计", NULL);
        return -1;
    }
    return 0;
}

int stats_for_request(struct req *r, const char **region, int *year, json_t **out)
{
    char today[11];
    if (stats_args(r, region, year, today) != 0)
        return -1;
    int st = stats_compute(req_db(r), r->user, *region, *year, today, out);
    if (st == DB_DONE) {
        reply_error(r, 404, "not_found", "区域不存在", NULL);
        return -1;
    }
    if (st != DB_OK) {
        reply_db_error(r, st);
        return -1;
    }
    return 0;
}

/* GET /api/v1/stats/figures: what each figure is called, for the console.
 * Labels are not data: any logged-in user may read them. */
static void h_figures(req *r)
{
    reply_json(r, 200, stats_figures_json());
}

/* ?sections=a,b: only those (a page asks for what it shows); the Excel
 * export and the summary always take every section the caller may read. */
static void h_stats(req *r)
{
    const char *only = req_query(r, "sections");
    if (only && !stats_sections_valid(only)) {
        reply_error(r, 400, "bad_request", "sections 必须是逗号分隔的统计部分名称",
                    json_pack("{s:s}", "sections", "必须是逗号分隔的统计部分名称"));
        return;
    }
    char today[11];
    const char *region;
    int year;
    if (stats_args(r, &region, &year, today) != 0)
        return;
    json_t *s;
    int st = stats_compute_only(req_db(r), r->user, region, year, today, only, &s);
    if (st == DB_DONE)
        reply_error(r, 404, "not_found", "区域不存在", NULL);
    else if (st != DB_OK)
        reply_db_error(r, st);
    else
        reply_json(r, 200, s);
}

/* ---- Excel: the figures, then one row per child region ---- */

static void sheet_value(struct sheetw *w, int row, int col, const struct stats_figure *f, json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (f->kind == STATS_RATE)
        sheetw_percent(w, row, col, json_number_value(v));
    else
        sheetw_number(w, row, col, json_number_value(v));
}

/* The sum of key over the children. */
static double children_sum(json_t *children, const char *key)
{
    double t = 0;
    size_t i;
    json_t *ch;
    json_array_foreach(children, i, ch)
    {
        json_t *v = json_object_get(ch, key);
        if (json_is_number(v))
            t += json_number_value(v);
    }
    return t;
}

static void h_stats_xlsx(req *r)
{
    const char *region;
    int year;
    json_t *s;
    if (stats_for_request(r, &region, &year, &s) != 0)
        return;
    arena_defer(r->a, (void (*)(void *))json_decref, s);
    char *path = http_temp_path(r->a, ".xlsx");
    char *err = NULL;
    struct sheetw *w = path ? sheetw_open(path, "统计", &err) : NULL;
    if (!w) {
        if (path)
            unlink(path);
        reply_error(r, 500, "internal", "无法生成统计表", NULL);
        free(err);
        return;
    }
    const char *rname = json_string_value(json_object_get(json_object_get(s, "region"), "name"));
    const char *head[4] = {"项目", arena_printf(r->a, "%s %d 年", rname, year),
                           arena_printf(r->a, "%d 年（上年）", year - 1), "单位"};
    static const int widths[4] = {24, 18, 16, 8};
    sheetw_header(w, 4, head, widths);
    int row = 1;
    for (int i = 0; i < nplans; i++) {
        const struct stats_section *sec = plans[i].sec;
        json_t *obj = json_object_get(s, sec->name);
        if (!obj)
            continue;
        for (int k = 0; k < sec->nfigures; k++) {
            const struct stats_figure *f = &sec->figures[k];
            sheetw_text(w, row, 0, f->label);
            sheet_value(w, row, 1, f, json_object_get(obj, f->key));
            if (f->flags & STATS_YOY)
                sheet_value(w, row, 2, f,
                            json_object_get(obj, arena_printf(r->a, "%s_prev", f->key)));
            sheetw_text(w, row, 3, f->unit);
            row++;
        }
    }
    /* The breakdown follows on the same sheet after a blank row, with its
     * own header: one sheet is what a county office forwards. */
    json_t *children = json_object_get(s, "children");
    if (json_array_size(children)) {
        row++;
        sheetw_text(w, row, 0, "下级区域");
        json_t *first = json_array_get(children, 0);
        int col = 1;
        for (int k = 0; k < stats_column_count(); k++)
            if (json_object_get(first, stats_column_at(k).figure->child))
                sheetw_text(w, row, col++, stats_column_at(k).figure->label);
        row++;
        for (size_t i = 0; i < json_array_size(children); i++) {
            json_t *ch = json_array_get(children, i);
            sheetw_text(w, row, 0, json_string_value(json_object_get(ch, "name")));
            col = 1;
            for (int k = 0; k < stats_column_count(); k++) {
                const struct stats_figure *f = stats_column_at(k).figure;
                json_t *v = json_object_get(ch, f->child);
                if (v)
                    sheet_value(w, row, col++, f, v);
            }
            row++;
        }
        /* 合计: the children's counts and sums added up, and each rate
         * recomputed from those totals (a rate is never summed); a figure
         * per 100 000 residents is left empty. */
        sheetw_text(w, row, 0, "合计");
        col = 1;
        for (int k = 0; k < stats_column_count(); k++) {
            struct stats_column sc = stats_column_at(k);
            const struct stats_figure *f = sc.figure;
            if (!json_object_get(first, f->child))
                continue;
            if (f->kind == STATS_COUNT || f->kind == STATS_SUM) {
                double t = children_sum(children, f->child);
                sheetw_number(w, row, col, f->kind == STATS_SUM ? stats_round(t, 1) : t);
            } else if (f->kind == STATS_RATE) {
                double n = children_sum(children, figure_in(sc.section, f->num)->child),
                       d = children_sum(children, figure_in(sc.section, f->den)->child);
                if (d > 0)
                    sheetw_percent(w, row, col, ratio((long long)n, (long long)d));
            }
            col++;
        }
        row++;
    }
    if (sheetw_close(w, &err) != 0) {
        unlink(path);
        reply_error(r, 500, "internal", err ? err : "无法生成统计表", NULL);
        free(err);
        return;
    }
    json_t *filter = json_pack("{s:s, s:i}", "region", region, "year", year);
    arena_defer(r->a, (void (*)(void *))json_decref, filter);
    if (audit_export_request(r, "stats", NULL, region, "xlsx", filter, row) != 0) {
        unlink(path);
        return;
    }
    reply_temp_file_named(
        r, path, XLSX_MIME, arena_printf(r->a, "stats-%s-%d.xlsx", region, year),
        arena_printf(r->a, "统计分析-%s-%d年.xlsx", rname ? rname : region, year));
}

/* GET /api/v1/stats/years?region=: the years with records in the caller's
 * scope (the sections the caller may read), newest first, and the year a
 * page opens on: this year when it has records, else the latest that has. */
static void h_years(req *r)
{
    const char *region = req_query(r, "region");
    if (!region)
        region = r->user->region;
    if (region_level_of(region) == RL_INVALID) {
        reply_error(r, 400, "bad_request", "region 必须是有效的区域代码",
                    json_pack("{s:s}", "region", "必须是有效的区域代码"));
        return;
    }
    if (!authz_in_scope(r->user, region)) {
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    char today[11];
    util_today(today);
    int current = atoi(today), years[64], n = 0, st = DB_OK;
    /* A unit's user sees its own hazards only, never a region's figures. */
    if (!r->user->unit_id)
        st = stats_years(req_db(r), r->user, region, today, years, 64, &n);
    if (st != DB_OK) {
        reply_db_error(r, st);
        return;
    }
    json_t *list = json_array();
    int has_current = 0;
    for (int i = 0; i < n; i++) {
        json_array_append_new(list, json_integer(years[i]));
        has_current |= years[i] == current;
    }
    int def = has_current || !n ? current : years[0];
    json_t *o = json_pack("{s:s, s:o, s:i, s:i, s:b, s:b}", "region", region, "years", list,
                          "current", current, "default", def, "current_has_data", has_current,
                          "fallback", def != current);
    json_object_set_new(
        o, "message",
        def != current
            ? json_string(arena_printf(r->a, "%d年尚无数据，显示最近有数据的 %d年", current, def))
            : json_null());
    reply_json(r, 200, o);
}

void stats_routes_register(void)
{
    http_route("GET", "/api/v1/stats", h_stats, 0, NULL);
    http_route("GET", "/api/v1/stats/figures", h_figures, 0, NULL);
    http_route("GET", "/api/v1/stats/years", h_years, 0, NULL);
    http_route("GET", "/api/v1/stats/export.xlsx", h_stats_xlsx, ROUTE_LONG, NULL);
}
