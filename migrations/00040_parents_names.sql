-- +goose Up
-- The parents' names on the child's record (issue 12): as the child gives them, in any
-- script (their Latin reading is derived, as a suggestion is for the child's own names).
-- Registries of this population identify a person by their own and their father's (and
-- mother's) name; the duplicate check weighs them to tell namesakes apart, and family tracing
-- needs them. Empty when not known (records before this migration too). A constant default
-- is a catalogue change only: no table rewrite.
ALTER TABLE children
    ADD COLUMN father_name text NOT NULL DEFAULT '',
    ADD COLUMN mother_name text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE children DROP COLUMN father_name, DROP COLUMN mother_name;
