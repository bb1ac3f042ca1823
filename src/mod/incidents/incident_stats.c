/* incident_stats: the figures of incidents and injury cases, read from the
 * monthly aggregate tables of migration 0013 (kept exact by triggers; the
 * check below compares them with the raw rows), and the work summary's
 * results paragraphs (事故伤害情况) in the seed summaries' own phrasing. */
#include "incidents.h"

#include <stdio.h>
#include <string.h>

#include "report.h"
#include "stats.h"

/* An aggregate row's month ('YYYY-MM-01') in the year, or the year before
 * when read with $5/$6 (STATS_YOY). */
#define YEAR "month >= $3 AND month <= $4"

/* ---- incidents ---- */

/* One figure per kind of the incident_kind dictionary (migration 0013), so
 * that each township's row has its own counts by kind, read from the
 * kind's column of incidents_by_region_month (migration 0015: one row per
 * region and month); the breakdown by_kind follows the dictionary itself,
 * versions included, from incidents_by_month. */
#define KIND(code, label_)                                                                         \
    {                                                                                              \
        .key = code, .label = label_, .unit = "起",                                                \
        .expr = "CASE WHEN " YEAR " THEN n_" code " ELSE 0 END", .child = "incidents_" code,       \
        .flags = STATS_YOY                                                                         \
    }

static const struct stats_figure incident_figures[] = {
    {.key = "total",
     .label = "事故（案件）",
     .unit = "起",
     .expr = "CASE WHEN " YEAR " THEN n ELSE 0 END",
     .child = "incidents",
     .flags = STATS_YOY | STATS_COLUMN},
    {.key = "larger",
     .label = "较大及以上事故",
     .unit = "起",
     .expr = "CASE WHEN " YEAR " THEN larger ELSE 0 END",
     .child = "incidents_larger",
     .flags = STATS_YOY},
    {.key = "deaths",
     .label = "事故死亡人数",
     .unit = "人",
     .expr = "CASE WHEN " YEAR " THEN deaths ELSE 0 END",
     .child = "incident_deaths",
     .flags = STATS_YOY | STATS_COLUMN},
    {.key = "injured",
     .label = "事故受伤人数",
     .unit = "人",
     .expr = "CASE WHEN " YEAR " THEN injured ELSE 0 END",
     .child = "incident_injured",
     .flags = STATS_YOY},
    {.key = "loss",
     .label = "直接经济损失",
     .unit = "元",
     .kind = STATS_SUM,
     .expr = "CASE WHEN " YEAR " THEN loss ELSE 0 END",
     .child = "incident_loss",
     .flags = STATS_YOY},
    {.key = "rate",
     .label = "事故发生率",
     .unit = "起/10万人",
     .kind = STATS_PER100K,
     .num = "total",
     .child = "incident_rate",
     .flags = STATS_YOY},
    {.key = "deaths_rate",
     .label = "事故死亡率",
     .unit = "人/10万人",
     .kind = STATS_PER100K,
     .num = "deaths",
     .child = "incident_deaths_rate",
     .flags = STATS_YOY},
    KIND("road_traffic", "道路交通事故"),
    KIND("water_traffic", "水上交通事故"),
    KIND("fire", "火灾事故"),
    KIND("production", "生产安全事故（工贸）"),
    KIND("construction", "建筑施工事故"),
    KIND("rural_power", "农电事故"),
    KIND("farm_machinery", "农机事故"),
    KIND("special_equipment", "特种设备事故"),
    KIND("drowning", "溺水事故"),
    KIND("geological", "地质灾害"),
    KIND("food_poisoning", "食物中毒"),
    KIND("public_security", "社会治安案件"),
    KIND("student_injury", "学生伤害事故"),
    KIND("home_injury", "居家伤害事故"),
    KIND("other", "其他事故（案件）"),
};

/* The first figure by kind, for the summary's loop over the kinds. */
#define FIRST_KIND 7

static const struct stats_breakdown incident_breakdowns[] = {
    {.key = "by_kind",
     .label = "事故（案件）类别构成",
     .dict = "incident_kind",
     .col = "kind",
     .table = "incidents_by_month",
     .date = "month",
     .count = "n"},
    {.key = "by_grade",
     .label = "事故等级构成",
     .dict = "accident_grade",
     .col = "grade",
     .table = "incidents_by_month",
     .date = "month",
     .count = "n"},
    {.key = "by_month",
     .label = "事故（案件）月度趋势",
     .col = "substr(month, 6, 2)",
     .date = "month",
     .count = "n"},
};

static const struct stats_section incident_section = {
    .name = "incidents",
    .label = "事故（案件）",
    .perm = "incident:read",
    .table = "incidents_by_region_month",
    .live = "n <> 0",
    .figures = incident_figures,
    .nfigures = MODULE_N(incident_figures),
    .breakdowns = incident_breakdowns,
    .nbreakdowns = MODULE_N(incident_breakdowns),
};

/* ---- injury cases ---- */

static const struct stats_figure injury_figures[] = {
    {.key = "total",
     .label = "伤害病例",
     .unit = "例",
     .expr = "CASE WHEN " YEAR " THEN n ELSE 0 END",
     .child = "injuries",
     .flags = STATS_YOY | STATS_COLUMN},
    /* 老年人、残疾人、儿童伤害: a case in any of the three groups, once. */
    {.key = "vulnerable",
     .label = "老年人、残疾人、儿童伤害",
     .unit = "件",
     .expr = "CASE WHEN " YEAR " THEN vulnerable ELSE 0 END",
     .child = "injuries_vulnerable",
     .flags = STATS_YOY},
    {.key = "elderly",
     .label = "老年人伤害病例",
     .unit = "例",
     .expr = "CASE WHEN " YEAR " THEN elderly ELSE 0 END",
     .child = "injuries_elderly",
     .flags = STATS_YOY},
    {.key = "disabled",
     .label = "残疾人伤害病例",
     .unit = "例",
     .expr = "CASE WHEN " YEAR " THEN disabled ELSE 0 END",
     .child = "injuries_disabled",
     .flags = STATS_YOY},
    {.key = "child",
     .label = "儿童伤害病例",
     .unit = "例",
     .expr = "CASE WHEN " YEAR " THEN child ELSE 0 END",
     .child = "injuries_child",
     .flags = STATS_YOY},
    {.key = "student",
     .label = "学生伤害病例",
     .unit = "例",
     .expr = "CASE WHEN " YEAR " THEN student ELSE 0 END",
     .child = "injuries_student",
     .flags = STATS_YOY},
    {.key = "died",
     .label = "伤害死亡",
     .unit = "例",
     .expr = "CASE WHEN " YEAR " THEN died ELSE 0 END",
     .child = "injuries_died",
     .flags = STATS_YOY},
    {.key = "rate",
     .label = "伤害发生率",
     .unit = "例/10万人",
     .kind = STATS_PER100K,
     .num = "total",
     .child = "injury_rate",
     .flags = STATS_YOY},
};

#define BY_CODE(key_, label_, dict_, dim)                                                          \
    {                                                                                              \
        .key = key_, .label = label_, .dict = dict_, .col = "code",                                \
        .table = "injury_cases_by_code", .date = "month", .where = "dim = '" dim "'", .count = "n" \
    }

static const struct stats_breakdown injury_breakdowns[] = {
    BY_CODE("by_cause", "伤害原因构成", "injury_cause", "cause"),
    BY_CODE("by_place", "伤害发生地点构成", "injury_place", "place"),
    BY_CODE("by_sex", "伤害病例性别构成", "sex", "sex"),
    BY_CODE("by_age_band", "伤害病例年龄构成", "age_band", "age_band"),
    BY_CODE("by_group", "重点人群伤害", "vulnerable_group", "group"),
    {.key = "by_month",
     .label = "伤害病例月度趋势",
     .col = "substr(month, 6, 2)",
     .date = "month",
     .count = "n"},
};

/* Personal health data: the cases are read with injury:read, their counts
 * with injury_stats:read (administrators by *:read, reviewers by grant). */
static const struct stats_section injury_section = {
    .name = "injuries",
    .label = "伤害监测",
    .perm = "injury_stats:read",
    .table = "injury_cases_by_month",
    .live = "n <> 0",
    .figures = injury_figures,
    .nfigures = MODULE_N(injury_figures),
    .breakdowns = injury_breakdowns,
    .nbreakdowns = MODULE_N(injury_breakdowns),
};

const struct stats_section *const incident_stats[INCIDENT_NSTATS] = {
    &incident_section,
    &injury_section,
};

/* ---- the summary: 事故伤害情况 ---- */

/* "A、B和C" */
static const char *joined(arena *a, const char *const *items, int n)
{
    const char *out = "";
    for (int i = 0; i < n; i++)
        out = arena_printf(a, "%s%s%s", out, i == 0 ? "" : i == n - 1 ? "和" : "、", items[i]);
    return out;
}

/* A label without its "事故": "道路交通事故" → "道路交通", for "无…事故". */
static const char *bare(arena *a, const char *label)
{
    const char *p = strstr(label, "事故");
    if (!p)
        return label;
    return arena_printf(a, "%.*s%s", (int)(p - label), label, p + strlen("事故"));
}

/* The kinds' sentence: each kind with records this year or last, "道路交通事故
 * 21起，同比下降30%"; then the kinds without any this year, "无火灾和学生伤害事故". */
static const char *kinds_sentence(struct summary *x, json_t *in)
{
    arena *a = summary_arena(x);
    const char *some = "";
    const char *none[MODULE_N(incident_figures)], *cases_none[MODULE_N(incident_figures)];
    int nnone = 0, ncases = 0, nsome = 0;
    for (int i = FIRST_KIND; i < MODULE_N(incident_figures); i++) {
        const struct stats_figure *f = &incident_figures[i];
        long long n = summary_int(in, f->key),
                  np = summary_int(in, arena_printf(a, "%s_prev", f->key));
        if (n || np) {
            some = arena_printf(a, "%s%s%s%lld起，%s", some, nsome++ ? "；" : "", f->label, n,
                                summary_change_pct(x, n, np));
        } else if (strcmp(f->key, "other") != 0) {
            const char *l = f->label;
            size_t len = strlen(l);
            if (len >= strlen("案件") && strcmp(l + len - strlen("案件"), "案件") == 0)
                cases_none[ncases++] = l;
            else
                none[nnone++] = bare(a, l);
        }
    }
    const char *out = nsome ? arena_printf(a, "其中%s。", some) : "";
    if (nnone)
        out = arena_printf(a, "%s无%s事故。", out, joined(a, none, nnone));
    if (ncases)
        out = arena_printf(a, "%s无%s。", out, joined(a, cases_none, ncases));
    return out;
}

/* "从60件下降至25件，同比下降58.3%", "5件，新增, 无基数", … */
static const char *count_change(struct summary *x, long long n, long long np, const char *unit)
{
    arena *a = summary_arena(x);
    if (np > n)
        return arena_printf(a, "从%lld%s下降至%lld%s，%s", np, unit, n, unit,
                            summary_change_pct(x, n, np));
    if (np && n > np)
        return arena_printf(a, "从%lld%s上升至%lld%s，%s", np, unit, n, unit,
                            summary_change_pct(x, n, np));
    return arena_printf(a, "%lld%s，%s", n, unit, summary_change_pct(x, n, np));
}

static const char *loss_text(arena *a, json_t *in)
{
    long long t = (long long)(json_number_value(json_object_get(in, "loss")) * 10 + 0.5);
    if (t >= 100000) /* 1万元 and more: in 万元, two decimals */
        return arena_printf(a, "%lld.%02lld万元", t / 100000, (t % 100000 + 500) / 1000 % 100);
    return t % 10 ? arena_printf(a, "%lld.%lld元", t / 10, t % 10)
                  : arena_printf(a, "%lld元", t / 10);
}

static const char *rate_text(arena *a, json_t *obj, const char *key, const char *label)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        return "";
    return arena_printf(a, "，%s%.2f/10万", label, json_number_value(v));
}

static void summary_incidents(struct summary *x, json_t *in)
{
    arena *a = summary_arena(x);
    long long n = summary_int(in, "total"), np = summary_int(in, "total_prev");
    if (!n && !np)
        return;
    const char *txt = arena_printf(
        a, "%s全年共发生各类%s%lld起，%s，%s%lld人，%s%lld人，%s%s%s。%s", summary_all(x),
        stats_label("incidents", "total"), n, summary_change_pct(x, n, np),
        stats_label("incidents", "deaths"), summary_int(in, "deaths"),
        stats_label("incidents", "injured"), summary_int(in, "injured"),
        stats_label("incidents", "loss"), loss_text(a, in),
        rate_text(a, in, "rate", stats_label("incidents", "rate")), kinds_sentence(x, in));
    long long larger = summary_int(in, "larger");
    txt = larger == 0 ? arena_printf(a, "%s未发生一起较大及以上事故。", txt)
                      : arena_printf(a, "%s发生%s%lld起。", txt, stats_label("incidents", "larger"),
                                     larger);
    summary_para(x, txt);
    /* The county's summary: each township's results, then the county-wide
     * sentence by kind, as the county summaries put them. */
    if (strcmp(summary_region_level(x), "county") != 0)
        return;
    json_t *children = summary_children(x);
    const char *per = "";
    for (size_t i = 0; i < json_array_size(children); i++) {
        json_t *ch = json_array_get(children, i);
        long long c = summary_int(ch, "incidents"), cp = summary_int(ch, "incidents_prev");
        if (!c && !cp)
            continue;
        per = arena_printf(a, "%s%s%s发生%s%lld起，%s%s", per, *per ? "；" : "",
                           json_string_value(json_object_get(ch, "name")),
                           stats_label("incidents", "total"), c, summary_change_pct(x, c, cp),
                           summary_int(ch, "incidents_larger") ? "" : "，无较大及以上事故");
    }
    const char *kinds = "";
    for (int i = FIRST_KIND; i < MODULE_N(incident_figures); i++) {
        const struct stats_figure *f = &incident_figures[i];
        long long k = summary_int(in, f->key),
                  kp = summary_int(in, arena_printf(a, "%s_prev", f->key));
        if (k || kp)
            kinds = arena_printf(a, "%s%s%s%s", kinds, *kinds ? "，" : "", f->label,
                                 summary_change_pct(x, k, kp));
    }
    if (*per)
        summary_para(x, arena_printf(a, "各乡镇（街道）：%s。", per));
    if (*kinds)
        summary_para(x, arena_printf(a, "%s各类事故%s：%s。", summary_all(x),
                                     n < np ? "明显下降" : "情况", kinds));
}

static void summary_injuries(struct summary *x, json_t *ij)
{
    arena *a = summary_arena(x);
    long long n = summary_int(ij, "total"), np = summary_int(ij, "total_prev");
    if (!n && !np)
        return;
    long long v = summary_int(ij, "vulnerable"), vp = summary_int(ij, "vulnerable_prev");
    const char *txt = arena_printf(a, "全年伤害监测报告%s%s%s。", stats_label("injuries", "total"),
                                   count_change(x, n, np, "例"),
                                   rate_text(a, ij, "rate", stats_label("injuries", "rate")));
    if (!v && !vp)
        txt = arena_printf(a, "%s未发生%s事故。", txt, stats_label("injuries", "vulnerable"));
    else
        txt = arena_printf(a, "%s%s事故%s。", txt, stats_label("injuries", "vulnerable"),
                           count_change(x, v, vp, "件"));
    /* The leading causes, with their shares (构成比). */
    json_t *by_cause = json_object_get(ij, "by_cause");
    const char *top = "";
    for (int k = 0; k < 3; k++) {
        json_t *best = NULL;
        for (size_t i = 0; i < json_array_size(by_cause); i++) {
            json_t *it = json_array_get(by_cause, i);
            if (json_object_get(it, "_used") || summary_int(it, "count") == 0)
                continue;
            if (!best || summary_int(it, "count") > summary_int(best, "count"))
                best = it;
        }
        if (!best)
            break;
        json_object_set_new(best, "_used", json_true());
        top = arena_printf(a, "%s%s%s（%s）", top, k ? "、" : "",
                           json_string_value(json_object_get(best, "label")),
                           summary_pct(x, summary_int(best, "count"), n));
    }
    for (size_t i = 0; i < json_array_size(by_cause); i++)
        json_object_del(json_array_get(by_cause, i), "_used");
    if (*top)
        txt = arena_printf(a, "%s伤害原因以%s为主。", txt, top);
    summary_para(x, txt);
}

static void summary_results(struct summary *x)
{
    json_t *in = summary_section(x, "incidents"), *ij = summary_section(x, "injuries");
    if (in)
        summary_incidents(x, in);
    if (ij)
        summary_injuries(x, ij);
}

const struct summary_part incident_summary[INCIDENT_NSUMMARY] = {
    {.chapter = "results", .rank = 10, .write = summary_results},
};

/* ---- check: the aggregates equal the raw rows ---- */

#define AGE_BAND                                                                                   \
    "CASE WHEN age < 7 THEN '0-6' WHEN age < 14 THEN '7-13' WHEN age < 18 THEN '14-17' WHEN age "  \
    "< 45 THEN '18-44' WHEN age < 60 THEN '45-59' WHEN age < 75 THEN '60-74' ELSE '75+' END"
#define LIVE_MONTH(col) "substr(" col ", 1, 7) || '-01'"

#define KIND_N(k)   ", SUM(CASE WHEN kind = '" k "' THEN 1 ELSE 0 END)"
#define KIND_COL(k) ", n_" k

static const struct {
    const char *what, *agg, *raw;
} agg_checks[] = {
    {"incidents_by_region_month",
     "SELECT region, month, n, larger, deaths, injured, ROUND(loss)" KIND_COL("road_traffic")
         KIND_COL("water_traffic") KIND_COL("fire") KIND_COL("production") KIND_COL("construction")
             KIND_COL("rural_power") KIND_COL("farm_machinery") KIND_COL("special_equipment")
                 KIND_COL("drowning") KIND_COL("geological") KIND_COL("food_poisoning")
                     KIND_COL("public_security") KIND_COL("student_injury") KIND_COL("home_injury")
                         KIND_COL("other") " FROM incidents_by_region_month WHERE n <> 0",
     "SELECT region, " LIVE_MONTH(
         "occurred_on") ", count(*), "
                        "SUM(CASE WHEN grade IN ('larger', 'major', 'especially_major') THEN 1 "
                        "ELSE 0 END), "
                        "SUM(COALESCE(deaths, 0)), SUM(COALESCE(injured, 0)), "
                        "ROUND(SUM(COALESCE(loss, 0)))" KIND_N("road_traffic")
                            KIND_N("water_traffic") KIND_N("fire") KIND_N("production") KIND_N(
                                "construction") KIND_N("rural_power") KIND_N("farm_machinery")
                                KIND_N("special_equipment") KIND_N("drowning") KIND_N("geological")
                                    KIND_N("food_poisoning") KIND_N("public_security")
                                        KIND_N("student_injury") KIND_N("home_injury")
                                            KIND_N("other") " FROM incidents WHERE deleted_at IS "
                                                            "NULL GROUP BY 1, 2"},
    {"incidents_by_month",
     "SELECT region, month, kind, grade, n, deaths, injured, ROUND(loss) FROM incidents_by_month "
     "WHERE n <> 0",
     "SELECT region, " LIVE_MONTH(
         "occurred_on") ", kind, grade, count(*), "
                        "SUM(COALESCE(deaths, 0)), SUM(COALESCE(injured, 0)), "
                        "ROUND(SUM(COALESCE(loss, 0))) FROM "
                        "incidents WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4"},
    {"injury_cases_by_month",
     "SELECT region, month, n, elderly, child, student, disabled, vulnerable, died FROM "
     "injury_cases_by_month WHERE n <> 0",
     "SELECT region, " LIVE_MONTH(
         "injured_on") ", count(*), "
                       "SUM(CASE WHEN age >= 60 THEN 1 ELSE 0 END), SUM(CASE WHEN age < 14 THEN 1 "
                       "ELSE 0 END), "
                       "SUM(CASE WHEN occupation = '2' THEN 1 ELSE 0 END), "
                       "SUM(CASE WHEN disabled = 1 THEN 1 ELSE 0 END), "
                       "SUM(CASE WHEN age >= 60 OR age < 14 OR disabled = 1 THEN 1 ELSE 0 END), "
                       "SUM(CASE WHEN outcome = '5' THEN 1 ELSE 0 END) FROM injury_cases WHERE "
                       "deleted_at IS NULL "
                       "GROUP BY 1, 2"},
    {"injury_cases_by_code",
     "SELECT region, month, dim, code, n FROM injury_cases_by_code WHERE n <> 0",
     "SELECT region, m, dim, code, count(*) FROM ("
     "SELECT region, " LIVE_MONTH(
         "injured_on") " AS m, 'cause' AS dim, cause AS code FROM "
                       "injury_cases WHERE deleted_at IS NULL UNION ALL "
                       "SELECT region, " LIVE_MONTH(
                           "injured_on") ", 'place', place FROM injury_cases WHERE "
                                         "deleted_at IS NULL UNION ALL "
                                         "SELECT region, " LIVE_MONTH(
                                             "injured_on") ", 'sex', sex FROM injury_cases WHERE "
                                                           "deleted_at "
                                                           "IS NULL UNION ALL "
                                                           "SELECT region, " LIVE_MONTH(
                                                               "injured_on") ", "
                                                                             "'age_band', " AGE_BAND
                                                                             " FROM injury_cases "
                                                                             "WHERE deleted_at IS "
                                                                             "NULL UNION ALL "
                                                                             "SELECT "
                                                                             "region, " LIVE_MONTH(
                                                                                 "injured_on") ", "
                                                                                               "'gr"
                                                                                               "oup"
                                                                                               "', "
                                                                                               "'el"
                                                                                               "der"
                                                                                               "ly'"
                                                                                               " FR"
                                                                                               "OM "
                                                                                               "inj"
                                                                                               "ury"
                                                                                               "_ca"
                                                                                               "ses"
                                                                                               " WH"
                                                                                               "ERE"
                                                                                               " "
                                                                                               "del"
                                                                                               "ete"
                                                                                               "d_"
                                                                                               "at "
                                                                                               "IS "
                                                                                               "NUL"
                                                                                               "L "
                                                                                               "AND"
                                                                                               " ag"
                                                                                               "e "
                                                                                               ">= "
                                                                                               "60 "
                                                                                               "UNI"
                                                                                               "ON "
                                                                                               "ALL"
                                                                                               " "
                                                                                               "SEL"
                                                                                               "ECT"
                                                                                               " re"
                                                                                               "gio"
                                                                                               "n,"
                                                                                               " " LIVE_MONTH(
                                                                                                   "injured_on") ", 'group', 'disabled' FROM injury_cases WHERE "
                                                                                                                 "deleted_at IS NULL AND disabled = 1 UNION ALL "
                                                                                                                 "SELECT region, " LIVE_MONTH(
                                                                                                                     "injured_on") ", 'group', 'child' FROM injury_cases WHERE "
                                                                                                                                   "deleted_at IS NULL AND age < 14 UNION ALL "
                                                                                                                                   "SELECT region, " LIVE_MONTH(
                                                                                                                                       "injured_on") ", 'group', 'student' FROM injury_cases WHERE "
                                                                                                                                                     "deleted_at IS NULL AND occupation = '2') r GROUP BY 1, 2, 3, 4"},
};

/* The rows one side has and the other lacks, both ways; -1 on error. */
static long long differing(db_conn *c, const char *a, const char *b)
{
    char sql[8192];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM (%s EXCEPT %s) d1) + (SELECT count(*) FROM (%s EXCEPT "
             "%s) d2)",
             a, b, b, a);
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return -1;
    int rc = db_step(s);
    long long n = rc == DB_ROW ? (long long)db_col_int(s, 0) : -1;
    db_done(s);
    return n;
}

int incident_check(db_conn *c, FILE *out)
{
    int fails = 0;
    for (size_t i = 0; i < sizeof agg_checks / sizeof agg_checks[0]; i++) {
        long long n = differing(c, agg_checks[i].agg, agg_checks[i].raw);
        if (n == 0) {
            fprintf(out, "ok   the aggregate %s equals the raw rows\n", agg_checks[i].what);
        } else {
            fails++;
            if (n < 0)
                fprintf(out, "FAIL aggregate %s: cannot compare: %s\n", agg_checks[i].what,
                        db_errmsg(c));
            else
                fprintf(out, "FAIL aggregate %s: %lld rows differ from the raw rows\n",
                        agg_checks[i].what, n);
        }
    }
    return fails;
}
