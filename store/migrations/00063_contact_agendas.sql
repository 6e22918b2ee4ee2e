-- +goose Up
-- Decision-makers' agendas on the stakeholder map: what they want for
-- their business, what they want for themselves, and how they are measured.
ALTER TABLE contacts ADD COLUMN business_agenda TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN personal_agenda TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN measured_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE contacts DROP COLUMN measured_by;
ALTER TABLE contacts DROP COLUMN personal_agenda;
ALTER TABLE contacts DROP COLUMN business_agenda;
