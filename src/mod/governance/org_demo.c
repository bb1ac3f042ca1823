/* org_demo: the demo county's organisation. Each township has its
 * promotion committee and a drug-free leading group (some a rule-of-law
 * and a civilized one), the working groups by domain with members, and
 * meetings; letters are signed county → township → village → unit and
 * household for two years, with gaps (some villages and units unsigned);
 * donations and surveys each year. */
#include "governance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "util.h"

struct place {
    char code[32], name[64];
};

/* Rows (code or id, name) of sql into out; the count, or -1. */
static int places(struct demo_ctx *d, const char *sql, struct place *out, int max, char **err)
{
    db_stmt *s = db_prepare(d->c, sql);
    if (!s) {
        *err = strdup(db_errmsg(d->c));
        return -1;
    }
    int n = 0, rc;
    while ((rc = db_step(s)) == DB_ROW && n < max) {
        snprintf(out[n].code, sizeof out[n].code, "%s", db_col_text(s, 0));
        snprintf(out[n].name, sizeof out[n].name, "%s", db_col_text(s, 1));
        n++;
    }
    db_done(s);
    if (rc < 0) {
        *err = strdup(db_errmsg(d->c));
        return -1;
    }
    return n;
}

static void phone(struct demo_ctx *d, char out[24])
{
    snprintf(out, 24, "13%u%08u", 5 + demo_rnd(d, 5) % 5, demo_rnd(d, 100000000) % 100000000);
}

static const char *const posts[] = {"镇长",     "党委副书记", "副镇长",     "派出所所长",
                                    "安办主任", "综治办主任", "卫生院院长", "中心校校长"};
static const char *const units[] = {"镇政府",       "镇派出所",  "镇卫生院", "镇中心校",
                                    "镇安办",       "镇综治办",  "供电所",   "国土所",
                                    "农业服务中心", "市场监管所"};

static int add_member(struct demo_ctx *d, const char *region, const char *committee,
                      const char *role, int k, char **err)
{
    char name[32], ph[24];
    demo_person_name(d, name, sizeof name);
    phone(d, ph);
    return demo_add(d, "committee_members",
                    json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "region", region,
                              "committee_id", (json_int_t)atoll(committee), "name", name, "unit",
                              units[k % 10], "post", posts[k % 8], "role", role, "phone", ph),
                    NULL, 0, err);
}

static int township_bodies(struct demo_ctx *d, const struct place *t, int ti, char **err)
{
    char key[32], lead[32];
    demo_person_name(d, lead, sizeof lead);
    /* The committee and the drug-free leading group; every third township
     * a rule-of-law and a civilized one too. */
    struct {
        const char *kind, *suffix, *flag;
    } bodies[] = {
        {"committee", "安全社区创建促进委员会", "for_safe"},
        {"leading_group", "创建无毒社区工作领导小组", "for_drug_free"},
        {"leading_group", "民主法治示范社区建设工作领导小组", "for_rule_of_law"},
        {"leading_group", "文明社区创建领导小组", "for_civilized"},
    };
    char first[32] = "";
    for (int b = 0; b < 4; b++) {
        if (b >= 2 && ti % 3 != 0)
            continue;
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "region", t->code, "kind",
            bodies[b].kind, "name", "", "leader", lead, "leader_post", b == 1 ? "党委书记" : "镇长",
            "established_on", b == 0 ? "2023-03-15" : "2024-02-20", "duties",
            "负责创建工作的组织、协调和指导，研究解决创建工作中的重大问题，督促各成员单位落实职责"
            "。",
            "rules", "实行例会制度、工作报告制度和督查考核制度。", bodies[b].flag, 1);
        char nm0[160];
        snprintf(nm0, sizeof nm0, "%s%s", t->name, bodies[b].suffix);
        json_object_set_new(o, "name", json_string(nm0));
        if (demo_add(d, "committees", o, key, sizeof key, err))
            return -1;
        if (!*first)
            snprintf(first, sizeof first, "%s", key);
        int nm = b == 0 ? 8 : 4;
        for (int k = 0; k < nm; k++)
            if (add_member(d, t->code, key,
                           k == 0  ? "leader"
                           : k < 3 ? "deputy"
                                   : "member",
                           k, err))
                return -1;
    }
    /* The working groups: 12 in most townships, fewer in a few; one in
     * four without its duties written yet. */
    static const char *const groups[] = {
        "production",    "public_order", "rural_road_traffic", "food",  "geological",   "school",
        "public_health", "forest_fire",  "rural_housing",      "flood", "road_traffic", "fire"};
    static const char *const gnames[] = {
        "安全生产", "综治维稳", "农村道路交通安全", "食品安全", "地质灾害防治", "校园安全",
        "公共卫生", "护林防火", "农房重建",         "防汛安全", "道路交通安全", "消防安全"};
    int ng = ti % 4 == 3 ? 8 : 12;
    for (int g = 0; g < ng; g++) {
        char gl[32];
        demo_person_name(d, gl, sizeof gl);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "region", t->code, "kind",
                              "work_group", "name", "", "work_group", groups[g], "leader", gl,
                              "leader_post", posts[2 + g % 6], "established_on", "2023-04-01",
                              "for_safe", 1);
        char nm1[160];
        snprintf(nm1, sizeof nm1, "%s工作组", gnames[g]);
        json_object_set_new(o, "name", json_string(nm1));
        if (demo_rnd(d, 4) != 0) {
            snprintf(nm1, sizeof nm1, "负责全镇%s工作的排查、整治和宣传，落实人员和职责。",
                     gnames[g]);
            json_object_set_new(o, "duties", json_string(nm1));
        }
        if (demo_add(d, "committees", o, key, sizeof key, err))
            return -1;
        for (int k = 0; k < (ti == 0 ? 3 : 1); k++)
            if (add_member(d, t->code, key, k == 0 ? "leader" : "member", g + k, err))
                return -1;
    }
    /* Meetings: four a year, the drug-free group's twice. */
    for (int year = 2024; year <= 2025; year++)
        for (int m = 0; m < 4; m++) {
            char held[11];
            demo_date(d, year, held);
            int drug = m == 3;
            json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:i, s:s, s:b, s:b}", "region",
                                  t->code, "committee_id", (json_int_t)atoll(first), "title",
                                  drug     ? "禁毒工作推进会"
                                  : m == 0 ? "安全社区创建工作部署会"
                                           : "创建促进委员会例会",
                                  "held_on", held, "place", "镇政府会议室", "attendance",
                                  (int)(12 + demo_rnd(d, 30)), "minutes",
                                  drug ? "通报辖区毒情，部署禁毒宣传和帮教工作。"
                                       : "听取各专项工作组工作汇报，研究部署下一阶段创建工作。",
                                  "for_safe", !drug, "for_drug_free", drug);
            if (demo_add(d, "meetings", o, NULL, 0, err))
                return -1;
        }
    return 0;
}

static int letter(struct demo_ctx *d, const char *party, const char *region, const char *issuer,
                  const char *signer, long long unit, int year, const char *domain, char **err)
{
    char signed_on[32];
    snprintf(signed_on, sizeof signed_on, "%04d-%02u-%02u", year % 10000, 1 + demo_rnd(d, 3) % 3,
             1 + demo_rnd(d, 28) % 28);
    json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "region", region, "party", party, "issuer",
                          issuer, "year", year, "signed_on", signed_on);
    if (signer)
        json_object_set_new(o, "signer", json_string(signer));
    if (unit)
        json_object_set_new(o, "unit_id", json_integer(unit));
    if (domain)
        json_object_set_new(o, "domain", json_string(domain));
    return demo_add(d, "responsibility_letters", o, NULL, 0, err);
}

static int letters(struct demo_ctx *d, const struct place *ts, int nt, char **err)
{
    static struct place us[4000];
    int nu = places(d,
                    "SELECT CAST(id AS TEXT) || ' ' || region, name FROM units "
                    "WHERE deleted_at IS NULL ORDER BY id",
                    us, 4000, err);
    if (nu < 0)
        return -1;
    for (int year = 2024; year <= 2025; year++) {
        for (int t = 0; t < nt; t++)
            if (letter(d, "township", ts[t].code, "县人民政府", NULL, 0, year, "production", err))
                return -1;
        /* About one village in ten is still missing its letter. */
        for (int v = 0; v < d->nvillages; v++) {
            if (demo_rnd(d, 10) == 0)
                continue;
            char issuer[96] = "镇人民政府";
            for (int t = 0; t < nt; t++)
                if (strncmp(ts[t].code, d->villages[v], 9) == 0)
                    snprintf(issuer, sizeof issuer, "%s人民政府", ts[t].name);
            if (letter(d, "village", d->villages[v], issuer, NULL, 0, year, "public_order", err))
                return -1;
            /* Households: a few in one village of six. */
            char vissuer[96];
            snprintf(vissuer, sizeof vissuer, "%s村民委员会", d->vnames[v]);
            if (v % 6 == 0 && year == 2025)
                for (int h = 0; h < 3; h++) {
                    char name[32];
                    demo_person_name(d, name, sizeof name);
                    if (letter(d, "household", d->villages[v], vissuer, name, 0, year, "home", err))
                        return -1;
                }
        }
        /* Units: one in five unsigned. */
        for (int u = 0; u < nu; u++) {
            if (demo_rnd(d, 5) == 0)
                continue;
            long long id = atoll(us[u].code);
            const char *region = strchr(us[u].code, ' ') + 1;
            char issuer[96] = "村民委员会";
            for (int v = 0; v < d->nvillages; v++)
                if (strcmp(d->villages[v], region) == 0)
                    snprintf(issuer, sizeof issuer, "%s村民委员会", d->vnames[v]);
            if (letter(d, "unit", region, issuer, NULL, id, year, "production", err))
                return -1;
        }
    }
    return 0;
}

static int donations_surveys(struct demo_ctx *d, const struct place *ts, int nt, char **err)
{
    static const char *const titles[] = {"“灾后重建，爱心延伸”募捐活动", "学雷锋爱心助学捐赠",
                                         "慈善一日捐", "冬季送温暖捐赠"};
    for (int year = 2024; year <= 2025; year++)
        for (int t = 0; t < nt; t++) {
            for (int k = 0; k < 2; k++) {
                char on[11];
                demo_date(d, year, on);
                int i = (int)demo_rnd(d, 4);
                json_t *o =
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:i}", "region", ts[t].code,
                              "title", titles[i], "kind", i % 2 ? "give" : "raise", "donated_on",
                              on, "source", i % 2 ? "联点单位区房产局" : "辖区干部群众", "amount",
                              (double)(2000 + demo_rnd(d, 40) * 500), "recipients",
                              i % 2 ? "困难家庭学生" : "低保户、困难群众", "recipient_count",
                              (int)(5 + demo_rnd(d, 40)));
                if (i % 2)
                    json_object_set_new(o, "goods", json_string("文具、书籍"));
                if (demo_add(d, "donations", o, NULL, 0, err))
                    return -1;
            }
            static const char *const kinds[] = {"knowledge", "satisfaction"};
            static const char *const stitles[] = {"居民安全知识知晓率调查",
                                                  "居民对创建工作满意度调查"};
            for (int k = 0; k < 2; k++) {
                char on[32];
                snprintf(on, sizeof on, "%d-%02d-15", year, 10 + k);
                int sample = 200 + (int)demo_rnd(d, 200);
                int positive = sample * (80 + (int)demo_rnd(d, 18)) / 100;
                if (demo_add(d, "surveys",
                             json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "region", ts[t].code,
                                       "title", stitles[k], "kind", kinds[k], "conducted_on", on,
                                       "sample", sample, "positive", positive, "method",
                                       "入户问卷调查"),
                             NULL, 0, err))
                    return -1;
            }
        }
    return 0;
}

int org_demo(struct demo_ctx *d, char **err)
{
    static struct place ts[64];
    int nt =
        places(d,
               "SELECT code, name FROM regions WHERE level = 'township' AND code >= '" DEMO_COUNTY
               "' AND code < '511621999999' ORDER BY code",
               ts, 64, err);
    if (nt < 0)
        return -1;
    for (int t = 0; t < nt; t++)
        if (township_bodies(d, &ts[t], t, err))
            return -1;
    if (letters(d, ts, nt, err) || donations_surveys(d, ts, nt, err))
        return -1;
    return 0;
}

/* ---- `demo --scale`: per county a promotion committee in each township
 * (20), 1,200 meetings, 9,000 responsibility letters (a third with the
 * villages, the rest with households), 600 donations and 400 surveys ---- */

int org_demo_scale(struct demo_ctx *d, char **err)
{
    static const char *const donation_titles[] = {
        "“灾后重建，爱心延伸”募捐活动", "学雷锋爱心助学捐赠", "慈善一日捐", "冬季送温暖捐赠"};
    long nc = demo_scale_n(d, 20), nm = demo_scale_n(d, 1200), nl = demo_scale_n(d, 9000),
         nd = demo_scale_n(d, 600), ns = demo_scale_n(d, 400);
    int64_t *ids = xcalloc((size_t)nc, sizeof *ids);
    int rc = demo_bulk_begin(d, "committees", nc, err);
    for (long i = 0; rc == 0 && i < nc; i++) {
        char lead[32];
        demo_person_name(d, lead, sizeof lead);
        rc = demo_bulk_add(
            d,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "region",
                      d->townships[i % d->ntownships], "kind", "committee", "name",
                      "安全社区创建促进委员会", "leader", lead, "leader_post", "镇长",
                      "established_on", "2024-03-15", "duties",
                      "负责创建工作的组织、协调和指导，研究解决创建工作中的重大问题。", "for_safe",
                      1),
            &ids[i], err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "meetings", nm, err);
    for (long i = 0; rc == 0 && i < nm; i++) {
        long k = i % nc;
        char held[11];
        demo_date(d, 2024 + (int)demo_rnd(d, 2), held);
        int drug = demo_rnd(d, 4) == 0;
        rc = demo_bulk_add(
            d,
            json_pack("{s:s, s:I, s:s, s:s, s:s, s:i, s:s, s:b, s:b}", "region",
                      d->townships[k % d->ntownships], "committee_id", (json_int_t)ids[k], "title",
                      drug ? "禁毒工作推进会" : "创建促进委员会例会", "held_on", held, "place",
                      "镇政府会议室", "attendance", (int)(12 + demo_rnd(d, 30)), "minutes",
                      drug ? "通报辖区毒情，部署禁毒宣传和帮教工作。"
                           : "听取各专项工作组工作汇报，研究部署下一阶段工作。",
                      "for_safe", !drug, "for_drug_free", drug),
            NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "responsibility_letters", nl, err);
    for (long i = 0; rc == 0 && i < nl; i++) {
        unsigned v = demo_rnd(d, (unsigned)d->nvillages);
        int year = 2024 + (int)demo_rnd(d, 2), household = i % 3 != 0;
        char signed_on[40], issuer[96];
        snprintf(signed_on, sizeof signed_on, "%04d-%02u-%02u", year, 1 + demo_rnd(d, 3),
                 1 + demo_rnd(d, 28));
        snprintf(issuer, sizeof issuer, "%s", household ? d->vnames[v] : "镇人民政府");
        if (household)
            snprintf(issuer + strlen(issuer), sizeof issuer - strlen(issuer), "村民委员会");
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "region", d->villages[v], "party",
                      household ? "household" : "village", "issuer", issuer, "year", year,
                      "signed_on", signed_on, "domain", household ? "home" : "public_order");
        if (household) {
            char name[32];
            demo_person_name(d, name, sizeof name);
            json_object_set_new(o, "signer", json_string(name));
        }
        rc = demo_bulk_add(d, o, NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "donations", nd, err);
    for (long i = 0; rc == 0 && i < nd; i++) {
        char on[11];
        demo_date(d, 2024 + (int)demo_rnd(d, 2), on);
        int k = (int)demo_rnd(d, 4);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:i}", "region",
                              d->townships[i % d->ntownships], "title", donation_titles[k], "kind",
                              k % 2 ? "give" : "raise", "donated_on", on, "source",
                              k % 2 ? "联点单位" : "辖区干部群众", "amount",
                              (double)(2000 + demo_rnd(d, 40) * 500), "recipients",
                              k % 2 ? "困难家庭学生" : "低保户、困难群众", "recipient_count",
                              (int)(5 + demo_rnd(d, 40)));
        if (k % 2)
            json_object_set_new(o, "goods", json_string("文具、书籍"));
        rc = demo_bulk_add(d, o, NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "surveys", ns, err);
    for (long i = 0; rc == 0 && i < ns; i++) {
        int year = 2024 + (int)demo_rnd(d, 2), k = (int)(i % 2);
        char on[32];
        snprintf(on, sizeof on, "%d-%02d-15", year, 10 + k);
        int sample = 200 + (int)demo_rnd(d, 200);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "region",
                                     d->townships[(i / 2) % d->ntownships], "title",
                                     k ? "居民对创建工作满意度调查" : "居民安全知识知晓率调查",
                                     "kind", k ? "satisfaction" : "knowledge", "conducted_on", on,
                                     "sample", sample, "positive",
                                     sample * (80 + (int)demo_rnd(d, 18)) / 100, "method",
                                     "入户问卷调查"),
                           NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    free(ids);
    return rc ? -1 : 0;
}
