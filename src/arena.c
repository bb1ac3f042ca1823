/* arena: bump allocation in chained blocks; large requests get a block of
 * their own so that the common block size stays small. */
#include "arena.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>

#define ARENA_BLOCK 8192

struct block {
    struct block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct deferred {
    struct deferred *next;
    void (*fn)(void *);
    void *p;
};

struct arena {
    struct block *head;
    struct deferred *defers;
    size_t total;
};

static struct block *block_new(size_t size)
{
    struct block *b = xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena *arena_new(void)
{
    arena *a = xcalloc(1, sizeof *a);
    a->head = block_new(ARENA_BLOCK);
    return a;
}

static void run_defers(arena *a)
{
    /* Last registered runs first, like a stack unwinding. */
    struct deferred *d = a->defers;
    a->defers = NULL;
    while (d) {
        d->fn(d->p);
        d = d->next;
    }
}

void arena_reset(arena *a)
{
    run_defers(a);
    struct block *b = a->head;
    while (b->next) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    /* Keep the oldest block only when it has the standard size. */
    if (b->size != ARENA_BLOCK) {
        free(b);
        b = block_new(ARENA_BLOCK);
    }
    b->used = 0;
    a->head = b;
    a->total = 0;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    run_defers(a);
    struct block *b = a->head;
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *arena_alloc(arena *a, size_t n)
{
    if (n > SIZE_MAX - 64) {
        fputs("safecomm: out of memory\n", stderr);
        abort();
    }
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    struct block *b = a->head;
    if (b->size - b->used < n) {
        if (n > ARENA_BLOCK / 4) {
            /* A big object gets its own block behind the head, so the head's
             * free space stays usable. */
            struct block *big = block_new(n);
            big->used = n;
            big->next = b->next;
            b->next = big;
            a->total += n;
            return big->data;
        }
        b = block_new(ARENA_BLOCK);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

void *arena_zalloc(arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *s = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void arena_defer(arena *a, void (*fn)(void *), void *p)
{
    struct deferred *d = arena_alloc(a, sizeof *d);
    d->fn = fn;
    d->p = p;
    d->next = a->defers;
    a->defers = d;
}

size_t arena_used(const arena *a)
{
    return a->total;
}
