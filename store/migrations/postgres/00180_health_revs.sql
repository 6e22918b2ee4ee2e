-- +goose Up
-- Twin of the SQLite migration 00180: a change counter per account for the
-- health inputs kept in memory, bumped by triggers on every row the health
-- queries read.
CREATE TABLE health_revs (
    account_id BIGINT PRIMARY KEY,
    rev        BIGINT NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION health_revs_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO health_revs AS h (account_id, rev) VALUES (OLD.account_id, 1)
            ON CONFLICT (account_id) DO UPDATE SET rev = h.rev + 1;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.account_id IS DISTINCT FROM OLD.account_id) THEN
        INSERT INTO health_revs AS h (account_id, rev) VALUES (NEW.account_id, 1)
            ON CONFLICT (account_id) DO UPDATE SET rev = h.rev + 1;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION health_revs_bump_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO health_revs AS h (account_id, rev) SELECT c.account_id, 1 FROM contacts c WHERE c.id = OLD.contact_id
            ON CONFLICT (account_id) DO UPDATE SET rev = h.rev + 1;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.contact_id IS DISTINCT FROM OLD.contact_id) THEN
        INSERT INTO health_revs AS h (account_id, rev) SELECT c.account_id, 1 FROM contacts c WHERE c.id = NEW.contact_id
            ON CONFLICT (account_id) DO UPDATE SET rev = h.rev + 1;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER interactions_health AFTER INSERT OR UPDATE OF team_id, account_id, user_id, kind, at OR DELETE ON interactions FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER members_health AFTER INSERT OR UPDATE OR DELETE ON members FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER contacts_health AFTER INSERT OR UPDATE OR DELETE ON contacts FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER opportunities_health AFTER INSERT OR UPDATE OF team_id, account_id, name, close_date, stage, stage_since OR DELETE ON opportunities FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER plan_objectives_health AFTER INSERT OR UPDATE OR DELETE ON plan_objectives FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER plan_tactics_health AFTER INSERT OR UPDATE OR DELETE ON plan_tactics FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER plan_reviews_health AFTER INSERT OR UPDATE OR DELETE ON plan_reviews FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER plan_charter_health AFTER INSERT OR UPDATE OR DELETE ON plan_charter FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER plan_strategies_health AFTER INSERT OR UPDATE OR DELETE ON plan_strategies FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER account_targets_health AFTER INSERT OR UPDATE OR DELETE ON account_targets FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER surveys_health AFTER INSERT OR UPDATE OF team_id, account_id, sent_at OR DELETE ON surveys FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER survey_responses_health AFTER INSERT OR UPDATE OR DELETE ON survey_responses FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump();
CREATE TRIGGER interaction_contacts_health AFTER INSERT OR UPDATE OR DELETE ON interaction_contacts FOR EACH ROW
    EXECUTE FUNCTION health_revs_bump_link();

-- +goose Down
DROP TRIGGER interaction_contacts_health ON interaction_contacts;
DROP TRIGGER survey_responses_health ON survey_responses;
DROP TRIGGER surveys_health ON surveys;
DROP TRIGGER account_targets_health ON account_targets;
DROP TRIGGER plan_strategies_health ON plan_strategies;
DROP TRIGGER plan_charter_health ON plan_charter;
DROP TRIGGER plan_reviews_health ON plan_reviews;
DROP TRIGGER plan_tactics_health ON plan_tactics;
DROP TRIGGER plan_objectives_health ON plan_objectives;
DROP TRIGGER opportunities_health ON opportunities;
DROP TRIGGER contacts_health ON contacts;
DROP TRIGGER members_health ON members;
DROP TRIGGER interactions_health ON interactions;
DROP FUNCTION health_revs_bump_link();
DROP FUNCTION health_revs_bump();
DROP TABLE health_revs;
