-- The hazard ledger (隐患台账) imports back: a hazard's state is a code of
-- the dictionary hazard_state, so that the ledger shows the Chinese label and
-- an import accepts it. The labels are the ones hazard.c names states by.
INSERT INTO dicts (name, label, version, updated_at) VALUES ('hazard_state', '隐患状态', 1, '2025-01-01T00:00:00+08:00');
INSERT INTO dict_items (dict, version, code, label, sort, parent, extra) VALUES
    ('hazard_state', 1, 'reported', '已登记', 1, NULL, NULL),
    ('hazard_state', 1, 'assigned', '已下达整改通知', 2, NULL, NULL),
    ('hazard_state', 1, 'rectifying', '整改中', 3, NULL, NULL),
    ('hazard_state', 1, 'awaiting_acceptance', '待验收', 4, NULL, NULL),
    ('hazard_state', 1, 'closed', '已销号', 5, NULL, NULL);
