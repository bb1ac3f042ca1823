/* reg_demo: see registries.h. The demo county's registries: synthetic
 * persons only (names from the demo's lists, ID numbers valid in form in
 * the region-code range 99xxxx that no real county has), their help
 * subjects and visits (some planned for the demo user `village`), disputes
 * and committees, rental houses and tenants, dangerous houses. */
#include "registries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "idcard.h"
#include "util.h"

/* Unique per person: the seq digits are the person's number. */
static void id_number(int n, const char *birth, char out[19])
{
    char t[40];
    snprintf(t, sizeof t, "99%04d%.4s%.2s%.2s%03d", (1621 + n / 1000) % 10000, birth, birth + 5,
             birth + 8, n % 1000);
    memcpy(out, t, 17);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

static int add_person(struct demo_ctx *d, int n, const char *region, const char *vname, int by0,
                      int span, char key[32], char **err)
{
    char name[32], birth[11], id[19], phone[16], addr[96];
    demo_person_name(d, name, sizeof name);
    demo_date(d, by0 + (int)demo_rnd(d, (unsigned)span), birth);
    id_number(n, birth, id);
    snprintf(phone, sizeof phone, "13%09u", demo_rnd(d, 1000000000));
    snprintf(addr, sizeof addr, "%s%u组%u号", vname, 1 + demo_rnd(d, 8), 1 + demo_rnd(d, 60));
    const char *sex = (id[16] - '0') % 2 ? "1" : "2";
    return demo_add(d, "persons",
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region", region, "name",
                              name, "sex", sex, "birth_date", birth, "id_number", id, "phone",
                              phone, "address", addr, "residence", demo_rnd(d, 5) ? "1" : "2"),
                    key, 32, err);
}

/* A transition as the API makes it: the state, its column, the step. */
static int step(struct demo_ctx *d, const char *entity, const char *key, const char *col,
                const char *action, const char *from, const char *to, const char *date_col,
                const char *date, int flag, char **err)
{
    char sql[320];
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = $1%s%s%s%s WHERE id = CAST($2 AS INTEGER)",
             entity, col, date_col ? ", " : "", date_col ? date_col : "", date_col ? " = $3" : "",
             flag ? ", relapsed = 1" : "");
    const char *p[] = {to, key, date};
    if (demo_exec(d, sql, date_col ? 3 : 2, p, err))
        return -1;
    char at[32];
    snprintf(at, sizeof at, "%sT10:00:00+08:00", date);
    const char *q[] = {entity, key, action, from, to, at};
    return demo_exec(d,
                     "INSERT INTO registry_steps (entity, record_id, seq, action, from_state, "
                     "to_state, at, username, note) SELECT $1, CAST($2 AS INTEGER), "
                     "COALESCE(max(seq), 0) + 1, $3, $4, $5, $6, 'admin', '演示数据' FROM "
                     "registry_steps WHERE entity = $1 AND record_id = CAST($2 AS INTEGER)",
                     6, q, err);
}

static int demo_help(struct demo_ctx *d, int *n, char **err)
{
    static const char *kinds[] = {"drug_user", "drug_user", "community_correction",
                                  "released_prisoner"};
    for (int i = 0; i < 50; i++) {
        /* The first few live in the demo village, for the user `village`. */
        unsigned vi = i < 6 ? 0 : demo_rnd(d, (unsigned)d->nvillages);
        const char *region = i < 6 ? DEMO_VILLAGE : d->villages[vi];
        char pkey[32], skey[32], start[11];
        if (add_person(d, (*n)++, region, d->vnames[vi], 1965, 35, pkey, err))
            return -1;
        const char *kind = kinds[demo_rnd(d, 4)];
        demo_date(d, 2023 + (int)demo_rnd(d, 3), start);
        char officer[32], cadre[32];
        demo_person_name(d, officer, sizeof officer);
        demo_person_name(d, cadre, sizeof cadre);
        if (demo_add(d, "help_subjects",
                     json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region", region,
                               "person_id", (json_int_t)atoll(pkey), "kind", kind, "start_date",
                               start, "police_officer", officer, "village_cadre",
                               i % 13 == 5 ? "" : cadre, "family_member", "配偶", "pact_signed_on",
                               start, "case_note", "按月走访谈话，思想稳定"),
                     skey, sizeof skey, err))
            return -1;
        /* Visits: one a quarter from the start; the last ones still planned. */
        long day = util_date_to_days(start);
        for (int k = 0; k < 5; k++) {
            char planned[11];
            util_days_to_date(day + 120L * (k + 1), planned);
            if (strcmp(planned, "2026-03-31") > 0)
                break;
            int done = strcmp(planned, "2025-12-01") < 0 && demo_rnd(d, 10) < 9;
            int test = strcmp(kind, "drug_user") == 0 && k % 2 == 1 && done;
            json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s}", "region", region, "subject_id",
                                  (json_int_t)atoll(skey), "kind",
                                  test ? "test" : (k % 3 == 0 ? "talk" : "visit"), "planned_on",
                                  planned, "worker", i < 6 ? "village" : "admin");
            if (done) {
                json_object_set_new(o, "done_on", json_string(planned));
                json_object_set_new(o, "note", json_string("按计划完成，情况稳定"));
            }
            if (test)
                json_object_set_new(o, "test_result",
                                    json_string(demo_rnd(d, 12) ? "negative" : "positive"));
            if (demo_add(d, "help_visits", o, NULL, 0, err))
                return -1;
        }
        unsigned r = demo_rnd(d, 20);
        char when[11];
        demo_date(d, 2025, when);
        if (r < 2 && step(d, "help_subjects", skey, "status", "relapse", "in_help", "relapsed",
                          NULL, when, 1, err))
            return -1;
        if (r >= 2 && r < 5 &&
            step(d, "help_subjects", skey, "status", "complete", "in_help", "completed", "ended_on",
                 when, 0, err))
            return -1;
        if (r == 5 && step(d, "help_subjects", skey, "status", "move_away", "in_help", "moved_away",
                           "ended_on", when, 0, err))
            return -1;
    }
    return 0;
}

static int demo_disputes(struct demo_ctx *d, char **err)
{
    static const char *types[] = {"neighbour", "marriage_family", "homestead", "land_forest",
                                  "debt",      "labour",          "damages",   "other"};
    static const char *titles[] = {"宅基地界址争议", "邻里排水纠纷", "赡养老人纠纷",
                                   "拖欠工资",       "借款未还",     "山林权属争议",
                                   "噪音扰民",       "婚姻家庭矛盾"};
    char ckey[16][32];
    int nc = d->nvillages < 16 ? d->nvillages : 16;
    for (int i = 0; i < nc; i++) {
        char chair[32], name[96];
        demo_person_name(d, chair, sizeof chair);
        snprintf(name, sizeof name, "%s人民调解委员会", d->vnames[i]);
        if (demo_add(d, "mediation_committees",
                     json_pack("{s:s, s:s, s:s, s:s, s:i}", "region", d->villages[i], "name", name,
                               "chair", chair, "members", "村支书、村主任、网格员", "member_count",
                               5),
                     ckey[i], sizeof ckey[i], err))
            return -1;
    }
    for (int year = 2024; year <= 2025; year++)
        for (int i = 0; i < 80; i++) {
            unsigned vi = demo_rnd(d, (unsigned)nc);
            char got[11];
            demo_date(d, year, got);
            unsigned r = demo_rnd(d, 100);
            const char *result = r < 88 ? "agreement" : r < 95 ? "referred" : "failed";
            int ok = r < 88;
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:s, s:b, s:b}",
                                  "region", d->villages[vi], "title", titles[demo_rnd(d, 8)],
                                  "type", types[demo_rnd(d, 8)], "party_kind", "persons", "parties",
                                  "当事双方（演示）", "received_on", got, "committee_id",
                                  (json_int_t)atoll(ckey[vi]), "mediators", "村调解员", "sessions",
                                  1 + (int)demo_rnd(d, 3), "result", result, "resolved_in_village",
                                  ok && demo_rnd(d, 10) < 8, "to_criminal", year == 2024 && i == 7);
            if (ok) {
                json_object_set_new(o, "agreement", json_string("双方自愿达成调解协议，当场履行"));
                json_object_set_new(o, "mediated_on", json_string(got));
                json_object_set_new(o, "held", json_boolean(demo_rnd(d, 20) != 0));
            }
            if (demo_add(d, "disputes", o, NULL, 0, err))
                return -1;
        }
    return 0;
}

static int demo_housing(struct demo_ctx *d, int *n, char **err)
{
    static const char *checks[] = {"passed", "passed",    "passed",
                                   "failed", "rectified", "unchecked"};
    static const char *origins[] = {"四川省南充市", "重庆市合川区", "贵州省遵义市", "云南省昭通市"};
    static const char *works[] = {"建筑工地务工", "餐饮服务", "个体经营", "工厂务工"};
    for (int i = 0; i < 60; i++) {
        unsigned vi = demo_rnd(d, (unsigned)d->nvillages);
        char landlord[32], addr[96], hkey[32], phone[16];
        demo_person_name(d, landlord, sizeof landlord);
        snprintf(addr, sizeof addr, "%s%u组%u号", d->vnames[vi], 1 + demo_rnd(d, 8),
                 1 + demo_rnd(d, 60));
        snprintf(phone, sizeof phone, "13%09u", demo_rnd(d, 1000000000));
        if (demo_add(d, "rental_houses",
                     json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "region", d->villages[vi],
                               "address", addr, "landlord", landlord, "landlord_phone", phone,
                               "rooms", 1 + (int)demo_rnd(d, 6), "fire_check",
                               checks[demo_rnd(d, 6)], "gas_check", checks[demo_rnd(d, 6)]),
                     hkey, sizeof hkey, err))
            return -1;
        int nt = 1 + (int)demo_rnd(d, 3);
        for (int k = 0; k < nt; k++) {
            char pkey[32], came[11], until[11];
            if (add_person(d, (*n)++, d->villages[vi], d->vnames[vi], 1970, 35, pkey, err))
                return -1;
            demo_date(d, 2024 + (int)demo_rnd(d, 2), came);
            util_days_to_date(util_date_to_days(came) + 365, until);
            json_t *o =
                json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "region", d->villages[vi],
                          "house_id", (json_int_t)atoll(hkey), "person_id", (json_int_t)atoll(pkey),
                          "arrived_on", came, "registered_until", until, "origin",
                          origins[demo_rnd(d, 4)], "work", works[demo_rnd(d, 4)]);
            if (demo_rnd(d, 4) == 0) {
                char left[11];
                util_days_to_date(util_date_to_days(came) + 200, left);
                json_object_set_new(o, "left_on", json_string(left));
            }
            if (demo_add(d, "tenants", o, NULL, 0, err))
                return -1;
        }
    }
    static const char *grades[] = {"A", "B", "B", "C", "C", "D"};
    static const char *measures[] = {"repair", "relocation", "demolition"};
    for (int i = 0; i < 50; i++) {
        unsigned vi = demo_rnd(d, (unsigned)d->nvillages);
        char owner[32], addr[96], key[32], on[11];
        demo_person_name(d, owner, sizeof owner);
        snprintf(addr, sizeof addr, "%s%u组%u号", d->vnames[vi], 1 + demo_rnd(d, 8),
                 1 + demo_rnd(d, 60));
        demo_date(d, 2024 + (int)demo_rnd(d, 2), on);
        const char *g = grades[demo_rnd(d, 6)];
        int bad = g[0] == 'C' || g[0] == 'D';
        if (demo_add(d, "dangerous_houses",
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "region", d->villages[vi], "owner",
                               owner, "address", addr, "grade", g, "appraised_on", on, "measure",
                               bad ? measures[demo_rnd(d, 3)] : "none"),
                     key, sizeof key, err))
            return -1;
        if (bad && demo_rnd(d, 3) != 0) {
            char done[11];
            util_days_to_date(util_date_to_days(on) + 60 + demo_rnd(d, 200), done);
            if (strcmp(done, "2026-06-30") > 0)
                continue;
            if (step(d, "dangerous_houses", key, "state", "start", "registered", "in_progress",
                     NULL, on, 0, err) ||
                step(d, "dangerous_houses", key, "state", "close", "in_progress", "closed",
                     "closed_on", done, 0, err))
                return -1;
        }
    }
    return 0;
}

int reg_demo(struct demo_ctx *d, char **err)
{
    int n = 1;
    return demo_help(d, &n, err) || demo_disputes(d, err) || demo_housing(d, &n, err) ? -1 : 0;
}

/* ---- `demo --scale`: per county 200,000 persons (2,000 of them help
 * subjects, 20,000 tenants, the rest residents on the books), 8,000 help
 * visits, a mediation committee per village and 6,000 disputes, 10,000
 * rental houses, 3,000 dangerous houses ---- */

/* Unique per n (below 10^8) and apart from the demo's 99xxxx numbers: the
 * region digits are 9 and n / 1000, the sequence n % 1000. */
static void scale_id_number(long n, const char *birth, char out[19])
{
    char t[40];
    snprintf(t, sizeof t, "9%05ld%.4s%.2s%.2s%03ld", (n / 1000) % 100000, birth, birth + 5,
             birth + 8, n % 1000);
    memcpy(out, t, 17);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

static void scale_addr(struct demo_ctx *d, unsigned v, char *out, size_t n)
{
    snprintf(out, n, "%s%u组%u号", d->vnames[v], 1 + demo_rnd(d, 8), 1 + demo_rnd(d, 60));
}

static int scale_persons(struct demo_ctx *d, long n, const unsigned *village, long nfixed,
                         int64_t *ids, char **err)
{
    if (demo_bulk_begin(d, "persons", n, err))
        return -1;
    for (long i = 0; i < n; i++) {
        unsigned v = i < nfixed ? village[i] : demo_rnd(d, (unsigned)d->nvillages);
        char name[32], birth[11], id[19], phone[16], addr[96];
        demo_person_name(d, name, sizeof name);
        demo_date(d, 1940 + (int)demo_rnd(d, 65), birth);
        scale_id_number(i, birth, id);
        snprintf(phone, sizeof phone, "13%09u", demo_rnd(d, 1000000000));
        scale_addr(d, v, addr, sizeof addr);
        if (demo_bulk_add(d,
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region",
                                    d->villages[v], "name", name, "sex",
                                    (id[16] - '0') % 2 ? "1" : "2", "birth_date", birth,
                                    "id_number", id, "phone", phone, "address", addr, "residence",
                                    demo_rnd(d, 5) ? "1" : "2"),
                          i < nfixed ? &ids[i] : NULL, err))
            return -1;
    }
    return demo_bulk_end(d, err);
}

static int scale_help(struct demo_ctx *d, long n, const unsigned *village, const int64_t *persons,
                      char **err)
{
    static const char *kinds[] = {"drug_user", "drug_user", "community_correction",
                                  "released_prisoner"};
    int64_t *ids = xcalloc((size_t)n, sizeof *ids);
    int rc = demo_bulk_begin(d, "help_subjects", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        char start[11], officer[32], cadre[32];
        demo_date(d, 2023 + (int)demo_rnd(d, 3), start);
        demo_person_name(d, officer, sizeof officer);
        demo_person_name(d, cadre, sizeof cadre);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "region",
                                     d->villages[village[i]], "person_id", (json_int_t)persons[i],
                                     "kind", kinds[demo_rnd(d, 4)], "start_date", start,
                                     "police_officer", officer, "village_cadre", cadre,
                                     "family_member", "配偶", "pact_signed_on", start, "case_note",
                                     "按月走访谈话，思想稳定"),
                           &ids[i], err);
    }
    rc = rc || demo_bulk_end(d, err);
    long nv = demo_scale_n(d, 8000);
    rc = rc || demo_bulk_begin(d, "help_visits", nv, err);
    for (long i = 0; rc == 0 && i < nv; i++) {
        long s = i % n;
        char planned[11];
        demo_date(d, 2024 + (int)demo_rnd(d, 2), planned);
        json_t *o =
            json_pack("{s:s, s:I, s:s, s:s, s:s}", "region", d->villages[village[s]], "subject_id",
                      (json_int_t)ids[s], "kind", demo_rnd(d, 3) ? "visit" : "talk", "planned_on",
                      planned, "worker", "admin");
        if (strcmp(planned, "2025-12-01") < 0 && demo_rnd(d, 10) < 9) {
            json_object_set_new(o, "done_on", json_string(planned));
            json_object_set_new(o, "note", json_string("按计划完成，情况稳定"));
        }
        rc = demo_bulk_add(d, o, NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    free(ids);
    return rc ? -1 : 0;
}

static int scale_disputes(struct demo_ctx *d, char **err)
{
    static const char *types[] = {"neighbour", "marriage_family", "homestead", "land_forest",
                                  "debt",      "labour",          "damages",   "other"};
    static const char *titles[] = {"宅基地界址争议", "邻里排水纠纷", "赡养老人纠纷",
                                   "拖欠工资",       "借款未还",     "山林权属争议",
                                   "噪音扰民",       "婚姻家庭矛盾"};
    long nc = demo_scale_n(d, DEMO_SCALE_VILLAGES), n = demo_scale_n(d, 6000);
    int64_t *ids = xcalloc((size_t)nc, sizeof *ids);
    int rc = demo_bulk_begin(d, "mediation_committees", nc, err);
    for (long i = 0; rc == 0 && i < nc; i++) {
        char chair[32], name[96];
        demo_person_name(d, chair, sizeof chair);
        snprintf(name, sizeof name, "%s人民调解委员会", d->vnames[i % d->nvillages]);
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:s, s:s, s:s, s:i}", "region",
                                     d->villages[i % d->nvillages], "name", name, "chair", chair,
                                     "members", "村支书、村主任、网格员", "member_count", 5),
                           &ids[i], err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "disputes", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        long k = (long)demo_rnd(d, (unsigned)nc);
        char got[11];
        demo_date(d, 2024 + (int)demo_rnd(d, 2), got);
        unsigned r = demo_rnd(d, 100);
        int ok = r < 88;
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:s, s:b}", "region",
                      d->villages[k % d->nvillages], "title", titles[demo_rnd(d, 8)], "type",
                      types[demo_rnd(d, 8)], "party_kind", "persons", "parties", "当事双方（演示）",
                      "received_on", got, "committee_id", (json_int_t)ids[k], "mediators",
                      "村调解员", "sessions", 1 + (int)demo_rnd(d, 3), "result",
                      ok       ? "agreement"
                      : r < 95 ? "referred"
                               : "failed",
                      "resolved_in_village", ok && demo_rnd(d, 10) < 8);
        if (ok) {
            json_object_set_new(o, "agreement", json_string("双方自愿达成调解协议，当场履行"));
            json_object_set_new(o, "mediated_on", json_string(got));
            json_object_set_new(o, "held", json_boolean(demo_rnd(d, 20) != 0));
        }
        rc = demo_bulk_add(d, o, NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    free(ids);
    return rc ? -1 : 0;
}

static int scale_rentals(struct demo_ctx *d, long nh, const unsigned *house_village, long nt,
                         const int64_t *persons, char **err)
{
    static const char *checks[] = {"passed", "passed",    "passed",
                                   "failed", "rectified", "unchecked"};
    static const char *origins[] = {"四川省南充市", "重庆市合川区", "贵州省遵义市", "云南省昭通市"};
    static const char *works[] = {"建筑工地务工", "餐饮服务", "个体经营", "工厂务工"};
    int64_t *ids = xcalloc((size_t)nh, sizeof *ids);
    int rc = demo_bulk_begin(d, "rental_houses", nh, err);
    for (long i = 0; rc == 0 && i < nh; i++) {
        char landlord[32], addr[96], phone[16];
        demo_person_name(d, landlord, sizeof landlord);
        scale_addr(d, house_village[i], addr, sizeof addr);
        snprintf(phone, sizeof phone, "13%09u", demo_rnd(d, 1000000000));
        rc = demo_bulk_add(d,
                           json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "region",
                                     d->villages[house_village[i]], "address", addr, "landlord",
                                     landlord, "landlord_phone", phone, "rooms",
                                     1 + (int)demo_rnd(d, 6), "fire_check", checks[demo_rnd(d, 6)],
                                     "gas_check", checks[demo_rnd(d, 6)]),
                           &ids[i], err);
    }
    rc = rc || demo_bulk_end(d, err);
    rc = rc || demo_bulk_begin(d, "tenants", nt, err);
    for (long i = 0; rc == 0 && i < nt; i++) {
        char came[11], until[11];
        demo_date(d, 2024 + (int)demo_rnd(d, 2), came);
        util_days_to_date(util_date_to_days(came) + 365, until);
        json_t *o =
            json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "region",
                      d->villages[house_village[i % nh]], "house_id", (json_int_t)ids[i % nh],
                      "person_id", (json_int_t)persons[i], "arrived_on", came, "registered_until",
                      until, "origin", origins[demo_rnd(d, 4)], "work", works[demo_rnd(d, 4)]);
        if (demo_rnd(d, 4) == 0) {
            char left[11];
            util_days_to_date(util_date_to_days(came) + 200, left);
            json_object_set_new(o, "left_on", json_string(left));
        }
        rc = demo_bulk_add(d, o, NULL, err);
    }
    rc = rc || demo_bulk_end(d, err);
    free(ids);
    return rc ? -1 : 0;
}

static int scale_houses(struct demo_ctx *d, char **err)
{
    static const char *grades[] = {"A", "B", "B", "C", "C", "D"};
    static const char *measures[] = {"repair", "relocation", "demolition"};
    long n = demo_scale_n(d, 3000);
    int rc = demo_bulk_begin(d, "dangerous_houses", n, err);
    for (long i = 0; rc == 0 && i < n; i++) {
        unsigned v = demo_rnd(d, (unsigned)d->nvillages);
        char owner[32], addr[96], on[11];
        demo_person_name(d, owner, sizeof owner);
        scale_addr(d, v, addr, sizeof addr);
        demo_date(d, 2024 + (int)demo_rnd(d, 2), on);
        const char *g = grades[demo_rnd(d, 6)];
        rc = demo_bulk_add(
            d,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "region", d->villages[v], "owner", owner,
                      "address", addr, "grade", g, "appraised_on", on, "measure",
                      g[0] == 'C' || g[0] == 'D' ? measures[demo_rnd(d, 3)] : "none"),
            NULL, err);
    }
    return rc || demo_bulk_end(d, err) ? -1 : 0;
}

int reg_demo_scale(struct demo_ctx *d, char **err)
{
    long np = demo_scale_n(d, 200000), nhelp = demo_scale_n(d, 2000), nten = demo_scale_n(d, 20000),
         nh = demo_scale_n(d, 10000);
    if (nhelp + nten > np)
        nten = np - nhelp;
    /* The persons the other registries name come first: the help subjects'
     * and the tenants', each living where their record is. */
    unsigned *village = xcalloc((size_t)(nhelp + nten), sizeof *village);
    unsigned *house_village = xcalloc((size_t)nh, sizeof *house_village);
    int64_t *persons = xcalloc((size_t)(nhelp + nten), sizeof *persons);
    for (long i = 0; i < nh; i++)
        house_village[i] = demo_rnd(d, (unsigned)d->nvillages);
    for (long i = 0; i < nhelp; i++)
        village[i] = demo_rnd(d, (unsigned)d->nvillages);
    for (long i = 0; i < nten; i++)
        village[nhelp + i] = house_village[i % nh];
    int rc = scale_persons(d, np, village, nhelp + nten, persons, err) ||
             scale_help(d, nhelp, village, persons, err) || scale_disputes(d, err) ||
             scale_rentals(d, nh, house_village, nten, persons + nhelp, err) ||
             scale_houses(d, err);
    free(village);
    free(house_village);
    free(persons);
    return rc ? -1 : 0;
}
