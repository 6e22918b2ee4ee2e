-- +goose Up
-- The durable outbox: every message kambot posts is written here first, with
-- an idempotency key, and delivered by a background sender. Times are unix
-- milliseconds UTC; 0 means "not yet".

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    team_id         TEXT    NOT NULL,
    key             TEXT    NOT NULL,              -- idempotency key, unique per workspace
    channel         TEXT    NOT NULL,              -- channel ID, or a user ID for a DM
    text            TEXT    NOT NULL DEFAULT '',
    blocks          TEXT    NOT NULL DEFAULT '',   -- JSON array of Block Kit blocks, '' for none
    metadata        TEXT    NOT NULL DEFAULT '',   -- JSON object added to the message metadata payload
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,    -- claims so far
    throttles       INTEGER NOT NULL DEFAULT 0,    -- claims that never reached Slack (429, shutdown)
    next_attempt_at INTEGER NOT NULL,
    claimed_at      INTEGER NOT NULL DEFAULT 0,    -- stamp of the latest claim
    verify_since    INTEGER NOT NULL DEFAULT 0,    -- earliest claim whose post may have landed unseen
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER NOT NULL DEFAULT 0,
    failed_at       INTEGER NOT NULL DEFAULT 0,
    slack_ts        TEXT    NOT NULL DEFAULT '',
    slack_channel   TEXT    NOT NULL DEFAULT '',
    UNIQUE (team_id, key)
);

-- Open (pending or sending) messages in per-channel order.
CREATE INDEX outbox_open ON outbox (team_id, channel, id) WHERE status IN ('pending', 'sending');
-- Due work and rows left in flight.
CREATE INDEX outbox_status_due ON outbox (status, next_attempt_at);
-- Per-workspace counts and the admin view.
CREATE INDEX outbox_team_status ON outbox (team_id, status, created_at);

-- The head of each channel: its lowest-ID open message, the only one that may
-- be claimed, which keeps posts in order and at most one per channel in
-- flight. The triggers below keep it exact in every transaction, so that a
-- claim reads one row per channel instead of every queued message.
CREATE TABLE outbox_heads (
    team_id TEXT    NOT NULL,
    channel TEXT    NOT NULL,
    head_id INTEGER NOT NULL,
    PRIMARY KEY (team_id, channel)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER outbox_heads_insert AFTER INSERT ON outbox
WHEN NEW.status IN ('pending', 'sending')
BEGIN
    INSERT INTO outbox_heads (team_id, channel, head_id) VALUES (NEW.team_id, NEW.channel, NEW.id)
    ON CONFLICT (team_id, channel) DO UPDATE SET head_id = min(head_id, excluded.head_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outbox_heads_reopen AFTER UPDATE OF status ON outbox
WHEN NEW.status IN ('pending', 'sending') AND OLD.status NOT IN ('pending', 'sending')
BEGIN
    INSERT INTO outbox_heads (team_id, channel, head_id) VALUES (NEW.team_id, NEW.channel, NEW.id)
    ON CONFLICT (team_id, channel) DO UPDATE SET head_id = min(head_id, excluded.head_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outbox_heads_close AFTER UPDATE OF status ON outbox
WHEN NEW.status NOT IN ('pending', 'sending') AND OLD.status IN ('pending', 'sending')
BEGIN
    DELETE FROM outbox_heads WHERE team_id = NEW.team_id AND channel = NEW.channel;
    INSERT INTO outbox_heads (team_id, channel, head_id)
        SELECT team_id, channel, id FROM outbox
        WHERE team_id = NEW.team_id AND channel = NEW.channel AND status IN ('pending', 'sending')
        ORDER BY id LIMIT 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outbox_heads_delete AFTER DELETE ON outbox
WHEN OLD.status IN ('pending', 'sending')
BEGIN
    DELETE FROM outbox_heads WHERE team_id = OLD.team_id AND channel = OLD.channel;
    INSERT INTO outbox_heads (team_id, channel, head_id)
        SELECT team_id, channel, id FROM outbox
        WHERE team_id = OLD.team_id AND channel = OLD.channel AND status IN ('pending', 'sending')
        ORDER BY id LIMIT 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE outbox_heads;
DROP TABLE outbox;
