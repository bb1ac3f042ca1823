/* migrations: the numbered schema migrations under migrations/<dialect>/,
 * compiled into the binary by scripts/embed-migrations.sh. Static data. */
#ifndef SAFECOMM_MIGRATIONS_H
#define SAFECOMM_MIGRATIONS_H

#include <stddef.h>

struct db_migration {
    int version;
    const char *name;
    const char *dialect; /* "sqlite" or "pg" */
    const char *sql;
};

extern const struct db_migration db_migrations[];
extern const size_t db_migrations_count;

#endif
