/* boundary: region boundaries and the map. An administrator uploads a
 * region's boundary as GeoJSON (Polygon, MultiPolygon, Feature or a
 * FeatureCollection of those); it is checked, normalised into one Feature
 * (properties code and name) and stored with its bounding box in
 * region_boundaries. The map endpoints serve those boundaries and the
 * hazards that have coordinates, so that the map works without any online
 * tile server; a configured tile server only adds a base layer.
 *
 * Ownership: json_t arguments are borrowed, never taken. *msg and strings
 * given back are arena strings (or static). The tile settings are copied and
 * live for the process. */
#ifndef SAFECOMM_BOUNDARY_H
#define SAFECOMM_BOUNDARY_H

#include <jansson.h>
#include "arena.h"
#include "db.h"

struct audit_actor;

/* More positions than this in one boundary is refused (422): a county's
 * townships drawn at survey precision stay well below it. */
#define BOUNDARY_MAX_POSITIONS 200000
/* A boundary file larger than this is refused (413). */
#define BOUNDARY_MAX_BYTES ((size_t)32 << 20)

/* Checks and normalises geojson into a Feature of a Polygon or a
 * MultiPolygon whose properties are {code, name}. On success returns the new
 * Feature (the caller's), its position count and bounding box (w, s, e, n);
 * otherwise NULL and *msg names what is wrong (an arena string). */
json_t *boundary_normalise(arena *a, json_t *geojson, const char *code, const char *name,
                           long *positions, double bbox[4], const char **msg);

/* Stores the boundary of region code inside the caller's transaction, with
 * its audit entry. Returns 0 (created 1 when the region had none before),
 * 404 when the region does not exist, 422 with *msg when geojson is not an
 * acceptable boundary, or a DB_ERR_* status. Scope is the caller's. */
int boundary_put(db_conn *c, arena *a, const struct audit_actor *who, const char *code,
                 json_t *geojson, int *created, const char **msg);

/* `serve --tile-url URL [--tile-attribution TEXT]`: an http(s) URL template
 * with {z}, {x} and {y} (and optionally {s} as the first label of the host).
 * Returns 0 and the origin for the Content-Security-Policy in *origin (a
 * static string; a wildcard host "*.example.org" for {s}), or -1 with a reason. NULL
 * url clears it. Call before serving. */
int boundary_tiles_set(const char *url, const char *attribution, const char **origin,
                       const char **why);

struct req;
/* For the map endpoints of modules (GET /api/v1/hazards/map): ?region=, the
 * caller's home region by default, checked against perm in the caller's
 * scope; NULL after the refusal was queued. */
const char *boundary_map_region(struct req *r, const char *perm);
/* reply_json with 12 significant digits: coordinates read back as they were
 * written (106.3, not 106.29999999999999), a third shorter on the wire. */
void boundary_reply_geo(struct req *r, int status, json_t *take);

void boundary_routes_register(void);

#endif
