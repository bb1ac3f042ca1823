/* authn: see authn.h. An Authorization header wins over a cookie, so that a
 * script holding a token is never taken for the browser it runs beside. */
#include "authn.h"
#include "auth.h"
#include "session.h"

int authn_request(req *r)
{
    if (!req_header(r, "Authorization") && session_cookie(r))
        return session_authenticate(r);
    return auth_token_authenticate(r);
}
