/* search: substring search that finds one- and two-character Chinese terms.
 * Text is indexed as unigrams (column uni) and overlapping bigrams (column
 * bi) of each run of letters and digits, in the table <entity>_fts keyed by
 * the record's id:
 * - SQLite: an FTS5 table (unicode61 tokenizer, key rowid); a query is the
 *   phrase of a run's bigrams, or its one unigram, for each run.
 * - PostgreSQL: a plain table (id, uni, bi) with a GIN index on
 *   to_tsvector('simple', uni || ' ' || bi); the default parser keeps each
 *   gram (CJK included) as one token. A query is the AND of every gram: no
 *   phrase positions, because tsvector positions stop at 16383 and 256 per
 *   lexeme, which long texts exceed.
 * Either way the index only finds candidates; the caller's substring test
 * (search_like) makes the answer exact, so both give the same rows.
 * Returned strings live in the caller's arena. */
#ifndef SAFECOMM_SEARCH_H
#define SAFECOMM_SEARCH_H

#include "arena.h"
#include "buf.h"
#include "db.h"

#include <stdint.h>

/* Appends the grams of text to uni and bi (space separated). */
void search_grams(const char *text, buf *uni, buf *bi);
/* An FTS5 MATCH expression for q, or NULL when q has no letters or digits. */
char *search_match_expr(arena *a, const char *q);
/* The PostgreSQL tsquery text for q ('ab' & 'bc' & 'x'), or NULL likewise. */
char *search_tsquery(arena *a, const char *q);
/* The backend's query text for q (one of the two above). */
char *search_query(arena *a, enum db_kind k, const char *q);
/* Appends " AND t.id IN (…)": the rows of entity (aliased t) whose index
 * matches the query text bound as $param_no. */
void search_filter_sql(enum db_kind k, const char *entity, int param_no, buf *out);
/* The substring operator that matches SQLite's LIKE (ASCII case folded):
 * "LIKE" or "ILIKE". */
const char *search_like(enum db_kind k);
/* The index table's key column: "rowid" (FTS5) or "id". */
const char *search_index_key(enum db_kind k);
/* Replaces (put) or removes the index row of record id. DB_OK or an error. */
int search_index_put(db_conn *c, const char *entity, int64_t id, const char *uni, const char *bi);
int search_index_remove(db_conn *c, const char *entity, int64_t id);
/* Adds the index row of a record that has none yet (just inserted). */
int search_index_add(db_conn *c, const char *entity, int64_t id, const char *uni, const char *bi);

#endif
