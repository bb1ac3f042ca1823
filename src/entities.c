/* entities: the declarations of the plain record types. Adding a record type
 * means a table in a migration and a declaration here; the generic layer in
 * entity.c gives it the API, search, import and export. */
#include "entity.h"
#include "hazard.h"
#include "region.h"

#include <string.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Regions: the tree itself. level and parent follow from the code. */
static int region_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    const char *code = json_string_value(json_object_get(obj, "code"));
    enum region_level l = region_level_of(code);
    if (l == RL_INVALID) {
        json_object_set_new(
            errors, "code",
            json_string("区域代码必须是 12 位统计用区划代码，网格为“村代码-两位数”"));
        return 0;
    }
    char parent[REGION_CODE_MAX];
    json_object_set_new(obj, "level", json_string(region_level_name(l)));
    if (region_parent_of(code, parent) == 0) {
        if (db_query_int(c, "SELECT count(*) FROM regions WHERE code = $1", parent, 0) == 0)
            json_object_set_new(errors, "code", json_string("上级区域不存在，请先创建上级区域"));
        json_object_set_new(obj, "parent", json_string(parent));
    } else {
        json_object_set_new(obj, "parent", json_null());
    }
    return 0;
}

static const struct field region_fields[] = {
    {"code", "区域代码", FT_TEXT, FF_REQUIRED | FF_SORT | FF_LIST | FF_CREATE_ONLY, 15, 0, 0, NULL},
    {"name", "名称", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST, 50, 0, 0, NULL},
    {"level", "级别", FT_TEXT, FF_READONLY | FF_FILTER | FF_LIST, 10, 0, 0, NULL},
    {"parent", "上级区域", FT_TEXT, FF_READONLY | FF_FILTER | FF_LIST, 15, 0, 0, NULL},
    {"population", "常住人口", FT_INT, FF_SORT | FF_LIST, 0, 0, 100000000, NULL},
    {"population_year", "人口统计年份", FT_INT, 0, 0, 1949, 2100, NULL},
};

static const struct entity regions = {
    "regions",    "region", "行政区域", region_fields, N(region_fields), "code", ENT_REGION_TABLE,
    region_check, NULL,     0,          NULL,
};

/* Volunteers (志愿者): the summaries count teams and members. */
static const struct field volunteer_fields[] = {
    {"name", "姓名", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST, 50, 0, 0, NULL},
    {"gender", "性别", FT_DICT, FF_FILTER | FF_LIST, 0, 0, 0, "sex"},
    {"phone", "联系电话", FT_TEXT, FF_LIST, 20, 0, 0, NULL},
    {"birth_date", "出生日期", FT_DATE, FF_SORT | FF_RANGE, 0, 0, 0, NULL},
    {"team", "所属队伍", FT_TEXT, FF_SEARCH | FF_FILTER | FF_LIST, 100, 0, 0, NULL},
    {"skills", "特长", FT_TEXT, FF_SEARCH, 200, 0, 0, NULL},
    {"joined_on", "加入日期", FT_DATE, FF_SORT | FF_RANGE | FF_LIST, 0, 0, 0, NULL},
    {"hours", "服务时长（小时）", FT_NUM, FF_SORT | FF_LIST, 0, 0, 100000, NULL},
    {"note", "备注", FT_TEXT, FF_MULTILINE, 500, 0, 0, NULL},
};

static const struct entity volunteers = {
    "volunteers",
    "volunteer",
    "志愿者",
    volunteer_fields,
    N(volunteer_fields),
    "-created_at",
    0,
    NULL,
    NULL,
    0,
    NULL,
};

/* Publicity, training and drills (宣传培训活动). */
static const struct field activity_fields[] = {
    {"title", "活动名称", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST, 100, 0, 0, NULL},
    {"kind", "活动类型", FT_DICT, FF_REQUIRED | FF_FILTER | FF_LIST, 0, 0, 0, "activity_kind"},
    {"held_on", "活动日期", FT_DATE, FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST, 0, 0, 0, NULL},
    {"place", "活动地点", FT_TEXT, FF_SEARCH | FF_LIST, 100, 0, 0, NULL},
    {"participants", "参加人数", FT_INT, FF_SORT | FF_LIST, 0, 0, 1000000, NULL},
    {"organizer", "组织单位", FT_TEXT, FF_SEARCH, 100, 0, 0, NULL},
    {"content", "活动内容", FT_TEXT, FF_SEARCH | FF_MULTILINE, 2000, 0, 0, NULL},
};

static const struct entity activities = {
    "activities",
    "activity",
    "宣传培训活动",
    activity_fields,
    N(activity_fields),
    "-held_on",
    0,
    NULL,
    NULL,
    0,
    NULL,
};

/* Households needing care (关爱对象): a registry of personal data. The ID
 * number, phone and address are sensitive: encrypted, masked, revealed only
 * with care:reveal and a reason. */
static const struct field care_fields[] = {
    {"name", "户主姓名", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST, 50, 0, 0, NULL},
    {"kind", "类别", FT_DICT, FF_REQUIRED | FF_FILTER | FF_LIST, 0, 0, 0, "care_kind"},
    {"gender", "性别", FT_DICT, FF_FILTER, 0, 0, 0, "sex"},
    {"birth_date", "出生日期", FT_DATE, FF_SORT | FF_RANGE, 0, 0, 0, NULL},
    {"id_number", "身份证号", FT_SENSITIVE, FF_LIST, 18, 0, 0, "idcard"},
    {"phone", "联系电话", FT_SENSITIVE, FF_LIST, 20, 0, 0, "phone"},
    {"address", "住址", FT_SENSITIVE, 0, 100, 0, 0, "text"},
    {"members", "家庭人口", FT_INT, FF_SORT, 0, 0, 30, NULL},
    {"helper", "结对帮扶人", FT_TEXT, FF_SEARCH | FF_LIST, 50, 0, 0, NULL},
    {"needs", "主要困难与需求", FT_TEXT, FF_SEARCH | FF_MULTILINE, 500, 0, 0, NULL},
    {"note", "备注", FT_TEXT, FF_MULTILINE, 500, 0, 0, NULL},
};

static const struct entity care_households = {
    "care_households",
    "care",
    "关爱对象",
    care_fields,
    N(care_fields),
    "-created_at",
    0,
    NULL,
    NULL,
    0,
    NULL,
};

/* Units (单位): who is responsible for hazards. */
static const struct field unit_fields[] = {
    {"name", "单位名称", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST, 100, 0, 0, NULL},
    {"type", "单位类型", FT_DICT, FF_REQUIRED | FF_FILTER | FF_LIST, 0, 0, 0, "unit_type"},
    {"address", "地址", FT_TEXT, FF_SEARCH | FF_LIST, 200, 0, 0, NULL},
    {"key_unit", "重点单位", FT_BOOL, FF_FILTER | FF_LIST, 0, 0, 0, NULL},
    {"safety_officer", "安全管理人", FT_TEXT, FF_SEARCH | FF_LIST, 50, 0, 0, NULL},
    {"officer_phone", "联系电话", FT_TEXT, FF_LIST, 20, 0, 0, NULL},
    {"note", "备注", FT_TEXT, FF_MULTILINE, 500, 0, 0, NULL},
};

static const struct entity units = {
    "units", "unit", "单位", unit_fields, N(unit_fields), "name", 0, NULL, NULL, 0, NULL,
};

/* The contact persons of a unit. */
static const struct field unit_contact_fields[] = {
    {"unit_id", "单位编号", FT_INT, FF_REQUIRED | FF_FILTER | FF_LIST, 0, 1, 1e15, NULL},
    {"name", "姓名", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST, 50, 0, 0, NULL},
    {"role", "职务", FT_TEXT, FF_LIST, 50, 0, 0, NULL},
    {"phone", "联系电话", FT_TEXT, FF_LIST, 20, 0, 0, NULL},
};

static const struct entity unit_contacts = {
    "unit_contacts",
    "unit",
    "单位联系人",
    unit_contact_fields,
    N(unit_contact_fields),
    "name",
    0,
    NULL,
    NULL,
    0,
    NULL,
};

/* Checklist templates (检查表): data, one item per line. */
static const struct field checklist_fields[] = {
    {"code", "代码", FT_TEXT, FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST, 40, 0, 0, NULL},
    {"name", "名称", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST, 100, 0, 0, NULL},
    {"domain", "领域", FT_DICT, FF_FILTER | FF_LIST, 0, 0, 0, "hazard_domain"},
    {"items", "检查项目（每行一项）", FT_TEXT, FF_REQUIRED | FF_MULTILINE, 5000, 0, 0, NULL},
};

static const struct entity checklist_templates = {
    "checklist_templates",
    "checklist",
    "检查表模板",
    checklist_fields,
    N(checklist_fields),
    "code",
    0,
    NULL,
    NULL,
    0,
    NULL,
};

/* Inspections (排查). */
static const struct field inspection_fields[] = {
    {"held_on", "检查日期", FT_DATE, FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST, 0, 0, 0, NULL},
    {"kind", "检查类型", FT_DICT, FF_REQUIRED | FF_FILTER | FF_LIST, 0, 0, 0, "inspection_kind"},
    {"inspectors", "检查人员", FT_TEXT, FF_SEARCH | FF_LIST, 200, 0, 0, NULL},
    {"units_visited", "检查单位", FT_TEXT, FF_SEARCH | FF_MULTILINE, 2000, 0, 0, NULL},
    {"places", "检查场所", FT_TEXT, FF_SEARCH, 500, 0, 0, NULL},
    {"template", "检查表", FT_TEXT, FF_FILTER, 40, 0, 0, NULL},
    {"findings", "检查情况", FT_TEXT, FF_SEARCH | FF_MULTILINE, 5000, 0, 0, NULL},
};

static const struct entity inspections = {
    "inspections",
    "inspection",
    "排查记录",
    inspection_fields,
    N(inspection_fields),
    "-held_on",
    0,
    NULL,
    NULL,
    0,
    NULL,
};

/* Overdue is derived at query time from the deadline and today's date, so
 * it is never stale: open (not closed) and past its deadline. Filtered true
 * it is the predicate of the index hazards_open (migration 0008) plus a
 * deadline range: a township's overdue list reads only its overdue rows. */
static const struct derived hazard_derived[] = {
    {{"overdue", "逾期", FT_BOOL, FF_READONLY | FF_FILTER, 0, 0, 0, NULL},
     "CASE WHEN t.state <> 'closed' AND t.deadline IS NOT NULL AND t.deadline < $T THEN 1 "
     "ELSE 0 END",
     "t.state <> 'closed' AND t.deadline < $T",
     "t.state = 'closed' OR t.deadline IS NULL OR t.deadline >= $T"},
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
 * them out and names the responsible unit as text. */
static const struct field hazard_fields[] = {
    {"title", "隐患名称", FT_TEXT, FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST, 100, 0, 0, NULL},
    {"address", "所在区域", FT_TEXT, FF_SEARCH | FF_LIST, 200, 0, 0, NULL},
    {"domain", "隐患领域", FT_DICT, FF_REQUIRED | FF_FILTER | FF_LIST, 0, 0, 0, "hazard_domain"},
    {"category", "隐患类别", FT_DICT, FF_FILTER | FF_LIST, 0, 0, 0, "hazard_category"},
    {"grade", "隐患等级", FT_DICT, FF_REQUIRED | FF_FILTER | FF_LIST, 0, 0, 0, "hazard_grade"},
    {"found_at", "发现时间", FT_DATE, FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST, 0, 0, 0, NULL},
    {"found_by", "发现人", FT_TEXT, FF_SEARCH, 50, 0, 0, NULL},
    {"description", "隐患描述", FT_TEXT, FF_SEARCH | FF_MULTILINE, 2000, 0, 0, NULL},
    {"lat", "纬度", FT_NUM, 0, 0, -90, 90, NULL},
    {"lng", "经度", FT_NUM, 0, 0, -180, 180, NULL},
    {"unit_id", "单位编号", FT_INT, FF_FILTER | FF_NOEXPORT | FF_NOIMPORT, 0, 1, 1e15, NULL},
    {"inspection_id", "排查记录编号", FT_INT, FF_FILTER | FF_NOEXPORT | FF_NOIMPORT, 0, 1, 1e15,
     NULL},
    {"responsible_unit", "责任单位", FT_TEXT, FF_SEARCH | FF_LIST, 100, 0, 0, NULL},
    {"responsible_person", "责任人", FT_TEXT, FF_SEARCH, 50, 0, 0, NULL},
    {"measures", "整改措施", FT_TEXT, FF_MULTILINE, 2000, 0, 0, NULL},
    {"plan_target", "治理目标", FT_TEXT, FF_MULTILINE, 1000, 0, 0, NULL},
    {"plan_measures", "治理方法和措施", FT_TEXT, FF_MULTILINE, 2000, 0, 0, NULL},
    {"plan_funds", "经费和物资", FT_TEXT, FF_MULTILINE, 500, 0, 0, NULL},
    {"plan_people", "负责治理的机构和人员", FT_TEXT, FF_MULTILINE, 500, 0, 0, NULL},
    {"plan_deadline", "治理时限", FT_DATE, 0, 0, 0, 0, NULL},
    {"plan_emergency", "安全措施和应急预案", FT_TEXT, FF_MULTILINE, 2000, 0, 0, NULL},
    {"deadline", "整改期限", FT_DATE, FF_READONLY | FF_IMPORT | FF_SORT | FF_RANGE | FF_LIST, 0, 0,
     0, NULL},
    {"state", "状态", FT_DICT, FF_READONLY | FF_IMPORT | FF_FILTER | FF_LIST, 0, 0, 0,
     "hazard_state"},
    {"notice_no", "整改通知书编号", FT_TEXT, FF_READONLY | FF_IMPORT | FF_FILTER, 60, 0, 0, NULL},
    {"notice_date", "通知日期", FT_DATE, FF_READONLY | FF_IMPORT | FF_RANGE, 0, 0, 0, NULL},
    {"extension_requested_days", "申请延期（工作日）", FT_INT, FF_READONLY | FF_IMPORT, 0, 1, 365,
     NULL},
    {"supervised", "督办", FT_BOOL, FF_READONLY | FF_IMPORT | FF_FILTER | FF_LIST, 0, 0, 0, NULL},
    {"supervise_level", "督办级别", FT_TEXT, FF_READONLY | FF_IMPORT | FF_FILTER, 20, 0, 0, NULL},
    {"supervise_letter", "督办函", FT_TEXT, FF_READONLY | FF_IMPORT, 2000, 0, 0, NULL},
    {"supervised_on", "督办日期", FT_DATE, FF_READONLY | FF_IMPORT, 0, 0, 0, NULL},
    {"listed", "挂牌督办", FT_BOOL, FF_READONLY | FF_IMPORT | FF_FILTER, 0, 0, 0, NULL},
    {"listed_on", "挂牌日期", FT_DATE, FF_READONLY | FF_IMPORT, 0, 0, 0, NULL},
    {"delisted_on", "摘牌日期", FT_DATE, FF_READONLY | FF_IMPORT, 0, 0, 0, NULL},
    {"closed_on", "销号日期", FT_DATE, FF_READONLY | FF_IMPORT | FF_RANGE, 0, 0, 0, NULL},
    {"photos", "照片", FT_FILES, FF_NOEXPORT | FF_NOIMPORT, 0, 0, 0, NULL},
};

static const struct entity hazards = {
    "hazards",        "hazard",          "隐患",          hazard_fields,
    N(hazard_fields), "-found_at",       ENT_UNIT_SCOPED, hazard_defaults,
    hazard_derived,   N(hazard_derived), hazard_created,
};

const struct entity *const entity_list[] = {
    &regions,       &volunteers,          &activities,  &care_households, &units,
    &unit_contacts, &checklist_templates, &inspections, &hazards};
const int entity_list_count = N(entity_list);
