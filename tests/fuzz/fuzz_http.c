/* Fuzzes an upload's request as the server receives it: a real
 * libmicrohttpd daemon in this process parses the request (head, query
 * string, Cookie, chunked or not) and its multipart/form-data body, and
 * hands them to our code as the server does (src/http.c, included for its
 * static functions): upload_begin, upload_chunk and upload_iter save the
 * file part; the router matches the path; X-Forwarded-For is walked behind
 * a trusted proxy; the session cookie and paging are looked up. The file
 * saved must never be larger than the body counted.
 *
 * Input: the first line is the path and query, the second the multipart
 * boundary, then header lines up to an empty line, then the body.
 * Content-Length and Connection are set here, so that the exchange always
 * ends. */
#include "fuzz.h"
#include "../../src/http.c"

#include <sys/stat.h>

static struct MHD_Daemon *daemon_;
static uint16_t port;

static void nop(void)
{
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)cls, (void)version;
    req *r = *con_cls;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->a = arena_new();
        r->mhd = conn;
        r->method = method;
        r->path = url;
        r->upload_fd = -1;
        strcpy(r->client_ip, "10.0.0.1");
        forwarded_for(r);
        struct route_match m;
        (void)router_match(r->a, method, url, &m);
        (void)MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "sc_session");
        long v;
        const char *page = req_query(r, "page");
        if (page)
            (void)parse_bounded(page, 1, 1000000, &v);
        upload_begin(r);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        upload_chunk(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->postproc) {
        MHD_destroy_post_processor(r->postproc);
        r->postproc = NULL;
    }
    struct stat st;
    if (r->upload_fd >= 0 && fstat(r->upload_fd, &st) == 0 && (size_t)st.st_size > r->body.len)
        abort(); /* more saved than received */
    struct MHD_Response *resp = MHD_create_response_from_buffer(2, "ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(conn, r->too_large ? 413 : 200, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    req *r = *con_cls;
    if (!r)
        return;
    if (r->postproc)
        MHD_destroy_post_processor(r->postproc);
    if (r->upload_fd >= 0)
        close(r->upload_fd);
    if (r->upload_path)
        unlink(r->upload_path);
    arena_free(r->a);
    free(r);
    *con_cls = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(LOG_ERROR + 1);
    app.upload_cap = 64 * 1024;
    router_add("POST", "/api/v1/{entity}/import", nop, ROUTE_UPLOAD, NULL);
    router_add("POST", "/api/v1/files", nop, ROUTE_UPLOAD, NULL);
    if (http_trusted_proxies_set("10.0.0.0/8, ::1") != 0)
        abort();
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                               handle, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                               MHD_OPTION_CONNECTION_TIMEOUT, 2u, MHD_OPTION_END);
    if (!daemon_)
        abort();
    port = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
    return 0;
}

/* Appends text, dropping CR and LF, so a line cannot split the head. */
static void put_line(buf *b, const char *s)
{
    for (; *s; s++)
        if (*s != '\r' && *s != '\n')
            buf_append(b, s, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    char *sep = strstr(s, "\n\n");
    const char *body = "";
    size_t blen = 0;
    if (sep) {
        *sep = '\0';
        body = sep + 2;
        blen = size - (size_t)(body - s);
    }
    char *line[16];
    int n = fuzz_lines(s, line, 16);
    buf h;
    buf_init(&h, 1 << 20);
    buf_puts(&h, "POST ");
    for (const char *p = line[0]; *p; p++)
        buf_append(&h, *p == ' ' || *p == '\r' || (unsigned char)*p < 0x20 ? "_" : p, 1);
    if (line[0][0] != '/')
        buf_puts(&h, "/");
    buf_puts(&h, " HTTP/1.1\r\nHost: f\r\nContent-Type: multipart/form-data; boundary=");
    put_line(&h, n > 1 ? line[1] : "B");
    buf_puts(&h, "\r\n");
    for (int i = 2; i < n; i++) {
        if (!strchr(line[i], ':') || strncasecmp(line[i], "content-length", 14) == 0 ||
            strncasecmp(line[i], "transfer-encoding", 17) == 0 ||
            strncasecmp(line[i], "connection", 10) == 0 || strncasecmp(line[i], "expect", 6) == 0)
            continue;
        put_line(&h, line[i]);
        buf_puts(&h, "\r\n");
    }
    buf_printf(&h, "Content-Length: %zu\r\nConnection: close\r\n\r\n", blen);
    buf_append(&h, body, blen);

    /* Each exchange from its own loopback address: the server closes first,
     * so its TIME_WAIT entries would otherwise use up the ephemeral ports
     * of 127.0.0.1 within a minute of fuzzing. */
    static uint32_t next_src;
    int fd = -1;
    for (int tries = 0; fd < 0; tries++) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in src = {.sin_family = AF_INET};
        src.sin_addr.s_addr = htonl(0x7F000000u | (0x100u + next_src++ % 0xFFFE00u));
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd >= 0 && bind(fd, (struct sockaddr *)&src, sizeof src) == 0 &&
            connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            break;
        fprintf(stderr, "connect: %s\n", strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
        if (tries == 20)
            abort(); /* the daemon is gone */
        usleep(10000);
    }
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t off = 0;
    while (off < h.len) {
        ssize_t w = send(fd, buf_str(&h) + off, h.len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may refuse early and close */
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    char tmp[4096];
    while (recv(fd, tmp, sizeof tmp, 0) > 0)
        ;
    close(fd);
    buf_free(&h);
    free(s);
    return 0;
}
