-- +goose Up
-- Twin of store/migrations/00160_interaction_requests_no_fk.sql: the
-- request table keeps no foreign key; a request whose interaction was
-- deleted is recognised by reading the interaction with it.
ALTER TABLE interaction_requests DROP CONSTRAINT IF EXISTS interaction_requests_interaction_id_fkey;

-- +goose Down
DELETE FROM interaction_requests r WHERE NOT EXISTS (SELECT 1 FROM interactions i WHERE i.id = r.interaction_id);
ALTER TABLE interaction_requests ADD CONSTRAINT interaction_requests_interaction_id_fkey
    FOREIGN KEY (interaction_id) REFERENCES interactions (id) ON DELETE CASCADE;
