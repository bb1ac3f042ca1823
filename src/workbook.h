/* workbook: the statistical workbook of a region and a year (one XLSX, one
 * sheet per module with statistics, a 合计 row per table and native Excel
 * charts), for `safecomm report workbook`. */
#ifndef SAFECOMM_WORKBOOK_H
#define SAFECOMM_WORKBOOK_H

#include "db.h"

struct user;

/* Writes the workbook of region's subtree for year as u may read it to
 * path. 0, or -1 with a malloc'd message in *err. */
int workbook_write(db_conn *c, const struct user *u, const char *region, int year, const char *path,
                   char **err);

#endif
