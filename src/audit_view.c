/* audit_view: see audit_view.h. The entries keep their codes (filters and
 * scripts use them); each item gains the labels a person reads: the
 * subject's, the action's, the person's display name, where the entry came
 * from, and its changes as rows of field label, before and after, with
 * dictionary codes, states and permissions named. The labels come from the
 * declared entities, the dictionaries, the modules' audit_labels and the
 * platform's own table below. */
#include "audit_view.h"
#include "auth.h"
#include "authz.h"
#include "dict.h"
#include "entity.h"
#include "http.h"
#include "logpage.h"
#include "module.h"
#include "perms.h"
#include "util.h"

#include <string.h>

/* The platform's own subjects, actions and keys. */
static const struct audit_label platform_labels[] = {
    {AUDIT_SUBJECT, NULL, "users", "用户", NULL},
    {AUDIT_SUBJECT, NULL, "roles", "角色", NULL},
    {AUDIT_SUBJECT, NULL, "api_tokens", "访问令牌", NULL},
    {AUDIT_SUBJECT, NULL, "dicts", "数据字典", NULL},
    {AUDIT_SUBJECT, NULL, "calendar", "工作日历", NULL},
    {AUDIT_SUBJECT, NULL, "session", "登录会话", NULL},
    {AUDIT_SUBJECT, NULL, "sessions", "登录会话", NULL},
    {AUDIT_SUBJECT, NULL, "stats", "统计报表", NULL},
    {AUDIT_SUBJECT, NULL, "workbook", "统计工作簿", NULL},
    {AUDIT_SUBJECT, NULL, "work_summary", "工作总结", NULL},
    {AUDIT_SUBJECT, NULL, "summary_edits", "工作总结修订", NULL},
    {AUDIT_SUBJECT, NULL, "database", "数据库", NULL},
    {AUDIT_SUBJECT, NULL, "files", "附件", NULL},
    {AUDIT_SUBJECT, NULL, "upload", "附件上传", NULL},
    {AUDIT_SUBJECT, NULL, "region_boundaries", "区域边界", NULL},
    {AUDIT_ACTION, NULL, "create", "新增", NULL},
    {AUDIT_ACTION, NULL, "update", "修改", NULL},
    {AUDIT_ACTION, NULL, "delete", "删除", NULL},
    {AUDIT_ACTION, NULL, "read", "查看", NULL},
    {AUDIT_ACTION, NULL, "reveal", "查看敏感信息", NULL},
    {AUDIT_ACTION, NULL, "import", "导入", NULL},
    {AUDIT_ACTION, NULL, "export", "导出", NULL},
    {AUDIT_ACTION, NULL, "transition", "流转", NULL},
    {AUDIT_ACTION, NULL, "login", "登录", NULL},
    {AUDIT_ACTION, NULL, "logout", "退出登录", NULL},
    {AUDIT_ACTION, NULL, "logout_all", "退出全部登录", NULL},
    {AUDIT_ACTION, NULL, "password_change", "修改密码", NULL},
    {AUDIT_ACTION, NULL, "reset_password", "重置密码", NULL},
    {AUDIT_ACTION, NULL, "upload", "上传", NULL},
    {AUDIT_ACTION, NULL, "revoke", "吊销", NULL},
    {AUDIT_ACTION, NULL, "baseline", "初始记录", NULL},
    {AUDIT_KEY, NULL, "action", "操作", NULL},
    {AUDIT_KEY, NULL, "from", "原状态", NULL},
    {AUDIT_KEY, NULL, "to", "新状态", NULL},
    {AUDIT_KEY, NULL, "state", "状态", NULL},
    {AUDIT_KEY, NULL, "kind", "类型", NULL},
    {AUDIT_KEY, NULL, "filter", "筛选条件", NULL},
    {AUDIT_KEY, NULL, "rows", "行数", NULL},
    {AUDIT_KEY, NULL, "rejected", "未导入行数", NULL},
    {AUDIT_KEY, NULL, "file", "文件", NULL},
    {AUDIT_KEY, NULL, "files", "附件", NULL},
    {AUDIT_KEY, NULL, "comment", "说明", NULL},
    {AUDIT_KEY, NULL, "format", "格式", NULL},
    {AUDIT_KEY, NULL, "positions", "边界点数", NULL},
    {AUDIT_KEY, NULL, "bbox", "边界范围", NULL},
    {AUDIT_KEY, NULL, "permissions", "权限", NULL},
    {AUDIT_KEY, NULL, "username", "用户名", NULL},
    {AUDIT_KEY, NULL, "display_name", "姓名", NULL},
    {AUDIT_KEY, NULL, "role", "角色", NULL},
    {AUDIT_KEY, NULL, "region", "区域", NULL},
    {AUDIT_KEY, NULL, "year", "年度", NULL},
    {AUDIT_KEY, NULL, "campaign", "创建类型", NULL},
    {AUDIT_KEY, NULL, "disabled", "已停用", NULL},
    {AUDIT_KEY, NULL, "unit_id", "所属单位", NULL},
    {AUDIT_KEY, NULL, "user_id", "用户", NULL},
    {AUDIT_KEY, NULL, "revoked", "吊销数量", NULL},
    {AUDIT_KEY, NULL, "name", "名称", NULL},
    {AUDIT_KEY, NULL, "label", "名称", NULL},
    {AUDIT_KEY, NULL, "id", "编号", NULL},
    {AUDIT_KEY, NULL, "type", "文件类型", NULL},
    {AUDIT_KEY, NULL, "size", "大小（字节）", NULL},
    {AUDIT_KEY, NULL, "note", "说明", NULL},
    {AUDIT_KEY, NULL, "reason", "事由", NULL},
    {AUDIT_KEY, NULL, "fields", "填写内容", NULL},
    {AUDIT_KEY, NULL, "records", "关联记录", NULL},
    {AUDIT_KEY, NULL, "text", "内容", NULL},
    {AUDIT_KEY, NULL, "chapter", "章节", NULL},
    {AUDIT_KEY, NULL, "key", "段落", NULL},
    {AUDIT_KEY, NULL, "q", "关键词", NULL},
    {AUDIT_KEY, NULL, "sections", "统计部分", NULL},
    {AUDIT_KEY, NULL, "expires_at", "有效期至", NULL},
    {AUDIT_KEY, "api_tokens", "days", "有效天数", NULL},
    {AUDIT_VALUE, NULL, "xlsx", "Excel 表格", NULL},
    {AUDIT_VALUE, NULL, "csv", "CSV 表格", NULL},
    {AUDIT_VALUE, NULL, "docx", "Word 文档", NULL},
    {AUDIT_VALUE, NULL, "pdf", "PDF 文档", NULL},
    {AUDIT_VALUE, NULL, "html", "网页", NULL},
    {AUDIT_VALUE, NULL, "md", "文本", NULL},
    {AUDIT_VALUE, NULL, "zip", "压缩包", NULL},
    {AUDIT_VALUE, NULL, "json", "数据文件", NULL},
    {AUDIT_VALUE, NULL, "backup", "备份", NULL},
    {AUDIT_VALUE, NULL, "generated", "批量生成（演示规模数据）", NULL},
};

static const struct audit_label *find_in(const struct audit_label *l, int n,
                                         enum audit_label_kind kind, const char *entity,
                                         const char *code, int exact)
{
    for (int i = 0; i < n; i++) {
        if (l[i].kind != kind || strcmp(l[i].code, code) != 0)
            continue;
        if (exact ? l[i].entity && entity && strcmp(l[i].entity, entity) == 0 : !l[i].entity)
            return &l[i];
    }
    return NULL;
}

/* The label of code: a module's for this subject, then any subject's. */
static const struct audit_label *lookup(enum audit_label_kind kind, const char *entity,
                                        const char *code)
{
    if (!code)
        return NULL;
    for (int exact = 1; exact >= 0; exact--) {
        for (int m = 0; m < module_count; m++) {
            const struct audit_label *l =
                find_in(module_list[m]->audit_labels, module_list[m]->naudit_labels, kind, entity,
                        code, exact);
            if (l)
                return l;
        }
        const struct audit_label *l =
            find_in(platform_labels, MODULE_N(platform_labels), kind, entity, code, exact);
        if (l)
            return l;
    }
    return NULL;
}

static const char *label_or(enum audit_label_kind kind, const char *entity, const char *code,
                            const char *dflt)
{
    const struct audit_label *l = lookup(kind, entity, code);
    return l ? l->label : dflt;
}

struct view {
    req *r;
    struct dict_cache *dc;
    json_t *perms; /* [{"permission","label"}], read once */
};

/* Whether the entry being read names its entity's fields: a write's and a
 * step's do; an export's keys ("kind", "filter", "rows") do not, even where
 * the entity has a field of that name. Per thread: set for each entry. */
static _Thread_local int entry_fields = 1;

static const struct field *field_of(const struct entity *e, const char *name)
{
    if (!e || !entry_fields)
        return NULL;
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, name) == 0)
            return &e->fields[i];
    for (int i = 0; i < e->nderived; i++)
        if (strcmp(e->derived[i].f.name, name) == 0)
            return &e->derived[i].f;
    return NULL;
}

static const char *region_label(struct view *v, const char *code)
{
    const char *out = code;
    db_stmt *s = db_prepare(req_db(v->r), "SELECT name FROM regions WHERE code = $1");
    if (!s)
        return code;
    db_bind_text(s, 1, code);
    if (db_step(s) == DB_ROW && db_col_text(s, 0))
        out = arena_strdup(v->r->a, db_col_text(s, 0));
    db_done(s);
    return out;
}

static const char *perm_label(struct view *v, const char *p)
{
    if (!v->perms)
        v->perms = perms_labels(v->r->a);
    size_t i;
    json_t *it;
    json_array_foreach(v->perms, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "permission")), p) == 0)
            return json_string_value(json_object_get(it, "label"));
    }
    return p;
}

static const char *key_label(const char *entity, const char *key)
{
    const struct field *f = field_of(entity_find(entity), key);
    return f ? f->label : label_or(AUDIT_KEY, entity, key, key);
}

static const char *render(struct view *v, const char *entity, const char *key, json_t *val);

/* What a reader is shown for the value text of field f (field.shown_sql,
 * field.shown), or NULL: the value itself. */
static const char *shown_text(struct view *v, const struct field *f, const char *text)
{
    const char *out = NULL;
    if (f->shown) {
        buf t;
        buf_init(&t, (size_t)64 << 10);
        f->shown(&t, text, v->dc);
        if (t.len)
            out = arena_strdup(v->r->a, buf_str(&t));
        buf_free(&t);
        return out;
    }
    /* The expression reads t.<name>: a one-row t holding the value. */
    const char *sql = arena_printf(v->r->a, "SELECT (%s) FROM (SELECT CAST($1 AS %s) AS %s) t",
                                   f->shown_sql, f->type == FT_INT ? "BIGINT" : "TEXT", f->name);
    db_stmt *s = db_prepare(req_db(v->r), sql);
    if (!s)
        return NULL;
    db_bind_text(s, 1, text);
    if (db_step(s) == DB_ROW && db_col_type(s, 0) != DB_T_NULL)
        out = arena_strdup(v->r->a, db_col_text(s, 0));
    db_done(s);
    return out;
}

/* "a,b": codes of dict, each by its label, joined with "、". */
static const char *codes_label(struct view *v, const char *dict, const char *s)
{
    const char *out = "";
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *code = arena_strndup(v->r->a, p, n);
        const char *l = dict_label(v->dc, dict, code);
        out = *out ? arena_printf(v->r->a, "%s、%s", out, l ? l : code) : (l ? l : code);
        p += n;
        if (*p)
            p++;
    }
    return out;
}

/* "a,b" where each is a declared entity's name (the kinds of records a
 * checklist item files): their labels; NULL when s is not such a list. */
static const char *entity_names(struct view *v, const char *s)
{
    const char *out = "";
    const char *p = s;
    if (!*s)
        return NULL;
    while (*p) {
        size_t n = strcspn(p, ",");
        const struct entity *e = entity_find(arena_strndup(v->r->a, p, n));
        if (!e)
            return NULL;
        out = *out ? arena_printf(v->r->a, "%s、%s", out, e->label) : e->label;
        p += n;
        if (*p)
            p++;
    }
    return out;
}

/* Values joined with "、", or pairs "标签：值" joined with "；". */
static const char *render_array(struct view *v, const char *entity, const char *key, json_t *arr)
{
    const char *out = "";
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        const char *s;
        const char *ref_entity = json_string_value(json_object_get(it, "entity"));
        if (json_is_object(it) && ref_entity && json_object_get(it, "id")) {
            const struct entity *re = entity_find(ref_entity);
            s = arena_printf(v->r->a, "%s（编号 %s）",
                             re ? re->label : label_or(AUDIT_SUBJECT, NULL, ref_entity, ref_entity),
                             render(v, ref_entity, "id", json_object_get(it, "id")));
        } else if (json_is_string(it) && strcmp(key, "permissions") == 0) {
            s = perm_label(v, json_string_value(it));
        } else {
            s = render(v, entity, key, it);
        }
        out = i ? arena_printf(v->r->a, "%s、%s", out, s) : s;
    }
    return *out ? out : "（空）";
}

static const char *render_object(struct view *v, const char *entity, json_t *obj)
{
    const char *out = "";
    const char *k;
    json_t *it;
    int n = 0;
    json_object_foreach(obj, k, it)
    {
        const char *s =
            arena_printf(v->r->a, "%s：%s", key_label(entity, k), render(v, entity, k, it));
        out = n++ ? arena_printf(v->r->a, "%s；%s", out, s) : s;
    }
    return n ? out : "（空）";
}

static const char *render(struct view *v, const char *entity, const char *key, json_t *val)
{
    arena *a = v->r->a;
    if (!val || json_is_null(val))
        return "（空）";
    if (json_is_boolean(val))
        return json_is_true(val) ? "是" : "否";
    const struct entity *e = entity_find(entity);
    const struct field *f = field_of(e, key);
    if (f && (f->shown_sql || f->shown) && (json_is_integer(val) || json_is_string(val))) {
        const char *text = json_is_integer(val)
                               ? arena_printf(a, "%lld", (long long)json_integer_value(val))
                               : json_string_value(val);
        const char *shown = *text ? shown_text(v, f, text) : NULL;
        if (shown)
            return shown;
    }
    if (json_is_integer(val)) {
        if (f && f->type == FT_BOOL)
            return json_integer_value(val) ? "是" : "否";
        if (!f && strcmp(key, "disabled") == 0)
            return json_integer_value(val) ? "是" : "否";
        return arena_printf(a, "%lld", (long long)json_integer_value(val));
    }
    if (json_is_real(val))
        return arena_printf(a, "%.10g", json_real_value(val));
    if (json_is_array(val))
        return render_array(v, entity, key, val);
    if (json_is_object(val))
        return render_object(v, entity, val);
    const char *s = json_string_value(val);
    if (!s)
        return "";
    const struct audit_label *kl = lookup(AUDIT_KEY, entity, key);
    if (kl && kl->dict)
        return codes_label(v, kl->dict, s);
    const char *names = entity_names(v, s);
    if (names)
        return names;
    if (f && f->type == FT_DICT && f->dict) {
        const char *l = dict_label(v->dc, f->dict, s);
        return l ? l : s;
    }
    if ((f && f->type == FT_REGION) || (!f && strcmp(key, "region") == 0))
        return region_label(v, s);
    if (f && f->type == FT_DATETIME)
        return s;
    if (strcmp(key, "from") == 0 || strcmp(key, "to") == 0) {
        /* A machine's states are the codes of its state field's dictionary. */
        const struct field *sf = field_of(e, e && e->state_field ? e->state_field : "state");
        if (!sf)
            sf = field_of(e, "status");
        const char *l =
            sf && sf->type == FT_DICT && sf->dict ? dict_label(v->dc, sf->dict, s) : NULL;
        return l ? l : label_or(AUDIT_STATE, entity, s, s);
    }
    if (!f && strcmp(key, "role") == 0) {
        db_stmt *st = db_prepare(req_db(v->r), "SELECT label FROM roles WHERE name = $1");
        const char *out = s;
        if (st) {
            db_bind_text(st, 1, s);
            if (db_step(st) == DB_ROW && db_col_text(st, 0))
                out = arena_strdup(a, db_col_text(st, 0));
            db_done(st);
        }
        return out;
    }
    if (!f && strcmp(key, "action") == 0)
        return label_or(AUDIT_ACTION, entity, s, s);
    return label_or(AUDIT_VALUE, entity, s, s);
}

static void add_row(json_t *rows, const char *key, const char *label, const char *before,
                    const char *after)
{
    json_array_append_new(rows, json_pack("{s:s, s:s, s:s?, s:s}", "field", key, "label", label,
                                          "before", before, "after", after));
}

/* The changes as rows {field, label, before, after}: a pair [old, new] is
 * a change; a lone value is what was recorded (before is null); a
 * transition's from/to make one row of the state, and its fields their
 * own rows. */
static json_t *change_rows(struct view *v, const char *entity, const char *action, json_t *ch)
{
    json_t *rows = json_array();
    if (!json_is_object(ch))
        return rows;
    int transition = strcmp(action, "transition") == 0;
    json_t *from = json_object_get(ch, "from"), *to = json_object_get(ch, "to");
    /* A change of state has both ends; a lone "from" is the module's own
     * (a step's former planned date), labelled by its audit_labels. */
    int states = transition && to;
    if (states && !json_equal(from, to))
        add_row(rows, "state", "状态", from ? render(v, entity, "from", from) : NULL,
                render(v, entity, "to", to));
    const char *k;
    json_t *val;
    json_object_foreach(ch, k, val)
    {
        if (transition && (strcmp(k, "action") == 0 ||
                           (states && (strcmp(k, "from") == 0 || strcmp(k, "to") == 0))))
            continue;
        if (transition && strcmp(k, "fields") == 0 && json_is_object(val)) {
            const char *fk;
            json_t *fv;
            json_object_foreach(val, fk, fv)
            {
                if (strcmp(fk, "action") == 0)
                    continue;
                add_row(rows, fk, key_label(entity, fk), NULL, render(v, entity, fk, fv));
            }
            continue;
        }
        if (json_is_array(val) && json_array_size(val) == 2 && strcmp(k, "bbox") != 0) {
            json_t *b = json_array_get(val, 0);
            /* A new record's fields have no before. */
            add_row(rows, k, key_label(entity, k),
                    strcmp(action, "create") == 0 && json_is_null(b) ? NULL
                                                                     : render(v, entity, k, b),
                    render(v, entity, k, json_array_get(val, 1)));
            continue;
        }
        add_row(rows, k, key_label(entity, k), NULL, render(v, entity, k, val));
    }
    return rows;
}

/* Where an entry came from: the address of a request, or the machine. */
static const char *source_label(const char *ip)
{
    if (!ip || !*ip || strcmp(ip, "-") == 0)
        return "—";
    if (strcmp(ip, "demo") == 0 || strcmp(ip, "migrate") == 0)
        return "系统生成";
    if (strcmp(ip, "cli") == 0)
        return "命令行";
    return ip;
}

static void decorate(req *r, json_t *items)
{
    struct view v = {.r = r, .dc = dict_cache_new(r->a, req_db(r)), .perms = NULL};
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *entity = json_string_value(json_object_get(it, "entity"));
        const char *action = json_string_value(json_object_get(it, "action"));
        json_t *ch = json_object_get(it, "changes");
        const struct entity *e = entity_find(entity);
        entry_fields = strcmp(action, "create") == 0 || strcmp(action, "update") == 0 ||
                       strcmp(action, "delete") == 0 || strcmp(action, "transition") == 0;
        json_object_set_new(
            it, "entity_label",
            json_string(e ? e->label : label_or(AUDIT_SUBJECT, NULL, entity, entity)));
        const char *al = label_or(AUDIT_ACTION, entity, action, action);
        const char *step = json_string_value(json_object_get(ch, "action"));
        if (strcmp(action, "transition") == 0 && step)
            al = label_or(AUDIT_ACTION, entity, step, al);
        json_object_set_new(it, "action_label", json_string(al));
        json_object_set_new(
            it, "ip_label",
            json_string(source_label(json_string_value(json_object_get(it, "ip")))));
        json_object_set_new(it, "changes_view", change_rows(&v, entity, action, ch));
    }
    json_decref(v.perms);
    entry_fields = 1;
}

static int whole_tree(const struct user *u)
{
    return authz_has(u, "*") || u->region[0] == '\0';
}

static json_t *audit_item(db_stmt *s)
{
    json_t *ch = db_col_text(s, 8) ? json_loads(db_col_text(s, 8), 0, NULL) : NULL;
    const char *username = db_col_text(s, 2);
    const char *name = db_col_text(s, 10);
    if (!name || !*name)
        name = strcmp(username, "system") == 0 ? "系统" : username;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:o, s:s?}", "id",
                     (json_int_t)db_col_int(s, 0), "at", db_col_text(s, 1), "username", username,
                     "user_name", name, "ip", db_col_text(s, 3), "action", db_col_text(s, 4),
                     "entity", db_col_text(s, 5), "entity_id", db_col_text(s, 6), "region",
                     db_col_text(s, 7), "changes", ch ? ch : json_object(), "reason",
                     db_col_text(s, 9));
}

static void h_audit(req *r)
{
    if (authz_require(r, "audit:read", NULL) != 0)
        return;
    static const struct log_filter filters[] = {
        {"user", "a.username = $%d", 0},
        {"entity", "a.entity = $%d", 0},
        {"entity_id", "a.entity_id = $%d", 0},
        {"action", "a.action = $%d", 0},
        {"from", "a.at >= $%d", 0},
        {"to", "a.at <= $%d", 1},
    };
    const char *scope_vals[] = {r->user->scope_lo, r->user->scope_hi};
    /* Entries without a region (logins, system actions) belong to the
     * whole tree. */
    struct log_query q = {
        .from = "audit_log a LEFT JOIN users u ON u.id = a.user_id",
        .columns = "a.id, a.at, a.username, a.ip, a.action, a.entity, a.entity_id, a.region, "
                   "a.changes, a.reason, u.display_name",
        .id_col = "a.id",
        .scope = whole_tree(r->user) ? "((a.region >= $1 AND a.region < $2) OR a.region IS NULL)"
                                     : "a.region >= $1 AND a.region < $2",
        .scope_vals = scope_vals,
        .nscope = 2,
        .filters = filters,
        .nfilters = (int)(sizeof filters / sizeof filters[0]),
        .row = audit_item,
        .decorate = decorate,
    };
    logpage_reply(r, &q);
}

void audit_view_routes_register(void)
{
    http_route("GET", "/api/v1/audit", h_audit, 0, NULL);
}
