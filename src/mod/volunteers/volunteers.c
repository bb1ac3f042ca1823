/* volunteers: see volunteers.h. The whole module in one file: the entity,
 * the statistics section, the summary's paragraph and the demo data. */
#include "volunteers.h"

#include <stdio.h>

#include "demo.h"
#include "entity.h"
#include "report.h"
#include "stats.h"

/* ---- the record ---- */

static const struct field volunteer_fields[] = {
    {.name = "name",
     .label = "姓名",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 50},
    {.name = "gender",
     .label = "性别",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "sex"},
    {.name = "phone", .label = "联系电话", .type = FT_TEXT, .flags = FF_LIST, .max_len = 20},
    {.name = "birth_date", .label = "出生日期", .type = FT_DATE, .flags = FF_SORT | FF_RANGE},
    {.name = "team",
     .label = "所属队伍",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_FILTER | FF_LIST,
     .max_len = 100},
    {.name = "skills", .label = "特长", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 200},
    {.name = "joined_on",
     .label = "加入日期",
     .type = FT_DATE,
     .flags = FF_SORT | FF_RANGE | FF_LIST},
    {.name = "hours",
     .label = "服务时长（小时）",
     .type = FT_NUM,
     .flags = FF_SORT | FF_LIST,
     .min = 0,
     .max = 100000},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static const struct entity volunteers = {
    .name = "volunteers",
    .perm = "volunteer",
    .label = "志愿者",
    .fields = volunteer_fields,
    .nfields = MODULE_N(volunteer_fields),
    .default_sort = "-created_at",
};

/* ---- the figures: on the books at the as-at day, joined during the year ---- */

static const struct stats_figure volunteer_figures[] = {
    {.key = "total",
     .label = "志愿者",
     .unit = "人",
     .expr = "CASE WHEN joined_on IS NULL OR joined_on <= $7 THEN 1 ELSE 0 END",
     .child = "volunteers",
     .flags = STATS_COLUMN},
    {.key = "new",
     .label = "本年新增志愿者",
     .unit = "人",
     .expr = "CASE WHEN joined_on >= $3 AND joined_on <= $4 THEN 1 ELSE 0 END",
     .child = "volunteers_new",
     .flags = STATS_YOY},
    {.key = "hours",
     .label = "志愿服务时长",
     .unit = "小时",
     .kind = STATS_SUM,
     .expr = "CASE WHEN joined_on IS NULL OR joined_on <= $7 THEN COALESCE(hours, 0) ELSE 0 END",
     .child = "volunteer_hours"},
    /* Teams are distinct names, which per-region groups cannot add up. */
    {.key = "teams",
     .label = "志愿者队伍",
     .unit = "支",
     .aggregate = "count(DISTINCT team)",
     .where = "team IS NOT NULL AND team <> '' AND (joined_on IS NULL OR joined_on <= $7)"},
};

static const struct stats_section volunteer_stats = {
    .name = "volunteers",
    .label = "志愿者队伍",
    .perm = "volunteer:read",
    .table = "volunteers",
    .figures = volunteer_figures,
    .nfigures = MODULE_N(volunteer_figures),
};

static const struct stats_section *const stats[] = {&volunteer_stats};

/* ---- the summary: （二）壮大志愿者队伍 under organisation ---- */

static void summary_volunteers(struct summary *x)
{
    json_t *v = summary_section(x, "volunteers");
    if (!v)
        return;
    arena *a = summary_arena(x);
    long long hours10 = (long long)(json_number_value(json_object_get(v, "hours")) * 10 + 0.5);
    summary_subheading(x, "壮大志愿者队伍");
    summary_para(
        x, arena_printf(a,
                        "广泛吸纳辖区单位、热心群众参与创建。截至%s，%s登记%s%lld人，"
                        "组成%s%lld支；%s%lld人（上年新增%lld人，%s），"
                        "志愿者累计服务%s小时。",
                        summary_asof(x), summary_all(x), stats_label("volunteers", "total"),
                        summary_int(v, "total"), stats_label("volunteers", "teams"),
                        summary_int(v, "teams"), stats_label("volunteers", "new"),
                        summary_int(v, "new"), summary_int(v, "new_prev"),
                        summary_change(x, summary_int(v, "new"), summary_int(v, "new_prev")),
                        hours10 % 10 ? arena_printf(a, "%lld.%lld", hours10 / 10, hours10 % 10)
                                     : arena_printf(a, "%lld", hours10 / 10)));
}

static const struct summary_part summary[] = {
    {.chapter = "organisation", .rank = 20, .write = summary_volunteers},
};

/* ---- demo: 300 volunteers a year across the villages ---- */

static int demo(struct demo_ctx *d, char **err)
{
    static const char *teams[] = {"安全志愿服务队", "消防志愿服务队", "交通劝导志愿队",
                                  "平安巡逻队",     "禁毒宣传志愿队", "应急救援志愿队"};
    static const char *skills[] = {"消防器材使用", "急救", "交通劝导", "法律咨询",
                                   "矛盾调解",     "电工", "心理疏导", "宣传写作"};
    for (int year = 2024; year <= 2025; year++)
        for (int i = 0; i < 300; i++) {
            char name[32], birth[11], joined[11];
            demo_person_name(d, name, sizeof name);
            demo_date(d, 1955 + (int)demo_rnd(d, 45), birth);
            demo_date(d, year, joined);
            const char *region = d->villages[demo_rnd(d, (unsigned)d->nvillages)];
            const char *gender = demo_rnd(d, 2) ? "1" : "2";
            const char *team = teams[demo_rnd(d, 6)], *skill = skills[demo_rnd(d, 8)];
            int hours = (int)(2 + demo_rnd(d, 120));
            if (demo_add(d, "volunteers",
                         json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "region", region,
                                   "name", name, "gender", gender, "birth_date", birth, "team",
                                   team, "skills", skill, "joined_on", joined, "hours", hours),
                         NULL, 0, err))
                return -1;
        }
    return 0;
}

static const struct entity *const entities[] = {&volunteers};

const struct module volunteers_module = {
    .name = "volunteers",
    .label = "志愿者",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .stats = stats,
    .nstats = MODULE_N(stats),
    .summary = summary,
    .nsummary = MODULE_N(summary),
    .demo = demo,
};
