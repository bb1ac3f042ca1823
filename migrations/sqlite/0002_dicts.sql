-- Seed of the code tables (dictionaries) and the 2025 official calendar.
-- Version 1 of every dictionary; later versions are added by administrators.
-- Plain INSERT statements valid for both SQLite and PostgreSQL. Codes are
-- short ASCII (the report card's numbers where it has them), labels Chinese;
-- extra is a small JSON object where a dictionary needs more than a label.
-- Source: the domain reference (standards and rules) and the seed summaries.

-- campaign: 创建活动
-- extra.title_dict names the dictionary of levels the campaign recognises.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('campaign', '创建活动', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('campaign', 1, 'safe', '安全社区', 1, NULL, '{"title_dict":"title_level_safe"}'),
    ('campaign', 1, 'drug_free', '无毒社区', 2, NULL, '{"title_dict":"title_level_drug_free"}'),
    ('campaign', 1, 'rule_of_law', '民主法治示范村（社区）', 3, NULL, '{"title_dict":"title_level"}'),
    ('campaign', 1, 'civilized', '文明社区', 4, NULL, '{"title_dict":"title_level"}');

-- title_level: 命名级别
-- Generic levels (民主法治示范, 文明社区).
INSERT INTO dicts (name, label, version, updated_at) VALUES ('title_level', '命名级别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('title_level', 1, 'county', '县级', 1, NULL, NULL),
    ('title_level', 1, 'city', '市级', 2, NULL, NULL),
    ('title_level', 1, 'province', '省级', 3, NULL, NULL),
    ('title_level', 1, 'national', '全国', 4, NULL, NULL);

-- title_level_safe: 安全社区命名级别
-- A safe-community title is valid 3 years, then re-evaluated.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('title_level_safe', '安全社区命名级别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('title_level_safe', 1, 'city', '市级', 1, NULL, '{"valid_years":3}'),
    ('title_level_safe', 1, 'province', '省级', 2, NULL, '{"valid_years":3}'),
    ('title_level_safe', 1, 'national', '国家级', 3, NULL, '{"valid_years":3}'),
    ('title_level_safe', 1, 'international', '国际', 4, NULL, '{"valid_years":3}');

-- title_level_drug_free: 无毒社区等级
-- Re-checked yearly.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('title_level_drug_free', '无毒社区等级', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('title_level_drug_free', 1, 'standard', '达标', 1, NULL, '{"valid_years":1}'),
    ('title_level_drug_free', 1, 'advanced', '先进', 2, NULL, '{"valid_years":1}'),
    ('title_level_drug_free', 1, 'model', '示范', 3, NULL, '{"valid_years":1}');

-- community_type: 社区类型
INSERT INTO dicts (name, label, version, updated_at) VALUES ('community_type', '社区类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('community_type', 1, 'urban', '城市社区（街道）', 1, NULL, NULL),
    ('community_type', 1, 'rural', '农村社区（乡镇）', 2, NULL, NULL),
    ('community_type', 1, 'industrial_park', '工业园区', 3, NULL, NULL),
    ('community_type', 1, 'enterprise', '企业', 4, NULL, NULL);

-- build_step: 安全社区建设步骤
INSERT INTO dicts (name, label, version, updated_at) VALUES ('build_step', '安全社区建设步骤', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('build_step', 1, '1', '启动与备案', 1, NULL, NULL),
    ('build_step', 1, '2', '建立组织机构', 2, NULL, NULL),
    ('build_step', 1, '3', '宣传培训与全员参与', 3, NULL, NULL),
    ('build_step', 1, '4', '社区诊断', 4, NULL, NULL),
    ('build_step', 1, '5', '制定目标与计划', 5, NULL, NULL),
    ('build_step', 1, '6', '实施安全促进项目', 6, NULL, NULL),
    ('build_step', 1, '7', '自评与编写建设工作报告', 7, NULL, NULL),
    ('build_step', 1, '8', '申请与评定', 8, NULL, NULL),
    ('build_step', 1, '9', '命名与持续改进', 9, NULL, NULL);

-- aqt9001_element: AQ/T 9001-2006 一级要素
INSERT INTO dicts (name, label, version, updated_at) VALUES ('aqt9001_element', 'AQ/T 9001-2006 一级要素', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('aqt9001_element', 1, '1', '安全社区创建机构与职责', 1, NULL, NULL),
    ('aqt9001_element', 1, '2', '信息交流和全员参与', 2, NULL, NULL),
    ('aqt9001_element', 1, '3', '事故与伤害风险辨识及其评价', 3, NULL, NULL),
    ('aqt9001_element', 1, '4', '事故与伤害预防目标及计划', 4, NULL, NULL),
    ('aqt9001_element', 1, '5', '安全促进项目', 5, NULL, NULL),
    ('aqt9001_element', 1, '6', '宣传教育与培训', 6, NULL, NULL),
    ('aqt9001_element', 1, '7', '应急预案和响应', 7, NULL, NULL),
    ('aqt9001_element', 1, '8', '监测与监督', 8, NULL, NULL),
    ('aqt9001_element', 1, '9', '事故与伤害记录', 9, NULL, NULL),
    ('aqt9001_element', 1, '10', '安全社区创建档案', 10, NULL, NULL),
    ('aqt9001_element', 1, '11', '预防与纠正措施', 11, NULL, NULL),
    ('aqt9001_element', 1, '12', '评审与持续改进', 12, NULL, NULL);

-- isccc_indicator: 国际安全社区六项指标
INSERT INTO dicts (name, label, version, updated_at) VALUES ('isccc_indicator', '国际安全社区六项指标', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('isccc_indicator', 1, 'governance', '跨部门合作的组织机构', 1, NULL, NULL),
    ('isccc_indicator', 1, 'surveillance', '伤害监测（记录伤害频率及原因）', 2, NULL, NULL),
    ('isccc_indicator', 1, 'comprehensive', '覆盖不同性别、年龄、环境的长期项目', 3, NULL, NULL),
    ('isccc_indicator', 1, 'vulnerable', '针对高风险人群、高风险环境和弱势群体的项目', 4, NULL, NULL),
    ('isccc_indicator', 1, 'evaluation', '项目、过程及效果的评价', 5, NULL, NULL),
    ('isccc_indicator', 1, 'networking', '参与安全社区网络交流', 6, NULL, NULL);

-- hazard_grade: 隐患等级
-- A major hazard needs a rectification plan (五落实: target, measures, funds, people, deadline, emergency measures).
INSERT INTO dicts (name, label, version, updated_at) VALUES ('hazard_grade', '隐患等级', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('hazard_grade', 1, 'general', '一般隐患', 1, NULL, NULL),
    ('hazard_grade', 1, 'larger', '较大隐患', 2, NULL, NULL),
    ('hazard_grade', 1, 'major', '重大隐患', 3, NULL, '{"plan_required":true}');

-- hazard_category: 隐患类别
INSERT INTO dicts (name, label, version, updated_at) VALUES ('hazard_category', '隐患类别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('hazard_category', 1, 'people', '人的不安全行为', 1, NULL, NULL),
    ('hazard_category', 1, 'things', '物的不安全状态', 2, NULL, NULL),
    ('hazard_category', 1, 'environment', '环境的不良因素', 3, NULL, NULL),
    ('hazard_category', 1, 'management', '管理缺陷', 4, NULL, NULL);

-- hazard_domain: 隐患领域
INSERT INTO dicts (name, label, version, updated_at) VALUES ('hazard_domain', '隐患领域', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('hazard_domain', 1, 'fire', '消防安全', 1, NULL, NULL),
    ('hazard_domain', 1, 'road_traffic', '道路交通', 2, NULL, NULL),
    ('hazard_domain', 1, 'special_equipment', '特种设备', 3, NULL, NULL),
    ('hazard_domain', 1, 'geological', '地质灾害点', 4, NULL, NULL),
    ('hazard_domain', 1, 'household_electricity', '家庭用电', 5, NULL, NULL),
    ('hazard_domain', 1, 'gas', '燃气', 6, NULL, NULL),
    ('hazard_domain', 1, 'school', '校园安全', 7, NULL, NULL),
    ('hazard_domain', 1, 'construction', '建筑施工', 8, NULL, NULL),
    ('hazard_domain', 1, 'food', '食品安全', 9, NULL, NULL),
    ('hazard_domain', 1, 'drowning', '溺水隐患水域', 10, NULL, NULL),
    ('hazard_domain', 1, 'hazardous_chemicals', '危险化学品', 11, NULL, NULL),
    ('hazard_domain', 1, 'workplace', '工贸企业（工作场所）', 12, NULL, NULL),
    ('hazard_domain', 1, 'crowded_place', '人员密集场所', 13, NULL, NULL),
    ('hazard_domain', 1, 'rural_housing', '农村房屋（危房）', 14, NULL, NULL),
    ('hazard_domain', 1, 'flood', '防汛', 15, NULL, NULL),
    ('hazard_domain', 1, 'forest_fire', '森林防火', 16, NULL, NULL),
    ('hazard_domain', 1, 'water_traffic', '水上交通', 17, NULL, NULL),
    ('hazard_domain', 1, 'agricultural_machinery', '农业机械', 18, NULL, NULL),
    ('hazard_domain', 1, 'public_health', '公共卫生', 19, NULL, NULL),
    ('hazard_domain', 1, 'other', '其他', 20, NULL, NULL);

-- risk_level: 风险等级
INSERT INTO dicts (name, label, version, updated_at) VALUES ('risk_level', '风险等级', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('risk_level', 1, 'major', '重大风险', 1, NULL, '{"color":"red"}'),
    ('risk_level', 1, 'larger', '较大风险', 2, NULL, '{"color":"orange"}'),
    ('risk_level', 1, 'general', '一般风险', 3, NULL, '{"color":"yellow"}'),
    ('risk_level', 1, 'low', '低风险', 4, NULL, '{"color":"blue"}');

-- lec_l: LEC 事故发生的可能性（L）
-- LEC method: D = L x E x C; extra.value is the factor.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('lec_l', 'LEC 事故发生的可能性（L）', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('lec_l', 1, '10', '完全可以预料', 1, NULL, '{"value":10}'),
    ('lec_l', 1, '6', '相当可能', 2, NULL, '{"value":6}'),
    ('lec_l', 1, '3', '可能，但不经常', 3, NULL, '{"value":3}'),
    ('lec_l', 1, '1', '可能性小，完全意外', 4, NULL, '{"value":1}'),
    ('lec_l', 1, '0.5', '很不可能，可以设想', 5, NULL, '{"value":0.5}'),
    ('lec_l', 1, '0.2', '极不可能', 6, NULL, '{"value":0.2}'),
    ('lec_l', 1, '0.1', '实际不可能', 7, NULL, '{"value":0.1}');

-- lec_e: LEC 暴露于危险环境的频繁程度（E）
INSERT INTO dicts (name, label, version, updated_at) VALUES ('lec_e', 'LEC 暴露于危险环境的频繁程度（E）', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('lec_e', 1, '10', '连续暴露', 1, NULL, '{"value":10}'),
    ('lec_e', 1, '6', '每天工作时间内暴露', 2, NULL, '{"value":6}'),
    ('lec_e', 1, '3', '每周一次或偶然暴露', 3, NULL, '{"value":3}'),
    ('lec_e', 1, '2', '每月一次暴露', 4, NULL, '{"value":2}'),
    ('lec_e', 1, '1', '每年几次暴露', 5, NULL, '{"value":1}'),
    ('lec_e', 1, '0.5', '非常罕见地暴露', 6, NULL, '{"value":0.5}');

-- lec_c: LEC 发生事故产生的后果（C）
INSERT INTO dicts (name, label, version, updated_at) VALUES ('lec_c', 'LEC 发生事故产生的后果（C）', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('lec_c', 1, '100', '大灾难，许多人死亡', 1, NULL, '{"value":100}'),
    ('lec_c', 1, '40', '灾难，数人死亡', 2, NULL, '{"value":40}'),
    ('lec_c', 1, '15', '非常严重，一人死亡', 3, NULL, '{"value":15}'),
    ('lec_c', 1, '7', '严重，重伤', 4, NULL, '{"value":7}'),
    ('lec_c', 1, '3', '重大，致残', 5, NULL, '{"value":3}'),
    ('lec_c', 1, '1', '引人注目，需要救护', 6, NULL, '{"value":1}');

-- lec_band: LEC 危险程度（D）
-- A band holds min <= D < max (a missing bound is open): D > 320 extreme, 160-320 high,
-- 70-160 significant, 20-70 general, < 20 slight. 160 and 320 are not products of the
-- factor values, so 20 (general) and 70 (significant) are the only reachable boundaries.
-- extra.risk_level maps a band to risk_level (the usual red/orange/yellow/blue mapping).
INSERT INTO dicts (name, label, version, updated_at) VALUES ('lec_band', 'LEC 危险程度（D）', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('lec_band', 1, 'extreme', '极其危险，不能继续作业', 1, NULL, '{"min":320,"risk_level":"major"}'),
    ('lec_band', 1, 'high', '高度危险，需立即整改', 2, NULL, '{"min":160,"max":320,"risk_level":"larger"}'),
    ('lec_band', 1, 'significant', '显著危险，需要整改', 3, NULL, '{"min":70,"max":160,"risk_level":"general"}'),
    ('lec_band', 1, 'general', '一般危险，需要注意', 4, NULL, '{"min":20,"max":70,"risk_level":"low"}'),
    ('lec_band', 1, 'slight', '稍有危险，可以接受', 5, NULL, '{"max":20,"risk_level":"low"}');

-- injury_cause: 伤害原因
-- National injury surveillance report card (全国伤害监测报告卡), one common version.
-- extra.implies: cross-field checks seen in practice (allowed codes of other fields).
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_cause', '伤害原因', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_cause', 1, '1', '机动车车祸', 1, NULL, '{"implies":{"place":["5"],"activity":["7"]}}'),
    ('injury_cause', 1, '2', '非机动车车祸', 2, NULL, '{"implies":{"place":["5"],"activity":["7"]}}'),
    ('injury_cause', 1, '3', '跌倒/坠落', 3, NULL, NULL),
    ('injury_cause', 1, '4', '钝器伤', 4, NULL, NULL),
    ('injury_cause', 1, '5', '火器伤', 5, NULL, NULL),
    ('injury_cause', 1, '6', '刀/锐器伤', 6, NULL, NULL),
    ('injury_cause', 1, '7', '烧烫伤', 7, NULL, '{"implies":{"nature":["5"]}}'),
    ('injury_cause', 1, '8', '窒息/悬吊', 8, NULL, '{"implies":{"body_part":["6"]}}'),
    ('injury_cause', 1, '9', '溺水', 9, NULL, '{"implies":{"body_part":["6"]}}'),
    ('injury_cause', 1, '10', '中毒', 10, NULL, '{"implies":{"body_part":["6"]}}'),
    ('injury_cause', 1, '11', '动物伤', 11, NULL, NULL),
    ('injury_cause', 1, '12', '性侵犯', 12, NULL, NULL),
    ('injury_cause', 1, '13', '其他/不清楚', 13, NULL, NULL);

-- injury_place: 伤害发生地点
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_place', '伤害发生地点', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_place', 1, '1', '家中', 1, NULL, NULL),
    ('injury_place', 1, '2', '公共居住场所', 2, NULL, NULL),
    ('injury_place', 1, '3', '学校与公共场所', 3, NULL, NULL),
    ('injury_place', 1, '4', '体育和运动场所', 4, NULL, NULL),
    ('injury_place', 1, '5', '公路/街道', 5, NULL, NULL),
    ('injury_place', 1, '6', '贸易和服务场所', 6, NULL, NULL),
    ('injury_place', 1, '7', '工业和建筑场所', 7, NULL, NULL),
    ('injury_place', 1, '8', '农场/农田', 8, NULL, NULL),
    ('injury_place', 1, '9', '其他/不清楚', 9, NULL, NULL);

-- injury_activity: 伤害发生时活动
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_activity', '伤害发生时活动', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_activity', 1, '1', '工作', 1, NULL, NULL),
    ('injury_activity', 1, '2', '家务', 2, NULL, NULL),
    ('injury_activity', 1, '3', '学习', 3, NULL, NULL),
    ('injury_activity', 1, '4', '体育活动', 4, NULL, NULL),
    ('injury_activity', 1, '5', '休闲活动', 5, NULL, NULL),
    ('injury_activity', 1, '6', '生命活动', 6, NULL, NULL),
    ('injury_activity', 1, '7', '驾乘交通工具', 7, NULL, NULL),
    ('injury_activity', 1, '8', '步行', 8, NULL, NULL),
    ('injury_activity', 1, '9', '其他', 9, NULL, NULL);

-- injury_intent: 伤害意图
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_intent', '伤害意图', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_intent', 1, '1', '非故意（意外）', 1, NULL, NULL),
    ('injury_intent', 1, '2', '自残/自杀', 2, NULL, NULL),
    ('injury_intent', 1, '3', '故意（暴力/攻击）', 3, NULL, NULL),
    ('injury_intent', 1, '4', '不清楚', 4, NULL, NULL);

-- injury_nature: 伤害性质
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_nature', '伤害性质', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_nature', 1, '1', '骨折', 1, NULL, NULL),
    ('injury_nature', 1, '2', '扭伤/拉伤', 2, NULL, NULL),
    ('injury_nature', 1, '3', '锐器伤/咬伤/开放伤', 3, NULL, NULL),
    ('injury_nature', 1, '4', '挫伤/擦伤', 4, NULL, NULL),
    ('injury_nature', 1, '5', '烧烫伤', 5, NULL, NULL),
    ('injury_nature', 1, '6', '脑震荡/脑挫裂伤', 6, NULL, NULL),
    ('injury_nature', 1, '7', '内脏器官损伤', 7, NULL, NULL),
    ('injury_nature', 1, '8', '其他', 8, NULL, NULL);

-- injury_body_part: 伤害部位
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_body_part', '伤害部位', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_body_part', 1, '1', '头部', 1, NULL, NULL),
    ('injury_body_part', 1, '2', '上肢', 2, NULL, NULL),
    ('injury_body_part', 1, '3', '下肢', 3, NULL, NULL),
    ('injury_body_part', 1, '4', '躯干', 4, NULL, NULL),
    ('injury_body_part', 1, '5', '多部位', 5, NULL, NULL),
    ('injury_body_part', 1, '6', '全身广泛受伤', 6, NULL, NULL),
    ('injury_body_part', 1, '7', '其他', 7, NULL, NULL);

-- injury_severity: 伤害严重程度
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_severity', '伤害严重程度', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_severity', 1, '1', '轻度', 1, NULL, NULL),
    ('injury_severity', 1, '2', '中度', 2, NULL, NULL),
    ('injury_severity', 1, '3', '重度', 3, NULL, NULL);

-- injury_outcome: 伤害结局
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_outcome', '伤害结局', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_outcome', 1, '1', '处理后离院', 1, NULL, NULL),
    ('injury_outcome', 1, '2', '留院观察', 2, NULL, NULL),
    ('injury_outcome', 1, '3', '转院', 3, NULL, NULL),
    ('injury_outcome', 1, '4', '住院', 4, NULL, NULL),
    ('injury_outcome', 1, '5', '死亡', 5, NULL, NULL),
    ('injury_outcome', 1, '6', '其他', 6, NULL, NULL);

-- injury_alcohol: 饮酒情况
INSERT INTO dicts (name, label, version, updated_at) VALUES ('injury_alcohol', '饮酒情况', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('injury_alcohol', 1, '1', '饮酒', 1, NULL, NULL),
    ('injury_alcohol', 1, '2', '未饮酒', 2, NULL, NULL),
    ('injury_alcohol', 1, '3', '不清楚', 3, NULL, NULL);

-- residence: 户籍
INSERT INTO dicts (name, label, version, updated_at) VALUES ('residence', '户籍', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('residence', 1, '1', '本县（区）', 1, NULL, NULL),
    ('residence', 1, '2', '本省外县（区）', 2, NULL, NULL),
    ('residence', 1, '3', '外省', 3, NULL, NULL),
    ('residence', 1, '4', '外籍', 4, NULL, NULL);

-- sex: 性别
INSERT INTO dicts (name, label, version, updated_at) VALUES ('sex', '性别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('sex', 1, '1', '男', 1, NULL, NULL),
    ('sex', 1, '2', '女', 2, NULL, NULL);

-- education: 文化程度
INSERT INTO dicts (name, label, version, updated_at) VALUES ('education', '文化程度', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('education', 1, '1', '未上学儿童', 1, NULL, NULL),
    ('education', 1, '2', '文盲/半文盲', 2, NULL, NULL),
    ('education', 1, '3', '小学', 3, NULL, NULL),
    ('education', 1, '4', '初中', 4, NULL, NULL),
    ('education', 1, '5', '高中/中专', 5, NULL, NULL),
    ('education', 1, '6', '大专', 6, NULL, NULL),
    ('education', 1, '7', '大学及以上', 7, NULL, NULL),
    ('education', 1, '8', '不详', 8, NULL, NULL);

-- occupation: 职业
INSERT INTO dicts (name, label, version, updated_at) VALUES ('occupation', '职业', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('occupation', 1, '1', '学龄前儿童', 1, NULL, NULL),
    ('occupation', 1, '2', '在校学生', 2, NULL, NULL),
    ('occupation', 1, '3', '家务', 3, NULL, NULL),
    ('occupation', 1, '4', '待业', 4, NULL, NULL),
    ('occupation', 1, '5', '离退休人员', 5, NULL, NULL),
    ('occupation', 1, '6', '专业技术人员', 6, NULL, NULL),
    ('occupation', 1, '7', '办事人员和有关人员', 7, NULL, NULL),
    ('occupation', 1, '8', '商业、服务业人员', 8, NULL, NULL),
    ('occupation', 1, '9', '农牧渔水利业生产人员', 9, NULL, NULL),
    ('occupation', 1, '10', '生产运输设备操作人员及有关人员', 10, NULL, NULL),
    ('occupation', 1, '11', '军人', 11, NULL, NULL),
    ('occupation', 1, '12', '其他/不详', 12, NULL, NULL);

-- icd10_external: ICD-10 外部原因（第二十章）
INSERT INTO dicts (name, label, version, updated_at) VALUES ('icd10_external', 'ICD-10 外部原因（第二十章）', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('icd10_external', 1, 'V01-V99', '交通事故', 1, NULL, NULL),
    ('icd10_external', 1, 'W00-W19', '跌倒', 2, NULL, NULL),
    ('icd10_external', 1, 'W20-W49', '暴露于无生命机械性力量', 3, NULL, NULL),
    ('icd10_external', 1, 'W50-W64', '暴露于有生命机械性力量', 4, NULL, NULL),
    ('icd10_external', 1, 'W65-W74', '意外淹溺和沉没', 5, NULL, NULL),
    ('icd10_external', 1, 'W75-W84', '对呼吸的其他意外威胁', 6, NULL, NULL),
    ('icd10_external', 1, 'X00-X09', '暴露于烟、火和火焰', 7, NULL, NULL),
    ('icd10_external', 1, 'X40-X49', '意外中毒', 8, NULL, NULL),
    ('icd10_external', 1, 'X60-X84', '故意自害', 9, NULL, NULL),
    ('icd10_external', 1, 'X85-Y09', '加害', 10, NULL, NULL),
    ('icd10_external', 1, 'Y10-Y34', '意图不确定的事件', 11, NULL, NULL);

-- event_domain: 事故事件领域
-- The event kinds the year-end summaries count.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('event_domain', '事故事件领域', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('event_domain', 1, 'road_traffic', '道路交通事故', 1, NULL, NULL),
    ('event_domain', 1, 'fire', '火灾', 2, NULL, NULL),
    ('event_domain', 1, 'production', '生产安全事故（工贸企业）', 3, NULL, NULL),
    ('event_domain', 1, 'construction', '建筑施工事故', 4, NULL, NULL),
    ('event_domain', 1, 'rural_electricity', '农电事故', 5, NULL, NULL),
    ('event_domain', 1, 'public_security', '社会治安案件', 6, NULL, NULL),
    ('event_domain', 1, 'criminal', '刑事案件', 7, NULL, NULL),
    ('event_domain', 1, 'student_injury', '学生伤害事故', 8, NULL, NULL),
    ('event_domain', 1, 'resident_injury', '居民伤害事故', 9, NULL, NULL),
    ('event_domain', 1, 'vulnerable_injury', '老年人、残疾人、儿童伤害事故', 10, NULL, NULL),
    ('event_domain', 1, 'water_traffic', '水上交通事故', 11, NULL, NULL),
    ('event_domain', 1, 'agricultural_machinery', '农机事故', 12, NULL, NULL),
    ('event_domain', 1, 'drowning', '溺水事故', 13, NULL, NULL),
    ('event_domain', 1, 'geological', '地质灾害', 14, NULL, NULL),
    ('event_domain', 1, 'food_poisoning', '食物中毒', 15, NULL, NULL),
    ('event_domain', 1, 'drug', '涉毒案件', 16, NULL, NULL),
    ('event_domain', 1, 'other', '其他', 17, NULL, NULL);

-- accident_grade: 事故等级
-- A grade is reached when any one threshold is met (deaths, seriously injured, direct loss
-- in 10 000 yuan 万元); the highest grade reached wins.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('accident_grade', '事故等级', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('accident_grade', 1, 'especially_major', '特别重大事故', 1, NULL, '{"min_deaths":30,"min_serious_injuries":100,"min_loss_wan":10000}'),
    ('accident_grade', 1, 'major', '重大事故', 2, NULL, '{"min_deaths":10,"min_serious_injuries":50,"min_loss_wan":5000}'),
    ('accident_grade', 1, 'larger', '较大事故', 3, NULL, '{"min_deaths":3,"min_serious_injuries":10,"min_loss_wan":1000}'),
    ('accident_grade', 1, 'general', '一般事故', 4, NULL, '{"min_deaths":0,"min_serious_injuries":0,"min_loss_wan":0}');

-- registry_kind: 帮教对象类别
INSERT INTO dicts (name, label, version, updated_at) VALUES ('registry_kind', '帮教对象类别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('registry_kind', 1, 'drug_user', '吸毒人员', 1, NULL, NULL),
    ('registry_kind', 1, 'community_correction', '社区矫正对象', 2, NULL, NULL),
    ('registry_kind', 1, 'released_prisoner', '刑满释放人员（归正人员）', 3, NULL, NULL);

-- dispute_type: 矛盾纠纷类型
INSERT INTO dicts (name, label, version, updated_at) VALUES ('dispute_type', '矛盾纠纷类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('dispute_type', 1, 'marriage_family', '婚姻家庭纠纷', 1, NULL, NULL),
    ('dispute_type', 1, 'neighbour', '邻里纠纷', 2, NULL, NULL),
    ('dispute_type', 1, 'homestead', '房屋宅基地纠纷', 3, NULL, NULL),
    ('dispute_type', 1, 'land_forest', '山林土地纠纷', 4, NULL, NULL),
    ('dispute_type', 1, 'contract', '合同纠纷', 5, NULL, NULL),
    ('dispute_type', 1, 'debt', '债务纠纷', 6, NULL, NULL),
    ('dispute_type', 1, 'damages', '损害赔偿纠纷', 7, NULL, NULL),
    ('dispute_type', 1, 'labour', '劳动争议（劳资纠纷）', 8, NULL, NULL),
    ('dispute_type', 1, 'land_requisition', '征地拆迁纠纷', 9, NULL, NULL),
    ('dispute_type', 1, 'medical', '医疗纠纷', 10, NULL, NULL),
    ('dispute_type', 1, 'traffic', '道路交通事故纠纷', 11, NULL, NULL),
    ('dispute_type', 1, 'property_mgmt', '物业纠纷', 12, NULL, NULL),
    ('dispute_type', 1, 'environment', '环境污染纠纷', 13, NULL, NULL),
    ('dispute_type', 1, 'business', '生产经营纠纷', 14, NULL, NULL),
    ('dispute_type', 1, 'consumer', '消费纠纷', 15, NULL, NULL),
    ('dispute_type', 1, 'other', '其他纠纷', 16, NULL, NULL);

-- care_kind: 关爱对象类别
INSERT INTO dicts (name, label, version, updated_at) VALUES ('care_kind', '关爱对象类别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('care_kind', 1, 'dibao', '低保户', 1, NULL, NULL),
    ('care_kind', 1, 'wubao', '五保户（特困供养）', 2, NULL, NULL),
    ('care_kind', 1, 'elderly_alone', '独居老人', 3, NULL, NULL),
    ('care_kind', 1, 'lonely_elderly', '孤寡老人', 4, NULL, NULL),
    ('care_kind', 1, 'disabled', '残疾人', 5, NULL, NULL),
    ('care_kind', 1, 'left_behind_child', '留守儿童', 6, NULL, NULL),
    ('care_kind', 1, 'other', '其他困难群众', 7, NULL, NULL);

-- house_grade: 房屋危险性鉴定等级
INSERT INTO dicts (name, label, version, updated_at) VALUES ('house_grade', '房屋危险性鉴定等级', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('house_grade', 1, 'A', 'A级（安全）', 1, NULL, NULL),
    ('house_grade', 1, 'B', 'B级（基本安全）', 2, NULL, NULL),
    ('house_grade', 1, 'C', 'C级（局部危房）', 3, NULL, '{"dangerous":true}'),
    ('house_grade', 1, 'D', 'D级（整幢危房）', 4, NULL, '{"dangerous":true}');

-- activity_kind: 活动类型
INSERT INTO dicts (name, label, version, updated_at) VALUES ('activity_kind', '活动类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('activity_kind', 1, 'training', '培训', 1, NULL, NULL),
    ('activity_kind', 1, 'publicity', '宣传', 2, NULL, NULL),
    ('activity_kind', 1, 'drill', '应急演练', 3, NULL, NULL),
    ('activity_kind', 1, 'meeting', '会议', 4, NULL, NULL),
    ('activity_kind', 1, 'five_into', '五进活动', 5, NULL, NULL),
    ('activity_kind', 1, 'lecture', '讲座/法制课', 6, NULL, NULL),
    ('activity_kind', 1, 'legal_consult', '法律咨询', 7, NULL, NULL),
    ('activity_kind', 1, 'visit', '走访慰问', 8, NULL, NULL),
    ('activity_kind', 1, 'volunteer', '志愿服务', 9, NULL, NULL),
    ('activity_kind', 1, 'study_tour', '参观交流学习', 10, NULL, NULL),
    ('activity_kind', 1, 'survey', '调查（基本情况/知晓率/满意度）', 11, NULL, NULL),
    ('activity_kind', 1, 'responsibility_pact', '签订责任书', 12, NULL, NULL),
    ('activity_kind', 1, 'donation', '募捐捐赠', 13, NULL, NULL),
    ('activity_kind', 1, 'citizen_class', '市民课堂', 14, NULL, NULL),
    ('activity_kind', 1, 'cultural', '文体活动', 15, NULL, NULL),
    ('activity_kind', 1, 'expert_guidance', '专家现场指导', 16, NULL, NULL),
    ('activity_kind', 1, 'other', '其他', 17, NULL, NULL);

-- inspection_kind: 检查类型
INSERT INTO dicts (name, label, version, updated_at) VALUES ('inspection_kind', '检查类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('inspection_kind', 1, 'routine', '日常检查', 1, NULL, NULL),
    ('inspection_kind', 1, 'special', '专项检查（专项整治）', 2, NULL, NULL),
    ('inspection_kind', 1, 'seasonal', '季节性检查', 3, NULL, NULL),
    ('inspection_kind', 1, 'holiday', '节假日检查', 4, NULL, NULL),
    ('inspection_kind', 1, 'county_spot', '县级抽查', 5, NULL, NULL),
    ('inspection_kind', 1, 'joint', '联合检查', 6, NULL, NULL),
    ('inspection_kind', 1, 'comprehensive', '综合检查', 7, NULL, NULL),
    ('inspection_kind', 1, 'supervision', '督导检查', 8, NULL, NULL),
    ('inspection_kind', 1, 'self_check', '单位自查', 9, NULL, NULL),
    ('inspection_kind', 1, 'recheck', '复查', 10, NULL, NULL),
    ('inspection_kind', 1, 'other', '其他', 11, NULL, NULL);

-- unit_type: 单位类型
INSERT INTO dicts (name, label, version, updated_at) VALUES ('unit_type', '单位类型', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('unit_type', 1, 'enterprise', '企业', 1, NULL, NULL),
    ('unit_type', 1, 'shop', '商铺门店（九小场所）', 2, NULL, NULL),
    ('unit_type', 1, 'school', '学校', 3, NULL, NULL),
    ('unit_type', 1, 'kindergarten', '幼儿园', 4, NULL, NULL),
    ('unit_type', 1, 'venue', '公共场所（人员密集场所）', 5, NULL, NULL),
    ('unit_type', 1, 'entertainment', '娱乐场所', 6, NULL, NULL),
    ('unit_type', 1, 'hotel', '宾馆旅店', 7, NULL, NULL),
    ('unit_type', 1, 'restaurant', '餐饮场所', 8, NULL, NULL),
    ('unit_type', 1, 'market', '集贸市场', 9, NULL, NULL),
    ('unit_type', 1, 'hospital', '医疗机构', 10, NULL, NULL),
    ('unit_type', 1, 'elderly_home', '养老机构', 11, NULL, NULL),
    ('unit_type', 1, 'construction_site', '建筑工地', 12, NULL, NULL),
    ('unit_type', 1, 'gas_station', '加油（气）站', 13, NULL, NULL),
    ('unit_type', 1, 'agency', '机关事业单位', 14, NULL, NULL),
    ('unit_type', 1, 'village_committee', '村（居）委会', 15, NULL, NULL),
    ('unit_type', 1, 'household', '家庭住户', 16, NULL, NULL),
    ('unit_type', 1, 'rental_house', '出租房', 17, NULL, NULL),
    ('unit_type', 1, 'other', '其他', 18, NULL, NULL);

-- work_group: 专项工作组
-- The first summary lists 安全生产 … 交通安全 and sections 综治维稳 … 防灾减灾; the
-- second adds 工作场所, 建筑施工, 社会治安, 老年人残疾人儿童 as promotion projects.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('work_group', '专项工作组', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('work_group', 1, 'production', '安全生产', 1, NULL, NULL),
    ('work_group', 1, 'public_order', '综治维稳', 2, NULL, NULL),
    ('work_group', 1, 'rural_road_traffic', '农村道路交通安全', 3, NULL, NULL),
    ('work_group', 1, 'food', '食品安全', 4, NULL, NULL),
    ('work_group', 1, 'geological', '地质灾害防治', 5, NULL, NULL),
    ('work_group', 1, 'school', '校园安全', 6, NULL, NULL),
    ('work_group', 1, 'public_health', '公共卫生', 7, NULL, NULL),
    ('work_group', 1, 'forest_fire', '护林防火', 8, NULL, NULL),
    ('work_group', 1, 'rural_housing', '农房重建', 9, NULL, NULL),
    ('work_group', 1, 'flood', '防汛安全', 10, NULL, NULL),
    ('work_group', 1, 'road_traffic', '道路交通安全', 11, NULL, NULL),
    ('work_group', 1, 'fire', '消防安全', 12, NULL, NULL),
    ('work_group', 1, 'home', '家居安全', 13, NULL, NULL),
    ('work_group', 1, 'disaster', '防灾减灾', 14, NULL, NULL),
    ('work_group', 1, 'workplace', '工作场所安全', 15, NULL, NULL),
    ('work_group', 1, 'construction', '建筑施工安全', 16, NULL, NULL),
    ('work_group', 1, 'public_security', '社会治安', 17, NULL, NULL),
    ('work_group', 1, 'vulnerable', '老年人、残疾人、儿童安全', 18, NULL, NULL),
    ('work_group', 1, 'drowning', '防溺水', 19, NULL, NULL);

-- The 2025 official calendar (State Council notice): holidays 01-01; 01-28..02-04;
-- 04-04..04-06; 05-01..05-05; 05-31..06-02; 10-01..10-08. Make-up workdays (调休)
-- 01-26, 02-08, 04-27, 09-28, 10-11. Days not listed follow the plain week.
INSERT INTO calendar_days (day, kind) VALUES
    ('2025-01-01', 'holiday'),
    ('2025-01-26', 'workday'),
    ('2025-01-28', 'holiday'),
    ('2025-01-29', 'holiday'),
    ('2025-01-30', 'holiday'),
    ('2025-01-31', 'holiday'),
    ('2025-02-01', 'holiday'),
    ('2025-02-02', 'holiday'),
    ('2025-02-03', 'holiday'),
    ('2025-02-04', 'holiday'),
    ('2025-02-08', 'workday'),
    ('2025-04-04', 'holiday'),
    ('2025-04-05', 'holiday'),
    ('2025-04-06', 'holiday'),
    ('2025-04-27', 'workday'),
    ('2025-05-01', 'holiday'),
    ('2025-05-02', 'holiday'),
    ('2025-05-03', 'holiday'),
    ('2025-05-04', 'holiday'),
    ('2025-05-05', 'holiday'),
    ('2025-05-31', 'holiday'),
    ('2025-06-01', 'holiday'),
    ('2025-06-02', 'holiday'),
    ('2025-09-28', 'workday'),
    ('2025-10-01', 'holiday'),
    ('2025-10-02', 'holiday'),
    ('2025-10-03', 'holiday'),
    ('2025-10-04', 'holiday'),
    ('2025-10-05', 'holiday'),
    ('2025-10-06', 'holiday'),
    ('2025-10-07', 'holiday'),
    ('2025-10-08', 'holiday'),
    ('2025-10-11', 'workday');
INSERT INTO calendar_years (year, updated_at) VALUES (2025, '2025-01-01T00:00:00+08:00');
