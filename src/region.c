/* region: see region.h. */
#include "region.h"

#include <string.h>

static const char *level_names[] = {"province", "city", "county", "township", "village", "grid"};
/* What a reader is shown for each level: the console's LEVEL_LABELS
 * (web/src/store.js) say the same. */
static const char *level_labels[] = {"省", "市", "县（区）", "乡镇（街道）", "村（社区）", "网格"};
/* Significant prefix length of each level's code. */
static const int prefix_len[] = {2, 4, 6, 9, 12};

static int all_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int all_zero(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] != '0')
            return 0;
    return 1;
}

enum region_level region_level_of(const char *code)
{
    if (!code)
        return RL_INVALID;
    size_t n = strlen(code);
    if (n == 15 && code[12] == '-' && all_digits(code + 13, 2) && !all_zero(code + 13, 2)) {
        char village[13];
        memcpy(village, code, 12);
        village[12] = '\0';
        return region_level_of(village) == RL_VILLAGE ? RL_GRID : RL_INVALID;
    }
    if (n != 12 || !all_digits(code, 12) || all_zero(code, 2))
        return RL_INVALID;
    if (all_zero(code + 2, 10))
        return RL_PROVINCE;
    if (all_zero(code + 4, 8))
        return RL_CITY;
    if (all_zero(code + 6, 6))
        return RL_COUNTY;
    if (all_zero(code + 9, 3))
        return RL_TOWNSHIP;
    return RL_VILLAGE;
}

const char *region_level_name(enum region_level l)
{
    return l >= RL_PROVINCE && l <= RL_GRID ? level_names[l] : "invalid";
}

const char *region_level_label(enum region_level l)
{
    return l >= RL_PROVINCE && l <= RL_GRID ? level_labels[l] : NULL;
}

enum region_level region_level_parse(const char *name)
{
    for (int i = 0; i <= RL_GRID; i++)
        if (strcmp(name, level_names[i]) == 0)
            return (enum region_level)i;
    return RL_INVALID;
}

int region_parent_of(const char *code, char out[REGION_CODE_MAX])
{
    enum region_level l = region_level_of(code);
    if (l <= RL_PROVINCE)
        return -1;
    if (l == RL_GRID) {
        memcpy(out, code, 12);
        out[12] = '\0';
        return 0;
    }
    /* Keep the parent's significant prefix; zero the rest. Skipped levels
     * (a county directly under a province, as in municipalities) are not
     * modelled: the parent is the level just above. */
    int keep = prefix_len[l - 1];
    memcpy(out, code, (size_t)keep);
    memset(out + keep, '0', (size_t)(12 - keep));
    out[12] = '\0';
    return 0;
}

void region_subtree(const char *code, char lo[REGION_CODE_MAX], char hi[REGION_CODE_MAX])
{
    enum region_level l = region_level_of(code);
    size_t n = l == RL_GRID || l == RL_INVALID ? strlen(code) : (size_t)prefix_len[l];
    if (n > REGION_CODE_MAX - 2)
        n = REGION_CODE_MAX - 2;
    memcpy(lo, code, n);
    lo[n] = '\0';
    /* ':' sorts right after '9' and after '-', so every code with this prefix
     * falls inside [prefix, prefix + ":"). */
    memcpy(hi, code, n);
    hi[n] = ':';
    hi[n + 1] = '\0';
}

int region_within(const char *code, const char *root)
{
    if (region_level_of(code) == RL_INVALID || region_level_of(root) == RL_INVALID)
        return 0;
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    region_subtree(root, lo, hi);
    return strcmp(code, lo) >= 0 && strcmp(code, hi) < 0;
}
