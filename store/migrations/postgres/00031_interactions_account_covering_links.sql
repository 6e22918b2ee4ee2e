-- +goose Up
-- Twin of the SQLite 00031, which widens the covering index by the
-- permalink and edit time. The PostgreSQL index carries no free text
-- (00016 says why), so it stays as it is; the migration exists to keep
-- the numbering of both backends the same.
SELECT 1;

-- +goose Down
SELECT 1;
