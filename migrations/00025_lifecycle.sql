-- +goose Up
-- The case lifecycle and information on rights (issue 10, S11, S13).

-- The details of a status change that carries fields of its own (reunified: where and with
-- whom; transferred: destination and reference; aged out: the 18th birthday it counted from).
-- The status itself lives on children; this is the record of why and where, one row per
-- transition made through its own use case (registry/lifecycle_cases.go).
CREATE TABLE child_lifecycle_events (
    id                    bigserial PRIMARY KEY,
    child_id              bigint NOT NULL REFERENCES children (id),
    transition            text NOT NULL CHECK (transition IN ('age_out','reunify','transfer')),
    from_status           text NOT NULL,
    to_status             text NOT NULL,
    occurred_on           date NOT NULL,
    -- reunify
    reunified_where       text NOT NULL DEFAULT '',
    reunified_with        text NOT NULL DEFAULT '',
    -- transfer
    destination_country   text NOT NULL DEFAULT '',
    destination_authority text NOT NULL DEFAULT '',
    reference             text NOT NULL DEFAULT '',
    note                  text NOT NULL DEFAULT '',
    -- NULL: the system (the age-out sweep).
    recorded_by           bigint REFERENCES users (id),
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX child_lifecycle_events_child_idx ON child_lifecycle_events (child_id, id);

-- S13: a transition plan for leaving care, recorded at least 90 days before the child turns
-- 18. A plan is revised by recording a new one; the latest counts.
CREATE TABLE transition_plans (
    id          bigserial PRIMARY KEY,
    child_id    bigint NOT NULL REFERENCES children (id),
    planned_on  date NOT NULL,
    summary     text NOT NULL CHECK (summary <> ''),
    recorded_by bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transition_plans_child_idx ON transition_plans (child_id, planned_on DESC);

-- S11: when, and in which language, the child was informed of their rights.
CREATE TABLE rights_information (
    id          bigserial PRIMARY KEY,
    child_id    bigint NOT NULL REFERENCES children (id),
    informed_on date NOT NULL,
    language    text NOT NULL,
    -- how: in person with an interpreter, the printed sheet, …
    method      text NOT NULL CHECK (method IN ('in_person','interpreter','written_sheet','other')),
    note        text NOT NULL DEFAULT '',
    recorded_by bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rights_information_child_idx ON rights_information (child_id, informed_on DESC);

-- +goose Down
DROP TABLE rights_information;
DROP TABLE transition_plans;
DROP TABLE child_lifecycle_events;
