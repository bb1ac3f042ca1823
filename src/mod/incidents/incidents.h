/* incidents: the module of accidents and injuries (事故伤害, issue 13;
 * section 5 of the domain reference): incidents (事故/案件/事件) with their
 * kind, consequences and derived grade, and the person-level injury cases
 * of the national injury surveillance card (伤害病例). Their statistics are
 * read from monthly aggregate tables that triggers keep exact (migration
 * 0010); the work summary's results chapter (事故伤害情况) is written from
 * them. This header is the module's, shared by its files and modules.c. */
#ifndef SAFECOMM_MOD_INCIDENTS_H
#define SAFECOMM_MOD_INCIDENTS_H

#include <stdio.h>

#include "db.h"
#include "module.h"
#include "report.h"
#include "stats.h"

extern const struct module incidents_module;

/* The grade of an accident (the national rule for production safety
 * accidents, used for every event): the highest that any of deaths,
 * seriously injured or direct loss (元) reaches. 特别重大 ≥ 30 deaths, ≥ 100
 * seriously injured or ≥ 1亿元; 重大 ≥ 10, ≥ 50 or ≥ 5000万元; 较大 ≥ 3, ≥ 10
 * or ≥ 1000万元; else 一般. Returns the code of the accident_grade
 * dictionary: "especially_major", "major", "larger" or "general". */
const char *incident_grade(long long deaths, long long seriously_injured, double loss_yuan);

/* incident_stats.c: the sections "incidents" and "injuries" and the
 * summary's results paragraphs. */
#define INCIDENT_NSTATS   2
#define INCIDENT_NSUMMARY 1
extern const struct stats_section *const incident_stats[INCIDENT_NSTATS];
extern const struct summary_part incident_summary[INCIDENT_NSUMMARY];

/* incident_stats.c: `safecomm check`: the aggregate tables equal the raw
 * rows. Returns the number of failures. */
int incident_check(db_conn *c, FILE *out);

/* incident_demo.c: two years of incidents and injury cases, each township
 * with its own profile, and the populations of both years. */
int incident_demo(struct demo_ctx *d, char **err);
/* `demo --scale`: incidents and injury cases in proportion. */
int incident_demo_scale(struct demo_ctx *d, char **err);

#endif
