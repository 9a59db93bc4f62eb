-- +goose Up
-- kujdes_consonants is the duplicate search's loose reading of a mother's name for ranking
-- (registry/duplicates.go, par_checked): folded and lower-cased, w read as v, q and c as k,
-- y and j as i, then vowels and h left out (Parwin / Parveen -> prvn, Fatima / Fatemeh ->
-- ftm). One definition for both sides of the comparison; it was written out twice in the
-- statement.
-- +goose StatementBegin
CREATE FUNCTION kujdes_consonants(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(translate(lower(kujdes_unaccent(s)), 'wqcyj', 'vkkii'), '[aeiouh]+', '', 'g')
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION kujdes_consonants(text);
