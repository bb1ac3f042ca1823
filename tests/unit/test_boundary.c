/* Unit tests for boundary: normalising GeoJSON into one Feature (geometry
 * type, dropped altitudes and properties, position count, bounding box), the
 * message of each refusal, and the tile URL rules with the CSP origin they
 * give. */
#include "harness.h"
#include "boundary.h"

#include <stdlib.h>

static json_t *norm(arena *a, const char *text, long *n, double bb[4], const char **msg)
{
    json_t *in = json_loads(text, 0, NULL);
    json_t *f = boundary_normalise(a, in, "511621101000", "九龙镇", n, bb, msg);
    json_decref(in);
    return f;
}

static void test_accepts(void)
{
    arena *a = arena_new();
    long n = 0;
    double bb[4];
    const char *msg = "unset";
    json_t *f = norm(a,
                     "{\"type\":\"Polygon\",\"coordinates\":[[[106,30],[107,30,250],[107,31],"
                     "[106,30]]]}",
                     &n, bb, &msg);
    CHECK(f != NULL);
    CHECK(msg == NULL);
    CHECK_INT(n, 4);
    CHECK(bb[0] == 106 && bb[1] == 30 && bb[2] == 107 && bb[3] == 31);
    CHECK_STR(json_string_value(json_object_get(f, "type")), "Feature");
    json_t *p = json_object_get(f, "properties");
    CHECK_STR(json_string_value(json_object_get(p, "code")), "511621101000");
    CHECK_STR(json_string_value(json_object_get(p, "name")), "九龙镇");
    json_t *g = json_object_get(f, "geometry");
    CHECK_STR(json_string_value(json_object_get(g, "type")), "Polygon");
    /* The altitude is gone: every position is [lng, lat]. */
    json_t *pos = json_array_get(json_array_get(json_object_get(g, "coordinates"), 0), 1);
    CHECK_INT(json_array_size(pos), 2);
    json_decref(f);

    f = norm(a,
             "{\"type\":\"FeatureCollection\",\"features\":["
             "{\"type\":\"Feature\",\"properties\":{\"x\":1},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[1,2],[3,2],[3,4],[1,2]]]}},"
             "{\"type\":\"Feature\",\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
             "[[[5,6],[7,6],[7,8],[5,6]]],[[[-9,-8],[-7,-8],[-7,-6],[-9,-8]]]]}}]}",
             &n, bb, &msg);
    CHECK(f != NULL);
    CHECK_INT(n, 12);
    CHECK(bb[0] == -9 && bb[1] == -8 && bb[2] == 7 && bb[3] == 8);
    g = json_object_get(f, "geometry");
    CHECK_STR(json_string_value(json_object_get(g, "type")), "MultiPolygon");
    CHECK_INT(json_array_size(json_object_get(g, "coordinates")), 3);
    CHECK(json_object_get(json_object_get(f, "properties"), "x") == NULL);
    json_decref(f);
    arena_free(a);
}

static void refused(const char *text, const char *needle)
{
    arena *a = arena_new();
    long n;
    double bb[4];
    const char *msg = NULL;
    json_t *f = norm(a, text, &n, bb, &msg);
    CHECK(f == NULL);
    CHECK(msg && strstr(msg, needle));
    if (!msg || !strstr(msg, needle))
        fprintf(stderr, "  %s -> %s (wanted %s)\n", text, msg ? msg : "(null)", needle);
    json_decref(f);
    arena_free(a);
}

static void test_refuses(void)
{
    refused("[1,2]", "GeoJSON");
    refused("{\"type\":\"Point\",\"coordinates\":[1,2]}", "Point");
    refused("{\"type\":\"<b>\"}", "无法识别");
    refused("{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[]}}",
            "LineString");
    refused("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Feature\"}}", "Feature");
    refused("{\"type\":\"FeatureCollection\",\"features\":[]}", "features");
    refused("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Polygon\"}]}",
            "第 1 项不是 Feature");
    refused("{\"type\":\"Polygon\",\"coordinates\":[]}", "coordinates");
    refused("{\"type\":\"Polygon\",\"coordinates\":[[[1,2],[3,2],[1,2]]]}", "至少需要 4 个");
    refused("{\"type\":\"Polygon\",\"coordinates\":[[[1,2],[3,2],[3,4],[1,3]]]}", "未闭合");
    refused("{\"type\":\"Polygon\",\"coordinates\":[[[1,2],[3,2],[3,4],[1,2]],[[1,2],[3,2],[3,"
            "4],[1,9]]]}",
            "第 1 个多边形的第 2 个环未闭合");
    refused("{\"type\":\"Polygon\",\"coordinates\":[[[181,2],[3,2],[3,4],[181,2]]]}", "经度");
    refused("{\"type\":\"Polygon\",\"coordinates\":[[[1,-91],[3,2],[3,4],[1,-91]]]}",
            "第 1 个坐标");
    refused("{\"type\":\"Polygon\",\"coordinates\":[[[1,\"2\"],[3,2],[3,4],[1,2]]]}",
            "[经度, 纬度]");
}

static void test_too_many(void)
{
    json_t *ring = json_array();
    for (int i = 0; i < BOUNDARY_MAX_POSITIONS; i++)
        json_array_append_new(ring, json_pack("[f, f]", 100.0 + i * 1e-6, 30.0));
    json_array_append_new(ring, json_pack("[f, f]", 100.0, 30.0));
    json_t *g = json_pack("{s:s, s:[o]}", "type", "Polygon", "coordinates", ring);
    arena *a = arena_new();
    long n;
    double bb[4];
    const char *msg = NULL;
    json_t *f = boundary_normalise(a, g, "x", "y", &n, bb, &msg);
    CHECK(f == NULL);
    CHECK(msg && strstr(msg, "过多"));
    /* One fewer is accepted. */
    json_array_remove(json_array_get(json_object_get(g, "coordinates"), 0), 1);
    f = boundary_normalise(a, g, "x", "y", &n, bb, &msg);
    CHECK(f != NULL);
    CHECK_INT(n, BOUNDARY_MAX_POSITIONS);
    json_decref(f);
    json_decref(g);
    arena_free(a);
}

static void test_tiles(void)
{
    const char *origin, *why;
    CHECK_INT(boundary_tiles_set("https://tiles.example.org/{z}/{x}/{y}.png", NULL, &origin, &why),
              0);
    CHECK_STR(origin, "https://tiles.example.org");
    CHECK_INT(boundary_tiles_set("http://{s}.t.example.org:8080/a/{z}/{x}/{y}.png?k=1", "© 某局",
                                 &origin, &why),
              0);
    CHECK_STR(origin, "http://*.t.example.org:8080");
    CHECK_INT(boundary_tiles_set("http://10.0.0.5/{z}/{x}/{y}", NULL, &origin, &why), 0);
    CHECK_STR(origin, "http://10.0.0.5");
    CHECK_INT(boundary_tiles_set(NULL, NULL, &origin, &why), 0);
    CHECK(origin == NULL);
    static const char *const bad[] = {
        "ftp://x.org/{z}/{x}/{y}",
        "https://x.org/{z}/{x}.png",
        "https://x.org/{z}/{x}/{y}.png; img-src *",
        "https://x.org/{z}/{x}/{y}.png'",
        "https://x.org,evil.org/{z}/{x}/{y}",
        "https://a{z}.org/{x}/{y}",
        "https:///{z}/{x}/{y}",
        "https://x.org/{z}/{x}/{y}\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        origin = "unset";
        CHECK_INT(boundary_tiles_set(bad[i], NULL, &origin, &why), -1);
        CHECK(origin == NULL);
    }
    CHECK_INT(boundary_tiles_set("https://x.org/{z}/{x}/{y}", "\xff\xfe", &origin, &why), -1);
}

int main(void)
{
    test_accepts();
    test_refuses();
    test_too_many();
    test_tiles();
    return TEST_REPORT();
}
