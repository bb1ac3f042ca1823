-- Statistics and the year-end work summary (stats.c, report.c) need
-- report:read; each section of them also needs its module's read permission.
-- County and township offices hold it through "*:read". Village workers see
-- their village's figures; reviewers read a township's summary when they
-- score it. A role an administrator has removed is not brought back.
INSERT INTO role_perms (role, perm)
    SELECT name, 'report:read' FROM roles WHERE name IN ('village_worker', 'reviewer')
    ON CONFLICT (role, perm) DO NOTHING;
