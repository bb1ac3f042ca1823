/* ident: see ident.h. ICU does the Unicode work: its NFKC_Casefold
 * normaliser is maintained with every Unicode version, which a hand-made
 * table would not be. */
#include "ident.h"

#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

int ident_key(const char *s, char *out, size_t n)
{
    UChar src[IDENT_KEY_MAX], dst[IDENT_KEY_MAX];
    UErrorCode err = U_ZERO_ERROR;
    int32_t len = 0, klen = 0;
    if (!s || !*s || n == 0 || strlen(s) >= IDENT_KEY_MAX)
        return -1;
    const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&err);
    if (U_FAILURE(err))
        return -1;
    /* Strict conversion: an ill-formed byte is an error, not U+FFFD, so
     * that two different invalid names never share a key by accident. */
    u_strFromUTF8(src, IDENT_KEY_MAX, &len, s, -1, &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
        return -1;
    len = unorm2_normalize(nf, src, len, dst, IDENT_KEY_MAX, &err);
    if (U_FAILURE(err) || len >= IDENT_KEY_MAX || len == 0)
        return -1;
    u_strToUTF8(out, (int32_t)n, &klen, dst, len, &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING || (size_t)klen >= n)
        return -1;
    return 0;
}
