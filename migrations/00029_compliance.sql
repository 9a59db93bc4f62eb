-- +goose Up
-- Compliance monitoring (issue 11, docs/compliance.md). The dashboard reads only these
-- tables, which a refresh (registry/compliance_refresh.go) rewrites in one transaction from the
-- rules of compliance/: so the dashboard costs the same at a thousand children as at a million.

-- Each refresh: when, with which thresholds (a change of thresholds is audited), how much.
CREATE TABLE compliance_refreshes (
    id          bigserial PRIMARY KEY,
    computed_at timestamptz NOT NULL,
    thresholds  jsonb NOT NULL,
    children    integer NOT NULL,
    violations  integer NOT NULL,
    took_ms     integer NOT NULL
);

-- The violations open at the last refresh, pseudonymised (no name, no address): what a
-- monitor's list shows. A violation keeps its id across refreshes while it stays open
-- (unique on child, rule and deadline); generation is the refresh that last saw it.
CREATE TABLE compliance_violations (
    id                  bigserial PRIMARY KEY,
    generation          bigint NOT NULL,
    child_id            bigint NOT NULL REFERENCES children (id),
    rule                text NOT NULL,
    region_id           bigint NOT NULL REFERENCES regions (id),
    facility_id         bigint,
    guardian_id         bigint,
    registration_number text NOT NULL,
    age_band            text NOT NULL DEFAULT '',
    nationalities       text[] NOT NULL DEFAULT '{}',
    since               timestamptz NOT NULL,
    due                 timestamptz NOT NULL,
    days                integer NOT NULL,
    threshold           integer NOT NULL,
    unit                text NOT NULL,
    resolve             text NOT NULL,
    facts               jsonb NOT NULL DEFAULT '[]',
    computed_at         timestamptz NOT NULL,
    UNIQUE (child_id, rule, due)
);
CREATE INDEX compliance_violations_rule_idx ON compliance_violations (rule, region_id, id);
CREATE INDEX compliance_violations_region_idx ON compliance_violations (region_id, rule);
CREATE INDEX compliance_violations_facility_idx ON compliance_violations (facility_id, rule) WHERE facility_id IS NOT NULL;
CREATE INDEX compliance_violations_guardian_idx ON compliance_violations (guardian_id, rule) WHERE guardian_id IS NOT NULL;
CREATE INDEX compliance_violations_generation_idx ON compliance_violations (generation);

-- The indicators' cases per month, region, facility and guardian, as distributions (value →
-- n): facility_id = 0 and guardian_id = 0 is the region's own row; a facility's row has
-- guardian_id = 0, a guardian's facility_id = 0. Shares and counts have values 0 and 1,
-- medians the measure (working days, minutes), so every figure — a median too — sums exactly
-- over regions.
CREATE TABLE compliance_monthly (
    month       date NOT NULL,
    region_id   bigint NOT NULL REFERENCES regions (id),
    facility_id bigint NOT NULL DEFAULT 0,
    guardian_id bigint NOT NULL DEFAULT 0,
    indicator   text NOT NULL,
    value       integer NOT NULL,
    n           integer NOT NULL CHECK (n > 0),
    PRIMARY KEY (region_id, facility_id, guardian_id, indicator, month, value)
);
CREATE INDEX compliance_monthly_facility_idx ON compliance_monthly (facility_id, indicator, month) WHERE facility_id <> 0;
CREATE INDEX compliance_monthly_guardian_idx ON compliance_monthly (guardian_id, indicator, month) WHERE guardian_id <> 0;

-- The open violations rolled up per region, facility and guardian (dim) and rule: how many
-- distinct children; rule '*' counts the children with any open violation. The dashboard's
-- breakdowns read these few rows instead of grouping the violations.
CREATE TABLE compliance_open (
    dim       text NOT NULL CHECK (dim IN ('region','facility','guardian')),
    id        bigint NOT NULL,
    region_id bigint NOT NULL REFERENCES regions (id),
    rule      text NOT NULL,
    n         integer NOT NULL CHECK (n > 0),
    PRIMARY KEY (dim, region_id, id, rule)
);
CREATE INDEX compliance_open_top_idx ON compliance_open (dim, rule, n DESC);

-- +goose Down
DROP TABLE compliance_open;
DROP TABLE compliance_monthly;
DROP TABLE compliance_violations;
DROP TABLE compliance_refreshes;
