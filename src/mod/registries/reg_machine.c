/* reg_machine: see registries.h. The two small state machines of the
 * registries (a help subject's status, a dangerous house's closing), their
 * steps in registry_steps and the check that each record's state agrees
 * with them; and a village worker's scheduled help visits: the name and
 * address of whom to visit, nothing else. */
#include "registries.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "crypto.h"
#include "entity.h"
#include "http.h"
#include "util.h"

struct reg_transition {
    const char *action, *label;
    const char *from[4];
    const char *to;
    const char *date_col; /* set to the body's "date" (default today) */
    const char *flag_col; /* set to 1 */
};

struct reg_machine {
    const struct entity *e;
    const char *state_col;
    const char *first;
    const struct reg_transition *t;
    int n;
};

static const struct reg_transition help_transitions[] = {
    {"relapse", "复吸/重新犯罪", {"in_help"}, "relapsed", NULL, "relapsed"},
    {"resume", "恢复帮教", {"relapsed"}, "in_help", NULL, NULL},
    {"complete", "帮教期满", {"in_help"}, "completed", "ended_on", NULL},
    {"move_away", "迁出", {"in_help", "relapsed"}, "moved_away", "ended_on", NULL},
    {"decease", "死亡", {"in_help", "relapsed"}, "deceased", "ended_on", NULL},
};

static const struct reg_transition house_transitions[] = {
    {"start", "开始处置", {"registered"}, "in_progress", NULL, NULL},
    {"close", "销号", {"registered", "in_progress"}, "closed", "closed_on", NULL},
};

static const struct reg_machine machines[] = {
    {&reg_help_subjects, "status", "in_help", help_transitions, MODULE_N(help_transitions)},
    {&reg_dangerous_houses, "state", "registered", house_transitions, MODULE_N(house_transitions)},
};

static const struct reg_transition *transition_find(const struct reg_machine *m, const char *a)
{
    for (int i = 0; a && i < m->n; i++)
        if (strcmp(m->t[i].action, a) == 0)
            return &m->t[i];
    return NULL;
}

static int from_ok(const struct reg_transition *t, const char *state)
{
    for (int i = 0; i < 4 && t->from[i]; i++)
        if (strcmp(t->from[i], state) == 0)
            return 1;
    return 0;
}

static void defer_decref(void *p)
{
    json_decref(p);
}

/* The record of the path's id, readable with perm (":read"/":write") by the
 * caller; NULL with the reply queued. */
static json_t *load_row(req *r, const struct entity *e, const char *action)
{
    int st;
    const char *key = req_param(r, "id");
    long long id = atoll(key);
    json_t *row = id > 0 ? entity_get(req_db(r), r->a, e, key, &st) : NULL;
    if (!row) {
        if (id > 0 && st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return NULL;
    }
    arena_defer(r->a, defer_decref, row);
    const char *region = json_string_value(json_object_get(row, "region"));
    if (authz_require(r, arena_printf(r->a, "%s:%s", e->perm, action), region) != 0)
        return NULL;
    return row;
}

static void h_transition(req *r)
{
    const struct reg_machine *m = req_route_data(r);
    json_t *in = req_json_only(r, REQ_KEYS("action", "date", "note"));
    if (!in)
        return;
    const struct reg_transition *t =
        transition_find(m, json_string_value(json_object_get(in, "action")));
    if (!t) {
        reply_field_error(r, "action", "未知的操作");
        return;
    }
    const char *date = json_string_value(json_object_get(in, "date"));
    char today[11];
    util_today(today);
    if (json_object_get(in, "date") &&
        (!date || !util_date_valid(date) || strcmp(date, today) > 0)) {
        reply_field_error(r, "date", "必须是不晚于今天的日期");
        return;
    }
    const char *note = json_string_value(json_object_get(in, "note"));
    if (json_object_get(in, "note") && (!note || util_utf8_len(note) > 500)) {
        reply_field_error(r, "note", "说明最多500字");
        return;
    }
    db_conn *c = req_begin(r);
    if (!c)
        return;
    json_t *row = load_row(r, m->e, "write");
    if (!row) {
        db_rollback(c);
        return;
    }
    const char *key = req_param(r, "id");
    const char *state = json_string_value(json_object_get(row, m->state_col));
    if (!state || !from_ok(t, state)) {
        db_rollback(c);
        reply_error(r, 409, "conflict", arena_printf(r->a, "当前状态不能执行“%s”", t->label), NULL);
        return;
    }
    char now[32];
    util_now_iso(now);
    buf sql;
    buf_init(&sql, 4096);
    buf_printf(&sql, "UPDATE %s SET %s = $1, updated_at = $2", m->e->name, m->state_col);
    int np = 3;
    const char *p[4] = {t->to, now, key, NULL};
    if (t->date_col) {
        buf_printf(&sql, ", %s = $4", t->date_col);
        p[3] = date ? date : arena_strdup(r->a, today);
        np = 4;
    }
    if (t->flag_col)
        buf_printf(&sql, ", %s = 1", t->flag_col);
    buf_printf(&sql, " WHERE id = CAST($3 AS INTEGER)");
    int st = db_exec_params(c, buf_str(&sql), np, p);
    buf_free(&sql);
    if (st == DB_OK) {
        const char *q[] = {m->e->name, key, t->action, state, t->to, now, auth_user_name(r->user),
                           note};
        st = db_exec_params(c,
                            "INSERT INTO registry_steps (entity, record_id, seq, action, "
                            "from_state, to_state, at, username, note) SELECT $1, CAST($2 AS "
                            "INTEGER), COALESCE(max(seq), 0) + 1, $3, $4, $5, $6, $7, $8 FROM "
                            "registry_steps WHERE entity = $1 AND record_id = CAST($2 AS INTEGER)",
                            8, q);
    }
    if (st == DB_OK) {
        struct audit_actor who = {r->user, r->client_ip};
        json_t *ch = json_pack("{s:s, s:s, s:s}", "action", t->action, "from", state, "to", t->to);
        st = audit_write(c, &who, "transition", m->e->name, key,
                         json_string_value(json_object_get(row, "region")), ch, NULL);
        json_decref(ch);
    }
    if (req_commit(r, c, st) != 0)
        return;
    json_t *out = entity_get(c, r->a, m->e, key, &st);
    if (!out) {
        reply_db_error(r, st < 0 ? st : DB_ERR);
        return;
    }
    reply_json(r, 200, out);
}

static void h_history(req *r)
{
    const struct reg_machine *m = req_route_data(r);
    if (!load_row(r, m->e, "read"))
        return;
    db_stmt *s = db_prepare(req_db(r), "SELECT seq, action, from_state, to_state, at, username, "
                                       "note FROM registry_steps WHERE entity = $1 AND "
                                       "record_id = CAST($2 AS INTEGER) ORDER BY seq");
    if (!s) {
        reply_db_error(r, db_last_status(req_db(r)));
        return;
    }
    db_bind_text(s, 1, m->e->name);
    db_bind_text(s, 2, req_param(r, "id"));
    json_t *items = json_array();
    int st;
    while ((st = db_step(s)) == DB_ROW)
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?}", "seq",
                             (json_int_t)db_col_int(s, 0), "action", db_col_text(s, 1), "from",
                             db_col_text(s, 2), "to", db_col_text(s, 3), "at", db_col_text(s, 4),
                             "username", db_col_text(s, 5), "note", db_col_text(s, 6)));
    db_done(s);
    if (st < 0) {
        json_decref(items);
        reply_db_error(r, st);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The machine for the console: its actions, from which states. */
static void h_machine(req *r)
{
    const struct reg_machine *m = req_route_data(r);
    if (authz_require(r, arena_printf(r->a, "%s:read", m->e->perm), NULL) != 0)
        return;
    json_t *items = json_array();
    for (int i = 0; i < m->n; i++) {
        json_t *from = json_array();
        for (int k = 0; k < 4 && m->t[i].from[k]; k++)
            json_array_append_new(from, json_string(m->t[i].from[k]));
        json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:s, s:b}", "action",
                                               m->t[i].action, "label", m->t[i].label, "from", from,
                                               "to", m->t[i].to, "date", m->t[i].date_col != NULL));
    }
    reply_json(r, 200, json_pack("{s:s, s:o}", "state_field", m->state_col, "items", items));
}

/* ---- a village worker's scheduled visits ---- */

/* GET /api/v1/help_visits/mine: the help visits planned for the caller and
 * not yet done, in the caller's scope: when, and whom to visit where (the
 * name and the address, opened for that purpose). Nothing else of the
 * subject: not the kind, not the ID number. Each visit shown is audited as
 * a read of the person's record. */
static void h_mine(req *r)
{
    const struct user *u = r->user;
    db_conn *c = req_db(r);
    db_stmt *s =
        db_prepare(c, "SELECT v.id, v.planned_on, v.kind, p.id, p.name, p.address_enc, v.region "
                      "FROM help_visits v JOIN help_subjects h ON h.id = v.subject_id "
                      "JOIN persons p ON p.id = h.person_id "
                      "WHERE v.worker = $1 AND v.deleted_at IS NULL AND h.deleted_at IS NULL "
                      "AND v.done_on IS NULL AND v.region >= $2 AND v.region < $3 "
                      "ORDER BY v.planned_on, v.id LIMIT 200");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, u->username);
    db_bind_text(s, 2, u->scope_lo);
    db_bind_text(s, 3, u->scope_hi);
    json_t *items = json_array();
    arena_defer(r->a, defer_decref, items);
    int st;
    while ((st = db_step(s)) == DB_ROW) {
        const char *pid = arena_printf(r->a, "%lld", (long long)db_col_int(s, 3));
        const char *sealed = db_col_text(s, 5);
        char *addr = sealed ? crypto_open_row("persons", "address", pid, sealed) : NULL;
        const char *kind = db_col_text(s, 2);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s}", "id", (json_int_t)db_col_int(s, 0),
                             "planned_on", db_col_text(s, 1), "purpose",
                             strcmp(kind, "talk") == 0 ? "谈话" : "走访", "name", db_col_text(s, 4),
                             "address", addr, "region", db_col_text(s, 6)));
        free(addr);
    }
    db_done(s);
    if (st < 0) {
        reply_db_error(r, st);
        return;
    }
    if (json_array_size(items)) {
        st = db_begin(c);
        struct audit_actor who = {r->user, r->client_ip};
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            if (st != DB_OK)
                break;
            st = audit_write(c, &who, "read", "help_visits",
                             arena_printf(r->a, "%lld",
                                          (long long)json_integer_value(json_object_get(it, "id"))),
                             json_string_value(json_object_get(it, "region")), NULL, NULL);
        }
        if (req_commit(r, c, st) != 0)
            return;
    }
    reply_json(r, 200, json_pack("{s:O}", "items", items));
}

/* POST /api/v1/help_visits/{id}/done {"done_on","note"}: the worker the
 * visit is planned for records it as done (or a user who may write the
 * registry). Test visits are recorded by the police through the API. */
static void h_done(req *r)
{
    json_t *in = req_json_only(r, REQ_KEYS("done_on", "note"));
    if (!in)
        return;
    const char *done = json_string_value(json_object_get(in, "done_on"));
    char today[11];
    util_today(today);
    if (!done || !util_date_valid(done) || strcmp(done, today) > 0) {
        reply_field_error(r, "done_on", "必须是不晚于今天的日期");
        return;
    }
    const char *note = json_string_value(json_object_get(in, "note"));
    if (json_object_get(in, "note") && (!note || util_utf8_len(note) > 1000)) {
        reply_field_error(r, "note", "情况记录最多1000字");
        return;
    }
    db_conn *c = req_begin(r);
    if (!c)
        return;
    const char *key = req_param(r, "id");
    db_stmt *s = db_prepare(c, "SELECT worker, region, done_on, kind FROM help_visits WHERE id = "
                               "CAST($1 AS INTEGER) AND deleted_at IS NULL");
    if (!s || atoll(key) < 1) {
        if (s)
            db_done(s);
        db_rollback(c);
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    db_bind_text(s, 1, key);
    int st = db_step(s);
    if (st != DB_ROW) {
        db_done(s);
        db_rollback(c);
        if (st < 0)
            reply_db_error(r, st);
        else
            reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    const char *worker = arena_strdup(r->a, db_col_text(s, 0));
    const char *region = arena_strdup(r->a, db_col_text(s, 1));
    int already = db_col_text(s, 2) != NULL;
    int test = strcmp(db_col_text(s, 3), "test") == 0;
    db_done(s);
    int mine = worker && strcmp(worker, r->user->username) == 0;
    if (!authz_in_scope(r->user, region) || (!mine && !authz_has(r->user, "help:write"))) {
        db_rollback(c);
        reply_error(r, 404, "not_found", "记录不存在", NULL);
        return;
    }
    if (already || (test && !authz_has(r->user, "help:write"))) {
        db_rollback(c);
        reply_error(r, 409, "conflict", already ? "该次走访已记录" : "检测结果由民警录入", NULL);
        return;
    }
    char now[32];
    util_now_iso(now);
    const char *p[] = {done, note, now, key};
    st = db_exec_params(c,
                        "UPDATE help_visits SET done_on = $1, note = COALESCE($2, note), "
                        "updated_at = $3 WHERE id = CAST($4 AS INTEGER)",
                        4, p);
    if (st == DB_OK) {
        struct audit_actor who = {r->user, r->client_ip};
        json_t *ch = json_pack("{s:s}", "done_on", done);
        st = audit_write(c, &who, "update", "help_visits", key, region, ch, NULL);
        json_decref(ch);
    }
    if (req_commit(r, c, st) != 0)
        return;
    reply_json(r, 200, json_pack("{s:s, s:s}", "id", key, "done_on", done));
}

void reg_routes(void)
{
    /* The subjects and their visits: only a grant that names them. */
    authz_restrict("help");
    for (int i = 0; i < MODULE_N(machines); i++) {
        const struct reg_machine *m = &machines[i];
        const char *base = m->e->name;
        char p[128];
        snprintf(p, sizeof p, "/api/v1/%s/{id}/transitions", base);
        http_route("POST", xstrdup(p), h_transition, 0, m);
        snprintf(p, sizeof p, "/api/v1/%s/{id}/history", base);
        http_route("GET", xstrdup(p), h_history, 0, m);
        snprintf(p, sizeof p, "/api/v1/%s/transitions", base);
        http_route("GET", xstrdup(p), h_machine, 0, m);
    }
    http_route("GET", "/api/v1/help_visits/mine", h_mine, 0, NULL);
    http_route("POST", "/api/v1/help_visits/{id}/done", h_done, 0, NULL);
}

int reg_check(db_conn *c, FILE *out)
{
    int fails = 0;
    for (int i = 0; i < MODULE_N(machines); i++) {
        const struct reg_machine *m = &machines[i];
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT t.id, t.%s, (SELECT st.to_state FROM registry_steps st WHERE "
                 "st.entity = '%s' AND st.record_id = t.id ORDER BY st.seq DESC LIMIT 1) "
                 "FROM %s t ORDER BY t.id",
                 m->state_col, m->e->name, m->e->name);
        db_stmt *s = db_prepare(c, sql);
        if (!s) {
            fprintf(out, "FAIL %s: cannot read the states\n", m->e->name);
            fails++;
            continue;
        }
        long bad = 0, total = 0;
        while (db_step(s) == DB_ROW) {
            total++;
            const char *state = db_col_text(s, 1), *last = db_col_text(s, 2);
            const char *want = last ? last : m->first;
            if (strcmp(state, want) != 0) {
                if (bad < 20)
                    fprintf(out, "FAIL %s state: %lld is '%s' but its history ends in '%s'\n",
                            m->e->name, (long long)db_col_int(s, 0), state, want);
                bad++;
            }
        }
        db_done(s);
        if (!bad)
            fprintf(out, "ok   every %s record's state agrees with its history (%ld)\n", m->e->name,
                    total);
        fails += bad ? 1 : 0;
    }
    return fails;
}
