-- +goose Up
-- Who logged each stakeholder link's interaction, and its kind, copied onto
-- the link: health counts the stakeholders each person met in the window
-- from one range of interaction_contacts_contact per stakeholder, without a
-- random read of the interactions table per link (a whole workspace's window
-- is hundreds of thousands of links). Interactions are never edited, so the
-- copy never goes stale; the trigger fills it for every insert that does not
-- give it.
ALTER TABLE interaction_contacts ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE interaction_contacts ADD COLUMN kind TEXT NOT NULL DEFAULT '';
UPDATE interaction_contacts SET
    user_id = coalesce((SELECT i.user_id FROM interactions i WHERE i.id = interaction_contacts.interaction_id), ''),
    kind = coalesce((SELECT i.kind FROM interactions i WHERE i.id = interaction_contacts.interaction_id), '');
DROP INDEX interaction_contacts_contact;
CREATE INDEX interaction_contacts_contact ON interaction_contacts (contact_id, at, kind, user_id);
-- +goose StatementBegin
CREATE TRIGGER interaction_contacts_who AFTER INSERT ON interaction_contacts WHEN new.user_id = '' BEGIN
    UPDATE interaction_contacts SET
        user_id = coalesce((SELECT i.user_id FROM interactions i WHERE i.id = new.interaction_id), ''),
        kind = coalesce((SELECT i.kind FROM interactions i WHERE i.id = new.interaction_id), '')
    WHERE interaction_id = new.interaction_id AND contact_id = new.contact_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER interaction_contacts_who;
DROP INDEX interaction_contacts_contact;
CREATE INDEX interaction_contacts_contact ON interaction_contacts (contact_id, at);
ALTER TABLE interaction_contacts DROP COLUMN kind;
ALTER TABLE interaction_contacts DROP COLUMN user_id;
