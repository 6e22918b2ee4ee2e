-- +goose Up
-- Twin of the SQLite 00016. PostgreSQL's btree refuses an index entry
-- larger than about a third of a page, and a summary is free text of any
-- length, so the index keys (account_id, at, id) in the order the reads
-- take them and leaves the row's other columns to the heap. The name stays:
-- queries name it.
DROP INDEX interactions_account_at;
CREATE INDEX interactions_account_at ON interactions (account_id, at, id);

-- +goose Down
DROP INDEX interactions_account_at;
CREATE INDEX interactions_account_at ON interactions (account_id, at);
