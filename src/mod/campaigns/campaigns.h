/* campaigns: the module of the campaigns themselves (创建活动, section 1 of
 * the domain reference): a region's campaign of one type (安全社区, 无毒社区,
 * 民主法治示范, 文明社区) with its type's steps (the county's 进度指导计划,
 * kept as the dictionary campaign_step) and its milestones; the county's
 * targets and the townships' shares; the progress board; the funds given;
 * and the county's supervision inspections (专项检查/检查指导), whose
 * findings are rectification items tracked until closed.
 *
 * The steps and the milestones belong to a small state machine
 * (campaign.c): a step is completed only through POST
 * /api/v1/campaigns/{id}/transitions, and only with evidence (uploaded
 * files or linked records). This header is the module's, shared by its
 * files and modules.c. */
#ifndef SAFECOMM_MOD_CAMPAIGNS_H
#define SAFECOMM_MOD_CAMPAIGNS_H

#include <jansson.h>
#include <stdio.h>

#include "arena.h"
#include "db.h"
#include "module.h"
#include "report.h"
#include "stats.h"

struct audit_actor;

extern const struct module campaigns_module;

/* A title is valid this many years; then the campaign is re-evaluated. */
#define CAMPAIGN_TITLE_YEARS 3

/* campaign.c: the created hook of campaigns (entity.h): copies the type's
 * steps from the dictionary campaign_step, each planned its months after
 * the start, and sets the campaign's current step. */
int campaign_created(db_conn *c, arena *a, const struct audit_actor *who, const char *key,
                     json_t *obj, int importing);

/* campaign.c: applies one step of the machine to campaign id inside the
 * caller's transaction: {"action":"complete","step","done_on","files",
 * "records","note", and the milestone's fields} or {"action":"plan","step",
 * "planned_on"}. 0 on success; 403, 404, 409 or 422 (*msg says why, errors
 * gets {field: message}); or a DB_ERR_* status. */
int campaign_apply(db_conn *c, arena *a, const struct audit_actor *who, const char *id, json_t *in,
                   json_t *errors, const char **msg);

/* campaign.c: a finding's step: {"action":"close","result","photos"} or
 * {"action":"report_progress","note"}. As campaign_apply. */
int finding_apply(db_conn *c, arena *a, const struct audit_actor *who, const char *id, json_t *in,
                  json_t *errors, const char **msg);

/* campaign.c: the routes (transitions, steps, history, the board). */
void campaign_routes_register(void);

/* campaign.c: `safecomm check`: a completed step has evidence; a
 * campaign's state, current step and milestones agree with its steps (so
 * the board, which reads them, counts what the steps say); a finding's
 * state agrees with its history. Returns the number of failures. */
int campaign_check(db_conn *c, FILE *out);

/* campaign_stats.c: the sections and the summary's parts. */
#define CAMPAIGN_NSTATS   5
#define CAMPAIGN_NSUMMARY 3
extern const struct stats_section *const campaign_stats[CAMPAIGN_NSTATS];
extern const struct summary_part campaign_summary[CAMPAIGN_NSUMMARY];

/* campaign_demo.c: targets, campaigns of the four types at different steps
 * (one town named provincial, one late), funds, and two supervision
 * inspections with findings. */
int campaign_demo(struct demo_ctx *d, char **err);
/* `demo --scale`: funds and supervision inspections in proportion. */
int campaign_demo_scale(struct demo_ctx *d, char **err);

#endif
