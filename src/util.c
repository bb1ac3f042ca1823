/* util: allocation, logging, time and text helpers shared by every module. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

static enum log_level log_threshold = LOG_INFO;

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("safecomm: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("safecomm: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("safecomm: out of memory\n", stderr);
        abort();
    }
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void log_set_level(enum log_level lvl)
{
    log_threshold = lvl;
}

void log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (lvl < log_threshold)
        return;
    char ts[32], line[2048];
    util_now_iso(ts);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One fprintf per line so that lines from threads do not interleave. */
    fprintf(stderr, "%s %s %s: %s\n", ts, names[lvl], func, line);
}

static char today_override[11];

int util_today_set(const char *date)
{
    if (!date) {
        today_override[0] = '\0';
        return 0;
    }
    if (!util_date_valid(date))
        return -1;
    memcpy(today_override, date, 11);
    return 0;
}

void util_today(char out[11])
{
    if (today_override[0]) {
        memcpy(out, today_override, 11);
        return;
    }
    const char *env = getenv("SAFECOMM_TODAY");
    if (env && util_date_valid(env)) {
        memcpy(out, env, 10);
        out[10] = '\0';
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void util_now_iso(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    char tz[8];
    strftime(tz, sizeof tz, "%z", &tm); /* +0800 */
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, "%.3s:%.2s", tz, tz + 3);
}

int64_t util_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int util_date_valid(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    if (!digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
        return 0;
    long y = strtol(s, NULL, 10);
    int m = atoi(s + 5), d = atoi(s + 8);
    return y >= 1900 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int util_datetime_valid(const char *s)
{
    if (!s || strlen(s) < 20)
        return 0;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!util_date_valid(date) || s[10] != 'T')
        return 0;
    const char *t = s + 11;
    if (!digits(t, 2) || t[2] != ':' || !digits(t + 3, 2) || t[5] != ':' || !digits(t + 6, 2))
        return 0;
    if (atoi(t) > 23 || atoi(t + 3) > 59 || atoi(t + 6) > 60)
        return 0;
    t += 8;
    if (*t == '.') {
        t++;
        if (!digits(t, 1))
            return 0;
        while (*t >= '0' && *t <= '9')
            t++;
    }
    if (strcmp(t, "Z") == 0)
        return 1;
    return (t[0] == '+' || t[0] == '-') && digits(t + 1, 2) && t[3] == ':' && digits(t + 4, 2) &&
           t[6] == '\0' && atoi(t + 1) <= 23 && atoi(t + 4) <= 59;
}

int util_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    while (s < end) {
        unsigned c = *s;
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - s) < n)
            return 0;
        for (size_t i = 1; i < n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n;
    }
    return 1;
}

int util_utf8_next(const char *str, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    int n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t c = s[0] & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return n;
}

size_t util_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Civil-from-days and days-from-civil after Howard Hinnant's algorithms. */
long util_date_to_days(const char *s)
{
    long y = strtol(s, NULL, 10);
    unsigned m = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

void util_days_to_date(long z, char out[11])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000);
    snprintf(out, 11, "%04u-%02u-%02u", yy % 10000, m % 100, d % 100);
}

int util_weekday(long days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    long w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}
