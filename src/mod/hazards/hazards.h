/* hazards: the module of the hazard loop (隐患排查整治): units, inspections
 * and hazards. hazard.h is the state machine's contract; this header is the
 * module's, shared by its files. */
#ifndef SAFECOMM_MOD_HAZARDS_H
#define SAFECOMM_MOD_HAZARDS_H

#include "module.h"
#include "report.h"
#include "stats.h"

extern const struct module hazards_module;

/* hazard_stats.c: the sections units, inspections and hazards, and the
 * summary's paragraphs. */
#define HAZARD_NSTATS   3
#define HAZARD_NSUMMARY 6
extern const struct stats_section *const hazard_stats[HAZARD_NSTATS];
extern const struct summary_part hazard_summary[HAZARD_NSUMMARY];
/* hazard.c: the machine's actions and the audit log's other codes. */
#define HAZARD_NAUDIT_LABELS 22
extern const struct audit_label hazard_audit_labels[HAZARD_NAUDIT_LABELS];

/* hazard_demo.c: units, inspections and hazards in every state. */
int hazard_demo(struct demo_ctx *d, char **err);
/* `demo --scale`: units, inspections and hazards in proportion. */
int hazard_demo_scale(struct demo_ctx *d, char **err);

#endif
