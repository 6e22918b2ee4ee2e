-- +goose Up
-- Twin of SQLite's 00111 (its FTS4 index rebuilt with doclists stored
-- newest first). PostgreSQL's index is the GIN index of 00110: nothing to do.
SELECT 1;

-- +goose Down
SELECT 1;
