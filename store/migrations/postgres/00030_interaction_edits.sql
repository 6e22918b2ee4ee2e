-- +goose Up
-- Twin of the SQLite 00030: an interaction's permalink and last edit, and
-- outbox messages that edit or delete an earlier post.
ALTER TABLE interactions ADD COLUMN permalink TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN edited_at BIGINT NOT NULL DEFAULT 0;

ALTER TABLE outbox ADD COLUMN op TEXT COLLATE "C" NOT NULL DEFAULT 'post' CHECK (op IN ('post', 'update', 'delete'));
ALTER TABLE outbox ADD COLUMN target TEXT COLLATE "C" NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN target;
ALTER TABLE outbox DROP COLUMN op;
ALTER TABLE interactions DROP COLUMN edited_at;
ALTER TABLE interactions DROP COLUMN permalink;
