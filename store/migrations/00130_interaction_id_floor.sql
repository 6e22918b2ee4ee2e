-- +goose Up
-- SQLite gives a new row max(id)+1, so deleting the newest interaction
-- would hand its ID to the next one: that one's channel post would then
-- share the deleted one's outbox key (and be dropped as already sent), and a
-- retried Slack request could be matched to the wrong interaction. The
-- highest ID ever deleted while it was the newest is kept here, and new
-- interactions are numbered above it (insertInteractionSQL). PostgreSQL's
-- sequence never reuses an ID.
CREATE TABLE id_floors (
    tbl TEXT    PRIMARY KEY,
    id  INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER interactions_id_floor AFTER DELETE ON interactions
WHEN OLD.id > coalesce((SELECT max(id) FROM interactions), 0)
BEGIN
    INSERT INTO id_floors (tbl, id) VALUES ('interactions', OLD.id)
        ON CONFLICT (tbl) DO UPDATE SET id = max(id, excluded.id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER interactions_id_floor;
DROP TABLE id_floors;
