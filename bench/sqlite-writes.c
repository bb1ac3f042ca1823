/* sqlite-writes: the reference for durable creates (bench/durable.sh). N
 * threads, each with its own connection to one WAL database with
 * synchronous=FULL, commit single-row transactions (BEGIN IMMEDIATE, one
 * INSERT, COMMIT) for a while; prints the rows committed per second. This is
 * what the disk and SQLite allow a writer that syncs each commit on its own.
 *
 * usage: sqlite-writes DB THREADS SECONDS */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *path;
static volatile int stop;
static long total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK)
        return NULL;
    sqlite3_busy_timeout(h, 10000);
    sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL);
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(h,
                       "INSERT INTO t (name, region, hours, created_at) VALUES (?1, "
                       "'511621101001', 1, datetime('now'))",
                       -1, &ins, NULL);
    long n = 0;
    char name[64];
    while (!stop) {
        snprintf(name, sizeof name, "志愿者%ld-%p", n, (void *)&n);
        if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            continue;
        sqlite3_bind_text(ins, 1, name, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc == SQLITE_DONE && sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
            n++;
        else
            sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(ins);
    sqlite3_close(h);
    pthread_mutex_lock(&lock);
    total += n;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sqlite-writes DB THREADS SECONDS\n");
        return 2;
    }
    path = argv[1];
    int nt = atoi(argv[2]), secs = atoi(argv[3]);
    if (nt < 1 || nt > 1024 || secs < 1)
        return 2;
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK)
        return 1;
    sqlite3_exec(h,
                 "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, region TEXT NOT NULL, hours INTEGER, created_at TEXT)",
                 NULL, NULL, NULL);
    pthread_t *th = calloc((size_t)nt, sizeof *th);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < nt; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    struct timespec d = {.tv_sec = secs, .tv_nsec = 0};
    nanosleep(&d, NULL);
    stop = 1;
    for (int i = 0; i < nt; i++)
        pthread_join(th[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%.0f\n", (double)total / el);
    free(th);
    sqlite3_close(h);
    return 0;
}
