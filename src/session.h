/* session: browser sessions and the login they start. A session id is a
 * random 32-byte value in an HttpOnly cookie; the database keeps only its
 * keyed hash, and the CSRF token is derived from the id, so nothing secret
 * is stored and any server can check any request. Lockouts, rate counters
 * and the login log live in the database for the same reason. */
#ifndef SAFECOMM_SESSION_H
#define SAFECOMM_SESSION_H

#include <stdint.h>

#include "db.h"

struct req;

struct session_config {
    long idle_seconds;         /* 30 min */
    long max_seconds;          /* 12 h */
    int lock_attempts;         /* failures per account in the window: 5 */
    int ip_lock_attempts;      /* failures per address in the window: 30 */
    long lock_window;          /* 15 min */
    long lock_seconds;         /* 15 min */
    int login_rate_per_minute; /* per address, successes included: 60 */
    int cookie_secure;
};

extern struct session_config session_cfg;

/* The session cookie of the request, or NULL. */
const char *session_cookie(struct req *r);
/* Authenticates a cookie request (expiry, CSRF, forced password change);
 * replies and returns -1 on refusal. */
int session_authenticate(struct req *r);
/* Ends every session of the user (disabled, given a new password by someone
 * else, or "log out everywhere") and revokes every API token of theirs:
 * whoever held one must log in again. Inside the caller's transaction when
 * there is one. DB_OK or the error status. */
int session_revoke_user(db_conn *c, int64_t user_id);
void session_routes_register(void);

#endif
