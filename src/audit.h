/* audit: the append-only audit log. Every write (and every reveal or read of
 * a sensitive record) adds one entry inside the writer's own transaction, so
 * the entry exists exactly when the change does. Entries are chained: each
 * hash covers the previous hash and the entry's content, keyed with a key
 * from the key file, and `safecomm check` verifies the chain. */
#ifndef SAFECOMM_AUDIT_H
#define SAFECOMM_AUDIT_H

#include <jansson.h>
#include <stdio.h>
#include "db.h"

struct user;
struct req;

/* Who acts: a request's user and address, or the command line. */
struct audit_actor {
    const struct user *user; /* NULL for the system */
    const char *ip;
};

/* Appends an entry; c must be inside a write transaction. changes may be
 * NULL; it is not taken. Returns DB_OK or an error status. */
int audit_write(db_conn *c, const struct audit_actor *who, const char *action, const char *entity,
                const char *entity_id, const char *region, json_t *changes, const char *reason);

/* One way out of the system: an export, a download, a report or a notice,
 * from the API or the command line (docs/security.md: every way out is
 * audited). Writes one entry with action "export", entity what (a declared
 * entity's name, or "stats", "work_summary", ...), id (one record's key, or
 * NULL) and region (what the output covers), and as its changes
 * {"kind", "filter", "rows"}: kind says which way (xlsx, csv, template, md,
 * pdf, html, docx, json), filter the query that chose the rows (an object,
 * not taken; may be NULL; sensitive values must already read "***"), rows
 * how many rows left (-1: the output is not a table of rows). Commits its
 * own transaction when c is in none. Call it before anything is handed
 * over, and hand nothing over when it fails: nothing leaves unaudited.
 * DB_OK or an error status. */
int audit_export(db_conn *c, const struct audit_actor *who, const char *what, const char *id,
                 const char *region, const char *kind, json_t *filter, long rows);

/* audit_export for a request's user and address on its connection. On
 * failure the error reply is queued and -1 returned: send nothing else. */
int audit_export_request(struct req *r, const char *what, const char *id, const char *region,
                         const char *kind, json_t *filter, long rows);

/* Verifies the hash chain; prints the first broken entry. 0 when intact. */
int audit_verify(db_conn *c, FILE *out);

void audit_routes_register(void);

#endif
