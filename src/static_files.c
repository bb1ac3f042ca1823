/* static_files: see static_files.h. Paths are confined to the web root: any
 * ".." segment or control byte is refused before the file system is asked. */
#include "static_files.h"
#include "app.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return "application/octet-stream";
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static int path_safe(const char *p)
{
    if (p[0] != '/')
        return 0;
    for (const char *s = p; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == '\\')
            return 0;
    return strstr(p, "/..") == NULL;
}

/* gzip is listed in Accept-Encoding without q=0. */
static int accepts_gzip(req *r)
{
    const char *ae = req_header(r, "Accept-Encoding");
    const char *g = ae ? strstr(ae, "gzip") : NULL;
    if (!g)
        return 0;
    const char *q = g + 4;
    while (*q == ' ')
        q++;
    if (*q != ';')
        return 1;
    q = strstr(q, "q=");
    return !q || strtod(q + 2, NULL) > 0;
}

/* If-None-Match: "*", or a list of tags, weak or strong, one of which is ours. */
static int open_regular(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

void static_serve(req *r)
{
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        reply_error(r, 405, "method_not_allowed", "不支持该请求方法", NULL);
        reply_header(r, "Allow", "GET, HEAD");
        return;
    }
    if (!app.web_root || !path_safe(r->path)) {
        reply_error(r, 404, "not_found", "页面不存在", NULL);
        return;
    }
    const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
    char *path = arena_printf(r->a, "%s%s", app.web_root, rel);
    struct stat st;
    int fd = open_regular(path, &st);
    int fallback = fd < 0;
    if (fd < 0) {
        /* Unknown paths without a file extension belong to the UI's router. */
        const char *last = strrchr(rel, '/');
        if (strchr(last ? last : rel, '.')) {
            reply_error(r, 404, "not_found", "文件不存在", NULL);
            return;
        }
        path = arena_printf(r->a, "%s/index.html", app.web_root);
        fd = open_regular(path, &st);
        if (fd < 0) {
            reply_error(r, 404, "not_found", "界面尚未构建（请先运行 make）", NULL);
            return;
        }
    }
    const char *type = content_type(path);
    const char *encoding = NULL;
    if (accepts_gzip(r)) {
        struct stat gst;
        int gfd = open_regular(arena_printf(r->a, "%s.gz", path), &gst);
        if (gfd >= 0 && gst.st_mtime >= st.st_mtime) {
            close(fd);
            fd = gfd;
            st = gst;
            encoding = "gzip";
        } else if (gfd >= 0) {
            close(gfd);
        }
    }
    /* Size, modification time in nanoseconds and the encoding: the gzip
     * and plain bodies are different representations. */
    char tag[96], etag[100];
    snprintf(tag, sizeof tag, "%llx-%llx%s", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
                 (unsigned long long)st.st_mtim.tv_nsec,
             encoding ? "-gz" : "");
    snprintf(etag, sizeof etag, "\"%s\"", tag);
    if (http_etag_matches(req_header(r, "If-None-Match"), tag)) {
        close(fd);
        reply_empty(r, 304);
        reply_header(r, "ETag", etag);
        reply_header(r, "Vary", "Accept-Encoding");
        return;
    }
    reply_file(r, 200, type, fd, (size_t)st.st_size);
    reply_header(r, "ETag", etag);
    reply_header(r, "Vary", "Accept-Encoding");
    if (encoding)
        reply_header(r, "Content-Encoding", encoding);
    /* Vite names assets by content hash, so they never change; index.html does. */
    if (!fallback && strncmp(r->path, "/assets/", 8) == 0)
        reply_header(r, "Cache-Control", "public, max-age=31536000, immutable");
    else
        reply_header(r, "Cache-Control", "no-cache");
}
