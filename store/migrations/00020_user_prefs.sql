-- +goose Up
-- Each person's own schedule (/kam prefs) and their Slack time zone, and who
-- has opened the App Home (so that a change to their accounts refreshes it).
-- Times are unix milliseconds UTC; 0 means "not yet". Hours are local hours
-- 0-23, -1 for "not set".

CREATE TABLE user_prefs (
    team_id      TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    digest_day   INTEGER NOT NULL DEFAULT 1  CHECK (digest_day BETWEEN 0 AND 6), -- 0 Sunday
    digest_hour  INTEGER NOT NULL DEFAULT -1 CHECK (digest_hour BETWEEN -1 AND 23),
    quiet_from   INTEGER NOT NULL DEFAULT -1 CHECK (quiet_from BETWEEN -1 AND 23),
    quiet_to     INTEGER NOT NULL DEFAULT -1 CHECK (quiet_to BETWEEN -1 AND 23),
    bundle       INTEGER NOT NULL DEFAULT 0  CHECK (bundle IN (0, 1)),
    zone         TEXT    NOT NULL DEFAULT '', -- users.info tz, '' when unknown
    zone_checked INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

-- People who opened the Home tab, with the page they are on.
CREATE TABLE home_views (
    team_id   TEXT    NOT NULL,
    user_id   TEXT    NOT NULL,
    page      INTEGER NOT NULL DEFAULT 0,
    opened_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

-- A person's reminders of the week, for their Home.
CREATE INDEX nudges_recipient ON nudges (team_id, recipient, queued_at);

-- +goose Down
DROP INDEX nudges_recipient;
DROP TABLE home_views;
DROP TABLE user_prefs;
