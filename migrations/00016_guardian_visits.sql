-- +goose Up
-- Visits and contacts of a guardian (or a caseworker) with a child (issue 9, S8).
CREATE TABLE guardian_visits (
    id          bigserial PRIMARY KEY,
    child_id    bigint NOT NULL REFERENCES children (id),
    visited_by  bigint REFERENCES users (id),
    visited_on  date NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('visit','call','other')),
    place       text NOT NULL DEFAULT '',
    -- Only a contact where the child was seen counts as a visit for S8.
    child_seen  boolean NOT NULL,
    child_views text NOT NULL DEFAULT '',
    concerns    text NOT NULL DEFAULT '',
    follow_up   text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX guardian_visits_child_idx ON guardian_visits (child_id, visited_on DESC);

-- +goose Down
DROP TABLE guardian_visits;
