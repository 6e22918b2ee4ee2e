-- +goose Up
-- The method's results: a revenue target per account and year, and a dated
-- history of revenue, share of wallet, relationship level and tier. Both are
-- append-only: setting a value adds a row, so "revenue a year ago" and
-- "the target as it was set in March" can always be answered. Accounts can
-- be de-selected (archived) at the yearly selection review: hidden from
-- lists, their history kept, reactivatable.

CREATE TABLE account_history (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    field      TEXT    NOT NULL CHECK (field IN ('revenue', 'wallet', 'level', 'tier')),
    value      TEXT    NOT NULL, -- revenue: whole units; wallet: percent; level and tier: their names
    at         INTEGER NOT NULL  -- when the value took effect, unix milliseconds UTC
);
CREATE INDEX account_history_account ON account_history (team_id, account_id, field, at);

-- Every change of the four fields, whatever path wrote it (/kam add, set,
-- import), lands here in the same transaction.
-- +goose StatementBegin
CREATE TRIGGER account_history_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO account_history (team_id, account_id, field, value, at)
        SELECT new.team_id, new.id, 'tier', new.tier, new.created_at
        UNION ALL SELECT new.team_id, new.id, 'level', new.level, new.created_at
        UNION ALL SELECT new.team_id, new.id, 'revenue', new.revenue, new.created_at WHERE new.revenue <> 0
        UNION ALL SELECT new.team_id, new.id, 'wallet', new.wallet_pct, new.created_at WHERE new.wallet_pct <> 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_history_update AFTER UPDATE OF tier, level, revenue, wallet_pct ON accounts BEGIN
    INSERT INTO account_history (team_id, account_id, field, value, at)
        SELECT new.team_id, new.id, 'tier', new.tier, new.updated_at WHERE new.tier IS NOT old.tier
        UNION ALL SELECT new.team_id, new.id, 'level', new.level, new.updated_at WHERE new.level IS NOT old.level
        UNION ALL SELECT new.team_id, new.id, 'revenue', new.revenue, new.updated_at WHERE new.revenue IS NOT old.revenue
        UNION ALL SELECT new.team_id, new.id, 'wallet', new.wallet_pct, new.updated_at WHERE new.wallet_pct IS NOT old.wallet_pct;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_history_append_only BEFORE UPDATE ON account_history BEGIN
    SELECT RAISE(ABORT, 'account history is append-only');
END;
-- +goose StatementEnd

-- What existing accounts hold now is their first entry, dated by their
-- last change (the earliest date the value is known to hold).
INSERT INTO account_history (team_id, account_id, field, value, at)
    SELECT team_id, id, 'tier', tier, updated_at FROM accounts
    UNION ALL SELECT team_id, id, 'level', level, updated_at FROM accounts
    UNION ALL SELECT team_id, id, 'revenue', revenue, updated_at FROM accounts WHERE revenue <> 0
    UNION ALL SELECT team_id, id, 'wallet', wallet_pct, updated_at FROM accounts WHERE wallet_pct <> 0;

-- One row per setting of a year's target; the latest for a year counts.
CREATE TABLE account_targets (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    year       INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    user_id    TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX account_targets_account ON account_targets (team_id, account_id, year, id);
-- +goose StatementBegin
CREATE TRIGGER account_targets_append_only BEFORE UPDATE ON account_targets BEGIN
    SELECT RAISE(ABORT, 'targets are append-only');
END;
-- +goose StatementEnd

-- De-selection: NULL while the account is active.
ALTER TABLE accounts ADD COLUMN archived_at INTEGER;
ALTER TABLE accounts ADD COLUMN archive_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE accounts DROP COLUMN archive_reason;
ALTER TABLE accounts DROP COLUMN archived_at;
DROP TRIGGER account_targets_append_only;
DROP TABLE account_targets;
DROP TRIGGER account_history_append_only;
DROP TRIGGER account_history_update;
DROP TRIGGER account_history_insert;
DROP TABLE account_history;
