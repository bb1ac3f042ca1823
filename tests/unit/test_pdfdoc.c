/* pdfdoc: a multi-page Chinese document rendered for real and read back with
 * poppler's pdftotext and pdfinfo (poppler-utils): the text, the page footers,
 * the repeated table header, the page count and the metadata; and the
 * refusals (bad UTF-8, a cell outside a table, a table left open). */
#include "harness.h"
#include "pdf_test.h"
#include "pdfdoc.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* The output of cmd run on the file path, or NULL. */
static char *run_on(const char *cmd, const char *path)
{
    char line[512];
    snprintf(line, sizeof line, "%s '%s' - 2>/dev/null", cmd, path);
    if (strcmp(cmd, "pdfinfo") == 0)
        snprintf(line, sizeof line, "pdfinfo '%s' 2>/dev/null", path);
    return command_output(line);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_multipage(void)
{
    arena *a = arena_new();
    pdfdoc *d = pdfdoc_new(a, "九龙镇2025年度安全生产工作总结");
    pdfdoc_title(d, "九龙镇2025年度安全生产工作总结");
    pdfdoc_paragraph(d, PDFDOC_RIGHT, "九龙镇安委办〔2025〕第001号");
    pdfdoc_heading(d, "一、隐患排查治理");
    buf para;
    buf_init(&para, 1 << 20);
    for (int i = 0; i < 40; i++)
        buf_puts(&para, "全年共排查各类安全隐患，逐项建立台账，明确整改责任单位和整改期限。");
    pdfdoc_paragraph(d, PDFDOC_LEFT, buf_str(&para));
    buf_free(&para);
    pdfdoc_paragraph(d, PDFDOC_CENTER, "<b>不是标记</b> & 原样输出");
    static const double widths[] = {1, 4, 2};
    pdfdoc_table_begin(d, 3, widths, PDFDOC_TABLE_HEADER);
    pdfdoc_table_cell(d, "序号");
    pdfdoc_table_cell(d, "隐患名称");
    pdfdoc_table_cell(d, "整改期限");
    for (int i = 1; i <= 120; i++) {
        char no[32], name[128];
        snprintf(no, sizeof no, "%d", i);
        snprintf(name, sizeof name, "第%03d项：楼道堆放杂物", i);
        pdfdoc_table_cell(d, no);
        pdfdoc_table_cell(d, name);
        pdfdoc_table_cell(d, "2025-10-10");
    }
    /* One cell taller than a page: it must continue on the next page. */
    buf tall;
    buf_init(&tall, 1 << 20);
    for (int i = 0; i < 150; i++)
        buf_printf(&tall, "超长单元格第%d行\n", i);
    pdfdoc_table_cell(d, "121");
    pdfdoc_table_cell(d, buf_str(&tall));
    buf_free(&tall);
    pdfdoc_table_end(d); /* pads the row with an empty cell */
    pdfdoc_signature(d, "九龙镇安全生产委员会办公室\n2025-12-31");
    pdfdoc_page_break(d);
    pdfdoc_space(d, 20);
    pdfdoc_paragraph(d, PDFDOC_LEFT, "附件：隐患清单（最后一页）");

    buf out;
    buf_init(&out, (size_t)64 << 20);
    const char *msg = NULL;
    int rc = pdfdoc_render(d, &out, &msg);
    CHECK_INT(rc, 0);
    if (rc != 0)
        fprintf(stderr, "render: %s\n", msg);
    CHECK(out.len > 1000 && memcmp(out.ptr, "%PDF-", 5) == 0);
    int pages = pdfdoc_pages(d);
    CHECK(pages > 3);

    char path[] = "/tmp/safecomm-pdfdoc-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_INT(write(fd, out.ptr, out.len), (long long)out.len);
        close(fd);
    }
    char *text = run_on("pdftotext", path);
    CHECK(text != NULL);
    if (text) {
        CHECK(strstr(text, "九龙镇2025年度安全生产工作总结") != NULL);
        CHECK(strstr(text, "一、隐患排查治理") != NULL);
        CHECK(strstr(text, "<b>不是标记</b> & 原样输出") != NULL);
        CHECK(strstr(text, "第001项") != NULL);
        CHECK(strstr(text, "第120项") != NULL);
        CHECK(strstr(text, "超长单元格第0行") != NULL);
        CHECK(strstr(text, "超长单元格第149行") != NULL);
        CHECK(strstr(text, "九龙镇安全生产委员会办公室") != NULL);
        CHECK(strstr(text, "附件：隐患清单（最后一页）") != NULL);
        char foot[64];
        snprintf(foot, sizeof foot, "第 1 页 共 %d 页", pages);
        CHECK(strstr(text, foot) != NULL);
        snprintf(foot, sizeof foot, "第 %d 页 共 %d 页", pages, pages);
        CHECK(strstr(text, foot) != NULL);
        CHECK_INT(count(text, "页 共"), pages);
        /* The header row is repeated on each page the table continues on. */
        CHECK(count(text, "隐患名称") >= 3);
        /* Every row is printed once: rows are not lost or doubled at breaks. */
        CHECK_INT(count(text, "楼道堆放杂物"), 120);
        free(text);
    }
    char *info = run_on("pdfinfo", path);
    CHECK(info != NULL);
    if (info) {
        CHECK(strstr(info, "Pages:") != NULL);
        const char *p = strstr(info, "Pages:");
        CHECK_INT(p ? atoi(p + 6) : 0, pages);
        CHECK(strstr(info, "Title:") && strstr(info, "九龙镇2025年度安全生产工作总结"));
        CHECK(strstr(info, "Creator:") && strstr(info, "safecomm"));
        CHECK(strstr(info, "A4") != NULL);
        free(info);
    }
    unlink(path);
    buf_free(&out);
    arena_free(a);
}

static void test_short(void)
{
    arena *a = arena_new();
    pdfdoc *d = pdfdoc_new(a, "短");
    pdfdoc_paragraph(d, PDFDOC_LEFT, "一页");
    buf out;
    buf_init(&out, (size_t)8 << 20);
    const char *msg;
    CHECK_INT(pdfdoc_render(d, &out, &msg), 0);
    CHECK_INT(pdfdoc_pages(d), 1);
    buf_free(&out);
    arena_free(a);
}

static void test_refusals(void)
{
    arena *a = arena_new();
    buf out;
    buf_init(&out, (size_t)8 << 20);
    const char *msg = NULL;

    pdfdoc *d = pdfdoc_new(a, "t");
    pdfdoc_paragraph(d, PDFDOC_LEFT, "ok\xff\xfe");
    CHECK_INT(pdfdoc_render(d, &out, &msg), -1);
    CHECK(msg && strstr(msg, "UTF-8"));
    CHECK_INT(out.len, 0);

    d = pdfdoc_new(a, "t");
    pdfdoc_table_cell(d, "stray");
    CHECK_INT(pdfdoc_render(d, &out, &msg), -1);
    CHECK(msg && *msg);

    d = pdfdoc_new(a, "t");
    pdfdoc_table_begin(d, 2, NULL, 0);
    pdfdoc_table_cell(d, "a");
    CHECK_INT(pdfdoc_render(d, &out, &msg), -1);
    CHECK(msg && *msg);

    /* A cap too small for the file: a write error, not a truncated PDF. */
    buf small;
    buf_init(&small, 100);
    d = pdfdoc_new(a, "t");
    pdfdoc_paragraph(d, PDFDOC_LEFT, "内容");
    CHECK_INT(pdfdoc_render(d, &small, &msg), -1);
    CHECK(msg && *msg);
    buf_free(&small);
    buf_free(&out);
    arena_free(a);
}

/* Renders from several threads at once, as the server's pool does: each
 * thread uses its own font map (see pdfdoc.h), and all get the same pages.
 * The maps are released as the threads exit, which the leak check sees. */
static void *render_thread(void *arg)
{
    int *pages = arg;
    for (int round = 0; round < 2; round++) {
        arena *a = arena_new();
        pdfdoc *d = pdfdoc_new(a, "并发");
        pdfdoc_title(d, "并发渲染");
        pdfdoc_table_begin(d, 2, NULL, PDFDOC_TABLE_HEADER);
        pdfdoc_table_cell(d, "项目");
        pdfdoc_table_cell(d, "内容");
        for (int i = 0; i < 40; i++) {
            pdfdoc_table_cell(d, "隐患");
            pdfdoc_table_cell(d, "电动自行车在楼道内充电");
        }
        pdfdoc_table_end(d);
        buf out;
        buf_init(&out, (size_t)16 << 20);
        const char *msg;
        pages[round] = pdfdoc_render(d, &out, &msg) == 0 && memcmp(out.ptr, "%PDF-", 5) == 0
                           ? pdfdoc_pages(d)
                           : -1;
        buf_free(&out);
        arena_free(a);
    }
    return NULL;
}

static void test_threads(void)
{
    enum { N = 3 };
    pthread_t t[N];
    int pages[N][2];
    for (int i = 0; i < N; i++)
        CHECK_INT(pthread_create(&t[i], NULL, render_thread, pages[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    CHECK(pages[0][0] > 1);
    for (int i = 0; i < N; i++)
        for (int round = 0; round < 2; round++)
            CHECK_INT(pages[i][round], pages[0][0]);
}

int main(void)
{
    test_multipage();
    test_short();
    test_refusals();
    test_threads();
    pdfdoc_thread_done();
    return TEST_REPORT();
}
