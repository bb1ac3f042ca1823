/* Unit tests for files: id validation, accepted types, the directory's
 * default, content sniffing with libmagic (by bytes, whatever they are
 * called), hex hashing, If-None-Match matching, and the store's
 * write-then-rename into DIR/ab/<id> with dedupe. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "harness.h"
#include "../../src/files.c"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

static void test_id_valid(void)
{
    const char *good = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    CHECK_INT(files_id_valid(good), 1);
    CHECK_INT(files_id_valid("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"),
              0);
    CHECK_INT(files_id_valid("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"), 0);
    CHECK_INT(files_id_valid("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555"),
              0);
    CHECK_INT(files_id_valid("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
              0);
    CHECK_INT(files_id_valid("../../../../../../../../../../../../../../../../etc/passwd.."), 0);
    CHECK_INT(files_id_valid(""), 0);
    CHECK_INT(files_id_valid(NULL), 0);
}

static void test_ext_of(void)
{
    CHECK_STR(files_ext_of("image/jpeg"), "jpg");
    CHECK_STR(files_ext_of("image/png"), "png");
    CHECK_STR(files_ext_of("image/webp"), "webp");
    CHECK_STR(files_ext_of("image/gif"), "gif");
    CHECK(files_ext_of("image/svg+xml") == NULL);
    CHECK(files_ext_of("text/html") == NULL);
    CHECK(files_ext_of("image/jpeg; charset=binary") == NULL);
    CHECK(files_ext_of(NULL) == NULL);
}

static void test_configure(void)
{
    files_configure(NULL, "/var/lib/safecomm/county.db");
    CHECK_STR(files_dir(), "/var/lib/safecomm/county.db.files");
    files_configure(NULL, "postgresql://safecomm@db/safecomm");
    CHECK(files_dir() == NULL);
    files_configure("/srv/files", "postgresql://safecomm@db/safecomm");
    CHECK_STR(files_dir(), "/srv/files");
    files_configure("", "/x.db");
    CHECK_STR(files_dir(), "/x.db.files");
}

static const char *sniffed(const void *data, size_t len)
{
    static char out[128];
    if (sniff(data, len, out, sizeof out) != 0)
        return "(libmagic unavailable)";
    return out;
}

static void test_sniff(void)
{
    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',
                                         'I',  'F',  0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
                                         0x00, 0x01, 0x00, 0x00, 0xff, 0xd9};
    static const unsigned char png[] = {0x89, 'P',  'N',  'G',  0x0d, 0x0a, 0x1a, 0x0a, 0x00,
                                        0x00, 0x00, 0x0d, 'I',  'H',  'D',  'R',  0x00, 0x00,
                                        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00,
                                        0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89};
    static const char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!"
                              "\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00"
                              "\x00\x02\x02\x44\x01\x00;";
    static const char webp[] = "RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10"
                               "\x07\x10\x11\x11\x88\x88\xfe\x07\x00";
    CHECK_STR(sniffed(jpeg, sizeof jpeg), "image/jpeg");
    CHECK_STR(sniffed(png, sizeof png), "image/png");
    CHECK_STR(sniffed(gif, sizeof gif - 1), "image/gif");
    CHECK_STR(sniffed(webp, sizeof webp - 1), "image/webp");
    const char *text = "这不是图片，只是文字。\n";
    CHECK(files_ext_of(sniffed(text, strlen(text))) == NULL);
    const char *svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    CHECK(files_ext_of(sniffed(svg, strlen(svg))) == NULL);
    const char *html = "<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>";
    CHECK(files_ext_of(sniffed(html, strlen(html))) == NULL);
    CHECK(files_ext_of(sniffed("", 0)) == NULL);
}

static void test_hex_and_etag(void)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[FILES_ID_LEN + 1];
    crypto_hash_sha256(h, (const unsigned char *)"", 0);
    hex_of(h, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_INT(files_id_valid(hex), 1);
    crypto_hash_sha256(h, (const unsigned char *)"abc", 3);
    hex_of(h, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    const char *id = hex;
    char q[200];
    snprintf(q, sizeof q, "\"%s\"", id);
    CHECK_INT(http_etag_matches(q, id), 1);
    CHECK_INT(http_etag_matches(id, id), 1);
    snprintf(q, sizeof q, "W/\"%s\"", id);
    CHECK_INT(http_etag_matches(q, id), 1);
    snprintf(q, sizeof q, "\"aaaa\", \"%s\"", id);
    CHECK_INT(http_etag_matches(q, id), 1);
    CHECK_INT(http_etag_matches("*", id), 1);
    snprintf(q, sizeof q, "\"%sx\"", id);
    CHECK_INT(http_etag_matches(q, id), 0);
    snprintf(q, sizeof q, "\"x%s\"", id);
    CHECK_INT(http_etag_matches(q, id), 0);
    CHECK_INT(http_etag_matches("\"e3b0c44298fc1c149afbf4c8996fb924\"", id), 0);
    CHECK_INT(http_etag_matches(NULL, id), 0);
    /* The static files' tags: size-mtime, with -gz for the gzip body. */
    CHECK_INT(http_etag_matches("\"1f-2a\"", "1f-2a"), 1);
    CHECK_INT(http_etag_matches("\"1f-2a-gz\"", "1f-2a"), 0);
    CHECK_INT(http_etag_matches("\"1f-2a\"", "1f-2a-gz"), 0);
    CHECK_INT(http_etag_matches("W/\"1f-2a-gz\", \"x\"", "1f-2a-gz"), 1);
    CHECK_INT(http_etag_matches("\"*\"", "1f-2a"), 0);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_store(void)
{
    char tmpl[] = "/tmp/files-test-XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);
    char *dir = xasprintf("%s/store", tmpl); /* created by the first write */
    files_configure(dir, "postgresql://x/y");
    arena *a = arena_new();
    const unsigned char data[] = "pretend image bytes";
    unsigned char h[crypto_hash_sha256_BYTES];
    char id[FILES_ID_LEN + 1];
    crypto_hash_sha256(h, data, sizeof data);
    hex_of(h, id);
    CHECK_INT(store_put(a, id, data, sizeof data), 0);
    const char *path = path_of(a, id);
    CHECK_STR(path, arena_printf(a, "%s/%.2s/%s", dir, id, id));
    char got[FILES_ID_LEN + 1];
    long long size = 0;
    CHECK_INT(hash_file(path, got, &size), 0);
    CHECK_STR(got, id);
    CHECK_INT(size, (long long)sizeof data);
    /* Again: reused, and no temp file is left beside it. */
    CHECK_INT(store_put(a, id, data, sizeof data), 0);
    CHECK_INT(count_entries(dir), 1);
    CHECK_INT(count_entries(arena_printf(a, "%s/%.2s", dir, id)), 1);
    CHECK_INT(hash_file(arena_printf(a, "%s/missing", dir), got, &size), -1);
    unlink(path);
    rmdir(arena_printf(a, "%s/%.2s", dir, id));
    rmdir(dir);
    rmdir(tmpl);
    arena_free(a);
    free(dir);
    files_configure(NULL, NULL);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_id_valid();
    test_ext_of();
    test_configure();
    test_sniff();
    test_hex_and_etag();
    test_store();
    return TEST_REPORT();
}
