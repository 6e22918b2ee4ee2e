package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kambot/kambot/kam"
)

// dirCache keeps the answers of the two lookups every command makes —
// which account a name means (FindAccounts) and what the caller's role on it
// is (MemberRole) — so that a busy team's interaction log costs one write and no
// reads. Every write to accounts or members in this process bumps gen after
// its commit, and an answer read under an older gen is never served, so a
// change is seen by the very next command. A short TTL bounds how long a
// change made by another process on the same file (kambot import) can go
// unseen.
type dirCache struct {
	gen atomic.Uint64
	ttl time.Duration
	// blind bypasses the cache: on PostgreSQL while this process is not
	// listening for other replicas' changes (see listenDir).
	blind atomic.Bool

	mu    sync.RWMutex
	finds map[findKey]findEntry
	roles map[roleKey]roleEntry
}

// dirCacheTTL bounds staleness against writers in other processes.
const dirCacheTTL = 2 * time.Second

// dirCacheMax bounds the entries kept; past it the cache starts over.
const dirCacheMax = 20_000

type findKey struct {
	team, query string
	limit       int
}

type findEntry struct {
	gen     uint64
	expires time.Time
	accts   []kam.Account
}

type roleKey struct {
	team    string
	account int64
	user    string
}

type roleEntry struct {
	gen     uint64
	expires time.Time
	role    kam.Role
}

func (c *dirCache) find(k findKey, now time.Time) ([]kam.Account, bool) {
	c.mu.RLock()
	e, ok := c.finds[k]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen.Load() || now.After(e.expires) || c.blind.Load() {
		return nil, false
	}
	return slices.Clone(e.accts), true
}

func (c *dirCache) putFind(k findKey, gen uint64, now time.Time, accts []kam.Account) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finds == nil || len(c.finds) >= dirCacheMax {
		c.finds = make(map[findKey]findEntry)
	}
	c.finds[k] = findEntry{gen: gen, expires: now.Add(c.ttl), accts: slices.Clone(accts)}
}

func (c *dirCache) role(k roleKey, now time.Time) (kam.Role, bool) {
	c.mu.RLock()
	e, ok := c.roles[k]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen.Load() || now.After(e.expires) || c.blind.Load() {
		return "", false
	}
	return e.role, true
}

func (c *dirCache) putRole(k roleKey, gen uint64, now time.Time, r kam.Role) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.roles == nil || len(c.roles) >= dirCacheMax {
		c.roles = make(map[roleKey]roleEntry)
	}
	c.roles[k] = roleEntry{gen: gen, expires: now.Add(c.ttl), role: r}
}

// withDirTx is withTx for transactions that change accounts (and maybe
// members): it invalidates the lookup cache once the change is committed
// (and also when it fails, as the outcome of a failed commit is not always
// known). The type-ahead's names need no telling: they follow the
// database's change counters (see AccountNamesForUser).
//
// On PostgreSQL the transaction also notifies the other replicas (the
// notice is delivered at commit; see listenDir).
func (db *DB) withDirTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.withTeamTx(ctx, fn)
}

// withTeamTx is withDirTx for transactions that change teams only (members,
// and the owner and sponsor columns that mirror them).
func (db *DB) withTeamTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	defer db.dir.gen.Add(1)
	if db.pg == nil {
		return db.withTx(ctx, fn)
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, dirChannel); err != nil {
			return fmt.Errorf("notify other replicas: %w", err)
		}
		return nil
	})
}
