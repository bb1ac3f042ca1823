/* Fuzzes what our code does with a request's head once libmicrohttpd has
 * split it (which fuzz_http drives whole): the router's path matching and
 * its parameters (src/router.c), the trusted-proxy CIDR list and the
 * X-Forwarded-For walk, the strict page/page_size numbers and If-None-Match
 * (src/http.c, included for its static functions). libmicrohttpd's look-up
 * of a header or query value is replaced by this file's, which answers from
 * the input.
 *
 * Input: lines — method, path, trusted proxies, X-Forwarded-For, peer
 * address, page, page_size, If-None-Match. */
#include "fuzz.h"
#include "../../src/http.c"

static const char *hdr_xff, *q_page, *q_size;

/* Interposes libmicrohttpd's: the values of this input. */
const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                        const char *key)
{
    (void)connection;
    if (kind == MHD_HEADER_KIND && strcasecmp(key, "X-Forwarded-For") == 0)
        return hdr_xff;
    if (kind == MHD_GET_ARGUMENT_KIND && strcmp(key, "page") == 0)
        return q_page;
    if (kind == MHD_GET_ARGUMENT_KIND && strcmp(key, "page_size") == 0)
        return q_size;
    return NULL;
}

static void nop(void)
{
}

/* The shapes of the real table: literals, parameters, a literal beside a
 * parameter at the same depth, suffixes after a parameter. */
static const char *const routes[][2] = {
    {"GET", "/healthz"},
    {"GET", "/api/v1/session"},
    {"POST", "/api/v1/session"},
    {"GET", "/api/v1/{entity}"},
    {"POST", "/api/v1/{entity}"},
    {"GET", "/api/v1/{entity}/{id}"},
    {"PATCH", "/api/v1/{entity}/{id}"},
    {"DELETE", "/api/v1/{entity}/{id}"},
    {"GET", "/api/v1/{entity}/export.xlsx"},
    {"GET", "/api/v1/{entity}/import-template.xlsx"},
    {"POST", "/api/v1/{entity}/import"},
    {"POST", "/api/v1/{entity}/{id}/transitions"},
    {"POST", "/api/v1/{entity}/{id}/reveal"},
    {"GET", "/api/v1/hazards/board"},
    {"GET", "/api/v1/hazards/{id}/history"},
    {"GET", "/api/v1/hazards/{id}/notice.html"},
    {"GET", "/api/v1/regions/{code}/boundary"},
    {"PUT", "/api/v1/regions/{code}/boundary"},
    {"GET", "/api/v1/calendar/add"},
    {"GET", "/api/v1/calendar/{year}"},
    {"PUT", "/api/v1/calendar/{year}"},
    {"GET", "/api/v1/dicts/{name}"},
    {"POST", "/api/v1/users/{id}/reset-password"},
    {"GET", "/api/v1/files/{id}"},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(LOG_ERROR);
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(routes[i][0], routes[i][1], nop, 0, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    char *f[8] = {0};
    int n = fuzz_lines(s, f, 8);
    for (int i = n; i < 8; i++)
        f[i] = "";
    arena *a = arena_new();

    struct route_match m = {0};
    if (router_match(a, f[0], f[1], &m) == 0) {
        if (!m.route || m.nparams < 0 || m.nparams > 8)
            abort();
        for (int i = 0; i < m.nparams; i++)
            if (!m.names[i] || !m.values[i] || strchr(m.values[i], '/'))
                abort(); /* a parameter is one whole segment */
    }

    hdr_xff = f[3];
    q_page = f[5];
    q_size = f[6];
    req r = {.a = a, .method = f[0], .path = f[1]};
    if (http_trusted_proxies_set(f[2]) == 0 && nproxies > 0) {
        snprintf(r.client_ip, sizeof r.client_ip, "%s", f[4]);
        forwarded_for(&r);
        if (!memchr(r.client_ip, '\0', sizeof r.client_ip))
            abort();
    }
    long page = 0, page_size = 0;
    if (parse_bounded(q_page, 1, 1000000, &page) == 0 && (page < 1 || page > 1000000))
        abort();
    if (parse_bounded(q_size, 1, 500, &page_size) == 0 && (page_size < 1 || page_size > 500))
        abort();
    (void)http_etag_matches(f[7], "abc123");
    (void)http_etag_matches(f[7], f[4]);

    arena_free(a);
    free(s);
    return 0;
}
