-- The hazard rectification loop (隐患排查整治): units, inspections,
-- checklist templates, hazards and their history.

-- Units (单位): the enterprises, shops, schools, venues and households that
-- are responsible for hazards, and their contact persons.
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    address TEXT,
    key_unit INTEGER,
    safety_officer TEXT,
    officer_phone TEXT,
    note TEXT
);
CREATE INDEX units_region ON units(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE units_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE unit_contacts (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    role TEXT,
    phone TEXT
);
CREATE INDEX unit_contacts_unit ON unit_contacts(unit_id);
CREATE INDEX unit_contacts_region ON unit_contacts(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE unit_contacts_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- Checklist templates: data, editable. items holds one item per line.
CREATE TABLE checklist_templates (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    domain TEXT,
    items TEXT NOT NULL
);
CREATE INDEX checklist_templates_region ON checklist_templates(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE checklist_templates_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- Inspections (排查).
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    inspectors TEXT,
    units_visited TEXT,
    places TEXT,
    template TEXT,
    findings TEXT
);
CREATE INDEX inspections_region ON inspections(region) WHERE deleted_at IS NULL;
CREATE INDEX inspections_held_on ON inspections(held_on) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE inspections_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- Hazards (隐患). state, deadline, notice and supervision columns change only
-- through the transitions of src/hazard.c, each recorded in hazard_steps.
CREATE TABLE hazards (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    title TEXT NOT NULL,
    description TEXT,
    domain TEXT NOT NULL,
    category TEXT,
    grade TEXT NOT NULL,
    address TEXT,
    lat REAL,
    lng REAL,
    unit_id BIGINT REFERENCES units(id),
    inspection_id BIGINT REFERENCES inspections(id),
    found_by TEXT,
    found_at TEXT NOT NULL,
    responsible_unit TEXT,
    responsible_person TEXT,
    measures TEXT,
    plan_target TEXT,
    plan_measures TEXT,
    plan_funds TEXT,
    plan_people TEXT,
    plan_deadline TEXT,
    plan_emergency TEXT,
    state TEXT NOT NULL DEFAULT 'reported',
    notice_no TEXT,
    notice_date TEXT,
    deadline TEXT,
    extension_requested_days INTEGER,
    supervised INTEGER NOT NULL DEFAULT 0,
    supervise_level TEXT,
    supervise_letter TEXT,
    supervised_on TEXT,
    listed INTEGER NOT NULL DEFAULT 0,
    listed_on TEXT,
    delisted_on TEXT,
    closed_on TEXT
);
CREATE INDEX hazards_region ON hazards(region) WHERE deleted_at IS NULL;
CREATE INDEX hazards_state ON hazards(state, deadline) WHERE deleted_at IS NULL;
CREATE INDEX hazards_unit ON hazards(unit_id);
CREATE VIRTUAL TABLE hazards_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- The history of a hazard: one row per transition, seq from 1.
CREATE TABLE hazard_steps (
    id INTEGER PRIMARY KEY,
    hazard_id BIGINT NOT NULL REFERENCES hazards(id),
    seq INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    note TEXT,
    data TEXT,
    UNIQUE (hazard_id, seq)
);

-- Notice numbers: one sequence per township and year.
CREATE TABLE notice_counters (
    township TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (township, year)
);

-- A unit officer belongs to one unit and sees only its hazards.
ALTER TABLE users ADD COLUMN unit_id BIGINT REFERENCES units(id);

-- The fire checklist for small venues (小场所消防安全检查表) is a record of
-- the county's region, so it is created with the regions (demo data, or an
-- administrator), not here.

-- Permissions of the hazard loop. Wildcard actions ("*:write") match any
-- action except reveal, so the step permissions are granted explicitly:
--   hazard:assign     assign (整改通知书)                      township, county
--   hazard:progress   start, report_progress, request_extension, submit
--                                                  unit officer, village, township, county
--   hazard:approve    approve_extension, refuse_extension      township, county
--   hazard:accept     accept (销号), refuse                     township, county
--   hazard:supervise  supervise (督办), list_publicly, delist   county
INSERT INTO role_perms (role, perm) VALUES
    ('county_admin', 'hazard:assign'), ('county_admin', 'hazard:progress'),
    ('county_admin', 'hazard:approve'), ('county_admin', 'hazard:accept'),
    ('county_admin', 'hazard:supervise'),
    ('township_admin', 'hazard:assign'), ('township_admin', 'hazard:progress'),
    ('township_admin', 'hazard:approve'), ('township_admin', 'hazard:accept'),
    ('village_worker', 'unit:read'), ('village_worker', 'unit:write'),
    ('village_worker', 'inspection:read'), ('village_worker', 'inspection:write'),
    ('village_worker', 'checklist:read'),
    ('village_worker', 'hazard:read'), ('village_worker', 'hazard:write'),
    ('village_worker', 'hazard:progress'),
    ('unit_officer', 'unit:read'), ('unit_officer', 'hazard:read'),
    ('unit_officer', 'hazard:progress');
