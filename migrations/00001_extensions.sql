-- +goose Up
-- Name search across spellings and scripts (arrivals registry) needs trigram similarity and
-- accent folding. Both extensions are "trusted": a non-superuser database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (it depends on a dictionary), so it cannot be used in an index
-- expression. This wrapper pins the dictionary and is safe to mark IMMUTABLE.
CREATE FUNCTION kujdes_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN public.unaccent('public.unaccent'::regdictionary, $1);

-- +goose Down
DROP FUNCTION IF EXISTS kujdes_unaccent(text);
DROP EXTENSION IF EXISTS unaccent;
DROP EXTENSION IF EXISTS pg_trgm;
