/* campaign_stats: the figures of the campaigns (by type, level and step;
 * filed, named, late), of the targets, the funds, the supervision
 * inspections and their findings; and the safe-community summary's
 * chapters "targets" (创建目标和工作进展) and "support" (经费投入和督导检查),
 * written from them in the seed's phrasing. A part whose records do not
 * exist writes nothing. */
#include "campaigns.h"

#include <stdio.h>
#include <string.h>

#include "report.h"
#include "stats.h"

/* ---- campaigns: on the books at the as-at day ---- */

#define ON_BOOKS "started_on <= $7"
#define SAFE     "type = 'safe' AND " ON_BOOKS
/* Late at the as-at day: a step planned before it and not done by it. */
#define LATE                                                                                       \
    "EXISTS (SELECT 1 FROM campaign_steps s WHERE s.campaign_id = campaigns.id AND "               \
    "s.planned_on < $7 AND (s.done_on IS NULL OR s.done_on > $7))"
#define DONE_BY_ASOF                                                                               \
    "(SELECT count(*) FROM campaign_steps s WHERE s.campaign_id = campaigns.id AND s.done_on <= "  \
    "$7)"

#define COUNT_IF(cond) "CASE WHEN " cond " THEN 1 ELSE 0 END"

static const struct stats_figure campaign_figures[] = {
    {.key = "total",
     .label = "创建单位",
     .unit = "个",
     .expr = COUNT_IF(ON_BOOKS),
     .child = "campaigns"},
    {.key = "safe",
     .label = "安全社区创建单位",
     .unit = "个",
     .expr = COUNT_IF(SAFE),
     .child = "campaigns_safe"},
    {.key = "drug_free",
     .label = "无毒社区创建单位",
     .unit = "个",
     .expr = COUNT_IF("type = 'drug_free' AND " ON_BOOKS)},
    {.key = "rule_of_law",
     .label = "民主法治示范创建单位",
     .unit = "个",
     .expr = COUNT_IF("type = 'rule_of_law' AND " ON_BOOKS)},
    {.key = "civilized",
     .label = "文明社区创建单位",
     .unit = "个",
     .expr = COUNT_IF("type = 'civilized' AND " ON_BOOKS)},
    {.key = "started",
     .label = "本年启动创建",
     .unit = "个",
     .expr = COUNT_IF("started_on >= $3 AND started_on <= $4"),
     .flags = STATS_YOY},
    {.key = "in_progress",
     .label = "创建中",
     .unit = "个",
     .expr = COUNT_IF(ON_BOOKS " AND (named_on IS NULL OR named_on > $7)")},
    {.key = "late",
     .label = "滞后于进度指导计划",
     .unit = "个",
     .expr = COUNT_IF(ON_BOOKS " AND " LATE),
     .child = "campaigns_late"},
    {.key = "filed", .label = "已备案", .unit = "个", .expr = COUNT_IF("filed_on <= $7")},
    {.key = "named", .label = "已命名", .unit = "个", .expr = COUNT_IF("named_on <= $7")},
    {.key = "named_in_year",
     .label = "本年命名",
     .unit = "个",
     .expr = COUNT_IF("named_on >= $3 AND named_on <= $4"),
     .flags = STATS_YOY},
    /* The safe community's, town by town: the county's summary names them. */
    {.key = "safe_pilot",
     .label = "安全社区试点",
     .unit = "个",
     .expr = COUNT_IF(SAFE " AND pilot = 1"),
     .child = "safe_pilot"},
    {.key = "safe_filed",
     .label = "安全社区已备案",
     .unit = "个",
     .expr = COUNT_IF("type = 'safe' AND filed_on <= $7"),
     .child = "safe_filed"},
    {.key = "safe_named",
     .label = "安全社区已命名",
     .unit = "个",
     .expr = COUNT_IF("type = 'safe' AND named_on <= $7"),
     .child = "safe_named"},
    {.key = "safe_named_national",
     .label = "国家级安全社区",
     .unit = "个",
     .expr = COUNT_IF("type = 'safe' AND named_on <= $7 AND named_level = 'national'"),
     .child = "safe_named_national"},
    {.key = "safe_named_provincial",
     .label = "省级安全社区",
     .unit = "个",
     .expr = COUNT_IF("type = 'safe' AND named_on <= $7 AND named_level = 'provincial'"),
     .child = "safe_named_provincial"},
    {.key = "safe_named_municipal",
     .label = "市级安全社区",
     .unit = "个",
     .expr = COUNT_IF("type = 'safe' AND named_on <= $7 AND named_level = 'municipal'"),
     .child = "safe_named_municipal"},
    {.key = "safe_level_national",
     .label = "创建国家级安全社区",
     .unit = "个",
     .expr = COUNT_IF(SAFE " AND target_level = 'national'")},
    {.key = "safe_level_provincial",
     .label = "创建省级安全社区",
     .unit = "个",
     .expr = COUNT_IF(SAFE " AND target_level = 'provincial'")},
    {.key = "safe_level_municipal",
     .label = "创建市级安全社区",
     .unit = "个",
     .expr = COUNT_IF(SAFE " AND target_level = 'municipal'")},
    {.key = "safe_late",
     .label = "安全社区滞后于计划",
     .unit = "个",
     .expr = COUNT_IF(SAFE " AND " LATE),
     .child = "safe_late"},
    {.key = "safe_steps_done",
     .label = "安全社区已完成步骤",
     .unit = "步",
     .expr = "CASE WHEN " SAFE " THEN " DONE_BY_ASOF " ELSE 0 END",
     .child = "safe_steps_done"},
    {.key = "safe_steps_total",
     .label = "安全社区计划步骤",
     .unit = "步",
     .expr = "CASE WHEN " SAFE " THEN steps_total ELSE 0 END",
     .child = "safe_steps_total"},
};

static const struct stats_breakdown campaign_breakdowns[] = {
    {.key = "by_type", .label = "创建类型构成", .dict = "campaign"},
    {.key = "by_level", .label = "创建目标级别构成", .dict = "campaign_level"},
    {.key = "by_step", .label = "当前步骤分布", .dict = "campaign_step"},
};

static const struct stats_section campaign_section = {
    .name = "campaigns",
    .label = "创建活动",
    .perm = "campaign:read",
    .table = "campaigns",
    .figures = campaign_figures,
    .nfigures = MODULE_N(campaign_figures),
    .breakdowns = campaign_breakdowns,
    .nbreakdowns = MODULE_N(campaign_breakdowns),
    .breakdown_cols = "type, target_level, COALESCE(step, 'named')",
    .breakdown_where = ON_BOOKS,
};

/* ---- targets: the county's own (a row of a county) and the townships'
 * shares (rows of townships), of a period covering the year ---- */

#define YEAR_IN_PERIOD                                                                             \
    "type = 'safe' AND period_start <= CAST(substr($3, 1, 4) AS INTEGER) AND period_end >= "       \
    "CAST(substr($3, 1, 4) AS INTEGER)"
#define COUNTY_ROW "substr(region, 7, 6) = '000000'"

static const struct stats_figure target_figures[] = {
    {.key = "target",
     .label = "安全社区建设目标任务",
     .unit = "个",
     .expr = "CASE WHEN " YEAR_IN_PERIOD " AND " COUNTY_ROW " THEN target ELSE 0 END"},
    {.key = "target_national",
     .label = "目标任务：国家级",
     .unit = "个",
     .expr = "CASE WHEN " YEAR_IN_PERIOD " AND " COUNTY_ROW
             " AND level = 'national' THEN target ELSE 0 END"},
    {.key = "target_provincial",
     .label = "目标任务：省级",
     .unit = "个",
     .expr = "CASE WHEN " YEAR_IN_PERIOD " AND " COUNTY_ROW
             " AND level = 'provincial' THEN target ELSE 0 END"},
    {.key = "target_municipal",
     .label = "目标任务：市级",
     .unit = "个",
     .expr = "CASE WHEN " YEAR_IN_PERIOD " AND " COUNTY_ROW
             " AND level = 'municipal' THEN target ELSE 0 END"},
    {.key = "share",
     .label = "分解到乡镇的目标任务",
     .unit = "个",
     .expr = "CASE WHEN " YEAR_IN_PERIOD " AND NOT " COUNTY_ROW " THEN target ELSE 0 END",
     .child = "target_share"},
};

static const struct stats_section target_section = {
    .name = "campaign_targets",
    .label = "创建目标",
    .perm = "campaign_target:read",
    .table = "campaign_targets",
    .figures = target_figures,
    .nfigures = MODULE_N(target_figures),
};

/* ---- funds given in the year ---- */

#define GIVEN "given_on >= $3 AND given_on <= $4"

static const struct stats_figure fund_figures[] = {
    {.key = "grants", .label = "拨付工作经费", .unit = "笔", .expr = COUNT_IF(GIVEN)},
    {.key = "amount",
     .label = "创建工作经费",
     .unit = "元",
     .kind = STATS_SUM,
     .expr = "CASE WHEN " GIVEN " THEN amount ELSE 0 END",
     .child = "campaign_funds",
     .flags = STATS_YOY},
};

static const struct stats_breakdown fund_breakdowns[] = {
    {.key = "by_source", .label = "经费来源构成", .dict = "fund_source"},
};

static const struct stats_section fund_section = {
    .name = "campaign_funds",
    .label = "创建工作经费",
    .perm = "campaign_fund:read",
    .table = "campaign_funds",
    .figures = fund_figures,
    .nfigures = MODULE_N(fund_figures),
    .breakdowns = fund_breakdowns,
    .nbreakdowns = MODULE_N(fund_breakdowns),
    .breakdown_cols = "source",
    .breakdown_where = GIVEN,
    .breakdown_extra = "amount",
};

/* ---- supervision inspections held in the year, and their findings ---- */

#define HELD "held_on >= $3 AND held_on <= $4"

static const struct stats_figure supervision_figures[] = {
    {.key = "count",
     .label = "督导检查",
     .unit = "次",
     .expr = COUNT_IF(HELD),
     .child = "supervisions",
     .flags = STATS_YOY},
    {.key = "leader",
     .label = "主要领导带队检查",
     .unit = "次",
     .expr = COUNT_IF(HELD " AND leader_present = 1")},
};

static const struct stats_breakdown supervision_breakdowns[] = {
    {.key = "by_kind", .label = "督导检查类型", .dict = "supervision_kind"},
};

static const struct stats_section supervision_section = {
    .name = "supervisions",
    .label = "督导检查",
    .perm = "supervision:read",
    .table = "supervisions",
    .figures = supervision_figures,
    .nfigures = MODULE_N(supervision_figures),
    .breakdowns = supervision_breakdowns,
    .nbreakdowns = MODULE_N(supervision_breakdowns),
    .breakdown_cols = "kind",
    .breakdown_where = HELD,
};

#define FOUND "found_on >= $3 AND found_on <= $4"

static const struct stats_figure finding_figures[] = {
    {.key = "found",
     .label = "督导发现问题",
     .unit = "项",
     .expr = COUNT_IF(FOUND),
     .child = "supervision_findings"},
    {.key = "closed",
     .label = "督导问题已整改销号",
     .unit = "项",
     .expr = COUNT_IF(FOUND " AND state = 'closed' AND closed_on <= $7"),
     .child = "supervision_findings_closed"},
    {.key = "closed_rate",
     .label = "督导问题整改率",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "closed",
     .den = "found"},
    {.key = "overdue_at_end",
     .label = "督导问题逾期未整改",
     .unit = "项",
     .expr =
         COUNT_IF("found_on <= $7 AND (state <> 'closed' OR closed_on > $7) AND deadline < $7")},
};

static const struct stats_section finding_section = {
    .name = "supervision_findings",
    .label = "督导整改事项",
    .perm = "supervision:read",
    .table = "supervision_findings",
    .figures = finding_figures,
    .nfigures = MODULE_N(finding_figures),
};

const struct stats_section *const campaign_stats[CAMPAIGN_NSTATS] = {
    &campaign_section, &target_section, &fund_section, &supervision_section, &finding_section,
};

/* ---- the summary ---- */

/* "我县" from "全县". */
static const char *our(struct summary *x)
{
    const char *all = summary_all(x);
    if (strncmp(all, "全", strlen("全")) == 0)
        return arena_printf(summary_arena(x), "我%s", all + strlen("全"));
    return all;
}

static int is_county(struct summary *x)
{
    const char *lv = summary_region_level(x);
    return strcmp(lv, "county") == 0 || strcmp(lv, "city") == 0 || strcmp(lv, "province") == 0;
}

/* The names of the children whose value of key is > 0, joined with "、";
 * NULL when none; *n their number. */
static const char *children_with(struct summary *x, const char *key, int *n)
{
    json_t *children = summary_children(x);
    arena *a = summary_arena(x);
    const char *out = NULL;
    *n = 0;
    size_t i;
    json_t *ch;
    json_array_foreach(children, i, ch)
    {
        if (summary_int(ch, key) <= 0)
            continue;
        const char *name = json_string_value(json_object_get(ch, "name"));
        out = out ? arena_printf(a, "%s、%s", out, name) : name;
        (*n)++;
    }
    return out;
}

/* An amount of yuan as the summaries write it: "3万元", "2.5万元", "8000元". */
static const char *yuan(arena *a, double v)
{
    long long fen = (long long)(v * 100 + 0.5);
    if (fen % 100 == 0 && fen >= 1000000 && fen % 100000 == 0) {
        long long wan10 = fen / 100000; /* tenths of 万 */
        return wan10 % 10 ? arena_printf(a, "%lld.%lld万元", wan10 / 10, wan10 % 10)
                          : arena_printf(a, "%lld万元", wan10 / 10);
    }
    return fen % 100 ? arena_printf(a, "%lld.%02lld元", fen / 100, fen % 100)
                     : arena_printf(a, "%lld元", fen / 100);
}

/* The current step of a township's one safe campaign: the item of the
 * steps' breakdown that is a safe step (the other types' steps are coded
 * df_, rl_ and cv_ in the dictionary campaign_step), or NULL. */
static const char *safe_step_label(json_t *sec)
{
    json_t *list = json_object_get(sec, "by_step");
    const char *out = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *code = json_string_value(json_object_get(it, "code"));
        if (!code || strncmp(code, "df_", 3) == 0 || strncmp(code, "rl_", 3) == 0 ||
            strncmp(code, "cv_", 3) == 0 || strcmp(code, "named") == 0)
            continue;
        if (out)
            return NULL; /* more than one: not a township's own */
        out = json_string_value(json_object_get(it, "label"));
    }
    return out;
}

/* The targets and the towns' progress, from the county's side: the seed's
 * "工作的基本情况". */
static void targets_county(struct summary *x, json_t *cs, json_t *ts)
{
    arena *a = summary_arena(x);
    long long target = ts ? summary_int(ts, "target") : 0;
    if (target > 0) {
        static const char *const lv[] = {"national", "provincial", "municipal"};
        static const char *const word[] = {"国家级安全社区", "省级安全社区", "市级安全社区"};
        const char *parts = "";
        for (int i = 0; i < 3; i++) {
            long long v = summary_int(ts, arena_printf(a, "target_%s", lv[i]));
            if (v > 0)
                parts = arena_printf(a, "%s，%s%s%lld个", parts, i ? "" : "其中", word[i], v);
        }
        if (*parts && strncmp(parts, "，其中", strlen("，其中")) != 0)
            parts = arena_printf(a, "，其中%s", parts + strlen("，"));
        summary_para(x, arena_printf(a, "上级下达%s%s%lld个%s。", our(x),
                                     stats_label("campaign_targets", "target"), target, parts));
    }
    if (!cs || summary_int(cs, "safe") == 0)
        return;
    int n;
    const char *pilots = children_with(x, "safe_pilot", &n);
    const char *text = "";
    if (pilots)
        text = arena_printf(a, "确定在%s开展安全社区建设工作试点。", pilots);
    text = arena_printf(a, "%s截至%s，%s共有%lld个乡镇（街道）启动安全社区建设工作", text,
                        summary_asof(x), summary_all(x), summary_int(cs, "safe"));
    const char *filed = children_with(x, "safe_filed", &n);
    if (filed)
        text = arena_printf(a, "%s，其中%s向安全社区支持中心成功备案（%d个）", text, filed, n);
    text = arena_printf(a, "%s。", text);
    static const char *const lv[] = {"national", "provincial", "municipal"};
    static const char *const word[] = {"国家级安全社区", "省级安全社区", "市级安全社区"};
    const char *named = "";
    for (int i = 0; i < 3; i++) {
        const char *towns = children_with(x, arena_printf(a, "safe_named_%s", lv[i]), &n);
        if (towns)
            named =
                arena_printf(a, "%s%s%s成功创建“%s”", named, *named ? "，" : "", towns, word[i]);
    }
    if (*named) {
        text = arena_printf(a, "%s%s", text, named);
        if (target > 0)
            text = arena_printf(a, "%s，已命名%lld个，完成目标任务的%s", text,
                                summary_int(cs, "safe_named"),
                                summary_pct(x, summary_int(cs, "safe_named"), target));
        text = arena_printf(a, "%s。", text);
    }
    summary_para(x, text);
    /* The steps of each town against the plan. */
    json_t *children = summary_children(x);
    const char *steps = "";
    size_t i;
    json_t *ch;
    json_array_foreach(children, i, ch)
    {
        long long total = summary_int(ch, "safe_steps_total");
        if (total <= 0 || summary_int(ch, "safe_named") > 0)
            continue;
        long long done = summary_int(ch, "safe_steps_done");
        const char *late = summary_int(ch, "safe_late") > 0 ? "（滞后于计划）" : "";
        const char *town = json_string_value(json_object_get(ch, "name"));
        steps = done ? arena_printf(a, "%s%s%s完成%lld个步骤中的%lld个%s", steps,
                                    *steps ? "；" : "", town, total, done, late)
                     : arena_printf(a, "%s%s%s正在启动%s", steps, *steps ? "；" : "", town, late);
    }
    if (*steps)
        summary_para(x, arena_printf(a,
                                     "各创建乡镇按照安全社区建设的方法步骤和县安办拟定的工作进度"
                                     "指导计划推进：%s。%s%lld个。",
                                     steps, stats_label("campaigns", "safe_late"),
                                     summary_int(cs, "safe_late")));
}

/* The township's own campaign: its level, steps, filing and title. */
static void targets_township(struct summary *x, json_t *cs, json_t *ts)
{
    arena *a = summary_arena(x);
    if (!cs || summary_int(cs, "safe") == 0) {
        if (ts && summary_int(ts, "share") > 0)
            summary_para(x, arena_printf(a, "县上分解给%s%s%lld个，尚未启动创建。", our(x),
                                         stats_label("campaign_targets", "share"),
                                         summary_int(ts, "share")));
        return;
    }
    const char *level = summary_int(cs, "safe_level_national")     ? "国家级"
                        : summary_int(cs, "safe_level_provincial") ? "省级"
                        : summary_int(cs, "safe_level_municipal")  ? "市级"
                                                                   : "";
    const char *text =
        arena_printf(a, "%s积极开展创建“%s安全社区”活动", our(x), level ? level : "");
    if (summary_int(cs, "safe_filed") > 0)
        text = arena_printf(a, "%s，已向安全社区支持中心成功备案", text);
    long long total = summary_int(cs, "safe_steps_total"),
              done = summary_int(cs, "safe_steps_done");
    if (summary_int(cs, "safe_named") > 0) {
        text = arena_printf(a, "%s，按照进度指导计划完成全部%lld个步骤，成功创建“%s安全社区”。",
                            text, total, level ? level : "");
    } else {
        const char *step = safe_step_label(cs);
        text = arena_printf(a, "%s。截至%s，按照进度指导计划完成%lld个步骤中的%lld个", text,
                            summary_asof(x), total, done);
        if (step)
            text = arena_printf(a, "%s，正在开展“%s”", text, step);
        text = arena_printf(a, "%s%s。", text,
                            summary_int(cs, "safe_late") > 0 ? "，进度滞后于计划" : "");
    }
    summary_para(x, text);
}

static void summary_targets(struct summary *x)
{
    json_t *cs = summary_section(x, "campaigns");
    json_t *ts = summary_section(x, "campaign_targets");
    if (is_county(x))
        targets_county(x, cs, ts);
    else
        targets_township(x, cs, ts);
}

/* The money given: "去年启动乡镇配给工作经费2万元，今年…各3万元". */
static void summary_funds(struct summary *x)
{
    json_t *fs = summary_section(x, "campaign_funds");
    if (!fs || summary_int(fs, "grants") == 0)
        return;
    arena *a = summary_arena(x);
    double amount = json_number_value(json_object_get(fs, "amount"));
    double prev = json_number_value(json_object_get(fs, "amount_prev"));
    if (!is_county(x)) {
        summary_para(x,
                     arena_printf(a, "%d年，县上拨付%s%s%s（%lld笔），保障了创建工作的开展。",
                                  summary_year(x), our(x), stats_label("campaign_funds", "amount"),
                                  yuan(a, amount), summary_int(fs, "grants")));
        return;
    }
    /* The towns by the amount each was given. */
    json_t *children = summary_children(x);
    const char *groups = "";
    char done[64] = {0};
    size_t n = json_array_size(children);
    for (size_t i = 0; i < n && i < sizeof done; i++) {
        json_t *ch = json_array_get(children, i);
        double v = json_number_value(json_object_get(ch, "campaign_funds"));
        if (done[i] || v <= 0)
            continue;
        const char *towns = json_string_value(json_object_get(ch, "name"));
        int k = 1;
        for (size_t j = i + 1; j < n && j < sizeof done; j++) {
            json_t *o = json_array_get(children, j);
            if (!done[j] && json_number_value(json_object_get(o, "campaign_funds")) == v) {
                towns =
                    arena_printf(a, "%s、%s", towns, json_string_value(json_object_get(o, "name")));
                done[j] = 1;
                k++;
            }
        }
        groups = arena_printf(a, "%s%s%s%s%s", groups, *groups ? "，" : "", towns,
                              k > 1 ? "各" : "", yuan(a, v));
    }
    const char *before = prev > 0 ? arena_printf(a, "；上年拨付%s", yuan(a, prev)) : "";
    summary_para(x, arena_printf(a,
                                 "县委、县政府根据县级财力给安全社区建设乡镇配备工作经费。%d年"
                                 "共拨付%s%s（%lld笔）%s%s%s。",
                                 summary_year(x), stats_label("campaign_funds", "amount"),
                                 yuan(a, amount), summary_int(fs, "grants"),
                                 *groups ? "，其中" : "", groups, before));
}

/* The supervision: "开展5次专项检查，…对工作开展好的和存在的问题进行总结和
 * 纠正", then the findings and how many were put right. */
static void summary_supervision(struct summary *x)
{
    json_t *ss = summary_section(x, "supervisions");
    if (!ss || summary_int(ss, "count") == 0)
        return;
    arena *a = summary_arena(x);
    json_t *fs = summary_section(x, "supervision_findings");
    const char *kinds = summary_kinds(x, json_object_get(ss, "by_kind"), "次", NULL, NULL);
    const char *text =
        is_county(x)
            ? arena_printf(a, "加强检查督促和指导服务，%d年县安办开展%s%lld次（%s）",
                           summary_year(x), stats_label("supervisions", "count"),
                           summary_int(ss, "count"), kinds)
            : arena_printf(a, "%d年县安办到%s开展%s%lld次（%s）", summary_year(x), our(x),
                           stats_label("supervisions", "count"), summary_int(ss, "count"), kinds);
    if (summary_int(ss, "leader") > 0)
        text = arena_printf(a, "%s，其中%s%lld次", text, stats_label("supervisions", "leader"),
                            summary_int(ss, "leader"));
    text = arena_printf(a, "%s，对工作开展好的和存在的问题进行总结和纠正", text);
    if (fs && summary_int(fs, "found") > 0) {
        text = arena_printf(
            a, "%s。%s%lld项，%s%lld项，%s%s", text, stats_label("supervision_findings", "found"),
            summary_int(fs, "found"), stats_label("supervision_findings", "closed"),
            summary_int(fs, "closed"), stats_label("supervision_findings", "closed_rate"),
            summary_pct(x, summary_int(fs, "closed"), summary_int(fs, "found")));
        if (summary_int(fs, "overdue_at_end") > 0) {
            text = arena_printf(a, "%s；%s%lld项", text,
                                stats_label("supervision_findings", "overdue_at_end"),
                                summary_int(fs, "overdue_at_end"));
            summary_problem(
                x,
                arena_printf(a, "督导检查指出的问题还有%lld项逾期未整改，个别乡镇整改不及时。",
                             summary_int(fs, "overdue_at_end")),
                "对督导检查发现的问题建立台账，明确责任人和整改期限，逐项跟踪销号。");
        }
    }
    summary_para(x, arena_printf(a, "%s。", text));
}

const struct summary_part campaign_summary[CAMPAIGN_NSUMMARY] = {
    {.chapter = "targets", .rank = 10, .write = summary_targets},
    {.chapter = "support", .rank = 10, .write = summary_funds},
    {.chapter = "support", .rank = 20, .write = summary_supervision},
};
