-- +goose Up
-- Issue 11 (measured at 895 000 children, docs/compliance.md "Measured"): the dashboard reads
-- a region's own rows of compliance_monthly (facility_id = 0 AND guardian_id = 0), about 0.4 %
-- of a table that the per-guardian cells make millions of rows long. PostgreSQL multiplied the
-- two conditions' selectivities as if independent (they are not: a row is a region's, a
-- facility's or a guardian's), expected 600 000 rows and scanned the whole table in parallel:
-- 680–770 ms. The partial index holds exactly the region rows (index-only: the report's
-- columns are included) and the dependency statistics let the planner count them: 44–58 ms.
CREATE INDEX compliance_monthly_region_rows_idx ON compliance_monthly (region_id, month)
    INCLUDE (indicator, value, n) WHERE facility_id = 0 AND guardian_id = 0;
CREATE STATISTICS compliance_monthly_dims (dependencies, mcv) ON facility_id, guardian_id FROM compliance_monthly;
-- The statistics exist from the next ANALYZE: take it now (autovacuum also does, after each
-- refresh rewrites the table).
ANALYZE compliance_monthly;

-- +goose Down
DROP STATISTICS compliance_monthly_dims;
DROP INDEX compliance_monthly_region_rows_idx;
