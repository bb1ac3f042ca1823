/* promotion: the safety promotion projects (安全促进项目) of the working
 * groups. A project records its working group (dictionary work_group) and
 * domain, background, target group and size, measures, resources (funds,
 * people), schedule and status; its process records (activities with the
 * people reached) give its coverage (reached / target group; the standard
 * expects more than 50 %); its goals are indicators bound to DECLARED
 * statistics figures (stats.h), "incidents.road_traffic, change_pct ≤ -30",
 * so that whether a goal is met is computed from the records, never typed.
 * The effect evaluation (GET /api/v1/projects/{id}/effect) joins the
 * indicators, the coverage and the surveys (awareness, satisfaction) and
 * ends in the improvement plan. The statistics section "projects" carries
 * the year's projects with their figures, and the summary's chapter
 * "projects" (安全促进项目) writes one paragraph per working group from it. */
#ifndef SAFECOMM_MOD_PROMOTION_H
#define SAFECOMM_MOD_PROMOTION_H

#include <jansson.h>

#include "db.h"
#include "module.h"

struct user;

extern const struct module promotion_module;

/* Whether actual meets target under op ("le" or "ge"). */
int project_indicator_met(const char *op, double actual, double target);

/* The year's projects of region's subtree (or the one project only_id > 0)
 * with their coverage and evaluated indicators, appended to items, as u
 * may read the figures. DB_OK or a DB_ERR_*. */
int projects_evaluate(db_conn *c, const struct user *u, const char *region, int year,
                      long long only_id, const char *today, json_t *items);

#endif
