/* static_files: serves the built browser UI from app.web_root: content types,
 * ETag and If-None-Match, a precompressed .gz beside a file when the client
 * accepts gzip, and index.html for any other path (the UI routes itself). */
#ifndef SAFECOMM_STATIC_FILES_H
#define SAFECOMM_STATIC_FILES_H

#include "http.h"

/* The server's http_config.fallback: answers any request outside /api that
 * no route matched. */
void static_serve(req *r);

#endif
