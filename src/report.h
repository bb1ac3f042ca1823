/* report: the year-end work summary (工作总结) of a region, written from the
 * year's statistics (stats.c) as a doc (doc.h) and rendered as Markdown,
 * HTML, PDF or DOCX. The structure follows the summaries county and township
 * offices write by hand (an opening; 一、organisation and volunteers;
 * 二、publicity and training; 三、hazard investigation and rectification;
 * the townships' or villages' figures side by side; care for households in
 * need; 存在的主要问题; next year's plan), and every figure quoted is one of
 * the statistics, with its year-on-year change (同比). The problems and the
 * plan are derived from the figures (overdue hazards, a low rectification
 * rate, sub-regions without any publicity), never invented.
 *
 * A section the reader may not see (no read permission on its module) is
 * left out of the text, as it is left out of the statistics.
 *
 * Served as GET /api/v1/reports/work-summary?region=&year=&format=
 * (md|html|pdf|docx, or json: the blocks for the console's preview) and by
 * `safecomm report work-summary`.
 *
 * Ownership: the doc lives in the arena a; stats is borrowed. */
#ifndef SAFECOMM_REPORT_H
#define SAFECOMM_REPORT_H

#include <jansson.h>

#include "arena.h"
#include "doc.h"

/* The summary as a document, from the output of stats_compute. */
doc *report_work_summary(arena *a, json_t *stats);

/* The blocks as JSON for the console's preview: {"title","blocks":[{"kind",
 * "text"} | {"kind":"table","rows":[[…]]}]}. New reference. */
json_t *report_doc_json(const doc *d);

void report_routes_register(void);

#endif
