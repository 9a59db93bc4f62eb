-- +goose Up
-- The audit trail: one row for every read and write of a child record (and for logins,
-- denials, break-glass grants and user administration). Rows are written by
-- models.AppendAudit inside the transaction of the change they record, and chained:
-- hash = SHA-256(prev_hash || the other columns), so an edit or a deletion made behind the
-- application's back (a superuser, a restored dump) breaks the chain and models.VerifyAudit
-- names the first broken row.

CREATE TABLE audit_events (
    id            bigserial PRIMARY KEY,
    occurred_at   timestamptz NOT NULL,
    -- A plain column, not a foreign key: nothing done to users may ever block or rewrite audit.
    actor_user_id bigint,
    actor_issuer  text NOT NULL DEFAULT '',
    actor_subject text NOT NULL DEFAULT '',
    actor_roles   text NOT NULL DEFAULT '', -- comma-joined, as at the time of the event
    action        text NOT NULL,            -- 'child.read', 'child.update', 'denied', 'login'…
    entity        text NOT NULL DEFAULT '', -- 'child', 'user'…
    entity_id     text NOT NULL DEFAULT '',
    -- The changed fields: {"field": {"before": x, "after": y}}, or {"field": {}} when the
    -- values are too sensitive to copy here.
    changes       jsonb NOT NULL DEFAULT '{}',
    request_id    text NOT NULL DEFAULT '',
    client_ip     text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',
    outcome       text NOT NULL DEFAULT 'ok',
    -- UNIQUE on prev_hash too: two rows chained to the same predecessor would be a fork, which
    -- the advisory lock in AppendAudit prevents; this makes the database refuse one anyway.
    prev_hash     bytea NOT NULL UNIQUE CHECK (length(prev_hash) = 32),
    hash          bytea NOT NULL UNIQUE CHECK (length(hash) = 32)
);
-- Who looked at this child (newest first) …
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id, id DESC);
-- … and what this user looked at.
CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, id DESC);

-- Append-only, even for the table's owner: the application usually connects as the owner (or
-- as a superuser in development), so REVOKE UPDATE, DELETE would protect nothing. A superuser
-- or the owner can still disable these triggers; the hash chain is what detects that.
-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit rows are never changed or removed';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
