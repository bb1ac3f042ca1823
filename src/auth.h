/* auth: who is calling. Passwords (argon2id), API tokens (stored as a keyed
 * BLAKE2b hash), the key file, and the authentication of a request by its
 * token. The struct user of a request lives in the request's arena. */
#ifndef SAFECOMM_AUTH_H
#define SAFECOMM_AUTH_H

#include <stddef.h>
#include <jansson.h>
#include <stdint.h>
#include "arena.h"
#include "db.h"
#include "region.h"

struct req;

struct user {
    int64_t id;
    const char *username;
    const char *display_name;
    const char *role;
    const char *region; /* home region: the user sees its subtree only */
    int must_change_password;
    int64_t unit_id; /* a unit officer's unit (units.id), 0 for none */
    int nperms;
    const char **perms; /* patterns such as "hazard:read", "*:read", "*" */
    char scope_lo[REGION_CODE_MAX], scope_hi[REGION_CODE_MAX];
};

/* Loads or (when create) creates the key file and derives app's keys. */
int auth_keyfile_load(const char *path, int create, char **err);

/* Sets r->user from the request's "Authorization: Bearer" token; without
 * one, or with an unknown, revoked or disabled one, replies 401 and returns
 * -1. (authn_request decides between this and the session cookie.) */
int auth_token_authenticate(struct req *r);
const char *auth_user_name(const struct user *u);
/* Forgets cached token look-ups (after a user, role or token changes). */
void auth_cache_clear(void);
/* The columns auth_user_from_row reads, from "users u". */
#define AUTH_USER_COLS                                                                             \
    "u.id, u.username, u.display_name, u.role, u.region, u.must_change_password, u.unit_id"
/* A user (and its role's permissions) from a row holding AUTH_USER_COLS
 * from column k on. */
struct user *auth_user_from_row(db_conn *c, arena *a, db_stmt *s, int k);
/* Loads an enabled user with its permissions; NULL when unknown/disabled. */
struct user *auth_user_load(db_conn *c, arena *a, const char *username);
/* The built-in identity of command-line work: whole tree, every permission. */
struct user *auth_system_user(arena *a);

/* argon2id, as libsodium's string format. 0 on success. */
int auth_password_hash(const char *password, char *out, size_t outlen);
int auth_password_verify(const char *hash, const char *password);
/* NULL when acceptable, else a Chinese reason. */
const char *auth_password_weak(const char *password);
/* Stores hash (from auth_password_hash, made before the write transaction:
 * hashing is slow) as the user's password. must_change: an administrator
 * set it and the user must choose another at the next login; 0: the user
 * chose it, which also stamps password_changed_at. Sessions are left alone
 * (session_revoke_user). DB_OK or the error status. */
int auth_password_set(db_conn *c, int64_t user_id, const char *hash, int must_change);

/* API tokens live AUTH_TOKEN_DAYS_DEFAULT days unless told otherwise, and
 * never longer than AUTH_TOKEN_DAYS_MAX: a forgotten token dies by itself. */
#define AUTH_TOKEN_DAYS_DEFAULT 90
#define AUTH_TOKEN_DAYS_MAX     365
/* Creates a token for the user, valid for days (1 to AUTH_TOKEN_DAYS_MAX);
 * *id (id may be NULL) gets its id; the token text (malloc'd, *token_out)
 * is shown once, only its hash is stored. The audit entry is the caller's.
 * DB_OK or the error status. */
int auth_token_create(db_conn *c, int64_t user_id, const char *name, int days, int64_t *id,
                      char **token_out);
/* Revokes live tokens: token_id alone, token_id only if it is user_id's, or
 * (token_id 0) every one of user_id's. by (who or why, may be NULL) is kept
 * with them; *n (n may be NULL) gets how many. Clears this server's cache;
 * other servers refuse them at their next request. The audit entry is the
 * caller's. DB_OK or the error status. */
int auth_token_revoke(db_conn *c, int64_t user_id, int64_t token_id, const char *by, int *n);
/* The live (unrevoked) tokens, never their text, as a JSON array of
 * {"id","user_id","username","name","created_at","expires_at",
 * "last_used_at","expired"}: of user_id (0: every user), or the one token_id
 * (0: all), of users whose home region lies in [lo, hi) (NULL: anywhere).
 * NULL on a database error. */
json_t *auth_token_list(db_conn *c, int64_t user_id, int64_t token_id, const char *lo,
                        const char *hi);
/* A Unix time as ISO 8601 with the local offset, like util_now_iso. */
void auth_epoch_iso(int64_t epoch, char out[32]);
void auth_token_hash(const char *token, char out[65]);

#endif
