/* entities: the platform's own entity, the region tree. The domain
 * modules declare theirs in src/mod/<name>/ (module.h); the generic layer
 * in entity.c gives each the API, search, import and export. */
#include "entity.h"
#include "region.h"

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

/* A level's code ("township") as readers say it ("乡镇（街道）"). */
static void level_shown(buf *out, const char *value, struct dict_cache *dc)
{
    (void)dc;
    const char *label = region_level_label(region_level_parse(value));
    if (label)
        buf_puts(out, label);
}

static const struct field region_fields[] = {
    {.name = "code",
     .label = "区域代码",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SORT | FF_LIST | FF_CREATE_ONLY,
     .max_len = 15},
    {.name = "name",
     .label = "名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 50},
    {.name = "level",
     .label = "级别",
     .type = FT_TEXT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .max_len = 10,
     .shown = level_shown},
    {.name = "parent",
     .label = "上级区域",
     .type = FT_TEXT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .max_len = 15,
     .shown_sql = "SELECT p.name FROM regions p WHERE p.code = t.parent"},
    {.name = "population",
     .label = "常住人口",
     .type = FT_INT,
     .flags = FF_SORT | FF_LIST,
     .min = 0,
     .max = 100000000},
    {.name = "population_year", .label = "人口统计年份", .type = FT_INT, .min = 1949, .max = 2100},
};

static const struct entity regions = {
    .name = "regions",
    .perm = "region",
    .label = "行政区域",
    .fields = region_fields,
    .nfields = N(region_fields),
    .default_sort = "code",
    .flags = ENT_REGION_TABLE,
    .check = region_check,
};

const struct entity *const entity_platform_list[] = {&regions};
const int entity_platform_count = N(entity_platform_list);
