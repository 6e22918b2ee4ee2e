package commands

import (
	"slices"
	"sync"
	"time"

	"github.com/kambot/kambot/format"
)

// showCache keeps the account cards rendered in the current second, for
// the same card asked for again before anything changed (a team opening the
// card a channel post links to, a busy dashboard): rendering one reads a
// dozen queries' worth of records and assesses health, which costs many
// times the request itself. A card is served again only while the store
// reports no change since it was read (Store.Changes) and within the same
// second of the engine's clock, so it is never older than a second nor than
// the latest change, and the time-dependent parts (dates, recency) are
// those of the second it is asked in.
type showCache struct {
	mu      sync.Mutex
	sec     int64  // the second the cards were rendered in
	changes uint64 // Store.Changes when they were read
	cards   map[showKey]Reply
}

// showKey is one rendering of a card: the account, and the zone its dates
// are read in.
type showKey struct {
	team    string
	account int64
	zone    string
}

// showCacheMax bounds the cards kept; past it new ones are not kept.
const showCacheMax = 1024

// get returns the card rendered for k in second sec under changes.
func (c *showCache) get(k showKey, sec int64, changes uint64) (Reply, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sec != sec || c.changes != changes {
		return Reply{}, false
	}
	r, ok := c.cards[k]
	return r, ok
}

// put keeps r, rendered in second sec from records read under changes, and
// returns it ready to serve. The reply is finished here (limits applied,
// fallback text rendered) so that serving it again changes nothing in it:
// every caller shares its blocks.
func (c *showCache) put(k showKey, sec int64, changes uint64, r Reply) Reply {
	r.Blocks = slices.Clip(enforceLimits(r.Blocks, maxMessageBlocks))
	if r.Text == "" {
		r.Text = format.Fallback(r.Blocks)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sec != sec || c.changes != changes {
		// Another second or a later change: what is kept is of no more use.
		c.sec, c.changes = sec, changes
		clear(c.cards)
	}
	if c.cards == nil {
		c.cards = make(map[showKey]Reply)
	}
	if len(c.cards) < showCacheMax {
		c.cards[k] = r
	}
	return r
}

// showSecond is the second of the engine's clock a card is rendered for.
func showSecond(now time.Time) int64 { return now.Unix() }
