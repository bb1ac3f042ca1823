/* care: see care.h. The entity, its figures, the summary's care chapter and
 * the demo households. */
#include "care.h"

#include <stdio.h>

#include "demo.h"
#include "entity.h"
#include "report.h"
#include "stats.h"

static const struct field care_fields[] = {
    {.name = "name",
     .label = "户主姓名",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 50},
    {.name = "kind",
     .label = "类别",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "care_kind"},
    {.name = "gender", .label = "性别", .type = FT_DICT, .flags = FF_FILTER, .dict = "sex"},
    /* Sensitive: with the region and the sex it would give the ID number's
     * masked digits. Readers see the year; the reveal gives the date. */
    {.name = "birth_date",
     .label = "出生日期",
     .type = FT_SENSITIVE,
     .max_len = 10,
     .dict = "date"},
    {.name = "id_number",
     .label = "身份证号",
     .type = FT_SENSITIVE,
     .flags = FF_LIST,
     .max_len = 18,
     .dict = "idcard"},
    {.name = "phone",
     .label = "联系电话",
     .type = FT_SENSITIVE,
     .flags = FF_LIST,
     .max_len = 20,
     .dict = "phone"},
    {.name = "address", .label = "住址", .type = FT_SENSITIVE, .max_len = 100, .dict = "text"},
    {.name = "members", .label = "家庭人口", .type = FT_INT, .flags = FF_SORT, .min = 0, .max = 30},
    {.name = "helper",
     .label = "结对帮扶人",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "needs",
     .label = "主要困难与需求",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 500},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static const struct entity care_households = {
    .name = "care_households",
    .perm = "care",
    .label = "关爱对象",
    .fields = care_fields,
    .nfields = MODULE_N(care_fields),
    .default_sort = "-created_at",
};

static const struct stats_figure care_figures[] = {
    {.key = "total", .label = "关爱对象", .unit = "户", .expr = "1"},
};

static const struct stats_breakdown care_breakdowns[] = {
    {.key = "by_kind", .label = "关爱对象类别", .dict = "care_kind"},
};

static const struct stats_section care_stats = {
    .name = "care",
    .label = "关爱困难群众",
    .perm = "care:read",
    .table = "care_households",
    .figures = care_figures,
    .nfigures = MODULE_N(care_figures),
    .breakdowns = care_breakdowns,
    .nbreakdowns = MODULE_N(care_breakdowns),
    .breakdown_cols = "kind",
};

static const struct stats_section *const stats[] = {&care_stats};

static void summary_care(struct summary *x)
{
    json_t *care = summary_section(x, "care");
    if (!care || summary_int(care, "total") == 0)
        return;
    arena *a = summary_arena(x);
    const char *txt =
        arena_printf(a, "关注“两高一脆弱”中的弱势群体，%s登记%s%lld户，逐户落实结对帮扶人",
                     summary_all(x), stats_label("care", "total"), summary_int(care, "total"));
    json_t *by_kind = json_object_get(care, "by_kind");
    if (json_array_size(by_kind))
        txt = arena_printf(a, "%s，其中%s", txt, summary_kinds(x, by_kind, "户", NULL, NULL));
    summary_para(x, arena_printf(a, "%s。", txt));
}

static const struct summary_part summary[] = {
    {.chapter = "livelihood", .rank = 10, .write = summary_care},
};

static int demo(struct demo_ctx *d, char **err)
{
    static const char *kinds[] = {"dibao",          "wubao",    "elderly_alone",
                                  "lonely_elderly", "disabled", "left_behind_child"};
    static const char *needs[] = {"行动不便，需定期上门探访", "房屋老旧，存在用电安全隐患",
                                  "子女在外务工，需结对关爱", "慢性病需长期服药", "冬季取暖困难"};
    for (int i = 0; i < 240; i++) {
        char name[32], birth[11], id[19], phone[16], addr[96];
        int kind = (int)demo_rnd(d, 6);
        demo_person_name(d, name, sizeof name);
        demo_date(d, kind == 5 ? 2010 + (int)demo_rnd(d, 10) : 1935 + (int)demo_rnd(d, 50), birth);
        demo_id_number(d, birth, id);
        snprintf(phone, sizeof phone, "13%09u", demo_rnd(d, 1000000000));
        unsigned vi = demo_rnd(d, (unsigned)d->nvillages);
        unsigned group = 1 + demo_rnd(d, 8), no = 1 + demo_rnd(d, 60);
        snprintf(addr, sizeof addr, "%s%u组%u号", d->vnames[vi], group, no);
        const char *gender = demo_rnd(d, 2) ? "1" : "2";
        int members = (int)(1 + demo_rnd(d, 5));
        const char *helper = demo_rnd(d, 2) ? "村网格员" : "镇包村干部";
        if (demo_add(d, "care_households",
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "region",
                               d->villages[vi], "name", name, "kind", kinds[kind], "gender", gender,
                               "birth_date", birth, "id_number", id, "phone", phone, "address",
                               addr, "members", members, "helper", helper, "needs",
                               needs[demo_rnd(d, 5)]),
                     NULL, 0, err))
            return -1;
    }
    return 0;
}

static const struct entity *const entities[] = {&care_households};

const struct module care_module = {
    .name = "care",
    .label = "关爱对象",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .stats = stats,
    .nstats = MODULE_N(stats),
    .summary = summary,
    .nsummary = MODULE_N(summary),
    .demo = demo,
};
