-- +goose Up
-- Outbox keys (issue 13, offline registration): the AES-256-GCM key with which the
-- registration page encrypts the registrations it keeps on a device while there is no
-- connection. One key per user, made on first use and handed only to that user's signed-in
-- page (GET /api/v1/me/outbox-key, audited); the device keeps it in the tab's memory and
-- sessionStorage, never beside the encrypted records. Kept here, not derived from the
-- session, so a registration kept on Friday can still be read and sent after the officer's
-- session ended and they signed in again on Monday. Deleting a row makes what that user's
-- devices still hold unreadable (see docs/offline.md).
CREATE TABLE outbox_keys (
    user_id    bigint PRIMARY KEY REFERENCES users (id),
    key_id     text NOT NULL CHECK (length(key_id) BETWEEN 8 AND 64),
    key        bytea NOT NULL CHECK (length(key) = 32),
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE outbox_keys;
