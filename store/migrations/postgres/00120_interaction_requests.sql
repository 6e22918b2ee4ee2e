-- +goose Up
-- The Slack request each interaction was logged from (twin of
-- store/migrations/00120_interaction_requests.sql).
CREATE TABLE interaction_requests (
    team_id        TEXT COLLATE "C" NOT NULL,
    request_id     TEXT COLLATE "C" NOT NULL,
    interaction_id BIGINT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    seen_at        BIGINT NOT NULL,
    PRIMARY KEY (team_id, request_id)
);

-- +goose Down
DROP TABLE interaction_requests;
