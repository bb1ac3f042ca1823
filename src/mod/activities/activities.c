/* activities: see activities.h. The entity, its figures, the summary's
 * publicity chapter and its problems, and the demo data. */
#include "activities.h"

#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "entity.h"
#include "report.h"
#include "stats.h"

static const struct field activity_fields[] = {
    {.name = "title",
     .label = "活动名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "kind",
     .label = "活动类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "activity_kind"},
    {.name = "held_on",
     .label = "活动日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "place",
     .label = "活动地点",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "participants",
     .label = "参加人数",
     .type = FT_INT,
     .flags = FF_SORT | FF_LIST | FF_SUM,
     .min = 0,
     .max = 1000000},
    {.name = "organizer", .label = "组织单位", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 100},
    {.name = "content",
     .label = "活动内容",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 2000},
    /* The campaigns the activity serves: a 禁毒宣传 counts for the
     * drug-free campaign too. */
    {.name = "for_safe", .label = "安全社区创建", .type = FT_BOOL, .flags = FF_FILTER},
    {.name = "for_drug_free", .label = "无毒社区创建", .type = FT_BOOL, .flags = FF_FILTER},
    {.name = "for_rule_of_law",
     .label = "民主法治示范社区创建",
     .type = FT_BOOL,
     .flags = FF_FILTER},
    {.name = "for_civilized", .label = "文明社区创建", .type = FT_BOOL, .flags = FF_FILTER},
};

static const struct entity activities = {
    .name = "activities",
    .perm = "activity",
    .label = "宣传培训活动",
    .fields = activity_fields,
    .nfields = MODULE_N(activity_fields),
    .default_sort = "-held_on",
};

static const struct stats_figure activity_figures[] = {
    {.key = "count",
     .label = "宣传培训活动",
     .unit = "场",
     .expr = "CASE WHEN held_on >= $3 AND held_on <= $4 THEN 1 ELSE 0 END",
     .child = "activities",
     .flags = STATS_YOY | STATS_COLUMN},
    {.key = "participants",
     .label = "参与人次",
     .unit = "人次",
     .expr = "CASE WHEN held_on >= $3 AND held_on <= $4 THEN COALESCE(participants, 0) ELSE 0 END",
     .child = "participants",
     .flags = STATS_YOY | STATS_COLUMN},
    /* Per campaign: the activities tagged for it. */
    {.key = "drug_free",
     .label = "禁毒宣传教育活动",
     .unit = "场",
     .expr = "CASE WHEN for_drug_free = 1 AND held_on >= $3 AND held_on <= $4 THEN 1 ELSE 0 END",
     .flags = STATS_YOY},
    {.key = "drug_free_participants",
     .label = "禁毒宣传教育参与群众",
     .unit = "人次",
     .expr = "CASE WHEN for_drug_free = 1 AND held_on >= $3 AND held_on <= $4 THEN "
             "COALESCE(participants, 0) ELSE 0 END"},
    {.key = "rule_of_law",
     .label = "普法教育活动",
     .unit = "场",
     .expr = "CASE WHEN for_rule_of_law = 1 AND held_on >= $3 AND held_on <= $4 THEN 1 ELSE 0 END",
     .flags = STATS_YOY},
    {.key = "rule_of_law_participants",
     .label = "普法教育参与群众",
     .unit = "人次",
     .expr = "CASE WHEN for_rule_of_law = 1 AND held_on >= $3 AND held_on <= $4 THEN "
             "COALESCE(participants, 0) ELSE 0 END"},
    {.key = "civilized",
     .label = "文明创建宣传活动",
     .unit = "场",
     .expr = "CASE WHEN for_civilized = 1 AND held_on >= $3 AND held_on <= $4 THEN 1 ELSE 0 END",
     .flags = STATS_YOY},
    {.key = "civilized_participants",
     .label = "文明创建宣传参与群众",
     .unit = "人次",
     .expr = "CASE WHEN for_civilized = 1 AND held_on >= $3 AND held_on <= $4 THEN "
             "COALESCE(participants, 0) ELSE 0 END"},
};

static const struct stats_breakdown activity_breakdowns[] = {
    {.key = "by_kind", .label = "宣传培训活动类型", .dict = "activity_kind"},
    {.key = "by_month", .label = "宣传培训月度趋势"},
};

static const struct stats_section activity_stats = {
    .name = "activities",
    .label = "宣传教育培训",
    .perm = "activity:read",
    .table = "activities",
    .figures = activity_figures,
    .nfigures = MODULE_N(activity_figures),
    .breakdowns = activity_breakdowns,
    .nbreakdowns = MODULE_N(activity_breakdowns),
    .breakdown_cols = "kind, substr(held_on, 6, 2)",
    .breakdown_where = "held_on >= $3 AND held_on <= $4",
    .breakdown_extra = "participants",
};

static const struct stats_section *const stats[] = {&activity_stats};

/* ---- the summary ---- */

static void summary_publicity(struct summary *x)
{
    json_t *act = summary_section(x, "activities");
    if (!act)
        return;
    arena *a = summary_arena(x);
    long long n = summary_int(act, "count"), np = summary_int(act, "count_prev"),
              p = summary_int(act, "participants"), pp = summary_int(act, "participants_prev");
    const char *txt = arena_printf(
        a,
        "%d年，%s共开展宣传、培训、应急演练等活动%lld场，%s；参与群众%lld"
        "人次，%s。",
        summary_year(x), summary_all(x), n, summary_change(x, n, np), p, summary_change(x, p, pp));
    long long pop = summary_population(x);
    if (pop > 0 && p > 0)
        txt = arena_printf(a, "%s%s相当于常住人口（%lld人）的%s。", txt,
                           stats_label("activities", "participants"), pop, summary_pct(x, p, pop));
    json_t *by_kind = json_object_get(act, "by_kind");
    if (json_array_size(by_kind))
        txt = arena_printf(a, "%s其中%s。", txt,
                           summary_kinds(x, by_kind, "场", "participants", "人次"));
    summary_para(x, txt);
    if (json_array_size(by_kind))
        summary_table_by_kind(x, by_kind, "活动类型", "场次", "participants",
                              stats_label("activities", "participants"));
}

/* Sub-regions without any activity, and fewer participants than last year. */
static void summary_problems(struct summary *x)
{
    json_t *act = summary_section(x, "activities");
    if (!act)
        return;
    arena *a = summary_arena(x);
    const char *none = "";
    int nnone = 0;
    json_t *children = summary_children(x);
    for (size_t i = 0; i < json_array_size(children); i++) {
        json_t *ch = json_array_get(children, i);
        if (!json_object_get(ch, "activities") || summary_int(ch, "activities") != 0)
            continue;
        none = arena_printf(a, "%s%s%s", none, nnone ? "、" : "",
                            json_string_value(json_object_get(ch, "name")));
        nnone++;
    }
    if (nnone)
        summary_problem(x, arena_printf(a, "宣传培训覆盖不均衡，%s全年未开展宣传培训活动。", none),
                        arena_printf(a, "督促%s制定宣传培训计划，每季度至少开展一次活动。", none));
    long long p = summary_int(act, "participants"), pp = summary_int(act, "participants_prev");
    if (p < pp)
        summary_problem(x,
                        arena_printf(a, "群众参与的积极性有待提高，宣传培训%s%s。",
                                     stats_label("activities", "participants"),
                                     summary_change(x, p, pp)),
                        NULL);
}

static void summary_plan_standing(struct summary *x)
{
    if (summary_section(x, "activities"))
        summary_plan(x, "深化宣传教育培训，围绕“两高一脆弱”“三重点一需求”确定安全促进项目，提高"
                        "群众安全意识和自防自救能力。");
}

/* A campaign's own publicity: the activities tagged for it. */
static void campaign_publicity(struct summary *x, const char *key, const char *tail)
{
    json_t *act = summary_section(x, "activities");
    if (!act || summary_int(act, key) == 0)
        return;
    arena *a = summary_arena(x);
    const char *pk = arena_printf(a, "%s_participants", key);
    long long n = summary_int(act, key), np = summary_int(act, arena_printf(a, "%s_prev", key));
    summary_para(x, arena_printf(a, "%d年，%s开展%s%lld场（%s），%s%lld人次。%s", summary_year(x),
                                 summary_all(x), stats_label("activities", key), n,
                                 summary_change(x, n, np), stats_label("activities", pk),
                                 summary_int(act, pk), tail));
}

static void summary_drug_free(struct summary *x)
{
    campaign_publicity(x, "drug_free",
                       "通过宣传栏、标语、发放资料和进校园、进家庭等形式，普及毒品预防知识。");
}

static void summary_rule_of_law(struct summary *x)
{
    campaign_publicity(x, "rule_of_law", "结合“12·4”国家宪法日，深入开展法律进社区活动。");
}

static void summary_civilized(struct summary *x)
{
    campaign_publicity(x, "civilized", "倡导文明新风，提升居民文明素质。");
}

static const struct summary_part summary[] = {
    {.chapter = "publicity", .rank = 10, .write = summary_publicity},
    {.chapter = "publicity", .rank = 10, .write = summary_drug_free, .campaigns = "drug_free"},
    {.chapter = "legal_education",
     .rank = 10,
     .write = summary_rule_of_law,
     .campaigns = "rule_of_law"},
    {.chapter = "classroom", .rank = 10, .write = summary_civilized, .campaigns = "civilized"},
    {.chapter = "problems", .rank = 20, .write = summary_problems},
    {.chapter = "plan", .rank = 20, .write = summary_plan_standing},
};

/* ---- demo: 240 activities a year, a third of them by the township ---- */

/* The activities the demo draws from. */
static const struct {
    const char *kind, *title;
} acts[] = {
    {"drill", "火灾应急疏散演练"},
    {"drill", "防汛抢险应急演练"},
    {"drill", "地质灾害避险演练"},
    {"training", "安全社区创建系统培训"},
    {"training", "消防安全专业培训"},
    {"training", "食品卫生安全培训"},
    {"training", "特种设备作业人员安全培训"},
    {"publicity", "交通安全“五进”宣传"},
    {"publicity", "禁毒知识宣传"},
    {"publicity", "家居用电安全宣传"},
    {"publicity", "防灾减灾日宣传"},
    {"meeting", "安全社区创建促进委员会会议"},
    {"lecture", "法制教育讲座"},
    {"five_into", "安全知识进校园"},
};

/* One activity in year, drawn from the stream: a third held by the
 * township, the rest by a village. */
static json_t *activity_row(struct demo_ctx *d, int year)
{
    char held[11], tcode[32];
    int k = (int)demo_rnd(d, sizeof acts / sizeof acts[0]);
    demo_date(d, year, held);
    const char *region = d->villages[demo_rnd(d, (unsigned)d->nvillages)];
    if (demo_rnd(d, 3) == 0) {
        snprintf(tcode, sizeof tcode, "%.9s000", region);
        region = tcode;
    }
    const char *place = demo_rnd(d, 2) ? "村委会活动室" : "镇政府会议室";
    int participants = (int)(20 + demo_rnd(d, 400));
    const char *organizer = demo_rnd(d, 2) ? "镇安办" : "村委会";
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b}", "region", region, "title",
                          acts[k].title, "kind", acts[k].kind, "held_on", held, "place", place,
                          "participants", participants, "organizer", organizer, "for_safe", 1);
    if (strstr(acts[k].title, "禁毒"))
        json_object_set_new(o, "for_drug_free", json_true());
    if (strstr(acts[k].title, "法"))
        json_object_set_new(o, "for_rule_of_law", json_true());
    if (strcmp(acts[k].kind, "lecture") == 0 || strstr(acts[k].title, "五进"))
        json_object_set_new(o, "for_civilized", json_true());
    return o;
}

static int demo(struct demo_ctx *d, char **err)
{
    for (int year = 2024; year <= 2025; year++)
        for (int i = 0; i < 240; i++)
            if (demo_add(d, "activities", activity_row(d, year), NULL, 0, err))
                return -1;
    return 0;
}

/* `demo --scale`: 20,000 activities per county over 2024 and 2025, as the
 * demo's (a third by the township). */
static int demo_scale(struct demo_ctx *d, char **err)
{
    long n = demo_scale_n(d, 20000);
    if (demo_bulk_begin(d, "activities", n, err))
        return -1;
    for (long i = 0; i < n; i++)
        if (demo_bulk_add(d, activity_row(d, 2024 + (int)demo_rnd(d, 2)), NULL, err))
            return -1;
    return demo_bulk_end(d, err);
}

static const struct entity *const entities[] = {&activities};

const struct module activities_module = {
    .name = "activities",
    .label = "宣传培训",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .stats = stats,
    .nstats = MODULE_N(stats),
    .summary = summary,
    .nsummary = MODULE_N(summary),
    .demo = demo,
    .demo_scale = demo_scale,
};
