-- +goose Up
-- A tactic's quarter carries its year ("2027-Q1"), so that a plan spanning
-- a year end lists its quarters in order. SQLite cannot change a CHECK in
-- place: the table is rebuilt with the same columns. Year-less quarters of
-- older plans stay valid; those whose due date is in that quarter get the
-- due date's year.
CREATE TABLE plan_tactics_new (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL, -- 1, 2, … per account: what `done <n>` names
    text       TEXT    NOT NULL,
    quarter    TEXT    NOT NULL DEFAULT '' CHECK (quarter = '' OR quarter GLOB 'Q[1-4]' OR quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'),
    owner_id   TEXT    NOT NULL DEFAULT '',
    due        TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD or ''
    done_at    INTEGER,                     -- NULL while open
    done_by    TEXT    NOT NULL DEFAULT '',
    author_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, number)
);
INSERT INTO plan_tactics_new (id, team_id, account_id, number, text, quarter, owner_id, due, done_at, done_by, author_id, created_at)
    SELECT id, team_id, account_id, number, text, quarter, owner_id, due, done_at, done_by, author_id, created_at FROM plan_tactics;
DROP TABLE plan_tactics;
ALTER TABLE plan_tactics_new RENAME TO plan_tactics;
CREATE INDEX plan_tactics_team ON plan_tactics (team_id, account_id);
UPDATE plan_tactics SET quarter = substr(due, 1, 4) || '-' || quarter
    WHERE quarter GLOB 'Q[1-4]' AND due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
      AND (CAST(substr(due, 6, 2) AS INTEGER) - 1) / 3 + 1 = CAST(substr(quarter, 2, 1) AS INTEGER);

-- +goose Down
UPDATE plan_tactics SET quarter = substr(quarter, 6) WHERE quarter GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]';
CREATE TABLE plan_tactics_old (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    quarter    TEXT    NOT NULL DEFAULT '' CHECK (quarter IN ('', 'Q1', 'Q2', 'Q3', 'Q4')),
    owner_id   TEXT    NOT NULL DEFAULT '',
    due        TEXT    NOT NULL DEFAULT '',
    done_at    INTEGER,
    done_by    TEXT    NOT NULL DEFAULT '',
    author_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, number)
);
INSERT INTO plan_tactics_old SELECT id, team_id, account_id, number, text, quarter, owner_id, due, done_at, done_by, author_id, created_at FROM plan_tactics;
DROP TABLE plan_tactics;
ALTER TABLE plan_tactics_old RENAME TO plan_tactics;
CREATE INDEX plan_tactics_team ON plan_tactics (team_id, account_id);
