/* incident_demo: the demo county's incidents and injury cases for 2024 and
 * 2025, through demo_add (the API's path, so the grade, the checks, the
 * search index, the audit and the aggregates are all the real ones). Each
 * township has its own profile: how many records a village has in 2024, and
 * how 2025 compares (some townships improve by half, some worsen). No 2025
 * incident reaches 较大, so the 2025 summary can say none happened; one
 * 2024 road accident did. */
#include "incidents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

/* Per cent of 2024 in 2025, by township (the 9th digit of its code's
 * township part cycles through them). */
static const int trend[] = {50, 70, 90, 120, 140, 60, 100};

static const struct {
    const char *kind, *source, *place, *what;
    int weight;
} kinds[] = {
    {"road_traffic", "police", "县道", "两车相撞", 30},
    {"public_security", "police", "集镇", "盗窃案件", 22},
    {"home_injury", "village", "村民家中", "老人在家中跌倒", 10},
    {"fire", "village", "村民住宅", "厨房用火不慎引发火灾", 6},
    {"production", "unit", "工贸企业车间", "机械伤害", 5},
    {"construction", "unit", "安置房工地", "高处坠落", 4},
    {"student_injury", "village", "中心小学", "课间追逐跌伤", 4},
    {"rural_power", "village", "村组线路", "私拉电线触电", 3},
    {"farm_machinery", "police", "机耕道", "微耕机翻覆", 3},
    {"drowning", "village", "山坪塘", "儿童下塘戏水溺水", 3},
    {"food_poisoning", "village", "农村坝坝宴", "集体聚餐食物中毒", 2},
    {"water_traffic", "police", "渡口", "渡船碰撞", 1},
    {"special_equipment", "unit", "集镇商场", "电梯困人", 1},
    {"geological", "village", "山区村组", "山体滑坡", 1},
    {"other", "village", "村道", "其他意外", 2},
};

static const char *pick_kind(struct demo_ctx *d, int i)
{
    (void)i;
    int total = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        total += kinds[k].weight;
    int r = (int)demo_rnd(d, (unsigned)total);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (r < kinds[k].weight)
            return kinds[k].kind;
        r -= kinds[k].weight;
    }
    return "other";
}

static int kind_index(const char *kind)
{
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(kinds[k].kind, kind) == 0)
            return (int)k;
    return 0;
}

/* The number of records of a village in year: its township's 2024 base
 * (per village, in tenths), scaled by the township's trend in 2025. */
static int how_many(struct demo_ctx *d, const char *village, int year, int base10)
{
    int t = atoi(village + 6) / 1000; /* the township's 3 digits */
    int pct = year == 2024 ? 100 : trend[t % (int)(sizeof trend / sizeof trend[0])];
    int mean10 = base10 * (1 + t % 3) * pct / 100;
    /* mean ± half, from the stream */
    int lo = mean10 / 2, n10 = lo + (int)demo_rnd(d, (unsigned)mean10 + 1);
    return (n10 + 5) / 10;
}

/* One incident of kind in village v in year, drawn from the stream: one in
 * death_odds has a death. When larger is not NULL and still 0, the first road
 * accident of 2024 is made the county's one 较大 accident (3 deaths) and
 * *larger set. */
static json_t *incident_row(struct demo_ctx *d, unsigned v, const char *kind, int year,
                            unsigned death_odds, int *larger)
{
    int k = kind_index(kind);
    char day[11], place[96], desc[160], time[6];
    demo_date(d, year, day);
    snprintf(place, sizeof place, "%s%s", d->vnames[v], kinds[k].place);
    snprintf(desc, sizeof desc, "%s%s，%s。", day, place, kinds[k].what);
    int deaths = demo_rnd(d, death_odds) == 0 ? 1 : 0;
    int injured = (int)demo_rnd(d, 3);
    int serious = injured && demo_rnd(d, 3) == 0 ? 1 : 0;
    double loss = strcmp(kind, "public_security") == 0 ? 500.0 * (1 + demo_rnd(d, 20))
                                                       : 1000.0 * (1 + demo_rnd(d, 80));
    if (larger && year == 2024 && !*larger && strcmp(kind, "road_traffic") == 0) {
        deaths = 3;
        injured = 5;
        serious = 2;
        *larger = 1;
    }
    snprintf(time, sizeof time, "%02u:%02u", demo_rnd(d, 24), demo_rnd(d, 60));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:s, s:s}", "region",
                     d->villages[v], "kind", kind, "occurred_on", day, "occurred_time", time,
                     "place", place, "deaths", deaths, "injured", injured, "seriously_injured",
                     serious, "loss", loss, "description", desc, "source", kinds[k].source);
}

static int demo_incidents(struct demo_ctx *d, char **err)
{
    int larger_done = 0;
    for (int year = 2024; year <= 2025; year++)
        for (int v = 0; v < d->nvillages; v++) {
            int n = how_many(d, d->villages[v], year, 12);
            for (int i = 0; i < n; i++) {
                if (demo_add(d, "incidents",
                             incident_row(d, (unsigned)v, pick_kind(d, i), year, 20, &larger_done),
                             NULL, 0, err))
                    return -1;
            }
        }
    return 0;
}

/* A plausible card of region in year: the cause drawn first, then what it
 * implies. */
static json_t *injury_card(struct demo_ctx *d, const char *region, int year)
{
    static const struct {
        const char *cause;
        int weight;
    } causes[] = {{"3", 35}, {"1", 15}, {"2", 10}, {"4", 10}, {"6", 6}, {"7", 5},
                  {"11", 8}, {"10", 3}, {"9", 1},  {"8", 1},  {"13", 6}};
    static const char *free_places[] = {"1", "2", "3", "4", "6", "7", "8", "9"};
    static const char *free_activities[] = {"1", "2", "3", "4", "5", "6", "8", "9"};
    int total = 0;
    for (size_t k = 0; k < sizeof causes / sizeof causes[0]; k++)
        total += causes[k].weight;
    int r = (int)demo_rnd(d, (unsigned)total);
    const char *cause = "13";
    for (size_t k = 0; k < sizeof causes / sizeof causes[0]; k++) {
        if (r < causes[k].weight) {
            cause = causes[k].cause;
            break;
        }
        r -= causes[k].weight;
    }
    int traffic = strcmp(cause, "1") == 0 || strcmp(cause, "2") == 0;
    int whole = strcmp(cause, "8") == 0 || strcmp(cause, "9") == 0 || strcmp(cause, "10") == 0;
    /* Ages: children and the elderly are a good share of falls. */
    unsigned band = demo_rnd(d, 10);
    int age = band < 2   ? (int)demo_rnd(d, 14)
              : band < 5 ? 60 + (int)demo_rnd(d, 30)
                         : 14 + (int)demo_rnd(d, 46);
    const char *occupation = age < 7     ? "1"
                             : age < 19  ? "2"
                             : age >= 60 ? (demo_rnd(d, 2) ? "5" : "9")
                                         : (const char *[]){"6", "8", "9", "10"}[demo_rnd(d, 4)];
    char day[11];
    demo_date(d, year, day);
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "region", region,
        "injured_on", day, "visited_on", day, "reported_on", day, "sex", demo_rnd(d, 2) ? "1" : "2",
        "age", age, "occupation", occupation, "residence", demo_rnd(d, 10) ? "1" : "2", "cause",
        cause, "place", traffic ? "5" : free_places[demo_rnd(d, 8)], "activity",
        traffic ? "7" : free_activities[demo_rnd(d, 8)], "intent", demo_rnd(d, 20) ? "1" : "3",
        "severity", (const char *[]){"1", "1", "2", "3"}[demo_rnd(d, 4)], "disabled",
        demo_rnd(d, 20) == 0);
    json_object_set_new(
        o, "body_part",
        json_string(whole ? "6" : (const char *[]){"1", "2", "3", "4", "5"}[demo_rnd(d, 5)]));
    json_object_set_new(
        o, "nature",
        json_string(strcmp(cause, "7") == 0
                        ? "5"
                        : (const char *[]){"1", "2", "3", "4", "8"}[demo_rnd(d, 5)]));
    json_object_set_new(o, "outcome",
                        json_string(demo_rnd(d, 200) == 0
                                        ? "5"
                                        : (const char *[]){"1", "1", "2", "4"}[demo_rnd(d, 4)]));
    return o;
}

static int demo_injuries(struct demo_ctx *d, char **err)
{
    for (int year = 2024; year <= 2025; year++)
        for (int v = 0; v < d->nvillages; v++) {
            int n = how_many(d, d->villages[v], year, 20);
            for (int i = 0; i < n; i++)
                if (demo_add(d, "injury_cases", injury_card(d, d->villages[v], year), NULL, 0, err))
                    return -1;
        }
    return 0;
}

/* The population of both years: 2024 as the regions have it (a county or
 * township without one: its villages' sum), 2025 one per cent more (rates
 * per 100 000 use their own year's). */
static int demo_populations(struct demo_ctx *d, char **err)
{
    if (demo_exec(d,
                  "INSERT INTO region_populations (region, year, population) SELECT r.code, 2024, "
                  "SUM(v.population) FROM regions r JOIN regions v ON v.level = 'village' AND "
                  "substr(v.code, 1, CASE r.level WHEN 'county' THEN 6 ELSE 9 END) = "
                  "substr(r.code, 1, CASE r.level WHEN 'county' THEN 6 ELSE 9 END) WHERE "
                  "r.population IS NULL AND r.level IN ('county', 'township') GROUP BY r.code "
                  "ON CONFLICT (region, year) DO NOTHING",
                  0, NULL, err) ||
        demo_exec(d,
                  "INSERT INTO region_populations (region, year, population) SELECT region, "
                  "2025, population + population / 100 FROM region_populations WHERE year = 2024 "
                  "ON CONFLICT (region, year) DO NOTHING",
                  0, NULL, err))
        return -1;
    return demo_exec(d,
                     "INSERT INTO region_populations (region, year, population) SELECT code, 2024, "
                     "population FROM regions WHERE population IS NOT NULL "
                     "UNION ALL SELECT code, 2025, population + population / 100 FROM regions "
                     "WHERE population IS NOT NULL ON CONFLICT (region, year) DO NOTHING",
                     0, NULL, err);
}

int incident_demo(struct demo_ctx *d, char **err)
{
    if (demo_populations(d, err) || demo_incidents(d, err) || demo_injuries(d, err))
        return -1;
    return 0;
}

/* ---- `demo --scale`: per county 100,000 incidents and 200,000 injury
 * cards over 2024 and 2025, the cards through the import's aggregates
 * (entity_bulk); the populations of the new regions first, so that the
 * rates per 100 000 divide by the grown county's. ---- */

static int scale_populations(struct demo_ctx *d, char **err)
{
    /* The sums of the county and townships without a population of their
     * own are those of their villages, now more. */
    if (demo_exec(d,
                  "DELETE FROM region_populations WHERE region IN (SELECT code FROM regions "
                  "WHERE population IS NULL AND level IN ('county', 'township'))",
                  0, NULL, err))
        return -1;
    return demo_populations(d, err);
}

static int scale_incidents(struct demo_ctx *d, long n, char **err)
{
    int rc = demo_bulk_begin(d, "incidents", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        unsigned v = demo_rnd(d, (unsigned)d->nvillages);
        const char *kind = pick_kind(d, 0);
        rc = demo_bulk_add(d, incident_row(d, v, kind, 2024 + (int)demo_rnd(d, 2), 40, NULL), NULL,
                           err);
    }
    return rc || demo_bulk_end(d, err) ? -1 : 0;
}

static int scale_injuries(struct demo_ctx *d, long n, char **err)
{
    int rc = demo_bulk_begin(d, "injury_cases", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        unsigned v = demo_rnd(d, (unsigned)d->nvillages);
        int year = 2024 + (int)demo_rnd(d, 2);
        rc = demo_bulk_add(d, injury_card(d, d->villages[v], year), NULL, err);
    }
    return rc || demo_bulk_end(d, err) ? -1 : 0;
}

int incident_demo_scale(struct demo_ctx *d, char **err)
{
    if (scale_populations(d, err) || scale_incidents(d, demo_scale_n(d, 100000), err) ||
        scale_injuries(d, demo_scale_n(d, 200000), err))
        return -1;
    return 0;
}
