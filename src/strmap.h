/* strmap: a string-keyed hash map of fixed-size values, for the work a
 * bulk import does in memory (the aggregates of the rows it streams, the
 * look-ups it would otherwise ask the database once per row). Keys are
 * copied; values start zeroed. Not thread-safe: one per import. */
#ifndef SAFECOMM_STRMAP_H
#define SAFECOMM_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(size_t value_size);
void strmap_free(struct strmap *m);
/* The value of key; NULL when absent and create is 0. With create, an
 * absent key is added with a zeroed value. */
void *strmap_get(struct strmap *m, const char *key, int create);
size_t strmap_count(const struct strmap *m);
/* Iteration: *pos starts at 0; each call gives the next key and its value,
 * NULL at the end. */
const char *strmap_next(const struct strmap *m, size_t *pos, void **value);

#endif
