/* authn: how a request proves who it is, decided in one place: a request
 * that sends no Authorization header but a session cookie is a browser
 * session (session.c); anything else must be an API token (auth.c). It is
 * the http_config.authenticate of the server. The struct user it sets lives
 * in the request's arena. */
#ifndef SAFECOMM_AUTHN_H
#define SAFECOMM_AUTHN_H

#include "http.h"

/* Sets r->user; on refusal queues the reply (401, 403 or 503) and returns
 * -1. */
int authn_request(req *r);

#endif
