/* The risk and checklist arithmetic of issue 16: LEC's D and its level
 * from the lec_band dictionary's bands (as migration 0002 seeds them), the
 * matrix's bands, and the checklist engine on a synthetic 50-item table of
 * the national structure (3 points each in parts worth 0.8, 1.0 and 1.2;
 * a/b/c/d = 100/70/30/0 %; pass at 100, rectify from 75, any item at 0
 * fails), the drug-free table's satisfaction veto, and the three shipped
 * templates' totals. */
#include "harness.h"

#include <math.h>
#include <string.h>

#include "mod/checklists/checklists.h"
#include "mod/promotion/promotion.h"
#include "mod/risks/risks.h"

/* The bands of migration 0002's lec_band and of 0020's risk_matrix_band. */
static const char *lec_bands =
    "[{\"min\":320,\"risk_level\":\"major\"},{\"min\":160,\"max\":320,\"risk_level\":\"larger\"},"
    "{\"min\":70,\"max\":160,\"risk_level\":\"general\"},{\"min\":20,\"max\":70,\"risk_level\":"
    "\"low\"},{\"max\":20,\"risk_level\":\"low\"}]";
static const char *matrix_bands =
    "[{\"min\":15,\"risk_level\":\"major\"},{\"min\":9,\"max\":15,\"risk_level\":\"larger\"},"
    "{\"min\":4,\"max\":9,\"risk_level\":\"general\"},{\"max\":4,\"risk_level\":\"low\"}]";

static void test_lec(void)
{
    json_t *b = json_loads(lec_bands, 0, NULL);
    double d = risk_lec_d(6, 6, 15);
    CHECK(fabs(d - 540) < 1e-9);
    CHECK_STR(risk_band_level(b, d), "major");                     /* 重大 */
    CHECK_STR(risk_band_level(b, risk_lec_d(3, 6, 15)), "larger"); /* 270 */
    CHECK_STR(risk_band_level(b, risk_lec_d(3, 6, 7)), "general"); /* 126 */
    CHECK_STR(risk_band_level(b, risk_lec_d(1, 6, 7)), "low");     /* 42 */
    CHECK_STR(risk_band_level(b, risk_lec_d(0.5, 1, 1)), "low");   /* 0.5 */
    CHECK(fabs(risk_lec_d(0.2, 0.5, 7) - 0.7) < 1e-9);
    json_decref(b);
    b = json_loads(matrix_bands, 0, NULL);
    CHECK_STR(risk_band_level(b, 5 * 4), "major");
    CHECK_STR(risk_band_level(b, 3 * 3), "larger");
    CHECK_STR(risk_band_level(b, 2 * 2), "general");
    CHECK_STR(risk_band_level(b, 1 * 3), "low");
    json_decref(b);
}

static struct cl_config national(void)
{
    const struct cl_template *t = cl_template_find("national");
    struct cl_config cfg;
    const char *msg = NULL;
    CHECK(t != NULL);
    CHECK_INT(cl_config_parse(&cfg, t->parts, t->grades, t->pass_min, t->rectify_min, t->veto_zero,
                              t->veto_satisfaction, &msg),
              0);
    return cfg;
}

/* 50 items graded: n3 "aaa" (3 points), n0 "ddd" (0), n2 "ada" (2.0:
 * exists and effect), the rest "dad" (1.0, evidence only). */
static enum cl_verdict grade50(const struct cl_config *cfg, int n3, int n0, int n2, double *total)
{
    static const char *const aaa[] = {"a", "a", "a"}, *const dad[] = {"d", "a", "d"},
                             *const ddd[] = {"d", "d", "d"}, *const ada[] = {"a", "d", "a"};
    double s[50];
    for (int i = 0; i < 50; i++)
        s[i] = cl_item_score(cfg, 3,
                             i < n3             ? aaa
                             : i < n3 + n0      ? ddd
                             : i < n3 + n0 + n2 ? ada
                                                : dad);
    const char *why;
    return cl_verdict(cfg, s, 50, -1, total, &why);
}

static void test_checklist(void)
{
    struct cl_config cfg = national();
    static const char *const abc[] = {"a", "b", "c"};
    CHECK(fabs(cl_item_score(&cfg, 3, abc) - (0.8 + 0.7 + 0.36)) < 1e-9);
    double total;
    /* 27 × 3 + one at 0 + 2.0 + 21 × 1.0 = 104: any item at 0 fails. */
    CHECK_INT(grade50(&cfg, 27, 1, 1, &total), CL_FAIL);
    CHECK(fabs(total - 104) < 1e-9);
    /* 27 × 3 + 23 × 1.0 = 104, none at 0: pass. */
    CHECK_INT(grade50(&cfg, 27, 0, 0, &total), CL_PASS);
    CHECK(fabs(total - 104) < 1e-9);
    /* 15 × 3 + 35 × 1.0 = 80, none at 0: rectify. */
    CHECK_INT(grade50(&cfg, 15, 0, 0, &total), CL_RECTIFY);
    CHECK(fabs(total - 80) < 1e-9);
    /* 74: fail; exactly 75 and exactly 100: rectify and pass. */
    double s[50];
    for (int i = 0; i < 50; i++)
        s[i] = 1.48;
    const char *why;
    CHECK_INT(cl_verdict(&cfg, s, 50, -1, &total, &why), CL_FAIL);
    for (int i = 0; i < 50; i++)
        s[i] = 1.5;
    CHECK_INT(cl_verdict(&cfg, s, 50, -1, &total, &why), CL_RECTIFY);
    for (int i = 0; i < 50; i++)
        s[i] = 2;
    CHECK_INT(cl_verdict(&cfg, s, 50, -1, &total, &why), CL_PASS);
    CHECK_STR(cl_verdict_code(CL_RECTIFY), "rectify");
    CHECK_STR(cl_verdict_label(CL_RECTIFY), "限期整改");
}

static void test_drug_free(void)
{
    const struct cl_template *t = cl_template_find("drug_free");
    struct cl_config cfg;
    const char *msg, *why;
    CHECK_INT(cl_config_parse(&cfg, t->parts, t->grades, t->pass_min, t->rectify_min, t->veto_zero,
                              t->veto_satisfaction, &msg),
              0);
    static const char *const A[] = {"A"}, *const B[] = {"B"};
    CHECK(fabs(cl_item_score(&cfg, 10, B) - 6.6) < 1e-9);
    double s[9], total;
    for (int i = 0; i < 9; i++)
        s[i] = cl_item_score(&cfg, i < 4 ? 10 : i < 6 ? 15 : 10, A);
    CHECK_INT(cl_verdict(&cfg, s, 9, 95, &total, &why), CL_PASS);
    CHECK(fabs(total - 100) < 1e-9);
    /* Satisfaction under 90 %: 一票否决, whatever the points. */
    CHECK_INT(cl_verdict(&cfg, s, 9, 89.5, &total, &why), CL_FAIL);
    CHECK(why && strstr(why, "满意度") != NULL);
}

static void test_templates(void)
{
    static const struct {
        const char *key;
        int leaves;
        double points;
    } want[] = {{"national", 50, 150}, {"municipal", 45, 100}, {"drug_free", 9, 100}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        const struct cl_template *t = cl_template_find(want[k].key);
        int leaves = 0, first = 0;
        double pts = 0;
        for (int i = 0; i < t->nitems; i++) {
            if (strchr(t->items[i].code, '.')) {
                leaves++;
                pts += t->items[i].points;
            } else {
                first++;
            }
        }
        CHECK_INT(leaves, want[k].leaves);
        CHECK(fabs(pts - want[k].points) < 1e-9);
        if (strcmp(want[k].key, "drug_free") != 0)
            CHECK_INT(first, 12);
    }
    CHECK(cl_template_find("nope") == NULL);
}

static void test_indicator(void)
{
    CHECK(project_indicator_met("le", -50, -30));
    CHECK(project_indicator_met("le", -30, -30));
    CHECK(!project_indicator_met("le", -29.9, -30));
    CHECK(project_indicator_met("ge", 90, 90));
    CHECK(!project_indicator_met("ge", 89.9, 90));
}

int main(void)
{
    test_lec();
    test_checklist();
    test_drug_free();
    test_templates();
    test_indicator();
    return TEST_REPORT();
}
