/* files: the content-addressed file store; see files.h. */
#include "files.h"
#include "audit.h"
#include "auth.h"
#include "http.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *store_dir;

void files_configure(const char *dir, const char *db_uri)
{
    free(store_dir);
    store_dir = NULL;
    if (dir && *dir)
        store_dir = xstrdup(dir);
    else if (db_uri && !db_uri_is_pg(db_uri))
        store_dir = xasprintf("%s.files", db_uri);
}

const char *files_dir(void)
{
    return store_dir;
}

static const char *const no_dir_msg = "未配置文件目录：PostgreSQL 部署须用 --files-dir（或 "
                                      "SAFECOMM_FILES_DIR）指定各服务器共享的目录";

int files_id_valid(const char *id)
{
    if (!id || strlen(id) != FILES_ID_LEN)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

const char *files_ext_of(const char *mime)
{
    static const char *const types[][2] = {
        {"image/jpeg", "jpg"}, {"image/png", "png"}, {"image/webp", "webp"}, {"image/gif", "gif"}};
    for (size_t i = 0; mime && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(mime, types[i][0]) == 0)
            return types[i][1];
    return NULL;
}

/* ---- sniffing ----
 * A magic_t is not safe to share between threads, and loading the database
 * is slow: one handle, loaded once, used under a mutex (a sniff of a
 * buffer in memory takes microseconds). */

static magic_t magic_cookie;
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;

static void magic_init(void)
{
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (!m) {
        log_error("magic_open failed");
        return;
    }
    if (magic_load(m, NULL) != 0) {
        log_error("magic_load: %s", magic_error(m));
        magic_close(m);
        return;
    }
    magic_cookie = m;
}

/* The type of the content into out; -1 when libmagic is unavailable. */
static int sniff(const void *data, size_t len, char *out, size_t outsz)
{
    pthread_once(&magic_once, magic_init);
    if (!magic_cookie)
        return -1;
    pthread_mutex_lock(&magic_lock);
    const char *t = magic_buffer(magic_cookie, data, len);
    snprintf(out, outsz, "%s", t ? t : "application/octet-stream");
    pthread_mutex_unlock(&magic_lock);
    return 0;
}

/* ---- the directory ---- */

static void hex_of(const unsigned char *h, char out[FILES_ID_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < FILES_ID_LEN / 2; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[FILES_ID_LEN] = '\0';
}

static char *path_of(arena *a, const char *id)
{
    return arena_printf(a, "%s/%.2s/%s", store_dir, id, id);
}

static int mkdir_if_missing(const char *path)
{
    if (mkdir(path, 0770) == 0 || errno == EEXIST)
        return 0;
    log_error("mkdir %s: %s", path, strerror(errno));
    return -1;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Stores the content as DIR/ab/<id>: a temp file in the same directory,
 * fsync'd and renamed, so that another server never sees half a file. An
 * existing file of the same size is the same content (its name is the
 * hash) and is kept. */
static int store_put(arena *a, const char *id, const unsigned char *data, size_t len)
{
    const char *sub = arena_printf(a, "%s/%.2s", store_dir, id);
    const char *final = path_of(a, id);
    struct stat st;
    if (stat(final, &st) == 0 && (size_t)st.st_size == len)
        return 0;
    if (mkdir_if_missing(store_dir) != 0 || mkdir_if_missing(sub) != 0)
        return -1;
    char *tmp = arena_printf(a, "%s/.tmp-XXXXXX", sub);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        log_error("mkstemp in %s: %s", sub, strerror(errno));
        return -1;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        log_error("writing %s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        log_error("closing %s: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, final) != 0) {
        log_error("rename %s: %s", final, strerror(errno));
        goto fail;
    }
    /* The new name is durable only once its directory is. */
    int dfd = open(sub, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}

/* ---- who may read ---- */

static int file_exists(db_conn *c, const char *id)
{
    int64_t n = db_query_int(c, "SELECT count(*) FROM files WHERE id = $1", id, -1);
    return n < 0 ? db_last_status(c) : n > 0;
}

static files_record_rule record_rule;

void files_record_rule_set(files_record_rule rule)
{
    record_rule = rule;
}

/* 1 when u uploaded the file or may read a record it is attached to, 0 when
 * not, or a DB_ERR_* status. */
static int readable(db_conn *c, arena *a, const struct user *u, const char *id)
{
    if (!u)
        return 1;
    db_stmt *s = db_prepare(c, "SELECT count(*) FROM file_uploads WHERE file_id = $1 AND "
                               "username = $2");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, u->username);
    int rc = db_step(s);
    int64_t mine = rc == DB_ROW ? db_col_int(s, 0) : 0;
    db_done(s);
    if (rc < 0)
        return rc;
    if (mine)
        return 1;
    if (!record_rule)
        return 0;
    /* The records are asked after the statement ends: the rule runs its
     * own statements on this connection. A photo is attached to a handful
     * of records; those recorded inside the caller's subtree come first, so
     * the cap never hides the one that grants access. */
    enum { MAX_RECORDS = 64 };
    const char *ents[MAX_RECORDS], *keys[MAX_RECORDS];
    int n = 0;
    s = db_prepare(c, "SELECT entity, record_key FROM attachments WHERE file_id = $1 ORDER BY "
                      "CASE WHEN region >= $2 AND region < $3 THEN 0 ELSE 1 END, id");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, u->scope_lo);
    db_bind_text(s, 3, u->scope_hi);
    while (n < MAX_RECORDS && (rc = db_step(s)) == DB_ROW) {
        ents[n] = arena_strdup(a, db_col_text(s, 0));
        keys[n++] = arena_strdup(a, db_col_text(s, 1));
    }
    db_done(s);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        rc = record_rule(c, a, u, ents[i], keys[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int files_ids_check(db_conn *c, arena *a, const struct user *u, json_t *ids, const char **msg)
{
    size_t i, j;
    json_t *v;
    *msg = NULL;
    if (!json_is_array(ids)) {
        *msg = "必须是附件编号（文件上传后返回的 id）的数组";
        return 422;
    }
    if (json_array_size(ids) > FILES_MAX_PER_RECORD) {
        *msg = arena_printf(a, "最多 %d 个附件", FILES_MAX_PER_RECORD);
        return 422;
    }
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        if (!files_id_valid(id)) {
            *msg = "附件编号必须是上传文件时返回的 64 位十六进制 id";
            return 422;
        }
        for (j = 0; j < i; j++)
            if (strcmp(id, json_string_value(json_array_get(ids, j))) == 0) {
                *msg = "附件重复";
                return 422;
            }
        int rc = file_exists(c, id);
        if (rc == 1)
            rc = readable(c, a, u, id);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            *msg = arena_printf(a, "附件 %.12s… 不存在或无权使用", id);
            return 422;
        }
    }
    return 0;
}

int files_attach(db_conn *c, const char *entity, const char *key, const char *region, json_t *ids)
{
    int rc = DB_OK;
    char now[32];
    util_now_iso(now);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *p[] = {json_string_value(v), entity, key, region, now};
        rc = db_exec_params(c,
                            "INSERT INTO attachments (file_id, entity, record_key, region, "
                            "created_at) VALUES ($1, $2, $3, $4, $5) "
                            "ON CONFLICT (file_id, entity, record_key) DO NOTHING",
                            5, p);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

/* ---- check ---- */

/* The SHA-256 hex and size of the file at path; -1 when it cannot be read. */
static int hash_file(const char *path, char hex[FILES_ID_LEN + 1], long long *size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char chunk[65536], out[crypto_hash_sha256_BYTES];
    ssize_t n;
    *size = 0;
    while ((n = read(fd, chunk, sizeof chunk)) > 0) {
        crypto_hash_sha256_update(&h, chunk, (unsigned long long)n);
        *size += n;
    }
    close(fd);
    if (n < 0)
        return -1;
    crypto_hash_sha256_final(&h, out);
    hex_of(out, hex);
    return 0;
}

int files_check(db_conn *c, FILE *out)
{
    int64_t attached = db_query_int(c, "SELECT count(DISTINCT file_id) FROM attachments", NULL, -1);
    if (attached < 0) {
        fprintf(out, "FAIL files: cannot read the attachments: %s\n", db_errmsg(c));
        return 1;
    }
    if (!store_dir) {
        fprintf(out,
                "skip files: no files directory given (--files-dir); %lld attached files "
                "not verified\n",
                (long long)attached);
        return 0;
    }
    db_stmt *s = db_prepare(c, "SELECT f.id, f.size FROM files f WHERE EXISTS (SELECT 1 FROM "
                               "attachments a WHERE a.file_id = f.id) ORDER BY f.id");
    if (!s)
        return 1;
    arena *a = arena_new();
    int bad = 0, rc;
    long checked = 0;
    while (!bad && (rc = db_step(s)) == DB_ROW) {
        const char *id = db_col_text(s, 0);
        long long want = (long long)db_col_int(s, 1), have = 0;
        char hex[FILES_ID_LEN + 1];
        const char *path = path_of(a, id);
        checked++;
        if (hash_file(path, hex, &have) != 0) {
            fprintf(out, "FAIL files: attached file %s is missing or unreadable (%s)\n", id, path);
            bad = 1;
        } else if (have != want) {
            fprintf(out, "FAIL files: attached file %s has %lld bytes, its row says %lld\n", id,
                    have, want);
            bad = 1;
        } else if (strcmp(hex, id) != 0) {
            fprintf(out, "FAIL files: attached file %s does not match its hash (content is %s)\n",
                    id, hex);
            bad = 1;
        }
    }
    db_done(s);
    arena_free(a);
    if (!bad && rc < 0) {
        fprintf(out, "FAIL files: %s\n", db_errmsg(c));
        return 1;
    }
    if (!bad)
        fprintf(out, "ok   every attached file is stored with its hash and size (%ld files)\n",
                checked);
    return bad;
}

/* ---- HTTP ---- */

static void h_upload(req *r)
{
    unsigned char *data = NULL;
    if (!store_dir) {
        log_error("upload refused: no files directory (--files-dir)");
        reply_error(r, 503, "unavailable", no_dir_msg, NULL);
        return;
    }
    int fd = open(r->upload_path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        log_error("reading upload %s: %s", r->upload_path, strerror(errno));
        reply_error(r, 400, "bad_request", "上传的文件无法读取", NULL);
        goto fail;
    }
    size_t len = (size_t)st.st_size;
    if (len > FILES_MAX_BYTES) {
        reply_error(r, 413, "too_large", "文件不能超过 10 MB",
                    json_pack("{s:s}", "file", "文件不能超过 10 MB"));
        goto fail;
    }
    data = xmalloc(len ? len : 1);
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, data + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got != len) {
        reply_error(r, 400, "bad_request", "上传的文件无法读取", NULL);
        goto fail;
    }
    char mime[128];
    if (sniff(data, len, mime, sizeof mime) != 0) {
        reply_error(r, 503, "unavailable", "无法识别文件类型（libmagic 不可用）", NULL);
        goto fail;
    }
    if (!files_ext_of(mime)) {
        const char *m =
            arena_printf(r->a, "只接受 JPEG、PNG、WebP 或 GIF 图片（该文件是 %s）", mime);
        reply_error(r, 415, "unsupported_media_type", m, json_pack("{s:s}", "file", m));
        goto fail;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    char id[FILES_ID_LEN + 1];
    crypto_hash_sha256(h, data, len);
    hex_of(h, id);
    /* The bytes first: a row never names a file that is not there, and a
     * file left by a failed transaction is harmless (it has no row). */
    if (store_put(r->a, id, data, len) != 0) {
        reply_error(r, 503, "unavailable", "无法保存文件", NULL);
        goto fail;
    }
    db_conn *c = req_begin(r);
    if (!c)
        goto fail;
    char now[32], sizes[24];
    util_now_iso(now);
    snprintf(sizes, sizeof sizes, "%zu", len);
    const char *p[] = {id, mime, sizes, now, r->user->username, r->user->region};
    int rc = db_exec_params(c,
                            "INSERT INTO files (id, mime, size, created_at, created_by, region) "
                            "VALUES ($1, $2, CAST($3 AS BIGINT), $4, $5, $6) "
                            "ON CONFLICT (id) DO NOTHING",
                            6, p);
    const char *q[] = {id, r->user->username, now};
    if (rc == DB_OK)
        rc = db_exec_params(c,
                            "INSERT INTO file_uploads (file_id, username, created_at) VALUES "
                            "($1, $2, $3) ON CONFLICT (file_id, username) DO NOTHING",
                            3, q);
    json_t *out = json_pack("{s:s, s:s, s:I}", "id", id, "type", mime, "size", (json_int_t)len);
    struct audit_actor who = {.user = r->user, .ip = r->client_ip};
    if (rc == DB_OK)
        rc = audit_write(c, &who, "upload", "files", id, r->user->region, out, NULL);
    if (req_commit(r, c, rc) != 0) {
        json_decref(out);
        goto fail;
    }
    reply_json(r, 201, out);
fail:
    free(data);
    if (fd >= 0)
        close(fd);
}

/* GET /api/v1/files/{id}: the bytes, to whoever may read them. */
static void h_get(req *r)
{
    const char *id = req_param(r, "id");
    if (!files_id_valid(id)) {
        reply_error(r, 404, "not_found", "文件不存在", NULL);
        return;
    }
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, "SELECT mime, size FROM files WHERE id = $1");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, id);
    int rc = db_step(s);
    const char *mime = rc == DB_ROW ? arena_strdup(r->a, db_col_text(s, 0)) : NULL;
    db_done(s);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    rc = mime ? readable(c, r->a, r->user, id) : 0;
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    if (rc == 0) {
        reply_error(r, 404, "not_found", "文件不存在", NULL);
        return;
    }
    const char *etag = arena_printf(r->a, "\"%s\"", id);
    if (http_etag_matches(req_header(r, "If-None-Match"), id)) {
        reply_empty(r, 304);
    } else {
        if (!store_dir) {
            log_error("file %s requested but no files directory (--files-dir)", id);
            reply_error(r, 503, "unavailable", no_dir_msg, NULL);
            return;
        }
        const char *path = path_of(r->a, id);
        int fd = open(path, O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) {
            log_error("file %s: %s: %s", id, path, strerror(errno));
            if (fd >= 0)
                close(fd);
            reply_error(r, 503, "unavailable", "文件暂时无法读取", NULL);
            return;
        }
        reply_file(r, 200, mime, fd, (size_t)st.st_size);
        reply_header(r, "Content-Disposition",
                     arena_printf(r->a, "inline; filename=\"%s.%s\"", id,
                                  files_ext_of(mime) ? files_ext_of(mime) : "bin"));
    }
    /* Content never changes under its hash, but access can be withdrawn:
     * the browser keeps it and asks again (a cheap 304). */
    reply_header(r, "ETag", etag);
    reply_header(r, "Cache-Control", "private, no-cache");
}

void files_routes_register(void)
{
    http_route("POST", "/api/v1/files", h_upload, ROUTE_UPLOAD, NULL);
    http_route("GET", "/api/v1/files/{id}", h_get, 0, NULL);
}
