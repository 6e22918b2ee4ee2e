package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// dirChannel is the LISTEN/NOTIFY channel on which a write to accounts or
// members tells every replica to drop its cached lookups and roles.
const dirChannel = "kambot_dir"

// listenDir keeps a connection listening on dirChannel until ctx ends, and
// bumps the cache generation on every notice, so that a role revoked on
// another replica is not served from this one's cache once the notice
// arrives (milliseconds after the commit). While the connection is down
// the cache is bypassed: no notice can be missed unseen.
func (db *DB) listenDir(ctx context.Context) {
	for ctx.Err() == nil {
		db.dir.blind.Store(true)
		db.dir.gen.Add(1)
		err := db.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		_ = err // reconnect after a pause; the cache stays bypassed
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (db *DB) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, db.pg.config.Copy())
	if err != nil {
		return err
	}
	defer closeQuietly(conn)
	if _, err := conn.Exec(ctx, "LISTEN "+dirChannel); err != nil {
		return err
	}
	// Listening: anything committed before now was read fresh (blind), and
	// anything after will be announced.
	db.dir.gen.Add(1)
	db.dir.blind.Store(false)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		db.dir.gen.Add(1)
	}
}
