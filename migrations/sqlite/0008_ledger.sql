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

-- Speed at 100,000 hazards (docs/performance.md, bench/hazards.sh).
-- Open hazards by region and deadline: the overdue list of a region subtree
-- (overdue=true is "state <> 'closed' AND deadline < today", this index's
-- predicate and a range), its count, and the board's overdue bands and top
-- units, without reading the closed majority.
CREATE INDEX hazards_open ON hazards(region, deadline, unit_id)
    WHERE deleted_at IS NULL AND state <> 'closed';
-- The board's counts by state and its rates over found_at read this index
-- alone (it holds every column they use); it serves the region scope of
-- every list too, so it replaces the plain region index.
CREATE INDEX hazards_region_state ON hazards(region, state, found_at, deadline, closed_on, deleted_at);
DROP INDEX hazards_region;
