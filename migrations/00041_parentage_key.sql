-- +goose Up
-- The parentage blocking key of the duplicate check (issue 12): a child_names row of kind
-- 'parentage' whose name is "child's given name + father's name" (the tazkira's "X son of Y"),
-- so that a question carrying the father's name finds the namesakes with that father however
-- far the age estimate puts them among thousands of children of the same name. The name search
-- does not read these rows (a father's name is not the child's).
--
-- A merge gives the survivor the parents' names it lacks from the duplicate; parents_taken
-- names the fields it took (father_name, mother_name), so undoing the merge empties them again.
ALTER TABLE child_names DROP CONSTRAINT child_names_kind_check,
    ADD CONSTRAINT child_names_kind_check CHECK (kind IN ('given','family','full','alias','parentage'));
ALTER TABLE child_merges ADD COLUMN parents_taken text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE child_merges DROP COLUMN parents_taken;
DELETE FROM child_names WHERE kind = 'parentage';
ALTER TABLE child_names DROP CONSTRAINT child_names_kind_check,
    ADD CONSTRAINT child_names_kind_check CHECK (kind IN ('given','family','full','alias'));
