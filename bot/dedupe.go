package bot

import (
	"context"
	"sync"
	"time"
)

// dedupe remembers IDs (event_id) for a while, so that Slack's
// at-least-once deliveries — HTTP retries, Socket Mode redeliveries after a
// reconnect — are handled once. Memory is bounded: the oldest IDs are
// forgotten first once max is reached.
type dedupe struct {
	now func() time.Time
	ttl time.Duration
	max int

	mu    sync.Mutex
	seen  map[string]time.Time
	order []dedupeEntry // insertion order, for expiry and eviction
	head  int
}

type dedupeEntry struct {
	id string
	at time.Time
}

func newDedupe(now func() time.Time, ttl time.Duration, max int) *dedupe {
	return &dedupe{now: now, ttl: ttl, max: max, seen: map[string]time.Time{}}
}

// first records id and reports whether it had not been seen within the TTL.
func (d *dedupe) first(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	d.expireLocked(now)
	if _, ok := d.seen[id]; ok {
		return false
	}
	d.seen[id] = now
	d.order = append(d.order, dedupeEntry{id, now})
	return true
}

// forget drops id, so that a redelivery is handled (used when the first
// delivery could not be processed).
func (d *dedupe) forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.seen, id)
}

func (d *dedupe) expireLocked(now time.Time) {
	for d.head < len(d.order) {
		e := d.order[d.head]
		if now.Sub(e.at) < d.ttl && len(d.order)-d.head < d.max {
			break
		}
		if at, ok := d.seen[e.id]; ok && at.Equal(e.at) {
			delete(d.seen, e.id)
		}
		d.order[d.head] = dedupeEntry{}
		d.head++
	}
	// Compact once the dead prefix dominates, keeping appends amortised O(1).
	if d.head > 1024 && d.head*2 > len(d.order) {
		d.order = append(d.order[:0:0], d.order[d.head:]...)
		d.head = 0
	}
}

// tracker counts background work (deferred replies, response_url
// deliveries, event handlers) so that shutdown can wait for it.
type tracker struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0
}

func newTracker() *tracker {
	t := &tracker{idle: make(chan struct{})}
	close(t.idle)
	return t
}

// Go runs f in a goroutine counted until it returns.
func (t *tracker) Go(f func()) {
	t.add()
	go func() {
		defer t.done()
		f()
	}()
}

// add counts one piece of work in; done counts it out.
func (t *tracker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.idle = make(chan struct{})
	}
	t.n++
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 {
		close(t.idle)
	}
}

// Wait blocks until no work is running or ctx ends.
func (t *tracker) Wait(ctx context.Context) error {
	for {
		t.mu.Lock()
		n, idle := t.n, t.idle
		t.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
