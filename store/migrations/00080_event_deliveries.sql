-- +goose Up
-- Events API callbacks already handled, by event_id, so that Slack's
-- retries are dropped whichever replica they reach. Rows older than the
-- retry window (an hour) are pruned. Numbered past the range other tables
-- take, so that it sorts after them whatever order they land in.
CREATE TABLE event_deliveries (
    event_id TEXT    PRIMARY KEY,
    seen_at  INTEGER NOT NULL -- unix milliseconds UTC
) WITHOUT ROWID;
CREATE INDEX event_deliveries_seen ON event_deliveries (seen_at);

-- +goose Down
DROP TABLE event_deliveries;
