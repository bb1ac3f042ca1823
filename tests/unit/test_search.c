/* Unit tests for search: the grams of Chinese and mixed text, the MATCH
 * expressions of queries, and end to end through a real FTS5 table that a
 * query finds exactly the rows whose text contains it. */
#include "harness.h"
#include "search.h"
#include "db.h"

#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

static void grams(const char *text, char **uni, char **bi)
{
    buf u, b;
    buf_init(&u, 1 << 20);
    buf_init(&b, 1 << 20);
    search_grams(text, &u, &b);
    *uni = buf_detach(&u, NULL);
    *bi = buf_detach(&b, NULL);
}

static void check_grams(const char *text, const char *uni_want, const char *bi_want)
{
    char *uni, *bi;
    grams(text, &uni, &bi);
    CHECK_STR(uni, uni_want);
    CHECK_STR(bi, bi_want);
    free(uni);
    free(bi);
}

static void test_grams(void)
{
    check_grams("隐患排查", "隐 患 排 查 ", "隐患 患排 排查  zzsep ");
    check_grams("张", "张 ", " zzsep ");
    check_grams("", "", "");
    /* ASCII is lowercased and joins the run of the ideographs next to it */
    check_grams("Fire火灾", "f i r e 火 灾 ", "fi ir re e火 火灾  zzsep ");
    check_grams("AB12", "a b 1 2 ", "ab b1 12  zzsep ");
    /* punctuation, spaces and full-width marks end a run; each run ends with
     * the separator, so no phrase spans two runs */
    check_grams("火灾，隐患", "火 灾 隐 患 ", "火灾  zzsep 隐患  zzsep ");
    check_grams("火灾 隐患。", "火 灾 隐 患 ", "火灾  zzsep 隐患  zzsep ");
    check_grams("a-b", "a b ", " zzsep  zzsep ");
    check_grams("（张三）、李四！", "张 三 李 四 ", "张三  zzsep 李四  zzsep ");
    check_grams("，。！", "", "");
    /* the separator never equals a bigram of user text */
    char *uni, *bi;
    grams("zzsep", &uni, &bi);
    CHECK_STR(bi, "zz zs se ep  zzsep ");
    free(uni);
    free(bi);
    /* NULL text adds nothing */
    buf u, b;
    buf_init(&u, 100);
    buf_init(&b, 100);
    search_grams(NULL, &u, &b);
    CHECK_INT(u.len, 0);
    CHECK_INT(b.len, 0);
}

static void check_expr(arena *a, const char *q, const char *want)
{
    const char *got = search_match_expr(a, q);
    if (want) {
        CHECK_STR(got, want);
    } else {
        if (got)
            fprintf(stderr, "search_match_expr(\"%s\") == \"%s\", expected NULL\n", q, got);
        CHECK(got == NULL);
    }
}

static void test_match_expr(void)
{
    arena *a = arena_new();
    check_expr(a, "张", "uni : \"张\"");
    check_expr(a, "张三", "bi : \"张三\"");
    check_expr(a, "隐患排查", "bi : \"隐患 患排 排查\"");
    check_expr(a, "FIRE", "bi : \"fi ir re\"");
    check_expr(a, "A", "uni : \"a\"");
    check_expr(a, "火灾 隐患", "bi : \"火灾\" AND bi : \"隐患\"");
    check_expr(a, "张，三丰", "uni : \"张\" AND bi : \"三丰\"");
    check_expr(a, "  张三  ", "bi : \"张三\"");
    /* no letters or digits: no expression */
    check_expr(a, "", NULL);
    check_expr(a, "，。！？", NULL);
    check_expr(a, " - _ %", NULL);
    check_expr(a, "\"", NULL);
    /* symbols that are not letters or digits (the FTS5 tokenizer drops them,
     * so a phrase of them would match nothing) */
    check_expr(a, "·", NULL);
    check_expr(a, "℃", NULL);
    check_expr(a, "©", NULL);
    arena_free(a);
}

/* The PostgreSQL text: the same grams, each quoted, all ANDed. */
static void test_tsquery(void)
{
    arena *a = arena_new();
    CHECK_STR(search_tsquery(a, "张"), "'张'");
    CHECK_STR(search_tsquery(a, "张三"), "'张三'");
    CHECK_STR(search_tsquery(a, "隐患排查"), "'隐患' & '患排' & '排查'");
    CHECK_STR(search_tsquery(a, "FIRE"), "'fi' & 'ir' & 're'");
    CHECK_STR(search_tsquery(a, "火灾 隐患"), "'火灾' & '隐患'");
    CHECK_STR(search_tsquery(a, "张，三丰"), "'张' & '三丰'");
    CHECK_STR(search_tsquery(a, "甲火灾乙 x YZ"), "'甲火' & '火灾' & '灾乙' & 'x' & 'yz'");
    CHECK(search_tsquery(a, "") == NULL);
    CHECK(search_tsquery(a, "，。！？") == NULL);
    CHECK_STR(search_query(a, DB_KIND_PG, "张三"), "'张三'");
    CHECK_STR(search_query(a, DB_KIND_SQLITE, "张三"), "bi : \"张三\"");
    arena_free(a);
}

/* ---- end to end through FTS5 ---- */

static const char *texts[] = {
    "仓库发生火灾，已扑灭",
    "张三",
    "张三丰",
    "李张氏",
    "隐患排查治理",
    "排查隐患",
    "灾后重建，火势得到控制",
    "Fire drill 消防演练",
    "火，灾",
    "甲乙，乙丙",
    "张",
    "",
    "高温40℃作业",
    "买买提·艾力",
};
#define NTEXTS ((int)(sizeof texts / sizeof texts[0]))

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Rows (as a bit mask) whose text holds q as a substring, ASCII case folded. */
static unsigned substring_rows(const char *q)
{
    unsigned m = 0;
    char lq[256], lt[256];
    snprintf(lq, sizeof lq, "%s", q);
    lower_ascii(lq);
    for (int i = 0; i < NTEXTS; i++) {
        snprintf(lt, sizeof lt, "%s", texts[i]);
        lower_ascii(lt);
        if (strstr(lt, lq))
            m |= 1u << i;
    }
    return m;
}

static unsigned match_rows(db_conn *c, const char *expr)
{
    db_stmt *s = db_prepare(c, "SELECT rowid FROM x_fts WHERE x_fts MATCH $1 ORDER BY rowid");
    if (!s)
        return 0xFFFFFFFFu;
    db_bind_text(s, 1, expr);
    unsigned m = 0;
    int st;
    while ((st = db_step(s)) == DB_ROW)
        m |= 1u << (db_col_int(s, 0) - 1);
    db_done(s);
    return st == DB_DONE ? m : 0xFFFFFFFFu;
}

static int insert_text(db_conn *c, int64_t rowid, const char *text)
{
    char *uni, *bi;
    grams(text, &uni, &bi);
    db_stmt *s = db_prepare(c, "INSERT INTO x_fts (rowid, uni, bi) VALUES ($1, $2, $3)");
    int st = DB_ERR;
    if (s) {
        db_bind_int(s, 1, rowid);
        db_bind_text(s, 2, uni);
        db_bind_text(s, 3, bi);
        st = db_step(s);
        db_done(s);
    }
    free(uni);
    free(bi);
    return st;
}

static void test_fts(void)
{
    char dir[] = "/tmp/safecomm-search-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return;
    }
    char path[64], wal[80], shm[80];
    snprintf(path, sizeof path, "%s/s.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    char *err = NULL;
    db *d = db_open(path, 1, &err);
    CHECK(d != NULL);
    if (!d) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        free(err);
        rmdir(dir);
        return;
    }
    db_conn *c = db_acquire(d);
    CHECK_INT(db_exec_script(c, "CREATE VIRTUAL TABLE x_fts USING fts5(uni, bi, "
                                "tokenize = 'unicode61')"),
              DB_OK);
    int bad = 0;
    for (int i = 0; i < NTEXTS; i++)
        bad += insert_text(c, i + 1, texts[i]) != DB_DONE;
    CHECK_INT(bad, 0);

    arena *a = arena_new();
    /* single-run queries: the index answer is exactly the substring answer */
    static const char *exact[] = {"火灾", "张",   "张三",     "隐患排查", "灾火", "排查",  "fire",
                                  "FIRE", "ir",   "乙丙",     "甲乙丙",   "灾",   "火",    "治理",
                                  "三丰", "张氏", "消防演练", "drill",    "40",   "高温40"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        const char *expr = search_match_expr(a, exact[i]);
        unsigned got = expr ? match_rows(c, expr) : 0xFFFFFFFFu;
        unsigned want = substring_rows(exact[i]);
        if (got != want)
            fprintf(stderr, "query %s (%s): rows %#x, expected %#x\n", exact[i],
                    expr ? expr : "NULL", got, want);
        CHECK_INT(got, want);
    }
    /* spot checks of the expectations themselves */
    CHECK_INT(substring_rows("火灾"), 1u << 0);
    CHECK_INT(substring_rows("张"), (1u << 1) | (1u << 2) | (1u << 3) | (1u << 10));
    CHECK_INT(substring_rows("张三"), (1u << 1) | (1u << 2));
    CHECK_INT(substring_rows("隐患排查"), 1u << 4);
    CHECK_INT(substring_rows("灾火"), 0);
    CHECK_INT(substring_rows("甲乙丙"), 0);

    /* multi-run queries find a superset of the substring rows (the entity
     * layer adds the exact LIKE test) */
    static const char *multi[] = {"火，灾", "火灾 扑灭", "drill 消防", "张 三"};
    for (size_t i = 0; i < sizeof multi / sizeof multi[0]; i++) {
        const char *expr = search_match_expr(a, multi[i]);
        unsigned got = expr ? match_rows(c, expr) : 0xFFFFFFFFu;
        unsigned want = substring_rows(multi[i]);
        CHECK(got != 0xFFFFFFFFu && (got & want) == want);
    }
    CHECK_INT(match_rows(c, search_match_expr(a, "火灾 扑灭")), 1u << 0);
    CHECK_INT(match_rows(c, search_match_expr(a, "火，灾")), (1u << 0) | (1u << 6) | (1u << 8));

    /* a query of only symbols either has no expression (the entity layer's
     * LIKE test answers it) or one that finds the rows holding it */
    static const char *symbols[] = {"·", "℃"};
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        const char *expr = search_match_expr(a, symbols[i]);
        unsigned want = substring_rows(symbols[i]);
        CHECK(want != 0);
        CHECK(expr == NULL || match_rows(c, expr) == want);
    }
    CHECK_INT(match_rows(c, search_match_expr(a, "提·艾")), 1u << 13);

    /* a long run without punctuation: a term that straddles the 256th code
     * point is still found */
    buf t;
    buf_init(&t, 1 << 16);
    for (int i = 0; i < 255; i++)
        buf_puts(&t, "甲");
    buf_puts(&t, "火灾");
    for (int i = 0; i < 20; i++)
        buf_puts(&t, "乙");
    CHECK_INT(insert_text(c, 30, buf_str(&t)), DB_DONE);
    buf_free(&t);
    CHECK(match_rows(c, search_match_expr(a, "火灾")) & (1u << 29));
    CHECK(match_rows(c, search_match_expr(a, "甲火灾乙")) & (1u << 29));

    arena_free(a);
    db_release(d, c);
    db_close(d);
    unlink(path);
    unlink(wal);
    unlink(shm);
    CHECK_INT(rmdir(dir), 0);
}

int main(void)
{
    test_grams();
    test_match_expr();
    test_tsquery();
    test_fts();
    return TEST_REPORT();
}
