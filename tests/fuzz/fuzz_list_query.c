/* Fuzzes the list API's query-string and filter parser (src/entity_list.c,
 * entity_list_query_build): the keys and values of a list's query string,
 * as libmicrohttpd hands them over (page, page_size, sort, q, filters,
 * ranges), for hazards, volunteers, care households or regions. A query is
 * refused (400) with a message, or accepted; an accepted one must then be
 * SQL that the database prepares and runs, as GET /api/v1/<entity> does —
 * a query that built but fails to run would be a 500.
 *
 * Input: one byte choosing the entity, then lines "key=value". */
#include "fuzz.h"
#include "fuzz_db.h"
#include "entity.h"
#include "entity_impl.h"

static db_conn *c;
static arena *A;
static struct user *county;

static const char *const names[] = {"hazards", "volunteers", "care_households", "regions"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    log_set_level(LOG_ERROR + 1);
    c = fuzz_db_open();
    A = arena_new();
    county = fuzz_user(A, "511621000000");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct entity *e = entity_find(names[data[0] % 4]);
    if (!e)
        abort();
    char *s = fuzz_cstr(data + 1, size - 1);
    char *line[16];
    const char *keys[16], *values[16];
    int n = fuzz_lines(s, line, 16);
    for (int i = 0; i < n; i++) {
        char *eq = strchr(line[i], '=');
        keys[i] = line[i];
        values[i] = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
    }
    arena *a = arena_new();
    struct query q;
    if (entity_list_query_build(a, c, county, e, n, keys, values, &q) != 0) {
        if (!q.err_msg || !q.err_msg[0])
            abort();
    } else {
        buf sql;
        buf_init(&sql, ENTITY_SQL_CAP);
        buf_puts(&sql, "SELECT ");
        entity_select_cols(e, &sql, q.today_n);
        entity_from_clause(e, &sql);
        int nl = entity_bind_int(&q.b, q.page_size);
        int no = entity_bind_int(&q.b, (int64_t)(q.page - 1) * q.page_size);
        buf_printf(&sql, "%s ORDER BY %s LIMIT $%d OFFSET $%d", buf_str(&q.sql_where),
                   buf_str(&q.order), nl, no);
        db_stmt *st = db_prepare(c, buf_str(&sql));
        if (!st) {
            fprintf(stderr, "accepted query does not prepare: %s\n%s\n", db_errmsg(c),
                    buf_str(&sql));
            abort();
        }
        entity_binds_apply(st, &q.b);
        int rc = db_step(st);
        db_done(st);
        if (rc != DB_ROW && rc != DB_DONE) {
            fprintf(stderr, "accepted query fails: %s\n%s\n", db_errmsg(c), buf_str(&sql));
            abort();
        }
        buf_free(&sql);
    }
    entity_list_query_free(&q);
    arena_free(a);
    free(s);
    return 0;
}
