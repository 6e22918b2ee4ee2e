-- +goose Up
-- Twin of the SQLite 00020: each person's own schedule (/kam prefs), their
-- Slack time zone, and who has opened the App Home.
CREATE TABLE user_prefs (
    team_id      TEXT COLLATE "C" NOT NULL,
    user_id      TEXT COLLATE "C" NOT NULL,
    digest_day   BIGINT NOT NULL DEFAULT 1  CHECK (digest_day BETWEEN 0 AND 6), -- 0 Sunday
    digest_hour  BIGINT NOT NULL DEFAULT -1 CHECK (digest_hour BETWEEN -1 AND 23),
    quiet_from   BIGINT NOT NULL DEFAULT -1 CHECK (quiet_from BETWEEN -1 AND 23),
    quiet_to     BIGINT NOT NULL DEFAULT -1 CHECK (quiet_to BETWEEN -1 AND 23),
    bundle       BIGINT NOT NULL DEFAULT 0  CHECK (bundle IN (0, 1)),
    zone         TEXT COLLATE "C" NOT NULL DEFAULT '',
    zone_checked BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE home_views (
    team_id   TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    page      BIGINT NOT NULL DEFAULT 0,
    opened_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

CREATE INDEX nudges_recipient ON nudges (team_id, recipient, queued_at);

-- +goose Down
DROP INDEX nudges_recipient;
DROP TABLE home_views;
DROP TABLE user_prefs;
