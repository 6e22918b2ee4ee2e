-- +goose Up
-- The search index again, its doclists stored newest first (order=desc).
-- Searches read the newest matches first (ORDER BY docid DESC): with the
-- doclists in that order FTS4 reads them incrementally and stops at the
-- candidate limit, where an ascending index makes it load and walk every
-- doclist of the query to the end (a common word: hundreds of thousands of
-- entries). Same columns, same docids: the triggers of 00040 write to it
-- unchanged. The rows already written are indexed again by
-- store.BuildSearchIndex (`kambot migrate` with progress, or `serve` in the
-- background), from the start.
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts4 (
    body, scope, team_id, account_id, kind, author, at,
    notindexed=team_id, notindexed=account_id, notindexed=kind, notindexed=author, notindexed=at,
    order=desc,
    tokenize=unicode61 "remove_diacritics=2"
);
INSERT INTO search_fts (search_fts) VALUES ('automerge=8');

UPDATE search_backfill SET done = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM interactions) WHERE source = 1;
UPDATE search_backfill SET done = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM plan_objectives) WHERE source = 2;
UPDATE search_backfill SET done = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM plan_tactics) WHERE source = 3;
UPDATE search_backfill SET done = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM plan_reviews) WHERE source = 4;
UPDATE search_backfill SET done = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM contacts) WHERE source = 5;
UPDATE search_backfill SET done = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM survey_responses) WHERE source = 6;
UPDATE search_backfill SET done = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM stage_changes) WHERE source = 7;

-- +goose Down
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts4 (
    body, scope, team_id, account_id, kind, author, at,
    notindexed=team_id, notindexed=account_id, notindexed=kind, notindexed=author, notindexed=at,
    tokenize=unicode61 "remove_diacritics=2"
);
INSERT INTO search_fts (search_fts) VALUES ('automerge=8');
UPDATE search_backfill SET done = 0;
