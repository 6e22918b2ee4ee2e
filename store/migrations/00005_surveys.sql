-- +goose Up
-- Satisfaction surveys and the weekly digest's health snapshots. Every row
-- carries team_id; timestamps are unix milliseconds UTC.

-- One NPS question posted to a channel (channel_id) or to one person by DM
-- (user_id). The buttons carry the survey's ID and its random token, so a
-- click can be matched to the survey even when it comes from a customer's
-- workspace through a Slack Connect channel. message_ts and message_channel
-- are filled in by the trigger below once the outbox has delivered the post.
CREATE TABLE surveys (
    id              INTEGER PRIMARY KEY,
    team_id         TEXT    NOT NULL,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    channel_id      TEXT    NOT NULL DEFAULT '',
    user_id         TEXT    NOT NULL DEFAULT '',
    token           TEXT    NOT NULL,
    sent_by         TEXT    NOT NULL,
    sent_at         INTEGER NOT NULL,
    closes_at       INTEGER NOT NULL,
    message_ts      TEXT    NOT NULL DEFAULT '',
    message_channel TEXT    NOT NULL DEFAULT '',
    CHECK ((channel_id = '') <> (user_id = ''))
);
CREATE INDEX surveys_account ON surveys (team_id, account_id, sent_at);

-- One answer per survey and respondent: a second click updates the row.
-- Answers recorded outside Slack have no survey (NULL, and NULLs never
-- collide in a UNIQUE key). respondent is 'user:<Slack ID>' for a click,
-- 'contact:<lower-case name>' or 'anon:<token>' for a recorded answer; the
-- NPS counts each respondent of an account once per period, by their
-- latest answer. at is the time of the latest answer (or update).
CREATE TABLE survey_responses (
    id          INTEGER PRIMARY KEY,
    team_id     TEXT    NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    survey_id   INTEGER REFERENCES surveys (id) ON DELETE CASCADE,
    respondent  TEXT    NOT NULL,
    user_id     TEXT    NOT NULL DEFAULT '',
    user_team   TEXT    NOT NULL DEFAULT '', -- the respondent's own workspace (Slack Connect)
    contact     TEXT    NOT NULL DEFAULT '',
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment     TEXT    NOT NULL DEFAULT '',
    recorded_by TEXT    NOT NULL DEFAULT '', -- who typed a recorded answer
    created_at  INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    UNIQUE (survey_id, respondent)
);
CREATE INDEX survey_responses_team_at ON survey_responses (team_id, at);
CREATE INDEX survey_responses_account_at ON survey_responses (account_id, at);

-- Each account's health as the weekly digest saw it, one row per ISO week
-- (e.g. 2025-W11): the next digest reports the change against it and
-- tells new alerts (by kam.Alert.Key, a JSON array) from known ones.
CREATE TABLE health_snapshots (
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    week       TEXT    NOT NULL,
    score      INTEGER NOT NULL,
    alerts     TEXT    NOT NULL DEFAULT '[]',
    taken_at   INTEGER NOT NULL,
    PRIMARY KEY (team_id, account_id, week)
) WITHOUT ROWID;
CREATE INDEX health_snapshots_week ON health_snapshots (team_id, week);

-- Record where the survey landed once the outbox has posted it (key
-- survey:<id>), so that a click on a copy of the buttons elsewhere can be
-- told from a click on the real message.
-- +goose StatementBegin
CREATE TRIGGER surveys_posted AFTER UPDATE OF status ON outbox
WHEN NEW.status = 'sent' AND NEW.key GLOB 'survey:[0-9]*'
BEGIN
    UPDATE surveys SET message_ts = NEW.slack_ts, message_channel = NEW.slack_channel
    WHERE team_id = NEW.team_id AND id = CAST(substr(NEW.key, 8) AS INTEGER);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER surveys_posted;
DROP TABLE health_snapshots;
DROP TABLE survey_responses;
DROP TABLE surveys;
