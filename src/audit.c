/* audit: see audit.h. The chain's head lives in its own one-row table, which
 * every writer updates: that row serialises writers on any backend, so ids
 * and hashes come out in one order. */
#include "audit.h"
#include "app.h"
#include "auth.h"
#include "authz.h"
#include "buf.h"
#include "crypto.h"
#include "http.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each part is length-prefixed, so no two entries share an encoding. */
static void hash_part(crypto_generichash_state *st, const char *s)
{
    char len[24];
    int n = snprintf(len, sizeof len, "%zu:", s ? strlen(s) : (size_t)0);
    crypto_generichash_update(st, (const unsigned char *)len, (size_t)n);
    if (s)
        crypto_generichash_update(st, (const unsigned char *)s, strlen(s));
}

static void entry_hash(const char *const *parts, int n, char out[65])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, app.audit_key, sizeof app.audit_key, sizeof h);
    for (int i = 0; i < n; i++)
        hash_part(&st, parts[i]);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

#define NPARTS 12

/* ---- the head file ----
 * The chain's head as of each commit, appended to a file outside the
 * database, so that cutting the log's tail and rewinding audit_head in the
 * database is caught. Entries written in a transaction are pending on its
 * thread until the commit; a rollback drops them. */

static char *head_path;
static _Thread_local struct {
    long long id;
    char hash[65];
} pending;
/* The newest head committed, and the one being synced (db_sync_hook_set):
 * a line is written only once its commit is durable, so that the file
 * never names an entry a crash could take back. */
static pthread_mutex_t head_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    long long id;
    char hash[65];
} committed_head, syncing_head;
static long long written_id;

static void head_committed(int committed)
{
    if (committed && pending.id && head_path) {
        pthread_mutex_lock(&head_lock);
        if (pending.id > committed_head.id) {
            committed_head.id = pending.id;
            memcpy(committed_head.hash, pending.hash, sizeof committed_head.hash);
        }
        pthread_mutex_unlock(&head_lock);
    }
    pending.id = 0;
}

static void head_synced(int after)
{
    pthread_mutex_lock(&head_lock);
    if (!after) {
        if (committed_head.id > syncing_head.id)
            syncing_head = committed_head;
        pthread_mutex_unlock(&head_lock);
        return;
    }
    if (!head_path || syncing_head.id <= written_id) {
        pthread_mutex_unlock(&head_lock);
        return;
    }
    char line[100];
    int n = snprintf(line, sizeof line, "%lld %s\n", syncing_head.id, syncing_head.hash);
    written_id = syncing_head.id;
    /* One write() with O_APPEND: lines from the server and the command line
     * never interleave. Under the lock, so that lines go out in order. */
    int fd = open(head_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, line, (size_t)n) != n || fdatasync(fd) != 0)
        log_error("audit head file %s: %s", head_path, strerror(errno));
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&head_lock);
}

void audit_head_file_set(const char *path)
{
    free(head_path);
    head_path = path && *path ? xstrdup(path) : NULL;
    db_end_hook_set(head_committed);
    db_sync_hook_set(head_synced);
}

const char *audit_head_file(void)
{
    return head_path;
}

int audit_head_file_reset(db_conn *c, char **err)
{
    *err = NULL;
    if (!head_path)
        return 0;
    char *old = xasprintf("%s.before-restore", head_path);
    if (rename(head_path, old) != 0 && errno != ENOENT) {
        *err = xasprintf("无法移开审计链头文件 %s: %s", head_path, strerror(errno));
        free(old);
        return -1;
    }
    free(old);
    /* The restored log may end before the heads recorded so far. */
    pthread_mutex_lock(&head_lock);
    written_id = committed_head.id = syncing_head.id = 0;
    pthread_mutex_unlock(&head_lock);
    db_stmt *s = db_prepare(c, "SELECT last_id, last_hash FROM audit_head WHERE id = 1");
    if (s && db_step(s) == DB_ROW && db_col_int(s, 0) > 0) {
        pending.id = db_col_int(s, 0);
        snprintf(pending.hash, sizeof pending.hash, "%s", db_col_text(s, 1));
    }
    db_done(s);
    head_committed(1);
    head_synced(0);
    head_synced(1);
    return 0;
}

int audit_write(db_conn *c, const struct audit_actor *who, const char *action, const char *entity,
                const char *entity_id, const char *region, json_t *changes, const char *reason)
{
    int st;
    char now[32], idbuf[24], uidbuf[24], prev[65] = "";
    long long last = 0;
    util_now_iso(now);
    /* On PostgreSQL the row lock keeps two writers from reading the same
     * head (db_begin already serialises them; this holds without it too). */
    db_stmt *s = db_prepare(c, db_conn_kind(c) == DB_KIND_PG
                                   ? "SELECT last_id, last_hash FROM audit_head WHERE id = 1 "
                                     "FOR UPDATE"
                                   : "SELECT last_id, last_hash FROM audit_head WHERE id = 1");
    if (!s)
        return db_last_status(c);
    st = db_step(s);
    if (st == DB_ROW) {
        last = db_col_int(s, 0);
        snprintf(prev, sizeof prev, "%s", db_col_text(s, 1));
    }
    db_done(s);
    if (st != DB_ROW)
        return st < 0 ? st : DB_ERR;
    snprintf(idbuf, sizeof idbuf, "%lld", last + 1);
    const struct user *u = who ? who->user : NULL;
    snprintf(uidbuf, sizeof uidbuf, "%lld", u ? (long long)u->id : 0LL);
    char *ch = changes && json_object_size(changes)
                   ? json_dumps(changes, JSON_COMPACT | JSON_SORT_KEYS)
                   : NULL;
    const char *parts[NPARTS] = {idbuf,
                                 now,
                                 u && u->id ? uidbuf : NULL,
                                 u ? u->username : "system",
                                 who && who->ip ? who->ip : "-",
                                 action,
                                 entity,
                                 entity_id,
                                 region,
                                 ch,
                                 reason,
                                 prev};
    char hash[65];
    entry_hash(parts, NPARTS, hash);
    s = db_prepare(c, "INSERT INTO audit_log (id, at, user_id, username, ip, action, entity, "
                      "entity_id, region, changes, reason, hash) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    if (!s) {
        free(ch);
        return db_last_status(c);
    }
    for (int i = 0; i < NPARTS - 1; i++)
        db_bind_text(s, i + 1, parts[i]);
    db_bind_text(s, 12, hash);
    st = db_step(s);
    db_done(s);
    free(ch);
    if (st != DB_DONE)
        return st < 0 ? st : DB_ERR;
    const char *hp[] = {idbuf, hash};
    st =
        db_exec_params(c, "UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1", 2, hp);
    if (st == DB_OK) {
        pending.id = last + 1;
        memcpy(pending.hash, hash, sizeof pending.hash);
    }
    return st;
}

int audit_key_matches(db_conn *c)
{
    if (db_table_exists(c, "audit_log") <= 0)
        return -1;
    db_stmt *s = db_prepare(c, "SELECT id, at, user_id, username, ip, action, entity, entity_id, "
                               "region, changes, reason, hash FROM audit_log WHERE id = 1");
    if (!s)
        return -1;
    int rc = -1;
    if (db_step(s) == DB_ROW) {
        const char *parts[NPARTS];
        parts[0] = "1";
        for (int i = 1; i < NPARTS - 1; i++)
            parts[i] = db_col_text(s, i);
        parts[NPARTS - 1] = "";
        char hash[65];
        entry_hash(parts, NPARTS, hash);
        const char *stored = db_col_text(s, 11);
        rc = stored && strcmp(stored, hash) == 0;
    }
    db_done(s);
    return rc;
}

/* The head file's lines: each must name an entry the log still holds, with
 * the same hash. A missing file is allowed (a copy of the database, or a
 * deployment before the file existed) and said. */
static int verify_head_file(db_conn *c, long long n, FILE *out)
{
    if (!head_path) {
        fprintf(out, "skip audit head file: none configured (--audit-head-file)\n");
        return 0;
    }
    FILE *f = fopen(head_path, "r");
    if (!f) {
        fprintf(out, "skip audit head file: %s does not exist (written at the next change)\n",
                head_path);
        return 0;
    }
    db_stmt *s = db_prepare(c, "SELECT hash FROM audit_log WHERE id = $1");
    char line[200];
    long long lines = 0, max = 0;
    int bad = 0;
    while (s && !bad && fgets(line, sizeof line, f)) {
        long long id;
        char hash[65];
        if (sscanf(line, "%lld %64s", &id, hash) != 2)
            continue;
        lines++;
        if (id > max)
            max = id;
        if (id > n) {
            fprintf(out,
                    "FAIL audit chain: the head file %s records entry %lld, but the log ends at "
                    "%lld: entries were cut off the end and the head rewound\n",
                    head_path, id, n);
            bad = 1;
            break;
        }
        db_bind_int(s, 1, id);
        int st = db_step(s);
        if (st != DB_ROW || strcmp(db_col_text(s, 0), hash) != 0) {
            fprintf(out,
                    "FAIL audit chain: entry %lld differs from the hash the head file %s "
                    "recorded\n",
                    id, head_path);
            bad = 1;
        }
        db_done(s);
    }
    if (!s)
        bad = 1;
    fclose(f);
    if (!bad)
        fprintf(out, "ok   audit head file %s agrees (%lld commits, last entry %lld)\n", head_path,
                lines, max);
    return bad;
}

int audit_export(db_conn *c, const struct audit_actor *who, const char *what, const char *id,
                 const char *region, const char *kind, json_t *filter, long rows)
{
    json_t *ch = json_pack("{s:s, s:O?}", "kind", kind, "filter", filter);
    if (rows >= 0)
        json_object_set_new(ch, "rows", json_integer(rows));
    int own = !db_in_tx(c), st = own ? db_begin(c) : DB_OK;
    if (st == DB_OK)
        st = audit_write(c, who, "export", what, id, region, ch, NULL);
    if (own && st == DB_OK)
        st = db_commit(c);
    if (own && st != DB_OK)
        db_rollback(c);
    json_decref(ch);
    return st;
}

int audit_export_request(struct req *r, const char *what, const char *id, const char *region,
                         const char *kind, json_t *filter, long rows)
{
    struct audit_actor who = {.user = r->user, .ip = r->client_ip};
    int st = audit_export(req_db(r), &who, what, id, region, kind, filter, rows);
    if (st == DB_OK)
        return 0;
    reply_db_error(r, st);
    return -1;
}

int audit_verify(db_conn *c, FILE *out)
{
    db_stmt *s = db_prepare(c, "SELECT id, at, user_id, username, ip, action, entity, entity_id, "
                               "region, changes, reason, hash FROM audit_log ORDER BY id");
    if (!s)
        return 1;
    char prev[65] = "";
    long long expect = 1, n = 0;
    int bad = 0, st;
    while ((st = db_step(s)) == DB_ROW) {
        long long id = db_col_int(s, 0);
        const char *parts[NPARTS];
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%lld", id);
        parts[0] = idbuf;
        for (int i = 1; i < NPARTS - 1; i++)
            parts[i] = db_col_text(s, i);
        parts[NPARTS - 1] = prev;
        char hash[65];
        entry_hash(parts, NPARTS, hash);
        const char *stored = db_col_text(s, 11);
        if (id != expect) {
            fprintf(out, "FAIL audit chain: entry %lld is missing (next present is %lld)\n", expect,
                    id);
            bad = 1;
            break;
        }
        if (!stored || strcmp(stored, hash) != 0) {
            fprintf(out, "FAIL audit chain: entry %lld (%s %s %s) was altered\n", id,
                    db_col_text(s, 1) ? db_col_text(s, 1) : "?",
                    db_col_text(s, 5) ? db_col_text(s, 5) : "?",
                    db_col_text(s, 6) ? db_col_text(s, 6) : "?");
            bad = 1;
            break;
        }
        memcpy(prev, hash, sizeof prev);
        expect++;
        n++;
    }
    db_done(s);
    if (!bad && st != DB_DONE) {
        fprintf(out, "FAIL audit chain: cannot read the audit log\n");
        return 1;
    }
    if (!bad) {
        s = db_prepare(c, "SELECT last_id, last_hash FROM audit_head WHERE id = 1");
        int hst = s ? db_step(s) : DB_ERR;
        if (hst != DB_ROW) {
            /* Without its head the chain cannot say how long it was. */
            fprintf(out, "FAIL audit chain: the chain head row is missing\n");
            bad = 1;
        } else if (db_col_int(s, 0) != n || strcmp(db_col_text(s, 1), prev) != 0) {
            fprintf(out, "FAIL audit chain: the last %lld entries were removed (head says %lld)\n",
                    (long long)db_col_int(s, 0) - n, (long long)db_col_int(s, 0));
            bad = 1;
        }
        db_done(s);
    }
    if (!bad)
        fprintf(out, "ok   audit hash chain (%lld entries)\n", n);
    if (!bad)
        bad = verify_head_file(c, n, out);
    return bad;
}

int audit_key_check(db_conn *c, int record, char **err)
{
    char fp[65], stored[65] = "";
    *err = NULL;
    crypto_key_fingerprint(fp);
    int have_table = db_table_exists(c, "key_fingerprint") > 0;
    if (have_table) {
        db_stmt *s = db_prepare(c, "SELECT fingerprint FROM key_fingerprint WHERE id = 1");
        if (!s) {
            *err = xasprintf("无法读取密钥指纹: %s", db_errmsg(c));
            return -1;
        }
        if (db_step(s) == DB_ROW)
            snprintf(stored, sizeof stored, "%s", db_col_text(s, 0));
        db_done(s);
    }
    int mismatch = *stored ? strcmp(stored, fp) != 0 : audit_key_matches(c) == 0;
    if (mismatch) {
        *err = *stored
                   ? xasprintf("密钥与数据库不匹配：密钥文件 %s 的指纹是 %.16s…，数据库记录的是 "
                               "%.16s…（请使用该数据库自己的密钥文件）",
                               app.key_file, fp, stored)
                   : xasprintf("密钥与数据库不匹配：密钥文件 %s 不是写入该数据库审计日志的密钥"
                               "（请使用该数据库自己的密钥文件）",
                               app.key_file);
        return 1;
    }
    if (*stored || !have_table || !record)
        return 0;
    char now[32];
    util_now_iso(now);
    const char *p[] = {fp, now};
    int st = db_begin(c);
    if (st == DB_OK)
        st = db_exec_params(c,
                            "INSERT INTO key_fingerprint (id, fingerprint, recorded_at) VALUES (1, "
                            "$1, $2) ON CONFLICT (id) DO NOTHING",
                            2, p);
    if (st == DB_OK)
        st = db_commit(c);
    if (st != DB_OK) {
        db_rollback(c);
        *err = xasprintf("无法记录密钥指纹: %s", db_errmsg(c));
        return -1;
    }
    return 0;
}
