-- +goose Up
-- The look-alike key of an account's name (twin of
-- store/migrations/00009_account_lookalike.sql).
ALTER TABLE accounts ADD COLUMN lookalike TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX accounts_lookalike ON accounts (team_id, lookalike);

-- +goose Down
DROP INDEX accounts_lookalike;
ALTER TABLE accounts DROP COLUMN lookalike;
