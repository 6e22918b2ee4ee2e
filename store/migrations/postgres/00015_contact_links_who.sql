-- +goose Up
-- Twin of the SQLite 00015: who logged each stakeholder link's interaction,
-- and its kind, copied onto the link so health reads one index range per
-- stakeholder. A BEFORE trigger fills the row as it is written (SQLite
-- updates it just after; the result is the same row).
ALTER TABLE interaction_contacts ADD COLUMN user_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE interaction_contacts ADD COLUMN kind TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE interaction_contacts c SET user_id = i.user_id, kind = i.kind
    FROM interactions i WHERE i.id = c.interaction_id;
DROP INDEX interaction_contacts_contact;
CREATE INDEX interaction_contacts_contact ON interaction_contacts (contact_id, at, kind, user_id);

-- +goose StatementBegin
CREATE FUNCTION interaction_contacts_who() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT coalesce(i.user_id, ''), coalesce(i.kind, '') INTO NEW.user_id, NEW.kind
        FROM interactions i WHERE i.id = NEW.interaction_id;
    NEW.user_id := coalesce(NEW.user_id, '');
    NEW.kind := coalesce(NEW.kind, '');
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER interaction_contacts_who BEFORE INSERT ON interaction_contacts FOR EACH ROW
    WHEN (NEW.user_id = '') EXECUTE FUNCTION interaction_contacts_who();

-- +goose Down
DROP TRIGGER interaction_contacts_who ON interaction_contacts;
DROP FUNCTION interaction_contacts_who();
DROP INDEX interaction_contacts_contact;
CREATE INDEX interaction_contacts_contact ON interaction_contacts (contact_id, at);
ALTER TABLE interaction_contacts DROP COLUMN kind;
ALTER TABLE interaction_contacts DROP COLUMN user_id;
