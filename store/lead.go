package store

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

// Timings of leader election on PostgreSQL. A replica killed outright loses
// its lock at once (its connection closes); the others try every
// ElectEvery, so one takes over within that. A leader whose connection
// stops answering steps down after HeartbeatEvery plus HeartbeatTimeout,
// and the server drops its session (so its lock) once TCP keepalives
// fail, after about 5+3×2 s.
var (
	ElectEvery       = 5 * time.Second
	HeartbeatEvery   = 2 * time.Second
	HeartbeatTimeout = 3 * time.Second
)

// Lead runs fn while this process leads for role (RoleScheduler,
// RoleSender): on SQLite (one process
// owns the file) at once, for as long as ctx lasts; on PostgreSQL whenever
// it holds the role's session advisory lock (LockKey) on a connection of
// its own, with
// a context that ends when ctx ends or the lock may be lost. fn must return
// when its context ends. Lead returns when ctx ends; onChange, if not nil,
// hears each gain (true) and loss (false) of the lead.
func (db *DB) Lead(ctx context.Context, role string, fn func(ctx context.Context), onChange func(leading bool, err error)) {
	if onChange == nil {
		onChange = func(bool, error) {}
	}
	if db.pg == nil {
		onChange(true, nil)
		fn(ctx)
		onChange(false, nil)
		return
	}
	key := db.LockKey(role)
	for ctx.Err() == nil {
		conn, err := db.pg.tryLock(ctx, key)
		if conn != nil {
			onChange(true, nil)
			err = leadWhileHeld(ctx, conn, fn)
			closeQuietly(conn)
			onChange(false, err)
		} else if err != nil && ctx.Err() == nil {
			onChange(false, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(ElectEvery):
		}
	}
}

// tryLock opens a connection and takes the lock on it without waiting; it
// returns the connection when it holds the lock, nil otherwise.
func (p *pgState) tryLock(ctx context.Context, key int64) (*pgx.Conn, error) {
	cfg := p.config.Copy()
	// Let the server notice a vanished leader within seconds, not hours.
	cfg.RuntimeParams["tcp_keepalives_idle"] = "5"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "2"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	// Names the process, so an operator (or a test) can tell from
	// pg_stat_activity which replica leads.
	cfg.RuntimeParams["application_name"] = fmt.Sprintf("kambot leader pid=%d", os.Getpid())
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("elect: connect: %w", err)
	}
	var held bool
	if err := conn.QueryRow(cctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&held); err != nil {
		closeQuietly(conn)
		return nil, fmt.Errorf("elect: try lock: %w", err)
	}
	if !held {
		closeQuietly(conn)
		return nil, nil
	}
	return conn, nil
}

// leadWhileHeld runs fn until ctx ends or the lock's connection fails a
// heartbeat, and returns that failure.
func leadWhileHeld(ctx context.Context, conn *pgx.Conn, fn func(ctx context.Context)) error {
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(lctx)
	}()
	defer func() { cancel(); <-done }()
	t := time.NewTicker(HeartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			return nil
		case <-t.C:
			hctx, hcancel := context.WithTimeout(ctx, HeartbeatTimeout)
			err := conn.Ping(hctx)
			hcancel()
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("lead lost: heartbeat: %w", err)
			}
		}
	}
}

func closeQuietly(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn.Close(ctx)
}
