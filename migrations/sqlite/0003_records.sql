-- The first plain record types: volunteers and publicity/training activities.
-- Every plain record has the standard columns; deleted rows are kept.

CREATE TABLE volunteers (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    name TEXT NOT NULL,
    gender TEXT,
    phone TEXT,
    birth_date TEXT,
    team TEXT,
    skills TEXT,
    joined_on TEXT,
    hours REAL,
    note TEXT
);
CREATE INDEX volunteers_region ON volunteers(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE volunteers_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT,
    participants INTEGER,
    organizer TEXT,
    content TEXT
);
CREATE INDEX activities_region ON activities(region) WHERE deleted_at IS NULL;
CREATE INDEX activities_held_on ON activities(held_on) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE activities_fts USING fts5(uni, bi, tokenize = 'unicode61');
