/* strmap: open addressing (linear probing) on FNV-1a, grown at 70 %. See
 * strmap.h. */
#include "strmap.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    char *key;
    uint64_t hash;
    void *value;
};

struct strmap {
    struct slot *slots;
    size_t cap, n, vsize;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

struct strmap *strmap_new(size_t value_size)
{
    struct strmap *m = xcalloc(1, sizeof *m);
    m->vsize = value_size;
    m->cap = 64;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    return m;
}

void strmap_free(struct strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key) {
            free(m->slots[i].key);
            free(m->slots[i].value);
        }
    free(m->slots);
    free(m);
}

static void grow(struct strmap *m)
{
    struct slot *old = m->slots;
    size_t oldcap = m->cap;
    m->cap *= 2;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key) {
            size_t j = old[i].hash & (m->cap - 1);
            while (m->slots[j].key)
                j = (j + 1) & (m->cap - 1);
            m->slots[j] = old[i];
        }
    free(old);
}

void *strmap_get(struct strmap *m, const char *key, int create)
{
    uint64_t h = fnv1a(key);
    size_t i = h & (m->cap - 1);
    for (; m->slots[i].key; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
            return m->slots[i].value;
    if (!create)
        return NULL;
    if ((m->n + 1) * 10 > m->cap * 7) {
        grow(m);
        return strmap_get(m, key, create);
    }
    m->slots[i].key = xstrdup(key);
    m->slots[i].hash = h;
    m->slots[i].value = xcalloc(1, m->vsize ? m->vsize : 1);
    m->n++;
    return m->slots[i].value;
}

size_t strmap_count(const struct strmap *m)
{
    return m->n;
}

const char *strmap_next(const struct strmap *m, size_t *pos, void **value)
{
    for (; *pos < m->cap; (*pos)++)
        if (m->slots[*pos].key) {
            *value = m->slots[*pos].value;
            return m->slots[(*pos)++].key;
        }
    return NULL;
}
