/* doc: one document with every block kind and hostile text, rendered in the
 * four formats. Markdown exactly; HTML escaped; DOCX opened back with libzip
 * (entries, escaped text, header row, fixed times, same bytes twice) and
 * checked by unzip -t; PDF read back with pdftotext. Refusals: bad UTF-8, a
 * table left open, a cap too small, an unknown format; and the asserts on
 * table misuse, in a child process. */
#include "harness.h"
#include "pdf_test.h"
#include "doc.h"
#include "pdfdoc.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

/* The doc of the exact Markdown check: every block kind, hostile text. */
static doc *sample(arena *a)
{
    doc *d = doc_new(a, "九龙镇2025年度工作总结");
    doc_title(d, "九龙镇2025年度工作总结");
    doc_heading(d, "一、隐患排查");
    doc_subheading(d, "（一）总体情况 #1");
    doc_para(d, "# x <script>alert(1)</script> & *bold* _u_ `c` [l](u)\n"
                "- 不是列表\n"
                "2025. 不是编号\n");
    doc_table_begin(d, 3);
    doc_cell(d, "项目");
    doc_cell(d, "数量");
    doc_cell(d, "说明");
    doc_cell(d, "a|b");
    doc_cell(d, "12");
    doc_cell(d, "两行\n说明");
    doc_cell(d, "楼道堆放杂物"); /* the short last row, padded */
    doc_table_end(d);
    doc_signature(d, "九龙镇人民政府\n2025-12-31");
    return d;
}

static const char SAMPLE_MD[] =
    "# 九龙镇2025年度工作总结\n"
    "\n"
    "## 一、隐患排查\n"
    "\n"
    "### （一）总体情况 \\#1\n"
    "\n"
    "\\# x \\<script\\>alert(1)\\</script\\> \\& \\*bold\\* \\_u\\_ \\`c\\` \\[l\\](u)\\\n"
    "\\- 不是列表\\\n"
    "2025\\. 不是编号\n"
    "\n"
    "| 项目 | 数量 | 说明 |\n"
    "| --- | --- | --- |\n"
    "| a\\|b | 12 | 两行 说明 |\n"
    "| 楼道堆放杂物 |  |  |\n"
    "\n"
    "九龙镇人民政府\\\n"
    "2025-12-31\n";

static void test_model(void)
{
    arena *a = arena_new();
    doc *d = sample(a);
    CHECK_INT(doc_nblocks(d), 6);
    CHECK_STR(doc_title_text(d), "九龙镇2025年度工作总结");
    const struct doc_block *t = doc_block_at(d, 4);
    CHECK(t && t->kind == DOC_TABLE);
    if (t) {
        CHECK_INT(t->ncols, 3);
        CHECK_INT(t->nrows, 3);
        CHECK_STR(t->cells[6], "楼道堆放杂物");
        CHECK_STR(t->cells[7], "");
        CHECK_STR(t->cells[8], "");
    }
    CHECK(doc_block_at(d, 6) == NULL);
    CHECK(doc_block_at(d, -1) == NULL);

    /* Strings are copied: the caller's may change after the call. */
    char text[] = "原文";
    doc *e = doc_new(a, NULL);
    doc_para(e, text);
    text[0] = 'X';
    CHECK_STR(doc_block_at(e, 0)->text, "原文");
    CHECK_STR(doc_title_text(e), "");
    /* C0 controls but tab and newline, U+FFFE and U+FFFF are dropped as
     * text is copied in (U+FFFD stays, a truncated sequence is kept for the
     * renderers to refuse). */
    doc_para(e, "a\r\nb\tc\x01\x1b[31md\x7f\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd\xef\xbf");
    CHECK_STR(doc_block_at(e, 1)->text, "a\nb\tc[31md\x7f\xef\xbf\xbd\xef\xbf");

    /* Many blocks and cells: the arrays grow. */
    doc_table_begin(e, 2);
    for (int i = 0; i < 1001; i++)
        doc_cell(e, i % 2 ? "b" : "a");
    doc_table_end(e);
    for (int i = 0; i < 40; i++)
        doc_para(e, "p");
    CHECK_INT(doc_nblocks(e), 43);
    t = doc_block_at(e, 2);
    CHECK_INT(t->nrows, 501);
    CHECK_STR(t->cells[1000], "a");
    CHECK_STR(t->cells[1001], "");
    arena_free(a);
}

static void test_md(void)
{
    arena *a = arena_new();
    doc *d = sample(a);
    buf out;
    buf_init(&out, 1 << 20);
    const char *msg = NULL;
    CHECK_INT(doc_render_md(d, &out, &msg), 0);
    CHECK_STR(buf_str(&out), SAMPLE_MD);

    /* Appends; blank paragraphs and empty tables give nothing; leading
     * blanks (an indented code block) and other block markers are escaped. */
    buf_reset(&out);
    buf_puts(&out, "前文\n");
    doc *e = doc_new(a, "t");
    doc_para(e, "  \n\n");
    doc_table_begin(e, 2);
    doc_table_end(e);
    doc_para(e, "    code?\n> 引用\n+ 加\n= 等\n1) 一\n\n末行\r\n");
    doc_signature(e, "");
    CHECK_INT(doc_render_md(e, &out, &msg), 0);
    CHECK_STR(buf_str(&out), "前文\n"
                             "code?\\\n"
                             "\\> 引用\\\n"
                             "\\+ 加\\\n"
                             "\\= 等\\\n"
                             "1\\) 一\\\n"
                             "\\\n"
                             "末行\n");
    buf_free(&out);
    arena_free(a);
}

static void test_html(void)
{
    arena *a = arena_new();
    doc *d = sample(a);
    buf out;
    buf_init(&out, 1 << 20);
    const char *msg = NULL;
    CHECK_INT(doc_render_html(d, &out, &msg), 0);
    const char *h = buf_str(&out);
    CHECK(strncmp(h, "<!doctype html>\n", 16) == 0);
    CHECK(strstr(h, "<meta charset=\"utf-8\">") != NULL);
    CHECK(strstr(h, "<title>九龙镇2025年度工作总结</title>") != NULL);
    CHECK(strstr(h, "<h1>九龙镇2025年度工作总结</h1>") != NULL);
    CHECK(strstr(h, "<h2>一、隐患排查</h2>") != NULL);
    CHECK(strstr(h, "<h3>（一）总体情况 #1</h3>") != NULL);
    CHECK(strstr(h, "<p># x &lt;script&gt;alert(1)&lt;/script&gt; &amp; *bold*") != NULL);
    CHECK(strstr(h, "<script") == NULL);
    CHECK(strstr(h, "<br>- 不是列表<br>") != NULL);
    CHECK(strstr(h, "<thead>\n<tr><th>项目</th><th>数量</th><th>说明</th></tr>\n</thead>") != NULL);
    CHECK(strstr(h, "<tbody>\n<tr><td>a|b</td><td>12</td><td>两行<br>说明</td></tr>") != NULL);
    CHECK(strstr(h, "<div class=\"signature\">九龙镇人民政府<br>2025-12-31</div>") != NULL);
    CHECK(strstr(h, "Noto Serif CJK SC") != NULL);
    CHECK(strstr(h, "http") == NULL); /* no external resources */
    CHECK(strstr(h, "</html>\n") != NULL);

    /* Quotes too, since text could one day land in an attribute. */
    doc *e = doc_new(a, "");
    doc_title(e, "\"引号\" 'x'");
    buf_reset(&out);
    CHECK_INT(doc_render_html(e, &out, &msg), 0);
    CHECK(strstr(buf_str(&out), "<title>&quot;引号&quot; &#39;x&#39;</title>") != NULL);
    buf_free(&out);
    arena_free(a);
}

/* The bytes of one entry of the zip in z, as a NUL-terminated heap string. */
static char *zip_entry(zip_t *z, const char *name)
{
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) != 0)
        return NULL;
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f)
        return NULL;
    char *s = malloc(st.size + 1);
    zip_int64_t n = zip_fread(f, s, st.size);
    zip_fclose(f);
    if (n != (zip_int64_t)st.size) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return s;
}

static int write_file(const char *path, const buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(b->ptr, 1, b->len, f);
    return fclose(f) == 0 && n == b->len ? 0 : -1;
}

static void test_docx(void)
{
    static const char *const entries[] = {"[Content_Types].xml",
                                          "_rels/.rels",
                                          "docProps/core.xml",
                                          "word/document.xml",
                                          "word/_rels/document.xml.rels",
                                          "word/styles.xml",
                                          "word/settings.xml",
                                          "word/fontTable.xml",
                                          "word/footer1.xml",
                                          "word/footer2.xml"};
    arena *a = arena_new();
    doc *d = sample(a);
    buf out, again;
    buf_init(&out, 1 << 20);
    buf_init(&again, 1 << 20);
    const char *msg = NULL;
    CHECK_INT(doc_render_docx(d, &out, &msg), 0);
    CHECK(out.len > 100 && memcmp(out.ptr, "PK\3\4", 4) == 0);

    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(out.ptr, out.len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    CHECK(z != NULL);
    if (!z) {
        zip_source_free(src);
    } else {
        CHECK_INT(zip_get_num_entries(z, 0), 10);
        for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
            CHECK_INT(zip_name_locate(z, entries[i], 0), (long long)i);
            /* The fixed time, whatever the zone: 2000-01-01 00:00 local. */
            zip_stat_t st;
            CHECK_INT(zip_stat_index(z, i, 0, &st), 0);
            struct tm tm;
            localtime_r(&st.mtime, &tm);
            CHECK(tm.tm_year == 100 && tm.tm_mon == 0 && tm.tm_mday == 1 && tm.tm_hour == 0);
        }
        char *x = zip_entry(z, "word/document.xml");
        CHECK(x != NULL);
        if (x) {
            CHECK(strstr(x, "# x &lt;script&gt;alert(1)&lt;/script&gt; &amp; *bold*") != NULL);
            CHECK(strstr(x, "<script") == NULL);
            CHECK(strstr(x, "<w:t xml:space=\"preserve\">a|b</w:t>") != NULL);
            CHECK(strstr(x, "两行</w:t><w:br/><w:t xml:space=\"preserve\">说明") != NULL);
            CHECK(strstr(x, "<w:tblHeader/>") != NULL);
            CHECK(strstr(x, "<w:tblBorders>") != NULL);
            CHECK(strstr(x, "<w:pStyle w:val=\"Title\"/>") != NULL);
            CHECK(strstr(x, "<w:pStyle w:val=\"Heading1\"/>") != NULL);
            CHECK(strstr(x, "<w:pStyle w:val=\"Heading2\"/>") != NULL);
            CHECK(strstr(x, "<w:pStyle w:val=\"BodyText\"/>") != NULL);
            CHECK(strstr(x, "<w:pStyle w:val=\"Signature\"/></w:pPr><w:r><w:t "
                            "xml:space=\"preserve\">九龙镇人民政府</w:t><w:br/>") != NULL);
            /* GB/T 9704: A4, margins 37/35/28/26 mm, a 22-line grid, the
             * odd and even footers. */
            CHECK(strstr(x, "<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" "
                            "w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\"") != NULL);
            CHECK(strstr(x, "<w:docGrid w:type=\"lines\" w:linePitch=\"579\"/>") != NULL);
            CHECK(strstr(x, "<w:footerReference w:type=\"even\" r:id=\"rId3\"/>") != NULL);
            free(x);
        }
        x = zip_entry(z, "word/styles.xml");
        CHECK(x && strstr(x, "w:firstLineChars=\"200\"") && strstr(x, "w:eastAsia=\"黑体\""));
        CHECK(x && strstr(x, "w:eastAsia=\"仿宋_GB2312\"") &&
              strstr(x, "w:eastAsia=\"楷体_GB2312\"") &&
              strstr(x, "w:eastAsia=\"方正小标宋简体\"") && strstr(x, "<w:sz w:val=\"44\"/>"));
        free(x);
        x = zip_entry(z, "word/footer1.xml");
        CHECK(x && strstr(x, "— </w:t>") && strstr(x, "> PAGE </w:instrText>") &&
              strstr(x, "<w:jc w:val=\"right\"/>"));
        free(x);
        x = zip_entry(z, "word/fontTable.xml");
        CHECK(x && strstr(x, "<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/>"));
        free(x);
        x = zip_entry(z, "docProps/core.xml");
        CHECK(x && strstr(x, "<dc:title>九龙镇2025年度工作总结</dc:title>"));
        free(x);
        zip_close(z);
    }
    zip_error_fini(&ze);

    /* The same doc gives the same bytes, a while later too (zip times have
     * two-second steps). */
    sleep(2);
    CHECK_INT(doc_render_docx(d, &again, &msg), 0);
    CHECK(again.len == out.len && memcmp(again.ptr, out.ptr, out.len) == 0);

    if (access("/usr/bin/unzip", X_OK) == 0) {
        char path[] = "/tmp/safecomm-doc-XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0);
        if (fd >= 0) {
            close(fd);
            CHECK_INT(write_file(path, &out), 0);
            char cmd[128];
            snprintf(cmd, sizeof cmd, "/usr/bin/unzip -tqq '%s' >/dev/null 2>&1", path);
            CHECK_INT(system(cmd), 0);
            unlink(path);
        }
    }
    buf_free(&again);
    buf_free(&out);
    arena_free(a);
}

/* The output of pdftotext on the PDF in b, or NULL. */
static char *pdf_text(const buf *b)
{
    char path[] = "/tmp/safecomm-doc-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    close(fd);
    char *text = NULL;
    if (write_file(path, b) != 0)
        goto done;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "/usr/bin/pdftotext '%s' - 2>/dev/null", path);
    text = command_output(cmd);
    if (text && !*text) {
        free(text);
        text = NULL;
    }
done:
    unlink(path);
    return text;
}

static void test_pdf(void)
{
    arena *a = arena_new();
    doc *d = sample(a);
    buf out;
    buf_init(&out, (size_t)16 << 20);
    const char *msg = NULL;
    int rc = doc_render_pdf(d, &out, &msg);
    CHECK_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "render: %s\n", msg);
    CHECK(out.len > 1000 && memcmp(out.ptr, "%PDF-", 5) == 0);
    if (rc == 0 && access("/usr/bin/pdftotext", X_OK) == 0) {
        char *text = pdf_text(&out);
        CHECK(text != NULL);
        if (text) {
            CHECK(strstr(text, "九龙镇2025年度工作总结") != NULL);
            CHECK(strstr(text, "（一）总体情况 #1") != NULL);
            CHECK(strstr(text, "<script>alert(1)</script>") != NULL);
            CHECK(strstr(text, "楼道堆放杂物") != NULL);
            CHECK(strstr(text, "九龙镇人民政府") != NULL);
            free(text);
        }
    }
    buf_free(&out);
    arena_free(a);
}

static void test_refusals(void)
{
    static const char *const formats[] = {"md", "html", "pdf", "docx"};
    arena *a = arena_new();
    buf out;
    buf_init(&out, (size_t)16 << 20);
    const char *msg;

    /* Bad UTF-8 anywhere (here a table cell) is refused before any output. */
    doc *d = doc_new(a, "t");
    doc_para(d, "好");
    doc_table_begin(d, 1);
    doc_cell(d, "ok\xff\xfe");
    doc_table_end(d);
    for (int i = 0; i < 4; i++) {
        buf_reset(&out);
        buf_puts(&out, "x");
        msg = NULL;
        CHECK_INT(doc_render(d, formats[i], &out, &msg), -1);
        CHECK(msg && strstr(msg, "UTF-8"));
        CHECK_STR(buf_str(&out), "x");
    }
    d = doc_new(a, "\xc0\xaf"); /* an overlong "/" in the title */
    CHECK_INT(doc_render_md(d, &out, &msg), -1);

    d = doc_new(a, "t");
    doc_table_begin(d, 2);
    doc_cell(d, "a");
    for (int i = 0; i < 4; i++) {
        msg = NULL;
        CHECK_INT(doc_render(d, formats[i], &out, &msg), -1);
        CHECK(msg && *msg);
    }

    d = sample(a);
    msg = NULL;
    CHECK_INT(doc_render(d, "odt", &out, &msg), -1);
    CHECK(msg && *msg);
    CHECK_INT(doc_render(d, NULL, &out, &msg), -1);

    /* A cap too small: an error, not a truncated file. */
    for (int i = 0; i < 4; i++) {
        buf small;
        buf_init(&small, 200);
        msg = NULL;
        CHECK_INT(doc_render(d, formats[i], &small, &msg), -1);
        CHECK(msg && *msg);
        CHECK_INT(small.len, 0);
        buf_free(&small);
    }
    buf_free(&out);
    arena_free(a);
}

static void test_formats(void)
{
    CHECK_STR(doc_format_mime("md"), "text/markdown; charset=utf-8");
    CHECK_STR(doc_format_mime("html"), "text/html; charset=utf-8");
    CHECK_STR(doc_format_mime("pdf"), "application/pdf");
    CHECK_STR(doc_format_mime("docx"),
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    CHECK(doc_format_mime("xlsx") == NULL);
    CHECK(doc_format_mime(NULL) == NULL);
    arena *a = arena_new();
    buf out;
    buf_init(&out, 1 << 20);
    const char *msg;
    CHECK_INT(doc_render(sample(a), "md", &out, &msg), 0);
    CHECK_STR(buf_str(&out), SAMPLE_MD);
    buf_free(&out);
    arena_free(a);
}

/* Table misuse is a programming error: the assert ends the process. */
static void misuse_cell(void)
{
    arena *a = arena_new();
    doc_cell(doc_new(a, "t"), "stray");
}

static void misuse_block_in_table(void)
{
    arena *a = arena_new();
    doc *d = doc_new(a, "t");
    doc_table_begin(d, 2);
    doc_para(d, "inside");
}

static void misuse_ncols(void)
{
    arena *a = arena_new();
    doc_table_begin(doc_new(a, "t"), 17);
}

static int aborts(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        fn();
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 0;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void test_misuse(void)
{
    CHECK(aborts(misuse_cell));
    CHECK(aborts(misuse_block_in_table));
    CHECK(aborts(misuse_ncols));
}

/* The outline's keys: per chapter and part, counting that part's paragraphs
 * only, so that another part writing more does not move them; insertion and
 * a new text keep the keys. */
static void test_keys(void)
{
    arena *a = arena_new();
    doc *d = doc_new(a, "t");
    doc_title(d, "t");
    doc_chapter(d, "opening");
    doc_para(d, "开头");
    doc_chapter(d, "organisation");
    doc_heading(d, "一、组织");
    doc_part(d, "units");
    doc_para(d, "单位6家");
    doc_part(d, NULL);
    doc_part(d, "volunteers");
    doc_para(d, "志愿者45人");
    doc_para(d, "服务2276小时");
    doc_part(d, NULL);
    doc_para(d, "本章小结");
    doc_chapter(d, NULL);
    doc_signature(d, "九龙镇");
    CHECK_INT(doc_nblocks(d), 8);
    CHECK(doc_block_at(d, 0)->key == NULL && doc_block_at(d, 0)->chapter == NULL);
    CHECK_STR(doc_block_at(d, 1)->key, "opening/1");
    CHECK(doc_block_at(d, 2)->key == NULL);
    CHECK_STR(doc_block_at(d, 2)->chapter, "organisation");
    CHECK_STR(doc_block_at(d, 3)->key, "organisation/units/1");
    CHECK_STR(doc_block_at(d, 4)->key, "organisation/volunteers/1");
    CHECK_STR(doc_block_at(d, 5)->key, "organisation/volunteers/2");
    CHECK_STR(doc_block_at(d, 6)->key, "organisation/1");
    CHECK(doc_block_at(d, 7)->key == NULL && doc_block_at(d, 7)->chapter == NULL);

    doc_set_text(d, 4, "志愿者共46人");
    doc_set_text(d, 2, "不是段落"); /* ignored: a heading */
    doc_insert_para(d, 7, "领导重视", "organisation", "add/9");
    CHECK_INT(doc_nblocks(d), 9);
    CHECK_STR(doc_block_at(d, 4)->text, "志愿者共46人");
    CHECK_STR(doc_block_at(d, 2)->text, "一、组织");
    CHECK_STR(doc_block_at(d, 7)->text, "领导重视");
    CHECK_STR(doc_block_at(d, 7)->key, "add/9");
    CHECK_STR(doc_block_at(d, 7)->chapter, "organisation");
    CHECK(doc_block_at(d, 8)->kind == DOC_SIGNATURE);
    buf md;
    buf_init(&md, 1 << 16);
    const char *msg = NULL;
    CHECK_INT(doc_render_md(d, &md, &msg), 0);
    buf_append(&md, "", 1);
    CHECK(strstr(md.ptr, "本章小结\n\n领导重视\n\n九龙镇") != NULL);
    buf_free(&md);
    arena_free(a);
}

int main(void)
{
    test_model();
    test_keys();
    test_md();
    test_html();
    test_docx();
    test_pdf();
    test_refusals();
    test_formats();
    test_misuse();
    pdfdoc_thread_done();
    return TEST_REPORT();
}
