-- +goose Up
-- Twin of PostgreSQL's 00110 (a tsvector column and GIN index for ranked
-- search there). SQLite searches its FTS4 index (00040): nothing to do.
SELECT 1;

-- +goose Down
SELECT 1;
