-- +goose Up
-- The look-alike key of an account's name (kam.LookAlike): names that read
-- the same (another alphabet's letters, full-width forms) share it, and a
-- new name colliding with an existing key is refused. Rows of older
-- databases get their key from Migrate.
ALTER TABLE accounts ADD COLUMN lookalike TEXT NOT NULL DEFAULT '';
CREATE INDEX accounts_lookalike ON accounts (team_id, lookalike);

-- +goose Down
DROP INDEX accounts_lookalike;
ALTER TABLE accounts DROP COLUMN lookalike;
