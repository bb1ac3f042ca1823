/* The statistics and the work summary on a small county whose every figure
 * is known by construction: the as-at rules (closed after the year's end is
 * still open, overdue counted at the year's end), deleted rows and other
 * counties left out, children filled with zeros, sections per permission;
 * and the summary's arithmetic (percentages, year-on-year wording). */
#include "harness.h"

#include "../../src/report.c"

#include <unistd.h>

#include "auth.h"
#include "db.h"

static void test_wording(arena *a)
{
    CHECK_STR(pct(a, 3, 7), "42.9%");
    CHECK_STR(pct(a, 2, 3), "66.7%");
    CHECK_STR(pct(a, 1, 3), "33.3%");
    CHECK_STR(pct(a, 0, 5), "0.0%");
    CHECK_STR(pct(a, 5, 0), "—");
    CHECK_STR(change(a, 48, 108), "同比下降55.6%");
    CHECK_STR(change(a, 3, 2), "同比增长50.0%");
    CHECK_STR(change(a, 108, 108), "与上年持平");
    CHECK_STR(change(a, 5, 0), "上年为零");
    CHECK_STR(change(a, 0, 0), "与上年持平");
    CHECK_STR(all_of(a, "岳池县"), "全县");
    CHECK_STR(all_of(a, "九龙镇"), "全镇");
    CHECK_STR(all_of(a, "城北街道"), "全街道");
    CHECK_STR(all_of(a, "幸福社区"), "全社区");
    CHECK_STR(all_of(a, "某开发园"), "辖区");
    CHECK_STR(numbered(3), "三");
    CHECK_INT(stats_year_parse("2025"), 2025);
    CHECK_INT(stats_year_parse("1949"), 1949);
    CHECK_INT(stats_year_parse("1948"), -1);
    CHECK_INT(stats_year_parse("2101"), -1);
    CHECK_INT(stats_year_parse("+202"), -1);
    CHECK_INT(stats_year_parse(" 2025"), -1);
    CHECK_INT(stats_year_parse("20a5"), -1);
    CHECK_INT(stats_year_parse(""), -1);
}

static void exec(db_conn *c, const char *sql)
{
    int st = db_exec_script(c, sql);
    if (st != DB_OK)
        fprintf(stderr, "set-up SQL failed: %s\n", db_errmsg(c));
    CHECK_INT(st, DB_OK);
}

#define T "'2025-01-01T00:00:00+08:00'"

static void load(db_conn *c)
{
    exec(c, "INSERT INTO regions (code, name, level, parent, population, created_at, updated_at) "
            "VALUES ('510000000000', '四川省', 'province', NULL, NULL, " T ", " T "),"
            "('511600000000', '广安市', 'city', '510000000000', NULL, " T ", " T "),"
            "('511621000000', '岳池县', 'county', '511600000000', 1000, " T ", " T "),"
            "('511622000000', '武胜县', 'county', '511600000000', NULL, " T ", " T "),"
            "('511621101000', '九龙镇', 'township', '511621000000', NULL, " T ", " T "),"
            "('511621102000', '花园镇', 'township', '511621000000', NULL, " T ", " T "),"
            "('511621101001', '一村', 'village', '511621101000', NULL, " T ", " T "),"
            "('511622101000', '别县镇', 'township', '511622000000', NULL, " T ", " T ");");
    /* 2025: closed in time; closed on 2026-01-10 (open and overdue at the end
     * of 2025); a major one still open without a deadline. 2024: one still
     * open, overdue since 2024-12-01. Left out: a deleted one, one in another
     * county. */
    exec(c, "INSERT INTO hazards (region, created_at, updated_at, title, domain, grade, found_at, "
            "state, deadline, closed_on, supervised, listed, supervised_on, deleted_at) VALUES "
            "('511621101001', " T ", " T ", 'a', 'fire', 'general', '2025-03-01', 'closed', "
            "'2025-03-20', '2025-03-15', 0, 0, NULL, NULL),"
            "('511621101001', " T ", " T ", 'b', 'fire', 'larger', '2025-11-01', 'closed', "
            "'2025-12-01', '2026-01-10', 1, 0, '2025-12-05', NULL),"
            "('511621101000', " T ", " T ", 'c', 'gas', 'major', '2025-12-30', 'reported', "
            "NULL, NULL, 0, 0, NULL, NULL),"
            "('511621101001', " T ", " T ", 'd', 'gas', 'general', '2024-11-01', 'rectifying', "
            "'2024-12-01', NULL, 0, 0, NULL, NULL),"
            "('511621101001', " T ", " T ", 'x', 'gas', 'general', '2025-05-01', 'reported', "
            "NULL, NULL, 0, 0, NULL, " T "),"
            "('511622101000', " T ", " T ", 'y', 'gas', 'general', '2025-05-01', 'reported', "
            "NULL, NULL, 0, 0, NULL, NULL);");
    exec(c, "INSERT INTO activities (region, created_at, updated_at, title, kind, held_on, "
            "participants) VALUES "
            "('511621101001', " T ", " T ", 't1', 'training', '2025-04-02', 40),"
            "('511621102000', " T ", " T ", 't2', 'drill', '2025-04-20', NULL),"
            "('511621102000', " T ", " T ", 't3', 'drill', '2024-04-20', 80);");
}

static json_int_t ji(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static json_t *child(json_t *s, const char *code)
{
    json_t *children = json_object_get(s, "children");
    for (size_t i = 0; i < json_array_size(children); i++) {
        json_t *ch = json_array_get(children, i);
        if (strcmp(json_string_value(json_object_get(ch, "code")), code) == 0)
            return ch;
    }
    return NULL;
}

static void test_figures(db_conn *c, arena *a)
{
    json_t *s = NULL;
    CHECK_INT(stats_compute(c, auth_system_user(a), "511621000000", 2025, "2026-11-29", &s), DB_OK);
    if (!s)
        return;
    CHECK_STR(json_string_value(json_object_get(s, "as_of")), "2025-12-31");
    json_t *h = json_object_get(s, "hazards");
    CHECK_INT(ji(h, "found"), 3);
    CHECK_INT(ji(h, "found_prev"), 1);
    CHECK_INT(ji(h, "closed"), 1);
    CHECK_INT(ji(h, "closed_on_time"), 1);
    CHECK_INT(ji(h, "open_at_end"), 3);
    CHECK_INT(ji(h, "overdue_at_end"), 2);
    CHECK_INT(ji(h, "supervised"), 1);
    CHECK_INT(ji(h, "major"), 1);
    CHECK_INT(ji(h, "major_closed"), 0);
    CHECK(json_real_value(json_object_get(h, "rectification_rate")) == 0.3333);
    CHECK_INT(json_integer_value(json_array_get(json_object_get(h, "by_month"), 10)), 1);
    json_t *grades = json_object_get(h, "by_grade");
    CHECK_INT(json_array_size(grades), 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(grades, 0), "label")), "一般隐患");
    json_t *act = json_object_get(s, "activities");
    CHECK_INT(ji(act, "count"), 2);
    CHECK_INT(ji(act, "participants"), 40);
    CHECK_INT(ji(act, "count_prev"), 1);
    CHECK_INT(ji(act, "participants_prev"), 80);
    /* Both townships, the one without hazards as zeros. */
    CHECK_INT(json_array_size(json_object_get(s, "children")), 2);
    json_t *jl = child(s, "511621101000"), *hy = child(s, "511621102000");
    CHECK(jl && hy);
    if (jl && hy) {
        CHECK_INT(ji(jl, "hazards_found"), 3);
        CHECK_INT(ji(jl, "overdue_at_end"), 2);
        CHECK_INT(ji(hy, "hazards_found"), 0);
        CHECK_INT(ji(hy, "activities"), 1);
        CHECK_INT(ji(jl, "activities"), 1);
    }

    /* The summary quotes those figures. */
    doc *d = report_work_summary(a, s, "safe");
    buf md;
    buf_init(&md, 1 << 20);
    const char *msg = NULL;
    CHECK_INT(doc_render_md(d, &md, &msg), 0);
    const char *t = buf_str(&md);
    CHECK(strstr(t, "# 岳池县2025年安全社区创建工作总结") != NULL);
    CHECK(strstr(t, "全年排查发现各类安全隐患3项，同比增长200.0%") != NULL);
    CHECK(strstr(t, "已整改销号1项，整改率33.3%") != NULL);
    CHECK(strstr(t, "其中逾期未整改2项") != NULL);
    CHECK(strstr(t, "参与人次相当于常住人口（1000人）的4.0%") != NULL);
    /* 花园镇 held an activity, 九龙镇 too: nobody is named as without one. */
    CHECK(strstr(t, "全年未开展宣传培训活动") == NULL);
    CHECK(strstr(t, "宣传培训参与人次同比下降50.0%") != NULL);
    buf_free(&md);
    json_decref(s);

    /* A year still running is taken at today. */
    CHECK_INT(stats_compute(c, auth_system_user(a), "511621000000", 2026, "2026-01-05", &s), DB_OK);
    if (s) {
        CHECK_STR(json_string_value(json_object_get(s, "as_of")), "2026-01-05");
        CHECK_INT(ji(json_object_get(s, "hazards"), "found_prev"), 3);
        CHECK_INT(ji(json_object_get(s, "hazards"), "open_at_end"), 3);
        json_decref(s);
    }
    /* A region that does not exist. */
    CHECK_INT(stats_compute(c, auth_system_user(a), "511621199000", 2025, "2026-11-29", &s),
              DB_DONE);
    CHECK(s == NULL);
}

static void test_sections(db_conn *c, arena *a)
{
    struct user *u = auth_system_user(a);
    static const char *perms[] = {"activity:read", "report:read"};
    u->perms = perms;
    u->nperms = 2;
    json_t *s = NULL;
    CHECK_INT(stats_compute(c, u, "511621101000", 2025, "2026-11-29", &s), DB_OK);
    if (!s)
        return;
    CHECK_INT(json_array_size(json_object_get(s, "sections")), 1);
    CHECK(json_object_get(s, "hazards") == NULL);
    CHECK(json_object_get(s, "activities") != NULL);
    json_t *v = child(s, "511621101001");
    CHECK(v && json_object_get(v, "hazards_found") == NULL && ji(v, "activities") == 1);
    doc *d = report_work_summary(a, s, "safe");
    buf md;
    buf_init(&md, 1 << 20);
    const char *msg = NULL;
    CHECK_INT(doc_render_md(d, &md, &msg), 0);
    CHECK(strstr(buf_str(&md), "隐患") == NULL);
    CHECK(strstr(buf_str(&md), "# 九龙镇2025年安全社区创建工作总结") != NULL);
    buf_free(&md);
    json_decref(s);
}

/* Which campaigns a part writes for: its list, "*", or the safe summary's
 * when it has none. */
static void test_campaign_parts(void)
{
    struct summary_part p = {.chapter = "publicity", .rank = 1, .write = NULL};
    CHECK_INT(part_serves(&p, "safe"), 1);
    CHECK_INT(part_serves(&p, "drug_free"), 0);
    p.campaigns = "*";
    CHECK_INT(part_serves(&p, "civilized"), 1);
    p.campaigns = "drug_free rule_of_law";
    CHECK_INT(part_serves(&p, "drug_free"), 1);
    CHECK_INT(part_serves(&p, "rule_of_law"), 1);
    CHECK_INT(part_serves(&p, "safe"), 0);
    /* A prefix of a listed type is not that type. */
    p.campaigns = "drug_free_x";
    CHECK_INT(part_serves(&p, "drug_free"), 0);
    p.campaigns = "rule_of_law  drug_free ";
    CHECK_INT(part_serves(&p, "drug_free"), 1);
    CHECK_STR(report_campaign_label("rule_of_law"), "民主法治示范社区");
    CHECK(report_campaign_label("safety") == NULL);
    CHECK(report_campaign_label(NULL) == NULL);
    /* Every campaign has an outline whose chapter keys are distinct, ending
     * with the problems and the plan. */
    CHECK_INT(report_ncampaigns, 4);
    for (int i = 0; i < report_ncampaigns; i++) {
        const struct outline *o = outline_find(report_campaigns[i]);
        CHECK(o != NULL);
        if (!o)
            continue;
        for (int k = 0; k < o->nchapters; k++)
            for (int j = k + 1; j < o->nchapters; j++)
                CHECK(strcmp(o->chapters[k].key, o->chapters[j].key) != 0);
        CHECK_STR(o->chapters[o->nchapters - 1].key, "plan");
        CHECK_STR(o->chapters[o->nchapters - 2].key, "problems");
    }
}

/* The other campaigns' summaries of the same county: their own titles, and
 * none of the safe summary's chapters written by parts that are its alone. */
static void test_campaign_summaries(db_conn *c, arena *a)
{
    json_t *s = NULL;
    CHECK_INT(stats_compute(c, auth_system_user(a), "511621000000", 2025, "2026-11-29", &s), DB_OK);
    if (!s)
        return;
    static const char *const titles[] = {
        "# 岳池县2025年安全社区创建工作总结", "# 岳池县2025年无毒社区创建工作总结",
        "# 岳池县2025年民主法治示范社区创建工作总结", "# 岳池县2025年文明社区创建工作总结"};
    for (int i = 0; i < report_ncampaigns; i++) {
        doc *d = report_work_summary(a, s, report_campaigns[i]);
        buf md;
        buf_init(&md, 1 << 20);
        const char *msg = NULL;
        CHECK_INT(doc_render_md(d, &md, &msg), 0);
        const char *t = buf_str(&md);
        CHECK(strncmp(t, titles[i], strlen(titles[i])) == 0);
        if (i > 0) {
            CHECK(strstr(t, "隐患") == NULL);
            CHECK(strstr(t, "安全社区") == NULL);
        }
        buf_free(&md);
    }
    json_decref(s);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    char dir[] = "/tmp/safecomm-report-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char *path = xasprintf("%s/r.db", dir), *err = NULL;
    db *d = db_open(path, 1, &err);
    if (!d || db_migrate(d, &err) != 0) {
        fprintf(stderr, "set-up: %s\n", err ? err : "?");
        return 1;
    }
    arena *a = arena_new();
    db_conn *c = db_acquire(d);
    test_wording(a);
    test_campaign_parts();
    load(c);
    test_figures(c, a);
    test_sections(c, a);
    test_campaign_summaries(c, a);
    db_release(d, c);
    db_close(d);
    arena_free(a);
    static const char *suffix[] = {"", "-wal", "-shm", ".key"};
    for (int i = 0; i < 4; i++) {
        char *p = xasprintf("%s%s", path, suffix[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
    free(path);
    return TEST_REPORT();
}
