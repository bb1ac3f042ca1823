/* router: matches a method and a path against registered patterns such as
 * "/api/v1/regions/{code}". Routes are static data registered at start-up;
 * matching allocates nothing but the captured parameter strings, which come
 * from the caller's arena. */
#ifndef SAFECOMM_ROUTER_H
#define SAFECOMM_ROUTER_H

#include "arena.h"

#define ROUTER_MAX_SEGS 12

/* Handlers have their own signature (http.h); the router stores them as this. */
typedef void (*router_fn)(void);

struct route {
    const char *method;
    const char *pattern;
    router_fn fn;
    int flags;
    const void *data;
    int index; /* position in the table, for metrics */
    int nsegs;
    const char *segs[ROUTER_MAX_SEGS];
    int literal[ROUTER_MAX_SEGS];
    int score;
};

struct route_match {
    const struct route *route;
    int nparams;
    const char *names[8];
    const char *values[8];
    int method_mismatch; /* a pattern matched the path, but not the method */
};

void router_add(const char *method, const char *pattern, router_fn fn, int flags, const void *data);
/* 0 when a route matched; -1 otherwise (see m->method_mismatch). */
int router_match(arena *a, const char *method, const char *path, struct route_match *m);
int router_count(void);
const struct route *router_get(int i);

#endif
