/* Unit tests for ident_key: the look-alike key of a username. Case and width
 * (full-width forms, compatibility characters) fold to one key; different
 * names keep different keys; invalid UTF-8, empty and over-long names have
 * none. */
#include "harness.h"
#include "ident.h"

#include <string.h>

static const char *key(const char *s)
{
    static char out[IDENT_KEY_MAX];
    return ident_key(s, out, sizeof out) == 0 ? out : "(none)";
}

static void test_folds(void)
{
    CHECK_STR(key("admin"), "admin");
    CHECK_STR(key("Admin"), "admin");
    CHECK_STR(key("ADMIN"), "admin");
    CHECK_STR(key("ａｄｍｉｎ"), "admin"); /* full width */
    CHECK_STR(key("ＡＤＭＩＮ"), "admin"); /* full width, upper case */
    CHECK_STR(key("town_1.x-Y"), "town_1.x-y");
    CHECK_STR(key("ﬁle"), "file");       /* the ligature U+FB01 */
    CHECK_STR(key("Straße"), "strasse"); /* full case folding */
    CHECK_STR(key("张三"), "张三");      /* nothing to fold */
    CHECK_STR(key("①"), "1");            /* circled digit */
}

static int same_key(const char *a, const char *b)
{
    char ka[IDENT_KEY_MAX], kb[IDENT_KEY_MAX];
    return ident_key(a, ka, sizeof ka) == 0 && ident_key(b, kb, sizeof kb) == 0 &&
           strcmp(ka, kb) == 0;
}

static void test_distinct(void)
{
    CHECK(!same_key("admin", "admin1"));
    CHECK(!same_key("town", "t0wn"));
    CHECK(same_key("Town", "ｔｏｗｎ"));
}

static void test_refused(void)
{
    char out[IDENT_KEY_MAX], small[4];
    CHECK_INT(ident_key("", out, sizeof out), -1);
    CHECK_INT(ident_key(NULL, out, sizeof out), -1);
    CHECK_INT(ident_key("ad\xffmin", out, sizeof out), -1); /* invalid UTF-8 */
    CHECK_INT(ident_key("\xe5\xbc", out, sizeof out), -1);  /* truncated sequence */
    CHECK_INT(ident_key("admin", small, sizeof small), -1); /* does not fit */
    char long_name[IDENT_KEY_MAX + 8];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    CHECK_INT(ident_key(long_name, out, sizeof out), -1);
}

int main(void)
{
    test_folds();
    test_distinct();
    test_refused();
    return TEST_REPORT();
}
