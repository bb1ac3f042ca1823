/* Unit tests for region: level and parent of each level, invalid codes, and
 * that the subtree range [lo, hi) holds exactly the subtree under strcmp order,
 * checked against an independent ancestor rule over a generated set of codes. */
#include "harness.h"
#include "region.h"

#include <stdlib.h>

static void test_level_of(void)
{
    CHECK_INT(region_level_of("510000000000"), RL_PROVINCE);
    CHECK_INT(region_level_of("511600000000"), RL_CITY);
    CHECK_INT(region_level_of("511621000000"), RL_COUNTY);
    CHECK_INT(region_level_of("511621101000"), RL_TOWNSHIP);
    CHECK_INT(region_level_of("511621101001"), RL_VILLAGE);
    CHECK_INT(region_level_of("511621101001-01"), RL_GRID);
    CHECK_INT(region_level_of("511621101210-99"), RL_GRID);
    CHECK_INT(region_level_of("110000000000"), RL_PROVINCE);
    CHECK_INT(region_level_of("110100000000"), RL_CITY);

    /* invalid: length, characters, zeros, bad grids */
    CHECK_INT(region_level_of(NULL), RL_INVALID);
    CHECK_INT(region_level_of(""), RL_INVALID);
    CHECK_INT(region_level_of("51"), RL_INVALID);
    CHECK_INT(region_level_of("511621"), RL_INVALID);
    CHECK_INT(region_level_of("51162110100"), RL_INVALID);     /* 11 digits */
    CHECK_INT(region_level_of("5116211010010"), RL_INVALID);   /* 13 digits */
    CHECK_INT(region_level_of("51162110100a"), RL_INVALID);    /* a letter */
    CHECK_INT(region_level_of("5116211O1001"), RL_INVALID);    /* letter O */
    CHECK_INT(region_level_of(" 11621101001"), RL_INVALID);    /* a space */
    CHECK_INT(region_level_of("+11621101001"), RL_INVALID);    /* a sign */
    CHECK_INT(region_level_of("000000000000"), RL_INVALID);    /* all zero */
    CHECK_INT(region_level_of("001621101001"), RL_INVALID);    /* province 00 */
    CHECK_INT(region_level_of("511621101001-00"), RL_INVALID); /* grid 00 */
    CHECK_INT(region_level_of("511621101000-01"), RL_INVALID); /* grid under a township */
    CHECK_INT(region_level_of("511621000000-01"), RL_INVALID); /* grid under a county */
    CHECK_INT(region_level_of("511621101001-1"), RL_INVALID);
    CHECK_INT(region_level_of("511621101001-001"), RL_INVALID);
    CHECK_INT(region_level_of("511621101001_01"), RL_INVALID);
    CHECK_INT(region_level_of("511621101001-0a"), RL_INVALID);
    CHECK_INT(region_level_of("511621101001-01 "), RL_INVALID);
    CHECK_INT(region_level_of("51162110100101"), RL_INVALID);
    /* A grid's village must itself be a valid code: province 00 is not. */
    CHECK_INT(region_level_of("000000000001-01"), RL_INVALID);
    CHECK_INT(region_level_of("001621101001-01"), RL_INVALID);
}

static void test_level_names(void)
{
    static const char *names[] = {"province", "city", "county", "township", "village", "grid"};
    for (int l = RL_PROVINCE; l <= RL_GRID; l++) {
        CHECK_STR(region_level_name((enum region_level)l), names[l]);
        CHECK_INT(region_level_parse(names[l]), l);
    }
    CHECK_STR(region_level_name(RL_INVALID), "invalid");
    CHECK_STR(region_level_name((enum region_level)17), "invalid");
    CHECK_INT(region_level_parse("Province"), RL_INVALID);
    CHECK_INT(region_level_parse(""), RL_INVALID);
    CHECK_INT(region_level_parse("invalid"), RL_INVALID);
}

static void check_parent(const char *code, const char *want)
{
    char out[REGION_CODE_MAX];
    memset(out, 'x', sizeof out);
    int rc = region_parent_of(code, out);
    if (want) {
        CHECK_INT(rc, 0);
        CHECK_STR(rc == 0 ? out : NULL, want);
    } else {
        CHECK_INT(rc, -1);
    }
}

static void test_parent_of(void)
{
    check_parent("510000000000", NULL);
    check_parent("511600000000", "510000000000");
    check_parent("511621000000", "511600000000");
    check_parent("511621101000", "511621000000");
    check_parent("511621101001", "511621101000");
    check_parent("511621101001-01", "511621101001");
    check_parent("511621101210-99", "511621101210");
    check_parent("", NULL);
    check_parent("5116211010010", NULL);
    check_parent("000000000000", NULL);
    check_parent("511621101000-01", NULL);
    check_parent("000000000001-01", NULL);
}

static void check_subtree(const char *code, const char *lo_want, const char *hi_want)
{
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    region_subtree(code, lo, hi);
    CHECK_STR(lo, lo_want);
    CHECK_STR(hi, hi_want);
}

/* ---- an independent ancestor rule over generated codes ---- */

static char codes[4096][REGION_CODE_MAX];
static int ncodes;

static void add_code(const char *c)
{
    snprintf(codes[ncodes++], REGION_CODE_MAX, "%s", c);
}

/* Every well-formed code with parts from small sets: a zero part is
 * followed only by zero parts, and grids hang under villages. */
static void generate(void)
{
    static const char *prov[] = {"11", "50", "51", "52"};
    static const char *city[] = {"00", "01", "16", "17"};
    static const char *county[] = {"00", "21", "22"};
    static const char *town[] = {"000", "100", "101", "102"};
    static const char *vill[] = {"000", "001", "002", "010"};
    static const char *grid[] = {"", "-01", "-02", "-10"};
    for (size_t p = 0; p < 4; p++)
        for (size_t c = 0; c < 4; c++)
            for (size_t k = 0; k < 3; k++)
                for (size_t t = 0; t < 4; t++)
                    for (size_t v = 0; v < 4; v++)
                        for (size_t g = 0; g < 4; g++) {
                            int zc = c == 0, zk = k == 0, zt = t == 0, zv = v == 0;
                            if ((zc && !zk) || (zk && !zt) || (zt && !zv) || (zv && g))
                                continue;
                            char buf[REGION_CODE_MAX];
                            snprintf(buf, sizeof buf, "%s%s%s%s%s%s", prov[p], city[c], county[k],
                                     town[t], vill[v], grid[g]);
                            add_code(buf);
                        }
}

/* The code with everything after the first n characters of its 12 zeroed. */
static void zero_after(const char *code, int n, char out[REGION_CODE_MAX])
{
    memcpy(out, code, 12);
    memset(out + n, '0', (size_t)(12 - n));
    out[12] = '\0';
}

/* 1 when root is code or one of its ancestors, by the rule of the code
 * format and not by region.c. */
static int expect_within(const char *code, const char *root)
{
    if (strcmp(code, root) == 0)
        return 1;
    static const int keep[] = {2, 4, 6, 9, 12};
    char anc[REGION_CODE_MAX];
    for (int i = 0; i < 5; i++) {
        zero_after(code, keep[i], anc);
        if (strcmp(anc, root) == 0)
            return 1;
    }
    return 0;
}

static int cmp_codes(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_subtree_ranges(void)
{
    check_subtree("510000000000", "51", "51:");
    check_subtree("511600000000", "5116", "5116:");
    check_subtree("511621000000", "511621", "511621:");
    check_subtree("511621101000", "511621101", "511621101:");
    check_subtree("511621101001", "511621101001", "511621101001:");
    check_subtree("511621101001-01", "511621101001-01", "511621101001-01:");

    generate();
    CHECK(ncodes > 500);
    qsort(codes, (size_t)ncodes, sizeof codes[0], cmp_codes);
    int levels_ok = 1, mismatches = 0, noncontig = 0, roots = 0;
    for (int r = 0; r < ncodes; r++) {
        const char *root = codes[r];
        if (region_level_of(root) == RL_INVALID)
            levels_ok = 0;
        char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
        region_subtree(root, lo, hi);
        int first = -1, last = -1, count = 0;
        for (int i = 0; i < ncodes; i++) {
            const char *c = codes[i];
            int in_range = strcmp(c, lo) >= 0 && strcmp(c, hi) < 0;
            int want = expect_within(c, root);
            if (in_range != want || region_within(c, root) != want) {
                if (mismatches++ < 5)
                    fprintf(stderr, "subtree of %s: %s in range %d, expected %d\n", root, c,
                            in_range, want);
            }
            if (want) {
                if (first < 0)
                    first = i;
                last = i;
                count++;
            }
        }
        /* in sorted order a subtree is one contiguous run starting at its root */
        if (first != r || last - first + 1 != count)
            noncontig++;
        roots++;
    }
    CHECK(levels_ok);
    CHECK_INT(roots, ncodes);
    CHECK_INT(mismatches, 0);
    CHECK_INT(noncontig, 0);
}

static void test_within(void)
{
    CHECK_INT(region_within("511621101001", "511621000000"), 1);
    CHECK_INT(region_within("511621101001-01", "511621000000"), 1);
    CHECK_INT(region_within("511621101001-01", "511621101001"), 1);
    CHECK_INT(region_within("511621000000", "511621000000"), 1);
    CHECK_INT(region_within("511621101001", "510000000000"), 1);
    CHECK_INT(region_within("511621101001-01", "511621101001-01"), 1);
    /* neighbours and ancestors are outside */
    CHECK_INT(region_within("511622000000", "511621000000"), 0);
    CHECK_INT(region_within("511622101001", "511621000000"), 0);
    CHECK_INT(region_within("511620999999", "511621000000"), 0);
    CHECK_INT(region_within("511600000000", "511621000000"), 0);
    CHECK_INT(region_within("510000000000", "511621000000"), 0);
    CHECK_INT(region_within("511621101002", "511621101001"), 0);
    CHECK_INT(region_within("511621101000", "511621101001"), 0);
    CHECK_INT(region_within("511621101001", "511621101001-01"), 0);
    CHECK_INT(region_within("511621101001-02", "511621101001-01"), 0);
    CHECK_INT(region_within("511621102001", "511621101000"), 0);
    CHECK_INT(region_within("520000000000", "510000000000"), 0);
    CHECK_INT(region_within("", "510000000000"), 0);
    /* strings that are not codes are inside no subtree */
    CHECK_INT(region_within("5116211010010", "511621101001"), 0);
    CHECK_INT(region_within("511621101001-", "511621101001"), 0);
    /* and a root that is not a code has no subtree */
    CHECK_INT(region_within("511621101001", "5116"), 0);
}

int main(void)
{
    test_level_of();
    test_level_names();
    test_parent_of();
    test_subtree_ranges();
    test_within();
    return TEST_REPORT();
}
