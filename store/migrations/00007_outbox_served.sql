-- +goose Up
-- When each channel was last served (the latest claim of one of its
-- messages), so that a claim shares out a workspace's posts round-robin over
-- its channels: the channel served longest ago goes first, and one busy
-- channel cannot hold back another. Kept by the trigger below; the rows of
-- channels with nothing queued are pruned with old messages.
CREATE TABLE outbox_served (
    team_id   TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    served_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, channel)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER outbox_served_claim AFTER UPDATE OF status ON outbox
WHEN NEW.status = 'sending' AND OLD.status = 'pending'
BEGIN
    INSERT INTO outbox_served (team_id, channel, served_at) VALUES (NEW.team_id, NEW.channel, NEW.claimed_at)
    ON CONFLICT (team_id, channel) DO UPDATE SET served_at = excluded.served_at;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER outbox_served_claim;
DROP TABLE outbox_served;
