-- +goose Up
-- The duplicate check finds candidates by blocking keys (00034) and no longer by the trigram
-- operator %; nothing else uses it (the name search ranks a child's own names by
-- similarity(), which needs no index). The two GIN trigram indexes over child_names only cost
-- every registration and bulk load a write into long posting lists.
DROP INDEX child_names_full_norm_trgm_idx;
DROP INDEX child_names_norm_trgm_idx;

-- +goose Down
CREATE INDEX child_names_norm_trgm_idx ON child_names USING gin (norm gin_trgm_ops);
CREATE INDEX child_names_full_norm_trgm_idx ON child_names USING gin (norm gin_trgm_ops)
    WHERE kind IN ('full', 'alias');
