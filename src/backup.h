/* backup: `safecomm backup` and `restore` for SQLite. A backup is one zip
 * archive:
 *   manifest.json   format "safecomm-backup", version, time, schema version,
 *                   the key's fingerprint (crypto_key_fingerprint, never the
 *                   key), the audit head, the database's SHA-256, the files
 *   safecomm.db     the database, copied with SQLite's online backup API
 *   files/ab/<id>   the files directory (photos), content-addressed
 * The key file is never in it: it must be kept apart, and restore needs the
 * same one. Restore refuses a backup whose fingerprint is not the loaded
 * key's, checks every file's content against its name, puts the files in
 * place and then replaces the database. A plain database file (a backup of
 * an older version) is still accepted. */
#ifndef SAFECOMM_BACKUP_H
#define SAFECOMM_BACKUP_H

#include "db.h"

/* Writes the archive to out, which must not exist (never overwritten).
 * The server may be running. 0, or -1 and a malloc'd message in *err. */
int backup_write(db *d, const char *out, char **err);
/* Restores the archive (or a plain database file) at in into d and the files
 * directory. The caller has made sure no server uses d, and migrates after.
 * 0, or -1 and a malloc'd message in *err. */
int backup_restore(db *d, const char *in, char **err);

#endif
