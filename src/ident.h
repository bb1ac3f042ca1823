/* ident: the look-alike key of a name. Two usernames that a person cannot
 * tell apart ("admin", "Admin", "ＡＤＭＩＮ" in full width) have the same key:
 * Unicode NFKC with full case folding (NFKC_Casefold, by ICU). The users
 * table keeps the key of each username in a unique column, so a look-alike
 * of an existing user cannot be created. */
#ifndef SAFECOMM_IDENT_H
#define SAFECOMM_IDENT_H

#include <stddef.h>

/* The key is at most this many bytes with its terminator; a longer one is
 * refused. */
#define IDENT_KEY_MAX 256

/* Writes the key of s (UTF-8) into out (n bytes, at least IDENT_KEY_MAX
 * is always enough). 0 on success; -1 when s is not valid UTF-8, is empty,
 * or its key does not fit. */
int ident_key(const char *s, char *out, size_t n);

#endif
