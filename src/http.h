/* http: the server core on libmicrohttpd. It owns the daemon, the request
 * life cycle (route, read the body under a cap, authenticate, run the
 * handler, add security headers, log, count) and the reply helpers.
 *
 * Ownership: each request has an arena (r->a) freed when the request ends;
 * handlers allocate from it and never free. A json_t given to reply_json is
 * taken. The database connection from req_db is released with the request. */
#ifndef SAFECOMM_HTTP_H
#define SAFECOMM_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "db.h"

struct user;
struct route;

/* The default of http_config.per_ip_limit: the connections of a busy office
 * behind one NAT address (browsers open up to six each), and a small part of
 * the server's ceiling, so that one address cannot take the server. */
#define HTTP_PER_IP_LIMIT_DEFAULT 128

#define REQ_MAX_PARAMS 8

typedef struct req {
    arena *a;
    struct MHD_Connection *mhd;
    const char *method;
    const char *path;
    const struct route *route;
    int nparams;
    const char *pname[REQ_MAX_PARAMS];
    const char *pval[REQ_MAX_PARAMS];
    buf body;
    int too_large;
    int bad_upload;    /* 2: a second file in the form */
    char *upload_path; /* temp file of an uploaded file, removed at the end */
    char *upload_name; /* its original file name */
    int upload_fd;
    void *postproc;
    struct user *user;
    char client_ip[64];
    db_conn *dbc;
    /* the reply */
    int status;
    void *resp; /* struct MHD_Response * */
    int64_t t0;
    int late;       /* began after SIGTERM: answered 503, not waited for */
    int long_state; /* 1 suspended (the long pool, or a sync), 2 answered and resumed */
    struct req *long_next;
    struct db_durable_waiter durable; /* the answer waits for its commit's sync */
} req;

typedef void (*http_handler_fn)(req *r);

/* Flags of a route. */
enum {
    ROUTE_PUBLIC = 1,   /* no authentication */
    ROUTE_UPLOAD = 2,   /* the body is a file (multipart or raw), saved to upload_path */
    ROUTE_PW_STALE = 4, /* allowed while a password change is pending */
    /* Long work (imports, exports, reports): the handler runs on the long
     * pool's threads, never on the pool that reads requests, so that a few
     * large exports cannot keep /healthz and short requests waiting. */
    ROUTE_LONG = 8,
};

/* What the core needs from the layers above it, so that it knows none of
 * them: who is calling, and what answers outside the API. */
struct http_config {
    const char *listen; /* "127.0.0.1:8080" */
    int threads;
    /* Open connections from one client address at most (an IPv6 address
     * counts by its /64); more are closed at accept. Peers named by
     * http_trusted_proxies_set are not limited. 0: the default. */
    int per_ip_limit;
    /* Sets r->user for a route without ROUTE_PUBLIC; on refusal queues the
     * reply and returns -1. Required. */
    int (*authenticate)(req *r);
    /* Answers a request outside /api that no route matched (the UI's
     * files). Required. */
    http_handler_fn fallback;
    /* The name of r->user in the access log; NULL logs "-". */
    const char *(*user_name)(const struct user *u);
    /* Threads of the long pool (ROUTE_LONG handlers); 0: the default, 2. */
    int long_threads;
};

/* Routes: pattern segments "{name}" capture a path parameter. A literal
 * segment wins over a parameter. data is handed to the handler via
 * req_route_data. Register all routes before http_serve. */
void http_route(const char *method, const char *pattern, http_handler_fn fn, int flags,
                const void *data);
const void *req_route_data(const req *r);

/* "10.0.0.0/8, ::1" — peers whose X-Forwarded-For names the client.
 * -1 when an entry is not a CIDR. */
int http_trusted_proxies_set(const char *list);

/* The map's tile server: the UI's Content-Security-Policy lets images come
 * from origin too ("https://tiles.example.org"). Call before http_serve. */
int http_csp_img_origin_set(const char *origin);

/* Runs until SIGINT/SIGTERM; in-flight requests finish. 0 on clean stop.
 * cfg is copied. Raises the soft limit on open files to the hard one, and
 * serves as many connections as it allows (up to 10,000). A request head
 * must arrive within 30 s, however slowly it trickles, and a body at 1 KiB/s
 * on average after 30 s; slower connections are closed. A request whose
 * framing is ambiguous (two Content-Length, Content-Length with
 * Transfer-Encoding, a coding other than chunked, a header name that is not
 * a token) is answered 400, and one whose Content-Length is over the cap
 * 413, before its body is read, and its connection closed. */
int http_serve(const struct http_config *cfg);

/* Request accessors. Returned strings live as long as the request. */
const char *req_param(req *r, const char *name);
const char *req_query(req *r, const char *name);
const char *req_header(req *r, const char *name);
/* Calls fn for each query argument; stops when fn returns non-zero. */
int req_query_each(req *r, int (*fn)(void *ctx, const char *key, const char *value), void *ctx);
/* The body as a JSON object. On failure a 400/413 reply is queued and NULL
 * returned. The object is released with the request. */
json_t *req_json(req *r);
/* req_json, and a 422 naming the first key that is not among the allowed
 * ones: req_json_only(r, REQ_KEYS("username", "password")). */
#define REQ_KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})
json_t *req_json_only(req *r, const char *const *allowed);
/* ?page= and ?page_size= (1–500), strictly parsed; on a bad value a 400
 * naming the parameter is queued and -1 returned. */
int req_paging(req *r, long def_size, long *page, long *page_size);
/* {"items","total","page","page_size"}: the list envelope. items is taken. */
void reply_page(req *r, json_t *items, long long total, long page, long page_size);
/* Opens the request's write transaction on its connection (req_db): the
 * connection, or NULL with the database error's reply queued. Pair with
 * req_commit. */
db_conn *req_begin(req *r);
/* Ends the request's write transaction: commits when st is DB_OK; else,
 * or when the commit fails, rolls back, queues the error reply and returns
 * -1. */
int req_commit(req *r, db_conn *c, int st);
/* The request's database connection, acquired on first use. */
db_conn *req_db(req *r);

/* 1 when an If-None-Match value (inm, may be NULL) names the entity tag
 * tag, given without its quotes: "tag", W/"tag", a bare tag in a list, or
 * "*". */
int http_etag_matches(const char *inm, const char *tag);

/* A new empty temporary file "$TMPDIR/safecomm-XXXXXX<suffix>" (path in a),
 * or NULL. */
char *http_temp_path(arena *a, const char *suffix);
#define XLSX_MIME "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* Replies. Each sets the response; the last call wins. */
void reply_json(req *r, int status, json_t *take);
/* A 503 (given, or made from a busy or lost database) also carries
 * Retry-After and error.retry_after, in seconds. */
void reply_error(req *r, int status, const char *code, const char *message, json_t *fields_take);
/* One field error: {"fields":{field:msg}}, 422 validation_failed. */
void reply_field_error(req *r, const char *field, const char *msg);
void reply_data(req *r, int status, const char *content_type, const void *data, size_t len);
/* data was malloc'd and is taken. */
void reply_take(req *r, int status, const char *content_type, void *data, size_t len);
void reply_file(req *r, int status, const char *content_type, int fd, size_t len);
void reply_empty(req *r, int status);
/* The file at path as an attachment named filename; path is removed. */
void reply_temp_file(req *r, const char *path, const char *content_type, const char *filename);
/* The same, with name (UTF-8, Chinese: "统计分析-岳池县-2025年.xlsx") as the
 * name people see, filename the ASCII fallback; name NULL: filename alone. */
void reply_temp_file_named(req *r, const char *path, const char *content_type, const char *filename,
                           const char *name);
/* The Content-Disposition of a download: attachment; filename="ascii";
 * filename*=UTF-8''<name percent-encoded, RFC 8187> (name NULL: the first
 * part alone). The ASCII fallback keeps the names old clients saw. */
const char *http_disposition(arena *a, const char *ascii, const char *name);
void reply_header(req *r, const char *name, const char *value);
/* The reply for a db_status error code (409, 422, 503, 500). */
void reply_db_error(req *r, int db_status);

/* Metrics text for /metrics (malloc'd). */
char *http_metrics_text(void);

#endif
