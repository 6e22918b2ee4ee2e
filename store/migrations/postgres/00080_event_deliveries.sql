-- +goose Up
-- Events API callbacks already handled (twin of
-- store/migrations/00080_event_deliveries.sql).
CREATE TABLE event_deliveries (
    event_id TEXT COLLATE "C" PRIMARY KEY,
    seen_at  BIGINT NOT NULL
);
CREATE INDEX event_deliveries_seen ON event_deliveries (seen_at);

-- +goose Down
DROP TABLE event_deliveries;
