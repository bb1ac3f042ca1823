/* crypto: protection of sensitive fields (ID numbers, phone numbers,
 * addresses of registry persons). A value is stored three ways: sealed with
 * XChaCha20-Poly1305 under the current field key ("<key id>:<base64>"), as a
 * keyed BLAKE2b hash of its normal form for exact look-up, and as a mask for
 * display. The key file holds one key per line ("ID HEX"); the first line is
 * the base of the hash keys, which never change; the last is the current
 * encryption key, and older lines stay to open older values.
 *
 * Strings returned by crypto_* are malloc'd; the caller frees them. */
#ifndef SAFECOMM_CRYPTO_H
#define SAFECOMM_CRYPTO_H

#include <stddef.h>

/* Reads the key file (creating it when create and missing). 0 on success. */
int crypto_keys_load(const char *path, int create, char **err);
/* Appends a new key line and makes it current (for `safecomm rekey`). */
int crypto_key_add(const char *path, char **err);
int crypto_current_key_id(void);

/* ad binds the ciphertext to its column ("entity.field"). */
char *crypto_seal(const char *ad, const char *plain);
/* NULL when the value cannot be opened (unknown key, tampered). */
char *crypto_open(const char *ad, const char *sealed);
/* Key id of a sealed value, or -1. */
int crypto_sealed_key_id(const char *sealed);

/* The normal form of a value of the given kind ("idcard", "phone", "date",
 * "text"). */
char *crypto_normalize(const char *kind, const char *value);
void crypto_lookup_hash(const char *ad, const char *normalized, char out[65]);
/* What a reader without the reveal sees of a value (docs/security.md,
 * "Masks"): an ID number 110**************X, a phone 138****5678 (11 or more
 * characters; 7 to 10 keep the last 2; shorter ones read ****), a date its
 * year (1980-**-**), text about a third of it, at most 6 characters, then
 * ****. The stored mask is this display, nothing more. */
char *crypto_mask(const char *kind, const char *value);

#endif
