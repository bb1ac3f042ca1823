/* todo: see todo.h. The answer:
 * {"groups":[{"key","label","module","count","link":{"entity","query"},
 *   "items":[{"id","title","due","overdue"}]}],"total"}
 * Every group the caller may see is listed, with a count of 0 too; total
 * is the sum of the counts (a record in two groups counts twice). */
#include "todo.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "authz.h"
#include "buf.h"
#include "entity.h"
#include "http.h"
#include "module.h"
#include "util.h"

/* The first items of a group that the answer lists. */
#define TODO_ITEMS 5
/* Filters of one declared query: no group needs more. */
#define TODO_MAX_PARAMS 16

/* "$T" as today, "$T+N" / "$T-N" as today N days away (arena). */
static const char *expand(arena *a, const char *v, const char *today)
{
    if (strncmp(v, "$T", 2) != 0)
        return v;
    long days = util_date_to_days(today);
    if (v[2] == '+' || v[2] == '-')
        days += strtol(v + 2, NULL, 10);
    char *out = arena_alloc(a, 11);
    util_days_to_date(days, out);
    return out;
}

/* The declared query split into its filters, each value expanded; the
 * expanded query string into *link. The number of filters. */
static int parse_query(arena *a, const char *query, const char *today, const char **keys,
                       const char **values, const char **link)
{
    buf l;
    buf_init(&l, 4096);
    int n = 0;
    char *copy = arena_strdup(a, query ? query : "");
    for (char *save = NULL, *kv = strtok_r(copy, "&", &save); kv && n < TODO_MAX_PARAMS;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        keys[n] = kv;
        values[n] = expand(a, eq + 1, today);
        buf_printf(&l, "%s%s=%s", n ? "&" : "", keys[n], values[n]);
        n++;
    }
    *link = arena_strdup(a, buf_str(&l));
    buf_free(&l);
    return n;
}

/* The item's title from the pattern: each {field} replaced by the row's
 * value (a string or a number); text outside the braces kept. */
static json_t *title_of(arena *a, const char *pattern, json_t *row)
{
    buf o;
    buf_init(&o, 4096);
    for (const char *p = pattern ? pattern : ""; *p; p++) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) {
            buf_printf(&o, "%c", *p);
            continue;
        }
        const char *k = arena_strndup(a, p + 1, (size_t)(end - p - 1));
        json_t *v = json_object_get(row, k);
        if (json_is_string(v))
            buf_puts(&o, json_string_value(v));
        else if (json_is_integer(v))
            buf_printf(&o, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            buf_printf(&o, "%g", json_real_value(v));
        p = end;
    }
    json_t *t = json_string(buf_str(&o));
    buf_free(&o);
    return t;
}

static json_t *item_of(arena *a, const struct module_todo *t, json_t *row, const char *today)
{
    json_t *it = json_object();
    json_object_set(it, "id", json_object_get(row, "id"));
    json_object_set_new(it, "title", title_of(a, t->title, row));
    const char *due = t->due ? json_string_value(json_object_get(row, t->due)) : NULL;
    json_object_set_new(it, "due", due ? json_string(due) : json_null());
    json_object_set_new(it, "overdue", json_boolean(due && strcmp(due, today) < 0));
    return it;
}

static int visible(const struct user *u, const struct module_todo *t, const struct entity *e)
{
    if (!e || !authz_has(u, t->perm))
        return 0;
    if (t->unless_perm && authz_has(u, t->unless_perm))
        return 0;
    char perm[96];
    snprintf(perm, sizeof perm, "%s:read", e->perm);
    return authz_has(u, perm);
}

static void h_todo(req *r)
{
    char today[11];
    util_today(today);
    db_conn *c = req_db(r);
    json_t *groups = json_array();
    long long sum = 0;
    for (int m = 0; m < module_count; m++) {
        const struct module *mod = module_list[m];
        for (int i = 0; i < mod->ntodos; i++) {
            const struct module_todo *t = &mod->todos[i];
            const struct entity *e = entity_find(t->entity);
            if (!visible(r->user, t, e))
                continue;
            const char *keys[TODO_MAX_PARAMS], *values[TODO_MAX_PARAMS], *link;
            int n = parse_query(r->a, t->query, today, keys, values, &link);
            json_t *rows = json_array();
            long long count = 0;
            const char *err = NULL;
            int st = entity_list_rows(c, r->a, r->user, e, n, keys, values, TODO_ITEMS, &count,
                                      rows, &err);
            if (st != 0) {
                json_decref(rows);
                json_decref(groups);
                if (st == -1)
                    reply_error(
                        r, 500, "internal",
                        arena_printf(r->a, "待办“%s”的筛选条件有误：%s", t->label, err ? err : ""),
                        NULL);
                else
                    reply_db_error(r, st);
                return;
            }
            json_t *items = json_array();
            for (size_t k = 0; k < json_array_size(rows); k++)
                json_array_append_new(items, item_of(r->a, t, json_array_get(rows, k), today));
            json_decref(rows);
            json_array_append_new(
                groups, json_pack("{s:s, s:s, s:s, s:I, s:{s:s, s:s}, s:o}", "key", t->key, "label",
                                  t->label, "module", mod->name, "count", (json_int_t)count, "link",
                                  "entity", t->entity, "query", link, "items", items));
            sum += count;
        }
    }
    reply_json(r, 200, json_pack("{s:o, s:I}", "groups", groups, "total", (json_int_t)sum));
}

void todo_routes_register(void)
{
    http_route("GET", "/api/v1/todo", h_todo, 0, NULL);
}
