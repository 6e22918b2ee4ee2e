-- +goose Up
-- One row that the readiness check rewrites: ready means a write commits,
-- not only that the file can be read (a read-only file system or a full
-- disk leaves reads working).
CREATE TABLE ready_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL -- unix milliseconds UTC of the last probe
);
INSERT INTO ready_probe (id, checked_at) VALUES (1, 0);

-- +goose Down
DROP TABLE ready_probe;
