-- +goose Up
-- Every instance keeps the users that bearer tokens name for a few seconds (auth.UserCache)
-- and empties that cache when told: a statement that changes a user (active, roles,
-- sessions_valid_after, anything) or their regions or border posts notifies the channel
-- kujdes_users, delivered to every listening instance when the transaction commits.
-- Statement-level: one notification per statement, however many rows (PostgreSQL also folds
-- identical notifications of one transaction into one). Inserting a user needs none (no
-- instance keeps a user it did not find), but an INSERT … ON CONFLICT DO UPDATE fires the
-- UPDATE trigger too.
-- +goose StatementBegin
CREATE FUNCTION notify_users_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kujdes_users', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER users_notify_changed AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed();
CREATE TRIGGER user_regions_notify_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_regions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed();
CREATE TRIGGER user_border_posts_notify_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_border_posts
    FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed();

-- +goose Down
DROP TRIGGER user_border_posts_notify_changed ON user_border_posts;
DROP TRIGGER user_regions_notify_changed ON user_regions;
DROP TRIGGER users_notify_changed ON users;
DROP FUNCTION notify_users_changed();
