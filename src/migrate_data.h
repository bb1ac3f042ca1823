/* migrate_data: copies a SQLite database into a PostgreSQL one (safecomm
 * migrate-data). Every table the target's schema has is copied in foreign
 * key order with its ids, the search index and the audit chain included;
 * identity sequences are then moved past the largest id. The copy is
 * idempotent and resumable: rows go in batches, each batch in one
 * transaction with its checkpoint (the source rowid reached, per table, in
 * the target's table migrate_data_progress), and a row already present is
 * overwritten with the source's values (audit entries are append-only and
 * are skipped instead). Sensitive fields are copied sealed: the target must
 * use the source's key file. */
#ifndef SAFECOMM_MIGRATE_DATA_H
#define SAFECOMM_MIGRATE_DATA_H

#include "db.h"

#include <stdio.h>

/* src and dst are open; dst is migrated already. Progress goes to out.
 * 0, or -1 and a malloc'd message in *err. */
int migrate_data(db *src, db *dst, const char *source_name, FILE *out, char **err);

#endif
