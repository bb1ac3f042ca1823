/* workday: working-day arithmetic on the Chinese calendar (see workday.h). */
#include "workday.h"

#include <limits.h>

/* Floor division and modulo by 7, right for negative day numbers too. */
static long floor_div7(long d)
{
    return d >= 0 ? d / 7 : -((-d + 6) / 7);
}

/* 0 = Monday … 6 = Sunday; day 0 (1970-01-01) was a Thursday. */
static int weekday(long day)
{
    long s = day + 3;
    return (int)(s - 7 * floor_div7(s));
}

/* Index of the first element > key in the sorted array a[0..n). */
static size_t upper_bound(const long *a, size_t n, long key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int contains(const long *a, size_t n, long key)
{
    if (!a || n == 0)
        return 0;
    size_t i = upper_bound(a, n, key);
    return i > 0 && a[i - 1] == key;
}

int workday_is_working(const struct workday_cal *c, long day)
{
    if (c && contains(c->holidays, c->nholidays, day))
        return 0;
    if (c && contains(c->workdays, c->nworkdays, day))
        return 1;
    return weekday(day) < 5;
}

/* Monday-to-Friday days in (-inf, day], up to a constant: differences of two
 * values count the plain weekdays in a half-open range. */
static long plain_weekdays_upto(long day)
{
    long s = day + 3; /* s = 0 is a Monday */
    long weeks = floor_div7(s);
    long r = s - 7 * weeks; /* 0 … 6 */
    return 5 * weeks + (r < 5 ? r + 1 : 5);
}

/* Working days in (from, to] as a long; from < to. */
static long count_range(const struct workday_cal *c, long from, long to)
{
    long n = plain_weekdays_upto(to) - plain_weekdays_upto(from);
    if (!c)
        return n;
    if (c->holidays && c->nholidays) {
        size_t i = upper_bound(c->holidays, c->nholidays, from);
        for (; i < c->nholidays && c->holidays[i] <= to; i++) {
            long h = c->holidays[i];
            if (i > 0 && c->holidays[i - 1] == h)
                continue; /* duplicate entry */
            if (weekday(h) < 5)
                n--;
        }
    }
    if (c->workdays && c->nworkdays) {
        size_t i = upper_bound(c->workdays, c->nworkdays, from);
        for (; i < c->nworkdays && c->workdays[i] <= to; i++) {
            long w = c->workdays[i];
            if (i > 0 && c->workdays[i - 1] == w)
                continue;
            if (weekday(w) >= 5 && !contains(c->holidays, c->nholidays, w))
                n++;
        }
    }
    return n;
}

int workday_count_between(const struct workday_cal *c, long from, long to)
{
    if (to <= from)
        return 0;
    long n = count_range(c, from, to);
    return n > INT_MAX ? INT_MAX : (int)n;
}

/* The count over (day, d] never decreases as d grows and rises by one exactly
 * on working days, so the answer is the smallest d whose count reaches n:
 * widen the window by doubling, then bisect. */
long workday_add(const struct workday_cal *c, long day, int n)
{
    if (n <= 0)
        return day;
    long lo = day, span = n, hi = day + span;
    while (count_range(c, day, hi) < n) {
        lo = hi;
        span *= 2;
        hi = day + span;
    }
    /* count(lo) < n <= count(hi), with count(day) = 0 */
    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        if (count_range(c, day, mid) >= n)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}
