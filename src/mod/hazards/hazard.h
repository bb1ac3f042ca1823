/* hazard: the state machine of a hazard (隐患闭环), per section 3 of the
 * domain reference. The table hazard_transitions is the whole machine: which
 * action moves a hazard from which states to which, under which permission
 * and with which required fields. Every step writes a hazard_steps row and an
 * audit entry in the caller's transaction. */
#ifndef SAFECOMM_HAZARD_H
#define SAFECOMM_HAZARD_H

#include <jansson.h>
#include <stdio.h>
#include "arena.h"
#include "db.h"

struct audit_actor;

#define HAZARD_MAX_FROM   4
#define HAZARD_MAX_FIELDS 4

/* An extension must be asked at least this many working days before the
 * deadline (reference section 3: "extension asked >= 20 working days before
 * the deadline"). */
#define HAZARD_EXTENSION_LEAD_DAYS 20

struct hazard_transition {
    const char *action;
    const char *from[HAZARD_MAX_FROM]; /* NULL-terminated when shorter */
    const char *to;                    /* NULL: the state stays */
    const char *perm;                  /* "hazard:assign" */
    const char *required[HAZARD_MAX_FIELDS];
};

extern const char *const hazard_states[];
extern const int hazard_nstates;
extern const struct hazard_transition hazard_transitions[];
extern const int hazard_ntransitions;

const struct hazard_transition *hazard_transition_find(const char *action);

/* Applies in (an object with "action" and the action's fields) to hazard id
 * inside the caller's transaction. Returns 0 on success, 403, 404, 409 or 422
 * (*msg names why; errors gets {field: message} for 422), or a DB_ERR_*
 * status. *msg is an arena string. */
int hazard_apply(db_conn *c, arena *a, const struct audit_actor *who, const char *id, json_t *in,
                 json_t *errors, const char **msg);

/* The hazards entity's created hook (entity.h): a hazard imported in a
 * later state than reported gets a first history step "import" (reported ->
 * its state, note 台账导入), so that its history still ends in its state; an
 * imported notice number moves its township's and year's counter past it,
 * so that the next notice never repeats it. Inside the caller's transaction. */
int hazard_created(db_conn *c, arena *a, const struct audit_actor *who, const char *key,
                   json_t *obj, int importing);

/* `safecomm check`: each hazard's state is the to_state of its last step
 * ("reported" without steps). Returns the number of failures. */
int hazard_check(db_conn *c, FILE *out);

/* The township (乡镇) of a region code: its code into code and its name
 * (an arena string, "" when the township row is missing) into *name.
 * Returns DB_OK or a DB_ERR_* status. */
int hazard_township_of(db_conn *c, const char *region, char code[16], const char **name, arena *a);

/* The routes of the module's three files, registered by the module
 * (hazards.c): the transitions, history and board (hazard.c); the notice,
 * GET /api/v1/hazards/{id}/notice.html and notice.pdf (hazard_notice.c);
 * the map, GET /api/v1/hazards/map (hazard_map.c). */
void hazard_routes_register(void);
void hazard_notice_routes_register(void);
void hazard_map_routes_register(void);

#endif
