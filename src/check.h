/* check: `safecomm check`, the verification of the database's integrity and
 * of the application's invariants. Prints one line per check to out. */
#ifndef SAFECOMM_CHECK_H
#define SAFECOMM_CHECK_H

#include <stdio.h>
#include "db.h"

/* Returns the number of failed checks. */
int check_run(db *d, FILE *out);

#endif
