/* checklists: the evaluation checklists (评分表) as data, the evaluations
 * that score a township with them, and the evaluation dossier (评审档案).
 *
 * A checklist is a tree of items with points (checklist_items, parent_id);
 * each leaf item is scored in parts (the national on-site table: exists,
 * evidence, effect, worth 0.8, 1.0 and 1.2 of its 3 points), each part
 * graded from the checklist's grade table (a/b/c/d = 100/70/30/0 %, or
 * A/B/C/C# = 100/66/33/0 %). The thresholds give the verdict (pass,
 * rectify within a set time, fail) and the veto rules override it (any
 * item at 0; residents' satisfaction under a floor). Three checklists are
 * shipped as templates (POST /api/v1/checklists/install) and are editable
 * records afterwards.
 *
 * An evaluation (self-evaluation or expert review) of a township: each
 * reviewer (evaluation:score) grades each part of each item with a comment
 * and evidence links (PUT /api/v1/evaluations/{id}/scores/{item}, one
 * idempotent write per item, as the reviewers' offline queue sends them);
 * GET /api/v1/evaluations/{id}/result combines them (the mean of the
 * reviewers per item unless the evaluation says min or max), gives the
 * verdict and the weakest items; GET …/items adds, where the data can
 * answer, the evidence an item suggests ("应急演练 4 场").
 *
 * The dossier (`safecomm report dossier`, GET /api/v1/reports/dossier): a
 * ZIP with one folder per first-level item of the campaign's checklist
 * (the 12 elements of AQ/T 9001 for a safe community), each with its
 * records as XLSX and their photos, an index page and a completeness
 * report; written file by file, never held in memory whole. */
#ifndef SAFECOMM_MOD_CHECKLISTS_H
#define SAFECOMM_MOD_CHECKLISTS_H

#include <jansson.h>

#include "module.h"

extern const struct module checklists_module;

/* ---- the scoring engine (pure) ---- */

#define CL_MAX_PARTS  8
#define CL_MAX_GRADES 8

struct cl_config {
    int nparts;
    char part_key[CL_MAX_PARTS][24];
    double part_weight[CL_MAX_PARTS]; /* shares of an item's points: weight / Σ weights */
    int ngrades;
    char grade_code[CL_MAX_GRADES][8];
    double grade_share[CL_MAX_GRADES]; /* 0..1 */
    double pass_min, rectify_min;
    int veto_zero;            /* any item at 0 fails */
    double veto_satisfaction; /* satisfaction (%) under it fails; < 0: no such rule */
};

enum cl_verdict { CL_PASS, CL_RECTIFY, CL_FAIL };

/* Reads a checklist's parts ([{key, weight}]) and grades ([{code,
 * share}]) JSON and its thresholds into cfg. 0, or -1 with a message. */
int cl_config_parse(struct cl_config *cfg, const char *parts, const char *grades, double pass_min,
                    double rectify_min, int veto_zero, double veto_satisfaction, const char **msg);
/* An item's points scored from its parts' grades (grades[i] for part i;
 * NULL or unknown grades count 0), to 2 places. */
double cl_item_score(const struct cl_config *cfg, double points, const char *const *grades);
/* The verdict of item scores (n leaves) and satisfaction (< 0: unknown);
 * *why names the veto that decided, or NULL. The total is their sum. */
enum cl_verdict cl_verdict(const struct cl_config *cfg, const double *scores, int n,
                           double satisfaction, double *total, const char **why);
const char *cl_verdict_code(enum cl_verdict v);  /* "pass", "rectify", "fail" */
const char *cl_verdict_label(enum cl_verdict v); /* "通过", "限期整改", "不通过" */

/* ---- shipped templates ---- */

struct cl_template_item {
    const char *code, *title;
    double points;       /* a leaf's; 0 for a first-level item (the sum) */
    const char *hint;    /* evidence: "activities.by_kind.drill", "projects.coverage" */
    const char *records; /* first level: the entities of its dossier folder */
};

struct cl_template {
    const char *key, *name, *campaign, *parts, *grades;
    double pass_min, rectify_min;
    int rectify_days, veto_zero;
    double veto_satisfaction;
    const struct cl_template_item *items; /* level by the code: "1" first, "1.2" second */
    int nitems;
};

extern const struct cl_template cl_templates[];
extern const int cl_ntemplates;
const struct cl_template *cl_template_find(const char *key);

/* The dossier of region for year (campaign: its checklist's first-level
 * items, or the national template's), written to path by who; reveal asks
 * for sensitive values in clear (allowed only with the permission; the
 * caller checked). progress(ctx, done, total) may be NULL. 0, or -1 with a
 * malloc'd message in *err. */
struct audit_actor;
int dossier_write(db_conn *c, const struct audit_actor *who, const char *region, int year,
                  const char *campaign, const char *path, char **err);

#endif
