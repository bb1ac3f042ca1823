/* registries: see registries.h. The declared entities of the registries:
 * each field once, with its label, checks and flags; the generic layer gives
 * them their API, export, import and the console's forms. */
#include "registries.h"

#include <string.h>

#include "entity.h"
#include "report.h"
#include "stats.h"

/* ---- persons ---- */

static const struct field person_fields[] = {
    {.name = "name",
     .label = "姓名",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 50},
    {.name = "sex", .label = "性别", .type = FT_DICT, .flags = FF_FILTER | FF_LIST, .dict = "sex"},
    /* Sensitive: beside the ID number's mask, the clear date would give
     * eight of its digits (docs/security.md, "Masks"). */
    {.name = "birth_date",
     .label = "出生日期",
     .type = FT_SENSITIVE,
     .max_len = 10,
     .dict = "date"},
    {.name = "id_number",
     .label = "身份证号",
     .type = FT_SENSITIVE,
     .flags = FF_LIST | FF_UNIQUE,
     .max_len = 18,
     .dict = "idcard"},
    {.name = "phone",
     .label = "联系电话",
     .type = FT_SENSITIVE,
     .flags = FF_LIST,
     .max_len = 20,
     .dict = "phone"},
    {.name = "address", .label = "现住址", .type = FT_SENSITIVE, .max_len = 100, .dict = "text"},
    {.name = "residence",
     .label = "户籍类别",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "residence"},
    {.name = "hukou", .label = "户籍地", .type = FT_TEXT, .max_len = 100},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

const struct entity reg_persons = {
    .name = "persons",
    .perm = "person",
    .label = "人员",
    .fields = person_fields,
    .nfields = MODULE_N(person_fields),
    .default_sort = "-created_at",
};

/* ---- help-education ---- */

static const struct field help_subject_fields[] = {
    {.name = "person_id",
     .label = "帮教对象",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_CREATE_ONLY,
     .ref = "persons",
     .shown_sql = "SELECT p.name FROM persons p WHERE p.id = t.person_id"},
    {.name = "kind",
     .label = "对象类别",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "registry_kind"},
    {.name = "start_date",
     .label = "建档日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "status",
     .label = "帮教状态",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .dict = "help_status"},
    {.name = "relapsed",
     .label = "曾复吸/重新犯罪",
     .type = FT_BOOL,
     .flags = FF_READONLY | FF_FILTER},
    {.name = "ended_on", .label = "结束日期", .type = FT_DATE, .flags = FF_READONLY},
    {.name = "police_officer",
     .label = "帮教民警",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "village_cadre", .label = "村（社区）干部", .type = FT_TEXT, .max_len = 50},
    {.name = "family_member", .label = "家庭成员", .type = FT_TEXT, .max_len = 50},
    {.name = "employer", .label = "就业单位", .type = FT_TEXT, .max_len = 100},
    {.name = "pact_signed_on", .label = "帮教协议签订日期", .type = FT_DATE},
    {.name = "pact", .label = "帮教协议", .type = FT_FILES, .flags = FF_NOEXPORT | FF_NOIMPORT},
    /* The case notes are personal data: sealed, and a read of the record
     * (its case file) is audited like every record with such a field. */
    {.name = "case_note",
     .label = "帮教情况记录",
     .type = FT_SENSITIVE,
     .flags = FF_MULTILINE,
     .max_len = 2000,
     .dict = "text"},
};

/* The person's name and masked ID number, read at query time (never
 * copied): what the police's list shows. The mask keeps the first three
 * characters and the last; the birth date stays sealed. */
static const struct derived help_subject_derived[] = {
    {.f = {.name = "person_name", .label = "姓名", .type = FT_TEXT, .flags = FF_READONLY | FF_LIST},
     .expr = "(SELECT p.name FROM persons p WHERE p.id = t.person_id)"},
    {.f = {.name = "person_id_number",
           .label = "身份证号",
           .type = FT_TEXT,
           .flags = FF_READONLY | FF_LIST},
     .expr = "(SELECT p.id_number_mask FROM persons p WHERE p.id = t.person_id)"},
};

/* A subject lives where its person lives. */
static int region_of(db_conn *c, const char *table, json_t *id, char *out, size_t n)
{
    if (!json_is_integer(id))
        return 0;
    char sql[160], key[32];
    snprintf(sql, sizeof sql, "SELECT region FROM %s WHERE id = CAST($1 AS INTEGER)", table);
    snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return -1;
    db_bind_text(s, 1, key);
    int found = 0;
    if (db_step(s) == DB_ROW) {
        snprintf(out, n, "%s", db_col_text(s, 0));
        found = 1;
    }
    db_done(s);
    return found;
}

static int help_subject_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)errors;
    if (!json_string_value(json_object_get(obj, "status")))
        json_object_set_new(obj, "status", json_string("in_help"));
    if (!json_is_integer(json_object_get(obj, "relapsed")))
        json_object_set_new(obj, "relapsed", json_integer(0));
    char region[32];
    if (region_of(c, "persons", json_object_get(obj, "person_id"), region, sizeof region) == 1)
        json_object_set_new(obj, "region", json_string(region));
    return 0;
}

const struct entity reg_help_subjects = {
    .name = "help_subjects",
    .perm = "help",
    .label = "帮教对象",
    .fields = help_subject_fields,
    .nfields = MODULE_N(help_subject_fields),
    .default_sort = "-start_date",
    .check = help_subject_check,
    .derived = help_subject_derived,
    .nderived = MODULE_N(help_subject_derived),
    .state_field = "status",
    .initial_state = "in_help",
};

static const struct field help_visit_fields[] = {
    {.name = "subject_id",
     .label = "帮教对象",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .ref = "help_subjects",
     .shown_sql = "SELECT p.name FROM persons p JOIN help_subjects h ON h.person_id = p.id WHERE "
                  "h.id = t.subject_id"},
    {.name = "kind",
     .label = "类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "help_visit_kind"},
    {.name = "planned_on",
     .label = "计划日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "done_on",
     .label = "完成日期",
     .type = FT_DATE,
     .flags = FF_SORT | FF_RANGE | FF_LIST},
    {.name = "worker",
     .label = "走访人",
     .type = FT_TEXT,
     .flags = FF_FILTER | FF_LIST,
     .max_len = 32,
     .shown_sql = "SELECT u.display_name FROM users u WHERE u.username = t.worker"},
    {.name = "test_result",
     .label = "检测结果",
     .type = FT_DICT,
     .flags = FF_FILTER,
     .dict = "drug_test_result"},
    {.name = "note",
     .label = "情况记录",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 1000},
};

static int help_visit_check(db_conn *c, json_t *obj, json_t *errors)
{
    char region[32];
    if (region_of(c, "help_subjects", json_object_get(obj, "subject_id"), region, sizeof region) ==
        1)
        json_object_set_new(obj, "region", json_string(region));
    const char *w = json_string_value(json_object_get(obj, "worker"));
    if (w && *w) {
        if (db_query_int(c, "SELECT count(*) FROM users WHERE username = $1", w, 0) < 1)
            json_object_set_new(errors, "worker", json_string("没有这个用户"));
    }
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    json_t *res = json_object_get(obj, "test_result");
    if (json_string_value(res) && kind && strcmp(kind, "test") != 0)
        json_object_set_new(errors, "test_result", json_string("只有尿检才填写检测结果"));
    const char *done = json_string_value(json_object_get(obj, "done_on"));
    if (json_string_value(res) && !done)
        json_object_set_new(errors, "done_on", json_string("填写检测结果时必须填写完成日期"));
    return 0;
}

/* Not done yet (?pending=true: the tasks still to do), and whom the task
 * is about, read at query time. */
static const struct derived help_visit_derived[] = {
    {.f = {.name = "pending",
           .label = "未完成",
           .type = FT_BOOL,
           .flags = FF_READONLY | FF_FILTER | FF_LIST},
     .expr = "CASE WHEN t.done_on IS NULL THEN 1 ELSE 0 END",
     .if_true = "t.done_on IS NULL",
     .if_false = "t.done_on IS NOT NULL"},
    {.f = {.name = "subject_name", .label = "姓名", .type = FT_TEXT, .flags = FF_READONLY},
     .expr = "(SELECT p.name FROM persons p JOIN help_subjects h ON h.person_id = p.id WHERE "
             "h.id = t.subject_id)"},
};

const struct entity reg_help_visits = {
    .name = "help_visits",
    .perm = "help",
    .label = "帮教走访与检测",
    .fields = help_visit_fields,
    .nfields = MODULE_N(help_visit_fields),
    .default_sort = "-planned_on",
    .check = help_visit_check,
    .derived = help_visit_derived,
    .nderived = MODULE_N(help_visit_derived),
};

/* ---- mediation ---- */

static const struct field committee_fields[] = {
    {.name = "name",
     .label = "调解委员会名称",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_LIST,
     .max_len = 100},
    {.name = "chair",
     .label = "主任",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "members",
     .label = "成员",
     .type = FT_TEXT,
     .flags = FF_SEARCH | FF_MULTILINE,
     .max_len = 1000},
    {.name = "member_count",
     .label = "成员人数",
     .type = FT_INT,
     .flags = FF_LIST | FF_SUM,
     .min = 0,
     .max = 200},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

const struct entity reg_committees = {
    .name = "mediation_committees",
    .perm = "dispute",
    .label = "调解委员会",
    .fields = committee_fields,
    .nfields = MODULE_N(committee_fields),
    .default_sort = "name",
};

static const struct field dispute_fields[] = {
    {.name = "title",
     .label = "纠纷事由",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 100},
    {.name = "type",
     .label = "纠纷类型",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "dispute_type"},
    {.name = "party_kind",
     .label = "当事人类型",
     .type = FT_DICT,
     .flags = FF_FILTER,
     .dict = "party_kind"},
    {.name = "parties",
     .label = "当事人",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH,
     .max_len = 200},
    {.name = "received_on",
     .label = "受理日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "committee_id",
     .label = "调解委员会",
     .type = FT_INT,
     .flags = FF_FILTER,
     .ref = "mediation_committees",
     .shown_sql = "SELECT x.name FROM mediation_committees x WHERE x.id = t.committee_id"},
    {.name = "mediators", .label = "调解员", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 100},
    {.name = "sessions",
     .label = "调解次数",
     .type = FT_INT,
     .min = 0,
     .max = 100,
     .flags = FF_SUM},
    {.name = "session_notes",
     .label = "调解过程",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
    {.name = "result",
     .label = "调解结果",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "mediation_result"},
    {.name = "mediated_on", .label = "调结日期", .type = FT_DATE, .flags = FF_RANGE},
    {.name = "agreement",
     .label = "调解协议内容",
     .type = FT_TEXT,
     .flags = FF_MULTILINE,
     .max_len = 2000},
    {.name = "resolved_in_village",
     .label = "在村（社区）化解",
     .type = FT_BOOL,
     .flags = FF_FILTER | FF_LIST},
    {.name = "held", .label = "协议履行", .type = FT_BOOL, .flags = FF_FILTER},
    {.name = "followed_up_on", .label = "回访日期", .type = FT_DATE},
    {.name = "to_criminal", .label = "民转刑", .type = FT_BOOL, .flags = FF_FILTER | FF_LIST},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static int dispute_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    const char *res = json_string_value(json_object_get(obj, "result"));
    const char *agr = json_string_value(json_object_get(obj, "agreement"));
    if (res && strcmp(res, "agreement") == 0 && (!agr || !*agr))
        json_object_set_new(errors, "agreement", json_string("达成协议时必须填写协议内容"));
    if (json_is_true(json_object_get(obj, "resolved_in_village")) &&
        (!res || strcmp(res, "agreement") != 0))
        json_object_set_new(errors, "resolved_in_village",
                            json_string("只有达成协议的纠纷才算在村化解"));
    if (!json_is_boolean(json_object_get(obj, "resolved_in_village")))
        json_object_set_new(obj, "resolved_in_village", json_false());
    if (!json_is_boolean(json_object_get(obj, "to_criminal")))
        json_object_set_new(obj, "to_criminal", json_false());
    json_t *held = json_object_get(obj, "held");
    if (json_is_boolean(held) && (!res || strcmp(res, "agreement") != 0))
        json_object_set_new(errors, "held", json_string("只有达成协议的纠纷才有协议履行情况"));
    return 0;
}

const struct entity reg_disputes = {
    .name = "disputes",
    .perm = "dispute",
    .label = "矛盾纠纷",
    .fields = dispute_fields,
    .nfields = MODULE_N(dispute_fields),
    .default_sort = "-received_on",
    .check = dispute_check,
};

/* ---- floating population and rental housing ---- */

/* Labels as the police station's ledger heads its columns. */
static const struct field rental_fields[] = {
    {.name = "address",
     .label = "出租房屋地址",
     .type = FT_SENSITIVE,
     .flags = FF_REQUIRED | FF_LIST,
     .max_len = 100,
     .dict = "text"},
    {.name = "landlord",
     .label = "房主姓名",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "landlord_id",
     .label = "房主（人员）",
     .type = FT_INT,
     .flags = FF_FILTER,
     .ref = "persons"},
    {.name = "landlord_phone",
     .label = "房主联系电话",
     .type = FT_SENSITIVE,
     .max_len = 20,
     .dict = "phone"},
    {.name = "rooms",
     .label = "出租间数",
     .type = FT_INT,
     .flags = FF_LIST | FF_SUM,
     .min = 0,
     .max = 500},
    {.name = "fire_check",
     .label = "消防检查",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "check_status"},
    {.name = "gas_check",
     .label = "燃气检查",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "check_status"},
    {.name = "checked_on", .label = "检查日期", .type = FT_DATE, .flags = FF_RANGE},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

const struct entity reg_rental_houses = {
    .name = "rental_houses",
    .perm = "rental",
    .label = "出租房屋",
    .fields = rental_fields,
    .nfields = MODULE_N(rental_fields),
    .default_sort = "-created_at",
};

static const struct field tenant_fields[] = {
    {.name = "house_id",
     .label = "出租房屋编号",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .ref = "rental_houses"},
    {.name = "person_id",
     .label = "承租人（人员编号）",
     .type = FT_INT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .ref = "persons"},
    {.name = "arrived_on",
     .label = "来本地日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "left_on", .label = "离开日期", .type = FT_DATE, .flags = FF_RANGE},
    {.name = "registered_until",
     .label = "居住登记有效期至",
     .type = FT_DATE,
     .flags = FF_SORT | FF_RANGE | FF_LIST},
    {.name = "origin",
     .label = "户籍地（来源地）",
     .type = FT_TEXT,
     .flags = FF_SEARCH,
     .max_len = 100},
    {.name = "work",
     .label = "工作单位及职业",
     .type = FT_TEXT,
     .flags = FF_SEARCH,
     .max_len = 100},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static const struct derived tenant_derived[] = {
    {.f = {.name = "person_name", .label = "姓名", .type = FT_TEXT, .flags = FF_READONLY | FF_LIST},
     .expr = "(SELECT p.name FROM persons p WHERE p.id = t.person_id)"},
    /* Still here, and the registration has lapsed: due for renewal. */
    {.f = {.name = "renewal_overdue",
           .label = "逾期未续签",
           .type = FT_BOOL,
           .flags = FF_READONLY | FF_FILTER | FF_LIST},
     .expr = "CASE WHEN t.left_on IS NULL AND t.registered_until IS NOT NULL AND "
             "t.registered_until < $T THEN 1 ELSE 0 END",
     .if_true = "t.left_on IS NULL AND t.registered_until < $T",
     .if_false = "t.left_on IS NOT NULL OR t.registered_until IS NULL OR t.registered_until >= $T"},
};

static int tenant_check(db_conn *c, json_t *obj, json_t *errors)
{
    char region[32];
    if (region_of(c, "rental_houses", json_object_get(obj, "house_id"), region, sizeof region) == 1)
        json_object_set_new(obj, "region", json_string(region));
    const char *a = json_string_value(json_object_get(obj, "arrived_on"));
    const char *l = json_string_value(json_object_get(obj, "left_on"));
    if (a && l && strcmp(l, a) < 0)
        json_object_set_new(errors, "left_on", json_string("离开日期不能早于来本地日期"));
    return 0;
}

const struct entity reg_tenants = {
    .name = "tenants",
    .perm = "rental",
    .label = "流动人口（承租人）",
    .fields = tenant_fields,
    .nfields = MODULE_N(tenant_fields),
    .default_sort = "-arrived_on",
    .check = tenant_check,
    .derived = tenant_derived,
    .nderived = MODULE_N(tenant_derived),
};

/* ---- dangerous houses ---- */

static const struct field house_fields[] = {
    {.name = "owner",
     .label = "户主姓名",
     .type = FT_TEXT,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST,
     .max_len = 50},
    {.name = "owner_id",
     .label = "户主（人员）",
     .type = FT_INT,
     .flags = FF_FILTER,
     .ref = "persons",
     .shown_sql = "SELECT p.name FROM persons p WHERE p.id = t.owner_id"},
    {.name = "address", .label = "房屋地址", .type = FT_SENSITIVE, .max_len = 100, .dict = "text"},
    {.name = "grade",
     .label = "鉴定等级",
     .type = FT_DICT,
     .flags = FF_REQUIRED | FF_FILTER | FF_LIST,
     .dict = "house_grade"},
    {.name = "appraised_on",
     .label = "鉴定日期",
     .type = FT_DATE,
     .flags = FF_REQUIRED | FF_SORT | FF_RANGE | FF_LIST},
    {.name = "measure",
     .label = "处置措施",
     .type = FT_DICT,
     .flags = FF_FILTER | FF_LIST,
     .dict = "house_measure"},
    {.name = "state",
     .label = "处置状态",
     .type = FT_DICT,
     .flags = FF_READONLY | FF_FILTER | FF_LIST,
     .dict = "house_state"},
    {.name = "closed_on", .label = "销号日期", .type = FT_DATE, .flags = FF_READONLY | FF_RANGE},
    {.name = "note", .label = "备注", .type = FT_TEXT, .flags = FF_MULTILINE, .max_len = 500},
};

static int house_check(db_conn *c, json_t *obj, json_t *errors)
{
    (void)c;
    if (!json_string_value(json_object_get(obj, "state")))
        json_object_set_new(obj, "state", json_string("registered"));
    const char *g = json_string_value(json_object_get(obj, "grade"));
    const char *m = json_string_value(json_object_get(obj, "measure"));
    if (g && (strcmp(g, "C") == 0 || strcmp(g, "D") == 0) && m && strcmp(m, "none") == 0)
        json_object_set_new(errors, "measure", json_string("C级、D级危房必须确定处置措施"));
    return 0;
}

const struct entity reg_dangerous_houses = {
    .name = "dangerous_houses",
    .perm = "house",
    .label = "危房",
    .fields = house_fields,
    .nfields = MODULE_N(house_fields),
    .default_sort = "-appraised_on",
    .check = house_check,
    .state_field = "state",
    .initial_state = "registered",
};

static const struct entity *const entities[] = {
    &reg_persons,  &reg_help_subjects, &reg_help_visits, &reg_committees,
    &reg_disputes, &reg_rental_houses, &reg_tenants,     &reg_dangerous_houses,
};

/* The counts of the help subjects (the figures and the summary's
 * paragraph), without any subject: for the offices that write the
 * drug-free summary. */
static const struct module_perm perms[] = {
    {"help:count", "帮教对象：查看统计数（不含个人信息）"},
};

static const struct stats_section *const stats[] = {&reg_help_stats, &reg_help_visit_stats,
                                                    &reg_dispute_stats, &reg_house_stats};

static const struct summary_part summary[] = {REG_SUMMARY_PARTS};

/* The to-do list (todo.c): help-education visits and tests not done and
 * planned within the week (the late ones too), and tenants whose
 * registration has lapsed. */
static const struct module_todo todos[] = {
    {.key = "help_visits_due",
     .label = "帮教走访与检测到期",
     .perm = "help:write",
     .entity = "help_visits",
     .query = "pending=true&planned_on_to=$T+7&sort=planned_on",
     .title = "{subject_name}（{kind_label}）",
     .due = "planned_on"},
    {.key = "tenants_renewal",
     .label = "流动人口逾期未续签",
     .perm = "rental:write",
     .entity = "tenants",
     .query = "renewal_overdue=true&sort=registered_until",
     .title = "{person_name}",
     .due = "registered_until"},
};

/* The audit log's names of the machines' actions (reg_machine.c, where the
 * buttons take the same words). */
static const struct audit_label audit_labels[] = {
    {AUDIT_ACTION, "help_subjects", "relapse", "复吸/重新犯罪", NULL},
    {AUDIT_ACTION, "help_subjects", "resume", "恢复帮教", NULL},
    {AUDIT_ACTION, "help_subjects", "complete", "帮教期满", NULL},
    {AUDIT_ACTION, "help_subjects", "move_away", "迁出", NULL},
    {AUDIT_ACTION, "help_subjects", "decease", "死亡", NULL},
    {AUDIT_ACTION, "dangerous_houses", "start", "开始处置", NULL},
    {AUDIT_ACTION, "dangerous_houses", "close", "销号", NULL},
};

const struct module registries_module = {
    .name = "registries",
    .label = "人员台账",
    .entities = entities,
    .nentities = MODULE_N(entities),
    .routes = reg_routes,
    .stats = stats,
    .nstats = MODULE_N(stats),
    .summary = summary,
    .nsummary = MODULE_N(summary),
    .check = reg_check,
    .demo = reg_demo,
    .demo_scale = reg_demo_scale,
    .perms = perms,
    .nperms = MODULE_N(perms),
    .todos = todos,
    .ntodos = MODULE_N(todos),
    .audit_labels = audit_labels,
    .naudit_labels = MODULE_N(audit_labels),
};
