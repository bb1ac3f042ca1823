-- Hardening (issue 12): the key file's fingerprint, and the one-time audit
-- baseline of the users that existed before every role change was audited.

-- A keyed hash naming the key file's first key (crypto_key_fingerprint):
-- every command compares it with the key file it was given, and restore
-- compares a backup's manifest with it, so a wrong key is refused by name
-- instead of surfacing as "altered" audit entries and unreadable fields.
CREATE TABLE key_fingerprint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

-- `safecomm check` proves each user's role, region and state from the audit
-- log. Users created before user creation was audited get one "baseline"
-- entry when this migration runs (users_audit_baseline consumes the row).
CREATE TABLE audit_baseline_pending (
    what TEXT PRIMARY KEY
);
INSERT INTO audit_baseline_pending (what) VALUES ('users');
