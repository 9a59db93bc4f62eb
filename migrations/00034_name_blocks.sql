-- +goose Up
-- Blocking keys for the duplicate check at a million children (issue 12). The check used to
-- find candidates by trigram similarity over every full name (a GIN index): its cost grows
-- with the registry (60 ms for a rare name at 100 000 children on a busy box, several hundred
-- at a million), because common trigrams ("mad", "ahm") have posting lists of every
-- Mohammad and Ahmadi. Candidates are now found by exact keys only — the skeletons of the full
-- name, of each name alone, and of their other spellings — and, within one key, by nearest
-- birth: each name row carries the middle of its child's birth range, and the index
-- (skeleton, kind, birth_mid) hands out the namesakes born closest to the child asked about first,
-- a few dozen per key, however common the name.
--
-- birth_mid is the child's, kept by triggers: set when a name row is written or moved to
-- another child (a merge), and rewritten when the child's birth range changes.
ALTER TABLE child_names ADD COLUMN birth_mid date;

-- +goose StatementBegin
CREATE FUNCTION kujdes_birth_mid(f date, t date) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN f IS NULL THEN t WHEN t IS NULL THEN f ELSE f + (t - f) / 2 END
$$;
-- +goose StatementEnd

UPDATE child_names cn SET birth_mid = kujdes_birth_mid(c.birth_date_from, c.birth_date_to)
FROM children c WHERE c.id = cn.child_id;

-- +goose StatementBegin
CREATE FUNCTION kujdes_child_names_birth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT kujdes_birth_mid(c.birth_date_from, c.birth_date_to) INTO NEW.birth_mid FROM children c WHERE c.id = NEW.child_id;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER child_names_birth BEFORE INSERT OR UPDATE OF child_id ON child_names
    FOR EACH ROW EXECUTE FUNCTION kujdes_child_names_birth();

-- +goose StatementBegin
CREATE FUNCTION kujdes_children_birth_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE child_names SET birth_mid = kujdes_birth_mid(NEW.birth_date_from, NEW.birth_date_to)
    WHERE child_id = NEW.id AND birth_mid IS DISTINCT FROM kujdes_birth_mid(NEW.birth_date_from, NEW.birth_date_to);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER children_birth_names AFTER UPDATE OF birth_date_from, birth_date_to ON children
    FOR EACH ROW WHEN (OLD.birth_date_from IS DISTINCT FROM NEW.birth_date_from OR OLD.birth_date_to IS DISTINCT FROM NEW.birth_date_to)
    EXECUTE FUNCTION kujdes_children_birth_names();

-- The skeleton index, with the kind and the birth middle after it (equality look-ups on the
-- skeleton use it as before); the child and the folded name ride along, so a look-up reads
-- the index only.
CREATE INDEX child_names_block_idx ON child_names (skeleton, kind, birth_mid) INCLUDE (child_id, norm) WHERE skeleton <> '';
DROP INDEX child_names_skeleton_idx;

-- +goose Down
CREATE INDEX child_names_skeleton_idx ON child_names (skeleton) WHERE skeleton <> '';
DROP INDEX child_names_block_idx;
DROP TRIGGER children_birth_names ON children;
DROP FUNCTION kujdes_children_birth_names();
DROP TRIGGER child_names_birth ON child_names;
DROP FUNCTION kujdes_child_names_birth();
ALTER TABLE child_names DROP COLUMN birth_mid;
DROP FUNCTION kujdes_birth_mid(date, date);
