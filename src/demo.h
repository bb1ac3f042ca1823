/* demo: a deterministic demo county (regions, users and two years of records
 * in every module) for `safecomm demo`, `make run` and the tests. */
#ifndef SAFECOMM_DEMO_H
#define SAFECOMM_DEMO_H

#include "db.h"

/* Loads the demo into an initialised database. 0 on success. */
int demo_load(db *d, unsigned seed, const char *password, char **err);

#endif
