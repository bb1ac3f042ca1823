/* region: the administrative tree's code arithmetic. A code is 12 digits
 * (2 province + 2 city + 2 county + 3 township + 3 village), and a grid adds
 * "-NN" to its village's code. Level, parent and subtree all follow from the
 * code, so a subtree is a range of codes: an index range scan, never a walk. */
#ifndef SAFECOMM_REGION_H
#define SAFECOMM_REGION_H

#define REGION_CODE_MAX 24

enum region_level {
    RL_INVALID = -1,
    RL_PROVINCE,
    RL_CITY,
    RL_COUNTY,
    RL_TOWNSHIP,
    RL_VILLAGE,
    RL_GRID
};

enum region_level region_level_of(const char *code);
const char *region_level_name(enum region_level l);
/* The level in Chinese ("乡镇（街道）"); NULL for RL_INVALID. */
const char *region_level_label(enum region_level l);
enum region_level region_level_parse(const char *name);
/* Parent code into out; 0 on success, -1 for a province or an invalid code. */
int region_parent_of(const char *code, char out[REGION_CODE_MAX]);
/* The half-open range [lo, hi) of codes in code's subtree, itself included. */
void region_subtree(const char *code, char lo[REGION_CODE_MAX], char hi[REGION_CODE_MAX]);
/* 1 when code is inside the subtree of root (or equal). */
int region_within(const char *code, const char *root);

#endif
