-- +goose Up
-- Issue 10 (missing children): every time a child goes missing is an episode — when and where
-- the child was last seen, who discovered it, the risk, how the state reacted (police, the
-- 116 000 hotline, an SIS/Interpol notice, the guardian) and, once found, where and in what
-- condition, and the return interview (S10). The child's status moves to "missing" and back
-- to "active" only through the lifecycle transitions report_missing and found
-- (registry/lifecycle.go); the open placement stays open while the child is missing.
CREATE TABLE missing_episodes (
    id                   bigserial PRIMARY KEY,
    child_id             bigint NOT NULL REFERENCES children (id),
    last_seen_at         timestamptz NOT NULL,
    last_seen_place      text NOT NULL CHECK (length(btrim(last_seen_place)) > 0),
    last_seen_with       text NOT NULL DEFAULT '',
    discovered_at        timestamptz NOT NULL,
    discovered_by        text NOT NULL CHECK (length(btrim(discovered_by)) > 0),
    circumstances        text NOT NULL DEFAULT '',
    -- What the child looked like and wore when last seen (for the missing-person sheet).
    description          text NOT NULL DEFAULT '',
    -- The reporter's assessment, and the risk after the automatic rules (registry/missing_rules.go).
    risk_assessed        text NOT NULL CHECK (risk_assessed IN ('low','medium','high')),
    risk                 text NOT NULL CHECK (risk IN ('low','medium','high')),
    risk_reasons         text[] NOT NULL DEFAULT '{}',
    strategy_meeting     boolean NOT NULL DEFAULT false,
    reported_at          timestamptz NOT NULL,
    reported_by          bigint REFERENCES users (id),
    -- The reaction (S9: police without delay).
    police_reported_at   timestamptz,
    police_reference     text NOT NULL DEFAULT '',
    hotline_notified_at  timestamptz,
    sis_requested_at     timestamptz,
    sis_reference        text NOT NULL DEFAULT '',
    guardian_informed_at timestamptz,
    -- Found / returned.
    found_at             timestamptz,
    found_place          text NOT NULL DEFAULT '',
    found_by             text NOT NULL DEFAULT '',
    found_condition      text NOT NULL DEFAULT '' CHECK (found_condition IN ('','unharmed','injured','ill','distressed','other')),
    found_notes          text NOT NULL DEFAULT '',
    found_recorded_by    bigint REFERENCES users (id),
    found_placement_id   bigint REFERENCES placements (id),
    -- The return interview (S10: within 72 hours of being found).
    interview_at         timestamptz,
    interview_by         text NOT NULL DEFAULT '',
    interview_summary    text NOT NULL DEFAULT '',
    interview_recorded_by bigint REFERENCES users (id),
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (discovered_at >= last_seen_at),
    CHECK (found_at IS NULL OR found_at >= last_seen_at),
    CHECK (found_at IS NOT NULL OR interview_at IS NULL)
);
-- A child is missing once at a time.
CREATE UNIQUE INDEX missing_episodes_one_open ON missing_episodes (child_id) WHERE found_at IS NULL;
CREATE INDEX missing_episodes_child_idx ON missing_episodes (child_id, discovered_at DESC);
-- The return interviews still due (needs-action queue, S10).
CREATE INDEX missing_episodes_interview_due_idx ON missing_episodes (child_id) WHERE found_at IS NOT NULL AND interview_at IS NULL;

-- +goose Down
DROP TABLE missing_episodes;
