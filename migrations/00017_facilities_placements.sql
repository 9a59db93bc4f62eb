-- +goose Up
-- Issue 9 (facilities and placements): where a child sleeps tonight, and whether it is safe.
-- A facility's occupancy is not stored: it is counted from the placements current now. A
-- child's current placement is not stored either: it is the placement of their history whose
-- period contains now (registry/placements.go, placementCurrent).

-- btree_gist lets one exclusion constraint say "no two placements of a child overlap" (it is
-- a trusted extension: a non-superuser database owner may create it).
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE facilities (
    id                 bigserial PRIMARY KEY,
    name               text NOT NULL CHECK (length(btrim(name)) > 0),
    kind               text NOT NULL CHECK (kind IN ('foster_family','kinship_care','childrens_centre',
                       'supervised_independent_living','adult_reception_centre','police_detention')),
    operator           text NOT NULL DEFAULT '',
    region_id          bigint NOT NULL REFERENCES regions (id),
    -- Who may read the address is a permission (facility.address; never border officers).
    address            text NOT NULL DEFAULT '',
    capacity           integer NOT NULL CHECK (capacity BETWEEN 0 AND 10000),
    age_min            smallint NOT NULL DEFAULT 0 CHECK (age_min BETWEEN 0 AND 99),
    age_max            smallint NOT NULL DEFAULT 17 CHECK (age_max BETWEEN 0 AND 99),
    sexes_accepted     text[] NOT NULL DEFAULT '{female,male,other,unknown}'
                       CHECK (sexes_accepted <@ ARRAY['female','male','other','unknown']::text[]),
    licence_number     text NOT NULL DEFAULT '',
    licence_expires_on date,
    active             boolean NOT NULL DEFAULT true,
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (age_min <= age_max)
);
CREATE INDEX facilities_region_idx ON facilities (region_id, name);
CREATE INDEX facilities_name_idx ON facilities (name, id);

CREATE TABLE placements (
    id                  bigserial PRIMARY KEY,
    child_id            bigint NOT NULL REFERENCES children (id),
    facility_id         bigint NOT NULL REFERENCES facilities (id),
    started_at          timestamptz NOT NULL,
    ended_at            timestamptz,
    -- Why the child moved here (the reason for the change).
    reason              text NOT NULL CHECK (length(btrim(reason)) > 0),
    -- Who took the decision (a person or an authority, as written) and who recorded it.
    decided_by          text NOT NULL CHECK (length(btrim(decided_by)) > 0),
    recorded_by         bigint REFERENCES users (id),
    -- S6: a 16- or 17-year-old in an adult reception centre only with this justification.
    best_interests      text NOT NULL DEFAULT '',
    -- The warnings the decision overrode (over capacity, licence expired…) and why.
    warnings            text[] NOT NULL DEFAULT '{}',
    warning_justification text NOT NULL DEFAULT '',
    end_reason          text NOT NULL DEFAULT '',
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR ended_at > started_at),
    CHECK (cardinality(warnings) = 0 OR length(btrim(warning_justification)) > 0),
    -- A child is in one place at a time: no two placements of a child overlap, even when two
    -- decisions are recorded at the same moment.
    CONSTRAINT placements_no_overlap EXCLUDE USING gist
        (child_id WITH =, tstzrange(started_at, ended_at, '[)') WITH &&)
);
CREATE INDEX placements_child_idx ON placements (child_id, started_at DESC);
CREATE INDEX placements_facility_idx ON placements (facility_id, started_at) INCLUDE (ended_at);

-- A condition check of a placement (S7: reviewed at least every 3 months). Each condition is
-- answered yes, no or not applicable.
CREATE TABLE placement_checks (
    id                   bigserial PRIMARY KEY,
    placement_id         bigint NOT NULL REFERENCES placements (id),
    child_id             bigint NOT NULL REFERENCES children (id),
    checked_on           date NOT NULL,
    checked_by           bigint REFERENCES users (id),
    separated_from_adults text NOT NULL CHECK (separated_from_adults IN ('yes','no','na')),
    same_sex_sleeping    text NOT NULL CHECK (same_sex_sleeping IN ('yes','no','na')),
    school_access        text NOT NULL CHECK (school_access IN ('yes','no','na')),
    health_care          text NOT NULL CHECK (health_care IN ('yes','no','na')),
    interpreter          text NOT NULL CHECK (interpreter IN ('yes','no','na')),
    psychosocial_support text NOT NULL CHECK (psychosocial_support IN ('yes','no','na')),
    safety_concerns      text NOT NULL DEFAULT '',
    child_view           text NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX placement_checks_placement_idx ON placement_checks (placement_id, checked_on DESC);
CREATE INDEX placement_checks_child_idx ON placement_checks (child_id, checked_on DESC);

CREATE TABLE facility_inspections (
    id            bigserial PRIMARY KEY,
    facility_id   bigint NOT NULL REFERENCES facilities (id),
    inspected_on  date NOT NULL,
    inspector     text NOT NULL CHECK (length(btrim(inspector)) > 0),
    -- The checklist items found in order.
    checklist     text[] NOT NULL DEFAULT '{}',
    findings      text NOT NULL DEFAULT '',
    follow_up_due date,
    recorded_by   bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (follow_up_due IS NULL OR follow_up_due >= inspected_on)
);
CREATE INDEX facility_inspections_facility_idx ON facility_inspections (facility_id, inspected_on DESC);

-- +goose Down
DROP TABLE facility_inspections;
DROP TABLE placement_checks;
DROP TABLE placements;
DROP TABLE facilities;
DROP EXTENSION IF EXISTS btree_gist;
