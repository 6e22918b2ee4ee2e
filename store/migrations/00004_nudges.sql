-- +goose Up
-- Nudges: the scheduler's job runs, every nudge message queued (its
-- idempotency key is the proof a button click is checked against), what
-- people did with a nudge (handled it, snoozed it) and per-workspace nudge
-- settings. Times are unix milliseconds UTC; 0 means "not yet".

-- One row per scheduled job (sweep, digest). Every scheduled time up to
-- covered_until was served by a completed run; a tick of the job's schedule
-- after it and before now means runs were missed, and the job runs once.
CREATE TABLE job_runs (
    job           TEXT    PRIMARY KEY,
    covered_until INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0, -- 0: the baseline a first start records
    failed_at   INTEGER NOT NULL DEFAULT 0, -- the latest failure since the last success
    last_error  TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- Every nudge message queued, one per key: nudge:<kind>[.<item>]:<account>:<recipient>:<period>[+<round>].
-- The same key is also the outbox message's, queued in the same transaction.
CREATE TABLE nudges (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    item       TEXT    NOT NULL DEFAULT '',
    recipient  TEXT    NOT NULL,
    period     TEXT    NOT NULL,
    round      TEXT    NOT NULL DEFAULT '',
    queued_at  INTEGER NOT NULL,
    UNIQUE (team_id, key)
);
CREATE INDEX nudges_account ON nudges (account_id);
CREATE INDEX nudges_queued ON nudges (queued_at);

-- What people did with one nudge topic (kind, account, item, period), for
-- every recipient at once: handled it (quiet for the rest of the period) or
-- snoozed it (quiet until snoozed_until, whatever the period).
CREATE TABLE nudge_marks (
    team_id       TEXT    NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    item          TEXT    NOT NULL DEFAULT '',
    period        TEXT    NOT NULL,
    handled_by    TEXT    NOT NULL DEFAULT '',
    handled_how   TEXT    NOT NULL DEFAULT '', -- reviewed | logged
    handled_at    INTEGER NOT NULL DEFAULT 0,
    snoozed_by    TEXT    NOT NULL DEFAULT '',
    snoozed_at    INTEGER NOT NULL DEFAULT 0,
    snoozed_until INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, account_id, kind, item, period)
) WITHOUT ROWID;
CREATE INDEX nudge_marks_account ON nudge_marks (account_id);

-- Per-workspace nudge settings; a workspace without a row uses the defaults.
CREATE TABLE nudge_settings (
    team_id           TEXT    PRIMARY KEY,
    survey_every_days INTEGER NOT NULL CHECK (survey_every_days BETWEEN 30 AND 730),
    updated_by        TEXT    NOT NULL,
    updated_at        INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE nudge_settings;
DROP TABLE nudge_marks;
DROP TABLE nudges;
DROP TABLE job_runs;
