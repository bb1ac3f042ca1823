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

/* A stored value is bound to its row: the additional data is
 * "entity.field#row" (row: the record's id or code), and the value is
 * "<key id>:v2:<base64>", so a value copied to another row or column no
 * longer opens. */
char *crypto_seal_row(const char *entity, const char *field, const char *row, const char *plain);
/* NULL when the value cannot be opened (unknown key, another row, tampered).
 * A legacy value ("<key id>:<base64>", bound to its column only) still opens
 * with "entity.field"; crypto_sealed_row_bound tells the two apart. */
char *crypto_open_row(const char *entity, const char *field, const char *row, const char *sealed);
int crypto_sealed_row_bound(const char *sealed);

/* Legacy column-bound sealing (ad "entity.field"); kept for the unit tests
 * and for values written before rows were bound. crypto_open refuses a
 * row-bound value. */
char *crypto_seal(const char *ad, const char *plain);
char *crypto_open(const char *ad, const char *sealed);
/* Key id of a sealed value, or -1; whether the key file holds that id. */
int crypto_sealed_key_id(const char *sealed);
int crypto_has_key(int id);

/* A keyed hash that names the key file's first key (the base of the audit
 * chain and look-up keys) without revealing it: 64 hex characters. Stored
 * in the database (key_fingerprint) and in each backup's manifest. */
void crypto_key_fingerprint(char out[65]);

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
