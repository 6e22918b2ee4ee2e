-- +goose Up
-- The card and the brief now also read an interaction's permalink and when
-- it was last edited (00030): the covering index of an account's latest
-- interactions (00016) carries them too, so those reads stay one contiguous
-- range of the index whatever the workspace's size.
DROP INDEX interactions_account_at;
CREATE INDEX interactions_account_at ON interactions (account_id, at, id, team_id, user_id, kind, summary, permalink, edited_at);

-- +goose Down
DROP INDEX interactions_account_at;
CREATE INDEX interactions_account_at ON interactions (account_id, at, id, team_id, user_id, kind, summary);
