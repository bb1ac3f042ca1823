/* campaign_demo: the demo county's campaigns. The county was set 11 safe
 * communities (1 national, 3 provincial, 7 municipal) and shared them out
 * to its towns; three pilot towns started in 2024 (花园镇 was named
 * provincial in 2025), five more in 2025, one of them (龙孔镇) late against
 * the plan; villages run the other three campaigns. Every step is
 * completed through the machine (campaign_apply) with a linked record as
 * its evidence; the steps still to come are re-planned from today, as a
 * county adjusts its 进度指导计划, so that exactly the one town is late
 * whatever the day the demo is built. Funds of 2万元 (2024) and 3万元
 * (2025) per town, and two supervision inspections with their findings. */
#include "campaigns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "region.h"
#include "util.h"

static int apply(struct demo_ctx *d, const char *id, json_t *in, char **err)
{
    arena *a = arena_new();
    json_t *errors = json_object();
    const char *msg = NULL;
    int rc = campaign_apply(d->c, a, d->who, id, in, errors, &msg);
    if (rc != 0) {
        char *e = json_dumps(errors, JSON_COMPACT);
        *err = xasprintf("演示创建活动 %s 的操作失败（%d）: %s %s", id, rc, msg ? msg : "",
                         e ? e : "");
        free(e);
    }
    json_decref(errors);
    json_decref(in);
    arena_free(a);
    return rc == 0 ? 0 : -1;
}

/* A record of the region's subtree to stand as a step's evidence: the
 * k-th activity there, else an inspection. */
static json_t *evidence(struct demo_ctx *d, const char *region, int k)
{
    static const char *const kinds[] = {"activities", "inspections"};
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX], town[16];
    snprintf(town, sizeof town, "%.9s000", region);
    for (size_t i = 0; i < 2 * (sizeof kinds / sizeof kinds[0]); i++) {
        /* The region's own records first, then its township's. */
        region_subtree(i % 2 ? town : region, lo, hi);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT id FROM %s WHERE deleted_at IS NULL AND region >= $1 AND region < $2 "
                 "ORDER BY id LIMIT 1 OFFSET %d",
                 kinds[i / 2], k % 20);
        db_stmt *s = db_prepare(d->c, sql);
        if (!s)
            continue;
        db_bind_text(s, 1, lo);
        db_bind_text(s, 2, hi);
        json_t *out = NULL;
        if (db_step(s) == DB_ROW)
            out = json_pack("[{s:s, s:I}]", "entity", kinds[i / 2], "id",
                            (json_int_t)db_col_int(s, 0));
        db_done(s);
        if (out)
            return out;
    }
    return NULL;
}

struct demo_campaign {
    const char *region, *name, *type, *community, *level;
    int pilot;
    const char *started;
    int ndone;              /* steps to complete */
    const char *dates[12];  /* their days */
    const char *named;      /* the level named, for a campaign done */
    int late;               /* keep the plan (late) instead of re-planning */
    const char *fund_years; /* "2024": 2万元, "2025": 3万元 */
};

static const struct demo_campaign campaigns[] = {
    {"511621102000",
     "花园镇创建省级安全社区",
     "safe",
     "rural",
     "provincial",
     1,
     "2024-02-15",
     11,
     {"2024-03-10", "2024-04-20", "2024-06-15", "2024-08-30", "2024-09-25", "2025-02-28",
      "2025-06-30", "2025-07-15", "2025-08-20", "2025-09-26", "2025-10-20"},
     "provincial",
     0,
     "2024"},
    {"511621101000",
     "九龙镇创建省级安全社区",
     "safe",
     "rural",
     "provincial",
     1,
     "2024-03-10",
     7,
     {"2024-04-12", "2024-05-20", "2024-07-10", "2024-09-30", "2024-11-15", "2025-04-30",
      "2025-09-30"},
     NULL,
     0,
     "2024"},
    {"511621103000",
     "坪滩镇创建省级安全社区",
     "safe",
     "rural",
     "provincial",
     1,
     "2024-04-01",
     5,
     {"2024-05-06", "2024-06-28", "2024-09-10", "2025-01-15", "2025-05-20"},
     NULL,
     0,
     "2024"},
    {"511621104000",
     "龙孔镇创建市级安全社区",
     "safe",
     "rural",
     "municipal",
     0,
     "2025-03-01",
     3,
     {"2025-03-28", "2025-04-30", "2025-07-05"},
     NULL,
     1,
     "2025"},
    {"511621105000",
     "镇裕镇创建市级安全社区",
     "safe",
     "rural",
     "municipal",
     0,
     "2025-03-01",
     4,
     {"2025-03-25", "2025-04-28", "2025-06-30", "2025-08-29"},
     NULL,
     0,
     "2025"},
    {"511621106000",
     "白庙镇创建国家级安全社区",
     "safe",
     "urban",
     "national",
     0,
     "2025-05-01",
     2,
     {"2025-05-30", "2025-07-10"},
     NULL,
     0,
     "2025"},
    {"511621107000",
     "酉溪镇创建市级安全社区",
     "safe",
     "rural",
     "municipal",
     0,
     "2025-06-01",
     1,
     {"2025-06-28"},
     NULL,
     0,
     "2025"},
    {"511621108000",
     "同兴镇创建市级安全社区",
     "safe",
     "industrial_park",
     "municipal",
     0,
     "2025-11-01",
     0,
     {NULL},
     NULL,
     0,
     "2025"},
    {"511621101001",
     "无毒社区创建",
     "drug_free",
     NULL,
     "municipal",
     0,
     "2024-09-01",
     6,
     {"2024-09-20", "2024-11-30", "2025-02-28", "2025-06-30", "2025-07-20", "2025-08-30"},
     "municipal",
     0,
     NULL},
    {"511621101002",
     "无毒社区创建",
     "drug_free",
     NULL,
     "county",
     0,
     "2025-03-01",
     3,
     {"2025-03-20", "2025-05-30", "2025-08-30"},
     NULL,
     0,
     NULL},
    {"511621102005",
     "民主法治示范社区创建",
     "rule_of_law",
     NULL,
     "county",
     0,
     "2024-10-01",
     5,
     {"2024-10-20", "2025-04-30", "2025-09-10", "2025-10-15", "2025-11-28"},
     "county",
     0,
     NULL},
    {"511621101005",
     "文明社区创建",
     "civilized",
     NULL,
     "municipal",
     0,
     "2025-02-01",
     2,
     {"2025-02-20", "2025-07-30"},
     NULL,
     0,
     NULL},
};

static int demo_one(struct demo_ctx *d, const struct demo_campaign *m, int idx, char *key,
                    char **err)
{
    char name[96];
    if (strcmp(m->type, "safe") == 0)
        snprintf(name, sizeof name, "%s", m->name);
    else {
        /* The village's own name first: "青林村无毒社区创建". */
        const char *vname = "";
        for (int i = 0; i < d->nvillages; i++)
            if (strcmp(d->villages[i], m->region) == 0)
                vname = d->vnames[i];
        snprintf(name, sizeof name, "%s%s", vname, m->name);
    }
    json_t *obj =
        json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "region", m->region, "name", name, "type",
                  m->type, "target_level", m->level, "pilot", m->pilot, "started_on", m->started);
    if (m->community)
        json_object_set_new(obj, "community_type", json_string(m->community));
    if (demo_add(d, "campaigns", obj, key, 24, err) != 0)
        return -1;
    int municipal = strcmp(m->level, "municipal") == 0 || strcmp(m->level, "county") == 0;
    for (int i = 0; i < m->ndone; i++) {
        json_t *ev = evidence(d, m->region, idx * 3 + i);
        if (!ev) {
            *err = xasprintf("演示创建活动 %s 找不到可作证明的记录", name);
            return -1;
        }
        json_t *in = json_pack("{s:s, s:s, s:o, s:s}", "action", "complete", "done_on", m->dates[i],
                               "records", ev, "note", "演示数据：按进度指导计划完成");
        if (i == 0) {
            char no[64];
            snprintf(no, sizeof no, "%s〔%.4s〕%d号", municipal ? "广安安社备" : "川安社备",
                     m->dates[0], 11 + idx);
            json_object_set_new(in, "filing_no", json_string(no));
            json_object_set_new(
                in, "support_centre",
                json_string(municipal ? "广安市安全社区促进中心" : "四川省安全社区支持中心"));
        }
        if (i == m->ndone - 1 && m->named)
            json_object_set_new(in, "named_level", json_string(m->named));
        if (apply(d, key, in, err) != 0)
            return -1;
    }
    if (m->late || m->named)
        return 0;
    /* The steps to come, re-planned from today: two months apart. */
    char today[11];
    util_today(today);
    long t = util_date_to_days(today);
    db_stmt *s = db_prepare(d->c, "SELECT code FROM campaign_steps WHERE campaign_id = CAST($1 "
                                  "AS INTEGER) AND done_on IS NULL ORDER BY seq");
    if (!s) {
        *err = xstrdup(db_errmsg(d->c));
        return -1;
    }
    db_bind_text(s, 1, key);
    char codes[16][40];
    int n = 0;
    while (db_step(s) == DB_ROW && n < 16)
        snprintf(codes[n++], sizeof codes[0], "%s", db_col_text(s, 0));
    db_done(s);
    for (int k = 0; k < n; k++) {
        char day[11];
        util_days_to_date(t + 45 + 61L * k, day);
        if (apply(d, key,
                  json_pack("{s:s, s:s, s:s, s:s}", "action", "plan", "step", codes[k],
                            "planned_on", day, "note", "县安办调整进度指导计划"),
                  err) != 0)
            return -1;
    }
    return 0;
}

static int add_finding(struct demo_ctx *d, const char *sup, const char *region, const char *found,
                       const char *finding, const char *owner, const char *deadline,
                       const char *closed_on, const char *result, char **err)
{
    char key[24];
    if (demo_add(d, "supervision_findings",
                 json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "region", region, "supervision_id",
                           (json_int_t)atoll(sup), "found_on", found, "finding", finding, "owner",
                           owner, "deadline", deadline),
                 key, sizeof key, err) != 0)
        return -1;
    if (!closed_on)
        return 0;
    arena *a = arena_new();
    json_t *errors = json_object();
    const char *msg = NULL;
    json_t *in =
        json_pack("{s:s, s:s, s:s}", "action", "close", "closed_on", closed_on, "result", result);
    int rc = finding_apply(d->c, a, d->who, key, in, errors, &msg);
    if (rc != 0)
        *err = xasprintf("演示整改事项 %s 销号失败（%d）: %s", key, rc, msg ? msg : "");
    json_decref(in);
    json_decref(errors);
    arena_free(a);
    return rc == 0 ? 0 : -1;
}

int campaign_demo(struct demo_ctx *d, char **err)
{
    /* The county's target for the period and the towns' shares. */
    static const struct {
        const char *level;
        int n;
    } county[] = {{"national", 1}, {"provincial", 3}, {"municipal", 7}};
    for (size_t i = 0; i < sizeof county / sizeof county[0]; i++)
        if (demo_add(d, "campaign_targets",
                     json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:s}", "region", DEMO_COUNTY, "type",
                               "safe", "level", county[i].level, "period_start", 2023, "period_end",
                               2027, "target", county[i].n, "note",
                               "广安市下达的安全社区建设目标任务"),
                     NULL, 0, err) != 0)
            return -1;
    static const char *const share[] = {"provincial", "provincial", "provincial", "municipal",
                                        "municipal",  "national",   "municipal",  "municipal",
                                        "municipal",  "municipal",  "municipal"};
    for (int t = 0; t < 11; t++) {
        char code[32];
        snprintf(code, sizeof code, "511621%03d000", 101 + t);
        if (demo_add(d, "campaign_targets",
                     json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", "region", code, "type", "safe",
                               "level", share[t], "period_start", 2023, "period_end", 2027,
                               "target", 1),
                     NULL, 0, err) != 0)
            return -1;
    }
    char keys[sizeof campaigns / sizeof campaigns[0]][24];
    for (size_t i = 0; i < sizeof campaigns / sizeof campaigns[0]; i++) {
        if (demo_one(d, &campaigns[i], (int)i, keys[i], err) != 0)
            return -1;
        const char *fy = campaigns[i].fund_years;
        if (!fy)
            continue;
        int y2024 = strcmp(fy, "2024") == 0;
        if (demo_add(d, "campaign_funds",
                     json_pack("{s:s, s:I, s:f, s:s, s:s, s:s, s:s}", "region", campaigns[i].region,
                               "campaign_id", (json_int_t)atoll(keys[i]), "amount",
                               y2024 ? 20000.0 : 30000.0, "source", "county", "given_on",
                               y2024 ? "2024-05-20" : "2025-04-25", "document_no",
                               y2024 ? "岳安委〔2024〕8号" : "岳安委〔2025〕6号", "purpose",
                               "安全社区建设工作经费"),
                     NULL, 0, err) != 0)
            return -1;
    }
    /* Two supervision inspections by the county office, with findings. */
    char s1[24], s2[24];
    if (demo_add(d, "supervisions",
                 json_pack("{s:s, s:s, s:s, s:I, s:s, s:b, s:s, s:s}", "region", "511621102000",
                           "held_on", "2025-06-18", "kind", "special", "campaign_id",
                           (json_int_t)atoll(keys[0]), "inspectors", "县安办 刘建国、陈敏",
                           "leader_present", 1, "good_practice",
                           "促进委员会运转正常，12个专项工作组职责明确", "summary",
                           "对照进度指导计划检查社区诊断和促进项目实施情况"),
                 s1, sizeof s1, err) != 0 ||
        add_finding(d, s1, "511621102000", "2025-06-18", "创建档案资料分类不规范，缺少目录",
                    "花园镇安办 王志强", "2025-07-18", "2025-07-10",
                    "按安全社区12个要素重新分类归档，编制档案目录", err) != 0 ||
        add_finding(d, s1, "511621102000", "2025-06-18", "事故伤害监测数据未按月汇总分析",
                    "花园镇卫生院 李芳", "2025-08-01", NULL, NULL, err) != 0)
        return -1;
    if (demo_add(d, "supervisions",
                 json_pack("{s:s, s:s, s:s, s:I, s:s, s:b, s:s}", "region", "511621104000",
                           "held_on", "2025-09-12", "kind", "guidance", "campaign_id",
                           (json_int_t)atoll(keys[3]), "inspectors", "县安办 刘建国",
                           "leader_present", 0, "summary",
                           "检查指导社区诊断工作，进度滞后于进度指导计划"),
                 s2, sizeof s2, err) != 0 ||
        add_finding(d, s2, "511621104000", "2025-09-12", "社区诊断未完成，滞后于进度指导计划",
                    "龙孔镇安办 张伟", "2025-10-31", NULL, NULL, err) != 0 ||
        add_finding(d, s2, "511621104000", "2025-09-12", "促进项目未覆盖老年人群",
                    "龙孔镇民政办 赵敏", "2025-11-30", "2025-11-20",
                    "增设老年人防跌倒促进项目，覆盖全镇60岁以上老人", err) != 0)
        return -1;
    return 0;
}

/* ---- `demo --scale`: per county 600 grants of funds to the townships and
 * 600 supervision inspections of them, over 2024 and 2025 ---- */

int campaign_demo_scale(struct demo_ctx *d, char **err)
{
    static const char *purposes[] = {"安全社区建设工作经费", "无毒社区创建工作经费",
                                     "民主法治示范社区建设经费", "文明社区创建经费"};
    static const char *summaries[] = {"对照进度指导计划检查社区诊断和促进项目实施情况",
                                      "检查指导创建档案整理和专项工作组运行情况",
                                      "检查隐患排查治理台账和整改销号情况"};
    long nf = demo_scale_n(d, 600), ns = demo_scale_n(d, 600);
    int rc = demo_bulk_begin(d, "campaign_funds", nf, err);
    for (long i = 0; rc == 0 && i < nf; i++) {
        char on[11], no[64];
        int year = 2024 + (int)demo_rnd(d, 2);
        demo_date(d, year, on);
        snprintf(no, sizeof no, "安委〔%d〕%ld号", year, i + 1);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:f, s:s, s:s, s:s, s:s}", "region",
                                     d->townships[i % d->ntownships], "amount",
                                     5000.0 * (double)(1 + demo_rnd(d, 10)), "source",
                                     demo_rnd(d, 3) ? "county" : "township", "given_on", on,
                                     "document_no", no, "purpose", purposes[demo_rnd(d, 4)]),
                           NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "supervisions", ns, err);
    for (long i = 0; rc == 0 && i < ns; i++) {
        char on[11];
        demo_date(d, 2024 + (int)demo_rnd(d, 2), on);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "region",
                                     d->townships[i % d->ntownships], "held_on", on, "kind",
                                     demo_rnd(d, 2) ? "special" : "guidance", "inspectors",
                                     "县安办 督导组", "leader_present", demo_rnd(d, 3) == 0,
                                     "summary", summaries[demo_rnd(d, 3)]),
                           NULL, err);
    }
    return rc || demo_bulk_end(d, err) ? -1 : 0;
}
