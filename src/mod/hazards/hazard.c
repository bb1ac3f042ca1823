/* hazard: see hazard.h. */
#include "hazard.h"
#include "hazards.h"
#include "module.h"
#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "calendar.h"
#include "dict.h"
#include "entity.h"
#include "files.h"
#include "buf.h"
#include "http.h"
#include "region.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *const hazard_states[] = {"reported", "assigned", "rectifying", "awaiting_acceptance",
                                     "closed"};
const int hazard_nstates = (int)(sizeof hazard_states / sizeof hazard_states[0]);

#define OPEN_STATES "assigned", "rectifying", "awaiting_acceptance"

/* The machine. Read it against reference section 3: found -> notice with a
 * deadline -> rectifying (progress, extension) -> acceptance -> written off;
 * supervision and public listing on the way. */
const struct hazard_transition hazard_transitions[] = {
    {"assign",
     {"reported"},
     "assigned",
     "hazard:assign",
     {"deadline_days", "responsible_unit", "responsible_person", "measures"}},
    {"start", {"assigned"}, "rectifying", "hazard:progress", {NULL}},
    {"report_progress", {"rectifying"}, NULL, "hazard:progress", {"note"}},
    {"request_extension", {"assigned", "rectifying"}, NULL, "hazard:progress", {"days", "reason"}},
    {"approve_extension", {"assigned", "rectifying"}, NULL, "hazard:approve", {NULL}},
    {"refuse_extension", {"assigned", "rectifying"}, NULL, "hazard:approve", {NULL}},
    {"submit", {"rectifying"}, "awaiting_acceptance", "hazard:progress", {NULL}},
    {"accept", {"awaiting_acceptance"}, "closed", "hazard:accept", {NULL}},
    {"refuse", {"awaiting_acceptance"}, "rectifying", "hazard:accept", {"reason"}},
    {"supervise", {OPEN_STATES}, NULL, "hazard:supervise", {"level", "letter"}},
    {"list_publicly", {OPEN_STATES}, NULL, "hazard:supervise", {NULL}},
    /* 摘牌 comes after acceptance too: it leaves the state as it is. */
    {"delist", {OPEN_STATES, "closed"}, NULL, "hazard:supervise", {NULL}},
};
const int hazard_ntransitions = (int)(sizeof hazard_transitions / sizeof hazard_transitions[0]);

/* The plan (五落实) a major hazard needs before its notice. */
static const char *const plan_fields[] = {"plan_target", "plan_measures", "plan_funds",
                                          "plan_people", "plan_deadline", "plan_emergency"};
#define NPLAN ((int)(sizeof plan_fields / sizeof plan_fields[0]))

static const char *state_label(const char *s)
{
    static const char *const labels[] = {"已登记", "已下达整改通知", "整改中", "待验收", "已销号"};
    for (int i = 0; i < hazard_nstates; i++)
        if (strcmp(s, hazard_states[i]) == 0)
            return labels[i];
    return s;
}

const struct hazard_transition *hazard_transition_find(const char *action)
{
    for (int i = 0; action && i < hazard_ntransitions; i++)
        if (strcmp(hazard_transitions[i].action, action) == 0)
            return &hazard_transitions[i];
    return NULL;
}

/* The Chinese name of each action, as the console's buttons, the timeline
 * and the audit log show it; kept beside the machine so a new action gets
 * one. The audit log also reads the keys a transition records beyond the
 * entity's fields, and the notice's export kinds. */
const struct audit_label hazard_audit_labels[HAZARD_NAUDIT_LABELS] = {
    {AUDIT_ACTION, "hazards", "assign", "下达整改通知", NULL},
    {AUDIT_ACTION, "hazards", "start", "开始整改", NULL},
    {AUDIT_ACTION, "hazards", "report_progress", "报告进展", NULL},
    {AUDIT_ACTION, "hazards", "request_extension", "申请延期", NULL},
    {AUDIT_ACTION, "hazards", "approve_extension", "批准延期", NULL},
    {AUDIT_ACTION, "hazards", "refuse_extension", "不予延期", NULL},
    {AUDIT_ACTION, "hazards", "submit", "提交验收", NULL},
    {AUDIT_ACTION, "hazards", "accept", "验收销号", NULL},
    {AUDIT_ACTION, "hazards", "refuse", "验收不通过", NULL},
    {AUDIT_ACTION, "hazards", "supervise", "督办", NULL},
    {AUDIT_ACTION, "hazards", "list_publicly", "挂牌督办", NULL},
    {AUDIT_ACTION, "hazards", "delist", "摘牌", NULL},
    {AUDIT_KEY, "hazards", "deadline_days", "整改期限（工作日）", NULL},
    {AUDIT_KEY, "hazards", "days", "延期天数（工作日）", NULL},
    {AUDIT_KEY, "hazards", "level", "督办级别", NULL},
    {AUDIT_KEY, "hazards", "letter", "督办函", NULL},
    {AUDIT_KEY, "hazards", "photos", "照片", NULL},
    {AUDIT_VALUE, "hazards", "county", "县级督办", NULL},
    {AUDIT_VALUE, "hazards", "township", "乡镇督办", NULL},
    {AUDIT_VALUE, "hazards", "city", "市级督办", NULL},
    {AUDIT_VALUE, "hazards", "notice_html", "整改通知书（网页）", NULL},
    {AUDIT_VALUE, "hazards", "notice_pdf", "整改通知书（PDF）", NULL},
};

static const char *action_label(const char *action)
{
    for (int i = 0; i < HAZARD_NAUDIT_LABELS; i++)
        if (hazard_audit_labels[i].kind == AUDIT_ACTION &&
            strcmp(hazard_audit_labels[i].code, action) == 0)
            return hazard_audit_labels[i].label;
    return action;
}

/* ---- steps ---- */

static int from_ok(const struct hazard_transition *t, const char *state)
{
    for (int i = 0; i < HAZARD_MAX_FROM && t->from[i]; i++)
        if (strcmp(t->from[i], state) == 0)
            return 1;
    return 0;
}

static int allowed_key(const struct hazard_transition *t, const char *k)
{
    if (strcmp(k, "action") == 0 || strcmp(k, "note") == 0 || strcmp(k, "photos") == 0)
        return 1;
    for (int i = 0; i < HAZARD_MAX_FIELDS && t->required[i]; i++)
        if (strcmp(t->required[i], k) == 0)
            return 1;
    if (strcmp(t->action, "assign") == 0 && strcmp(k, "unit_id") == 0)
        return 1;
    if (strcmp(t->action, "assign") == 0)
        for (int i = 0; i < NPLAN; i++)
            if (strcmp(plan_fields[i], k) == 0)
                return 1;
    return 0;
}

static const char *text_of(json_t *in, const char *k)
{
    const char *s = json_string_value(json_object_get(in, k));
    return s && *s ? s : NULL;
}

/* Validates the body's keys and values: unknown keys, required fields, the
 * type of each. Messages go into errors. */
static void validate_body(const struct hazard_transition *t, json_t *in, json_t *errors)
{
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v)
    {
        if (!allowed_key(t, k)) {
            json_object_set_new(errors, k, json_string("此操作不接受该字段"));
            continue;
        }
        if (strcmp(k, "action") == 0)
            continue;
        if (strcmp(k, "photos") == 0)
            continue; /* checked against the file store by hazard_apply */
        if (strcmp(k, "deadline_days") == 0 || strcmp(k, "days") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 365)
                json_object_set_new(errors, k, json_string("工作日数必须是 1 到 365 之间的整数"));
        } else if (strcmp(k, "unit_id") == 0) {
            if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1))
                json_object_set_new(errors, k, json_string("单位编号必须是正整数"));
        } else if (strcmp(k, "plan_deadline") == 0) {
            if (!json_is_null(v) && !(json_is_string(v) && util_date_valid(json_string_value(v))))
                json_object_set_new(errors, k, json_string("治理时限必须是日期（YYYY-MM-DD）"));
        } else if (!json_is_null(v) && !json_is_string(v)) {
            json_object_set_new(errors, k, json_string("必须是文本"));
        } else if (json_is_string(v) && util_utf8_len(json_string_value(v)) > 2000) {
            json_object_set_new(errors, k, json_string("不能超过 2000 个字"));
        }
    }
    for (int i = 0; i < HAZARD_MAX_FIELDS && t->required[i]; i++) {
        json_t *r = json_object_get(in, t->required[i]);
        if ((!r || json_is_null(r) || (json_is_string(r) && !*json_string_value(r))) &&
            !json_object_get(errors, t->required[i]))
            json_object_set_new(errors, t->required[i], json_string("此操作必须填写该字段"));
    }
}

int hazard_township_of(db_conn *c, const char *region, char code[16], const char **name, arena *a)
{
    snprintf(code, 16, "%.9s000", region);
    db_stmt *s = db_prepare(c, "SELECT name FROM regions WHERE code = $1");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, code);
    int rc = db_step(s);
    *name = rc == DB_ROW ? arena_strdup(a, db_col_text(s, 0)) : "";
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

/* The next notice number of the township in year: "九龙镇隐患整改〔2025〕第007号". */
static int notice_number(db_conn *c, arena *a, const char *region, int year, const char **out)
{
    char tcode[16], ys[8];
    const char *tname;
    int st = hazard_township_of(c, region, tcode, &tname, a);
    if (st != DB_OK)
        return st;
    snprintf(ys, sizeof ys, "%d", year);
    const char *p[] = {tcode, ys};
    st = db_exec_params(c,
                        "INSERT INTO notice_counters (township, year, last) VALUES ($1, "
                        "CAST($2 AS INTEGER), 0) ON CONFLICT (township, year) DO NOTHING",
                        2, p);
    if (st == DB_OK)
        st = db_exec_params(c,
                            "UPDATE notice_counters SET last = last + 1 WHERE township = $1 "
                            "AND year = CAST($2 AS INTEGER)",
                            2, p);
    if (st != DB_OK)
        return st;
    db_stmt *s = db_prepare(c, "SELECT last FROM notice_counters WHERE township = $1 AND year = "
                               "CAST($2 AS INTEGER)");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, tcode);
    db_bind_text(s, 2, ys);
    int rc = db_step(s);
    long n = rc == DB_ROW ? (long)db_col_int(s, 0) : 0;
    db_done(s);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERR;
    *out = arena_printf(a, "%s隐患整改〔%d〕第%03ld号", tname, year, n);
    return DB_OK;
}

/* One UPDATE of the hazard: the pairs are column names (from this file only)
 * and text values (NULL binds NULL). */
static int update_cols(db_conn *c, arena *a, const char *id, int n, const char *const *cols,
                       const char *const *vals, const char *now)
{
    char *sql = arena_printf(a, "UPDATE hazards SET updated_at = $1");
    for (int i = 0; i < n; i++)
        sql = arena_printf(a, "%s, %s = $%d", sql, cols[i], i + 3);
    sql = arena_printf(a, "%s WHERE id = CAST($2 AS INTEGER)", sql);
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, now);
    db_bind_text(s, 2, id);
    for (int i = 0; i < n; i++)
        db_bind_text(s, i + 3, vals[i]);
    int rc = db_step(s);
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

/* audited 0: the step of an imported hazard, which the import's one audit
 * entry covers (entity_import_file), as it covers the row itself. */
static int write_step(db_conn *c, arena *a, const struct audit_actor *who, const char *id,
                      const char *region, const struct hazard_transition *t, const char *from,
                      const char *to, json_t *in, const char *now, int audited)
{
    int64_t seq = db_query_int(c,
                               "SELECT COALESCE(MAX(seq), 0) + 1 FROM hazard_steps WHERE "
                               "hazard_id = CAST($1 AS INTEGER)",
                               id, -1);
    if (seq < 1)
        return DB_ERR;
    json_t *data = json_deep_copy(in);
    json_object_del(data, "action");
    json_object_del(data, "note");
    char *dtext = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(data);
    char seqs[24];
    snprintf(seqs, sizeof seqs, "%lld", (long long)seq);
    const char *user = who->user ? who->user->username : "system";
    const char *p[] = {id, seqs, t->action, from, to, now, user, text_of(in, "note"), dtext};
    int st = db_exec_params(c,
                            "INSERT INTO hazard_steps (hazard_id, seq, action, from_state, "
                            "to_state, at, username, note, data) VALUES (CAST($1 AS INTEGER), "
                            "CAST($2 AS INTEGER), $3, $4, $5, $6, $7, $8, $9)",
                            9, p);
    free(dtext);
    if (st != DB_OK || !audited)
        return st;
    json_t *ch = json_pack("{s:s, s:s, s:s}", "action", t->action, "from", from, "to", to);
    json_t *fields = json_deep_copy(in);
    json_object_del(fields, "action");
    json_object_set_new(ch, "fields", fields);
    st = audit_write(c, who, "transition", "hazards", id, region, ch, text_of(in, "reason"));
    json_decref(ch);
    (void)a;
    return st;
}

/* assign's optional unit_id, a reference like the entity's own unit_id:
 * the same check as every reference (entity_ref_visible: live, in the
 * caller's scope, readable, not hidden by the caller's unit), refused with
 * the same answer as a missing unit; its name stands in for an omitted
 * responsible_unit. *unit gets the id as text, or NULL when none is given
 * or it is refused (errors says why). */
static int assign_unit(db_conn *c, arena *a, const struct user *u, json_t *in, json_t *errors,
                       const char **unit)
{
    *unit = NULL;
    json_t *v = json_object_get(in, "unit_id");
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return DB_OK; /* absent, null, or a type error validate_body names */
    const struct entity *units = entity_find("units");
    json_t *row = NULL;
    int rc = entity_ref_visible(c, a, u, units, (long long)json_integer_value(v), &row);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        json_object_set_new(errors, "unit_id", json_string(entity_ref_message(a, units)));
        return DB_OK;
    }
    const char *name = json_string_value(json_object_get(row, "name"));
    if (!text_of(in, "responsible_unit") && name)
        json_object_set_new(in, "responsible_unit", json_string(name));
    json_decref(row);
    *unit = arena_printf(a, "%lld", (long long)json_integer_value(v));
    return DB_OK;
}

int hazard_apply(db_conn *c, arena *a, const struct audit_actor *who, const char *id, json_t *in,
                 json_t *errors, const char **msg)
{
    *msg = NULL;
    const struct hazard_transition *t = hazard_transition_find(text_of(in, "action"));
    if (!t) {
        json_object_set_new(errors, "action", json_string("未知的操作"));
        *msg = "未知的操作";
        return 422;
    }
    int st;
    json_t *row = entity_get(c, a, entity_find("hazards"), id, &st);
    if (!row) {
        *msg = "记录不存在";
        return st < 0 ? st : 404;
    }
    const char *region = arena_strdup(a, json_string_value(json_object_get(row, "region")));
    const char *state = arena_strdup(a, json_string_value(json_object_get(row, "state")));
    const char *deadline = json_string_value(json_object_get(row, "deadline"));
    deadline = deadline ? arena_strdup(a, deadline) : NULL;
    json_t *ext = json_object_get(row, "extension_requested_days");
    long pending = json_is_integer(ext) ? (long)json_integer_value(ext) : 0;
    int listed = json_is_true(json_object_get(row, "listed"));
    const char *grade = arena_strdup(a, json_string_value(json_object_get(row, "grade")));
    int rc = authz_check(who->user, t->perm, region);
    if (entity_row_hidden(entity_find("hazards"), who->user, row))
        rc = 404;
    if (rc == 404 || rc == 403) {
        if (rc == 403 && authz_check(who->user, "hazard:read", region) != 0)
            rc = 404; /* not even readable: its existence is not revealed */
        *msg = rc == 404 ? "记录不存在" : "没有执行此操作的权限";
        json_decref(row);
        return rc;
    }
    if (!from_ok(t, state)) {
        *msg =
            arena_printf(a, "隐患当前状态为“%s”（%s），不能执行此操作", state_label(state), state);
        json_decref(row);
        return 409;
    }
    const char *unit = NULL;
    if (strcmp(t->action, "assign") == 0) {
        st = assign_unit(c, a, who->user, in, errors, &unit);
        if (st != DB_OK) {
            json_decref(row);
            return st;
        }
    }
    validate_body(t, in, errors);
    if (strcmp(t->action, "supervise") == 0) {
        /* The level is a dictionary code: the list, the export and the
         * statistics read it by the table. */
        const char *level = text_of(in, "level");
        struct dict_cache *dc = dict_cache_new(a, c);
        if (level && *level && !json_object_get(errors, "level") &&
            !dict_label(dc, "supervise_level", level))
            json_object_set_new(
                errors, "level",
                json_string(arena_printf(a, "督办级别必须是以下之一：%s",
                                         dict_labels_joined(dc, "supervise_level"))));
    }
    char today[11], now[32];
    util_today(today);
    util_now_iso(now);
    const char *to = t->to ? t->to : state;
    const char *cols[16], *vals[16];
    int n = 0;
    cols[n] = "state";
    vals[n++] = to;

    if (strcmp(t->action, "assign") == 0) {
        if (strcmp(grade, "major") == 0)
            for (int i = 0; i < NPLAN; i++) {
                json_t *v = json_object_get(in, plan_fields[i]);
                const char *have = json_string_value(v);
                if (!have)
                    have = json_string_value(json_object_get(row, plan_fields[i]));
                if ((!have || !*have) && !json_object_get(errors, plan_fields[i]))
                    json_object_set_new(
                        errors, plan_fields[i],
                        json_string("重大隐患下达整改通知前必须填写治理方案（五落实）"));
            }
        if (json_object_size(errors) == 0) {
            char dl[11];
            int days = (int)json_integer_value(json_object_get(in, "deadline_days"));
            if (calendar_add_workdays(c, today, days, dl) != 0) {
                json_decref(row);
                return DB_ERR;
            }
            const char *no = NULL;
            st = notice_number(c, a, region, atoi(today), &no);
            if (st != DB_OK) {
                json_decref(row);
                return st;
            }
            cols[n] = "deadline";
            vals[n++] = arena_strdup(a, dl);
            cols[n] = "notice_no";
            vals[n++] = no;
            cols[n] = "notice_date";
            vals[n++] = arena_strdup(a, today);
            static const char *const copy[] = {"responsible_unit", "responsible_person",
                                               "measures"};
            for (int i = 0; i < 3; i++) {
                cols[n] = copy[i];
                vals[n++] = text_of(in, copy[i]);
            }
            for (int i = 0; i < NPLAN; i++)
                if (json_object_get(in, plan_fields[i])) {
                    cols[n] = plan_fields[i];
                    vals[n++] = text_of(in, plan_fields[i]);
                }
            if (unit) {
                cols[n] = "unit_id";
                vals[n++] = unit;
            }
        }
    } else if (strcmp(t->action, "request_extension") == 0 && json_object_size(errors) == 0) {
        if (pending) {
            *msg = "已有待审批的延期申请";
            json_decref(row);
            return 409;
        }
        char lead[11];
        if (calendar_add_workdays(c, today, HAZARD_EXTENSION_LEAD_DAYS, lead) != 0) {
            json_decref(row);
            return DB_ERR;
        }
        if (deadline && strcmp(lead, deadline) > 0) {
            *msg = arena_printf(a, "延期申请须在整改期限（%s）前至少 %d 个工作日提出", deadline,
                                HAZARD_EXTENSION_LEAD_DAYS);
            json_decref(row);
            return 409;
        }
        cols[n] = "extension_requested_days";
        vals[n++] = arena_printf(a, "%lld", json_integer_value(json_object_get(in, "days")));
    } else if (strcmp(t->action, "approve_extension") == 0 ||
               strcmp(t->action, "refuse_extension") == 0) {
        if (!pending) {
            *msg = "没有待审批的延期申请";
            json_decref(row);
            return 409;
        }
        if (t->action[0] == 'a' && deadline) {
            char dl[11];
            if (calendar_add_workdays(c, deadline, (int)pending, dl) != 0) {
                json_decref(row);
                return DB_ERR;
            }
            cols[n] = "deadline";
            vals[n++] = arena_strdup(a, dl);
        }
        cols[n] = "extension_requested_days";
        vals[n++] = NULL;
    } else if (strcmp(t->action, "accept") == 0) {
        cols[n] = "closed_on";
        vals[n++] = arena_strdup(a, today);
    } else if (strcmp(t->action, "supervise") == 0) {
        cols[n] = "supervised";
        vals[n++] = "1";
        cols[n] = "supervise_level";
        vals[n++] = text_of(in, "level");
        cols[n] = "supervise_letter";
        vals[n++] = text_of(in, "letter");
        cols[n] = "supervised_on";
        vals[n++] = arena_strdup(a, today);
    } else if (strcmp(t->action, "list_publicly") == 0 || strcmp(t->action, "delist") == 0) {
        int want = t->action[0] == 'l';
        if (listed == want) {
            *msg = want ? "该隐患已挂牌督办" : "该隐患未挂牌，不能摘牌";
            json_decref(row);
            return 409;
        }
        cols[n] = "listed";
        vals[n++] = want ? "1" : "0";
        cols[n] = want ? "listed_on" : "delisted_on";
        vals[n++] = arena_strdup(a, today);
    }
    json_decref(row);
    json_t *photos = json_object_get(in, "photos");
    if (photos && !json_is_null(photos)) {
        const char *why = NULL;
        st = files_ids_check(c, a, who->user, photos, &why);
        if (st < 0)
            return st;
        if (st == 422)
            json_object_set_new(errors, "photos", json_string(why));
    }
    if (json_object_size(errors)) {
        *msg = "输入有误";
        return 422;
    }
    if (photos && !json_is_null(photos)) {
        st = files_attach(c, "hazards", id, region, photos);
        if (st != DB_OK)
            return st;
    }
    st = update_cols(c, a, id, n, cols, vals, now);
    if (st == DB_OK)
        st = entity_reindex(c, a, entity_find("hazards"), id);
    if (st == DB_OK)
        st = write_step(c, a, who, id, region, t, state, to, in, now, 1);
    return st;
}

/* ---- ledger import ---- */

/* The year and number of a notice number as notice_number writes it
 * ("九龙镇隐患整改〔2025〕第007号"); -1 for any other text (an older
 * ledger's own numbering), which then cannot collide with ours. */
static int notice_parse(const char *no, int *year, long *n)
{
    const char *y = no ? strstr(no, "〔") : NULL;
    const char *k = y ? strstr(y, "〕第") : NULL;
    if (!k)
        return -1;
    char *end;
    *year = (int)strtol(y + strlen("〔"), &end, 10);
    if (end != k || *year < 1949 || *year > 9999)
        return -1;
    *n = strtol(k + strlen("〕第"), &end, 10);
    return *n > 0 && strcmp(end, "号") == 0 ? 0 : -1;
}

int hazard_created(db_conn *c, arena *a, const struct audit_actor *who, const char *key,
                   json_t *obj, int importing)
{
    static const struct hazard_transition imported = {"import", {NULL}, NULL, NULL, {NULL}};
    const char *state = json_string_value(json_object_get(obj, "state"));
    const char *region = json_string_value(json_object_get(obj, "region"));
    if (!importing || !state || !region)
        return DB_OK;
    int st = DB_OK;
    if (strcmp(state, "reported") != 0) {
        char now[32];
        util_now_iso(now);
        json_t *in = json_pack("{s:s}", "note", "台账导入");
        st = write_step(c, a, who, key, region, &imported, "reported", state, in, now, 0);
        json_decref(in);
    }
    int year;
    long n;
    if (st != DB_OK ||
        notice_parse(json_string_value(json_object_get(obj, "notice_no")), &year, &n) != 0)
        return st;
    char tcode[16], ys[8], ns[24];
    snprintf(tcode, sizeof tcode, "%.9s000", region);
    snprintf(ys, sizeof ys, "%d", year);
    snprintf(ns, sizeof ns, "%ld", n);
    const char *p[] = {tcode, ys, ns};
    return db_exec_params(c,
                          "INSERT INTO notice_counters (township, year, last) VALUES ($1, "
                          "CAST($2 AS INTEGER), CAST($3 AS INTEGER)) ON CONFLICT (township, year) "
                          "DO UPDATE SET last = CASE WHEN excluded.last > notice_counters.last "
                          "THEN excluded.last ELSE notice_counters.last END",
                          3, p);
}

/* ---- check ---- */

int hazard_check(db_conn *c, FILE *out)
{
    db_stmt *s = db_prepare(c, "SELECT h.id, h.state, (SELECT st.to_state FROM hazard_steps st "
                               "WHERE st.hazard_id = h.id ORDER BY st.seq DESC LIMIT 1) "
                               "FROM hazards h ORDER BY h.id");
    if (!s)
        return 1;
    long bad = 0, total = 0;
    while (db_step(s) == DB_ROW) {
        total++;
        const char *state = db_col_text(s, 1), *last = db_col_text(s, 2);
        const char *want = last ? last : "reported";
        if (strcmp(state, want) != 0) {
            if (bad < 20)
                fprintf(out,
                        "FAIL hazard state: hazard %lld is '%s' but its history ends in '%s'\n",
                        (long long)db_col_int(s, 0), state, want);
            bad++;
        }
    }
    db_done(s);
    if (!bad)
        fprintf(out, "ok   every hazard's state agrees with its history (%ld hazards)\n", total);
    return bad ? 1 : 0;
}

/* ---- HTTP ---- */

static void h_transition(req *r)
{
    json_t *in = req_json(r);
    if (!in)
        return;
    if (!json_is_object(in)) {
        reply_error(r, 422, "validation", "请求体必须是 JSON 对象", NULL);
        return;
    }
    db_conn *c = req_db(r);
    int st = db_begin(c);
    if (st != DB_OK) {
        reply_db_error(r, st);
        return;
    }
    struct audit_actor who = {r->user, r->client_ip};
    json_t *errors = json_object();
    const char *msg;
    const char *id = req_param(r, "id");
    int rc = hazard_apply(c, r->a, &who, id, in, errors, &msg);
    if (rc == 0)
        rc = db_commit(c);
    else
        db_rollback(c);
    switch (rc) {
    case DB_OK:
        break;
    case 403:
        json_decref(errors);
        reply_error(r, 403, "forbidden", msg, NULL);
        return;
    case 404:
        json_decref(errors);
        reply_error(r, 404, "not_found", msg, NULL);
        return;
    case 409:
        json_decref(errors);
        reply_error(r, 409, "conflict", msg, NULL);
        return;
    case 422:
        reply_error(r, 422, "validation", msg, errors);
        return;
    default:
        json_decref(errors);
        reply_db_error(r, rc);
        return;
    }
    json_decref(errors);
    json_t *row = entity_get(c, r->a, entity_find("hazards"), id, &st);
    if (!row) {
        reply_db_error(r, st < 0 ? st : DB_ERR);
        return;
    }
    reply_json(r, 200, row);
}

static void h_history(req *r)
{
    db_conn *c = req_db(r);
    int st;
    const char *id = req_param(r, "id");
    json_t *row = entity_get(c, r->a, entity_find("hazards"), id, &st);
    if (!row) {
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    int rc = authz_require(r, "hazard:read", json_string_value(json_object_get(row, "region")));
    if (rc == 0 && entity_row_hidden(entity_find("hazards"), r->user, row)) {
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        rc = -1;
    }
    json_decref(row);
    if (rc != 0)
        return;
    /* The person by their display name (the login name when they have
     * none; the system's steps say 系统). */
    db_stmt *s = db_prepare(c, "SELECT st.seq, st.action, st.from_state, st.to_state, st.at, "
                               "st.username, st.note, st.data, u.display_name FROM hazard_steps st "
                               "LEFT JOIN users u ON u.username = st.username "
                               "WHERE st.hazard_id = CAST($1 AS INTEGER) ORDER BY st.seq");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, id);
    json_t *items = json_array();
    int step;
    while ((step = db_step(s)) == DB_ROW) {
        const char *d = db_col_text(s, 7);
        json_t *data = d ? json_loads(d, 0, NULL) : NULL;
        json_t *photos = data ? json_object_get(data, "photos") : NULL;
        const char *user = db_col_text(s, 5), *name = db_col_text(s, 8);
        if (!name || !*name)
            name = user && strcmp(user, "system") == 0 ? "系统" : user;
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:O?, s:o}", "seq",
                             (json_int_t)db_col_int(s, 0), "action", db_col_text(s, 1), "from",
                             db_col_text(s, 2), "to", db_col_text(s, 3), "at", db_col_text(s, 4),
                             "username", user, "user_name", name, "note", db_col_text(s, 6),
                             "photos", photos, "data", data ? data : json_object()));
    }
    db_done(s);
    if (step < 0) {
        json_decref(items);
        reply_db_error(r, step);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The declared machine for the console: it draws a button per action
 * allowed from the hazard's state and for the user's permissions (the server
 * checks both again on the step). */
static void h_transitions(req *r)
{
    if (!authz_has(r->user, "hazard:read")) {
        reply_error(r, 403, "forbidden", "没有查看隐患的权限", NULL);
        return;
    }
    json_t *states = json_array(), *items = json_array();
    for (int i = 0; i < hazard_nstates; i++)
        json_array_append_new(states, json_pack("{s:s, s:s}", "code", hazard_states[i], "label",
                                                state_label(hazard_states[i])));
    for (int i = 0; i < hazard_ntransitions; i++) {
        const struct hazard_transition *t = &hazard_transitions[i];
        json_t *from = json_array(), *need = json_array(), *opt = json_array();
        for (int j = 0; j < HAZARD_MAX_FROM && t->from[j]; j++)
            json_array_append_new(from, json_string(t->from[j]));
        for (int j = 0; j < HAZARD_MAX_FIELDS && t->required[j]; j++)
            json_array_append_new(need, json_string(t->required[j]));
        if (strcmp(t->action, "assign") == 0) {
            json_array_append_new(opt, json_string("unit_id"));
            for (int j = 0; j < NPLAN; j++)
                json_array_append_new(opt, json_string(plan_fields[j]));
        }
        json_array_append_new(opt, json_string("note"));
        json_array_append_new(opt, json_string("photos"));
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:o, s:s?, s:s, s:o, s:o}", "action", t->action,
                                        "label", action_label(t->action), "from", from, "to", t->to,
                                        "perm", t->perm, "required", need, "optional", opt));
    }
    reply_json(r, 200, json_pack("{s:o, s:o}", "states", states, "items", items));
}

/* ---- the township board ---- */

/* The earliest deadline that is at most n working days overdue today: the
 * day after the latest d with (the n+1-th working day after d) <= today.
 * Counting working days in (deadline, today] this way needs no per-day table:
 * the board compares deadlines with the two boundaries in SQL. sp holds the
 * calendar around today (BAND_SPAN), loaded once for both boundaries. */
#define BAND_SPAN 200
static void band_boundary(const struct calendar_span *sp, const char *today, int n, char out[11])
{
    long t = util_date_to_days(today);
    for (long d = t - 1; d > t - 4L * n - 60; d--)
        if (workday_add(&sp->cal, d, n + 1) <= t) {
            util_days_to_date(d + 1, out);
            return;
        }
    util_days_to_date(t - 4L * n - 60, out);
}

static int board_query(db_conn *c, const char *sql, int n, const char *const *p, json_t *rows)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return db_last_status(c);
    for (int i = 0; i < n; i++)
        db_bind_text(s, i + 1, p[i]);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        json_t *row = json_array();
        for (int i = 0; i < db_col_count(s); i++)
            json_array_append_new(row, db_col_type(s, i) == DB_T_NULL ? json_null()
                                       : db_col_type(s, i) == DB_T_INT
                                           ? json_integer(db_col_int(s, i))
                                           : json_string(db_col_text(s, i)));
        json_array_append_new(rows, row);
    }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

static json_int_t cell_int(json_t *rows, size_t r, size_t col)
{
    json_t *v = json_array_get(json_array_get(rows, r), col);
    if (json_is_integer(v))
        return json_integer_value(v);
    return json_is_string(v) ? (json_int_t)atoll(json_string_value(v)) : 0;
}

static double rate(json_int_t num, json_int_t den)
{
    return den ? (double)num / (double)den : 0.0;
}

static void h_board(req *r)
{
    const char *region = req_query(r, "region");
    if (!region)
        region = r->user->region;
    if (region_level_of(region) == RL_INVALID) {
        reply_error(r, 400, "bad_request", "region 必须是有效的区域代码", NULL);
        return;
    }
    if (authz_require(r, "hazard:read", region) != 0)
        return;
    if (r->user->unit_id) {
        reply_error(r, 403, "forbidden", "单位用户只能查看本单位的隐患，不能查看乡镇看板", NULL);
        return;
    }
    char today[11], from[11], b6[11], b21[11];
    util_today(today);
    const char *qf = req_query(r, "from"), *qt = req_query(r, "to");
    snprintf(from, sizeof from, "%.4s-01-01", today);
    if ((qf && !util_date_valid(qf)) || (qt && !util_date_valid(qt))) {
        reply_error(r, 400, "bad_request", "from 和 to 必须是日期（YYYY-MM-DD）", NULL);
        return;
    }
    const char *pf = qf ? qf : from, *pt = qt ? qt : today;
    db_conn *c = req_db(r);
    struct calendar_span sp;
    char span_from[11], span_to[11];
    util_days_to_date(util_date_to_days(today) - BAND_SPAN, span_from);
    util_days_to_date(util_date_to_days(today) + BAND_SPAN, span_to);
    if (calendar_span_load(c, span_from, span_to, &sp) != 0) {
        reply_db_error(r, DB_ERR);
        return;
    }
    band_boundary(&sp, today, 5, b6);
    band_boundary(&sp, today, 20, b21);
    calendar_span_free(&sp);
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    region_subtree(region, lo, hi);
    json_t *states = json_array(), *bands = json_array(), *rates = json_array(),
           *units = json_array();
    const char *p1[] = {lo, hi};
    int st = board_query(c,
                         "SELECT state, count(*) FROM hazards WHERE deleted_at IS NULL AND "
                         "region >= $1 AND region < $2 GROUP BY state ORDER BY state",
                         2, p1, states);
    const char *p2[] = {lo, hi, today, b6, b21};
    if (st == DB_OK)
        st = board_query(
            c,
            "SELECT count(*), "
            "COALESCE(SUM(CASE WHEN deadline >= $4 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN deadline < $4 AND deadline >= $5 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN deadline < $5 THEN 1 ELSE 0 END), 0) "
            "FROM hazards WHERE deleted_at IS NULL AND region >= $1 AND region < $2 AND "
            "state <> 'closed' AND state <> 'awaiting_acceptance' AND deadline IS NOT NULL AND "
            "deadline < $3",
            5, p2, bands);
    const char *p3[] = {lo, hi, pf, pt};
    if (st == DB_OK)
        st = board_query(
            c,
            "SELECT count(*), "
            "COALESCE(SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN state = 'closed' AND closed_on <= deadline THEN 1 ELSE 0 "
            "END), 0) FROM hazards WHERE deleted_at IS NULL AND region >= $1 AND region < $2 "
            "AND found_at >= $3 AND found_at <= $4",
            4, p3, rates);
    if (st == DB_OK)
        st = board_query(c,
                         "SELECT u.id, u.name, count(*) FROM hazards h JOIN units u ON u.id = "
                         "h.unit_id WHERE h.deleted_at IS NULL AND h.region >= $1 AND h.region "
                         "< $2 AND h.state <> 'closed' GROUP BY u.id, u.name "
                         "ORDER BY count(*) DESC, u.id LIMIT 10",
                         2, p1, units);
    if (st != DB_OK) {
        json_decref(states);
        json_decref(bands);
        json_decref(rates);
        json_decref(units);
        reply_db_error(r, st);
        return;
    }
    json_t *by_state = json_object();
    for (int i = 0; i < hazard_nstates; i++)
        json_object_set_new(by_state, hazard_states[i], json_integer(0));
    for (size_t i = 0; i < json_array_size(states); i++)
        json_object_set_new(by_state,
                            json_string_value(json_array_get(json_array_get(states, i), 0)),
                            json_integer(cell_int(states, i, 1)));
    json_t *top = json_array();
    for (size_t i = 0; i < json_array_size(units); i++)
        json_array_append_new(
            top, json_pack("{s:I, s:s, s:I}", "unit_id", cell_int(units, i, 0), "name",
                           json_string_value(json_array_get(json_array_get(units, i), 1)), "open",
                           cell_int(units, i, 2)));
    json_int_t found = cell_int(rates, 0, 0), closed = cell_int(rates, 0, 1),
               on_time = cell_int(rates, 0, 2);
    json_t *out =
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:f, s:f, s:o}",
                  "region", region, "today", today, "from", pf, "to", pt, "by_state", by_state,
                  "overdue", "total", cell_int(bands, 0, 0), "1-5", cell_int(bands, 0, 1), "6-20",
                  cell_int(bands, 0, 2), ">20", cell_int(bands, 0, 3), "found", found, "closed",
                  closed, "closed_on_time", on_time, "rectification_rate", rate(closed, found),
                  "on_time_rate", rate(on_time, closed), "top_units", top);
    json_decref(states);
    json_decref(bands);
    json_decref(rates);
    json_decref(units);
    reply_json(r, 200, out);
}

void hazard_routes_register(void)
{
    http_route("POST", "/api/v1/hazards/{id}/transitions", h_transition, 0, NULL);
    http_route("GET", "/api/v1/hazards/{id}/history", h_history, 0, NULL);
    http_route("GET", "/api/v1/hazards/board", h_board, 0, NULL);
    http_route("GET", "/api/v1/hazards/transitions", h_transitions, 0, NULL);
}
