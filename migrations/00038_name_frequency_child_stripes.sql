-- +goose Up
-- A name's count goes to the stripe of its child (child_id % 64), no longer of the writing
-- backend (pg_backend_pid() % 16, 00028). Under load the 20 pooled connections fell into 16
-- stripes by chance, so concurrent registrations still queued on one another's total row
-- ('*') or common family-name row until commit: at 64 clients, a quarter of the
-- registration's time was Lock:transactionid behind the child_names insert (issue 8). The
-- children registered at the same moment have neighbouring ids, so they now write different
-- rows unless 64 ids apart. Rows already written keep their stripe: a count is still the sum
-- of its stripes, exactly, and a stripe may still go below zero (names moved by a merge are
-- subtracted from one child's stripe and added to the other's).

-- +goose StatementBegin
-- The counting is written in the trigger itself, over its transition tables, no longer
-- through an SQL function given arrays: an SQL function plans its INSERT again on every call,
-- which made this trigger 0.45 ms of each registration's 0.7 ms names insert; PL/pgSQL keeps
-- the plans for the session. Keys are upserted in one order, the totals ('*') first, so
-- writers never deadlock.
CREATE OR REPLACE FUNCTION kujdes_child_names_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One upsert per statement, whatever the operation: a merge's names leave one child's
    -- stripe and join another's in the same sorted pass, so two merges cannot take the same
    -- rows in opposite orders.
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO name_frequencies AS nf (kind, skeleton, stripe, n)
        SELECT kind, skel, stripe, sum(d)
        FROM (SELECT r.kind, s.skel, (r.child_id % 64)::smallint AS stripe, -1 AS d
              FROM old_rows AS r, LATERAL (VALUES (r.skeleton), ('*')) AS s(skel)
              WHERE r.kind IN ('given','family') AND r.skeleton <> ''
              UNION ALL
              SELECT r.kind, s.skel, (r.child_id % 64)::smallint, 1
              FROM new_rows AS r, LATERAL (VALUES (r.skeleton), ('*')) AS s(skel)
              WHERE r.kind IN ('given','family') AND r.skeleton <> '') AS x
        GROUP BY kind, skel, stripe
        HAVING sum(d) <> 0
        ORDER BY skel <> '*', kind, skel, stripe
        ON CONFLICT (kind, skeleton, stripe) DO UPDATE SET n = nf.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO name_frequencies AS nf (kind, skeleton, stripe, n)
        SELECT kind, skel, stripe, -count(*)
        FROM (SELECT r.kind, s.skel, (r.child_id % 64)::smallint AS stripe
              FROM old_rows AS r, LATERAL (VALUES (r.skeleton), ('*')) AS s(skel)
              WHERE r.kind IN ('given','family') AND r.skeleton <> '') AS x
        GROUP BY kind, skel, stripe
        ORDER BY skel <> '*', kind, skel, stripe
        ON CONFLICT (kind, skeleton, stripe) DO UPDATE SET n = nf.n + EXCLUDED.n;
    ELSE
        INSERT INTO name_frequencies AS nf (kind, skeleton, stripe, n)
        SELECT kind, skel, stripe, count(*)
        FROM (SELECT r.kind, s.skel, (r.child_id % 64)::smallint AS stripe
              FROM new_rows AS r, LATERAL (VALUES (r.skeleton), ('*')) AS s(skel)
              WHERE r.kind IN ('given','family') AND r.skeleton <> '') AS x
        GROUP BY kind, skel, stripe
        ORDER BY skel <> '*', kind, skel, stripe
        ON CONFLICT (kind, skeleton, stripe) DO UPDATE SET n = nf.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

DROP FUNCTION kujdes_name_frequencies_add(bigint, text[], text[]);

-- +goose Down
-- The function and trigger of 00028 (the backend's stripe).
-- +goose StatementBegin
CREATE FUNCTION kujdes_name_frequencies_add(delta bigint, rows_kind text[], rows_skel text[]) RETURNS void
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kujdes_child_names_counted() RETURNS trigger LANGUAGE plpgsql AS $$
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

