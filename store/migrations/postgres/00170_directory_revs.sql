-- +goose Up
-- Twin of the SQLite migration 00170: per-workspace change counters for
-- the account type-ahead. The account's count is set before the row is
-- written (BEFORE triggers may change NEW), so no second update is needed.
CREATE TABLE directory_revs (
    team_id     TEXT COLLATE "C" PRIMARY KEY,
    names       BIGINT NOT NULL DEFAULT 0,
    names_reset BIGINT NOT NULL DEFAULT 0,
    teams       BIGINT NOT NULL DEFAULT 0
);

ALTER TABLE accounts ADD COLUMN names_rev BIGINT NOT NULL DEFAULT 0;
CREATE INDEX accounts_team_names_rev ON accounts (team_id, names_rev);

-- +goose StatementBegin
CREATE FUNCTION accounts_names_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.team_id IS DISTINCT FROM NEW.team_id THEN
        INSERT INTO directory_revs AS d (team_id, names, names_reset) VALUES (OLD.team_id, 1, 1)
            ON CONFLICT (team_id) DO UPDATE SET names = d.names + 1, names_reset = d.names + 1;
    END IF;
    INSERT INTO directory_revs AS d (team_id, names) VALUES (NEW.team_id, 1)
        ON CONFLICT (team_id) DO UPDATE SET names = d.names + 1
        RETURNING d.names INTO NEW.names_rev;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION accounts_names_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO directory_revs AS d (team_id, names, names_reset) VALUES (OLD.team_id, 1, 1)
        ON CONFLICT (team_id) DO UPDATE SET names = d.names + 1, names_reset = d.names + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION members_teams_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO directory_revs AS d (team_id, teams) VALUES (OLD.team_id, 1)
            ON CONFLICT (team_id) DO UPDATE SET teams = d.teams + 1;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO directory_revs AS d (team_id, teams) VALUES (NEW.team_id, 1)
            ON CONFLICT (team_id) DO UPDATE SET teams = d.teams + 1;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER accounts_names_insert BEFORE INSERT ON accounts FOR EACH ROW
    EXECUTE FUNCTION accounts_names_rev();
CREATE TRIGGER accounts_names_update BEFORE UPDATE OF team_id, name, slug, archived_at ON accounts FOR EACH ROW
    WHEN (NEW.team_id IS DISTINCT FROM OLD.team_id OR NEW.name IS DISTINCT FROM OLD.name OR NEW.slug IS DISTINCT FROM OLD.slug
        OR (NEW.archived_at IS NULL) <> (OLD.archived_at IS NULL))
    EXECUTE FUNCTION accounts_names_rev();
CREATE TRIGGER accounts_names_delete AFTER DELETE ON accounts FOR EACH ROW
    EXECUTE FUNCTION accounts_names_removed();
CREATE TRIGGER members_teams_rows AFTER INSERT OR DELETE ON members FOR EACH ROW
    EXECUTE FUNCTION members_teams_rev();
CREATE TRIGGER members_teams_update AFTER UPDATE OF team_id, account_id, user_id ON members FOR EACH ROW
    EXECUTE FUNCTION members_teams_rev();

-- +goose Down
DROP TRIGGER members_teams_update ON members;
DROP TRIGGER members_teams_rows ON members;
DROP TRIGGER accounts_names_delete ON accounts;
DROP TRIGGER accounts_names_update ON accounts;
DROP TRIGGER accounts_names_insert ON accounts;
DROP FUNCTION members_teams_rev();
DROP FUNCTION accounts_names_removed();
DROP FUNCTION accounts_names_rev();
DROP INDEX accounts_team_names_rev;
ALTER TABLE accounts DROP COLUMN names_rev;
DROP TABLE directory_revs;
