-- +goose Up
-- The audit trail becomes a transparency log (golang.org/x/mod/sumdb/tlog; see auditlog/doc.go).
--
-- Before: every append took one global advisory lock to chain its hash to the previous row, so
-- audited transactions ran one at a time. Now an append only computes its own leaf hash
-- (audit_events.leaf_hash); one sealer (a single process across all instances) gives committed
-- events their log positions in the order they became visible, stores the Merkle tree's hashes
-- and writes checkpoints signed with a key the database never holds.
--
-- The chained rows written before this migration are kept as they are and become the first
-- leaves of the log, in id order: their leaf is tlog.RecordHash(prev_hash || the fields the old
-- hash covered), i.e. the very bytes whose SHA-256 is their old `hash` (models.AuditEvent.
-- LeafRecord). The old chain check is gone; prev_hash and hash stay, nullable, on those rows
-- only (NULL on new rows), so nothing written before is rewritten.

ALTER TABLE audit_events
    ADD COLUMN leaf_hash bytea CHECK (leaf_hash IS NULL OR length(leaf_hash) = 32),
    ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL,
    DROP CONSTRAINT audit_events_prev_hash_key,
    DROP CONSTRAINT audit_events_hash_key,
    -- A row is either new (its leaf hash) or chained before this migration (both chain hashes).
    ADD CONSTRAINT audit_events_leaf_or_chained
        CHECK (leaf_hash IS NOT NULL OR (prev_hash IS NOT NULL AND hash IS NOT NULL));

-- Events committed but not yet sealed. A trigger fills it, so every committed row — whoever
-- inserted it — reaches the sealer; the sealer deletes the rows it seals in the transaction that
-- gives them their positions. Mutable on purpose: it is a queue, not evidence.
CREATE TABLE audit_pending (
    event_id bigint PRIMARY KEY
);

-- +goose StatementBegin
CREATE FUNCTION audit_events_enqueue() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_pending (event_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_enqueue
    AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_enqueue();

-- The chained rows wait for the sealer like any other; it seals in event id order.
INSERT INTO audit_pending (event_id) SELECT id FROM audit_events;

-- Log position → event. Positions are 0, 1, 2… with no gap (the sealer writes size, size+1…
-- and the primary key refuses a second sealer's duplicate); an event has at most one position.
CREATE TABLE audit_log (
    position  bigint PRIMARY KEY CHECK (position >= 0),
    event_id  bigint NOT NULL UNIQUE REFERENCES audit_events (id),
    sealed_at timestamptz NOT NULL DEFAULT clock_timestamp() -- when this position was written (sealing lag)
);

-- The tree's stored hashes, indexed as tlog.StoredHashIndex(level, n): enough to compute any
-- tree hash, inclusion proof or consistency proof with tlog.
CREATE TABLE audit_tree_hashes (
    idx  bigint PRIMARY KEY CHECK (idx >= 0),
    hash bytea NOT NULL CHECK (length(hash) = 32)
);

-- Signed checkpoints (a C2SP tlog checkpoint wrapped in a golang.org/x/mod/sumdb/note). Not
-- unique by size: a fork (two roots for one size) must be storable to be reported.
CREATE TABLE audit_checkpoints (
    id         bigserial PRIMARY KEY,
    tree_size  bigint NOT NULL CHECK (tree_size > 0),
    root_hash  bytea NOT NULL CHECK (length(root_hash) = 32),
    note       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_checkpoints_size_idx ON audit_checkpoints (tree_size DESC);

-- The log is append-only like the events (the same refusal as migrations/00003_audit.sql).
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_tree_hashes_no_update_delete BEFORE UPDATE OR DELETE ON audit_tree_hashes
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_tree_hashes_no_truncate BEFORE TRUNCATE ON audit_tree_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
-- Rows appended since the Up have no chain hashes: the old verifier would report them, and
-- NOT NULL cannot come back while they exist. The log tables go; the events stay.
DROP TABLE audit_checkpoints;
DROP TABLE audit_tree_hashes;
DROP TABLE audit_log;
DROP TRIGGER audit_events_enqueue ON audit_events;
DROP FUNCTION audit_events_enqueue();
DROP TABLE audit_pending;
ALTER TABLE audit_events
    DROP CONSTRAINT audit_events_leaf_or_chained,
    DROP COLUMN leaf_hash,
    ADD CONSTRAINT audit_events_prev_hash_key UNIQUE (prev_hash),
    ADD CONSTRAINT audit_events_hash_key UNIQUE (hash);
