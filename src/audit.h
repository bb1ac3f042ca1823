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

/* Who acts: a request's user and address, or the command line. */
struct audit_actor {
    const struct user *user; /* NULL for the system */
    const char *ip;
};

/* Appends an entry; c must be inside a write transaction. changes may be
 * NULL; it is not taken. Returns DB_OK or an error status. */
int audit_write(db_conn *c, const struct audit_actor *who, const char *action, const char *entity,
                const char *entity_id, const char *region, json_t *changes, const char *reason);

/* Verifies the hash chain; prints the first broken entry. 0 when intact. */
int audit_verify(db_conn *c, FILE *out);

void audit_routes_register(void);

#endif
