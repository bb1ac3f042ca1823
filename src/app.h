/* app: the process-wide state a handler may read: the database, the key
 * material and the server's settings. One instance, set up by main before
 * the server starts and read-only afterwards. */
#ifndef SAFECOMM_APP_H
#define SAFECOMM_APP_H

#include <stddef.h>
#include "db.h"

#define APP_KEY_BYTES 32

struct app {
    db *db;
    const char *db_uri;
    const char *key_file;
    unsigned char master_key[APP_KEY_BYTES];
    unsigned char token_key[APP_KEY_BYTES];  /* keyed hash of tokens and sessions */
    unsigned char lookup_key[APP_KEY_BYTES]; /* keyed hash of sensitive values */
    unsigned char field_key[APP_KEY_BYTES];  /* encryption of sensitive values */
    unsigned char audit_key[APP_KEY_BYTES];  /* the audit log's hash chain */
    int field_key_id;                        /* key id of field_key */
    const char *web_root;                    /* built UI, may not exist */
    size_t body_cap;                         /* JSON bodies */
    size_t upload_cap;                       /* imported files */
    int metrics_public;                      /* /metrics beyond loopback */
    const char *trusted_proxies;             /* CIDRs whose X-Forwarded-For is believed */
};

extern struct app app;

#endif
