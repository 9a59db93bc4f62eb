-- +goose Up
-- Every name's count is striped like the totals were (00019): a writer adds to the row of its
-- backend's stripe (pg_backend_pid() % 16), so registrations that share a common family name
-- ("Ahmadi", "Khan") no longer queue on that name's one row until they commit (the bench's
-- registrations waited on Lock:transactionid half of the time). A count is the sum of its
-- stripes. A stripe may go below zero (a name counted in one stripe and removed through
-- another): the sum stays exact, which the old floor at zero did not guarantee.
ALTER TABLE name_frequencies ADD COLUMN stripe smallint NOT NULL DEFAULT 0;
ALTER TABLE name_frequencies DROP CONSTRAINT name_frequencies_pkey;
UPDATE name_frequencies SET stripe = substr(skeleton, 2)::smallint, skeleton = '*' WHERE skeleton LIKE '*%';
ALTER TABLE name_frequencies ADD PRIMARY KEY (kind, skeleton, stripe);
ALTER TABLE name_frequencies DROP CONSTRAINT name_frequencies_n_check;

-- +goose StatementBegin
-- delta is +1 (names added) or -1 (names removed). Keys are upserted in sorted order, the
-- total ('*') first, so writers never deadlock.
CREATE OR REPLACE FUNCTION kujdes_name_frequencies_add(delta bigint, rows_kind text[], rows_skel text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO name_frequencies AS nf (kind, skeleton, stripe, n)
    SELECT kind, skel, (pg_backend_pid() % 16)::smallint, delta * count(*)
    FROM (SELECT r.kind, s.skel FROM unnest(rows_kind, rows_skel) AS r(kind, skeleton),
            LATERAL (VALUES (r.skeleton), ('*')) AS s(skel)
          WHERE r.kind IN ('given','family') AND r.skeleton <> '') AS x
    GROUP BY kind, skel
    ORDER BY skel <> '*', kind, skel
    ON CONFLICT (kind, skeleton, stripe) DO UPDATE SET n = nf.n + EXCLUDED.n
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kujdes_name_frequencies_add(delta bigint, rows_kind text[], rows_skel text[]) RETURNS void
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
CREATE TEMP TABLE nf_down AS
    SELECT kind, CASE WHEN skeleton = '*' THEN '*' || stripe ELSE skeleton END AS skeleton,
           greatest(sum(n), 0) AS n
    FROM name_frequencies GROUP BY 1, 2;
DELETE FROM name_frequencies;
ALTER TABLE name_frequencies DROP CONSTRAINT name_frequencies_pkey;
ALTER TABLE name_frequencies DROP COLUMN stripe;
ALTER TABLE name_frequencies ADD PRIMARY KEY (kind, skeleton);
INSERT INTO name_frequencies (kind, skeleton, n) SELECT kind, skeleton, n FROM nf_down;
ALTER TABLE name_frequencies ADD CONSTRAINT name_frequencies_n_check CHECK (n >= 0);
DROP TABLE nf_down;
