-- +goose Up
-- A batch of logs indexes its interactions once, at its end. FTS4 flushes
-- its pending terms into a new segment whenever a later statement of the
-- same transaction opens a statement journal (every insert that fires a
-- trigger does), so indexing each interaction as it is inserted wrote one
-- segment per interaction, and then merged them: a batch of 64 logs paid
-- 64 segment writes where one suffices. While the batch's transaction holds
-- a row here for interactions (source 1), the insert trigger leaves the
-- index alone and the batch indexes its rows with one statement before it
-- commits (store.commitLogsTx); the row is gone again before the commit, so
-- no other writer and no reader ever sees it, and every other path is
-- indexed by the trigger as before.
CREATE TABLE search_deferred (
    source INTEGER PRIMARY KEY
);

DROP TRIGGER search_interactions_ai;
-- +goose StatementBegin
CREATE TRIGGER search_interactions_ai AFTER INSERT ON interactions
WHEN NOT EXISTS (SELECT 1 FROM search_deferred WHERE source = 1)
BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 1, new.summary, 'a' || new.account_id, new.team_id, new.account_id, new.kind, new.user_id, new.at);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_interactions_ai;
-- +goose StatementBegin
CREATE TRIGGER search_interactions_ai AFTER INSERT ON interactions BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 1, new.summary, 'a' || new.account_id, new.team_id, new.account_id, new.kind, new.user_id, new.at);
END;
-- +goose StatementEnd
DROP TABLE search_deferred;
