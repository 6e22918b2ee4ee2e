-- +goose Up
-- When each channel was last served (twin of
-- store/migrations/00007_outbox_served.sql).
CREATE TABLE outbox_served (
    team_id   TEXT COLLATE "C" NOT NULL,
    channel   TEXT COLLATE "C" NOT NULL,
    served_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, channel)
);

-- +goose StatementBegin
CREATE FUNCTION outbox_served_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_served (team_id, channel, served_at) VALUES (NEW.team_id, NEW.channel, NEW.claimed_at)
    ON CONFLICT (team_id, channel) DO UPDATE SET served_at = excluded.served_at;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER outbox_served_claim AFTER UPDATE OF status ON outbox FOR EACH ROW
    WHEN (NEW.status = 'sending' AND OLD.status = 'pending') EXECUTE FUNCTION outbox_served_claim();

-- +goose Down
DROP TRIGGER outbox_served_claim ON outbox;
DROP FUNCTION outbox_served_claim();
DROP TABLE outbox_served;
