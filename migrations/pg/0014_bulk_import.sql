-- Bulk import (issue 13): an import marks its entity in bulk_loads inside
-- its own transaction (the row never outlives it: the import deletes it
-- before COMMIT, a rollback takes it away). While it is there, the
-- aggregate trigger of injury_cases skips each inserted row, and the import
-- refreshes the aggregates once, set-based, for the rows it stored (the
-- entity's imported hook, src/mod/incidents/incidents.c). Updates, deletes
-- and every other path keep the per-row work. The SQLite dialect of
-- migrations/sqlite/0014_bulk_import.sql.
CREATE TABLE bulk_loads (
    entity TEXT PRIMARY KEY
);

CREATE OR REPLACE FUNCTION injury_cases_agg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM injury_cases_agg_apply(OLD, -1);
    END IF;
    IF TG_OP = 'UPDATE' OR (TG_OP = 'INSERT' AND NOT EXISTS
            (SELECT 1 FROM bulk_loads WHERE entity = 'injury_cases')) THEN
        PERFORM injury_cases_agg_apply(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;
