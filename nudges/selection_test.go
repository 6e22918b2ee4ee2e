package nudges_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/nudges"
)

// TestSelectionReviewOncePerYear runs the yearly selection review job on
// its date, makes up a run missed while the process was down once, and
// runs it no more until the next year's date.
func TestSelectionReviewOncePerYear(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var mu sync.Mutex
	var runs []time.Time
	cfg := nudges.Config{SelectionSpec: "0 9 15 1 *", Selection: func(_ context.Context, now time.Time) error {
		mu.Lock()
		defer mu.Unlock()
		runs = append(runs, now)
		return nil
	}}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(runs) }

	w.clock.Set(time.Date(2025, 1, 10, 12, 0, 0, 0, zurich))
	first := w.scheduler(cfg)
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("a first start ran the review %d times", n)
	}
	// Down over the 15th: made up once at start.
	w.clock.Set(time.Date(2025, 1, 20, 12, 0, 0, 0, zurich))
	second := w.scheduler(cfg)
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := second.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("catch-up ran the review %d times, want 1", n)
	}
	// Nothing more before next year's date; then once.
	third := w.scheduler(cfg)
	if err := third.RunDue(ctx, time.Date(2026, 1, 15, 8, 59, 0, 0, zurich)); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d runs before the next date, want 1", n)
	}
	for i := 0; i < 2; i++ {
		if err := third.RunDue(ctx, time.Date(2026, 1, 15, 9, 30, 0, 0, zurich)); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 2 {
		t.Errorf("%d runs after the next date, want 2", n)
	}
}

func TestSelectionSpecRefused(t *testing.T) {
	w := newWorld(t)
	_, err := nudges.New(nudges.Config{Store: w.store, Selection: func(context.Context, time.Time) error { return nil }, SelectionSpec: "0 9 30 2 *"})
	if err == nil {
		t.Fatal("a selection date that never comes was accepted")
	}
}
