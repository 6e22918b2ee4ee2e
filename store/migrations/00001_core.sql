-- +goose Up
-- Core schema: accounts, teams, interactions, the opportunity pipeline with
-- its stage history, and the audit log. Every row carries team_id (the Slack
-- workspace) and every unique key and index starts with it.

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    team_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    slug        TEXT    NOT NULL,
    tier        TEXT    NOT NULL DEFAULT 'vendor',
    level       TEXT    NOT NULL DEFAULT 'commodity',
    owner_id    TEXT    NOT NULL DEFAULT '',
    sponsor_id  TEXT    NOT NULL DEFAULT '',
    cadence     TEXT    NOT NULL DEFAULT 'monthly',
    channel_id  TEXT    NOT NULL DEFAULT '',
    revenue     INTEGER NOT NULL DEFAULT 0,
    wallet_pct  REAL    NOT NULL DEFAULT 0,
    segment     TEXT    NOT NULL DEFAULT '',
    region      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL, -- unix milliseconds, UTC
    updated_at  INTEGER NOT NULL,
    UNIQUE (team_id, slug)
);
CREATE UNIQUE INDEX accounts_team_name ON accounts (team_id, name COLLATE NOCASE);

CREATE TABLE members (
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    function   TEXT    NOT NULL DEFAULT '',
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_team_user ON members (team_id, user_id);

CREATE TABLE interactions (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    summary    TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX interactions_account_at ON interactions (account_id, at);
CREATE INDEX interactions_team_at ON interactions (team_id, at);

-- The stakeholders met in an interaction. contact_id names a row of the
-- stakeholder map, which a later migration creates, hence no foreign key
-- here. at copies interactions.at so that a stakeholder's last contact is
-- one index seek.
CREATE TABLE interaction_contacts (
    interaction_id INTEGER NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    contact_id     INTEGER NOT NULL,
    team_id        TEXT    NOT NULL,
    at             INTEGER NOT NULL,
    PRIMARY KEY (interaction_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX interaction_contacts_contact ON interaction_contacts (contact_id, at);

CREATE TABLE opportunities (
    id          INTEGER PRIMARY KEY,
    team_id     TEXT    NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    value       INTEGER NOT NULL DEFAULT 0,
    close_date  TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD or ''
    owner_id    TEXT    NOT NULL DEFAULT '',
    stage       TEXT    NOT NULL,
    stage_since INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX opportunities_account_name ON opportunities (account_id, name COLLATE NOCASE);
CREATE INDEX opportunities_team_stage ON opportunities (team_id, stage);

CREATE TABLE stage_changes (
    id             INTEGER PRIMARY KEY,
    team_id        TEXT    NOT NULL,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    from_stage     TEXT    NOT NULL DEFAULT '',
    to_stage       TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    note           TEXT    NOT NULL DEFAULT '',
    at             INTEGER NOT NULL
);
CREATE INDEX stage_changes_opp ON stage_changes (opportunity_id, at);
CREATE INDEX stage_changes_team_at ON stage_changes (team_id, at);

-- Every change, who made it and when; detail is JSON.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL, -- e.g. account.create, interaction.log, opportunity.stage
    entity     TEXT    NOT NULL, -- e.g. account:12
    detail     TEXT    NOT NULL DEFAULT '{}',
    at         INTEGER NOT NULL
);
CREATE INDEX audit_team_at ON audit_log (team_id, at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE stage_changes;
DROP TABLE opportunities;
DROP TABLE interaction_contacts;
DROP TABLE interactions;
DROP TABLE members;
DROP TABLE accounts;
