-- Dictionary names in Chinese (issue 17): the standards and the method by
-- their Chinese names, not by Latin abbreviations and factor letters. A name
-- an administrator has since changed is left as it is.
UPDATE dicts SET label = '安全社区建设基本要求一级要素'
    WHERE name = 'aqt9001_element' AND label = 'AQ/T 9001-2006 一级要素';
UPDATE dicts SET label = '国际疾病分类外部原因（第二十章）'
    WHERE name = 'icd10_external' AND label = 'ICD-10 外部原因（第二十章）';
UPDATE dicts SET label = '作业条件危险性评价：危险程度'
    WHERE name = 'lec_band' AND label = 'LEC 危险程度（D）';
UPDATE dicts SET label = '作业条件危险性评价：发生事故产生的后果'
    WHERE name = 'lec_c' AND label = 'LEC 发生事故产生的后果（C）';
UPDATE dicts SET label = '作业条件危险性评价：暴露于危险环境的频繁程度'
    WHERE name = 'lec_e' AND label = 'LEC 暴露于危险环境的频繁程度（E）';
UPDATE dicts SET label = '作业条件危险性评价：事故发生的可能性'
    WHERE name = 'lec_l' AND label = 'LEC 事故发生的可能性（L）';
