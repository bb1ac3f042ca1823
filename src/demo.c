/* demo: see demo.h. A small xorshift generator seeded by --seed makes the
 * same county every time, so tests and screenshots are repeatable. The whole
 * load is one transaction. */
#include "demo.h"
#include "audit.h"
#include "auth.h"
#include "boundary.h"
#include "entity.h"
#include "hazard.h"
#include "buf.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTY "511621000000"

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static const char *townships[] = {"九龙镇", "花园镇", "坪滩镇", "龙孔镇", "镇裕镇", "白庙镇",
                                  "酉溪镇", "同兴镇", "兴隆镇", "秦溪镇", "顾县镇", "苟角镇"};
static const char *village_a[] = {"青", "石", "桂", "柏", "黄", "新", "金", "长", "双", "白",
                                  "龙", "凤", "太", "永", "和", "安", "清", "福", "平", "高"};
static const char *village_b[] = {"林", "桥", "花", "山", "河", "坝", "湾", "岭", "溪", "塘",
                                  "井", "坪", "田", "家", "丰", "兴", "阳", "水", "堰", "院"};
static const char *surnames[] = {"张", "王", "李", "刘", "陈", "杨", "黄", "赵", "周", "吴",
                                 "徐", "孙", "马", "胡", "朱", "郭", "何", "罗", "高", "林"};
static const char *given[] = {"伟", "芳", "娜", "敏",   "静",   "丽",   "强",  "磊", "军",
                              "洋", "勇", "艳", "杰",   "娟",   "涛",   "明",  "超", "秀英",
                              "霞", "平", "刚", "桂英", "建华", "志强", "春梅"};
static const char *teams[] = {"安全志愿服务队", "消防志愿服务队", "交通劝导志愿队",
                              "平安巡逻队",     "禁毒宣传志愿队", "应急救援志愿队"};
static const char *skills[] = {"消防器材使用", "急救", "交通劝导", "法律咨询",
                               "矛盾调解",     "电工", "心理疏导", "宣传写作"};
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

static int exec(db_conn *c, const char *sql, int n, const char *const *p, char **err)
{
    int st = db_exec_params(c, sql, n, p);
    if (st != DB_OK)
        *err = xasprintf("演示数据写入失败: %s", db_errmsg(c));
    return st == DB_OK ? 0 : -1;
}

static int add_region(db_conn *c, const char *code, const char *name, const char *level,
                      const char *parent, long pop, const char *now, char **err)
{
    char pops[24];
    snprintf(pops, sizeof pops, "%ld", pop);
    const char *p[] = {code, name, level, parent, pop ? pops : NULL, pop ? "2024" : NULL, now};
    return exec(c,
                "INSERT INTO regions (code, name, level, parent, population, population_year, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
                "ON CONFLICT (code) DO NOTHING",
                7, p, err);
}

static int add_user(db_conn *c, const char *username, const char *display, const char *role,
                    const char *region, const char *password, const char *now, char **err)
{
    char hash[256];
    if (auth_password_hash(password, hash, sizeof hash) != 0) {
        *err = xstrdup("密码哈希失败");
        return -1;
    }
    const char *p[] = {username, display, hash, role, region, now};
    return exec(c,
                "INSERT INTO users (username, display_name, password_hash, role, region, "
                "created_at, updated_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $6, 'demo') "
                "ON CONFLICT (username) DO NOTHING",
                6, p, err);
}

/* Every record goes through entity_create, the path of the API: validation,
 * the search index, encryption of sensitive fields and the audit log. */
static int add_record(db_conn *c, const struct audit_actor *who, const char *entity, json_t *obj,
                      char **err)
{
    arena *a = arena_new();
    json_t *errors = json_object();
    int st = entity_create(c, a, who, entity_find(entity), obj, errors, NULL);
    if (st != DB_OK) {
        char *e = json_dumps(errors, JSON_COMPACT);
        *err = xasprintf("演示数据写入失败（%s）: %s %s", entity, db_errmsg(c), e ? e : "");
        free(e);
    }
    json_decref(errors);
    json_decref(obj);
    arena_free(a);
    return st == DB_OK ? 0 : -1;
}

/* A valid resident ID number (GB 11643) for the demo. */
static void make_id_number(const char *birth, char out[19])
{
    static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "511621%.4s%.2s%.2s%03u", birth, birth + 5, birth + 8, rnd(999) + 1);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

static void rand_date(int year, char out[11])
{
    char jan1[11];
    snprintf(jan1, sizeof jan1, "%04d-01-01", year);
    util_days_to_date(util_date_to_days(jan1) + rnd(365), out);
}

static void person_name(char *out, size_t n)
{
    snprintf(out, n, "%s%s", surnames[rnd(20)], given[rnd(25)]);
}

/* ---- synthetic boundaries around 岳池县 (about 30.54°N, 106.44°E) ----
 *
 * The county is a jittered lattice of GEO_NX x GEO_NY points; each township
 * is a block of GEO_K x GEO_K lattice cells (4 columns, 3 rows of
 * townships), so neighbouring townships share their edges exactly and tile
 * the county. A point depends only on its lattice indices and the seed, and
 * the jitter (a fifth of a cell) keeps every cell convex, so a weighted mean
 * of a cell's corners always lies inside it: that is how hazards are placed.
 * These coordinates come from their own hash, not from rnd(), so adding them
 * left the rest of the demo unchanged. */
#define GEO_K     4
#define GEO_TCOLS 4
#define GEO_TROWS 3
#define GEO_NX    (GEO_TCOLS * GEO_K + 1)
#define GEO_NY    (GEO_TROWS * GEO_K + 1)
#define GEO_LNG0  106.22
#define GEO_LAT0  30.36
#define GEO_DLNG  0.0275
#define GEO_DLAT  0.03

static unsigned geo_seed;

/* A deterministic value in [0, 1) from three integers and the seed. */
static double geo_hash(unsigned a, unsigned b, unsigned k)
{
    uint64_t z = ((uint64_t)a << 42) ^ ((uint64_t)b << 21) ^ k ^ ((uint64_t)geo_seed << 50);
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static void geo_point(int i, int j, double *lng, double *lat)
{
    double x = i + 0.4 * (geo_hash((unsigned)i, (unsigned)j, 1) - 0.5);
    double y = j + 0.4 * (geo_hash((unsigned)i, (unsigned)j, 2) - 0.5);
    /* A gentle warp, so that the outline is not a rectangle. */
    x += 0.8 * sin(y * 0.55 + 0.7);
    y += 0.6 * sin(x * 0.45 + 1.9);
    *lng = GEO_LNG0 + x * GEO_DLNG;
    *lat = GEO_LAT0 + y * GEO_DLAT;
}

/* The ring around lattice block [i0, i0 + w] x [j0, j0 + h], counter-clockwise
 * as RFC 7946 asks of exterior rings. */
static json_t *geo_block(int i0, int j0, int w, int h)
{
    json_t *ring = json_array();
    double lng, lat;
    for (int k = 0; k < w; k++) {
        geo_point(i0 + k, j0, &lng, &lat);
        json_array_append_new(ring, json_pack("[f, f]", lng, lat));
    }
    for (int k = 0; k < h; k++) {
        geo_point(i0 + w, j0 + k, &lng, &lat);
        json_array_append_new(ring, json_pack("[f, f]", lng, lat));
    }
    for (int k = w; k > 0; k--) {
        geo_point(i0 + k, j0 + h, &lng, &lat);
        json_array_append_new(ring, json_pack("[f, f]", lng, lat));
    }
    for (int k = h; k > 0; k--) {
        geo_point(i0, j0 + k, &lng, &lat);
        json_array_append_new(ring, json_pack("[f, f]", lng, lat));
    }
    json_array_append(ring, json_array_get(ring, 0));
    return json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", ring);
}

/* A point inside village code's cell of its township: village v takes cell
 * v - 1 of the township's GEO_K x GEO_K block; n numbers the point. */
static void geo_place(const char *code, unsigned n, double *lng, double *lat)
{
    int t = atoi((char[4]){code[6], code[7], code[8], 0}) - 101;
    int v = atoi((char[4]){code[9], code[10], code[11], 0});
    if (t < 0 || t >= GEO_TCOLS * GEO_TROWS)
        t = 0;
    int cell = (v > 0 ? v - 1 : 0) % (GEO_K * GEO_K);
    int i = (t % GEO_TCOLS) * GEO_K + cell % GEO_K, j = (t / GEO_TCOLS) * GEO_K + cell / GEO_K;
    double u = 0.15 + 0.7 * geo_hash(n, 7, 3), w = 0.15 + 0.7 * geo_hash(n, 7, 4);
    double x[4], y[4];
    geo_point(i, j, &x[0], &y[0]);
    geo_point(i + 1, j, &x[1], &y[1]);
    geo_point(i + 1, j + 1, &x[2], &y[2]);
    geo_point(i, j + 1, &x[3], &y[3]);
    *lng = (1 - u) * (1 - w) * x[0] + u * (1 - w) * x[1] + u * w * x[2] + (1 - u) * w * x[3];
    *lat = (1 - u) * (1 - w) * y[0] + u * (1 - w) * y[1] + u * w * y[2] + (1 - u) * w * y[3];
}

/* The county and its townships, through boundary_put like an upload. */
static int demo_boundaries(db_conn *c, const struct audit_actor *who, char **err)
{
    arena *a = arena_new();
    int rc = 0;
    for (int t = -1; t < GEO_TCOLS * GEO_TROWS && rc == 0; t++) {
        char code[16];
        json_t *g;
        if (t < 0) {
            snprintf(code, sizeof code, "%s", COUNTY);
            g = geo_block(0, 0, GEO_NX - 1, GEO_NY - 1);
        } else {
            snprintf(code, sizeof code, "511621%03d000", 101 + t);
            g = geo_block((t % GEO_TCOLS) * GEO_K, (t / GEO_TCOLS) * GEO_K, GEO_K, GEO_K);
        }
        int created;
        const char *msg;
        rc = boundary_put(c, a, who, code, g, &created, &msg);
        json_decref(g);
        if (rc != 0)
            *err = xasprintf("演示边界 %s 写入失败（%d）: %s", code, rc, msg ? msg : db_errmsg(c));
    }
    arena_free(a);
    return rc == 0 ? 0 : -1;
}

/* ---- the hazard loop: units, inspections, hazards in every state ---- */

static int add_keyed(db_conn *c, const struct audit_actor *who, const char *entity, json_t *obj,
                     char *key, size_t keylen, char **err)
{
    arena *a = arena_new();
    json_t *errors = json_object();
    const char *k = NULL;
    int st = entity_create(c, a, who, entity_find(entity), obj, errors, &k);
    if (st != DB_OK) {
        char *e = json_dumps(errors, JSON_COMPACT);
        *err = xasprintf("演示数据写入失败（%s）: %s %s", entity, db_errmsg(c), e ? e : "");
        free(e);
    } else if (key) {
        snprintf(key, keylen, "%s", k);
    }
    json_decref(errors);
    json_decref(obj);
    arena_free(a);
    return st == DB_OK ? 0 : -1;
}

/* One transition on the date day (the step's "today"). */
static int hz_step(db_conn *c, const struct audit_actor *who, const char *id, const char *day,
                   json_t *in, char **err)
{
    arena *a = arena_new();
    json_t *errors = json_object();
    const char *msg = NULL;
    util_today_set(day);
    int rc = hazard_apply(c, a, who, id, in, errors, &msg);
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

static int demo_hazards(db_conn *c, const struct audit_actor *who, char villages[][32],
                        int nvillages, char **err)
{
    static const char *unit_types[] = {
        "shop",   "enterprise",   "school",      "restaurant",   "hotel",
        "market", "rental_house", "gas_station", "elderly_home", "construction_site"};
    static const char *unit_names[] = {"便民超市", "农机修理厂", "中心小学", "川菜馆",
                                       "宾馆",     "农贸市场",   "出租房",   "加油站",
                                       "敬老院",   "安置房工地"};
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
    static const char *kinds_insp[] = {"routine", "special",     "seasonal",
                                       "holiday", "county_spot", "joint"};
    const int nunits = 60;
    char unit_ids[60][24], unit_region[60][32], unit_label[60][96];
    if (add_keyed(c, who, "checklist_templates",
                  json_pack("{s:s, s:s, s:s, s:s, s:s}", "region", COUNTY, "code",
                            "fire_small_venue", "name", "小场所消防安全检查表", "domain", "fire",
                            "items",
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
        int t = (int)rnd(10);
        char officer[32], phone[16];
        person_name(officer, sizeof officer);
        snprintf(phone, sizeof phone, "138%08u", rnd(100000000));
        snprintf(unit_region[i], sizeof unit_region[i], "%s", villages[rnd((unsigned)nvillages)]);
        snprintf(unit_label[i], sizeof unit_label[i], "%s%s%s", village_a[i % 20],
                 village_b[(i * 7) % 20], unit_names[t]);
        if (add_keyed(c, who, "units",
                      json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "region", unit_region[i], "name",
                                unit_label[i], "type", unit_types[t], "key_unit", t >= 7,
                                "safety_officer", officer, "officer_phone", phone),
                      unit_ids[i], sizeof unit_ids[i], err))
            return -1;
        if (add_keyed(c, who, "unit_contacts",
                      json_pack("{s:s, s:I, s:s, s:s, s:s}", "region", unit_region[i], "unit_id",
                                (json_int_t)atoll(unit_ids[i]), "name", officer, "role",
                                "安全管理人", "phone", phone),
                      NULL, 0, err))
            return -1;
    }
    for (int year = 2024; year <= 2025; year++) {
        for (int i = 0; i < 150; i++) {
            char found[11], insp[24], day[11], next[11];
            rand_date(year, found);
            int u = (int)rnd((unsigned)nunits);
            int k = (int)rnd(sizeof kinds / sizeof kinds[0]);
            char inspector[32];
            person_name(inspector, sizeof inspector);
            if (add_keyed(c, who, "inspections",
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region", unit_region[u],
                                    "held_on", found, "kind", kinds_insp[rnd(6)], "inspectors",
                                    inspector, "units_visited", unit_label[u], "template",
                                    "fire_small_venue", "findings", kinds[k].title),
                          insp, sizeof insp, err))
                return -1;
            unsigned g = rnd(20);
            const char *grade = g < 15 ? "general" : g < 19 ? "larger" : "major";
            char hid[24];
            double lng, lat;
            geo_place(unit_region[u], (unsigned)(year * 1000 + i), &lng, &lat);
            /* Six decimals: about 0.1 m, what a phone's GPS gives. */
            lng = round(lng * 1e6) / 1e6;
            lat = round(lat * 1e6) / 1e6;
            if (add_keyed(c, who, "hazards",
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:f, s:f}",
                                    "region", unit_region[u], "title", kinds[k].title, "domain",
                                    kinds[k].domain, "category", kinds[k].category, "grade", grade,
                                    "found_at", found, "address", unit_label[u], "unit_id",
                                    (json_int_t)atoll(unit_ids[u]), "inspection_id",
                                    (json_int_t)atoll(insp), "found_by", inspector, "lat", lat,
                                    "lng", lng),
                          hid, sizeof hid, err))
                return -1;
            /* How far it gets: 8% reported, 12% assigned, 20% rectifying,
             * 10% awaiting acceptance, the rest closed. */
            unsigned p = rnd(100);
            if (p < 8)
                continue;
            /* Recent open hazards get long deadlines, so that not every open
             * one is overdue whatever the date. */
            int recent = strcmp(found, "2025-10-01") >= 0 && p < 50;
            int days = recent ? 360 : grade[0] == 'm' ? 60 : 5 + (int)rnd(25);
            day_plus(found, 1 + (int)rnd(3), day);
            json_t *in = json_pack("{s:s, s:i, s:s, s:s, s:s}", "action", "assign", "deadline_days",
                                   days, "responsible_unit", unit_label[u], "responsible_person",
                                   "单位安全管理人", "measures", kinds[k].measures);
            if (grade[0] == 'm') {
                day_plus(found, 180, next);
                json_object_set_new(in, "plan_target", json_string("彻底消除重大隐患"));
                json_object_set_new(in, "plan_measures", json_string(kinds[k].measures));
                json_object_set_new(in, "plan_funds", json_string("单位自筹"));
                json_object_set_new(in, "plan_people", json_string("单位负责人及安全管理人"));
                json_object_set_new(in, "plan_deadline", json_string(next));
                json_object_set_new(in, "plan_emergency", json_string("设置警戒区，落实专人值守"));
            }
            if (hz_step(c, who, hid, day, in, err))
                return -1;
            if (p >= 8 && rnd(8) == 0) {
                day_plus(day, 10, next);
                if (hz_step(c, who, hid, next,
                            json_pack("{s:s, s:s, s:s}", "action", "supervise", "level", "county",
                                      "letter", "县安办督办函"),
                            err))
                    return -1;
                if (rnd(3) == 0 &&
                    hz_step(c, who, hid, next, json_pack("{s:s}", "action", "list_publicly"), err))
                    return -1;
            }
            if (p < 20)
                continue;
            day_plus(day, 2, day);
            if (hz_step(c, who, hid, day, json_pack("{s:s}", "action", "start"), err))
                return -1;
            day_plus(day, 3, day);
            if (hz_step(c, who, hid, day,
                        json_pack("{s:s, s:s}", "action", "report_progress", "note",
                                  "已落实部分整改措施"),
                        err))
                return -1;
            if (p < 40)
                continue;
            /* Most are fixed in time, some late. */
            day_plus(day, rnd(5) == 0 ? 40 : 4, day);
            if (hz_step(c, who, hid, day, json_pack("{s:s}", "action", "submit"), err))
                return -1;
            if (p < 50)
                continue;
            day_plus(day, 3, day);
            if (rnd(10) == 0) {
                if (hz_step(c, who, hid, day,
                            json_pack("{s:s, s:s}", "action", "refuse", "reason",
                                      "整改不到位，需重新整改"),
                            err))
                    return -1;
                day_plus(day, 3, day);
                if (hz_step(c, who, hid, day, json_pack("{s:s}", "action", "submit"), err))
                    return -1;
                day_plus(day, 2, day);
            }
            if (hz_step(c, who, hid, day,
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

static int demo_unit_officer(db_conn *c, const struct audit_actor *who, const char *password,
                             const char *now, char **err)
{
    char uid[24];
    if (add_keyed(c, who, "units",
                  json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "region", "511621101001", "name",
                            DEMO_UNIT_NAME, "type", "shop", "key_unit", 0, "safety_officer",
                            "单位安全员", "officer_phone", "13800000000"),
                  uid, sizeof uid, err) ||
        add_user(c, "unit", "惠民超市安全员", "unit_officer", "511621101001", password, now, err))
        return -1;
    const char *p[] = {uid};
    return exec(c,
                "UPDATE users SET unit_id = CAST($1 AS BIGINT) WHERE username = 'unit' AND "
                "unit_id IS NULL",
                1, p, err);
}

int demo_load(db *d, unsigned seed, const char *password, char **err)
{
    int rc = -1;
    char now[32];
    util_now_iso(now);
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0x100000001B3ULL);
    geo_seed = seed;
    if (!rng_state)
        rng_state = 1;
    db_conn *c = db_acquire(d);
    *err = NULL;
    if (db_begin(c) != DB_OK) {
        *err = xstrdup("数据库忙");
        goto out;
    }
    if (add_region(c, "510000000000", "四川省", "province", NULL, 0, now, err) ||
        add_region(c, "511600000000", "广安市", "city", "510000000000", 0, now, err) ||
        add_region(c, COUNTY, "岳池县", "county", "511600000000", 0, now, err))
        goto fail;
    char villages[200][32], vnames[200][48];
    int nvillages = 0;
    for (int t = 0; t < 12; t++) {
        char tcode[32];
        snprintf(tcode, sizeof tcode, "511621%03d000", 101 + t);
        if (add_region(c, tcode, townships[t], "township", COUNTY, 20000 + (long)rnd(30000), now,
                       err))
            goto fail;
        int nv = 13 + (int)rnd(4);
        for (int v = 1; v <= nv; v++) {
            char vcode[32], vname[48];
            snprintf(vcode, sizeof vcode, "511621%03d%03d", 101 + t, v);
            snprintf(vname, sizeof vname, "%s%s%s", village_a[(t * 7 + v * 3) % 20],
                     village_b[(t * 5 + v * 11) % 20], v % 5 == 0 ? "社区" : "村");
            if (add_region(c, vcode, vname, "village", tcode, 800 + (long)rnd(3000), now, err))
                goto fail;
            if (nvillages < 200) {
                strcpy(vnames[nvillages], vname);
                strcpy(villages[nvillages++], vcode);
            }
            for (int g = 1; g <= 3; g++) {
                char gcode[48], gname[32];
                snprintf(gcode, sizeof gcode, "%s-%02d", vcode, g);
                snprintf(gname, sizeof gname, "第%d网格", g);
                if (add_region(c, gcode, gname, "grid", vcode, 0, now, err))
                    goto fail;
            }
        }
    }
    if (add_user(c, "county", "县安办管理员", "county_admin", COUNTY, password, now, err) ||
        add_user(c, "town", "九龙镇安办", "township_admin", "511621101000", password, now, err) ||
        add_user(c, "village", "村网格员", "village_worker", "511621101001", password, now, err))
        goto fail;

    /* Two full years of records. */
    arena *ua = arena_new();
    struct audit_actor who = {auth_system_user(ua), "demo"};
    for (int year = 2024; year <= 2025; year++) {
        for (int i = 0; i < 300; i++) {
            char name[32], birth[11], joined[11];
            person_name(name, sizeof name);
            rand_date(1955 + (int)rnd(45), birth);
            rand_date(year, joined);
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "region",
                          villages[rnd((unsigned)nvillages)], "name", name, "gender",
                          rnd(2) ? "1" : "2", "birth_date", birth, "team", teams[rnd(6)], "skills",
                          skills[rnd(8)], "joined_on", joined, "hours", (int)(2 + rnd(120)));
            if (add_record(c, &who, "volunteers", o, err))
                goto fail_records;
        }
        for (int i = 0; i < 240; i++) {
            char held[11];
            int a = (int)rnd(sizeof acts / sizeof acts[0]);
            rand_date(year, held);
            /* Township and village activities in proportion. */
            const char *region = villages[rnd((unsigned)nvillages)];
            char tcode[32];
            if (rnd(3) == 0) {
                memcpy(tcode, region, 9);
                strcpy(tcode + 9, "000");
                region = tcode;
            }
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "region", region, "title",
                                  acts[a].title, "kind", acts[a].kind, "held_on", held, "place",
                                  rnd(2) ? "村委会活动室" : "镇政府会议室", "participants",
                                  (int)(20 + rnd(400)), "organizer", rnd(2) ? "镇安办" : "村委会");
            if (add_record(c, &who, "activities", o, err))
                goto fail_records;
        }
    }
    static const char *care_kinds[] = {"dibao",          "wubao",    "elderly_alone",
                                       "lonely_elderly", "disabled", "left_behind_child"};
    static const char *needs[] = {"行动不便，需定期上门探访", "房屋老旧，存在用电安全隐患",
                                  "子女在外务工，需结对关爱", "慢性病需长期服药", "冬季取暖困难"};
    for (int i = 0; i < 240; i++) {
        char name[32], birth[11], id[19], phone[16], addr[96];
        int kind = (int)rnd(6);
        person_name(name, sizeof name);
        rand_date(kind == 5 ? 2010 + (int)rnd(10) : 1935 + (int)rnd(50), birth);
        make_id_number(birth, id);
        snprintf(phone, sizeof phone, "13%09u", rnd(1000000000));
        unsigned vi = rnd((unsigned)nvillages);
        const char *v = villages[vi];
        snprintf(addr, sizeof addr, "%s%u组%u号", vnames[vi], 1 + rnd(8), 1 + rnd(60));
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "region",
                              v, "name", name, "kind", care_kinds[kind], "gender",
                              rnd(2) ? "1" : "2", "birth_date", birth, "id_number", id, "phone",
                              phone, "address", addr, "members", (int)(1 + rnd(5)), "helper",
                              rnd(2) ? "村网格员" : "镇包村干部", "needs", needs[rnd(5)]);
        if (add_record(c, &who, "care_households", o, err))
            goto fail_records;
    }
    if (demo_hazards(c, &who, villages, nvillages, err))
        goto fail_records;
    if (demo_boundaries(c, &who, err))
        goto fail_records;
    if (demo_unit_officer(c, &who, password, now, err))
        goto fail_records;
    arena_free(ua);
    if (db_commit(c) != DB_OK) {
        *err = xasprintf("演示数据提交失败: %s", db_errmsg(c));
        goto fail;
    }
    rc = 0;
    goto out;
fail_records:
    arena_free(ua);
fail:
    db_rollback(c);
out:
    db_release(d, c);
    return rc;
}
