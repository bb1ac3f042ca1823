/* perms: the Chinese label of every permission a role may hold: each
 * entity's :read and :write (and :reveal when one of the entities of that
 * permission has a sensitive field), the platform's fixed ones and the
 * modules' own. The role editor (GET /permissions), the account page
 * (GET /session's permission_labels) and the audit log name them so. */
#ifndef SAFECOMM_PERMS_H
#define SAFECOMM_PERMS_H

#include "arena.h"

#include <jansson.h>

/* [{"permission","label"}] (a new reference; the strings are copied). */
json_t *perms_labels(arena *a);

#endif
