-- +goose Up
-- audit_events_enqueue queues a statement's new events in one INSERT … SELECT over the
-- statement's transition table, instead of one PL/pgSQL call and one single-row INSERT per
-- event: the reads' group commit (models.AuditBatcher) inserts many events in one statement,
-- and a bulk load (kujdes-bench -verify-events) millions. The queue gets the same rows, in
-- the same transaction as the events (their fate is still the events'); the sealer is
-- unchanged. Measured in docs/audit-log.md (2026-12-02, 4th session).

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_enqueue() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_pending (event_id) SELECT id FROM audit_events_new;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER audit_events_enqueue ON audit_events;
CREATE TRIGGER audit_events_enqueue
    AFTER INSERT ON audit_events
    REFERENCING NEW TABLE AS audit_events_new
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_enqueue();

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_enqueue() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_pending (event_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TRIGGER audit_events_enqueue ON audit_events;
CREATE TRIGGER audit_events_enqueue
    AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_enqueue();
