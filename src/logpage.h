/* logpage: a filtered, paged read of an append-only log table, newest first
 * (the audit log, the login log), answered as the list envelope. It runs SQL,
 * so it sits above the HTTP core rather than in it.
 *
 * Ownership: the query and its strings are the caller's (usually static);
 * values taken from the request live in the request's arena. */
#ifndef SAFECOMM_LOGPAGE_H
#define SAFECOMM_LOGPAGE_H

#include <jansson.h>

#include "db.h"
#include "http.h"

/* scope is the caller's condition over $1..$nscope (values scope_vals; ""
 * for none); each filter whose query parameter is present adds
 * " AND <cond>" with "%d" for its parameter number, and day_end makes a date
 * mean the end of that day. row turns the current row (columns as listed)
 * into an item. */
struct log_filter {
    const char *key;  /* query parameter: "user" */
    const char *cond; /* "username = $%d" */
    int day_end;
};
struct log_query {
    const char *from;    /* "audit_log" or "login_log l" */
    const char *columns; /* the SELECT list of the page */
    const char *id_col;  /* newest first by this column */
    const char *scope;
    const char *const *scope_vals;
    int nscope;
    const struct log_filter *filters;
    int nfilters;
    json_t *(*row)(db_stmt *s);
    /* Called with the page's items before the reply, after the statement
     * is done (labels read from other tables); NULL: none. */
    void (*decorate)(req *r, json_t *items);
};

/* Queues the page, or the 400/503 reply. */
void logpage_reply(req *r, const struct log_query *q);

#endif
