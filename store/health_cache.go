package store

import (
	"context"
	"database/sql"
	"maps"
	"math"
	"slices"
	"sync"
	"unsafe"

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
// workspace's survey cadence, and are copied out, so callers may change
// what they are given.
type healthCache struct {
	mu      sync.Mutex
	entries map[healthKey]*healthEntry
	bytes   int64 // estimated size of the entries
	max     int64 // budget in bytes, 0 for healthCacheBytes
}

type healthKey struct {
	team string
	id   int64
}

type healthEntry struct {
	rev       int64
	at, until int64 // unix ms: served while at <= now < until
	size      int64
	in        kam.HealthInput
}

// healthCacheBytes bounds the memory the entries hold (estimated; see
// healthSize). A 10,000-account workspace with a dense window needs about a
// third of it.
const healthCacheBytes = 48 << 20

// never is the until of an entry no passing time can change.
const never = math.MaxInt64

// get returns a copy of the entry of account a loaded under rev, if it is
// still good at nowMS.
func (c *healthCache) get(team string, a kam.Account, rev, nowMS int64) (kam.HealthInput, bool) {
	c.mu.Lock()
	e := c.entries[healthKey{team, a.ID}]
	c.mu.Unlock()
	// A clock gone back (nowMS before the load) is not served: the entry
	// says nothing of times before it was read.
	if e == nil || e.rev != rev || nowMS < e.at || nowMS >= e.until {
		return kam.HealthInput{}, false
	}
	in := cloneHealthInput(e.in)
	in.Account = a
	return in, true
}

// put keeps a copy of in, loaded at nowMS under rev and good until until.
func (c *healthCache) put(team string, rev, nowMS, until int64, in kam.HealthInput) {
	in = cloneHealthInput(in)
	in.Account, in.SurveyEvery = kam.Account{ID: in.Account.ID}, 0
	e := &healthEntry{rev: rev, at: nowMS, until: until, size: healthSize(in), in: in}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[healthKey]*healthEntry{}
	}
	k := healthKey{team, in.Account.ID}
	if old := c.entries[k]; old != nil {
		c.bytes -= old.size
	}
	c.entries[k] = e
	c.bytes += e.size
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
			c.bytes -= old.size
		}
	}
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

// cloneHealthInput copies everything of in that a caller could change
// through it: slices, maps and pointers. Strings are immutable and shared.
func cloneHealthInput(in kam.HealthInput) kam.HealthInput {
	in.Members = slices.Clone(in.Members)
	in.LastTouch = maps.Clone(in.LastTouch)
	if in.Window != nil {
		w := make([]kam.Touches, len(in.Window))
		for i, t := range in.Window {
			t.Met = slices.Clone(t.Met)
			w[i] = t
		}
		in.Window = w
	}
	in.Contacts = slices.Clone(in.Contacts)
	in.Opportunities = slices.Clone(in.Opportunities)
	p := &in.Plan
	p.Objectives, p.Tactics = slices.Clone(p.Objectives), slices.Clone(p.Tactics)
	if p.LastReview != nil {
		r := *p.LastReview
		p.LastReview = &r
	}
	p.Charter.Entries, p.Charter.Strategies = slices.Clone(p.Charter.Entries), slices.Clone(p.Charter.Strategies)
	p.Targets = slices.Clone(p.Targets)
	if s := in.Satisfaction; s != nil {
		c := *s
		if s.PreviousNPS != nil {
			v := *s.PreviousNPS
			c.PreviousNPS = &v
		}
		if s.Latest != nil {
			l := *s.Latest
			c.Latest = &l
		}
		in.Satisfaction = &c
	}
	return in
}

// healthSize estimates the bytes an entry holds: its structs and the
// text they point to (shared strings are counted once per holder, which
// errs on the safe side).
func healthSize(in kam.HealthInput) int64 {
	n := int64(unsafe.Sizeof(healthEntry{})) + 64 // the entry and its map slot
	n += int64(cap(in.Members)) * int64(unsafe.Sizeof(kam.Member{}))
	for _, m := range in.Members {
		n += int64(len(m.UserID) + len(m.Function))
	}
	n += int64(len(in.LastTouch)) * 64
	n += int64(cap(in.Window)) * int64(unsafe.Sizeof(kam.Touches{}))
	for _, t := range in.Window {
		n += int64(len(t.UserID)) + int64(cap(t.Met))*8
	}
	n += int64(cap(in.Contacts)) * int64(unsafe.Sizeof(kam.Contact{}))
	for _, c := range in.Contacts {
		n += int64(len(c.Name) + len(c.Title) + len(c.BusinessAgenda) + len(c.PersonalAgenda) + len(c.MeasuredBy))
	}
	n += int64(cap(in.Opportunities)) * int64(unsafe.Sizeof(kam.Opportunity{}))
	for _, o := range in.Opportunities {
		n += int64(len(o.Name))
	}
	p := in.Plan
	n += int64(cap(p.Objectives)) * int64(unsafe.Sizeof(kam.Objective{}))
	for _, o := range p.Objectives {
		n += int64(len(o.Text))
	}
	n += int64(cap(p.Tactics)) * int64(unsafe.Sizeof(kam.Tactic{}))
	for _, t := range p.Tactics {
		n += int64(len(t.Text))
	}
	if p.LastReview != nil {
		n += int64(unsafe.Sizeof(kam.PlanReview{}) + uintptr(len(p.LastReview.Note)))
	}
	n += int64(cap(p.Charter.Entries)) * int64(unsafe.Sizeof(kam.CharterEntry{}))
	for _, e := range p.Charter.Entries {
		n += int64(len(e.Text))
	}
	n += int64(cap(p.Charter.Strategies)) * int64(unsafe.Sizeof(kam.Strategy{}))
	for _, s := range p.Charter.Strategies {
		n += int64(len(s.Text))
	}
	n += int64(cap(p.Targets)) * int64(unsafe.Sizeof(kam.Target{}))
	if s := in.Satisfaction; s != nil {
		n += int64(unsafe.Sizeof(kam.NPSSummary{}))
		if s.Latest != nil {
			n += int64(unsafe.Sizeof(kam.NPSAnswer{}) + uintptr(len(s.Latest.Comment)))
		}
	}
	return n
}
