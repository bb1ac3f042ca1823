/* Fuzzes the CSV reader (src/tabread.c, libcsv underneath) through
 * tabread_file, as an import reads an upload: the bytes are written to a
 * file. Every row handed over must keep tabread.h's promises: cells never
 * NULL, at most TABREAD_MAX_COLS of them, none longer than
 * TABREAD_MAX_CELL, rows numbered upwards; a failure has a message. */
#include "fuzz.h"
#include "tabread.h"
#include "util.h"

#include <stdio.h>
#include <unistd.h>

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(LOG_ERROR + 1);
    snprintf(path, sizeof path, "/tmp/safecomm-fuzz-csv-%ld", (long)getpid());
    return 0;
}

struct seen {
    long last_row;
    long rows;
};

static int on_row(void *ctx, long rowno, const char *const *cells, size_t n)
{
    struct seen *s = ctx;
    if (n == 0 || n > TABREAD_MAX_COLS || rowno <= s->last_row)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!cells[i] || strlen(cells[i]) > TABREAD_MAX_CELL)
            abort();
    s->last_row = rowno;
    return ++s->rows == 100000 ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct seen s = {0};
    char err[256] = "x";
    int rc = tabread_file(path, "csv", on_row, &s, err, sizeof err);
    if (rc != 0 && rc != 7 && rc != -1 && rc != TABREAD_TOO_LARGE)
        abort();
    if (rc < 0 && !err[0])
        abort(); /* a failure always says why */
    unlink(path);
    return 0;
}
