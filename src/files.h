/* files: the store of uploaded files (photos of hazards and other records).
 * The bytes live in one directory that every server of a deployment shares
 * (serve --files-dir DIR; for SQLite it defaults to DB.files beside the
 * database), as DIR/ab/<sha256 hex>: named by the content's hash, never by
 * the client's file name, so identical uploads are stored once. The type is
 * sniffed from the content with libmagic; only JPEG, PNG, WebP and GIF
 * images of at most FILES_MAX_BYTES are accepted. The database holds each
 * file's sniffed type and size (files), who uploaded it (file_uploads) and
 * the records it is attached to (attachments).
 *
 * Who may read a file: whoever uploaded it, and, once attached, anyone who
 * may read one of its records. Files knows records only by their names
 * (entity, key); whether a user may read one is a rule given to it at
 * start-up (files_record_rule_set; the entity layer's scope, permission and
 * unit rules). Everyone else is answered as if it did not exist.
 *
 * Ownership: the directory string given to files_configure is copied. JSON
 * values passed in are borrowed; *msg strings are static or arena strings. */
#ifndef SAFECOMM_FILES_H
#define SAFECOMM_FILES_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include "arena.h"
#include "db.h"

struct user;

#define FILES_MAX_BYTES      ((size_t)10 * 1024 * 1024)
#define FILES_MAX_PER_RECORD 9
#define FILES_ID_LEN         64 /* lowercase hex SHA-256 */

/* Sets the files directory from --files-dir (may be NULL) and the database
 * URI: without the option a SQLite database uses "DB.files"; PostgreSQL has
 * no default, and reading or storing a file then fails with a message that
 * asks for --files-dir. Call once before serving. */
void files_configure(const char *dir, const char *db_uri);
/* The configured directory, or NULL when there is none. */
const char *files_dir(void);

/* 1 when id is FILES_ID_LEN lowercase hex digits. */
int files_id_valid(const char *id);
/* The file name extension of an accepted type ("jpg"), or NULL when the
 * type is not accepted. */
const char *files_ext_of(const char *mime);

/* Whether u may read the record (entity, key) a file is attached to: 1
 * when it may, 0 when not (or no such record), or a DB_ERR_* status. It may
 * run statements on c. */
typedef int (*files_record_rule)(db_conn *c, arena *a, const struct user *u, const char *entity,
                                 const char *key);
/* Sets the rule, once before serving. Without one, an attachment grants
 * nothing: only the uploader reads a file. */
void files_record_rule_set(files_record_rule rule);

/* Checks ids (a JSON array, the value of a files field or a transition's
 * "photos"): at most FILES_MAX_PER_RECORD valid ids, each of a stored file
 * that u may read. 0 when good; 422 with *msg (a Chinese reason) when not;
 * a DB_ERR_* status on a database failure. u NULL means the system. */
int files_ids_check(db_conn *c, arena *a, const struct user *u, json_t *ids, const char **msg);

/* Attaches each file of ids to the record (entity, key) of region inside
 * the caller's transaction; attachments already present are kept. ids has
 * passed files_ids_check in this transaction (or is the record's stored
 * value), so it is not checked again. DB_OK or a DB_ERR_* status. */
int files_attach(db_conn *c, const char *entity, const char *key, const char *region, json_t *ids);

/* `safecomm check`: each attached file is in the store with the hash and
 * size its row records. Returns the number of failed checks (0 or 1). */
int files_check(db_conn *c, FILE *out);

void files_routes_register(void);

#endif
