/* The accidents and injuries module's arithmetic and wording: the grade
 * from the national thresholds (each of deaths, seriously injured and loss
 * on its own, the highest grade wins), the results' per cent change ("同比
 * 下降30%", one decimal with .0 dropped, "新增, 无基数" without a base), and
 * the summary's results paragraph written from a statistics answer. */
#include "harness.h"

#include "../../src/report.c"

#include "buf.h"
#include "mod/incidents/incidents.h"

static void test_grade(void)
{
    CHECK_STR(incident_grade(0, 0, 0), "general");
    CHECK_STR(incident_grade(2, 9, 9999999), "general");
    CHECK_STR(incident_grade(3, 0, 0), "larger");
    CHECK_STR(incident_grade(0, 10, 0), "larger");
    CHECK_STR(incident_grade(0, 0, 1e7), "larger");
    CHECK_STR(incident_grade(9, 49, 49999999), "larger");
    CHECK_STR(incident_grade(10, 0, 0), "major");
    CHECK_STR(incident_grade(0, 50, 0), "major");
    CHECK_STR(incident_grade(0, 0, 5e7), "major");
    CHECK_STR(incident_grade(29, 99, 99999999), "major");
    CHECK_STR(incident_grade(30, 0, 0), "especially_major");
    CHECK_STR(incident_grade(0, 100, 0), "especially_major");
    CHECK_STR(incident_grade(0, 0, 1e8), "especially_major");
    CHECK_STR(incident_grade(1, 100, 0), "especially_major"); /* the highest wins */
}

static void test_change_pct(arena *a)
{
    CHECK_STR(change_pct(a, 21, 30), "同比下降30%");
    CHECK_STR(change_pct(a, 25, 60), "同比下降58.3%");
    CHECK_STR(change_pct(a, 48, 108), "同比下降55.6%");
    CHECK_STR(change_pct(a, 3, 2), "同比增长50%");
    CHECK_STR(change_pct(a, 5, 0), "新增, 无基数");
    CHECK_STR(change_pct(a, 0, 0), "与上年持平");
    CHECK_STR(change_pct(a, 7, 7), "与上年持平");
    CHECK_STR(change_pct(a, 0, 4), "同比下降100%");
}

static const char *summary_md(arena *a, json_t *stats)
{
    doc *d = report_work_summary(a, stats, "safe");
    buf out;
    buf_init(&out, 1 << 22);
    const char *msg = NULL;
    CHECK_INT(doc_render(d, "md", &out, &msg), 0);
    const char *s = arena_strdup(a, buf_str(&out));
    buf_free(&out);
    return s;
}

static void test_paragraph(arena *a)
{
    json_t *st = json_pack(
        "{s:{s:s, s:s, s:s}, s:i, s:s, s:s, s:s, s:[], s:[s, s], s:{s:i, s:i, s:i, s:i, s:[]},"
        " s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:i, s:i, s:[]}}",
        "region", "code", "511621180000", "name", "测甲镇", "level", "township", "year", 2025,
        "from", "2025-01-01", "to", "2025-12-31", "as_of", "2025-12-31", "children", "sections",
        "injuries", "incidents", "injuries", "total", 30, "total_prev", 60, "vulnerable", 25,
        "vulnerable_prev", 60, "by_cause", "incidents", "total", 21, "total_prev", 30,
        "road_traffic", 21, "road_traffic_prev", 30, "deaths", 0, "injured", 3, "larger", 0,
        "larger_prev", 1, "loss", 0.0, "loss_prev", 0.0, "public_security", 0,
        "public_security_prev", 0, "by_kind");
    const char *md = summary_md(a, st);
    CHECK(strstr(md, "事故伤害情况") != NULL);
    CHECK(strstr(md, "老年人、残疾人、儿童伤害事故从60件下降至25件，同比下降58.3%") != NULL);
    CHECK(strstr(md, "道路交通事故21起，同比下降30%") != NULL);
    CHECK(strstr(md, "未发生一起较大及以上事故") != NULL);
    CHECK(strstr(md, "无水上交通、火灾") != NULL);
    CHECK(strstr(md, "无社会治安案件") != NULL);
    /* A 较大 accident: the sentence is gone. */
    json_object_set_new(json_object_get(st, "incidents"), "larger", json_integer(1));
    md = summary_md(a, st);
    CHECK(strstr(md, "未发生一起较大及以上事故") == NULL);
    CHECK(strstr(md, "较大及以上事故1起") != NULL);
    /* None the year before: no base. */
    json_object_set_new(json_object_get(st, "injuries"), "vulnerable_prev", json_integer(0));
    json_object_set_new(json_object_get(st, "injuries"), "vulnerable", json_integer(5));
    md = summary_md(a, st);
    CHECK(strstr(md, "老年人、残疾人、儿童伤害事故5件，新增, 无基数") != NULL);
    json_decref(st);
}

int main(void)
{
    arena *a = arena_new();
    test_grade();
    test_change_pct(a);
    test_paragraph(a);
    arena_free(a);
    return TEST_REPORT();
}
