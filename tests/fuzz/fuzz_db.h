/* fuzz_db.h: a migrated SQLite database for the entity targets, opened once
 * per fuzzing process in a temporary directory (removed at exit), with a
 * small region tree, and a county administrator in it. */
#ifndef SAFECOMM_FUZZ_DB_H
#define SAFECOMM_FUZZ_DB_H

#include "arena.h"
#include "auth.h"
#include "db.h"
#include "region.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[] = "/tmp/safecomm-fuzz-db-XXXXXX";
static db *fuzz_d;

static void fuzz_db_remove(void)
{
    static const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char *p = xasprintf("%s/f.db%s", fuzz_dir, suffix[i]);
        unlink(p);
        free(p);
    }
    rmdir(fuzz_dir);
}

/* The connection, held for the process's life. */
static db_conn *fuzz_db_open(void)
{
    static const char *rows[][3] = {
        {"510000000000", "四川省", "province"},   {"511600000000", "广安市", "city"},
        {"511621000000", "岳池县", "county"},     {"511622000000", "武胜县", "county"},
        {"511621101000", "九龙街道", "township"}, {"511621101001", "翠湖社区", "village"},
        {"511621101001-01", "一网格", "grid"},
    };
    char *err = NULL;
    if (!mkdtemp(fuzz_dir))
        abort();
    atexit(fuzz_db_remove);
    char *path = xasprintf("%s/f.db", fuzz_dir);
    fuzz_d = db_open(path, 1, &err);
    free(path);
    if (!fuzz_d || db_migrate(fuzz_d, &err) != 0) {
        fprintf(stderr, "fuzz set-up: %s\n", err ? err : "?");
        abort();
    }
    db_conn *c = db_acquire(fuzz_d);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char parent[REGION_CODE_MAX];
        int has_parent = region_parent_of(rows[i][0], parent) == 0;
        const char *p[] = {rows[i][0], rows[i][1], rows[i][2], has_parent ? parent : NULL};
        if (db_exec_params(c,
                           "INSERT INTO regions (code, name, level, parent, created_at, "
                           "updated_at) VALUES ($1, $2, $3, $4, 'x', 'x')",
                           4, p) != DB_OK)
            abort();
    }
    return c;
}

/* A user with every permission whose home is region. */
static struct user *fuzz_user(arena *a, const char *region)
{
    struct user *u = arena_zalloc(a, sizeof *u);
    u->id = 1;
    u->username = "fuzz";
    u->role = "county_admin";
    u->region = region;
    u->nperms = 1;
    u->perms = arena_alloc(a, sizeof *u->perms);
    u->perms[0] = "*";
    region_subtree(region, u->scope_lo, u->scope_hi);
    return u;
}

#endif
