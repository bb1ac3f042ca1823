-- Accounts, sessions, lockouts, the audit log, and the first registry with
-- sensitive fields (households needing care).

ALTER TABLE users ADD COLUMN last_login_at TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;

-- A browser session: only a keyed hash of its id is stored.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    sid_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    created_epoch INTEGER NOT NULL,
    last_seen_epoch INTEGER NOT NULL,
    ip TEXT,
    user_agent TEXT,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    username TEXT NOT NULL,
    user_id INTEGER,
    ip TEXT NOT NULL,
    result TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX login_log_user ON login_log(username, epoch);
CREATE INDEX login_log_ip ON login_log(ip, epoch);

-- Account and address locks, and fixed-window rate counters: in the
-- database so that every server behind a load balancer sees them.
CREATE TABLE lockouts (
    kind TEXT NOT NULL CHECK (kind IN ('user','ip')),
    key TEXT NOT NULL,
    until_epoch INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE rate_counters (
    key TEXT PRIMARY KEY,
    window_epoch INTEGER NOT NULL,
    count INTEGER NOT NULL
);

-- The audit log: append-only, each entry chained to the previous one by a
-- keyed hash that `safecomm check` verifies.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    region TEXT,
    changes TEXT,
    reason TEXT,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_region ON audit_log(region);
CREATE INDEX audit_user ON audit_log(username);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

-- Households needing care (低保、五保、独居老人、残疾、留守儿童). ID number,
-- phone and address are sensitive: ciphertext, a keyed hash for exact
-- look-up, and a mask for display.
CREATE TABLE care_households (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    gender TEXT,
    birth_date TEXT,
    id_number_enc TEXT,
    id_number_hash TEXT,
    id_number_mask TEXT,
    phone_enc TEXT,
    phone_hash TEXT,
    phone_mask TEXT,
    address_enc TEXT,
    address_hash TEXT,
    address_mask TEXT,
    members INTEGER,
    helper TEXT,
    needs TEXT,
    note TEXT
);
CREATE INDEX care_households_region ON care_households(region) WHERE deleted_at IS NULL;
CREATE INDEX care_households_id_number ON care_households(id_number_hash);
CREATE INDEX care_households_phone ON care_households(phone_hash);
CREATE VIRTUAL TABLE care_households_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- Permissions of the new parts. Wildcard actions never grant :reveal.
INSERT INTO role_perms (role, perm) VALUES
    ('county_admin', 'care:reveal'),
    ('township_admin', 'care:reveal'),
    ('village_worker', 'care:read'), ('village_worker', 'care:write'),
    ('village_worker', 'care:reveal');
