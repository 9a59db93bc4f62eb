-- +goose Up
-- Administrators watch for bursts of denied reads (probes of children outside one's scope):
-- registry.ListDeniedReads groups the recent 'child.read_denied' rows by user. A partial index
-- keeps that a small range scan however long the trail grows.
CREATE INDEX audit_events_read_denied_idx ON audit_events (occurred_at) WHERE action = 'child.read_denied';

-- +goose Down
DROP INDEX audit_events_read_denied_idx;
