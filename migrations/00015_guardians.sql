-- +goose Up
-- Guardianship (issue 9): the guardian registry, declared conflicts of interest, and the
-- appointment workflow on today's guardian_appointments. The scope rule reads
-- guardian_appointments (registry/scope.go currentAppointment) and is unchanged: a guardian
-- sees a child while an appointment to them has started and not ended.

-- A vetted guardian: a person, or an organisation acting through the natural person whose
-- Kujdes account this is (users.display_name names them).
CREATE TABLE guardians (
    id                bigserial PRIMARY KEY,
    user_id           bigint NOT NULL UNIQUE REFERENCES users (id),
    kind              text NOT NULL CHECK (kind IN ('person','organisation')),
    organisation_name text NOT NULL DEFAULT '',
    languages         text[] NOT NULL DEFAULT '{}',
    region_id         bigint NOT NULL REFERENCES regions (id),
    trained_on        date,
    record_checked_on date,
    active            boolean NOT NULL DEFAULT true,
    -- The guardian's own caseload cap; NULL means the configured default (S3).
    caseload_cap      integer CHECK (caseload_cap IS NULL OR caseload_cap BETWEEN 1 AND 1000),
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'person' OR length(btrim(organisation_name)) > 0)
);
CREATE INDEX guardians_region_idx ON guardians (region_id);

-- A conflict of interest a guardian declared with a child: it blocks appointing them.
CREATE TABLE guardian_conflicts (
    id          bigserial PRIMARY KEY,
    guardian_id bigint NOT NULL REFERENCES guardians (id),
    child_id    bigint NOT NULL REFERENCES children (id),
    reason      text NOT NULL CHECK (length(btrim(reason)) > 0),
    declared_by bigint REFERENCES users (id),
    declared_at timestamptz NOT NULL,
    UNIQUE (guardian_id, child_id)
);
CREATE INDEX guardian_conflicts_child_idx ON guardian_conflicts (child_id);

ALTER TABLE guardian_appointments
    ADD COLUMN appointing_authority text NOT NULL DEFAULT '',
    ADD COLUMN decision_reference   text NOT NULL DEFAULT '',
    ADD COLUMN decided_on           date,
    ADD COLUMN first_meeting_at     timestamptz,
    -- How the child and guardian understand each other when they share no language.
    ADD COLUMN interpretation       text NOT NULL DEFAULT '',
    -- Why the guardian's caseload cap was exceeded (S3 override), empty when it was not.
    ADD COLUMN cap_override_reason  text NOT NULL DEFAULT '',
    ADD COLUMN appointed_by         bigint REFERENCES users (id),
    ADD COLUMN ended_by             bigint REFERENCES users (id),
    ADD COLUMN version              integer NOT NULL DEFAULT 1;
-- At most one current provisional representative per child, as for full guardians.
CREATE UNIQUE INDEX guardian_appointments_one_provisional ON guardian_appointments (child_id)
    WHERE ended_at IS NULL AND kind = 'provisional';
-- Caseloads: a guardian's open appointments.
CREATE INDEX guardian_appointments_open_idx ON guardian_appointments (guardian_user_id)
    WHERE ended_at IS NULL;

-- +goose Down
DROP INDEX guardian_appointments_open_idx;
DROP INDEX guardian_appointments_one_provisional;
ALTER TABLE guardian_appointments
    DROP COLUMN appointing_authority, DROP COLUMN decision_reference, DROP COLUMN decided_on,
    DROP COLUMN first_meeting_at, DROP COLUMN interpretation, DROP COLUMN cap_override_reason,
    DROP COLUMN appointed_by, DROP COLUMN ended_by, DROP COLUMN version;
DROP TABLE guardian_conflicts;
DROP TABLE guardians;
