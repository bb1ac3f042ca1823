/* stats: the year's figures (see stats.h). Every figure is one aggregate
 * query over the region's code range, so the cost follows the indexes on
 * (region, date) and not the number of regions; the per-child breakdown is
 * the same query grouped by the child's code prefix. */
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
 * pfrom, pto, asof) and, when group > 0, $8 = the prefix length; calls row
 * for each result row. */
typedef int (*row_fn)(void *ctx, db_stmt *s);

static int run(db_conn *c, const char *sql, const struct span *sp, int group, row_fn row, void *ctx)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c);
    const char *p[] = {sp->lo, sp->hi, sp->from, sp->to, sp->pfrom, sp->pto, sp->asof};
    for (int i = 0; i < 7; i++)
        db_bind_text(s, i + 1, p[i]);
    if (group > 0)
        db_bind_int(s, 8, group);
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

/* ---- grouped counts labelled from a dictionary, in the dictionary's order ---- */

struct group_ctx {
    json_t *rows; /* [[code, count, extra], …] */
};

static int group_row(void *ctx, db_stmt *s)
{
    struct group_ctx *g = ctx;
    const char *code = db_col_text(s, 0);
    json_t *row = json_pack("[s, I, I]", code ? code : "", (json_int_t)db_col_int(s, 1),
                            (json_int_t)(db_col_count(s) > 2 ? db_col_int(s, 2) : 0));
    json_array_append_new(g->rows, row);
    return 0;
}

/* rows of [code, count, extra] become [{"code","label","count"(,extra_name)}]
 * ordered as the dictionary lists its items; unknown codes (an older
 * dictionary version) follow, by code. */
static json_t *labelled(db_conn *c, const char *dict, json_t *rows, const char *extra_name)
{
    json_t *out = json_array();
    char *used = xcalloc(json_array_size(rows) + 1, 1);
    db_stmt *s = db_prepare(c, "SELECT i.code, i.label FROM dict_items i JOIN dicts d ON d.name "
                               "= i.dict AND d.version = i.version WHERE i.dict = $1 "
                               "ORDER BY i.sort, i.code");
    if (s) {
        db_bind_text(s, 1, dict);
        while (db_step(s) == DB_ROW) {
            const char *code = db_col_text(s, 0);
            for (size_t k = 0; k < json_array_size(rows); k++) {
                json_t *row = json_array_get(rows, k);
                if (used[k] || strcmp(json_string_value(json_array_get(row, 0)), code) != 0)
                    continue;
                used[k] = 1;
                json_t *item = json_pack("{s:s, s:s, s:O}", "code", code, "label",
                                         db_col_text(s, 1), "count", json_array_get(row, 1));
                if (extra_name)
                    json_object_set(item, extra_name, json_array_get(row, 2));
                json_array_append_new(out, item);
            }
        }
        db_done(s);
    }
    for (size_t k = 0; k < json_array_size(rows); k++) {
        if (used[k])
            continue;
        json_t *row = json_array_get(rows, k);
        json_t *item = json_pack("{s:O, s:O, s:O}", "code", json_array_get(row, 0), "label",
                                 json_array_get(row, 0), "count", json_array_get(row, 1));
        if (extra_name)
            json_object_set(item, extra_name, json_array_get(row, 2));
        json_array_append_new(out, item);
    }
    free(used);
    return out;
}

static int grouped(db_conn *c, const char *sql, const struct span *sp, const char *dict,
                   const char *extra_name, json_t *into, const char *key)
{
    struct group_ctx g = {json_array()};
    int st = run(c, sql, sp, 0, group_row, &g);
    if (st == DB_OK)
        json_object_set_new(into, key, labelled(c, dict, g.rows, extra_name));
    json_decref(g.rows);
    return st;
}

/* ---- twelve months ---- */

static int month_row(void *ctx, db_stmt *s)
{
    const char *m = db_col_text(s, 0);
    int k = m ? atoi(m) : 0;
    if (k >= 1 && k <= 12)
        json_array_set_new(ctx, (size_t)k - 1, json_integer(db_col_int(s, 1)));
    return 0;
}

static int by_month(db_conn *c, const char *sql, const struct span *sp, json_t *into)
{
    json_t *months = json_array();
    for (int i = 0; i < 12; i++)
        json_array_append_new(months, json_integer(0));
    int st = run(c, sql, sp, 0, month_row, months);
    json_object_set_new(into, "by_month", months);
    return st;
}

/* ---- the per-child breakdown ---- */

struct child_ctx {
    json_t *children; /* [{code, …}] ordered by code */
    int prefix;
    const char *const *names;
};

static int child_row(void *ctx, db_stmt *s)
{
    struct child_ctx *cc = ctx;
    const char *p = db_col_text(s, 0);
    if (!p)
        return 0;
    size_t i;
    json_t *ch;
    json_array_foreach(cc->children, i, ch)
    {
        const char *code = json_string_value(json_object_get(ch, "code"));
        if (strncmp(code, p, (size_t)cc->prefix) == 0 && strlen(p) == (size_t)cc->prefix) {
            put_cols(ch, cc->names, s, 1);
            break;
        }
    }
    return 0;
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

/* Fills every child with zeros for names first: a child without records is
 * a row of zeros, not a row of holes. */
static int children_fill(db_conn *c, const char *sql, const struct span *sp, json_t *children,
                         int prefix, const char *const *names)
{
    size_t i;
    json_t *ch;
    json_array_foreach(children, i, ch) for (int k = 0; names[k]; k++)
        json_object_set_new(ch, names[k], is_hours(names[k]) ? json_real(0) : json_integer(0));
    struct child_ctx cc = {children, prefix, names};
    return run(c, sql, sp, prefix, child_row, &cc);
}

/* ---- the queries ---- */

#define SCOPE          " WHERE deleted_at IS NULL AND region >= $1 AND region < $2"
#define GROUP_BY_CHILD " GROUP BY substr(region, 1, $8)"

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

struct section {
    const char *name; /* "hazards" */
    const char *perm; /* "hazard:read" */
    const char *total_sql, *child_sql;
    const char *const *names, *const *child_names;
};

static const struct section sections[] = {
    {"hazards", "hazard:read", "SELECT " HAZARD_COLS "FROM hazards" SCOPE,
     "SELECT substr(region, 1, $8), " HAZARD_COLS "FROM hazards" SCOPE GROUP_BY_CHILD, hazard_names,
     hazard_child_names},
    {"activities", "activity:read", "SELECT " ACTIVITY_COLS "FROM activities" SCOPE ALL_PARAMS,
     "SELECT substr(region, 1, $8), " ACTIVITY_COLS
     "FROM activities" SCOPE ALL_PARAMS GROUP_BY_CHILD,
     activity_names, activity_child_names},
    {"inspections", "inspection:read",
     "SELECT " INSPECTION_COLS "FROM inspections" SCOPE ALL_PARAMS,
     "SELECT substr(region, 1, $8), " INSPECTION_COLS
     "FROM inspections" SCOPE ALL_PARAMS GROUP_BY_CHILD,
     inspection_names, inspection_child_names},
    {"volunteers", "volunteer:read", "SELECT " VOLUNTEER_COLS "FROM volunteers" SCOPE,
     "SELECT substr(region, 1, $8), " VOLUNTEER_COLS "FROM volunteers" SCOPE GROUP_BY_CHILD,
     volunteer_names, volunteer_child_names},
    {"units", "unit:read",
     "SELECT count(*), COALESCE(SUM(CASE WHEN key_unit = 1 THEN 1 ELSE 0 END), 0) FROM units" SCOPE
         ALL_PARAMS,
     NULL, (const char *const[]){"total", "key", NULL}, NULL},
    {"care", "care:read", "SELECT count(*) FROM care_households" SCOPE ALL_PARAMS, NULL,
     (const char *const[]){"total", NULL}, NULL},
};

static int section_extras(db_conn *c, const struct section *sec, const struct span *sp, json_t *obj)
{
    int st = DB_OK;
    if (strcmp(sec->name, "hazards") == 0) {
        st = grouped(c,
                     "SELECT grade, count(*) FROM hazards" SCOPE
                     " AND found_at >= $3 AND found_at <= $4" ALL_PARAMS " GROUP BY grade",
                     sp, "hazard_grade", NULL, obj, "by_grade");
        if (st == DB_OK)
            st = grouped(c,
                         "SELECT domain, count(*) FROM hazards" SCOPE
                         " AND found_at >= $3 AND found_at <= $4" ALL_PARAMS " GROUP BY domain",
                         sp, "hazard_domain", NULL, obj, "by_domain");
        if (st == DB_OK)
            st = by_month(c,
                          "SELECT substr(found_at, 6, 2), count(*) FROM hazards" SCOPE
                          " AND found_at >= $3 AND found_at <= $4" ALL_PARAMS
                          " GROUP BY substr(found_at, 6, 2)",
                          sp, obj);
        json_int_t found = json_integer_value(json_object_get(obj, "found"));
        json_int_t closed = json_integer_value(json_object_get(obj, "closed"));
        json_int_t on_time = json_integer_value(json_object_get(obj, "closed_on_time"));
        json_object_set_new(obj, "rectification_rate", json_real(ratio(closed, found)));
        json_object_set_new(obj, "on_time_rate", json_real(ratio(on_time, closed)));
    } else if (strcmp(sec->name, "activities") == 0) {
        st = grouped(c,
                     "SELECT kind, count(*), COALESCE(SUM(participants), 0) FROM activities" SCOPE
                     " AND held_on >= $3 AND held_on <= $4" ALL_PARAMS " GROUP BY kind",
                     sp, "activity_kind", "participants", obj, "by_kind");
        if (st == DB_OK)
            st = by_month(c,
                          "SELECT substr(held_on, 6, 2), count(*) FROM activities" SCOPE
                          " AND held_on >= $3 AND held_on <= $4" ALL_PARAMS
                          " GROUP BY substr(held_on, 6, 2)",
                          sp, obj);
    } else if (strcmp(sec->name, "inspections") == 0) {
        st = grouped(c,
                     "SELECT kind, count(*) FROM inspections" SCOPE
                     " AND held_on >= $3 AND held_on <= $4" ALL_PARAMS " GROUP BY kind",
                     sp, "inspection_kind", NULL, obj, "by_kind");
    } else if (strcmp(sec->name, "volunteers") == 0) {
        struct obj_ctx o = {obj, (const char *const[]){"teams", NULL}};
        st = run(c,
                 "SELECT count(DISTINCT team) FROM volunteers" SCOPE
                 " AND team IS NOT NULL AND team <> '' AND (joined_on IS NULL OR joined_on <= $7)"
                 " AND CAST($3 AS TEXT) IS NOT NULL AND CAST($4 AS TEXT) IS NOT NULL AND "
                 "CAST($5 AS TEXT) IS NOT NULL AND CAST($6 AS TEXT) IS NOT NULL",
                 sp, 0, obj_row, &o);
    } else if (strcmp(sec->name, "care") == 0) {
        st = grouped(c,
                     "SELECT kind, count(*) FROM care_households" SCOPE ALL_PARAMS " GROUP BY kind",
                     sp, "care_kind", NULL, obj, "by_kind");
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
    json_t *children = json_array();
    int prefix = child_prefix(region_level_of(region));
    if (prefix)
        st = children_load(c, region, children);
    for (size_t i = 0; st == DB_OK && i < sizeof sections / sizeof sections[0]; i++) {
        const struct section *sec = &sections[i];
        if (!authz_has(user, sec->perm))
            continue;
        json_t *obj = json_object();
        struct obj_ctx o = {obj, sec->names};
        st = run(c, sec->total_sql, &sp, 0, obj_row, &o);
        if (st == DB_OK)
            st = section_extras(c, sec, &sp, obj);
        if (st == DB_OK && sec->child_sql && json_array_size(children))
            st = children_fill(c, sec->child_sql, &sp, children, prefix, sec->child_names);
        json_object_set_new(res, sec->name, obj);
        json_array_append_new(json_object_get(res, "sections"), json_string(sec->name));
    }
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
    *year = atoi(today);
    if (y) {
        char *end;
        long v = strtol(y, &end, 10);
        if (!*y || *end || v < 1949 || v > 2100) {
            reply_error(r, 400, "bad_request", "year 必须是 1949 到 2100 之间的年份",
                        json_pack("{s:s}", "year", "必须是 1949 到 2100 之间的年份"));
            return -1;
        }
        *year = (int)v;
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

static const struct {
    const char *key, *label;
} child_cols[] = {
    {"hazards_found", "发现隐患"},  {"hazards_closed", "销号"},  {"rectification_rate", "整改率"},
    {"overdue_at_end", "逾期未改"}, {"inspections", "排查检查"}, {"activities", "宣传培训活动"},
    {"participants", "参与人次"},   {"volunteers", "志愿者"},
};

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
    const char *head[2 + sizeof child_cols / sizeof child_cols[0]];
    int widths[2 + sizeof child_cols / sizeof child_cols[0]];
    int ncols = 2;
    head[0] = "项目";
    head[1] = arena_printf(r->a, "%s %d 年", rname, year);
    widths[0] = 24;
    widths[1] = 16;
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
        for (size_t k = 0; k < sizeof child_cols / sizeof child_cols[0]; k++)
            if (json_object_get(first, child_cols[k].key))
                sheetw_text(w, row, col++, child_cols[k].label);
        ncols = col;
        row++;
        size_t i;
        json_t *ch;
        json_array_foreach(children, i, ch)
        {
            sheetw_text(w, row, 0, json_string_value(json_object_get(ch, "name")));
            col = 1;
            for (size_t k = 0; k < sizeof child_cols / sizeof child_cols[0]; k++) {
                json_t *v = json_object_get(ch, child_cols[k].key);
                if (v)
                    sheet_value(w, row, col++, v);
            }
            row++;
        }
    }
    (void)ncols;
    if (sheetw_close(w, &err) != 0) {
        unlink(path);
        reply_error(r, 500, "internal", err ? err : "无法生成统计表", NULL);
        free(err);
        return;
    }
    reply_temp_file(r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    arena_printf(r->a, "stats-%s-%d.xlsx", region, year));
}

void stats_routes_register(void)
{
    http_route("GET", "/api/v1/stats", h_stats, 0, NULL);
    http_route("GET", "/api/v1/stats/export.xlsx", h_stats_xlsx, 0, NULL);
}
