/* workday: working-day arithmetic on the Chinese calendar. Pure functions, no
 * I/O: the holidays and make-up workdays (调休) are data the caller loads (from
 * calendar_days) and owns; this module only reads them. */
#ifndef SAFECOMM_WORKDAY_H
#define SAFECOMM_WORKDAY_H

#include <stddef.h>

/* Days are day numbers since 1970-01-01 (1970-01-01 = 0, a Thursday).
 * holidays: days off even on Monday to Friday; workdays: make-up working days
 * on a Saturday or Sunday. Both sorted ascending (duplicates tolerated); either
 * may be NULL with a count of 0. A day in both lists counts as a holiday. */
struct workday_cal {
    const long *holidays;
    size_t nholidays;
    const long *workdays;
    size_t nworkdays;
};

/* 1 when day is a working day: Monday to Friday unless a holiday, Saturday and
 * Sunday only when listed as a make-up workday. c may be NULL (plain weeks). */
int workday_is_working(const struct workday_cal *c, long day);

/* The n-th working day after day, day itself not counted; n <= 0 returns day.
 * workday_add(c, d, 1) is the next working day. */
long workday_add(const struct workday_cal *c, long day, int n);

/* Number of working days in (from, to]; 0 when to <= from. */
int workday_count_between(const struct workday_cal *c, long from, long to);

#endif
