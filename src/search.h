/* search: substring search that finds one- and two-character Chinese terms,
 * on top of SQLite FTS5's plain unicode61 tokenizer. Text is indexed as
 * unigrams (column uni) and overlapping bigrams (column bi) of each run of
 * letters and digits; a query becomes the matching phrase of bigrams, or one
 * unigram. Returned strings live in the caller's arena. */
#ifndef SAFECOMM_SEARCH_H
#define SAFECOMM_SEARCH_H

#include "arena.h"
#include "buf.h"

/* Appends the grams of text to uni and bi (space separated). */
void search_grams(const char *text, buf *uni, buf *bi);
/* An FTS5 MATCH expression for q, or NULL when q has no letters or digits. */
char *search_match_expr(arena *a, const char *q);

#endif
