-- +goose Up
-- The account type-ahead holds each workspace's account names in memory.
-- A change counter per workspace lets it read only what changed since it
-- last looked, whichever process or replica wrote it: names counts changes
-- to the accounts a menu lists (a new account, a rename, an archiving),
-- each such account carries the count of its last change (names_rev), and
-- names_reset the count of the last removal (every name is read again).
-- teams counts changes to the workspace's team rows: a person's own list is
-- read again only after one. Triggers keep them, whatever path writes.
CREATE TABLE directory_revs (
    team_id     TEXT    PRIMARY KEY,
    names       INTEGER NOT NULL DEFAULT 0,
    names_reset INTEGER NOT NULL DEFAULT 0,
    teams       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

ALTER TABLE accounts ADD COLUMN names_rev INTEGER NOT NULL DEFAULT 0;
CREATE INDEX accounts_team_names_rev ON accounts (team_id, names_rev);

-- +goose StatementBegin
CREATE TRIGGER accounts_names_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO directory_revs (team_id, names) VALUES (new.team_id, 1)
        ON CONFLICT (team_id) DO UPDATE SET names = names + 1;
    UPDATE accounts SET names_rev = (SELECT names FROM directory_revs WHERE team_id = new.team_id) WHERE id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER accounts_names_update AFTER UPDATE OF team_id, name, slug, archived_at ON accounts
WHEN new.team_id IS NOT old.team_id OR new.name IS NOT old.name OR new.slug IS NOT old.slug
    OR (new.archived_at IS NULL) <> (old.archived_at IS NULL)
BEGIN
    -- An account moved out of a workspace is a removal there.
    INSERT INTO directory_revs (team_id, names, names_reset) SELECT old.team_id, 1, 1 WHERE old.team_id IS NOT new.team_id
        ON CONFLICT (team_id) DO UPDATE SET names = names + 1, names_reset = names + 1;
    INSERT INTO directory_revs (team_id, names) VALUES (new.team_id, 1)
        ON CONFLICT (team_id) DO UPDATE SET names = names + 1;
    UPDATE accounts SET names_rev = (SELECT names FROM directory_revs WHERE team_id = new.team_id) WHERE id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER accounts_names_delete AFTER DELETE ON accounts BEGIN
    INSERT INTO directory_revs (team_id, names, names_reset) VALUES (old.team_id, 1, 1)
        ON CONFLICT (team_id) DO UPDATE SET names = names + 1, names_reset = names + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER members_teams_insert AFTER INSERT ON members BEGIN
    INSERT INTO directory_revs (team_id, teams) VALUES (new.team_id, 1)
        ON CONFLICT (team_id) DO UPDATE SET teams = teams + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER members_teams_update AFTER UPDATE OF team_id, account_id, user_id ON members BEGIN
    INSERT INTO directory_revs (team_id, teams) VALUES (old.team_id, 1)
        ON CONFLICT (team_id) DO UPDATE SET teams = teams + 1;
    INSERT INTO directory_revs (team_id, teams) VALUES (new.team_id, 1)
        ON CONFLICT (team_id) DO UPDATE SET teams = teams + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER members_teams_delete AFTER DELETE ON members BEGIN
    INSERT INTO directory_revs (team_id, teams) VALUES (old.team_id, 1)
        ON CONFLICT (team_id) DO UPDATE SET teams = teams + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER members_teams_delete;
DROP TRIGGER members_teams_update;
DROP TRIGGER members_teams_insert;
DROP TRIGGER accounts_names_delete;
DROP TRIGGER accounts_names_update;
DROP TRIGGER accounts_names_insert;
DROP INDEX accounts_team_names_rev;
ALTER TABLE accounts DROP COLUMN names_rev;
DROP TABLE directory_revs;
