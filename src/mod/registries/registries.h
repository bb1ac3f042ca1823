/* registries: the people registries of the drug-free, rule-of-law and
 * civilised campaigns (issue 15). Persons (one record per resident, one per
 * ID number), help-education subjects (帮教) with their planned and done
 * visits, talks and tests and their status machine, disputes and the
 * mediation committees (矛盾纠纷调解), rental houses and their tenants
 * (流动人口及出租房), and dangerous houses (危房) with their closing
 * machine. The visits to households in need live with the households, in
 * the care module.
 *
 * Files: registries.c (the entities), reg_machine.c (the two state
 * machines, their history and check; a village worker's scheduled visits),
 * reg_stats.c (figures and the summaries' paragraphs), reg_demo.c (the demo
 * county's synthetic persons). Shared only by them and modules.c. */
#ifndef SAFECOMM_MOD_REGISTRIES_H
#define SAFECOMM_MOD_REGISTRIES_H

#include <stdio.h>

#include "db.h"
#include "module.h"

struct demo_ctx;
struct entity;
struct stats_section;
struct summary_part;

extern const struct module registries_module;

/* registries.c */
extern const struct entity reg_persons, reg_help_subjects, reg_help_visits, reg_committees,
    reg_disputes, reg_rental_houses, reg_tenants, reg_dangerous_houses;

/* reg_machine.c */
void reg_routes(void);
int reg_check(db_conn *c, FILE *out);

/* reg_stats.c: the figures, and the summaries' paragraphs */
extern const struct stats_section reg_help_stats, reg_help_visit_stats, reg_dispute_stats,
    reg_house_stats;
struct summary;
void reg_summary_help(struct summary *x);
void reg_summary_mediation(struct summary *x);
void reg_summary_housing(struct summary *x);
/* The parts of registries_module (report.h's struct summary_part). */
#define REG_SUMMARY_PARTS                                                                          \
    {.chapter = "help_education",                                                                  \
     .rank = 10,                                                                                   \
     .write = reg_summary_help,                                                                    \
     .campaigns = "drug_free"},                                                                    \
        {.chapter = "mediation",                                                                   \
         .rank = 10,                                                                               \
         .write = reg_summary_mediation,                                                           \
         .campaigns = "rule_of_law"},                                                              \
        {.chapter = "housing",                                                                     \
         .rank = 10,                                                                               \
         .write = reg_summary_housing,                                                             \
         .campaigns = "civilized"},

/* reg_demo.c */
int reg_demo(struct demo_ctx *d, char **err);
/* `demo --scale`: the registries' records in proportion to the scale. */
int reg_demo_scale(struct demo_ctx *d, char **err);

#endif
