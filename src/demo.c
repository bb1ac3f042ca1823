/* demo: see demo.h. A small xorshift generator seeded by --seed makes the
 * same county every time, so tests and screenshots are repeatable. The whole
 * load is one transaction. */
#include "demo.h"
#include "auth.h"
#include "buf.h"
#include "search.h"
#include "util.h"

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

/* Records through the same code path as the API would be faster to trust,
 * but the demo must load in seconds; it writes the tables and the search
 * index directly, and `safecomm check` proves they agree. */
static int add_record(db_conn *c, const char *sql, int n, const char *const *p, const char *fts,
                      const char *text, char **err)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s) {
        *err = xasprintf("演示数据写入失败: %s", db_errmsg(c));
        return -1;
    }
    for (int i = 0; i < n; i++)
        db_bind_text(s, i + 1, p[i]);
    int st = db_step(s);
    int64_t id = st == DB_ROW ? db_col_int(s, 0) : 0;
    db_done(s);
    if (st != DB_ROW) {
        *err = xasprintf("演示数据写入失败: %s", db_errmsg(c));
        return -1;
    }
    buf uni, bi;
    buf_init(&uni, 1 << 20);
    buf_init(&bi, 1 << 20);
    /* text holds the searchable fields separated by '\n', in declaration order. */
    char *copy = xstrdup(text);
    for (char *save = NULL, *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
        search_grams(t, &uni, &bi);
    free(copy);
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    char q[128];
    snprintf(q, sizeof q, "INSERT INTO %s (rowid, uni, bi) VALUES ($1, $2, $3)", fts);
    const char *fp[] = {ids, buf_str(&uni), buf_str(&bi)};
    int rc = exec(c, q, 3, fp, err);
    buf_free(&uni);
    buf_free(&bi);
    return rc;
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

int demo_load(db *d, unsigned seed, const char *password, char **err)
{
    int rc = -1;
    char now[32];
    util_now_iso(now);
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0x100000001B3ULL);
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
    char villages[200][32];
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
            if (nvillages < 200)
                strcpy(villages[nvillages++], vcode);
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
    for (int year = 2024; year <= 2025; year++) {
        for (int i = 0; i < 300; i++) {
            char name[32], birth[11], joined[11], hours[24];
            person_name(name, sizeof name);
            rand_date(1955 + (int)rnd(45), birth);
            rand_date(year, joined);
            snprintf(hours, sizeof hours, "%u", 2 + rnd(120));
            const char *v = villages[rnd((unsigned)nvillages)];
            const char *team = teams[rnd(6)], *skill = skills[rnd(8)];
            const char *p[] = {v, now, name, rnd(2) ? "1" : "2", birth, team, skill, joined, hours};
            char *text = xasprintf("%s\n%s\n%s", name, team, skill);
            int r = add_record(c,
                               "INSERT INTO volunteers (region, created_at, updated_at, "
                               "created_by, name, gender, birth_date, team, skills, joined_on, "
                               "hours) VALUES ($1, $2, $2, 'demo', $3, $4, $5, $6, $7, $8, $9) "
                               "RETURNING id",
                               9, p, "volunteers_fts", text, err);
            free(text);
            if (r)
                goto fail;
        }
        for (int i = 0; i < 240; i++) {
            char held[11], people[24];
            int a = (int)rnd(sizeof acts / sizeof acts[0]);
            rand_date(year, held);
            snprintf(people, sizeof people, "%u", 20 + rnd(400));
            /* Township and village activities in proportion. */
            const char *region = villages[rnd((unsigned)nvillages)];
            char tcode[32];
            if (rnd(3) == 0) {
                memcpy(tcode, region, 9);
                strcpy(tcode + 9, "000");
                region = tcode;
            }
            const char *place = rnd(2) ? "村委会活动室" : "镇政府会议室";
            const char *org = rnd(2) ? "镇安办" : "村委会";
            const char *p[] = {region, now, acts[a].title, acts[a].kind, held, place, people, org};
            char *text = xasprintf("%s\n%s\n%s", acts[a].title, place, org);
            int r = add_record(c,
                               "INSERT INTO activities (region, created_at, updated_at, "
                               "created_by, title, kind, held_on, place, participants, "
                               "organizer) VALUES ($1, $2, $2, 'demo', $3, $4, $5, $6, $7, $8) "
                               "RETURNING id",
                               8, p, "activities_fts", text, err);
            free(text);
            if (r)
                goto fail;
        }
    }
    if (db_commit(c) != DB_OK) {
        *err = xasprintf("演示数据提交失败: %s", db_errmsg(c));
        goto fail;
    }
    rc = 0;
    goto out;
fail:
    db_rollback(c);
out:
    db_release(d, c);
    return rc;
}
