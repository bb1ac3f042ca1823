/* boundary: see boundary.h. */
#include "boundary.h"
#include "audit.h"
#include "auth.h"
#include "authz.h"
#include "entity.h"
#include "http.h"
#include "region.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- checking and normalising GeoJSON ---- */

struct geo {
    arena *a;
    long positions;
    double w, s, e, n;
    const char *msg;
};

/* A type name from the client is echoed only when it is short plain ASCII:
 * it goes into a JSON message and a log line. */
static const char *type_shown(arena *a, const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > 40)
        return "（无法识别）";
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z') ||
              (t[i] >= '0' && t[i] <= '9') || t[i] == '_'))
            return "（无法识别）";
    return arena_strdup(a, t);
}

static json_t *ring_norm(struct geo *g, json_t *ring, int pi, int ri)
{
    if (!json_is_array(ring)) {
        g->msg = arena_printf(g->a, "第 %d 个多边形的第 %d 个环不是坐标数组", pi, ri);
        return NULL;
    }
    size_t n = json_array_size(ring);
    if (n < 4) {
        g->msg = arena_printf(g->a, "第 %d 个多边形的第 %d 个环只有 %zu 个坐标，至少需要 4 个", pi,
                              ri, n);
        return NULL;
    }
    if (g->positions + (long)n > BOUNDARY_MAX_POSITIONS) {
        g->msg = arena_printf(g->a, "坐标点过多：一个边界最多 %d 个坐标点", BOUNDARY_MAX_POSITIONS);
        return NULL;
    }
    json_t *out = json_array();
    double lng0 = 0, lat0 = 0, lng = 0, lat = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(ring, i);
        json_t *x = json_array_get(p, 0), *y = json_array_get(p, 1);
        if (!json_is_array(p) || !json_is_number(x) || !json_is_number(y)) {
            g->msg = arena_printf(g->a, "第 %d 个多边形第 %d 个环的第 %zu 个坐标不是 [经度, 纬度]",
                                  pi, ri, i + 1);
            goto fail;
        }
        lng = json_number_value(x);
        lat = json_number_value(y);
        if (lng < -180 || lng > 180 || lat < -90 || lat > 90) {
            g->msg = arena_printf(g->a,
                                  "第 %d 个多边形第 %d 个环的第 %zu 个坐标超出范围：经度必须在 "
                                  "-180 到 180 之间，纬度必须在 -90 到 90 之间",
                                  pi, ri, i + 1);
            goto fail;
        }
        if (i == 0) {
            lng0 = lng;
            lat0 = lat;
        }
        if (g->positions == 0 || lng < g->w)
            g->w = lng;
        if (g->positions == 0 || lng > g->e)
            g->e = lng;
        if (g->positions == 0 || lat < g->s)
            g->s = lat;
        if (g->positions == 0 || lat > g->n)
            g->n = lat;
        g->positions++;
        /* Only [lng, lat]: an altitude would only cost space. */
        json_array_append_new(out, json_pack("[f, f]", lng, lat));
    }
    if (lng != lng0 || lat != lat0) {
        g->msg = arena_printf(g->a, "第 %d 个多边形的第 %d 个环未闭合：首尾坐标必须相同", pi, ri);
        goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* Appends the polygon (an array of rings) to polys. */
static int polygon_add(struct geo *g, json_t *coords, json_t *polys)
{
    int pi = (int)json_array_size(polys) + 1;
    if (!json_is_array(coords) || json_array_size(coords) == 0) {
        g->msg = arena_printf(g->a, "第 %d 个多边形的 coordinates 必须是非空的环数组", pi);
        return -1;
    }
    json_t *rings = json_array();
    for (size_t i = 0; i < json_array_size(coords); i++) {
        json_t *ring = ring_norm(g, json_array_get(coords, i), pi, (int)i + 1);
        if (!ring) {
            json_decref(rings);
            return -1;
        }
        json_array_append_new(rings, ring);
    }
    json_array_append_new(polys, rings);
    return 0;
}

static int geometry_add(struct geo *g, json_t *geom, json_t *polys, int depth)
{
    const char *type = json_string_value(json_object_get(geom, "type"));
    if (!json_is_object(geom) || !type) {
        g->msg = depth == 0 ? "不是 GeoJSON：必须是带 type 的 JSON 对象"
                            : "要素缺少几何（geometry 必须是带 type 的对象）";
        return -1;
    }
    json_t *coords = json_object_get(geom, "coordinates");
    if (strcmp(type, "Polygon") == 0)
        return polygon_add(g, coords, polys);
    if (strcmp(type, "MultiPolygon") == 0) {
        if (!json_is_array(coords) || json_array_size(coords) == 0) {
            g->msg = "MultiPolygon 的 coordinates 必须是非空的多边形数组";
            return -1;
        }
        for (size_t i = 0; i < json_array_size(coords); i++)
            if (polygon_add(g, json_array_get(coords, i), polys) != 0)
                return -1;
        return 0;
    }
    if (depth < 2 && strcmp(type, "Feature") == 0)
        return geometry_add(g, json_object_get(geom, "geometry"), polys, 2);
    if (depth == 0 && strcmp(type, "FeatureCollection") == 0) {
        json_t *fs = json_object_get(geom, "features");
        if (!json_is_array(fs) || json_array_size(fs) == 0) {
            g->msg = "FeatureCollection 的 features 必须是非空数组";
            return -1;
        }
        for (size_t i = 0; i < json_array_size(fs); i++) {
            json_t *f = json_array_get(fs, i);
            const char *ft = json_string_value(json_object_get(f, "type"));
            if (!ft || strcmp(ft, "Feature") != 0) {
                g->msg = arena_printf(g->a, "features 的第 %zu 项不是 Feature", i + 1);
                return -1;
            }
            if (geometry_add(g, json_object_get(f, "geometry"), polys, 2) != 0)
                return -1;
        }
        return 0;
    }
    g->msg = arena_printf(g->a,
                          depth == 2 ? "几何类型 %s 不受支持：边界必须是 Polygon 或 MultiPolygon"
                                     : "类型 %s 不受支持：边界必须是 Polygon、MultiPolygon、"
                                       "Feature 或 FeatureCollection",
                          type_shown(g->a, type));
    return -1;
}

json_t *boundary_normalise(arena *a, json_t *geojson, const char *code, const char *name,
                           long *positions, double bbox[4], const char **msg)
{
    struct geo g = {a, 0, 0, 0, 0, 0, NULL};
    json_t *polys = json_array();
    if (geometry_add(&g, geojson, polys, 0) != 0) {
        json_decref(polys);
        *msg = g.msg;
        return NULL;
    }
    json_t *geom;
    if (json_array_size(polys) == 1)
        geom = json_pack("{s:s, s:O}", "type", "Polygon", "coordinates", json_array_get(polys, 0));
    else
        geom = json_pack("{s:s, s:O}", "type", "MultiPolygon", "coordinates", polys);
    json_decref(polys);
    *positions = g.positions;
    bbox[0] = g.w;
    bbox[1] = g.s;
    bbox[2] = g.e;
    bbox[3] = g.n;
    *msg = NULL;
    return json_pack("{s:s, s:{s:s, s:s}, s:o}", "type", "Feature", "properties", "code", code,
                     "name", name, "geometry", geom);
}

/* ---- storage ---- */

int boundary_put(db_conn *c, arena *a, const struct audit_actor *who, const char *code,
                 json_t *geojson, int *created, const char **msg)
{
    *msg = NULL;
    db_stmt *s = db_prepare(c, "SELECT r.name, (SELECT count(*) FROM region_boundaries b WHERE "
                               "b.code = r.code) FROM regions r WHERE r.code = $1");
    if (!s)
        return db_last_status(c);
    db_bind_text(s, 1, code);
    int rc = db_step(s);
    const char *name = rc == DB_ROW ? arena_strdup(a, db_col_text(s, 0)) : NULL;
    *created = rc == DB_ROW && db_col_int(s, 1) == 0;
    db_done(s);
    if (rc < 0)
        return rc;
    if (!name) {
        *msg = "区域不存在";
        return 404;
    }
    long npos;
    double bb[4];
    json_t *feature = boundary_normalise(a, geojson, code, name, &npos, bb, msg);
    if (!feature)
        return 422;
    char *text = json_dumps(feature, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(feature);
    char now[32];
    util_now_iso(now);
    s = db_prepare(c, "INSERT INTO region_boundaries (code, geojson, positions, west, south, "
                      "east, north, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                      "$8, $9) ON CONFLICT (code) DO UPDATE SET geojson = excluded.geojson, "
                      "positions = excluded.positions, west = excluded.west, south = "
                      "excluded.south, east = excluded.east, north = excluded.north, "
                      "updated_at = excluded.updated_at, updated_by = excluded.updated_by");
    if (!s) {
        free(text);
        return db_last_status(c);
    }
    db_bind_text(s, 1, code);
    db_bind_text(s, 2, text);
    db_bind_int(s, 3, npos);
    for (int i = 0; i < 4; i++)
        db_bind_double(s, 4 + i, bb[i]);
    db_bind_text(s, 8, now);
    db_bind_text(s, 9, who->user ? who->user->username : "system");
    rc = db_step(s);
    db_done(s);
    free(text);
    if (rc < 0)
        return rc;
    json_t *ch = json_pack("{s:I, s:[f, f, f, f]}", "positions", (json_int_t)npos, "bbox", bb[0],
                           bb[1], bb[2], bb[3]);
    rc = audit_write(c, who, *created ? "create" : "update", "region_boundaries", code, code, ch,
                     NULL);
    json_decref(ch);
    return rc;
}

/* ---- the tile server ---- */

static char *tile_url, *tile_attribution, *tile_origin;

static int host_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']';
}

int boundary_tiles_set(const char *url, const char *attribution, const char **origin,
                       const char **why)
{
    free(tile_url);
    free(tile_attribution);
    free(tile_origin);
    tile_url = tile_attribution = tile_origin = NULL;
    *origin = NULL;
    if (!url)
        return 0;
    size_t scheme = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
    if (!scheme) {
        *why = "--tile-url 必须以 http:// 或 https:// 开头";
        return -1;
    }
    /* The URL goes into a header (the CSP) and a page: no room for quotes,
     * spaces, separators of CSP or markup. */
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("\"'<>;,\\`", *p)) {
            *why = "--tile-url 含有不允许的字符（空白、引号、分号、逗号或尖括号）";
            return -1;
        }
    if (strlen(url) > 500 || !strstr(url, "{z}") || !strstr(url, "{x}") || !strstr(url, "{y}")) {
        *why = "--tile-url 必须含有 {z}、{x} 和 {y}，且不超过 500 个字符";
        return -1;
    }
    const char *host = url + scheme;
    int sub = strncmp(host, "{s}.", 4) == 0;
    const char *h = host + (sub ? 4 : 0);
    size_t hl = strcspn(h, "/?#");
    for (size_t i = 0; i < hl; i++)
        if (!host_char(h[i])) {
            *why = "--tile-url 的主机名无效（只有开头的 {s}. 可以是占位符）";
            return -1;
        }
    if (hl == 0) {
        *why = "--tile-url 缺少主机名";
        return -1;
    }
    if (attribution &&
        (strlen(attribution) > 300 || !util_utf8_valid(attribution, strlen(attribution)))) {
        *why = "--tile-attribution 必须是不超过 300 字节的 UTF-8 文本";
        return -1;
    }
    tile_url = xstrdup(url);
    tile_attribution = attribution ? xstrdup(attribution) : NULL;
    tile_origin = xasprintf("%.*s%s%.*s", (int)scheme, url, sub ? "*." : "", (int)hl, h);
    *origin = tile_origin;
    return 0;
}

/* ---- HTTP ---- */

/* reply_json with 12 significant digits: coordinates read back as they were
 * written (106.3, not 106.29999999999999), a third shorter on the wire. */
void boundary_reply_geo(req *r, int status, json_t *take)
{
    char *s = json_dumps(take, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(take);
    if (!s) {
        reply_error(r, 500, "internal", "服务器内部错误", NULL);
        return;
    }
    reply_take(r, status, "application/json; charset=utf-8", s, strlen(s));
}

static void h_put(req *r)
{
    const char *code = req_param(r, "code");
    if (authz_require(r, "region:write", code) != 0)
        return;
    struct stat st;
    if (stat(r->upload_path, &st) != 0 || st.st_size == 0) {
        reply_field_error(r, "geojson", "边界文件为空（请上传 .geojson 文件，或以 JSON 作请求体）");
        return;
    }
    if ((size_t)st.st_size > BOUNDARY_MAX_BYTES) {
        reply_error(r, 413, "too_large", "边界文件过大（最多 32 MB）", NULL);
        return;
    }
    json_error_t jerr;
    json_t *in = json_load_file(r->upload_path, 0, &jerr);
    if (!in) {
        reply_field_error(
            r, "geojson",
            arena_printf(r->a, "不是有效的 GeoJSON：JSON 解析失败（第 %d 行）", jerr.line));
        return;
    }
    db_conn *c = req_db(r);
    int rc = db_begin(c);
    if (rc != DB_OK) {
        json_decref(in);
        reply_db_error(r, rc);
        return;
    }
    struct audit_actor who = {r->user, r->client_ip};
    int created = 0;
    const char *msg;
    rc = boundary_put(c, r->a, &who, code, in, &created, &msg);
    json_decref(in);
    if (rc == 404 || rc == 422) {
        db_rollback(c);
        if (rc == 404)
            reply_error(r, 404, "not_found", msg, NULL);
        else
            reply_field_error(r, "geojson", msg);
        return;
    }
    if (req_commit(r, c, rc) != 0)
        return;
    db_stmt *s = db_prepare(c, "SELECT positions, west, south, east, north, updated_at, "
                               "updated_by FROM region_boundaries WHERE code = $1");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, code);
    rc = db_step(s);
    if (rc != DB_ROW) {
        db_done(s);
        reply_db_error(r, rc < 0 ? rc : DB_ERR);
        return;
    }
    json_t *out =
        json_pack("{s:s, s:b, s:I, s:[f, f, f, f], s:s, s:s?}", "region", code, "replaced",
                  !created, "positions", (json_int_t)db_col_int(s, 0), "bbox", db_col_double(s, 1),
                  db_col_double(s, 2), db_col_double(s, 3), db_col_double(s, 4), "updated_at",
                  db_col_text(s, 5), "updated_by", db_col_text(s, 6));
    db_done(s);
    boundary_reply_geo(r, created ? 201 : 200, out);
}

static void h_get(req *r)
{
    const char *code = req_param(r, "code");
    if (authz_require(r, "region:read", code) != 0)
        return;
    db_conn *c = req_db(r);
    db_stmt *s = db_prepare(c, "SELECT b.geojson, b.updated_at, b.updated_by, r.name, r.level "
                               "FROM region_boundaries b JOIN regions r ON r.code = b.code "
                               "WHERE b.code = $1");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, code);
    int rc = db_step(s);
    json_t *f = rc == DB_ROW ? json_loads(db_col_text(s, 0), 0, NULL) : NULL;
    if (f) {
        json_t *p = json_object_get(f, "properties");
        json_object_set_new(p, "name", json_string(db_col_text(s, 3)));
        json_object_set_new(p, "level", json_string(db_col_text(s, 4)));
        json_object_set_new(p, "updated_at", json_string(db_col_text(s, 1)));
        if (db_col_text(s, 2))
            json_object_set_new(p, "updated_by", json_string(db_col_text(s, 2)));
    }
    db_done(s);
    if (rc < 0) {
        reply_db_error(r, rc);
        return;
    }
    if (!f) {
        reply_error(r, 404, "not_found", "该区域没有边界", NULL);
        return;
    }
    boundary_reply_geo(r, 200, f);
}

static void h_delete(req *r)
{
    const char *code = req_param(r, "code");
    if (authz_require(r, "region:write", code) != 0)
        return;
    db_conn *c = req_db(r);
    int rc = db_begin(c);
    if (rc != DB_OK) {
        reply_db_error(r, rc);
        return;
    }
    const char *p[] = {code};
    rc = db_exec_params(c, "DELETE FROM region_boundaries WHERE code = $1", 1, p);
    if (rc == DB_OK && db_changes(c) == 0) {
        db_rollback(c);
        reply_error(r, 404, "not_found", "该区域没有边界", NULL);
        return;
    }
    struct audit_actor who = {r->user, r->client_ip};
    if (rc == DB_OK)
        rc = audit_write(c, &who, "delete", "region_boundaries", code, code, NULL, NULL);
    if (req_commit(r, c, rc) != 0)
        return;
    reply_empty(r, 204);
}

/* ?region=, the caller's home region by default; NULL after a reply. */
const char *boundary_map_region(req *r, const char *perm)
{
    const char *region = req_query(r, "region");
    if (!region)
        region = r->user->region;
    if (region_level_of(region) == RL_INVALID) {
        reply_error(r, 400, "bad_request", "region 必须是有效的区域代码", NULL);
        return NULL;
    }
    return authz_require(r, perm, region) == 0 ? region : NULL;
}

static void h_map(req *r)
{
    const char *region = boundary_map_region(r, "region:read");
    if (!region)
        return;
    db_conn *c = req_db(r);
    if (!db_query_int(c, "SELECT count(*) FROM regions WHERE code = $1", region, 0)) {
        reply_error(r, 404, "not_found", "区域不存在", NULL);
        return;
    }
    db_stmt *s =
        db_prepare(c, "SELECT r.code, r.name, r.level, b.geojson, b.west, b.south, "
                      "b.east, b.north FROM region_boundaries b JOIN regions r ON "
                      "r.code = b.code WHERE r.code = $1 OR r.parent = $1 ORDER BY r.code");
    if (!s) {
        reply_db_error(r, db_last_status(c));
        return;
    }
    db_bind_text(s, 1, region);
    json_t *features = json_array();
    double bb[4] = {0, 0, 0, 0};
    int n = 0, rc;
    while ((rc = db_step(s)) == DB_ROW) {
        json_t *f = json_loads(db_col_text(s, 3), 0, NULL);
        if (!f) {
            log_warn("boundary of %s is not JSON", db_col_text(s, 0));
            continue;
        }
        json_object_set_new(f, "properties",
                            json_pack("{s:s, s:s, s:s}", "code", db_col_text(s, 0), "name",
                                      db_col_text(s, 1), "level", db_col_text(s, 2)));
        json_array_append_new(features, f);
        double w = db_col_double(s, 4), so = db_col_double(s, 5), e = db_col_double(s, 6),
               no = db_col_double(s, 7);
        if (n == 0 || w < bb[0])
            bb[0] = w;
        if (n == 0 || so < bb[1])
            bb[1] = so;
        if (n == 0 || e > bb[2])
            bb[2] = e;
        if (n == 0 || no > bb[3])
            bb[3] = no;
        n++;
    }
    db_done(s);
    if (rc < 0) {
        json_decref(features);
        reply_db_error(r, rc);
        return;
    }
    json_t *out =
        json_pack("{s:s, s:o, s:o, s:{s:s, s:o}, s:o}", "region", region, "tile_url",
                  tile_url ? json_string(tile_url) : json_null(), "attribution",
                  tile_attribution ? json_string(tile_attribution) : json_null(), "boundaries",
                  "type", "FeatureCollection", "features", features, "bbox",
                  n ? json_pack("[f, f, f, f]", bb[0], bb[1], bb[2], bb[3]) : json_null());
    boundary_reply_geo(r, 200, out);
}

void boundary_routes_register(void)
{
    http_route("PUT", "/api/v1/regions/{code}/boundary", h_put, ROUTE_UPLOAD, NULL);
    http_route("GET", "/api/v1/regions/{code}/boundary", h_get, 0, NULL);
    http_route("DELETE", "/api/v1/regions/{code}/boundary", h_delete, 0, NULL);
    http_route("GET", "/api/v1/map", h_map, 0, NULL);
}
