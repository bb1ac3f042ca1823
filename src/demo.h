/* demo: a deterministic demo county (regions, users and two years of records
 * in every module) for `safecomm demo`, `make run` and the tests. The
 * platform makes the regions, the boundaries and the demo users; each module
 * adds its records through its demo hook (module.h) with the helpers below,
 * all inside one transaction.
 *
 * Each module draws from its own random stream, seeded by --seed and the
 * module's name, so adding a module leaves the others' records unchanged.
 *
 * Ownership: objects given to demo_add are taken; strings written into
 * caller buffers; *err is malloc'd. */
#ifndef SAFECOMM_DEMO_H
#define SAFECOMM_DEMO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "db.h"

struct audit_actor;

#define DEMO_COUNTY       "511621000000"
#define DEMO_TOWNSHIP     "511621101000" /* the demo user `town`'s */
#define DEMO_VILLAGE      "511621101001" /* the demo user `village`'s */
#define DEMO_MAX_VILLAGES 200

struct demo_ctx {
    db_conn *c;
    const struct audit_actor *who;
    const char *password; /* of the demo users */
    const char *now;
    int nvillages;
    const char (*villages)[32]; /* codes */
    const char (*vnames)[48];   /* names */
    uint64_t rng;               /* the module's stream */
    /* `demo --scale` only (0 and NULL in the demo itself): the counties the
     * scale stands for (county 1, city 10, province 100), the divisor of
     * every size (a test's 100), and the platform's writer. villages then
     * lists every village of the scaled area. */
    int counties;
    long divisor;
    struct demo_scale *scale;
    /* and its townships, each village's township's index among them */
    int ntownships;
    const char (*townships)[16];
    const int *village_township;
};

/* The scales of `safecomm demo --scale`: the demo county grown to 300
 * villages, and with ten (city) or a hundred (province) such counties. */
#define DEMO_SCALE_VILLAGES 300 /* a scaled county's villages */

/* Loads the demo into an initialised database. 0 on success. */
int demo_load(db *d, unsigned seed, const char *password, char **err);

/* `safecomm demo --scale county|city|province [--scale-divisor N]` on a
 * database that holds the demo county: adds the regions, then calls each
 * module's demo_scale hook, whose rows go through the generic writer
 * (entity_writer: validation, sealing, search index, aggregates, one audit
 * entry per entity and chunk) in transactions of DEMO_SCALE_CHUNK rows. A
 * progress line goes to progress (stderr), the counts and the rate to out.
 * 0, or -1 with a malloc'd message in *err. */
#define DEMO_SCALE_CHUNK 50000
int demo_scale_load(db *d, const char *scale, long divisor, unsigned seed, FILE *out,
                    FILE *progress, char **err);
/* The size of a scaled run for per_county rows in a county (at least 1). */
long demo_scale_n(const struct demo_ctx *d, long per_county);
/* The rows of one entity through the writer: begin (total: what the
 * progress line counts to), add each (obj taken; the new id into *id when
 * given), end. 0, or -1 with *err (a refused row names its fields). */
int demo_bulk_begin(struct demo_ctx *d, const char *entity, long total, char **err);
int demo_bulk_add(struct demo_ctx *d, json_t *obj, int64_t *id, char **err);
int demo_bulk_end(struct demo_ctx *d, char **err);

/* 0 .. n-1 from the module's stream. */
unsigned demo_rnd(struct demo_ctx *d, unsigned n);
/* A day of year, "YYYY-MM-DD". */
void demo_date(struct demo_ctx *d, int year, char out[11]);
/* A plausible Chinese name. */
void demo_person_name(struct demo_ctx *d, char *out, size_t n);
/* A valid resident ID number (GB 11643) born on birth ("YYYY-MM-DD"). */
void demo_id_number(struct demo_ctx *d, const char *birth, char out[19]);
/* The two-syllable place name i ("青林"), for the names of units. */
void demo_place(int i, char *out, size_t n);
/* A point inside the cell of village code on the demo map; n numbers it. */
void demo_geo_place(const char *code, unsigned n, double *lng, double *lat);
/* Creates a record of entity through entity_create, the API's path
 * (validation, search index, encryption, audit). obj is taken; the new key
 * into key when given. 0, or -1 with *err. */
int demo_add(struct demo_ctx *d, const char *entity, json_t *obj, char *key, size_t keylen,
             char **err);
/* A demo login with the demo password (kept when it exists). */
int demo_add_user(struct demo_ctx *d, const char *username, const char *display, const char *role,
                  const char *region, char **err);
/* One statement with text parameters. 0, or -1 with *err. */
int demo_exec(struct demo_ctx *d, const char *sql, int n, const char *const *p, char **err);

#endif
