// Package store keeps kambot's data in SQLite through mattn/go-sqlite3, or
// in PostgreSQL through jackc/pgx when opened with a postgres:// URL.
//
// Writes go through a pool of one connection that opens every transaction
// with BEGIN IMMEDIATE, so concurrent commands queue on the Go side instead of
// failing with "database is locked"; reads use a separate pool and never
// block the writer (WAL mode). On PostgreSQL every write transaction takes
// one transaction-level advisory lock first (see postgres.go), so writes
// are serialized across every process sharing the database exactly as
// SQLite serializes them, and the same code is correct on both. Every table
// carries the Slack workspace (team_id) and every query filters on it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	// also registers the "sqlite3" driver
	"github.com/kambot/kambot/kam"
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is kambot's database, SQLite or PostgreSQL.
type DB struct {
	path  string
	pg    *pgState // nil on SQLite
	write *sql.DB  // one connection, BEGIN IMMEDIATE
	read  *sql.DB  // many connections, read-only
	// search reads for full-text search, the file memory-mapped (see
	// sqliteSearchPragmas); nil on PostgreSQL.
	search *sql.DB

	// stmts caches prepared statements by pool and query text (stmtKey →
	// *sql.Stmt): the hot paths run the same few statements thousands of
	// times a second, and preparing costs as much as running.
	stmts sync.Map

	// df caches the document counts of search terms (search.go).
	df dfCache
	// counts caches accounts' counts of interactions, and searchComplete
	// is set once the search index holds every record (search_scan.go).
	counts         accountCounts
	searchComplete atomic.Bool
	// teamIDs caches each workspace's account IDs for searches (search.go).
	teamIDs teamIDsCache

	// logs merges concurrent LogInteraction calls into shared commits.
	logs logCombiner

	// dir caches account lookups and roles (see dirCache).
	dir dirCache
	// health keeps the accounts' health inputs (see healthCache).
	health healthCache
	// names holds each workspace's account names for the type-ahead (see
	// AccountNamesForUser).
	names namesCache

	// changes counts the write transactions of this process (see Changes).
	changes atomic.Uint64
	// prunedDeliveries is when FirstDelivery last pruned, unix ms.
	prunedDeliveries atomic.Int64
	// prunedRequests is when the interaction requests were last pruned.
	prunedRequests atomic.Int64

	// Now is the clock; tests replace it.
	Now func() time.Time

	// ReadyCache is how long Ready reuses its last answer (DefaultReadyCache
	// from Open; 0 probes on every call), so that frequent readiness checks
	// do not queue on the one writer.
	ReadyCache time.Duration
	ready      readyState
}

// DefaultReadyCache is how long Ready's answer is reused.
const DefaultReadyCache = time.Second

// readyState is Ready's last answer; mu also makes concurrent callers
// share one probe.
type readyState struct {
	mu  sync.Mutex
	at  time.Time // of the last probe, on the wall clock; zero: none yet
	err error
}

// Page cache sizes of SQLite's connections, in KiB.
//
// In WAL mode a reader's cache is dropped whenever another connection
// commits, so a large one buys little while every connection pays for it
// in resident memory. The write connection's cache survives its own
// commits, but a stream of logs fills any size with pages it rarely reads
// again: at 4 MiB it was most of SQLite's memory in a server under
// /kam log (4 of about 6 MiB), and 1 MiB costs no CPU per log, neither on
// a small database nor on one of 2 million interactions, where the indexes
// a log updates are hundreds of times larger than either
// (BenchmarkLogWithPostWorkspace10k).
const (
	writerCacheKiB = 1000
	readerCacheKiB = 2000
)

// Open opens (creating if needed) the database at path. It does not migrate:
// call Migrate, or use OpenMigrated.
// A postgres:// or postgresql:// URL opens PostgreSQL instead.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	if IsPostgresURL(path) {
		return openPostgres(path)
	}
	// Settings live in the DSN so that every pooled connection gets them.
	// The page caches are kept small (writerCacheKiB, readerCacheKiB).
	common := "_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=1&_synchronous=NORMAL"
	w, err := sql.Open(sqliteWriter, "file:"+escapePath(path)+"?"+common+"&_cache_size="+strconv.Itoa(-writerCacheKiB)+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r, err := sql.Open("sqlite3", "file:"+escapePath(path)+"?"+common+"&_cache_size="+strconv.Itoa(-readerCacheKiB)+"&mode=ro")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	// Connections are opened at the first search, not here.
	s, err := sql.Open(sqliteSearch, "file:"+escapePath(path)+"?"+common+"&_cache_size="+strconv.Itoa(-readerCacheKiB)+"&mode=ro")
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open database %s for searching: %w", path, err)
	}
	s.SetMaxOpenConns(n)
	s.SetMaxIdleConns(n)
	s.SetConnMaxIdleTime(0)
	db := &DB{path: path, write: w, read: r, search: s, Now: time.Now, ReadyCache: DefaultReadyCache}
	db.dir.ttl = dirCacheTTL
	return db, nil
}

// MigrateAt brings the schema of the database at path up to date and
// closes it: a template database prepared once for many tests.
func MigrateAt(ctx context.Context, path string) error {
	db, err := OpenMigrated(ctx, path)
	if err != nil {
		return err
	}
	return db.Close()
}

// OpenMigrated opens the database and brings its schema up to date.
func OpenMigrated(ctx context.Context, path string) (*DB, error) {
	db, err := Open(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Optimize(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OptimizeEvery is how often a long-running process should call Optimize.
const OptimizeEvery = 6 * time.Hour

// Optimize refreshes the query planner's statistics where a table has
// changed enough to need it (PRAGMA optimize, analysing never-analysed
// tables too, with a bounded sample so it stays cheap on a large file).
// Without statistics SQLite was seen to plan a one-account query on a
// workspace-wide index. Call it at start and every OptimizeEvery.
func (db *DB) Optimize(ctx context.Context) error {
	if db.pg != nil {
		return nil // PostgreSQL's autovacuum keeps the statistics
	}
	// 0x10002: also tables not used by this connection yet, as at start.
	for _, q := range []string{`PRAGMA analysis_limit = 1000`, `PRAGMA optimize = 0x10002`} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("optimize database %s: %w", db.path, err)
		}
	}
	return nil
}

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// Close closes the cached statements and both pools.
func (db *DB) Close() error {
	db.dir.gen.Add(1) // nothing cached is served once closed
	var errs []error
	db.stmts.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		db.stmts.Delete(k)
		return true
	})
	errs = append(errs, db.read.Close(), db.write.Close())
	if db.search != nil {
		errs = append(errs, db.search.Close())
	}
	if db.pg != nil {
		errs = append(errs, db.pg.close())
	}
	return errors.Join(errs...)
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// stmt returns the prepared statement for query on pool (db.read or
// db.write), preparing and caching it on first use.
//
// In a cached statement write a parameter compared with "=" or used as the
// LIMIT as "+?", not "?", wherever the planner may weigh it (any query with
// ORDER BY or more than one usable index). When SQLite plans such a query it
// may mark the bare parameter as "re-plan when rebound" (it guesses how
// selective "col = ?" is from whether the value is 0 or 1); the driver
// clears every binding before each run, which counts as a rebind, so the
// statement would be parsed and planned again on every call — several times
// the cost of running it. The unary plus hides the parameter from that
// guess and changes nothing else: it is on the value side, so indexes still
// apply.
//
// To use a write statement
// inside withTx, fetch it before the transaction and bind it with
// tx.StmtContext: preparing on the one-connection write pool while a
// transaction holds that connection would wait forever.
func (db *DB) stmt(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	key := stmtKey{pool, query}
	if s, ok := db.stmts.Load(key); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare statement: %w", err)
	}
	if prev, loaded := db.stmts.LoadOrStore(key, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// now is the clock's time at the precision stored, in UTC.
func (db *DB) now() time.Time { return fromMS(db.Now().UnixMilli()) }

// orNow returns t at the precision stored, in UTC, or the clock's time when
// t is zero.
func (db *DB) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return db.now()
	}
	return fromMS(t.UnixMilli())
}

// Path is the database file, or the PostgreSQL URL without its password.
func (db *DB) Path() string {
	if db.pg != nil {
		return redactURL(db.path)
	}
	return db.path
}

// Ping checks that the database answers a read; it backs /readyz.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Ready reports whether the database can serve: a read answers and a
// write commits. The write is a BEGIN IMMEDIATE transaction that rewrites
// the one row of ready_probe, so a read-only file, a full disk or a
// writer that cannot get the lock fails it where a ping would pass. The
// answer is reused for ReadyCache. The error holds the detail for the log,
// file path included; it is not for end users.
func (db *DB) Ready(ctx context.Context) error {
	db.ready.mu.Lock()
	defer db.ready.mu.Unlock()
	// The wall clock, not db.Now: this is about load, and tests stop db.Now.
	now := time.Now()
	if !db.ready.at.IsZero() && now.Sub(db.ready.at) < db.ReadyCache {
		return db.ready.err
	}
	err := db.probe(ctx)
	if ctx.Err() != nil && err != nil {
		// The caller gave up: say so, but let the next caller probe anew.
		return err
	}
	db.ready.at, db.ready.err = now, err
	return err
}

// probe reads, then commits a write to ready_probe.
func (db *DB) probe(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return fmt.Errorf("database %s: %w", db.Path(), err)
	}
	err := db.withQuietTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE ready_probe SET checked_at = ? WHERE id = 1", db.now().UnixMilli())
		if err != nil {
			return fmt.Errorf("write probe row: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("write probe row: %w", err)
		}
		if n != 1 {
			return fmt.Errorf("write probe row: %d rows written, want 1 (schema not migrated?)", n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("database %s cannot commit writes: %w", db.Path(), err)
	}
	return nil
}

// Migrate applies every embedded migration not yet applied, each in its own
// transaction, and returns the versions applied.
// On PostgreSQL the migrations run under a session advisory lock, so that
// replicas starting together apply them once.
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	p, done, err := db.migrator()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer done()
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var versions []int64
	for _, r := range res {
		versions = append(versions, r.Source.Version)
	}
	if err := db.fillLookAlikes(ctx); err != nil {
		return versions, fmt.Errorf("migrate: %w", err)
	}
	return versions, nil
}

// fillLookAlikes gives the accounts of a database older than the look-alike
// key (migration 9) their key, in one transaction; SQL cannot compute it.
// Once every key is set it costs one read at start and no write.
func (db *DB) fillLookAlikes(ctx context.Context) error {
	var missing bool
	err := db.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM accounts WHERE lookalike = '')`).Scan(&missing)
	if err != nil || !missing {
		return wrapErr(err, "fill look-alike keys")
	}
	return db.withDirTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name FROM accounts WHERE lookalike = ''`)
		if err != nil {
			return fmt.Errorf("fill look-alike keys: %w", err)
		}
		type row struct {
			id   int64
			name string
		}
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name); err != nil {
				rows.Close()
				return fmt.Errorf("fill look-alike keys: %w", err)
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("fill look-alike keys: %w", err)
		}
		for _, r := range todo {
			if _, err := tx.ExecContext(ctx, `UPDATE accounts SET lookalike = ? WHERE id = ?`, kam.LookAlike(r.name), r.id); err != nil {
				return fmt.Errorf("fill look-alike key of account %d: %w", r.id, err)
			}
		}
		return nil
	})
}

// SchemaCurrent reports whether every embedded migration has been applied;
// serve refuses to start on an old schema it was told not to migrate.
func (db *DB) SchemaCurrent(ctx context.Context) (bool, error) {
	p, done, err := db.migrator()
	if err != nil {
		return false, err
	}
	defer done()
	pending, err := p.HasPending(ctx)
	return !pending, err
}

// migrator returns the goose provider of the database's dialect and a
// function that releases what it holds.
func (db *DB) migrator() (*goose.Provider, func(), error) {
	if db.pg != nil {
		return db.pg.migrator()
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, nil, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, sub)
	if err != nil {
		return nil, nil, err
	}
	return p, func() {}, nil
}

// withTx runs fn in one write transaction (BEGIN IMMEDIATE; on PostgreSQL
// BEGIN and the write lock) and commits it; it counts as a change (see
// Changes).
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	defer db.changes.Add(1) // after the commit: see Changes
	return db.withQuietTx(ctx, fn)
}

// withQuietTx is withTx for bookkeeping that changes nothing a reader of
// accounts sees (outbox claims and outcomes, the readiness probe), so that
// it does not count as a change.
func (db *DB) withQuietTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if db.pg != nil {
		if err := lockWrites(ctx, tx, db.pg.writes); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
