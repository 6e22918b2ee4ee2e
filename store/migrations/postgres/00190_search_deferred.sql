-- +goose Up
-- Twin of SQLite's 00190 (a batch of logs indexes its interactions once,
-- at its end, instead of one FTS4 segment per interaction). PostgreSQL's
-- search table has no pending terms to flush: its trigger stays as it is.
SELECT 1;

-- +goose Down
SELECT 1;
