/* org_coverage: the coverage report of the responsibility letters. For a
 * region and a year, the villages (村、社区) with no letter of party
 * "village" for that year and the units with no letter of party "unit":
 * GET /api/v1/responsibility_letters/coverage?region=&year= (JSON) and
 * /coverage.xlsx (audited like every export). The caller needs
 * responsibility_letter:read in the region; the units are listed only with
 * unit:read too. */
#include "governance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "http.h"
#include "region.h"
#include "sheetw.h"
#include "stats.h"
#include "util.h"

struct coverage {
    const char *region, *region_name;
    int year;
    json_t *villages, *units; /* [{code,name}], [{id,name,region,region_name}] */
    long long nvillages, nunits;
    int with_units;
};

static int rows_into(db_conn *c, const char *sql, int n, const char *const *p, json_t *into,
                     int is_unit)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c);
    for (int i = 0; i < n; i++)
        db_bind_text(s, i + 1, p[i]);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (is_unit)
            json_array_append_new(into, json_pack("{s:I, s:s, s:s, s:s}", "id",
                                                  (json_int_t)db_col_int(s, 0), "name",
                                                  db_col_text(s, 1), "region", db_col_text(s, 2),
                                                  "region_name", db_col_text(s, 3)));
        else
            json_array_append_new(into, json_pack("{s:s, s:s, s:s}", "code", db_col_text(s, 0),
                                                  "name", db_col_text(s, 1), "parent_name",
                                                  db_col_text(s, 2) ? db_col_text(s, 2) : ""));
    }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

/* The report of one region and year; DB_OK or a database status. */
static int coverage_load(db_conn *c, struct coverage *cv)
{
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX], year[8];
    region_subtree(cv->region, lo, hi);
    snprintf(year, sizeof year, "%d", cv->year);
    const char *p[] = {lo, hi, year};
    cv->villages = json_array();
    cv->units = json_array();
    const char *p2[] = {lo, hi};
    cv->nvillages = -1;
    cv->nunits = 0;
    db_stmt *s = db_prepare(c, "SELECT count(*) FROM regions WHERE level = 'village' AND "
                               "code >= $1 AND code < $2");
    if (s) {
        db_bind_text(s, 1, lo);
        db_bind_text(s, 2, hi);
        if (db_step(s) == DB_ROW)
            cv->nvillages = db_col_int(s, 0);
        db_done(s);
    }
    if (cv->nvillages < 0)
        return DB_ERR;
    int st = rows_into(c,
                       "SELECT r.code, r.name, p.name FROM regions r "
                       "LEFT JOIN regions p ON p.code = r.parent "
                       "WHERE r.level = 'village' AND r.code >= $1 AND r.code < $2 AND NOT EXISTS "
                       "(SELECT 1 FROM responsibility_letters l WHERE l.deleted_at IS NULL AND "
                       "l.party = 'village' AND l.region = r.code AND "
                       "l.year = CAST($3 AS INTEGER)) ORDER BY r.code",
                       3, p, cv->villages, 0);
    if (st != DB_OK || !cv->with_units)
        return st;
    s = db_prepare(c, "SELECT count(*) FROM units WHERE deleted_at IS NULL AND region >= $1 AND "
                      "region < $2");
    cv->nunits = -1;
    if (s) {
        db_bind_text(s, 1, p2[0]);
        db_bind_text(s, 2, p2[1]);
        if (db_step(s) == DB_ROW)
            cv->nunits = db_col_int(s, 0);
        db_done(s);
    }
    if (cv->nunits < 0)
        return DB_ERR;
    return rows_into(c,
                     "SELECT u.id, u.name, u.region, r.name FROM units u "
                     "JOIN regions r ON r.code = u.region "
                     "WHERE u.deleted_at IS NULL AND u.region >= $1 AND u.region < $2 AND "
                     "NOT EXISTS (SELECT 1 FROM responsibility_letters l WHERE "
                     "l.deleted_at IS NULL AND l.party = 'unit' AND l.unit_id = u.id AND "
                     "l.year = CAST($3 AS INTEGER)) ORDER BY u.region, u.id",
                     3, p, cv->units, 1);
}

/* The request's region and year, its scope and permissions; -1 when the
 * reply was queued. */
static int coverage_request(req *r, struct coverage *cv)
{
    memset(cv, 0, sizeof *cv);
    const char *region = req_query(r, "region");
    if (!region)
        region = r->user->region;
    if (region_level_of(region) == RL_INVALID) {
        reply_error(r, 400, "bad_request", "region 必须是有效的区域代码", NULL);
        return -1;
    }
    const char *y = req_query(r, "year");
    char today[11];
    util_today(today);
    cv->year = y ? stats_year_parse(y) : atoi(today);
    if (cv->year < 0) {
        reply_error(r, 400, "bad_request", "year 必须是年份（如 2025）", NULL);
        return -1;
    }
    if (authz_require(r, "responsibility_letter:read", region) != 0)
        return -1;
    if (r->user->unit_id) {
        reply_error(r, 403, "forbidden", "单位用户不能查看责任书签订情况", NULL);
        return -1;
    }
    cv->with_units = authz_has(r->user, "unit:read");
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, "SELECT name FROM regions WHERE code = $1");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return -1;
    }
    db_bind_text(s, 1, region);
    int rc = db_step(s);
    if (rc == DB_ROW)
        cv->region_name = arena_strdup(r->a, db_col_text(s, 0));
    db_done(s);
    if (rc != DB_ROW) {
        if (rc < 0)
            reply_db_error(r, rc);
        else
            reply_error(r, 404, "not_found", "区域不存在", NULL);
        return -1;
    }
    cv->region = arena_strdup(r->a, region);
    int st = coverage_load(c, cv);
    if (st != DB_OK) {
        json_decref(cv->villages);
        json_decref(cv->units);
        reply_db_error(r, st);
        return -1;
    }
    return 0;
}

static void h_coverage(req *r)
{
    struct coverage cv;
    if (coverage_request(r, &cv) != 0)
        return;
    json_t *out = json_pack("{s:{s:s, s:s}, s:i, s:I, s:I, s:o}", "region", "code", cv.region,
                            "name", cv.region_name, "year", cv.year, "villages_total",
                            (json_int_t)cv.nvillages, "villages_missing",
                            (json_int_t)json_array_size(cv.villages), "villages", cv.villages);
    if (cv.with_units) {
        json_object_set_new(out, "units_total", json_integer(cv.nunits));
        json_object_set_new(out, "units_missing",
                            json_integer((json_int_t)json_array_size(cv.units)));
        json_object_set_new(out, "units", cv.units);
    } else {
        json_decref(cv.units);
    }
    reply_json(r, 200, out);
}

static void h_coverage_xlsx(req *r)
{
    struct coverage cv;
    if (coverage_request(r, &cv) != 0)
        return;
    arena_defer(r->a, (void (*)(void *))json_decref, cv.villages);
    arena_defer(r->a, (void (*)(void *))json_decref, cv.units);
    char *path = http_temp_path(r->a, ".xlsx");
    char *err = NULL;
    struct sheetw *w = path ? sheetw_open(path, "未签订责任书", &err) : NULL;
    if (!w) {
        if (path)
            unlink(path);
        free(err);
        reply_error(r, 500, "internal", "无法生成责任书签订情况表", NULL);
        return;
    }
    static const char *const head[] = {"类别", "名称", "所属区域", "区域代码"};
    static const int widths[] = {14, 36, 24, 18};
    sheetw_header(w, 4, head, widths);
    int row = 1;
    for (size_t i = 0; i < json_array_size(cv.villages); i++, row++) {
        json_t *v = json_array_get(cv.villages, i);
        sheetw_text(w, row, 0, "村（社区）");
        sheetw_text(w, row, 1, json_string_value(json_object_get(v, "name")));
        sheetw_text(w, row, 2, json_string_value(json_object_get(v, "parent_name")));
        sheetw_text(w, row, 3, json_string_value(json_object_get(v, "code")));
    }
    for (size_t i = 0; i < json_array_size(cv.units); i++, row++) {
        json_t *u = json_array_get(cv.units, i);
        sheetw_text(w, row, 0, "单位");
        sheetw_text(w, row, 1, json_string_value(json_object_get(u, "name")));
        sheetw_text(w, row, 2, json_string_value(json_object_get(u, "region_name")));
        sheetw_text(w, row, 3, json_string_value(json_object_get(u, "region")));
    }
    const char *notes[] = {
        arena_printf(r->a, "%s %d 年度未签订安全责任书的村（社区）和单位", cv.region_name, cv.year),
        arena_printf(r->a, "村（社区）共 %lld 个，未签订 %zu 个", cv.nvillages,
                     json_array_size(cv.villages)),
        cv.with_units ? arena_printf(r->a, "单位共 %lld 家，未签订 %zu 家", cv.nunits,
                                     json_array_size(cv.units))
                      : "（无单位查看权限，未列出单位）",
    };
    sheetw_notes(w, "说明", 3, notes);
    if (sheetw_close(w, &err) != 0) {
        unlink(path);
        reply_error(r, 500, "internal", err ? err : "无法生成责任书签订情况表", NULL);
        free(err);
        return;
    }
    json_t *filter = json_pack("{s:s, s:i}", "region", cv.region, "year", cv.year);
    arena_defer(r->a, (void (*)(void *))json_decref, filter);
    if (audit_export_request(r, "responsibility_letters", NULL, cv.region, "xlsx", filter,
                             row - 1) != 0) {
        unlink(path);
        return;
    }
    reply_temp_file_named(r, path, XLSX_MIME,
                          arena_printf(r->a, "letter-coverage-%s-%d.xlsx", cv.region, cv.year),
                          arena_printf(r->a, "责任书签订情况-%s-%d年.xlsx",
                                       cv.region_name ? cv.region_name : cv.region, cv.year));
}

void org_coverage_routes(void)
{
    http_route("GET", "/api/v1/responsibility_letters/coverage", h_coverage, 0, NULL);
    http_route("GET", "/api/v1/responsibility_letters/coverage.xlsx", h_coverage_xlsx, ROUTE_LONG,
               NULL);
}
