-- +goose Up
-- Account intelligence: the stakeholder map, selection scoring with its
-- history and per-workspace weights, and the account plan (objectives,
-- tactics, reviews). Every row carries team_id; timestamps are unix
-- milliseconds UTC, calendar dates YYYY-MM-DD text.

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    title      TEXT    NOT NULL DEFAULT '',
    role       TEXT    NOT NULL DEFAULT '', -- '' while unknown
    influence  INTEGER NOT NULL DEFAULT 3 CHECK (influence BETWEEN 1 AND 5),
    stance     INTEGER NOT NULL DEFAULT 0 CHECK (stance BETWEEN -2 AND 2),
    mirror_id  TEXT    NOT NULL DEFAULT '', -- Slack user who owns the relationship
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_account_name ON contacts (account_id, name COLLATE NOCASE);
CREATE INDEX contacts_team_account ON contacts (team_id, account_id);

-- interaction_contacts predates this table and has no foreign key to it:
-- links to a removed stakeholder go with it.
-- +goose StatementBegin
CREATE TRIGGER contacts_unlink AFTER DELETE ON contacts BEGIN
    DELETE FROM interaction_contacts WHERE contact_id = old.id;
END;
-- +goose StatementEnd

-- Real contact (anything but a note), for health over a whole portfolio
-- at a cost bounded by the relationship window and the team sizes, not by
-- the length of history: an account's latest contact and its interactions
-- of the window are one range of interactions_touch_at (covering, so the
-- table is never read), a team member's latest contact is one seek in
-- interactions_touch_user, and the stakeholders named in the window are one
-- range of interaction_contacts_team_at.
CREATE INDEX interactions_touch_at ON interactions (team_id, account_id, at, user_id, kind) WHERE kind <> 'note';
CREATE INDEX interactions_touch_user ON interactions (team_id, account_id, user_id, at) WHERE kind <> 'note';
CREATE INDEX interaction_contacts_team_at ON interaction_contacts (team_id, at, interaction_id, contact_id);

-- One row per scoring; scoring_values holds the full set of factor scores
-- after it (factors not given keep their last value), so any scoring can be
-- read on its own.
CREATE TABLE scorings (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL,
    changed    TEXT    NOT NULL DEFAULT '', -- comma-separated factors set by this scoring
    at         INTEGER NOT NULL
);
CREATE INDEX scorings_account ON scorings (account_id, id);
CREATE INDEX scorings_team_account ON scorings (team_id, account_id, id);

CREATE TABLE scoring_values (
    scoring_id INTEGER NOT NULL REFERENCES scorings (id) ON DELETE CASCADE,
    team_id    TEXT    NOT NULL,
    factor     TEXT    NOT NULL,
    score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    PRIMARY KEY (scoring_id, factor)
) WITHOUT ROWID;

-- Per-workspace factor weights; a factor without a row weighs 1.
CREATE TABLE score_weights (
    team_id    TEXT    NOT NULL,
    factor     TEXT    NOT NULL,
    weight     REAL    NOT NULL CHECK (weight >= 0 AND weight <= 10),
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, factor)
) WITHOUT ROWID;

CREATE TABLE plan_objectives (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    owner      TEXT    NOT NULL CHECK (owner IN ('customer', 'us')),
    text       TEXT    NOT NULL,
    author_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX plan_objectives_account ON plan_objectives (account_id, id);
CREATE INDEX plan_objectives_team ON plan_objectives (team_id, account_id);

CREATE TABLE plan_tactics (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL, -- 1, 2, … per account: what `done <n>` names
    text       TEXT    NOT NULL,
    quarter    TEXT    NOT NULL DEFAULT '' CHECK (quarter IN ('', 'Q1', 'Q2', 'Q3', 'Q4')),
    owner_id   TEXT    NOT NULL DEFAULT '',
    due        TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD or ''
    done_at    INTEGER,                     -- NULL while open
    done_by    TEXT    NOT NULL DEFAULT '',
    author_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, number)
);
CREATE INDEX plan_tactics_team ON plan_tactics (team_id, account_id);

CREATE TABLE plan_reviews (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    at         INTEGER NOT NULL
);
CREATE INDEX plan_reviews_account ON plan_reviews (account_id, at);
CREATE INDEX plan_reviews_team ON plan_reviews (team_id, account_id, at);

-- +goose Down
DROP TABLE plan_reviews;
DROP TABLE plan_tactics;
DROP TABLE plan_objectives;
DROP TABLE score_weights;
DROP TABLE scoring_values;
DROP TABLE scorings;
DROP INDEX interaction_contacts_team_at;
DROP INDEX interactions_touch_user;
DROP INDEX interactions_touch_at;
DROP TRIGGER contacts_unlink;
DROP TABLE contacts;
