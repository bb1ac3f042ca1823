/* Unit tests for the entity layer on a migrated temporary database: list
 * queries (subtree filters that search an index instead of scanning the
 * table, rejected parameters, exact substring search), validation of input
 * by merge_validate, and LIKE escaping. */
#include "harness.h"
#include "../../src/entity.c"
#include "../../src/entity_list.c"
#include "../../src/db_sqlite.c"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/safecomm-entity-XXXXXX";
static db *d;
static db_conn *c;
static arena *A;

static const struct entity *ent(const char *name)
{
    const struct entity *e = entity_find(name);
    if (!e) {
        fprintf(stderr, "no entity %s\n", name);
        abort();
    }
    return e;
}

static struct user *make_user(const char *region)
{
    struct user *u = arena_zalloc(A, sizeof *u);
    u->id = 9;
    u->username = "tester";
    u->role = "county_admin";
    u->region = region;
    u->nperms = 1;
    u->perms = arena_alloc(A, sizeof *u->perms);
    u->perms[0] = "*";
    region_subtree(region, u->scope_lo, u->scope_hi);
    return u;
}

static void seed_regions(void)
{
    static const char *rows[][3] = {
        {"510000000000", "四川省", "province"},   {"511600000000", "广安市", "city"},
        {"511621000000", "岳池县", "county"},     {"511622000000", "武胜县", "county"},
        {"511621101000", "九龙街道", "township"}, {"511621102000", "朝阳街道", "township"},
        {"511622101000", "沿口镇", "township"},   {"511621101001", "翠湖社区", "village"},
        {"511621101002", "龙南社区", "village"},  {"511621102001", "长乐社区", "village"},
        {"511622101001", "新街社区", "village"},  {"511621101001-01", "一网格", "grid"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char parent[REGION_CODE_MAX];
        int has_parent = region_parent_of(rows[i][0], parent) == 0;
        const char *p[] = {rows[i][0], rows[i][1], rows[i][2], has_parent ? parent : NULL};
        bad += db_exec_params(c,
                              "INSERT INTO regions (code, name, level, parent, created_at, "
                              "updated_at) VALUES ($1, $2, $3, $4, 'x', 'x')",
                              4, p) != DB_OK;
    }
    CHECK_INT(bad, 0);
}

/* ---- (a) list queries ---- */

static int build(const struct user *u, const struct entity *e, int n, const char *const *k,
                 const char *const *v, struct query *q)
{
    return entity_list_query_build(A, c, u, e, n, k, v, q);
}

/* 1 when text is one of the bound values. */
static int bound(const struct binds *b, const char *text)
{
    for (int i = 0; i < b->n; i++)
        if (b->v[i].t == DB_T_TEXT && strcmp(b->v[i].s, text) == 0)
            return 1;
    return 0;
}

/* The SELECT of h_list for q. */
static char *list_sql(const struct entity *e, struct query *q, int count)
{
    buf sql;
    buf_init(&sql, ENTITY_SQL_CAP);
    if (count) {
        buf_puts(&sql, "SELECT count(*)");
        entity_from_clause(e, &sql);
        buf_puts(&sql, buf_str(&q->sql_where));
    } else {
        buf_puts(&sql, "SELECT ");
        entity_select_cols(e, &sql, q->today_n);
        entity_from_clause(e, &sql);
        buf_printf(&sql, "%s ORDER BY %s LIMIT 500", buf_str(&q->sql_where), buf_str(&q->order));
    }
    return buf_detach(&sql, NULL);
}

/* EXPLAIN QUERY PLAN details, one per line. */
static char *plan_of(const char *sql, const struct binds *b)
{
    char *eqp = xasprintf("EXPLAIN QUERY PLAN %s", sql);
    db_stmt *s = db_prepare(c, eqp);
    free(eqp);
    buf out;
    buf_init(&out, 1 << 16);
    if (!s)
        return buf_detach(&out, NULL);
    entity_binds_apply(s, b);
    while (db_step(s) == DB_ROW)
        buf_printf(&out, "%s\n", db_col_text(s, 3));
    db_done(s);
    return buf_detach(&out, NULL);
}

/* 1 when a plan line reads the whole table t (SCAN t, with or without an index). */
static int scans_t(const char *plan)
{
    for (const char *p = plan; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n >= 6 && strncmp(p, "SCAN t", 6) == 0 && (n == 6 || p[6] == ' '))
            return 1;
        p += n + (nl ? 1 : 0);
    }
    return 0;
}

/* Rows the statement of sql reads: VM steps and full-scan steps. */
static void cost_of(const char *sql, const struct binds *b, int *vm_steps, int *scan_steps)
{
    db_stmt *s = db_prepare(c, sql);
    *vm_steps = *scan_steps = -1;
    if (!s)
        return;
    entity_binds_apply(s, b);
    sqlite3_stmt_status(ST(s)->st, SQLITE_STMTSTATUS_VM_STEP, 1);
    sqlite3_stmt_status(ST(s)->st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
    while (db_step(s) == DB_ROW)
        ;
    *vm_steps = sqlite3_stmt_status(ST(s)->st, SQLITE_STMTSTATUS_VM_STEP, 0);
    *scan_steps = sqlite3_stmt_status(ST(s)->st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    db_done(s);
}

/* Ids returned by the list query, as a bit mask. */
static unsigned run_ids(const struct entity *e, struct query *q)
{
    char *sql = list_sql(e, q, 0);
    db_stmt *s = db_prepare(c, sql);
    free(sql);
    if (!s)
        return 0xFFFFFFFFu;
    entity_binds_apply(s, &q->b);
    unsigned m = 0;
    int st;
    while ((st = db_step(s)) == DB_ROW)
        m |= 1u << db_col_int(s, 0);
    db_done(s);
    return st == DB_DONE ? m : 0xFFFFFFFFu;
}

static int64_t insert_volunteer(const struct user *u, const char *name, const char *region,
                                const char *gender, double hours, const char *skills)
{
    json_t *in = json_pack("{s:s, s:s, s:f}", "name", name, "region", region, "hours", hours);
    if (gender)
        json_object_set_new(in, "gender", json_string(gender));
    if (skills)
        json_object_set_new(in, "skills", json_string(skills));
    json_t *errors = json_object();
    const struct entity *e = ent("volunteers");
    json_t *obj = merge_validate(A, c, dict_cache_new(A, c), u, e, in, NULL, errors);
    int64_t id = -1;
    if (json_object_size(errors) == 0 && entity_row_insert(c, A, u, e, obj, &id) != DB_OK)
        id = -1;
    json_decref(obj);
    json_decref(errors);
    json_decref(in);
    return id;
}

static void test_list_queries(void)
{
    struct user *sys = auth_system_user(A);
    const struct entity *vol = ent("volunteers");
    /* ids 1..8 */
    int64_t ids[8];
    ids[0] = insert_volunteer(sys, "张三", "511621101001", "1", 10, "消防");
    ids[1] = insert_volunteer(sys, "李四", "511621101001-01", "2", 20, NULL);
    ids[2] = insert_volunteer(sys, "张三丰", "511621101002", "1", 30, "急救");
    ids[3] = insert_volunteer(sys, "王五", "511621102001", "1", 40, "消防演练");
    ids[4] = insert_volunteer(sys, "赵六", "511622101001", "1", 50, NULL);
    ids[5] = insert_volunteer(sys, "张老三", "511621101000", "2", 60, NULL);
    ids[6] = insert_volunteer(sys, "50%_off\\", "511621101001", NULL, 5, NULL);
    ids[7] = insert_volunteer(sys, "孙七", "511621000000", "1", 70, "张");
    int bad = 0;
    for (int i = 0; i < 8; i++)
        bad += ids[i] != i + 1;
    CHECK_INT(bad, 0);

    struct user *county = make_user("511621000000");
    struct query q;
    const char *k1[] = {"region", "q", "sort", "gender"};
    const char *v1[] = {"511621101000", "张", "-hours", "1"};
    CHECK_INT(build(county, vol, 4, k1, v1, &q), 0);
    /* the township's range is bound as the bounds of t.region */
    CHECK(strstr(buf_str(&q.sql_where), "t.region >= $") != NULL);
    CHECK(bound(&q.b, "511621101"));
    CHECK(bound(&q.b, "511621101:"));
    CHECK(bound(&q.b, "1"));
    CHECK(strstr(buf_str(&q.sql_where), "volunteers_fts MATCH") != NULL);
    CHECK_STR(buf_str(&q.order), "t.hours DESC, t.id");
    CHECK_INT(q.page, 1);
    CHECK_INT(q.page_size, 20);
    for (int count = 0; count <= 1; count++) {
        char *sql = list_sql(vol, &q, count);
        char *plan = plan_of(sql, &q.b);
        CHECK(strlen(plan) > 0);
        CHECK(!scans_t(plan));
        CHECK(strstr(plan, "SEARCH t ") != NULL);
        free(plan);
        free(sql);
    }
    /* the rows: in the township 511621101, gender 1, name or skills with 张 */
    CHECK_INT(run_ids(vol, &q), (1u << 1) | (1u << 3));
    entity_list_query_free(&q);

    /* the region filter alone */
    const char *k2[] = {"region"};
    const char *v2[] = {"511621101001"};
    CHECK_INT(build(county, vol, 1, k2, v2, &q), 0);
    {
        char *sql = list_sql(vol, &q, 0);
        char *plan = plan_of(sql, &q.b);
        CHECK(!scans_t(plan));
        CHECK(strstr(plan, "volunteers_region") != NULL);
        free(plan);
        free(sql);
    }
    CHECK_INT(run_ids(vol, &q), (1u << 1) | (1u << 2) | (1u << 7));
    entity_list_query_free(&q);
    /* the caller's scope alone: a village user sees the village */
    struct user *village = make_user("511621101001");
    CHECK_INT(build(village, vol, 0, NULL, NULL, &q), 0);
    CHECK_INT(run_ids(vol, &q), (1u << 1) | (1u << 2) | (1u << 7));
    {
        char *sql = list_sql(vol, &q, 1);
        char *plan = plan_of(sql, &q.b);
        CHECK(!scans_t(plan));
        free(plan);
        free(sql);
    }
    entity_list_query_free(&q);
    /* a filter outside the scope finds nothing */
    const char *v3[] = {"511622000000"};
    CHECK_INT(build(county, vol, 1, k2, v3, &q), 0);
    CHECK_INT(run_ids(vol, &q), 0);
    entity_list_query_free(&q);
    /* search is an exact substring match, wildcards included */
    const char *k4[] = {"q"};
    const char *v4[] = {"张三"};
    CHECK_INT(build(sys, vol, 1, k4, v4, &q), 0);
    CHECK_INT(run_ids(vol, &q), (1u << 1) | (1u << 3));
    entity_list_query_free(&q);
    const char *v5[] = {"%_"};
    CHECK_INT(build(sys, vol, 1, k4, v5, &q), 0);
    CHECK_INT(run_ids(vol, &q), 1u << 7);
    entity_list_query_free(&q);
    const char *v6[] = {"消防"};
    CHECK_INT(build(sys, vol, 1, k4, v6, &q), 0);
    CHECK_INT(run_ids(vol, &q), (1u << 1) | (1u << 4));
    entity_list_query_free(&q);
}

/* With many rows elsewhere in the caller's county, a subtree query reads
 * about its own rows: the index range searched is the narrower of the
 * filter's and the caller's subtree, not the whole scope. */
static void test_subtree_cost(void)
{
    const struct entity *vol = ent("volunteers");
    CHECK_INT(db_exec_script(c, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                                "WHERE x < 4000) INSERT INTO volunteers (region, created_at, "
                                "updated_at, name, hours) SELECT '511621102001', 'x', 'x', "
                                "'某' || x, x % 100 FROM n"),
              DB_OK);
    struct user *sys = auth_system_user(A);
    struct user *county = make_user("511621000000");
    struct query q;
    int vm_all, scan_all, vm, scan;
    CHECK_INT(build(sys, vol, 0, NULL, NULL, &q), 0);
    char *sql = list_sql(vol, &q, 1);
    cost_of(sql, &q.b, &vm_all, &scan_all);
    free(sql);
    entity_list_query_free(&q);
    CHECK(vm_all > 4000);

    const char *k[] = {"region", "sort"};
    const char *v[] = {"511621101001", "-hours"};
    const struct user *users[] = {sys, county};
    for (int i = 0; i < 2; i++)
        for (int count = 0; count <= 1; count++) {
            CHECK_INT(build(users[i], vol, 2, k, v, &q), 0);
            sql = list_sql(vol, &q, count);
            cost_of(sql, &q.b, &vm, &scan);
            if (vm < 0 || vm * 20 > vm_all || scan != 0)
                fprintf(stderr, "%s: %d VM steps (%d for all), %d scan steps\n", sql, vm, vm_all,
                        scan);
            CHECK(vm >= 0 && vm * 20 < vm_all);
            CHECK_INT(scan, 0);
            free(sql);
            entity_list_query_free(&q);
        }
    /* the caller's scope alone */
    struct user *village = make_user("511621101001");
    CHECK_INT(build(village, vol, 0, NULL, NULL, &q), 0);
    sql = list_sql(vol, &q, 1);
    cost_of(sql, &q.b, &vm, &scan);
    CHECK(vm >= 0 && vm * 20 < vm_all);
    CHECK_INT(scan, 0);
    free(sql);
    entity_list_query_free(&q);
}

/* ---- (b) rejected parameters ---- */

/* query_build with one parameter: NULL when accepted, else the err_key. */
static const char *reject_key(const char *entity, const char *k, const char *v)
{
    struct user *sys = auth_system_user(A);
    struct query q;
    const char *keys[] = {k}, *values[] = {v};
    int rc = build(sys, ent(entity), 1, keys, values, &q);
    const char *key = rc == 0 ? NULL : q.err_key ? q.err_key : "(no err_key)";
    if (rc != 0 && !q.err_msg)
        key = "(no err_msg)";
    entity_list_query_free(&q);
    return key;
}

static void check_rejected(const char *entity, const char *k, const char *v, const char *want)
{
    const char *got = reject_key(entity, k, v);
    if (want) {
        CHECK_STR(got, want);
    } else {
        if (got)
            fprintf(stderr, "%s: %s=%s rejected as %s\n", entity, k, v, got);
        CHECK(got == NULL);
    }
}

static void test_rejections(void)
{
    check_rejected("volunteers", "foo", "1", "foo");
    check_rejected("volunteers", "created_by", "x", "created_by");
    check_rejected("volunteers", "sort", "-bogus", "sort");
    check_rejected("volunteers", "sort", "phone", "sort"); /* not a sort key */
    check_rejected("volunteers", "sort", "name,-hours,id,created_at,updated_at", "sort");
    check_rejected("volunteers", "sort", "-hours,name", NULL);
    check_rejected("volunteers", "page_size", "0", "page_size");
    check_rejected("volunteers", "page_size", "501", "page_size");
    check_rejected("volunteers", "page_size", "abc", "page_size");
    check_rejected("volunteers", "page_size", "10x", "page_size");
    check_rejected("volunteers", "page_size", "-5", "page_size");
    check_rejected("volunteers", "page_size", "", "page_size");
    check_rejected("volunteers", "page_size", "99999999999999999999", "page_size");
    check_rejected("volunteers", "page_size", "500", NULL);
    check_rejected("volunteers", "page", "0", "page");
    check_rejected("volunteers", "page", "2", NULL);
    check_rejected("volunteers", "region", "5116", "region");
    check_rejected("volunteers", "region", "511621101000-01", "region");
    check_rejected("volunteers", "gender_from", "1", "gender_from"); /* no range */
    check_rejected("volunteers", "hours", "5", "hours");             /* not a filter */
    check_rejected("volunteers", "name", "张三", "name");            /* free text */
    check_rejected("volunteers", "birth_date", "2025-02-30", "birth_date");
    check_rejected("volunteers", "birth_date_from", "2025-13-01", "birth_date_from");
    check_rejected("volunteers", "joined_on_to", "2025-01-01", NULL);
    {
        /* a key longer than any field name, ending in _to or _from: once a
         * write past a stack buffer (found by fuzz_list_query) */
        char key[300];
        memset(key, 'i', sizeof key);
        strcpy(key + 200, "found_at_to");
        check_rejected("hazards", key, "2025-01-01", key);
        strcpy(key + 200, "birth_date_from");
        check_rejected("volunteers", key, "2025-01-01", key);
        key[95] = '\0';
        check_rejected("volunteers", key, "1", key);
    }
    check_rejected("volunteers", "gender", "1", NULL);
    check_rejected("volunteers", "team_id", "7", NULL);
    check_rejected("volunteers", "team_id", "一队", "team_id");
    check_rejected("volunteers", "q", "\xff\xfe", "q");
    check_rejected("volunteers", "gender", "\xc0\x80", "gender");
    check_rejected("activities", "participants", "abc", "participants");
    check_rejected("activities", "participants", "10", NULL);
    check_rejected("activities", "held_on_from", "2025-01-01", NULL);
    check_rejected("regions", "region", "511621000000", "region");
    check_rejected("regions", "level", "county", NULL);
    check_rejected("regions", "population_from", "1", "population_from");

    /* accepted values land in the query */
    struct user *sys = auth_system_user(A);
    struct query q;
    const char *k[] = {"page", "page_size", "joined_on_from", "gender"};
    const char *v[] = {"3", "50", "2025-01-01", "2"};
    CHECK_INT(build(sys, ent("volunteers"), 4, k, v, &q), 0);
    CHECK_INT(q.page, 3);
    CHECK_INT(q.page_size, 50);
    CHECK(strstr(buf_str(&q.sql_where), " AND t.joined_on >= $") != NULL);
    CHECK(strstr(buf_str(&q.sql_where), " AND t.gender = $") != NULL);
    CHECK(bound(&q.b, "2025-01-01"));
    CHECK(bound(&q.b, "2"));
    CHECK_STR(buf_str(&q.order), "t.created_at DESC, t.id"); /* the default sort */
    entity_list_query_free(&q);
    CHECK_INT(build(sys, ent("activities"), 0, NULL, NULL, &q), 0);
    CHECK_STR(buf_str(&q.order), "t.held_on DESC, t.id");
    entity_list_query_free(&q);
}

/* ---- (c) merge_validate ---- */

static int check_calls;

static int gadget_check(db_conn *conn, json_t *obj, json_t *errors)
{
    (void)conn;
    check_calls++;
    if (json_integer_value(json_object_get(obj, "count")) == 13)
        json_object_set_new(errors, "count", json_string("不吉利"));
    return 0;
}

static const struct field gadget_fields[] = {
    {.name = "label", .label = "名称", .type = FT_TEXT, .flags = FF_REQUIRED},
    {.name = "count", .label = "数量", .type = FT_INT},
    {.name = "ratio", .label = "比例", .type = FT_NUM, .min = -1, .max = 1},
    {.name = "active", .label = "启用", .type = FT_BOOL},
    {.name = "at", .label = "时间", .type = FT_DATETIME},
    {.name = "computed", .label = "计算值", .type = FT_INT, .flags = FF_READONLY},
};

static const struct entity gadgets = {
    .name = "gadgets",
    .perm = "gadget",
    .label = "测试",
    .fields = gadget_fields,
    .nfields = 6,
    .default_sort = "-created_at",
    .check = gadget_check,
};

static json_t *validate(const struct user *u, const struct entity *e, const char *input,
                        json_t *existing, json_t **obj_out)
{
    json_error_t jerr;
    json_t *in = json_loads(input, 0, &jerr);
    if (!in) {
        fprintf(stderr, "bad test JSON %s: %s\n", input, jerr.text);
        abort();
    }
    json_t *errors = json_object();
    json_t *obj = merge_validate(A, c, dict_cache_new(A, c), u, e, in, existing, errors);
    json_decref(in);
    if (obj_out)
        *obj_out = obj;
    else
        json_decref(obj);
    return errors;
}

/* The error of field for input ("" when none), and no other field's error
 * unless others is set. */
static void check_err(const struct user *u, const struct entity *e, const char *input,
                      const char *field, const char *want)
{
    json_t *errors = validate(u, e, input, NULL, NULL);
    const char *got = json_string_value(json_object_get(errors, field));
    if (!want) {
        if (json_object_size(errors)) {
            char *dump = json_dumps(errors, JSON_ENSURE_ASCII);
            fprintf(stderr, "%s: unexpected errors %s\n", input, dump);
            free(dump);
        }
        CHECK_INT(json_object_size(errors), 0);
    } else {
        CHECK_STR(got ? got : "", want);
        if (json_object_size(errors) != 1) {
            char *dump = json_dumps(errors, JSON_ENSURE_ASCII);
            fprintf(stderr, "%s: errors %s\n", input, dump);
            free(dump);
        }
        CHECK_INT(json_object_size(errors), 1);
    }
    json_decref(errors);
}

#define OUT_OF_SCOPE "区域不存在或不在您的管辖范围内"
#define READ_ONLY    "只读字段，不能修改"
#define BAD_DATE     "必须是有效日期（YYYY-MM-DD）"
#define BAD_OPTION   "不是有效的选项"

static void test_validate(void)
{
    struct user *u = make_user("511621000000");
    const struct entity *vol = ent("volunteers"), *reg = ent("regions"), *act = ent("activities");
#define R ",\"region\":\"511621101001\"}"
    check_err(u, vol, "{\"name\":\"张三\"" R, NULL, NULL);
    /* unknown and read-only keys */
    check_err(u, vol, "{\"name\":\"张三\",\"foo\":1" R, "foo", "未知字段");
    check_err(u, vol, "{\"name\":\"张三\",\"id\":5" R, "id", READ_ONLY);
    check_err(u, vol, "{\"name\":\"张三\",\"created_at\":\"x\"" R, "created_at", READ_ONLY);
    check_err(u, vol, "{\"name\":\"张三\",\"region_name\":\"x\"" R, "region_name", READ_ONLY);
    check_err(u, vol, "{\"name\":\"张三\",\"gender_label\":\"男\"" R, "gender_label", READ_ONLY);
    check_err(u, vol, "{\"name\":\"张三\",\"name_label\":\"x\"" R, "name_label", "未知字段");
    /* required */
    json_t *errors = validate(u, vol, "{}", NULL, NULL);
    CHECK_STR(json_string_value(json_object_get(errors, "name")), "必填");
    CHECK_STR(json_string_value(json_object_get(errors, "region")), "必填");
    CHECK_INT(json_object_size(errors), 2);
    json_decref(errors);
    check_err(u, vol, "{\"name\":\"\"" R, "name", "必填");
    check_err(u, vol, "{\"name\":null" R, "name", "必填");
    /* types and lengths */
    check_err(u, vol, "{\"name\":5" R, "name", "必须是文本");
    check_err(u, vol, "{\"name\":[\"a\"]" R, "name", "必须是文本");
    check_err(u, vol,
              "{\"name\":\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
              "一二三四五六七八九十一二三四五六七八九十一\"" R,
              "name", "长度不能超过 50 个字");
    check_err(u, vol,
              "{\"name\":\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
              "一二三四五六七八九十一二三四五六七八九十\"" R,
              NULL, NULL);
    check_err(u, vol, "{\"name\":\"a\",\"hours\":\"abc\"" R, "hours", "必须是数字");
    check_err(u, vol, "{\"name\":\"a\",\"hours\":true" R, "hours", "必须是数字");
    check_err(u, vol, "{\"name\":\"a\",\"hours\":-1" R, "hours", "必须在 0 到 100000 之间");
    check_err(u, vol, "{\"name\":\"a\",\"hours\":100000.5" R, "hours", "必须在 0 到 100000 之间");
    check_err(u, vol, "{\"name\":\"a\",\"hours\":100000" R, NULL, NULL);
    check_err(u, vol, "{\"name\":\"a\",\"hours\":0" R, NULL, NULL);
    check_err(u, vol, "{\"name\":\"a\",\"hours\":12.5" R, NULL, NULL);
    /* dates */
    check_err(u, vol, "{\"name\":\"a\",\"birth_date\":\"2025-02-30\"" R, "birth_date", BAD_DATE);
    check_err(u, vol, "{\"name\":\"a\",\"birth_date\":\"2025-2-1\"" R, "birth_date", BAD_DATE);
    check_err(u, vol, "{\"name\":\"a\",\"birth_date\":20250101" R, "birth_date", BAD_DATE);
    check_err(u, vol, "{\"name\":\"a\",\"birth_date\":\"2024-02-29\"" R, NULL, NULL);
    /* dictionary codes */
    check_err(u, vol, "{\"name\":\"a\",\"gender\":\"3\"" R, "gender", BAD_OPTION);
    check_err(u, vol, "{\"name\":\"a\",\"gender\":1" R, "gender", BAD_OPTION);
    check_err(u, vol, "{\"name\":\"a\",\"gender\":\"男\"" R, "gender", BAD_OPTION);
    check_err(u, vol, "{\"name\":\"a\",\"gender\":\"2\"" R, NULL, NULL);
    json_t *obj = NULL;
    errors = validate(u, vol, "{\"name\":\"a\",\"gender\":\"\"" R, NULL, &obj);
    CHECK_INT(json_object_size(errors), 0);
    CHECK(json_is_null(json_object_get(obj, "gender"))); /* empty is no value */
    CHECK_STR(json_string_value(json_object_get(obj, "name")), "a");
    json_decref(obj);
    json_decref(errors);
    /* regions: format, existence, scope */
    check_err(u, vol, "{\"name\":\"a\",\"region\":\"511622101001\"}", "region", OUT_OF_SCOPE);
    check_err(u, vol, "{\"name\":\"a\",\"region\":\"510000000000\"}", "region", OUT_OF_SCOPE);
    check_err(u, vol, "{\"name\":\"a\",\"region\":\"511621101003\"}", "region", OUT_OF_SCOPE);
    check_err(u, vol, "{\"name\":\"a\",\"region\":\"123\"}", "region", "必须是有效的区域代码");
    check_err(u, vol, "{\"name\":\"a\",\"region\":511621101001}", "region", "必须是有效的区域代码");
    check_err(u, vol, "{\"name\":\"a\",\"region\":\"511621101001-01\"}", NULL, NULL);
    check_err(u, vol, "{\"name\":\"a\",\"region\":\"511621000000\"}", NULL, NULL);
    /* activities: required dictionary and date */
    errors = validate(u, act, "{\"title\":\"演练\"" R, NULL, NULL);
    CHECK_STR(json_string_value(json_object_get(errors, "kind")), "必填");
    CHECK_STR(json_string_value(json_object_get(errors, "held_on")), "必填");
    CHECK_INT(json_object_size(errors), 2);
    json_decref(errors);
    check_err(u, act, "{\"title\":\"演练\",\"kind\":\"drill\",\"held_on\":\"2025-06-01\"" R, NULL,
              NULL);
    check_err(u, act, "{\"title\":\"演练\",\"kind\":\"bogus\",\"held_on\":\"2025-06-01\"" R, "kind",
              BAD_OPTION);
    check_err(u, act,
              "{\"title\":\"演练\",\"kind\":\"drill\",\"held_on\":\"2025-06-01\","
              "\"participants\":1.5" R,
              "participants", "必须是整数");
#undef R

    /* the region table: level and parent follow from the code */
    errors = validate(u, reg, "{\"code\":\"511621101003\",\"name\":\"新村\"}", NULL, &obj);
    CHECK_INT(json_object_size(errors), 0);
    CHECK_STR(json_string_value(json_object_get(obj, "level")), "village");
    CHECK_STR(json_string_value(json_object_get(obj, "parent")), "511621101000");
    json_decref(obj);
    json_decref(errors);
    check_err(u, reg, "{\"code\":\"511621103001\",\"name\":\"x\"}", "code",
              "上级区域不存在，请先创建上级区域");
    check_err(u, reg, "{\"code\":\"511622101002\",\"name\":\"x\"}", "code", OUT_OF_SCOPE);
    check_err(u, reg, "{\"code\":\"511621101003\",\"name\":\"x\",\"level\":\"village\"}", "level",
              READ_ONLY);
    check_err(u, reg, "{\"code\":\"511621101003\",\"name\":\"x\",\"population\":1.5}", "population",
              "必须是整数");
    check_err(u, reg, "{\"code\":\"511621101003\",\"name\":\"x\",\"population\":\"9\"}",
              "population", "必须是整数");
    check_err(u, reg, "{\"code\":\"511621101003\",\"name\":\"x\",\"population_year\":1948}",
              "population_year", "必须在 1949 到 2100 之间");
    errors = validate(u, reg, "{\"code\":\"5116211010\",\"name\":\"x\"}", NULL, NULL);
    CHECK(json_object_get(errors, "code") != NULL);
    json_decref(errors);
    /* a PATCH may repeat the code but not change it */
    json_t *existing = json_pack("{s:s, s:s, s:s, s:s}", "code", "511621101001", "name", "翠湖社区",
                                 "level", "village", "parent", "511621101000");
    errors = validate(u, reg, "{\"code\":\"511621101002\"}", existing, NULL);
    CHECK_STR(json_string_value(json_object_get(errors, "code")), "创建后不能修改");
    json_decref(errors);
    errors = validate(u, reg, "{\"code\":\"511621101001\",\"name\":\"新名\"}", existing, &obj);
    CHECK_INT(json_object_size(errors), 0);
    CHECK_STR(json_string_value(json_object_get(obj, "name")), "新名");
    json_decref(obj);
    json_decref(errors);
    json_decref(existing);

    /* every other type, and the check hook */
#define G ",\"region\":\"511621101001\"}"
    check_calls = 0;
    check_err(u, &gadgets,
              "{\"label\":\"x\",\"active\":true,\"at\":\"2025-03-05T09:30:00+08:00\"" G, NULL,
              NULL);
    CHECK_INT(check_calls, 1);
    check_err(u, &gadgets, "{\"label\":\"x\",\"active\":\"true\"" G, "active",
              "必须是 true 或 false");
    check_err(u, &gadgets, "{\"label\":\"x\",\"active\":1" G, "active", "必须是 true 或 false");
    check_err(u, &gadgets, "{\"label\":\"x\",\"at\":\"2025-03-05T09:30:00\"" G, "at",
              "必须是带时区的时间（如 2025-03-05T09:30:00+08:00）");
    check_err(u, &gadgets, "{\"label\":\"x\",\"at\":\"2025-03-05\"" G, "at",
              "必须是带时区的时间（如 2025-03-05T09:30:00+08:00）");
    CHECK_INT(check_calls, 1); /* not called when a field is already wrong */
    check_err(u, &gadgets, "{\"label\":\"x\",\"count\":-99999999" G, NULL, NULL);
    check_err(u, &gadgets, "{\"label\":\"x\",\"count\":2.0" G, "count", "必须是整数");
    check_err(u, &gadgets, "{\"label\":\"x\",\"count\":13" G, "count", "不吉利");
    check_err(u, &gadgets, "{\"label\":\"x\",\"ratio\":-1" G, NULL, NULL);
    check_err(u, &gadgets, "{\"label\":\"x\",\"ratio\":1.01" G, "ratio", "必须在 -1 到 1 之间");
    check_err(u, &gadgets, "{\"label\":\"x\",\"computed\":1" G, "computed", READ_ONLY);
    /* the default text limit is 200 code points */
    buf long_label;
    buf_init(&long_label, 1 << 16);
    buf_puts(&long_label, "{\"label\":\"");
    for (int i = 0; i < 201; i++)
        buf_puts(&long_label, "字");
    buf_puts(&long_label, "\"" G);
    check_err(u, &gadgets, buf_str(&long_label), "label", "长度不能超过 200 个字");
    buf_free(&long_label);
#undef G
}

/* Ledger columns (FF_IMPORT): read-only for the API, set by an import and
 * then checked by the hazards' rules; overdue filters as a plain predicate. */
static json_t *validate_import(const struct user *u, const char *input)
{
    json_t *in = json_loads(input, 0, NULL);
    if (!in)
        abort();
    json_t *errors = json_object();
    json_decref(
        entity_merge_validate(A, c, dict_cache_new(A, c), u, ent("hazards"), in, NULL, errors, 1));
    json_decref(in);
    return errors;
}

static void test_ledger_columns(void)
{
    struct user *u = make_user("511621000000");
    const struct entity *hz = ent("hazards");
#define H                                                                                          \
    "{\"title\":\"t\",\"domain\":\"fire\",\"grade\":\"general\",\"found_at\":\"2025-03-01\","      \
    "\"region\":\"511621101001\""
    check_err(u, hz, H "}", NULL, NULL);
    check_err(u, hz, H ",\"state\":\"closed\"}", "state", READ_ONLY);
    check_err(u, hz, H ",\"deadline\":\"2025-04-01\"}", "deadline", READ_ONLY);
    json_t *e = validate_import(u, H ",\"state\":\"rectifying\",\"deadline\":\"2025-04-01\","
                                     "\"notice_no\":\"x\"}");
    CHECK_INT(json_object_size(e), 0);
    json_decref(e);
    e = validate_import(u, H ",\"state\":\"rectifying\"}");
    CHECK_INT(json_object_get(e, "notice_no") != NULL, 1);
    CHECK_INT(json_object_get(e, "deadline") != NULL, 1);
    CHECK_INT(json_object_size(e), 2);
    json_decref(e);
    e = validate_import(u, H ",\"state\":\"flying\"}");
    CHECK_STR(json_string_value(json_object_get(e, "state")), BAD_OPTION);
    json_decref(e);
    e = validate_import(u, H ",\"state\":\"closed\",\"deadline\":\"2025-04-01\","
                             "\"notice_no\":\"x\"}");
    CHECK_INT(json_object_get(e, "closed_on") != NULL, 1);
    json_decref(e);
    e = validate_import(u, H ",\"deadline\":\"2025-02-30\"}");
    CHECK_STR(json_string_value(json_object_get(e, "deadline")), BAD_DATE);
    json_decref(e);
    e = validate_import(u, H ",\"overdue\":true}");
    CHECK_STR(json_string_value(json_object_get(e, "overdue")), "未知字段");
    json_decref(e);
#undef H
    const char *keys[] = {"overdue"}, *vt[] = {"true"}, *vf[] = {"false"};
    struct query q;
    CHECK_INT(entity_list_query_build(A, c, u, hz, 1, keys, vt, &q), 0);
    CHECK_INT(strstr(buf_str(&q.sql_where),
                     "t.state <> 'closed' AND t.state <> 'awaiting_acceptance' AND "
                     "t.deadline < $3") != NULL,
              1);
    CHECK_INT(strstr(buf_str(&q.sql_where), "CASE") == NULL, 1);
    entity_list_query_free(&q);
    CHECK_INT(entity_list_query_build(A, c, u, hz, 1, keys, vf, &q), 0);
    CHECK_INT(strstr(buf_str(&q.sql_where),
                     "t.state = 'closed' OR t.state = 'awaiting_acceptance' OR t.deadline IS "
                     "NULL OR t.deadline >= $3") != NULL,
              1);
    entity_list_query_free(&q);
}

/* ---- (d) LIKE patterns ---- */

static void test_like_pattern(void)
{
    CHECK_STR(like_pattern(A, "abc"), "%abc%");
    CHECK_STR(like_pattern(A, ""), "%%");
    CHECK_STR(like_pattern(A, "张三"), "%张三%");
    CHECK_STR(like_pattern(A, "50%_off\\"), "%50\\%\\_off\\\\%");
    CHECK_STR(like_pattern(A, "%%"), "%\\%\\%%");
    /* and SQLite reads them back as literal text */
    const char *sql = "SELECT $1 LIKE $2 ESCAPE '\\'";
    static const char *pairs[][3] = {
        {"a50%_off\\b", "50%_off\\", "1"},
        {"a50xxoff\\b", "50%_off\\", "0"},
        {"abc", "%", "0"},
        {"a%c", "%", "1"},
        {"ab", "_", "0"},
        {"a_", "_", "1"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        db_stmt *s = db_prepare(c, sql);
        db_bind_text(s, 1, pairs[i][0]);
        db_bind_text(s, 2, like_pattern(A, pairs[i][1]));
        CHECK_INT(db_step(s), DB_ROW);
        CHECK_INT(db_col_int(s, 0), atoi(pairs[i][2]));
        db_done(s);
    }
}

/* The declarations of the hardening rules: every reference names a plain
 * entity of the registry and is an int (ref_target aborts otherwise, so a
 * typo must fail here, not at a user's write); every state machine names
 * a declared field; the hazards declare both. */
static void test_declared_rules(void)
{
    for (int i = 0; i < entity_count(); i++) {
        const struct entity *e = entity_at(i);
        for (int k = 0; k < e->nfields; k++) {
            const struct field *f = &e->fields[k];
            if (!f->ref)
                continue;
            const struct entity *to = entity_find(f->ref);
            CHECK(to != NULL && !entity_is_region_table(to));
            CHECK_INT(f->type, FT_INT);
        }
        CHECK((e->state_field == NULL) == (e->initial_state == NULL));
        if (e->state_field)
            CHECK(entity_field_find(e, e->state_field) != NULL);
    }
    const struct entity *h = ent("hazards");
    CHECK_STR(entity_field_find(h, "unit_id")->ref, "units");
    CHECK_STR(entity_field_find(h, "inspection_id")->ref, "inspections");
    CHECK_STR(entity_field_find(ent("unit_contacts"), "unit_id")->ref, "units");
    json_t *row = json_pack("{s:s}", "state", "reported");
    CHECK_INT(entity_row_writable(h, row), 1);
    json_object_set_new(row, "state", json_string("closed"));
    json_object_set_new(row, "state_label", json_string("已销号"));
    CHECK_INT(entity_row_writable(h, row), 0);
    CHECK(strstr(entity_locked_message(A, h, row), "已销号") != NULL);
    json_object_del(row, "state");
    CHECK_INT(entity_row_writable(h, row), 0); /* no state: refused */
    CHECK_INT(entity_row_writable(ent("volunteers"), row), 1);
    json_decref(row);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char *path = xasprintf("%s/e.db", dir), *err = NULL;
    d = db_open(path, 1, &err);
    if (!d || db_migrate(d, &err) != 0) {
        fprintf(stderr, "set-up: %s\n", err ? err : "?");
        return 1;
    }
    c = db_acquire(d);
    A = arena_new();
    seed_regions();
    test_list_queries();
    test_subtree_cost();
    test_rejections();
    test_validate();
    test_ledger_columns();
    test_like_pattern();
    test_declared_rules();
    arena_free(A);
    db_release(d, c);
    db_close(d);
    static const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char *p = xasprintf("%s%s", path, suffix[i]);
        unlink(p);
        free(p);
    }
    free(path);
    CHECK_INT(rmdir(dir), 0);
    return TEST_REPORT();
}
