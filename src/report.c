/* report: the year-end work summary (see report.h). The wording is fixed
 * prose around computed figures; all arithmetic on figures is integer (per
 * mille, rounded half up) so that the text is the same on every backend and
 * machine. The outline is data; the modules' parts fill its chapters. */
#include "report.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "http.h"
#include "module.h"
#include "stats.h"
#include "summary_edit.h"
#include "util.h"

#define SUMMARY_MAX_LINES  16
#define SUMMARY_TABLE_COLS 5

struct outline;

struct summary {
    arena *a;
    doc *d;
    json_t *s;
    const struct outline *o;
    const char *campaign, *label; /* "drug_free", "无毒社区" */
    const char *name;             /* the region's name */
    const char *all;              /* "全县", "全镇", … */
    int year;
    const char *asof_cn; /* "2025年12月31日" */
    int heading_no;      /* the last chapter's number */
    const char *pending; /* the chapter's heading, until its first paragraph */
    int sub;             /* the chapter's last subheading number */
    const char *notes, *problems[SUMMARY_MAX_LINES], *plans[SUMMARY_MAX_LINES];
    int nproblems, nplans;
    int wrote; /* a text chapter has been written */
};

long long summary_int(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        return (long long)json_integer_value(v);
    return json_is_real(v) ? (long long)json_real_value(v) : 0;
}

/* num/den as a percentage with one decimal, "46.7%"; "—" when den is 0. */
static const char *pct(arena *a, long long num, long long den)
{
    return stats_pct(a, num, den);
}

/* The change from last year, as the summaries put it. */
static const char *change(arena *a, long long cur, long long prev)
{
    if (prev == 0)
        return cur == 0 ? "与上年持平" : "上年为零";
    if (cur == prev)
        return "与上年持平";
    long long d = cur > prev ? cur - prev : prev - cur;
    long long pm = (d * 1000 + prev / 2) / prev;
    return arena_printf(a, "同比%s%lld.%lld%%", cur > prev ? "增长" : "下降", pm / 10, pm % 10);
}

/* The change as the results paragraphs put it: "同比下降30%" (one decimal,
 * a trailing .0 dropped), "新增, 无基数" when the year before had none. */
static const char *change_pct(arena *a, long long cur, long long prev)
{
    if (prev == 0)
        return cur == 0 ? "与上年持平" : "新增, 无基数";
    if (cur == prev)
        return "与上年持平";
    long long d = cur > prev ? cur - prev : prev - cur;
    long long pm = (d * 1000 + prev / 2) / prev;
    const char *dir = cur > prev ? "增长" : "下降";
    if (pm % 10 == 0)
        return arena_printf(a, "同比%s%lld%%", dir, pm / 10);
    return arena_printf(a, "同比%s%lld.%lld%%", dir, pm / 10, pm % 10);
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* "全县" for 岳池县, "全镇" for 九龙镇, "全社区" for a 社区, else "辖区". */
static const char *all_of(arena *a, const char *name)
{
    static const char *const suf[] = {"街道", "社区", "省", "市", "县", "区", "镇", "乡", "村"};
    for (size_t i = 0; i < sizeof suf / sizeof suf[0]; i++)
        if (ends_with(name, suf[i]))
            return arena_printf(a, "全%s", suf[i]);
    return "辖区";
}

static const char *child_word(const char *level)
{
    static const struct {
        const char *level, *word;
    } w[] = {{"province", "市（州）"},
             {"city", "县（市、区）"},
             {"county", "乡镇（街道）"},
             {"township", "村（社区）"},
             {"village", "网格"}};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (strcmp(level, w[i].level) == 0)
            return w[i].word;
    return "下级区域";
}

/* 1 → "一" … 16 → "十六": the chapters and items of a summary are fewer. */
static const char *numbered(int n)
{
    static const char *const cn[] = {"一", "二", "三",   "四",   "五",   "六",   "七",   "八",
                                     "九", "十", "十一", "十二", "十三", "十四", "十五", "十六"};
    assert(n >= 1 && n <= 16);
    return cn[n - 1];
}

/* ---- what a module writes with ---- */

json_t *summary_section(struct summary *x, const char *name)
{
    return json_object_get(x->s, name);
}

json_t *summary_children(struct summary *x)
{
    return json_object_get(x->s, "children");
}

arena *summary_arena(struct summary *x)
{
    return x->a;
}

const char *summary_all(struct summary *x)
{
    return x->all;
}

int summary_year(struct summary *x)
{
    return x->year;
}

const char *summary_asof(struct summary *x)
{
    return x->asof_cn;
}

long long summary_population(struct summary *x)
{
    return summary_int(json_object_get(x->s, "region"), "population");
}

const char *summary_pct(struct summary *x, long long num, long long den)
{
    return pct(x->a, num, den);
}

const char *summary_change(struct summary *x, long long cur, long long prev)
{
    return change(x->a, cur, prev);
}

const char *summary_change_pct(struct summary *x, long long cur, long long prev)
{
    return change_pct(x->a, cur, prev);
}

const char *summary_campaign(struct summary *x)
{
    return x->campaign;
}

const char *summary_region(struct summary *x)
{
    return json_string_value(json_object_get(json_object_get(x->s, "region"), "code"));
}

const char *summary_region_level(struct summary *x)
{
    return json_string_value(json_object_get(json_object_get(x->s, "region"), "level"));
}

static void heading_flush(struct summary *x)
{
    if (!x->pending)
        return;
    doc_heading(x->d, arena_printf(x->a, "%s、%s", numbered(++x->heading_no), x->pending));
    x->pending = NULL;
}

void summary_para(struct summary *x, const char *text)
{
    heading_flush(x);
    x->wrote = 1;
    doc_para(x->d, text);
}

void summary_subheading(struct summary *x, const char *text)
{
    heading_flush(x);
    doc_subheading(x->d, arena_printf(x->a, "（%s）%s", numbered(++x->sub), text));
}

const char *summary_kinds(struct summary *x, json_t *list, const char *unit, const char *extra,
                          const char *extra_unit)
{
    const char *out = "";
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *it = json_array_get(list, i);
        const char *label = json_string_value(json_object_get(it, "label"));
        const char *one = arena_printf(x->a, "%s%lld%s", label, summary_int(it, "count"), unit);
        if (extra)
            one = arena_printf(x->a, "%s（%lld%s）", one, summary_int(it, extra), extra_unit);
        out = arena_printf(x->a, "%s%s%s", out, i ? "、" : "", one);
    }
    return out;
}

void summary_table_by_kind(struct summary *x, json_t *list, const char *head,
                           const char *count_head, const char *extra, const char *extra_head)
{
    long long total = 0, extra_total = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        total += summary_int(json_array_get(list, i), "count");
        extra_total += extra ? summary_int(json_array_get(list, i), extra) : 0;
    }
    heading_flush(x);
    doc_table_begin(x->d, extra ? 4 : 3);
    doc_cell(x->d, head);
    doc_cell(x->d, count_head);
    if (extra)
        doc_cell(x->d, extra_head);
    doc_cell(x->d, "构成比");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *it = json_array_get(list, i);
        doc_cell(x->d, json_string_value(json_object_get(it, "label")));
        doc_cell(x->d, arena_printf(x->a, "%lld", summary_int(it, "count")));
        if (extra)
            doc_cell(x->d, arena_printf(x->a, "%lld", summary_int(it, extra)));
        doc_cell(x->d, pct(x->a, summary_int(it, "count"), total));
    }
    doc_cell(x->d, "合计");
    doc_cell(x->d, arena_printf(x->a, "%lld", total));
    if (extra)
        doc_cell(x->d, arena_printf(x->a, "%lld", extra_total));
    doc_cell(x->d, total ? "100.0%" : "—");
    doc_table_end(x->d);
}

void summary_note(struct summary *x, const char *text)
{
    x->notes = arena_printf(x->a, "%s%s", x->notes ? x->notes : "", text);
}

void summary_problem(struct summary *x, const char *problem, const char *plan)
{
    if (x->nproblems < SUMMARY_MAX_LINES)
        x->problems[x->nproblems++] = problem;
    if (plan)
        summary_plan(x, plan);
}

void summary_plan(struct summary *x, const char *plan)
{
    /* The last line is the closing plan of every summary. */
    if (x->nplans < SUMMARY_MAX_LINES - 1)
        x->plans[x->nplans++] = plan;
}

/* ---- the outline ---- */

enum chapter_kind {
    CH_TEXT,     /* the parts write paragraphs under the heading */
    CH_CHILDREN, /* the per-child table; parts add notes to its introduction */
    CH_PROBLEMS, /* parts add problems (and the plans that answer them) */
    CH_PLAN,     /* parts add standing plans */
};

struct chapter {
    const char *key;
    const char *heading;
    enum chapter_kind kind;
};

/* A campaign's outline, in the order its seed summary is written. The
 * opening is the phrase between the region's name and "现将…总结如下". */
struct outline {
    const char *campaign, *label;
    const char *opening;
    const struct chapter *chapters;
    int nchapters;
};

static const struct chapter safe_chapters[] = {
    {.key = "targets", .heading = "明确创建目标，有序推进创建工作", .kind = CH_TEXT},
    {.key = "organisation", .heading = "加强组织领导，壮大创建力量", .kind = CH_TEXT},
    {.key = "publicity", .heading = "大力开展宣传教育培训", .kind = CH_TEXT},
    {.key = "rectification", .heading = "加强安全隐患排查和整治", .kind = CH_TEXT},
    {.key = "projects", .heading = "突出特色，全面实施安全促进项目", .kind = CH_TEXT},
    {.key = "children", .heading = NULL, .kind = CH_CHILDREN},
    {.key = "livelihood", .heading = "关爱困难群众和弱势群体", .kind = CH_TEXT},
    {.key = "support", .heading = "加大经费投入，加强督导检查", .kind = CH_TEXT},
    {.key = "results", .heading = "事故伤害情况", .kind = CH_TEXT},
    {.key = "problems", .heading = "存在的主要问题", .kind = CH_PROBLEMS},
    {.key = "plan", .heading = NULL, .kind = CH_PLAN},
};

static const struct chapter drug_free_chapters[] = {
    {.key = "goals", .heading = "明确创建目标，力争实现“四无”", .kind = CH_TEXT},
    {.key = "organisation", .heading = "加强组织领导，落实禁毒工作责任制", .kind = CH_TEXT},
    {.key = "publicity", .heading = "广泛开展禁毒宣传教育", .kind = CH_TEXT},
    {.key = "help_education", .heading = "严格落实社会帮教措施，降低复吸率", .kind = CH_TEXT},
    {.key = "strike", .heading = "依法严厉打击毒品违法犯罪，强化管控", .kind = CH_TEXT},
    {.key = "problems", .heading = "存在的主要问题", .kind = CH_PROBLEMS},
    {.key = "plan", .heading = NULL, .kind = CH_PLAN},
};

static const struct chapter rule_of_law_chapters[] = {
    {.key = "organisation", .heading = "加强领导，精心部署", .kind = CH_TEXT},
    {.key = "legal_education", .heading = "狠抓普法教育，营造良好法治环境", .kind = CH_TEXT},
    {.key = "democracy", .heading = "推进民主管理，加强党员干部队伍建设", .kind = CH_TEXT},
    {.key = "mediation", .heading = "依法维护居民权益，化解矛盾纠纷", .kind = CH_TEXT},
    {.key = "order", .heading = "加强社会治安综合治理，维护社会稳定", .kind = CH_TEXT},
    {.key = "problems", .heading = "存在的主要问题", .kind = CH_PROBLEMS},
    {.key = "plan", .heading = NULL, .kind = CH_PLAN},
};

static const struct chapter civilized_chapters[] = {
    {.key = "organisation", .heading = "加强组织领导，推进文明创建", .kind = CH_TEXT},
    {.key = "livelihood", .heading = "关爱困难群众，服务民众", .kind = CH_TEXT},
    {.key = "housing", .heading = "排查改造危房，保障住房安全", .kind = CH_TEXT},
    {.key = "donations", .heading = "学雷锋精神，开展募捐捐赠", .kind = CH_TEXT},
    {.key = "classroom", .heading = "办好市民学校，提升文明素质", .kind = CH_TEXT},
    {.key = "environment", .heading = "加强环境整治，创造优美环境", .kind = CH_TEXT},
    {.key = "joint", .heading = "开展共驻共建，形成创建合力", .kind = CH_TEXT},
    {.key = "problems", .heading = "存在的主要问题", .kind = CH_PROBLEMS},
    {.key = "plan", .heading = NULL, .kind = CH_PLAN},
};

#define OUTLINE(c) .chapters = c, .nchapters = (int)(sizeof(c) / sizeof((c)[0]))

static const struct outline outlines[] = {
    {.campaign = "safe",
     .label = "安全社区",
     .opening = "坚持“以人为本”、“人人都享有健康和安全权利”的理念，按照资源整合、全员参与、"
                "持续改进的要求，扎实推进安全社区创建工作。",
     OUTLINE(safe_chapters)},
    {.campaign = "drug_free",
     .label = "无毒社区",
     .opening = "认真贯彻落实《中华人民共和国禁毒法》，坚持“预防为主，综合治理，禁种、禁制、"
                "禁贩、禁吸并举”的方针，以社区“无吸毒、无贩毒、无种毒、无制毒”为目标，扎实"
                "开展无毒社区创建工作。",
     OUTLINE(drug_free_chapters)},
    {.campaign = "rule_of_law",
     .label = "民主法治示范社区",
     .opening = "以创建民主法治示范社区为载体，深入开展普法教育和依法治理，推进基层民主管理，"
                "维护社会和谐稳定。",
     OUTLINE(rule_of_law_chapters)},
    {.campaign = "civilized",
     .label = "文明社区",
     .opening = "以创建文明社区为目标，关爱困难群众，加强环境整治，开展共驻共建，推动物质文明、"
                "政治文明和精神文明协调发展。",
     OUTLINE(civilized_chapters)},
};

const char *const report_campaigns[] = {"safe", "drug_free", "rule_of_law", "civilized"};
const int report_ncampaigns = (int)(sizeof report_campaigns / sizeof report_campaigns[0]);

static const struct outline *outline_find(const char *campaign)
{
    for (size_t i = 0; campaign && i < sizeof outlines / sizeof outlines[0]; i++)
        if (strcmp(outlines[i].campaign, campaign) == 0)
            return &outlines[i];
    return NULL;
}

const char *report_campaign_label(const char *campaign)
{
    const struct outline *o = outline_find(campaign);
    return o ? o->label : NULL;
}

/* Whether part p writes for campaign: its list names it, or is "*"; no list
 * is the safe-community summary's. */
static int part_serves(const struct summary_part *p, const char *campaign)
{
    const char *l = p->campaigns ? p->campaigns : "safe";
    if (strcmp(l, "*") == 0)
        return 1;
    size_t n = strlen(campaign);
    for (const char *t = l; *t;) {
        size_t m = strcspn(t, " ");
        if (m == n && strncmp(t, campaign, n) == 0)
            return 1;
        t += m;
        t += strspn(t, " ");
    }
    return 0;
}

static int part_runs(struct summary *x, const struct summary_part *p, const char *key)
{
    return strcmp(p->chapter, key) == 0 && part_serves(p, x->campaign);
}

/* Calls the parts of chapter key, lowest rank first, modules in list order
 * within a rank. */
static void parts_run(struct summary *x, const char *key)
{
    int ranks[64], n = 0;
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < module_list[m]->nsummary; i++) {
            const struct summary_part *p = &module_list[m]->summary[i];
            assert(n < 64);
            if (part_runs(x, p, key) && n < 64)
                ranks[n++] = p->rank;
        }
    int done = 0, last = -1;
    while (done < n) {
        int next = 0, found = 0;
        for (int i = 0; i < n; i++)
            if (ranks[i] > last && (!found || ranks[i] < next)) {
                next = ranks[i];
                found = 1;
            }
        for (int m = 0; m < module_count; m++)
            for (int i = 0; i < module_list[m]->nsummary; i++) {
                const struct summary_part *p = &module_list[m]->summary[i];
                if (part_runs(x, p, key) && p->rank == next) {
                    /* The paragraphs' keys name the module (summary_edit.h). */
                    doc_part(x->d, module_list[m]->name);
                    p->write(x);
                    doc_part(x->d, NULL);
                    done++;
                }
            }
        last = next;
    }
}

static void chapter_children(struct summary *x)
{
    json_t *children = summary_children(x);
    if (!json_array_size(children))
        return;
    json_t *first = json_array_get(children, 0);
    const char *word =
        child_word(json_string_value(json_object_get(json_object_get(x->s, "region"), "level")));
    int n = 1;
    for (int k = 0; k < stats_column_count(); k++)
        n += json_object_get(first, stats_column_at(k).figure->child) != NULL;
    if (n == 1)
        return;
    x->notes = NULL;
    parts_run(x, "children");
    x->pending = arena_printf(x->a, "各%s工作情况", word);
    summary_para(x, arena_printf(x->a, "%s共有%zu个%s，各%s本年主要工作数据如下。%s", x->all,
                                 json_array_size(children), word, word, x->notes ? x->notes : ""));
    /* The columns in tables of at most SUMMARY_TABLE_COLS figures each: a
     * page of 28 characters a line cannot carry ten or more columns without
     * breaking names and figures inside their cells. */
    int cols[64], ncols = 0;
    for (int k = 0; k < stats_column_count() && ncols < 64; k++)
        if (json_object_get(first, stats_column_at(k).figure->child))
            cols[ncols++] = k;
    for (int from = 0; from < ncols; from += SUMMARY_TABLE_COLS) {
        int to = from + SUMMARY_TABLE_COLS < ncols ? from + SUMMARY_TABLE_COLS : ncols;
        doc_table_begin(x->d, 1 + to - from);
        doc_cell(x->d, "名称");
        for (int k = from; k < to; k++)
            doc_cell(x->d, stats_column_at(cols[k]).figure->label);
        for (size_t i = 0; i < json_array_size(children); i++) {
            json_t *ch = json_array_get(children, i);
            doc_cell(x->d, json_string_value(json_object_get(ch, "name")));
            for (int k = from; k < to; k++)
                doc_cell(x->d, stats_column_text(x->a, stats_column_at(cols[k]), ch));
        }
        doc_table_end(x->d);
    }
}

static void chapter_problems(struct summary *x, const char *heading)
{
    parts_run(x, "problems");
    /* With no records written about, there is nothing to judge either. */
    if (x->nproblems == 0 && !x->wrote)
        return;
    x->pending = heading;
    if (x->nproblems == 0)
        summary_para(x,
                     arena_printf(x->a,
                                  "从本年工作记录看，各项工作指标均达到要求，未发现突出问题。但%s"
                                  "创建是一项长期工作，仍需持续改进。",
                                  x->label));
    heading_flush(x);
    for (int i = 0; i < x->nproblems; i++)
        doc_para(x->d, arena_printf(x->a, "%s是%s", numbered(i + 1), x->problems[i]));
}

static void chapter_plan(struct summary *x)
{
    parts_run(x, "plan");
    x->plans[x->nplans++] = arena_printf(
        x->a, "完善工作台账，加强队伍建设，按照%s建设要求做好自评和迎检工作。", x->label);
    x->pending = arena_printf(x->a, "%d年工作打算", x->year + 1);
    heading_flush(x);
    for (int i = 0; i < x->nplans; i++)
        doc_para(x->d, arena_printf(x->a, "%s是%s", numbered(i + 1), x->plans[i]));
}

doc *report_work_summary(arena *a, json_t *stats, const char *campaign)
{
    json_t *region = json_object_get(stats, "region");
    struct summary x = {0};
    x.o = outline_find(campaign);
    assert(x.o);
    x.campaign = x.o->campaign;
    x.label = x.o->label;
    x.a = a;
    x.s = stats;
    x.name = json_string_value(json_object_get(region, "name"));
    x.all = all_of(a, x.name);
    x.year = (int)summary_int(stats, "year");
    const char *asof = json_string_value(json_object_get(stats, "as_of"));
    x.asof_cn = arena_printf(a, "%.4s年%d月%d日", asof, atoi(asof + 5), atoi(asof + 8));
    const char *title = arena_printf(a, "%s%d年%s创建工作总结", x.name, x.year, x.o->label);
    x.d = doc_new(a, title);
    doc_title(x.d, title);
    doc_chapter(x.d, "opening");
    doc_para(x.d, arena_printf(a,
                               "%d年，%s%s现将%d年工作开展情况总结如下（数据截至%s，根据日常工作"
                               "记录统计）：",
                               x.year, x.name, x.o->opening, x.year, x.asof_cn));
    for (int i = 0; i < x.o->nchapters; i++) {
        const struct chapter *ch = &x.o->chapters[i];
        x.pending = NULL;
        x.sub = 0;
        doc_chapter(x.d, ch->key);
        switch (ch->kind) {
        case CH_TEXT:
            x.pending = ch->heading;
            parts_run(&x, ch->key);
            break;
        case CH_CHILDREN:
            chapter_children(&x);
            break;
        case CH_PROBLEMS:
            chapter_problems(&x, ch->heading);
            break;
        case CH_PLAN:
            chapter_plan(&x);
            break;
        }
    }
    doc_chapter(x.d, NULL);
    doc_signature(x.d, arena_printf(a, "%s\n%s", x.name, x.asof_cn));
    return x.d;
}

json_t *report_doc_json(const doc *d)
{
    static const char *const kind[] = {"title", "heading", "subheading",
                                       "para",  "table",   "signature"};
    json_t *blocks = json_array();
    for (int i = 0; i < doc_nblocks(d); i++) {
        const struct doc_block *b = doc_block_at(d, i);
        if (b->kind == DOC_TABLE) {
            json_t *rows = json_array();
            for (int r = 0; r < b->nrows; r++) {
                json_t *row = json_array();
                for (int c = 0; c < b->ncols; c++)
                    json_array_append_new(row, json_string(b->cells[r * b->ncols + c]));
                json_array_append_new(rows, row);
            }
            json_array_append_new(blocks, json_pack("{s:s, s:o}", "kind", "table", "rows", rows));
        } else {
            json_t *o = json_pack("{s:s, s:s}", "kind", kind[b->kind], "text", b->text);
            if (b->chapter)
                json_object_set_new(o, "chapter", json_string(b->chapter));
            if (b->key)
                json_object_set_new(o, "key", json_string(b->key));
            json_array_append_new(blocks, o);
        }
    }
    return json_pack("{s:s, s:o}", "title", doc_title_text(d), "blocks", blocks);
}

/* GET /api/v1/reports/work-summary?region=&year=&campaign=&format= */
static void h_work_summary(req *r)
{
    const char *format = req_query(r, "format");
    if (!format)
        format = "json";
    const char *campaign = req_query(r, "campaign");
    if (!campaign || !*campaign)
        campaign = "safe";
    if (!outline_find(campaign)) {
        reply_error(
            r, 400, "bad_request", "创建类型必须是安全社区、无毒社区、民主法治示范社区或文明社区",
            json_pack("{s:s}", "campaign", "必须是 safe、drug_free、rule_of_law 或 civilized"));
        return;
    }
    if (strcmp(format, "json") != 0 && !doc_format_mime(format)) {
        reply_error(r, 400, "bad_request", "format 必须是 docx、pdf、html、md 或 json",
                    json_pack("{s:s}", "format", "必须是 docx、pdf、html、md 或 json"));
        return;
    }
    const char *region;
    int year;
    json_t *s;
    if (stats_for_request(r, &region, &year, &s) != 0)
        return;
    doc *d = report_work_summary(r->a, s, campaign);
    json_decref(s);
    /* The office's own text over the generated one (summary_edit.h). */
    json_t *notes = NULL;
    int st = summary_edit_apply(req_db(r), d, region, year, campaign,
                                strcmp(format, "json") == 0 ? &notes : NULL);
    if (st != DB_OK) {
        reply_db_error(r, st);
        return;
    }
    arena_defer(r->a, (void (*)(void *))json_decref, notes);
    /* Every format is a way out, the console's own view (json) too. */
    json_t *filter =
        json_pack("{s:s, s:i, s:s}", "region", region, "year", year, "campaign", campaign);
    arena_defer(r->a, (void (*)(void *))json_decref, filter);
    if (audit_export_request(r, "work_summary", NULL, region, format, filter, -1) != 0)
        return;
    if (strcmp(format, "json") == 0) {
        json_t *preview = report_doc_json(d);
        summary_edit_annotate(preview, notes);
        reply_json(r, 200, preview);
        return;
    }
    buf out;
    buf_init(&out, (size_t)64 << 20);
    const char *msg = NULL;
    if (doc_render(d, format, &out, &msg) != 0) {
        buf_free(&out);
        log_error("work summary of %s %d as %s: %s", region, year, format, msg);
        reply_error(r, 500, "internal", "生成工作总结失败", NULL);
        return;
    }
    size_t len;
    char *data = buf_detach(&out, &len);
    reply_take(r, 200, doc_format_mime(format), data, len);
    /* "岳池县2025年安全社区创建工作总结.docx", with the code name as the
     * ASCII fallback. */
    reply_header(r, "Content-Disposition",
                 http_disposition(r->a,
                                  arena_printf(r->a, "work-summary-%s-%d%s%s.%s", region, year,
                                               strcmp(campaign, "safe") ? "-" : "",
                                               strcmp(campaign, "safe") ? campaign : "", format),
                                  arena_printf(r->a, "%s.%s", doc_title_text(d), format)));
}

/* GET /api/v1/reports/outlines: each campaign's title and chapters, for the
 * console's selector and for tests of the structure. A chapter whose heading
 * is written from the data (the children's, next year's plan) has none. */
static void h_outlines(req *r)
{
    static const char *const kinds[] = {"text", "children", "problems", "plan"};
    json_t *list = json_array();
    for (size_t i = 0; i < sizeof outlines / sizeof outlines[0]; i++) {
        const struct outline *o = &outlines[i];
        json_t *chs = json_array();
        for (int k = 0; k < o->nchapters; k++) {
            const struct chapter *ch = &o->chapters[k];
            json_array_append_new(chs, json_pack("{s:s, s:s?, s:s}", "key", ch->key, "heading",
                                                 ch->heading, "kind", kinds[ch->kind]));
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}", "campaign", o->campaign,
                                              "label", o->label, "title",
                                              arena_printf(r->a, "%s创建工作总结", o->label),
                                              "chapters", chs));
    }
    reply_json(r, 200, json_pack("{s:o}", "campaigns", list));
}

void report_routes_register(void)
{
    http_route("GET", "/api/v1/reports/work-summary", h_work_summary, ROUTE_LONG, NULL);
    http_route("GET", "/api/v1/reports/outlines", h_outlines, 0, NULL);
    summary_edit_routes_register(report_work_summary);
}
