package store

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kambot/kambot/kam"
)

// healthCache keeps each account's health inputs as last loaded, so that
// `health all`, a digest of many accounts or a Home view reads again only
// the accounts that changed. An entry is served only while two things
// hold:
//
//   - the account's change counter (health_revs, kept by triggers in the
//     database, migration 00180) still has the value read before the entry
//     was loaded: any write to a row the health queries read, by any
//     process, changes it;
//   - the clock is within the span in which no row can enter or leave the
//     parts that depend on now (the 90-day window of contact, the NPS
//     periods, the latest answer): from the load's now up to the first
//     moment a row dated in or after it would cross a boundary.
//
// Entries hold neither the account (the caller's is used) nor the
// workspace's survey cadence, and are kept encoded (health_codec.go): each
// caller gets its own decoded copy, which it may change.
type healthCache struct {
	mu      sync.Mutex
	entries map[healthKey]*healthEntry
	bytes   int64 // estimated size of the entries
	max     int64 // budget in bytes, 0 for healthCacheBytes
	// loads counts the accounts whose inputs were read from the database.
	loads atomic.Int64
}

type healthKey struct {
	team string
	id   int64
}

type healthEntry struct {
	rev       int64
	at, until int64  // unix ms: served while at <= now < until
	data      []byte // the inputs, encoded (health_codec.go); never written after
}

// size is about what the entry holds: its bytes, the entry and its slot.
func (e *healthEntry) size() int64 { return int64(cap(e.data)) + 128 }

// healthCacheBytes bounds the memory the entries hold. A 10,000-account
// workspace of the benchmarks' shape (six team members, five stakeholders,
// five open deals and five plan lines an account) takes about 12 MB.
const healthCacheBytes = 32 << 20

// never is the until of an entry no passing time can change.
const never = math.MaxInt64

// get returns a copy of the entry of account a loaded under rev, if it is
// still good at nowMS.
func (c *healthCache) get(team string, a kam.Account, rev, nowMS int64) (kam.HealthInput, bool) {
	data, ok := c.encoded(team, a.ID, rev, nowMS)
	if !ok {
		return kam.HealthInput{}, false
	}
	return decodeEntry(data, a)
}

// encoded returns the bytes of the entry of account id loaded under rev,
// if it is still good at nowMS; decodeEntry reads them.
func (c *healthCache) encoded(team string, id, rev, nowMS int64) ([]byte, bool) {
	c.mu.Lock()
	e := c.entries[healthKey{team, id}]
	c.mu.Unlock()
	// A clock gone back (nowMS before the load) is not served: the entry
	// says nothing of times before it was read.
	if e == nil || e.rev != rev || nowMS < e.at || nowMS >= e.until {
		return nil, false
	}
	return e.data, true
}

// decodeEntry decodes an entry's bytes into the inputs of account a.
func decodeEntry(data []byte, a kam.Account) (kam.HealthInput, bool) {
	in, err := decodeHealth(data)
	if err != nil {
		return kam.HealthInput{}, false // cannot happen: it was encoded here
	}
	in.Account = a
	return in, true
}

// put keeps in, loaded at nowMS under rev and good until until. Inputs
// the encoding cannot keep exactly are not kept.
func (c *healthCache) put(team string, rev, nowMS, until int64, in kam.HealthInput) {
	id := in.Account.ID
	in.Account, in.SurveyEvery = kam.Account{}, 0
	data, err := encodeHealth(&in)
	if err != nil {
		return
	}
	e := &healthEntry{rev: rev, at: nowMS, until: until, data: slices.Clone(data)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[healthKey]*healthEntry{}
	}
	k := healthKey{team, id}
	if old := c.entries[k]; old != nil {
		c.bytes -= old.size()
	}
	c.entries[k] = e
	c.bytes += e.size()
	budget := c.max
	if budget == 0 {
		budget = healthCacheBytes
	}
	if c.bytes > budget {
		// Drop entries (in map order, which is as good as any) down to
		// three quarters of the budget, so the next puts do not each pay
		// for a sweep.
		for k, old := range c.entries {
			if c.bytes <= budget/4*3 {
				break
			}
			delete(c.entries, k)
			c.bytes -= old.size()
		}
	}
}

// full reports whether the entries fill three quarters of the budget or
// more: where a sweep would leave them (see put).
func (c *healthCache) full() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	budget := c.max
	if budget == 0 {
		budget = healthCacheBytes
	}
	return c.bytes >= budget/4*3
}

// reset forgets every entry.
func (c *healthCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries, c.bytes = nil, 0
}

// ForgetHealthInputs drops the health inputs kept in memory: the next
// reads load them from the database. Nothing needs it for correctness;
// it is there to measure a cold read and to give the memory back.
func (db *DB) ForgetHealthInputs() { db.health.reset() }

// healthRevsSQL reads the change counters of the accounts: one primary-key
// seek each, from the accounts (a list scanned would pass for a small
// table). An account not written since migration 00180 has no row: its
// counter is 0.
const healthRevsSQL = `SELECT a.value, coalesce((SELECT h.rev FROM health_revs h WHERE h.account_id = a.value), 0) FROM json_each(?1) a`

// healthRevs reads the change counters of the accounts, by account ID.
func (db *DB) healthRevs(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(ids))
	err := db.each(ctx, func(r *sql.Rows) error {
		var id, rev int64
		if err := r.Scan(&id, &rev); err != nil {
			return err
		}
		out[id] = rev
		return nil
	}, healthRevsSQL, idList(ids))
	return out, wrapErr(err, "health inputs: read change counters")
}
