-- +goose Up
-- The skeletons of a full name's or alias's other plausible spellings (registry/
-- names_variants.go: Somali, Kurmanji, Egyptian, Bengali readings), so that retrieval finds
-- "Cabdullahi Maxamed" from "Abdullahi Mohamed" as well as the other way round.
ALTER TABLE child_names ADD COLUMN variant_skeletons text[] NOT NULL DEFAULT '{}';
CREATE INDEX child_names_variant_skeletons_idx ON child_names USING gin (variant_skeletons)
    WHERE variant_skeletons <> '{}';

-- How many children bear each given name and each family name (by consonant skeleton, so
-- Mohammad, Muhammad and Mohamed count together), for the term-frequency adjustment of the
-- duplicate check: agreeing on a rare name is strong evidence, on a common one weak
-- (registry/duplicates_weights.go). The total of a kind is the sum of its 16 stripe rows,
-- skeletons '*0' … '*15': a writer adds to the stripe of its backend, so concurrent
-- registrations do not all queue on one total row until they commit (the global lock issue 8
-- removed from the audit trail). Triggers keep the counts in the same transaction as
-- child_names, one statement at a time; each statement upserts its keys in sorted order, its
-- stripe row first, so writers never deadlock.
CREATE TABLE name_frequencies (
    kind     text NOT NULL CHECK (kind IN ('given','family')),
    skeleton text NOT NULL,
    n        bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (kind, skeleton)
);

INSERT INTO name_frequencies (kind, skeleton, n)
SELECT kind, skeleton, count(*) FROM child_names
WHERE kind IN ('given','family') AND skeleton <> '' GROUP BY kind, skeleton;
INSERT INTO name_frequencies (kind, skeleton, n)
SELECT k, '*' || s, CASE WHEN s = 0 THEN (SELECT count(*) FROM child_names WHERE kind = k AND skeleton <> '') ELSE 0 END
FROM unnest(ARRAY['given','family']) AS k, generate_series(0, 15) AS s;

-- +goose StatementBegin
-- delta is +1 (names added: the counts are added) or -1 (names removed: subtracted).
CREATE FUNCTION kujdes_name_frequencies_add(delta bigint, rows_kind text[], rows_skel text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO name_frequencies AS nf (kind, skeleton, n)
    SELECT kind, skel, count(*)
    FROM (SELECT r.kind, s.skel FROM unnest(rows_kind, rows_skel) AS r(kind, skeleton),
            LATERAL (VALUES (r.skeleton), ('*' || (pg_backend_pid() % 16)::text)) AS s(skel)
          WHERE r.kind IN ('given','family') AND r.skeleton <> '') AS x
    GROUP BY kind, skel
    ORDER BY skel NOT LIKE '*%', kind, skel
    ON CONFLICT (kind, skeleton) DO UPDATE SET n = greatest(nf.n + delta * EXCLUDED.n, 0)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION kujdes_child_names_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM kujdes_name_frequencies_add(-1, array_agg(kind), array_agg(skeleton)) FROM old_rows HAVING count(*) > 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM kujdes_name_frequencies_add(1, array_agg(kind), array_agg(skeleton)) FROM new_rows HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER child_names_counted_ins AFTER INSERT ON child_names
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kujdes_child_names_counted();
CREATE TRIGGER child_names_counted_del AFTER DELETE ON child_names
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kujdes_child_names_counted();
-- A merge moves names between children (child_id only): the counts come out as they were.
CREATE TRIGGER child_names_counted_upd AFTER UPDATE ON child_names
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kujdes_child_names_counted();

-- +goose Down
DROP TRIGGER child_names_counted_upd ON child_names;
DROP TRIGGER child_names_counted_del ON child_names;
DROP TRIGGER child_names_counted_ins ON child_names;
DROP FUNCTION kujdes_child_names_counted();
DROP FUNCTION kujdes_name_frequencies_add(bigint, text[], text[]);
DROP TABLE name_frequencies;
DROP INDEX child_names_variant_skeletons_idx;
ALTER TABLE child_names DROP COLUMN variant_skeletons;
