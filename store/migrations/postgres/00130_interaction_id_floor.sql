-- +goose Up
-- Twin of SQLite's 00130 (new interactions numbered above any deleted
-- newest one). PostgreSQL's sequence never reuses an ID: nothing to do.
SELECT 1;

-- +goose Down
SELECT 1;
