package outbox

import (
	"math"
	"math/rand/v2"
	"time"
)

// pacer spaces posts with a token bucket of burst tokens, one regained per
// interval (kept as a GCRA "theoretical arrival time"), and holds them all
// while Slack's Retry-After runs. An interval of zero means no limit. Callers
// hold the Sender's lock.
type pacer struct {
	interval time.Duration
	burst    int
	tat      time.Time // when the bucket is full again
	blocked  time.Time // nothing before this (Retry-After)

	// The two latest takes: a 429 on a post that came at least an interval
	// after the previous one cannot be the channel's own limit.
	last, prev time.Time
}

func newPacer(interval time.Duration, burst int) *pacer {
	return &pacer{interval: interval, burst: max(burst, 1)}
}

// tokens is how many posts may start at now.
func (p *pacer) tokens(now time.Time) int {
	if p.blocked.After(now) {
		return 0
	}
	if p.interval <= 0 {
		return math.MaxInt32
	}
	if !p.tat.After(now) {
		return p.burst
	}
	room := time.Duration(p.burst)*p.interval - p.tat.Sub(now)
	return max(int(room/p.interval), 0)
}

// readyAt is the earliest time one post may start.
func (p *pacer) readyAt() time.Time {
	r := p.tat
	if p.interval > 0 {
		r = p.tat.Add(-time.Duration(p.burst-1) * p.interval)
	}
	if p.blocked.After(r) {
		r = p.blocked
	}
	return r
}

// take spends one token at at (now, or a reserved future time).
func (p *pacer) take(at time.Time) {
	if p.tat.Before(at) {
		p.tat = at
	}
	p.tat = p.tat.Add(p.interval)
	p.prev, p.last = p.last, at
}

// reserve takes the next token, waiting if need be, and returns how long
// after now the caller may go.
func (p *pacer) reserve(now time.Time) time.Duration {
	at := p.readyAt()
	if at.Before(now) {
		at = now
	}
	p.take(at)
	return at.Sub(now)
}

// block holds every post until until.
func (p *pacer) block(until time.Time) {
	if until.After(p.blocked) {
		p.blocked = until
	}
}

// lone reports whether the latest take came at least an interval after the
// one before it (or had none before it): a channel posting that slowly is
// within its own rate.
func (p *pacer) lone() bool {
	return p.prev.IsZero() || p.last.Sub(p.prev) >= p.interval
}

// idle reports whether the bucket is full and unblocked at now, so the
// pacer holds nothing a fresh one would not.
func (p *pacer) idle(now time.Time) bool {
	return !p.tat.After(now) && !p.blocked.After(now)
}

// backoff is the wait before retry number n (1 for the first retry):
// base doubling per retry up to limit, with "equal jitter" (between half
// and all of it) so that messages failed together don't retry together.
func backoff(n int, base, limit time.Duration, rnd func() float64) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	if d > limit || d <= 0 {
		d = limit
	}
	half := d / 2
	return half + time.Duration(rnd()*float64(d-half))
}

// defaultRand is the jitter source when the Config gives none.
func defaultRand() float64 { return rand.Float64() }
