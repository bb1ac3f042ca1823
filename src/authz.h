/* authz: the one place that decides. Every entity operation asks
 * authz_check with (user, permission, region of the row). A row outside the
 * caller's subtree is answered as not found, never as forbidden, so that its
 * existence is not revealed. */
#ifndef SAFECOMM_AUTHZ_H
#define SAFECOMM_AUTHZ_H

struct user;
struct req;

/* A permission prefix ("help") that a wildcard entity ("*:read", "*:*")
 * does not grant: only a grant that names it, or the whole "*", does (a
 * registry of people that office roles must not see). Called at start-up,
 * before any request. */
void authz_restrict(const char *prefix);
int authz_has(const struct user *u, const char *perm);
int authz_in_scope(const struct user *u, const char *region);
/* 0 allowed, 403 missing permission, 404 region outside the subtree. */
int authz_check(const struct user *u, const char *perm, const char *region);
/* authz_check that replies with the envelope on refusal; 0 or -1. */
int authz_require(struct req *r, const char *perm, const char *region);

#endif
