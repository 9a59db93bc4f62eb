-- +goose Up
-- The duplicate check searches full names and aliases by trigram similarity; a partial index
-- over just those rows halves the scan at 100 000 children (30 → 16 ms for a common name).
CREATE INDEX child_names_full_norm_trgm_idx ON child_names USING gin (norm gin_trgm_ops)
    WHERE kind IN ('full', 'alias');

-- +goose Down
DROP INDEX child_names_full_norm_trgm_idx;
