-- Campaigns (issue 14): a region's campaign (安全社区, 无毒社区, 民主法治示范,
-- 文明社区) with its type's steps (the 进度指导计划) and milestones, the
-- county's targets and the townships' shares, the funds given, and the
-- county's supervision inspections with their findings (rectification
-- items), their dictionaries and the default roles' grants.

-- The campaign's type is the dictionary campaign (0002), its community
-- type community_type (0002). The levels a county's targets name:
-- campaign_level: 创建级别
INSERT INTO dicts (name, label, version, updated_at) VALUES ('campaign_level', '创建级别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('campaign_level', 1, 'national', '国家级', 1, NULL, NULL),
    ('campaign_level', 1, 'provincial', '省级', 2, NULL, NULL),
    ('campaign_level', 1, 'municipal', '市级', 3, NULL, NULL),
    ('campaign_level', 1, 'county', '县级', 4, NULL, NULL);

-- campaign_state: 创建状态
INSERT INTO dicts (name, label, version, updated_at) VALUES ('campaign_state', '创建状态', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('campaign_state', 1, 'planned', '未启动', 1, NULL, NULL),
    ('campaign_state', 1, 'in_progress', '创建中', 2, NULL, NULL),
    ('campaign_state', 1, 'named', '已命名', 3, NULL, NULL);

-- campaign_step: the steps of each campaign type, in order (parent: the
-- type). extra: "months", the planned month after the start (the county's
-- 进度指导计划, editable as data); "milestone", what completing the step
-- records (filing: number, date and support centre; report, application,
-- review, evaluation: the date; named: the level, the date and the
-- expiry three years on).
INSERT INTO dicts (name, label, version, updated_at) VALUES ('campaign_step', '创建步骤（进度指导计划）', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('campaign_step', 1, 'launch', '启动、备案', 1, 'safe', '{"months":1,"milestone":"filing"}'),
    ('campaign_step', 1, 'organisation', '建立组织机构和工作制度', 2, 'safe', '{"months":2}'),
    ('campaign_step', 1, 'publicity', '宣传培训和全员参与', 3, 'safe', '{"months":4}'),
    ('campaign_step', 1, 'diagnosis', '社区诊断（基本情况、隐患、事故伤害调查）', 4, 'safe', '{"months":6}'),
    ('campaign_step', 1, 'planning', '确定目标和促进计划', 5, 'safe', '{"months":7}'),
    ('campaign_step', 1, 'projects', '实施安全促进项目', 6, 'safe', '{"months":12}'),
    ('campaign_step', 1, 'work_report', '自评和建设工作报告', 7, 'safe', '{"months":18,"milestone":"report"}'),
    ('campaign_step', 1, 'application', '提出申请', 8, 'safe', '{"months":19,"milestone":"application"}'),
    ('campaign_step', 1, 'document_review', '文件审核', 9, 'safe', '{"months":20,"milestone":"review"}'),
    ('campaign_step', 1, 'onsite_evaluation', '现场评定', 10, 'safe', '{"months":21,"milestone":"evaluation"}'),
    ('campaign_step', 1, 'named', '命名', 11, 'safe', '{"months":22,"milestone":"named"}'),
    ('campaign_step', 1, 'df_deploy', '部署发动', 21, 'drug_free', '{"months":1,"milestone":"filing"}'),
    ('campaign_step', 1, 'df_survey', '摸清毒情、建档立卡', 22, 'drug_free', '{"months":3}'),
    ('campaign_step', 1, 'df_control', '落实帮教与管控', 23, 'drug_free', '{"months":6}'),
    ('campaign_step', 1, 'df_self_check', '自查自评', 24, 'drug_free', '{"months":10,"milestone":"report"}'),
    ('campaign_step', 1, 'df_application', '申报验收', 25, 'drug_free', '{"months":11,"milestone":"application"}'),
    ('campaign_step', 1, 'df_named', '命名', 26, 'drug_free', '{"months":12,"milestone":"named"}'),
    ('campaign_step', 1, 'rl_deploy', '成立领导小组、制定方案', 31, 'rule_of_law', '{"months":1,"milestone":"filing"}'),
    ('campaign_step', 1, 'rl_education', '普法教育和民主管理', 32, 'rule_of_law', '{"months":6}'),
    ('campaign_step', 1, 'rl_self_check', '自查自评', 33, 'rule_of_law', '{"months":10,"milestone":"report"}'),
    ('campaign_step', 1, 'rl_application', '申报考核', 34, 'rule_of_law', '{"months":11,"milestone":"application"}'),
    ('campaign_step', 1, 'rl_named', '命名', 35, 'rule_of_law', '{"months":12,"milestone":"named"}'),
    ('campaign_step', 1, 'cv_deploy', '成立创建领导小组、摸底', 41, 'civilized', '{"months":1,"milestone":"filing"}'),
    ('campaign_step', 1, 'cv_implement', '对照测评体系组织实施', 42, 'civilized', '{"months":6}'),
    ('campaign_step', 1, 'cv_self_check', '自查自评', 43, 'civilized', '{"months":10,"milestone":"report"}'),
    ('campaign_step', 1, 'cv_application', '申报测评', 44, 'civilized', '{"months":11,"milestone":"application"}'),
    ('campaign_step', 1, 'cv_named', '命名', 45, 'civilized', '{"months":12,"milestone":"named"}');

-- fund_source: 经费来源
INSERT INTO dicts (name, label, version, updated_at) VALUES ('fund_source', '经费来源', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('fund_source', 1, 'county', '县财政工作经费', 1, NULL, NULL),
    ('fund_source', 1, 'city', '市级补助', 2, NULL, NULL),
    ('fund_source', 1, 'province', '省级补助', 3, NULL, NULL),
    ('fund_source', 1, 'township', '乡镇自筹', 4, NULL, NULL),
    ('fund_source', 1, 'other', '其他', 5, NULL, NULL);

-- supervision_kind: 督导检查类型
INSERT INTO dicts (name, label, version, updated_at) VALUES ('supervision_kind', '督导检查类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('supervision_kind', 1, 'special', '专项检查', 1, NULL, NULL),
    ('supervision_kind', 1, 'guidance', '检查指导', 2, NULL, NULL);

-- finding_state: 整改事项状态
INSERT INTO dicts (name, label, version, updated_at) VALUES ('finding_state', '整改事项状态', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('finding_state', 1, 'open', '整改中', 1, NULL, NULL),
    ('finding_state', 1, 'closed', '已整改销号', 2, NULL, NULL);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    community_type TEXT,
    target_level TEXT NOT NULL,
    pilot INTEGER,
    started_on TEXT NOT NULL,
    note TEXT,
    state TEXT NOT NULL,
    step TEXT,
    step_planned_on TEXT,
    steps_done INTEGER NOT NULL DEFAULT 0,
    steps_total INTEGER NOT NULL DEFAULT 0,
    filing_no TEXT,
    filed_on TEXT,
    support_centre TEXT,
    report_on TEXT,
    applied_on TEXT,
    reviewed_on TEXT,
    evaluated_on TEXT,
    named_level TEXT,
    named_on TEXT,
    expires_on TEXT
);
CREATE INDEX campaigns_region ON campaigns(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE campaigns_fts USING fts5(uni, bi, tokenize = 'unicode61');

-- The steps of a campaign, copied from campaign_step when it is created
-- (so a later change of the plan's data leaves running campaigns as they
-- were planned). Completed only with evidence: files (ids of the file
-- store, attached to the campaign) or records ([{"entity","id"}]).
CREATE TABLE campaign_steps (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    milestone TEXT,
    planned_on TEXT NOT NULL,
    done_on TEXT,
    files TEXT,
    records TEXT,
    note TEXT,
    done_by TEXT,
    done_at TEXT,
    PRIMARY KEY (campaign_id, seq)
);

CREATE TABLE campaign_targets (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    type TEXT NOT NULL,
    level TEXT NOT NULL,
    period_start INTEGER NOT NULL,
    period_end INTEGER NOT NULL,
    target INTEGER NOT NULL,
    note TEXT
);
CREATE INDEX campaign_targets_region ON campaign_targets(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE campaign_targets_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE campaign_funds (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    campaign_id INTEGER,
    amount REAL NOT NULL,
    source TEXT NOT NULL,
    given_on TEXT NOT NULL,
    document_no TEXT,
    purpose TEXT
);
CREATE INDEX campaign_funds_region ON campaign_funds(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE campaign_funds_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE supervisions (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    campaign_id INTEGER,
    inspectors TEXT,
    leader_present INTEGER,
    good_practice TEXT,
    summary TEXT,
    photos TEXT
);
CREATE INDEX supervisions_region ON supervisions(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE supervisions_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE supervision_findings (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    deleted_at TEXT,
    supervision_id INTEGER NOT NULL,
    found_on TEXT NOT NULL,
    finding TEXT NOT NULL,
    owner TEXT NOT NULL,
    deadline TEXT NOT NULL,
    state TEXT NOT NULL,
    closed_on TEXT,
    result TEXT,
    photos TEXT
);
CREATE INDEX supervision_findings_region ON supervision_findings(region) WHERE deleted_at IS NULL;
CREATE VIRTUAL TABLE supervision_findings_fts USING fts5(uni, bi, tokenize = 'unicode61');

CREATE TABLE supervision_finding_steps (
    finding_id INTEGER NOT NULL REFERENCES supervision_findings(id),
    seq INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at TEXT NOT NULL,
    username TEXT,
    note TEXT,
    data TEXT,
    PRIMARY KEY (finding_id, seq)
);

-- The county and township offices hold every part (*:read, *:write); the
-- steps need campaign:step, which they get here. The others read.
INSERT INTO role_perms (role, perm) VALUES
    ('county_admin', 'campaign:step'), ('township_admin', 'campaign:step'),
    ('county_admin', 'supervision:close'), ('township_admin', 'supervision:close'),
    ('village_worker', 'campaign:read'),
    ('reviewer', 'campaign:read'), ('reviewer', 'campaign_target:read'),
    ('reviewer', 'campaign_fund:read'), ('reviewer', 'supervision:read');
