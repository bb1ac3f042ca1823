-- Organisation (issue 14): the committees, leading groups and working groups
-- with their members (phone sealed), meetings with minutes and attendance,
-- the responsibility letters signed layer by layer, donations, surveys,
-- volunteer teams as records with service records, and the campaigns an
-- activity or a meeting serves. The activity kinds that stood in for
-- letters and donations leave the dictionary; their rows move here.

-- org_body_kind: 组织机构类型
INSERT INTO dicts (name, label, version, updated_at) VALUES ('org_body_kind', '组织机构类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('org_body_kind', 1, 'leading_group', '领导小组', 1, NULL, NULL),
    ('org_body_kind', 1, 'committee', '促进委员会', 2, NULL, NULL),
    ('org_body_kind', 1, 'office', '办公室', 3, NULL, NULL),
    ('org_body_kind', 1, 'work_group', '专项工作组', 4, NULL, NULL);

-- member_role: 成员职务（组内）
INSERT INTO dicts (name, label, version, updated_at) VALUES ('member_role', '组内职务', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('member_role', 1, 'leader', '组长（主任）', 1, NULL, NULL),
    ('member_role', 1, 'deputy', '副组长（副主任）', 2, NULL, NULL),
    ('member_role', 1, 'member', '成员', 3, NULL, NULL),
    ('member_role', 1, 'liaison', '联络员', 4, NULL, NULL);

-- letter_party: 责任书签订层级 (the signing party below the issuer)
INSERT INTO dicts (name, label, version, updated_at) VALUES ('letter_party', '责任书签订对象', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('letter_party', 1, 'township', '乡镇（街道）', 1, NULL, NULL),
    ('letter_party', 1, 'village', '村（社区）', 2, NULL, NULL),
    ('letter_party', 1, 'unit', '单位', 3, NULL, NULL),
    ('letter_party', 1, 'household', '农户（住户）', 4, NULL, NULL);

-- donation_kind: 募捐/捐赠
INSERT INTO dicts (name, label, version, updated_at) VALUES ('donation_kind', '募捐捐赠类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('donation_kind', 1, 'raise', '募捐', 1, NULL, NULL),
    ('donation_kind', 1, 'give', '捐赠', 2, NULL, NULL);

-- survey_kind: 调查类型
INSERT INTO dicts (name, label, version, updated_at) VALUES ('survey_kind', '调查类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('survey_kind', 1, 'knowledge', '安全知识知晓率调查', 1, NULL, NULL),
    ('survey_kind', 1, 'satisfaction', '群众满意度调查', 2, NULL, NULL);

CREATE TABLE committees (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    work_group TEXT,
    leader TEXT,
    leader_post TEXT,
    established_on TEXT,
    duties TEXT,
    rules TEXT,
    documents TEXT,
    note TEXT,
    for_safe INTEGER,
    for_drug_free INTEGER,
    for_rule_of_law INTEGER,
    for_civilized INTEGER
);
CREATE INDEX committees_region ON committees(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE committees_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE committee_members (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    name TEXT NOT NULL,
    unit TEXT,
    post TEXT,
    role TEXT,
    phone_enc TEXT,
    phone_hash TEXT,
    phone_mask TEXT
);
CREATE INDEX committee_members_region ON committee_members(region) WHERE deleted_at IS NULL;
CREATE INDEX committee_members_committee ON committee_members(committee_id);
CREATE INDEX committee_members_phone ON committee_members(phone_hash);
CREATE VIRTUAL TABLE committee_members_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    committee_id INTEGER REFERENCES committees(id),
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT,
    attendance INTEGER,
    attendees TEXT,
    minutes TEXT,
    documents TEXT,
    for_safe INTEGER,
    for_drug_free INTEGER,
    for_rule_of_law INTEGER,
    for_civilized INTEGER
);
CREATE INDEX meetings_region ON meetings(region) WHERE deleted_at IS NULL;
CREATE INDEX meetings_held_on ON meetings(held_on) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE meetings_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- A responsibility letter: region is the signing party's (the township, the
-- village, the unit's region or the household's village).
CREATE TABLE responsibility_letters (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    party TEXT NOT NULL,
    issuer TEXT NOT NULL,
    signer TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    year INTEGER NOT NULL,
    domain TEXT,
    signed_on TEXT,
    scan TEXT,
    note TEXT
);
CREATE INDEX responsibility_letters_region ON responsibility_letters(region) WHERE deleted_at IS NULL;
CREATE INDEX responsibility_letters_year ON responsibility_letters(year, region) WHERE deleted_at IS NULL;
CREATE INDEX responsibility_letters_unit ON responsibility_letters(unit_id, year) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE responsibility_letters_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE donations (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    donated_on TEXT NOT NULL,
    source TEXT,
    amount REAL,
    goods TEXT,
    recipients TEXT,
    recipient_count INTEGER,
    note TEXT
);
CREATE INDEX donations_region ON donations(region) WHERE deleted_at IS NULL;
CREATE INDEX donations_donated_on ON donations(donated_on) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE donations_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    conducted_on TEXT NOT NULL,
    sample INTEGER NOT NULL,
    positive INTEGER NOT NULL,
    method TEXT,
    note TEXT
);
CREATE INDEX surveys_region ON surveys(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE surveys_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE volunteer_teams (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    name TEXT NOT NULL,
    leader TEXT,
    founded_on TEXT,
    note TEXT
);
CREATE INDEX volunteer_teams_region ON volunteer_teams(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE volunteer_teams_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE volunteer_services (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
    team_id INTEGER REFERENCES volunteer_teams(id),
    served_on TEXT NOT NULL,
    hours REAL NOT NULL,
    content TEXT
);
CREATE INDEX volunteer_services_region ON volunteer_services(region) WHERE deleted_at IS NULL;
CREATE INDEX volunteer_services_served_on ON volunteer_services(served_on) WHERE deleted_at IS NULL;
CREATE INDEX volunteer_services_team ON volunteer_services(team_id);
CREATE VIRTUAL TABLE volunteer_services_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- A volunteer belongs to a team record. The free-text names become teams,
-- one per township and name; the old column stays as it was, unread.
ALTER TABLE volunteers ADD COLUMN team_id INTEGER;
INSERT INTO volunteer_teams (region, created_at, updated_at, created_by, name)
SELECT substr(region, 1, 9) || '000', min(created_at), min(created_at), 'migration', team
  FROM volunteers
 WHERE deleted_at IS NULL AND team IS NOT NULL AND team <> ''
 GROUP BY substr(region, 1, 9), team
 ORDER BY substr(region, 1, 9), team;
UPDATE volunteers SET team_id = (
    SELECT t.id FROM volunteer_teams t
     WHERE t.region = substr(volunteers.region, 1, 9) || '000' AND t.name = volunteers.team)
 WHERE team IS NOT NULL AND team <> '';
CREATE INDEX volunteers_team ON volunteers(team_id) WHERE deleted_at IS NULL;

-- The campaigns an activity serves: every one so far served the safe
-- community; a 禁毒 one serves the drug-free campaign too.
ALTER TABLE activities ADD COLUMN for_safe INTEGER;
ALTER TABLE activities ADD COLUMN for_drug_free INTEGER;
ALTER TABLE activities ADD COLUMN for_rule_of_law INTEGER;
ALTER TABLE activities ADD COLUMN for_civilized INTEGER;
UPDATE activities SET for_safe = 1,
    for_drug_free = CASE WHEN title LIKE '%禁毒%' OR content LIKE '%禁毒%' THEN 1 ELSE 0 END,
    for_rule_of_law = CASE WHEN title LIKE '%法制%' OR title LIKE '%普法%' OR title LIKE '%法律%' THEN 1 ELSE 0 END,
    for_civilized = 0;

-- The activities that stood in for letters and donations move to their
-- tables; the activity rows are deleted (soft, as the API deletes).
INSERT INTO responsibility_letters (region, created_at, updated_at, created_by, party, issuer,
                                    signer, year, signed_on, note)
SELECT region, created_at, updated_at, created_by,
       CASE WHEN substr(region, 10, 3) <> '000' THEN 'village' ELSE 'township' END,
       COALESCE(NULLIF(organizer, ''), '上级'), title, CAST(substr(held_on, 1, 4) AS INTEGER),
       held_on, content
  FROM activities WHERE kind = 'responsibility_pact' AND deleted_at IS NULL ORDER BY id;
INSERT INTO donations (region, created_at, updated_at, created_by, title, kind, donated_on,
                       source, recipient_count, note)
SELECT region, created_at, updated_at, created_by, title, 'raise', held_on,
       NULLIF(organizer, ''), participants, content
  FROM activities WHERE kind = 'donation' AND deleted_at IS NULL ORDER BY id;
UPDATE activities SET deleted_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), updated_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
 WHERE kind IN ('responsibility_pact', 'donation') AND deleted_at IS NULL;

-- activity_kind without the two kinds: a new version of the dictionary.
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra)
SELECT i.dict, i.version + 1, i.code, i.label, i.sort, i.parent, i.extra
  FROM dict_items i JOIN dicts d ON d.name = i.dict AND d.version = i.version
 WHERE i.dict = 'activity_kind' AND i.code NOT IN ('responsibility_pact', 'donation');
UPDATE dicts SET version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') WHERE name = 'activity_kind';

-- The search index of the tables whose rows this migration wrote or whose
-- searched fields changed is rebuilt by the binary (entity_seal_pending:
-- col '*').
INSERT INTO seal_pending (tbl, col) VALUES
    ('activities', '*'), ('responsibility_letters', '*'), ('donations', '*'),
    ('volunteers', '*'), ('volunteer_teams', '*');

-- Permissions. Members' phones are sealed: :reveal for the admins.
INSERT INTO role_perms (role, perm) VALUES
    ('county_admin', 'organisation:reveal'),
    ('township_admin', 'organisation:reveal'),
    ('village_worker', 'organisation:read'), ('village_worker', 'organisation:write'),
    ('village_worker', 'responsibility_letter:read'), ('village_worker', 'responsibility_letter:write'),
    ('village_worker', 'donation:read'), ('village_worker', 'donation:write'),
    ('village_worker', 'survey:read'), ('village_worker', 'survey:write'),
    ('reviewer', 'organisation:read'), ('reviewer', 'responsibility_letter:read'),
    ('reviewer', 'donation:read'), ('reviewer', 'survey:read');
