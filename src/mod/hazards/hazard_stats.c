/* hazard_stats: the figures of the hazard loop (hazards found, closed, on
 * time, overdue, supervised; inspections; units) and the summary's
 * paragraphs written from them. */
#include "hazards.h"

#include <stdio.h>

#include "report.h"
#include "stats.h"

/* ---- hazards: found in the year (and the year before), closed by the
 * as-at day, closed by the deadline, open and overdue at the as-at day
 * (whatever year they were found in: the backlog), supervised and listed
 * during the year ---- */

#define FOUND "found_at >= $3 AND found_at <= $4"
#define OPEN  "found_at <= $7 AND (state <> 'closed' OR closed_on > $7)"

static const struct stats_figure hazard_figures[] = {
    {.key = "found",
     .label = "排查发现隐患",
     .unit = "项",
     .expr = "CASE WHEN " FOUND " THEN 1 ELSE 0 END",
     .child = "hazards_found",
     .flags = STATS_YOY | STATS_COLUMN},
    {.key = "closed",
     .label = "整改销号",
     .unit = "项",
     .expr = "CASE WHEN " FOUND " AND state = 'closed' AND closed_on <= $7 THEN 1 ELSE 0 END",
     .child = "hazards_closed",
     .flags = STATS_COLUMN},
    {.key = "rectification_rate",
     .label = "整改率",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "closed",
     .den = "found",
     .child = "rectification_rate",
     .flags = STATS_COLUMN},
    {.key = "closed_on_time",
     .label = "按期销号",
     .unit = "项",
     .expr = "CASE WHEN " FOUND " AND state = 'closed' AND closed_on <= $7 AND closed_on <= "
             "deadline THEN 1 ELSE 0 END",
     .child = "hazards_closed_on_time"},
    {.key = "on_time_rate",
     .label = "按期整改率",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "closed_on_time",
     .den = "closed"},
    {.key = "open_at_end",
     .label = "期末未销号隐患",
     .unit = "项",
     .expr = "CASE WHEN " OPEN " THEN 1 ELSE 0 END",
     .child = "hazards_open_at_end"},
    {.key = "overdue_at_end",
     .label = "期末逾期未整改",
     .unit = "项",
     /* The list's overdue rule (hazards.c): one waiting for acceptance
      * (待验收) is not the unit's delay. The state read is today's, which
      * for a past as-at day is the closest the row keeps. */
     .expr = "CASE WHEN " OPEN " AND state <> 'awaiting_acceptance' AND deadline < $7 THEN 1 "
             "ELSE 0 END",
     .child = "overdue_at_end",
     .flags = STATS_COLUMN},
    {.key = "major",
     .label = "重大隐患",
     .unit = "项",
     .expr = "CASE WHEN " FOUND " AND grade = 'major' THEN 1 ELSE 0 END",
     .child = "hazards_major"},
    {.key = "major_closed",
     .label = "重大隐患销号",
     .unit = "项",
     .expr = "CASE WHEN " FOUND " AND grade = 'major' AND state = 'closed' AND closed_on <= $7 "
             "THEN 1 ELSE 0 END",
     .child = "hazards_major_closed"},
    /* 督办 is the supervision letter (督办函) on an overdue hazard; 挂牌督办
     * the public listing of a serious one (domain reference, section 3). */
    {.key = "supervised",
     .label = "督办",
     .unit = "项",
     .expr = "CASE WHEN supervised_on >= $3 AND supervised_on <= $4 THEN 1 ELSE 0 END",
     .child = "hazards_supervised"},
    {.key = "listed",
     .label = "挂牌督办",
     .unit = "项",
     .expr = "CASE WHEN listed_on >= $3 AND listed_on <= $4 THEN 1 ELSE 0 END",
     .child = "hazards_listed"},
};

static const struct stats_breakdown hazard_breakdowns[] = {
    {.key = "by_grade", .label = "隐患等级构成", .dict = "hazard_grade"},
    {.key = "by_domain", .label = "隐患行业领域分布", .dict = "hazard_domain"},
    {.key = "by_month", .label = "隐患月度趋势"},
};

static const struct stats_section hazard_section = {
    .name = "hazards",
    .label = "隐患排查整治",
    .perm = "hazard:read",
    .table = "hazards",
    .figures = hazard_figures,
    .nfigures = MODULE_N(hazard_figures),
    .breakdowns = hazard_breakdowns,
    .nbreakdowns = MODULE_N(hazard_breakdowns),
    .breakdown_cols = "grade, domain, substr(found_at, 6, 2)",
    .breakdown_where = FOUND,
};

static const struct stats_figure inspection_figures[] = {
    {.key = "count",
     .label = "安全检查",
     .unit = "次",
     .expr = "CASE WHEN held_on >= $3 AND held_on <= $4 THEN 1 ELSE 0 END",
     .child = "inspections",
     .flags = STATS_YOY | STATS_COLUMN},
};

static const struct stats_breakdown inspection_breakdowns[] = {
    {.key = "by_kind", .label = "安全检查类型", .dict = "inspection_kind"},
};

static const struct stats_section inspection_section = {
    .name = "inspections",
    .label = "安全检查",
    .perm = "inspection:read",
    .table = "inspections",
    .figures = inspection_figures,
    .nfigures = MODULE_N(inspection_figures),
    .breakdowns = inspection_breakdowns,
    .nbreakdowns = MODULE_N(inspection_breakdowns),
    .breakdown_cols = "kind",
    .breakdown_where = "held_on >= $3 AND held_on <= $4",
};

static const struct stats_figure unit_figures[] = {
    {.key = "total", .label = "登记单位", .unit = "家", .expr = "1"},
    {.key = "key",
     .label = "重点单位",
     .unit = "家",
     .expr = "CASE WHEN key_unit = 1 THEN 1 ELSE 0 END"},
};

static const struct stats_section unit_section = {
    .name = "units",
    .label = "单位",
    .perm = "unit:read",
    .table = "units",
    .figures = unit_figures,
    .nfigures = MODULE_N(unit_figures),
};

/* In this order the per-child table reads hazards, then inspections. */
const struct stats_section *const hazard_stats[HAZARD_NSTATS] = {
    &hazard_section,
    &inspection_section,
    &unit_section,
};

/* ---- the summary ---- */

static void summary_units(struct summary *x)
{
    json_t *u = summary_section(x, "units");
    if (!u)
        return;
    summary_subheading(x, "落实单位安全责任");
    summary_para(x, arena_printf(summary_arena(x),
                                 "%s%s%lld家，其中%s%lld家。各单位明确安全管理人，落实“一岗双"
                                 "责”，由单位安全员开展日常排查，对排查出的隐患落实整改责任。",
                                 summary_all(x), stats_label("units", "total"),
                                 summary_int(u, "total"), stats_label("units", "key"),
                                 summary_int(u, "key")));
}

static void summary_inspections(struct summary *x)
{
    json_t *in = summary_section(x, "inspections");
    if (!in)
        return;
    arena *a = summary_arena(x);
    long long n = summary_int(in, "count"), np = summary_int(in, "count_prev");
    const char *txt =
        arena_printf(a, "坚持日常排查与专项整治相结合，全年组织开展各类%s%lld次，%s",
                     stats_label("inspections", "count"), n, summary_change(x, n, np));
    json_t *by_kind = json_object_get(in, "by_kind");
    if (json_array_size(by_kind))
        txt = arena_printf(a, "%s，其中%s", txt, summary_kinds(x, by_kind, "次", NULL, NULL));
    summary_para(x, arena_printf(a, "%s。", txt));
}

static void summary_hazards(struct summary *x)
{
    json_t *hz = summary_section(x, "hazards");
    if (!hz)
        return;
    arena *a = summary_arena(x);
    long long found = summary_int(hz, "found"), fp = summary_int(hz, "found_prev"),
              closed = summary_int(hz, "closed"), on_time = summary_int(hz, "closed_on_time"),
              major = summary_int(hz, "major"), major_closed = summary_int(hz, "major_closed");
    const char *txt =
        arena_printf(a, "全年排查发现各类安全隐患%lld项，%s", found, summary_change(x, found, fp));
    json_t *by_grade = json_object_get(hz, "by_grade");
    if (json_array_size(by_grade))
        txt = arena_printf(a, "%s，其中%s", txt, summary_kinds(x, by_grade, "项", NULL, NULL));
    txt = arena_printf(a,
                       "%s。对排查出的隐患逐项登记、下达整改通知书、明确责任单位和整改期限，"
                       "实行闭环管理。截至%s，本年发现的隐患已%s%lld项，%s%s；其中%s%lld项，"
                       "%s%s。",
                       txt, summary_asof(x), stats_label("hazards", "closed"), closed,
                       stats_label("hazards", "rectification_rate"), summary_pct(x, closed, found),
                       stats_label("hazards", "closed_on_time"), on_time,
                       stats_label("hazards", "on_time_rate"), summary_pct(x, on_time, closed));
    if (major)
        txt = arena_printf(a, "%s本年发现%s%lld项，已销号%lld项。", txt,
                           stats_label("hazards", "major"), major, major_closed);
    long long sup = summary_int(hz, "supervised"), listed = summary_int(hz, "listed");
    if (sup || listed)
        txt = arena_printf(a, "%s对逾期未整改的隐患%s%lld项，%s%lld项。", txt,
                           stats_label("hazards", "supervised"), sup,
                           stats_label("hazards", "listed"), listed);
    summary_para(x, txt);
    json_t *by_domain = json_object_get(hz, "by_domain");
    if (json_array_size(by_domain)) {
        summary_para(x, "本年发现隐患按领域分布如下：");
        summary_table_by_kind(x, by_domain, "隐患领域", "隐患数（项）", NULL, NULL);
    }
}

/* The best and the worst rectification among the children that found
 * hazards. */
static void summary_children_note(struct summary *x)
{
    json_t *children = summary_children(x), *best = NULL, *worst = NULL;
    for (size_t i = 0; i < json_array_size(children); i++) {
        json_t *ch = json_array_get(children, i);
        if (!json_object_get(ch, "hazards_found") || summary_int(ch, "hazards_found") == 0)
            continue;
        long long c = summary_int(ch, "hazards_closed"), f = summary_int(ch, "hazards_found");
        if (!best ||
            c * summary_int(best, "hazards_found") > summary_int(best, "hazards_closed") * f)
            best = ch;
        if (!worst ||
            c * summary_int(worst, "hazards_found") < summary_int(worst, "hazards_closed") * f)
            worst = ch;
    }
    if (best && worst && best != worst)
        summary_note(x, arena_printf(summary_arena(x), "隐患%s最高的是%s（%s），最低的是%s（%s）。",
                                     stats_label("hazards", "rectification_rate"),
                                     json_string_value(json_object_get(best, "name")),
                                     summary_pct(x, summary_int(best, "hazards_closed"),
                                                 summary_int(best, "hazards_found")),
                                     json_string_value(json_object_get(worst, "name")),
                                     summary_pct(x, summary_int(worst, "hazards_closed"),
                                                 summary_int(worst, "hazards_found"))));
}

static void summary_problems(struct summary *x)
{
    json_t *hz = summary_section(x, "hazards");
    if (!hz)
        return;
    arena *a = summary_arena(x);
    long long overdue = summary_int(hz, "overdue_at_end"), open = summary_int(hz, "open_at_end");
    long long found = summary_int(hz, "found"), closed = summary_int(hz, "closed");
    long long major_open = summary_int(hz, "major") - summary_int(hz, "major_closed");
    if (overdue > 0)
        summary_problem(x,
                        arena_printf(a,
                                     "隐患整改不够及时。截至%s，尚有未销号隐患%lld项，其中逾期"
                                     "未整改%lld项，部分责任单位整改不到位。",
                                     summary_asof(x), open, overdue),
                        arena_printf(a,
                                     "对逾期未整改的%lld项隐患逐项督办，限期整改销号，对整改不力"
                                     "的单位约谈问责。",
                                     overdue));
    if (found > 0 && closed * 10 < found * 9)
        summary_problem(x,
                        arena_printf(a, "本年发现隐患的%s为%s，低于90%%的工作目标。",
                                     stats_label("hazards", "rectification_rate"),
                                     summary_pct(x, closed, found)),
                        NULL);
    if (major_open > 0)
        summary_problem(
            x,
            arena_printf(a, "本年发现的重大隐患中仍有%lld项未销号，治理难度大、周期长。",
                         major_open),
            arena_printf(a, "对未销号的%lld项重大隐患落实治理方案和应急措施，实行挂牌督办。",
                         major_open));
}

static void summary_plan_standing(struct summary *x)
{
    if (summary_section(x, "hazards"))
        summary_plan(x, "持续开展隐患排查整治，坚持日常排查与专项整治相结合，做到隐患登记、整改、"
                        "验收闭环管理。");
}

const struct summary_part hazard_summary[HAZARD_NSUMMARY] = {
    {.chapter = "organisation", .rank = 10, .write = summary_units},
    {.chapter = "rectification", .rank = 10, .write = summary_inspections},
    {.chapter = "rectification", .rank = 20, .write = summary_hazards},
    {.chapter = "children", .rank = 10, .write = summary_children_note},
    {.chapter = "problems", .rank = 10, .write = summary_problems},
    {.chapter = "plan", .rank = 10, .write = summary_plan_standing},
};
