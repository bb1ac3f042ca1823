/* hazard_demo: the demo county's hazard loop: a checklist template, 60
 * units with their contacts, and two years of inspections, each finding a
 * hazard taken through the real transitions (hazard_apply) to every state. */
#include "hazards.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "hazard.h"
#include "util.h"

/* One transition on the date day (the step's "today"). */
static int hz_step(struct demo_ctx *d, const char *id, const char *day, json_t *in, char **err)
{
    arena *a = arena_new();
    json_t *errors = json_object();
    const char *msg = NULL;
    util_today_set(day);
    int rc = hazard_apply(d->c, a, d->who, id, in, errors, &msg);
    if (rc != 0) {
        char *e = json_dumps(errors, JSON_COMPACT);
        *err = xasprintf("演示隐患 %s 的操作 %s 失败（%d）: %s %s", id,
                         json_string_value(json_object_get(in, "action")), rc, msg ? msg : "",
                         e ? e : "");
        free(e);
    }
    json_decref(errors);
    json_decref(in);
    arena_free(a);
    return rc == 0 ? 0 : -1;
}

static void day_plus(const char *day, int n, char out[11])
{
    util_days_to_date(util_date_to_days(day) + n, out);
}

/* The kinds of units, hazards and inspections the demo draws from. */
static const char *unit_types[] = {
    "shop",   "enterprise",   "school",      "restaurant",   "hotel",
    "market", "rental_house", "gas_station", "elderly_home", "construction_site"};
static const char *unit_names[] = {"便民超市", "农机修理厂", "中心小学", "川菜馆", "宾馆",
                                   "农贸市场", "出租房",     "加油站",   "敬老院", "安置房工地"};
static const struct {
    const char *domain, *category, *title, *measures;
} kinds[] = {
    {"fire", "things", "灭火器过期未更换", "更换合格灭火器并定期检查"},
    {"fire", "environment", "疏散通道堆放杂物", "清理疏散通道，保持畅通"},
    {"fire", "people", "电动自行车室内充电", "设置集中充电点，禁止室内充电"},
    {"household_electricity", "things", "电气线路私拉乱接", "由持证电工重新敷设线路"},
    {"gas", "things", "燃气软管老化", "更换金属波纹管并安装报警器"},
    {"school", "management", "校门口无减速带", "设置减速带和警示标志"},
    {"construction", "management", "脚手架未设安全网", "按规范挂设密目安全网"},
    {"road_traffic", "environment", "急弯路段缺少警示标志", "设置警示标志和凸面镜"},
    {"drowning", "environment", "山坪塘无防护栏", "设置防护栏和警示牌"},
    {"food", "management", "从业人员无健康证", "办理健康证后上岗"},
    {"rural_housing", "things", "农村危房仍有人居住", "人员搬离，房屋加固或拆除"},
    {"special_equipment", "management", "电梯超期未检验", "委托检验机构检验"},
};
/* The demo's checklist template: a numeric code, as an office numbers its
 * forms. */
#define DEMO_TEMPLATE "001"
static const char *kinds_insp[] = {"routine", "special",     "seasonal",
                                   "holiday", "county_spot", "joint"};

/* A major hazard's rectification plan (five parts, 五落实), written the same
 * way by the demo's transitions and by the bulk scale rows. */
static void major_plan_set(json_t *o, const char *found, const char *measures)
{
    char plan[11];
    day_plus(found, 180, plan);
    json_object_set_new(o, "plan_target", json_string("彻底消除重大隐患"));
    json_object_set_new(o, "plan_measures", json_string(measures));
    json_object_set_new(o, "plan_funds", json_string("单位自筹"));
    json_object_set_new(o, "plan_people", json_string("单位负责人及安全管理人"));
    json_object_set_new(o, "plan_deadline", json_string(plan));
    json_object_set_new(o, "plan_emergency", json_string("设置警戒区，落实专人值守"));
}

static int demo_hazards(struct demo_ctx *d, char **err)
{
    const int nunits = 60;
    char unit_ids[60][24], unit_region[60][32], unit_label[60][96], unit_place[60][48];
    if (demo_add(d, "checklist_templates",
                 json_pack("{s:s, s:s, s:s, s:s, s:s}", "region", DEMO_COUNTY, "code",
                           DEMO_TEMPLATE, "name", "小场所消防安全检查表", "domain", "fire", "items",
                           "营业执照、消防安全责任人和管理人明确\n"
                           "疏散通道、安全出口畅通，未被占用、堵塞、封闭\n"
                           "安全出口和疏散指示标志、应急照明完好有效\n"
                           "灭火器配置数量足够、压力正常、在有效期内\n"
                           "电气线路敷设规范，无私拉乱接、超负荷用电\n"
                           "电动自行车未在室内、楼道停放或充电\n"
                           "未违规住人（“三合一”场所已实施防火分隔）\n"
                           "燃气使用规范，燃气报警装置完好，软管未老化\n"
                           "门窗未设置影响逃生和灭火救援的铁栅栏、广告牌\n"
                           "从业人员会报警、会使用灭火器、会组织疏散逃生"),
                 NULL, 0, err))
        return -1;
    for (int i = 0; i < nunits; i++) {
        int t = (int)demo_rnd(d, 10);
        char officer[32], phone[16];
        demo_person_name(d, officer, sizeof officer);
        snprintf(phone, sizeof phone, "138%08u", demo_rnd(d, 100000000));
        snprintf(unit_region[i], sizeof unit_region[i], "%s",
                 d->villages[demo_rnd(d, (unsigned)d->nvillages)]);
        char place[32];
        demo_place(i, place, sizeof place);
        snprintf(unit_label[i], sizeof unit_label[i], "%s%s", place, unit_names[t]);
        /* 所在区域 is where the hazard is (a village group), not who is
         * responsible: the unit's name goes to 责任单位. */
        snprintf(unit_place[i], sizeof unit_place[i], "%s%d组", place, i % 9 + 1);
        if (demo_add(d, "units",
                     json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "region", unit_region[i], "name",
                               unit_label[i], "type", unit_types[t], "key_unit", t >= 7,
                               "safety_officer", officer, "officer_phone", phone),
                     unit_ids[i], sizeof unit_ids[i], err))
            return -1;
        if (demo_add(d, "unit_contacts",
                     json_pack("{s:s, s:I, s:s, s:s, s:s}", "region", unit_region[i], "unit_id",
                               (json_int_t)atoll(unit_ids[i]), "name", officer, "role",
                               "安全管理人", "phone", phone),
                     NULL, 0, err))
            return -1;
    }
    for (int year = 2024; year <= 2025; year++) {
        for (int i = 0; i < 150; i++) {
            char found[11], insp[24], day[11], next[11];
            demo_date(d, year, found);
            int u = (int)demo_rnd(d, (unsigned)nunits);
            int k = (int)demo_rnd(d, sizeof kinds / sizeof kinds[0]);
            char inspector[32];
            demo_person_name(d, inspector, sizeof inspector);
            if (demo_add(d, "inspections",
                         json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region", unit_region[u],
                                   "held_on", found, "kind", kinds_insp[demo_rnd(d, 6)],
                                   "inspectors", inspector, "units_visited", unit_label[u],
                                   "template", DEMO_TEMPLATE, "findings", kinds[k].title),
                         insp, sizeof insp, err))
                return -1;
            unsigned g = demo_rnd(d, 20);
            /* The year's first two are major and still reported, so that
             * the county always has one for the notice's 五落实 plan,
             * whatever the seed draws. */
            int pinned = year == 2025 && i < 2;
            const char *grade = pinned || g >= 19 ? "major" : g < 15 ? "general" : "larger";
            char hid[24];
            double lng, lat;
            demo_geo_place(unit_region[u], (unsigned)(year * 1000 + i), &lng, &lat);
            /* Six decimals: about 0.1 m, what a phone's GPS gives. */
            lng = round(lng * 1e6) / 1e6;
            lat = round(lat * 1e6) / 1e6;
            if (demo_add(d, "hazards",
                         json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:f, s:f}",
                                   "region", unit_region[u], "title", kinds[k].title, "domain",
                                   kinds[k].domain, "category", kinds[k].category, "grade", grade,
                                   "found_at", found, "address", unit_place[u], "unit_id",
                                   (json_int_t)atoll(unit_ids[u]), "inspection_id",
                                   (json_int_t)atoll(insp), "found_by", inspector, "lat", lat,
                                   "lng", lng),
                         hid, sizeof hid, err))
                return -1;
            /* How far it gets: 8% reported, 12% assigned, 20% rectifying,
             * 10% awaiting acceptance, the rest closed. */
            unsigned p = demo_rnd(d, 100);
            if (pinned)
                p = 0;
            if (p < 8)
                continue;
            /* Recent open hazards get long deadlines, so that not every open
             * one is overdue whatever the date. */
            int recent = strcmp(found, "2025-10-01") >= 0 && p < 50;
            int days = recent ? 360 : grade[0] == 'm' ? 60 : 5 + (int)demo_rnd(d, 25);
            day_plus(found, 1 + (int)demo_rnd(d, 3), day);
            json_t *in = json_pack("{s:s, s:i, s:s, s:s, s:s}", "action", "assign", "deadline_days",
                                   days, "responsible_unit", unit_label[u], "responsible_person",
                                   "单位安全管理人", "measures", kinds[k].measures);
            if (grade[0] == 'm')
                major_plan_set(in, found, kinds[k].measures);
            if (hz_step(d, hid, day, in, err))
                return -1;
            if (p >= 8 && demo_rnd(d, 8) == 0) {
                day_plus(day, 10, next);
                if (hz_step(d, hid, next,
                            json_pack("{s:s, s:s, s:s}", "action", "supervise", "level", "county",
                                      "letter", "县安办督办函"),
                            err))
                    return -1;
                if (demo_rnd(d, 3) == 0 &&
                    hz_step(d, hid, next, json_pack("{s:s}", "action", "list_publicly"), err))
                    return -1;
            }
            if (p < 20)
                continue;
            day_plus(day, 2, day);
            if (hz_step(d, hid, day, json_pack("{s:s}", "action", "start"), err))
                return -1;
            day_plus(day, 3, day);
            if (hz_step(d, hid, day,
                        json_pack("{s:s, s:s}", "action", "report_progress", "note",
                                  "已落实部分整改措施"),
                        err))
                return -1;
            if (p < 40)
                continue;
            /* Most are fixed in time, some late. */
            day_plus(day, demo_rnd(d, 5) == 0 ? 40 : 4, day);
            if (hz_step(d, hid, day, json_pack("{s:s}", "action", "submit"), err))
                return -1;
            if (p < 50)
                continue;
            day_plus(day, 3, day);
            if (demo_rnd(d, 10) == 0) {
                if (hz_step(d, hid, day,
                            json_pack("{s:s, s:s}", "action", "refuse", "reason",
                                      "整改不到位，需重新整改"),
                            err))
                    return -1;
                day_plus(day, 3, day);
                if (hz_step(d, hid, day, json_pack("{s:s}", "action", "submit"), err))
                    return -1;
                day_plus(day, 2, day);
            }
            if (hz_step(d, hid, day,
                        json_pack("{s:s, s:s}", "action", "accept", "note", "现场验收合格"), err))
                return -1;
        }
    }
    util_today_set(NULL);
    return 0;
}

/* The demo unit officer `unit` (单位安全员) and its unit in the village of the
 * demo village worker, inside the township of `town`: the browser test walks
 * a hazard from the village's report through town's notice to this unit. */
#define DEMO_UNIT_NAME "九龙镇惠民超市"

/* One hazard of the demo village found on found, taken to state (reported,
 * assigned or awaiting_acceptance) by the real steps; unit_id NULL: none. */
static int demo_village_hazard(struct demo_ctx *d, const char *unit_id, const char *title,
                               const char *found, const char *state, char **err)
{
    char hid[24], day[11];
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region", DEMO_VILLAGE, "title",
                  title, "domain", "fire", "category", "things", "grade", "general", "found_at",
                  found, "address", unit_id ? DEMO_UNIT_NAME : "村道旁", "found_by", "村网格员");
    if (unit_id)
        json_object_set_new(o, "unit_id", json_integer(atoll(unit_id)));
    if (demo_add(d, "hazards", o, hid, sizeof hid, err))
        return -1;
    if (strcmp(state, "reported") == 0)
        return 0;
    day_plus(found, 1, day);
    json_t *in = json_pack("{s:s, s:i, s:s, s:s, s:s}", "action", "assign", "deadline_days", 20,
                           "responsible_unit", unit_id ? DEMO_UNIT_NAME : "九龙镇安办",
                           "responsible_person", "单位安全员", "measures", "按整改通知落实整改");
    if (unit_id)
        json_object_set_new(in, "unit_id", json_integer(atoll(unit_id)));
    if (hz_step(d, hid, day, in, err))
        return -1;
    if (strcmp(state, "assigned") != 0) {
        day_plus(day, 2, day);
        if (hz_step(d, hid, day, json_pack("{s:s}", "action", "start"), err))
            return -1;
        day_plus(day, 5, day);
        if (hz_step(d, hid, day, json_pack("{s:s, s:s}", "action", "submit", "note", "整改完成"),
                    err))
            return -1;
    }
    util_today_set(NULL);
    return 0;
}

/* The to-do list's demo (todo.c): the unit has a hazard to start and one
 * awaiting town's acceptance; the village has a fresh report for town to
 * assign. */
static int demo_todo_hazards(struct demo_ctx *d, const char *uid, char **err)
{
    if (demo_village_hazard(d, uid, "货架遮挡安全出口", "2025-12-01", "assigned", err) ||
        demo_village_hazard(d, uid, "灭火器压力不足", "2025-11-10", "awaiting_acceptance", err) ||
        demo_village_hazard(d, NULL, "村道旁配电箱箱门破损", "2025-12-28", "reported", err))
        return -1;
    return 0;
}

static int demo_unit_officer(struct demo_ctx *d, char **err)
{
    char uid[24];
    if (demo_add(d, "units",
                 json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "region", DEMO_VILLAGE, "name",
                           DEMO_UNIT_NAME, "type", "shop", "key_unit", 0, "safety_officer",
                           "单位安全员", "officer_phone", "13800000000"),
                 uid, sizeof uid, err) ||
        demo_add_user(d, "unit", "惠民超市安全员", "unit_officer", DEMO_VILLAGE, err))
        return -1;
    const char *p[] = {uid};
    if (demo_exec(d,
                  "UPDATE users SET unit_id = CAST($1 AS BIGINT) WHERE username = 'unit' AND "
                  "unit_id IS NULL",
                  1, p, err))
        return -1;
    return demo_todo_hazards(d, uid, err);
}

int hazard_demo(struct demo_ctx *d, char **err)
{
    if (demo_hazards(d, err))
        return -1;
    return demo_unit_officer(d, err);
}

/* ---- `demo --scale`: per county 3,000 units with a contact each, 10,000
 * inspections and 50,000 hazards, the first ones found by the inspections,
 * in the demo's mix of states (8 % reported, 12 % assigned, 20 %
 * rectifying, 10 % awaiting acceptance, 50 % closed). A hazard past
 * 已登记 comes in as a ledger's does: its notice number (the township's
 * own sequence), deadline and dates, and the import's history step
 * (hazard_created). ---- */

struct scale_unit {
    int64_t id;
    unsigned village, type;
};

static int scale_units(struct demo_ctx *d, long n, struct scale_unit *u, char **err)
{
    int rc = demo_bulk_begin(d, "units", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        char officer[32], phone[16], place[32], name[96];
        u[i].village = demo_rnd(d, (unsigned)d->nvillages);
        u[i].type = demo_rnd(d, 10);
        demo_person_name(d, officer, sizeof officer);
        snprintf(phone, sizeof phone, "138%08u", demo_rnd(d, 100000000));
        demo_place((int)i, place, sizeof place);
        snprintf(name, sizeof name, "%s%s%s", d->vnames[u[i].village], place,
                 unit_names[u[i].type]);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "region",
                                     d->villages[u[i].village], "name", name, "type",
                                     unit_types[u[i].type], "key_unit", u[i].type >= 7,
                                     "safety_officer", officer, "officer_phone", phone),
                           &u[i].id, err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "unit_contacts", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        char name[32], phone[16];
        demo_person_name(d, name, sizeof name);
        snprintf(phone, sizeof phone, "139%08u", demo_rnd(d, 100000000));
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:I, s:s, s:s, s:s}", "region",
                                     d->villages[u[i].village], "unit_id", (json_int_t)u[i].id,
                                     "name", name, "role", "安全管理人", "phone", phone),
                           NULL, err);
    }
    return rc || demo_bulk_end(d, err) ? -1 : 0;
}

/* Inspection i visits unit i % nunits; its id and day into ids and days. */
static int scale_inspections(struct demo_ctx *d, long n, const struct scale_unit *u, long nu,
                             int64_t *ids, char (*days)[11], char **err)
{
    int rc = demo_bulk_begin(d, "inspections", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        const struct scale_unit *x = &u[i % nu];
        char inspector[32];
        demo_date(d, 2024 + (int)demo_rnd(d, 2), days[i]);
        demo_person_name(d, inspector, sizeof inspector);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "region",
                                     d->villages[x->village], "held_on", days[i], "kind",
                                     kinds_insp[demo_rnd(d, 6)], "inspectors", inspector,
                                     "units_visited", unit_names[x->type], "findings",
                                     kinds[demo_rnd(d, sizeof kinds / sizeof kinds[0])].title),
                           &ids[i], err);
    }
    return rc || demo_bulk_end(d, err) ? -1 : 0;
}

/* The townships' names, for their notice numbers. */
static char (*scale_township_names(struct demo_ctx *d))[48]
{
    char(*names)[48] = xcalloc((size_t)d->ntownships + 1, sizeof *names);
    for (int t = 0; t < d->ntownships; t++) {
        db_stmt *s = db_prepare(d->c, "SELECT name FROM regions WHERE code = $1");
        if (!s)
            break;
        db_bind_text(s, 1, d->townships[t]);
        snprintf(names[t], sizeof names[t], "%s",
                 db_step(s) == DB_ROW ? db_col_text(s, 0) : "乡镇");
        db_done(s);
    }
    return names;
}

static int scale_hazards(struct demo_ctx *d, long n, const struct scale_unit *u, long nu,
                         const int64_t *insp, char (*insp_days)[11], long ninsp, char **err)
{
    char(*tnames)[48] = scale_township_names(d);
    /* The notices numbered so far, per township and year (2024, 2025). */
    long *counter = xcalloc((size_t)d->ntownships * 2 + 2, sizeof *counter);
    int rc = demo_bulk_begin(d, "hazards", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        long ui = i < ninsp ? i % nu : (long)demo_rnd(d, (unsigned)nu);
        const struct scale_unit *x = &u[ui];
        const char *region = d->villages[x->village];
        int ki = (int)demo_rnd(d, sizeof kinds / sizeof kinds[0]);
        char found[11], inspector[32], place[32];
        if (i < ninsp)
            snprintf(found, sizeof found, "%s", insp_days[i]);
        else
            demo_date(d, 2024 + (int)demo_rnd(d, 2), found);
        demo_person_name(d, inspector, sizeof inspector);
        demo_place((int)ui, place, sizeof place);
        unsigned g = demo_rnd(d, 20);
        const char *grade = g >= 19 ? "major" : g < 15 ? "general" : "larger";
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "region", region, "title",
                      kinds[ki].title, "domain", kinds[ki].domain, "category", kinds[ki].category,
                      "grade", grade, "found_at", found, "address", d->vnames[x->village],
                      "unit_id", (json_int_t)x->id, "found_by", inspector);
        if (i < ninsp)
            json_object_set_new(o, "inspection_id", json_integer(insp[i]));
        /* The map's points: the demo county's own twelve townships only
         * have boundaries. */
        int t = atoi((char[4]){region[6], region[7], region[8], 0}) - 101;
        if (strncmp(region, DEMO_COUNTY, 6) == 0 && t >= 0 && t < 12) {
            double lng, lat;
            demo_geo_place(region, (unsigned)(100000 + i), &lng, &lat);
            json_object_set_new(o, "lng", json_real(round(lng * 1e6) / 1e6));
            json_object_set_new(o, "lat", json_real(round(lat * 1e6) / 1e6));
        }
        unsigned p = demo_rnd(d, 100);
        const char *state = p < 8    ? "reported"
                            : p < 20 ? "assigned"
                            : p < 40 ? "rectifying"
                            : p < 50 ? "awaiting_acceptance"
                                     : "closed";
        json_object_set_new(o, "state", json_string(state));
        if (p >= 8) {
            char notice[11], deadline[11], no[128];
            day_plus(found, 1 + (int)demo_rnd(d, 3), notice);
            int recent = strcmp(found, "2025-10-01") >= 0 && p < 50;
            day_plus(notice,
                     recent            ? 360
                     : grade[0] == 'm' ? 60
                                       : 5 + (int)demo_rnd(d, 25),
                     deadline);
            int year = atoi(notice);
            long *c = &counter[d->village_township[x->village] * 2 + (year >= 2025)];
            snprintf(no, sizeof no, "%s隐患整改〔%d〕第%03ld号",
                     tnames[d->village_township[x->village]], year, ++*c);
            json_object_set_new(o, "notice_no", json_string(no));
            json_object_set_new(o, "notice_date", json_string(notice));
            json_object_set_new(o, "deadline", json_string(deadline));
            json_object_set_new(o, "responsible_unit", json_string(unit_names[x->type]));
            json_object_set_new(o, "responsible_person", json_string("单位安全管理人"));
            json_object_set_new(o, "measures", json_string(kinds[ki].measures));
            if (grade[0] == 'm')
                major_plan_set(o, found, kinds[ki].measures);
            if (demo_rnd(d, 8) == 0) {
                char on[11];
                day_plus(notice, 10, on);
                json_object_set_new(o, "supervised", json_true());
                json_object_set_new(o, "supervise_level", json_string("county"));
                json_object_set_new(o, "supervise_letter", json_string("县安办督办函"));
                json_object_set_new(o, "supervised_on", json_string(on));
            }
            if (p >= 50) {
                /* Most are fixed in time, some late. */
                char closed[11];
                day_plus(deadline, demo_rnd(d, 5) == 0 ? 15 : -(int)demo_rnd(d, 4), closed);
                if (strcmp(closed, found) < 0)
                    snprintf(closed, sizeof closed, "%s", deadline);
                json_object_set_new(o, "closed_on", json_string(closed));
            }
        }
        rc = demo_bulk_add(d, o, NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    free(counter);
    free(tnames);
    return rc ? -1 : 0;
}

int hazard_demo_scale(struct demo_ctx *d, char **err)
{
    long nu = demo_scale_n(d, 3000), ni = demo_scale_n(d, 10000), nh = demo_scale_n(d, 50000);
    if (ni > nh)
        ni = nh;
    struct scale_unit *u = xcalloc((size_t)nu, sizeof *u);
    int64_t *insp = xcalloc((size_t)ni, sizeof *insp);
    char(*days)[11] = xcalloc((size_t)ni, sizeof *days);
    int rc = scale_units(d, nu, u, err) || scale_inspections(d, ni, u, nu, insp, days, err) ||
             scale_hazards(d, nh, u, nu, insp, days, ni, err);
    free(u);
    free(insp);
    free(days);
    return rc ? -1 : 0;
}
