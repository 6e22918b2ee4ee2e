-- +goose Up
-- Twin of the SQLite 00040 (full-text search). On PostgreSQL the index is
-- a plain table with the same columns and docids (source row id x 8 +
-- source), kept in step by the same triggers, so that writes, the backfill
-- and `kambot copy` behave as on SQLite; store.Search answers on SQLite
-- only for now and says so on PostgreSQL.
CREATE TABLE search_fts (
    docid      BIGINT PRIMARY KEY,
    body       TEXT COLLATE "C" NOT NULL,
    scope      TEXT COLLATE "C" NOT NULL,
    team_id    TEXT COLLATE "C" NOT NULL,
    account_id BIGINT NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL,
    author     TEXT COLLATE "C" NOT NULL,
    at         BIGINT NOT NULL
);

CREATE TABLE search_backfill (
    source BIGINT PRIMARY KEY,
    done   BIGINT NOT NULL DEFAULT 0,
    upto   BIGINT NOT NULL
);
INSERT INTO search_backfill (source, upto) SELECT 1, COALESCE(MAX(id), 0) FROM interactions;
INSERT INTO search_backfill (source, upto) SELECT 2, COALESCE(MAX(id), 0) FROM plan_objectives;
INSERT INTO search_backfill (source, upto) SELECT 3, COALESCE(MAX(id), 0) FROM plan_tactics;
INSERT INTO search_backfill (source, upto) SELECT 4, COALESCE(MAX(id), 0) FROM plan_reviews;
INSERT INTO search_backfill (source, upto) SELECT 5, COALESCE(MAX(id), 0) FROM contacts;
INSERT INTO search_backfill (source, upto) SELECT 6, COALESCE(MAX(id), 0) FROM survey_responses;
INSERT INTO search_backfill (source, upto) SELECT 7, COALESCE(MAX(id), 0) FROM stage_changes;

-- One function per source: an update or delete drops the old docid, an
-- insert or update adds the new row (when it has text to index).

-- +goose StatementBegin
CREATE FUNCTION search_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_fts WHERE docid = OLD.id * 8 + 1;
    END IF;
    IF TG_OP <> 'DELETE' AND TRUE THEN
        INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
        VALUES (NEW.id * 8 + 1, NEW.summary, 'a' || NEW.account_id, NEW.team_id, NEW.account_id, NEW.kind, NEW.user_id, NEW.at);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER search_interactions_ai AFTER INSERT ON interactions FOR EACH ROW
    EXECUTE FUNCTION search_interactions();
CREATE TRIGGER search_interactions_ad AFTER DELETE ON interactions FOR EACH ROW EXECUTE FUNCTION search_interactions();
CREATE TRIGGER search_interactions_au AFTER UPDATE OF summary, kind, user_id, at, account_id ON interactions FOR EACH ROW
    EXECUTE FUNCTION search_interactions();

-- +goose StatementBegin
CREATE FUNCTION search_objectives() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_fts WHERE docid = OLD.id * 8 + 2;
    END IF;
    IF TG_OP <> 'DELETE' AND TRUE THEN
        INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
        VALUES (NEW.id * 8 + 2, NEW.text, 'a' || NEW.account_id, NEW.team_id, NEW.account_id, 'objective', NEW.author_id, NEW.created_at);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER search_objectives_ai AFTER INSERT ON plan_objectives FOR EACH ROW
    EXECUTE FUNCTION search_objectives();
CREATE TRIGGER search_objectives_ad AFTER DELETE ON plan_objectives FOR EACH ROW EXECUTE FUNCTION search_objectives();
CREATE TRIGGER search_objectives_au AFTER UPDATE OF text, account_id ON plan_objectives FOR EACH ROW
    EXECUTE FUNCTION search_objectives();

-- +goose StatementBegin
CREATE FUNCTION search_tactics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_fts WHERE docid = OLD.id * 8 + 3;
    END IF;
    IF TG_OP <> 'DELETE' AND TRUE THEN
        INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
        VALUES (NEW.id * 8 + 3, NEW.text, 'a' || NEW.account_id, NEW.team_id, NEW.account_id, 'tactic', NEW.author_id, NEW.created_at);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER search_tactics_ai AFTER INSERT ON plan_tactics FOR EACH ROW
    EXECUTE FUNCTION search_tactics();
CREATE TRIGGER search_tactics_ad AFTER DELETE ON plan_tactics FOR EACH ROW EXECUTE FUNCTION search_tactics();
CREATE TRIGGER search_tactics_au AFTER UPDATE OF text, account_id ON plan_tactics FOR EACH ROW
    EXECUTE FUNCTION search_tactics();

-- +goose StatementBegin
CREATE FUNCTION search_reviews() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_fts WHERE docid = OLD.id * 8 + 4;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.note <> '' THEN
        INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
        VALUES (NEW.id * 8 + 4, NEW.note, 'a' || NEW.account_id, NEW.team_id, NEW.account_id, 'review', NEW.user_id, NEW.at);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER search_reviews_ai AFTER INSERT ON plan_reviews FOR EACH ROW WHEN (NEW.note <> '')
    EXECUTE FUNCTION search_reviews();
CREATE TRIGGER search_reviews_ad AFTER DELETE ON plan_reviews FOR EACH ROW EXECUTE FUNCTION search_reviews();
CREATE TRIGGER search_reviews_au AFTER UPDATE OF note, account_id ON plan_reviews FOR EACH ROW
    EXECUTE FUNCTION search_reviews();

-- +goose StatementBegin
CREATE FUNCTION search_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_fts WHERE docid = OLD.id * 8 + 5;
    END IF;
    IF TG_OP <> 'DELETE' AND TRUE THEN
        INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
        VALUES (NEW.id * 8 + 5, trim(NEW.name || ' ' || NEW.title), 'a' || NEW.account_id, NEW.team_id, NEW.account_id, 'stakeholder', NEW.mirror_id, NEW.updated_at);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER search_contacts_ai AFTER INSERT ON contacts FOR EACH ROW
    EXECUTE FUNCTION search_contacts();
CREATE TRIGGER search_contacts_ad AFTER DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION search_contacts();
CREATE TRIGGER search_contacts_au AFTER UPDATE OF name, title, mirror_id, account_id ON contacts FOR EACH ROW
    EXECUTE FUNCTION search_contacts();

-- +goose StatementBegin
CREATE FUNCTION search_answers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_fts WHERE docid = OLD.id * 8 + 6;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.comment <> '' THEN
        INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
        VALUES (NEW.id * 8 + 6, NEW.comment, 'a' || NEW.account_id, NEW.team_id, NEW.account_id, 'survey', COALESCE(NULLIF(NEW.contact, ''), NEW.user_id), NEW.at);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER search_answers_ai AFTER INSERT ON survey_responses FOR EACH ROW WHEN (NEW.comment <> '')
    EXECUTE FUNCTION search_answers();
CREATE TRIGGER search_answers_ad AFTER DELETE ON survey_responses FOR EACH ROW EXECUTE FUNCTION search_answers();
CREATE TRIGGER search_answers_au AFTER UPDATE OF comment, contact, at, account_id ON survey_responses FOR EACH ROW
    EXECUTE FUNCTION search_answers();

-- A stage note names its account through the opportunity.
-- +goose StatementBegin
CREATE FUNCTION search_stages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_fts WHERE docid = OLD.id * 8 + 7;
    ELSIF NEW.note <> '' THEN
        INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
        SELECT NEW.id * 8 + 7, NEW.note, 'a' || o.account_id, NEW.team_id, o.account_id, 'stage', NEW.user_id, NEW.at
        FROM opportunities o WHERE o.id = NEW.opportunity_id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER search_stages_ai AFTER INSERT ON stage_changes FOR EACH ROW WHEN (NEW.note <> '')
    EXECUTE FUNCTION search_stages();
CREATE TRIGGER search_stages_ad AFTER DELETE ON stage_changes FOR EACH ROW EXECUTE FUNCTION search_stages();

-- +goose Down
DROP TRIGGER search_stages_ad ON stage_changes;
DROP TRIGGER search_stages_ai ON stage_changes;
DROP FUNCTION search_stages();
DROP TRIGGER search_answers_au ON survey_responses;
DROP TRIGGER search_answers_ad ON survey_responses;
DROP TRIGGER search_answers_ai ON survey_responses;
DROP FUNCTION search_answers();
DROP TRIGGER search_contacts_au ON contacts;
DROP TRIGGER search_contacts_ad ON contacts;
DROP TRIGGER search_contacts_ai ON contacts;
DROP FUNCTION search_contacts();
DROP TRIGGER search_reviews_au ON plan_reviews;
DROP TRIGGER search_reviews_ad ON plan_reviews;
DROP TRIGGER search_reviews_ai ON plan_reviews;
DROP FUNCTION search_reviews();
DROP TRIGGER search_tactics_au ON plan_tactics;
DROP TRIGGER search_tactics_ad ON plan_tactics;
DROP TRIGGER search_tactics_ai ON plan_tactics;
DROP FUNCTION search_tactics();
DROP TRIGGER search_objectives_au ON plan_objectives;
DROP TRIGGER search_objectives_ad ON plan_objectives;
DROP TRIGGER search_objectives_ai ON plan_objectives;
DROP FUNCTION search_objectives();
DROP TRIGGER search_interactions_au ON interactions;
DROP TRIGGER search_interactions_ad ON interactions;
DROP TRIGGER search_interactions_ai ON interactions;
DROP FUNCTION search_interactions();
DROP TABLE search_backfill;
DROP TABLE search_fts;
