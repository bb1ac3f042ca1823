/* entities: the declarations of the plain record types. Adding a record type
 * means a table in a migration and a declaration here; the generic layer in
 * entity.c gives it the API, search, import and export. */
#include "entity.h"
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
    "regions",        "region", "行政区域",       region_fields,
    N(region_fields), "code",   ENT_REGION_TABLE, region_check,
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
    "volunteers",        "volunteer",   "志愿者", volunteer_fields,
    N(volunteer_fields), "-created_at", 0,        NULL,
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
    "activities", "activity", "宣传培训活动", activity_fields, N(activity_fields),
    "-held_on",   0,          NULL,
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
    "care_households", "care", "关爱对象", care_fields, N(care_fields), "-created_at", 0, NULL,
};

const struct entity *const entity_list[] = {&regions, &volunteers, &activities, &care_households};
const int entity_list_count = N(entity_list);
