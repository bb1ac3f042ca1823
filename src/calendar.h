/* calendar: the working-day calendar kept as data (holidays and make-up
 * workdays per year), its HTTP API, and "the N-th working day after D" for
 * deadlines. The arithmetic itself is in workday.c. */
#ifndef SAFECOMM_CALENDAR_H
#define SAFECOMM_CALENDAR_H

#include "db.h"
#include "workday.h"

/* The n-th working day after date (not counting it) into out; 0 on success. */
int calendar_add_workdays(db_conn *c, const char *date, int n, char out[11]);

/* The calendar of the days in [from, to] loaded once, for code that counts
 * working days many times in one request (the hazard board's bands): one
 * query instead of one per count. Owns its arrays: calendar_span_free. */
struct calendar_span {
    struct workday_cal cal;
    long *holidays, *workdays;
};
int calendar_span_load(db_conn *c, const char *from, const char *to, struct calendar_span *sp);
void calendar_span_free(struct calendar_span *sp);
void calendar_routes_register(void);

#endif
