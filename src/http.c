/* http: the request life cycle on libmicrohttpd. The first callback of a
 * request only sets up state and returns MHD_YES (answering on the first call
 * would cost keep-alive); body chunks are collected under a cap; the last
 * callback routes, authenticates, runs the handler and queues the reply.
 * Metrics and the access log are written when MHD reports completion. */
#include "http.h"
#include "app.h"
#include "router.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- metrics ---- */

static const int status_slots[] = {200, 201, 204, 206, 304, 400, 401, 403, 404,
                                   405, 409, 413, 415, 422, 429, 500, 503};
#define NSLOTS ((int)(sizeof status_slots / sizeof status_slots[0]) + 1)
static const double latency_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS ((int)(sizeof latency_bounds / sizeof latency_bounds[0]))

static uint64_t *route_counts; /* (routes + 2) x NSLOTS: last two rows static, unmatched */
static uint64_t latency_hist[NBUCKETS + 1];
static uint64_t latency_sum_us, latency_count;
static int open_connections, inflight;
static int long_waiting; /* requests queued for the long pool */
static pthread_mutex_t long_lock = PTHREAD_MUTEX_INITIALIZER;
/* The connection guard's lock (see there), and its counts: connections
 * refused over the per-address limit (under the lock), connections cut for
 * slowness (atomic). */
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t refused_per_ip, cut_slow;
/* Set at SIGTERM/SIGINT: requests that arrive afterwards on kept-alive
 * connections are turned away, so that the ones in flight can drain. */
static int stopping;
static int64_t stop_started;
/* Set by http_serve before the first request; read-only afterwards. */
static struct http_config config;

static int status_slot(int status)
{
    for (int i = 0; i < NSLOTS - 1; i++)
        if (status_slots[i] == status)
            return i;
    return NSLOTS - 1;
}

static void metrics_observe(const req *r, int status, int64_t us)
{
    int nr = router_count();
    int row = r->route ? r->route->index : (strncmp(r->path, "/api/", 5) ? nr : nr + 1);
    __atomic_fetch_add(&route_counts[row * NSLOTS + status_slot(status)], 1, __ATOMIC_RELAXED);
    double s = (double)us / 1e6;
    int b = 0;
    while (b < NBUCKETS && s > latency_bounds[b])
        b++;
    __atomic_fetch_add(&latency_hist[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&latency_sum_us, (uint64_t)us, __ATOMIC_RELAXED);
    __atomic_fetch_add(&latency_count, 1, __ATOMIC_RELAXED);
}

char *http_metrics_text(void)
{
    buf b;
    buf_init(&b, 16 << 20);
    int nr = router_count();
    buf_puts(&b, "# HELP safecomm_http_requests_total HTTP requests by route and status.\n"
                 "# TYPE safecomm_http_requests_total counter\n");
    for (int row = 0; row < nr + 2; row++) {
        char label[256];
        if (row < nr)
            snprintf(label, sizeof label, "%s %s", router_get(row)->method,
                     router_get(row)->pattern);
        else
            snprintf(label, sizeof label, "%s", row == nr ? "static" : "unmatched");
        for (int s = 0; s < NSLOTS; s++) {
            uint64_t v = __atomic_load_n(&route_counts[row * NSLOTS + s], __ATOMIC_RELAXED);
            if (!v)
                continue;
            char st[16];
            if (s < NSLOTS - 1)
                snprintf(st, sizeof st, "%d", status_slots[s]);
            else
                snprintf(st, sizeof st, "other");
            buf_printf(&b, "safecomm_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n", label,
                       st, (unsigned long long)v);
        }
    }
    buf_puts(&b, "# HELP safecomm_http_request_duration_seconds Request latency.\n"
                 "# TYPE safecomm_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i <= NBUCKETS; i++) {
        cum += __atomic_load_n(&latency_hist[i], __ATOMIC_RELAXED);
        if (i < NBUCKETS)
            buf_printf(&b, "safecomm_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                       latency_bounds[i], (unsigned long long)cum);
        else
            buf_printf(&b, "safecomm_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cum);
    }
    buf_printf(&b, "safecomm_http_request_duration_seconds_sum %.6f\n",
               (double)__atomic_load_n(&latency_sum_us, __ATOMIC_RELAXED) / 1e6);
    buf_printf(&b, "safecomm_http_request_duration_seconds_count %llu\n",
               (unsigned long long)__atomic_load_n(&latency_count, __ATOMIC_RELAXED));
    buf_printf(&b,
               "# HELP safecomm_http_open_connections Open client connections.\n"
               "# TYPE safecomm_http_open_connections gauge\n"
               "safecomm_http_open_connections %d\n"
               "# TYPE safecomm_http_requests_in_flight gauge\n"
               "safecomm_http_requests_in_flight %d\n",
               __atomic_load_n(&open_connections, __ATOMIC_RELAXED),
               __atomic_load_n(&inflight, __ATOMIC_RELAXED));
    pthread_mutex_lock(&long_lock);
    int queued = long_waiting;
    pthread_mutex_unlock(&long_lock);
    buf_printf(&b,
               "# HELP safecomm_http_long_queue Imports, exports and reports waiting for the "
               "long pool.\n"
               "# TYPE safecomm_http_long_queue gauge\n"
               "safecomm_http_long_queue %d\n",
               queued);
    pthread_mutex_lock(&guard_lock);
    unsigned long long refused = refused_per_ip;
    pthread_mutex_unlock(&guard_lock);
    buf_printf(&b,
               "# HELP safecomm_http_connections_refused_total Connections closed at accept: "
               "over the per-address limit.\n"
               "# TYPE safecomm_http_connections_refused_total counter\n"
               "safecomm_http_connections_refused_total %llu\n"
               "# HELP safecomm_http_connections_cut_total Connections closed for sending a "
               "request too slowly.\n"
               "# TYPE safecomm_http_connections_cut_total counter\n"
               "safecomm_http_connections_cut_total %llu\n",
               refused, (unsigned long long)__atomic_load_n(&cut_slow, __ATOMIC_RELAXED));
    if (app.db) {
        struct db_stats st;
        db_stats_get(app.db, &st);
        buf_printf(&b,
                   "# TYPE safecomm_db_statement_cache_hits_total counter\n"
                   "safecomm_db_statement_cache_hits_total %llu\n"
                   "# TYPE safecomm_db_statement_cache_misses_total counter\n"
                   "safecomm_db_statement_cache_misses_total %llu\n"
                   "# TYPE safecomm_db_commits_total counter\n"
                   "safecomm_db_commits_total %llu\n"
                   "# TYPE safecomm_db_rollbacks_total counter\n"
                   "safecomm_db_rollbacks_total %llu\n"
                   "# TYPE safecomm_db_errors_total counter\n"
                   "safecomm_db_errors_total %llu\n"
                   "# TYPE safecomm_db_busy_total counter\n"
                   "safecomm_db_busy_total %llu\n"
                   "# TYPE safecomm_db_pool_waits_total counter\n"
                   "safecomm_db_pool_waits_total %llu\n"
                   "# TYPE safecomm_db_connections gauge\n"
                   "safecomm_db_connections %d\n"
                   "# TYPE safecomm_db_connections_in_use gauge\n"
                   "safecomm_db_connections_in_use %d\n"
                   "# HELP safecomm_db_log_syncs_total Syncs of the log by group commit: "
                   "commits over syncs is the mean group.\n"
                   "# TYPE safecomm_db_log_syncs_total counter\n"
                   "safecomm_db_log_syncs_total %llu\n",
                   (unsigned long long)st.stmt_hits, (unsigned long long)st.stmt_misses,
                   (unsigned long long)st.commits, (unsigned long long)st.rollbacks,
                   (unsigned long long)st.errors, (unsigned long long)st.busy,
                   (unsigned long long)st.acquire_waits, st.conns_total, st.conns_in_use,
                   (unsigned long long)db_group_syncs(app.db));
    }
    return buf_detach(&b, NULL);
}

/* ---- routes ---- */

void http_route(const char *method, const char *pattern, http_handler_fn fn, int flags,
                const void *data)
{
    router_add(method, pattern, (router_fn)fn, flags, data);
}

const void *req_route_data(const req *r)
{
    return r->route ? r->route->data : NULL;
}

/* ---- accessors ---- */

const char *req_param(req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->pname[i], name) == 0)
            return r->pval[i];
    return NULL;
}

const char *req_query(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mhd, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, name);
}

struct each_ctx {
    int (*fn)(void *, const char *, const char *);
    void *ctx;
    int rc;
};

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct each_ctx *e = cls;
    (void)kind;
    e->rc = e->fn(e->ctx, key, value ? value : "");
    return e->rc ? MHD_NO : MHD_YES;
}

int req_query_each(req *r, int (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    struct each_ctx e = {fn, ctx, 0};
    MHD_get_connection_values(r->mhd, MHD_GET_ARGUMENT_KIND, each_arg, &e);
    return e.rc;
}

static void json_decref_cb(void *p)
{
    json_decref(p);
}

json_t *req_json(req *r)
{
    if (r->too_large) {
        reply_error(r, 413, "too_large", "请求体过大", NULL);
        return NULL;
    }
    if (r->body.len == 0) {
        reply_error(r, 400, "bad_request", "请求体不能为空，需要一个 JSON 对象", NULL);
        return NULL;
    }
    if (!util_utf8_valid(r->body.ptr, r->body.len)) {
        reply_error(r, 400, "bad_request", "请求体不是有效的 UTF-8 文本", NULL);
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(r->body.ptr, r->body.len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        char *msg =
            arena_printf(r->a, "请求体不是有效的 JSON（第 %d 行第 %d 列）", err.line, err.column);
        reply_error(r, 400, "bad_request", msg, NULL);
        return NULL;
    }
    arena_defer(r->a, json_decref_cb, j);
    if (!json_is_object(j)) {
        reply_error(r, 400, "bad_request", "请求体必须是一个 JSON 对象", NULL);
        return NULL;
    }
    return j;
}

json_t *req_json_only(req *r, const char *const *allowed)
{
    json_t *j = req_json(r);
    if (!j)
        return NULL;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, k) == 0;
        if (!ok) {
            reply_field_error(r, k, "未知字段");
            return NULL;
        }
    }
    return j;
}

static int parse_bounded(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int req_paging(req *r, long def_size, long *page, long *page_size)
{
    const char *ps = req_query(r, "page_size"), *pg = req_query(r, "page");
    *page = 1;
    *page_size = def_size;
    if (pg && parse_bounded(pg, 1, 1000000, page) != 0) {
        reply_error(r, 400, "bad_request", "page 必须是正整数",
                    json_pack("{s:s}", "page", "必须是正整数"));
        return -1;
    }
    if (ps && parse_bounded(ps, 1, 500, page_size) != 0) {
        reply_error(r, 400, "bad_request", "page_size 必须是 1 到 500 之间的整数",
                    json_pack("{s:s}", "page_size", "必须是 1 到 500 之间的整数"));
        return -1;
    }
    return 0;
}

void reply_page(req *r, json_t *items, long long total, long page, long page_size)
{
    reply_json(r, 200,
               json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "page",
                         (json_int_t)page, "page_size", (json_int_t)page_size));
}

db_conn *req_begin(req *r)
{
    db_conn *c = req_db(r);
    int st = db_begin(c);
    if (st == DB_OK)
        return c;
    reply_db_error(r, st);
    return NULL;
}

int req_commit(req *r, db_conn *c, int st)
{
    if (st == DB_OK)
        st = db_commit(c);
    if (st == DB_OK)
        return 0;
    db_rollback(c);
    reply_db_error(r, st);
    return -1;
}

db_conn *req_db(req *r)
{
    if (!r->dbc)
        r->dbc = db_acquire(app.db);
    return r->dbc;
}

/* ---- replies ---- */

static void set_response(req *r, int status, struct MHD_Response *resp)
{
    if (r->resp)
        MHD_destroy_response(r->resp);
    r->resp = resp;
    r->status = status;
}

void reply_take(req *r, int status, const char *content_type, void *data, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    set_response(r, status, resp);
}

void reply_data(req *r, int status, const char *content_type, const void *data, size_t len)
{
    void *copy = xmalloc(len ? len : 1);
    memcpy(copy, data, len);
    reply_take(r, status, content_type, copy, len);
}

void reply_file(req *r, int status, const char *content_type, int fd, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_fd(len, fd);
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    set_response(r, status, resp);
}

void reply_empty(req *r, int status)
{
    set_response(r, status, MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT));
}

void reply_json(req *r, int status, json_t *take)
{
    char *s = json_dumps(take, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
    json_decref(take);
    if (!s) {
        log_error("json_dumps failed");
        abort();
    }
    reply_take(r, status, "application/json; charset=utf-8", s, strlen(s));
}

/* A 503's Retry-After: about SQLite's busy timeout, the longest a writer waits. */
#define RETRY_AFTER_S    5
#define RETRY_AFTER_TEXT "5"

void reply_error(req *r, int status, const char *code, const char *message, json_t *fields_take)
{
    /* A refusal worked out while the storage failed (a region or a session
     * "not found" because the look-up could not run) is an outage: 503. So
     * is a generic 500 whose statement failed on a lost connection (a
     * handler that saw only "no statement" from db_prepare). */
    int dst = r->dbc && status >= 400 && status <= 500 ? db_last_status(r->dbc) : DB_OK;
    if (dst == DB_ERR_UNAVAILABLE || dst == DB_ERR_BUSY) {
        status = 503;
        code = "unavailable";
        message = "数据库暂时不可用，请稍后重试";
        json_decref(fields_take);
        fields_take = NULL;
    }
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (fields_take)
        json_object_set_new(e, "fields", fields_take);
    /* Every 503 is passing (a busy database waits out its lock within
     * seconds): say when to come back, as the 429 of a login lock does. */
    if (status == 503)
        json_object_set_new(e, "retry_after", json_integer(RETRY_AFTER_S));
    reply_json(r, status, json_pack("{s:o}", "error", e));
    if (status == 503)
        reply_header(r, "Retry-After", RETRY_AFTER_TEXT);
}

void reply_field_error(req *r, const char *field, const char *msg)
{
    json_t *f = json_object();
    json_object_set_new(f, field, json_string(msg));
    char *m = arena_printf(r->a, "数据校验失败：%s", msg);
    reply_error(r, 422, "validation_failed", m, f);
}

void reply_header(req *r, const char *name, const char *value)
{
    if (r->resp)
        MHD_add_response_header(r->resp, name, value);
}

void reply_db_error(req *r, int st)
{
    switch (st) {
    case DB_ERR_UNIQUE:
        reply_error(r, 409, "conflict", "记录已存在（唯一性冲突）", NULL);
        break;
    case DB_ERR_FOREIGN_KEY:
        reply_error(r, 409, "conflict", "记录仍被其他数据引用，或引用的数据不存在", NULL);
        break;
    case DB_ERR_CONSTRAINT:
        reply_error(r, 422, "validation_failed", "数据不满足约束条件", NULL);
        break;
    case DB_ERR_BUSY:
    case DB_ERR_UNAVAILABLE:
        reply_error(r, 503, "unavailable", "数据库暂时不可用，请稍后重试", NULL);
        break;
    default:
        reply_error(r, 500, "internal", "服务器内部错误", NULL);
    }
}

/* ---- request life cycle ---- */

static const char *API_CSP = "default-src 'none'; frame-ancestors 'none'";
#define UI_CSP_HEAD                                                                                \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "     \
    "data: blob:"
#define UI_CSP_TAIL                                                                                \
    "; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "            \
    "form-action 'self'; frame-ancestors 'none'"
static const char *UI_CSP = UI_CSP_HEAD UI_CSP_TAIL;

int http_csp_img_origin_set(const char *origin)
{
    if (origin)
        UI_CSP = xasprintf(UI_CSP_HEAD " %s" UI_CSP_TAIL, origin);
    return 0;
}

/* Printable pages under the API (a hazard's notice.html): no script at all,
 * only the page's own inline print stylesheet. */
static const char *PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; "
                               "frame-ancestors 'none'";

static void add_security_headers(req *r)
{
    struct MHD_Response *resp = r->resp;
    int api = strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0;
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    size_t plen = strlen(r->path);
    int print = api && plen > 5 && strcmp(r->path + plen - 5, ".html") == 0;
    MHD_add_response_header(resp, "Content-Security-Policy",
                            print ? PRINT_CSP
                            : api ? API_CSP
                                  : UI_CSP);
    /* A handler that set its own caching (stored files) knows better. */
    if (api && !MHD_get_response_header(resp, "Cache-Control"))
        MHD_add_response_header(resp, "Cache-Control", "no-store");
}

/* ---- client address behind trusted proxies ---- */

struct cidr {
    int family;
    unsigned char addr[16];
    int bits;
};

static struct cidr proxies[32];
static int nproxies;

static int cidr_parse(const char *text, struct cidr *c)
{
    char host[64];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    if (n == 0 || n >= sizeof host)
        return -1;
    memcpy(host, text, n);
    host[n] = '\0';
    c->family = strchr(host, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(c->family, host, c->addr) != 1)
        return -1;
    int max = c->family == AF_INET ? 32 : 128;
    c->bits = slash ? atoi(slash + 1) : max;
    return c->bits < 0 || c->bits > max ? -1 : 0;
}

static int cidr_contains_addr(const struct cidr *c, int fam, const unsigned char *a)
{
    if (fam != c->family)
        return 0;
    int full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(a, c->addr, (size_t)full) != 0)
        return 0;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (a[full] & mask) == (c->addr[full] & mask);
}

int http_trusted_proxies_set(const char *list)
{
    nproxies = 0;
    if (!list || !*list)
        return 0;
    char *copy = xstrdup(list);
    int rc = 0;
    for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        if (nproxies == 32 || cidr_parse(t, &proxies[nproxies++]) != 0)
            rc = -1;
    free(copy);
    return rc;
}

static int is_trusted_addr(int fam, const unsigned char *a)
{
    for (int i = 0; i < nproxies; i++)
        if (cidr_contains_addr(&proxies[i], fam, a))
            return 1;
    return 0;
}

static int is_trusted(const char *ip)
{
    unsigned char a[16];
    int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;
    return inet_pton(fam, ip, a) == 1 && is_trusted_addr(fam, a);
}

/* The peer's address; behind a trusted proxy, the right-most address of
 * X-Forwarded-For that is not itself a trusted proxy. */
static void forwarded_for(req *r)
{
    const char *xff = MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!nproxies || !xff || !is_trusted(r->client_ip))
        return;
    char *copy = arena_strdup(r->a, xff);
    for (;;) {
        char *comma = strrchr(copy, ',');
        char *item = comma ? comma + 1 : copy;
        while (*item == ' ')
            item++;
        char *end = item + strlen(item);
        while (end > item && end[-1] == ' ')
            *--end = '\0';
        unsigned char tmp[16];
        int valid = inet_pton(strchr(item, ':') ? AF_INET6 : AF_INET, item, tmp) == 1;
        if (!valid)
            return; /* garbage: keep the peer's address */
        if (!is_trusted(item) || !comma) {
            snprintf(r->client_ip, sizeof r->client_ip, "%s", item);
            return;
        }
        *comma = '\0';
    }
}

static void client_address(req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    strcpy(r->client_ip, "-");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client_ip,
                  sizeof r->client_ip);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  r->client_ip, sizeof r->client_ip);
}

/* ---- connection guard ----
 * libmicrohttpd's timeout is an idle timeout: each byte received restarts
 * it, so a client that trickles its request head keeps the connection for
 * ever, and a few hundred such clients keep the server. The guard keeps the
 * open connections in a list, each with a deadline:
 *   - the request head must be complete within HEAD_DEADLINE_S of the
 *     connection's start (or of the end of the previous request on a kept
 *     connection), however slowly it trickles;
 *   - a body must arrive at BODY_MIN_RATE bytes a second on average after a
 *     grace of BODY_GRACE_S;
 *   - while the handler runs and the reply goes out there is none (the idle
 *     timeout still applies).
 * A watchdog thread shuts down the connections past their deadline:
 * shutdown(2), not close, for the descriptor stays libmicrohttpd's, which
 * then reads the end of the stream and closes the connection as if the
 * client had. The guard also counts the connections of each client address
 * and refuses, at accept, those over the per-address limit, except from the
 * trusted proxies, which carry many clients. */

#define HEAD_DEADLINE_S 30
#define BODY_GRACE_S    30
#define BODY_MIN_RATE   1024 /* bytes a second */
#define WATCH_PERIOD_MS 500
/* Connections at most, whatever the open-file limit allows: far above any
 * county's staff, and each costs a 16 KiB memory pool. */
#define CONN_CEILING 10000
/* Descriptors kept for the database, the log, libmicrohttpd's own. */
#define FD_RESERVE 256

/* A client address as a hash key: b[0] is 4 or 6, then the address (an IPv6
 * address by its /64 prefix: whoever holds one address of a /64 usually
 * holds them all). */
struct ipkey {
    unsigned char b[17];
};

struct conn {
    struct conn *prev, *next;
    int fd;
    int counted; /* counted against its address's limit (not a trusted proxy) */
    int cut;     /* shut down by the watchdog */
    struct ipkey key;
    char ip[INET6_ADDRSTRLEN];
    int64_t deadline;   /* util_now_us; 0: none. Atomic: the watchdog reads it */
    int64_t body_start; /* the pool thread's own */
    uint64_t body_bytes;
};

struct ipcount {
    struct ipcount *next;
    struct ipkey key;
    int n;
};

#define IP_BUCKETS 4096
/* Both under guard_lock. A connection leaves the list (CLOSED notification)
 * before libmicrohttpd closes its descriptor, so the watchdog, holding the
 * lock, never shuts down a descriptor that was closed and reused. */
static struct ipcount *ip_counts[IP_BUCKETS];
static struct conn *conns;
static int per_ip_limit = HTTP_PER_IP_LIMIT_DEFAULT;
static int64_t refused_logged_at;

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cond = PTHREAD_COND_INITIALIZER;
static int watch_stop;
static pthread_t watch_thread;

/* 0, or -1 for an address that is not IP. *trusted: a trusted proxy. */
static int addr_key(const struct sockaddr *sa, struct ipkey *k, int *trusted,
                    char ip[INET6_ADDRSTRLEN])
{
    memset(k, 0, sizeof *k);
    *trusted = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        k->b[0] = 4;
        memcpy(k->b + 1, &in->sin_addr, 4);
        *trusted = is_trusted_addr(AF_INET, k->b + 1);
        inet_ntop(AF_INET, &in->sin_addr, ip, INET6_ADDRSTRLEN);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        const unsigned char *a = in6->sin6_addr.s6_addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, INET6_ADDRSTRLEN);
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            k->b[0] = 4;
            memcpy(k->b + 1, a + 12, 4);
            *trusted = is_trusted_addr(AF_INET, a + 12);
            return 0;
        }
        k->b[0] = 6;
        memcpy(k->b + 1, a, 8);
        *trusted = is_trusted_addr(AF_INET6, a);
        return 0;
    }
    snprintf(ip, INET6_ADDRSTRLEN, "-");
    return -1;
}

/* The slot of k in ip_counts (guard_lock held). */
static struct ipcount **ip_slot(const struct ipkey *k)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof k->b; i++)
        h = (h ^ k->b[i]) * 16777619u;
    struct ipcount **p = &ip_counts[h % IP_BUCKETS];
    while (*p && memcmp((*p)->key.b, k->b, sizeof k->b) != 0)
        p = &(*p)->next;
    return p;
}

/* libmicrohttpd's accept policy: the per-address limit. A refused
 * connection is closed at once, before it costs a memory pool. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)cls;
    struct ipkey k;
    int trusted;
    char ip[INET6_ADDRSTRLEN];
    if (!addr || addrlen < (socklen_t)sizeof(sa_family_t) ||
        addr_key(addr, &k, &trusted, ip) != 0 || trusted)
        return MHD_YES;
    int64_t now = util_now_us();
    int over, log_now = 0;
    pthread_mutex_lock(&guard_lock);
    struct ipcount *e = *ip_slot(&k);
    over = e && e->n >= per_ip_limit;
    if (over) {
        refused_per_ip++;
        /* An attack would flood the log: once a minute, the rest in /metrics. */
        if (!refused_logged_at || now - refused_logged_at > 60 * 1000000LL) {
            refused_logged_at = now;
            log_now = 1;
        }
    }
    pthread_mutex_unlock(&guard_lock);
    if (log_now)
        log_warn("refusing connections from %s: over the limit of %d per address "
                 "(--per-ip-limit; counted in /metrics, logged once a minute)",
                 ip, per_ip_limit);
    return over ? MHD_NO : MHD_YES;
}

static void guard_started(struct MHD_Connection *c, void **socket_context)
{
    struct conn *cn = xcalloc(1, sizeof *cn);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    cn->fd = ci ? ci->connect_fd : -1;
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    int trusted = 1;
    if (!ci || !ci->client_addr || addr_key(ci->client_addr, &cn->key, &trusted, cn->ip) != 0)
        trusted = 1; /* not IP: nothing to count it by */
    cn->deadline = util_now_us() + HEAD_DEADLINE_S * 1000000LL;
    pthread_mutex_lock(&guard_lock);
    cn->next = conns;
    if (conns)
        conns->prev = cn;
    conns = cn;
    if (!trusted) {
        struct ipcount **p = ip_slot(&cn->key);
        if (!*p) {
            *p = xcalloc(1, sizeof **p);
            (*p)->key = cn->key;
        }
        (*p)->n++;
        cn->counted = 1;
    }
    pthread_mutex_unlock(&guard_lock);
    *socket_context = cn;
}

static void guard_closed(void **socket_context)
{
    struct conn *cn = *socket_context;
    if (!cn)
        return;
    pthread_mutex_lock(&guard_lock);
    if (cn->prev)
        cn->prev->next = cn->next;
    else
        conns = cn->next;
    if (cn->next)
        cn->next->prev = cn->prev;
    if (cn->counted) {
        struct ipcount **p = ip_slot(&cn->key);
        if (*p && --(*p)->n <= 0) {
            struct ipcount *dead = *p;
            *p = dead->next;
            free(dead);
        }
    }
    pthread_mutex_unlock(&guard_lock);
    free(cn);
    *socket_context = NULL;
}

static struct conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void conn_deadline(struct conn *cn, int64_t at)
{
    if (cn)
        __atomic_store_n(&cn->deadline, at, __ATOMIC_RELAXED);
}

/* The head is in: the body's clock starts. */
static void conn_body_begins(struct conn *cn)
{
    if (!cn)
        return;
    cn->body_start = util_now_us();
    cn->body_bytes = 0;
    conn_deadline(cn, cn->body_start + BODY_GRACE_S * 1000000LL);
}

static void conn_body_bytes(struct conn *cn, size_t n)
{
    if (!cn)
        return;
    cn->body_bytes += n;
    conn_deadline(cn, cn->body_start + BODY_GRACE_S * 1000000LL +
                          (int64_t)(cn->body_bytes * 1000000ULL / BODY_MIN_RATE));
}

static void guard_sweep(void)
{
    int64_t now = util_now_us();
    int n = 0;
    char ip[INET6_ADDRSTRLEN] = "";
    pthread_mutex_lock(&guard_lock);
    for (struct conn *cn = conns; cn; cn = cn->next) {
        int64_t d = __atomic_load_n(&cn->deadline, __ATOMIC_RELAXED);
        if (!d || now < d || cn->cut || cn->fd < 0)
            continue;
        shutdown(cn->fd, SHUT_RDWR);
        cn->cut = 1;
        if (!n++)
            memcpy(ip, cn->ip, sizeof ip);
    }
    pthread_mutex_unlock(&guard_lock);
    if (n) {
        __atomic_fetch_add(&cut_slow, (uint64_t)n, __ATOMIC_RELAXED);
        log_warn("closed %d connection(s) too slow to send a request (the head within %d s, "
                 "a body at %d bytes/s), e.g. from %s",
                 n, HEAD_DEADLINE_S, BODY_MIN_RATE, ip);
    }
}

static void *watch_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&watch_lock);
    while (!watch_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += WATCH_PERIOD_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&watch_cond, &watch_lock, &ts);
        pthread_mutex_unlock(&watch_lock);
        guard_sweep();
        pthread_mutex_lock(&watch_lock);
    }
    pthread_mutex_unlock(&watch_lock);
    return NULL;
}

/* Raises the soft limit on open files to the hard one, and returns how many
 * connections fit in it: each may hold its socket and an upload's temporary
 * file, beside the FD_RESERVE. */
static unsigned connection_ceiling(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 256;
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit want = {.rlim_cur = rl.rlim_max, .rlim_max = rl.rlim_max};
        /* An unlimited hard limit is refused above the kernel's nr_open. */
        if (setrlimit(RLIMIT_NOFILE, &want) != 0) {
            want.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
            if (setrlimit(RLIMIT_NOFILE, &want) != 0)
                log_warn("setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
        }
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    rlim_t fds = rl.rlim_cur == RLIM_INFINITY ? (rlim_t)1 << 20 : rl.rlim_cur;
    rlim_t fit = fds > 2 * FD_RESERVE ? (fds - FD_RESERVE) / 2 : fds / 4;
    unsigned n = fit < CONN_CEILING ? (unsigned)fit : CONN_CEILING;
    if (n < 2048)
        log_warn("the open-file limit (ulimit -n %llu) allows %u connections, not %d: "
                 "raise it (systemd LimitNOFILE=)",
                 (unsigned long long)fds, n, CONN_CEILING);
    return n;
}

static enum MHD_Result upload_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *filename, const char *content_type,
                                   const char *transfer_encoding, const char *data, uint64_t off,
                                   size_t size)
{
    req *r = cls;
    (void)kind;
    (void)key;
    (void)content_type;
    (void)transfer_encoding;
    if (!filename)
        return MHD_YES; /* ordinary form fields are ignored */
    /* One file an upload: a second file part would be written after the
     * first, and the two stored as one. libmicrohttpd hands each part over
     * from offset 0 (an empty part once, with no data). */
    if (off == 0) {
        if (r->upload_name) {
            r->bad_upload = 2;
            return MHD_NO;
        }
        r->upload_name = arena_strdup(r->a, filename);
    }
    if (size && write(r->upload_fd, data, size) != (ssize_t)size) {
        r->bad_upload = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

static void upload_begin(req *r)
{
    const char *tmp = getenv("TMPDIR");
    char *path = arena_printf(r->a, "%s/safecomm-upload-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    r->upload_fd = mkstemp(path);
    if (r->upload_fd < 0) {
        log_warn("mkstemp: %s", strerror(errno));
        r->bad_upload = 1;
        return;
    }
    r->upload_path = path;
    /* Only a multipart form is parsed for its file part. Any other body is
     * the file itself, whatever it claims to be: libmicrohttpd would parse an
     * application/x-www-form-urlencoded body (curl's default for
     * --data-binary) as form fields and leave the file empty, and the type
     * of an upload is sniffed from its bytes anyway. */
    const char *ct = req_header(r, "Content-Type");
    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
        r->postproc = MHD_create_post_processor(r->mhd, 64 * 1024, upload_iter, r);
        /* No boundary: not a form we can read; never the body taken raw. */
        if (!r->postproc)
            r->bad_upload = 1;
    }
}

static void upload_chunk(req *r, const char *data, size_t size)
{
    if (r->bad_upload || r->too_large)
        return;
    if (r->body.len + size > app.upload_cap) {
        r->too_large = 1;
        return;
    }
    r->body.len += size; /* only counted: the bytes go to the file */
    if (r->postproc) {
        if (MHD_post_process(r->postproc, data, size) != MHD_YES && !r->bad_upload)
            r->bad_upload = 1;
    } else if (write(r->upload_fd, data, size) != (ssize_t)size) {
        r->bad_upload = 1;
    }
}

static void dispatch(req *r)
{
    if (r->too_large) {
        reply_error(r, 413, "too_large", "请求体过大", NULL);
        return;
    }
    if (!r->route) {
        if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0) {
            if (r->nparams < 0)
                reply_error(r, 405, "method_not_allowed", "不支持该请求方法", NULL);
            else
                reply_error(r, 404, "not_found", "接口不存在", NULL);
        } else {
            config.fallback(r);
        }
        return;
    }
    if (!(r->route->flags & ROUTE_PUBLIC) && config.authenticate(r) != 0)
        return; /* the refusal is queued */
    if (r->route->flags & ROUTE_UPLOAD) {
        if (r->bad_upload || !r->upload_path) {
            reply_error(r, 400, "bad_request",
                        r->bad_upload == 2 ? "一次只能上传一个文件" : "上传的文件无法读取", NULL);
            return;
        }
        if (r->postproc) {
            /* Not at the end of the form: the closing boundary never came,
             * and the file may be cut short. */
            int complete = MHD_destroy_post_processor(r->postproc) == MHD_YES;
            r->postproc = NULL;
            if (!complete || !r->upload_name) {
                reply_error(r, 400, "bad_request",
                            complete ? "表单中没有文件" : "上传的表单不完整（缺少结束分隔符）",
                            NULL);
                return;
            }
        }
    }
    ((http_handler_fn)r->route->fn)(r);
    if (!r->resp) {
        log_error("handler for %s %s queued no reply", r->method, r->route->pattern);
        reply_error(r, 500, "internal", "服务器内部错误", NULL);
    }
}

/* Header names are tokens (RFC 9110, 5.6.2). A name such as
 * "Transfer-Encoding " (a space before the colon) is one that a proxy on
 * the way may read as the real header while we would not: refused. */
static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        int ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch && strchr("!#$%&'*+-.^_`|~", ch));
        if (!ok)
            return 0;
    }
    return 1;
}

struct framing {
    int cl, te, bad_name;
    const char *cl_value, *te_value;
};

static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct framing *f = cls;
    (void)kind;
    if (!key || !is_token(key)) {
        f->bad_name = 1;
    } else if (strcasecmp(key, "Content-Length") == 0) {
        f->cl++;
        f->cl_value = value ? value : "";
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->te++;
        f->te_value = value ? value : "";
    }
    return MHD_YES;
}

/* Where a request's body ends must be told one way only: two lengths, or a
 * length and chunking, are read one way by us and perhaps another by a proxy
 * in front (request smuggling). So, once the head is in and before any body
 * is read: one Content-Length of digits, or Transfer-Encoding: chunked alone
 * on HTTP/1.1; and a length over the cap is refused from the head, without
 * reading the body. 0, or the status of the refusal queued. */
static int framing_refused(req *r, const char *version)
{
    struct framing f = {0};
    MHD_get_connection_values(r->mhd, MHD_HEADER_KIND, framing_header, &f);
    const char *why = NULL;
    if (f.bad_name)
        why = "请求头名称无效";
    else if (f.cl > 1)
        why = "请求头 Content-Length 重复";
    else if (f.te > 1)
        why = "请求头 Transfer-Encoding 重复";
    else if (f.cl && f.te)
        why = "请求不能同时带 Content-Length 与 Transfer-Encoding";
    else if (f.te && (strcasecmp(f.te_value, "chunked") != 0 || !version ||
                      strcmp(version, "HTTP/1.1") != 0))
        why = "只接受 HTTP/1.1 的 Transfer-Encoding: chunked";
    else if (f.cl && (!*f.cl_value || strspn(f.cl_value, "0123456789") != strlen(f.cl_value)))
        why = "请求头 Content-Length 无效";
    if (why) {
        reply_error(r, 400, "bad_request", why, NULL);
        return 400;
    }
    if (f.cl) {
        size_t cap = r->route && (r->route->flags & ROUTE_UPLOAD) ? app.upload_cap : app.body_cap;
        errno = 0;
        unsigned long long n = strtoull(f.cl_value, NULL, 10);
        if (errno == ERANGE || n > cap) {
            reply_error(r, 413, "too_large", "请求体过大", NULL);
            return 413;
        }
    }
    return 0;
}

static enum MHD_Result queue_reply(struct MHD_Connection *c, req *r)
{
    if (r->dbc) {
        db_release(app.db, r->dbc);
        r->dbc = NULL;
    }
    add_security_headers(r);
    return MHD_queue_response(c, (unsigned)r->status, r->resp);
}

/* ---- durable answers ----
 * With group commit (db.h) a handler's commit returns before its log is
 * synced; the answer is held until it is. The connection is suspended and
 * its pooled database connection handed back meanwhile, so the thread reads
 * other requests, whose writes then share the same sync. */

static void durable_resume(void *arg)
{
    req *r = arg;
    r->long_state = 2;
    MHD_resume_connection(r->mhd);
}

/* After the handler ran: 1 when the answer may be queued now; 0 when the
 * connection was suspended until its writes are durable (then resumed with
 * long_state 2). suspended: the connection is suspended already (the long
 * pool's). */
static int durable_hold(req *r, int suspended)
{
    uint64_t t = db_durable_ticket_take();
    if (!t || db_is_durable(app.db, t))
        return 1;
    if (r->dbc) {
        db_release(app.db, r->dbc);
        r->dbc = NULL;
    }
    r->long_state = 1;
    if (!suspended)
        MHD_suspend_connection(r->mhd);
    r->durable = (struct db_durable_waiter){.ticket = t, .fn = durable_resume, .arg = r};
    if (db_durable_when(app.db, &r->durable))
        durable_resume(r);
    return 0;
}

/* ---- the long pool ----
 * A ROUTE_LONG request is suspended on its connection once its body is in,
 * and its handler runs on one of these threads; the connection is resumed
 * with the reply ready, and the next callback queues it. A few large exports
 * then occupy the long pool, not the threads that read every request. */

static pthread_cond_t long_cond = PTHREAD_COND_INITIALIZER;
static req *long_head, *long_tail;
static int long_stop, long_nthreads;
static pthread_t *long_threads;

static void dispatch(req *r);

static void *long_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&long_lock);
    for (;;) {
        while (!long_head && !long_stop)
            pthread_cond_wait(&long_cond, &long_lock);
        if (!long_head)
            break;
        req *r = long_head;
        long_head = r->long_next;
        if (!long_head)
            long_tail = NULL;
        long_waiting--;
        pthread_mutex_unlock(&long_lock);
        dispatch(r);
        if (durable_hold(r, 1)) {
            r->long_state = 2;
            MHD_resume_connection(r->mhd);
        }
        pthread_mutex_lock(&long_lock);
    }
    pthread_mutex_unlock(&long_lock);
    return NULL;
}

static void long_enqueue(req *r)
{
    r->long_state = 1;
    MHD_suspend_connection(r->mhd);
    pthread_mutex_lock(&long_lock);
    r->long_next = NULL;
    if (long_tail)
        long_tail->long_next = r;
    else
        long_head = r;
    long_tail = r;
    long_waiting++;
    pthread_cond_signal(&long_cond);
    pthread_mutex_unlock(&long_lock);
}

static void long_start(int n)
{
    long_nthreads = n > 0 ? n : 2;
    long_stop = 0;
    long_threads = xcalloc((size_t)long_nthreads, sizeof *long_threads);
    for (int i = 0; i < long_nthreads; i++)
        pthread_create(&long_threads[i], NULL, long_main, NULL);
}

/* After the drain: the queue is empty (every request in flight was
 * answered), so the threads only wake to leave. */
static void long_join(void)
{
    pthread_mutex_lock(&long_lock);
    long_stop = 1;
    pthread_cond_broadcast(&long_cond);
    pthread_mutex_unlock(&long_lock);
    for (int i = 0; i < long_nthreads; i++)
        pthread_join(long_threads[i], NULL);
    free(long_threads);
    long_threads = NULL;
    long_nthreads = 0;
}

/* One spare arena per pool thread (a pthread key, so that the thread's exit
 * frees it). */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_free(void *p)
{
    arena_free(p);
}

static void spare_init(void)
{
    pthread_key_create(&spare_key, spare_free);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    req *r = *con_cls;
    if (!r) {
        pthread_once(&spare_once, spare_init);
        arena *a = pthread_getspecific(spare_key);
        if (a)
            pthread_setspecific(spare_key, NULL);
        else
            a = arena_new();
        r = arena_zalloc(a, sizeof *r);
        r->a = a;
        r->mhd = c;
        r->t0 = util_now_us();
        r->method = arena_strdup(a, method);
        r->path = arena_strdup(a, url);
        r->upload_fd = -1;
        buf_init(&r->body, app.body_cap);
        client_address(r);
        forwarded_for(r);
        struct route_match m;
        if (router_match(a, method, url, &m) == 0) {
            r->route = m.route;
            r->nparams = m.nparams;
            for (int i = 0; i < m.nparams; i++) {
                r->pname[i] = m.names[i];
                r->pval[i] = m.values[i];
            }
        } else if (m.method_mismatch) {
            r->nparams = -1; /* remembered for the 405 */
        }
        int refused = framing_refused(r, version);
        if (!refused && r->route && (r->route->flags & ROUTE_UPLOAD))
            upload_begin(r);
        /* Requests that begin after SIGTERM are answered 503 at once; the
         * drain waits only for those that began before it. */
        r->late = __atomic_load_n(&stopping, __ATOMIC_ACQUIRE) && r->t0 >= stop_started;
        if (!r->late)
            __atomic_fetch_add(&inflight, 1, __ATOMIC_RELAXED);
        *con_cls = r;
        if (refused) {
            /* Answered before the body is read: where the body ends is
             * unknown or its bytes are unwanted, so the connection can carry
             * no further request. */
            reply_header(r, "Connection", "close");
            conn_deadline(conn_of(c), 0);
            return queue_reply(c, r);
        }
        conn_body_begins(conn_of(c));
        return MHD_YES;
    }
    if (r->long_state == 2) /* resumed: the long pool answered */
        return queue_reply(c, r);
    if (r->long_state == 1) /* suspended; nothing to do until resumed */
        return MHD_YES;
    if (r->resp) { /* already answered: whatever still comes is dropped */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        conn_body_bytes(conn_of(c), *upload_data_size);
        if (r->route && (r->route->flags & ROUTE_UPLOAD))
            upload_chunk(r, upload_data, *upload_data_size);
        else if (!r->too_large && buf_append(&r->body, upload_data, *upload_data_size) != 0)
            r->too_large = 1;
        *upload_data_size = 0;
        if (r->too_large) {
            /* Over the cap with no length announced (a length over it is
             * refused from the head): stop reading rather than swallow the
             * rest; the client sees the connection close, as the
             * conventions allow. Logged as the 413 it is. */
            r->status = 413;
            return MHD_NO;
        }
        return MHD_YES;
    }
    conn_deadline(conn_of(c), 0); /* the handler's time is not the client's */
    if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE) && r->t0 >= stop_started) {
        reply_error(r, 503, "unavailable", "服务器正在停止，请稍后重试", NULL);
        reply_header(r, "Connection", "close");
    } else if (r->route && (r->route->flags & ROUTE_LONG) && !r->too_large) {
        long_enqueue(r);
        return MHD_YES;
    } else {
        dispatch(r);
        if (!durable_hold(r, 0))
            return MHD_YES;
    }
    return queue_reply(c, r);
}

/* ---- access log ----
 * One line per request. Lines are collected in memory and written by one
 * thread every 100 ms, so a request never waits on a write to the log. */

static pthread_mutex_t alog_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t alog_cond = PTHREAD_COND_INITIALIZER;
static buf alog;
static int alog_stop;
static pthread_t alog_thread;

static void alog_flush_locked(void)
{
    if (alog.len) {
        fwrite(alog.ptr, 1, alog.len, stderr);
        fflush(stderr);
        buf_reset(&alog);
    }
}

static void *alog_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&alog_lock);
    while (!alog_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&alog_cond, &alog_lock, &ts);
        alog_flush_locked();
    }
    alog_flush_locked();
    pthread_mutex_unlock(&alog_lock);
    return NULL;
}

static void log_access(const req *r, int64_t us)
{
    char path[256], line[768];
    size_t k = 0;
    for (const char *p = r->path; *p && k < sizeof path - 1; p++)
        path[k++] = ((unsigned char)*p < 0x20 || *p == '"') ? '?' : *p;
    path[k] = '\0';
    const char *who = r->user && config.user_name ? config.user_name(r->user) : "-";
    int n = snprintf(line, sizeof line,
                     "access ip=%s method=%s path=\"%s\" route=\"%s\" status=%d dur_us=%lld "
                     "user=%s\n",
                     r->client_ip, r->method, path, r->route ? r->route->pattern : "-", r->status,
                     (long long)us, who);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        n = sizeof line - 1;
        line[n - 1] = '\n';
    }
    pthread_mutex_lock(&alog_lock);
    if (!alog_thread) {
        fputs(line, stderr); /* no flusher (not serving): write at once */
    } else {
        if (buf_append(&alog, line, (size_t)n) != 0) {
            /* Over the cap: the flusher fell behind; keep the newest. */
            buf_init(&alog, alog.cap);
            buf_append(&alog, line, (size_t)n);
        }
        if (alog.len > 64 * 1024)
            pthread_cond_signal(&alog_cond);
    }
    pthread_mutex_unlock(&alog_lock);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    /* A kept connection waits for its next request head, under the same
     * deadline as the first. */
    conn_deadline(conn_of(c), util_now_us() + HEAD_DEADLINE_S * 1000000LL);
    req *r = *con_cls;
    if (!r)
        return;
    int64_t us = util_now_us() - r->t0;
    if (!r->status)
        r->status = 499; /* the client went away before a reply */
    metrics_observe(r, r->status, us);
    log_access(r, us);
    if (r->postproc)
        MHD_destroy_post_processor(r->postproc);
    if (r->upload_fd >= 0)
        close(r->upload_fd);
    if (r->upload_path)
        unlink(r->upload_path);
    if (r->dbc)
        db_release(app.db, r->dbc);
    if (r->resp)
        MHD_destroy_response(r->resp);
    buf_free(&r->body);
    if (!r->late)
        __atomic_fetch_sub(&inflight, 1, __ATOMIC_RELAXED);
    *con_cls = NULL;
    /* A connection's callbacks run on one pool thread; keep one arena per
     * thread for the next request instead of returning it to malloc. */
    arena *a = r->a;
    pthread_once(&spare_once, spare_init);
    if (!pthread_getspecific(spare_key)) {
        arena_reset(a);
        pthread_setspecific(spare_key, a);
    } else {
        arena_free(a);
    }
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        __atomic_fetch_add(&open_connections, 1, __ATOMIC_RELAXED);
        guard_started(c, socket_context);
    } else {
        __atomic_fetch_sub(&open_connections, 1, __ATOMIC_RELAXED);
        guard_closed(socket_context);
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        line[--n] = '\0';
    log_warn("microhttpd: %s", line);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1)
        return -1;
    return 0;
}

int http_serve(const struct http_config *cfg)
{
    struct sockaddr_in sa;
    if (!cfg->authenticate || !cfg->fallback) {
        fputs("safecomm: http_serve needs authenticate and fallback\n", stderr);
        return -1;
    }
    config = *cfg;
    per_ip_limit = cfg->per_ip_limit > 0 ? cfg->per_ip_limit : HTTP_PER_IP_LIMIT_DEFAULT;
    if (parse_listen(cfg->listen, &sa) != 0) {
        fprintf(stderr, "safecomm: 监听地址无效: %s（应为 IP:端口）\n", cfg->listen);
        return -1;
    }
    int nr = router_count();
    route_counts = xcalloc((size_t)(nr + 2) * NSLOTS, sizeof *route_counts);
    buf_init(&alog, (size_t)16 << 20);

    /* Signals go to the main thread's sigwait only: block them before MHD
     * starts its threads, which inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* epoll: no FD_SETSIZE ceiling (select's 1,024 was the server's). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
    unsigned ceiling = connection_ceiling();
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, on_accept, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_CONNECTION_LIMIT, ceiling, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 1),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        /* MHD clears this pool for every request; bodies go to our own
         * buffer, so the pool only needs room for headers. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 * 1024, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "safecomm: 无法在 %s 上监听（端口被占用？）\n", cfg->listen);
        return -1;
    }
    pthread_create(&alog_thread, NULL, alog_main, NULL);
    pthread_create(&watch_thread, NULL, watch_main, NULL);
    long_start(cfg->long_threads);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    log_info("listening on http://%s (port %u, %d threads, %u connections at most, %d per "
             "address)",
             cfg->listen, di ? (unsigned)di->port : 0, cfg->threads, ceiling, per_ip_limit);

    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: stopping; waiting for requests in flight", sig);
    stop_started = util_now_us();
    __atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
    /* No MHD_quiesce_daemon: with a thread pool on epoll it races the
     * workers (libmicrohttpd 0.9.75 removes the listen socket from a worker's
     * epoll set that the worker may already have removed it from, and aborts
     * with "Failed to remove listen FD from epoll set"). The socket stays
     * open while requests drain; whatever arrives meanwhile gets 503 with
     * Connection: close, which a load balancer takes as "try another". */
    for (int i = 0; i < 3000 && __atomic_load_n(&inflight, __ATOMIC_RELAXED) > 0; i++)
        usleep(10000);
    pthread_mutex_lock(&watch_lock);
    watch_stop = 1;
    pthread_cond_signal(&watch_cond);
    pthread_mutex_unlock(&watch_lock);
    pthread_join(watch_thread, NULL);
    /* Whatever the long pool still holds is answered (and its connection
     * resumed) before the daemon stops: MHD must not stop with a connection
     * suspended. */
    long_join();
    MHD_stop_daemon(d);
    pthread_mutex_lock(&alog_lock);
    alog_stop = 1;
    pthread_cond_signal(&alog_cond);
    pthread_mutex_unlock(&alog_lock);
    pthread_join(alog_thread, NULL);
    buf_free(&alog);
    free(route_counts);
    route_counts = NULL;
    log_info("stopped");
    return 0;
}

char *http_temp_path(arena *a, const char *suffix)
{
    const char *tmp = getenv("TMPDIR");
    char *p = arena_printf(a, "%s/safecomm-XXXXXX%s", tmp && *tmp ? tmp : "/tmp", suffix);
    int fd = mkstemps(p, (int)strlen(suffix));
    if (fd < 0)
        return NULL;
    close(fd);
    return p;
}

void reply_temp_file_named(req *r, const char *path, const char *content_type, const char *filename,
                           const char *name)
{
    FILE *f = fopen(path, "rb");
    buf b;
    buf_init(&b, (size_t)512 << 20);
    char chunk[65536];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&b, chunk, n) != 0)
            break;
    if (f)
        fclose(f);
    unlink(path);
    size_t len;
    char *data = buf_detach(&b, &len);
    reply_take(r, 200, content_type, data, len);
    reply_header(r, "Content-Disposition", http_disposition(r->a, filename, name));
}

void reply_temp_file(req *r, const char *path, const char *content_type, const char *filename)
{
    reply_temp_file_named(r, path, content_type, filename, NULL);
}

const char *http_disposition(arena *a, const char *ascii, const char *name)
{
    /* The fallback is quoted: only printable ASCII without quote or
     * backslash stays, the rest becomes '_'. */
    char *fb = arena_strdup(a, ascii);
    for (char *p = fb; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || *p == '"' || *p == '\\')
            *p = '_';
    if (!name || !*name)
        return arena_printf(a, "attachment; filename=\"%s\"", fb);
    /* RFC 8187: attr-char stays, every other byte is %XX. */
    static const char keep[] = "!#$&+-.^_`|~";
    size_t n = strlen(name);
    char *enc = arena_alloc(a, n * 3 + 1), *o = enc;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr(keep, *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = 0;
    return arena_printf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", fb, enc);
}

int http_etag_matches(const char *inm, const char *tag)
{
    if (!inm)
        return 0;
    size_t n = strlen(tag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*' && (p[1] == '\0' || p[1] == ',' || p[1] == ' '))
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        int quoted = *p == '"';
        const char *v = p + quoted;
        if (strncmp(v, tag, n) == 0) {
            char e = v[n];
            if (quoted ? e == '"' : (e == '\0' || e == ',' || e == ' '))
                return 1;
        }
        const char *comma = strchr(p, ',');
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}
