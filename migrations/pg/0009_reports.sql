-- Statistics and the year-end work summary (stats.c, report.c) need
-- report:read; each section of them also needs its module's read permission.
-- County and township offices hold it through "*:read". Village workers see
-- their village's figures; reviewers read a township's summary when they
-- score it. A role an administrator has removed is not brought back.
INSERT INTO role_perms (role, perm)
    SELECT name, 'report:read' FROM roles WHERE name IN ('village_worker', 'reviewer')
    ON CONFLICT (role, perm) DO NOTHING;

-- The statistics read each table once per request, grouped by the child's
-- code prefix, over the region's code range: these indexes hold every
-- column those scans use, so a county's 100,000 hazards are counted from the
-- index alone (docs/performance.md). deleted_at closes each list although the
-- indexes are partial: SQLite still tests "deleted_at IS NULL" on the row
-- unless the column is in the index.
CREATE INDEX hazards_stats ON hazards(region, found_at, state, closed_on, deadline, grade, domain,
    supervised_on, listed_on, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX activities_stats ON activities(region, held_on, kind, participants, deleted_at)
    WHERE deleted_at IS NULL;
CREATE INDEX inspections_stats ON inspections(region, held_on, kind, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX volunteers_stats ON volunteers(region, joined_on, team, hours, deleted_at) WHERE deleted_at IS NULL;
