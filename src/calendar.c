/* calendar: loads the calendar rows into the sorted arrays workday.c wants
 * and serves the calendar API. A deadline can run into next year, so the
 * loaded range spans a little more than the period asked for. */
#include "calendar.h"
#include "authz.h"
#include "http.h"
#include "util.h"
#include "workday.h"

#include <stdlib.h>
#include <string.h>

struct daylist {
    long *v;
    size_t n, cap;
};

static void daylist_push(struct daylist *l, long d)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = d;
}

static int load_range(db_conn *c, const char *from, const char *to, struct daylist *hol,
                      struct daylist *work)
{
    db_stmt *s = db_prepare(c, "SELECT day, kind FROM calendar_days WHERE day >= $1 AND "
                               "day <= $2 ORDER BY day");
    if (!s)
        return -1;
    db_bind_text(s, 1, from);
    db_bind_text(s, 2, to);
    int st;
    while ((st = db_step(s)) == DB_ROW) {
        long d = util_date_to_days(db_col_text(s, 0));
        daylist_push(strcmp(db_col_text(s, 1), "holiday") == 0 ? hol : work, d);
    }
    db_done(s);
    return st == DB_DONE ? 0 : -1;
}

int calendar_add_workdays(db_conn *c, const char *date, int n, char out[11])
{
    struct daylist hol = {0}, work = {0};
    long start = util_date_to_days(date);
    char to[11];
    /* n working days never take more than 2n + 60 calendar days. */
    util_days_to_date(start + 2L * n + 60, to);
    int rc = load_range(c, date, to, &hol, &work);
    if (rc == 0) {
        struct workday_cal cal = {
            .holidays = hol.v, .nholidays = hol.n, .workdays = work.v, .nworkdays = work.n};
        util_days_to_date(workday_add(&cal, start, n), out);
    }
    free(hol.v);
    free(work.v);
    return rc;
}

int calendar_span_load(db_conn *c, const char *from, const char *to, struct calendar_span *sp)
{
    struct daylist hol = {0}, work = {0};
    int rc = load_range(c, from, to, &hol, &work);
    sp->holidays = hol.v;
    sp->workdays = work.v;
    sp->cal = (struct workday_cal){
        .holidays = hol.v, .nholidays = hol.n, .workdays = work.v, .nworkdays = work.n};
    if (rc != 0)
        calendar_span_free(sp);
    return rc;
}

void calendar_span_free(struct calendar_span *sp)
{
    free(sp->holidays);
    free(sp->workdays);
    memset(sp, 0, sizeof *sp);
}

static int parse_year(const char *s)
{
    char *end;
    long y = strtol(s, &end, 10);
    return (*end || y < 1900 || y > 2999) ? 0 : (int)y;
}

static json_t *year_json(db_conn *c, int year)
{
    char from[16], to[16];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    db_stmt *s = db_prepare(c, "SELECT day, kind FROM calendar_days WHERE day >= $1 AND "
                               "day <= $2 ORDER BY day");
    if (!s)
        return NULL;
    db_bind_text(s, 1, from);
    db_bind_text(s, 2, to);
    json_t *hol = json_array(), *work = json_array();
    while (db_step(s) == DB_ROW)
        json_array_append_new(strcmp(db_col_text(s, 1), "holiday") == 0 ? hol : work,
                              json_string(db_col_text(s, 0)));
    db_done(s);
    char y[8];
    snprintf(y, sizeof y, "%d", year);
    int entered = db_query_int(c, "SELECT count(*) FROM calendar_years WHERE year = $1", y, 0) > 0;
    return json_pack("{s:i, s:o, s:o, s:b}", "year", year, "holidays", hol, "workdays", work,
                     "entered", entered);
}

static void h_cal_get(req *r)
{
    if (authz_require(r, "calendar:read", NULL) != 0)
        return;
    int year = parse_year(req_param(r, "year"));
    if (!year) {
        reply_error(r, 400, "bad_request", "年份无效", NULL);
        return;
    }
    json_t *o = year_json(req_db(r), year);
    if (!o)
        reply_db_error(r, DB_ERR);
    else
        reply_json(r, 200, o);
}

static int check_days(req *r, json_t *arr, const char *field, int year, int holiday)
{
    size_t i;
    json_t *v;
    if (!json_is_array(arr)) {
        reply_field_error(r, field, "必须是日期数组");
        return -1;
    }
    json_array_foreach(arr, i, v)
    {
        const char *d = json_string_value(v);
        if (!d || !util_date_valid(d) || atoi(d) != year) {
            reply_field_error(r, field,
                              arena_printf(r->a, "第 %zu 项必须是 %d 年的日期", i + 1, year));
            return -1;
        }
        int wd = util_weekday(util_date_to_days(d));
        if (!holiday && wd < 5) {
            reply_field_error(r, field, arena_printf(r->a, "%s 是工作日，不需要列为调休上班日", d));
            return -1;
        }
    }
    return 0;
}

static void h_cal_put(req *r)
{
    if (authz_require(r, "calendar:admin", NULL) != 0)
        return;
    int year = parse_year(req_param(r, "year"));
    if (!year) {
        reply_error(r, 400, "bad_request", "年份无效", NULL);
        return;
    }
    json_t *in = req_json_only(r, REQ_KEYS("year", "holidays", "workdays"));
    if (!in)
        return;
    json_t *y = json_object_get(in, "year");
    if (y && (!json_is_integer(y) || json_integer_value(y) != year)) {
        reply_field_error(r, "year", "与路径中的年份不一致");
        return;
    }
    json_t *hol = json_object_get(in, "holidays"), *work = json_object_get(in, "workdays");
    if (check_days(r, hol, "holidays", year, 1) || check_days(r, work, "workdays", year, 0))
        return;
    size_t i;
    json_t *v;
    json_array_foreach(work, i, v)
    {
        size_t j;
        json_t *h;
        json_array_foreach(hol, j, h) if (json_equal(h, v))
        {
            reply_field_error(
                r, "workdays",
                arena_printf(r->a, "%s 不能同时是假日和调休上班日", json_string_value(v)));
            return;
        }
    }
    db_conn *c = req_begin(r);
    if (!c)
        return;
    char from[16], to[16], ys[8], now[32];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    snprintf(ys, sizeof ys, "%d", year);
    util_now_iso(now);
    const char *year_days[] = {from, to};
    int st =
        db_exec_params(c, "DELETE FROM calendar_days WHERE day >= $1 AND day <= $2", 2, year_days);
    for (int pass = 0; pass < 2 && st == DB_OK; pass++) {
        json_t *arr = pass ? work : hol;
        json_array_foreach(arr, i, v)
        {
            const char *p[] = {json_string_value(v), pass ? "workday" : "holiday"};
            st = db_exec_params(c,
                                "INSERT INTO calendar_days (day, kind) VALUES ($1, $2) "
                                "ON CONFLICT (day) DO NOTHING",
                                2, p);
            if (st != DB_OK)
                break;
        }
    }
    if (st == DB_OK) {
        const char *p[] = {ys, now};
        st = db_exec_params(c,
                            "INSERT INTO calendar_years (year, updated_at) VALUES ($1, $2) "
                            "ON CONFLICT (year) DO UPDATE SET updated_at = excluded.updated_at",
                            2, p);
    }
    if (req_commit(r, c, st) != 0)
        return;
    reply_json(r, 200, year_json(c, year));
}

static void h_cal_add(req *r)
{
    if (authz_require(r, "calendar:read", NULL) != 0)
        return;
    const char *date = req_query(r, "date"), *days = req_query(r, "days");
    /* Without a date: from the server's today, the day a step taken now
     * counts from (the console shows a notice's deadline as it is typed). */
    char today[11];
    util_today(today);
    if (!date)
        date = today;
    if (!util_date_valid(date)) {
        json_t *f = json_pack("{s:s}", "date", "必须是日期（YYYY-MM-DD）");
        reply_error(r, 400, "bad_request", "date 必须是日期（YYYY-MM-DD）", f);
        return;
    }
    char *end;
    long n = days ? strtol(days, &end, 10) : -1;
    if (!days || *end || n < 0 || n > 3650) {
        json_t *f = json_pack("{s:s}", "days", "必须是 0 到 3650 之间的整数");
        reply_error(r, 400, "bad_request", "days 必须是 0 到 3650 之间的整数", f);
        return;
    }
    char out[11];
    if (calendar_add_workdays(req_db(r), date, (int)n, out) != 0) {
        reply_db_error(r, DB_ERR);
        return;
    }
    /* entered: whether every year the count crosses has its calendar; when
     * not, that year's holidays are not known and only weekends are off. */
    int entered = 1;
    for (int y = atoi(date); y <= atoi(out) && entered; y++) {
        char ys[8];
        snprintf(ys, sizeof ys, "%d", y);
        entered = db_query_int(req_db(r), "SELECT count(*) FROM calendar_years WHERE year = $1", ys,
                               0) > 0;
    }
    reply_json(r, 200, json_pack("{s:s, s:s, s:b}", "date", out, "from", date, "entered", entered));
}

void calendar_routes_register(void)
{
    http_route("GET", "/api/v1/calendar/add", h_cal_add, 0, NULL);
    http_route("GET", "/api/v1/calendar/{year}", h_cal_get, 0, NULL);
    http_route("PUT", "/api/v1/calendar/{year}", h_cal_put, 0, NULL);
}
