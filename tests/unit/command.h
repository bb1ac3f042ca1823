/* command_output: what a shell command prints, for the unit tests that read
 * a rendered PDF back with poppler's tools (test_pdfdoc, test_doc). */
#ifndef SAFECOMM_TEST_COMMAND_H
#define SAFECOMM_TEST_COMMAND_H
#include <stdio.h>

#include "buf.h"

/* The standard output of line (run by the shell), NUL-terminated and
 * malloc'd; NULL when it cannot run or exits non-zero. */
static char *command_output(const char *line)
{
    FILE *p = popen(line, "r");
    if (!p)
        return NULL;
    buf b;
    buf_init(&b, (size_t)16 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(&b, chunk, n);
    if (pclose(p) != 0) {
        buf_free(&b);
        return NULL;
    }
    buf_append(&b, "", 1);
    return buf_detach(&b, NULL);
}

#endif
