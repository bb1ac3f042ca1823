/* report: the year-end work summary (see report.h). The wording is fixed
 * prose around computed figures; all arithmetic on figures is integer (per
 * mille, rounded half up) so that the text is the same on every backend and
 * machine. */
#include "report.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "stats.h"
#include "util.h"

struct ctx {
    arena *a;
    doc *d;
    json_t *s;
    const char *name; /* the region's name */
    const char *all;  /* "全县", "全镇", … */
    int year;
    const char *asof_cn; /* "2025年12月31日" */
};

static json_int_t geti(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        return json_integer_value(v);
    return json_is_real(v) ? (json_int_t)json_real_value(v) : 0;
}

/* num/den as a percentage with one decimal, "46.7%"; "—" when den is 0. */
static const char *pct(arena *a, long long num, long long den)
{
    if (den <= 0)
        return "—";
    long long pm = (num * 1000 + den / 2) / den;
    return arena_printf(a, "%lld.%lld%%", pm / 10, pm % 10);
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

/* "培训63场（13210人次）、宣传66场…" from a by_kind list. */
static const char *kinds(arena *a, json_t *list, const char *unit, const char *extra,
                         const char *extra_unit)
{
    const char *out = "";
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *label = json_string_value(json_object_get(it, "label"));
        const char *one = arena_printf(a, "%s%lld%s", label, (long long)geti(it, "count"), unit);
        if (extra)
            one = arena_printf(a, "%s（%lld%s）", one, (long long)geti(it, extra), extra_unit);
        out = arena_printf(a, "%s%s%s", out, i ? "、" : "", one);
    }
    return out;
}

static void table_by_kind(struct ctx *x, json_t *list, const char *head, const char *count_head,
                          const char *extra, const char *extra_head)
{
    long long total = 0, extra_total = 0;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        total += geti(it, "count");
        extra_total += extra ? geti(it, extra) : 0;
    }
    doc_table_begin(x->d, extra ? 4 : 3);
    doc_cell(x->d, head);
    doc_cell(x->d, count_head);
    if (extra)
        doc_cell(x->d, extra_head);
    doc_cell(x->d, "构成比");
    json_array_foreach(list, i, it)
    {
        doc_cell(x->d, json_string_value(json_object_get(it, "label")));
        doc_cell(x->d, arena_printf(x->a, "%lld", (long long)geti(it, "count")));
        if (extra)
            doc_cell(x->d, arena_printf(x->a, "%lld", (long long)geti(it, extra)));
        doc_cell(x->d, pct(x->a, geti(it, "count"), total));
    }
    doc_cell(x->d, "合计");
    doc_cell(x->d, arena_printf(x->a, "%lld", total));
    if (extra)
        doc_cell(x->d, arena_printf(x->a, "%lld", extra_total));
    doc_cell(x->d, total ? "100.0%" : "—");
    doc_table_end(x->d);
}

/* 1 → "一" … 10 → "十": the sections and items of a summary are fewer. */
static const char *numbered(int n)
{
    static const char *const cn[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
    assert(n >= 1 && n <= 10);
    return cn[n - 1];
}

/* ---- the sections ---- */

static void sec_organisation(struct ctx *x, int *h)
{
    json_t *v = json_object_get(x->s, "volunteers"), *u = json_object_get(x->s, "units");
    if (!v && !u)
        return;
    doc_heading(x->d, arena_printf(x->a, "%s、加强组织领导，壮大创建力量", numbered((*h)++)));
    int sub = 1;
    if (u) {
        doc_subheading(x->d, arena_printf(x->a, "（%s）落实单位安全责任", numbered(sub++)));
        doc_para(x->d,
                 arena_printf(x->a,
                              "%s登记辖区单位%lld家，其中重点单位%lld家。各单位明确安全管"
                              "理人，落实“一岗双责”，由单位安全员开展日常排查，对排查出"
                              "的隐患落实整改责任。",
                              x->all, (long long)geti(u, "total"), (long long)geti(u, "key")));
    }
    if (v) {
        doc_subheading(x->d, arena_printf(x->a, "（%s）壮大志愿者队伍", numbered(sub++)));
        long long hours10 = (long long)(json_number_value(json_object_get(v, "hours")) * 10 + 0.5);
        doc_para(x->d,
                 arena_printf(
                     x->a,
                     "广泛吸纳辖区单位、热心群众参与创建。截至%s，%s登记志愿者%lld人，"
                     "组成志愿者队伍%lld支；本年新增志愿者%lld人（上年新增%lld人，%s），"
                     "志愿者累计服务%s小时。",
                     x->asof_cn, x->all, (long long)geti(v, "total"), (long long)geti(v, "teams"),
                     (long long)geti(v, "new"), (long long)geti(v, "new_prev"),
                     change(x->a, geti(v, "new"), geti(v, "new_prev")),
                     hours10 % 10 ? arena_printf(x->a, "%lld.%lld", hours10 / 10, hours10 % 10)
                                  : arena_printf(x->a, "%lld", hours10 / 10)));
    }
}

static void sec_publicity(struct ctx *x, int *h)
{
    json_t *act = json_object_get(x->s, "activities");
    if (!act)
        return;
    doc_heading(x->d, arena_printf(x->a, "%s、大力开展宣传教育培训", numbered((*h)++)));
    long long n = geti(act, "count"), np = geti(act, "count_prev"), p = geti(act, "participants"),
              pp = geti(act, "participants_prev");
    const char *txt =
        arena_printf(x->a,
                     "%d年，%s共开展宣传、培训、应急演练等活动%lld场，%s；参与群众%lld"
                     "人次，%s。",
                     x->year, x->all, n, change(x->a, n, np), p, change(x->a, p, pp));
    json_int_t pop = geti(json_object_get(x->s, "region"), "population");
    if (pop > 0 && p > 0)
        txt = arena_printf(x->a, "%s参与人次相当于常住人口（%lld人）的%s。", txt, (long long)pop,
                           pct(x->a, p, pop));
    if (json_array_size(json_object_get(act, "by_kind")))
        txt = arena_printf(
            x->a, "%s其中%s。", txt,
            kinds(x->a, json_object_get(act, "by_kind"), "场", "participants", "人次"));
    doc_para(x->d, txt);
    if (json_array_size(json_object_get(act, "by_kind")))
        table_by_kind(x, json_object_get(act, "by_kind"), "活动类型", "场次", "participants",
                      "参与人次");
}

static void sec_hazards(struct ctx *x, int *h)
{
    json_t *hz = json_object_get(x->s, "hazards"), *in = json_object_get(x->s, "inspections");
    if (!hz && !in)
        return;
    doc_heading(x->d, arena_printf(x->a, "%s、加强安全隐患排查和整治", numbered((*h)++)));
    if (in) {
        long long n = geti(in, "count"), np = geti(in, "count_prev");
        const char *txt = arena_printf(x->a,
                                       "坚持日常排查与专项整治相结合，全年组织开展各类安全检查%lld"
                                       "次，%s",
                                       n, change(x->a, n, np));
        if (json_array_size(json_object_get(in, "by_kind")))
            txt = arena_printf(x->a, "%s，其中%s", txt,
                               kinds(x->a, json_object_get(in, "by_kind"), "次", NULL, NULL));
        doc_para(x->d, arena_printf(x->a, "%s。", txt));
    }
    if (!hz)
        return;
    long long found = geti(hz, "found"), fp = geti(hz, "found_prev"), closed = geti(hz, "closed"),
              on_time = geti(hz, "closed_on_time"), major = geti(hz, "major"),
              major_closed = geti(hz, "major_closed");
    const char *txt =
        arena_printf(x->a, "全年排查发现各类安全隐患%lld项，%s", found, change(x->a, found, fp));
    if (json_array_size(json_object_get(hz, "by_grade")))
        txt = arena_printf(x->a, "%s，其中%s", txt,
                           kinds(x->a, json_object_get(hz, "by_grade"), "项", NULL, NULL));
    txt = arena_printf(x->a,
                       "%s。对排查出的隐患逐项登记、下达整改通知书、明确责任单位和整改期限，"
                       "实行闭环管理。截至%s，本年发现的隐患已整改销号%lld项，整改率%s；其中按期"
                       "整改%lld项，按期整改率%s。",
                       txt, x->asof_cn, closed, pct(x->a, closed, found), on_time,
                       pct(x->a, on_time, closed));
    if (major)
        txt = arena_printf(x->a, "%s本年发现重大隐患%lld项，已销号%lld项。", txt, major,
                           major_closed);
    long long sup = geti(hz, "supervised"), listed = geti(hz, "listed");
    if (sup || listed)
        txt = arena_printf(x->a, "%s对逾期未整改的隐患发出督办函%lld项，挂牌督办%lld项。", txt, sup,
                           listed);
    doc_para(x->d, txt);
    if (json_array_size(json_object_get(hz, "by_domain"))) {
        doc_para(x->d, "本年发现隐患按领域分布如下：");
        table_by_kind(x, json_object_get(hz, "by_domain"), "隐患领域", "隐患数（项）", NULL, NULL);
    }
}

static void sec_children(struct ctx *x, int *h)
{
    json_t *children = json_object_get(x->s, "children");
    if (!json_array_size(children))
        return;
    json_t *first = json_array_get(children, 0);
    const char *word =
        child_word(json_string_value(json_object_get(json_object_get(x->s, "region"), "level")));
    const struct stats_column *cols = stats_child_columns;
    int n = 1;
    for (int k = 0; k < stats_child_ncolumns; k++)
        n += json_object_get(first, cols[k].key) != NULL;
    if (n == 1)
        return;
    doc_heading(x->d, arena_printf(x->a, "%s、各%s工作情况", numbered((*h)++), word));
    const char *txt = arena_printf(x->a, "%s共有%zu个%s，各%s本年主要工作数据如下。", x->all,
                                   json_array_size(children), word, word);
    /* The best and the worst rectification among those that found hazards. */
    if (json_object_get(first, "hazards_found")) {
        json_t *best = NULL, *worst = NULL;
        size_t i;
        json_t *ch;
        json_array_foreach(children, i, ch)
        {
            if (geti(ch, "hazards_found") == 0)
                continue;
            long long c = geti(ch, "hazards_closed"), f = geti(ch, "hazards_found");
            if (!best || c * geti(best, "hazards_found") > geti(best, "hazards_closed") * f)
                best = ch;
            if (!worst || c * geti(worst, "hazards_found") < geti(worst, "hazards_closed") * f)
                worst = ch;
        }
        if (best && worst && best != worst)
            txt = arena_printf(
                x->a, "%s隐患整改率最高的是%s（%s），最低的是%s（%s）。", txt,
                json_string_value(json_object_get(best, "name")),
                pct(x->a, geti(best, "hazards_closed"), geti(best, "hazards_found")),
                json_string_value(json_object_get(worst, "name")),
                pct(x->a, geti(worst, "hazards_closed"), geti(worst, "hazards_found")));
    }
    doc_para(x->d, txt);
    doc_table_begin(x->d, n);
    doc_cell(x->d, "名称");
    for (int k = 0; k < stats_child_ncolumns; k++)
        if (json_object_get(first, cols[k].key))
            doc_cell(x->d, cols[k].label);
    size_t i;
    json_t *ch;
    json_array_foreach(children, i, ch)
    {
        doc_cell(x->d, json_string_value(json_object_get(ch, "name")));
        for (int k = 0; k < stats_child_ncolumns; k++) {
            if (!json_object_get(first, cols[k].key))
                continue;
            if (strcmp(cols[k].key, "rectification_rate") == 0)
                doc_cell(x->d, pct(x->a, geti(ch, "hazards_closed"), geti(ch, "hazards_found")));
            else
                doc_cell(x->d, arena_printf(x->a, "%lld", (long long)geti(ch, cols[k].key)));
        }
    }
    doc_table_end(x->d);
}

static void sec_care(struct ctx *x, int *h)
{
    json_t *care = json_object_get(x->s, "care");
    if (!care || geti(care, "total") == 0)
        return;
    doc_heading(x->d, arena_printf(x->a, "%s、关爱困难群众和弱势群体", numbered((*h)++)));
    const char *txt = arena_printf(x->a,
                                   "关注“两高一脆弱”中的弱势群体，%s登记关爱对象%lld户，逐户落"
                                   "实结对帮扶人",
                                   x->all, (long long)geti(care, "total"));
    if (json_array_size(json_object_get(care, "by_kind")))
        txt = arena_printf(x->a, "%s，其中%s", txt,
                           kinds(x->a, json_object_get(care, "by_kind"), "户", NULL, NULL));
    doc_para(x->d, arena_printf(x->a, "%s。", txt));
}

/* Problems follow from the figures; the plan answers each problem. */
static void sec_problems_plan(struct ctx *x, int *h)
{
    json_t *hz = json_object_get(x->s, "hazards"), *act = json_object_get(x->s, "activities");
    const char *problems[8], *plans[8];
    int np = 0, nplan = 0;
    if (hz) {
        long long overdue = geti(hz, "overdue_at_end"), open = geti(hz, "open_at_end");
        long long found = geti(hz, "found"), closed = geti(hz, "closed");
        long long major_open = geti(hz, "major") - geti(hz, "major_closed");
        if (overdue > 0) {
            problems[np++] = arena_printf(x->a,
                                          "隐患整改不够及时。截至%s，尚有未销号隐患%lld项，其中逾期"
                                          "未整改%lld项，部分责任单位整改不到位。",
                                          x->asof_cn, open, overdue);
            plans[nplan++] = arena_printf(
                x->a, "对逾期未整改的%lld项隐患逐项督办，限期整改销号，对整改不力的单位约谈问责。",
                overdue);
        }
        if (found > 0 && closed * 10 < found * 9)
            problems[np++] = arena_printf(x->a, "本年发现隐患的整改率为%s，低于90%%的工作目标。",
                                          pct(x->a, closed, found));
        if (major_open > 0) {
            problems[np++] = arena_printf(
                x->a, "本年发现的重大隐患中仍有%lld项未销号，治理难度大、周期长。", major_open);
            plans[nplan++] = arena_printf(
                x->a, "对未销号的%lld项重大隐患落实治理方案和应急措施，实行挂牌督办。", major_open);
        }
    }
    if (act) {
        const char *none = "";
        int nnone = 0;
        json_t *children = json_object_get(x->s, "children");
        for (size_t i = 0; i < json_array_size(children); i++) {
            json_t *ch = json_array_get(children, i);
            if (!json_object_get(ch, "activities") || geti(ch, "activities") != 0)
                continue;
            none = arena_printf(x->a, "%s%s%s", none, nnone ? "、" : "",
                                json_string_value(json_object_get(ch, "name")));
            nnone++;
        }
        if (nnone) {
            problems[np++] =
                arena_printf(x->a, "宣传培训覆盖不均衡，%s全年未开展宣传培训活动。", none);
            plans[nplan++] =
                arena_printf(x->a, "督促%s制定宣传培训计划，每季度至少开展一次活动。", none);
        }
        if (geti(act, "participants") < geti(act, "participants_prev"))
            problems[np++] = arena_printf(
                x->a, "群众参与的积极性有待提高，宣传培训参与人次%s。",
                change(x->a, geti(act, "participants"), geti(act, "participants_prev")));
    }
    doc_heading(x->d, arena_printf(x->a, "%s、存在的主要问题", numbered((*h)++)));
    if (np == 0)
        doc_para(x->d, "从本年工作记录看，各项工作指标均达到要求，未发现突出问题。但安全社区创建是"
                       "一项长期工作，仍需持续改进。");
    for (int i = 0; i < np; i++)
        doc_para(x->d, arena_printf(x->a, "%s是%s", numbered(i + 1), problems[i]));
    doc_heading(x->d, arena_printf(x->a, "%s、%d年工作打算", numbered((*h)++), x->year + 1));
    if (hz)
        plans[nplan++] = "持续开展隐患排查整治，坚持日常排查与专项整治相结合，做到隐患登记、整改、"
                         "验收闭环管理。";
    if (act)
        plans[nplan++] = "深化宣传教育培训，围绕“两高一脆弱”“三重点一需求”确定安全促进项目，提高"
                         "群众安全意识和自防自救能力。";
    plans[nplan++] = "完善工作台账，加强队伍建设，按照安全社区建设要求做好自评和迎检工作。";
    for (int i = 0; i < nplan; i++)
        doc_para(x->d, arena_printf(x->a, "%s是%s", numbered(i + 1), plans[i]));
}

doc *report_work_summary(arena *a, json_t *stats)
{
    json_t *region = json_object_get(stats, "region");
    struct ctx x = {0};
    x.a = a;
    x.s = stats;
    x.name = json_string_value(json_object_get(region, "name"));
    x.all = all_of(a, x.name);
    x.year = (int)geti(stats, "year");
    const char *asof = json_string_value(json_object_get(stats, "as_of"));
    x.asof_cn = arena_printf(a, "%.4s年%d月%d日", asof, atoi(asof + 5), atoi(asof + 8));
    const char *title = arena_printf(a, "%s%d年安全社区创建工作总结", x.name, x.year);
    x.d = doc_new(a, title);
    doc_title(x.d, title);
    doc_para(x.d, arena_printf(a,
                               "%d年，%s坚持“以人为本”、“人人都享有健康和安全权利”的理念，按照"
                               "资源整合、全员参与、持续改进的要求，扎实推进安全社区创建工作。现"
                               "将%d年工作开展情况总结如下（数据截至%s，根据日常工作记录统计）：",
                               x.year, x.name, x.year, x.asof_cn));
    int h = 1;
    sec_organisation(&x, &h);
    sec_publicity(&x, &h);
    sec_hazards(&x, &h);
    sec_children(&x, &h);
    sec_care(&x, &h);
    sec_problems_plan(&x, &h);
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
            json_array_append_new(blocks,
                                  json_pack("{s:s, s:s}", "kind", kind[b->kind], "text", b->text));
        }
    }
    return json_pack("{s:s, s:o}", "title", doc_title_text(d), "blocks", blocks);
}

/* GET /api/v1/reports/work-summary?region=&year=&format= */
static void h_work_summary(req *r)
{
    const char *format = req_query(r, "format");
    if (!format)
        format = "json";
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
    doc *d = report_work_summary(r->a, s);
    json_decref(s);
    if (strcmp(format, "json") == 0) {
        reply_json(r, 200, report_doc_json(d));
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
    reply_header(
        r, "Content-Disposition",
        arena_printf(r->a, "attachment; filename=\"work-summary-%s-%d.%s\"", region, year, format));
}

void report_routes_register(void)
{
    http_route("GET", "/api/v1/reports/work-summary", h_work_summary, 0, NULL);
}
