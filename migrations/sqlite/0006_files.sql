-- Uploaded files (photos of hazards). The bytes live in the files directory
-- (serve --files-dir), named by the SHA-256 of their content; the database
-- holds what the server sniffed, never what the client claimed.
CREATE TABLE files (
    id TEXT PRIMARY KEY,              -- lowercase hex SHA-256 of the content
    mime TEXT NOT NULL,               -- sniffed from the content (libmagic)
    size BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,         -- the first uploader's username
    region TEXT NOT NULL REFERENCES regions(code)
);

-- Everyone who uploaded the same content: each may read it before it is
-- attached (having sent the bytes, they reveal nothing new to them).
CREATE TABLE file_uploads (
    file_id TEXT NOT NULL REFERENCES files(id),
    username TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (file_id, username)
);

-- A file attached to a record. Rows are never removed, so photos of earlier
-- values and of history steps stay readable.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    file_id TEXT NOT NULL REFERENCES files(id),
    entity TEXT NOT NULL,
    record_key TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    UNIQUE (file_id, entity, record_key)
);
CREATE INDEX attachments_record ON attachments(entity, record_key);

-- A hazard's photos: a JSON array of file ids.
ALTER TABLE hazards ADD COLUMN photos TEXT;
