-- +goose Up
-- Interactions logged from a Slack message keep its permalink, and an
-- interaction may be edited: edited_at (unix ms, 0 never) lets a form opened
-- before another edit tell that it is stale.
ALTER TABLE interactions ADD COLUMN permalink TEXT NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN edited_at INTEGER NOT NULL DEFAULT 0;

-- An outbox message may edit or delete an earlier post instead of posting:
-- op says which, target names the earlier post by its key. Queued in the
-- same channel as its target, it is sent after it (per-channel order).
ALTER TABLE outbox ADD COLUMN op TEXT NOT NULL DEFAULT 'post' CHECK (op IN ('post', 'update', 'delete'));
ALTER TABLE outbox ADD COLUMN target TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN target;
ALTER TABLE outbox DROP COLUMN op;
ALTER TABLE interactions DROP COLUMN edited_at;
ALTER TABLE interactions DROP COLUMN permalink;
