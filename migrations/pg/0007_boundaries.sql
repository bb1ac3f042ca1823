-- The PostgreSQL dialect of migrations/sqlite/0007_boundaries.sql.
CREATE TABLE region_boundaries (
    code TEXT PRIMARY KEY REFERENCES regions(code) ON DELETE CASCADE,
    geojson TEXT NOT NULL,
    positions INTEGER NOT NULL,
    west DOUBLE PRECISION NOT NULL,
    south DOUBLE PRECISION NOT NULL,
    east DOUBLE PRECISION NOT NULL,
    north DOUBLE PRECISION NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);
