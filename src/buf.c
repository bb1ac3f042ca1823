/* buf: see buf.h. */
#include "buf.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t cap)
{
    b->ptr = NULL;
    b->len = b->alloc = 0;
    b->cap = cap;
}

void buf_free(buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->alloc = 0;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

int buf_append(buf *b, const void *data, size_t n)
{
    if (n > b->cap || b->len > b->cap - n) {
        buf_free(b);
        return -1;
    }
    if (b->len + n + 1 > b->alloc) {
        size_t a = b->alloc ? b->alloc : 256;
        while (a < b->len + n + 1)
            a *= 2;
        if (a > b->cap + 1)
            a = b->cap + 1;
        b->ptr = xrealloc(b->ptr, a);
        b->alloc = a;
    }
    memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int buf_puts(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_printf(buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return buf_append(b, small, (size_t)n);
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = buf_append(b, big, (size_t)n);
    free(big);
    return rc;
}

char *buf_detach(buf *b, size_t *len)
{
    char *p = b->ptr ? b->ptr : xstrdup("");
    if (len)
        *len = b->len;
    b->ptr = NULL;
    b->len = b->alloc = 0;
    return p;
}

const char *buf_str(const buf *b)
{
    return b->ptr ? b->ptr : "";
}

int buf_json_string(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    int rc = buf_append(b, "\"", 1);
    const char *run = s;
    for (; rc == 0 && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        rc = buf_append(b, run, (size_t)(s - run));
        char esc[7] = {'\\', (char)ch, 0};
        size_t n = 2;
        if (ch == '\n')
            esc[1] = 'n';
        else if (ch == '\t')
            esc[1] = 't';
        else if (ch == '\r')
            esc[1] = 'r';
        else if (ch < 0x20) {
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            n = 6;
        }
        if (rc == 0)
            rc = buf_append(b, esc, n);
        run = s + 1;
    }
    if (rc == 0)
        rc = buf_append(b, run, (size_t)(s - run));
    return rc == 0 ? buf_append(b, "\"", 1) : rc;
}

int buf_escape_xml(buf *b, const char *s, size_t n, unsigned flags)
{
    if (!s)
        return 0;
    const char *run = s, *end = s + n;
    for (; s < end; s++) {
        const char *ref = NULL;
        switch (*s) {
        case '&':
            ref = "&amp;";
            break;
        case '<':
            ref = "&lt;";
            break;
        case '>':
            ref = "&gt;";
            break;
        case '"':
            ref = "&quot;";
            break;
        case '\'':
            ref = (flags & BUF_XML_APOS) ? "&#39;" : NULL;
            break;
        case '\n':
            ref = (flags & BUF_XML_BR) ? "<br>" : (flags & BUF_XML_NL_SPACE) ? " " : NULL;
            break;
        }
        if (!ref)
            continue;
        if (buf_append(b, run, (size_t)(s - run)) != 0 || buf_puts(b, ref) != 0)
            return -1;
        run = s + 1;
    }
    return buf_append(b, run, (size_t)(s - run));
}
