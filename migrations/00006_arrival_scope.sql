-- +goose Up
-- An arrival recorded on a child outside the recording officer's scope (the duplicate check
-- showed the child) is a sighting: it appears on the child's record and to the responsible
-- protection officers, but it does not bring the child into the post's scope (issue 7).
-- Arrivals recorded before this change keep the old meaning.
ALTER TABLE arrivals ADD COLUMN grants_scope boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE arrivals DROP COLUMN grants_scope;
