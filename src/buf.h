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
char *buf_detach(buf *b, size_t *len);
void buf_reset(buf *b);
void buf_free(buf *b);
/* "" when empty, never NULL. */
const char *buf_str(const buf *b);

#endif
