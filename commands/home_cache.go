package commands

import (
	"sync"
	"time"

	"github.com/kambot/kambot/kam"
)

// homeCache keeps each account's assessment and open deals for the Home
// views of its whole team: a person on 300 accounts then loads only what
// changed since. An
// entry lives homeCacheTTL (health moves with the clock, by the day) or
// until Invalidate is told of a change to its account.
type homeCache struct {
	mu      sync.Mutex
	entries map[homeCacheKey]homeCached
}

type homeCacheKey struct {
	team string
	id   int64
}

// homeCached is what the Home needs of one account's health inputs.
type homeCached struct {
	health  kam.Health
	review  time.Time
	members []kam.Member
	tactics []kam.Tactic      // open, with a due date
	deals   []kam.Opportunity // open, with their value
	at      time.Time
}

const (
	homeCacheTTL = 10 * time.Minute
	// homeCacheMax bounds memory: past it the cache starts over.
	homeCacheMax = 50_000
)

func newHomeCache() *homeCache { return &homeCache{entries: map[homeCacheKey]homeCached{}} }

// cachedOf summarises one account's inputs for the cache.
func cachedOf(in kam.HealthInput, now time.Time) homeCached {
	// Home shows the score, band and alerts: the summary, which keeps
	// entries small.
	c := homeCached{health: kam.AssessHealthSummary(in, now), review: in.Plan.NextReview(in.Account.Cadence), members: in.Members, at: now}
	for _, o := range in.Opportunities {
		if o.Stage.Open() {
			c.deals = append(c.deals, o)
		}
	}
	for _, t := range in.Plan.Tactics {
		if !t.Done && !t.Due.IsZero() {
			c.tactics = append(c.tactics, t)
		}
	}
	return c
}

// get returns the fresh entries of the accounts and the accounts without one.
func (c *homeCache) get(team string, accts []kam.Account, now time.Time) (map[int64]homeCached, []kam.Account) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hit := make(map[int64]homeCached, len(accts))
	var miss []kam.Account
	for _, a := range accts {
		e, ok := c.entries[homeCacheKey{team, a.ID}]
		if ok && now.Sub(e.at) < homeCacheTTL && !now.Before(e.at) {
			hit[a.ID] = e
		} else {
			miss = append(miss, a)
		}
	}
	return hit, miss
}

func (c *homeCache) put(team string, id int64, e homeCached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= homeCacheMax {
		clear(c.entries)
	}
	c.entries[homeCacheKey{team, id}] = e
}

// Invalidate forgets the cached assessment of the accounts, or of every
// account of the workspace when none are named (a change of score weights,
// say). The Home refresher calls it for each change it reads.
func (h *Home) Invalidate(teamID string, accountIDs []int64) {
	c := h.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(accountIDs) == 0 {
		for k := range c.entries {
			if k.team == teamID {
				delete(c.entries, k)
			}
		}
		return
	}
	for _, id := range accountIDs {
		delete(c.entries, homeCacheKey{teamID, id})
	}
}
