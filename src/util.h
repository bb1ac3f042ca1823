/* util: the few things every module needs. Allocation that aborts on
 * out-of-memory (callers never check for NULL), logging with the caller's
 * function name, and small string and time helpers. Everything returned by
 * x*alloc/xstrdup is owned by the caller and released with free(). */
#ifndef SAFECOMM_UTIL_H
#define SAFECOMM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new heap string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define log_info(...)  log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __func__, __VA_ARGS__)

/* Current time as ISO 8601 with the local offset: "2025-03-05T09:30:00+08:00".
 * out must hold 32 bytes. */
void util_now_iso(char out[32]);
/* Today's local date "YYYY-MM-DD", or the date set by util_today_set (the
 * serve option --today, for tests), else the SAFECOMM_TODAY environment
 * variable. Derived values such as a hazard's "overdue" use it. */
void util_today(char out[11]);
/* 0, or -1 when date is not a valid "YYYY-MM-DD"; NULL clears it. Call
 * before serving (not thread-safe). */
int util_today_set(const char *date);
/* Monotonic clock in microseconds, for latencies. */
int64_t util_now_us(void);

/* Validation of wire formats. A date is "YYYY-MM-DD" and a real calendar day. */
int util_date_valid(const char *s);
/* ISO 8601 date-time with an offset or Z, as the conventions fix. */
int util_datetime_valid(const char *s);
/* 1 when the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
int util_utf8_valid(const char *s, size_t len);
/* Number of code points in a UTF-8 string (assumed valid). */
size_t util_utf8_len(const char *s);
/* Decodes one code point at s, stores it in *cp, returns its byte length
 * (1 on a malformed byte, with *cp = 0xFFFD). */
int util_utf8_next(const char *s, uint32_t *cp);

/* Days since 1970-01-01 for a valid "YYYY-MM-DD", and back. */
long util_date_to_days(const char *s);
void util_days_to_date(long days, char out[11]);
/* 0 = Monday … 6 = Sunday. */
int util_weekday(long days);

#endif
