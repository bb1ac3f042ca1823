/* backup: see backup.h. */
#include "backup.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "files.h"
#include "users.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define MANIFEST    "manifest.json"
#define DB_ENTRY    "safecomm.db"
#define FILES_ENTRY "files/"
#define FORMAT      "safecomm-backup"

static int sha256_file(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char chunk[65536], out[crypto_hash_sha256_BYTES];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        crypto_hash_sha256_update(&h, chunk, (unsigned long long)n);
    close(fd);
    if (n < 0)
        return -1;
    crypto_hash_sha256_final(&h, out);
    sodium_bin2hex(hex, 65, out, sizeof out);
    return 0;
}

static void unlink_db(const char *path)
{
    static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        char *p = xasprintf("%s%s", path, ext[i]);
        unlink(p);
        free(p);
    }
}

/* Temporary files live beside their target (a rename must not cross file
 * systems), named .safecomm-tmp-PID-SUFFIX-XXXXXX in its directory; SQLite
 * and libzip add their own files to such a name. A backup or restore killed
 * part-way cannot remove them, so each one first removes those of processes
 * that no longer run: nothing else in the directory has that prefix. */
#define TMP_PREFIX ".safecomm-tmp-"

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xasprintf("%.*s", (int)(slash - path), path);
}

static void sweep_beside(const char *path)
{
    char *dir = dir_of(path);
    DIR *dp = opendir(dir);
    struct dirent *e;
    size_t n = strlen(TMP_PREFIX);
    while (dp && (e = readdir(dp))) {
        if (strncmp(e->d_name, TMP_PREFIX, n) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + n, &end, 10);
        if (pid <= 0 || *end != '-' || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        if (unlink(p) == 0)
            log_info("removed %s, left by a backup or restore that was stopped (pid %ld)", p, pid);
        free(p);
    }
    if (dp)
        closedir(dp);
    free(dir);
}

/* A new empty file beside path; NULL on failure. */
static char *temp_beside(const char *path, const char *suffix)
{
    char *dir = dir_of(path);
    char *tmp = xasprintf("%s/" TMP_PREFIX "%ld-%s-XXXXXX", dir, (long)getpid(), suffix);
    free(dir);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return NULL;
    }
    close(fd);
    return tmp;
}

/* The key fingerprint and audit head the snapshot at path records. */
static int snapshot_facts(const char *path, json_t *manifest, char **err)
{
    db *d = db_open(path, 1, err);
    if (!d)
        return -1;
    db_conn *c = db_acquire(d);
    db_stmt *s = db_prepare(c, "SELECT last_id, last_hash FROM audit_head WHERE id = 1");
    if (s && db_step(s) == DB_ROW)
        json_object_set_new(
            manifest, "audit_head",
            json_pack("{s:I, s:s}", "id", (json_int_t)db_col_int(s, 0), "hash", db_col_text(s, 1)));
    db_done(s);
    json_object_set_new(
        manifest, "schema_version",
        json_integer(db_query_int(c, "SELECT max(version) FROM schema_migrations", NULL, 0)));
    db_release(d, c);
    db_close(d);
    return 0;
}

/* Adds every stored file (DIR/ab/<id>) as files/ab/<id>; the content's hash
 * is its name, so the manifest lists ids and sizes only. */
static int add_files(zip_t *za, const char *dir, json_t *list, char **err)
{
    DIR *top = opendir(dir);
    if (!top)
        return errno == ENOENT ? 0 : (*err = xasprintf("无法读取文件目录 %s", dir), -1);
    struct dirent *sub;
    int rc = 0;
    while (rc == 0 && (sub = readdir(top))) {
        if (strlen(sub->d_name) != 2 || sub->d_name[0] == '.')
            continue;
        char *subdir = xasprintf("%s/%s", dir, sub->d_name);
        DIR *d = opendir(subdir);
        struct dirent *f;
        while (d && rc == 0 && (f = readdir(d))) {
            if (!files_id_valid(f->d_name) || strncmp(f->d_name, sub->d_name, 2) != 0)
                continue; /* temp files of a write in progress, strays */
            char *path = xasprintf("%s/%s", subdir, f->d_name);
            char *name = xasprintf(FILES_ENTRY "%s/%s", sub->d_name, f->d_name);
            struct stat st;
            zip_source_t *src = stat(path, &st) == 0 ? zip_source_file(za, path, 0, -1) : NULL;
            zip_int64_t idx = src ? zip_file_add(za, name, src, 0) : -1;
            if (idx < 0) {
                zip_source_free(src);
                *err = xasprintf("无法把文件 %s 加入备份: %s", path, zip_strerror(za));
                rc = -1;
            } else {
                /* Photos are compressed already. */
                zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
                json_array_append_new(
                    list, json_pack("{s:s, s:I}", "id", f->d_name, "size", (json_int_t)st.st_size));
            }
            free(path);
            free(name);
        }
        if (d)
            closedir(d);
        free(subdir);
    }
    closedir(top);
    return rc;
}

int backup_write(db *d, const char *out, char **err)
{
    *err = NULL;
    int rc = -1;
    zip_t *za = NULL;
    char *manifest_text = NULL, fp[65], dbhash[65];
    json_t *manifest = NULL;
    sweep_beside(out);
    char *snap = temp_beside(out, "db");
    char *zipped = temp_beside(out, "zip");
    if (!snap || !zipped) {
        *err = xasprintf("无法在 %s 旁创建临时文件: %s", out, strerror(errno));
        goto out;
    }
    /* The database first, with SQLite's online backup: the server keeps
     * writing. The files come after it: they are written before the rows
     * that name them and never change, so every file the snapshot names is
     * already there. */
    if (db_backup(d, snap, err) != 0)
        goto out;
    crypto_key_fingerprint(fp);
    char now[32];
    util_now_iso(now);
    manifest =
        json_pack("{s:s, s:i, s:s, s:s, s:{s:s, s:s, s:i}, s:o, s:s}", "format", FORMAT, "version",
                  1, "created_at", now, "database", DB_ENTRY, "key", "fingerprint", fp, "note",
                  "密钥文件不在备份中，须另行保管；恢复时须使用同一密钥文件", "current_id",
                  crypto_current_key_id(), "files", json_array(), "files_dir",
                  files_dir() ? files_dir() : "");
    if (snapshot_facts(snap, manifest, err) != 0)
        goto out;
    if (sha256_file(snap, dbhash) != 0) {
        *err = xasprintf("无法读取数据库快照 %s", snap);
        goto out;
    }
    json_object_set_new(manifest, "database_sha256", json_string(dbhash));
    int ze = 0;
    za = zip_open(zipped, ZIP_TRUNCATE, &ze);
    if (!za) {
        *err = xasprintf("无法创建备份文件 %s", out);
        goto out;
    }
    zip_source_t *src = zip_source_file(za, snap, 0, -1);
    if (!src || zip_file_add(za, DB_ENTRY, src, 0) < 0) {
        zip_source_free(src);
        *err = xasprintf("无法写入备份: %s", zip_strerror(za));
        goto out;
    }
    if (files_dir() && add_files(za, files_dir(), json_object_get(manifest, "files"), err) != 0)
        goto out;
    manifest_text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
    src = zip_source_buffer(za, manifest_text, strlen(manifest_text), 0);
    if (!src || zip_file_add(za, MANIFEST, src, 0) < 0) {
        zip_source_free(src);
        *err = xasprintf("无法写入备份: %s", zip_strerror(za));
        goto out;
    }
    if (zip_close(za) != 0) {
        *err = xasprintf("无法写入备份 %s: %s", out, zip_strerror(za));
        goto out;
    }
    za = NULL;
    /* link() fails when out exists: a backup never replaces a file, even
     * one made meanwhile. */
    if (link(zipped, out) != 0) {
        *err = xasprintf("无法创建备份文件 %s: %s", out, strerror(errno));
        goto out;
    }
    printf("备份包含数据库、%zu 个文件和清单 %s\n",
           json_array_size(json_object_get(manifest, "files")), MANIFEST);
    rc = 0;
out:
    if (za)
        zip_discard(za);
    if (snap)
        unlink_db(snap);
    if (zipped)
        unlink(zipped);
    free(snap);
    free(zipped);
    free(manifest_text);
    json_decref(manifest);
    return rc;
}

/* ---- restore ---- */

static int is_zip(const char *path)
{
    unsigned char head[4] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return n == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
}

static json_t *read_manifest(zip_t *za)
{
    zip_stat_t st;
    if (zip_stat(za, MANIFEST, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || st.size > 1 << 26)
        return NULL;
    zip_file_t *f = zip_fopen(za, MANIFEST, 0);
    if (!f)
        return NULL;
    char *text = xmalloc((size_t)st.size + 1);
    zip_int64_t n = zip_fread(f, text, st.size);
    zip_fclose(f);
    json_t *m = NULL;
    if (n == (zip_int64_t)st.size) {
        text[n] = '\0';
        m = json_loads(text, 0, NULL);
    }
    free(text);
    return m;
}

/* Copies entry name to path (created 0600), hashing it; 0 on success. */
static int extract(zip_t *za, const char *name, const char *path, char hex[65])
{
    zip_file_t *f = zip_fopen(za, name, 0);
    int fd = f ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    int ok = fd >= 0;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    char chunk[65536];
    zip_int64_t n = 0;
    while (ok && (n = zip_fread(f, chunk, sizeof chunk)) > 0) {
        crypto_hash_sha256_update(&h, (unsigned char *)chunk, (unsigned long long)n);
        ok = write(fd, chunk, (size_t)n) == n;
    }
    ok = ok && n == 0 && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (f)
        zip_fclose(f);
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, out);
    sodium_bin2hex(hex, 65, out, sizeof out);
    return ok ? 0 : -1;
}

/* Puts each files/ab/<id> entry into the files directory, content checked
 * against its name; a file already there is kept. */
static int restore_files(zip_t *za, long *count, char **err)
{
    const char *dir = files_dir();
    zip_int64_t n = zip_get_num_entries(za, 0);
    *count = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
        if (!name || strncmp(name, FILES_ENTRY, strlen(FILES_ENTRY)) != 0)
            continue;
        const char *rel = name + strlen(FILES_ENTRY), *id = rel + 3;
        if (strlen(rel) != 3 + FILES_ID_LEN || rel[2] != '/' || !files_id_valid(id) ||
            strncmp(rel, id, 2) != 0) {
            *err = xasprintf("备份中的文件名无效: %s", name);
            return -1;
        }
        if (!dir) {
            *err = xstrdup("未配置文件目录（--files-dir），无法恢复备份中的文件");
            return -1;
        }
        char *sub = xasprintf("%s/%.2s", dir, id), *final = xasprintf("%s/%s", sub, id);
        char *tmp = xasprintf("%s/.restore-%s", sub, id), hex[65];
        int rc = 0;
        struct stat st;
        if (stat(final, &st) != 0) {
            if ((mkdir(dir, 0770) != 0 && errno != EEXIST) ||
                (mkdir(sub, 0770) != 0 && errno != EEXIST) || extract(za, name, tmp, hex) != 0) {
                *err = xasprintf("无法恢复文件 %s: %s", final, strerror(errno));
                rc = -1;
            } else if (strcmp(hex, id) != 0) {
                *err = xasprintf("备份中的文件 %s 内容与其哈希不符（备份已损坏）", id);
                rc = -1;
            } else if (rename(tmp, final) != 0) {
                *err = xasprintf("无法恢复文件 %s: %s", final, strerror(errno));
                rc = -1;
            }
            if (rc)
                unlink(tmp);
        }
        free(sub);
        free(final);
        free(tmp);
        if (rc)
            return -1;
        (*count)++;
    }
    return 0;
}

/* The snapshot at path must have been written with the loaded key. */
static int snapshot_key_check(const char *path, char **err)
{
    db *d = db_open(path, 1, err);
    if (!d)
        return -1;
    db_conn *c = db_acquire(d);
    int rc = audit_key_check(c, 0, err);
    db_release(d, c);
    db_close(d);
    return rc == 0 ? 0 : -1;
}

int backup_restore(db *d, const char *in, char **err)
{
    *err = NULL;
    int rc = -1, ze = 0;
    long nfiles = 0;
    zip_t *za = NULL;
    json_t *m = NULL;
    sweep_beside(db_path(d));
    char *snap = temp_beside(db_path(d), "restore");
    if (!snap) {
        *err = xasprintf("无法在 %s 旁创建临时文件: %s", db_path(d), strerror(errno));
        goto out;
    }
    if (!is_zip(in)) {
        /* A backup of an older version: the database file alone. */
        FILE *src = fopen(in, "rb"), *dst = fopen(snap, "wb");
        char chunk[65536];
        size_t n;
        int ok = src && dst;
        while (ok && (n = fread(chunk, 1, sizeof chunk, src)) > 0)
            ok = fwrite(chunk, 1, n, dst) == n;
        if (src)
            fclose(src);
        if (dst && fclose(dst) != 0)
            ok = 0;
        if (!ok) {
            *err = xasprintf("无法读取备份文件 %s", in);
            goto out;
        }
        printf("旧格式备份（仅数据库，不含文件）\n");
    } else {
        za = zip_open(in, ZIP_RDONLY, &ze);
        m = za ? read_manifest(za) : NULL;
        const char *format = json_string_value(json_object_get(m, "format"));
        if (!format || strcmp(format, FORMAT) != 0) {
            *err = xasprintf("备份文件 %s 已损坏或不是 safecomm 备份（缺少 %s）", in, MANIFEST);
            goto out;
        }
        char fp[65], hex[65];
        crypto_key_fingerprint(fp);
        const char *want =
            json_string_value(json_object_get(json_object_get(m, "key"), "fingerprint"));
        if (!want || strcmp(want, fp) != 0) {
            *err = xasprintf("密钥与备份不匹配：密钥文件 %s 的指纹是 %.16s…，备份要求 %.16s…"
                             "（请使用备份时的密钥文件）",
                             app.key_file, fp, want ? want : "?");
            goto out;
        }
        const char *sum = json_string_value(json_object_get(m, "database_sha256"));
        if (extract(za, DB_ENTRY, snap, hex) != 0 || !sum || strcmp(sum, hex) != 0) {
            *err = xasprintf("备份文件 %s 中的数据库已损坏（校验和不符）", in);
            goto out;
        }
    }
    if (snapshot_key_check(snap, err) != 0)
        goto out;
    /* Files first: the restored rows must never name a missing file. */
    if (za && restore_files(za, &nfiles, err) != 0)
        goto out;
    if (db_restore(d, snap, err) != 0)
        goto out;
    if (za)
        printf("已恢复 %ld 个文件到 %s\n", nfiles, files_dir());
    rc = 0;
out:
    if (za)
        zip_discard(za);
    if (snap) {
        unlink_db(snap);
        free(snap);
    }
    json_decref(m);
    return rc;
}
