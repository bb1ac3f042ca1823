/* users: administration of users, roles and permissions over HTTP, and the
 * one place that creates a user (for the HTTP handlers, the command line and
 * the demo). The rules that make delegation safe live here: a caller manages
 * only users inside their own subtree, and never grants a role whose
 * permissions they do not hold themselves. */
#ifndef SAFECOMM_USERS_H
#define SAFECOMM_USERS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "arena.h"
#include "db.h"

struct user;
struct audit_actor;

/* A new user, for users_create; what a designated initialiser leaves out is
 * NULL or 0. The strings are the caller's. */
struct users_new {
    const struct audit_actor *who; /* NULL: the system, from the command line */
    const char *username;
    const char *display_name;  /* NULL: none */
    const char *password_hash; /* from auth_password_hash, made before the
                                * write transaction (hashing is slow) */
    const char *role;
    const char *region;
    int64_t unit_id; /* 0: none */
    int must_change_password;
    const char *created_by; /* "init", "cli", "demo", or the creator's username */
    const char *now;        /* created_at and updated_at; NULL: the current time */
    int if_absent;          /* an existing username is left as it is: DB_OK, *id 0 */
};

/* NULL when s is an acceptable username (2–32 of A–Z a–z 0–9 _ . -), else
 * the Chinese reason. The API and the command line both ask it. */
const char *users_username_invalid(const char *s);

/* Inserts the user and writes its audit entry ("create", with its username,
 * role and region): c must be in a write transaction. *id (id may be NULL)
 * gets its id. DB_OK, or the error status (DB_ERR_UNIQUE: the username, or a
 * look-alike of it, exists: two usernames with the same ident_key, "admin"
 * and "Admin" or "ａｄｍｉｎ", cannot both exist; DB_ERR: the name has no
 * key). Login still takes the exact username. */
int users_create(db_conn *c, const struct users_new *u, int64_t *id);

/* Gives every user without one its username_key (after migration 0010),
 * oldest first. A user whose key an older look-alike holds keeps none and is
 * named on warn (may be NULL). DB_OK or the error status. */
int users_keys_backfill(db_conn *c, FILE *warn);

/* `safecomm check`: every user's role, region and disabled state, and every
 * role's permissions, must be what the audit log's entries of that user or
 * role say (creation, changes, grants, and the baseline entries). Prints
 * the differences; 0 when there are none. */
int users_check(db_conn *c, FILE *out);
/* After migrations ran: writes a "baseline" audit entry for each role whose
 * permissions the audit log does not explain (the migrations' grants), and,
 * once (audit_baseline_pending), for each such user. c must be in a write
 * transaction. */
int users_audit_baseline(db_conn *c);

/* 1 when every permission of role is covered by the caller's permissions. */
int users_role_grantable(const struct user *caller, const char *const *role_perms, int n);
void users_routes_register(void);

#endif
