-- +goose Up
-- A registration's names insert cost PostgreSQL more than any other of its statements
-- (issue 8; docs/audit-log.md, "2026-12-02 afternoon"): for each name row the birth-middle
-- trigger looked the child up (00034), and once per statement the name-count trigger upserted
-- three or four name_frequencies rows (00038), each an index probe, a row lock held to commit
-- and a new row version.
--
-- 1. The birth middle. A writer that knows the child's birth range may supply birth_mid
--    (computed by kujdes_birth_mid, the one rule); the per-row look-up now runs only for a
--    row inserted without it (WHEN, checked without calling the function) and, as before,
--    for every row moved to another child. The registration supplies it from the range it
--    has just written (registry.insertChildRecords); every other writer leaves it to the
--    trigger. TestNameBirthMidFollowsChild checks each writer.
DROP TRIGGER child_names_birth ON child_names;
CREATE TRIGGER child_names_birth BEFORE INSERT ON child_names
    FOR EACH ROW WHEN (NEW.birth_mid IS NULL) EXECUTE FUNCTION kujdes_child_names_birth();
CREATE TRIGGER child_names_birth_moved BEFORE UPDATE OF child_id ON child_names
    FOR EACH ROW EXECUTE FUNCTION kujdes_child_names_birth();

-- 2. The name counts. The triggers now append each statement's changes (+1 per name row
--    written, -1 per row removed; the totals are derived) to name_count_queue, a heap with no
--    index: an append takes no lock another writer waits for and no index probe. The queue
--    is folded into name_frequencies by kujdes_fold_name_counts, which every instance calls
--    every second (registry.NameCountFolder) and a bulk load calls at its end. Until then a
--    name's count is the sum of its stripes plus its pending deltas: the name_counts view
--    gives that sum, exact at any moment (read-your-writes); the duplicate search reads it.
--    name_frequencies itself is the count as of the last fold (staleness: the fold
--    interval); a sum of its stripes still equals the count once the queue is folded.
CREATE TABLE name_count_queue (
    kind     text     NOT NULL,
    skeleton text     NOT NULL,
    d        integer  NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
-- A name_counts read scans the queue, dead rows of past folds included until a vacuum: vacuum
-- it after every thousand or so folded rows, whatever its size.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kujdes_child_names_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO name_count_queue (kind, skeleton, d)
        SELECT r.kind, r.skeleton, 1 FROM new_rows AS r
        WHERE r.kind IN ('given','family') AND r.skeleton <> '';
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO name_count_queue (kind, skeleton, d)
        SELECT r.kind, r.skeleton, -1 FROM old_rows AS r
        WHERE r.kind IN ('given','family') AND r.skeleton <> '';
    ELSE
        -- A merge moves names to another child: the counts do not change, nothing is queued.
        -- A skeleton rewritten (registry.RefreshNameSkeletons) moves a count.
        INSERT INTO name_count_queue (kind, skeleton, d)
        SELECT kind, skeleton, sum(d)::integer
        FROM (SELECT r.kind, r.skeleton, -1 AS d FROM old_rows AS r
              WHERE r.kind IN ('given','family') AND r.skeleton <> ''
              UNION ALL
              SELECT r.kind, r.skeleton, 1 FROM new_rows AS r
              WHERE r.kind IN ('given','family') AND r.skeleton <> '') AS x
        GROUP BY kind, skeleton
        HAVING sum(d) <> 0;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- kujdes_fold_name_counts moves the whole queue into name_frequencies and returns how many
-- queue rows it folded. The rows are deleted and counted in one statement, so a delta is
-- folded once: a concurrent fold waits for the rows this one deletes, then skips them. Keys
-- are upserted in one order, totals first, so folds never deadlock. A fold adds to stripe 0:
-- it is the only writer of name_frequencies, one per instance at a time, so the stripes
-- (00028, 00038: concurrent registrations each adding to the rows of its child's stripe) no
-- longer serve; the rows already striped stay, and a count is still the sum of its stripes.
-- +goose StatementBegin
CREATE FUNCTION kujdes_fold_name_counts() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    WITH q AS (DELETE FROM name_count_queue RETURNING kind, skeleton, d),
    up AS (
        INSERT INTO name_frequencies AS nf (kind, skeleton, stripe, n)
        SELECT kind, skeleton, 0, n
        FROM (SELECT kind, skeleton, sum(d) AS n FROM q GROUP BY kind, skeleton
              UNION ALL
              SELECT kind, '*', sum(d) FROM q GROUP BY kind) AS x
        WHERE n <> 0
        ORDER BY skeleton <> '*', kind, skeleton
        ON CONFLICT (kind, skeleton, stripe) DO UPDATE SET n = nf.n + EXCLUDED.n
    )
    SELECT count(*) INTO folded FROM q;
    RETURN folded;
END $$;
-- +goose StatementEnd

-- name_counts is every name's count (and each kind's total, skeleton '*') at this moment:
-- the folded stripes plus the deltas not yet folded. Filters on kind and skeleton reach the
-- primary key of name_frequencies; the queue, a second's changes, is scanned.
CREATE VIEW name_counts AS
SELECT kind, skeleton, sum(n) AS n
FROM (SELECT kind, skeleton, n FROM name_frequencies
      UNION ALL
      SELECT kind, skeleton, d FROM name_count_queue
      UNION ALL
      SELECT kind, '*', d FROM name_count_queue) AS x
GROUP BY kind, skeleton;

-- +goose Down
SELECT kujdes_fold_name_counts();
DROP VIEW name_counts;
DROP FUNCTION kujdes_fold_name_counts();
DROP TABLE name_count_queue;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kujdes_child_names_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
DROP TRIGGER child_names_birth_moved ON child_names;
DROP TRIGGER child_names_birth ON child_names;
CREATE TRIGGER child_names_birth BEFORE INSERT OR UPDATE OF child_id ON child_names
    FOR EACH ROW EXECUTE FUNCTION kujdes_child_names_birth();
