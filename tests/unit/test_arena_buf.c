/* Unit tests for arena (alignment, big blocks, reset, deferred calls, printf)
 * and buf (the size cap, detach, printf growth, JSON string escaping checked
 * by parsing the output back with jansson, XML/HTML escaping). */
#include "harness.h"
#include "../../src/arena.c"
#include "buf.h"

#include <jansson.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- arena ---- */

static void test_alignment(void)
{
    arena *a = arena_new();
    int misaligned = 0;
    size_t want_used = 0;
    for (size_t n = 0; n < 300; n++) {
        unsigned char *p = arena_alloc(a, n);
        if ((uintptr_t)p % 16 != 0)
            misaligned++;
        memset(p, 0xAB, n); /* ASan checks the bounds */
        want_used += n == 0 ? 16 : (n + 15) / 16 * 16;
    }
    CHECK_INT(misaligned, 0);
    CHECK_INT(arena_used(a), want_used);
    /* two allocations never overlap */
    char *x = arena_alloc(a, 5), *y = arena_alloc(a, 5);
    CHECK(y >= x + 16 || x >= y + 16);
    unsigned char *z = arena_zalloc(a, 100);
    int nonzero = 0;
    for (int i = 0; i < 100; i++)
        nonzero += z[i] != 0;
    CHECK_INT(nonzero, 0);
    arena_free(a);
}

static void test_large(void)
{
    arena *a = arena_new();
    char *small = arena_alloc(a, 32);
    struct block *head = a->head;
    size_t head_used = head->used;
    /* a big request that does not fit gets its own block behind the head */
    char *big = arena_alloc(a, 100000);
    CHECK((uintptr_t)big % 16 == 0);
    memset(big, 'x', 100000);
    CHECK(a->head == head);
    CHECK_INT(head->used, head_used);
    CHECK(head->next != NULL && head->next->size >= 100000);
    /* the head's free space stays in use */
    char *after = arena_alloc(a, 32);
    CHECK(after == small + 32);
    CHECK_INT(arena_used(a), 32 + 100000 + 32);
    /* a request larger than a quarter block but fitting in the head stays
     * in the head */
    char *mid = arena_alloc(a, 3000);
    CHECK(mid == after + 32);
    /* filling the head starts a new standard head block */
    for (int i = 0; i < 20; i++)
        memset(arena_alloc(a, 1000), 1, 1000);
    CHECK(a->head != head);
    CHECK_INT(a->head->size, ARENA_BLOCK);
    char *s = arena_strndup(a, big, 50000);
    CHECK_INT(strlen(s), 50000);
    arena_free(a);
}

static int order[16], norder;

static void record(void *p)
{
    order[norder++] = (int)(intptr_t)p;
}

static void test_reset_and_defer(void)
{
    arena *a = arena_new();
    struct block *first = a->head;
    unsigned char *p0 = arena_alloc(a, 16);
    for (int i = 1; i <= 4; i++)
        arena_defer(a, record, (void *)(intptr_t)i);
    for (int i = 0; i < 30; i++)
        arena_alloc(a, 1000);
    arena_alloc(a, 50000);
    CHECK(arena_used(a) > 80000);
    norder = 0;
    arena_reset(a);
    /* deferred calls ran once, last registered first */
    CHECK_INT(norder, 4);
    CHECK_INT(order[0], 4);
    CHECK_INT(order[1], 3);
    CHECK_INT(order[2], 2);
    CHECK_INT(order[3], 1);
    CHECK_INT(arena_used(a), 0);
    /* the first standard block is kept and reused from its start */
    CHECK(a->head == first);
    CHECK(a->head->next == NULL);
    CHECK(arena_alloc(a, 16) == p0);
    /* a second reset runs nothing already run */
    norder = 0;
    arena_reset(a);
    CHECK_INT(norder, 0);
    /* defers registered after a reset run at free */
    arena_defer(a, record, (void *)(intptr_t)7);
    arena_defer(a, record, (void *)(intptr_t)8);
    arena_free(a);
    CHECK_INT(norder, 2);
    CHECK_INT(order[0], 8);
    CHECK_INT(order[1], 7);
    arena_free(NULL);

    /* an arena whose oldest block is a big one still resets to a standard block */
    a = arena_new();
    arena_alloc(a, 8000);
    arena_alloc(a, 20000);
    arena_reset(a);
    CHECK_INT(a->head->size, ARENA_BLOCK);
    CHECK(a->head->next == NULL);
    memset(arena_alloc(a, 8000), 0, 8000);
    arena_free(a);
}

static void test_strings(void)
{
    arena *a = arena_new();
    CHECK_STR(arena_printf(a, "%s-%d-%05.1f%%", "x", 42, 3.14159), "x-42-003.1%");
    CHECK_STR(arena_printf(a, "%s", ""), "");
    char big[20001];
    memset(big, 'q', 20000);
    big[20000] = '\0';
    char *s = arena_printf(a, "<%s>", big);
    CHECK_INT(strlen(s), 20002);
    CHECK(s[0] == '<' && s[20001] == '>' && s[1] == 'q' && s[20000] == 'q');
    CHECK(arena_strdup(a, NULL) == NULL);
    CHECK_STR(arena_strdup(a, "张三"), "张三");
    CHECK_STR(arena_strndup(a, "abcdef", 3), "abc");
    CHECK_STR(arena_strndup(a, "", 0), "");
    arena_free(a);
}

/* An allocation whose size cannot be represented must not return a small
 * block: it aborts like any failed allocation. Run in a child process. */
static int child_survives_huge_alloc(size_t n)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        arena *a = arena_new();
        arena_alloc(a, n);
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_overflow(void)
{
    CHECK_INT(child_survives_huge_alloc(SIZE_MAX - 8), 0);
    CHECK_INT(child_survives_huge_alloc(SIZE_MAX), 0);
}

/* ---- buf ---- */

static void test_buf_cap(void)
{
    buf b;
    buf_init(&b, 10);
    CHECK_STR(buf_str(&b), "");
    CHECK_INT(buf_puts(&b, "hello"), 0);
    CHECK_INT(buf_puts(&b, "world"), 0); /* exactly the cap */
    CHECK_STR(buf_str(&b), "helloworld");
    CHECK_INT(b.len, 10);
    CHECK(b.alloc <= b.cap + 1);
    /* one byte over: -1 and the buffer is emptied */
    CHECK_INT(buf_puts(&b, "!"), -1);
    CHECK_INT(b.len, 0);
    CHECK(b.ptr == NULL);
    CHECK_STR(buf_str(&b), "");
    /* usable again afterwards */
    CHECK_INT(buf_puts(&b, "ab"), 0);
    CHECK_STR(buf_str(&b), "ab");
    /* a single append larger than the cap */
    CHECK_INT(buf_append(&b, "0123456789ABC", 13), -1);
    CHECK_INT(b.len, 0);
    /* printf over the cap empties too */
    CHECK_INT(buf_printf(&b, "%d", 12345), 0);
    CHECK_INT(buf_printf(&b, "%s", "678901"), -1);
    CHECK_STR(buf_str(&b), "");
    /* embedded NUL bytes are data */
    CHECK_INT(buf_append(&b, "a\0b", 3), 0);
    CHECK_INT(b.len, 3);
    CHECK(memcmp(b.ptr, "a\0b", 4) == 0);
    buf_free(&b);
    CHECK(b.ptr == NULL && b.len == 0);
}

static void test_buf_growth_and_detach(void)
{
    buf b;
    buf_init(&b, 1 << 20);
    char big[3001];
    for (int i = 0; i < 3000; i++)
        big[i] = (char)('a' + i % 26);
    big[3000] = '\0';
    CHECK_INT(buf_printf(&b, "[%s]", big), 0); /* longer than printf's stack buffer */
    CHECK_INT(b.len, 3002);
    CHECK(b.ptr[0] == '[' && b.ptr[3001] == ']' && b.ptr[3002] == '\0');
    CHECK(memcmp(b.ptr + 1, big, 3000) == 0);
    int ok = 1;
    for (int i = 0; i < 10000; i++)
        ok &= buf_printf(&b, "%d,", i % 10) == 0;
    CHECK(ok);
    CHECK_INT(b.len, 3002 + 20000);
    CHECK(b.alloc > b.len);
    CHECK_STR(b.ptr + b.len - 4, "8,9,");
    size_t alloc = b.alloc;
    buf_reset(&b);
    CHECK_INT(b.len, 0);
    CHECK_STR(buf_str(&b), "");
    CHECK_INT(b.alloc, alloc);
    CHECK_INT(buf_puts(&b, "xyz"), 0);
    size_t len = 0;
    char *p = buf_detach(&b, &len);
    CHECK_STR(p, "xyz");
    CHECK_INT(len, 3);
    CHECK(b.ptr == NULL && b.len == 0 && b.alloc == 0);
    free(p);
    /* detach of an empty buffer gives an empty heap string */
    p = buf_detach(&b, &len);
    CHECK_STR(p, "");
    CHECK_INT(len, 0);
    free(p);
    buf_free(&b);
}

/* s written by buf_json_string parses back to s. */
static int json_roundtrip(const char *s, char **out)
{
    buf b;
    buf_init(&b, 1 << 20);
    int rc = buf_json_string(&b, s);
    *out = buf_detach(&b, NULL);
    if (rc != 0)
        return 0;
    json_error_t e;
    json_t *j = json_loads(*out, JSON_DECODE_ANY, &e);
    int ok = j && json_is_string(j) && strcmp(json_string_value(j), s) == 0;
    json_decref(j);
    return ok;
}

static void check_json(const char *s, const char *want)
{
    char *out;
    CHECK(json_roundtrip(s, &out));
    if (want)
        CHECK_STR(out, want);
    free(out);
}

static void test_json_string(void)
{
    check_json("", "\"\"");
    check_json("plain", "\"plain\"");
    check_json("a\"b", "\"a\\\"b\"");
    check_json("back\\slash", "\"back\\\\slash\"");
    check_json("line\nbreak\ttab\rcr", "\"line\\nbreak\\ttab\\rcr\"");
    check_json("\x01\x1f", "\"\\u0001\\u001f\"");
    check_json("\b\f", "\"\\u0008\\u000c\"");
    check_json("张三（测试）😀", "\"张三（测试）😀\"");
    check_json("</script>", NULL);
    check_json("\x7f", "\"\x7f\"");
    check_json("\"\\\"", "\"\\\"\\\\\\\"\"");
    /* every byte 1..127 in one string */
    char all[128];
    for (int i = 1; i < 128; i++)
        all[i - 1] = (char)i;
    all[127] = '\0';
    check_json(all, NULL);
    /* appended after existing content, and the cap still applies */
    buf b;
    buf_init(&b, 8);
    CHECK_INT(buf_puts(&b, "x:"), 0);
    CHECK_INT(buf_json_string(&b, "ab"), 0);
    CHECK_STR(buf_str(&b), "x:\"ab\"");
    CHECK_INT(buf_json_string(&b, "cd"), -1);
    CHECK_INT(b.len, 0);
    buf_free(&b);
}

static void check_xml(const char *s, size_t n, unsigned flags, const char *want)
{
    buf b;
    buf_init(&b, 1 << 16);
    CHECK_INT(buf_escape_xml(&b, s, n, flags), 0);
    CHECK_STR(buf_str(&b), want);
    buf_free(&b);
}

static void test_escape_xml(void)
{
    const char *s = "a<b>&\"c\" 'd'\n张三";
    check_xml(s, strlen(s), 0, "a&lt;b&gt;&amp;&quot;c&quot; 'd'\n张三");
    check_xml(s, strlen(s), BUF_XML_APOS | BUF_XML_BR,
              "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39;<br>张三");
    check_xml(s, strlen(s), BUF_XML_APOS | BUF_XML_NL_SPACE,
              "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39; 张三");
    check_xml(s, 3, 0, "a&lt;b");
    check_xml("", 0, BUF_XML_BR, "");
    check_xml(NULL, 0, BUF_XML_BR, "");
    check_xml("plain", 5, BUF_XML_APOS, "plain");
    /* past the cap: -1 and an empty buffer, as every buf append */
    buf b;
    buf_init(&b, 8);
    CHECK_INT(buf_escape_xml(&b, "<<<", 3, 0), -1);
    CHECK_INT(b.len, 0);
    buf_free(&b);
}

int main(void)
{
    test_alignment();
    test_large();
    test_reset_and_defer();
    test_strings();
    test_overflow();
    test_buf_cap();
    test_buf_growth_and_detach();
    test_json_string();
    test_escape_xml();
    return TEST_REPORT();
}
