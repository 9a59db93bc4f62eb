-- +goose Up
-- Separation of duties (issue 7): a grant of access to a user — a role, a region or a border
-- post, or reactivation — requested by one administrator takes effect only when another
-- administrator approves it. The request and its decision are kept here (and in the audit
-- trail); removals take effect at once and never come here.
CREATE TABLE user_grants (
    id              bigserial PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id),
    roles           text[] NOT NULL DEFAULT '{}'
        CHECK (roles <@ ARRAY['border_officer','protection_officer','guardian','monitor','admin']::text[]),
    region_ids      bigint[] NOT NULL DEFAULT '{}',
    border_post_ids bigint[] NOT NULL DEFAULT '{}',
    activate        boolean NOT NULL DEFAULT false,
    requested_by    bigint NOT NULL REFERENCES users (id),
    requested_at    timestamptz NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'refused')),
    decided_by      bigint REFERENCES users (id),
    decided_at      timestamptz,
    -- Nobody decides on their own request.
    CHECK (decided_by IS NULL OR decided_by <> requested_by),
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX user_grants_pending_idx ON user_grants (user_id) WHERE state = 'pending';

-- +goose Down
DROP TABLE user_grants;
