/* checklist_score: the scoring engine of checklists.h (pure arithmetic on
 * a checklist's configuration) and the shipped templates. */
#include "checklists.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

int cl_config_parse(struct cl_config *cfg, const char *parts, const char *grades, double pass_min,
                    double rectify_min, int veto_zero, double veto_satisfaction, const char **msg)
{
    memset(cfg, 0, sizeof *cfg);
    json_t *p = json_loads(parts ? parts : "", 0, NULL),
           *g = json_loads(grades ? grades : "", 0, NULL);
    int rc = 0;
    *msg = NULL;
    if (!json_is_array(p) || json_array_size(p) == 0 || json_array_size(p) > CL_MAX_PARTS)
        *msg = "评分部分必须是 1 到 8 项的列表，如 "
               "[{\"key\":\"exists\",\"label\":\"有无\",\"weight\":0.8}]";
    else if (!json_is_array(g) || json_array_size(g) == 0 || json_array_size(g) > CL_MAX_GRADES)
        *msg = "等级表必须是 1 到 8 项的列表，如 [{\"code\":\"a\",\"share\":1}]";
    double sum = 0;
    size_t i;
    json_t *x;
    if (!*msg)
        json_array_foreach(p, i, x)
        {
            const char *k = json_string_value(json_object_get(x, "key"));
            json_t *w = json_object_get(x, "weight");
            if (!k || !*k || strlen(k) >= sizeof cfg->part_key[0] || !json_is_number(w) ||
                json_number_value(w) <= 0) {
                *msg = "评分部分的每一项都必须有 key 和大于 0 的 weight";
                break;
            }
            snprintf(cfg->part_key[i], sizeof cfg->part_key[i], "%s", k);
            cfg->part_weight[i] = json_number_value(w);
            sum += cfg->part_weight[i];
            cfg->nparts++;
        }
    if (!*msg)
        json_array_foreach(g, i, x)
        {
            const char *k = json_string_value(json_object_get(x, "code"));
            json_t *s = json_object_get(x, "share");
            if (!k || !*k || strlen(k) >= sizeof cfg->grade_code[0] || !json_is_number(s) ||
                json_number_value(s) < 0 || json_number_value(s) > 1) {
                *msg = "等级表的每一项都必须有 code 和 0 到 1 之间的 share";
                break;
            }
            snprintf(cfg->grade_code[i], sizeof cfg->grade_code[i], "%s", k);
            cfg->grade_share[i] = json_number_value(s);
            cfg->ngrades++;
        }
    if (!*msg && rectify_min > pass_min)
        *msg = "整改分数线不能高于通过分数线";
    if (*msg)
        rc = -1;
    else
        for (int k = 0; k < cfg->nparts; k++)
            cfg->part_weight[k] /= sum;
    cfg->pass_min = pass_min;
    cfg->rectify_min = rectify_min;
    cfg->veto_zero = veto_zero;
    cfg->veto_satisfaction = veto_satisfaction;
    json_decref(p);
    json_decref(g);
    return rc;
}

double cl_item_score(const struct cl_config *cfg, double points, const char *const *grades)
{
    double s = 0;
    for (int i = 0; i < cfg->nparts; i++) {
        if (!grades[i])
            continue;
        for (int k = 0; k < cfg->ngrades; k++)
            if (strcmp(cfg->grade_code[k], grades[i]) == 0)
                s += points * cfg->part_weight[i] * cfg->grade_share[k];
    }
    return round2(s);
}

enum cl_verdict cl_verdict(const struct cl_config *cfg, const double *scores, int n,
                           double satisfaction, double *total, const char **why)
{
    double t = 0;
    int zero = 0;
    for (int i = 0; i < n; i++) {
        t += scores[i];
        zero |= scores[i] <= 0.0;
    }
    *total = round2(t);
    *why = NULL;
    if (cfg->veto_zero && zero) {
        *why = "有评分项得 0 分（一票否决）";
        return CL_FAIL;
    }
    if (cfg->veto_satisfaction >= 0 && satisfaction >= 0 && satisfaction < cfg->veto_satisfaction) {
        *why = "群众满意度低于否决线（一票否决）";
        return CL_FAIL;
    }
    if (*total >= cfg->pass_min - 1e-9)
        return CL_PASS;
    if (*total >= cfg->rectify_min - 1e-9)
        return CL_RECTIFY;
    return CL_FAIL;
}

const char *cl_verdict_code(enum cl_verdict v)
{
    return v == CL_PASS ? "pass" : v == CL_RECTIFY ? "rectify" : "fail";
}

const char *cl_verdict_label(enum cl_verdict v)
{
    return v == CL_PASS ? "通过" : v == CL_RECTIFY ? "限期整改" : "不通过";
}

/* ---- templates ---- */

#define NAT_PARTS                                                                                  \
    "[{\"key\":\"exists\",\"label\":\"有无\",\"weight\":0.8},{\"key\":\"evidence\",\"label\":"   \
    "\"痕迹\",\"weight\":1.0},{\"key\":\"effect\",\"label\":\"效果\",\"weight\":1.2}]"
#define ABCD_GRADES                                                                                \
    "[{\"code\":\"a\",\"label\":\"完全符合\",\"share\":1},"                                    \
    "{\"code\":\"b\",\"label\":\"基本符合\",\"share\":0.7},"                                   \
    "{\"code\":\"c\",\"label\":\"部分符合\",\"share\":0.3},"                                   \
    "{\"code\":\"d\",\"label\":\"缺失或造假\",\"share\":0}]"

/* The national on-site table's structure: the 12 elements of AQ/T 9001 and
 * 50 items of 3 points. The dossier's folders are its first level. */
static const struct cl_template_item national_items[] = {
    {"1", "组织机构与职责", 0, NULL, "activities"},
    {"1.1", "成立安全社区促进委员会，明确职责", 3, NULL, NULL},
    {"1.2", "设立专项工作组，覆盖主要领域", 3, NULL, NULL},
    {"1.3", "建立工作制度和例会制度", 3, NULL, NULL},
    {"1.4", "明确各成员单位安全职责", 3, NULL, NULL},
    {"1.5", "有专职或兼职工作人员", 3, NULL, NULL},
    {"2", "信息交流和全员参与", 0, NULL, "volunteers"},
    {"2.1", "建立信息交流渠道", 3, NULL, NULL},
    {"2.2", "组建志愿者队伍并开展服务", 3, "volunteers.total", NULL},
    {"2.3", "社区单位和居民广泛参与", 3, "activities.participants", NULL},
    {"2.4", "与其他安全社区交流", 3, NULL, NULL},
    {"3", "事故与伤害风险辨识及其评价", 0, NULL, "risks hazards"},
    {"3.1", "开展社区诊断和基本情况调查", 3, NULL, NULL},
    {"3.2", "辨识高危人群、高危环境和脆弱群体", 3, NULL, NULL},
    {"3.3", "开展隐患排查", 3, "hazards.found", NULL},
    {"3.4", "开展风险评价并分级", 3, NULL, NULL},
    {"3.5", "开展安全知晓率和满意度调查", 3, NULL, NULL},
    {"4", "事故与伤害预防目标及计划", 0, NULL, "projects"},
    {"4.1", "制定事故与伤害预防目标", 3, NULL, NULL},
    {"4.2", "目标针对两高一脆弱和三重点一需求", 3, NULL, NULL},
    {"4.3", "制定年度工作计划", 3, NULL, NULL},
    {"4.4", "计划落实责任部门和经费", 3, NULL, NULL},
    {"5", "安全促进项目", 0, NULL, "projects project_indicators project_records"},
    {"5.1", "安全促进项目覆盖主要领域", 3, "projects.count", NULL},
    {"5.2", "项目有背景、目标、措施和进度", 3, NULL, NULL},
    {"5.3", "项目覆盖目标人群 50% 以上", 3, "projects.coverage", NULL},
    {"5.4", "项目持续实施，有过程记录", 3, NULL, NULL},
    {"5.5", "项目效果评估", 3, NULL, NULL},
    {"5.6", "项目改进计划", 3, NULL, NULL},
    {"6", "宣传教育与培训", 0, NULL, "activities"},
    {"6.1", "制定宣传教育和培训计划", 3, NULL, NULL},
    {"6.2", "开展安全宣传活动", 3, "activities.count", NULL},
    {"6.3", "开展安全培训", 3, "activities.by_kind.training", NULL},
    {"6.4", "宣传培训覆盖重点人群", 3, NULL, NULL},
    {"6.5", "宣传培训效果评估", 3, NULL, NULL},
    {"7", "应急预案和响应", 0, NULL, "activities"},
    {"7.1", "制定应急预案", 3, NULL, NULL},
    {"7.2", "组建应急队伍", 3, NULL, NULL},
    {"7.3", "开展应急演练", 3, "activities.by_kind.drill", NULL},
    {"7.4", "应急物资保障", 3, NULL, NULL},
    {"8", "监测与监督", 0, NULL, "inspections hazards"},
    {"8.1", "开展安全检查", 3, "inspections.count", NULL},
    {"8.2", "隐患整改闭环", 3, "hazards.on_time_rate", NULL},
    {"8.3", "重大隐患挂牌督办", 3, NULL, NULL},
    {"8.4", "监督考核", 3, NULL, NULL},
    {"9", "事故与伤害记录", 0, NULL, "incidents injury_cases"},
    {"9.1", "建立事故与伤害记录制度", 3, "incidents.total", NULL},
    {"9.2", "开展伤害监测", 3, "injuries.total", NULL},
    {"9.3", "记录分析和利用", 3, NULL, NULL},
    {"9.4", "事故伤害数据共享", 3, NULL, NULL},
    {"10", "安全社区创建档案", 0, NULL, "evaluations"},
    {"10.1", "档案齐全", 3, NULL, NULL},
    {"10.2", "档案分类管理", 3, NULL, NULL},
    {"10.3", "档案及时更新", 3, NULL, NULL},
    {"11", "预防与纠正措施", 0, NULL, "hazards"},
    {"11.1", "针对问题制定纠正措施", 3, NULL, NULL},
    {"11.2", "纠正措施落实", 3, "hazards.closed", NULL},
    {"11.3", "预防措施", 3, NULL, NULL},
    {"12", "评审与持续改进", 0, NULL, "evaluations projects"},
    {"12.1", "开展自评", 3, NULL, NULL},
    {"12.2", "持续改进", 3, NULL, NULL},
    {"12.3", "工作报告", 3, NULL, NULL},
};

/* A municipal variant: 12 first-level, 45 second-level indicators, 100
 * points, pass at 90. */
static const struct cl_template_item municipal_items[] = {
    {"1", "组织机构与职责", 0, NULL, "activities"},
    {"1.1", "促进委员会和工作组", 3, NULL, NULL},
    {"1.2", "工作制度", 2, NULL, NULL},
    {"1.3", "职责落实", 2, NULL, NULL},
    {"1.4", "工作人员", 2, NULL, NULL},
    {"2", "信息交流和全员参与", 0, NULL, "volunteers"},
    {"2.1", "信息交流渠道", 2, NULL, NULL},
    {"2.2", "志愿者队伍", 3, "volunteers.total", NULL},
    {"2.3", "全员参与", 2, "activities.participants", NULL},
    {"3", "风险辨识及评价", 0, NULL, "risks hazards"},
    {"3.1", "社区诊断", 3, NULL, NULL},
    {"3.2", "两高一脆弱辨识", 2, NULL, NULL},
    {"3.3", "隐患排查", 2, "hazards.found", NULL},
    {"3.4", "风险分级", 2, NULL, NULL},
    {"3.5", "知晓率和满意度调查", 2, NULL, NULL},
    {"4", "目标及计划", 0, NULL, "projects"},
    {"4.1", "预防目标", 2, NULL, NULL},
    {"4.2", "年度计划", 2, NULL, NULL},
    {"4.3", "责任和经费", 2, NULL, NULL},
    {"5", "安全促进项目", 0, NULL, "projects project_indicators project_records"},
    {"5.1", "项目覆盖领域", 3, "projects.count", NULL},
    {"5.2", "项目方案", 2, NULL, NULL},
    {"5.3", "项目覆盖率", 3, "projects.coverage", NULL},
    {"5.4", "过程记录", 2, NULL, NULL},
    {"5.5", "效果评估", 3, NULL, NULL},
    {"6", "宣传教育与培训", 0, NULL, "activities"},
    {"6.1", "宣传活动", 2, "activities.count", NULL},
    {"6.2", "培训", 2, "activities.by_kind.training", NULL},
    {"6.3", "重点人群", 2, NULL, NULL},
    {"6.4", "效果评估", 2, NULL, NULL},
    {"7", "应急预案和响应", 0, NULL, "activities"},
    {"7.1", "应急预案", 2, NULL, NULL},
    {"7.2", "应急演练", 3, "activities.by_kind.drill", NULL},
    {"7.3", "应急物资", 2, NULL, NULL},
    {"8", "监测与监督", 0, NULL, "inspections hazards"},
    {"8.1", "安全检查", 2, "inspections.count", NULL},
    {"8.2", "隐患整改", 3, "hazards.on_time_rate", NULL},
    {"8.3", "监督考核", 2, NULL, NULL},
    {"9", "事故与伤害记录", 0, NULL, "incidents injury_cases"},
    {"9.1", "事故记录", 2, "incidents.total", NULL},
    {"9.2", "伤害监测", 3, "injuries.total", NULL},
    {"9.3", "分析利用", 2, NULL, NULL},
    {"9.4", "数据共享", 1, NULL, NULL},
    {"10", "创建档案", 0, NULL, "evaluations"},
    {"10.1", "档案齐全", 2, NULL, NULL},
    {"10.2", "分类管理", 2, NULL, NULL},
    {"11", "预防与纠正措施", 0, NULL, "hazards"},
    {"11.1", "纠正措施", 2, "hazards.closed", NULL},
    {"11.2", "预防措施", 2, NULL, NULL},
    {"12", "评审与持续改进", 0, NULL, "evaluations projects"},
    {"12.1", "自评", 3, NULL, NULL},
    {"12.2", "持续改进", 2, NULL, NULL},
    {"12.3", "工作报告", 2, NULL, NULL},
    {"12.4", "创建成效", 3, NULL, NULL},
    {"12.5", "群众满意度", 2, NULL, NULL},
    {"12.6", "特色亮点", 2, NULL, NULL},
    {"12.7", "示范带动", 2, NULL, NULL},
};

/* A drug-free community (无毒社区) checklist: A/B/C/C#, vetoes. */
static const struct cl_template_item drug_free_items[] = {
    {"1", "组织领导和禁毒工作责任制", 0, NULL, "activities"},
    {"1.1", "禁毒工作领导小组和责任制", 10, NULL, NULL},
    {"1.2", "目标管理，一票否决制度", 10, NULL, NULL},
    {"2", "禁毒宣传教育", 0, NULL, "activities"},
    {"2.1", "学校每学期禁毒法制课两次", 10, NULL, NULL},
    {"2.2", "宣传覆盖居民，知晓率 90% 以上", 10, "activities.count", NULL},
    {"3", "社会帮教", 0, NULL, NULL},
    {"3.1", "吸毒人员建档立卡，帮教小组落实", 15, NULL, NULL},
    {"3.2", "社区戒毒、社区康复，管控率 90% 以上", 15, NULL, NULL},
    {"4", "打击和管控", 0, NULL, "inspections"},
    {"4.1", "无新发现吸毒人员", 10, NULL, NULL},
    {"4.2", "禁种铲毒踏查，无非法种植", 10, NULL, NULL},
    {"4.3", "娱乐场所和易制毒化学品单位签订责任书", 10, NULL, NULL},
};

#define DRUG_PARTS "[{\"key\":\"score\",\"label\":\"评分\",\"weight\":1}]"
#define ABCC_GRADES                                                                                \
    "[{\"code\":\"A\",\"label\":\"A\",\"share\":1},{\"code\":\"B\",\"label\":\"B\",\"share\":0."   \
    "66},"                                                                                         \
    "{\"code\":\"C\",\"label\":\"C\",\"share\":0.33},{\"code\":\"C#\",\"label\":\"C#\",\"share\":" \
    "0}]"

const struct cl_template cl_templates[] = {
    {"national", "全国安全社区现场评定表", "safe", NAT_PARTS, ABCD_GRADES, 100, 75, 90, 1, -1,
     national_items, (int)(sizeof national_items / sizeof national_items[0])},
    {"municipal", "市级安全社区评定标准（100分）", "safe", NAT_PARTS, ABCD_GRADES, 90, 75, 60, 1,
     -1, municipal_items, (int)(sizeof municipal_items / sizeof municipal_items[0])},
    {"drug_free", "无毒社区考核评分表", "drug_free", DRUG_PARTS, ABCC_GRADES, 85, 70, 30, 1, 90,
     drug_free_items, (int)(sizeof drug_free_items / sizeof drug_free_items[0])},
};
const int cl_ntemplates = (int)(sizeof cl_templates / sizeof cl_templates[0]);

const struct cl_template *cl_template_find(const char *key)
{
    for (int i = 0; key && i < cl_ntemplates; i++)
        if (strcmp(cl_templates[i].key, key) == 0)
            return &cl_templates[i];
    return NULL;
}
