-- +goose Up
-- Issue 10 (legal status): a child's legal procedure as a timeline of events. The current legal
-- status is never stored: it is derived from the events that are not voided, by the state
-- machine of registry/legal_rules.go. The table is append-only: a correction is a new event of
-- kind 'void' naming the event it voids and why; triggers refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE legal_events (
    id                 bigserial PRIMARY KEY,
    child_id           bigint NOT NULL REFERENCES children (id),
    -- The event's place in the child's timeline as recorded (1, 2, 3…). The timeline's version
    -- is the last seq + 1, so two people adding to the same timeline cannot both succeed.
    seq                integer NOT NULL CHECK (seq > 0),
    kind               text NOT NULL CHECK (kind IN ('identified','application_made','application_registered',
                       'application_lodged','interview','decision','appeal_lodged','appeal_decided',
                       'family_reunification_requested','family_reunification_accepted',
                       'family_reunification_refused','family_reunification_completed',
                       'transfer_requested','transfer_accepted','transfer_refused','transfer_completed',
                       'voluntary_return','residence_permit','protection_granted','void')),
    -- The outcome of a decision or an appeal decision; empty for every other kind.
    outcome            text NOT NULL DEFAULT '' CHECK (outcome IN ('','refugee_status','subsidiary_protection','rejected')),
    occurred_on        date NOT NULL,
    authority          text NOT NULL DEFAULT '',
    document_reference text NOT NULL DEFAULT '',
    -- The best-interests determination a voluntary return rests on (its reference).
    best_interests_reference text NOT NULL DEFAULT '',
    note               text NOT NULL DEFAULT '',
    -- A void event names the event it voids, with a reason; an event is voided at most once.
    voids_event_id     bigint REFERENCES legal_events (id),
    void_reason        text NOT NULL DEFAULT '',
    recorded_by        bigint REFERENCES users (id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (child_id, seq),
    CHECK ((kind = 'void') = (voids_event_id IS NOT NULL)),
    CHECK (kind <> 'void' OR length(btrim(void_reason)) > 0),
    CHECK ((kind IN ('decision','appeal_decided')) = (outcome <> '')),
    CHECK (kind <> 'voluntary_return' OR length(btrim(best_interests_reference)) > 0)
);
CREATE INDEX legal_events_child_idx ON legal_events (child_id, occurred_on, seq);
CREATE UNIQUE INDEX legal_events_voided_once ON legal_events (voids_event_id) WHERE voids_event_id IS NOT NULL;
-- S2 counts from the application made (registry/legal.go applicationMadeOn).
CREATE INDEX legal_events_application_idx ON legal_events (child_id, occurred_on) WHERE kind = 'application_made';

-- +goose StatementBegin
CREATE FUNCTION legal_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'legal_events is append-only: record a void event instead'
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER legal_events_append_only BEFORE UPDATE OR DELETE ON legal_events
    FOR EACH ROW EXECUTE FUNCTION legal_events_append_only();
CREATE TRIGGER legal_events_no_truncate BEFORE TRUNCATE ON legal_events
    FOR EACH STATEMENT EXECUTE FUNCTION legal_events_append_only();

-- +goose Down
DROP TABLE legal_events;
DROP FUNCTION legal_events_append_only();
