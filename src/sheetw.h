/* sheetw: writes a table to .xlsx (libxlsxwriter, constant memory: rows are
 * streamed to disk in order) or .csv (chosen by the file name), for exports
 * and import templates. Rows and columns are 0-based; row 0 is the header. */
#ifndef SAFECOMM_SHEETW_H
#define SAFECOMM_SHEETW_H

#include <stddef.h>

struct sheetw;

/* Formula injection: in .csv, a text cell that begins (after any quotes)
 * with =, +, -, @, a tab or a carriage return is written with one more
 * leading apostrophe, so a spreadsheet shows it as text instead of running
 * it; tabread drops that apostrophe again on reading a CSV, so an export
 * imports back to the same values. 1 when s (n bytes) gets it. */
int sheetw_csv_guarded(const char *s, size_t n);

/* NULL with a malloc'd message in *err on failure. */
struct sheetw *sheetw_open(const char *path, const char *sheet_name, char **err);
void sheetw_header(struct sheetw *w, int ncols, const char *const *labels, const int *widths);
void sheetw_text(struct sheetw *w, int row, int col, const char *s);
void sheetw_number(struct sheetw *w, int row, int col, double v);
/* A fraction 0..1 shown as a per cent with one decimal (xlsx; csv: v). */
void sheetw_percent(struct sheetw *w, int row, int col, double v);
void sheetw_date(struct sheetw *w, int row, int col, const char *yyyy_mm_dd);
/* A second sheet of notes (xlsx only); call after all rows of the first. */
void sheetw_notes(struct sheetw *w, const char *title, int nrows, const char *const *lines);
/* Finishes and frees w. 0 on success. */
int sheetw_close(struct sheetw *w, char **err);

#endif
