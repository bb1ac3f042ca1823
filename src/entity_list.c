/* entity_list: the list queries of the entity layer (the list API and the
 * export): the caller's scope, exact, range and subtree filters, derived
 * fields' conditions, q search through the gram index made exact by a
 * substring test, sort and paging. Identifiers come only from the
 * declarations; every value is a bound parameter. See entity_impl.h. */
#include "entity_impl.h"
#include "auth.h"
#include "crypto.h"
#include "dict.h"
#include "region.h"
#include "search.h"
#include "util.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A derived field's expression with "$T" as parameter today_n. */
void entity_list_derived_sql(buf *sql, const char *expr, int today_n)
{
    for (const char *p = expr; *p; p++)
        if (p[0] == '$' && p[1] == 'T') {
            buf_printf(sql, "$%d", today_n);
            p++;
        } else {
            buf_printf(sql, "%c", *p);
        }
}

static const struct derived *derived_find(const struct entity *e, const char *name)
{
    for (int i = 0; i < e->nderived; i++)
        if (strcmp(e->derived[i].f.name, name) == 0)
            return &e->derived[i];
    return NULL;
}

static const char *scope_col(const struct entity *e)
{
    return entity_is_region_table(e) ? "t.code" : "t.region";
}

/* Adds "AND col OP $n" for a typed filter value; -1 when the value is bad. */
static int add_cond(struct query *q, const struct field *f, const char *op, const char *value)
{
    int n;
    switch (f->type) {
    case FT_INT:
    case FT_BOOL: {
        long long v;
        if (f->type == FT_BOOL && (strcmp(value, "true") == 0 || strcmp(value, "false") == 0))
            v = value[0] == 't';
        else if (entity_parse_long(value, &v) != 0)
            return -1;
        n = entity_bind_int(&q->b, v);
        break;
    }
    case FT_NUM: {
        char *end;
        double d = strtod(value, &end);
        if (!*value || *end || !isfinite(d))
            return -1;
        n = entity_bind_double(&q->b, d);
        break;
    }
    case FT_DATE:
        if (!util_date_valid(value))
            return -1;
        n = entity_bind_text(&q->b, value);
        break;
    case FT_REGION:
        if (region_level_of(value) == RL_INVALID)
            return -1;
        n = entity_bind_text(&q->b, value);
        break;
    default:
        n = entity_bind_text(&q->b, value);
    }
    buf_printf(&q->sql_where, " AND t.%s %s $%d", f->name, op, n);
    return 0;
}

static void add_subtree(struct query *q, const char *col, const char *code)
{
    char lo[REGION_CODE_MAX], hi[REGION_CODE_MAX];
    region_subtree(code, lo, hi);
    if (strcmp(col, "t.region") == 0 || strcmp(col, "t.code") == 0) {
        /* The caller's scope is the first pair of parameters on the same
         * column: narrow it, so the index range is the intersection rather
         * than the scope with a filter checked row by row. */
        const char *slo = q->b.v[0].s, *shi = q->b.v[1].s;
        q->b.v[0].s = strcmp(lo, slo) > 0 ? arena_strdup(q->a, lo) : slo;
        q->b.v[1].s = strcmp(hi, shi) < 0 ? arena_strdup(q->a, hi) : shi;
        return;
    }
    int nlo = entity_bind_text(&q->b, arena_strdup(q->a, lo));
    int nhi = entity_bind_text(&q->b, arena_strdup(q->a, hi));
    buf_printf(&q->sql_where, " AND %s >= $%d AND %s < $%d", col, nlo, col, nhi);
}

static int sort_key_ok(const struct entity *e, const char *k, const char **col)
{
    static const char *std[] = {"id", "created_at", "updated_at"};
    if (entity_is_region_table(e)) {
        if (strcmp(k, "code") == 0 || strcmp(k, "created_at") == 0 ||
            strcmp(k, "updated_at") == 0) {
            *col = k;
            return 1;
        }
    } else {
        for (size_t i = 0; i < sizeof std / sizeof std[0]; i++)
            if (strcmp(k, std[i]) == 0) {
                *col = std[i];
                return 1;
            }
    }
    const struct field *f = entity_field_find(e, k);
    if (f && (f->flags & FF_SORT)) {
        *col = f->name;
        return 1;
    }
    return 0;
}

static int parse_sort(struct query *q, const struct entity *e, const char *spec)
{
    char *copy = arena_strdup(q->a, spec);
    int n = 0;
    for (char *save = NULL, *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        int desc = 0;
        if (*k == '-' || *k == '+')
            desc = *k++ == '-';
        const char *col;
        if (!sort_key_ok(e, k, &col) || n >= 4) {
            q->err_key = "sort";
            q->err_msg = arena_printf(q->a, "不支持按“%s”排序", k);
            return -1;
        }
        buf_printf(&q->order, "%st.%s %s", n++ ? ", " : "", col, desc ? "DESC" : "ASC");
    }
    return 0;
}

/* Typed fields are always exact filters; free text only when declared so. */
static int filterable(const struct field *f)
{
    return (f->flags & FF_FILTER) || f->type == FT_INT || f->type == FT_BOOL ||
           f->type == FT_DICT || f->type == FT_DATE || f->type == FT_REGION ||
           f->type == FT_SENSITIVE;
}

struct qctx {
    struct query *q;
    const struct entity *e;
    db_conn *c;
    const char *sort, *search;
};

/* ids=1,2,3: the rows a user picked (the console's 导出所选), at most
 * IDS_MAX. The list is checked, rewritten as plain digits and bound as one
 * text parameter, which the query splits: SQLite reads it as a JSON array,
 * PostgreSQL as an array of bigint. The scope and the other filters still
 * apply, so an id outside them is simply not listed. */
#define IDS_MAX 500
static int ids_param(struct query *q, db_conn *c, const char *v)
{
    buf norm;
    buf_init(&norm, (size_t)IDS_MAX * 18);
    int n = 0;
    const char *p = v;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char one[24];
        long long id;
        if (len == 0 || len >= sizeof one)
            goto bad;
        memcpy(one, p, len);
        one[len] = '\0';
        if (entity_parse_long(one, &id) != 0 || id < 1 || id > 1000000000000000LL)
            goto bad;
        if (++n > IDS_MAX) {
            buf_free(&norm);
            q->err_key = "ids";
            q->err_msg = arena_printf(q->a, "ids 最多 %d 个编号", IDS_MAX);
            return -1;
        }
        buf_printf(&norm, "%s%lld", n > 1 ? "," : "", id);
        if (!end)
            break;
        p = end + 1;
    }
    int nb = entity_bind_text(&q->b, arena_strdup(q->a, buf_str(&norm)));
    buf_free(&norm);
    if (db_conn_kind(c) == DB_KIND_PG)
        buf_printf(&q->sql_where, " AND t.id = ANY(CAST(string_to_array($%d, ',') AS BIGINT[]))",
                   nb);
    else
        buf_printf(&q->sql_where,
                   " AND t.id IN (SELECT CAST(value AS INTEGER) FROM json_each('[' || $%d || ']'))",
                   nb);
    return 0;
bad:
    buf_free(&norm);
    q->err_key = "ids";
    q->err_msg = "ids 必须是以逗号分隔的正整数编号";
    return -1;
}

static int query_param(struct qctx *x, const char *k, const char *v)
{
    struct query *q = x->q;
    const struct entity *e = x->e;
    long long n;
    if (!util_utf8_valid(v, strlen(v))) {
        q->err_key = k;
        q->err_msg = "参数不是有效的 UTF-8 文本";
        return -1;
    }
    if (strcmp(k, "page") == 0 || strcmp(k, "page_size") == 0) {
        int is_page = k[4] == '\0';
        if (entity_parse_long(v, &n) != 0 || n < 1 || n > (is_page ? 1000000 : 500)) {
            q->err_key = k;
            q->err_msg = is_page ? "page 必须是正整数" : "page_size 必须是 1 到 500 之间的整数";
            return -1;
        }
        *(is_page ? &q->page : &q->page_size) = (int)n;
        return 0;
    }
    if (strcmp(k, "sort") == 0) {
        x->sort = v;
        return 0;
    }
    if (strcmp(k, "q") == 0) {
        x->search = v;
        return 0;
    }
    if (strcmp(k, "ids") == 0 && !entity_is_region_table(e))
        return ids_param(q, x->c, v);
    if (strcmp(k, "region") == 0 && !entity_is_region_table(e)) {
        if (region_level_of(v) == RL_INVALID) {
            q->err_key = k;
            q->err_msg = "region 必须是有效的区域代码";
            return -1;
        }
        add_subtree(q, "t.region", v);
        return 0;
    }
    size_t kl = strlen(k);
    const char *op = "=";
    char base[96];
    /* No field's name is this long; and base[kl - 3] below must stay
     * inside base (fuzz_list_query found the write past it). */
    if (kl >= sizeof base) {
        q->err_key = k;
        q->err_msg = "未知的筛选条件（名称过长）";
        return -1;
    }
    snprintf(base, sizeof base, "%s", k);
    if (kl > 5 && strcmp(k + kl - 5, "_from") == 0) {
        base[kl - 5] = '\0';
        op = ">=";
    } else if (kl > 3 && strcmp(k + kl - 3, "_to") == 0) {
        base[kl - 3] = '\0';
        op = "<=";
    }
    const struct derived *d = derived_find(e, k);
    if (d && (d->f.flags & FF_FILTER) && d->f.type == FT_BOOL) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
            q->err_key = k;
            q->err_msg = arena_printf(q->a, "%s 必须是 true 或 false", k);
            return -1;
        }
        const char *cond = v[0] == 't' ? d->if_true : d->if_false;
        buf_puts(&q->sql_where, " AND (");
        if (cond) {
            entity_list_derived_sql(&q->sql_where, cond, q->today_n);
            buf_puts(&q->sql_where, ")");
            return 0;
        }
        int nb = entity_bind_int(&q->b, v[0] == 't');
        entity_list_derived_sql(&q->sql_where, d->expr, q->today_n);
        buf_printf(&q->sql_where, ") = $%d", nb);
        return 0;
    }
    const struct field *f = entity_field_find(e, base);
    int ok = f && (op[0] == '=' ? filterable(f) : (f->flags & FF_RANGE) != 0);
    if (!ok) {
        q->err_key = k;
        q->err_msg = arena_printf(q->a, "未知的筛选条件“%s”", k);
        return -1;
    }
    if (f->type == FT_SENSITIVE && op[0] == '=') {
        /* Exact match through the keyed hash; the value itself is never
         * compared or stored in clear. */
        char *norm = crypto_normalize(f->dict, v);
        char h[65];
        crypto_lookup_hash(entity_sensitive_ad(q->a, e, f), norm, h);
        sodium_memzero(norm, strlen(norm));
        free(norm);
        int nh = entity_bind_text(&q->b, arena_strdup(q->a, h));
        buf_printf(&q->sql_where, " AND t.%s_hash = $%d", f->name, nh);
        return 0;
    }
    if (f->type == FT_REGION && op[0] == '=') {
        if (region_level_of(v) == RL_INVALID) {
            q->err_key = k;
            q->err_msg = arena_printf(q->a, "%s 必须是有效的区域代码", k);
            return -1;
        }
        add_subtree(q, arena_printf(q->a, "t.%s", f->name), v);
        return 0;
    }
    if (add_cond(q, f, op, v) != 0) {
        q->err_key = k;
        q->err_msg = arena_printf(q->a, "筛选条件“%s”的值无效", k);
        return -1;
    }
    return 0;
}

/* "%text%" with LIKE's wildcards escaped by a backslash. */
static const char *like_pattern(arena *a, const char *text)
{
    size_t n = strlen(text);
    char *p = arena_alloc(a, n * 2 + 3), *o = p;
    *o++ = '%';
    for (const char *t = text; *t; t++) {
        if (*t == '%' || *t == '_' || *t == '\\')
            *o++ = '\\';
        *o++ = *t;
    }
    *o++ = '%';
    *o = '\0';
    return p;
}

/* Builds WHERE/ORDER for the caller's scope plus the filters. 0 or -1
 * (q->err_key/err_msg say why). */
int entity_list_query_build(arena *a, db_conn *c, const struct user *u, const struct entity *e,
                            int n, const char *const *keys, const char *const *values,
                            struct query *q)
{
    memset(q, 0, sizeof *q);
    q->a = a;
    buf_init(&q->sql_where, ENTITY_SQL_CAP);
    buf_init(&q->order, 1024);
    q->page = 1;
    q->page_size = 20;
    /* The caller's subtree first: every list and export is scoped. */
    int nlo = entity_bind_text(&q->b, u->scope_lo), nhi = entity_bind_text(&q->b, u->scope_hi);
    buf_printf(&q->sql_where, " AND %s >= $%d AND %s < $%d", scope_col(e), nlo, scope_col(e), nhi);
    if (e->nderived) {
        /* Today's date, for the derived fields; named in the WHERE clause
         * so that every statement of the query (count too) uses it. */
        char today[11];
        util_today(today);
        q->today_n = entity_bind_text(&q->b, arena_strdup(a, today));
        buf_printf(&q->sql_where, " AND CAST($%d AS TEXT) IS NOT NULL", q->today_n);
    }
    if ((e->flags & ENT_UNIT_SCOPED) && u->unit_id) {
        int nu = entity_bind_int(&q->b, u->unit_id);
        buf_printf(&q->sql_where, " AND t.unit_id = $%d", nu);
    }
    struct qctx x = {.q = q, .e = e, .c = c};
    for (int i = 0; i < n; i++)
        if (query_param(&x, keys[i], values[i]) != 0)
            return -1;
    if (x.search && *x.search && entity_is_region_table(e)) {
        /* The region tree is small; a substring scan of names is enough. */
        int nq = entity_bind_text(&q->b, like_pattern(a, x.search));
        buf_printf(&q->sql_where, " AND (t.name %s $%d ESCAPE '\\' OR t.code LIKE $%d)",
                   search_like(db_conn_kind(c)), nq, nq);
    } else if (x.search && *x.search) {
        if (!entity_has_search(e)) {
            q->err_key = "q";
            q->err_msg = "此列表不支持关键字搜索";
            return -1;
        }
        char *expr = search_query(a, db_conn_kind(c), x.search);
        if (expr)
            search_filter_sql(db_conn_kind(c), e->name, entity_bind_text(&q->b, expr),
                              &q->sql_where);
        /* The index finds candidates by grams; the substring test makes the
         * answer exact (punctuation, spaces, terms of only symbols). */
        int nl = entity_bind_text(&q->b, like_pattern(a, x.search));
        buf_puts(&q->sql_where, " AND (");
        int first = 1;
        for (int i = 0; i < e->nfields; i++)
            if (e->fields[i].flags & FF_SEARCH) {
                buf_printf(&q->sql_where, "%st.%s %s $%d ESCAPE '\\'", first ? "" : " OR ",
                           e->fields[i].name, search_like(db_conn_kind(c)), nl);
                first = 0;
            }
        buf_puts(&q->sql_where, ")");
    }
    if (parse_sort(q, e, x.sort ? x.sort : e->default_sort) != 0)
        return -1;
    buf_printf(&q->order, "%st.%s", q->order.len ? ", " : "", entity_key_col(e));
    return 0;
}

void entity_list_query_free(struct query *q)
{
    buf_free(&q->sql_where);
    buf_free(&q->order);
}

int entity_list_rows(db_conn *c, arena *a, const struct user *u, const struct entity *e, int n,
                     const char *const *keys, const char *const *values, int limit,
                     long long *total, json_t *items, const char **err)
{
    struct query q;
    *total = 0;
    if (entity_list_query_build(a, c, u, e, n, keys, values, &q) != 0) {
        *err = q.err_msg;
        entity_list_query_free(&q);
        return -1;
    }
    buf sql;
    buf_init(&sql, ENTITY_SQL_CAP);
    buf_puts(&sql, "SELECT count(*)");
    entity_from_clause(e, &sql);
    buf_puts(&sql, buf_str(&q.sql_where));
    int st = DB_OK;
    db_stmt *s = db_prepare(c, buf_str(&sql));
    if (!s) {
        st = db_last_status(c);
        goto out;
    }
    entity_binds_apply(s, &q.b);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *total = db_col_int(s, 0);
    db_done(s);
    if (rc != DB_ROW) {
        st = rc < 0 ? rc : DB_ERR;
        goto out;
    }
    if (limit <= 0 || *total == 0)
        goto out;
    buf_reset(&sql);
    buf_puts(&sql, "SELECT ");
    entity_select_cols(e, &sql, q.today_n);
    entity_from_clause(e, &sql);
    int nl = entity_bind_int(&q.b, limit);
    buf_printf(&sql, "%s ORDER BY %s LIMIT $%d", buf_str(&q.sql_where), buf_str(&q.order), nl);
    s = db_prepare(c, buf_str(&sql));
    if (!s) {
        st = db_last_status(c);
        goto out;
    }
    entity_binds_apply(s, &q.b);
    struct dict_cache *dc = dict_cache_new(a, c);
    while ((rc = db_step(s)) == DB_ROW)
        json_array_append_new(items, entity_row_json(e, s, dc));
    db_done(s);
    if (rc != DB_DONE)
        st = rc < 0 ? rc : DB_ERR;
out:
    buf_free(&sql);
    entity_list_query_free(&q);
    return st;
}
