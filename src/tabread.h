/* tabread: streams the rows of an uploaded .csv or .xlsx file to a callback,
 * one row at a time, so a large file is never held whole in memory (bulk import).
 * Ownership: the cells are owned by tabread and valid only during the callback. */
#ifndef SAFECOMM_TABREAD_H
#define SAFECOMM_TABREAD_H

#include <stddef.h>

/* Limits: a row with a value beyond column 1024, or a cell longer than 32 KiB
 * (bytes of UTF-8), fails the whole read with a message naming the row. */
#define TABREAD_MAX_COLS 1024
#define TABREAD_MAX_CELL (32 * 1024)

/* Limits on what a small .xlsx may expand to (a zip bomb), each named in the
 * message of a read that passes it, which then fails with TABREAD_TOO_LARGE:
 * one XML part, and all parts together, uncompressed (the size the zip
 * declares is checked before anything is inflated, the bytes actually
 * inflated as they come); the text of the shared strings held in memory and
 * their number. */
#define TABREAD_MAX_PART_MB  128
#define TABREAD_MAX_TOTAL_MB 192
#define TABREAD_MAX_SST_MB   32
#define TABREAD_MAX_SST      1000000

/* tabread_file's result when a limit above was passed. */
#define TABREAD_TOO_LARGE (-2)

/* Called once per row that has at least one cell (blank CSV lines and <row>
 * elements without values are skipped, but still counted in rowno). cells[i]
 * is never NULL: missing cells are "". Rows are passed as they are: ncells is
 * the number of cells up to the last one present, and may differ from row to
 * row. Return 0 to go on, a positive value to stop. */
typedef int (*tabread_row_fn)(void *ctx, long rowno, const char *const *cells, size_t ncells);

/* format: "csv", "xlsx", or NULL to sniff from the file's first bytes (PK\3\4 = xlsx).
 * rowno is the 1-based spreadsheet row number (the header is row 1 normally).
 * CSV must be UTF-8 (a BOM is stripped). For .xlsx the first sheet is read;
 * numbers come as written ("12", not "12.0"), booleans as "1"/"0", date-formatted
 * numbers as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (time-only formats: "HH:MM:SS").
 * Returns 0 on success, the callback's value if it stopped, TABREAD_TOO_LARGE past a
 * limit above, or -1 for any other failure; both with a Chinese message in err (e.g.
 * "文件不是有效的 Excel 文件"). err may be NULL. */
int tabread_file(const char *path, const char *format, tabread_row_fn fn, void *ctx, char *err,
                 size_t errlen);

/* The .xlsx limits as a parameter: tabread_file reads with
 * tabread_upload_limits (the TABREAD_MAX_* above), what an upload from the
 * network may expand to. A caller reading a file it trusts (the command
 * line's import of a file on disk) may pass larger ones; the values are
 * named in the messages as they are here. */
struct tabread_limits {
    int part_mb;   /* one XML part, uncompressed */
    int total_mb;  /* all the parts read, uncompressed */
    int sst_mb;    /* the shared strings' text held in memory */
    int sst_items; /* and their number */
};
extern const struct tabread_limits tabread_upload_limits;
int tabread_file_limits(const char *path, const char *format, const struct tabread_limits *lim,
                        tabread_row_fn fn, void *ctx, char *err, size_t errlen);

#endif
