-- +goose Up
-- Identity and access: reference data (regions, border posts), users keyed by issuer+subject,
-- their roles and scopes, server-side sessions, pending OIDC logins, and the minimal child and
-- guardian-appointment tables that record scope needs (the registry issues grow them).

CREATE TABLE regions (
    id         bigserial PRIMARY KEY,
    code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9-]{2,16}$'),
    name       text NOT NULL CHECK (length(btrim(name)) > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE border_posts (
    id         bigserial PRIMARY KEY,
    code       text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9-]{2,16}$'),
    name       text NOT NULL CHECK (length(btrim(name)) > 0),
    region_id  bigint NOT NULL REFERENCES regions (id),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX border_posts_region_idx ON border_posts (region_id);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    -- The identity: never the e-mail, which people change and providers reuse.
    issuer        text NOT NULL,
    subject       text NOT NULL,
    username      text NOT NULL DEFAULT '',
    display_name  text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    active        boolean NOT NULL DEFAULT true,
    -- Roles assigned in Kujdes by an administrator …
    roles         text[] NOT NULL DEFAULT '{}',
    -- … and roles the identity provider asserted at the last login (after the allow-list).
    token_roles   text[] NOT NULL DEFAULT '{}',
    -- Every session that started before this instant is void (logout everywhere,
    -- deactivation, role change).
    sessions_valid_after timestamptz NOT NULL DEFAULT 'epoch',
    last_login_at timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issuer, subject),
    CHECK (roles <@ ARRAY['border_officer','protection_officer','guardian','monitor','admin']::text[]),
    CHECK (token_roles <@ ARRAY['border_officer','protection_officer','guardian','monitor','admin']::text[])
);

CREATE TABLE user_regions (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    region_id bigint NOT NULL REFERENCES regions (id),
    PRIMARY KEY (user_id, region_id)
);

CREATE TABLE user_border_posts (
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    border_post_id bigint NOT NULL REFERENCES border_posts (id),
    PRIMARY KEY (user_id, border_post_id)
);

-- Server-side sessions (alexedwards/scs postgresstore schema).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- A login in progress: the browser holds the state in a short-lived cookie; the nonce and the
-- PKCE verifier stay here. Each row is used once.
CREATE TABLE oidc_logins (
    state      text PRIMARY KEY,
    nonce      text NOT NULL,
    verifier   text NOT NULL,
    return_to  text NOT NULL DEFAULT '/',
    expires_at timestamptz NOT NULL
);

CREATE TABLE children (
    id                  bigserial PRIMARY KEY,
    registration_number text NOT NULL UNIQUE,
    region_id           bigint NOT NULL REFERENCES regions (id),
    border_post_id      bigint REFERENCES border_posts (id),
    status              text NOT NULL DEFAULT 'active' CHECK (status IN
                        ('active','missing','reunified','transferred','aged_out','closed','duplicate')),
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX children_region_idx ON children (region_id);
CREATE INDEX children_border_post_idx ON children (border_post_id);

CREATE TABLE guardian_appointments (
    id               bigserial PRIMARY KEY,
    child_id         bigint NOT NULL REFERENCES children (id),
    guardian_user_id bigint NOT NULL REFERENCES users (id),
    kind             text NOT NULL DEFAULT 'provisional' CHECK (kind IN ('provisional','full')),
    started_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    end_reason       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX guardian_appointments_guardian_idx ON guardian_appointments (guardian_user_id, child_id);
-- At most one active full guardian per child (MISSION.md).
CREATE UNIQUE INDEX guardian_appointments_one_full ON guardian_appointments (child_id)
    WHERE ended_at IS NULL AND kind = 'full';

-- Break-glass: one named child, for a limited time, with a written reason.
CREATE TABLE break_glass_grants (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    child_id   bigint NOT NULL REFERENCES children (id),
    reason     text NOT NULL CHECK (length(btrim(reason)) >= 10),
    granted_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CHECK (expires_at > granted_at)
);
CREATE INDEX break_glass_grants_user_child_idx ON break_glass_grants (user_id, child_id, expires_at);

-- +goose Down
DROP TABLE break_glass_grants;
DROP TABLE guardian_appointments;
DROP TABLE children;
DROP TABLE oidc_logins;
DROP TABLE sessions;
DROP TABLE user_border_posts;
DROP TABLE user_regions;
DROP TABLE users;
DROP TABLE border_posts;
DROP TABLE regions;
