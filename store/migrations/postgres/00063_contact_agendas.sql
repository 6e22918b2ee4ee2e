-- +goose Up
-- Twin of the SQLite 00063: decision-makers' agendas.
ALTER TABLE contacts ADD COLUMN business_agenda TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN personal_agenda TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN measured_by TEXT COLLATE "C" NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE contacts DROP COLUMN measured_by;
ALTER TABLE contacts DROP COLUMN personal_agenda;
ALTER TABLE contacts DROP COLUMN business_agenda;
