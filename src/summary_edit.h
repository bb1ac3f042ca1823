/* summary_edit: the office's own text in a work summary (工作总结), kept per
 * region, year and campaign (table summary_edits, migration 0016) and laid
 * over the generated summary each time it is written, in every format.
 *
 * Two kinds of edit:
 * - "edit": a generated paragraph rewritten. The paragraph is found by its
 *   stable key (doc.h: "chapter/part/N", the N-th paragraph a module's part
 *   writes in a chapter), so the edit survives the summary's regeneration.
 *   When the edit is saved, the numbers of the generated paragraph are its
 *   figures, in reading order ("45", "14.3", "2025"). A number of the
 *   edited text equal to one of them is stored as a placeholder "{i}" tied
 *   to the i-th figure: when the data change, the edited text shows the new
 *   value that the generated paragraph now has at that place. Any other
 *   number is kept as typed and marked 手填 (typed by hand). When the
 *   generated paragraph no longer has as many figures as when the edit was
 *   saved (its wording changed), the saved values are shown and the edit is
 *   marked stale (需核对). When the paragraph is not written at all any more
 *   (its data are gone), the edit is not shown but listed as hidden.
 * - "add": a paragraph of the office's own (leaders' attention, good
 *   practice, problems the data cannot see) at the end of a chapter, or
 *   after a given paragraph. Its numbers are all typed by hand.
 * A literal "{" of the text is stored as "{{".
 *
 * The console's preview (report_doc_json) gains, on each edited or added
 * paragraph, "edit": {"id", "kind", "segments": [{"text"} | {"text",
 * "figure": i} | {"text", "hand": true}], "generated" (edit: the text the
 * summary would have), "stale"}, and the summary "hidden_edits".
 *
 * API (region, year and campaign as the work summary's query): POST
 * /api/v1/reports/summary-edits {kind, key | chapter [, after], text},
 * PUT /api/v1/reports/summary-edits/{id} {text}, DELETE …/{id} (revert an
 * edit to the generated text, or remove an added paragraph). Writing needs
 * report:write in the region; every write is audited in its transaction. */
#ifndef SAFECOMM_SUMMARY_EDIT_H
#define SAFECOMM_SUMMARY_EDIT_H

#include <jansson.h>

#include "db.h"
#include "doc.h"

struct req;

/* Lays the stored edits of (region, year, campaign) over d. When notes is
 * not NULL it receives (new reference) {"by_key": {key: edit}, "hidden":
 * [...]} for summary_edit_annotate. DB_OK or an error status. */
int summary_edit_apply(db_conn *c, doc *d, const char *region, int year, const char *campaign,
                       json_t **notes);
/* Adds the notes to report_doc_json's answer. */
void summary_edit_annotate(json_t *preview, json_t *notes);

/* The campaign of a request's ?campaign= ("safe" when absent), or NULL
 * with a 400 queued. */
const char *summary_edit_campaign(struct req *r);

/* The routes; build writes a summary as generated (report_work_summary,
 * handed in so that this file does not include report.h, which includes
 * this one). */
void summary_edit_routes_register(doc *(*build)(arena *a, json_t *stats, const char *campaign));

#endif
