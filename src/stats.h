/* stats: the year's figures of a region's campaign work, counted in SQL from
 * the records as they were kept (hazards, publicity and training, inspections,
 * volunteers, units, care households). The statistics page shows them, the
 * Excel export lists them, and the year-end work summary (report.c) writes its
 * text from them, so the three never disagree.
 *
 * A year's figures are taken "as at" the end of that year, or today while the
 * year runs: a hazard counts as closed in 2025 only when it was closed by
 * 2025-12-31, overdue when its deadline had passed by then. The answer for a
 * past year therefore does not change with the day it is asked, and two
 * databases holding the same records give the same answer (identical across
 * SQLite and PostgreSQL: every figure is an integer count or a rate computed
 * here from integers, rounded to 4 places; hours to 1 place).
 *
 * Scope: the caller's region subtree (checked by the HTTP handler) and its
 * permissions: a section whose module the user cannot read ("hazard:read",
 * "activity:read", …) is left out, and "sections" lists those present.
 *
 * Ownership: stats_compute returns a new json_t the caller releases. */
#ifndef SAFECOMM_STATS_H
#define SAFECOMM_STATS_H

#include <jansson.h>

#include "db.h"

struct user;
struct req;

/* The figures of region's subtree for year (1949–2100). user decides the
 * sections (the system user gets all). today is "YYYY-MM-DD". Returns DB_OK and
 * *out; DB_DONE when the region does not exist; or an error db_status (<0).
 * *out is NULL unless DB_OK. */
int stats_compute(db_conn *c, const struct user *user, const char *region, int year,
                  const char *today, json_t **out);

/* The year of "2025" (1949–2100, digits only), or -1: the HTTP API's
 * ?year= and the command line's --year. */
int stats_year_parse(const char *s);

/* The columns of the per-child table ("children"), in order, with their
 * Chinese headings: the Excel export and the work summary both print it. A
 * column is present in a child row only when its section is. */
struct stats_column {
    const char *key, *label;
};
extern const struct stats_column stats_child_columns[];
extern const int stats_child_ncolumns;

/* round(v, places) the same way on every machine: half away from zero. */
double stats_round(double v, int places);

/* The figures for an HTTP request: ?region= (default: the caller's region,
 * which must be in scope) and ?year= (default: this year), with the
 * permission report:read. On refusal the reply is queued and -1 returned;
 * else 0 with *out (the caller's) and the region and year used. */
int stats_for_request(struct req *r, const char **region, int *year, json_t **out);

void stats_routes_register(void);

#endif
