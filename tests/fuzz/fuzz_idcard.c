/* Fuzzes the resident ID number validator and mask (src/idcard.c): never a
 * crash or an overread, a reason exactly when invalid, and a mask that is
 * NUL-terminated within its buffer and never shows the middle digits. */
#include "fuzz.h"
#include "idcard.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *id = fuzz_cstr(data, size);
    const char *why = "unset";
    int rc = idcard_validate(id, &why);
    if ((rc == 0) != (why == NULL) || (rc != 0 && rc != -1))
        abort();
    if (rc == 0 && strlen(id) != 18)
        abort();
    char out[19];
    idcard_mask(id, out, sizeof out);
    if (!memchr(out, '\0', sizeof out))
        abort();
    if (rc == 0 && (strlen(out) != 18 || strncmp(out + 6, "********", 8) != 0))
        abort();
    char tiny[5];
    idcard_mask(id, tiny, sizeof tiny);
    if (!memchr(tiny, '\0', sizeof tiny))
        abort();
    free(id);
    return 0;
}
