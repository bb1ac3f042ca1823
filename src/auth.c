/* auth: see auth.h. Keys come from crypto.c. */
#include "auth.h"
#include "app.h"
#include "crypto.h"
#include "http.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct app app;

int auth_keyfile_load(const char *path, int create, char **err)
{
    return crypto_keys_load(path, create, err);
}

int auth_password_hash(const char *password, char *out, size_t outlen)
{
    if (outlen < crypto_pwhash_STRBYTES)
        return -1;
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int auth_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const char *auth_password_weak(const char *pw)
{
    int lower = 0, upper = 0, digit = 0, other = 0;
    if (util_utf8_len(pw) < 10)
        return "密码至少需要 10 个字符";
    for (const char *p = pw; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            lower = 1;
        else if (*p >= 'A' && *p <= 'Z')
            upper = 1;
        else if (*p >= '0' && *p <= '9')
            digit = 1;
        else
            other = 1;
    }
    if (lower + upper + digit + other < 3)
        return "密码需包含大写字母、小写字母、数字、符号中的至少三类";
    return NULL;
}

int auth_password_set(db_conn *c, int64_t user_id, const char *hash, int must_change)
{
    char now[32];
    util_now_iso(now);
    db_stmt *s = db_prepare(c, must_change ? "UPDATE users SET password_hash = $1, "
                                             "must_change_password = 1, updated_at = $2 "
                                             "WHERE id = $3"
                                           : "UPDATE users SET password_hash = $1, "
                                             "must_change_password = 0, password_changed_at = $2, "
                                             "updated_at = $2 WHERE id = $3");
    if (!s)
        return db_last_status(c) < 0 ? db_last_status(c) : DB_ERR;
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, now);
    db_bind_int(s, 3, user_id);
    int st = db_step(s);
    db_done(s);
    return st == DB_DONE ? DB_OK : st;
}

void auth_token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), app.token_key,
                       sizeof app.token_key);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int auth_token_create(db_conn *c, int64_t user_id, const char *name, int days, int64_t *id,
                      char **token_out)
{
    unsigned char raw[32];
    char b64[64], hash[65], now[32];
    if (days < 1 || days > AUTH_TOKEN_DAYS_MAX)
        return DB_ERR;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    char *token = xasprintf("sc_%s", b64);
    sodium_memzero(b64, sizeof b64);
    auth_token_hash(token, hash);
    util_now_iso(now);
    db_stmt *s = db_prepare(c, "INSERT INTO api_tokens (user_id, name, token_hash, created_at, "
                               "expires_epoch) VALUES ($1, $2, $3, $4, $5) RETURNING id");
    int st = s ? DB_OK : (db_last_status(c) < 0 ? db_last_status(c) : DB_ERR);
    if (s) {
        db_bind_int(s, 1, user_id);
        db_bind_text(s, 2, name);
        db_bind_text(s, 3, hash);
        db_bind_text(s, 4, now);
        db_bind_int(s, 5, (int64_t)time(NULL) + (int64_t)days * 86400);
        st = db_step(s);
        if (st == DB_ROW && id)
            *id = db_col_int(s, 0);
        db_done(s);
        st = st == DB_ROW ? DB_OK : st < 0 ? st : DB_ERR;
    }
    if (st != DB_OK) {
        sodium_memzero(token, strlen(token));
        free(token);
        return st;
    }
    *token_out = token;
    return DB_OK;
}

int auth_token_revoke(db_conn *c, int64_t user_id, int64_t token_id, const char *by, int *n)
{
    char now[32];
    util_now_iso(now);
    if (n)
        *n = 0;
    /* 0 stands for "any": bound as NULL, so one statement serves all three
     * uses (one token, one token of this user, all of a user's). */
    db_stmt *s =
        db_prepare(c, "UPDATE api_tokens SET revoked = 1, revoked_at = $1, revoked_by = $2 "
                      "WHERE revoked = 0 AND (CAST($3 AS BIGINT) IS NULL OR user_id = $3) "
                      "AND (CAST($4 AS BIGINT) IS NULL OR id = $4) RETURNING id");
    if (!s)
        return db_last_status(c) < 0 ? db_last_status(c) : DB_ERR;
    db_bind_text(s, 1, now);
    db_bind_text(s, 2, by);
    if (user_id)
        db_bind_int(s, 3, user_id);
    else
        db_bind_null(s, 3);
    if (token_id)
        db_bind_int(s, 4, token_id);
    else
        db_bind_null(s, 4);
    int st;
    while ((st = db_step(s)) == DB_ROW)
        if (n)
            (*n)++;
    db_done(s);
    if (st != DB_DONE)
        return st < 0 ? st : DB_ERR;
    /* This server forgets them at once; the others check every request's
     * token against the table (auth_token_authenticate). */
    auth_cache_clear();
    return DB_OK;
}

void auth_epoch_iso(int64_t epoch, char out[32])
{
    time_t t = (time_t)epoch;
    struct tm tm;
    char tz[8];
    localtime_r(&t, &tm);
    strftime(tz, sizeof tz, "%z", &tm);
    size_t k = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + k, 32 - k, "%.3s:%.2s", tz, tz + 3);
}

json_t *auth_token_list(db_conn *c, int64_t user_id, int64_t token_id, const char *lo,
                        const char *hi)
{
    db_stmt *s = db_prepare(
        c, "SELECT t.id, t.user_id, u.username, t.name, t.created_at, t.expires_epoch, "
           "t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id "
           "WHERE t.revoked = 0 AND (CAST($1 AS BIGINT) IS NULL OR t.user_id = $1) AND "
           "(CAST($2 AS BIGINT) IS NULL OR t.id = $2) AND u.region >= $3 AND u.region < $4 "
           "ORDER BY u.username, t.id");
    if (!s)
        return NULL;
    if (user_id)
        db_bind_int(s, 1, user_id);
    else
        db_bind_null(s, 1);
    if (token_id)
        db_bind_int(s, 2, token_id);
    else
        db_bind_null(s, 2);
    db_bind_text(s, 3, lo ? lo : "");
    db_bind_text(s, 4, hi ? hi : "~");
    json_t *items = json_array();
    int64_t now = (int64_t)time(NULL);
    int st;
    while ((st = db_step(s)) == DB_ROW) {
        char exp[32];
        int64_t e = db_col_int(s, 5);
        auth_epoch_iso(e, exp);
        json_array_append_new(
            items, json_pack("{s:I, s:I, s:s, s:s?, s:s, s:s, s:s?, s:b}", "id",
                             (json_int_t)db_col_int(s, 0), "user_id", (json_int_t)db_col_int(s, 1),
                             "username", db_col_text(s, 2), "name", db_col_text(s, 3), "created_at",
                             db_col_text(s, 4), "expires_at", exp, "last_used_at",
                             db_col_text(s, 6), "expired", e <= now));
    }
    db_done(s);
    if (st != DB_DONE) {
        json_decref(items);
        return NULL;
    }
    return items;
}

struct user *auth_user_from_row(db_conn *c, arena *a, db_stmt *s, int k)
{
    struct user *u = arena_zalloc(a, sizeof *u);
    u->id = db_col_int(s, k);
    u->username = arena_strdup(a, db_col_text(s, k + 1));
    u->display_name = arena_strdup(a, db_col_text(s, k + 2));
    u->role = arena_strdup(a, db_col_text(s, k + 3));
    u->region = arena_strdup(a, db_col_text(s, k + 4));
    u->must_change_password = (int)db_col_int(s, k + 5);
    u->unit_id = db_col_type(s, k + 6) == DB_T_NULL ? 0 : db_col_int(s, k + 6);
    region_subtree(u->region, u->scope_lo, u->scope_hi);
    db_stmt *p = db_prepare(c, "SELECT perm FROM role_perms WHERE role = $1 ORDER BY perm");
    if (!p)
        return NULL;
    db_bind_text(p, 1, u->role);
    int cap = 8;
    u->perms = arena_alloc(a, (size_t)cap * sizeof *u->perms);
    while (db_step(p) == DB_ROW) {
        if (u->nperms == cap) {
            const char **np = arena_alloc(a, (size_t)cap * 2 * sizeof *np);
            memcpy(np, u->perms, (size_t)cap * sizeof *np);
            u->perms = np;
            cap *= 2;
        }
        u->perms[u->nperms++] = arena_strdup(a, db_col_text(p, 0));
    }
    db_done(p);
    return u;
}

struct user *auth_user_load(db_conn *c, arena *a, const char *username)
{
    db_stmt *s = db_prepare(c, "SELECT " AUTH_USER_COLS " FROM users u "
                               "WHERE u.username = $1 AND u.disabled = 0");
    if (!s)
        return NULL;
    db_bind_text(s, 1, username);
    struct user *u = NULL;
    if (db_step(s) == DB_ROW) {
        db_stmt *keep = s;
        /* user_from_row prepares another statement; this row stays valid. */
        u = auth_user_from_row(c, a, keep, 0);
    }
    db_done(s);
    return u;
}

struct user *auth_system_user(arena *a)
{
    struct user *u = arena_zalloc(a, sizeof *u);
    u->id = 0;
    u->username = "system";
    u->role = "sysadmin";
    u->region = "";
    u->nperms = 1;
    u->perms = arena_alloc(a, sizeof *u->perms);
    u->perms[0] = "*";
    strcpy(u->scope_lo, "");
    strcpy(u->scope_hi, "~"); /* above every digit */
    return u;
}

const char *auth_user_name(const struct user *u)
{
    return u ? u->username : "-";
}

/* ---- token cache ----
 * A token's user and permissions are read from the database at most once per
 * AUTH_CACHE_TTL per server: on the hot path that saves the user and
 * permission queries. The token itself is checked on every request, by its
 * primary key, so that a token revoked or expired, or a user disabled, by
 * any process (the CLI, another server) is refused at once; a change of role
 * or permissions made by another process takes effect within the TTL, and
 * changes made by this process clear the cache at once (auth_cache_clear). */

#define AUTH_CACHE_SLOTS  256
#define AUTH_CACHE_TTL_US (5 * 1000000LL)

struct cache_slot {
    char hash[65];
    int64_t expires;
    int64_t token_id;
    arena *a;
    struct user *u;
};

static struct cache_slot cache[AUTH_CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct user *user_copy(arena *a, const struct user *src)
{
    struct user *u = arena_alloc(a, sizeof *u);
    *u = *src;
    u->username = arena_strdup(a, src->username);
    u->display_name = arena_strdup(a, src->display_name);
    u->role = arena_strdup(a, src->role);
    u->region = arena_strdup(a, src->region);
    u->perms = arena_alloc(a, (size_t)(src->nperms ? src->nperms : 1) * sizeof *u->perms);
    for (int i = 0; i < src->nperms; i++)
        u->perms[i] = arena_strdup(a, src->perms[i]);
    return u;
}

static size_t slot_of(const char *hash)
{
    size_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h * 16 + (size_t)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
    return h % AUTH_CACHE_SLOTS;
}

static struct user *cache_get(arena *a, const char *hash, int64_t *token_id)
{
    struct user *u = NULL;
    struct cache_slot *s = &cache[slot_of(hash)];
    pthread_mutex_lock(&cache_lock);
    if (s->u && strcmp(s->hash, hash) == 0 && s->expires > util_now_us()) {
        u = user_copy(a, s->u);
        *token_id = s->token_id;
    }
    pthread_mutex_unlock(&cache_lock);
    return u;
}

static void cache_put(const char *hash, int64_t token_id, const struct user *u)
{
    arena *a = arena_new(), *old = NULL;
    struct user *copy = user_copy(a, u);
    struct cache_slot *s = &cache[slot_of(hash)];
    pthread_mutex_lock(&cache_lock);
    old = s->a;
    s->a = a;
    s->u = copy;
    s->token_id = token_id;
    memcpy(s->hash, hash, sizeof s->hash);
    s->expires = util_now_us() + AUTH_CACHE_TTL_US;
    pthread_mutex_unlock(&cache_lock);
    arena_free(old);
}

void auth_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < AUTH_CACHE_SLOTS; i++) {
        arena_free(cache[i].a);
        cache[i].a = NULL;
        cache[i].u = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
}

/* The cached token is still live: not revoked, not expired, its user not
 * disabled. 1 yes, 0 no, a negative status on a database error. */
static int token_live(db_conn *c, int64_t token_id, int64_t now)
{
    db_stmt *s = db_prepare(c, "SELECT count(*) FROM api_tokens t JOIN users u ON u.id = t.user_id "
                               "WHERE t.id = $1 AND t.revoked = 0 AND t.expires_epoch > $2 AND "
                               "u.disabled = 0");
    if (!s)
        return db_last_status(c) < 0 ? db_last_status(c) : DB_ERR;
    db_bind_int(s, 1, token_id);
    db_bind_int(s, 2, now);
    int st = db_step(s);
    int live = st == DB_ROW && db_col_int(s, 0) > 0;
    db_done(s);
    return st < 0 ? st : live;
}

int auth_token_authenticate(req *r)
{
    const char *h = req_header(r, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        const char *token = h + 7;
        while (*token == ' ')
            token++;
        char hash[65];
        int64_t tid = 0, now = (int64_t)time(NULL);
        auth_token_hash(token, hash);
        db_conn *c = req_db(r);
        r->user = cache_get(r->a, hash, &tid);
        if (r->user) {
            int live = token_live(c, tid, now);
            if (live < 0) {
                r->user = NULL;
                reply_db_error(r, live);
                return -1;
            }
            if (live)
                return 0;
            r->user = NULL;
            reply_error(r, 401, "unauthorized", "未登录或登录已失效", NULL);
            return -1;
        }
        db_stmt *s = db_prepare(c, "SELECT t.id, " AUTH_USER_COLS " FROM api_tokens t "
                                   "JOIN users u ON u.id = t.user_id "
                                   "WHERE t.token_hash = $1 AND t.revoked = 0 AND "
                                   "t.expires_epoch > $2 AND u.disabled = 0");
        if (!s) {
            reply_db_error(r, db_last_status(c));
            return -1;
        }
        db_bind_text(s, 1, hash);
        db_bind_int(s, 2, now);
        int st = db_step(s);
        if (st == DB_ROW) {
            tid = db_col_int(s, 0);
            r->user = auth_user_from_row(c, r->a, s, 1);
        }
        db_done(s);
        if (st < 0) {
            reply_db_error(r, st);
            return -1;
        }
        if (r->user) {
            /* Last used: stamped when the token is read afresh, so at most
             * once per cache period and server (precision enough to tell
             * a forgotten token from a live one). */
            char at[32], ids[24];
            util_now_iso(at);
            snprintf(ids, sizeof ids, "%lld", (long long)tid);
            const char *p[] = {at, ids};
            db_exec_params(
                c, "UPDATE api_tokens SET last_used_at = $1 WHERE id = CAST($2 AS BIGINT)", 2, p);
            cache_put(hash, tid, r->user);
            return 0;
        }
    }
    reply_error(r, 401, "unauthorized", "未登录或登录已失效", NULL);
    return -1;
}
