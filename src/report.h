/* report: the year-end work summary (工作总结) of a region, written from the
 * year's statistics (stats.c) as a doc (doc.h) and rendered as Markdown,
 * HTML, PDF or DOCX. The outline follows the summaries county and township
 * offices write by hand (an opening; organisation and volunteers; publicity
 * and training; investigation and rectification; the townships' or villages'
 * figures side by side; care for households in need; 存在的主要问题; next
 * year's plan). This file holds the outline and the shared wording; each
 * module writes its own paragraphs into the outline's chapters (struct
 * summary_part), and every figure quoted is one of the statistics, with its
 * year-on-year change (同比). The problems and the plan are derived from the
 * figures, never invented.
 *
 * A section the reader may not see (no read permission on its module) is
 * left out of the text, as it is left out of the statistics.
 *
 * Each campaign (安全社区, 无毒社区, 民主法治示范社区, 文明社区) has its own
 * outline: title, opening, chapters and their order, as its seed summary has
 * them. A chapter whose parts write nothing is left out, so a campaign whose
 * records do not exist yet says nothing rather than invent.
 *
 * Served as GET /api/v1/reports/work-summary?region=&year=&campaign=&format=
 * (md|html|pdf|docx, or json: the blocks for the console's preview), the
 * outlines as GET /api/v1/reports/outlines, and by `safecomm report
 * work-summary --campaign C`.
 *
 * Ownership: the doc lives in the arena a; stats is borrowed. */
#ifndef SAFECOMM_REPORT_H
#define SAFECOMM_REPORT_H

#include <jansson.h>

#include "arena.h"
#include "doc.h"

/* ---- what a module writes with ---- */

/* The summary being written; valid during a part's write call. */
struct summary;

/* A module's part: written into the chapter keyed chapter of the
 * campaign's outline (report.c; GET /api/v1/reports/outlines lists them)
 * after the parts of lower rank. The safe-community outline has "targets",
 * "organisation", "publicity", "rectification", "projects", "children",
 * "livelihood", "support", "results" (the year's accidents and injuries, the
 * results the work is judged by), "problems" and "plan"; the others name
 * their own ("help_education", "mediation", "donations", …).
 *
 * campaigns lists the campaign types the part writes for, separated by
 * spaces ("drug_free", "safe rule_of_law"), or "*" for every campaign whose
 * outline has the chapter; NULL is "safe", the summary the first modules were
 * written for. */
struct summary_part {
    const char *chapter;
    int rank;
    void (*write)(struct summary *x);
    const char *campaigns;
};

/* The statistics section name of the answer, or NULL when the reader may
 * not see it (then the part writes nothing). */
json_t *summary_section(struct summary *x, const char *name);
/* The per-child rows of the answer (stats.h). */
json_t *summary_children(struct summary *x);
arena *summary_arena(struct summary *x);
/* "全县", "全镇", … from the region's name; the year; the as-at day as
 * "2025年12月31日"; the region's population (0 when unknown). */
const char *summary_all(struct summary *x);
/* The campaign the summary is written for: "safe", "drug_free",
 * "rule_of_law" or "civilized". */
const char *summary_campaign(struct summary *x);
/* The region's code. */
const char *summary_region(struct summary *x);
/* The region's level: "county", "township", … */
const char *summary_region_level(struct summary *x);
int summary_year(struct summary *x);
const char *summary_asof(struct summary *x);
long long summary_population(struct summary *x);

/* A paragraph, or a numbered subheading "（一）text", in the part's chapter:
 * the chapter's heading comes before its first paragraph, so a chapter
 * whose parts write nothing is left out. */
void summary_para(struct summary *x, const char *text);
void summary_subheading(struct summary *x, const char *text);
/* A table of a breakdown (stats.h: [{label, count[, extra]}]) with a
 * 构成比 column and a 合计 row. extra may be NULL. */
void summary_table_by_kind(struct summary *x, json_t *list, const char *head,
                           const char *count_head, const char *extra, const char *extra_head);
/* In the "children" chapter: a sentence added to its introduction. In
 * "problems": a problem and (or NULL) the plan that answers it. In "plan":
 * a standing plan. text is kept, not copied: an arena string or static. */
void summary_note(struct summary *x, const char *text);
void summary_problem(struct summary *x, const char *problem, const char *plan);
void summary_plan(struct summary *x, const char *plan);

/* Wording shared by the modules: an integer figure of obj (0 when absent);
 * "42.9%" ("—" without a base); the change from last year as the summaries
 * put it ("同比下降55.6%"); "培训63场（13210人次）、宣传66场" from a
 * breakdown. Strings live in the summary's arena. */
long long summary_int(json_t *obj, const char *key);
const char *summary_pct(struct summary *x, long long num, long long den);
const char *summary_change(struct summary *x, long long cur, long long prev);
/* The same in the results' wording: "同比下降30%", "同比增长12.5%" (a
 * trailing .0 dropped), "与上年持平", and "新增, 无基数" when the year
 * before had none. */
const char *summary_change_pct(struct summary *x, long long cur, long long prev);
const char *summary_kinds(struct summary *x, json_t *list, const char *unit, const char *extra,
                          const char *extra_unit);

/* The campaign types, in the order the console lists them, and the label
 * of one ("无毒社区"), or NULL for a type that is not one. */
extern const char *const report_campaigns[];
extern const int report_ncampaigns;
const char *report_campaign_label(const char *campaign);

/* The summary of campaign (one of report_campaigns) as a document, from the
 * output of stats_compute. */
doc *report_work_summary(arena *a, json_t *stats, const char *campaign);

/* The blocks as JSON for the console's preview: {"title","blocks":[{"kind",
 * "text"} | {"kind":"table","rows":[[…]]}]}. New reference. */
json_t *report_doc_json(const doc *d);

void report_routes_register(void);

#endif
