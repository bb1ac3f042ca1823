/* fuzz.h: what the libFuzzer targets share (tests/fuzz/fuzz_*.c). Each
 * target is one file, built by `make fuzz` into build/fuzz/<name> against
 * the library compiled with -fsanitize=fuzzer-no-link,address,undefined; a
 * target that needs static functions includes their .c, as the unit tests
 * do. */
#ifndef SAFECOMM_FUZZ_H
#define SAFECOMM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a NUL-terminated string (malloc'd): the functions under test
 * take C strings, as they get them from libmicrohttpd and jansson. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Splits s in place at each '\n' into at most max lines; returns how many. */
static inline int fuzz_lines(char *s, char **out, int max)
{
    int n = 0;
    while (n < max) {
        out[n++] = s;
        char *nl = strchr(s, '\n');
        if (!nl)
            break;
        *nl = '\0';
        s = nl + 1;
    }
    return n;
}

#endif
