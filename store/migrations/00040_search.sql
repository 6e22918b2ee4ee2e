-- +goose Up
-- Full-text search over what people typed: interactions, plan objectives,
-- tactics and review notes, stakeholders (name and title), survey comments
-- and stage-change notes. FTS4 is built into the SQLite that go-sqlite3
-- compiles by default (FTS5 would need a build tag on every build and
-- test); it gives the same unicode61 tokenizer with accents folded,
-- prefix and phrase queries, and matchinfo for bm25 ranking. No prefix
-- index: it would double the cost of every write for the rare short prefix.
--
-- SQLite flushes an FTS table's pending terms at every statement inside a
-- transaction, so each indexed row costs a small segment write (about
-- 35 µs of CPU here); automerge keeps the segments few.
--
-- docid = source row id × 8 + source: 1 interaction, 2 objective, 3 tactic,
-- 4 review note, 5 stakeholder, 6 survey comment, 7 stage note.
-- scope holds the token a<account id>, so that a search limited to the
-- accounts a user may see is one more indexed term. The other columns are
-- stored, not indexed: they say where a hit comes from.
CREATE VIRTUAL TABLE search_fts USING fts4 (
    body, scope, team_id, account_id, kind, author, at,
    notindexed=team_id, notindexed=account_id, notindexed=kind, notindexed=author, notindexed=at,
    tokenize=unicode61 "remove_diacritics=2"
);
-- Merge index segments a little on every write, so that searches read few
-- of them however the index grew.
INSERT INTO search_fts (search_fts) VALUES ('automerge=8');

-- Rows written before this migration are indexed by store.BuildSearchIndex
-- (run by `kambot migrate` with progress, and by `serve` at start) in
-- batches: upto is the last id present when the index was created, done
-- the last id indexed so far. Rows after upto are indexed by the triggers.
CREATE TABLE search_backfill (
    source INTEGER PRIMARY KEY,
    done   INTEGER NOT NULL DEFAULT 0,
    upto   INTEGER NOT NULL
);
INSERT INTO search_backfill (source, upto) SELECT 1, COALESCE(MAX(id), 0) FROM interactions;
INSERT INTO search_backfill (source, upto) SELECT 2, COALESCE(MAX(id), 0) FROM plan_objectives;
INSERT INTO search_backfill (source, upto) SELECT 3, COALESCE(MAX(id), 0) FROM plan_tactics;
INSERT INTO search_backfill (source, upto) SELECT 4, COALESCE(MAX(id), 0) FROM plan_reviews;
INSERT INTO search_backfill (source, upto) SELECT 5, COALESCE(MAX(id), 0) FROM contacts;
INSERT INTO search_backfill (source, upto) SELECT 6, COALESCE(MAX(id), 0) FROM survey_responses;
INSERT INTO search_backfill (source, upto) SELECT 7, COALESCE(MAX(id), 0) FROM stage_changes;

-- The triggers keep the index in step inside the writing transaction. An
-- update deletes and re-adds the row; deleting a docid not yet indexed is
-- a no-op, and the backfill skips docids already present.

-- +goose StatementBegin
CREATE TRIGGER search_interactions_ai AFTER INSERT ON interactions BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 1, new.summary, 'a' || new.account_id, new.team_id, new.account_id, new.kind, new.user_id, new.at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_interactions_ad AFTER DELETE ON interactions BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_interactions_au AFTER UPDATE OF summary, kind, user_id, at, account_id ON interactions BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 1;
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 1, new.summary, 'a' || new.account_id, new.team_id, new.account_id, new.kind, new.user_id, new.at);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_objectives_ai AFTER INSERT ON plan_objectives BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 2, new.text, 'a' || new.account_id, new.team_id, new.account_id, 'objective', new.author_id, new.created_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_objectives_ad AFTER DELETE ON plan_objectives BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 2;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_objectives_au AFTER UPDATE OF text, account_id ON plan_objectives BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 2;
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 2, new.text, 'a' || new.account_id, new.team_id, new.account_id, 'objective', new.author_id, new.created_at);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_tactics_ai AFTER INSERT ON plan_tactics BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 3, new.text, 'a' || new.account_id, new.team_id, new.account_id, 'tactic', new.author_id, new.created_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_tactics_ad AFTER DELETE ON plan_tactics BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 3;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_tactics_au AFTER UPDATE OF text, account_id ON plan_tactics BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 3;
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 3, new.text, 'a' || new.account_id, new.team_id, new.account_id, 'tactic', new.author_id, new.created_at);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_reviews_ai AFTER INSERT ON plan_reviews WHEN new.note <> '' BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 4, new.note, 'a' || new.account_id, new.team_id, new.account_id, 'review', new.user_id, new.at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_reviews_ad AFTER DELETE ON plan_reviews BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 4;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_reviews_au AFTER UPDATE OF note, account_id ON plan_reviews BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 4;
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    SELECT new.id * 8 + 4, new.note, 'a' || new.account_id, new.team_id, new.account_id, 'review', new.user_id, new.at
    WHERE new.note <> '';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_contacts_ai AFTER INSERT ON contacts BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 5, trim(new.name || ' ' || new.title), 'a' || new.account_id, new.team_id, new.account_id, 'stakeholder', new.mirror_id, new.updated_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_contacts_ad AFTER DELETE ON contacts BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 5;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_contacts_au AFTER UPDATE OF name, title, mirror_id, account_id ON contacts BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 5;
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 5, trim(new.name || ' ' || new.title), 'a' || new.account_id, new.team_id, new.account_id, 'stakeholder', new.mirror_id, new.updated_at);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_answers_ai AFTER INSERT ON survey_responses WHEN new.comment <> '' BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    VALUES (new.id * 8 + 6, new.comment, 'a' || new.account_id, new.team_id, new.account_id, 'survey', COALESCE(NULLIF(new.contact, ''), new.user_id), new.at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_answers_ad AFTER DELETE ON survey_responses BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 6;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_answers_au AFTER UPDATE OF comment, contact, at, account_id ON survey_responses BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 6;
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    SELECT new.id * 8 + 6, new.comment, 'a' || new.account_id, new.team_id, new.account_id, 'survey', COALESCE(NULLIF(new.contact, ''), new.user_id), new.at
    WHERE new.comment <> '';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER search_stages_ai AFTER INSERT ON stage_changes WHEN new.note <> '' BEGIN
    INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
    SELECT new.id * 8 + 7, new.note, 'a' || o.account_id, new.team_id, o.account_id, 'stage', new.user_id, new.at
    FROM opportunities o WHERE o.id = new.opportunity_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_stages_ad AFTER DELETE ON stage_changes BEGIN
    DELETE FROM search_fts WHERE docid = old.id * 8 + 7;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_stages_ad;
DROP TRIGGER search_stages_ai;
DROP TRIGGER search_answers_au;
DROP TRIGGER search_answers_ad;
DROP TRIGGER search_answers_ai;
DROP TRIGGER search_contacts_au;
DROP TRIGGER search_contacts_ad;
DROP TRIGGER search_contacts_ai;
DROP TRIGGER search_reviews_au;
DROP TRIGGER search_reviews_ad;
DROP TRIGGER search_reviews_ai;
DROP TRIGGER search_tactics_au;
DROP TRIGGER search_tactics_ad;
DROP TRIGGER search_tactics_ai;
DROP TRIGGER search_objectives_au;
DROP TRIGGER search_objectives_ad;
DROP TRIGGER search_objectives_ai;
DROP TRIGGER search_interactions_au;
DROP TRIGGER search_interactions_ad;
DROP TRIGGER search_interactions_ai;
DROP TABLE search_backfill;
DROP TABLE search_fts;
