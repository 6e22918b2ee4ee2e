package outbox

import (
	"testing"
	"time"
)

func TestPacer(t *testing.T) {
	const T = time.Second
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	t.Run("BurstThenOnePerInterval", func(t *testing.T) {
		p := newPacer(T, 3)
		steps := []struct {
			now       time.Duration
			take      bool
			tokens    int
			readyAt   time.Duration
			wantReady bool
		}{
			{0, false, 3, 0, true},
			{0, true, 2, 0, true},
			{0, true, 1, 0, true},
			{0, true, 0, T, false},
			{500 * time.Millisecond, false, 0, T, false},
			{T, false, 1, T, true},
			{T, true, 0, 2 * T, false},
			{10 * T, false, 3, 2 * T, true}, // refilled
		}
		for i, s := range steps {
			if s.take {
				p.take(at(s.now))
			}
			if got := p.tokens(at(s.now)); got != s.tokens {
				t.Errorf("step %d: tokens = %d, want %d", i, got, s.tokens)
			}
			if !s.wantReady {
				if got := p.readyAt(); !got.Equal(at(s.readyAt)) {
					t.Errorf("step %d: readyAt = %v, want %v", i, got.Sub(t0), s.readyAt)
				}
			}
		}
		if !p.idle(at(10 * T)) {
			t.Error("a refilled pacer is not idle")
		}
	})

	t.Run("Block", func(t *testing.T) {
		p := newPacer(T, 3)
		p.block(at(5 * T))
		p.block(at(2 * T)) // an earlier block does not shorten it
		if p.tokens(at(4*T)) != 0 || !p.readyAt().Equal(at(5*T)) || p.idle(at(4*T)) {
			t.Errorf("blocked pacer: tokens %d, ready %v", p.tokens(at(4*T)), p.readyAt().Sub(t0))
		}
		if p.tokens(at(5*T)) != 3 {
			t.Errorf("after the block: %d tokens", p.tokens(at(5*T)))
		}
	})

	t.Run("Reserve", func(t *testing.T) {
		p := newPacer(T, 2)
		var waits []time.Duration
		for range 5 {
			waits = append(waits, p.reserve(t0))
		}
		want := []time.Duration{0, 0, T, 2 * T, 3 * T}
		for i := range want {
			if waits[i] != want[i] {
				t.Fatalf("reservations wait %v, want %v", waits, want)
			}
		}
	})

	t.Run("Unlimited", func(t *testing.T) {
		p := newPacer(0, 1)
		for range 1000 {
			p.take(t0)
		}
		if p.tokens(t0) < 1000 || p.readyAt().After(t0) {
			t.Errorf("an unlimited pacer ran out: %d tokens", p.tokens(t0))
		}
	})

	t.Run("Lone", func(t *testing.T) {
		p := newPacer(T, 3)
		p.take(t0)
		if !p.lone() {
			t.Error("a first post is not lone")
		}
		p.take(at(100 * time.Millisecond))
		if p.lone() {
			t.Error("a post 100ms after the previous one is lone")
		}
		p.take(at(2 * T))
		if !p.lone() {
			t.Error("a post two intervals after the previous one is not lone")
		}
	})
}

func TestBackoffDurations(t *testing.T) {
	base, limit := 2*time.Second, time.Minute
	cases := []struct {
		n    int
		rnd  float64
		want time.Duration
	}{
		{1, 0, time.Second},
		{1, 0.999999999, 2 * time.Second},
		{2, 0.5, 3 * time.Second},
		{3, 0, 4 * time.Second},
		{5, 0, 16 * time.Second},
		{6, 0, 30 * time.Second}, // 64 s capped at 60
		{100, 0, 30 * time.Second},
		{0, 0, time.Second},
	}
	for _, c := range cases {
		got := backoff(c.n, base, limit, func() float64 { return c.rnd })
		if got.Round(time.Millisecond) != c.want {
			t.Errorf("backoff(%d, rnd %v) = %v, want %v", c.n, c.rnd, got, c.want)
		}
	}
	for n := 1; n < 70; n++ {
		if d := backoff(n, time.Hour, 24*time.Hour, defaultRand); d <= 0 || d > 24*time.Hour {
			t.Fatalf("backoff(%d) = %v overflows", n, d)
		}
	}
}
