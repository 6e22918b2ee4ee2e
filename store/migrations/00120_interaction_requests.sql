-- +goose Up
-- The Slack request (trigger_id) each interaction was logged from, so that
-- the same request handled twice — a retry of the HTTP request, a Socket
-- Mode redelivery, whichever replica it reaches — logs one interaction.
-- Written in the interaction's own transaction; rows older than the retry
-- window (an hour) are pruned.
CREATE TABLE interaction_requests (
    team_id        TEXT    NOT NULL,
    request_id     TEXT    NOT NULL,
    interaction_id INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    seen_at        INTEGER NOT NULL, -- unix milliseconds UTC
    PRIMARY KEY (team_id, request_id)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE interaction_requests;
