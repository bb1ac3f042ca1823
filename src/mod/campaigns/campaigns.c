/* campaigns: the entities of the campaigns module and the module itself.
 * The step machine, the board and the check are in campaign.c, the figures
 * and the summary's paragraphs in campaign_stats.c, the demo in
 * campaign_demo.c. */
#include "campaigns.h"

#include <string.h>

#include "entity.h"
#include "region.h"

static int has_text(json_t *obj, const char *k)
{
    const char *v = json_string_value(json_object_get(obj, k));
    return v && *v;
}

/* A new campaign starts planned (未启动) with no step done; afterwards its
 * state, step and milestones belong to the machine (campaign.c). */
static int campaign_defaults(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    if (!has_text(obj, "state"))
        json_object_set_new(obj, "state", json_string("planned"));
    if (!json_is_integer(json_object_get(obj, "steps_done")))
        json_object_set_new(obj, "steps_done", json_integer(0));
    if (!json_is_integer(json_object_get(obj, "steps_total")))
        json_object_set_new(obj, "steps_total", json_integer(0));
    const char *region = json_string_value(json_object_get(obj, "region"));
    enum region_level lv = region ? region_level_of(region) : RL_INVALID;
    if (region && (lv == RL_PROVINCE || lv == RL_CITY || lv == RL_COUNTY || lv == RL_GRID))
        json_object_set_new(errors, "region",
                            json_string("创建单位必须是乡镇（街道）或村（社区）"));
    return 0;
}

/* Late is derived at query time: not named and the current step's planned
 * day has passed. */
static const struct derived campaign_derived[] = {
    {.f =
         {.name = "late", .label = "滞后于计划", .type = FT_BOOL, .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN t.state <> 'named' AND t.step_planned_on IS NOT NULL AND "
             "t.step_planned_on < $T THEN 1 ELSE 0 END",
     .if_true = "t.state <> 'named' AND t.step_planned_on < $T",
     .if_false = "t.state = 'named' OR t.step_planned_on IS NULL OR t.step_planned_on >= $T"},
    {.f = {.name = "reevaluation_due",
           .label = "到期需复评",
           .type = FT_BOOL,
           .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN t.expires_on IS NOT NULL AND t.expires_on <= $T THEN 1 ELSE 0 END"},
};

#define MILESTONE(n, l)                                                                            \
    {                                                                                              \
        .name = n, .label = l, .type = FT_DATE, .flags = FF_READONLY | FF_SORT | FF_RANGE          \
    }

static const struct field campaign_fields[] = {
    {.name = "name",
     .label = "创建名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "type",
     .label = "创建类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST | FF_CREATE_ONLY,
     .dict = "campaign"},
    {.name = "community_type",
     .label = "社区类型",
     .type = FT_DICT,
     .flags = FF_FILTER,
     .dict = "community_type"},
    {.name = "target_level",
     .label = "目标级别",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "campaign_level"},
    {.name = "pilot", .label = "试点", .type = FT_BOOL, .flags = FF_FILTER | FF_LIST},
    {.name = "started_on",
     .label = "启动日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST | FF_CREATE_ONLY},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 1000},
    {.name = "state",
     .label = "创建状态",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .dict = "campaign_state"},
    {.name = "step",
     .label = "当前步骤",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .dict = "campaign_step"},
    {.name = "step_planned_on",
     .label = "当前步骤计划完成",
     .type = FT_DATE,
     .flags = FF_READONLY | FF_SORT | FF_RANGE},
    {.name = "steps_done", .label = "已完成步骤", .type = FT_INT, .flags = FF_READONLY},
    {.name = "steps_total", .label = "步骤总数", .type = FT_INT, .flags = FF_READONLY},
    {.name = "filing_no",
     .label = "备案编号",
     .type = FT_TEXT,
     .flags = FF_READONLY | FF_SEARCH,
     .max_len = 60},
    MILESTONE("filed_on", "备案日期"),
    {.name = "support_centre",
     .label = "支持中心",
     .type = FT_TEXT,
     .flags = FF_READONLY,
     .max_len = 100},
    MILESTONE("report_on", "建设工作报告日期"),
    MILESTONE("applied_on", "申请日期"),
    MILESTONE("reviewed_on", "文件审核日期"),
    MILESTONE("evaluated_on", "现场评定日期"),
    {.name = "named_level",
     .label = "命名级别",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .dict = "campaign_level"},
    MILESTONE("named_on", "命名日期"),
    MILESTONE("expires_on", "有效期至"),
};

static const struct entity campaigns = {
    .name = "campaigns",
    .perm = "campaign",
    .label = "创建活动",
    .fields = campaign_fields,
    .nfields = MODULE_N(campaign_fields),
    .default_sort = "region",
    .check = campaign_defaults,
    .derived = campaign_derived,
    .nderived = MODULE_N(campaign_derived),
    .created = campaign_created,
    /* Once its first step is done a campaign belongs to its steps
     * (campaign.c): the generic PATCH and DELETE refuse it. */
    .state_field = "state",
    .initial_state = "planned",
};

/* Targets (创建目标): the county's, for a period by level, and each
 * township's share (a row of the township). */
static int target_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    json_t *s = json_object_get(obj, "period_start"), *e = json_object_get(obj, "period_end");
    if (json_is_integer(s) && json_is_integer(e) && json_integer_value(e) < json_integer_value(s))
        json_object_set_new(errors, "period_end", json_string("结束年份不能早于开始年份"));
    const char *region = json_string_value(json_object_get(obj, "region"));
    enum region_level lv = region ? region_level_of(region) : RL_INVALID;
    if (region && lv != RL_COUNTY && lv != RL_TOWNSHIP)
        json_object_set_new(errors, "region",
                            json_string("目标下达给县（区），或由县分解到乡镇（街道）"));
    return 0;
}

static const struct field target_fields[] = {
    {.name = "type",
     .label = "创建类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "campaign"},
    {.name = "level",
     .label = "目标级别",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "campaign_level"},
    {.name = "period_start",
     .label = "起始年份",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_SORT | FF_LIST,
     .min = 2000,
     .max = 2100},
    {.name = "period_end",
     .label = "截止年份",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_SORT | FF_LIST,
     .min = 2000,
     .max = 2100},
    {.name = "target",
     .label = "目标数（个）",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_LIST | FF_SUM,
     .min = 0,
     .max = 1000},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 500},
};

static const struct entity campaign_targets = {
    .name = "campaign_targets",
    .perm = "campaign_target",
    .label = "创建目标",
    .fields = target_fields,
    .nfields = MODULE_N(target_fields),
    .default_sort = "region",
    .check = target_check,
};

/* Funds (创建工作经费) given to a township or a campaign. */
static const struct field fund_fields[] = {
    {.name = "campaign_id",
     .label = "创建活动",
     .type = FT_INT,
     .flags = FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "campaigns",
     .shown_sql = "SELECT x.name FROM campaigns x WHERE x.id = t.campaign_id"},
    {.name = "amount",
     .label = "金额（元）",
     .type = FT_NUM,
     .flags = FF_REQUIRED | FF_SORT | FF_LIST | FF_SUM,
     .min = 0.01,
     .max = 1e10},
    {.name = "source",
     .label = "经费来源",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "fund_source"},
    {.name = "given_on",
     .label = "拨付日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "document_no",
     .label = "文号",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 60},
    {.name = "purpose", .label = "用途", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 500},
};

static const struct entity campaign_funds = {
    .name = "campaign_funds",
    .perm = "campaign_fund",
    .label = "创建工作经费",
    .fields = fund_fields,
    .nfields = MODULE_N(fund_fields),
    .default_sort = "-given_on",
};

/* Supervision inspections (专项检查/检查指导) by the county. */
static const struct field supervision_fields[] = {
    {.name = "held_on",
     .label = "检查日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "kind",
     .label = "检查类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "supervision_kind"},
    {.name = "campaign_id",
     .label = "创建活动",
     .type = FT_INT,
     .flags = FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "campaigns",
     .shown_sql = "SELECT x.name FROM campaigns x WHERE x.id = t.campaign_id"},
    {.name = "inspectors",
     .label = "检查人员",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 200},
    {.name = "leader_present", .label = "主要领导带队", .type = FT_BOOL, .flags = FF_FILTER},
    {.name = "good_practice",
     .label = "好的做法",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 2000},
    {.name = "summary",
     .label = "检查情况",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 5000},
    {.name = "photos", .label = "照片", .type = FT_FILES, .flags = FF_NOEXPORT | FF_NOIMPORT},
};

static const struct entity supervisions = {
    .name = "supervisions",
    .perm = "supervision",
    .label = "督导检查",
    .fields = supervision_fields,
    .nfields = MODULE_N(supervision_fields),
    .default_sort = "-held_on",
};

/* The findings of a supervision inspection are rectification items of
 * their own, not hazards: what the county's supervision finds is mostly the
 * campaign's work (an archive out of order, a survey not done, a plan
 * behind), and counted as hazards it would swell 排查发现隐患 and the
 * rectification rate that the hazard loop's figures and the summary's
 * rectification chapter report. They take what the hazard loop has that
 * fits: a state field the platform locks (PATCH refused once closed), a
 * derived overdue, a history of steps audited like a hazard's, photos
 * through the file store, and `check` comparing the state with the history.
 * A finding that is a real hazard is entered in the hazard loop as well.
 *
 * A finding belongs to its inspection's region (the township inspected, or
 * one of its villages): a finding outside it would escape the inspection. */
static int finding_defaults(db_conn *c, json_t *obj, json_t *errors)
{
    if (!has_text(obj, "state"))
        json_object_set_new(obj, "state", json_string("open"));
    json_t *sid = json_object_get(obj, "supervision_id");
    const char *region = json_string_value(json_object_get(obj, "region"));
    if (json_is_integer(sid) && region) {
        db_stmt *s = db_prepare(c, "SELECT region FROM supervisions WHERE id = $1 AND "
                                   "deleted_at IS NULL");
        if (!s)
            return 0;
        db_bind_int(s, 1, json_integer_value(sid));
        if (db_step(s) == DB_ROW) {
            if (!region_within(region, db_col_text(s, 0)))
                json_object_set_new(errors, "region",
                                    json_string("整改事项的区域必须在督导检查的区域之内"));
        }
        db_done(s);
    }
    return 0;
}

static const struct derived finding_derived[] = {
    {.f = {.name = "overdue", .label = "逾期", .type = FT_BOOL, .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN t.state <> 'closed' AND t.deadline < $T THEN 1 ELSE 0 END",
     .if_true = "t.state <> 'closed' AND t.deadline < $T",
     .if_false = "t.state = 'closed' OR t.deadline >= $T"},
};

static const struct field finding_fields[] = {
    {.name = "supervision_id",
     .label = "督导检查",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST | FF_CREATE_ONLY,
     .min = 1,
     .max = 1e15,
     .ref = "supervisions",
     /* "2025-06-18 专项检查": the inspection by its day and kind. */
     .shown_sql = "SELECT s.held_on || ' ' || COALESCE(i.label, s.kind) FROM supervisions s LEFT "
                  "JOIN dicts d ON d.name = 'supervision_kind' LEFT JOIN dict_items i ON i.dict = "
                  "d.name AND i.version = d.version AND i.code = s.kind WHERE s.id = "
                  "t.supervision_id"},
    {.name = "found_on",
     .label = "发现日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "finding",
     .label = "发现问题",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_MULTILINE | FF_LIST,
     .max_len = 1000},
    {.name = "owner",
     .label = "整改责任人",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "deadline",
     .label = "整改期限",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "state",
     .label = "状态",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .dict = "finding_state"},
    {.name = "closed_on",
     .label = "销号日期",
     .type = FT_DATE,
     .flags = FF_READONLY | FF_RANGE | FF_LIST},
    {.name = "result",
     .label = "整改结果",
     .type = FT_TEXT,
     .flags = FF_READONLY | FF_MULTILINE,
     .max_len = 2000},
    {.name = "photos", .label = "照片", .type = FT_FILES, .flags = FF_NOEXPORT | FF_NOIMPORT},
};

static const struct entity supervision_findings = {
    .name = "supervision_findings",
    .perm = "supervision",
    .label = "督导整改事项",
    .fields = finding_fields,
    .nfields = MODULE_N(finding_fields),
    .default_sort = "deadline",
    .check = finding_defaults,
    .derived = finding_derived,
    .nderived = MODULE_N(finding_derived),
    .state_field = "state",
    .initial_state = "open",
};

static const struct entity *const entities[] = {
    &campaigns, &campaign_targets, &campaign_funds, &supervisions, &supervision_findings,
};

static const struct module_perm perms[] = {
    {.perm = "campaign:step", .label = "创建活动：完成步骤（须附证明材料）、调整计划"},
    {.perm = "supervision:close", .label = "督导检查：整改事项销号"},
};

/* The to-do list (todo.c): the offices that complete the steps see the
 * campaigns whose current step is late or falls due within 30 days, and the
 * supervision findings past their deadline. */
static const struct module_todo todos[] = {
    {.key = "campaign_steps_late",
     .label = "创建步骤滞后",
     .perm = "campaign:step",
     .entity = "campaigns",
     .query = "late=true&sort=step_planned_on",
     .title = "{name}：{step_label}",
     .due = "step_planned_on"},
    {.key = "campaign_steps_due",
     .label = "创建步骤30天内到期",
     .perm = "campaign:step",
     .entity = "campaigns",
     .query = "step_planned_on_from=$T&step_planned_on_to=$T+30&sort=step_planned_on",
     .title = "{name}：{step_label}",
     .due = "step_planned_on"},
    {.key = "findings_overdue",
     .label = "督导整改事项逾期",
     .perm = "supervision:close",
     .entity = "supervision_findings",
     .query = "overdue=true&sort=deadline",
     .title = "{finding}",
     .due = "deadline"},
};

/* The audit log's names of the steps' and findings' actions. */
static const struct audit_label audit_labels[] = {
    {AUDIT_ACTION, "campaigns", "complete", "完成步骤", NULL},
    {AUDIT_ACTION, "campaigns", "plan", "调整步骤计划", NULL},
    {AUDIT_ACTION, "supervision_findings", "report_progress", "报告整改进展", NULL},
    {AUDIT_ACTION, "supervision_findings", "close", "整改完成", NULL},
    {AUDIT_KEY, "campaigns", "planned_on", "计划完成日期", NULL},
    {AUDIT_KEY, "campaigns", "from", "原计划完成日期", NULL},
    {AUDIT_KEY, "campaigns", "done_on", "完成日期", NULL},
    {AUDIT_KEY, "campaigns", "filing_no", "备案文号", NULL},
    {AUDIT_KEY, "campaigns", "support_centre", "支持中心", NULL},
};

const struct module campaigns_module = {
    .name = "campaigns",
    .label = "创建活动",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .routes = campaign_routes_register,
    .stats = campaign_stats,
    .nstats = CAMPAIGN_NSTATS,
    .summary = campaign_summary,
    .nsummary = CAMPAIGN_NSUMMARY,
    .check = campaign_check,
    .demo = campaign_demo,
    .demo_scale = campaign_demo_scale,
    .perms = perms,
    .nperms = MODULE_N(perms),
    .todos = todos,
    .ntodos = MODULE_N(todos),
    .audit_labels = audit_labels,
    .naudit_labels = MODULE_N(audit_labels),
};
