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

/* Verifies the hash chain; prints the first broken entry. Then compares the
 * head file: the log must still hold every entry it records, with the same
 * hash. 0 when intact. */
int audit_verify(db_conn *c, FILE *out);

/* The head file (SQLite: DB.audit-head beside the database): after each
 * commit that wrote entries, one line "<last id> <hash>" is appended, so a
 * database rewound to an earlier head no longer agrees with it. NULL: none.
 * Also installs the commit hook (db_end_hook_set). */
void audit_head_file_set(const char *path);
const char *audit_head_file(void);
/* After a restore: the old file is kept as PATH.before-restore and a new one
 * starts at the restored database's head. */
int audit_head_file_reset(db_conn *c, char **err);

/* Whether the loaded key made entry 1 of the log: 1 yes, 0 no, -1 no entry
 * (for databases older than the key fingerprint). */
int audit_key_matches(db_conn *c);

/* Whether the loaded key file is this database's: compares its fingerprint
 * (crypto_key_fingerprint) with the one the database records, or, in a
 * database that records none yet, recomputes the audit log's first entry.
 * record: store the fingerprint when the database has none and nothing
 * contradicts the key (init, restore). 0 when the key belongs to the
 * database, 1 when it does not (*err: a one-line message that says so), -1
 * on a database error (*err). */
int audit_key_check(db_conn *c, int record, char **err);

#endif
