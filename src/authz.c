/* authz: permission patterns and region scope; see authz.h. */
#include "authz.h"
#include "auth.h"
#include "http.h"

#include <string.h>

/* The permission prefixes a wildcard entity ("*:read") does not grant:
 * registered once at start-up (authz_restrict), read-only afterwards. */
#define AUTHZ_MAX_RESTRICTED 16
static const char *restricted[AUTHZ_MAX_RESTRICTED];
static int nrestricted;

void authz_restrict(const char *prefix)
{
    for (int i = 0; i < nrestricted; i++)
        if (strcmp(restricted[i], prefix) == 0)
            return;
    if (nrestricted < AUTHZ_MAX_RESTRICTED)
        restricted[nrestricted++] = prefix;
}

static int is_restricted(const char *perm, size_t l)
{
    for (int i = 0; i < nrestricted; i++)
        if (strlen(restricted[i]) == l && memcmp(restricted[i], perm, l) == 0)
            return 1;
    return 0;
}

/* "a:b" against a pattern where "*" stands for a whole part or for all. */
static int perm_match(const char *pattern, const char *perm)
{
    if (strcmp(pattern, "*") == 0)
        return 1;
    const char *pc = strchr(pattern, ':'), *c = strchr(perm, ':');
    if (!pc || !c)
        return strcmp(pattern, perm) == 0;
    size_t pl = (size_t)(pc - pattern), l = (size_t)(c - perm);
    int ent_ok = (pl == 1 && pattern[0] == '*' && !is_restricted(perm, l)) ||
                 (pl == l && memcmp(pattern, perm, l) == 0);
    int act_ok = strcmp(pc + 1, "*") == 0 || strcmp(pc + 1, c + 1) == 0;
    /* Reveal of sensitive values is never granted by a wildcard action. */
    if (strcmp(c + 1, "reveal") == 0 && strcmp(pc + 1, "reveal") != 0 && strcmp(pattern, "*") != 0)
        return 0;
    return ent_ok && act_ok;
}

int authz_has(const struct user *u, const char *perm)
{
    if (!u)
        return 0;
    for (int i = 0; i < u->nperms; i++)
        if (perm_match(u->perms[i], perm))
            return 1;
    return 0;
}

int authz_in_scope(const struct user *u, const char *region)
{
    return u && region && strcmp(region, u->scope_lo) >= 0 && strcmp(region, u->scope_hi) < 0;
}

int authz_check(const struct user *u, const char *perm, const char *region)
{
    if (region && !authz_in_scope(u, region))
        return 404;
    if (!authz_has(u, perm))
        return 403;
    return 0;
}

int authz_require(struct req *r, const char *perm, const char *region)
{
    int rc = authz_check(r->user, perm, region);
    if (rc == 404)
        reply_error(r, 404, "not_found", "记录不存在", NULL);
    else if (rc == 403)
        reply_error(r, 403, "forbidden", "没有执行此操作的权限", NULL);
    return rc ? -1 : 0;
}
