/* Unit tests for the one users and sessions API on a temporary SQLite
 * database: users_create (an id, the defaults, if_absent for the demo's
 * re-runs, DB_ERR_UNIQUE otherwise), auth_password_set (an administrator's
 * reset against the user's own choice) and session_revoke_user (every
 * session of that user, no other's). */
#include "harness.h"
#include "auth.h"
#include "session.h"
#include "users.h"
#include "util.h"

#include <stdlib.h>
#include <unistd.h>

static const char *text_of(db_conn *c, const char *sql, int64_t id, char *out, size_t n)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return NULL;
    db_bind_int(s, 1, id);
    const char *r = NULL;
    if (db_step(s) == DB_ROW && db_col_text(s, 0)) {
        snprintf(out, n, "%s", db_col_text(s, 0));
        r = out;
    }
    db_done(s);
    return r;
}

static void add_session(db_conn *c, const char *sid_hash, int64_t user_id)
{
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", (long long)user_id);
    const char *p[] = {sid_hash, uid};
    CHECK_INT(db_exec_params(c,
                             "INSERT INTO sessions (sid_hash, user_id, created_at, created_epoch, "
                             "last_seen_epoch, ip) VALUES ($1, $2, '2025-01-01T00:00:00+08:00', "
                             "1, 1, '127.0.0.1')",
                             2, p),
              DB_OK);
}

static void test_create(db_conn *c, int64_t *alice, int64_t *bob)
{
    char t[64];
    int64_t id = -1;
    CHECK_INT(users_create(c,
                           &(struct users_new){
                               .username = "alice",
                               .display_name = "甲",
                               .password_hash = "h1",
                               .role = "sysadmin",
                               .region = "510000000000",
                               .created_by = "demo",
                               .now = "2025-01-01T00:00:00+08:00",
                           },
                           &id),
              DB_OK);
    CHECK(id > 0);
    *alice = id;
    CHECK_STR(text_of(c, "SELECT display_name FROM users WHERE id = $1", id, t, sizeof t), "甲");
    CHECK_STR(text_of(c, "SELECT created_by FROM users WHERE id = $1", id, t, sizeof t), "demo");
    CHECK_STR(text_of(c, "SELECT updated_at FROM users WHERE id = $1", id, t, sizeof t),
              "2025-01-01T00:00:00+08:00");
    CHECK(text_of(c, "SELECT unit_id FROM users WHERE id = $1", id, t, sizeof t) == NULL);
    CHECK_INT(
        db_query_int(c, "SELECT must_change_password FROM users WHERE username = $1", "alice", -1),
        0);

    /* The demo loads again over its own users: kept, no error, no id. */
    struct users_new again = {.username = "alice",
                              .password_hash = "other",
                              .role = "sysadmin",
                              .region = "510000000000",
                              .created_by = "demo",
                              .if_absent = 1};
    id = -1;
    CHECK_INT(users_create(c, &again, &id), DB_OK);
    CHECK_INT(id, 0);
    CHECK_STR(text_of(c, "SELECT password_hash FROM users WHERE id = $1", *alice, t, sizeof t),
              "h1");
    again.if_absent = 0;
    CHECK_INT(users_create(c, &again, NULL), DB_ERR_UNIQUE);

    CHECK_INT(users_create(c,
                           &(struct users_new){
                               .username = "bob",
                               .password_hash = "h2",
                               .role = "sysadmin",
                               .region = "510000000000",
                               .must_change_password = 1,
                               .created_by = "cli",
                           },
                           bob),
              DB_OK);
    CHECK(*bob > *alice);
    CHECK_INT(
        db_query_int(c, "SELECT must_change_password FROM users WHERE username = $1", "bob", -1),
        1);
    CHECK(text_of(c, "SELECT created_at FROM users WHERE id = $1", *bob, t, sizeof t) != NULL);
}

static void test_password_set(db_conn *c, int64_t id)
{
    char t[64];
    CHECK_INT(auth_password_set(c, id, "reset", 1), DB_OK);
    CHECK_STR(text_of(c, "SELECT password_hash FROM users WHERE id = $1", id, t, sizeof t),
              "reset");
    CHECK_STR(text_of(c, "SELECT must_change_password FROM users WHERE id = $1", id, t, sizeof t),
              "1");
    CHECK(text_of(c, "SELECT password_changed_at FROM users WHERE id = $1", id, t, sizeof t) ==
          NULL);
    CHECK_INT(auth_password_set(c, id, "own", 0), DB_OK);
    CHECK_STR(text_of(c, "SELECT must_change_password FROM users WHERE id = $1", id, t, sizeof t),
              "0");
    CHECK(text_of(c, "SELECT password_changed_at FROM users WHERE id = $1", id, t, sizeof t) !=
          NULL);
}

static void test_revoke(db_conn *c, int64_t alice, int64_t bob)
{
    add_session(c, "a1", alice);
    add_session(c, "a2", alice);
    add_session(c, "b1", bob);
    CHECK_INT(session_revoke_user(c, alice), DB_OK);
    CHECK_INT(db_query_int(c, "SELECT count(*) FROM sessions WHERE revoked = 1", NULL, -1), 2);
    CHECK_INT(db_query_int(c, "SELECT revoked FROM sessions WHERE sid_hash = $1", "b1", -1), 0);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    char dir[] = "/tmp/safecomm-users-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char *path = xasprintf("%s/u.db", dir), *err = NULL;
    db *d = db_open(path, 1, &err);
    if (!d || db_migrate(d, &err) != 0) {
        fprintf(stderr, "set-up: %s\n", err ? err : "?");
        return 1;
    }
    db_conn *c = db_acquire(d);
    CHECK_INT(db_exec_script(c, "INSERT INTO regions (code, name, level, parent, created_at, "
                                "updated_at) VALUES ('510000000000', '四川省', 'province', NULL, "
                                "'2025-01-01', '2025-01-01')"),
              DB_OK);
    int64_t alice = 0, bob = 0;
    test_create(c, &alice, &bob);
    test_password_set(c, bob);
    test_revoke(c, alice, bob);
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
