/* Unit tests for the hazard state machine's table (every from-state is a
 * state, every state is reachable from "reported", nothing leaves "closed",
 * every permission is a hazard action) and for the deadline arithmetic on the
 * seeded 2025 calendar: a notice of 2025-09-26 with 5 working days is due
 * 2025-10-10; a year-end case crosses into 2026. */
#include "harness.h"
#include "../../src/mod/hazards/hazard.c"

#include <stdlib.h>
#include <unistd.h>

static int state_index(const char *s)
{
    for (int i = 0; i < hazard_nstates; i++)
        if (strcmp(hazard_states[i], s) == 0)
            return i;
    return -1;
}

static void test_table(void)
{
    CHECK_INT(hazard_nstates, 5);
    CHECK_INT(state_index("reported"), 0);
    int reach[16] = {0};
    reach[state_index("reported")] = 1;
    for (int i = 0; i < hazard_ntransitions; i++) {
        const struct hazard_transition *t = &hazard_transitions[i];
        CHECK(t->from[0] != NULL);
        for (int k = 0; k < HAZARD_MAX_FROM && t->from[k]; k++)
            CHECK(state_index(t->from[k]) >= 0);
        CHECK(t->to == NULL || state_index(t->to) >= 0);
        CHECK(strncmp(t->perm, "hazard:", 7) == 0);
        CHECK(strcmp(t->perm, "hazard:read") != 0 && strcmp(t->perm, "hazard:write") != 0);
        CHECK(hazard_transition_find(t->action) == t);
        /* closed has no way out: an action from closed keeps the state. */
        for (int k = 0; k < HAZARD_MAX_FROM && t->from[k]; k++)
            if (strcmp(t->from[k], "closed") == 0)
                CHECK(t->to == NULL);
    }
    /* Reachability: a fixed point over the table. */
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < hazard_ntransitions; i++) {
            const struct hazard_transition *t = &hazard_transitions[i];
            if (!t->to)
                continue;
            for (int k = 0; k < HAZARD_MAX_FROM && t->from[k]; k++)
                if (reach[state_index(t->from[k])] && !reach[state_index(t->to)]) {
                    reach[state_index(t->to)] = 1;
                    changed = 1;
                }
        }
    }
    for (int i = 0; i < hazard_nstates; i++)
        CHECK(reach[i]);
    /* The actions of issue 5, each once. */
    static const char *actions[] = {"assign",
                                    "start",
                                    "report_progress",
                                    "request_extension",
                                    "approve_extension",
                                    "refuse_extension",
                                    "submit",
                                    "accept",
                                    "refuse",
                                    "supervise",
                                    "list_publicly",
                                    "delist"};
    CHECK_INT(hazard_ntransitions, (int)(sizeof actions / sizeof actions[0]));
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        CHECK(hazard_transition_find(actions[i]) != NULL);
    CHECK(hazard_transition_find("fly") == NULL);
    CHECK(hazard_transition_find(NULL) == NULL);
    CHECK_STR(hazard_transition_find("assign")->to, "assigned");
    CHECK_STR(hazard_transition_find("accept")->to, "closed");
    CHECK_STR(hazard_transition_find("refuse")->to, "rectifying");
    CHECK_STR(hazard_transition_find("refuse")->required[0], "reason");
}

static void test_deadlines(db_conn *c)
{
    char out[11];
    CHECK_INT(calendar_add_workdays(c, "2025-09-26", 5, out), 0);
    CHECK_STR(out, "2025-10-10");
    /* Counted from the day after the notice: 1 working day after a Friday
     * is the make-up Sunday 2025-09-28. */
    CHECK_INT(calendar_add_workdays(c, "2025-09-26", 1, out), 0);
    CHECK_STR(out, "2025-09-28");
    /* Year end: 2025-12-29 (Mon) + 5 working days; 2026 has no calendar
     * rows yet, so plain weeks: 12-30, 12-31, 01-01, 01-02, 01-05. */
    CHECK_INT(calendar_add_workdays(c, "2025-12-29", 5, out), 0);
    CHECK_STR(out, "2026-01-05");
    /* Across the spring festival of 2025 (01-28 .. 02-04, make-up 01-26 and
     * 02-08): 2025-01-24 (Fri) + 3 = 01-26 (Sun, worked), 01-27, 02-05. */
    CHECK_INT(calendar_add_workdays(c, "2025-01-24", 3, out), 0);
    CHECK_STR(out, "2025-02-05");
    /* The extension lead time of the reference. */
    CHECK_INT(HAZARD_EXTENSION_LEAD_DAYS, 20);
}

static void test_today(void)
{
    char t[11];
    CHECK_INT(util_today_set("2025-13-01"), -1);
    CHECK_INT(util_today_set("2025-10-20"), 0);
    util_today(t);
    CHECK_STR(t, "2025-10-20");
}

/* The board's band boundaries, counted on one loaded span of the calendar,
 * are the ones calendar_add_workdays gives day by day: every day of 2025
 * (its holidays and make-up days) and early 2026, for 5 and 20 days. The
 * boundary b is the earliest deadline at most n working days overdue: b - 1
 * is more than n behind, b is not. */
static void test_band_boundaries(db_conn *c)
{
    long from = util_date_to_days("2025-01-01"), to = util_date_to_days("2026-02-28");
    int checked = 0;
    for (long t = from; t <= to; t += 3) {
        char today[11], lo[11], hi[11], b[11], w[11], prev[11];
        util_days_to_date(t, today);
        util_days_to_date(t - BAND_SPAN, lo);
        util_days_to_date(t + BAND_SPAN, hi);
        struct calendar_span sp;
        CHECK_INT(calendar_span_load(c, lo, hi, &sp), 0);
        static const int ns[] = {5, 20};
        for (int i = 0; i < 2; i++) {
            band_boundary(&sp, today, ns[i], b);
            CHECK_INT(calendar_add_workdays(c, b, ns[i] + 1, w), 0);
            CHECK(strcmp(w, today) > 0); /* b itself is within n */
            util_days_to_date(util_date_to_days(b) - 1, prev);
            CHECK_INT(calendar_add_workdays(c, prev, ns[i] + 1, w), 0);
            CHECK(strcmp(w, today) <= 0); /* the day before is beyond n */
            checked++;
        }
        calendar_span_free(&sp);
    }
    CHECK(checked > 200);
    char b[11];
    struct calendar_span sp;
    CHECK_INT(calendar_span_load(c, "2025-06-01", "2026-06-01", &sp), 0);
    /* 2025-10-09: the National Day holidays (10-01 to 10-08) are no working
     * days, so 5 working days back reach into September. */
    band_boundary(&sp, "2025-10-09", 5, b);
    CHECK_STR(b, "2025-09-25");
    calendar_span_free(&sp);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    char dir[] = "/tmp/safecomm-hazard-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char *path = xasprintf("%s/h.db", dir), *err = NULL;
    db *d = db_open(path, 1, &err);
    if (!d || db_migrate(d, &err) != 0) {
        fprintf(stderr, "set-up: %s\n", err ? err : "?");
        return 1;
    }
    db_conn *c = db_acquire(d);
    test_table();
    test_deadlines(c);
    test_band_boundaries(c);
    test_today();
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
