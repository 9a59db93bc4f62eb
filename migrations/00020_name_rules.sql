-- +goose Up
-- The version of the name-folding rules (registry/names.go) that computed child_names.skeleton.
-- When the rules change, registry.RefreshNameSkeletons recomputes the skeletons of the rows
-- written under older rules (kujdes migrate up, and at start) and raises the version; rows
-- written since this migration carry the current rules already. Version 1: the rules before
-- issue 12.
CREATE TABLE name_rules (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    version integer NOT NULL
);
INSERT INTO name_rules (version) VALUES (1);

-- +goose Down
DROP TABLE name_rules;
