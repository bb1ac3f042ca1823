/* campaign: the step machine of a campaign, the findings' machine, the
 * progress board and the module's check. See campaigns.h.
 *
 * A campaign's steps are rows of campaign_steps, copied from the
 * dictionary campaign_step when it is created. The machine has two
 * actions: "complete" (the current step, the first not done, with its
 * evidence and its milestone's fields) and "plan" (a new planned day for a
 * step not yet done). The campaign's row keeps what the board and the
 * statistics read (state, current step and its planned day, steps done,
 * milestones); only this file writes them, and `check` compares them with
 * the steps. */
#include "campaigns.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "dict.h"
#include "entity.h"
#include "files.h"
#include "http.h"
#include "region.h"
#include "util.h"

#define MAX_STEPS 32

struct step {
    int seq;
    const char *code, *label, *milestone, *planned_on, *done_on;
};

static const char *text_of(json_t *in, const char *k)
{
    const char *s = json_string_value(json_object_get(in, k));
    return s && *s ? s : NULL;
}

static const char *col_dup(arena *a, db_stmt *s, int i)
{
    const char *t = db_col_text(s, i);
    return t ? arena_strdup(a, t) : NULL;
}

/* "YYYY-MM-DD" plus n months, the day kept within the month. */
static void add_months(const char *date, int n, char out[11])
{
    int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8);
    int mm = (y * 12 + (m - 1)) + n;
    y = mm / 12;
    m = mm % 12 + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d > last)
        d = last;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

/* The steps of type as the dictionary campaign_step lists them now. */
static int templates_load(db_conn *c, arena *a, const char *type, struct step *out, int *n,
                          int *months)
{
    db_stmt *s = db_prepare(c, "SELECT i.code, i.label, i.extra FROM dict_items i JOIN dicts d "
                               "ON d.name = i.dict AND d.version = i.version WHERE i.dict = "
                               "'campaign_step' AND i.parent = $1 ORDER BY i.sort, i.code");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, type);
    int rc;
    *n = 0;
    while ((rc = db_step(s)) == DB_ROW && *n < MAX_STEPS) {
        struct step *st = &out[*n];
        memset(st, 0, sizeof *st);
        st->seq = *n + 1;
        st->code = col_dup(a, s, 0);
        st->label = col_dup(a, s, 1);
        json_t *extra = db_col_text(s, 2) ? json_loads(db_col_text(s, 2), 0, NULL) : NULL;
        months[*n] = (int)json_integer_value(json_object_get(extra, "months"));
        const char *ms = json_string_value(json_object_get(extra, "milestone"));
        st->milestone = ms ? arena_strdup(a, ms) : NULL;
        json_decref(extra);
        (*n)++;
    }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

static int steps_load(db_conn *c, arena *a, const char *id, struct step *out, int *n)
{
    db_stmt *s = db_prepare(c, "SELECT seq, code, label, milestone, planned_on, done_on FROM "
                               "campaign_steps WHERE campaign_id = CAST($1 AS INTEGER) ORDER BY "
                               "seq");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, id);
    int rc;
    *n = 0;
    while ((rc = db_step(s)) == DB_ROW && *n < MAX_STEPS) {
        struct step *st = &out[(*n)++];
        st->seq = (int)db_col_int(s, 0);
        st->code = col_dup(a, s, 1);
        st->label = col_dup(a, s, 2);
        st->milestone = col_dup(a, s, 3);
        st->planned_on = col_dup(a, s, 4);
        st->done_on = col_dup(a, s, 5);
    }
    db_done(s);
    return rc < 0 ? rc : DB_OK;
}

int campaign_created(db_conn *c, arena *a, const struct audit_actor *who, const char *key,
                     json_t *obj, int importing)
{
    (void)who;
    (void)importing;
    const char *type = json_string_value(json_object_get(obj, "type"));
    const char *start = json_string_value(json_object_get(obj, "started_on"));
    if (!type || !start)
        return DB_ERR_CONSTRAINT;
    struct step t[MAX_STEPS];
    int months[MAX_STEPS], n = 0;
    int st = templates_load(c, a, type, t, &n, months);
    for (int i = 0; st == DB_OK && i < n; i++) {
        char planned[11], seq[12];
        add_months(start, months[i], planned);
        t[i].planned_on = arena_strdup(a, planned);
        snprintf(seq, sizeof seq, "%d", t[i].seq);
        const char *p[] = {key, seq, t[i].code, t[i].label, t[i].milestone, planned};
        st = db_exec_params(c,
                            "INSERT INTO campaign_steps (campaign_id, seq, code, label, milestone, "
                            "planned_on) VALUES (CAST($1 AS INTEGER), CAST($2 AS INTEGER), $3, $4, "
                            "$5, $6)",
                            6, p);
    }
    if (st != DB_OK)
        return st;
    char total[12];
    snprintf(total, sizeof total, "%d", n);
    const char *p[] = {key, total, n ? t[0].code : NULL, n ? t[0].planned_on : NULL};
    st = db_exec_params(c,
                        "UPDATE campaigns SET steps_total = CAST($2 AS INTEGER), step = $3, "
                        "step_planned_on = $4 WHERE id = CAST($1 AS INTEGER)",
                        4, p);
    if (st == DB_OK) {
        json_object_set_new(obj, "steps_total", json_integer(n));
        json_object_set_new(obj, "step", n ? json_string(t[0].code) : json_null());
        json_object_set_new(obj, "step_planned_on", n ? json_string(t[0].planned_on) : json_null());
    }
    return st;
}

/* ---- the campaign's machine ---- */

static const char *const complete_keys[] = {"action",    "step",           "done_on",
                                            "files",     "records",        "note",
                                            "filing_no", "support_centre", "named_level"};
static const char *const plan_keys[] = {"action", "step", "planned_on", "note"};

static int key_in(const char *k, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return 1;
    return 0;
}

/* The records given as evidence: [{"entity":"activities","id":12}], each a
 * live record the writer may read (entity_ref_visible). Returns the array
 * to store (new reference) or NULL with errors["records"] set; *st gets a
 * database failure. */
static json_t *records_checked(db_conn *c, arena *a, const struct user *u, json_t *v,
                               json_t *errors, int *st)
{
    *st = DB_OK;
    if (!v || json_is_null(v))
        return json_array();
    if (!json_is_array(v) || json_array_size(v) > 20) {
        json_object_set_new(errors, "records", json_string("关联记录必须是不超过 20 项的列表"));
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it)
    {
        const char *name = json_string_value(json_object_get(it, "entity"));
        json_t *idv = json_object_get(it, "id");
        const struct entity *e = name ? entity_find(name) : NULL;
        if (!e || !json_is_integer(idv)) {
            json_object_set_new(errors, "records",
                                json_string("关联记录须写明记录类型和编号（entity、id）"));
            json_decref(out);
            return NULL;
        }
        int rc = entity_ref_visible(c, a, u, e, (long long)json_integer_value(idv), NULL);
        if (rc < 0) {
            *st = rc;
            json_decref(out);
            return NULL;
        }
        if (rc == 0) {
            json_object_set_new(errors, "records", json_string(entity_ref_message(a, e)));
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, json_pack("{s:s, s:I}", "entity", e->name, "id",
                                             (json_int_t)json_integer_value(idv)));
    }
    return out;
}

/* The campaign's columns a milestone sets, as (column, value) pairs. */
static int milestone_cols(arena *a, const char *ms, const char *done_on, json_t *in,
                          const char *target_level, const char **cols, const char **vals)
{
    int n = 0;
    if (!ms)
        return 0;
    if (strcmp(ms, "filing") == 0) {
        cols[n] = "filing_no";
        vals[n++] = text_of(in, "filing_no");
        cols[n] = "filed_on";
        vals[n++] = done_on;
        cols[n] = "support_centre";
        vals[n++] = text_of(in, "support_centre");
    } else if (strcmp(ms, "report") == 0) {
        cols[n] = "report_on";
        vals[n++] = done_on;
    } else if (strcmp(ms, "application") == 0) {
        cols[n] = "applied_on";
        vals[n++] = done_on;
    } else if (strcmp(ms, "review") == 0) {
        cols[n] = "reviewed_on";
        vals[n++] = done_on;
    } else if (strcmp(ms, "evaluation") == 0) {
        cols[n] = "evaluated_on";
        vals[n++] = done_on;
    } else if (strcmp(ms, "named") == 0) {
        const char *lv = text_of(in, "named_level");
        cols[n] = "named_level";
        vals[n++] = lv ? lv : target_level;
        cols[n] = "named_on";
        vals[n++] = done_on;
        char exp[11];
        add_months(done_on, 12 * CAMPAIGN_TITLE_YEARS, exp);
        cols[n] = "expires_on";
        vals[n++] = arena_strdup(a, exp);
    }
    return n;
}

static int update_campaign(db_conn *c, arena *a, const char *id, int n, const char *const *cols,
                           const char *const *vals, const char *now)
{
    char *sql = arena_printf(a, "UPDATE campaigns SET updated_at = $1");
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

static const char *state_label(const char *s)
{
    if (strcmp(s, "planned") == 0)
        return "未启动";
    if (strcmp(s, "in_progress") == 0)
        return "创建中";
    return strcmp(s, "named") == 0 ? "已命名" : s;
}

static int do_complete(db_conn *c, arena *a, const struct audit_actor *who, const char *id,
                       json_t *row, json_t *in, json_t *errors, const char **msg)
{
    const char *region = json_string_value(json_object_get(row, "region"));
    const char *state = json_string_value(json_object_get(row, "state"));
    const char *started = json_string_value(json_object_get(row, "started_on"));
    const char *target = json_string_value(json_object_get(row, "target_level"));
    struct step steps[MAX_STEPS];
    int n = 0;
    int st = steps_load(c, a, id, steps, &n);
    if (st != DB_OK)
        return st;
    int cur = 0;
    while (cur < n && steps[cur].done_on)
        cur++;
    if (cur == n) {
        *msg = arena_printf(a, "创建活动当前状态为“%s”，没有待完成的步骤", state_label(state));
        return 409;
    }
    struct step *s = &steps[cur];
    const char *want = text_of(in, "step");
    if (want && strcmp(want, s->code) != 0) {
        *msg = arena_printf(a, "当前步骤是“%s”，步骤须按进度指导计划依次完成", s->label);
        return 409;
    }
    char today[11], now[32];
    util_today(today);
    util_now_iso(now);
    const char *done_on = text_of(in, "done_on");
    json_t *dv = json_object_get(in, "done_on");
    if (dv && !json_is_null(dv) && !(done_on && util_date_valid(done_on)))
        json_object_set_new(errors, "done_on", json_string("完成日期必须是日期（YYYY-MM-DD）"));
    else if (!done_on)
        done_on = arena_strdup(a, today);
    if (done_on && util_date_valid(done_on)) {
        if (strcmp(done_on, today) > 0)
            json_object_set_new(errors, "done_on", json_string("完成日期不能晚于今天"));
        else if (started && strcmp(done_on, started) < 0)
            json_object_set_new(errors, "done_on", json_string("完成日期不能早于启动日期"));
        else if (cur > 0 && strcmp(done_on, steps[cur - 1].done_on) < 0)
            json_object_set_new(
                errors, "done_on",
                json_string(arena_printf(a, "完成日期不能早于上一步骤（%s）的完成日期 %s",
                                         steps[cur - 1].label, steps[cur - 1].done_on)));
    }
    json_t *note = json_object_get(in, "note");
    if (note && !json_is_null(note) &&
        (!json_is_string(note) || util_utf8_len(json_string_value(note)) > 1000))
        json_object_set_new(errors, "note", json_string("说明必须是不超过 1000 字的文本"));
    /* The milestone's own fields. */
    const char *ms = s->milestone;
    if (ms && strcmp(ms, "filing") == 0) {
        static const char *const need[] = {"filing_no", "support_centre"};
        static const char *const why[] = {"备案须填写备案编号", "备案须填写支持中心"};
        for (int i = 0; i < 2; i++) {
            const char *v = text_of(in, need[i]);
            if (!v)
                json_object_set_new(errors, need[i], json_string(why[i]));
            else if (util_utf8_len(v) > 100)
                json_object_set_new(errors, need[i], json_string("不能超过 100 个字"));
        }
    } else {
        static const char *const only[] = {"filing_no", "support_centre"};
        for (int i = 0; i < 2; i++)
            if (json_object_get(in, only[i]))
                json_object_set_new(errors, only[i],
                                    json_string("只有备案步骤填写备案编号和支持中心"));
    }
    const char *lv = text_of(in, "named_level");
    if (lv) {
        if (!ms || strcmp(ms, "named") != 0) {
            json_object_set_new(errors, "named_level", json_string("只有命名步骤填写命名级别"));
        } else {
            struct dict_cache *dc = dict_cache_new(a, c);
            if (!dict_label(dc, "campaign_level", lv))
                json_object_set_new(errors, "named_level", json_string("命名级别不在字典中"));
        }
    }
    /* The evidence: files of the store, or records the writer can see. */
    json_t *files = json_object_get(in, "files");
    int nfiles = 0;
    if (files && !json_is_null(files)) {
        const char *why = NULL;
        st = files_ids_check(c, a, who->user, files, &why);
        if (st < 0)
            return st;
        if (st == 422)
            json_object_set_new(errors, "files", json_string(why));
        else
            nfiles = (int)json_array_size(files);
    }
    json_t *records = records_checked(c, a, who->user, json_object_get(in, "records"), errors, &st);
    if (st < 0)
        return st;
    if (!json_object_size(errors) && nfiles == 0 && json_array_size(records) == 0)
        json_object_set_new(
            errors, "files",
            json_string(arena_printf(a, "完成“%s”须附证明材料：上传文件（扫描件、照片）或关联记录",
                                     s->label)));
    if (json_object_size(errors)) {
        json_decref(records);
        *msg = arena_printf(a, "不能完成“%s”：%s", s->label,
                            json_string_value(json_object_iter_value(json_object_iter(errors))));
        return 422;
    }
    /* The step. */
    char *ftext = nfiles ? json_dumps(files, JSON_COMPACT) : xstrdup("[]");
    char *rtext = json_dumps(records, JSON_COMPACT);
    char seqs[12];
    snprintf(seqs, sizeof seqs, "%d", s->seq);
    const char *user = who->user ? who->user->username : "system";
    const char *p[] = {id, seqs, done_on, ftext, rtext, text_of(in, "note"), user, now};
    st = db_exec_params(c,
                        "UPDATE campaign_steps SET done_on = $3, files = $4, records = $5, note = "
                        "$6, done_by = $7, done_at = $8 WHERE campaign_id = CAST($1 AS INTEGER) "
                        "AND seq = CAST($2 AS INTEGER)",
                        8, p);
    free(ftext);
    free(rtext);
    if (st == DB_OK && nfiles)
        st = files_attach(c, "campaigns", id, region, files);
    /* The campaign's row. */
    const char *cols[16], *vals[16];
    int k = 0;
    int last = cur == n - 1;
    const char *to = last ? "named" : "in_progress";
    cols[k] = "state";
    vals[k++] = to;
    cols[k] = "step";
    vals[k++] = last ? NULL : steps[cur + 1].code;
    cols[k] = "step_planned_on";
    vals[k++] = last ? NULL : steps[cur + 1].planned_on;
    cols[k] = "steps_done";
    vals[k++] = arena_printf(a, "%d", cur + 1);
    k += milestone_cols(a, ms, done_on, in, target, cols + k, vals + k);
    if (st == DB_OK)
        st = update_campaign(c, a, id, k, cols, vals, now);
    if (st == DB_OK)
        st = entity_reindex(c, a, entity_find("campaigns"), id);
    if (st == DB_OK) {
        json_t *fields = json_deep_copy(in);
        json_object_del(fields, "action");
        json_object_set_new(fields, "done_on", json_string(done_on));
        json_object_set(fields, "records", records);
        json_t *ch = json_pack("{s:s, s:s, s:s, s:s, s:o}", "action", "complete", "step", s->code,
                               "from", state, "to", to, "fields", fields);
        st = audit_write(c, who, "transition", "campaigns", id, region, ch, NULL);
        json_decref(ch);
    }
    json_decref(records);
    return st;
}

static int do_plan(db_conn *c, arena *a, const struct audit_actor *who, const char *id, json_t *row,
                   json_t *in, json_t *errors, const char **msg)
{
    const char *region = json_string_value(json_object_get(row, "region"));
    const char *code = text_of(in, "step");
    const char *planned = text_of(in, "planned_on");
    if (!code)
        json_object_set_new(errors, "step", json_string("须写明调整计划的步骤"));
    if (!planned || !util_date_valid(planned))
        json_object_set_new(errors, "planned_on",
                            json_string("计划完成日期必须是日期（YYYY-MM-DD）"));
    if (json_object_size(errors)) {
        *msg = "输入有误";
        return 422;
    }
    struct step steps[MAX_STEPS];
    int n = 0, st = steps_load(c, a, id, steps, &n);
    if (st != DB_OK)
        return st;
    int i = 0;
    while (i < n && strcmp(steps[i].code, code) != 0)
        i++;
    if (i == n) {
        json_object_set_new(errors, "step", json_string("该创建活动没有这个步骤"));
        *msg = "该创建活动没有这个步骤";
        return 422;
    }
    if (steps[i].done_on) {
        *msg =
            arena_printf(a, "“%s”已于 %s 完成，不能再调整计划", steps[i].label, steps[i].done_on);
        return 409;
    }
    char seqs[12], now[32];
    util_now_iso(now);
    snprintf(seqs, sizeof seqs, "%d", steps[i].seq);
    const char *p[] = {id, seqs, planned};
    st = db_exec_params(c,
                        "UPDATE campaign_steps SET planned_on = $3 WHERE campaign_id = CAST($1 AS "
                        "INTEGER) AND seq = CAST($2 AS INTEGER)",
                        3, p);
    int current = i == 0 || steps[i - 1].done_on;
    if (st == DB_OK && current) {
        const char *cols[] = {"step_planned_on"}, *vals[] = {planned};
        st = update_campaign(c, a, id, 1, cols, vals, now);
    }
    if (st == DB_OK) {
        json_t *ch = json_pack("{s:s, s:s, s:s, s:s}", "action", "plan", "step", code, "from",
                               steps[i].planned_on, "planned_on", planned);
        st = audit_write(c, who, "transition", "campaigns", id, region, ch, text_of(in, "note"));
        json_decref(ch);
    }
    return st;
}

int campaign_apply(db_conn *c, arena *a, const struct audit_actor *who, const char *id, json_t *in,
                   json_t *errors, const char **msg)
{
    *msg = NULL;
    const char *action = text_of(in, "action");
    int complete = action && strcmp(action, "complete") == 0;
    if (!complete && !(action && strcmp(action, "plan") == 0)) {
        json_object_set_new(errors, "action", json_string("未知的操作"));
        *msg = "未知的操作";
        return 422;
    }
    int st;
    const struct entity *e = entity_find("campaigns");
    json_t *row = entity_get(c, a, e, id, &st);
    if (!row) {
        *msg = "记录不存在";
        return st < 0 ? st : 404;
    }
    const char *region = json_string_value(json_object_get(row, "region"));
    int rc = authz_check(who->user, "campaign:step", region);
    if (rc == 403 && authz_check(who->user, "campaign:read", region) != 0)
        rc = 404;
    if (rc) {
        *msg = rc == 404 ? "记录不存在" : "没有执行此操作的权限";
        json_decref(row);
        return rc;
    }
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v)
    {
        int ok = complete ? key_in(k, complete_keys, sizeof complete_keys / sizeof *complete_keys)
                          : key_in(k, plan_keys, sizeof plan_keys / sizeof *plan_keys);
        if (!ok)
            json_object_set_new(errors, k, json_string("此操作不接受该字段"));
    }
    if (json_object_size(errors)) {
        json_decref(row);
        *msg = "此操作不接受该字段";
        return 422;
    }
    rc = complete ? do_complete(c, a, who, id, row, in, errors, msg)
                  : do_plan(c, a, who, id, row, in, errors, msg);
    json_decref(row);
    return rc;
}

/* ---- the findings' machine: open -> closed, with progress notes ---- */

static int finding_step(db_conn *c, const struct audit_actor *who, const char *id,
                        const char *region, const char *action, const char *from, const char *to,
                        json_t *in, const char *now)
{
    int64_t seq = db_query_int(c,
                               "SELECT COALESCE(MAX(seq), 0) + 1 FROM supervision_finding_steps "
                               "WHERE finding_id = CAST($1 AS INTEGER)",
                               id, -1);
    if (seq < 1)
        return DB_ERR;
    json_t *data = json_deep_copy(in);
    json_object_del(data, "action");
    json_object_del(data, "note");
    char *dtext = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    char seqs[24];
    snprintf(seqs, sizeof seqs, "%lld", (long long)seq);
    const char *user = who->user ? who->user->username : "system";
    const char *p[] = {id, seqs, action, from, to, now, user, text_of(in, "note"), dtext};
    int st = db_exec_params(c,
                            "INSERT INTO supervision_finding_steps (finding_id, seq, action, "
                            "from_state, to_state, at, username, note, data) VALUES (CAST($1 AS "
                            "INTEGER), CAST($2 AS INTEGER), $3, $4, $5, $6, $7, $8, $9)",
                            9, p);
    free(dtext);
    if (st == DB_OK) {
        json_t *ch = json_pack("{s:s, s:s, s:s, s:O}", "action", action, "from", from, "to", to,
                               "fields", data);
        st = audit_write(c, who, "transition", "supervision_findings", id, region, ch, NULL);
        json_decref(ch);
    }
    json_decref(data);
    return st;
}

int finding_apply(db_conn *c, arena *a, const struct audit_actor *who, const char *id, json_t *in,
                  json_t *errors, const char **msg)
{
    *msg = NULL;
    const char *action = text_of(in, "action");
    int close = action && strcmp(action, "close") == 0;
    if (!close && !(action && strcmp(action, "report_progress") == 0)) {
        json_object_set_new(errors, "action", json_string("未知的操作"));
        *msg = "未知的操作";
        return 422;
    }
    int st;
    json_t *row = entity_get(c, a, entity_find("supervision_findings"), id, &st);
    if (!row) {
        *msg = "记录不存在";
        return st < 0 ? st : 404;
    }
    const char *region = arena_strdup(a, json_string_value(json_object_get(row, "region")));
    const char *state = arena_strdup(a, json_string_value(json_object_get(row, "state")));
    json_decref(row);
    int rc = authz_check(who->user, close ? "supervision:close" : "supervision:write", region);
    if (rc == 403 && authz_check(who->user, "supervision:read", region) != 0)
        rc = 404;
    if (rc) {
        *msg = rc == 404 ? "记录不存在" : "没有执行此操作的权限";
        return rc;
    }
    if (strcmp(state, "open") != 0) {
        *msg = "整改事项已销号，不能再操作";
        return 409;
    }
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v)
    {
        int ok = strcmp(k, "action") == 0 || strcmp(k, "note") == 0 ||
                 (close && (strcmp(k, "result") == 0 || strcmp(k, "photos") == 0 ||
                            strcmp(k, "closed_on") == 0));
        if (!ok)
            json_object_set_new(errors, k, json_string("此操作不接受该字段"));
        else if (strcmp(k, "photos") != 0 && !json_is_null(v) &&
                 (!json_is_string(v) || util_utf8_len(json_string_value(v)) > 2000))
            json_object_set_new(errors, k, json_string("必须是不超过 2000 字的文本"));
    }
    char today[11], now[32];
    util_today(today);
    util_now_iso(now);
    const char *closed_on = text_of(in, "closed_on");
    if (close) {
        if (!text_of(in, "result"))
            json_object_set_new(errors, "result", json_string("销号须填写整改结果"));
        if (closed_on && (!util_date_valid(closed_on) || strcmp(closed_on, today) > 0))
            json_object_set_new(errors, "closed_on", json_string("销号日期必须是不晚于今天的日期"));
        if (!closed_on)
            closed_on = today;
    } else if (!text_of(in, "note")) {
        json_object_set_new(errors, "note", json_string("须填写整改进展"));
    }
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
    st = DB_OK;
    if (photos && !json_is_null(photos))
        st = files_attach(c, "supervision_findings", id, region, photos);
    if (close && st == DB_OK) {
        char *ptext = photos && !json_is_null(photos) ? json_dumps(photos, JSON_COMPACT) : NULL;
        const char *p[] = {id, now, closed_on, text_of(in, "result"), ptext};
        st = db_exec_params(c,
                            "UPDATE supervision_findings SET updated_at = $2, state = 'closed', "
                            "closed_on = $3, result = $4, photos = COALESCE($5, photos) WHERE id = "
                            "CAST($1 AS INTEGER)",
                            5, p);
        free(ptext);
        if (st == DB_OK)
            st = entity_reindex(c, a, entity_find("supervision_findings"), id);
    }
    if (st == DB_OK)
        st = finding_step(c, who, id, region, action, state, close ? "closed" : state, in, now);
    return st;
}

/* ---- check ---- */

static int check_count(db_conn *c, FILE *out, const char *sql, const char *ok, const char *fail)
{
    int64_t n = db_query_int(c, sql, NULL, -1);
    if (n == 0) {
        fprintf(out, "ok   %s\n", ok);
        return 0;
    }
    fprintf(out, "FAIL %s (%lld)\n", fail, (long long)n);
    return 1;
}

int campaign_check(db_conn *c, FILE *out)
{
    int bad = 0;
    bad += check_count(c, out,
                       "SELECT count(*) FROM campaign_steps WHERE done_on IS NOT NULL AND "
                       "(files IS NULL OR files = '[]') AND (records IS NULL OR records = '[]')",
                       "every completed campaign step has its evidence",
                       "campaign steps completed without evidence");
    bad += check_count(c, out,
                       "SELECT count(*) FROM campaign_steps a JOIN campaign_steps b ON "
                       "b.campaign_id = a.campaign_id AND b.seq > a.seq WHERE a.done_on IS NULL "
                       "AND b.done_on IS NOT NULL",
                       "every campaign's steps were completed in order",
                       "campaign steps completed after a step not done");
    /* What the board and the figures read from the campaign's row equals
     * what its steps say. */
    bad += check_count(
        c, out,
        "SELECT count(*) FROM campaigns c WHERE c.steps_done <> (SELECT count(*) FROM "
        "campaign_steps s WHERE s.campaign_id = c.id AND s.done_on IS NOT NULL) OR c.steps_total "
        "<> (SELECT count(*) FROM campaign_steps s WHERE s.campaign_id = c.id) OR c.state <> "
        "CASE WHEN c.steps_done = 0 THEN 'planned' WHEN c.steps_done = c.steps_total THEN "
        "'named' ELSE 'in_progress' END OR COALESCE(c.step, '') <> COALESCE((SELECT s.code FROM "
        "campaign_steps s WHERE s.campaign_id = c.id AND s.done_on IS NULL ORDER BY s.seq LIMIT "
        "1), '') OR COALESCE(c.step_planned_on, '') <> COALESCE((SELECT s.planned_on FROM "
        "campaign_steps s WHERE s.campaign_id = c.id AND s.done_on IS NULL ORDER BY s.seq LIMIT "
        "1), '')",
        "every campaign's state, current step and steps done agree with its steps (the board's "
        "counts)",
        "campaigns whose state or current step disagrees with their steps");
    bad += check_count(c, out,
                       "SELECT count(*) FROM campaigns c WHERE c.state = 'named' AND (c.named_on "
                       "IS NULL OR c.expires_on IS NULL OR c.named_level IS NULL OR c.named_on <> "
                       "(SELECT s.done_on FROM campaign_steps s WHERE s.campaign_id = c.id AND "
                       "s.seq = c.steps_total))",
                       "every named campaign has its title's level, date and expiry",
                       "named campaigns without their title's level, date or expiry");
    bad += check_count(c, out,
                       "SELECT count(*) FROM supervision_findings f WHERE f.state <> COALESCE(("
                       "SELECT st.to_state FROM supervision_finding_steps st WHERE st.finding_id "
                       "= f.id ORDER BY st.seq DESC LIMIT 1), 'open')",
                       "every supervision finding's state agrees with its history",
                       "supervision findings whose state disagrees with their history");
    return bad;
}

/* ---- HTTP ---- */

static void reply_apply(req *r, int rc, const char *msg, json_t *errors, const char *entity,
                        const char *id, db_conn *c)
{
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
        reply_error(r, 422, "validation_failed", msg, errors);
        return;
    default:
        json_decref(errors);
        reply_db_error(r, rc);
        return;
    }
    json_decref(errors);
    int st;
    json_t *row = entity_get(c, r->a, entity_find(entity), id, &st);
    if (!row) {
        reply_db_error(r, st < 0 ? st : DB_ERR);
        return;
    }
    reply_json(r, 200, row);
}

static void h_transition(req *r)
{
    const char *entity = req_route_data(r);
    json_t *in = req_json(r);
    if (!in)
        return;
    if (!json_is_object(in)) {
        reply_error(r, 422, "validation_failed", "请求体必须是 JSON 对象", NULL);
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
    const char *msg = NULL;
    const char *id = req_param(r, "id");
    int rc = strcmp(entity, "campaigns") == 0 ? campaign_apply(c, r->a, &who, id, in, errors, &msg)
                                              : finding_apply(c, r->a, &who, id, in, errors, &msg);
    if (rc == 0)
        rc = db_commit(c);
    else
        db_rollback(c);
    reply_apply(r, rc, msg, errors, entity, id, c);
}

/* The row of entity id if the caller may read it, else the reply queued
 * and NULL. */
static json_t *readable_row(req *r, db_conn *c, const char *entity, const char *perm,
                            const char *id)
{
    int st;
    json_t *row = entity_get(c, r->a, entity_find(entity), id, &st);
    if (!row) {
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return NULL;
    }
    if (authz_require(r, perm, json_string_value(json_object_get(row, "region"))) != 0) {
        json_decref(row);
        return NULL;
    }
    return row;
}

/* A linked record as the timeline shows it: its entity's label and, when
 * the caller may still read it, a title from its first text field. */
static json_t *record_view(db_conn *c, arena *a, const struct user *u, json_t *it)
{
    const char *name = json_string_value(json_object_get(it, "entity"));
    json_int_t rid = json_integer_value(json_object_get(it, "id"));
    const struct entity *e = name ? entity_find(name) : NULL;
    json_t *out = json_pack("{s:s?, s:I, s:s?}", "entity", name, "id", rid, "entity_label",
                            e ? e->label : NULL);
    json_t *row = NULL;
    if (e && entity_ref_visible(c, a, u, e, (long long)rid, &row) == 1 && row) {
        for (int i = 0; i < e->nfields; i++)
            if (e->fields[i].type == FT_TEXT) {
                const char *t = json_string_value(json_object_get(row, e->fields[i].name));
                if (t) {
                    json_object_set_new(out, "title", json_string(t));
                    break;
                }
            }
        json_decref(row);
    } else {
        json_object_set_new(out, "hidden", json_true());
    }
    return out;
}

/* GET /api/v1/campaigns/{id}/steps: the timeline, each step with its
 * planned and actual days, whether it is late, and its evidence. */
static void h_steps(req *r)
{
    db_conn *c = req_db(r);
    const char *id = req_param(r, "id");
    json_t *row = readable_row(r, c, "campaigns", "campaign:read", id);
    if (!row)
        return;
    json_decref(row);
    char today[11];
    util_today(today);
    db_stmt *s = db_prepare(c, "SELECT seq, code, label, milestone, planned_on, done_on, files, "
                               "records, note, done_by, done_at FROM campaign_steps WHERE "
                               "campaign_id = CAST($1 AS INTEGER) ORDER BY seq");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, id);
    json_t *items = json_array();
    int rc, current = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *planned = db_col_text(s, 4), *done = db_col_text(s, 5);
        json_t *files = db_col_text(s, 6) ? json_loads(db_col_text(s, 6), 0, NULL) : NULL;
        json_t *records = db_col_text(s, 7) ? json_loads(db_col_text(s, 7), 0, NULL) : NULL;
        int late = done ? strcmp(done, planned) > 0 : strcmp(planned, today) < 0;
        int is_current = !done && !current;
        if (is_current)
            current = 1;
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s?, s:o, s:o, s:s?, s:s?, s:s?, s:b, "
                      "s:b}",
                      "seq", (json_int_t)db_col_int(s, 0), "code", db_col_text(s, 1), "label",
                      db_col_text(s, 2), "milestone", db_col_text(s, 3), "planned_on", planned,
                      "done_on", done, "files", files ? files : json_array(), "records",
                      records ? records : json_array(), "note", db_col_text(s, 8), "done_by",
                      db_col_text(s, 9), "done_at", db_col_text(s, 10), "late", late, "current",
                      is_current));
    }
    db_done(s);
    if (rc < 0) {
        json_decref(items);
        reply_db_error(r, rc);
        return;
    }
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        json_t *recs = json_object_get(it, "records"), *view = json_array();
        for (size_t j = 0; j < json_array_size(recs); j++)
            json_array_append_new(view, record_view(c, r->a, r->user, json_array_get(recs, j)));
        json_object_set_new(it, "records", view);
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static void h_finding_history(req *r)
{
    db_conn *c = req_db(r);
    const char *id = req_param(r, "id");
    json_t *row = readable_row(r, c, "supervision_findings", "supervision:read", id);
    if (!row)
        return;
    json_decref(row);
    db_stmt *s = db_prepare(c, "SELECT seq, action, from_state, to_state, at, username, note, "
                               "data FROM supervision_finding_steps WHERE finding_id = CAST($1 AS "
                               "INTEGER) ORDER BY seq");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, id);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *d = db_col_text(s, 7);
        json_t *data = d ? json_loads(d, 0, NULL) : NULL;
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:o}", "seq",
                                        (json_int_t)db_col_int(s, 0), "action", db_col_text(s, 1),
                                        "from", db_col_text(s, 2), "to", db_col_text(s, 3), "at",
                                        db_col_text(s, 4), "username", db_col_text(s, 5), "note",
                                        db_col_text(s, 6), "data", data ? data : json_object()));
    }
    db_done(s);
    if (rc < 0) {
        json_decref(items);
        reply_db_error(r, rc);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/supervision_findings/transitions: the findings' machine for
 * the console (the generic detail page offers its actions), in the shape
 * of the hazards' (action, label, from, to, perm, required, optional). */
static void h_finding_machine(req *r)
{
    if (!authz_has(r->user, "supervision:read")) {
        reply_error(r, 403, "forbidden", "没有查看督导检查的权限", NULL);
        return;
    }
    json_t *items = json_pack("[{s:s, s:s, s:[s], s:s, s:s, s:[s], s:[s]}, {s:s, s:s, s:[s], s:s, "
                              "s:s, s:[s], s:[s,s,s]}]",
                              "action", "report_progress", "label", "报告整改进展", "from", "open",
                              "to", "open", "perm", "supervision:write", "required", "note",
                              "optional", "photos", "action", "close", "label", "整改销号", "from",
                              "open", "to", "closed", "perm", "supervision:close", "required",
                              "result", "optional", "closed_on", "photos", "note");
    reply_json(r, 200, json_pack("{s:s, s:o}", "state_field", "state", "items", items));
}

/* ---- the progress board ---- */

/* GET /api/v1/campaigns/board?region=&type=safe: against the targets set
 * for this year's period, the campaigns achieved (named, by the level
 * named) and in progress (by the target level); each campaign's current
 * step and whether it is late; the steps due this month. Every count is
 * taken from the rows listed, so the two always agree. */
static void h_board(req *r)
{
    const char *region = req_query(r, "region");
    if (!region)
        region = r->user->region;
    if (region_level_of(region) == RL_INVALID) {
        reply_error(r, 400, "bad_request", "region 必须是有效的区域代码", NULL);
        return;
    }
    const char *type = req_query(r, "type");
    if (!type)
        type = "safe";
    db_conn *c = req_db(r);
    struct dict_cache *dc = dict_cache_new(r->a, c);
    if (!dict_label(dc, "campaign", type)) {
        reply_error(r, 400, "bad_request", "type 必须是创建类型之一", NULL);
        return;
    }
    if (authz_require(r, "campaign:read", region) != 0)
        return;
    char today[11], month_lo[11], month_hi[11], lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    util_today(today);
    snprintf(month_lo, sizeof month_lo, "%.7s-01", today);
    snprintf(month_hi, sizeof month_hi, "%.7s-31", today);
    region_subtree(region, lo, hi);
    int year = atoi(today);

    json_t *levels = json_object();
    for (int i = 0; dict_code_at(dc, "campaign_level", i); i++)
        json_object_set_new(
            levels, dict_code_at(dc, "campaign_level", i),
            json_pack("{s:i, s:i, s:i}", "target", 0, "achieved", 0, "in_progress", 0));
    int st = DB_OK;
    int can_targets = authz_has(r->user, "campaign_target:read");
    if (can_targets) {
        db_stmt *s = db_prepare(c, "SELECT level, COALESCE(SUM(target), 0) FROM campaign_targets "
                                   "WHERE deleted_at IS NULL AND region = $1 AND type = $2 AND "
                                   "period_start <= $3 AND period_end >= $3 GROUP BY level");
        if (!s)
            st = db_last_status(c);
        else {
            db_bind_text(s, 1, region);
            db_bind_text(s, 2, type);
            db_bind_int(s, 3, year);
            int rc;
            while ((rc = db_step(s)) == DB_ROW) {
                json_t *lv = json_object_get(levels, db_col_text(s, 0));
                if (lv)
                    json_object_set_new(lv, "target", json_integer(db_col_int(s, 1)));
            }
            db_done(s);
            if (rc < 0)
                st = rc;
        }
    }
    json_t *rows = json_array();
    long n_named = 0, n_progress = 0, n_late = 0, n_planned = 0;
    if (st == DB_OK) {
        db_stmt *s = db_prepare(
            c, "SELECT c.id, c.region, r.name, t.code, t.name, c.name, c.target_level, c.state, "
               "c.step, c.step_planned_on, c.steps_done, c.steps_total, c.named_level, c.named_on, "
               "c.expires_on, c.pilot, c.filed_on FROM campaigns c JOIN regions r ON r.code = "
               "c.region LEFT JOIN regions t ON t.code = substr(c.region, 1, 9) || '000' WHERE "
               "c.deleted_at IS NULL AND c.region >= $1 AND c.region < $2 AND c.type = $3 ORDER "
               "BY c.region, c.id");
        if (!s)
            st = db_last_status(c);
        else {
            db_bind_text(s, 1, lo);
            db_bind_text(s, 2, hi);
            db_bind_text(s, 3, type);
            int rc;
            while ((rc = db_step(s)) == DB_ROW) {
                const char *state = db_col_text(s, 7), *step = db_col_text(s, 8);
                const char *planned = db_col_text(s, 9), *tl = db_col_text(s, 6);
                const char *nl = db_col_text(s, 12);
                int named = strcmp(state, "named") == 0;
                int late = !named && planned && strcmp(planned, today) < 0;
                n_named += named;
                n_progress += strcmp(state, "in_progress") == 0;
                n_planned += strcmp(state, "planned") == 0;
                n_late += late;
                json_t *lv = json_object_get(levels, named && nl ? nl : tl);
                if (lv) {
                    const char *k = named ? "achieved" : "in_progress";
                    json_object_set_new(
                        lv, k, json_integer(json_integer_value(json_object_get(lv, k)) + 1));
                }
                json_array_append_new(
                    rows,
                    json_pack(
                        "{s:I, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:I, "
                        "s:I, s:s?, s:s?, s:s?, s:b, s:s?, s:b}",
                        "id", (json_int_t)db_col_int(s, 0), "region", db_col_text(s, 1),
                        "region_name", db_col_text(s, 2), "township", db_col_text(s, 3),
                        "township_name", db_col_text(s, 4), "name", db_col_text(s, 5),
                        "target_level", tl, "state", state, "step", step, "step_label",
                        step ? dict_label(dc, "campaign_step", step) : NULL, "step_planned_on",
                        planned, "steps_done", (json_int_t)db_col_int(s, 10), "steps_total",
                        (json_int_t)db_col_int(s, 11), "named_level", nl, "named_on",
                        db_col_text(s, 13), "expires_on", db_col_text(s, 14), "pilot",
                        db_col_int(s, 15) != 0, "filed_on", db_col_text(s, 16), "late", late));
            }
            db_done(s);
            if (rc < 0)
                st = rc;
        }
    }
    json_t *due = json_array();
    if (st == DB_OK) {
        db_stmt *s = db_prepare(
            c, "SELECT c.id, c.name, r.name, s.code, s.label, s.planned_on FROM campaign_steps s "
               "JOIN campaigns c ON c.id = s.campaign_id JOIN regions r ON r.code = c.region "
               "WHERE c.deleted_at IS NULL AND c.region >= $1 AND c.region < $2 AND c.type = $3 "
               "AND s.done_on IS NULL AND s.planned_on >= $4 AND s.planned_on <= $5 ORDER BY "
               "s.planned_on, c.region, s.seq");
        if (!s)
            st = db_last_status(c);
        else {
            db_bind_text(s, 1, lo);
            db_bind_text(s, 2, hi);
            db_bind_text(s, 3, type);
            db_bind_text(s, 4, month_lo);
            db_bind_text(s, 5, month_hi);
            int rc;
            while ((rc = db_step(s)) == DB_ROW)
                json_array_append_new(
                    due, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "campaign_id",
                                   (json_int_t)db_col_int(s, 0), "name", db_col_text(s, 1),
                                   "region_name", db_col_text(s, 2), "step", db_col_text(s, 3),
                                   "label", db_col_text(s, 4), "planned_on", db_col_text(s, 5)));
            db_done(s);
            if (rc < 0)
                st = rc;
        }
    }
    /* The type's steps, in order: the columns of the township-by-step
     * table. */
    json_t *steps = json_array();
    if (st == DB_OK) {
        struct step t[MAX_STEPS];
        int months[MAX_STEPS], n = 0;
        st = templates_load(c, r->a, type, t, &n, months);
        for (int i = 0; st == DB_OK && i < n; i++)
            json_array_append_new(steps, json_pack("{s:s, s:s, s:i}", "code", t[i].code, "label",
                                                   t[i].label, "months", months[i]));
    }
    if (st != DB_OK) {
        json_decref(levels);
        json_decref(rows);
        json_decref(due);
        json_decref(steps);
        reply_db_error(r, st);
        return;
    }
    json_t *by_level = json_array();
    for (int i = 0; dict_code_at(dc, "campaign_level", i); i++) {
        const char *code = dict_code_at(dc, "campaign_level", i);
        json_t *lv = json_object_get(levels, code);
        json_object_set_new(lv, "level", json_string(code));
        json_object_set_new(lv, "label", json_string(dict_label(dc, "campaign_level", code)));
        json_array_append(by_level, lv);
    }
    json_decref(levels);
    reply_json(r, 200,
               json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o, "
                         "s:o}",
                         "region", region, "type", type, "today", today, "month", month_lo,
                         "targets_visible", can_targets, "by_level", by_level, "counts", "total",
                         (json_int_t)json_array_size(rows), "named", (json_int_t)n_named,
                         "in_progress", (json_int_t)n_progress, "planned", (json_int_t)n_planned,
                         "late", (json_int_t)n_late, "campaigns", rows, "due_this_month", due,
                         "steps", steps));
}

void campaign_routes_register(void)
{
    http_route("GET", "/api/v1/campaigns/board", h_board, 0, NULL);
    http_route("POST", "/api/v1/campaigns/{id}/transitions", h_transition, 0, "campaigns");
    http_route("GET", "/api/v1/campaigns/{id}/steps", h_steps, 0, NULL);
    http_route("POST", "/api/v1/supervision_findings/{id}/transitions", h_transition, 0,
               "supervision_findings");
    http_route("GET", "/api/v1/supervision_findings/{id}/history", h_finding_history, 0, NULL);
    http_route("GET", "/api/v1/supervision_findings/transitions", h_finding_machine, 0, NULL);
}
