/* stats: the year's figures of a region's campaign work, counted in SQL from
 * the records as they were kept. Each module declares its sections and
 * their figures (struct stats_section, below); this file runs them. The statistics page shows them, the
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
 * permissions: a section whose permission the user lacks (its module's
 * read permission) is left out, and "sections" lists those present.
 *
 * Ownership: stats_compute returns a new json_t the caller releases. */
#ifndef SAFECOMM_STATS_H
#define SAFECOMM_STATS_H

#include <jansson.h>

#include "arena.h"
#include "db.h"

struct user;
struct req;

/* The figures of region's subtree for year (1949–2100). user decides the
 * sections (the system user gets all). today is "YYYY-MM-DD". Returns DB_OK and
 * *out; DB_DONE when the region does not exist; or an error db_status (<0).
 * *out is NULL unless DB_OK. */
int stats_compute(db_conn *c, const struct user *user, const char *region, int year,
                  const char *today, json_t **out);
/* The same, for the sections named in only ("incidents,injuries"; NULL:
 * all) among those user may read: a page asks only for what it shows. */
int stats_compute_only(db_conn *c, const struct user *user, const char *region, int year,
                       const char *today, const char *only, json_t **out);
/* 1 when every comma-separated name of list is a declared section. */
int stats_sections_valid(const char *list);

/* The years (newest first, at most max, into years and *n) in which
 * region's subtree has records that a year's figures count: a dated figure
 * (one compared with the year's first day) of a section user may read (NULL:
 * all) is not zero. Searched back from today's year two years at a time,
 * until two years without records follow one with, or twenty years without
 * any. DB_OK or an error db_status. */
int stats_years(db_conn *c, const struct user *user, const char *region, const char *today,
                int *years, int max, int *n);

/* The year of "2025" (1949–2100, digits only), or -1: the HTTP API's
 * ?year= and the command line's --year. */
int stats_year_parse(const char *s);

/* ---- figures, declared once by the modules ---- */

enum stats_kind {
    STATS_COUNT, /* an integer count */
    STATS_SUM,   /* a sum written with one decimal: hours */
    STATS_RATE,  /* num / den of two figures of the section: 0..1, 4 places */
    /* num (a count or sum of the section) per 100 000 residents of the
     * region (and of each child, when the figure has a child key) in that
     * year: region_populations of the year, else regions.population; 2
     * places; null without a population. With a STATS_YOY num also
     * "<key>_prev", from the year before's population. */
    STATS_PER100K,
};

enum stats_flag {
    /* Also counted for the year before, as "<key>_prev" (and a child's
     * "<child>_prev"): the expression read with $5/$6 for $3/$4. The
     * region's totals also get "<key>_change" (this year less the year
     * before) and "<key>_change_pct" (that change in per cent of the year
     * before, one decimal: -58.3; null when the year before is 0). */
    STATS_YOY = 1 << 0,
    /* A column of the per-child table: the page, the Excel export and the
     * summary print the same columns, in declaration order. */
    STATS_COLUMN = 1 << 1,
};

/* One figure: its key, its label and unit (the same words on the page, in
 * Excel and in the summary) and how it is computed. The SQL sees the
 * parameters $1/$2 (the region's code range), $3/$4 (the year's first and
 * last day), $5/$6 (the year before's) and $7 (the as-at day). */
struct stats_figure {
    const char *key;   /* in the section's object: "found" */
    const char *label; /* "排查发现隐患" */
    const char *unit; /* "项", "人", "人次", "场", "次", "小时", "家", "户", "支", "%" */
    enum stats_kind kind;
    /* COUNT and SUM: an expression over one row of the section's table,
     * summed per region group (the groups add up to the region and, by code
     * prefix, to each child). */
    const char *expr;
    /* COUNT that groups cannot sum (a distinct count): the aggregate over
     * the region's rows that meet where, totals only. */
    const char *aggregate, *where;
    const char *num, *den; /* RATE: keys of two figures of the section */
    const char *child;     /* its key in a child region's row; NULL: totals only */
    unsigned flags;
};

/* A breakdown: a list of {code, label, count, share} by a dictionary's
 * codes (share: count / the list's total, 0..1, 4 places: 构成比), or
 * twelve monthly counts.
 *
 * A breakdown that names its own col is one statement of its own, with the
 * year before: over table (NULL: the section's) grouped by col, counting
 * count (NULL: each row once) of the rows whose date column falls in the
 * year or the year before and that meet where. Its items add count_prev,
 * change and change_pct (as a figure's, above); a monthly one adds
 * "<key>_prev", the year before's twelve months. Without col, the breakdown
 * is a column of the section's breakdown_cols. */
struct stats_breakdown {
    const char *key;   /* "by_grade" */
    const char *label; /* "隐患等级构成" */
    const char *dict;  /* the key column's dictionary; NULL: the month "MM" */
    const char *col;   /* "kind", "substr(month, 6, 2)" */
    const char *table; /* "injury_cases_by_code" */
    const char *date;  /* "month": compared with the year's first and last day */
    const char *where; /* "dim = 'cause'" */
    const char *count; /* "n" */
    /* With col: the codes are ids of this table's rows, each item labelled
     * by the row's name column ("volunteer_teams": hours per team); rows
     * without one are labelled "未填写". NULL: dict or months. */
    const char *labels;
    /* count is a sum written with one decimal (hours), as a STATS_SUM
     * figure: the items' count, count_prev and change are numbers. */
    int tenths;
};

#define STATS_MAX_BREAKDOWNS 8

/* A section of the answer: one table's figures for a region and a year. */
struct stats_section {
    const char *name;  /* the answer's key: "hazards" */
    const char *label; /* "隐患排查整治" */
    const char *perm;  /* "hazard:read": left out for a user without it */
    const char *table; /* its rows: live (deleted_at IS NULL) in the region's range */
    /* The condition of a live row, for a table without deleted_at (an
     * aggregate kept by triggers: "n <> 0"); NULL: deleted_at IS NULL. */
    const char *live;
    const struct stats_figure *figures;
    int nfigures;
    /* The breakdowns come from one statement grouped by breakdown_cols (one
     * column per breakdown, in order), over the rows that meet
     * breakdown_where, counting rows and summing breakdown_extra. */
    const struct stats_breakdown *breakdowns;
    int nbreakdowns;
    const char *breakdown_cols;  /* "grade, domain, substr(found_at, 6, 2)" */
    const char *breakdown_where; /* "found_at >= $3 AND found_at <= $4", or NULL */
    const char *breakdown_extra; /* "participants" → each item's "participants" */
    /* Optional: what a module adds to the section's object beyond figures
     * and breakdowns (a list of records with values computed from other
     * sections' figures: the promotion projects with their indicators), read
     * with the same user, region, year and day. DB_OK or a DB_ERR_*. */
    int (*detail)(db_conn *c, const struct user *user, const char *region, int year,
                  const char *today, json_t *obj);
};

/* The declared figure key of section, or NULL. */
const struct stats_figure *stats_figure_find(const char *section, const char *key);
/* Its label, for prose that names a figure: the summary says what the page
 * says. key must be declared (an assert). */
const char *stats_label(const char *section, const char *key);

/* The columns of the per-child table, in order: the figures flagged
 * STATS_COLUMN of every module's sections. */
struct stats_column {
    const struct stats_section *section;
    const struct stats_figure *figure;
};
int stats_column_count(void);
struct stats_column stats_column_at(int i);
/* A child row's value of a column as text: a count, a sum with one
 * decimal, a rate as "46.7%" ("—" without a base). a holds the text. */
const char *stats_column_text(arena *a, struct stats_column col, json_t *child);

/* num/den as a percentage with one decimal, "46.7%" (integer arithmetic,
 * the same on every machine); "—" when den is 0. */
const char *stats_pct(arena *a, long long num, long long den);

/* The declarations as JSON, for GET /api/v1/stats/figures: the console
 * takes its labels from here. New reference. */
json_t *stats_figures_json(void);

/* round(v, places) the same way on every machine: half away from zero. */
double stats_round(double v, int places);

/* The figures for an HTTP request: ?region= (default: the caller's region,
 * which must be in scope) and ?year= (default: this year), with the
 * permission report:read. On refusal the reply is queued and -1 returned;
 * else 0 with *out (the caller's) and the region and year used. */
int stats_for_request(struct req *r, const char **region, int *year, json_t **out);

void stats_routes_register(void);

#endif
