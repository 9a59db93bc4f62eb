-- +goose Up
-- The GIN index on child_names.variant_skeletons keeps new entries in a pending list that
-- every search reads in full until a vacuum or an insert past gin_pending_list_limit (4 MB by
-- default, ~500 pages) moves them into the index. The duplicate check's variant look-up reads
-- it on every question: at 1 M children, after `kujdes migrate up` had rewritten the skeletons
-- of 500 000 names (RulesVersion 4), that look-up took 33 ms for no match (461 pending pages),
-- and the candidate statement's p50 / p95 went from 12 / 21 ms to 43 / 68 ms until the list
-- was cleaned (docs/duplicate-check.md, 2026-12-02 afternoon). A 64 kB limit keeps at most 8
-- pending pages to read; the inserting backend moves them into the index when full, a cost
-- shared by about a hundred registrations.
ALTER INDEX child_names_variant_skeletons_idx SET (gin_pending_list_limit = 64);
SELECT gin_clean_pending_list('child_names_variant_skeletons_idx'::regclass);

-- +goose Down
ALTER INDEX child_names_variant_skeletons_idx RESET (gin_pending_list_limit);
