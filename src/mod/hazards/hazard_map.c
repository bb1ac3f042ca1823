/* hazard_map: GET /api/v1/hazards/map, the hazards of a region that have
 * coordinates, drawn over the region boundaries (boundary.c). Overdue is the
 * hazards entity's own derived field, so the map and the list never
 * disagree. */
#include "hazard.h"

#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "boundary.h"
#include "entity.h"
#include "http.h"
#include "auth.h"
#include "region.h"
#include "util.h"

#define HAZARD_MAP_MAX 5000

struct hm_query {
    req *r;
    const char *bad;
};

static int hm_key(void *ctx, const char *key, const char *value)
{
    static const char *const keys[] = {"region", "state",   "grade",
                                       "domain", "overdue", "supervised"};
    struct hm_query *q = ctx;
    (void)value;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return 0;
    q->bad = arena_strdup(q->r->a, key);
    return 1;
}

/* "true"/"false" (or 1/0) into "1"/"0"; NULL when absent; "" when invalid. */
static const char *bool_param(req *r, const char *name)
{
    const char *v = req_query(r, name);
    if (!v)
        return NULL;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        return "1";
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        return "0";
    return "";
}

/* sql with its "$T" (today, in the entity's derived fields) as $3. */
static const char *with_today_param(arena *a, const char *sql)
{
    const char *t = strstr(sql, "$T");
    return t ? arena_printf(a, "%.*s$3%s", (int)(t - sql), sql, t + 2) : sql;
}

static void h_hazard_map(req *r)
{
    struct hm_query q = {r, NULL};
    req_query_each(r, hm_key, &q);
    if (q.bad) {
        reply_error(r, 400, "bad_request", arena_printf(r->a, "未知的查询参数：%s", q.bad), NULL);
        return;
    }
    const char *region = boundary_map_region(r, "hazard:read");
    if (!region)
        return;
    const char *state = req_query(r, "state"), *grade = req_query(r, "grade"),
               *domain = req_query(r, "domain");
    const char *overdue = bool_param(r, "overdue"), *supervised = bool_param(r, "supervised");
    int known = !state;
    for (int i = 0; i < hazard_nstates && !known; i++)
        known = strcmp(state, hazard_states[i]) == 0;
    if (!known) {
        reply_error(r, 400, "bad_request", "state 必须是隐患状态之一", NULL);
        return;
    }
    if ((overdue && !*overdue) || (supervised && !*supervised)) {
        reply_error(r, 400, "bad_request", "overdue 和 supervised 必须是 true 或 false", NULL);
        return;
    }
    /* Overdue is the entity's own derived field, so the map and the list
     * never disagree: its expression for the marker, and for the filter its
     * sargable predicates (the index hazards_open serves "true"), as the
     * list uses them. Their "$T" becomes parameter $3. */
    const struct entity *e = entity_find("hazards");
    const struct derived *dv = NULL;
    for (int i = 0; i < e->nderived; i++)
        if (strcmp(e->derived[i].f.name, "overdue") == 0)
            dv = &e->derived[i];
    if (!dv || !dv->if_true || !dv->if_false) {
        reply_db_error(r, DB_ERR);
        return;
    }
    const char *ov = with_today_param(r->a, dv->expr);
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX], today[11], unit[24];
    region_subtree(region, lo, hi);
    util_today(today);
    const char *vals[8] = {lo, hi, today};
    int np = 3;
    char *where = arena_printf(r->a, "t.deleted_at IS NULL AND t.region >= $1 AND t.region < $2 "
                                     "AND t.lat IS NOT NULL AND t.lng IS NOT NULL");
    /* Column names below are literals of this file; values are parameters. */
    static const char *const cols[] = {"t.state", "t.grade", "t.domain"};
    const char *cv[] = {state, grade, domain};
    for (int i = 0; i < 3; i++)
        if (cv[i]) {
            vals[np++] = cv[i];
            where = arena_printf(r->a, "%s AND %s = $%d", where, cols[i], np);
        }
    if (overdue)
        where = arena_printf(r->a, "%s AND (%s)", where,
                             with_today_param(r->a, *overdue == '1' ? dv->if_true : dv->if_false));
    if (supervised) {
        vals[np++] = supervised;
        where = arena_printf(r->a, "%s AND t.supervised = CAST($%d AS INTEGER)", where, np);
    }
    if (r->user->unit_id) {
        snprintf(unit, sizeof unit, "%lld", (long long)r->user->unit_id);
        vals[np++] = unit;
        where = arena_printf(r->a, "%s AND t.unit_id = CAST($%d AS INTEGER)", where, np);
    }
    /* $3 must appear in both statements for PostgreSQL to type it. */
    const char *count_sql =
        arena_printf(r->a, "SELECT count(*), max(%s) FROM hazards t WHERE %s", ov, where);
    const char *sql = arena_printf(r->a,
                                   "SELECT t.id, t.title, t.state, t.grade, t.domain, t.lat, "
                                   "t.lng, %s, t.supervised, t.region, t.deadline FROM hazards t "
                                   "WHERE %s ORDER BY t.id LIMIT %d",
                                   ov, where, HAZARD_MAP_MAX);
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, count_sql);
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    for (int i = 0; i < np; i++)
        db_bind_text(s, i + 1, vals[i]);
    int rc = db_step(s);
    long long total = rc == DB_ROW ? (long long)db_col_int(s, 0) : 0;
    db_done(s);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    s = db_prepare(c, sql);
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    for (int i = 0; i < np; i++)
        db_bind_text(s, i + 1, vals[i]);
    json_t *items = json_array();
    while ((rc = db_step(s)) == DB_ROW)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:f, s:f, s:b, s:b, s:s, s:s?}", "id",
                      (json_int_t)db_col_int(s, 0), "title", db_col_text(s, 1), "state",
                      db_col_text(s, 2), "grade", db_col_text(s, 3), "domain", db_col_text(s, 4),
                      "lat", db_col_double(s, 5), "lng", db_col_double(s, 6), "overdue",
                      db_col_int(s, 7) != 0, "supervised", db_col_int(s, 8) != 0, "region",
                      db_col_text(s, 9), "deadline", db_col_text(s, 10)));
    db_done(s);
    if (rc < 0) {
        json_decref(items);
        reply_db_error(r, rc);
        return;
    }
    boundary_reply_geo(r, 200,
                       json_pack("{s:o, s:I, s:b}", "items", items, "total", (json_int_t)total,
                                 "truncated", total > HAZARD_MAP_MAX));
}

void hazard_map_routes_register(void)
{
    http_route("GET", "/api/v1/hazards/map", h_hazard_map, 0, NULL);
}
