/* reg_stats: see registries.h. The registries' figures, declared once (the
 * statistics page, the Excel export and the summaries read the same rows),
 * and the paragraphs of the drug-free, rule-of-law and civilised summaries.
 * Only counts leave here: no figure names a person. */
#include "registries.h"

#include "report.h"
#include "stats.h"

/* ---- help-education: as at the day ($7) ---- */

#define DRUG  "kind = 'drug_user' AND start_date <= $7"
#define OTHER "kind <> 'drug_user' AND start_date <= $7"

static const struct stats_figure help_figures[] = {
    {.key = "total",
     .label = "帮教对象",
     .unit = "人",
     .expr = "CASE WHEN start_date <= $7 THEN 1 ELSE 0 END"},
    {.key = "drug_users",
     .label = "建档立卡吸毒人员",
     .unit = "人",
     .expr = "CASE WHEN " DRUG " THEN 1 ELSE 0 END"},
    {.key = "drug_helped",
     .label = "落实帮教措施的吸毒人员",
     .unit = "人",
     .expr =
         "CASE WHEN " DRUG " AND police_officer <> '' AND village_cadre <> '' THEN 1 ELSE 0 END"},
    {.key = "relapsed",
     .label = "复吸人员",
     .unit = "人",
     .expr = "CASE WHEN " DRUG " AND relapsed = 1 THEN 1 ELSE 0 END"},
    {.key = "relapse_rate",
     .label = "复吸率",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "relapsed",
     .den = "drug_users"},
    {.key = "others",
     .label = "社区矫正和归正人员",
     .unit = "人",
     .expr = "CASE WHEN " OTHER " THEN 1 ELSE 0 END"},
    {.key = "reoffended",
     .label = "重新犯罪人员",
     .unit = "人",
     .expr = "CASE WHEN " OTHER " AND relapsed = 1 THEN 1 ELSE 0 END"},
    {.key = "reoffend_rate",
     .label = "重新犯罪率",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "reoffended",
     .den = "others"},
};

static const struct stats_breakdown help_breakdowns[] = {
    {.key = "by_kind", .label = "帮教对象类别", .dict = "registry_kind"},
    {.key = "by_status", .label = "帮教状态", .dict = "help_status"},
};

const struct stats_section reg_help_stats = {
    .name = "help_education",
    .label = "社会帮教",
    .perm = "help:count",
    .table = "help_subjects",
    .figures = help_figures,
    .nfigures = MODULE_N(help_figures),
    .breakdowns = help_breakdowns,
    .nbreakdowns = MODULE_N(help_breakdowns),
    .breakdown_cols = "kind, status",
    .breakdown_where = "start_date <= $7",
};

static const struct stats_figure help_visit_figures[] = {
    {.key = "planned",
     .label = "计划帮教走访谈话",
     .unit = "次",
     .expr = "CASE WHEN planned_on >= $3 AND planned_on <= $4 THEN 1 ELSE 0 END"},
    {.key = "done",
     .label = "完成帮教走访谈话",
     .unit = "次",
     .expr = "CASE WHEN done_on >= $3 AND done_on <= $4 AND done_on <= $7 THEN 1 ELSE 0 END"},
    {.key = "done_rate",
     .label = "走访完成率",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "done",
     .den = "planned"},
};

static const struct stats_breakdown help_visit_breakdowns[] = {
    {.key = "planned_by_month",
     .label = "每月计划走访",
     .col = "substr(planned_on, 6, 2)",
     .date = "planned_on"},
    {.key = "done_by_month",
     .label = "每月完成走访",
     .col = "substr(done_on, 6, 2)",
     .date = "done_on"},
};

const struct stats_section reg_help_visit_stats = {
    .name = "help_visits",
    .label = "帮教走访",
    .perm = "help:count",
    .table = "help_visits",
    .figures = help_visit_figures,
    .nfigures = MODULE_N(help_visit_figures),
    .breakdowns = help_visit_breakdowns,
    .nbreakdowns = MODULE_N(help_visit_breakdowns),
};

/* ---- disputes received in the year ---- */

#define RECEIVED "received_on >= $3 AND received_on <= $4"

static const struct stats_figure dispute_figures[] = {
    {.key = "received",
     .label = "受理矛盾纠纷",
     .unit = "件",
     .expr = "CASE WHEN " RECEIVED " THEN 1 ELSE 0 END",
     .flags = STATS_YOY},
    {.key = "success",
     .label = "调解成功",
     .unit = "件",
     .expr = "CASE WHEN " RECEIVED " AND result = 'agreement' THEN 1 ELSE 0 END"},
    {.key = "success_rate",
     .label = "调解成功率",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "success",
     .den = "received"},
    {.key = "in_village",
     .label = "在村（社区）化解",
     .unit = "件",
     .expr = "CASE WHEN " RECEIVED " AND resolved_in_village = 1 THEN 1 ELSE 0 END"},
    {.key = "in_village_rate",
     .label = "小事不出村比例",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "in_village",
     .den = "received"},
    {.key = "to_criminal",
     .label = "民转刑案件",
     .unit = "件",
     .expr = "CASE WHEN " RECEIVED " AND to_criminal = 1 THEN 1 ELSE 0 END"},
};

static const struct stats_breakdown dispute_breakdowns[] = {
    {.key = "by_type", .label = "矛盾纠纷类型", .dict = "dispute_type"},
};

const struct stats_section reg_dispute_stats = {
    .name = "disputes",
    .label = "矛盾纠纷调解",
    .perm = "dispute:read",
    .table = "disputes",
    .figures = dispute_figures,
    .nfigures = MODULE_N(dispute_figures),
    .breakdowns = dispute_breakdowns,
    .nbreakdowns = MODULE_N(dispute_breakdowns),
    .breakdown_cols = "type",
    .breakdown_where = RECEIVED,
};

/* ---- dangerous houses appraised by the day ---- */

#define DANGEROUS "appraised_on <= $7 AND grade IN ('C', 'D')"

static const struct stats_figure house_figures[] = {
    {.key = "appraised",
     .label = "鉴定房屋",
     .unit = "户",
     .expr = "CASE WHEN appraised_on <= $7 THEN 1 ELSE 0 END"},
    {.key = "dangerous",
     .label = "局部危房、整幢危房",
     .unit = "户",
     .expr = "CASE WHEN " DANGEROUS " THEN 1 ELSE 0 END"},
    {.key = "closed",
     .label = "已处置销号危房",
     .unit = "户",
     .expr = "CASE WHEN " DANGEROUS " AND state = 'closed' AND closed_on <= $7 THEN 1 ELSE 0 END"},
};

static const struct stats_breakdown house_breakdowns[] = {
    {.key = "by_grade", .label = "房屋鉴定等级", .dict = "house_grade"},
};

const struct stats_section reg_house_stats = {
    .name = "dangerous_houses",
    .label = "危房改造",
    .perm = "house:read",
    .table = "dangerous_houses",
    .figures = house_figures,
    .nfigures = MODULE_N(house_figures),
    .breakdowns = house_breakdowns,
    .nbreakdowns = MODULE_N(house_breakdowns),
    .breakdown_cols = "grade",
    .breakdown_where = "appraised_on <= $7",
};

/* ---- the summaries' paragraphs ---- */

void reg_summary_help(struct summary *x)
{
    json_t *h = summary_section(x, "help_education");
    if (!h || summary_int(h, "total") == 0)
        return;
    arena *a = summary_arena(x);
    long long drug = summary_int(h, "drug_users"), helped = summary_int(h, "drug_helped");
    long long rel = summary_int(h, "relapsed"), oth = summary_int(h, "others");
    long long reoff = summary_int(h, "reoffended");
    const char *t = "";
    if (drug > 0) {
        t = arena_printf(a, "%s%lld人，%s", stats_label("help_education", "drug_users"), drug,
                         helped == drug ? "全部落实帮教措施"
                                        : arena_printf(a, "落实帮教措施%lld人", helped));
        t = rel ? arena_printf(a, "%s，复吸%lld人，复吸率%s", t, rel, summary_pct(x, rel, drug))
                : arena_printf(a, "%s，无复吸", t);
    }
    if (oth > 0)
        t = arena_printf(a, "%s%s对%s%lld人逐人落实帮教小组，%s", t, *t ? "；" : "",
                         stats_label("help_education", "others"), oth,
                         reoff ? arena_printf(a, "重新犯罪%lld人", reoff) : "无重新犯罪");
    summary_para(x,
                 arena_printf(a, "%s由派出所建档立卡，帮教小组逐人帮教。%s。", summary_all(x), t));
    if (helped < drug)
        summary_problem(x, arena_printf(a, "%lld名吸毒人员的帮教小组尚未配齐。", drug - helped),
                        "逐人配齐民警、村（社区）干部、家庭成员组成的帮教小组，落实帮教协议。");
    if (rel > 0)
        summary_problem(x, arena_printf(a, "仍有%lld名吸毒人员复吸。", rel),
                        "加强动态管控和定期尿检，巩固戒断成果，降低复吸率。");
    json_t *v = summary_section(x, "help_visits");
    if (v && summary_int(v, "planned") > 0)
        summary_para(x, arena_printf(a, "全年计划帮教走访谈话%lld次，完成%lld次。",
                                     summary_int(v, "planned"), summary_int(v, "done")));
}

void reg_summary_mediation(struct summary *x)
{
    json_t *d = summary_section(x, "disputes");
    if (!d || summary_int(d, "received") == 0)
        return;
    arena *a = summary_arena(x);
    long long n = summary_int(d, "received"), ok = summary_int(d, "success");
    long long crim = summary_int(d, "to_criminal"), vil = summary_int(d, "in_village");
    summary_para(x, arena_printf(a,
                                 "%s受理矛盾纠纷%lld件，调解成功%lld件，调解成功率%s，%s。"
                                 "其中在村（社区）化解%lld件，占%s，做到小事不出村。",
                                 summary_all(x), n, ok, summary_pct(x, ok, n),
                                 crim ? arena_printf(a, "发生民转刑案件%lld件", crim)
                                      : "未发生一起民转刑案件",
                                 vil, summary_pct(x, vil, n)));
    if (crim)
        summary_problem(x,
                        arena_printf(a, "矛盾纠纷排查化解仍有疏漏，发生民转刑案件%lld件。", crim),
                        "加强矛盾纠纷排查预警，做到早发现、早调处，杜绝民转刑案件。");
}

void reg_summary_housing(struct summary *x)
{
    json_t *h = summary_section(x, "dangerous_houses");
    if (!h || summary_int(h, "appraised") == 0)
        return;
    arena *a = summary_arena(x);
    summary_para(x,
                 arena_printf(a,
                              "开展危房摸底鉴定，%s鉴定房屋%lld户，其中局部危房、整幢危房%lld户，"
                              "已处置销号%lld户。",
                              summary_all(x), summary_int(h, "appraised"),
                              summary_int(h, "dangerous"), summary_int(h, "closed")));
}
