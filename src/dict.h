/* dict: the code tables (dictionaries), versioned data in the database. A
 * dict_cache loads each table once per operation (a request, an import) and
 * lives in that operation's arena. Also the HTTP API /api/v1/dicts. */
#ifndef SAFECOMM_DICT_H
#define SAFECOMM_DICT_H

#include "arena.h"
#include "db.h"

struct dict_cache;

struct dict_cache *dict_cache_new(arena *a, db_conn *c);
/* 1 when the dictionary exists. */
int dict_exists(struct dict_cache *dc, const char *dict);
/* The label of code in the current version; NULL when the code is unknown. */
const char *dict_label(struct dict_cache *dc, const char *dict, const char *code);
/* The i-th code of the current version in the table's own order (sort,
 * then code); NULL past the end. */
const char *dict_code_at(struct dict_cache *dc, const char *dict, int i);
/* The code whose code or label equals text; NULL when none. */
const char *dict_code_for(struct dict_cache *dc, const char *dict, const char *text);
/* All labels joined with "、", for templates and messages. */
const char *dict_labels_joined(struct dict_cache *dc, const char *dict);

void dict_routes_register(void);

#endif
