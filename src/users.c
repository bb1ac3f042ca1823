/* users: see users.h. */
#include "users.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "entity.h"
#include "http.h"
#include "ident.h"
#include "module.h"
#include "perms.h"
#include "region.h"
#include "session.h"
#include "util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Does caller pattern p cover role pattern q? Both are "a:b", "*:b",
 * "a:*" or "*". */
static int pattern_covers(const char *p, const char *q)
{
    if (strcmp(p, "*") == 0)
        return 1;
    if (strcmp(q, "*") == 0)
        return 0;
    const char *pc = strchr(p, ':'), *qc = strchr(q, ':');
    if (!pc || !qc)
        return strcmp(p, q) == 0;
    size_t pl = (size_t)(pc - p), ql = (size_t)(qc - q);
    int ent = (pl == 1 && p[0] == '*') || (pl == ql && memcmp(p, q, pl) == 0);
    int act = strcmp(pc + 1, "*") == 0 || strcmp(pc + 1, qc + 1) == 0;
    /* "x:*" never covers "x:reveal" unless spelled out, as in authz. */
    if (strcmp(qc + 1, "reveal") == 0 && strcmp(pc + 1, "reveal") != 0)
        return 0;
    return ent && act;
}

int users_role_grantable(const struct user *caller, const char *const *perms, int n)
{
    for (int i = 0; i < n; i++) {
        int ok = 0;
        for (int k = 0; k < caller->nperms && !ok; k++)
            ok = pattern_covers(caller->perms[k], perms[i]);
        if (!ok)
            return 0;
    }
    return 1;
}

/* The permissions of a role (arena), or NULL when the role does not exist. */
static const char **role_perms(req *r, const char *role, int *n)
{
    db_conn *c = req_db(r);
    *n = 0;
    if (!db_query_int(c, "SELECT count(*) FROM roles WHERE name = $1", role, 0))
        return NULL;
    db_stmt *s = db_prepare(c, "SELECT perm FROM role_perms WHERE role = $1");
    const char **v = arena_alloc(r->a, 256 * sizeof *v);
    if (!s)
        return v;
    db_bind_text(s, 1, role);
    while (db_step(s) == DB_ROW && *n < 256)
        v[(*n)++] = arena_strdup(r->a, db_col_text(s, 0));
    db_done(s);
    return v;
}

/* An administrator manages only the users strictly below them
 * (docs/security.md): a user whose home region lies strictly inside the
 * caller's subtree, or, in the caller's own region, whose role is strictly
 * weaker: the caller holds some permission that the role lacks. So a
 * township administrator cannot create, edit or reset another township
 * administrator of the same township, and a county administrator can
 * appoint them. Whoever holds "*" manages everyone. role and region are
 * known to exist and to be in scope (check_role_region). 1 when below. */
static int below_caller(req *r, const char *role, const char *region)
{
    const struct user *me = r->user;
    if (authz_has(me, "*"))
        return 1;
    if (!role || !region)
        return 0;
    if (strcmp(region, me->region) != 0 && region_within(region, me->region))
        return 1;
    int n;
    const char **perms = role_perms(r, role, &n);
    if (!perms)
        return 0;
    struct user as_role = {.perms = perms, .nperms = n};
    return !users_role_grantable(&as_role, me->perms, me->nperms);
}

static const char *const not_below_msg =
    "只能管理级别低于您的用户：同一区域内不能设置与您同级或更高的角色";

/* ---- users ---- */

const char *users_username_invalid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n > 32 ||
        strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
        return "用户名为 2–32 位字母、数字、下划线、点或连字符";
    return NULL;
}

int users_create(db_conn *c, const struct users_new *u, int64_t *id)
{
    char now[32], key[IDENT_KEY_MAX];
    if (id)
        *id = 0;
    if (!u->now)
        util_now_iso(now);
    if (ident_key(u->username, key, sizeof key) != 0)
        return DB_ERR;
    /* The unique username_key refuses a look-alike of an existing user
     * (DB_ERR_UNIQUE); if_absent leaves either conflict alone. */
    db_stmt *s = db_prepare(
        c, u->if_absent ? "INSERT INTO users (username, display_name, password_hash, role, region, "
                          "must_change_password, created_at, updated_at, created_by, unit_id, "
                          "username_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10) "
                          "ON CONFLICT DO NOTHING RETURNING id"
                        : "INSERT INTO users (username, display_name, password_hash, role, region, "
                          "must_change_password, created_at, updated_at, created_by, unit_id, "
                          "username_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10) "
                          "RETURNING id");
    if (!s)
        return db_last_status(c) < 0 ? db_last_status(c) : DB_ERR;
    db_bind_text(s, 1, u->username);
    db_bind_text(s, 2, u->display_name);
    db_bind_text(s, 3, u->password_hash);
    db_bind_text(s, 4, u->role);
    db_bind_text(s, 5, u->region);
    db_bind_int(s, 6, u->must_change_password ? 1 : 0);
    db_bind_text(s, 7, u->now ? u->now : now);
    db_bind_text(s, 8, u->created_by);
    if (u->unit_id)
        db_bind_int(s, 9, u->unit_id);
    else
        db_bind_null(s, 9);
    db_bind_text(s, 10, key);
    int st = db_step(s);
    int64_t new_id = st == DB_ROW ? db_col_int(s, 0) : 0;
    if (id)
        *id = new_id;
    db_done(s);
    if (st != DB_ROW)
        return st == DB_DONE ? DB_OK : st;
    /* The creation is the first step of the user's role, region and state
     * that `safecomm check` replays from the audit log (users_check). */
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)new_id);
    json_t *ch = json_pack("{s:[n,s], s:[n,s], s:[n,s]}", "username", u->username, "role", u->role,
                           "region", u->region);
    if (u->unit_id)
        json_object_set_new(ch, "unit_id", json_pack("[n,I]", (json_int_t)u->unit_id));
    struct audit_actor sys = {.user = NULL, .ip = "cli"};
    st = audit_write(c, u->who ? u->who : &sys, "create", "users", ids, u->region, ch, NULL);
    json_decref(ch);
    return st;
}

int users_keys_backfill(db_conn *c, FILE *warn)
{
    db_stmt *s = db_prepare(c, "SELECT id, username FROM users WHERE username_key IS NULL "
                               "ORDER BY id");
    if (!s)
        return db_last_status(c) < 0 ? db_last_status(c) : DB_ERR;
    int cap = 16, n = 0;
    struct row {
        int64_t id;
        char *name;
    } *rows = xmalloc((size_t)cap * sizeof *rows);
    /* Read first, then write: a statement is not stepped across updates. */
    while (db_step(s) == DB_ROW) {
        if (n == cap) {
            cap *= 2;
            rows = xrealloc(rows, (size_t)cap * sizeof *rows);
        }
        rows[n].id = db_col_int(s, 0);
        rows[n++].name = xstrdup(db_col_text(s, 1));
    }
    db_done(s);
    int st = DB_OK;
    /* Oldest first: of two look-alikes made before keys existed, the older
     * keeps the name's key. The younger keeps its login but no key, and is
     * named on warn (init's standard error) for an administrator to rename
     * or disable. */
    for (int i = 0; i < n && st == DB_OK; i++) {
        char key[IDENT_KEY_MAX], ids[24];
        snprintf(ids, sizeof ids, "%lld", (long long)rows[i].id);
        if (ident_key(rows[i].name, key, sizeof key) != 0) {
            if (warn)
                fprintf(warn, "safecomm: 用户名 %s（编号 %s）无法规范化\n", rows[i].name, ids);
            continue;
        }
        const char *p[] = {key, ids};
        if (db_query_int(c, "SELECT count(*) FROM users WHERE username_key = $1", key, 0)) {
            if (warn)
                fprintf(warn, "safecomm: 用户名 %s（编号 %s）与已有用户名形似，请改名或停用\n",
                        rows[i].name, ids);
            continue;
        }
        st = db_exec_params(c, "UPDATE users SET username_key = $1 WHERE id = CAST($2 AS BIGINT)",
                            2, p);
    }
    for (int i = 0; i < n; i++)
        free(rows[i].name);
    free(rows);
    return st;
}

#define USER_SELECT                                                                                \
    "SELECT u.id, u.username, u.display_name, u.role, ro.label, u.region, r.name, u.disabled, "    \
    "u.must_change_password, u.created_at, u.updated_at, u.created_by, u.last_login_at, "          \
    "u.unit_id "                                                                                   \
    "FROM users u JOIN regions r ON r.code = u.region JOIN roles ro ON ro.name = u.role"

static json_t *user_row(db_stmt *s)
{
    json_t *unit = db_col_type(s, 13) == DB_T_NULL ? json_null() : json_integer(db_col_int(s, 13));
    return json_pack("{s:I, s:s, s:s?, s:s, s:s?, s:s, s:s?, s:b, s:b, s:s, s:s, s:s?, s:s?, s:o}",
                     "id", (json_int_t)db_col_int(s, 0), "username", db_col_text(s, 1),
                     "display_name", db_col_text(s, 2), "role", db_col_text(s, 3), "role_label",
                     db_col_text(s, 4), "region", db_col_text(s, 5), "region_name",
                     db_col_text(s, 6), "disabled", (int)db_col_int(s, 7), "must_change_password",
                     (int)db_col_int(s, 8), "created_at", db_col_text(s, 9), "updated_at",
                     db_col_text(s, 10), "created_by", db_col_text(s, 11), "last_login_at",
                     db_col_text(s, 12), "unit_id", unit);
}

static void h_users(req *r)
{
    if (authz_require(r, "user:admin", NULL) != 0)
        return;
    const struct user *u = r->user;
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    const char *region = req_query(r, "region");
    if (region && region_level_of(region) == RL_INVALID) {
        reply_error(r, 400, "bad_request", "region 必须是有效的区域代码", NULL);
        return;
    }
    if (region)
        region_subtree(region, lo, hi);
    const char *q = req_query(r, "q"), *role = req_query(r, "role"),
               *dis = req_query(r, "disabled");
    long page, page_size;
    if (req_paging(r, 20, &page, &page_size) != 0)
        return;
    /* CAST: PostgreSQL infers a parameter's type from its first use. */
    const char *where = " WHERE u.region >= $1 AND u.region < $2 AND u.region >= $3 AND "
                        "u.region < $4 AND (CAST($5 AS TEXT) IS NULL OR u.username LIKE $5 OR "
                        "u.display_name LIKE $5) AND (CAST($6 AS TEXT) IS NULL OR u.role = $6) AND "
                        "(CAST($7 AS INTEGER) IS NULL OR u.disabled = $7)";
    const char *like = q && *q ? arena_printf(r->a, "%%%s%%", q) : NULL;
    const char *vals[] = {
        u->scope_lo,
        u->scope_hi,
        region ? lo : "",
        region ? hi : "~",
        like,
        role && *role ? role : NULL,
        dis && *dis ? (strcmp(dis, "true") == 0 || strcmp(dis, "1") == 0 ? "1" : "0") : NULL};
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, arena_printf(r->a, "SELECT count(*) FROM users u%s", where));
    long long total = 0;
    if (s) {
        for (int i = 0; i < 7; i++)
            db_bind_text(s, i + 1, vals[i]);
        if (db_step(s) == DB_ROW)
            total = db_col_int(s, 0);
        db_done(s);
    }
    s = db_prepare(c, arena_printf(r->a,
                                   USER_SELECT "%s ORDER BY u.region, u.username "
                                               "LIMIT $8 OFFSET $9",
                                   where));
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    for (int i = 0; i < 7; i++)
        db_bind_text(s, i + 1, vals[i]);
    db_bind_int(s, 8, page_size);
    db_bind_int(s, 9, (page - 1) * page_size);
    json_t *items = json_array();
    while (db_step(s) == DB_ROW)
        json_array_append_new(items, user_row(s));
    db_done(s);
    /* Whether the caller may edit each one (strictly below them, and not
     * themselves), so that the console offers only what will be allowed. */
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *o = json_array_get(items, i);
        int self = json_integer_value(json_object_get(o, "id")) == r->user->id;
        int below = !self && below_caller(r, json_string_value(json_object_get(o, "role")),
                                          json_string_value(json_object_get(o, "region")));
        json_object_set_new(o, "manageable", json_boolean(below));
    }
    reply_page(r, items, total, page, page_size);
}

/* The user named by the path, if it lies in the caller's scope (else 404).
 * For a change (manage), the user must also be strictly below the caller
 * (below_caller; else 403: the user is visible in the list) and not the
 * caller: their own password changes through /session/password, which
 * asks for the old one. */
static json_t *load_user_id(req *r, int64_t id, int manage)
{
    if (authz_require(r, "user:admin", NULL) != 0)
        return NULL;
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, USER_SELECT " WHERE u.id = $1");
    json_t *o = NULL;
    if (s) {
        db_bind_int(s, 1, id);
        if (db_step(s) == DB_ROW)
            o = user_row(s);
        db_done(s);
    }
    if (!o || !authz_in_scope(r->user, json_string_value(json_object_get(o, "region")))) {
        json_decref(o);
        reply_error(r, 404, "not_found", "用户不存在", NULL);
        return NULL;
    }
    if (manage && (json_integer_value(json_object_get(o, "id")) == r->user->id ||
                   !below_caller(r, json_string_value(json_object_get(o, "role")),
                                 json_string_value(json_object_get(o, "region"))))) {
        int self = json_integer_value(json_object_get(o, "id")) == r->user->id;
        json_decref(o);
        reply_error(r, 403, "forbidden", self ? "请在“我的账号”中修改自己的密码" : not_below_msg,
                    NULL);
        return NULL;
    }
    return o;
}

static json_t *load_user_for(req *r, int manage)
{
    return load_user_id(r, atoll(req_param(r, "id")), manage);
}

static json_t *load_user(req *r)
{
    return load_user_for(r, 0);
}

static void h_user_get(req *r)
{
    json_t *o = load_user(r);
    if (o)
        reply_json(r, 200, o);
}

/* Role names follow the username rule: plain letters, digits, _ . - */
static int username_ok(const char *s)
{
    return users_username_invalid(s) == NULL;
}

/* Role and region checks shared by create and update; adds field errors. */
static void check_role_region(req *r, const char *role, const char *region, json_t *errors)
{
    db_conn *c = req_db(r);
    if (role) {
        int n;
        const char **perms = role_perms(r, role, &n);
        if (!perms)
            json_object_set_new(errors, "role", json_string("角色不存在"));
        else if (!users_role_grantable(r->user, perms, n))
            json_object_set_new(errors, "role", json_string("不能授予超出您自身权限的角色"));
    }
    if (region && (region_level_of(region) == RL_INVALID || !authz_in_scope(r->user, region) ||
                   !db_query_int(c, "SELECT count(*) FROM regions WHERE code = $1", region, 0)))
        json_object_set_new(errors, "region", json_string("区域不存在或不在您的管辖范围内"));
}

/* The unit_id of a create or PATCH body (v; NULL when absent): null clears
 * it; otherwise a live unit inside the user's region subtree (a unit officer
 * sees only that unit's hazards, so it must be of the user's own area) and
 * inside the caller's scope. *id gets the unit (0 for null). */
static void check_unit(req *r, json_t *v, const char *region, json_t *errors, long long *id)
{
    *id = 0;
    if (!v || json_is_null(v))
        return;
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        json_object_set_new(errors, "unit_id", json_string("必须是单位编号（正整数）或 null"));
        return;
    }
    *id = json_integer_value(v);
    if (!region || json_object_get(errors, "region"))
        return; /* the region is wrong already: nothing to compare the unit with */
    db_stmt *s = db_prepare(req_db(r), "SELECT region FROM units WHERE id = $1 AND "
                                       "deleted_at IS NULL");
    int ok = 0;
    if (s) {
        db_bind_int(s, 1, *id);
        if (db_step(s) == DB_ROW) {
            const char *ur = db_col_text(s, 0);
            ok = region_within(ur, region) && authz_in_scope(r->user, ur);
        }
        db_done(s);
    }
    if (!ok)
        json_object_set_new(errors, "unit_id",
                            json_string("单位不存在，或不在该用户的区域及您的管辖范围内"));
}

/* The message names the first field as the user form labels it. */
static const char *user_field_label(const char *k)
{
    static const char *const labels[][2] = {
        {"username", "用户名"}, {"display_name", "姓名"}, {"role", "角色"},
        {"region", "所属区域"}, {"password", "密码"},     {"unit_id", "所属单位"},
        {"disabled", "状态"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(k, labels[i][0]) == 0)
            return labels[i][1];
    return k;
}

static void reply_errors(req *r, json_t *errors)
{
    const char *k;
    json_t *v;
    const char *msg = "数据校验失败";
    json_object_foreach(errors, k, v)
    {
        msg = arena_printf(r->a, "数据校验失败：%s %s", user_field_label(k), json_string_value(v));
        break;
    }
    reply_error(r, 422, "validation_failed", msg, errors);
}

static void h_user_create(req *r)
{
    if (authz_require(r, "user:admin", NULL) != 0)
        return;
    json_t *in = req_json_only(
        r, REQ_KEYS("username", "display_name", "role", "region", "password", "unit_id"));
    if (!in)
        return;
    const char *username = json_string_value(json_object_get(in, "username"));
    const char *display = json_string_value(json_object_get(in, "display_name"));
    const char *role = json_string_value(json_object_get(in, "role"));
    const char *region = json_string_value(json_object_get(in, "region"));
    const char *pw = json_string_value(json_object_get(in, "password"));
    json_t *errors = json_object();
    if (users_username_invalid(username))
        json_object_set_new(errors, "username", json_string(users_username_invalid(username)));
    if (json_object_get(in, "display_name") && (!display || util_utf8_len(display) > 50))
        json_object_set_new(errors, "display_name", json_string("必须是不超过 50 字的文本"));
    if (!role)
        json_object_set_new(errors, "role", json_string("必填"));
    if (!region)
        json_object_set_new(errors, "region", json_string("必填"));
    if (!pw || auth_password_weak(pw))
        json_object_set_new(errors, "password", json_string(pw ? auth_password_weak(pw) : "必填"));
    check_role_region(r, role, region, errors);
    if (role && region && !json_object_get(errors, "role") && !json_object_get(errors, "region") &&
        !below_caller(r, role, region))
        json_object_set_new(errors, "role", json_string(not_below_msg));
    long long unit;
    check_unit(r, json_object_get(in, "unit_id"), region, errors, &unit);
    if (json_object_size(errors)) {
        reply_errors(r, errors);
        return;
    }
    json_decref(errors);
    char hash[crypto_pwhash_STRBYTES], now[32];
    if (auth_password_hash(pw, hash, sizeof hash) != 0) {
        reply_error(r, 500, "internal", "密码哈希失败", NULL);
        return;
    }
    util_now_iso(now);
    db_conn *c = req_begin(r);
    if (!c)
        return;
    int64_t id = 0;
    struct audit_actor who = {r->user, r->client_ip};
    int st = users_create(c,
                          &(struct users_new){
                              .who = &who,
                              .username = username,
                              .display_name = display,
                              .password_hash = hash,
                              .role = role,
                              .region = region,
                              .unit_id = unit,
                              .must_change_password = 1,
                              .created_by = r->user->username,
                              .now = now,
                          },
                          &id);
    if (st == DB_OK)
        st = db_commit(c);
    if (st != DB_OK) {
        db_rollback(c);
        if (st == DB_ERR_UNIQUE)
            reply_field_error(r, "username", "用户名已存在，或与已有用户名仅大小写、全角半角不同");
        else
            reply_db_error(r, st);
        return;
    }
    db_stmt *s = db_prepare(c, USER_SELECT " WHERE u.id = $1");
    json_t *o = NULL;
    if (s) {
        db_bind_int(s, 1, id);
        if (db_step(s) == DB_ROW)
            o = user_row(s);
        db_done(s);
    }
    if (o)
        reply_json(r, 201, o);
    else
        reply_db_error(r, DB_ERR);
}

static void h_user_patch(req *r)
{
    /* The caller's own record: the display name only (the rule below);
     * anyone else's: only a user strictly below the caller. */
    json_t *cur = load_user(r);
    if (!cur)
        return;
    if (json_integer_value(json_object_get(cur, "id")) != r->user->id) {
        json_decref(cur);
        cur = load_user_for(r, 1);
        if (!cur)
            return;
    }
    json_t *in =
        req_json_only(r, REQ_KEYS("display_name", "role", "region", "disabled", "unit_id"));
    if (!in) {
        json_decref(cur);
        return;
    }
    long long id = json_integer_value(json_object_get(cur, "id"));
    json_t *errors = json_object();
    json_t *dn = json_object_get(in, "display_name"), *rl = json_object_get(in, "role"),
           *rg = json_object_get(in, "region"), *ds = json_object_get(in, "disabled"),
           *un = json_object_get(in, "unit_id");
    if (dn && !json_is_null(dn) &&
        (!json_is_string(dn) || util_utf8_len(json_string_value(dn)) > 50))
        json_object_set_new(errors, "display_name", json_string("必须是不超过 50 字的文本"));
    if (rl && !json_is_string(rl))
        json_object_set_new(errors, "role", json_string("必须是文本"));
    if (rg && !json_is_string(rg))
        json_object_set_new(errors, "region", json_string("必须是文本"));
    if (ds && !json_is_boolean(ds))
        json_object_set_new(errors, "disabled", json_string("必须是 true 或 false"));
    if (id == r->user->id && (rl || rg || ds || un))
        json_object_set_new(errors,
                            rl   ? "role"
                            : rg ? "region"
                            : ds ? "disabled"
                                 : "unit_id",
                            json_string("不能修改自己的角色、区域、单位或状态"));
    /* The caller must be able to grant the user's current role too: a
     * township administrator cannot edit a county administrator. */
    check_role_region(r, json_string_value(rl ? rl : json_object_get(cur, "role")),
                      json_string_value(rg), errors);
    /* And what the user becomes must stay below the caller: no promoting
     * a user to the caller's own level in the caller's own region. */
    if (id != r->user->id && (rl || rg) && !json_object_get(errors, "role") &&
        !json_object_get(errors, "region") &&
        !below_caller(r, json_string_value(rl ? rl : json_object_get(cur, "role")),
                      json_string_value(rg ? rg : json_object_get(cur, "region"))))
        json_object_set_new(errors, rl ? "role" : "region", json_string(not_below_msg));
    /* The unit must lie in the user's region: the new one, or the one kept;
     * a move to another region checks the unit kept too. */
    long long unit;
    json_t *old_unit = json_object_get(cur, "unit_id");
    const char *target =
        rg ? json_string_value(rg) : json_string_value(json_object_get(cur, "region"));
    check_unit(r, un ? un : (rg ? old_unit : NULL), target, errors, &unit);
    if (json_object_size(errors)) {
        json_decref(cur);
        reply_errors(r, errors);
        return;
    }
    json_decref(errors);
    db_conn *c = req_db(r);
    char now[32], ids[24];
    util_now_iso(now);
    snprintf(ids, sizeof ids, "%lld", id);
    char units[24];
    snprintf(units, sizeof units, "%lld", unit);
    const char *p[] = {dn ? (json_is_null(dn) ? "" : json_string_value(dn)) : NULL,
                       json_string_value(rl),
                       json_string_value(rg),
                       ds ? (json_is_true(ds) ? "1" : "0") : NULL,
                       now,
                       ids,
                       un ? "1" : "0",
                       unit ? units : NULL};
    if (!req_begin(r)) {
        json_decref(cur);
        return;
    }
    int st = db_exec_params(c,
                            "UPDATE users SET display_name = coalesce($1, display_name), "
                            "role = coalesce($2, role), region = coalesce($3, region), "
                            "disabled = coalesce($4, disabled), updated_at = $5, unit_id = CASE "
                            "WHEN CAST($7 AS INTEGER) = 1 THEN CAST($8 AS BIGINT) ELSE unit_id "
                            "END WHERE id = CAST($6 AS BIGINT)",
                            8, p);
    json_t *ch = json_object();
    if (dn)
        json_object_set_new(ch, "display_name",
                            json_pack("[O,O]", json_object_get(cur, "display_name"), dn));
    if (rl)
        json_object_set_new(ch, "role", json_pack("[O,O]", json_object_get(cur, "role"), rl));
    if (rg)
        json_object_set_new(ch, "region", json_pack("[O,O]", json_object_get(cur, "region"), rg));
    if (ds)
        json_object_set_new(ch, "disabled",
                            json_pack("[O,O]", json_object_get(cur, "disabled"), ds));
    if (un)
        json_object_set_new(ch, "unit_id", json_pack("[O,O]", old_unit, un));
    struct audit_actor who = {r->user, r->client_ip};
    if (st == DB_OK)
        st = audit_write(c, &who, "update", "users", ids,
                         rg ? json_string_value(rg)
                            : json_string_value(json_object_get(cur, "region")),
                         ch, NULL);
    json_decref(ch);
    if (st == DB_OK && ds && json_is_true(ds))
        st = session_revoke_user(c, id);
    json_decref(cur);
    if (req_commit(r, c, st) != 0)
        return;
    auth_cache_clear();
    h_user_get(r);
}

static void h_user_reset(req *r)
{
    json_t *cur = load_user_for(r, 1);
    if (!cur)
        return;
    json_t *in = req_json_only(r, REQ_KEYS("password"));
    const char *pw = in ? json_string_value(json_object_get(in, "password")) : NULL;
    if (!in || (!pw && (reply_field_error(r, "password", "必填"), 1)) ||
        (auth_password_weak(pw) && (reply_field_error(r, "password", auth_password_weak(pw)), 1))) {
        json_decref(cur);
        return;
    }
    json_t *errors = json_object();
    check_role_region(r, json_string_value(json_object_get(cur, "role")), NULL, errors);
    if (json_object_size(errors)) {
        json_decref(cur);
        reply_errors(r, errors);
        return;
    }
    json_decref(errors);
    char hash[crypto_pwhash_STRBYTES], ids[24];
    if (auth_password_hash(pw, hash, sizeof hash) != 0) {
        json_decref(cur);
        reply_error(r, 500, "internal", "密码哈希失败", NULL);
        return;
    }
    int64_t id = json_integer_value(json_object_get(cur, "id"));
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    db_conn *c = req_begin(r);
    if (!c) {
        json_decref(cur);
        return;
    }
    int st = auth_password_set(c, id, hash, 1);
    if (st == DB_OK)
        st = session_revoke_user(c, id);
    struct audit_actor who = {r->user, r->client_ip};
    if (st == DB_OK)
        st = audit_write(c, &who, "reset_password", "users", ids,
                         json_string_value(json_object_get(cur, "region")), NULL, NULL);
    json_decref(cur);
    if (req_commit(r, c, st) != 0)
        return;
    reply_empty(r, 204);
}

/* ---- roles and permissions ---- */

static json_t *roles_json(db_conn *c)
{
    json_t *items = json_array();
    db_stmt *s =
        db_prepare(c, "SELECT name, label, builtin FROM roles ORDER BY builtin DESC, name");
    if (!s)
        return items;
    while (db_step(s) == DB_ROW)
        json_array_append_new(items, json_pack("{s:s, s:s, s:b, s:[]}", "name", db_col_text(s, 0),
                                               "label", db_col_text(s, 1), "builtin",
                                               (int)db_col_int(s, 2), "permissions"));
    db_done(s);
    s = db_prepare(c, "SELECT role, perm FROM role_perms ORDER BY role, perm");
    while (s && db_step(s) == DB_ROW) {
        size_t i;
        json_t *v;
        json_array_foreach(items, i, v)
        {
            if (strcmp(json_string_value(json_object_get(v, "name")), db_col_text(s, 0)) == 0)
                json_array_append_new(json_object_get(v, "permissions"),
                                      json_string(db_col_text(s, 1)));
        }
    }
    db_done(s);
    return items;
}

/* Every role with its permissions: the role editor's, so role:admin. */
static void h_roles(req *r)
{
    if (authz_require(r, "role:admin", NULL) != 0)
        return;
    reply_json(r, 200, json_pack("{s:o}", "items", roles_json(req_db(r))));
}

/* The roles the caller may give in the user administration: those whose
 * permissions the caller holds, as {"name","label","home_region"};
 * home_region false marks a role of the caller's own rank, which they may
 * give only below their own region (below_caller). Names and labels only:
 * the permission sets stay with role:admin. */
static void h_roles_assignable(req *r)
{
    if (authz_require(r, "user:admin", NULL) != 0)
        return;
    json_t *all = roles_json(req_db(r)), *items = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        json_t *pj = json_object_get(v, "permissions");
        int n = (int)json_array_size(pj);
        const char **perms = arena_alloc(r->a, (size_t)(n ? n : 1) * sizeof *perms);
        for (int k = 0; k < n; k++)
            perms[k] = json_string_value(json_array_get(pj, (size_t)k));
        if (!users_role_grantable(r->user, perms, n))
            continue;
        const char *name = json_string_value(json_object_get(v, "name"));
        json_array_append_new(items,
                              json_pack("{s:O, s:O, s:b}", "name", json_object_get(v, "name"),
                                        "label", json_object_get(v, "label"), "home_region",
                                        below_caller(r, name, r->user->region)));
    }
    json_decref(all);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int perm_valid(const char *p)
{
    if (strcmp(p, "*") == 0)
        return 1;
    const char *c = strchr(p, ':');
    size_t n = strlen(p);
    return c && c != p && c[1] && n <= 64 && strspn(p, "abcdefghijklmnopqrstuvwxyz_*:") == n &&
           !strchr(c + 1, ':');
}

/* POST /roles and PUT /roles/{name}: label and the full permission list. */
static void role_save(req *r, int create)
{
    if (authz_require(r, "role:admin", NULL) != 0)
        return;
    json_t *in = req_json_only(r, REQ_KEYS("name", "label", "permissions"));
    if (!in)
        return;
    const char *name =
        create ? json_string_value(json_object_get(in, "name")) : req_param(r, "name");
    json_t *label = json_object_get(in, "label"), *perms = json_object_get(in, "permissions");
    json_t *errors = json_object();
    db_conn *c = req_db(r);
    int exists = name && db_query_int(c, "SELECT count(*) FROM roles WHERE name = $1", name, 0);
    if (!create && !exists) {
        json_decref(errors);
        reply_error(r, 404, "not_found", "角色不存在", NULL);
        return;
    }
    if (create && (!name || !username_ok(name)))
        json_object_set_new(errors, "name", json_string("角色代码为 2–32 位字母、数字或下划线"));
    else if (create && exists)
        json_object_set_new(errors, "name", json_string("角色已存在"));
    if ((create || label) && (!json_is_string(label) || !json_string_length(label) ||
                              util_utf8_len(json_string_value(label)) > 50))
        json_object_set_new(errors, "label", json_string("必须是不超过 50 字的文本"));
    size_t i;
    json_t *v;
    if (!json_is_array(perms))
        json_object_set_new(errors, "permissions", json_string("必须是权限数组"));
    else
        json_array_foreach(perms, i, v) if (!json_is_string(v) || !perm_valid(json_string_value(v)))
        {
            json_object_set_new(errors, "permissions",
                                json_string(arena_printf(r->a, "第 %zu 项不是有效的权限", i + 1)));
            break;
        }
    if (json_object_size(errors)) {
        reply_errors(r, errors);
        return;
    }
    json_decref(errors);
    if (!req_begin(r))
        return;
    int st = DB_OK;
    const char *lp[] = {name, json_string_value(label)};
    if (create)
        st =
            db_exec_params(c, "INSERT INTO roles (name, label, builtin) VALUES ($1, $2, 0)", 2, lp);
    else if (label)
        st = db_exec_params(c, "UPDATE roles SET label = $2 WHERE name = $1", 2, lp);
    if (st == DB_OK)
        st = db_exec_params(c, "DELETE FROM role_perms WHERE role = $1", 1, lp);
    json_array_foreach(perms, i, v)
    {
        const char *pp[] = {name, json_string_value(v)};
        if (st == DB_OK)
            st = db_exec_params(c,
                                "INSERT INTO role_perms (role, perm) VALUES ($1, $2) "
                                "ON CONFLICT (role, perm) DO NOTHING",
                                2, pp);
    }
    struct audit_actor who = {r->user, r->client_ip};
    json_t *ch = json_pack("{s:[n,O]}", "permissions", perms);
    if (st == DB_OK)
        st = audit_write(c, &who, create ? "create" : "update", "roles", name, NULL, ch, NULL);
    json_decref(ch);
    if (req_commit(r, c, st) != 0)
        return;
    auth_cache_clear();
    json_t *items = roles_json(c);
    json_t *one = NULL;
    json_array_foreach(items, i, v) if (strcmp(json_string_value(json_object_get(v, "name")),
                                               name) == 0) one = json_incref(v);
    json_decref(items);
    reply_json(r, create ? 201 : 200, one ? one : json_object());
}

static void h_role_create(req *r)
{
    role_save(r, 1);
}

static void h_role_put(req *r)
{
    role_save(r, 0);
}

static void h_permissions(req *r)
{
    if (authz_require(r, "role:admin", NULL) != 0)
        return;
    reply_json(r, 200, json_pack("{s:o}", "items", perms_labels(r->a)));
}

/* ---- API tokens ----
 * Everyone lists and revokes their own; an administrator those of the
 * users they manage (below_caller). A token is created only for oneself and
 * only from a browser session: a leaked token cannot mint its successor and
 * so outlive its expiry, and nobody holds a credential of someone else. */

/* The user whose tokens are asked for: the caller (id 0 or their own), or
 * a user the caller manages. 1 when allowed; else the reply is queued. */
static int token_owner_ok(req *r, int64_t id)
{
    if (!id || id == r->user->id)
        return 1;
    json_t *o = load_user_id(r, id, 1);
    json_decref(o);
    return o != NULL;
}

/* ?user_id=N: a positive number, or absent (0: the caller). -1 after a 400. */
static int64_t query_user_id(req *r)
{
    const char *v = req_query(r, "user_id");
    if (!v)
        return 0;
    char *end;
    long long id = strtoll(v, &end, 10);
    if (!*v || *end || id < 1) {
        reply_error(r, 400, "bad_request", "user_id 必须是用户编号", NULL);
        return -1;
    }
    return id;
}

static void h_tokens(req *r)
{
    int64_t uid = query_user_id(r);
    if (uid < 0 || !token_owner_ok(r, uid))
        return;
    json_t *items = auth_token_list(req_db(r), uid ? uid : r->user->id, 0, NULL, NULL);
    if (!items) {
        reply_db_error(r, DB_ERR);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The live token of the path, if the caller may see it; else a 404 is
 * queued (a token of someone one does not manage is as good as absent). */
static json_t *load_token(req *r)
{
    long long id = atoll(req_param(r, "id"));
    json_t *items = id > 0 ? auth_token_list(req_db(r), 0, id, NULL, NULL) : NULL;
    json_t *t = json_incref(json_array_get(items, 0));
    json_decref(items);
    int64_t owner = t ? json_integer_value(json_object_get(t, "user_id")) : 0;
    if (t && owner != r->user->id) {
        json_t *o = NULL;
        /* Quietly, without the 403 of load_user_id: the token is simply absent. */
        if (authz_has(r->user, "user:admin")) {
            db_stmt *s = db_prepare(req_db(r), "SELECT role, region FROM users WHERE id = $1");
            if (s) {
                db_bind_int(s, 1, owner);
                if (db_step(s) == DB_ROW && authz_in_scope(r->user, db_col_text(s, 1)) &&
                    below_caller(r, arena_strdup(r->a, db_col_text(s, 0)),
                                 arena_strdup(r->a, db_col_text(s, 1))))
                    o = json_true();
                db_done(s);
            }
        }
        if (!o) {
            json_decref(t);
            t = NULL;
        }
    }
    if (!t)
        reply_error(r, 404, "not_found", "令牌不存在或已撤销", NULL);
    return t;
}

static void h_token_get(req *r)
{
    json_t *t = load_token(r);
    if (t)
        reply_json(r, 200, t);
}

static void h_token_create(req *r)
{
    if (req_header(r, "Authorization")) {
        reply_error(r, 403, "forbidden", "API 令牌只能在登录后的控制台中创建", NULL);
        return;
    }
    json_t *in = req_json_only(r, REQ_KEYS("name", "days"));
    if (!in)
        return;
    json_t *nm = json_object_get(in, "name"), *dy = json_object_get(in, "days");
    json_t *errors = json_object();
    if (!json_is_string(nm) || !json_string_length(nm) || util_utf8_len(json_string_value(nm)) > 50)
        json_object_set_new(errors, "name", json_string("请填写用途（不超过 50 字）"));
    long long days =
        dy ? (json_is_integer(dy) ? json_integer_value(dy) : -1) : AUTH_TOKEN_DAYS_DEFAULT;
    if (days < 1 || days > AUTH_TOKEN_DAYS_MAX)
        json_object_set_new(
            errors, "days",
            json_string(arena_printf(r->a, "有效天数为 1–%d 的整数", AUTH_TOKEN_DAYS_MAX)));
    if (json_object_size(errors)) {
        reply_errors(r, errors);
        return;
    }
    json_decref(errors);
    db_conn *c = req_begin(r);
    if (!c)
        return;
    int64_t id = 0;
    char *token = NULL, ids[24];
    int st = auth_token_create(c, r->user->id, json_string_value(nm), (int)days, &id, &token);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    struct audit_actor who = {r->user, r->client_ip};
    json_t *ch = json_pack("{s:[n,I], s:[n,O], s:[n,I]}", "user_id", (json_int_t)r->user->id,
                           "name", nm, "days", (json_int_t)days);
    if (st == DB_OK)
        st = audit_write(c, &who, "create", "api_tokens", ids, r->user->region, ch, NULL);
    json_decref(ch);
    if (req_commit(r, c, st) != 0) {
        if (token) {
            sodium_memzero(token, strlen(token));
            free(token);
        }
        return;
    }
    json_t *items = auth_token_list(c, 0, id, NULL, NULL);
    json_t *o = json_incref(json_array_get(items, 0));
    json_decref(items);
    if (!o)
        o = json_pack("{s:I}", "id", (json_int_t)id);
    /* The only time the token's text is ever shown. */
    json_object_set_new(o, "token", json_string(token));
    sodium_memzero(token, strlen(token));
    free(token);
    reply_json(r, 201, o);
}

/* Revokes and audits: one token (token_id) of owner, or all of owner's. */
static void revoke_reply(req *r, int64_t owner, int64_t token_id, const char *region)
{
    db_conn *c = req_begin(r);
    if (!c)
        return;
    int n = 0;
    int st = auth_token_revoke(c, owner, token_id, r->user->username, &n);
    char ids[24];
    if (token_id)
        snprintf(ids, sizeof ids, "%lld", (long long)token_id);
    struct audit_actor who = {r->user, r->client_ip};
    json_t *ch = json_pack("{s:[n,I], s:[n,i]}", "user_id", (json_int_t)owner, "revoked", n);
    if (st == DB_OK && n)
        st = audit_write(c, &who, "revoke", "api_tokens", token_id ? ids : NULL, region, ch, NULL);
    json_decref(ch);
    if (req_commit(r, c, st) != 0)
        return;
    auth_cache_clear();
    if (token_id)
        reply_empty(r, 204);
    else
        reply_json(r, 200, json_pack("{s:i}", "revoked", n));
}

static const char *user_region(req *r, int64_t id)
{
    db_stmt *s = db_prepare(req_db(r), "SELECT region FROM users WHERE id = $1");
    const char *region = NULL;
    if (s) {
        db_bind_int(s, 1, id);
        if (db_step(s) == DB_ROW)
            region = arena_strdup(r->a, db_col_text(s, 0));
        db_done(s);
    }
    return region;
}

static void h_token_delete(req *r)
{
    json_t *t = load_token(r);
    if (!t)
        return;
    int64_t owner = json_integer_value(json_object_get(t, "user_id")),
            id = json_integer_value(json_object_get(t, "id"));
    json_decref(t);
    revoke_reply(r, owner, id, user_region(r, owner));
}

static void h_tokens_delete(req *r)
{
    int64_t uid = query_user_id(r);
    if (uid < 0 || !token_owner_ok(r, uid))
        return;
    uid = uid ? uid : r->user->id;
    revoke_reply(r, uid, 0, user_region(r, uid));
}

void users_routes_register(void)
{
    http_route("GET", "/api/v1/users", h_users, 0, NULL);
    http_route("POST", "/api/v1/users", h_user_create, 0, NULL);
    http_route("GET", "/api/v1/users/{id}", h_user_get, 0, NULL);
    http_route("PATCH", "/api/v1/users/{id}", h_user_patch, 0, NULL);
    http_route("POST", "/api/v1/users/{id}/reset-password", h_user_reset, 0, NULL);
    http_route("GET", "/api/v1/roles", h_roles, 0, NULL);
    http_route("GET", "/api/v1/roles/assignable", h_roles_assignable, 0, NULL);
    http_route("POST", "/api/v1/roles", h_role_create, 0, NULL);
    http_route("PUT", "/api/v1/roles/{name}", h_role_put, 0, NULL);
    http_route("GET", "/api/v1/permissions", h_permissions, 0, NULL);
    http_route("GET", "/api/v1/tokens", h_tokens, 0, NULL);
    http_route("POST", "/api/v1/tokens", h_token_create, 0, NULL);
    http_route("DELETE", "/api/v1/tokens", h_tokens_delete, 0, NULL);
    http_route("GET", "/api/v1/tokens/{id}", h_token_get, 0, NULL);
    http_route("DELETE", "/api/v1/tokens/{id}", h_token_delete, 0, NULL);
}

/* ---- the audit log as the proof of every role and grant ----
 * Both sides are built in one shape, {"users": {id: {"username", "role",
 * "region", "disabled"}}, "roles": {name: {perm: true}}}, so the check and
 * the baseline compare them the same way. */

static json_t *state_new(void)
{
    return json_pack("{s:o, s:o}", "users", json_object(), "roles", json_object());
}

/* The value an entry's changes give a field: the "after" of [before, after]. */
static json_t *after_of(json_t *ch, const char *field)
{
    json_t *v = json_object_get(ch, field);
    return json_is_array(v) && json_array_size(v) == 2 ? json_array_get(v, 1) : NULL;
}

static int truthy(json_t *v)
{
    return json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0) ||
           (json_is_string(v) && strcmp(json_string_value(v), "0") != 0);
}

static void replay_user(json_t *users, const char *id, const char *action, json_t *ch)
{
    json_t *u = json_object_get(users, id);
    if (!u) {
        u = json_pack("{s:n, s:n, s:i}", "role", "region", "disabled", 0);
        json_object_set_new(users, id, u);
    }
    static const char *const text[] = {"role", "region"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        json_t *v = after_of(ch, text[i]);
        if (json_is_string(v))
            json_object_set(u, text[i], v);
    }
    json_t *d = after_of(ch, "disabled");
    if (d)
        json_object_set_new(u, "disabled", json_integer(truthy(d)));
    /* The command line's user disable / enable carry no changes. */
    if (strcmp(action, "disable") == 0)
        json_object_set_new(u, "disabled", json_integer(1));
    else if (strcmp(action, "enable") == 0)
        json_object_set_new(u, "disabled", json_integer(0));
}

static void replay_role(json_t *roles, const char *name, json_t *ch)
{
    json_t *set = json_object_get(roles, name);
    if (!set) {
        set = json_object();
        json_object_set_new(roles, name, set);
    }
    /* The role editor and the baseline give the whole set ... */
    json_t *all = after_of(ch, "permissions");
    if (json_is_array(all)) {
        json_object_clear(set);
        size_t i;
        json_t *v;
        json_array_foreach(all, i, v)
        {
            if (json_is_string(v))
                json_object_set_new(set, json_string_value(v), json_true());
        }
    }
    /* ... role grant / revoke one permission: [null, perm] or [perm, null]. */
    json_t *one = json_object_get(ch, "permission");
    if (json_is_array(one) && json_array_size(one) == 2) {
        json_t *add = json_array_get(one, 1), *del = json_array_get(one, 0);
        if (json_is_string(add))
            json_object_set_new(set, json_string_value(add), json_true());
        else if (json_is_string(del))
            json_object_del(set, json_string_value(del));
    }
}

/* What the audit log says; NULL when it cannot be read. */
static json_t *state_from_audit(db_conn *c)
{
    db_stmt *s = db_prepare(c, "SELECT entity, entity_id, action, changes FROM audit_log WHERE "
                               "entity IN ('users', 'roles') ORDER BY id");
    if (!s)
        return NULL;
    json_t *out = state_new();
    int st;
    while ((st = db_step(s)) == DB_ROW) {
        const char *entity = db_col_text(s, 0), *id = db_col_text(s, 1),
                   *action = db_col_text(s, 2), *text = db_col_text(s, 3);
        if (!id || !action)
            continue;
        json_t *ch = text ? json_loads(text, 0, NULL) : NULL;
        if (strcmp(entity, "users") == 0)
            replay_user(json_object_get(out, "users"), id, action, ch);
        else
            replay_role(json_object_get(out, "roles"), id, ch);
        json_decref(ch);
    }
    db_done(s);
    if (st != DB_DONE) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* What the tables hold; NULL when they cannot be read. */
static json_t *state_from_tables(db_conn *c)
{
    json_t *out = state_new();
    json_t *users = json_object_get(out, "users"), *roles = json_object_get(out, "roles");
    int ok = 1;
    db_stmt *s =
        db_prepare(c, "SELECT id, username, role, region, disabled FROM users ORDER BY id");
    while (s && db_step(s) == DB_ROW) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)db_col_int(s, 0));
        json_object_set_new(users, id,
                            json_pack("{s:s, s:s, s:s, s:i}", "username", db_col_text(s, 1), "role",
                                      db_col_text(s, 2), "region", db_col_text(s, 3), "disabled",
                                      db_col_int(s, 4) != 0));
    }
    ok = ok && s;
    db_done(s);
    s = db_prepare(c, "SELECT name FROM roles ORDER BY name");
    while (s && db_step(s) == DB_ROW)
        json_object_set_new(roles, db_col_text(s, 0), json_object());
    ok = ok && s;
    db_done(s);
    s = db_prepare(c, "SELECT role, perm FROM role_perms ORDER BY role, perm");
    while (s && db_step(s) == DB_ROW) {
        json_t *set = json_object_get(roles, db_col_text(s, 0));
        if (set)
            json_object_set_new(set, db_col_text(s, 1), json_true());
    }
    ok = ok && s;
    db_done(s);
    if (!ok) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static int user_differs(json_t *have, json_t *said)
{
    if (!said)
        return 1;
    static const char *const text[] = {"role", "region"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        const char *a = json_string_value(json_object_get(have, text[i]));
        const char *b = json_string_value(json_object_get(said, text[i]));
        if (!a || !b || strcmp(a, b) != 0)
            return 1;
    }
    return json_integer_value(json_object_get(have, "disabled")) !=
           json_integer_value(json_object_get(said, "disabled"));
}

/* A permission set as a sorted array (the keys of set). */
static json_t *perm_list(json_t *set)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(set, k, v)
    {
        json_array_append_new(out, json_string(k));
    }
    size_t n = json_array_size(out);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(json_string_value(json_array_get(out, j - 1)),
                                           json_string_value(json_array_get(out, j))) > 0;
             j--) {
            json_t *x = json_incref(json_array_get(out, j));
            json_array_set(out, j, json_array_get(out, j - 1));
            json_array_set_new(out, j - 1, x);
        }
    return out;
}

static const char *or_unknown(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "?";
}

int users_check(db_conn *c, FILE *out)
{
    json_t *said = state_from_audit(c), *have = state_from_tables(c);
    int bad = 0;
    if (!said || !have) {
        fprintf(out, "FAIL users and roles: cannot read them or the audit log: %s\n", db_errmsg(c));
        bad = 1;
        goto out;
    }
    const char *k;
    json_t *v;
    json_t *said_users = json_object_get(said, "users");
    json_object_foreach(json_object_get(have, "users"), k, v)
    {
        json_t *w = json_object_get(said_users, k);
        if (!user_differs(v, w))
            continue;
        if (bad++ < 10) {
            if (!w)
                fprintf(out, "FAIL users: user %s (id %s) has no audit entry of its creation\n",
                        json_string_value(json_object_get(v, "username")), k);
            else
                fprintf(out,
                        "FAIL users: user %s (id %s) is %s in %s%s, but the audit log says %s "
                        "in %s%s (changed behind the application's back)\n",
                        json_string_value(json_object_get(v, "username")), k,
                        json_string_value(json_object_get(v, "role")),
                        json_string_value(json_object_get(v, "region")),
                        json_integer_value(json_object_get(v, "disabled")) ? ", disabled" : "",
                        or_unknown(json_object_get(w, "role")),
                        or_unknown(json_object_get(w, "region")),
                        json_integer_value(json_object_get(w, "disabled")) ? ", disabled" : "");
        }
    }
    json_t *said_roles = json_object_get(said, "roles");
    json_object_foreach(json_object_get(have, "roles"), k, v)
    {
        json_t *w = json_object_get(said_roles, k);
        const char *p;
        json_t *x;
        json_object_foreach(v, p, x)
        {
            if ((!w || !json_object_get(w, p)) && bad++ < 10)
                fprintf(out,
                        "FAIL roles: role %s holds %s without an audit entry that granted it\n", k,
                        p);
        }
        json_object_foreach(w, p, x)
        {
            if (!json_object_get(v, p) && bad++ < 10)
                fprintf(out, "FAIL roles: role %s lacks %s, which the audit log says it holds\n", k,
                        p);
        }
    }
    if (!bad)
        fprintf(out,
                "ok   every user's role, region and state and every role's permissions agree "
                "with the audit log (%zu users, %zu roles)\n",
                json_object_size(json_object_get(have, "users")),
                json_object_size(json_object_get(have, "roles")));
out:
    json_decref(said);
    json_decref(have);
    return bad ? 1 : 0;
}

int users_audit_baseline(db_conn *c)
{
    json_t *said = state_from_audit(c), *have = state_from_tables(c);
    int st = said && have ? DB_OK : DB_ERR;
    struct audit_actor sys = {.user = NULL, .ip = "migrate"};
    const char *k;
    json_t *v;
    /* Users are taken once, on the upgrade that brought this check (the
     * migration leaves a row in audit_baseline_pending); afterwards a user
     * the audit log does not explain stays a finding. */
    int users_too = st == DB_OK && db_table_exists(c, "audit_baseline_pending") > 0 &&
                    db_query_int(c, "SELECT count(*) FROM audit_baseline_pending WHERE what = $1",
                                 "users", 0) > 0;
    if (users_too)
        json_object_foreach(json_object_get(have, "users"), k, v)
        {
            if (st != DB_OK || !user_differs(v, json_object_get(json_object_get(said, "users"), k)))
                continue;
            json_t *ch =
                json_pack("{s:[n,O], s:[n,O], s:[n,b]}", "role", json_object_get(v, "role"),
                          "region", json_object_get(v, "region"), "disabled",
                          (int)json_integer_value(json_object_get(v, "disabled")));
            st = audit_write(c, &sys, "baseline", "users", k,
                             json_string_value(json_object_get(v, "region")), ch, NULL);
            json_decref(ch);
        }
    if (users_too && st == DB_OK)
        st = db_exec_params(c, "DELETE FROM audit_baseline_pending WHERE what = $1", 1,
                            (const char *const[]){"users"});
    /* Roles: whatever the migrations just granted or took away. */
    if (have)
        json_object_foreach(json_object_get(have, "roles"), k, v)
        {
            json_t *w = json_object_get(json_object_get(said, "roles"), k);
            if (st != DB_OK || (w && json_equal(v, w)))
                continue;
            json_t *ch = json_pack("{s:[n,o]}", "permissions", perm_list(v));
            st = audit_write(c, &sys, "baseline", "roles", k, NULL, ch, NULL);
            json_decref(ch);
        }
    json_decref(said);
    json_decref(have);
    return st;
}
