-- Core schema: regions, roles, users, tokens, dictionaries, calendar.
-- Times are ISO 8601 text with an offset; booleans are 0/1 integers.

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province','city','county','township','village','grid')),
    parent TEXT REFERENCES regions(code),
    population INTEGER,
    population_year INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent);

CREATE TABLE roles (
    name TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0
);
-- A permission is "entity:action"; "*" matches any part ("*:read", "hazard:*").
CREATE TABLE role_perms (
    role TEXT NOT NULL REFERENCES roles(name),
    perm TEXT NOT NULL,
    PRIMARY KEY (role, perm)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL REFERENCES roles(name),
    region TEXT NOT NULL REFERENCES regions(code),
    disabled INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT
);
CREATE INDEX users_region ON users(region);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE dicts (
    name TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE TABLE dict_items (
    dict TEXT NOT NULL REFERENCES dicts(name),
    version INTEGER NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0,
    parent TEXT,
    extra TEXT,
    PRIMARY KEY (dict, version, code)
);

CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday','workday'))
);
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    updated_at TEXT NOT NULL
);

INSERT INTO roles (name, label, builtin) VALUES
    ('sysadmin', '系统管理员', 1),
    ('county_admin', '县安办', 1),
    ('township_admin', '乡镇安办', 1),
    ('village_worker', '村/社区及网格员', 1),
    ('unit_officer', '单位安全员', 1),
    ('police', '禁毒/治安民警', 1),
    ('mediator', '调解员', 1),
    ('reviewer', '评审专家', 1);

INSERT INTO role_perms (role, perm) VALUES
    ('sysadmin', '*'),
    ('county_admin', '*:read'), ('county_admin', '*:write'), ('county_admin', 'user:admin'),
    ('township_admin', '*:read'), ('township_admin', '*:write'), ('township_admin', 'user:admin'),
    ('village_worker', 'region:read'), ('village_worker', 'dict:read'), ('village_worker', 'calendar:read'),
    ('village_worker', 'volunteer:read'), ('village_worker', 'volunteer:write'),
    ('village_worker', 'activity:read'), ('village_worker', 'activity:write'),
    ('unit_officer', 'region:read'), ('unit_officer', 'dict:read'), ('unit_officer', 'calendar:read'),
    ('police', 'region:read'), ('police', 'dict:read'), ('police', 'calendar:read'),
    ('mediator', 'region:read'), ('mediator', 'dict:read'), ('mediator', 'calendar:read'),
    -- Reviewers read the campaign's records, never the registries of people:
    -- each module grants them its own read permission.
    ('reviewer', 'region:read'), ('reviewer', 'dict:read'), ('reviewer', 'calendar:read'),
    ('reviewer', 'volunteer:read'), ('reviewer', 'activity:read');
