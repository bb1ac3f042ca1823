-- Risk diagnosis, promotion projects, checklists and evaluations (issue 16):
-- the risk register (LEC or a likelihood x severity matrix, the level
-- derived), the promotion projects with their indicators (each bound to a
-- declared statistics figure) and process records, the checklists as data
-- (items with points, parts, grade tables, thresholds, veto rules), the
-- evaluations and the reviewers' scores, their dictionaries and the default
-- roles' grants. The PostgreSQL form of migrations/sqlite/0020_risks.sql.

-- risk_method: 风险评价方法
INSERT INTO dicts (name, label, version, updated_at) VALUES ('risk_method', '风险评价方法', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('risk_method', 1, 'lec', 'LEC 作业条件危险性评价法', 1, NULL, NULL),
    ('risk_method', 1, 'matrix', '风险矩阵法（可能性×严重性）', 2, NULL, NULL);

-- risk_likelihood / risk_severity: the matrix's two axes (extra.value).
INSERT INTO dicts (name, label, version, updated_at) VALUES ('risk_likelihood', '可能性', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('risk_likelihood', 1, '5', '几乎肯定', 1, NULL, '{"value":5}'),
    ('risk_likelihood', 1, '4', '很可能', 2, NULL, '{"value":4}'),
    ('risk_likelihood', 1, '3', '可能', 3, NULL, '{"value":3}'),
    ('risk_likelihood', 1, '2', '不太可能', 4, NULL, '{"value":2}'),
    ('risk_likelihood', 1, '1', '极不可能', 5, NULL, '{"value":1}');
INSERT INTO dicts (name, label, version, updated_at) VALUES ('risk_severity', '严重性', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('risk_severity', 1, '5', '灾难性（多人死亡）', 1, NULL, '{"value":5}'),
    ('risk_severity', 1, '4', '严重（死亡）', 2, NULL, '{"value":4}'),
    ('risk_severity', 1, '3', '较严重（重伤）', 3, NULL, '{"value":3}'),
    ('risk_severity', 1, '2', '一般（轻伤）', 4, NULL, '{"value":2}'),
    ('risk_severity', 1, '1', '轻微', 5, NULL, '{"value":1}');

-- risk_matrix_band: the matrix's bands over likelihood x severity, in the
-- lec_band form (min <= score < max), each mapped to a risk_level.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('risk_matrix_band', '风险矩阵分级', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('risk_matrix_band', 1, 'major', '15—25 重大风险', 1, NULL, '{"min":15,"risk_level":"major"}'),
    ('risk_matrix_band', 1, 'larger', '9—14 较大风险', 2, NULL, '{"min":9,"max":15,"risk_level":"larger"}'),
    ('risk_matrix_band', 1, 'general', '4—8 一般风险', 3, NULL, '{"min":4,"max":9,"risk_level":"general"}'),
    ('risk_matrix_band', 1, 'low', '1—3 低风险', 4, NULL, '{"max":4,"risk_level":"low"}');

-- risk_tag: 两高一脆弱 and 三重点
INSERT INTO dicts (name, label, version, updated_at) VALUES ('risk_tag', '风险标签', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('risk_tag', 1, 'high_risk_group', '高危人群', 1, NULL, NULL),
    ('risk_tag', 1, 'high_risk_env', '高危环境', 2, NULL, NULL),
    ('risk_tag', 1, 'vulnerable_group', '脆弱群体', 3, NULL, NULL),
    ('risk_tag', 1, 'key_problem', '重点问题', 4, NULL, NULL),
    ('risk_tag', 1, 'key_place', '重点场所', 5, NULL, NULL);

-- project_status: 项目状态
INSERT INTO dicts (name, label, version, updated_at) VALUES ('project_status', '项目状态', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('project_status', 1, 'planned', '计划中', 1, NULL, NULL),
    ('project_status', 1, 'running', '实施中', 2, NULL, NULL),
    ('project_status', 1, 'evaluated', '已评估', 3, NULL, NULL),
    ('project_status', 1, 'closed', '已结束', 4, NULL, NULL);

-- indicator_measure / indicator_op: how an indicator reads its figure.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('indicator_measure', '指标口径', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('indicator_measure', 1, 'value', '本年数值', 1, NULL, NULL),
    ('indicator_measure', 1, 'change_pct', '同比变化（%）', 2, NULL, NULL);
INSERT INTO dicts (name, label, version, updated_at) VALUES ('indicator_op', '比较', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('indicator_op', 1, 'le', '≤', 1, NULL, NULL),
    ('indicator_op', 1, 'ge', '≥', 2, NULL, NULL);

-- evaluation_kind / evaluation_combine
INSERT INTO dicts (name, label, version, updated_at) VALUES ('evaluation_kind', '评定类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('evaluation_kind', 1, 'self', '自评', 1, NULL, NULL),
    ('evaluation_kind', 1, 'expert', '专家评审', 2, NULL, NULL);
INSERT INTO dicts (name, label, version, updated_at) VALUES ('evaluation_combine', '合成方式', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('evaluation_combine', 1, 'mean', '各评审专家平均', 1, NULL, NULL),
    ('evaluation_combine', 1, 'min', '取最低分', 2, NULL, NULL),
    ('evaluation_combine', 1, 'max', '取最高分', 3, NULL, NULL);

CREATE TABLE risks (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    title TEXT NOT NULL,
    domain TEXT NOT NULL,
    place TEXT,
    groups_affected TEXT,
    method TEXT NOT NULL,
    lec_l TEXT,
    lec_e TEXT,
    lec_c TEXT,
    lec_d DOUBLE PRECISION,
    likelihood TEXT,
    severity TEXT,
    score DOUBLE PRECISION,
    level TEXT NOT NULL,
    tags TEXT,
    controls TEXT,
    hazard_ids TEXT,
    project_id BIGINT,
    assessed_on TEXT,
    note TEXT
);
CREATE INDEX risks_region ON risks(region) WHERE deleted_at IS NULL;
CREATE TABLE risks_fts (
    id BIGINT PRIMARY KEY,
    uni TEXT NOT NULL,
    bi TEXT NOT NULL
);
CREATE INDEX risks_fts_grams ON risks_fts
    USING gin (to_tsvector('simple', uni || ' ' || bi));

CREATE TABLE projects (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    title TEXT NOT NULL,
    work_group TEXT NOT NULL,
    domain TEXT,
    year BIGINT NOT NULL,
    background TEXT,
    target_group TEXT,
    target_size BIGINT,
    measures TEXT,
    funds DOUBLE PRECISION,
    staff BIGINT,
    start_on TEXT,
    end_on TEXT,
    status TEXT NOT NULL,
    awareness DOUBLE PRECISION,
    satisfaction DOUBLE PRECISION,
    evaluation TEXT,
    improvement TEXT
);
CREATE INDEX projects_region ON projects(region) WHERE deleted_at IS NULL;
CREATE TABLE projects_fts (
    id BIGINT PRIMARY KEY,
    uni TEXT NOT NULL,
    bi TEXT NOT NULL
);
CREATE INDEX projects_fts_grams ON projects_fts
    USING gin (to_tsvector('simple', uni || ' ' || bi));

CREATE TABLE project_indicators (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    project_id BIGINT NOT NULL,
    label TEXT,
    figure TEXT NOT NULL,
    measure TEXT NOT NULL,
    op TEXT NOT NULL,
    target DOUBLE PRECISION NOT NULL
);
CREATE INDEX project_indicators_project ON project_indicators(project_id) WHERE deleted_at IS NULL;
CREATE INDEX project_indicators_region ON project_indicators(region) WHERE deleted_at IS NULL;

CREATE TABLE project_records (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    project_id BIGINT NOT NULL,
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    reached BIGINT,
    content TEXT,
    photos TEXT
);
CREATE INDEX project_records_project ON project_records(project_id) WHERE deleted_at IS NULL;
CREATE INDEX project_records_region ON project_records(region) WHERE deleted_at IS NULL;
CREATE TABLE project_records_fts (
    id BIGINT PRIMARY KEY,
    uni TEXT NOT NULL,
    bi TEXT NOT NULL
);
CREATE INDEX project_records_fts_grams ON project_records_fts
    USING gin (to_tsvector('simple', uni || ' ' || bi));

CREATE TABLE checklists (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    name TEXT NOT NULL,
    campaign TEXT NOT NULL,
    parts TEXT NOT NULL,
    grades TEXT NOT NULL,
    pass_min DOUBLE PRECISION NOT NULL,
    rectify_min DOUBLE PRECISION NOT NULL,
    rectify_days BIGINT,
    veto_zero BIGINT NOT NULL,
    veto_satisfaction DOUBLE PRECISION,
    total DOUBLE PRECISION
);
CREATE INDEX checklists_region ON checklists(region) WHERE deleted_at IS NULL;

CREATE TABLE checklist_items (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    checklist_id BIGINT NOT NULL,
    parent_id BIGINT,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    points DOUBLE PRECISION NOT NULL,
    sort BIGINT,
    hint TEXT,
    entities TEXT
);
CREATE INDEX checklist_items_list ON checklist_items(checklist_id) WHERE deleted_at IS NULL;

CREATE TABLE evaluations (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    checklist_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    combine TEXT NOT NULL,
    satisfaction DOUBLE PRECISION,
    note TEXT
);
CREATE INDEX evaluations_region ON evaluations(region) WHERE deleted_at IS NULL;

-- One reviewer's grades of one item: {"exists":"a","evidence":"b",…}.
CREATE TABLE evaluation_scores (
    evaluation_id BIGINT NOT NULL REFERENCES evaluations(id),
    item_id BIGINT NOT NULL REFERENCES checklist_items(id),
    reviewer TEXT NOT NULL,
    grades TEXT NOT NULL,
    comment TEXT,
    evidence TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, item_id, reviewer)
);

INSERT INTO role_perms (role, perm) VALUES
    ('village_worker', 'risk:read'), ('village_worker', 'project:read'),
    ('reviewer', 'risk:read'), ('reviewer', 'project:read'),
    ('reviewer', 'project_indicator:read'), ('reviewer', 'project_record:read'),
    ('reviewer', 'score_checklist:read'), ('reviewer', 'checklist_item:read'),
    ('reviewer', 'evaluation:read'), ('reviewer', 'evaluation:score'),
    -- The county office can score too, and so can give the township
    -- administrator's role (a role is given only by one who holds all of it).
    ('township_admin', 'evaluation:score'), ('county_admin', 'evaluation:score');
