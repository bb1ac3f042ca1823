/* Unit tests for util: date and date-time validation, UTF-8 validation and
 * decoding, the day-number conversions and weekday, and util_now_iso. */
#include "harness.h"
#include "util.h"

#include <stdlib.h>
#include <time.h>

static void test_date_valid(void)
{
    CHECK_INT(util_date_valid("2025-03-05"), 1);
    CHECK_INT(util_date_valid("2024-02-29"), 1); /* leap year */
    CHECK_INT(util_date_valid("2023-02-29"), 0);
    CHECK_INT(util_date_valid("2000-02-29"), 1); /* divisible by 400 */
    CHECK_INT(util_date_valid("1900-02-29"), 0); /* divisible by 100 */
    CHECK_INT(util_date_valid("2100-02-29"), 0);
    CHECK_INT(util_date_valid("2023-02-28"), 1);
    CHECK_INT(util_date_valid("2025-04-30"), 1);
    CHECK_INT(util_date_valid("2025-04-31"), 0);
    CHECK_INT(util_date_valid("2025-12-31"), 1);
    CHECK_INT(util_date_valid("2025-13-01"), 0);
    CHECK_INT(util_date_valid("2025-00-10"), 0);
    CHECK_INT(util_date_valid("2025-01-00"), 0);
    CHECK_INT(util_date_valid("2025-01-32"), 0);
    CHECK_INT(util_date_valid("1900-01-01"), 1);
    CHECK_INT(util_date_valid("1899-12-31"), 0);
    CHECK_INT(util_date_valid("2999-12-31"), 1);
    CHECK_INT(util_date_valid("3000-01-01"), 0);
    CHECK_INT(util_date_valid("2025-1-01"), 0);
    CHECK_INT(util_date_valid("2025/01/01"), 0);
    CHECK_INT(util_date_valid("20250101"), 0);
    CHECK_INT(util_date_valid("2025-01-01x"), 0);
    CHECK_INT(util_date_valid(" 2025-01-1"), 0);
    CHECK_INT(util_date_valid("+025-01-01"), 0);
    CHECK_INT(util_date_valid("2025-+1-01"), 0);
    CHECK_INT(util_date_valid("2025-01- 1"), 0);
    CHECK_INT(util_date_valid(""), 0);
    CHECK_INT(util_date_valid(NULL), 0);
}

static void test_datetime_valid(void)
{
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00+08:00"), 1);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00-05:00"), 1);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00Z"), 1);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00.123Z"), 1);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00.5+08:00"), 1);
    CHECK_INT(util_datetime_valid("2025-03-05T23:59:59+00:00"), 1);
    CHECK_INT(util_datetime_valid("2025-03-05T00:00:00+14:00"), 1);
    /* missing or malformed offset */
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00.123"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00+0800"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00+08"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00z"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00Zx"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00+08:00x"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00.Z"), 0);
    /* the separator, the date and the time */
    CHECK_INT(util_datetime_valid("2025-03-05 09:30:00+08:00"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05t09:30:00+08:00"), 0);
    CHECK_INT(util_datetime_valid("2025-02-30T09:30:00+08:00"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T24:00:00+08:00"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T23:60:00+08:00"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30+08:00"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T9:30:00+08:00"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05"), 0);
    CHECK_INT(util_datetime_valid(""), 0);
    CHECK_INT(util_datetime_valid(NULL), 0);
    /* an offset is hours 00-23 and minutes 00-59 (RFC 3339 time-numoffset) */
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00+08:60"), 0);
    CHECK_INT(util_datetime_valid("2025-03-05T09:30:00+99:00"), 0);
}

static void test_utf8_valid(void)
{
#define V(s) util_utf8_valid(s, sizeof(s) - 1)
    CHECK_INT(V(""), 1);
    CHECK_INT(V("plain ascii"), 1);
    CHECK_INT(V("张三（测试）"), 1);
    CHECK_INT(V("\xc2\x80"), 1);             /* U+0080 */
    CHECK_INT(V("\xdf\xbf"), 1);             /* U+07FF */
    CHECK_INT(V("\xe0\xa0\x80"), 1);         /* U+0800 */
    CHECK_INT(V("\xed\x9f\xbf"), 1);         /* U+D7FF */
    CHECK_INT(V("\xee\x80\x80"), 1);         /* U+E000 */
    CHECK_INT(V("\xef\xbf\xbf"), 1);         /* U+FFFF */
    CHECK_INT(V("\xf0\x90\x80\x80"), 1);     /* U+10000 */
    CHECK_INT(V("\xf4\x8f\xbf\xbf"), 1);     /* U+10FFFF */
    CHECK_INT(V("a\0b"), 1);                 /* NUL is a character */
    CHECK_INT(V("\xc0\x80"), 0);             /* overlong NUL */
    CHECK_INT(V("\xc1\xbf"), 0);             /* overlong U+007F */
    CHECK_INT(V("\xe0\x80\x80"), 0);         /* overlong */
    CHECK_INT(V("\xe0\x9f\xbf"), 0);         /* overlong U+07FF */
    CHECK_INT(V("\xf0\x8f\xbf\xbf"), 0);     /* overlong U+FFFF */
    CHECK_INT(V("\xed\xa0\x80"), 0);         /* U+D800 */
    CHECK_INT(V("\xed\xbf\xbf"), 0);         /* U+DFFF */
    CHECK_INT(V("\xf4\x90\x80\x80"), 0);     /* U+110000 */
    CHECK_INT(V("\xf5\x80\x80\x80"), 0);     /* beyond */
    CHECK_INT(V("\xf8\x88\x80\x80\x80"), 0); /* 5-byte form */
    CHECK_INT(V("\xff"), 0);
    CHECK_INT(V("\x80"), 0);     /* lone continuation */
    CHECK_INT(V("a\xbf"), 0);    /* lone continuation */
    CHECK_INT(V("\xe5\xbc"), 0); /* truncated 张 */
    CHECK_INT(V("\xe5\xbc"
                "a"),
              0);
    CHECK_INT(V("\xf0\x9f\x98"), 0);
    CHECK_INT(V("\xc3"), 0);
#undef V
    /* the length is honoured: a prefix that cuts a character is invalid */
    CHECK_INT(util_utf8_valid("张", 3), 1);
    CHECK_INT(util_utf8_valid("张", 2), 0);
    CHECK_INT(util_utf8_valid("张", 0), 1);
    CHECK_INT(util_utf8_valid("ab\xff", 2), 1);
}

static void test_utf8_len_next(void)
{
    CHECK_INT(util_utf8_len(""), 0);
    CHECK_INT(util_utf8_len("abc"), 3);
    CHECK_INT(util_utf8_len("张三"), 2);
    CHECK_INT(util_utf8_len("a张b"), 3);
    CHECK_INT(util_utf8_len("😀x"), 2);
    CHECK_INT(util_utf8_len("\xc2\x80\xdf\xbf"), 2);
    uint32_t cp = 0;
    CHECK_INT(util_utf8_next("张", &cp), 3);
    CHECK_INT(cp, 0x5F20);
    CHECK_INT(util_utf8_next("A", &cp), 1);
    CHECK_INT(cp, 'A');
    CHECK_INT(util_utf8_next("😀", &cp), 4);
    CHECK_INT(cp, 0x1F600);
    CHECK_INT(util_utf8_next("\xc3\xa9", &cp), 2);
    CHECK_INT(cp, 0xE9);
    CHECK_INT(util_utf8_next("\xff", &cp), 1);
    CHECK_INT(cp, 0xFFFD);
    CHECK_INT(util_utf8_next("\xe5"
                             "a",
                             &cp),
              1);
    CHECK_INT(cp, 0xFFFD);
    CHECK_INT(util_utf8_next("\xe5\xbc", &cp), 1); /* truncated before the NUL */
    CHECK_INT(cp, 0xFFFD);
}

/* Days since 1970-01-01 by counting, independent of util. */
static long ref_days(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long n = 0;
    for (int yy = 1970; yy < y; yy++)
        n += 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    for (int yy = y; yy < 1970; yy++)
        n -= 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    for (int mm = 1; mm < m; mm++)
        n += mdays[mm - 1] + (mm == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return n + d - 1;
}

static void test_days(void)
{
    CHECK_INT(util_date_to_days("1970-01-01"), 0);
    CHECK_INT(util_date_to_days("1969-12-31"), -1);
    CHECK_INT(util_date_to_days("2000-03-01"), 11017);
    CHECK_INT(util_date_to_days("2025-09-26"), 20357);
    CHECK_INT(util_date_to_days("1900-01-01"), -25567);
    CHECK_INT(util_date_to_days("2999-12-31"), 376199);
    CHECK_INT(util_date_to_days("2024-02-29"), ref_days(2024, 2, 29));
    CHECK_INT(util_date_to_days("1904-03-01"), ref_days(1904, 3, 1));
    char out[11];
    util_days_to_date(0, out);
    CHECK_STR(out, "1970-01-01");
    util_days_to_date(-1, out);
    CHECK_STR(out, "1969-12-31");
    util_days_to_date(11016, out);
    CHECK_STR(out, "2000-02-29");
    util_days_to_date(376199, out);
    CHECK_STR(out, "2999-12-31");
    /* every day from 1900 to 2999: valid, increasing, round trip, and equal to
     * the counted reference on each first of the month */
    int bad = 0, checked = 0;
    char prev[11] = "";
    for (long day = -25567; day <= 376199; day++) {
        util_days_to_date(day, out);
        if (!util_date_valid(out) || strcmp(out, prev) <= 0 || util_date_to_days(out) != day)
            bad++;
        if (out[8] == '0' && out[9] == '1') {
            int y = atoi(out), m = atoi(out + 5);
            if (ref_days(y, m, 1) != day)
                bad++;
            checked++;
        }
        memcpy(prev, out, sizeof prev);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(checked, 1100 * 12);
}

static void test_weekday(void)
{
    CHECK_INT(util_weekday(0), 3);  /* Thursday */
    CHECK_INT(util_weekday(-1), 2); /* Wednesday */
    CHECK_INT(util_weekday(-7), 3);
    CHECK_INT(util_weekday(util_date_to_days("2025-09-26")), 4); /* Friday */
    CHECK_INT(util_weekday(util_date_to_days("2024-02-29")), 3); /* Thursday */
    CHECK_INT(util_weekday(util_date_to_days("1900-01-01")), 0); /* Monday */
    CHECK_INT(util_weekday(util_date_to_days("2000-01-01")), 5); /* Saturday */
    CHECK_INT(util_weekday(util_date_to_days("2025-10-01")), 2); /* Wednesday */
    CHECK_INT(util_weekday(util_date_to_days("2999-12-31")), 1); /* Tuesday */
    CHECK_INT(util_weekday(util_date_to_days("1969-12-28")), 6); /* Sunday */
    int bad = 0;
    for (long d = -30000; d < 30000; d++)
        if (util_weekday(d + 1) != (util_weekday(d) + 1) % 7)
            bad++;
    CHECK_INT(bad, 0);
}

static int iso_shape(const char *s)
{
    static const char *shape = "dddd-dd-ddTdd:dd:dd_dd:dd";
    if (strlen(s) != strlen(shape))
        return 0;
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' && (s[i] < '0' || s[i] > '9'))
            return 0;
        if (shape[i] == '_' && s[i] != '+' && s[i] != '-')
            return 0;
        if (shape[i] != 'd' && shape[i] != '_' && s[i] != shape[i])
            return 0;
    }
    return 1;
}

static void check_now_in(const char *tz, const char *offset)
{
    char out[32];
    setenv("TZ", tz, 1);
    tzset();
    util_now_iso(out);
    CHECK(iso_shape(out));
    CHECK_STR(out + 19, offset);
    CHECK_INT(util_datetime_valid(out), 1);
    /* the local time agrees with the clock within a minute */
    struct tm tm;
    time_t now = time(NULL);
    localtime_r(&now, &tm);
    char date[11];
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    int hm_now = tm.tm_hour * 60 + tm.tm_min;
    int hm = atoi(out + 11) * 60 + atoi(out + 14);
    CHECK(strncmp(out, date, 10) == 0 || hm_now == 0);
    CHECK(abs(hm - hm_now) <= 1 || abs(hm - hm_now) == 1439);
}

static void test_now_iso(void)
{
    check_now_in("UTC0", "+00:00");
    check_now_in("CST-8", "+08:00");
    check_now_in("IST-5:30", "+05:30");
    check_now_in("EST5", "-05:00");
    unsetenv("TZ");
    tzset();
}

int main(void)
{
    test_date_valid();
    test_datetime_valid();
    test_utf8_valid();
    test_utf8_len_next();
    test_days();
    test_weekday();
    test_now_iso();
    return TEST_REPORT();
}
