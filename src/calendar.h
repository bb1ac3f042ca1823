/* calendar: the working-day calendar kept as data (holidays and make-up
 * workdays per year), its HTTP API, and "the N-th working day after D" for
 * deadlines. The arithmetic itself is in workday.c. */
#ifndef SAFECOMM_CALENDAR_H
#define SAFECOMM_CALENDAR_H

#include "db.h"

/* The n-th working day after date (not counting it) into out; 0 on success. */
int calendar_add_workdays(db_conn *c, const char *date, int n, char out[11]);
void calendar_routes_register(void);

#endif
