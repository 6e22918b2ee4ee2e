package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/postgres/*.sql
var pgMigrations embed.FS

// Roles one replica at a time takes (see Lead).
const (
	// RoleScheduler runs the scheduled jobs.
	RoleScheduler = "scheduler"
	// RoleSender delivers the outbox.
	RoleSender = "sender"
	// roleWrites is the write lock (lockWrites), not an elected role.
	roleWrites = "writes"
)

// LockKey is the advisory lock key of a role: a hash of the role and the
// schema kambot's tables live in, so that two installations sharing one
// database in separate schemas never take each other's locks.
func (db *DB) LockKey(role string) int64 {
	if db.pg == nil {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte("kambot\x00" + db.pg.schema + "\x00" + role))
	return int64(h.Sum64())
}

// IsPostgresURL reports whether dsn names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// pgState is what a PostgreSQL DB holds beyond its two pools.
type pgState struct {
	config *pgx.ConnConfig
	schema string             // current_schema() of the connections
	writes int64              // LockKey(roleWrites)
	stop   context.CancelFunc // ends listenDir
	done   chan struct{}      // closed when listenDir has returned
}

func (p *pgState) close() error {
	p.stop()
	<-p.done
	return nil
}

// openPostgres opens the two pools on PostgreSQL: one connection for writes
// (as on SQLite: a process's writes queue on the Go side, and preparing
// statements before a transaction stays the rule) and several for reads.
func openPostgres(dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactURL(dsn), err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "kambot"
	cfg.RuntimeParams["timezone"] = "UTC"
	ids := &identityTables{}
	w := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg), ids})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", redactURL(dsn), err)
	}
	r := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg), ids})
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	var schema string
	if err := w.QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", redactURL(dsn), err)
	}
	ctx, stop := context.WithCancel(context.Background())
	db := &DB{path: dsn, write: w, read: r, Now: time.Now, ReadyCache: DefaultReadyCache,
		pg: &pgState{config: cfg, schema: schema, stop: stop, done: make(chan struct{})}}
	db.pg.writes = db.LockKey(roleWrites)
	db.dir.ttl = dirCacheTTL
	db.dir.blind.Store(true)
	go func() {
		defer close(db.pg.done)
		db.listenDir(ctx)
	}()
	return db, nil
}

// lockWrites takes the write lock for the rest of tx: PostgreSQL's BEGIN
// IMMEDIATE. Every write transaction of every process takes it first, so
// the store's read-then-write transactions see no concurrent writer, as on
// SQLite.
func lockWrites(ctx context.Context, tx *sql.Tx, key int64) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key); err != nil {
		return fmt.Errorf("begin: take write lock: %w", err)
	}
	return nil
}

// migrator opens a connection that does not rewrite queries (the
// migrations are PostgreSQL's own) and a goose provider on it that holds a
// session advisory lock while it migrates.
func (p *pgState) migrator() (*goose.Provider, func(), error) {
	sub, err := fs.Sub(pgMigrations, "migrations/postgres")
	if err != nil {
		return nil, nil, err
	}
	raw := stdlib.OpenDB(*p.config)
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		raw.Close()
		return nil, nil, err
	}
	prov, err := goose.NewProvider(goose.DialectPostgres, raw, sub, goose.WithSessionLocker(locker))
	if err != nil {
		raw.Close()
		return nil, nil, err
	}
	return prov, func() { raw.Close() }, nil
}

// redactURL hides the password of a database URL, for logs and errors.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

// isPgUnique reports whether err is PostgreSQL's unique_violation.
func isPgUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// OpenRaw opens a plain handle on the database at dsn, for tools and tests
// that run their own SQL (written for SQLite, rewritten on PostgreSQL like
// the store's own).
func OpenRaw(dsn string) (*sql.DB, error) {
	if !IsPostgresURL(dsn) {
		return sql.Open("sqlite3", "file:"+escapePath(dsn)+"?_busy_timeout=10000&_foreign_keys=1")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactURL(dsn), err)
	}
	return sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg), &identityTables{}}), nil
}

// Postgres reports whether the database is PostgreSQL (shared by several
// processes) rather than a SQLite file (owned by one).
func (db *DB) Postgres() bool { return db.pg != nil }

// RedactDSN is dsn fit for logs: a PostgreSQL URL without its password, a
// SQLite path as it is.
func RedactDSN(dsn string) string {
	if IsPostgresURL(dsn) {
		return redactURL(dsn)
	}
	return dsn
}
