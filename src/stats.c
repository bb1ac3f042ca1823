/* stats: the year's figures (see stats.h). Each section is one aggregate
 * query over the region's code range grouped by region code: its groups sum
 * to the region's totals and, by code prefix, to each child's row. The cost
 * follows the covering indexes of migration 0009, not the number of
 * regions. */
#include "stats.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "authz.h"
#include "dict.h"
#include "http.h"
#include "region.h"
#include "sheetw.h"
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

/* ---- one row of named integer columns into an object ---- */

struct obj_ctx {
    json_t *obj;
    const char *const *names; /* NULL-terminated, one per column */
};

/* Hours are the one figure that is not a count. */
static int is_hours(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcmp(name + n - 5, "hours") == 0;
}

static void put_cols(json_t *obj, const char *const *names, db_stmt *s, int first)
{
    for (int i = 0; names[i]; i++) {
        if (is_hours(names[i]))
            json_object_set_new(obj, names[i],
                                json_real(stats_round(db_col_double(s, first + i), 1)));
        else
            json_object_set_new(obj, names[i], json_integer(db_col_int(s, first + i)));
    }
}

static int obj_row(void *ctx, db_stmt *s)
{
    struct obj_ctx *o = ctx;
    put_cols(o->obj, o->names, s, 0);
    return 0;
}

/* ---- counts by dictionary code and by month, from one grouped scan ---- */

/* A grouped query's rows are (key 0, …, key n-1, count[, extra]); each key
 * column is summed on its own into a list of [code, count, extra] (or, for
 * the month key, into 12 counts). One scan grouped by (grade, domain, month)
 * gives the three breakdowns that three scans would. */
#define CUBE_KEYS 3
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
    json_object_set_new(into, key, out);
}

/* ---- the per-child breakdown ---- */

struct child_ctx {
    json_t *children; /* [{code, …}] ordered by code */
    int prefix;
    const char *const *names; /* the children's names of the columns */
    json_t *totals;           /* the section: every group adds to it */
    const char *const *totals_names;
};

static void add_cols(json_t *obj, const char *const *names, db_stmt *s, int first)
{
    for (int i = 0; names[i]; i++) {
        json_t *v = json_object_get(obj, names[i]);
        if (is_hours(names[i]))
            json_object_set_new(obj, names[i],
                                json_real(json_real_value(v) + db_col_double(s, first + i)));
        else
            json_object_set_new(obj, names[i],
                                json_integer(json_integer_value(v) + db_col_int(s, first + i)));
    }
}

/* A group is a child's prefix (or the region itself, or a code between the
 * levels): all groups add up to the region's totals, and a child's group is
 * its row. */
static int child_row(void *ctx, db_stmt *s)
{
    struct child_ctx *cc = ctx;
    add_cols(cc->totals, cc->totals_names, s, 1);
    const char *p = db_col_text(s, 0);
    if (!p || strlen(p) < (size_t)cc->prefix)
        return 0;
    size_t i;
    json_t *ch;
    json_array_foreach(cc->children, i, ch)
    {
        const char *code = json_string_value(json_object_get(ch, "code"));
        if (strncmp(code, p, (size_t)cc->prefix) == 0) {
            add_cols(ch, cc->names, s, 1);
            break;
        }
    }
    return 0;
}

static void zero_cols(json_t *obj, const char *const *names)
{
    for (int k = 0; names[k]; k++)
        json_object_set_new(obj, names[k], is_hours(names[k]) ? json_real(0) : json_integer(0));
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

/* ---- the queries ---- */

#define SCOPE " WHERE deleted_at IS NULL AND region >= $1 AND region < $2"
/* Grouped by the full code, which the indexes hold in order: SQLite then
 * streams the groups instead of sorting the rows by a prefix (0.12 s
 * against 0.23 s for a county of 100,000 hazards); the prefixes are summed
 * in C. */
#define GROUP_BY_CHILD " GROUP BY region"

/* Hazards: found in the year (and the year before), closed by the as-at day,
 * closed by the deadline, open and overdue at the as-at day (whatever year
 * they were found in: the backlog), supervised and listed during the year. */
#define HAZARD_COLS                                                                                \
    "COALESCE(SUM(CASE WHEN found_at >= $3 AND found_at <= $4 THEN 1 ELSE 0 END), 0), "            \
    "COALESCE(SUM(CASE WHEN found_at >= $5 AND found_at <= $6 THEN 1 ELSE 0 END), 0), "            \
    "COALESCE(SUM(CASE WHEN found_at >= $3 AND found_at <= $4 AND state = 'closed' AND "           \
    "closed_on <= $7 THEN 1 ELSE 0 END), 0), "                                                     \
    "COALESCE(SUM(CASE WHEN found_at >= $3 AND found_at <= $4 AND state = 'closed' AND "           \
    "closed_on <= $7 AND closed_on <= deadline THEN 1 ELSE 0 END), 0), "                           \
    "COALESCE(SUM(CASE WHEN found_at <= $7 AND (state <> 'closed' OR closed_on > $7) THEN 1 "      \
    "ELSE 0 END), 0), "                                                                            \
    "COALESCE(SUM(CASE WHEN found_at <= $7 AND (state <> 'closed' OR closed_on > $7) AND "         \
    "deadline < $7 THEN 1 ELSE 0 END), 0), "                                                       \
    "COALESCE(SUM(CASE WHEN supervised_on >= $3 AND supervised_on <= $4 THEN 1 ELSE 0 END), 0), "  \
    "COALESCE(SUM(CASE WHEN listed_on >= $3 AND listed_on <= $4 THEN 1 ELSE 0 END), 0), "          \
    "COALESCE(SUM(CASE WHEN found_at >= $3 AND found_at <= $4 AND grade = 'major' THEN 1 ELSE 0 "  \
    "END), 0), "                                                                                   \
    "COALESCE(SUM(CASE WHEN found_at >= $3 AND found_at <= $4 AND grade = 'major' AND state = "    \
    "'closed' AND closed_on <= $7 THEN 1 ELSE 0 END), 0) "
static const char *const hazard_names[] = {
    "found",      "found_prev", "closed", "closed_on_time", "open_at_end", "overdue_at_end",
    "supervised", "listed",     "major",  "major_closed",   NULL};
static const char *const hazard_child_names[] = {"hazards_found",
                                                 "hazards_found_prev",
                                                 "hazards_closed",
                                                 "hazards_closed_on_time",
                                                 "hazards_open_at_end",
                                                 "overdue_at_end",
                                                 "hazards_supervised",
                                                 "hazards_listed",
                                                 "hazards_major",
                                                 "hazards_major_closed",
                                                 NULL};

#define ACTIVITY_COLS                                                                              \
    "COALESCE(SUM(CASE WHEN held_on >= $3 AND held_on <= $4 THEN 1 ELSE 0 END), 0), "              \
    "COALESCE(SUM(CASE WHEN held_on >= $5 AND held_on <= $6 THEN 1 ELSE 0 END), 0), "              \
    "COALESCE(SUM(CASE WHEN held_on >= $3 AND held_on <= $4 THEN COALESCE(participants, 0) ELSE "  \
    "0 END), 0), "                                                                                 \
    "COALESCE(SUM(CASE WHEN held_on >= $5 AND held_on <= $6 THEN COALESCE(participants, 0) ELSE "  \
    "0 END), 0) "
static const char *const activity_names[] = {"count", "count_prev", "participants",
                                             "participants_prev", NULL};
static const char *const activity_child_names[] = {"activities", "activities_prev", "participants",
                                                   "participants_prev", NULL};

/* Volunteers on the books at the as-at day; joined during the year. */
#define VOLUNTEER_COLS                                                                             \
    "COALESCE(SUM(CASE WHEN joined_on IS NULL OR joined_on <= $7 THEN 1 ELSE 0 END), 0), "         \
    "COALESCE(SUM(CASE WHEN joined_on >= $3 AND joined_on <= $4 THEN 1 ELSE 0 END), 0), "          \
    "COALESCE(SUM(CASE WHEN joined_on >= $5 AND joined_on <= $6 THEN 1 ELSE 0 END), 0), "          \
    "COALESCE(SUM(CASE WHEN joined_on IS NULL OR joined_on <= $7 THEN COALESCE(hours, 0) ELSE "    \
    "0 END), 0) "
static const char *const volunteer_names[] = {"total", "new", "new_prev", "hours", NULL};
static const char *const volunteer_child_names[] = {"volunteers", "volunteers_new",
                                                    "volunteers_new_prev", "volunteer_hours", NULL};

#define INSPECTION_COLS                                                                            \
    "COALESCE(SUM(CASE WHEN held_on >= $3 AND held_on <= $4 THEN 1 ELSE 0 END), 0), "              \
    "COALESCE(SUM(CASE WHEN held_on >= $5 AND held_on <= $6 THEN 1 ELSE 0 END), 0) "
static const char *const inspection_names[] = {"count", "count_prev", NULL};
static const char *const inspection_child_names[] = {"inspections", "inspections_prev", NULL};

/* run() binds $1..$7 to every statement, and PostgreSQL refuses a bind
 * that supplies parameters a statement does not use (SQLite, one out of
 * range): a statement that needs only some of them mentions the rest in a
 * condition that is always true. */
#define ALL_PARAMS                                                                                 \
    " AND CAST($3 AS TEXT) IS NOT NULL AND CAST($4 AS TEXT) IS NOT NULL AND "                      \
    "CAST($5 AS TEXT) IS NOT NULL AND CAST($6 AS TEXT) IS NOT NULL AND "                           \
    "CAST($7 AS TEXT) IS NOT NULL"

/* A section of the figures, declared once: its totals (total_sql, one row),
 * or its per-region groups (child_sql) that sum to the totals and to each
 * child's row; then its breakdown (cube_sql: grouped by up to three key
 * columns, each summed into a list labelled from its dictionary, or, where
 * the dictionary is NULL, into twelve months); then more_sql, one more row of
 * figures. */
struct section {
    const char *name; /* "hazards" */
    const char *perm; /* "hazard:read" */
    const char *total_sql, *child_sql;
    const char *const *names, *const *child_names;
    const char *cube_sql;
    const char *cube_dicts[CUBE_KEYS]; /* per key column; NULL: the month */
    const char *cube_out[CUBE_KEYS];   /* the list's name: "by_grade" */
    const char *cube_extra;            /* a summed column after the count */
    const char *more_sql;
    const char *const *more_names;
};

#define BY_YEAR(col) " AND " col " >= $3 AND " col " <= $4" ALL_PARAMS

static const struct section sections[] = {
    {
        .name = "hazards",
        .perm = "hazard:read",
        .child_sql = "SELECT region, " HAZARD_COLS "FROM hazards" SCOPE GROUP_BY_CHILD,
        .names = hazard_names,
        .child_names = hazard_child_names,
        .cube_sql =
            "SELECT grade, domain, substr(found_at, 6, 2), count(*) FROM hazards" SCOPE BY_YEAR(
                "found_at") " GROUP BY grade, domain, substr(found_at, 6, 2)"
                            " ORDER BY grade, domain, substr(found_at, 6, 2)",
        .cube_dicts = {"hazard_grade", "hazard_domain", NULL},
        .cube_out = {"by_grade", "by_domain", "by_month"},
    },
    {
        .name = "activities",
        .perm = "activity:read",
        .child_sql =
            "SELECT region, " ACTIVITY_COLS "FROM activities" SCOPE ALL_PARAMS GROUP_BY_CHILD,
        .names = activity_names,
        .child_names = activity_child_names,
        .cube_sql =
            "SELECT kind, substr(held_on, 6, 2), count(*), COALESCE(SUM(participants), 0) "
            "FROM activities" SCOPE BY_YEAR("held_on") " GROUP BY kind, substr(held_on, 6, 2) "
                                                       "ORDER BY kind, substr(held_on, 6, 2)",
        .cube_dicts = {"activity_kind", NULL},
        .cube_out = {"by_kind", "by_month"},
        .cube_extra = "participants",
    },
    {
        .name = "inspections",
        .perm = "inspection:read",
        .child_sql =
            "SELECT region, " INSPECTION_COLS "FROM inspections" SCOPE ALL_PARAMS GROUP_BY_CHILD,
        .names = inspection_names,
        .child_names = inspection_child_names,
        .cube_sql = "SELECT kind, count(*) FROM inspections" SCOPE BY_YEAR(
            "held_on") " GROUP BY kind ORDER BY kind",
        .cube_dicts = {"inspection_kind"},
        .cube_out = {"by_kind"},
    },
    {
        .name = "volunteers",
        .perm = "volunteer:read",
        .child_sql = "SELECT region, " VOLUNTEER_COLS "FROM volunteers" SCOPE GROUP_BY_CHILD,
        .names = volunteer_names,
        .child_names = volunteer_child_names,
        .more_sql = "SELECT count(DISTINCT team) FROM volunteers" SCOPE
                    " AND team IS NOT NULL AND team <> '' AND (joined_on IS NULL OR joined_on <= "
                    "$7)" ALL_PARAMS,
        .more_names = (const char *const[]){"teams", NULL},
    },
    {
        .name = "units",
        .perm = "unit:read",
        .total_sql = "SELECT count(*), COALESCE(SUM(CASE WHEN key_unit = 1 THEN 1 ELSE 0 END), 0) "
                     "FROM units" SCOPE ALL_PARAMS,
        .names = (const char *const[]){"total", "key", NULL},
    },
    {
        .name = "care",
        .perm = "care:read",
        .total_sql = "SELECT count(*) FROM care_households" SCOPE ALL_PARAMS,
        .names = (const char *const[]){"total", NULL},
        .cube_sql = "SELECT kind, count(*) FROM care_households" SCOPE ALL_PARAMS
                    " GROUP BY kind ORDER BY kind",
        .cube_dicts = {"care_kind"},
        .cube_out = {"by_kind"},
    },
};

/* Hours were summed as doubles per group: one rounding at the end. */
static void round_hours(json_t *obj, const char *const *names)
{
    for (int k = 0; names[k]; k++)
        if (is_hours(names[k]))
            json_object_set_new(
                obj, names[k],
                json_real(stats_round(json_real_value(json_object_get(obj, names[k])), 1)));
}

/* The section's totals and its children's rows from one scan grouped by
 * region code, matched to a child by its code prefix (a region without
 * children matches none). Every child starts at zero: a child without
 * records is a row of zeros. */
static int section_scan(db_conn *c, const struct section *sec, const struct span *sp,
                        json_t *children, int prefix, json_t *obj)
{
    zero_cols(obj, sec->names);
    size_t i;
    for (i = 0; i < json_array_size(children); i++)
        zero_cols(json_array_get(children, i), sec->child_names);
    struct child_ctx cc = {children, prefix ? prefix : 15, sec->child_names, obj, sec->names};
    int st = run(c, sec->child_sql, sp, child_row, &cc);
    round_hours(obj, sec->names);
    for (i = 0; i < json_array_size(children); i++)
        round_hours(json_array_get(children, i), sec->child_names);
    return st;
}

static int section_extras(db_conn *c, struct dict_cache *dc, const struct section *sec,
                          const struct span *sp, json_t *obj)
{
    int st = DB_OK;
    if (sec->cube_sql) {
        int nkeys = 0, month_key = -1;
        while (nkeys < CUBE_KEYS && sec->cube_out[nkeys]) {
            if (!sec->cube_dicts[nkeys])
                month_key = nkeys;
            nkeys++;
        }
        struct cube q;
        cube_init(&q, nkeys, month_key);
        st = run(c, sec->cube_sql, sp, cube_row, &q);
        for (int k = 0; st == DB_OK && k < nkeys; k++) {
            if (k == month_key)
                json_object_set(obj, sec->cube_out[k], q.months);
            else
                labelled(dc, sec->cube_dicts[k], q.lists[k], sec->cube_extra, obj,
                         sec->cube_out[k]);
        }
        cube_free(&q);
    }
    if (st == DB_OK && sec->more_sql) {
        struct obj_ctx o = {obj, sec->more_names};
        st = run(c, sec->more_sql, sp, obj_row, &o);
    }
    if (strcmp(sec->name, "hazards") == 0) {
        json_int_t found = json_integer_value(json_object_get(obj, "found"));
        json_int_t closed = json_integer_value(json_object_get(obj, "closed"));
        json_int_t on_time = json_integer_value(json_object_get(obj, "closed_on_time"));
        json_object_set_new(obj, "rectification_rate", json_real(ratio(closed, found)));
        json_object_set_new(obj, "on_time_rate", json_real(ratio(on_time, closed)));
    }
    return st;
}

/* Child rates follow from the child's counts, like the region's. */
static void children_rates(json_t *children)
{
    size_t i;
    json_t *ch;
    json_array_foreach(children, i, ch)
    {
        json_t *f = json_object_get(ch, "hazards_found");
        if (!f)
            continue;
        json_int_t closed = json_integer_value(json_object_get(ch, "hazards_closed"));
        json_object_set_new(ch, "rectification_rate",
                            json_real(ratio(closed, json_integer_value(f))));
    }
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

int stats_compute(db_conn *c, const struct user *user, const char *region, int year,
                  const char *today, json_t **out)
{
    *out = NULL;
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
    for (size_t i = 0; st == DB_OK && i < sizeof sections / sizeof sections[0]; i++) {
        const struct section *sec = &sections[i];
        if (!authz_has(user, sec->perm))
            continue;
        json_t *obj = json_object();
        if (sec->child_sql) {
            st = section_scan(c, sec, &sp, children, prefix, obj);
        } else {
            struct obj_ctx o = {obj, sec->names};
            st = run(c, sec->total_sql, &sp, obj_row, &o);
        }
        if (st == DB_OK)
            st = section_extras(c, dc, sec, &sp, obj);
        json_object_set_new(res, sec->name, obj);
        json_array_append_new(json_object_get(res, "sections"), json_string(sec->name));
    }
    arena_free(a);
    children_rates(children);
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

static void h_stats(req *r)
{
    const char *region;
    int year;
    json_t *s;
    if (stats_for_request(r, &region, &year, &s) == 0)
        reply_json(r, 200, s);
}

/* ---- Excel: the figures, then one row per child region ---- */

static const struct {
    const char *section, *key, *label;
} figures[] = {
    {"hazards", "found", "排查发现隐患（项）"},
    {"hazards", "found_prev", "上年发现隐患（项）"},
    {"hazards", "closed", "整改销号（项）"},
    {"hazards", "closed_on_time", "按期销号（项）"},
    {"hazards", "rectification_rate", "整改率"},
    {"hazards", "on_time_rate", "按期整改率"},
    {"hazards", "open_at_end", "期末未销号隐患（项）"},
    {"hazards", "overdue_at_end", "期末逾期未整改（项）"},
    {"hazards", "major", "重大隐患（项）"},
    {"hazards", "major_closed", "重大隐患销号（项）"},
    {"hazards", "supervised", "督办（项）"},
    {"hazards", "listed", "挂牌督办（项）"},
    {"inspections", "count", "排查检查（次）"},
    {"inspections", "count_prev", "上年排查检查（次）"},
    {"activities", "count", "宣传培训活动（场）"},
    {"activities", "count_prev", "上年宣传培训活动（场）"},
    {"activities", "participants", "参与人次"},
    {"activities", "participants_prev", "上年参与人次"},
    {"volunteers", "total", "志愿者（人）"},
    {"volunteers", "new", "本年新增志愿者（人）"},
    {"volunteers", "teams", "志愿者队伍（支）"},
    {"volunteers", "hours", "志愿服务时长（小时）"},
    {"units", "total", "登记单位（家）"},
    {"units", "key", "重点单位（家）"},
    {"care", "total", "关爱对象（户）"},
};

const struct stats_column stats_child_columns[] = {
    {"hazards_found", "发现隐患"},    {"hazards_closed", "整改销号"},
    {"rectification_rate", "整改率"}, {"overdue_at_end", "逾期未改"},
    {"inspections", "安全检查"},      {"activities", "宣传培训"},
    {"participants", "参与人次"},     {"volunteers", "志愿者"},
};
const int stats_child_ncolumns = sizeof stats_child_columns / sizeof stats_child_columns[0];

static void sheet_value(struct sheetw *w, int row, int col, json_t *v)
{
    if (json_is_number(v))
        sheetw_number(w, row, col, json_number_value(v));
    else if (json_is_string(v))
        sheetw_text(w, row, col, json_string_value(v));
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
    const char *head[2] = {"项目", arena_printf(r->a, "%s %d 年", rname, year)};
    static const int widths[2] = {24, 16};
    sheetw_header(w, 2, head, widths);
    int row = 1;
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        json_t *v = json_object_get(json_object_get(s, figures[i].section), figures[i].key);
        if (!v)
            continue;
        sheetw_text(w, row, 0, figures[i].label);
        sheet_value(w, row, 1, v);
        row++;
    }
    /* The breakdown follows on the same sheet after a blank row, with its
     * own header: one sheet is what a county office forwards. */
    json_t *children = json_object_get(s, "children");
    if (json_array_size(children)) {
        row++;
        sheetw_text(w, row, 0, "下级区域");
        json_t *first = json_array_get(children, 0);
        int col = 1;
        for (int k = 0; k < stats_child_ncolumns; k++)
            if (json_object_get(first, stats_child_columns[k].key))
                sheetw_text(w, row, col++, stats_child_columns[k].label);
        row++;
        size_t i;
        json_t *ch;
        json_array_foreach(children, i, ch)
        {
            sheetw_text(w, row, 0, json_string_value(json_object_get(ch, "name")));
            col = 1;
            for (int k = 0; k < stats_child_ncolumns; k++) {
                json_t *v = json_object_get(ch, stats_child_columns[k].key);
                if (v)
                    sheet_value(w, row, col++, v);
            }
            row++;
        }
    }
    if (sheetw_close(w, &err) != 0) {
        unlink(path);
        reply_error(r, 500, "internal", err ? err : "无法生成统计表", NULL);
        free(err);
        return;
    }
    reply_temp_file(r, path, XLSX_MIME, arena_printf(r->a, "stats-%s-%d.xlsx", region, year));
}

void stats_routes_register(void)
{
    http_route("GET", "/api/v1/stats", h_stats, 0, NULL);
    http_route("GET", "/api/v1/stats/export.xlsx", h_stats_xlsx, 0, NULL);
}
