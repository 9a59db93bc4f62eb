-- +goose Up
-- Issue 8: who a signed-in request is, in one statement. The session row names its user, so
-- the session, the user and the user's scopes are read together (auth/sessions.go). Rows
-- written before this column existed keep NULL and are resolved the old way until they are
-- rewritten or expire. No foreign key: a session row outlives nothing it needs.
ALTER TABLE sessions ADD COLUMN user_id bigint;

-- +goose Down
ALTER TABLE sessions DROP COLUMN user_id;
