/* arena: a region allocator, one per HTTP request (and per CLI command).
 * Everything allocated from an arena lives until arena_free(), which releases
 * it all at once; callers never free() arena memory. Allocation aborts on
 * out-of-memory, like xmalloc. An arena is used by one thread at a time. */
#ifndef SAFECOMM_ARENA_H
#define SAFECOMM_ARENA_H

#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
/* Releases everything but keeps the first block, for reuse. */
void arena_reset(arena *a);

void *arena_alloc(arena *a, size_t n);  /* 16-byte aligned, uninitialised */
void *arena_zalloc(arena *a, size_t n); /* zeroed */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Registers fn(p) to run at arena_free/arena_reset, for foreign objects
 * (a json_t, a prepared statement) whose life should end with the request. */
void arena_defer(arena *a, void (*fn)(void *), void *p);
/* Bytes handed out so far, for the per-request cap and metrics. */
size_t arena_used(const arena *a);

#endif
