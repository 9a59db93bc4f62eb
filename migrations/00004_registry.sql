-- +goose Up
-- The arrivals registry: who the child is (names in any script, their Latin transliteration
-- and aliases, sex, birth date or an estimated range, nationalities, languages, protection
-- status, vulnerabilities and trafficking indicators), every arrival, age assessments, and
-- reversible merges of duplicate records.

-- Registration numbers: <prefix>-<year>-<six digits>, the digits from this sequence.
CREATE SEQUENCE child_registration_seq;
SELECT setval('child_registration_seq', GREATEST((SELECT count(*) FROM children), 1), (SELECT count(*) FROM children) > 0);

ALTER TABLE children
    ADD COLUMN given_name             text NOT NULL DEFAULT '',
    ADD COLUMN family_name            text NOT NULL DEFAULT '',
    ADD COLUMN given_name_latin       text NOT NULL DEFAULT '',
    ADD COLUMN family_name_latin      text NOT NULL DEFAULT '',
    ADD COLUMN sex                    text NOT NULL DEFAULT 'unknown' CHECK (sex IN ('female','male','other','unknown')),
    -- A known birth date has from = to; an estimated age gives the range of possible dates.
    ADD COLUMN birth_date_known       boolean NOT NULL DEFAULT false,
    ADD COLUMN birth_date_from        date,
    ADD COLUMN birth_date_to          date,
    ADD COLUMN nationalities          text[] NOT NULL DEFAULT '{}',
    ADD COLUMN languages              text[] NOT NULL DEFAULT '{}',
    ADD COLUMN protection_status      text NOT NULL DEFAULT 'unaccompanied' CHECK (protection_status IN ('unaccompanied','separated')),
    ADD COLUMN vulnerabilities        text[] NOT NULL DEFAULT '{}',
    ADD COLUMN special_needs          text NOT NULL DEFAULT '',
    ADD COLUMN trafficking_indicators text[] NOT NULL DEFAULT '{}',
    ADD COLUMN trafficking_notes      text NOT NULL DEFAULT '',
    -- Standard S4: special needs identified within 24 h of registration.
    ADD COLUMN vulnerabilities_assessed_at timestamptz,
    -- The "needs a guardian" clock (S1, S2) starts here.
    ADD COLUMN registered_at          timestamptz,
    ADD COLUMN registered_by          bigint REFERENCES users (id),
    ADD COLUMN duplicate_of           bigint REFERENCES children (id),
    ADD CONSTRAINT children_birth_range CHECK (birth_date_from IS NULL OR birth_date_to IS NULL OR birth_date_from <= birth_date_to),
    ADD CONSTRAINT children_not_own_duplicate CHECK (duplicate_of IS NULL OR duplicate_of <> id);

-- Children recorded before this migration were registered when they were created.
UPDATE children SET registered_at = created_at WHERE registered_at IS NULL;
ALTER TABLE children ALTER COLUMN registered_at SET NOT NULL, ALTER COLUMN registered_at SET DEFAULT now();
CREATE INDEX children_registered_at_idx ON children (registered_at);

-- Every name a child is known by, for the duplicate search: as written (any script), its
-- Latin transliteration, the accent-folded lower-case form that trigram search uses, and a
-- consonant skeleton that survives vowel spelling (Mohammad / Muhammad / Mohamed).
CREATE TABLE child_names (
    id        bigserial PRIMARY KEY,
    child_id  bigint NOT NULL REFERENCES children (id) ON DELETE CASCADE,
    kind      text NOT NULL CHECK (kind IN ('given','family','full','alias')),
    original  text NOT NULL,
    latin     text NOT NULL,
    norm      text GENERATED ALWAYS AS (lower(kujdes_unaccent(latin))) STORED,
    skeleton  text NOT NULL DEFAULT ''
);
CREATE INDEX child_names_child_idx ON child_names (child_id);
CREATE INDEX child_names_norm_trgm_idx ON child_names USING gin (norm gin_trgm_ops);
CREATE INDEX child_names_skeleton_idx ON child_names (skeleton) WHERE skeleton <> '';

CREATE TABLE arrivals (
    id                  bigserial PRIMARY KEY,
    child_id            bigint NOT NULL REFERENCES children (id),
    arrived_at          timestamptz NOT NULL,
    border_post_id      bigint REFERENCES border_posts (id),
    location            text NOT NULL DEFAULT '',
    how_found           text NOT NULL CHECK (how_found IN
                        ('presented_at_border','border_check','police_operation','ngo_referral','found_alone','other')),
    -- [{"relation": "uncle", "name": "…", "verified": false}] — an unverified or unrelated
    -- adult is a trafficking indicator.
    accompanying_adults jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(accompanying_adults) = 'array'),
    -- [{"type": "passport", "number": "…", "country": "AF"}]
    documents           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(documents) = 'array'),
    notes               text NOT NULL DEFAULT '',
    registered_by       bigint REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX arrivals_child_idx ON arrivals (child_id, arrived_at);
CREATE INDEX arrivals_post_idx ON arrivals (border_post_id, arrived_at DESC);

CREATE TABLE age_assessments (
    id                    bigserial PRIMARY KEY,
    child_id              bigint NOT NULL REFERENCES children (id),
    requested_at          timestamptz NOT NULL,
    requested_by          bigint REFERENCES users (id),
    reason                text NOT NULL CHECK (length(btrim(reason)) > 0),
    methods               text[] NOT NULL CHECK (cardinality(methods) > 0 AND
                          methods <@ ARRAY['documents','interview','psychosocial','medical']::text[]),
    -- Medical methods only as a last resort, with the reason the others were insufficient.
    medical_justification text NOT NULL DEFAULT '',
    professionals         text NOT NULL DEFAULT '',
    result_min            smallint CHECK (result_min BETWEEN 0 AND 99),
    result_max            smallint CHECK (result_max BETWEEN 0 AND 99),
    outcome               text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending','minor','adult','inconclusive')),
    decided_at            timestamptz,
    appeal_lodged_at      timestamptz,
    appeal_outcome        text NOT NULL DEFAULT '',
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ('medical' <> ALL (methods) OR length(btrim(medical_justification)) > 0),
    CHECK (result_min IS NULL OR result_max IS NULL OR result_min <= result_max),
    -- Benefit of the doubt: a range reaching below 18 cannot conclude "adult".
    CHECK (outcome <> 'adult' OR (result_min IS NOT NULL AND result_min >= 18))
);
CREATE INDEX age_assessments_child_idx ON age_assessments (child_id, requested_at);

-- A merge marks one record a duplicate of another and moves its arrivals and names; the row
-- remembers what moved so the merge can be undone.
CREATE TABLE child_merges (
    id                bigserial PRIMARY KEY,
    survivor_id       bigint NOT NULL REFERENCES children (id),
    duplicate_id      bigint NOT NULL REFERENCES children (id),
    moved_arrival_ids bigint[] NOT NULL DEFAULT '{}',
    moved_name_ids    bigint[] NOT NULL DEFAULT '{}',
    previous_status   text NOT NULL,
    reason            text NOT NULL CHECK (length(btrim(reason)) > 0),
    merged_by         bigint REFERENCES users (id),
    merged_at         timestamptz NOT NULL,
    undone_by         bigint REFERENCES users (id),
    undone_at         timestamptz,
    CHECK (survivor_id <> duplicate_id)
);
CREATE UNIQUE INDEX child_merges_one_active ON child_merges (duplicate_id) WHERE undone_at IS NULL;

-- +goose Down
DROP TABLE child_merges;
DROP TABLE age_assessments;
DROP TABLE arrivals;
DROP TABLE child_names;
ALTER TABLE children
    DROP COLUMN given_name, DROP COLUMN family_name, DROP COLUMN given_name_latin,
    DROP COLUMN family_name_latin, DROP COLUMN sex, DROP COLUMN birth_date_known,
    DROP COLUMN birth_date_from, DROP COLUMN birth_date_to, DROP COLUMN nationalities,
    DROP COLUMN languages, DROP COLUMN protection_status, DROP COLUMN vulnerabilities,
    DROP COLUMN special_needs, DROP COLUMN trafficking_indicators, DROP COLUMN trafficking_notes,
    DROP COLUMN vulnerabilities_assessed_at, DROP COLUMN registered_at, DROP COLUMN registered_by,
    DROP COLUMN duplicate_of;
DROP SEQUENCE child_registration_seq;
