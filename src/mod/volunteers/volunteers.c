/* volunteers: see volunteers.h. The whole module in one file: the entity,
 * the statistics section, the summary's paragraph and the demo data. */
#include "volunteers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "util.h"
#include "entity.h"
#include "region.h"
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
    {.name = "team_id",
     .label = "所属队伍",
     .type = FT_INT,
     .flags = FF_FILTER,
     .min = 1,
     .max = 1e15,
     .ref = "volunteer_teams",
     .shown_sql = "SELECT x.name FROM volunteer_teams x WHERE x.id = t.team_id"},
    {.name = "skills", .label = "特长", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 200},
    {.name = "joined_on",
     .label = "加入日期",
     .type = FT_DATE,
     .flags = FF_SORT | FF_RANGE | FF_LIST},
    {.name = "hours",
     .label = "服务时长（小时）",
     .type = FT_NUM,
     .flags = FF_SORT | FF_LIST | FF_SUM,
     .min = 0,
     .max = 100000},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static const struct derived volunteer_derived[] = {
    {.f = {.name = "team_name",
           .label = "队伍名称",
           .type = FT_TEXT,
           .flags = FF_READONLY | FF_LIST},
     .expr = "(SELECT name FROM volunteer_teams WHERE id = t.team_id)"},
};

static void error_set(json_t *errors, const char *field, const char *msg)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msg));
}

/* The region of the live team with id into out: 1, 0 when none, -1 on a
 * database error. */
static int team_region(db_conn *c, long long id, char out[REGION_CODE_MAX])
{
    db_stmt *s =
        db_prepare(c, "SELECT region FROM volunteer_teams WHERE id = $1 AND deleted_at IS NULL");
    if (!s)
        return -1;
    db_bind_int(s, 1, id);
    int rc = db_step(s), found = 0;
    if (rc == DB_ROW) {
        snprintf(out, REGION_CODE_MAX, "%s", db_col_text(s, 0));
        found = 1;
    }
    db_done(s);
    return rc < 0 ? -1 : found;
}

/* A volunteer serves in a team of their own area: the team's region holds
 * the volunteer's. */
static int volunteer_check(db_conn *c, json_t *obj, json_t *errors)
{
    json_t *team = json_object_get(obj, "team_id");
    const char *region = json_string_value(json_object_get(obj, "region"));
    if (!json_is_integer(team) || !region)
        return 0;
    char tr[REGION_CODE_MAX];
    int rc = team_region(c, (long long)json_integer_value(team), tr);
    if (rc < 0)
        error_set(errors, "team_id", "暂时无法核对志愿者队伍，请重试");
    else if (rc == 1 && !region_within(region, tr))
        error_set(errors, "team_id", "志愿者所在区域不在该队伍的服务区域内");
    return 0;
}

static const struct entity volunteers = {
    .name = "volunteers",
    .perm = "volunteer",
    .label = "志愿者",
    .fields = volunteer_fields,
    .nfields = MODULE_N(volunteer_fields),
    .default_sort = "-created_at",
    .check = volunteer_check,
    .derived = volunteer_derived,
    .nderived = MODULE_N(volunteer_derived),
};

/* ---- the teams: records with a region, not names typed on each member ---- */

static const struct field team_fields[] = {
    {.name = "name",
     .label = "队伍名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "leader",
     .label = "队长",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "founded_on",
     .label = "成立日期",
     .type = FT_DATE,
     .flags = FF_SORT | FF_RANGE | FF_LIST},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static const struct derived team_derived[] = {
    {.f = {.name = "members",
           .label = "队员人数",
           .type = FT_INT,
           .flags = FF_READONLY | FF_LIST | FF_SUM},
     .expr = "(SELECT count(*) FROM volunteers v WHERE v.team_id = t.id AND v.deleted_at IS NULL)"},
};

static const struct entity volunteer_teams = {
    .name = "volunteer_teams",
    .perm = "volunteer",
    .label = "志愿者队伍",
    .fields = team_fields,
    .nfields = MODULE_N(team_fields),
    .default_sort = "name",
    .derived = team_derived,
    .nderived = MODULE_N(team_derived),
};

/* ---- service records: the hours, per volunteer and team ---- */

static const struct field service_fields[] = {
    {.name = "volunteer_id",
     .label = "志愿者",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER,
     .min = 1,
     .max = 1e15,
     .ref = "volunteers",
     .shown_sql = "SELECT x.name FROM volunteers x WHERE x.id = t.volunteer_id"},
    {.name = "team_id",
     .label = "服务队伍",
     .type = FT_INT,
     .flags = FF_FILTER,
     .min = 1,
     .max = 1e15,
     .ref = "volunteer_teams",
     .shown_sql = "SELECT x.name FROM volunteer_teams x WHERE x.id = t.team_id"},
    {.name = "served_on",
     .label = "服务日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "hours",
     .label = "服务时长（小时）",
     .type = FT_NUM,
     .flags = FF_REQUIRED | FF_SORT | FF_LIST | FF_SUM,
     .min = 0.1,
     .max = 24},
    {.name = "content",
     .label = "服务内容",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 500},
};

/* Without a team the record counts for the volunteer's own team. */
static int service_check(db_conn *c, json_t *obj, json_t *errors)
{
    json_t *vid = json_object_get(obj, "volunteer_id");
    if (!json_is_integer(vid) || json_is_integer(json_object_get(obj, "team_id")))
        return 0;
    db_stmt *s = db_prepare(c, "SELECT team_id FROM volunteers WHERE id = $1");
    if (!s) {
        error_set(errors, "team_id", "暂时无法核对志愿者队伍，请重试");
        return 0;
    }
    db_bind_int(s, 1, json_integer_value(vid));
    if (db_step(s) == DB_ROW && db_col_type(s, 0) != DB_T_NULL)
        json_object_set_new(obj, "team_id", json_integer(db_col_int(s, 0)));
    db_done(s);
    return 0;
}

static const struct derived service_derived[] = {
    {.f = {.name = "volunteer_name",
           .label = "志愿者姓名",
           .type = FT_TEXT,
           .flags = FF_READONLY | FF_LIST},
     .expr = "(SELECT name FROM volunteers WHERE id = t.volunteer_id)"},
    {.f = {.name = "team_name",
           .label = "队伍名称",
           .type = FT_TEXT,
           .flags = FF_READONLY | FF_LIST},
     .expr = "(SELECT name FROM volunteer_teams WHERE id = t.team_id)"},
};

static const struct entity volunteer_services = {
    .name = "volunteer_services",
    .perm = "volunteer",
    .label = "志愿服务记录",
    .fields = service_fields,
    .nfields = MODULE_N(service_fields),
    .default_sort = "-served_on",
    .check = service_check,
    .derived = service_derived,
    .nderived = MODULE_N(service_derived),
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
     .label = "登记累计服务时长",
     .unit = "小时",
     .kind = STATS_SUM,
     .expr = "CASE WHEN joined_on IS NULL OR joined_on <= $7 THEN COALESCE(hours, 0) ELSE 0 END",
     .child = "volunteer_hours"},
};

/* Teams are records: counted, not guessed from the distinct names their
 * members typed. */
static const struct stats_figure team_figures[] = {
    {.key = "total",
     .label = "志愿者队伍",
     .unit = "支",
     .expr = "CASE WHEN founded_on IS NULL OR founded_on <= $7 THEN 1 ELSE 0 END",
     .child = "volunteer_teams",
     .flags = STATS_COLUMN},
};

static const struct stats_section team_stats = {
    .name = "volunteer_teams",
    .label = "志愿者队伍",
    .perm = "volunteer:read",
    .table = "volunteer_teams",
    .figures = team_figures,
    .nfigures = MODULE_N(team_figures),
};

static const struct stats_figure service_figures[] = {
    {.key = "hours",
     .label = "志愿服务时长",
     .unit = "小时",
     .kind = STATS_SUM,
     .expr = "CASE WHEN served_on >= $3 AND served_on <= $4 THEN hours ELSE 0 END",
     .child = "service_hours",
     .flags = STATS_YOY},
    {.key = "count",
     .label = "志愿服务",
     .unit = "次",
     .expr = "CASE WHEN served_on >= $3 AND served_on <= $4 THEN 1 ELSE 0 END",
     .flags = STATS_YOY},
};

/* The hours of each team in the year and the year before. */
static const struct stats_breakdown service_breakdowns[] = {
    {.key = "by_team",
     .label = "各队伍志愿服务时长",
     .col = "team_id",
     .date = "served_on",
     .count = "hours",
     .labels = "volunteer_teams",
     .tenths = 1},
};

static const struct stats_section service_stats = {
    .name = "volunteer_services",
    .label = "志愿服务",
    .perm = "volunteer:read",
    .table = "volunteer_services",
    .figures = service_figures,
    .nfigures = MODULE_N(service_figures),
    .breakdowns = service_breakdowns,
    .nbreakdowns = MODULE_N(service_breakdowns),
};

static const struct stats_section volunteer_stats = {
    .name = "volunteers",
    .label = "志愿者队伍",
    .perm = "volunteer:read",
    .table = "volunteers",
    .figures = volunteer_figures,
    .nfigures = MODULE_N(volunteer_figures),
};

static const struct stats_section *const stats[] = {&volunteer_stats, &team_stats, &service_stats};

/* ---- the summary: （二）壮大志愿者队伍 under organisation ---- */

static const char *tenths(arena *a, double v)
{
    long long t = (long long)(v * 10 + 0.5);
    return t % 10 ? arena_printf(a, "%lld.%lld", t / 10, t % 10) : arena_printf(a, "%lld", t / 10);
}

static void summary_volunteers(struct summary *x)
{
    json_t *v = summary_section(x, "volunteers");
    if (!v)
        return;
    arena *a = summary_arena(x);
    json_t *t = summary_section(x, "volunteer_teams"),
           *sv = summary_section(x, "volunteer_services");
    const char *txt =
        arena_printf(a,
                     "广泛吸纳辖区单位、热心群众参与创建。截至%s，%s登记%s%lld人，"
                     "%s%lld人（上年新增%lld人，%s）",
                     summary_asof(x), summary_all(x), stats_label("volunteers", "total"),
                     summary_int(v, "total"), stats_label("volunteers", "new"),
                     summary_int(v, "new"), summary_int(v, "new_prev"),
                     summary_change(x, summary_int(v, "new"), summary_int(v, "new_prev")));
    if (t)
        txt = arena_printf(a, "%s，组成%s%lld支", txt, stats_label("volunteer_teams", "total"),
                           summary_int(t, "total"));
    if (sv && summary_int(sv, "count") > 0)
        txt = arena_printf(a, "%s。%d年开展%s%lld次，%s%s小时", txt, summary_year(x),
                           stats_label("volunteer_services", "count"), summary_int(sv, "count"),
                           stats_label("volunteer_services", "hours"),
                           tenths(a, json_number_value(json_object_get(sv, "hours"))));
    summary_subheading(x, "壮大志愿者队伍");
    summary_para(x, arena_printf(a, "%s。", txt));
}

static const struct summary_part summary[] = {
    {.chapter = "organisation",
     .rank = 20,
     .write = summary_volunteers,
     .campaigns = "safe civilized"},
};

/* ---- demo: six teams in each township, 300 volunteers a year across the
 * villages, each in a team of their township, and their service records ---- */

#define DEMO_TEAMS 6

/* The teams, skills and services the demo draws from. */
static const char *teams[] = {"安全志愿服务队", "消防志愿服务队", "交通劝导志愿队",
                              "平安巡逻队",     "禁毒宣传志愿队", "应急救援志愿队"};
static const char *skills[] = {"消防器材使用", "急救", "交通劝导", "法律咨询",
                               "矛盾调解",     "电工", "心理疏导", "宣传写作"};
static const char *services[] = {"交通劝导",     "消防安全宣传", "夜间治安巡逻",
                                 "关爱留守儿童", "禁毒宣传",     "防汛值守"};

static int demo(struct demo_ctx *d, char **err)
{
    /* The townships, in the order of their villages. */
    static char towns[64][16];
    static char team_ids[64][DEMO_TEAMS][32];
    int ntowns = 0;
    for (int v = 0; v < d->nvillages; v++) {
        char code[16];
        snprintf(code, sizeof code, "%.9s000", d->villages[v]);
        int found = 0;
        for (int k = 0; k < ntowns && !found; k++)
            found = strcmp(towns[k], code) == 0;
        if (!found && ntowns < 64)
            snprintf(towns[ntowns++], sizeof towns[0], "%s", code);
    }
    for (int k = 0; k < ntowns; k++)
        for (int i = 0; i < DEMO_TEAMS; i++) {
            char leader[32];
            demo_person_name(d, leader, sizeof leader);
            if (demo_add(d, "volunteer_teams",
                         json_pack("{s:s, s:s, s:s, s:s}", "region", towns[k], "name", teams[i],
                                   "leader", leader, "founded_on",
                                   i < 3 ? "2023-03-01" : "2024-05-01"),
                         team_ids[k][i], sizeof team_ids[k][i], err))
                return -1;
        }
    for (int year = 2024; year <= 2025; year++)
        for (int i = 0; i < 300; i++) {
            char name[32], birth[11], joined[11], key[32];
            demo_person_name(d, name, sizeof name);
            demo_date(d, 1955 + (int)demo_rnd(d, 45), birth);
            demo_date(d, year, joined);
            const char *region = d->villages[demo_rnd(d, (unsigned)d->nvillages)];
            const char *gender = demo_rnd(d, 2) ? "1" : "2";
            const char *skill = skills[demo_rnd(d, 8)];
            int town = 0;
            for (int k = 0; k < ntowns; k++)
                if (strncmp(towns[k], region, 9) == 0)
                    town = k;
            int team = (int)demo_rnd(d, DEMO_TEAMS);
            int hours = (int)(2 + demo_rnd(d, 120));
            if (demo_add(d, "volunteers",
                         json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:i}", "region", region,
                                   "name", name, "gender", gender, "birth_date", birth, "team_id",
                                   (json_int_t)atoll(team_ids[town][team]), "skills", skill,
                                   "joined_on", joined, "hours", hours),
                         key, sizeof key, err))
                return -1;
            /* One volunteer in two has service records: up to two a year
             * from the year they joined. */
            for (int y = year; y <= 2025 && i % 2 == 0; y++) {
                int n = (int)demo_rnd(d, 3);
                for (int k = 0; k < n; k++) {
                    char on[11];
                    demo_date(d, y, on);
                    if (y == year && strcmp(on, joined) < 0)
                        continue;
                    double h = 0.5 * (double)(1 + demo_rnd(d, 12));
                    if (demo_add(d, "volunteer_services",
                                 json_pack("{s:s, s:I, s:s, s:f, s:s}", "region", region,
                                           "volunteer_id", (json_int_t)atoll(key), "served_on", on,
                                           "hours", h, "content", services[demo_rnd(d, 6)]),
                                 NULL, 0, err))
                        return -1;
                }
            }
        }
    return 0;
}

/* ---- `demo --scale`: per county 120 teams (six a township), 15,000
 * volunteers, each in a team of their township, and 30,000 service
 * records of 2025 ---- */

static int demo_scale(struct demo_ctx *d, char **err)
{
    long nt = demo_scale_n(d, 120), nv = demo_scale_n(d, 15000), ns = demo_scale_n(d, 30000);
    /* Each township's villages: they are listed township by township. */
    int *first = xcalloc((size_t)d->ntownships + 1, sizeof *first);
    int *count = xcalloc((size_t)d->ntownships + 1, sizeof *count);
    for (int v = d->nvillages - 1; v >= 0; v--) {
        first[d->village_township[v]] = v;
        count[d->village_township[v]]++;
    }
    int64_t *team = xcalloc((size_t)nt, sizeof *team), *vol = xcalloc((size_t)nv, sizeof *vol);
    unsigned *vvillage = xcalloc((size_t)nv, sizeof *vvillage);
    char(*joined)[11] = xcalloc((size_t)nv, sizeof *joined);
    int rc = demo_bulk_begin(d, "volunteer_teams", nt, err);
    for (long i = 0; rc == 0 && i < nt; i++) {
        char leader[32];
        demo_person_name(d, leader, sizeof leader);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:s, s:s, s:s}", "region",
                                     d->townships[i % d->ntownships], "name",
                                     teams[(i / d->ntownships) % DEMO_TEAMS], "leader", leader,
                                     "founded_on", i % 2 ? "2023-03-01" : "2024-05-01"),
                           &team[i], err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "volunteers", nv, err);
    for (long i = 0; rc == 0 && i < nv; i++) {
        long t = (long)demo_rnd(d, (unsigned)nt);
        int town = (int)(t % d->ntownships);
        char name[32], birth[11];
        vvillage[i] = (unsigned)first[town] + demo_rnd(d, (unsigned)count[town]);
        demo_person_name(d, name, sizeof name);
        demo_date(d, 1955 + (int)demo_rnd(d, 45), birth);
        demo_date(d, 2024 + (int)demo_rnd(d, 2), joined[i]);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:i}", "region",
                                     d->villages[vvillage[i]], "name", name, "gender",
                                     demo_rnd(d, 2) ? "1" : "2", "birth_date", birth, "team_id",
                                     (json_int_t)team[t], "skills", skills[demo_rnd(d, 8)],
                                     "joined_on", joined[i], "hours", (int)(2 + demo_rnd(d, 120))),
                           &vol[i], err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "volunteer_services", ns, err);
    for (long i = 0; rc == 0 && i < ns; i++) {
        long v = (long)demo_rnd(d, (unsigned)nv);
        char on[11];
        demo_date(d, 2025, on);
        if (strcmp(on, joined[v]) < 0)
            snprintf(on, sizeof on, "%s", joined[v]);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:I, s:s, s:f, s:s}", "region",
                                     d->villages[vvillage[v]], "volunteer_id", (json_int_t)vol[v],
                                     "served_on", on, "hours", 0.5 * (double)(1 + demo_rnd(d, 12)),
                                     "content", services[demo_rnd(d, 6)]),
                           NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    free(first);
    free(count);
    free(team);
    free(vol);
    free(vvillage);
    free(joined);
    return rc ? -1 : 0;
}

static const struct entity *const entities[] = {&volunteer_teams, &volunteers, &volunteer_services};

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
    .demo_scale = demo_scale,
};
