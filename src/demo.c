/* demo: see demo.h. Small xorshift generators seeded by --seed make the
 * same county every time, so tests and screenshots are repeatable. The whole
 * load is one transaction. */
#include "demo.h"
#include "idcard.h"
#include "audit.h"
#include "auth.h"
#include "boundary.h"
#include "entity.h"
#include "module.h"
#include "buf.h"
#include "users.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COUNTY DEMO_COUNTY

/* The platform's own stream: the regions. */
static uint64_t rng_state;

static uint64_t xorshift(uint64_t *st)
{
    *st ^= *st << 13;
    *st ^= *st >> 7;
    *st ^= *st << 17;
    return *st;
}

static unsigned rnd(unsigned n)
{
    return (unsigned)(xorshift(&rng_state) % n);
}

/* A module's stream: the seed mixed with the module's name (FNV-1a). */
static uint64_t stream_seed(unsigned seed, const char *name)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001B3ULL;
    h ^= 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0x100000001B3ULL);
    return h ? h : 1;
}

unsigned demo_rnd(struct demo_ctx *d, unsigned n)
{
    return (unsigned)(xorshift(&d->rng) % n);
}

static const char *townships[] = {"九龙镇", "花园镇", "坪滩镇", "龙孔镇", "镇裕镇", "白庙镇",
                                  "酉溪镇", "同兴镇", "兴隆镇", "秦溪镇", "顾县镇", "苟角镇"};
static const char *village_a[] = {"青", "石", "桂", "柏", "黄", "新", "金", "长", "双", "白",
                                  "龙", "凤", "太", "永", "和", "安", "清", "福", "平", "高"};
static const char *village_b[] = {"林", "桥", "花", "山", "河", "坝", "湾", "岭", "溪", "塘",
                                  "井", "坪", "田", "家", "丰", "兴", "阳", "水", "堰", "院"};
static const char *surnames[] = {"张", "王", "李", "刘", "陈", "杨", "黄", "赵", "周", "吴",
                                 "徐", "孙", "马", "胡", "朱", "郭", "何", "罗", "高", "林"};
static const char *given[] = {"伟", "芳", "娜", "敏",   "静",   "丽",   "强",  "磊", "军",
                              "洋", "勇", "艳", "杰",   "娟",   "涛",   "明",  "超", "秀英",
                              "霞", "平", "刚", "桂英", "建华", "志强", "春梅"};

static int exec(db_conn *c, const char *sql, int n, const char *const *p, char **err)
{
    int st = db_exec_params(c, sql, n, p);
    if (st != DB_OK)
        *err = xasprintf("演示数据写入失败: %s", db_errmsg(c));
    return st == DB_OK ? 0 : -1;
}

int demo_exec(struct demo_ctx *d, const char *sql, int n, const char *const *p, char **err)
{
    return exec(d->c, sql, n, p, err);
}

static int add_region(db_conn *c, const char *code, const char *name, const char *level,
                      const char *parent, long pop, const char *now, char **err)
{
    char pops[24];
    snprintf(pops, sizeof pops, "%ld", pop);
    const char *p[] = {code, name, level, parent, pop ? pops : NULL, pop ? "2024" : NULL, now};
    return exec(c,
                "INSERT INTO regions (code, name, level, parent, population, population_year, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
                "ON CONFLICT (code) DO NOTHING",
                7, p, err);
}

static int add_user(db_conn *c, const char *username, const char *display, const char *role,
                    const char *region, const char *password, const char *now, char **err)
{
    char hash[256];
    if (auth_password_hash(password, hash, sizeof hash) != 0) {
        *err = xstrdup("密码哈希失败");
        return -1;
    }
    int st = users_create(c,
                          &(struct users_new){.username = username,
                                              .display_name = display,
                                              .password_hash = hash,
                                              .role = role,
                                              .region = region,
                                              .created_by = "demo",
                                              .now = now,
                                              .if_absent = 1},
                          NULL);
    if (st != DB_OK) {
        *err = xasprintf("演示数据写入失败: %s", db_errmsg(c));
        return -1;
    }
    return 0;
}

int demo_add_user(struct demo_ctx *d, const char *username, const char *display, const char *role,
                  const char *region, char **err)
{
    return add_user(d->c, username, display, role, region, d->password, d->now, err);
}

/* Every record goes through entity_create, the path of the API: validation,
 * the search index, encryption of sensitive fields and the audit log. */
int demo_add(struct demo_ctx *d, const char *entity, json_t *obj, char *key, size_t keylen,
             char **err)
{
    arena *a = arena_new();
    json_t *errors = json_object();
    const char *k = NULL;
    int st = entity_create(d->c, a, d->who, entity_find(entity), obj, errors, &k);
    if (st != DB_OK) {
        char *e = json_dumps(errors, JSON_COMPACT);
        *err = xasprintf("演示数据写入失败（%s）: %s %s", entity, db_errmsg(d->c), e ? e : "");
        free(e);
    } else if (key) {
        snprintf(key, keylen, "%s", k);
    }
    json_decref(errors);
    json_decref(obj);
    arena_free(a);
    return st == DB_OK ? 0 : -1;
}

void demo_id_number(struct demo_ctx *d, const char *birth, char out[19])
{
    /* 99xxxx: a region-code range no real county has (a synthetic person). */
    snprintf(out, 19, "990621%.4s%.2s%.2s%03u", birth, birth + 5, birth + 8, demo_rnd(d, 999) + 1);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

void demo_date(struct demo_ctx *d, int year, char out[11])
{
    char jan1[11];
    snprintf(jan1, sizeof jan1, "%04d-01-01", year);
    util_days_to_date(util_date_to_days(jan1) + demo_rnd(d, 365), out);
}

void demo_person_name(struct demo_ctx *d, char *out, size_t n)
{
    unsigned s = demo_rnd(d, 20);
    snprintf(out, n, "%s%s", surnames[s], given[demo_rnd(d, 25)]);
}

void demo_place(int i, char *out, size_t n)
{
    snprintf(out, n, "%s%s", village_a[i % 20], village_b[(i * 7) % 20]);
}

/* ---- synthetic boundaries around 岳池县 (about 30.54°N, 106.44°E) ----
 *
 * The county is a jittered lattice of GEO_NX x GEO_NY points; each township
 * is a block of GEO_K x GEO_K lattice cells (4 columns, 3 rows of
 * townships), so neighbouring townships share their edges exactly and tile
 * the county. A point depends only on its lattice indices and the seed, and
 * the jitter (a fifth of a cell) keeps every cell convex, so a weighted mean
 * of a cell's corners always lies inside it: that is how hazards are placed.
 * These coordinates come from their own hash, not from rnd(), so adding them
 * left the rest of the demo unchanged. */
#define GEO_K     4
#define GEO_TCOLS 4
#define GEO_TROWS 3
#define GEO_NX    (GEO_TCOLS * GEO_K + 1)
#define GEO_NY    (GEO_TROWS * GEO_K + 1)
#define GEO_LNG0  106.22
#define GEO_LAT0  30.36
#define GEO_DLNG  0.0275
#define GEO_DLAT  0.03

static unsigned geo_seed;

/* A deterministic value in [0, 1) from three integers and the seed. */
static double geo_hash(unsigned a, unsigned b, unsigned k)
{
    uint64_t z = ((uint64_t)a << 42) ^ ((uint64_t)b << 21) ^ k ^ ((uint64_t)geo_seed << 50);
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static void geo_point(int i, int j, double *lng, double *lat)
{
    double x = i + 0.4 * (geo_hash((unsigned)i, (unsigned)j, 1) - 0.5);
    double y = j + 0.4 * (geo_hash((unsigned)i, (unsigned)j, 2) - 0.5);
    /* A gentle warp, so that the outline is not a rectangle. */
    x += 0.8 * sin(y * 0.55 + 0.7);
    y += 0.6 * sin(x * 0.45 + 1.9);
    *lng = GEO_LNG0 + x * GEO_DLNG;
    *lat = GEO_LAT0 + y * GEO_DLAT;
}

/* The ring around lattice block [i0, i0 + w] x [j0, j0 + h], counter-clockwise
 * as RFC 7946 asks of exterior rings. */
static json_t *geo_block(int i0, int j0, int w, int h)
{
    json_t *ring = json_array();
    double lng, lat;
    for (int k = 0; k < w; k++) {
        geo_point(i0 + k, j0, &lng, &lat);
        json_array_append_new(ring, json_pack("[f, f]", lng, lat));
    }
    for (int k = 0; k < h; k++) {
        geo_point(i0 + w, j0 + k, &lng, &lat);
        json_array_append_new(ring, json_pack("[f, f]", lng, lat));
    }
    for (int k = w; k > 0; k--) {
        geo_point(i0 + k, j0 + h, &lng, &lat);
        json_array_append_new(ring, json_pack("[f, f]", lng, lat));
    }
    for (int k = h; k > 0; k--) {
        geo_point(i0, j0 + k, &lng, &lat);
        json_array_append_new(ring, json_pack("[f, f]", lng, lat));
    }
    json_array_append(ring, json_array_get(ring, 0));
    return json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", ring);
}

/* A point inside village code's cell of its township: village v takes cell
 * v - 1 of the township's GEO_K x GEO_K block; n numbers the point. */
void demo_geo_place(const char *code, unsigned n, double *lng, double *lat)
{
    int t = atoi((char[4]){code[6], code[7], code[8], 0}) - 101;
    int v = atoi((char[4]){code[9], code[10], code[11], 0});
    if (t < 0 || t >= GEO_TCOLS * GEO_TROWS)
        t = 0;
    int cell = (v > 0 ? v - 1 : 0) % (GEO_K * GEO_K);
    int i = (t % GEO_TCOLS) * GEO_K + cell % GEO_K, j = (t / GEO_TCOLS) * GEO_K + cell / GEO_K;
    double u = 0.15 + 0.7 * geo_hash(n, 7, 3), w = 0.15 + 0.7 * geo_hash(n, 7, 4);
    double x[4], y[4];
    geo_point(i, j, &x[0], &y[0]);
    geo_point(i + 1, j, &x[1], &y[1]);
    geo_point(i + 1, j + 1, &x[2], &y[2]);
    geo_point(i, j + 1, &x[3], &y[3]);
    *lng = (1 - u) * (1 - w) * x[0] + u * (1 - w) * x[1] + u * w * x[2] + (1 - u) * w * x[3];
    *lat = (1 - u) * (1 - w) * y[0] + u * (1 - w) * y[1] + u * w * y[2] + (1 - u) * w * y[3];
}

/* The county and its townships, through boundary_put like an upload. */
static int demo_boundaries(db_conn *c, const struct audit_actor *who, char **err)
{
    arena *a = arena_new();
    int rc = 0;
    for (int t = -1; t < GEO_TCOLS * GEO_TROWS && rc == 0; t++) {
        char code[16];
        json_t *g;
        if (t < 0) {
            snprintf(code, sizeof code, "%s", COUNTY);
            g = geo_block(0, 0, GEO_NX - 1, GEO_NY - 1);
        } else {
            snprintf(code, sizeof code, "511621%03d000", 101 + t);
            g = geo_block((t % GEO_TCOLS) * GEO_K, (t / GEO_TCOLS) * GEO_K, GEO_K, GEO_K);
        }
        int created;
        const char *msg;
        rc = boundary_put(c, a, who, code, g, &created, &msg);
        json_decref(g);
        if (rc != 0)
            *err = xasprintf("演示边界 %s 写入失败（%d）: %s", code, rc, msg ? msg : db_errmsg(c));
    }
    arena_free(a);
    return rc == 0 ? 0 : -1;
}

int demo_load(db *d, unsigned seed, const char *password, char **err)
{
    int rc = -1;
    char now[32];
    util_now_iso(now);
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0x100000001B3ULL);
    geo_seed = seed;
    if (!rng_state)
        rng_state = 1;
    db_conn *c = db_acquire(d);
    *err = NULL;
    if (db_begin(c) != DB_OK) {
        *err = xstrdup("数据库忙");
        goto out;
    }
    if (add_region(c, "510000000000", "四川省", "province", NULL, 0, now, err) ||
        add_region(c, "511600000000", "广安市", "city", "510000000000", 0, now, err) ||
        add_region(c, COUNTY, "岳池县", "county", "511600000000", 0, now, err))
        goto fail;
    char villages[DEMO_MAX_VILLAGES][32], vnames[DEMO_MAX_VILLAGES][48];
    int nvillages = 0;
    for (int t = 0; t < 12; t++) {
        char tcode[32];
        snprintf(tcode, sizeof tcode, "511621%03d000", 101 + t);
        if (add_region(c, tcode, townships[t], "township", COUNTY, 20000 + (long)rnd(30000), now,
                       err))
            goto fail;
        int nv = 13 + (int)rnd(4);
        for (int v = 1; v <= nv; v++) {
            char vcode[32], vname[48];
            snprintf(vcode, sizeof vcode, "511621%03d%03d", 101 + t, v);
            snprintf(vname, sizeof vname, "%s%s%s", village_a[(t * 7 + v * 3) % 20],
                     village_b[(t * 5 + v * 11) % 20], v % 5 == 0 ? "社区" : "村");
            if (add_region(c, vcode, vname, "village", tcode, 800 + (long)rnd(3000), now, err))
                goto fail;
            if (nvillages < DEMO_MAX_VILLAGES) {
                strcpy(vnames[nvillages], vname);
                strcpy(villages[nvillages++], vcode);
            }
            for (int g = 1; g <= 3; g++) {
                char gcode[48], gname[32];
                snprintf(gcode, sizeof gcode, "%s-%02d", vcode, g);
                snprintf(gname, sizeof gname, "第%d网格", g);
                if (add_region(c, gcode, gname, "grid", vcode, 0, now, err))
                    goto fail;
            }
        }
    }
    if (exec(c,
             "INSERT INTO instance_flags (name, value) VALUES ('demo', 'synthetic') "
             "ON CONFLICT (name) DO NOTHING",
             0, NULL, err))
        goto fail;
    if (add_user(c, "county", "县安办管理员", "county_admin", COUNTY, password, now, err) ||
        add_user(c, "town", "九龙镇安办", "township_admin", DEMO_TOWNSHIP, password, now, err) ||
        add_user(c, "village", "村网格员", "village_worker", DEMO_VILLAGE, password, now, err))
        goto fail;

    arena *ua = arena_new();
    struct audit_actor who = {auth_system_user(ua), "demo"};
    if (demo_boundaries(c, &who, err))
        goto fail_records;
    for (int m = 0; m < module_count; m++) {
        const struct module *mod = module_list[m];
        if (!mod->demo)
            continue;
        struct demo_ctx dc = {.c = c,
                              .who = &who,
                              .password = password,
                              .now = now,
                              .nvillages = nvillages,
                              .villages = (const char(*)[32])villages,
                              .vnames = (const char(*)[48])vnames,
                              .rng = stream_seed(seed, mod->name)};
        if (mod->demo(&dc, err))
            goto fail_records;
    }
    arena_free(ua);
    if (db_commit(c) != DB_OK) {
        *err = xasprintf("演示数据提交失败: %s", db_errmsg(c));
        goto fail;
    }
    rc = 0;
    goto out;
fail_records:
    arena_free(ua);
fail:
    db_rollback(c);
out:
    db_release(d, c);
    return rc;
}

/* ---- `demo --scale`: the demo county grown, and more counties ---- */

struct demo_scale {
    db_conn *c;
    const struct audit_actor *who;
    FILE *progress;
    int tty;
    /* the entity being written */
    const struct entity *e;
    struct entity_writer *w;
    long total, done, chunk;
    /* the run */
    long rows;
    int64_t t0, shown;
    FILE *out;
};

long demo_scale_n(const struct demo_ctx *d, long per_county)
{
    long n = per_county * (d->counties > 0 ? d->counties : 1) / (d->divisor > 0 ? d->divisor : 1);
    return n > 0 ? n : 1;
}

static double secs_since(int64_t t0)
{
    return (double)(util_now_us() - t0) / 1e6;
}

static void scale_show(struct demo_scale *s, int final)
{
    int64_t now = util_now_us();
    if (!final && now - s->shown < (s->tty ? 500000 : 10000000))
        return;
    s->shown = now;
    double t = secs_since(s->t0);
    char of[32] = "";
    if (s->total > 0)
        snprintf(of, sizeof of, " / %ld", s->total);
    fprintf(s->progress, "%s%s：%ld%s（共 %ld 行，%.0f 秒，%.0f 行/秒）%s",
            s->tty ? "\r\033[K" : "", s->e ? s->e->label : "", s->done, of, s->rows, t,
            t > 0 ? (double)s->rows / t : 0.0, s->tty && !final ? "" : "\n");
    fflush(s->progress);
}

/* Opens the writer of the current entity in a new transaction. */
static int scale_open(struct demo_scale *s, char **err)
{
    if (db_begin(s->c) != DB_OK) {
        *err = xstrdup("数据库忙");
        return -1;
    }
    s->w = entity_writer_open(s->c, s->who, s->e, "generated");
    if (!s->w) {
        *err = xasprintf("演示数据写入失败（%s）: %s", s->e->name, db_errmsg(s->c));
        db_rollback(s->c);
        return -1;
    }
    s->chunk = 0;
    return 0;
}

/* Closes the writer and commits its transaction (write 1), or rolls back. */
static int scale_close(struct demo_scale *s, int write, char **err)
{
    if (!s->w)
        return 0;
    int st = entity_writer_close(s->w, write);
    s->w = NULL;
    if (!write) {
        db_rollback(s->c);
        return 0;
    }
    if (st == DB_OK)
        st = db_commit(s->c);
    else
        db_rollback(s->c);
    if (st != DB_OK) {
        *err = xasprintf("演示数据提交失败（%s）: %s", s->e->name, db_errmsg(s->c));
        return -1;
    }
    return 0;
}

int demo_bulk_begin(struct demo_ctx *d, const char *entity, long total, char **err)
{
    struct demo_scale *s = d->scale;
    s->e = entity_find(entity);
    if (!s->e) {
        *err = xasprintf("未知的数据类型 %s", entity);
        return -1;
    }
    s->total = total;
    s->done = 0;
    return scale_open(s, err);
}

int demo_bulk_add(struct demo_ctx *d, json_t *obj, int64_t *id, char **err)
{
    struct demo_scale *s = d->scale;
    json_t *errors = json_object();
    int64_t got;
    int st = entity_writer_add(s->w, obj, errors, &got);
    if (st != DB_OK) {
        char *o = json_dumps(obj, JSON_COMPACT), *e = json_dumps(errors, JSON_COMPACT);
        *err = xasprintf("演示数据写入失败（%s）: %s %s %s", s->e->name,
                         st == DB_ERR_CONSTRAINT ? "" : db_errmsg(s->c), e ? e : "", o ? o : "");
        free(o);
        free(e);
    }
    json_decref(errors);
    json_decref(obj);
    if (st != DB_OK) {
        scale_close(s, 0, err);
        return -1;
    }
    if (id)
        *id = got;
    s->done++;
    s->rows++;
    if (++s->chunk >= DEMO_SCALE_CHUNK && (scale_close(s, 1, err) || scale_open(s, err)))
        return -1;
    scale_show(s, 0);
    return 0;
}

int demo_bulk_end(struct demo_ctx *d, char **err)
{
    struct demo_scale *s = d->scale;
    if (scale_close(s, 1, err))
        return -1;
    scale_show(s, 1);
    fprintf(s->out, "%s\t%s\t%ld\n", s->e->name, s->e->label, s->done);
    s->e = NULL;
    return 0;
}

/* The places of a scaled run: every village with its name. */
struct scale_places {
    int n, cap;
    char (*codes)[32];
    char (*names)[48];
};

static void places_add(struct scale_places *p, const char *code, const char *name)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 512;
        p->codes = xrealloc(p->codes, (size_t)p->cap * sizeof *p->codes);
        p->names = xrealloc(p->names, (size_t)p->cap * sizeof *p->names);
    }
    snprintf(p->codes[p->n], sizeof p->codes[0], "%s", code);
    snprintf(p->names[p->n], sizeof p->names[0], "%s", name);
    p->n++;
}

/* One region through the writer: validated as an import's. */
static int scale_region(struct demo_ctx *d, const char *code, const char *name, long pop,
                        char **err)
{
    json_t *o = json_pack("{s:s, s:s}", "code", code, "name", name);
    if (pop) {
        json_object_set_new(o, "population", json_integer(pop));
        json_object_set_new(o, "population_year", json_integer(2024));
    }
    return demo_bulk_add(d, o, NULL, err);
}

/* A township's villages from v0 + 1 to v0 + nv, each with three grids. */
static int scale_villages(struct demo_ctx *d, struct scale_places *p, const char *tcode, int t,
                          int v0, int nv, char **err)
{
    for (int v = v0 + 1; v <= v0 + nv; v++) {
        char vcode[32], vname[48];
        snprintf(vcode, sizeof vcode, "%.9s%03d", tcode, v);
        snprintf(vname, sizeof vname, "%s%s%s", village_a[(t * 7 + v * 3) % 20],
                 village_b[(t * 5 + v * 11) % 20], v % 5 == 0 ? "社区" : "村");
        if (scale_region(d, vcode, vname, 800 + (long)rnd(3000), err))
            return -1;
        places_add(p, vcode, vname);
        for (int g = 1; g <= 3; g++) {
            char gcode[48], gname[32];
            snprintf(gcode, sizeof gcode, "%s-%02d", vcode, g);
            snprintf(gname, sizeof gname, "第%d网格", g);
            if (scale_region(d, gcode, gname, 0, err))
                return -1;
        }
    }
    return 0;
}

/* Townships of county (code prefix c6) from number t0 + 1 on, 15 villages
 * each, until the county has DEMO_SCALE_VILLAGES. */
static int scale_townships(struct demo_ctx *d, struct scale_places *p, const char *c6, int t0,
                           int have, char **err)
{
    for (int t = t0 + 1; have < DEMO_SCALE_VILLAGES; t++) {
        char tcode[32], tname[48];
        snprintf(tcode, sizeof tcode, "%.6s%03d000", c6, 100 + t);
        snprintf(tname, sizeof tname, "%s%s镇", village_a[(t * 3 + 1) % 20],
                 village_b[(t * 11 + 5) % 20]);
        if (scale_region(d, tcode, tname, 20000 + (long)rnd(30000), err))
            return -1;
        int nv = DEMO_SCALE_VILLAGES - have < 15 ? DEMO_SCALE_VILLAGES - have : 15;
        if (scale_villages(d, p, tcode, t, 0, nv, err))
            return -1;
        have += nv;
    }
    return 0;
}

/* The cities of a province run beside 广安市 (5116), each with ten
 * counties numbered 21 to 30. */
static const struct {
    const char *code, *name;
} scale_cities[] = {
    {"5116", "广安市"}, {"5101", "成都市"}, {"5103", "自贡市"}, {"5104", "攀枝花市"},
    {"5105", "泸州市"}, {"5106", "德阳市"}, {"5107", "绵阳市"}, {"5108", "广元市"},
    {"5109", "遂宁市"}, {"5110", "内江市"},
};

static int scale_regions(struct demo_ctx *d, struct scale_places *p, char **err)
{
    /* The demo county's villages, then its new townships. */
    db_stmt *s = db_prepare(d->c, "SELECT code, name FROM regions WHERE level = 'village' AND "
                                  "code >= $1 AND code < $2 ORDER BY code");
    if (!s) {
        *err = xasprintf("演示数据读取失败: %s", db_errmsg(d->c));
        return -1;
    }
    db_bind_text(s, 1, "511621");
    db_bind_text(s, 2, "511621:");
    int last_t = 0;
    while (db_step(s) == DB_ROW) {
        const char *code = db_col_text(s, 0);
        places_add(p, code, db_col_text(s, 1));
        int t = atoi((char[4]){code[6], code[7], code[8], 0}) - 100;
        if (t > last_t)
            last_t = t;
    }
    db_done(s);
    if (demo_bulk_begin(d, "regions", 0, err))
        return -1;
    if (scale_townships(d, p, COUNTY, last_t, p->n, err))
        return -1;
    for (int k = 1; k < d->counties; k++) {
        int city = k / 10, n = k % 10;
        char ccode[16], kcode[16], kname[48];
        if (n == 0) {
            snprintf(ccode, sizeof ccode, "%s00000000", scale_cities[city].code);
            if (scale_region(d, ccode, scale_cities[city].name, 0, err))
                return -1;
        }
        snprintf(kcode, sizeof kcode, "%s%02d000000", scale_cities[city].code, 21 + n);
        if (strcmp(kcode, COUNTY) == 0)
            continue;
        snprintf(kname, sizeof kname, "%s%s县", village_b[(k * 7 + 3) % 20],
                 village_a[(k * 13 + 9) % 20]);
        if (scale_region(d, kcode, kname, 0, err) || scale_townships(d, p, kcode, 0, 0, err))
            return -1;
    }
    return demo_bulk_end(d, err);
}

static int scale_flag(db_conn *c, const char *value, char **err)
{
    const char *p[] = {value};
    return exec(c,
                "INSERT INTO instance_flags (name, value) VALUES ('demo_scale', $1) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                1, p, err);
}

int demo_scale_load(db *d, const char *scale, long divisor, unsigned seed, FILE *out,
                    FILE *progress, char **err)
{
    int counties = strcmp(scale, "county") == 0 ? 1 : strcmp(scale, "city") == 0 ? 10 : 100;
    char now[32], partial[48];
    util_now_iso(now);
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)(seed + 7919) * 0x100000001B3ULL);
    *err = NULL;
    db_conn *c = db_acquire(d);
    arena *ua = arena_new();
    struct audit_actor who = {auth_system_user(ua), "demo"};
    struct demo_scale s = {.c = c,
                           .who = &who,
                           .progress = progress,
                           .tty = isatty(fileno(progress)),
                           .t0 = util_now_us(),
                           .out = out};
    struct scale_places p = {0};
    char(*towns)[16] = NULL;
    int *vt = NULL, ntowns = 0;
    struct demo_ctx rctx = {
        .c = c, .who = &who, .now = now, .counties = counties, .divisor = divisor, .scale = &s};
    int ret = -1;
    /* As a local import's: the indexes' B-trees stay in a larger cache. */
    if (db_conn_kind(c) == DB_KIND_SQLITE)
        db_exec_script(c, "PRAGMA cache_size=-262144");
    /* Marked before the first row: a run that stops half-way leaves a
     * database that says so, and is not run again on top of itself. */
    snprintf(partial, sizeof partial, "%s:partial", scale);
    if (scale_flag(c, partial, err) || scale_regions(&rctx, &p, err))
        goto out;
    /* The townships, in the order of their villages (which are listed
     * township by township). */
    towns = xcalloc((size_t)p.n + 1, sizeof *towns);
    vt = xcalloc((size_t)p.n + 1, sizeof *vt);
    for (int v = 0; v < p.n; v++) {
        char tcode[16];
        snprintf(tcode, sizeof tcode, "%.9s000", p.codes[v]);
        if (!ntowns || strcmp(towns[ntowns - 1], tcode) != 0)
            snprintf(towns[ntowns++], sizeof towns[0], "%s", tcode);
        vt[v] = ntowns - 1;
    }
    for (int m = 0; m < module_count; m++) {
        const struct module *mod = module_list[m];
        if (!mod->demo_scale)
            continue;
        char name[64];
        snprintf(name, sizeof name, "scale:%s", mod->name);
        struct demo_ctx dc = {.c = c,
                              .who = &who,
                              .now = now,
                              .nvillages = p.n,
                              .villages = (const char(*)[32])p.codes,
                              .vnames = (const char(*)[48])p.names,
                              .rng = stream_seed(seed, name),
                              .counties = counties,
                              .divisor = divisor,
                              .scale = &s,
                              .ntownships = ntowns,
                              .townships = (const char(*)[16])towns,
                              .village_township = vt};
        if (mod->demo_scale(&dc, err))
            goto out;
    }
    if (scale_flag(c, scale, err))
        goto out;
    double t = secs_since(s.t0);
    fprintf(out, "共 %ld 行，用时 %.1f 秒，%.0f 行/秒\n", s.rows, t,
            t > 0 ? (double)s.rows / t : 0);
    ret = 0;
out:
    if (s.w)
        scale_close(&s, 0, err);
    free(p.codes);
    free(p.names);
    free(towns);
    free(vt);
    arena_free(ua);
    db_release(d, c);
    return ret;
}
