-- Accidents and injuries (issue 13): incidents (事故/案件/事件), the
-- person-level injury cases of the national injury surveillance card, their
-- dictionaries, the population of a region by year (for rates per 100 000
-- residents), the monthly aggregate tables the statistics read, and the
-- default roles' grants.

-- incident_kind: 事故（案件）类别. The kinds the year-end summaries count.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('incident_kind', '事故（案件）类别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('incident_kind', 1, 'road_traffic', '道路交通事故', 1, NULL, NULL),
    ('incident_kind', 1, 'water_traffic', '水上交通', 2, NULL, NULL),
    ('incident_kind', 1, 'fire', '火灾', 3, NULL, NULL),
    ('incident_kind', 1, 'production', '生产安全事故（工贸）', 4, NULL, NULL),
    ('incident_kind', 1, 'construction', '建筑施工', 5, NULL, NULL),
    ('incident_kind', 1, 'rural_power', '农电', 6, NULL, NULL),
    ('incident_kind', 1, 'farm_machinery', '农机', 7, NULL, NULL),
    ('incident_kind', 1, 'special_equipment', '特种设备', 8, NULL, NULL),
    ('incident_kind', 1, 'drowning', '溺水', 9, NULL, NULL),
    ('incident_kind', 1, 'geological', '地质灾害', 10, NULL, NULL),
    ('incident_kind', 1, 'food_poisoning', '食物中毒', 11, NULL, NULL),
    ('incident_kind', 1, 'public_security', '社会治安案件', 12, NULL, NULL),
    ('incident_kind', 1, 'student_injury', '学生伤害', 13, NULL, NULL),
    ('incident_kind', 1, 'home_injury', '居家伤害', 14, NULL, NULL),
    ('incident_kind', 1, 'other', '其他', 15, NULL, NULL);

-- incident_source: 信息来源
INSERT INTO dicts (name, label, version, updated_at) VALUES ('incident_source', '信息来源', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('incident_source', 1, 'police', '公安（交警）', 1, NULL, NULL),
    ('incident_source', 1, 'hospital', '医院', 2, NULL, NULL),
    ('incident_source', 1, 'village', '村（社区）报告', 3, NULL, NULL),
    ('incident_source', 1, 'unit', '单位报告', 4, NULL, NULL);

-- age_band: 年龄组. Aligned with the vulnerable groups: children are under
-- 14, the elderly 60 and over.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('age_band', '年龄组', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('age_band', 1, '0-6', '0—6岁', 1, NULL, '{"min":0,"max":6}'),
    ('age_band', 1, '7-13', '7—13岁', 2, NULL, '{"min":7,"max":13}'),
    ('age_band', 1, '14-17', '14—17岁', 3, NULL, '{"min":14,"max":17}'),
    ('age_band', 1, '18-44', '18—44岁', 4, NULL, '{"min":18,"max":44}'),
    ('age_band', 1, '45-59', '45—59岁', 5, NULL, '{"min":45,"max":59}'),
    ('age_band', 1, '60-74', '60—74岁', 6, NULL, '{"min":60,"max":74}'),
    ('age_band', 1, '75+', '75岁及以上', 7, NULL, '{"min":75}');

-- vulnerable_group: 重点人群. Derived from age, occupation and the disabled flag.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('vulnerable_group', '重点人群', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('vulnerable_group', 1, 'elderly', '老年人（60岁及以上）', 1, NULL, NULL),
    ('vulnerable_group', 1, 'disabled', '残疾人', 2, NULL, NULL),
    ('vulnerable_group', 1, 'child', '儿童（14岁以下）', 3, NULL, NULL),
    ('vulnerable_group', 1, 'student', '在校学生', 4, NULL, NULL);

-- The population of a region in a year; regions.population is the fallback.
CREATE TABLE region_populations (
    region TEXT NOT NULL REFERENCES regions(code),
    year INTEGER NOT NULL,
    population INTEGER NOT NULL,
    PRIMARY KEY (region, year)
);

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    occurred_time TEXT,
    place TEXT,
    unit_id INTEGER,
    deaths INTEGER,
    seriously_injured INTEGER,
    injured INTEGER,
    loss REAL,
    description TEXT,
    source TEXT,
    hazard_ids TEXT,
    grade TEXT NOT NULL
);
CREATE INDEX incidents_region ON incidents(region) WHERE deleted_at IS NULL;
CREATE INDEX incidents_occurred_on ON incidents(occurred_on) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE incidents_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE injury_cases (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    card_no TEXT,
    injured_on TEXT NOT NULL,
    injured_time TEXT,
    visited_on TEXT,
    reported_on TEXT,
    sex TEXT NOT NULL,
    age INTEGER NOT NULL,
    occupation TEXT,
    education TEXT,
    residence TEXT,
    cause TEXT NOT NULL,
    place TEXT NOT NULL,
    activity TEXT,
    intent TEXT NOT NULL,
    alcohol TEXT,
    nature TEXT,
    body_part TEXT,
    severity TEXT,
    outcome TEXT,
    disabled INTEGER,
    incident_id INTEGER,
    note TEXT
);
CREATE INDEX injury_cases_region ON injury_cases(region) WHERE deleted_at IS NULL;
CREATE INDEX injury_cases_injured_on ON injury_cases(injured_on) WHERE deleted_at IS NULL;
CREATE INDEX injury_cases_incident ON injury_cases(incident_id) WHERE incident_id IS NOT NULL;
CREATE VIRTUAL TABLE injury_cases_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- ---- The aggregates the statistics read ----
-- One row per region (the record's own, a village mostly), month
-- ('YYYY-MM-01') and key, kept exact by the triggers below on every insert,
-- update (soft delete included) and delete, whatever the path: the API, the
-- import, the demo, plain SQL. `safecomm check` compares them with the raw
-- rows. A month, not a day: every figure is of a calendar year or month, and
-- a day would hold as many rows as the records themselves.
--
-- The names sort after their raw table's and they refer to regions as it
-- does: migrate-data copies a table after the tables it refers to, in name
-- order, so an aggregate is copied after its raw rows (whose triggers
-- already built it) and its copy overwrites each row with the same value.

CREATE TABLE incidents_by_month (
    region TEXT NOT NULL REFERENCES regions(code),
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    grade TEXT NOT NULL,
    n INTEGER NOT NULL,
    deaths INTEGER NOT NULL,
    injured INTEGER NOT NULL,
    loss REAL NOT NULL,
    PRIMARY KEY (region, month, kind, grade)
);

CREATE TRIGGER incidents_agg_insert AFTER INSERT ON incidents WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO incidents_by_month (region, month, kind, grade, n, deaths, injured, loss)
    VALUES (NEW.region, substr(NEW.occurred_on, 1, 7) || '-01', NEW.kind, NEW.grade, 1,
            COALESCE(NEW.deaths, 0), COALESCE(NEW.injured, 0), COALESCE(NEW.loss, 0))
    ON CONFLICT (region, month, kind, grade) DO UPDATE SET n = n + excluded.n,
        deaths = deaths + excluded.deaths, injured = injured + excluded.injured,
        loss = loss + excluded.loss;
END;
CREATE TRIGGER incidents_agg_delete AFTER DELETE ON incidents WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE incidents_by_month SET n = n - 1, deaths = deaths - COALESCE(OLD.deaths, 0),
        injured = injured - COALESCE(OLD.injured, 0), loss = loss - COALESCE(OLD.loss, 0)
    WHERE region = OLD.region AND month = substr(OLD.occurred_on, 1, 7) || '-01'
        AND kind = OLD.kind AND grade = OLD.grade;
END;
CREATE TRIGGER incidents_agg_update AFTER UPDATE ON incidents
BEGIN
    UPDATE incidents_by_month SET n = n - 1, deaths = deaths - COALESCE(OLD.deaths, 0),
        injured = injured - COALESCE(OLD.injured, 0), loss = loss - COALESCE(OLD.loss, 0)
    WHERE OLD.deleted_at IS NULL AND region = OLD.region
        AND month = substr(OLD.occurred_on, 1, 7) || '-01' AND kind = OLD.kind AND grade = OLD.grade;
    INSERT INTO incidents_by_month (region, month, kind, grade, n, deaths, injured, loss)
    SELECT NEW.region, substr(NEW.occurred_on, 1, 7) || '-01', NEW.kind, NEW.grade, 1,
           COALESCE(NEW.deaths, 0), COALESCE(NEW.injured, 0), COALESCE(NEW.loss, 0)
    WHERE NEW.deleted_at IS NULL
    ON CONFLICT (region, month, kind, grade) DO UPDATE SET n = n + excluded.n,
        deaths = deaths + excluded.deaths, injured = injured + excluded.injured,
        loss = loss + excluded.loss;
END;

-- Injury cases: the counts of the figures, one row per region and month.
CREATE TABLE injury_cases_by_month (
    region TEXT NOT NULL REFERENCES regions(code),
    month TEXT NOT NULL,
    n INTEGER NOT NULL,
    elderly INTEGER NOT NULL,
    child INTEGER NOT NULL,
    student INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    vulnerable INTEGER NOT NULL,
    died INTEGER NOT NULL,
    PRIMARY KEY (region, month)
);
-- And the breakdowns: one row per region, month, dimension (cause, place,
-- sex, age_band, group) and code.
CREATE TABLE injury_cases_by_code (
    region TEXT NOT NULL REFERENCES regions(code),
    month TEXT NOT NULL,
    dim TEXT NOT NULL,
    code TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (dim, region, month, code)
);

-- The derived groups and the age band of a row, as the triggers and
-- `safecomm check` write them (src/mod/incidents/incident_check.c repeats
-- these expressions):
--   elderly: age >= 60; child: age < 14; student: occupation '2' (在校学生);
--   disabled: disabled = 1; vulnerable: elderly, disabled or child.
CREATE TRIGGER injury_cases_agg_insert AFTER INSERT ON injury_cases WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO injury_cases_by_month (region, month, n, elderly, child, student, disabled, vulnerable, died)
    VALUES (NEW.region, substr(NEW.injured_on, 1, 7) || '-01', 1,
            NEW.age >= 60, NEW.age < 14, COALESCE(NEW.occupation = '2', 0), COALESCE(NEW.disabled = 1, 0),
            NEW.age >= 60 OR NEW.age < 14 OR COALESCE(NEW.disabled = 1, 0), COALESCE(NEW.outcome = '5', 0))
    ON CONFLICT (region, month) DO UPDATE SET n = n + excluded.n, elderly = elderly + excluded.elderly,
        child = child + excluded.child, student = student + excluded.student,
        disabled = disabled + excluded.disabled, vulnerable = vulnerable + excluded.vulnerable,
        died = died + excluded.died;
    INSERT INTO injury_cases_by_code (region, month, dim, code, n)
    SELECT NEW.region, substr(NEW.injured_on, 1, 7) || '-01', d, c, 1 FROM (
        SELECT 'cause' AS d, NEW.cause AS c UNION ALL
        SELECT 'place', NEW.place UNION ALL
        SELECT 'sex', NEW.sex UNION ALL
        SELECT 'age_band', CASE WHEN NEW.age < 7 THEN '0-6' WHEN NEW.age < 14 THEN '7-13'
            WHEN NEW.age < 18 THEN '14-17' WHEN NEW.age < 45 THEN '18-44'
            WHEN NEW.age < 60 THEN '45-59' WHEN NEW.age < 75 THEN '60-74' ELSE '75+' END UNION ALL
        SELECT 'group', 'elderly' WHERE NEW.age >= 60 UNION ALL
        SELECT 'group', 'disabled' WHERE NEW.disabled = 1 UNION ALL
        SELECT 'group', 'child' WHERE NEW.age < 14 UNION ALL
        SELECT 'group', 'student' WHERE NEW.occupation = '2') WHERE true
    ON CONFLICT (dim, region, month, code) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER injury_cases_agg_delete AFTER DELETE ON injury_cases WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE injury_cases_by_month SET n = n - 1, elderly = elderly - (OLD.age >= 60),
        child = child - (OLD.age < 14), student = student - COALESCE(OLD.occupation = '2', 0),
        disabled = disabled - COALESCE(OLD.disabled = 1, 0),
        vulnerable = vulnerable - (OLD.age >= 60 OR OLD.age < 14 OR COALESCE(OLD.disabled = 1, 0)),
        died = died - COALESCE(OLD.outcome = '5', 0)
    WHERE region = OLD.region AND month = substr(OLD.injured_on, 1, 7) || '-01';
    UPDATE injury_cases_by_code SET n = n - 1
    WHERE region = OLD.region AND month = substr(OLD.injured_on, 1, 7) || '-01' AND (
        (dim = 'cause' AND code = OLD.cause) OR (dim = 'place' AND code = OLD.place)
        OR (dim = 'sex' AND code = OLD.sex)
        OR (dim = 'age_band' AND code = CASE WHEN OLD.age < 7 THEN '0-6' WHEN OLD.age < 14 THEN '7-13'
            WHEN OLD.age < 18 THEN '14-17' WHEN OLD.age < 45 THEN '18-44'
            WHEN OLD.age < 60 THEN '45-59' WHEN OLD.age < 75 THEN '60-74' ELSE '75+' END)
        OR (dim = 'group' AND code = 'elderly' AND OLD.age >= 60)
        OR (dim = 'group' AND code = 'disabled' AND OLD.disabled = 1)
        OR (dim = 'group' AND code = 'child' AND OLD.age < 14)
        OR (dim = 'group' AND code = 'student' AND OLD.occupation = '2'));
END;
CREATE TRIGGER injury_cases_agg_update AFTER UPDATE ON injury_cases
BEGIN
    UPDATE injury_cases_by_month SET n = n - 1, elderly = elderly - (OLD.age >= 60),
        child = child - (OLD.age < 14), student = student - COALESCE(OLD.occupation = '2', 0),
        disabled = disabled - COALESCE(OLD.disabled = 1, 0),
        vulnerable = vulnerable - (OLD.age >= 60 OR OLD.age < 14 OR COALESCE(OLD.disabled = 1, 0)),
        died = died - COALESCE(OLD.outcome = '5', 0)
    WHERE OLD.deleted_at IS NULL AND region = OLD.region AND month = substr(OLD.injured_on, 1, 7) || '-01';
    UPDATE injury_cases_by_code SET n = n - 1
    WHERE OLD.deleted_at IS NULL AND region = OLD.region AND month = substr(OLD.injured_on, 1, 7) || '-01' AND (
        (dim = 'cause' AND code = OLD.cause) OR (dim = 'place' AND code = OLD.place)
        OR (dim = 'sex' AND code = OLD.sex)
        OR (dim = 'age_band' AND code = CASE WHEN OLD.age < 7 THEN '0-6' WHEN OLD.age < 14 THEN '7-13'
            WHEN OLD.age < 18 THEN '14-17' WHEN OLD.age < 45 THEN '18-44'
            WHEN OLD.age < 60 THEN '45-59' WHEN OLD.age < 75 THEN '60-74' ELSE '75+' END)
        OR (dim = 'group' AND code = 'elderly' AND OLD.age >= 60)
        OR (dim = 'group' AND code = 'disabled' AND OLD.disabled = 1)
        OR (dim = 'group' AND code = 'child' AND OLD.age < 14)
        OR (dim = 'group' AND code = 'student' AND OLD.occupation = '2'));
    INSERT INTO injury_cases_by_month (region, month, n, elderly, child, student, disabled, vulnerable, died)
    SELECT NEW.region, substr(NEW.injured_on, 1, 7) || '-01', 1,
            NEW.age >= 60, NEW.age < 14, COALESCE(NEW.occupation = '2', 0), COALESCE(NEW.disabled = 1, 0),
            NEW.age >= 60 OR NEW.age < 14 OR COALESCE(NEW.disabled = 1, 0), COALESCE(NEW.outcome = '5', 0)
    WHERE NEW.deleted_at IS NULL
    ON CONFLICT (region, month) DO UPDATE SET n = n + excluded.n, elderly = elderly + excluded.elderly,
        child = child + excluded.child, student = student + excluded.student,
        disabled = disabled + excluded.disabled, vulnerable = vulnerable + excluded.vulnerable,
        died = died + excluded.died;
    INSERT INTO injury_cases_by_code (region, month, dim, code, n)
    SELECT NEW.region, substr(NEW.injured_on, 1, 7) || '-01', d, c, 1 FROM (
        SELECT 'cause' AS d, NEW.cause AS c UNION ALL
        SELECT 'place', NEW.place UNION ALL
        SELECT 'sex', NEW.sex UNION ALL
        SELECT 'age_band', CASE WHEN NEW.age < 7 THEN '0-6' WHEN NEW.age < 14 THEN '7-13'
            WHEN NEW.age < 18 THEN '14-17' WHEN NEW.age < 45 THEN '18-44'
            WHEN NEW.age < 60 THEN '45-59' WHEN NEW.age < 75 THEN '60-74' ELSE '75+' END UNION ALL
        SELECT 'group', 'elderly' WHERE NEW.age >= 60 UNION ALL
        SELECT 'group', 'disabled' WHERE NEW.disabled = 1 UNION ALL
        SELECT 'group', 'child' WHERE NEW.age < 14 UNION ALL
        SELECT 'group', 'student' WHERE NEW.occupation = '2') WHERE NEW.deleted_at IS NULL
    ON CONFLICT (dim, region, month, code) DO UPDATE SET n = n + excluded.n;
END;

-- Covering indexes: the statistics read every column they need from the
-- index, in region order, without a lookup per row (half the time at
-- 200,000 incidents and 1,000,000 injury cases; docs/performance.md).
CREATE INDEX incidents_by_month_stats ON incidents_by_month (region, month, kind, grade, n, deaths, injured, loss);
CREATE INDEX injury_cases_by_month_stats ON injury_cases_by_month (region, month, n, elderly, child, student, disabled, vulnerable, died);
CREATE INDEX injury_cases_by_code_stats ON injury_cases_by_code (dim, region, month, code, n);

-- ---- Grants ----
-- Incidents are the campaign's records of events: the village workers and
-- the police report them (村报告, 公安) and reviewers read them. Injury cases
-- are personal health data (the surveillance card): only the county and
-- township administrators (*:read, *:write) and the system administrator
-- read or write them. Their aggregate figures (the statistics' section
-- "injuries", permission injury_stats:read) go to the reviewers too; *:read
-- covers the administrators.
INSERT INTO role_perms (role, perm) VALUES
    ('village_worker', 'incident:read'), ('village_worker', 'incident:write'),
    ('police', 'incident:read'), ('police', 'incident:write'),
    ('reviewer', 'incident:read'), ('reviewer', 'injury_stats:read');
