/* router: a linear table, sorted so that the route with the most literal
 * segments is tried first. A few hundred routes at most, matched segment by
 * segment without copying the path. */
#include "router.h"
#include "util.h"

#include <string.h>
#include <stdlib.h>

#define MAX_ROUTES 512

static struct route routes[MAX_ROUTES];
static int nroutes;
static int sorted;

void router_add(const char *method, const char *pattern, router_fn fn, int flags, const void *data)
{
    if (nroutes == MAX_ROUTES) {
        log_error("too many routes");
        abort();
    }
    struct route *r = &routes[nroutes++];
    memset(r, 0, sizeof *r);
    r->method = method;
    r->pattern = pattern;
    r->fn = fn;
    r->flags = flags;
    r->data = data;
    char *copy = xstrdup(pattern); /* lives as long as the process */
    for (char *save = NULL, *s = strtok_r(copy, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
        if (r->nsegs == ROUTER_MAX_SEGS) {
            log_error("pattern too long: %s", pattern);
            abort();
        }
        size_t n = strlen(s);
        int lit = !(n > 2 && s[0] == '{' && s[n - 1] == '}');
        if (!lit) {
            s[n - 1] = '\0';
            s++;
        }
        r->segs[r->nsegs] = s;
        r->literal[r->nsegs] = lit;
        /* Earlier literal segments weigh more: /a/{x} before /{y}/b. */
        r->score = r->score * 2 + lit;
        r->nsegs++;
    }
    sorted = 0;
}

static int cmp_route(const void *a, const void *b)
{
    const struct route *x = a, *y = b;
    if (x->nsegs != y->nsegs)
        return x->nsegs - y->nsegs;
    return y->score - x->score;
}

static void sort_routes(void)
{
    qsort(routes, (size_t)nroutes, sizeof routes[0], cmp_route);
    for (int i = 0; i < nroutes; i++)
        routes[i].index = i;
    sorted = 1;
}

int router_count(void)
{
    if (!sorted)
        sort_routes();
    return nroutes;
}

const struct route *router_get(int i)
{
    return &routes[i];
}

int router_match(arena *a, const char *method, const char *path, struct route_match *m)
{
    const char *seg[ROUTER_MAX_SEGS + 1];
    size_t len[ROUTER_MAX_SEGS + 1];
    int n = 0;
    memset(m, 0, sizeof *m);
    if (!sorted)
        sort_routes();
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (n == ROUTER_MAX_SEGS)
            return -1;
        seg[n] = p;
        len[n] = l;
        n++;
        p += l;
    }
    for (int i = 0; i < nroutes; i++) {
        const struct route *r = &routes[i];
        if (r->nsegs != n)
            continue;
        int ok = 1;
        for (int k = 0; k < n && ok; k++)
            if (r->literal[k])
                ok = strlen(r->segs[k]) == len[k] && memcmp(r->segs[k], seg[k], len[k]) == 0;
        if (!ok)
            continue;
        if (strcmp(r->method, method) != 0 &&
            !(strcmp(r->method, "GET") == 0 && strcmp(method, "HEAD") == 0)) {
            m->method_mismatch = 1;
            continue;
        }
        m->route = r;
        for (int k = 0; k < n; k++)
            if (!r->literal[k] && m->nparams < 8) {
                m->names[m->nparams] = r->segs[k];
                m->values[m->nparams] = arena_strndup(a, seg[k], len[k]);
                m->nparams++;
            }
        return 0;
    }
    return -1;
}
