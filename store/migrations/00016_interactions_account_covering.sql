-- +goose Up
-- An account's latest interactions (the card, the brief) are read newest
-- first, summaries included. With only (account_id, at) each row was a
-- random read of the table: an account's rows, logged over months among
-- every other account's, sit on as many pages as there are rows, so the
-- read grew with the file. The index now carries every column those reads
-- take, in their order (at, then id, descending), so they are one
-- contiguous range of it whatever the workspace's size. The name stays:
-- queries name it.
DROP INDEX interactions_account_at;
CREATE INDEX interactions_account_at ON interactions (account_id, at, id, team_id, user_id, kind, summary);

-- +goose Down
DROP INDEX interactions_account_at;
CREATE INDEX interactions_account_at ON interactions (account_id, at);
