-- +goose Up
-- Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"): a write sent again
-- with the same key — a retry after a lost response, a phone's outbox sending twice, a double
-- click — returns the first result instead of writing twice. Keys belong to one user: another
-- user's key never replays (or reveals) anything. Written in the same transaction as the write
-- it remembers (registry/idempotency.go), so a key exists exactly when its write committed.
CREATE TABLE idempotency_keys (
    user_id      bigint NOT NULL REFERENCES users (id),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    operation    text NOT NULL,                             -- 'registration', 'arrival:<child id>'
    request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
    result       jsonb NOT NULL,                            -- what the first request answered
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
