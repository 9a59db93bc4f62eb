-- +goose Up
-- A registration's names insert cost PostgreSQL more than any other of its statements
-- (issue 8; docs/audit-log.md, "2026-12-02 afternoon"): for each name row the birth-middle
-- trigger looked the child up (00034).
--
-- 1. The birth middle. A writer that knows the child's birth range may supply birth_mid
--    (computed by kujdes_birth_mid, the one rule); the per-row look-up now runs only for a
--    row inserted without it (WHEN, checked without calling the function) and, as before,
--    for every row moved to another child. The registration supplies it from the range it
--    has just written (registry.insertChildRecords); every other writer leaves it to the
--    trigger. TestNameBirthMidFollowsChild checks each writer.
DROP TRIGGER child_names_birth ON child_names;
CREATE TRIGGER child_names_birth BEFORE INSERT ON child_names
    FOR EACH ROW WHEN (NEW.birth_mid IS NULL) EXECUTE FUNCTION kujdes_child_names_birth();
CREATE TRIGGER child_names_birth_moved BEFORE UPDATE OF child_id ON child_names
    FOR EACH ROW EXECUTE FUNCTION kujdes_child_names_birth();

-- +goose Down
DROP TRIGGER child_names_birth_moved ON child_names;
DROP TRIGGER child_names_birth ON child_names;
CREATE TRIGGER child_names_birth BEFORE INSERT OR UPDATE OF child_id ON child_names
    FOR EACH ROW EXECUTE FUNCTION kujdes_child_names_birth();
