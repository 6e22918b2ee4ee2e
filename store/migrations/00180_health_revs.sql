-- +goose Up
-- Health inputs (store/health_inputs.go) are kept in memory per account. A
-- change counter per account lets a reader tell, in one primary-key read,
-- whether what it holds is still what the database would give, whichever
-- process or replica wrote: triggers bump the account's count whenever a
-- row the health queries read is inserted, updated (the columns they read)
-- or deleted, and bump both accounts when a row moves from one to another.
-- A link of a stakeholder counts for the stakeholder's account, which is
-- where the health queries find it.
CREATE TABLE health_revs (
    account_id INTEGER PRIMARY KEY,
    rev        INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER interactions_health_insert AFTER INSERT ON interactions BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interactions_health_update AFTER UPDATE OF team_id, account_id, user_id, kind, at ON interactions BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interactions_health_delete AFTER DELETE ON interactions BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER members_health_insert AFTER INSERT ON members BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER members_health_update AFTER UPDATE ON members BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER members_health_delete AFTER DELETE ON members BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_health_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_health_update AFTER UPDATE ON contacts BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_health_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER opportunities_health_insert AFTER INSERT ON opportunities BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER opportunities_health_update AFTER UPDATE OF team_id, account_id, name, close_date, stage, stage_since ON opportunities BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER opportunities_health_delete AFTER DELETE ON opportunities BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_objectives_health_insert AFTER INSERT ON plan_objectives BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_objectives_health_update AFTER UPDATE ON plan_objectives BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_objectives_health_delete AFTER DELETE ON plan_objectives BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_tactics_health_insert AFTER INSERT ON plan_tactics BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_tactics_health_update AFTER UPDATE ON plan_tactics BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_tactics_health_delete AFTER DELETE ON plan_tactics BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_reviews_health_insert AFTER INSERT ON plan_reviews BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_reviews_health_update AFTER UPDATE ON plan_reviews BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_reviews_health_delete AFTER DELETE ON plan_reviews BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_charter_health_insert AFTER INSERT ON plan_charter BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_charter_health_update AFTER UPDATE ON plan_charter BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_charter_health_delete AFTER DELETE ON plan_charter BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_strategies_health_insert AFTER INSERT ON plan_strategies BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_strategies_health_update AFTER UPDATE ON plan_strategies BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER plan_strategies_health_delete AFTER DELETE ON plan_strategies BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_targets_health_insert AFTER INSERT ON account_targets BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_targets_health_update AFTER UPDATE ON account_targets BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_targets_health_delete AFTER DELETE ON account_targets BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER surveys_health_insert AFTER INSERT ON surveys BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER surveys_health_update AFTER UPDATE OF team_id, account_id, sent_at ON surveys BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER surveys_health_delete AFTER DELETE ON surveys BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER survey_responses_health_insert AFTER INSERT ON survey_responses BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (new.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER survey_responses_health_update AFTER UPDATE ON survey_responses BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT new.account_id, 1 WHERE new.account_id IS NOT old.account_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER survey_responses_health_delete AFTER DELETE ON survey_responses BEGIN
    INSERT INTO health_revs (account_id, rev) VALUES (old.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interaction_contacts_health_insert AFTER INSERT ON interaction_contacts BEGIN
    INSERT INTO health_revs (account_id, rev) SELECT account_id, 1 FROM contacts WHERE id = new.contact_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interaction_contacts_health_update AFTER UPDATE ON interaction_contacts BEGIN
    INSERT INTO health_revs (account_id, rev) SELECT account_id, 1 FROM contacts WHERE id = old.contact_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
    INSERT INTO health_revs (account_id, rev) SELECT account_id, 1 FROM contacts WHERE id = new.contact_id AND new.contact_id IS NOT old.contact_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interaction_contacts_health_delete AFTER DELETE ON interaction_contacts BEGIN
    INSERT INTO health_revs (account_id, rev) SELECT account_id, 1 FROM contacts WHERE id = old.contact_id
        ON CONFLICT (account_id) DO UPDATE SET rev = rev + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER interaction_contacts_health_insert;
DROP TRIGGER interaction_contacts_health_update;
DROP TRIGGER interaction_contacts_health_delete;
DROP TRIGGER survey_responses_health_insert;
DROP TRIGGER survey_responses_health_update;
DROP TRIGGER survey_responses_health_delete;
DROP TRIGGER surveys_health_insert;
DROP TRIGGER surveys_health_update;
DROP TRIGGER surveys_health_delete;
DROP TRIGGER account_targets_health_insert;
DROP TRIGGER account_targets_health_update;
DROP TRIGGER account_targets_health_delete;
DROP TRIGGER plan_strategies_health_insert;
DROP TRIGGER plan_strategies_health_update;
DROP TRIGGER plan_strategies_health_delete;
DROP TRIGGER plan_charter_health_insert;
DROP TRIGGER plan_charter_health_update;
DROP TRIGGER plan_charter_health_delete;
DROP TRIGGER plan_reviews_health_insert;
DROP TRIGGER plan_reviews_health_update;
DROP TRIGGER plan_reviews_health_delete;
DROP TRIGGER plan_tactics_health_insert;
DROP TRIGGER plan_tactics_health_update;
DROP TRIGGER plan_tactics_health_delete;
DROP TRIGGER plan_objectives_health_insert;
DROP TRIGGER plan_objectives_health_update;
DROP TRIGGER plan_objectives_health_delete;
DROP TRIGGER opportunities_health_insert;
DROP TRIGGER opportunities_health_update;
DROP TRIGGER opportunities_health_delete;
DROP TRIGGER contacts_health_insert;
DROP TRIGGER contacts_health_update;
DROP TRIGGER contacts_health_delete;
DROP TRIGGER members_health_insert;
DROP TRIGGER members_health_update;
DROP TRIGGER members_health_delete;
DROP TRIGGER interactions_health_insert;
DROP TRIGGER interactions_health_update;
DROP TRIGGER interactions_health_delete;
DROP TABLE health_revs;
