/* Unit tests for idcard: check characters computed by hand (see the comments),
 * bad dates, lengths, characters, and masking of any string. */
#include "harness.h"
#include "../../src/idcard.c"

static const char *why;

static int ok(const char *id)
{
    return idcard_validate(id, &why) == 0;
}

/* Validation with a fixed "today", so the tests do not age. */
static int bad_at(const char *id, long today, const char *reason)
{
    why = "unset";
    return validate_at(id, &why, today) == -1 && why && strcmp(why, reason) == 0;
}

static void test_check_char(void)
{
    /* 11010519491231002: 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10
     * +1*5+0*8+0*4+2*2 = 167; 167 mod 11 = 2; "10X98765432"[2] = 'X' */
    CHECK_INT(idcard_check_char("11010519491231002"), 'X');
    CHECK_INT(idcard_check_char("32010619880712100"), '1');
    CHECK_INT(idcard_check_char("32010619880712106"), '0');
}

static void test_valid(void)
{
    CHECK(ok("11010519491231002X"));
    CHECK(why == NULL);
    CHECK(ok("11010519491231002x")); /* lower-case x accepted */
    CHECK(ok("440305200002291232")); /* 2000-02-29: 2000 is a leap year */
    CHECK(ok("511621199001010013"));
    CHECK(ok("430102198506153026"));
    CHECK(ok("320106198807121001"));
    CHECK(ok("320106198807121060"));
    CHECK(ok("11010519000101001X")); /* the first day allowed */
    CHECK(ok("110105202412310012"));
    CHECK_INT(idcard_validate("11010519491231002X", NULL), 0);        /* why optional */
    CHECK_INT(validate_at("110105202412310012", &why, 20241231L), 0); /* born today */
}

static void test_invalid(void)
{
    CHECK(bad_at(NULL, 20250101L, "不能为空"));
    CHECK(bad_at("", 20250101L, "不能为空"));
    CHECK(bad_at("11010519491231002", 20250101L, "长度必须为18位"));
    CHECK(bad_at("11010519491231002X1", 20250101L, "长度必须为18位"));
    CHECK(bad_at("110105194912310", 20250101L, "长度必须为18位"));
    CHECK(bad_at("110105491231002", 20250101L, "长度必须为18位")); /* old 15-digit */
    CHECK(bad_at("11010519491231002X ", 20250101L, "长度必须为18位"));
    /* 6 ASCII digits + 4 three-byte characters = 18 bytes */
    CHECK(bad_at("110105一二三四", 20250101L, "前17位必须为数字"));
    CHECK(bad_at("1101051949123100AX", 20250101L, "前17位必须为数字"));
    CHECK(bad_at("A1010519491231002X", 20250101L, "前17位必须为数字"));
    CHECK(bad_at("11010519491231 02X", 20250101L, "前17位必须为数字"));
    CHECK(bad_at("11010519491231002Y", 20250101L, "最后一位必须为数字或X"));
    CHECK(bad_at("11010519491231002*", 20250101L, "最后一位必须为数字或X"));
    /* wrong check characters */
    CHECK(bad_at("110105194912310020", 20250101L, "校验位错误"));
    CHECK(bad_at("110105194912310029", 20250101L, "校验位错误"));
    CHECK(bad_at("440305200002291231", 20250101L, "校验位错误"));
    CHECK(bad_at("32010619880712100X", 20250101L, "校验位错误"));
    CHECK(bad_at("11010519491231003X", 20250101L, "校验位错误")); /* one digit changed */
    /* dates: check characters below are right, so the date is what fails */
    CHECK(bad_at("110105202502300010", 20260101L, "出生日期无效")); /* Feb 30 */
    CHECK(bad_at("110105190002290017", 20250101L, "出生日期无效")); /* 1900 not leap */
    CHECK_INT(validate_at("110105190002280011", &why, 20250101L), 0);
    CHECK_INT(validate_at("110105200002290013", &why, 20250101L), 0);
    CHECK(bad_at("110105194913310000", 20250101L, "出生日期无效")); /* month 13 */
    CHECK(bad_at("110105194900310000", 20250101L, "出生日期无效")); /* month 0 */
    CHECK(bad_at("110105194912000000", 20250101L, "出生日期无效")); /* day 0 */
    CHECK(bad_at("110105194904310000", 20250101L, "出生日期无效")); /* Apr 31 */
    CHECK(bad_at("110105000001010000", 20250101L, "出生日期无效")); /* year 0 */
    CHECK(bad_at("110105189912310015", 20250101L, "出生日期不能早于1900年"));
    CHECK(bad_at("110105202412310012", 20241230L, "出生日期不能晚于今天"));
    CHECK(bad_at("110105999912310000", 20250101L, "出生日期不能晚于今天"));
    /* the real clock: no one is born in 9999 */
    CHECK_INT(idcard_validate("110105999912310000", &why), -1);
    CHECK(today_cst() >= 20250101L && today_cst() < 99991231L);
}

static void mask(const char *id, size_t outlen, const char *want)
{
    char out[64];
    memset(out, '#', sizeof out);
    idcard_mask(id, out, outlen);
    CHECK_STR(out, want);
}

static void test_mask(void)
{
    mask("11010519491231002X", 19, "110**************X");
    mask("110105194912310029", 64, "110**************9");
    mask("110105491231002", 64, "110***********2"); /* 15: an old number */
    mask("11010549123100", 64, "**************");   /* < 15: all hidden */
    mask("1234567890", 64, "**********");
    mask("1", 64, "*");
    mask("", 64, "");
    mask(NULL, 64, "");
    /* UTF-8: characters, not bytes */
    mask("张三", 64, "**");
    mask("一二三四五六七八九十甲乙丙丁戊", 64, "一二三***********戊");
    /* short buffers: truncated, NUL-terminated, never inside a character */
    mask("11010519491231002X", 18, "110**************");
    mask("11010519491231002X", 5, "110*");
    mask("11010519491231002X", 1, "");
    mask("一二三四五六七八九十甲乙丙丁戊", 5, "一");
    mask("一二三四五六七八九十甲乙丙丁戊", 4, "一");
    mask("一二三四五六七八九十甲乙丙丁戊", 3, "");
    char out[4] = "abc";
    idcard_mask("123", out, 0); /* outlen 0: untouched */
    CHECK_STR(out, "abc");
}

int main(void)
{
    test_check_char();
    test_valid();
    test_invalid();
    test_mask();
    return TEST_REPORT();
}
