/* Fuzzes the XLSX reader (src/tabread.c: libzip + expat) through
 * tabread_file. Random bytes rarely make a zip, so the input is the XML of
 * the parts, which this target packs into a well-formed .xlsx with libzip:
 * the worksheet, the shared strings, the styles and the workbook, separated
 * by lines "--"; missing parts get a minimal default. An input that starts
 * with "PK" is used as the file itself, so that zip-level seeds also run.
 * The rows must keep tabread.h's promises (see fuzz_csv.c). */
#include "fuzz.h"
#include "tabread.h"
#include "util.h"

#include <stdio.h>
#include <unistd.h>
#include <zip.h>

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(LOG_ERROR + 1);
    snprintf(path, sizeof path, "/tmp/safecomm-fuzz-xlsx-%ld.xlsx", (long)getpid());
    return 0;
}

static int on_row(void *ctx, long rowno, const char *const *cells, size_t n)
{
    long *rows = ctx;
    (void)rowno;
    if (n == 0 || n > TABREAD_MAX_COLS)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!cells[i] || strlen(cells[i]) > TABREAD_MAX_CELL)
            abort();
    return ++*rows == 100000 ? 7 : 0;
}

#define NS "http://schemas.openxmlformats.org/"

static void add(zip_t *z, const char *name, const char *text, size_t len)
{
    zip_source_t *src = zip_source_buffer(z, text, len, 0);
    zip_int64_t i = src ? zip_file_add(z, name, src, ZIP_FL_OVERWRITE) : -1;
    /* stored, not deflated: the inflating is libzip's, the parsing ours */
    if (i < 0 || zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0) != 0)
        abort();
}

/* Packs the parts into the .xlsx at path; the part texts must outlive the
 * zip_close (libzip reads the buffers then). */
static void pack(char *s)
{
    char *part[4] = {NULL};
    int n = 0;
    for (char *p = s; n < 4;) {
        part[n++] = p;
        char *sep = strstr(p, "\n--\n");
        if (!sep)
            break;
        *sep = '\0';
        p = sep + 4;
    }
    static const char rels[] =
        "<Relationships xmlns=\"" NS "package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" NS "officeDocument/2006/relationships/officeDocument\" "
        "Target=\"xl/workbook.xml\"/></Relationships>";
    static const char wbrels[] =
        "<Relationships xmlns=\"" NS "package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" NS "officeDocument/2006/relationships/worksheet\" "
        "Target=\"worksheets/sheet1.xml\"/>"
        "<Relationship Id=\"rId2\" Type=\"" NS "officeDocument/2006/relationships/sharedStrings\" "
        "Target=\"sharedStrings.xml\"/>"
        "<Relationship Id=\"rId3\" Type=\"" NS "officeDocument/2006/relationships/styles\" "
        "Target=\"styles.xml\"/></Relationships>";
    static const char workbook[] = "<workbook xmlns:r=\"" NS "officeDocument/2006/relationships\">"
                                   "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
                                   "</sheets></workbook>";
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z)
        abort();
    add(z, "_rels/.rels", rels, sizeof rels - 1);
    add(z, "xl/_rels/workbook.xml.rels", wbrels, sizeof wbrels - 1);
    add(z, "xl/worksheets/sheet1.xml", part[0], strlen(part[0]));
    add(z, "xl/sharedStrings.xml", part[1] ? part[1] : "<sst/>", part[1] ? strlen(part[1]) : 6);
    add(z, "xl/styles.xml", part[2] ? part[2] : "<styleSheet/>", part[2] ? strlen(part[2]) : 13);
    add(z, "xl/workbook.xml", part[3] ? part[3] : workbook,
        part[3] ? strlen(part[3]) : sizeof workbook - 1);
    if (zip_close(z) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
            abort();
    } else {
        pack(s);
    }
    long rows = 0;
    char err[256] = "x";
    int rc = tabread_file(path, "xlsx", on_row, &rows, err, sizeof err);
    if (rc != 0 && rc != 7 && rc != -1 && rc != TABREAD_TOO_LARGE)
        abort();
    if (rc < 0 && !err[0])
        abort();
    unlink(path);
    free(s);
    return 0;
}
