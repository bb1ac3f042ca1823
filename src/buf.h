/* buf: a growable byte buffer with a size cap, after curl's dynbuf. The
 * invariant: ptr is NUL-terminated whenever len > 0. An append that would
 * pass the cap fails with -1, frees the contents and leaves the buffer empty,
 * so a caller that ignores one failure cannot keep writing half a value.
 * buf_detach hands the memory to the caller (free() it). */
#ifndef SAFECOMM_BUF_H
#define SAFECOMM_BUF_H

#include <stddef.h>

typedef struct buf {
    char *ptr;
    size_t len, alloc, cap;
} buf;

void buf_init(buf *b, size_t cap);
int buf_append(buf *b, const void *data, size_t n);
int buf_puts(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string literal, quoted and escaped (UTF-8 passes through). */
int buf_json_string(buf *b, const char *s);

/* What buf_escape_xml does beyond & < > ". */
enum buf_xml_flag {
    BUF_XML_APOS = 1 << 0,     /* ' as &#39; (HTML: attributes may be single-quoted) */
    BUF_XML_BR = 1 << 1,       /* a "\n" as <br> (HTML text) */
    BUF_XML_NL_SPACE = 1 << 2, /* a "\n" as a space (HTML <title>, which takes no markup) */
};
/* n bytes of s (NULL: nothing) as XML or HTML text: & < > " as entity
 * references, plus what flags asks; everything else, UTF-8 included, as is.
 * 0, or -1 when the buffer's cap is reached (as buf_append). */
int buf_escape_xml(buf *b, const char *s, size_t n, unsigned flags);
char *buf_detach(buf *b, size_t *len);
void buf_reset(buf *b);
void buf_free(buf *b);
/* "" when empty, never NULL. */
const char *buf_str(const buf *b);

#endif
