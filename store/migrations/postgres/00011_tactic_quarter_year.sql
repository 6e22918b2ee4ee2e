-- +goose Up
-- A tactic's quarter carries its year (twin of
-- store/migrations/00011_tactic_quarter_year.sql); PostgreSQL changes the
-- CHECK in place.
ALTER TABLE plan_tactics DROP CONSTRAINT plan_tactics_quarter_check,
    ADD CONSTRAINT plan_tactics_quarter_check CHECK (quarter = '' OR quarter ~ '^([0-9]{4}-)?Q[1-4]$');
UPDATE plan_tactics SET quarter = substr(due, 1, 4) || '-' || quarter
    WHERE quarter ~ '^Q[1-4]$' AND due ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
      AND (substr(due, 6, 2)::int - 1) / 3 + 1 = substr(quarter, 2, 1)::int;

-- +goose Down
UPDATE plan_tactics SET quarter = substr(quarter, 6) WHERE quarter ~ '^[0-9]{4}-Q[1-4]$';
ALTER TABLE plan_tactics DROP CONSTRAINT plan_tactics_quarter_check,
    ADD CONSTRAINT plan_tactics_quarter_check CHECK (quarter IN ('', 'Q1', 'Q2', 'Q3', 'Q4'));
