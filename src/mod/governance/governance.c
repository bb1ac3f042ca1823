/* governance: see governance.h. The entities, their figures and the
 * summary's paragraphs; the coverage report is in org_coverage.c and the
 * demo in org_demo.c. */
#include "governance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "region.h"
#include "report.h"
#include "stats.h"

/* The campaigns a record serves: the same four flags on committees and
 * meetings as on activities, so a figure counts a campaign's rows with a
 * plain column test. */
#define CAMPAIGN_FLAGS                                                                             \
    {.name = "for_safe", .label = "安全社区创建", .type = FT_BOOL, .flags = FF_FILTER},            \
        {.name = "for_drug_free", .label = "无毒社区创建", .type = FT_BOOL, .flags = FF_FILTER},   \
        {.name = "for_rule_of_law",                                                                \
         .label = "民主法治示范社区创建",                                                          \
         .type = FT_BOOL,                                                                          \
         .flags = FF_FILTER},                                                                      \
    {                                                                                              \
        .name = "for_civilized", .label = "文明社区创建", .type = FT_BOOL, .flags = FF_FILTER      \
    }

static void error_set(json_t *errors, const char *field, const char *msg)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msg));
}

static const char *text_of(json_t *obj, const char *k)
{
    const char *v = json_string_value(json_object_get(obj, k));
    return v && *v ? v : NULL;
}

/* ---- committees, leading groups and working groups ---- */

static const struct field committee_fields[] = {
    {.name = "kind",
     .label = "机构类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "org_body_kind"},
    {.name = "name",
     .label = "机构名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "work_group",
     .label = "工作领域",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "work_group"},
    {.name = "leader",
     .label = "组长（主任）",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "leader_post", .label = "组长职务", .type = FT_TEXT, .flags = FF_LIST, .max_len = 100},
    {.name = "established_on", .label = "成立日期", .type = FT_DATE, .flags = FF_SORT | FF_RANGE},
    {.name = "duties",
     .label = "工作职责",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 4000},
    {.name = "rules", .label = "工作制度", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 4000},
    {.name = "documents",
     .label = "职责和制度文件",
     .type = FT_FILES,
     .flags = FF_NOEXPORT | FF_NOIMPORT},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
    CAMPAIGN_FLAGS,
};

/* A working group names its domain. */
static int committee_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    const char *kind = text_of(obj, "kind");
    if (kind && strcmp(kind, "work_group") == 0 && !text_of(obj, "work_group"))
        error_set(errors, "work_group", "专项工作组必须选择工作领域");
    return 0;
}

static const struct entity committees = {
    .name = "committees",
    .perm = "organisation",
    .label = "组织机构",
    .fields = committee_fields,
    .nfields = MODULE_N(committee_fields),
    .default_sort = "name",
    .check = committee_check,
};

static const struct field member_fields[] = {
    {.name = "committee_id",
     .label = "所属机构",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST,
     .min = 1,
     .max = 1e15,
     .ref = "committees",
     .shown_sql = "SELECT x.name FROM committees x WHERE x.id = t.committee_id"},
    {.name = "name",
     .label = "姓名",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 50},
    {.name = "unit",
     .label = "工作单位",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "post", .label = "职务", .type = FT_TEXT, .flags = FF_LIST, .max_len = 100},
    {.name = "role",
     .label = "组内职务",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "member_role"},
    {.name = "phone",
     .label = "联系电话",
     .type = FT_SENSITIVE,
     .flags = FF_LIST,
     .max_len = 20,
     .dict = "phone"},
};

static const struct derived member_derived[] = {
    {.f = {.name = "committee_name", .label = "机构名称", .type = FT_TEXT, .flags = FF_READONLY},
     .expr = "(SELECT name FROM committees WHERE id = t.committee_id)"},
};

static const struct entity committee_members = {
    .name = "committee_members",
    .perm = "organisation",
    .label = "机构成员",
    .fields = member_fields,
    .nfields = MODULE_N(member_fields),
    .default_sort = "committee_id",
    .derived = member_derived,
    .nderived = MODULE_N(member_derived),
};

/* ---- meetings ---- */

static const struct field meeting_fields[] = {
    {.name = "committee_id",
     .label = "召开机构",
     .type = FT_INT,
     .flags = FF_FILTER,
     .min = 1,
     .max = 1e15,
     .ref = "committees",
     .shown_sql = "SELECT x.name FROM committees x WHERE x.id = t.committee_id"},
    {.name = "title",
     .label = "会议名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "held_on",
     .label = "会议日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "place", .label = "会议地点", .type = FT_TEXT, .flags = FF_LIST, .max_len = 100},
    {.name = "attendance",
     .label = "出席人数",
     .type = FT_INT,
     .flags = FF_SORT | FF_LIST | FF_SUM,
     .min = 0,
     .max = 100000},
    {.name = "attendees",
     .label = "出席人员",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 2000},
    {.name = "minutes",
     .label = "会议纪要",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 8000},
    {.name = "documents",
     .label = "会议材料",
     .type = FT_FILES,
     .flags = FF_NOEXPORT | FF_NOIMPORT},
    CAMPAIGN_FLAGS,
};

static const struct derived meeting_derived[] = {
    {.f = {.name = "committee_name", .label = "机构名称", .type = FT_TEXT, .flags = FF_READONLY},
     .expr = "(SELECT name FROM committees WHERE id = t.committee_id)"},
};

static const struct entity meetings = {
    .name = "meetings",
    .perm = "organisation",
    .label = "会议",
    .fields = meeting_fields,
    .nfields = MODULE_N(meeting_fields),
    .default_sort = "-held_on",
    .derived = meeting_derived,
    .nderived = MODULE_N(meeting_derived),
};

/* ---- responsibility letters ---- */

static const struct field letter_fields[] = {
    {.name = "party",
     .label = "签订对象",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "letter_party"},
    {.name = "issuer",
     .label = "发放方",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "signer",
     .label = "签订方",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "unit_id",
     .label = "签订单位",
     .type = FT_INT,
     .flags = FF_FILTER,
     .min = 1,
     .max = 1e15,
     .ref = "units",
     .shown_sql = "SELECT x.name FROM units x WHERE x.id = t.unit_id"},
    {.name = "year",
     .label = "年度",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_SORT | FF_LIST,
     .min = 2000,
     .max = 2100},
    {.name = "domain",
     .label = "责任领域",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "work_group"},
    {.name = "signed_on",
     .label = "签订日期",
     .type = FT_DATE,
     .flags = FF_SORT | FF_RANGE | FF_LIST},
    {.name = "scan", .label = "责任书扫描件", .type = FT_FILES, .flags = FF_NOEXPORT | FF_NOIMPORT},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

/* One text column of the row with id (or code) key of table. 1 found, 0
 * not, -1 on a database error; the text into out. */
static int lookup(db_conn *c, const char *sql, const char *key, long long id, char *out, size_t n)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return -1;
    if (key)
        db_bind_text(s, 1, key);
    else
        db_bind_int(s, 1, id);
    int rc = db_step(s), found = 0;
    if (rc == DB_ROW) {
        const char *v = db_col_text(s, 0);
        snprintf(out, n, "%s", v ? v : "");
        found = 1;
    }
    db_done(s);
    return rc < 0 ? -1 : found;
}

/* The region of a letter is its signing party's: a township's code for a
 * township, a village's for a village, the unit's own region for a unit,
 * and a village or grid for a household. The signer defaults to the
 * region's or the unit's name. */
static int letter_check(db_conn *c, json_t *obj, json_t *errors)
{
    const char *party = text_of(obj, "party"), *region = text_of(obj, "region");
    if (!party || !region)
        return 0;
    enum region_level lv = region_level_of(region);
    json_t *unit = json_object_get(obj, "unit_id");
    char name[256] = "";
    if (strcmp(party, "unit") == 0) {
        if (!json_is_integer(unit)) {
            error_set(errors, "unit_id", "与单位签订的责任书必须选择签订单位");
            return 0;
        }
        char uregion[REGION_CODE_MAX + 8] = "";
        long long id = (long long)json_integer_value(unit);
        int rc = lookup(c, "SELECT region FROM units WHERE id = $1 AND deleted_at IS NULL", NULL,
                        id, uregion, sizeof uregion);
        if (rc < 0) {
            error_set(errors, "unit_id", "暂时无法核对单位，请重试");
            return 0;
        }
        if (rc == 1 && strcmp(uregion, region) != 0)
            error_set(errors, "region", "所属区域必须是签订单位所在的区域");
        if (rc == 1 && !text_of(obj, "signer") &&
            lookup(c, "SELECT name FROM units WHERE id = $1", NULL, id, name, sizeof name) == 1)
            json_object_set_new(obj, "signer", json_string(name));
    } else {
        if (json_is_integer(unit))
            error_set(errors, "unit_id", "只有与单位签订的责任书才填写签订单位");
        if (strcmp(party, "township") == 0 && lv != RL_TOWNSHIP)
            error_set(errors, "region", "与乡镇签订的责任书，所属区域必须是乡镇（街道）");
        else if (strcmp(party, "village") == 0 && lv != RL_VILLAGE)
            error_set(errors, "region", "与村（社区）签订的责任书，所属区域必须是村（社区）");
        else if (strcmp(party, "household") == 0 && lv != RL_VILLAGE && lv != RL_GRID)
            error_set(errors, "region", "与农户签订的责任书，所属区域必须是村（社区）或网格");
        if (strcmp(party, "household") == 0 && !text_of(obj, "signer"))
            error_set(errors, "signer", "与农户签订的责任书必须填写户主姓名");
        else if (!text_of(obj, "signer") && lookup(c, "SELECT name FROM regions WHERE code = $1",
                                                   region, 0, name, sizeof name) == 1)
            json_object_set_new(obj, "signer", json_string(name));
    }
    json_t *year = json_object_get(obj, "year");
    const char *signed_on = text_of(obj, "signed_on");
    if (json_is_integer(year) && signed_on &&
        (atoi(signed_on) < json_integer_value(year) - 1 ||
         atoi(signed_on) > json_integer_value(year)))
        error_set(errors, "signed_on", "签订日期必须在责任书年度或其上一年内");
    return 0;
}

static const struct derived letter_derived[] = {
    {.f = {.name = "unit_name", .label = "单位名称", .type = FT_TEXT, .flags = FF_READONLY},
     .expr = "(SELECT name FROM units WHERE id = t.unit_id)"},
};

static const struct entity responsibility_letters = {
    .name = "responsibility_letters",
    .perm = "responsibility_letter",
    .label = "安全责任书",
    .fields = letter_fields,
    .nfields = MODULE_N(letter_fields),
    .default_sort = "-year",
    .check = letter_check,
    .derived = letter_derived,
    .nderived = MODULE_N(letter_derived),
};

/* ---- donations ---- */

static const struct field donation_fields[] = {
    {.name = "title",
     .label = "活动名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "kind",
     .label = "类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "donation_kind"},
    {.name = "donated_on",
     .label = "日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "source",
     .label = "捐赠方（来源）",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 200},
    {.name = "amount",
     .label = "金额（元）",
     .type = FT_NUM,
     .flags = FF_SORT | FF_LIST | FF_SUM,
     .min = 0,
     .max = 1e10},
    {.name = "goods", .label = "物资", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 500},
    {.name = "recipients",
     .label = "受助对象",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 500},
    {.name = "recipient_count",
     .label = "受助人数",
     .type = FT_INT,
     .flags = FF_SORT | FF_LIST | FF_SUM,
     .min = 0,
     .max = 10000000},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 1000},
};

static int donation_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    if (!json_is_number(json_object_get(obj, "amount")) && !text_of(obj, "goods"))
        error_set(errors, "amount", "金额和物资至少填写一项");
    return 0;
}

static const struct entity donations = {
    .name = "donations",
    .perm = "donation",
    .label = "募捐捐赠",
    .fields = donation_fields,
    .nfields = MODULE_N(donation_fields),
    .default_sort = "-donated_on",
    .check = donation_check,
};

/* ---- surveys: the aggregate results, not the questionnaires ---- */

static const struct field survey_fields[] = {
    {.name = "title",
     .label = "调查名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "kind",
     .label = "调查类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "survey_kind"},
    {.name = "conducted_on",
     .label = "调查日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "sample",
     .label = "样本数（人）",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_LIST | FF_SUM,
     .min = 1,
     .max = 10000000},
    {.name = "positive",
     .label = "知晓（满意）人数",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_LIST | FF_SUM,
     .min = 0,
     .max = 10000000},
    {.name = "method", .label = "调查方式", .type = FT_TEXT, .max_len = 200},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 1000},
};

static int survey_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    json_t *n = json_object_get(obj, "sample"), *k = json_object_get(obj, "positive");
    if (json_is_integer(n) && json_is_integer(k) && json_integer_value(k) > json_integer_value(n))
        error_set(errors, "positive", "知晓（满意）人数不能多于样本数");
    return 0;
}

static const struct derived survey_derived[] = {
    {.f = {.name = "rate", .label = "知晓率（满意度）%", .type = FT_NUM, .flags = FF_READONLY},
     .expr = "CASE WHEN t.sample > 0 THEN ROUND(t.positive * 100.0 / t.sample, 1) END"},
};

static const struct entity surveys = {
    .name = "surveys",
    .perm = "survey",
    .label = "调查结果",
    .fields = survey_fields,
    .nfields = MODULE_N(survey_fields),
    .default_sort = "-conducted_on",
    .check = survey_check,
    .derived = survey_derived,
    .nderived = MODULE_N(survey_derived),
};

/* ---- the figures ---- */

#define ASOF(col)    "(" col " IS NULL OR " col " <= $7)"
#define IN_YEAR(col) col " >= $3 AND " col " <= $4"
#define LETTER_YEAR  "year = CAST(substr(CAST($3 AS TEXT), 1, 4) AS INTEGER)"

static const struct stats_figure org_figures[] = {
    {.key = "bodies",
     .label = "创建工作组织机构",
     .unit = "个",
     .expr = "CASE WHEN " ASOF("established_on") " THEN 1 ELSE 0 END"},
    {.key = "leading",
     .label = "领导小组和促进委员会",
     .unit = "个",
     .expr = "CASE WHEN kind IN ('leading_group', 'committee') AND " ASOF(
         "established_on") " THEN 1 ELSE 0 END"},
    {.key = "work_groups",
     .label = "专项工作组",
     .unit = "个",
     .expr = "CASE WHEN kind = 'work_group' AND " ASOF("established_on") " THEN 1 ELSE 0 END",
     .child = "work_groups"},
    {.key = "with_duties",
     .label = "书面明确职责和制度的机构",
     .unit = "个",
     .expr = "CASE WHEN ((duties IS NOT NULL AND duties <> '') OR (rules IS NOT NULL AND rules <> "
             "'') OR (documents IS NOT NULL AND documents <> '[]')) AND " ASOF(
                 "established_on") " THEN 1 ELSE 0 END"},
    {.key = "drug_free",
     .label = "无毒社区创建领导机构",
     .unit = "个",
     .expr = "CASE WHEN for_drug_free = 1 AND " ASOF("established_on") " THEN 1 ELSE 0 END"},
    {.key = "rule_of_law",
     .label = "民主法治示范社区创建领导机构",
     .unit = "个",
     .expr = "CASE WHEN for_rule_of_law = 1 AND " ASOF("established_on") " THEN 1 ELSE 0 END"},
    {.key = "civilized",
     .label = "文明社区创建领导机构",
     .unit = "个",
     .expr = "CASE WHEN for_civilized = 1 AND " ASOF("established_on") " THEN 1 ELSE 0 END"},
};

static const struct stats_breakdown org_breakdowns[] = {
    {.key = "by_work_group", .label = "专项工作组", .dict = "work_group"},
};

static const struct stats_section org_stats = {
    .name = "organisation",
    .label = "组织机构",
    .perm = "organisation:read",
    .table = "committees",
    .figures = org_figures,
    .nfigures = MODULE_N(org_figures),
    .breakdowns = org_breakdowns,
    .nbreakdowns = MODULE_N(org_breakdowns),
    .breakdown_cols = "work_group",
    .breakdown_where = "kind = 'work_group' AND work_group IS NOT NULL AND " ASOF("established_on"),
};

static const struct stats_figure member_figures[] = {
    {.key = "total", .label = "组织机构成员", .unit = "人", .expr = "1"},
};

static const struct stats_section member_stats = {
    .name = "org_members",
    .label = "组织机构成员",
    .perm = "organisation:read",
    .table = "committee_members",
    .figures = member_figures,
    .nfigures = MODULE_N(member_figures),
};

static const struct stats_figure meeting_figures[] = {
    {.key = "count",
     .label = "创建工作会议",
     .unit = "次",
     .expr = "CASE WHEN " IN_YEAR("held_on") " THEN 1 ELSE 0 END",
     .flags = STATS_YOY},
    {.key = "attendance",
     .label = "参会人员",
     .unit = "人次",
     .expr = "CASE WHEN " IN_YEAR("held_on") " THEN COALESCE(attendance, 0) ELSE 0 END"},
    {.key = "safe",
     .label = "安全社区创建工作会议",
     .unit = "次",
     .expr = "CASE WHEN for_safe = 1 AND " IN_YEAR("held_on") " THEN 1 ELSE 0 END"},
    {.key = "drug_free",
     .label = "禁毒工作会议",
     .unit = "次",
     .expr = "CASE WHEN for_drug_free = 1 AND " IN_YEAR("held_on") " THEN 1 ELSE 0 END"},
    {.key = "rule_of_law",
     .label = "民主法治建设工作会议",
     .unit = "次",
     .expr = "CASE WHEN for_rule_of_law = 1 AND " IN_YEAR("held_on") " THEN 1 ELSE 0 END"},
    {.key = "civilized",
     .label = "文明创建工作会议",
     .unit = "次",
     .expr = "CASE WHEN for_civilized = 1 AND " IN_YEAR("held_on") " THEN 1 ELSE 0 END"},
};

static const struct stats_section meeting_stats = {
    .name = "meetings",
    .label = "会议",
    .perm = "organisation:read",
    .table = "meetings",
    .figures = meeting_figures,
    .nfigures = MODULE_N(meeting_figures),
};

static const struct stats_figure letter_figures[] = {
    {.key = "total",
     .label = "签订安全责任书",
     .unit = "份",
     .expr = "CASE WHEN " LETTER_YEAR " THEN 1 ELSE 0 END",
     .child = "letters",
     .flags = STATS_YOY | STATS_COLUMN},
    {.key = "township",
     .label = "与乡镇（街道）签订责任书",
     .unit = "份",
     .expr = "CASE WHEN party = 'township' AND " LETTER_YEAR " THEN 1 ELSE 0 END"},
    {.key = "village",
     .label = "与村（社区）签订责任书",
     .unit = "份",
     .expr = "CASE WHEN party = 'village' AND " LETTER_YEAR " THEN 1 ELSE 0 END",
     .child = "letters_village"},
    {.key = "unit",
     .label = "与单位签订责任书",
     .unit = "份",
     .expr = "CASE WHEN party = 'unit' AND " LETTER_YEAR " THEN 1 ELSE 0 END",
     .child = "letters_unit"},
    {.key = "household",
     .label = "与农户签订责任书",
     .unit = "份",
     .expr = "CASE WHEN party = 'household' AND " LETTER_YEAR " THEN 1 ELSE 0 END"},
    {.key = "units_signed",
     .label = "签订责任书的单位",
     .unit = "家",
     .aggregate = "count(DISTINCT unit_id)",
     .where = "party = 'unit' AND " LETTER_YEAR},
};

static const struct stats_section letter_stats = {
    .name = "letters",
    .label = "安全责任书",
    .perm = "responsibility_letter:read",
    .table = "responsibility_letters",
    .figures = letter_figures,
    .nfigures = MODULE_N(letter_figures),
};

static const struct stats_figure donation_figures[] = {
    {.key = "count",
     .label = "募捐捐赠活动",
     .unit = "次",
     .expr = "CASE WHEN " IN_YEAR("donated_on") " THEN 1 ELSE 0 END",
     .child = "donations",
     .flags = STATS_YOY},
    {.key = "raise",
     .label = "募捐活动",
     .unit = "次",
     .expr = "CASE WHEN kind = 'raise' AND " IN_YEAR("donated_on") " THEN 1 ELSE 0 END"},
    {.key = "give",
     .label = "捐赠活动",
     .unit = "次",
     .expr = "CASE WHEN kind = 'give' AND " IN_YEAR("donated_on") " THEN 1 ELSE 0 END"},
    {.key = "amount",
     .label = "募捐捐赠金额",
     .unit = "元",
     .kind = STATS_SUM,
     .expr = "CASE WHEN " IN_YEAR("donated_on") " THEN COALESCE(amount, 0) ELSE 0 END",
     .flags = STATS_YOY},
    {.key = "recipients",
     .label = "受助人数",
     .unit = "人",
     .expr = "CASE WHEN " IN_YEAR("donated_on") " THEN COALESCE(recipient_count, 0) ELSE 0 END"},
};

static const struct stats_section donation_stats = {
    .name = "donations",
    .label = "募捐捐赠",
    .perm = "donation:read",
    .table = "donations",
    .figures = donation_figures,
    .nfigures = MODULE_N(donation_figures),
};

static const struct stats_figure survey_figures[] = {
    {.key = "count",
     .label = "开展调查",
     .unit = "次",
     .expr = "CASE WHEN " IN_YEAR("conducted_on") " THEN 1 ELSE 0 END"},
    {.key = "knowledge_sample",
     .label = "知晓率调查样本",
     .unit = "人",
     .expr = "CASE WHEN kind = 'knowledge' AND " IN_YEAR("conducted_on") " THEN sample ELSE 0 END"},
    {.key = "knowledge_yes",
     .label = "知晓人数",
     .unit = "人",
     .expr =
         "CASE WHEN kind = 'knowledge' AND " IN_YEAR("conducted_on") " THEN positive ELSE 0 END"},
    {.key = "knowledge_rate",
     .label = "安全知识知晓率",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "knowledge_yes",
     .den = "knowledge_sample"},
    {.key = "satisfaction_sample",
     .label = "满意度调查样本",
     .unit = "人",
     .expr =
         "CASE WHEN kind = 'satisfaction' AND " IN_YEAR("conducted_on") " THEN sample ELSE 0 END"},
    {.key = "satisfaction_yes",
     .label = "满意人数",
     .unit = "人",
     .expr = "CASE WHEN kind = 'satisfaction' AND " IN_YEAR(
         "conducted_on") " THEN positive ELSE 0 END"},
    {.key = "satisfaction_rate",
     .label = "群众满意度",
     .unit = "%",
     .kind = STATS_RATE,
     .num = "satisfaction_yes",
     .den = "satisfaction_sample"},
};

static const struct stats_section survey_stats = {
    .name = "surveys",
    .label = "知晓率和满意度调查",
    .perm = "survey:read",
    .table = "surveys",
    .figures = survey_figures,
    .nfigures = MODULE_N(survey_figures),
};

static const struct stats_section *const stats[] = {
    &org_stats, &member_stats, &meeting_stats, &letter_stats, &donation_stats, &survey_stats,
};

/* ---- the summary ---- */

static const char *campaign_flag(struct summary *x)
{
    const char *c = summary_campaign(x);
    return c ? c : "safe";
}

/* The safe community's organisation: the committee, the working groups by
 * name, their written duties, the meetings ("建立“创安”工作体系"). Other
 * campaigns: their own leading bodies and meetings. */
static void summary_organisation(struct summary *x)
{
    json_t *org = summary_section(x, "organisation");
    json_t *mem = summary_section(x, "org_members"), *mt = summary_section(x, "meetings");
    arena *a = summary_arena(x);
    const char *camp = campaign_flag(x);
    int safe = strcmp(camp, "safe") == 0;
    const char *txt = "";
    if (org && safe && summary_int(org, "bodies") > 0) {
        txt = arena_printf(a, "%s成立了%s%lld个", summary_all(x),
                           stats_label("organisation", "leading"), summary_int(org, "leading"));
        if (mem && summary_int(mem, "total") > 0)
            txt = arena_printf(a, "%s，吸纳辖区主要单位、重点企业等%s%lld人", txt,
                               stats_label("org_members", "total"), summary_int(mem, "total"));
        json_t *wg = json_object_get(org, "by_work_group");
        long long nwg = summary_int(org, "work_groups");
        if (nwg > 0) {
            const char *names = "";
            for (size_t i = 0; i < json_array_size(wg); i++)
                names = arena_printf(
                    a, "%s%s%s", names, i ? "、" : "",
                    json_string_value(json_object_get(json_array_get(wg, i), "label")));
            txt = arena_printf(a, "%s；建立健全了%s%s%lld个%s", txt, names, *names ? "等" : "", nwg,
                               stats_label("organisation", "work_groups"));
        }
        long long duties = summary_int(org, "with_duties");
        if (duties > 0)
            txt = arena_printf(a, "%s；%s%lld个，明确了各组织机构的工作职责，制定了相应工作制度",
                               txt, stats_label("organisation", "with_duties"), duties);
        txt = arena_printf(a, "%s。", txt);
    } else if (org && !safe && summary_int(org, camp) > 0) {
        txt =
            arena_printf(a, "%s成立了以党政主要负责人为组长的%s%lld个，明确了成员分工和职责。",
                         summary_all(x), stats_label("organisation", camp), summary_int(org, camp));
    }
    long long nm = mt ? summary_int(mt, safe ? "count" : camp) : 0;
    if (mt && nm > 0)
        txt = arena_printf(a, "%s%d年召开%s%lld次", txt, summary_year(x),
                           stats_label("meetings", safe ? "count" : camp), nm);
    if (mt && nm > 0 && safe)
        txt = arena_printf(a, "%s（%s），%s%lld人次。", txt,
                           summary_change(x, nm, summary_int(mt, "count_prev")),
                           stats_label("meetings", "attendance"), summary_int(mt, "attendance"));
    else if (mt && nm > 0)
        txt = arena_printf(a, "%s，研究部署创建工作。", txt);
    if (!*txt)
        return;
    if (safe)
        summary_subheading(x, "建立“创安”工作体系");
    summary_para(x, txt);
}

/* Letters signed layer by layer; in a township's summary, the villages
 * (its children) without this year's letter are a problem. */
static void summary_letters(struct summary *x)
{
    json_t *l = summary_section(x, "letters");
    if (!l || summary_int(l, "total") == 0)
        return;
    arena *a = summary_arena(x);
    const char *parts = "";
    static const char *const keys[] = {"township", "village", "unit", "household"};
    for (int i = 0; i < 4; i++)
        if (summary_int(l, keys[i]) > 0)
            parts = arena_printf(a, "%s%s%s%lld份", parts, *parts ? "、" : "",
                                 stats_label("letters", keys[i]), summary_int(l, keys[i]));
    summary_subheading(x, "层层签订安全责任书");
    summary_para(
        x, arena_printf(a,
                        "%d年，%s逐级%s%lld份（%s），其中%s，明确了辖区各单位的安全工作"
                        "责任。",
                        summary_year(x), summary_all(x), stats_label("letters", "total"),
                        summary_int(l, "total"),
                        summary_change(x, summary_int(l, "total"), summary_int(l, "total_prev")),
                        parts));
}

static void summary_letter_gaps(struct summary *x)
{
    json_t *l = summary_section(x, "letters");
    const char *level = summary_region_level(x);
    if (!l || !level || strcmp(level, "township") != 0)
        return;
    arena *a = summary_arena(x);
    const char *none = "";
    int n = 0;
    json_t *children = summary_children(x);
    for (size_t i = 0; i < json_array_size(children); i++) {
        json_t *ch = json_array_get(children, i);
        const char *lv = json_string_value(json_object_get(ch, "level"));
        if (!lv || strcmp(lv, "village") != 0 || !json_object_get(ch, "letters_village") ||
            summary_int(ch, "letters_village") > 0)
            continue;
        none = arena_printf(a, "%s%s%s", none, n ? "、" : "",
                            json_string_value(json_object_get(ch, "name")));
        n++;
    }
    if (n)
        summary_problem(x,
                        arena_printf(a, "安全责任书签订尚未全覆盖，%s未签订%d年度安全责任书。",
                                     none, summary_year(x)),
                        arena_printf(a, "督促%s签订安全责任书，做到层层签订、不留空白。", none));
}

/* 文明社区: 学雷锋，开展募捐捐赠. */
static void summary_donations(struct summary *x)
{
    json_t *d = summary_section(x, "donations");
    if (!d || summary_int(d, "count") == 0)
        return;
    arena *a = summary_arena(x);
    long long amount10 = (long long)(json_number_value(json_object_get(d, "amount")) * 10 + 0.5);
    const char *txt =
        arena_printf(a, "%d年，%s开展%s%lld次（%s），其中%s%lld次、%s%lld次", summary_year(x),
                     summary_all(x), stats_label("donations", "count"), summary_int(d, "count"),
                     summary_change(x, summary_int(d, "count"), summary_int(d, "count_prev")),
                     stats_label("donations", "raise"), summary_int(d, "raise"),
                     stats_label("donations", "give"), summary_int(d, "give"));
    if (amount10 > 0)
        txt =
            arena_printf(a, "%s，%s%s元", txt, stats_label("donations", "amount"),
                         amount10 % 10 ? arena_printf(a, "%lld.%lld", amount10 / 10, amount10 % 10)
                                       : arena_printf(a, "%lld", amount10 / 10));
    if (summary_int(d, "recipients") > 0)
        txt = arena_printf(a, "%s，%s%lld人", txt, stats_label("donations", "recipients"),
                           summary_int(d, "recipients"));
    summary_para(x, arena_printf(a, "%s，帮助困难群众解决了燃眉之急。", txt));
}

/* The surveys' rates: what residents know and think of the work. */
static void summary_surveys(struct summary *x)
{
    json_t *s = summary_section(x, "surveys");
    if (!s || summary_int(s, "count") == 0)
        return;
    arena *a = summary_arena(x);
    const char *txt = arena_printf(a, "%d年，%s%s%lld次", summary_year(x), summary_all(x),
                                   stats_label("surveys", "count"), summary_int(s, "count"));
    long long ks = summary_int(s, "knowledge_sample"), ss = summary_int(s, "satisfaction_sample");
    if (ks > 0)
        txt = arena_printf(a, "%s，%s%lld人，%s%s", txt, stats_label("surveys", "knowledge_sample"),
                           ks, stats_label("surveys", "knowledge_rate"),
                           summary_pct(x, summary_int(s, "knowledge_yes"), ks));
    if (ss > 0)
        txt = arena_printf(a, "%s，%s%lld人，%s%s", txt,
                           stats_label("surveys", "satisfaction_sample"), ss,
                           stats_label("surveys", "satisfaction_rate"),
                           summary_pct(x, summary_int(s, "satisfaction_yes"), ss));
    summary_para(x, arena_printf(a, "%s。", txt));
}

static const struct summary_part summary[] = {
    {.chapter = "organisation", .rank = 10, .write = summary_organisation, .campaigns = "*"},
    {.chapter = "organisation", .rank = 30, .write = summary_letters, .campaigns = "safe"},
    {.chapter = "problems", .rank = 15, .write = summary_letter_gaps, .campaigns = "safe"},
    {.chapter = "donations", .rank = 10, .write = summary_donations, .campaigns = "civilized"},
    {.chapter = "results", .rank = 50, .write = summary_surveys, .campaigns = "safe"},
};

static const struct entity *const entities[] = {
    &committees, &committee_members, &meetings, &responsibility_letters, &donations, &surveys,
};

const struct module governance_module = {
    .name = "governance",
    .label = "组织机构和责任体系",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .routes = org_coverage_routes,
    .stats = stats,
    .nstats = MODULE_N(stats),
    .summary = summary,
    .nsummary = MODULE_N(summary),
    .demo = org_demo,
    .demo_scale = org_demo_scale,
};
