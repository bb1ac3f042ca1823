-- Region boundaries for the hazard map: one GeoJSON Feature per region,
-- uploaded by an administrator (or the demo's synthetic ones). The bounding
-- box is kept beside it so that the map can be fitted without parsing every
-- boundary. A region deleted takes its boundary with it.
CREATE TABLE region_boundaries (
    code TEXT PRIMARY KEY REFERENCES regions(code) ON DELETE CASCADE,
    geojson TEXT NOT NULL,
    positions INTEGER NOT NULL,
    west REAL NOT NULL,
    south REAL NOT NULL,
    east REAL NOT NULL,
    north REAL NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);
