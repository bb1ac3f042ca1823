/* users: administration of users, roles and permissions over HTTP. The rules
 * that make delegation safe live here: a caller manages only users inside
 * their own subtree, and never grants a role whose permissions they do not
 * hold themselves. */
#ifndef SAFECOMM_USERS_H
#define SAFECOMM_USERS_H

struct user;

/* 1 when every permission of role is covered by the caller's permissions. */
int users_role_grantable(const struct user *caller, const char *const *role_perms, int n);
void users_routes_register(void);

#endif
