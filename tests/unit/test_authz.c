/* Unit tests for authz: permission patterns with wildcards, the rule that
 * reveal is never granted by a wildcard action, and scope checks that answer
 * 404 before 403 so that rows outside the subtree stay hidden. */
#include "harness.h"
#include "../../src/authz.c"

static void test_perm_match(void)
{
    /* everything */
    CHECK_INT(perm_match("*", "hazard:read"), 1);
    CHECK_INT(perm_match("*", "person:reveal"), 1);
    CHECK_INT(perm_match("*", "user:admin"), 1);
    /* any entity, one action */
    CHECK_INT(perm_match("*:read", "hazard:read"), 1);
    CHECK_INT(perm_match("*:read", "volunteer:read"), 1);
    CHECK_INT(perm_match("*:read", "hazard:write"), 0);
    CHECK_INT(perm_match("*:read", "hazard:readx"), 0);
    /* one entity, any action */
    CHECK_INT(perm_match("hazard:*", "hazard:read"), 1);
    CHECK_INT(perm_match("hazard:*", "hazard:write"), 1);
    CHECK_INT(perm_match("hazard:*", "hazard:delete"), 1);
    CHECK_INT(perm_match("hazard:*", "hazards:read"), 0);
    CHECK_INT(perm_match("hazard:*", "hazar:read"), 0);
    CHECK_INT(perm_match("hazard:*", "person:read"), 0);
    /* exact */
    CHECK_INT(perm_match("hazard:read", "hazard:read"), 1);
    CHECK_INT(perm_match("hazard:read", "hazard:write"), 0);
    CHECK_INT(perm_match("hazard:read", "person:read"), 0);
    CHECK_INT(perm_match("hazar:read", "hazard:read"), 0);
    CHECK_INT(perm_match("hazard:read", "hazard"), 0);
    CHECK_INT(perm_match("hazard", "hazard:read"), 0);
    CHECK_INT(perm_match("*:*", "hazard:write"), 1);
    /* no glob inside a part */
    CHECK_INT(perm_match("haz*:read", "hazard:read"), 0);
    CHECK_INT(perm_match("hazard:re*", "hazard:read"), 0);
    /* reveal: never by a wildcard action, only by "*" or naming it */
    CHECK_INT(perm_match("*:read", "person:reveal"), 0);
    CHECK_INT(perm_match("person:*", "person:reveal"), 0);
    CHECK_INT(perm_match("hazard:*", "hazard:reveal"), 0);
    CHECK_INT(perm_match("*:*", "person:reveal"), 0);
    CHECK_INT(perm_match("person:reveal", "person:reveal"), 1);
    CHECK_INT(perm_match("person:reveal", "hazard:reveal"), 0);
    CHECK_INT(perm_match("person:read", "person:reveal"), 0);
}

static struct user make_user(const char *region, const char **perms, int nperms)
{
    struct user u;
    memset(&u, 0, sizeof u);
    u.id = 1;
    u.username = "tester";
    u.role = "custom";
    u.region = region;
    u.perms = perms;
    u.nperms = nperms;
    region_subtree(region, u.scope_lo, u.scope_hi);
    return u;
}

static void test_has(void)
{
    const char *county_perms[] = {"*:read", "*:write", "user:admin"};
    struct user u = make_user("511621000000", county_perms, 3);
    CHECK_INT(authz_has(&u, "hazard:read"), 1);
    CHECK_INT(authz_has(&u, "volunteer:write"), 1);
    CHECK_INT(authz_has(&u, "user:admin"), 1);
    CHECK_INT(authz_has(&u, "region:admin"), 0);
    CHECK_INT(authz_has(&u, "person:reveal"), 0);
    CHECK_INT(authz_has(&u, "hazard:delete"), 0);

    const char *revealer[] = {"person:read", "person:reveal"};
    u = make_user("511621000000", revealer, 2);
    CHECK_INT(authz_has(&u, "person:reveal"), 1);
    CHECK_INT(authz_has(&u, "person:read"), 1);
    CHECK_INT(authz_has(&u, "person:write"), 0);
    CHECK_INT(authz_has(&u, "hazard:reveal"), 0);

    const char *none[] = {NULL};
    u = make_user("511621000000", none, 0);
    CHECK_INT(authz_has(&u, "hazard:read"), 0);
    CHECK_INT(authz_has(NULL, "hazard:read"), 0);

    const char *all[] = {"*"};
    u = make_user("510000000000", all, 1);
    CHECK_INT(authz_has(&u, "person:reveal"), 1);
    CHECK_INT(authz_has(&u, "anything:at_all"), 1);
}

static void test_scope(void)
{
    const char *perms[] = {"volunteer:read", "volunteer:write"};
    struct user u = make_user("511621000000", perms, 2);
    CHECK_STR(u.scope_lo, "511621");
    CHECK_INT(authz_in_scope(&u, "511621000000"), 1);
    CHECK_INT(authz_in_scope(&u, "511621101000"), 1);
    CHECK_INT(authz_in_scope(&u, "511621101001"), 1);
    CHECK_INT(authz_in_scope(&u, "511621101001-01"), 1);
    CHECK_INT(authz_in_scope(&u, "511621999999"), 1);
    CHECK_INT(authz_in_scope(&u, "511622000000"), 0); /* sibling county */
    CHECK_INT(authz_in_scope(&u, "511622101001"), 0);
    CHECK_INT(authz_in_scope(&u, "511620999999"), 0);
    CHECK_INT(authz_in_scope(&u, "511600000000"), 0); /* its city */
    CHECK_INT(authz_in_scope(&u, "510000000000"), 0);
    CHECK_INT(authz_in_scope(&u, ""), 0);
    CHECK_INT(authz_in_scope(&u, NULL), 0);
    CHECK_INT(authz_in_scope(NULL, "511621101001"), 0);

    /* a village user sees the village and its grids only */
    struct user v = make_user("511621101001", perms, 2);
    CHECK_INT(authz_in_scope(&v, "511621101001"), 1);
    CHECK_INT(authz_in_scope(&v, "511621101001-03"), 1);
    CHECK_INT(authz_in_scope(&v, "511621101002"), 0);
    CHECK_INT(authz_in_scope(&v, "511621101000"), 0);

    /* the whole-tree scope of the system user */
    arena *a = arena_new();
    struct user *sys = auth_system_user(a);
    CHECK_INT(authz_in_scope(sys, "110000000000"), 1);
    CHECK_INT(authz_in_scope(sys, "659999999999-99"), 1);
    CHECK_INT(authz_check(sys, "person:reveal", "511621101001"), 0);
    arena_free(a);
}

static void test_check(void)
{
    const char *perms[] = {"volunteer:read", "volunteer:write"};
    struct user u = make_user("511621101000", perms, 2);
    CHECK_INT(authz_check(&u, "volunteer:read", "511621101001"), 0);
    CHECK_INT(authz_check(&u, "volunteer:write", "511621101000"), 0);
    CHECK_INT(authz_check(&u, "volunteer:delete", "511621101001"), 403);
    CHECK_INT(authz_check(&u, "hazard:read", "511621101001"), 403);
    /* outside the subtree: not found, with or without the permission */
    CHECK_INT(authz_check(&u, "volunteer:read", "511621102001"), 404);
    CHECK_INT(authz_check(&u, "hazard:read", "511621102001"), 404);
    CHECK_INT(authz_check(&u, "volunteer:read", "511621000000"), 404);
    /* no region: the permission alone decides */
    CHECK_INT(authz_check(&u, "volunteer:read", NULL), 0);
    CHECK_INT(authz_check(&u, "hazard:read", NULL), 403);
    CHECK_INT(authz_check(NULL, "volunteer:read", NULL), 403);
    CHECK_INT(authz_check(NULL, "volunteer:read", "511621101001"), 404);
}

int main(void)
{
    test_perm_match();
    test_has();
    test_scope();
    test_check();
    return TEST_REPORT();
}
