-- A hazard's 督办级别 as a dictionary (issue 17): the list, the detail page
-- and the Excel export show 县级督办 rather than the code, an import takes
-- the name, and the 督办 step refuses a level not in the table.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('supervise_level', '督办级别', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('supervise_level', 1, 'city', '市级督办', 1, NULL, NULL),
    ('supervise_level', 1, 'county', '县级督办', 2, NULL, NULL),
    ('supervise_level', 1, 'township', '乡镇督办', 3, NULL, NULL);
