-- +goose Up
-- The yearly selection review: each review an admin or manager records,
-- with what the portfolio looked like at the time, so next year's review
-- can compare. De-selections themselves are on the accounts (archived_at)
-- and in the audit log.
CREATE TABLE selection_reviews (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    year       INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    accounts   INTEGER NOT NULL,
    stale      INTEGER NOT NULL,
    moved      INTEGER NOT NULL,
    deselect   INTEGER NOT NULL,
    promote    INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX selection_reviews_team ON selection_reviews (team_id, at);

-- +goose Down
DROP TABLE selection_reviews;
