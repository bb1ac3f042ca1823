-- Issue 15: the people registries of the drug-free, rule-of-law and
-- civilised campaigns (src/mod/registries/). Persons (one per resident,
-- one per ID number), help-education subjects (帮教) with their visits and
-- status history, disputes and mediation committees, rental houses and
-- tenants, dangerous houses (危房), and the visits to households in need.
-- A sensitive field is three columns: <name>_enc (sealed), <name>_hash
-- (keyed hash, for exact look-up) and <name>_mask (what readers see).

INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('registry_kind', 1, 'other', '其他帮教对象', 4, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('help_status', '帮教状态', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('help_status', 1, 'in_help', '帮教中', 1, NULL, NULL),
    ('help_status', 1, 'relapsed', '复吸/重新犯罪', 2, NULL, NULL),
    ('help_status', 1, 'completed', '帮教期满', 3, NULL, NULL),
    ('help_status', 1, 'moved_away', '迁出', 4, NULL, NULL),
    ('help_status', 1, 'deceased', '死亡', 5, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('help_visit_kind', '帮教活动类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('help_visit_kind', 1, 'visit', '走访', 1, NULL, NULL),
    ('help_visit_kind', 1, 'talk', '谈话', 2, NULL, NULL),
    ('help_visit_kind', 1, 'test', '尿检', 3, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('drug_test_result', '检测结果', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('drug_test_result', 1, 'negative', '阴性', 1, NULL, NULL),
    ('drug_test_result', 1, 'positive', '阳性', 2, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('mediation_result', '调解结果', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('mediation_result', 1, 'pending', '调解中', 1, NULL, NULL),
    ('mediation_result', 1, 'agreement', '达成协议', 2, NULL, NULL),
    ('mediation_result', 1, 'failed', '调解不成', 3, NULL, NULL),
    ('mediation_result', 1, 'referred', '移交处理', 4, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('party_kind', '当事人类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('party_kind', 1, 'persons', '个人之间', 1, NULL, NULL),
    ('party_kind', 1, 'person_unit', '个人与单位', 2, NULL, NULL),
    ('party_kind', 1, 'units', '单位之间', 3, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('check_status', '检查情况', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('check_status', 1, 'unchecked', '未检查', 1, NULL, NULL),
    ('check_status', 1, 'passed', '合格', 2, NULL, NULL),
    ('check_status', 1, 'failed', '不合格', 3, NULL, NULL),
    ('check_status', 1, 'rectified', '已整改', 4, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('house_measure', '危房处置措施', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('house_measure', 1, 'none', '无需处置', 1, NULL, NULL),
    ('house_measure', 1, 'repair', '维修加固', 2, NULL, NULL),
    ('house_measure', 1, 'relocation', '搬迁安置', 3, NULL, NULL),
    ('house_measure', 1, 'demolition', '拆除重建', 4, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('house_state', '危房处置状态', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('house_state', 1, 'registered', '已登记', 1, NULL, NULL),
    ('house_state', 1, 'in_progress', '处置中', 2, NULL, NULL),
    ('house_state', 1, 'closed', '已销号', 3, NULL, NULL);

INSERT INTO dicts (name, label, version, updated_at) VALUES ('help_given', '帮扶形式', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('help_given', 1, 'none', '走访（未送帮扶）', 1, NULL, NULL),
    ('help_given', 1, 'money', '慰问金', 2, NULL, NULL),
    ('help_given', 1, 'goods', '慰问物资', 3, NULL, NULL),
    ('help_given', 1, 'services', '上门服务', 4, NULL, NULL);

-- The visit plan of each kind of household in need: days between visits
-- (editable with the dictionary).
UPDATE dict_items SET extra = '{"visit_days":30}' WHERE dict = 'care_kind' AND code IN ('elderly_alone', 'lonely_elderly', 'wubao', 'left_behind_child');
UPDATE dict_items SET extra = '{"visit_days":90}' WHERE dict = 'care_kind' AND code IN ('dibao', 'disabled');

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    name TEXT NOT NULL,
    sex TEXT,
    birth_date_enc TEXT,
    birth_date_hash TEXT,
    birth_date_mask TEXT,
    id_number_enc TEXT,
    id_number_hash TEXT,
    id_number_mask TEXT,
    phone_enc TEXT,
    phone_hash TEXT,
    phone_mask TEXT,
    address_enc TEXT,
    address_hash TEXT,
    address_mask TEXT,
    residence TEXT,
    hukou TEXT,
    note TEXT
);
CREATE INDEX persons_region ON persons(region) WHERE deleted_at IS NULL;
-- One ID number is one person.
CREATE UNIQUE INDEX persons_id_number ON persons(id_number_hash) WHERE deleted_at IS NULL AND id_number_hash IS NOT NULL;
CREATE INDEX persons_phone ON persons(phone_hash);
CREATE VIRTUAL TABLE persons_fts USING fts5(uni, bi, tokenize = 'unicode61');

ALTER TABLE care_households ADD COLUMN person_id INTEGER REFERENCES persons(id);
ALTER TABLE care_households ADD COLUMN last_visit_on TEXT;
ALTER TABLE care_households ADD COLUMN next_visit_on TEXT;
CREATE INDEX care_households_next_visit ON care_households(next_visit_on) WHERE deleted_at IS NULL;

CREATE TABLE help_subjects (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    start_date TEXT NOT NULL,
    status TEXT NOT NULL,
    relapsed INTEGER NOT NULL DEFAULT 0,
    ended_on TEXT,
    police_officer TEXT,
    village_cadre TEXT,
    family_member TEXT,
    employer TEXT,
    pact_signed_on TEXT,
    pact TEXT,
    case_note_enc TEXT,
    case_note_hash TEXT,
    case_note_mask TEXT
);
CREATE INDEX help_subjects_region ON help_subjects(region) WHERE deleted_at IS NULL;
CREATE INDEX help_subjects_person ON help_subjects(person_id);
CREATE VIRTUAL TABLE help_subjects_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE help_visits (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    subject_id INTEGER NOT NULL REFERENCES help_subjects(id),
    kind TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    done_on TEXT,
    worker TEXT,
    test_result TEXT,
    note TEXT
);
CREATE INDEX help_visits_region ON help_visits(region) WHERE deleted_at IS NULL;
CREATE INDEX help_visits_worker ON help_visits(worker) WHERE deleted_at IS NULL AND done_on IS NULL;
CREATE INDEX help_visits_subject ON help_visits(subject_id);
CREATE VIRTUAL TABLE help_visits_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- The steps of the registries' state machines (help subjects, dangerous
-- houses): one row per transition, oldest first by seq.
CREATE TABLE registry_steps (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    note TEXT,
    UNIQUE (entity, record_id, seq)
);

CREATE TABLE mediation_committees (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    name TEXT NOT NULL,
    chair TEXT,
    members TEXT,
    member_count INTEGER,
    note TEXT
);
CREATE INDEX mediation_committees_region ON mediation_committees(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE mediation_committees_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    title TEXT NOT NULL,
    type TEXT NOT NULL,
    party_kind TEXT,
    parties TEXT NOT NULL,
    received_on TEXT NOT NULL,
    committee_id INTEGER REFERENCES mediation_committees(id),
    mediators TEXT,
    sessions INTEGER,
    session_notes TEXT,
    result TEXT NOT NULL,
    mediated_on TEXT,
    agreement TEXT,
    resolved_in_village INTEGER NOT NULL DEFAULT 0,
    held INTEGER,
    followed_up_on TEXT,
    to_criminal INTEGER NOT NULL DEFAULT 0,
    note TEXT
);
CREATE INDEX disputes_region ON disputes(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE disputes_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE rental_houses (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    address_enc TEXT,
    address_hash TEXT,
    address_mask TEXT,
    landlord TEXT NOT NULL,
    landlord_id INTEGER REFERENCES persons(id),
    landlord_phone_enc TEXT,
    landlord_phone_hash TEXT,
    landlord_phone_mask TEXT,
    rooms INTEGER,
    fire_check TEXT,
    gas_check TEXT,
    checked_on TEXT,
    note TEXT
);
CREATE INDEX rental_houses_region ON rental_houses(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE rental_houses_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    house_id INTEGER NOT NULL REFERENCES rental_houses(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    arrived_on TEXT NOT NULL,
    left_on TEXT,
    registered_until TEXT,
    origin TEXT,
    work TEXT,
    note TEXT
);
CREATE INDEX tenants_region ON tenants(region) WHERE deleted_at IS NULL;
CREATE INDEX tenants_renewal ON tenants(registered_until) WHERE deleted_at IS NULL AND left_on IS NULL;
CREATE VIRTUAL TABLE tenants_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE dangerous_houses (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    owner TEXT NOT NULL,
    owner_id INTEGER REFERENCES persons(id),
    address_enc TEXT,
    address_hash TEXT,
    address_mask TEXT,
    grade TEXT NOT NULL,
    appraised_on TEXT NOT NULL,
    measure TEXT,
    state TEXT NOT NULL,
    closed_on TEXT,
    note TEXT
);
CREATE INDEX dangerous_houses_region ON dangerous_houses(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE dangerous_houses_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE care_visits (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    household_id INTEGER NOT NULL REFERENCES care_households(id),
    household_kind TEXT,
    visited_on TEXT NOT NULL,
    visitors TEXT NOT NULL,
    help_given TEXT NOT NULL,
    help_value REAL,
    note TEXT,
    photos TEXT
);
CREATE INDEX care_visits_region ON care_visits(region) WHERE deleted_at IS NULL;
CREATE INDEX care_visits_household ON care_visits(household_id);
CREATE VIRTUAL TABLE care_visits_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- Permissions. help:* is never granted by a wildcard entity (the module
-- restricts it): only the police and users granted it see the subjects.
INSERT INTO role_perms (role, perm) VALUES
    ('police', 'person:read'), ('police', 'person:write'), ('police', 'person:reveal'),
    ('police', 'help:read'), ('police', 'help:write'), ('police', 'help:reveal'),
    ('police', 'rental:read'), ('police', 'rental:write'), ('police', 'rental:reveal'),
    ('police', 'dispute:read'),
    ('mediator', 'person:read'), ('mediator', 'dispute:read'), ('mediator', 'dispute:write'),
    ('village_worker', 'person:read'), ('village_worker', 'person:write'),
    ('village_worker', 'dispute:read'), ('village_worker', 'dispute:write'),
    ('village_worker', 'rental:read'), ('village_worker', 'rental:write'),
    ('village_worker', 'house:read'), ('village_worker', 'house:write'),
    ('county_admin', 'house:reveal'), ('township_admin', 'house:reveal'),
    ('county_admin', 'person:reveal'), ('township_admin', 'person:reveal');
-- The counts of the help subjects, never a subject: the offices that write
-- the drug-free summary, and the police.
INSERT INTO role_perms (role, perm) VALUES
    ('county_admin', 'help:count'), ('township_admin', 'help:count'), ('police', 'help:count');

-- Marks a database loaded by `safecomm demo` (synthetic persons only): the
-- console says 演示数据 on every page of such a database.
CREATE TABLE instance_flags (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
