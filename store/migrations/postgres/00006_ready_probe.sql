-- +goose Up
-- One row that the readiness check rewrites (twin of
-- store/migrations/00006_ready_probe.sql).
CREATE TABLE ready_probe (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    checked_at BIGINT NOT NULL
);
INSERT INTO ready_probe (id, checked_at) VALUES (1, 0);

-- +goose Down
DROP TABLE ready_probe;
