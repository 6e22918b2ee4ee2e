-- +goose Up
-- The account strategy charter: the situation analysis (the customer's
-- business, their challenges), the customer's SWOT, the barriers and
-- enablers of our plan, and the strategies that link our objectives to the
-- quarterly tactics. Dropping a line retires it (retired_at); nothing is
-- deleted, so a review can see what the charter said before.

CREATE TABLE plan_charter (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('situation', 'challenge', 'strength', 'weakness',
                                                'opportunity', 'threat', 'barrier', 'enabler')),
    number     INTEGER NOT NULL, -- 1, 2, … per account and kind
    text       TEXT    NOT NULL,
    author_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    retired_by TEXT    NOT NULL DEFAULT '',
    UNIQUE (account_id, kind, number)
);
CREATE INDEX plan_charter_team ON plan_charter (team_id, account_id);

CREATE TABLE plan_strategies (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT    NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL, -- 1, 2, … per account: what tactic's strategy= names
    objective_id INTEGER REFERENCES plan_objectives (id) ON DELETE SET NULL,
    text         TEXT    NOT NULL,
    author_id    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    retired_at   INTEGER,
    retired_by   TEXT    NOT NULL DEFAULT '',
    UNIQUE (account_id, number)
);
CREATE INDEX plan_strategies_team ON plan_strategies (team_id, account_id);

-- A tactic carries out one strategy (0: none named).
ALTER TABLE plan_tactics ADD COLUMN strategy INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE plan_tactics DROP COLUMN strategy;
DROP TABLE plan_strategies;
DROP TABLE plan_charter;
