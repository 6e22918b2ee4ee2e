-- +goose Up
-- Each account's answers by time with the columns the health queries read
-- of them (workspace, respondent and score): the NPS counts of the last two
-- periods and the health bounds read this index alone instead of looking
-- every answer up in the table. survey_responses_account_at stays for the
-- reads that step back from the latest answer in (at, id) order, which the
-- extra columns would break.
CREATE INDEX survey_responses_account_cover ON survey_responses (account_id, at, team_id, respondent, score);

-- +goose Down
DROP INDEX survey_responses_account_cover;
