/* idcard: Chinese resident identity numbers (see idcard.h). */
#include "idcard.h"

#include <string.h>
#include <time.h>

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* Today as YYYYMMDD in China Standard Time (UTC+8, no daylight saving), so the
 * answer does not depend on the server's time zone. */
static long today_cst(void)
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 99991231L;
    return (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100L + tm.tm_mday;
}

char idcard_check_char(const char *id)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id[i] - '0') * weights[i];
    return "10X98765432"[sum % 11];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* idcard_validate with "today" (YYYYMMDD) given, for tests. */
static int validate_at(const char *id, const char **why, long today)
{
    const char *reason = NULL;
    if (!id || !*id) {
        reason = "不能为空";
        goto bad;
    }
    if (strlen(id) != 18) {
        reason = "长度必须为18位";
        goto bad;
    }
    for (int i = 0; i < 17; i++) {
        if (id[i] < '0' || id[i] > '9') {
            reason = "前17位必须为数字";
            goto bad;
        }
    }
    char last = id[17] == 'x' ? 'X' : id[17];
    if (!((last >= '0' && last <= '9') || last == 'X')) {
        reason = "最后一位必须为数字或X";
        goto bad;
    }
    int y = digits(id + 6, 4), m = digits(id + 10, 2), d = digits(id + 12, 2);
    if (m < 1 || m > 12 || d < 1 || y < 1 || d > days_in_month(y, m)) {
        reason = "出生日期无效";
        goto bad;
    }
    long birth = y * 10000L + m * 100L + d;
    if (birth < 19000101L) {
        reason = "出生日期不能早于1900年";
        goto bad;
    }
    if (birth > today) {
        reason = "出生日期不能晚于今天";
        goto bad;
    }
    if (idcard_check_char(id) != last) {
        reason = "校验位错误";
        goto bad;
    }
    if (why)
        *why = NULL;
    return 0;
bad:
    if (why)
        *why = reason;
    return -1;
}

int idcard_validate(const char *id, const char **why)
{
    return validate_at(id, why, today_cst());
}

/* Length in bytes of the UTF-8 character starting at s (continuation bytes
 * that follow a lead byte; a stray byte counts as one character). */
static size_t char_len(const char *s)
{
    size_t n = 1;
    while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

void idcard_mask(const char *id, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    out[0] = '\0';
    if (!id)
        return;
    size_t nchars = 0;
    for (const char *p = id; *p; p += char_len(p))
        nchars++;
    /* The first 3 (the province and city, which the record's region gives
     * anyway) and the check character: the other 14 stay unknown, so no
     * birth date, region or sex a reader holds completes the number. */
    size_t keep_head = nchars >= 15 ? 3 : 0;
    size_t keep_tail_from = nchars >= 15 ? nchars - 1 : nchars;
    size_t o = 0, i = 0;
    for (const char *p = id; *p; i++) {
        size_t len = char_len(p);
        int keep = i < keep_head || i >= keep_tail_from;
        size_t need = keep ? len : 1;
        if (o + need >= outlen)
            break;
        if (keep)
            memcpy(out + o, p, len);
        else
            out[o] = '*';
        o += need;
        p += len;
    }
    out[o] = '\0';
}
