/* Unit tests for router: literal segments before parameters whatever the
 * registration order, parameter capture, the method-mismatch flag, HEAD as
 * GET, slashes, and the segment limit. */
#include "harness.h"
#include "router.h"

static void h_export(void)
{
}
static void h_get(void)
{
}
static void h_patch(void)
{
}
static void h_list(void)
{
}
static void h_create(void)
{
}
static void h_history(void)
{
}
static void h_x_history(void)
{
}
static void h_a_x(void)
{
}
static void h_y_b(void)
{
}
static void h_deep(void)
{
}
static void h_post_id(void)
{
}

static const char *deep_pattern = "/1/2/3/4/5/6/7/8/9/10/11/{last}";

static void setup(void)
{
    /* parameters registered first, so only the sort puts literals ahead */
    router_add("GET", "/api/v1/x/{id}", h_get, 0, NULL);
    router_add("PATCH", "/api/v1/x/{id}", h_patch, 0, NULL);
    router_add("GET", "/api/v1/x/export.xlsx", h_export, 7, "data");
    router_add("GET", "/api/v1/x", h_list, 0, NULL);
    router_add("POST", "/api/v1/x", h_create, 0, NULL);
    router_add("GET", "/api/v1/{entity}/{id}/history", h_history, 0, NULL);
    router_add("GET", "/api/v1/x/{id}/history", h_x_history, 0, NULL);
    router_add("GET", "/{y}/b", h_y_b, 0, NULL);
    router_add("GET", "/a/{x}", h_a_x, 0, NULL);
    router_add("GET", deep_pattern, h_deep, 0, NULL);
    router_add("POST", "/api/v2/y/{id}", h_post_id, 0, NULL);
    router_add("GET", "/api/v2/y/literal", h_export, 0, NULL);
}

static router_fn fn_of(arena *a, const char *method, const char *path, struct route_match *m)
{
    if (router_match(a, method, path, m) != 0)
        return NULL;
    return m->route->fn;
}

static void test_precedence(arena *a)
{
    struct route_match m;
    CHECK(fn_of(a, "GET", "/api/v1/x/export.xlsx", &m) == h_export);
    CHECK_INT(m.nparams, 0);
    CHECK_INT(m.route->flags, 7);
    CHECK_STR(m.route->data, "data");
    CHECK(fn_of(a, "GET", "/api/v1/x/42", &m) == h_get);
    CHECK(fn_of(a, "GET", "/api/v1/x/export.xls", &m) == h_get);
    CHECK(fn_of(a, "GET", "/api/v1/x/export.xlsxx", &m) == h_get);
    CHECK(fn_of(a, "GET", "/api/v1/x/42/history", &m) == h_x_history);
    CHECK(fn_of(a, "GET", "/api/v1/y/42/history", &m) == h_history);
    /* an earlier literal segment outweighs a later one */
    CHECK(fn_of(a, "GET", "/a/b", &m) == h_a_x);
    CHECK(fn_of(a, "GET", "/c/b", &m) == h_y_b);
    CHECK(fn_of(a, "GET", "/a/c", &m) == h_a_x);
    CHECK_INT(router_match(a, "GET", "/", &m), -1);
    CHECK_INT(m.method_mismatch, 0);
    /* the table is sorted and indexed in order */
    int n = router_count(), idx_ok = 1;
    CHECK_INT(n, 12);
    for (int i = 0; i < n; i++)
        if (router_get(i)->index != i)
            idx_ok = 0;
    CHECK(idx_ok);
}

static void test_params(arena *a)
{
    struct route_match m;
    CHECK(fn_of(a, "GET", "/api/v1/x/42", &m) == h_get);
    CHECK_INT(m.nparams, 1);
    CHECK_STR(m.names[0], "id");
    CHECK_STR(m.values[0], "42");
    CHECK(fn_of(a, "PATCH", "/api/v1/x/%E5%BC%A0", &m) == h_patch);
    CHECK_STR(m.values[0], "%E5%BC%A0");
    CHECK(fn_of(a, "GET", "/api/v1/volunteers/7/history", &m) == h_history);
    CHECK_INT(m.nparams, 2);
    CHECK_STR(m.names[0], "entity");
    CHECK_STR(m.values[0], "volunteers");
    CHECK_STR(m.names[1], "id");
    CHECK_STR(m.values[1], "7");
    CHECK(fn_of(a, "GET", "/a/hello", &m) == h_a_x);
    CHECK_STR(m.names[0], "x");
    CHECK_STR(m.values[0], "hello");
    /* a literal route with the path of a parameter's value wins for GET; for
     * another method the parameter route takes it */
    CHECK(fn_of(a, "GET", "/api/v2/y/literal", &m) == h_export);
    CHECK(fn_of(a, "POST", "/api/v2/y/literal", &m) == h_post_id);
    CHECK_STR(m.values[0], "literal");
}

static void test_methods(arena *a)
{
    struct route_match m;
    CHECK_INT(router_match(a, "POST", "/api/v1/x/42", &m), -1);
    CHECK_INT(m.method_mismatch, 1);
    CHECK(m.route == NULL);
    CHECK_INT(router_match(a, "DELETE", "/api/v1/x", &m), -1);
    CHECK_INT(m.method_mismatch, 1);
    CHECK_INT(router_match(a, "GET", "/api/v1/nothing/here/at/all", &m), -1);
    CHECK_INT(m.method_mismatch, 0);
    CHECK_INT(router_match(a, "GET", "/api/v2/y/5", &m), -1);
    CHECK_INT(m.method_mismatch, 1);
    /* HEAD is answered by GET routes, and only by them */
    CHECK(fn_of(a, "HEAD", "/api/v1/x/42", &m) == h_get);
    CHECK_STR(m.values[0], "42");
    CHECK(fn_of(a, "HEAD", "/api/v1/x/export.xlsx", &m) == h_export);
    CHECK_INT(router_match(a, "HEAD", "/api/v2/y/5", &m), -1);
    CHECK_INT(m.method_mismatch, 1);
    /* methods are case-sensitive tokens */
    CHECK_INT(router_match(a, "get", "/api/v1/x", &m), -1);
    CHECK_INT(m.method_mismatch, 1);
    CHECK(fn_of(a, "POST", "/api/v1/x", &m) == h_create);
}

static void test_slashes(arena *a)
{
    struct route_match m;
    CHECK(fn_of(a, "GET", "/api/v1/x/", &m) == h_list);
    CHECK(fn_of(a, "GET", "//api//v1///x", &m) == h_list);
    CHECK(fn_of(a, "GET", "api/v1/x", &m) == h_list);
    CHECK(fn_of(a, "GET", "/api/v1/x/42/", &m) == h_get);
    CHECK_STR(m.values[0], "42");
    /* empty segments collapse: a double slash never yields an empty value */
    CHECK(fn_of(a, "GET", "/api/v1/x//42", &m) == h_get);
    CHECK_STR(m.values[0], "42");
    CHECK(fn_of(a, "GET", "/api//v1/x/42//history", &m) == h_x_history);
    CHECK_INT(router_match(a, "GET", "///", &m), -1);
}

static void test_segment_limit(arena *a)
{
    struct route_match m;
    CHECK(fn_of(a, "GET", "/1/2/3/4/5/6/7/8/9/10/11/twelve", &m) == h_deep);
    CHECK_STR(m.values[0], "twelve");
    CHECK_INT(router_match(a, "GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13", &m), -1);
    CHECK_INT(m.method_mismatch, 0);
    CHECK_INT(router_match(a, "GET", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20", &m),
              -1);
    /* trailing slashes do not count as segments */
    CHECK(fn_of(a, "GET", "/1/2/3/4/5/6/7/8/9/10/11/twelve////", &m) == h_deep);
}

int main(void)
{
    arena *a = arena_new();
    setup();
    test_precedence(a);
    test_params(a);
    test_methods(a);
    test_slashes(a);
    test_segment_limit(a);
    arena_free(a);
    return TEST_REPORT();
}
