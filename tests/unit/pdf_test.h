/* What the unit tests that render PDFs (test_pdfdoc, test_doc) share.
 * Include it once, in the test program.
 *
 * Leak rules: full malloc stacks so that the suppressions can name cairo's
 * and fontconfig's own leaks (see the end of src/main.c) while a cairo or
 * pango object that our code forgets to release is still reported.
 *
 * command_output: what a shell command prints, to read a rendered PDF back
 * with poppler's tools. */
#ifndef SAFECOMM_TEST_PDF_TEST_H
#define SAFECOMM_TEST_PDF_TEST_H
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

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:cairo_surface_finish\nleak:FcInit\n";
}

#endif
