/* session: see session.h. Every number of the lockout policy is in
 * session_cfg and comes from the command line. */
#include "session.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "http.h"
#include "logpage.h"
#include "router.h"
#include "perms.h"
#include "util.h"

#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COOKIE "sc_session"

struct session_config session_cfg = {30 * 60, 12 * 3600, 5, 30, 15 * 60, 15 * 60, 60, 0};

/* A hash to verify against when the user does not exist, so that the time a
 * failed login takes does not tell whether the account exists. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    unsigned char r[16];
    char pw[33];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(pw, sizeof pw, r, sizeof r);
    auth_password_hash(pw, dummy_hash, sizeof dummy_hash);
}

const char *session_cookie(req *r)
{
    const char *c = MHD_lookup_connection_value(r->mhd, MHD_COOKIE_KIND, COOKIE);
    return c && *c ? c : NULL;
}

static void sid_hash(const char *sid, char out[65])
{
    auth_token_hash(sid, out);
}

/* The CSRF token of a session: derived, so never stored. */
static void csrf_of(const char *sid, char out[65])
{
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, app.token_key, sizeof app.token_key, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)"csrf\n", 5);
    crypto_generichash_update(&st, (const unsigned char *)sid, strlen(sid));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* The request carries its session's CSRF token; else a 403 is queued. */
static int csrf_require(req *r, const char *sid)
{
    char want[65];
    csrf_of(sid, want);
    const char *got = req_header(r, "X-CSRF-Token");
    if (got && strlen(got) == 64 && sodium_memcmp(got, want, 64) == 0)
        return 0;
    reply_error(r, 403, "csrf_failed", "缺少或错误的 CSRF 令牌，请刷新页面后重试", NULL);
    return -1;
}

static int unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static void reply_expired(req *r, const char *msg)
{
    reply_error(r, 401, "session_expired", msg, NULL);
    reply_header(r, "Set-Cookie", COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

int session_authenticate(req *r)
{
    const char *sid = session_cookie(r);
    char hash[65];
    sid_hash(sid, hash);
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, "SELECT s.id, s.created_epoch, s.last_seen_epoch, " AUTH_USER_COLS
                               " FROM sessions s JOIN users u ON u.id = s.user_id "
                               "WHERE s.sid_hash = $1 AND s.revoked = 0 AND u.disabled = 0");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return -1;
    }
    db_bind_text(s, 1, hash);
    int st = db_step(s);
    long long now = (long long)time(NULL), sess = 0, created = 0, seen = 0;
    if (st == DB_ROW) {
        sess = db_col_int(s, 0);
        created = db_col_int(s, 1);
        seen = db_col_int(s, 2);
        r->user = auth_user_from_row(c, r->a, s, 3);
    }
    db_done(s);
    if (st < 0) {
        reply_db_error(r, st);
        return -1;
    }
    if (!sess || !r->user) {
        r->user = NULL;
        reply_expired(r, "未登录或登录已失效");
        return -1;
    }
    if (now - seen > session_cfg.idle_seconds || now - created > session_cfg.max_seconds) {
        r->user = NULL;
        reply_expired(r, now - seen > session_cfg.idle_seconds ? "长时间未操作，请重新登录"
                                                               : "登录已超过最长时限，请重新登录");
        return -1;
    }
    if (unsafe_method(r->method) && csrf_require(r, sid) != 0)
        return -1;
    if (r->user->must_change_password && !(r->route->flags & ROUTE_PW_STALE)) {
        reply_error(r, 403, "password_change_required", "请先修改初始密码", NULL);
        return -1;
    }
    /* Idle time counts from the last request. A tenth of the idle timeout
     * (at most 30 s) is precision enough and saves a write on most requests. */
    long grain = session_cfg.idle_seconds / 10 < 30 ? session_cfg.idle_seconds / 10 : 30;
    if (now - seen >= grain) {
        db_stmt *t = db_prepare(c, "UPDATE sessions SET last_seen_epoch = $1 WHERE id = $2");
        if (t) {
            db_bind_int(t, 1, now);
            db_bind_int(t, 2, sess);
            db_step(t);
            db_done(t);
        }
    }
    return 0;
}

/* ---- users as JSON ---- */

/* The Chinese label of each of the user's permissions that has one, as
 * {"perm":"label"}: the account page names them, not their codes. */
static json_t *permission_labels(arena *a, const struct user *u)
{
    json_t *all = perms_labels(a), *out = json_object();
    size_t k;
    json_t *it;
    for (int i = 0; i < u->nperms; i++)
        json_array_foreach(all, k, it)
        {
            if (strcmp(json_string_value(json_object_get(it, "permission")), u->perms[i]) == 0) {
                json_object_set(out, u->perms[i], json_object_get(it, "label"));
                break;
            }
        }
    json_decref(all);
    return out;
}

static json_t *user_json(arena *a, db_conn *c, const struct user *u)
{
    json_t *perms = json_array();
    for (int i = 0; i < u->nperms; i++)
        json_array_append_new(perms, json_string(u->perms[i]));
    const char *rn = NULL, *rl = NULL;
    int must = u->must_change_password;
    db_stmt *s = db_prepare(c, "SELECT (SELECT name FROM regions WHERE code = $1), "
                               "(SELECT label FROM roles WHERE name = $2)");
    json_t *o = json_pack("{s:I, s:s, s:s?, s:s, s:s, s:o, s:b}", "id", (json_int_t)u->id,
                          "username", u->username, "display_name", u->display_name, "role", u->role,
                          "region", u->region, "permissions", perms, "must_change_password", must);
    json_object_set_new(o, "permission_labels", permission_labels(a, u));
    if (s) {
        db_bind_text(s, 1, u->region);
        db_bind_text(s, 2, u->role);
        if (db_step(s) == DB_ROW) {
            rn = db_col_text(s, 0);
            rl = db_col_text(s, 1);
            json_object_set_new(o, "region_name", rn ? json_string(rn) : json_null());
            json_object_set_new(o, "role_label", rl ? json_string(rl) : json_null());
        }
        db_done(s);
    }
    /* A demo database (synthetic persons only) says so on every page. */
    json_object_set_new(o, "demo",
                        json_boolean(db_query_int(c,
                                                  "SELECT count(*) FROM instance_flags "
                                                  "WHERE name = 'demo'",
                                                  NULL, 0) > 0));
    return o;
}

/* ---- login ---- */

static long long rate_hit(db_conn *c, const char *key, long window, long long now)
{
    long long win = now - now % window;
    char k[160];
    snprintf(k, sizeof k, "%s", key);
    db_stmt *s =
        db_prepare(c, "INSERT INTO rate_counters (key, window_epoch, count) "
                      "VALUES ($1, $2, 1) ON CONFLICT (key) DO UPDATE SET "
                      "count = CASE WHEN rate_counters.window_epoch = excluded.window_epoch "
                      "THEN rate_counters.count + 1 ELSE 1 END, "
                      "window_epoch = excluded.window_epoch RETURNING count");
    if (!s)
        return 0;
    db_bind_text(s, 1, k);
    db_bind_int(s, 2, win);
    long long n = db_step(s) == DB_ROW ? db_col_int(s, 0) : 0;
    db_done(s);
    return n;
}

static long long locked_until(db_conn *c, const char *username, const char *ip)
{
    db_stmt *s = db_prepare(c, "SELECT max(until_epoch) FROM lockouts WHERE "
                               "(kind = 'user' AND key = $1) OR (kind = 'ip' AND key = $2)");
    if (!s)
        return 0;
    db_bind_text(s, 1, username);
    db_bind_text(s, 2, ip);
    long long until = db_step(s) == DB_ROW ? db_col_int(s, 0) : 0;
    db_done(s);
    return until;
}

static void log_login(db_conn *c, const char *username, long long uid, const char *ip,
                      const char *result, long long now)
{
    char at[32], e[24], u[24];
    util_now_iso(at);
    snprintf(e, sizeof e, "%lld", now);
    snprintf(u, sizeof u, "%lld", uid);
    const char *p[] = {at, e, username, uid ? u : NULL, ip, result};
    db_exec_params(c,
                   "INSERT INTO login_log (at, epoch, username, user_id, ip, result) "
                   "VALUES ($1, $2, $3, $4, $5, $6)",
                   6, p);
}

/* Failures in the window since the last success, for the account or the
 * address; at the threshold the lock is set. */
static void count_and_lock(db_conn *c, const char *kind, const char *key, int limit, long long now)
{
    const char *col = strcmp(kind, "user") == 0 ? "username" : "ip";
    /* Failures in the window that came after the last success and after
     * the last lock was set: a lock, once served, starts the count afresh. */
    char *sql = xasprintf("SELECT count(*) FROM login_log WHERE %s = $1 AND epoch >= $2 AND "
                          "result <> 'ok' AND result <> 'locked' AND epoch >= coalesce((SELECT "
                          "max(epoch) FROM login_log WHERE %s = $1 AND result = 'ok'), 0) AND "
                          "epoch > coalesce((SELECT until_epoch - $3 FROM lockouts WHERE "
                          "kind = $4 AND key = $1), 0)",
                          col, col);
    db_stmt *s = db_prepare(c, sql);
    free(sql);
    if (!s)
        return;
    db_bind_text(s, 1, key);
    db_bind_int(s, 2, now - session_cfg.lock_window);
    db_bind_int(s, 3, session_cfg.lock_seconds);
    db_bind_text(s, 4, kind);
    long long n = db_step(s) == DB_ROW ? db_col_int(s, 0) : 0;
    db_done(s);
    if (n < limit)
        return;
    s = db_prepare(c, "INSERT INTO lockouts (kind, key, until_epoch) VALUES ($1, $2, $3) "
                      "ON CONFLICT (kind, key) DO UPDATE SET until_epoch = excluded.until_epoch");
    if (!s)
        return;
    db_bind_text(s, 1, kind);
    db_bind_text(s, 2, key);
    db_bind_int(s, 3, now + session_cfg.lock_seconds);
    db_step(s);
    db_done(s);
    log_warn("login lock: %s %s for %ld s after %lld failures", kind, key, session_cfg.lock_seconds,
             n);
}

static void reply_locked(req *r, long long wait)
{
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", wait);
    json_t *e = json_pack("{s:{s:s, s:s, s:I}}", "error", "code", "rate_limited", "message",
                          "登录失败次数过多，请稍后再试", "retry_after", (json_int_t)wait);
    reply_json(r, 429, e);
    reply_header(r, "Retry-After", secs);
}

static void h_login(req *r)
{
    json_t *in = req_json_only(r, REQ_KEYS("username", "password"));
    if (!in)
        return;
    const char *username = json_string_value(json_object_get(in, "username"));
    const char *password = json_string_value(json_object_get(in, "password"));
    if (!username || !*username || strlen(username) > 64) {
        reply_field_error(r, "username", "请输入用户名");
        return;
    }
    if (!password || !*password || strlen(password) > 256) {
        reply_field_error(r, "password", "请输入密码");
        return;
    }
    db_conn *c = req_db(r);
    long long now = (long long)time(NULL);
    char rk[96];
    snprintf(rk, sizeof rk, "login:%s", r->client_ip);
    long long hits = rate_hit(c, rk, 60, now);
    /* And per account, so that many addresses cannot hammer one user. */
    snprintf(rk, sizeof rk, "login-user:%.80s", username);
    long long user_hits = rate_hit(c, rk, 60, now);
    if (hits > session_cfg.login_rate_per_minute || user_hits > session_cfg.login_rate_per_minute) {
        reply_locked(r, 60 - now % 60);
        return;
    }
    long long until = locked_until(c, username, r->client_ip);
    if (until > now) {
        /* With the user's id when it exists, so that its administrators
         * see the refused attempts too. */
        log_login(c, username,
                  db_query_int(c, "SELECT id FROM users WHERE username = $1", username, 0),
                  r->client_ip, "locked", now);
        reply_locked(r, until - now);
        return;
    }
    db_stmt *s = db_prepare(c, "SELECT id, password_hash, disabled FROM users WHERE username = $1");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, username);
    long long uid = 0;
    int disabled = 0;
    char *hash = NULL;
    if (db_step(s) == DB_ROW) {
        uid = db_col_int(s, 0);
        hash = arena_strdup(r->a, db_col_text(s, 1));
        disabled = (int)db_col_int(s, 2);
    }
    db_done(s);
    pthread_once(&dummy_once, make_dummy);
    int ok = auth_password_verify(hash ? hash : dummy_hash, password) && hash;
    if (!req_begin(r))
        return;
    int st;
    if (!ok || disabled) {
        const char *result = !hash ? "unknown_user" : !ok ? "bad_password" : "disabled";
        log_login(c, username, uid, r->client_ip, result, now);
        count_and_lock(c, "user", username, session_cfg.lock_attempts, now);
        count_and_lock(c, "ip", r->client_ip, session_cfg.ip_lock_attempts, now);
        st = db_commit(c);
        if (st != DB_OK) {
            db_rollback(c);
            reply_db_error(r, st);
        } else if (ok && disabled) {
            reply_error(r, 403, "account_disabled", "账号已停用，请联系管理员", NULL);
        } else {
            reply_error(r, 401, "invalid_credentials", "用户名或密码错误", NULL);
        }
        return;
    }
    unsigned char raw[32];
    char sid[64], sh[65], now_iso[32], csrf[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(sid, sizeof sid, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    sid_hash(sid, sh);
    util_now_iso(now_iso);
    s = db_prepare(c, "INSERT INTO sessions (sid_hash, user_id, created_at, created_epoch, "
                      "last_seen_epoch, ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6)");
    if (s) {
        db_bind_text(s, 1, sh);
        db_bind_int(s, 2, uid);
        db_bind_text(s, 3, now_iso);
        db_bind_int(s, 4, now);
        db_bind_text(s, 5, r->client_ip);
        const char *ua = req_header(r, "User-Agent");
        db_bind_text(s, 6, ua ? arena_strndup(r->a, ua, strnlen(ua, 200)) : NULL);
        st = db_step(s) == DB_DONE ? DB_OK : db_last_status(c);
        db_done(s);
    } else {
        st = db_last_status(c);
    }
    log_login(c, username, uid, r->client_ip, "ok", now);
    const char *p[] = {now_iso, username};
    if (st == DB_OK)
        st = db_exec_params(c, "UPDATE users SET last_login_at = $1 WHERE username = $2", 2, p);
    const char *lp[] = {username};
    if (st == DB_OK)
        st = db_exec_params(c, "DELETE FROM lockouts WHERE kind = 'user' AND key = $1", 1, lp);
    if (req_commit(r, c, st) != 0)
        return;
    struct user *u = auth_user_load(c, r->a, username);
    if (!u) {
        reply_db_error(r, DB_ERR);
        return;
    }
    csrf_of(sid, csrf);
    reply_json(r, 200, json_pack("{s:o, s:s}", "user", user_json(r->a, c, u), "csrf_token", csrf));
    reply_header(r, "Set-Cookie",
                 arena_printf(r->a, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", sid,
                              session_cfg.cookie_secure ? "; Secure" : ""));
    sodium_memzero(sid, sizeof sid);
}

static void h_whoami(req *r)
{
    json_t *o = json_pack("{s:o}", "user", user_json(r->a, req_db(r), r->user));
    const char *sid = session_cookie(r);
    if (sid && !req_header(r, "Authorization")) {
        char csrf[65];
        csrf_of(sid, csrf);
        json_object_set_new(o, "csrf_token", json_string(csrf));
    }
    reply_json(r, 200, o);
}

/* Every way a session ends goes through here: by the hash of its id, or
 * all of a user's, or all of a user's but one (sql says which; user_id 0 and
 * sid_hash NULL are not bound). */
#define REVOKE "UPDATE sessions SET revoked = 1 WHERE "
static int sessions_end(db_conn *c, const char *sql, int64_t user_id, const char *sid_hash)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c) < 0 ? db_last_status(c) : DB_ERR;
    int k = 1;
    if (user_id)
        db_bind_int(s, k++, user_id);
    if (sid_hash)
        db_bind_text(s, k, sid_hash);
    int st = db_step(s);
    db_done(s);
    return st == DB_DONE ? DB_OK : st;
}

int session_revoke_user(db_conn *c, int64_t user_id)
{
    int st = sessions_end(c, REVOKE "user_id = $1", user_id, NULL);
    /* A token is a session that needs no password: whatever ends every
     * session (log out everywhere, a reset, a disable) ends it too, or a
     * thief holding one would outlive the very act meant to shut them out. */
    if (st == DB_OK)
        st = auth_token_revoke(c, user_id, 0, "account", NULL);
    return st;
}

static void h_logout(req *r)
{
    const char *sid = session_cookie(r);
    if (sid && !req_header(r, "Authorization")) {
        char h[65];
        sid_hash(sid, h);
        /* A live session ends only with its CSRF token, like any other
         * change; a dead cookie is simply cleared. */
        if (db_query_int(req_db(r),
                         "SELECT count(*) FROM sessions WHERE sid_hash = $1 AND revoked = 0", h,
                         0) &&
            csrf_require(r, sid) != 0)
            return;
        int st = sessions_end(req_db(r), REVOKE "sid_hash = $1", 0, h);
        if (st != DB_OK) {
            reply_db_error(r, st);
            return;
        }
    }
    reply_empty(r, 204);
    reply_header(r, "Set-Cookie", COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static void h_logout_all(req *r)
{
    /* Sessions and API tokens alike (session_revoke_user), audited. */
    db_conn *c = req_begin(r);
    if (!c)
        return;
    int st = session_revoke_user(c, r->user->id);
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", (long long)r->user->id);
    struct audit_actor who = {r->user, r->client_ip};
    if (st == DB_OK)
        st = audit_write(c, &who, "logout_all", "users", uid, r->user->region, NULL, NULL);
    if (req_commit(r, c, st) != 0)
        return;
    reply_empty(r, 204);
    reply_header(r, "Set-Cookie", COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static void h_password(req *r)
{
    json_t *in = req_json_only(r, REQ_KEYS("old_password", "new_password"));
    if (!in)
        return;
    const char *old = json_string_value(json_object_get(in, "old_password"));
    const char *pw = json_string_value(json_object_get(in, "new_password"));
    if (!old) {
        reply_field_error(r, "old_password", "请输入原密码");
        return;
    }
    if (!pw || auth_password_weak(pw)) {
        reply_field_error(r, "new_password", pw ? auth_password_weak(pw) : "请输入新密码");
        return;
    }
    if (strcmp(old, pw) == 0) {
        reply_field_error(r, "new_password", "新密码不能与原密码相同");
        return;
    }
    db_conn *c = req_db(r);
    char hash[crypto_pwhash_STRBYTES];
    const char *p[] = {r->user->username};
    db_stmt *s = db_prepare(c, "SELECT password_hash FROM users WHERE username = $1");
    int good = 0;
    if (s) {
        db_bind_text(s, 1, p[0]);
        good = db_step(s) == DB_ROW && auth_password_verify(db_col_text(s, 0), old);
        db_done(s);
    }
    if (!good) {
        reply_field_error(r, "old_password", "原密码不正确");
        return;
    }
    if (auth_password_hash(pw, hash, sizeof hash) != 0) {
        reply_error(r, 500, "internal", "密码哈希失败", NULL);
        return;
    }
    char sh[65] = "";
    const char *sid = session_cookie(r);
    if (sid)
        sid_hash(sid, sh);
    if (!req_begin(r))
        return;
    int st = auth_password_set(c, r->user->id, hash, 0);
    /* Other sessions of this user end, and every API token: whoever else
     * held them must log in with the new password. */
    if (st == DB_OK)
        st = sessions_end(c, REVOKE "user_id = $1 AND sid_hash <> $2", r->user->id, sh);
    if (st == DB_OK)
        st = auth_token_revoke(c, r->user->id, 0, "password_change", NULL);
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", (long long)r->user->id);
    struct audit_actor who = {r->user, r->client_ip};
    if (st == DB_OK)
        st = audit_write(c, &who, "password_change", "users", uid, r->user->region, NULL, NULL);
    if (req_commit(r, c, st) != 0)
        return;
    auth_cache_clear();
    reply_empty(r, 204);
}

static json_t *login_log_item(db_stmt *s)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s}", "id", (json_int_t)db_col_int(s, 0), "at",
                     db_col_text(s, 1), "username", db_col_text(s, 2), "display_name",
                     db_col_text(s, 5), "ip", db_col_text(s, 3), "result", db_col_text(s, 4));
}

static void h_login_log(req *r)
{
    if (authz_require(r, "audit:read", NULL) != 0)
        return;
    static const struct log_filter filters[] = {
        {"username", "l.username = $%d", 0},
        {"ip", "l.ip = $%d", 0},
        {"result", "l.result = $%d", 0},
        {"from", "l.at >= $%d", 0},
        {"to", "l.at <= $%d", 1},
    };
    const char *scope_vals[] = {r->user->scope_lo, r->user->scope_hi};
    int all = authz_has(r->user, "*");
    /* Without "*": only the logins of the users one administers. */
    struct log_query q = {
        .from = "login_log l",
        .columns = "l.id, l.at, l.username, l.ip, l.result, "
                   "(SELECT display_name FROM users WHERE id = l.user_id)",
        .id_col = "l.id",
        .scope =
            all ? "" : "l.user_id IN (SELECT id FROM users WHERE region >= $1 AND region < $2)",
        .scope_vals = scope_vals,
        .nscope = all ? 0 : 2,
        .filters = filters,
        .nfilters = (int)(sizeof filters / sizeof filters[0]),
        .row = login_log_item,
    };
    logpage_reply(r, &q);
}

void session_routes_register(void)
{
    http_route("POST", "/api/v1/session", h_login, ROUTE_PUBLIC, NULL);
    http_route("GET", "/api/v1/session", h_whoami, ROUTE_PW_STALE, NULL);
    http_route("DELETE", "/api/v1/session", h_logout, ROUTE_PUBLIC, NULL);
    http_route("DELETE", "/api/v1/sessions", h_logout_all, ROUTE_PW_STALE, NULL);
    http_route("POST", "/api/v1/session/password", h_password, ROUTE_PW_STALE, NULL);
    http_route("GET", "/api/v1/login-log", h_login_log, 0, NULL);
}
