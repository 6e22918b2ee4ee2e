-- +goose Up
-- Drops the foreign key of interaction_requests: checking it made recording
-- a request cost as much as the interaction itself on every /kam log. A
-- request whose interaction was deleted since is recognised by reading the
-- interaction with it (store/requests.go), as the cascade did before.
CREATE TABLE interaction_requests_new (
    team_id        TEXT    NOT NULL,
    request_id     TEXT    NOT NULL,
    interaction_id INTEGER NOT NULL,
    seen_at        INTEGER NOT NULL, -- unix milliseconds UTC
    PRIMARY KEY (team_id, request_id)
) WITHOUT ROWID;
INSERT INTO interaction_requests_new (team_id, request_id, interaction_id, seen_at)
    SELECT team_id, request_id, interaction_id, seen_at FROM interaction_requests;
DROP TABLE interaction_requests;
ALTER TABLE interaction_requests_new RENAME TO interaction_requests;

-- +goose Down
CREATE TABLE interaction_requests_old (
    team_id        TEXT    NOT NULL,
    request_id     TEXT    NOT NULL,
    interaction_id INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    seen_at        INTEGER NOT NULL,
    PRIMARY KEY (team_id, request_id)
) WITHOUT ROWID;
INSERT INTO interaction_requests_old (team_id, request_id, interaction_id, seen_at)
    SELECT r.team_id, r.request_id, r.interaction_id, r.seen_at FROM interaction_requests r
    WHERE EXISTS (SELECT 1 FROM interactions i WHERE i.id = r.interaction_id);
DROP TABLE interaction_requests;
ALTER TABLE interaction_requests_old RENAME TO interaction_requests;
