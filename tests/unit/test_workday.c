/* Unit tests for workday: the 2025 official calendar, plain weeks, year
 * boundaries, and a brute-force cross-check of add and count. */
#include "harness.h"
#include "../../src/workday.c"

/* Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so the test does not depend on util. */
static long days(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static long hol2025[40], work2025[5];
static size_t nhol2025;

static void add_range(int m1, int d1, int m2, int d2)
{
    for (long d = days(2025, m1, d1); d <= days(2025, m2, d2); d++)
        hol2025[nhol2025++] = d;
}

static struct workday_cal cal2025(void)
{
    if (nhol2025 == 0) {
        add_range(1, 1, 1, 1);
        add_range(1, 28, 2, 4);
        add_range(4, 4, 4, 6);
        add_range(5, 1, 5, 5);
        add_range(5, 31, 6, 2);
        add_range(10, 1, 10, 8);
        work2025[0] = days(2025, 1, 26);
        work2025[1] = days(2025, 2, 8);
        work2025[2] = days(2025, 4, 27);
        work2025[3] = days(2025, 9, 28);
        work2025[4] = days(2025, 10, 11);
    }
    struct workday_cal c = {hol2025, nhol2025, work2025, 5};
    return c;
}

/* Reference implementations: one day at a time. */
static long slow_add(const struct workday_cal *c, long day, int n)
{
    while (n > 0) {
        day++;
        if (workday_is_working(c, day))
            n--;
    }
    return day;
}

static int slow_count(const struct workday_cal *c, long from, long to)
{
    int n = 0;
    for (long d = from + 1; d <= to; d++)
        n += workday_is_working(c, d);
    return n;
}

static void test_helpers(void)
{
    CHECK_INT(days(1970, 1, 1), 0);
    CHECK_INT(weekday(0), 3);                  /* Thursday */
    CHECK_INT(weekday(days(2025, 9, 26)), 4);  /* Friday */
    CHECK_INT(weekday(days(1969, 12, 29)), 0); /* Monday, negative day */
    CHECK_INT(weekday(days(1900, 1, 1)), 0);   /* Monday */
    CHECK_INT(weekday(days(2024, 12, 31)), 1); /* Tuesday */
}

static void test_empty_calendar(void)
{
    struct workday_cal e = {NULL, 0, NULL, 0};
    long mon = days(2025, 3, 3); /* Monday */
    CHECK_INT(workday_is_working(&e, mon), 1);
    CHECK_INT(workday_is_working(&e, mon + 4), 1); /* Friday */
    CHECK_INT(workday_is_working(&e, mon + 5), 0); /* Saturday */
    CHECK_INT(workday_is_working(&e, mon + 6), 0); /* Sunday */
    CHECK_INT(workday_is_working(NULL, mon + 6), 0);
    CHECK_INT(workday_add(&e, mon, 1), mon + 1);
    CHECK_INT(workday_add(&e, mon, 4), mon + 4);
    CHECK_INT(workday_add(&e, mon, 5), mon + 7); /* 5th after Mon: next Mon */
    CHECK_INT(workday_add(&e, mon + 4, 1), mon + 7);
    CHECK_INT(workday_add(&e, mon + 5, 1), mon + 7); /* from a Saturday */
    CHECK_INT(workday_add(&e, mon + 6, 1), mon + 7); /* from a Sunday */
    CHECK_INT(workday_add(&e, mon, 10), mon + 14);
    CHECK_INT(workday_add(&e, mon, 20), mon + 28);
    CHECK_INT(workday_add(NULL, mon, 20), mon + 28);
    CHECK_INT(workday_add(&e, mon, 0), mon);
    CHECK_INT(workday_add(&e, mon, -3), mon);
    CHECK_INT(workday_count_between(&e, mon, mon), 0);
    CHECK_INT(workday_count_between(&e, mon, mon - 5), 0);
    CHECK_INT(workday_count_between(&e, mon, mon + 1), 1);
    CHECK_INT(workday_count_between(&e, mon - 1, mon + 6), 5); /* Sun..Sun */
    CHECK_INT(workday_count_between(&e, mon, mon + 14), 10);
    CHECK_INT(workday_count_between(NULL, mon, mon + 14), 10);
    /* 2024 had 262 Monday-to-Friday days (a leap year starting on Monday) */
    CHECK_INT(workday_count_between(&e, days(2023, 12, 31), days(2024, 12, 31)), 262);
    /* year boundary: Wed 2025-12-31 + 3 working days = Mon 2026-01-05 */
    CHECK_INT(workday_add(&e, days(2025, 12, 31), 3), days(2026, 1, 5));
    CHECK_INT(workday_add(&e, days(1969, 12, 31), 1), days(1970, 1, 1));
    CHECK_INT(workday_add(&e, days(1969, 12, 26), 1), days(1969, 12, 29));
}

static void test_2025(void)
{
    struct workday_cal c = cal2025();
    CHECK_INT(c.nholidays, 28);
    /* the brief's example: 9-27 Sat off, 9-28 Sun make-up (1), 9-29 (2),
     * 9-30 (3), 10-1..10-8 holiday, 10-9 (4), 10-10 (5) */
    CHECK_INT(workday_add(&c, days(2025, 9, 26), 5), days(2025, 10, 10));
    CHECK_INT(workday_add(&c, days(2025, 9, 26), 1), days(2025, 9, 28));
    CHECK_INT(workday_add(&c, days(2025, 9, 26), 3), days(2025, 9, 30));
    CHECK_INT(workday_add(&c, days(2025, 9, 26), 4), days(2025, 10, 9));
    /* 10-11 is a Saturday make-up workday */
    CHECK_INT(workday_add(&c, days(2025, 9, 26), 6), days(2025, 10, 11));
    CHECK_INT(workday_add(&c, days(2025, 9, 26), 7), days(2025, 10, 13));
    CHECK_INT(workday_add(&c, days(2025, 9, 30), 1), days(2025, 10, 9));
    CHECK_INT(workday_is_working(&c, days(2025, 9, 27)), 0);
    CHECK_INT(workday_is_working(&c, days(2025, 9, 28)), 1);
    CHECK_INT(workday_is_working(&c, days(2025, 10, 1)), 0);
    CHECK_INT(workday_is_working(&c, days(2025, 10, 8)), 0);
    CHECK_INT(workday_is_working(&c, days(2025, 10, 11)), 1);
    CHECK_INT(workday_is_working(&c, days(2025, 10, 12)), 0);
    CHECK_INT(workday_is_working(&c, days(2025, 1, 1)), 0);
    CHECK_INT(workday_is_working(&c, days(2025, 1, 26)), 1);
    CHECK_INT(workday_is_working(&c, days(2025, 2, 8)), 1);
    CHECK_INT(workday_is_working(&c, days(2025, 5, 31)), 0);
    CHECK_INT(workday_is_working(&c, days(2025, 6, 2)), 0);
    CHECK_INT(workday_is_working(&c, days(2025, 6, 3)), 1);
    CHECK_INT(workday_count_between(&c, days(2025, 9, 26), days(2025, 10, 10)), 5);
    CHECK_INT(workday_count_between(&c, days(2025, 9, 30), days(2025, 10, 8)), 0);
    /* spring festival: Fri 1-24, Sun 1-26 (make-up), Mon 1-27 working; then
     * 1-28..2-4 off; Wed 2-5 next */
    CHECK_INT(workday_add(&c, days(2025, 1, 24), 1), days(2025, 1, 26));
    CHECK_INT(workday_add(&c, days(2025, 1, 26), 1), days(2025, 1, 27));
    CHECK_INT(workday_add(&c, days(2025, 1, 27), 1), days(2025, 2, 5));
    CHECK_INT(workday_add(&c, days(2025, 2, 7), 1), days(2025, 2, 8)); /* Sat make-up */
    /* year boundary: Tue 2024-12-31 + 1 skips the 1-1 holiday */
    CHECK_INT(workday_add(&c, days(2024, 12, 31), 1), days(2025, 1, 2));
    CHECK_INT(workday_add(&c, days(2024, 12, 27), 2), days(2024, 12, 31));
    CHECK_INT(workday_add(&c, days(2024, 12, 27), 3), days(2025, 1, 2));
    CHECK_INT(workday_count_between(&c, days(2024, 12, 27), days(2025, 1, 3)), 4);
    /* 2025: 261 Monday-to-Friday days; 18 of the 28 holiday days fall on
     * weekdays, all 5 make-up days on weekends: 261 - 18 + 5 = 248 */
    CHECK_INT(workday_count_between(&c, days(2024, 12, 31), days(2025, 12, 31)), 248);
    /* document review: 20 working days from Tue 2025-04-01: 4-2, 4-3, (4-4..4-6
     * off), 15 days 4-7..4-25, 4-27 Sun make-up, 4-28, 4-29 */
    CHECK_INT(workday_add(&c, days(2025, 4, 1), 20), days(2025, 4, 29));
    /* add and count are inverse */
    CHECK_INT(workday_count_between(&c, days(2025, 4, 1), days(2025, 4, 29)), 20);
}

static void test_duplicates_and_overlap(void)
{
    long hol[] = {days(2025, 3, 4), days(2025, 3, 4), days(2025, 3, 8)};
    long work[] = {days(2025, 3, 8), days(2025, 3, 9), days(2025, 3, 9)};
    struct workday_cal c = {hol, 3, work, 3};
    /* 3-8 Sat is in both lists: the holiday wins; 3-9 Sun is working */
    CHECK_INT(workday_is_working(&c, days(2025, 3, 8)), 0);
    CHECK_INT(workday_is_working(&c, days(2025, 3, 9)), 1);
    /* Mon 3-3 .. Mon 3-10: 3-5, 3-6, 3-7, 3-9, 3-10 */
    CHECK_INT(workday_count_between(&c, days(2025, 3, 3), days(2025, 3, 10)), 5);
    CHECK_INT(workday_add(&c, days(2025, 3, 3), 4), days(2025, 3, 9));
}

static void test_cross_check(void)
{
    struct workday_cal c = cal2025();
    long start = days(2024, 12, 1), end = days(2026, 2, 1);
    int bad_add = 0, bad_count = 0;
    for (long d = start; d <= end; d++) {
        for (int n = 1; n <= 60; n++) {
            if (workday_add(&c, d, n) != slow_add(&c, d, n))
                bad_add++;
        }
        for (long t = d - 2; t <= d + 70; t++) {
            if (workday_count_between(&c, d, t) != slow_count(&c, d, t))
                bad_count++;
        }
    }
    CHECK_INT(bad_add, 0);
    CHECK_INT(bad_count, 0);
    /* large n stays fast and exact on plain weeks: 5000 working days = 1000 weeks */
    long mon = days(2030, 1, 7);
    CHECK_INT(workday_add(NULL, mon, 5000), mon + 7000);
    CHECK_INT(workday_add(&c, days(2025, 12, 29), 5000), days(2025, 12, 29) + 7000);
    CHECK_INT(workday_add(NULL, 0, 2000000000), 2800000000L); /* Thu to Thu */
}

int main(void)
{
    test_helpers();
    test_empty_calendar();
    test_2025();
    test_duplicates_and_overlap();
    test_cross_check();
    return TEST_REPORT();
}
