-- +goose Up
-- Issue 9 (siblings separated): family links between children who are both in the registry —
-- siblings, cousins or other relatives travelling together. A link is a pair, stored once in
-- canonical order (the lower child id first), so "A is B's sibling" and "B is A's sibling" are
-- the same row. A link recorded in error is voided (with a reason), never deleted: the
-- history of who said two children were family stays. Only one live link per pair: after a
-- void the pair may be linked again (for instance with the right kind).
--
-- A link gives nobody access to a child (registry/scope.go does not read this table); it
-- informs placement decisions (registry/placements.go: siblings_separated) and the child page.
CREATE TABLE child_relatives (
    id           bigserial PRIMARY KEY,
    child_a_id   bigint NOT NULL REFERENCES children (id),
    child_b_id   bigint NOT NULL REFERENCES children (id),
    kind         text NOT NULL CHECK (kind IN ('sibling','cousin','other_relative')),
    note         text NOT NULL DEFAULT '',
    recorded_by  bigint REFERENCES users (id),
    recorded_at  timestamptz NOT NULL,
    voided_at    timestamptz,
    voided_by    bigint REFERENCES users (id),
    void_reason  text NOT NULL DEFAULT '',
    version      integer NOT NULL DEFAULT 1,
    -- Canonical order: a pair has one spelling, and a child is not its own relative.
    CONSTRAINT child_relatives_canonical CHECK (child_a_id < child_b_id),
    -- A void always says why.
    CONSTRAINT child_relatives_void_reason CHECK ((voided_at IS NULL) = (length(btrim(void_reason)) = 0))
);
-- A pair exists once (as a live link); voided links are history.
CREATE UNIQUE INDEX child_relatives_pair ON child_relatives (child_a_id, child_b_id) WHERE voided_at IS NULL;
-- The links of a child from its other side.
CREATE INDEX child_relatives_b_idx ON child_relatives (child_b_id) WHERE voided_at IS NULL;

-- +goose Down
DROP TABLE child_relatives;
