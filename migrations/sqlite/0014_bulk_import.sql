-- Bulk import (issue 13): an import marks its entity in bulk_loads inside
-- its own transaction (the row never outlives it: the import deletes it
-- before COMMIT, a rollback takes it away). While it is there, the insert
-- trigger of injury_cases' aggregates skips each row, and the import
-- refreshes the aggregates once, set-based, for the rows it stored (the
-- entity's imported hook, src/mod/incidents/incidents.c). Every other path
-- (the API, the demo, plain SQL, updates and deletes) keeps the per-row
-- triggers, so `safecomm check` still finds the aggregates equal to the raw
-- rows.
CREATE TABLE bulk_loads (
    entity TEXT PRIMARY KEY
);

DROP TRIGGER injury_cases_agg_insert;
CREATE TRIGGER injury_cases_agg_insert AFTER INSERT ON injury_cases WHEN NEW.deleted_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM bulk_loads WHERE entity = 'injury_cases')
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
