/* hazards: the module of the hazard loop (隐患排查整治, section 3 of the
 * domain reference): the units responsible, their contacts, the checklist
 * templates, the inspections (排查) and the hazards themselves with their
 * state machine (hazard.c), notice (hazard_notice.c) and map
 * (hazard_map.c). This file declares the entities and the module; the
 * figures and the summary's paragraphs are in hazard_stats.c, the demo data
 * in hazard_demo.c. */
#include "hazards.h"

#include <string.h>

#include "entity.h"
#include "hazard.h"

/* Units (单位): who is responsible for hazards. */
static const struct field unit_fields[] = {
    {.name = "name",
     .label = "单位名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "type",
     .label = "单位类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "unit_type"},
    {.name = "address",
     .label = "地址",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 200},
    {.name = "key_unit", .label = "重点单位", .type = FT_BOOL, .flags = FF_FILTER | FF_LIST},
    {.name = "safety_officer",
     .label = "安全管理人",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "officer_phone",
     .label = "联系电话",
     .type = FT_TEXT,
     .flags = FF_LIST,
     .max_len = 20},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static const struct entity units = {
    .name = "units",
    .perm = "unit",
    .label = "单位",
    .fields = unit_fields,
    .nfields = MODULE_N(unit_fields),
    .default_sort = "name",
};

/* The contact persons of a unit. */
static const struct field unit_contact_fields[] = {
    {.name = "unit_id",
     .label = "单位编号",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .min = 1,
     .max = 1e15,
     .ref = "units",
     .shown_sql = "SELECT x.name FROM units x WHERE x.id = t.unit_id"},
    {.name = "name",
     .label = "姓名",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 50},
    {.name = "role", .label = "职务", .type = FT_TEXT, .flags = FF_LIST, .max_len = 50},
    {.name = "phone", .label = "联系电话", .type = FT_TEXT, .flags = FF_LIST, .max_len = 20},
};

static const struct entity unit_contacts = {
    .name = "unit_contacts",
    .perm = "unit",
    .label = "单位联系人",
    .fields = unit_contact_fields,
    .nfields = MODULE_N(unit_contact_fields),
    .default_sort = "name",
};

/* Checklist templates (检查表): data, one item per line. */
static const struct field checklist_fields[] = {
    {.name = "code",
     .label = "代码",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST,
     .max_len = 40},
    {.name = "name",
     .label = "名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "domain",
     .label = "领域",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "hazard_domain"},
    {.name = "items",
     .label = "检查项目（每行一项）",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_MULTILINE,
     .max_len = 5000},
};

static const struct entity checklist_templates = {
    .name = "checklist_templates",
    .perm = "checklist",
    .label = "检查表模板",
    .fields = checklist_fields,
    .nfields = MODULE_N(checklist_fields),
    .default_sort = "code",
};

/* Inspections (排查). */
static const struct field inspection_fields[] = {
    {.name = "held_on",
     .label = "检查日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "kind",
     .label = "检查类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "inspection_kind"},
    {.name = "inspectors",
     .label = "检查人员",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 200},
    {.name = "units_visited",
     .label = "检查单位",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 2000},
    {.name = "places", .label = "检查场所", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 500},
    /* A template's code; readers are shown its name (a live template
     * first, should a code have been used twice). */
    {.name = "template",
     .label = "检查表",
     .type = FT_TEXT,
     .flags = FF_FILTER,
     .max_len = 40,
     .shown_sql = "SELECT c.name FROM checklist_templates c WHERE c.code = t.template "
                  "ORDER BY c.deleted_at IS NOT NULL, c.id LIMIT 1"},
    {.name = "findings",
     .label = "检查情况",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 5000},
};

static const struct entity inspections = {
    .name = "inspections",
    .perm = "inspection",
    .label = "排查记录",
    .fields = inspection_fields,
    .nfields = MODULE_N(inspection_fields),
    .default_sort = "-held_on",
};

/* Overdue is derived at query time from the deadline and today's date, so
 * it is never stale: past its deadline and still the unit's to do, neither
 * closed nor waiting for acceptance (待验收: the unit has done its part; the
 * office's acceptance is not the unit's delay). Filtered true it is the
 * predicate of the index hazards_open (migration 0008, state <> 'closed')
 * plus a state and a deadline range: a township's overdue list reads only
 * its open rows. The board's bands (hazard.c) and the statistics' overdue
 * figure (hazard_stats.c) follow the same rule. */
static const struct derived hazard_derived[] = {
    {.f = {.name = "overdue", .label = "逾期", .type = FT_BOOL, .flags = FF_READONLY | FF_FILTER},
     .expr = "CASE WHEN t.state <> 'closed' AND t.state <> 'awaiting_acceptance' AND t.deadline "
             "IS NOT NULL AND t.deadline < $T THEN 1 ELSE 0 END",
     .if_true = "t.state <> 'closed' AND t.state <> 'awaiting_acceptance' AND t.deadline < $T",
     .if_false = "t.state = 'closed' OR t.state = 'awaiting_acceptance' OR t.deadline IS NULL "
                 "OR t.deadline >= $T"},
};

static int has_text(json_t *obj, const char *k)
{
    const char *v = json_string_value(json_object_get(obj, k));
    return v && *v;
}

/* A new hazard starts reported, neither supervised nor listed; afterwards
 * these columns belong to the transitions (hazard.c). A ledger import may
 * bring a later state: it must carry what the transitions would have set,
 * or the notice, the board and the next step would work on holes. */
static int hazard_defaults(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    if (!has_text(obj, "state"))
        json_object_set_new(obj, "state", json_string("reported"));
    if (!json_is_boolean(json_object_get(obj, "supervised")))
        json_object_set_new(obj, "supervised", json_false());
    if (!json_is_boolean(json_object_get(obj, "listed")))
        json_object_set_new(obj, "listed", json_false());
    const char *state = json_string_value(json_object_get(obj, "state"));
    if (strcmp(state, "reported") != 0) {
        if (!has_text(obj, "notice_no"))
            json_object_set_new(errors, "notice_no",
                                json_string("已下达整改通知的隐患必须有整改通知书编号"));
        if (!has_text(obj, "deadline"))
            json_object_set_new(errors, "deadline",
                                json_string("已下达整改通知的隐患必须有整改期限"));
    }
    int closed = strcmp(state, "closed") == 0;
    if (closed && !has_text(obj, "closed_on"))
        json_object_set_new(errors, "closed_on", json_string("已销号的隐患必须有销号日期"));
    if (!closed && has_text(obj, "closed_on"))
        json_object_set_new(errors, "closed_on", json_string("只有已销号的隐患才有销号日期"));
    return 0;
}

/* Hazards (隐患): the columns a township's ledger (隐患台账) keeps. State,
 * deadline, notice and supervision are READONLY: only the transitions of
 * hazard.c change them; FF_IMPORT lets the ledger's import carry them
 * (hazard_created records the step). unit_id and inspection_id are ids of
 * the database they were made in, meaningless in another: the ledger leaves
 * them out and names the responsible unit as text. Both are references
 * (.ref): a write may name only a unit or inspection its writer can see. */
static const struct field hazard_fields[] = {
    {.name = "title",
     .label = "隐患名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST | FF_KEYCOL,
     .max_len = 100},
    {.name = "address",
     .label = "所在区域",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 200},
    {.name = "domain",
     .label = "隐患领域",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "hazard_domain"},
    {.name = "category",
     .label = "隐患类别",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "hazard_category"},
    {.name = "grade",
     .label = "隐患等级",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "hazard_grade"},
    {.name = "found_at",
     .label = "发现时间",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "found_by", .label = "发现人", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 50},
    {.name = "description",
     .label = "隐患描述",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 2000},
    {.name = "lat", .label = "纬度", .type = FT_NUM, .min = -90, .max = 90},
    {.name = "lng", .label = "经度", .type = FT_NUM, .min = -180, .max = 180},
    {.name = "unit_id",
     .label = "单位编号",
     .type = FT_INT,
     .flags = FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "units",
     .shown_sql = "SELECT x.name FROM units x WHERE x.id = t.unit_id"},
    {.name = "inspection_id",
     .label = "排查记录编号",
     .type = FT_INT,
     .flags = FF_FILTER | FF_NOEXPORT | FF_NOIMPORT,
     .min = 1,
     .max = 1e15,
     .ref = "inspections"},
    {.name = "responsible_unit",
     .label = "责任单位",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "responsible_person",
     .label = "责任人",
     .type = FT_TEXT,
     .flags = FF_SEARCH,
     .max_len = 50},
    {.name = "measures",
     .label = "整改措施",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
    {.name = "plan_target",
     .label = "治理目标",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 1000},
    {.name = "plan_measures",
     .label = "治理方法和措施",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
    {.name = "plan_funds",
     .label = "经费和物资",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 500},
    {.name = "plan_people",
     .label = "负责治理的机构和人员",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 500},
    {.name = "plan_deadline", .label = "治理时限", .type = FT_DATE},
    {.name = "plan_emergency",
     .label = "安全措施和应急预案",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
    {.name = "deadline",
     .label = "整改期限",
     .type = FT_DATE,
     .flags = FF_READONLY | FF_IMPORT | FF_SORT | FF_RANGE | FF_LIST | FF_KEYCOL},
    {.name = "state",
     .label = "状态",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_IMPORT | FF_FILTER | FF_LIST | FF_KEYCOL,
     .dict = "hazard_state"},
    {.name = "notice_no",
     .label = "整改通知书编号",
     .type = FT_TEXT,
     .flags = FF_READONLY | FF_IMPORT | FF_FILTER,
     .max_len = 60},
    {.name = "notice_date",
     .label = "通知日期",
     .type = FT_DATE,
     .flags = FF_READONLY | FF_IMPORT | FF_RANGE},
    {.name = "extension_requested_days",
     .label = "申请延期（工作日）",
     .type = FT_INT,
     .flags = FF_READONLY | FF_IMPORT,
     .min = 1,
     .max = 365},
    {.name = "supervised",
     .label = "督办",
     .type = FT_BOOL,
     .flags = FF_READONLY | FF_IMPORT | FF_FILTER | FF_LIST},
    {.name = "supervise_level",
     .label = "督办级别",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_IMPORT | FF_FILTER,
     .dict = "supervise_level"},
    {.name = "supervise_letter",
     .label = "督办函",
     .type = FT_TEXT,
     .flags = FF_READONLY | FF_IMPORT,
     .max_len = 2000},
    {.name = "supervised_on",
     .label = "督办日期",
     .type = FT_DATE,
     .flags = FF_READONLY | FF_IMPORT},
    {.name = "listed",
     .label = "挂牌督办",
     .type = FT_BOOL,
     .flags = FF_READONLY | FF_IMPORT | FF_FILTER},
    {.name = "listed_on", .label = "挂牌日期", .type = FT_DATE, .flags = FF_READONLY | FF_IMPORT},
    {.name = "delisted_on", .label = "摘牌日期", .type = FT_DATE, .flags = FF_READONLY | FF_IMPORT},
    {.name = "closed_on",
     .label = "销号日期",
     .type = FT_DATE,
     .flags = FF_READONLY | FF_IMPORT | FF_RANGE},
    {.name = "photos", .label = "照片", .type = FT_FILES, .flags = FF_NOEXPORT | FF_NOIMPORT},
};

/* The states' colours: grey before the notice, blue and amber while the
 * unit works, green once written off. */
static const struct state_tag hazard_state_tags[] = {
    {"reported", "info"},      {"assigned", "primary"},
    {"rectifying", "warning"}, {"awaiting_acceptance", "warning"},
    {"closed", "success"},     {NULL, NULL},
};

static const struct entity hazards = {
    .name = "hazards",
    .perm = "hazard",
    .label = "隐患",
    .fields = hazard_fields,
    .nfields = MODULE_N(hazard_fields),
    .default_sort = "-found_at",
    .flags = ENT_UNIT_SCOPED,
    .check = hazard_defaults,
    .derived = hazard_derived,
    .nderived = MODULE_N(hazard_derived),
    .created = hazard_created,
    /* Past 已登记 a hazard belongs to its transitions (hazard.c): the
     * generic PATCH and DELETE refuse it, so a closed hazard is read-only
     * and its year's figures move only through recorded steps. */
    .state_field = "state",
    .initial_state = "reported",
    .state_tags = hazard_state_tags,
};

static const struct entity *const entities[] = {
    &units, &unit_contacts, &checklist_templates, &inspections, &hazards,
};

static void routes(void)
{
    hazard_routes_register();
    hazard_notice_routes_register();
    hazard_map_routes_register();
}

/* The steps of the machine beyond hazard:write, for the role editor. */
static const struct module_perm perms[] = {
    {.perm = "hazard:assign", .label = "隐患：下达整改通知"},
    {.perm = "hazard:progress", .label = "隐患：整改、报告进展、申请延期、申请验收"},
    {.perm = "hazard:approve", .label = "隐患：审批延期"},
    {.perm = "hazard:accept", .label = "隐患：验收销号、退回整改"},
    {.perm = "hazard:supervise", .label = "隐患：督办、挂牌、摘牌"},
};

/* The to-do list (todo.c): who moves the hazard next. The office that
 * assigns and accepts (hazard:assign) sees the reported and the ones
 * awaiting acceptance; those who rectify (hazard:progress without
 * hazard:assign: the village, a unit officer for the unit's hazards) see
 * theirs to start and in progress; both see the overdue ones. */
static const struct module_todo todos[] = {
    {.key = "hazards_to_assign",
     .label = "待下达整改通知",
     .perm = "hazard:assign",
     .entity = "hazards",
     .query = "state=reported&sort=-found_at",
     .title = "{title}"},
    {.key = "hazards_to_start",
     .label = "待开始整改",
     .perm = "hazard:progress",
     .unless_perm = "hazard:assign",
     .entity = "hazards",
     .query = "state=assigned&sort=deadline",
     .title = "{title}",
     .due = "deadline"},
    {.key = "hazards_rectifying",
     .label = "整改中",
     .perm = "hazard:progress",
     .unless_perm = "hazard:assign",
     .entity = "hazards",
     .query = "state=rectifying&sort=deadline",
     .title = "{title}",
     .due = "deadline"},
    {.key = "hazards_to_accept",
     .label = "待验收",
     .perm = "hazard:accept",
     .entity = "hazards",
     .query = "state=awaiting_acceptance&sort=deadline",
     .title = "{title}",
     .due = "deadline"},
    {.key = "hazards_late",
     .label = "隐患逾期未整改",
     .perm = "hazard:progress",
     .entity = "hazards",
     .query = "overdue=true&sort=deadline",
     .title = "{title}",
     .due = "deadline"},
};

const struct module hazards_module = {
    .name = "hazards",
    .label = "隐患排查整治",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .routes = routes,
    .stats = hazard_stats,
    .nstats = HAZARD_NSTATS,
    .summary = hazard_summary,
    .nsummary = HAZARD_NSUMMARY,
    .check = hazard_check,
    .demo = hazard_demo,
    .demo_scale = hazard_demo_scale,
    .perms = perms,
    .nperms = MODULE_N(perms),
    .todos = todos,
    .ntodos = MODULE_N(todos),
    .audit_labels = hazard_audit_labels,
    .naudit_labels = HAZARD_NAUDIT_LABELS,
};
