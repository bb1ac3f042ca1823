/* logpage: see logpage.h. The WHERE clause is built once and used for both
 * the count and the page, so the total always counts what the pages list. */
#include "logpage.h"
#include "buf.h"
#include "util.h"

#include <assert.h>

void logpage_reply(req *r, const struct log_query *q)
{
    enum { MAX_VALS = 16 };
    const char *vals[MAX_VALS];
    int n = 0;
    assert(q->nscope + q->nfilters + 2 <= MAX_VALS);
    buf where;
    buf_init(&where, 4096);
    buf_printf(&where, " WHERE %s", *q->scope ? q->scope : "1 = 1");
    for (int i = 0; i < q->nscope; i++)
        vals[n++] = q->scope_vals[i];
    for (int i = 0; i < q->nfilters; i++) {
        const char *v = req_query(r, q->filters[i].key);
        if (!v || !*v)
            continue;
        if (q->filters[i].day_end && util_date_valid(v))
            v = arena_printf(r->a, "%sT99", v); /* "YYYY-MM-DDT99" sorts after the day's times */
        vals[n++] = v;
        buf_puts(&where, " AND ");
        buf_printf(&where, q->filters[i].cond, n);
    }
    long page, page_size;
    if (req_paging(r, 50, &page, &page_size) != 0) {
        buf_free(&where);
        return;
    }
    db_conn *c = req_db(r);
    long long total = 0;
    int st;
    db_stmt *s =
        db_prepare(c, arena_printf(r->a, "SELECT count(*) FROM %s%s", q->from, buf_str(&where)));
    if (!s)
        goto dberr;
    for (int i = 0; i < n; i++)
        db_bind_text(s, i + 1, vals[i]);
    st = db_step(s);
    if (st == DB_ROW)
        total = db_col_int(s, 0);
    db_done(s);
    if (st != DB_ROW)
        goto dberr;
    s = db_prepare(c,
                   arena_printf(r->a, "SELECT %s FROM %s%s ORDER BY %s DESC LIMIT $%d OFFSET $%d",
                                q->columns, q->from, buf_str(&where), q->id_col, n + 1, n + 2));
    if (!s)
        goto dberr;
    for (int i = 0; i < n; i++)
        db_bind_text(s, i + 1, vals[i]);
    db_bind_int(s, n + 1, page_size);
    db_bind_int(s, n + 2, (page - 1) * page_size);
    json_t *items = json_array();
    while ((st = db_step(s)) == DB_ROW)
        json_array_append_new(items, q->row(s));
    db_done(s);
    if (st != DB_DONE) {
        json_decref(items);
        goto dberr;
    }
    buf_free(&where);
    if (q->decorate)
        q->decorate(r, items);
    reply_page(r, items, total, page, page_size);
    return;
dberr:
    buf_free(&where);
    reply_db_error(r, db_last_status(c) < 0 ? db_last_status(c) : DB_ERR);
}
