package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/kambot/kambot/internal/fakeslack"
)

// newTestResponder returns a responder whose waits between attempts are
// recorded by the returned sleeper, not spent.
func newTestResponder(t *testing.T, clock *fixedClock) (*responder, *metrics.Set, *sleeper) {
	t.Helper()
	reg := metrics.NewSet()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	r := newResponder(&http.Client{Timeout: 500 * time.Millisecond}, clock.Now, testLogger(t), m, 5*time.Millisecond)
	sl := &sleeper{}
	r.sleep = sl.sleep
	return r, reg, sl
}

var msg = []byte(`{"response_type":"ephemeral","text":"Logged."}`)

func TestResponderRetries(t *testing.T) {
	tests := []struct {
		name      string
		fail      func(*fakeslack.ResponseSink)
		wantErr   bool
		wantPosts int
		retries   float64
	}{
		{"OK", func(*fakeslack.ResponseSink) {}, false, 1, 0},
		{"ServerErrorsThenOK", func(k *fakeslack.ResponseSink) { k.FailNext(500, 1); k.FailNext(503, 1) }, false, 1, 2},
		{"RateLimitedThenOK", func(k *fakeslack.ResponseSink) { k.FailNext(429, 1) }, false, 1, 1},
		{"DroppedThenOK", func(k *fakeslack.ResponseSink) { k.FailNext(-1, 1) }, false, 1, 1},
		{"TimeoutThenOK", func(k *fakeslack.ResponseSink) { k.HangNext(1) }, false, 1, 1},
		{"ErrExpiredURLNotRetried", func(k *fakeslack.ResponseSink) { k.FailNext(404, 1) }, true, 0, 0},
		{"ErrBadPayloadNotRetried", func(k *fakeslack.ResponseSink) { k.FailNext(400, 1) }, true, 0, 0},
		{"ErrServerDown", func(k *fakeslack.ResponseSink) { k.FailNext(500, 10) }, true, 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, reg, sl := newTestResponder(t, newClock(testNow))
			sink := fakeslack.NewResponseSink(t)
			tt.fail(sink)
			url := sink.URL()
			err := r.deliver(context.Background(), url, testNow, msg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("deliver = %v, want error %v", err, tt.wantErr)
			}
			if n := len(sink.PostsTo(url)); n != tt.wantPosts {
				t.Errorf("%d posts accepted, want %d", n, tt.wantPosts)
			}
			if got := metric(t, reg, "kambot_response_url_retries_total", nil); got != tt.retries {
				t.Errorf("retries = %v, want %v", got, tt.retries)
			}
			// Each retry waited the doubling backoff plus up to half of it.
			waits := sl.asked()
			if len(waits) != int(tt.retries) {
				t.Errorf("waits %v for %v retries", waits, tt.retries)
			}
			for i, w := range waits {
				if base := r.backoff << i; w < base || w > base+base/2 {
					t.Errorf("wait %d was %v; want %v to %v", i+1, w, base, base+base/2)
				}
			}
			outcome := "ok"
			if tt.wantErr {
				outcome = "failed"
			}
			if got := metric(t, reg, "kambot_response_url_deliveries_total", map[string]string{"outcome": outcome}); got != 1 {
				t.Errorf("deliveries{%s} = %v", outcome, got)
			}
		})
	}
}

func TestResponderRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	r, _, sl := newTestResponder(t, newClock(testNow))
	if err := r.deliver(context.Background(), srv.URL+"/hook", testNow, msg); err != nil {
		t.Fatal(err)
	}
	if waits := sl.asked(); len(waits) != 1 || waits[0] != time.Second {
		t.Errorf("waited %v before retrying; Retry-After said 1s", waits)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d posts, want 2", n)
	}
}

func TestResponderUseLimits(t *testing.T) {
	clock := newClock(testNow)
	r, reg, _ := newTestResponder(t, clock)
	sink := fakeslack.NewResponseSink(t)
	url := sink.URL()
	for i := range 5 {
		if err := r.deliver(context.Background(), url, testNow, msg); err != nil {
			t.Fatalf("use %d: %v", i+1, err)
		}
	}
	if err := r.deliver(context.Background(), url, testNow, msg); !errors.Is(err, ErrResponseURLUsedUp) {
		t.Errorf("sixth use: %v", err)
	}
	if n := len(sink.PostsTo(url)); n != 5 {
		t.Errorf("%d posts, want 5", n)
	}

	// A fresh URL older than 30 minutes is not used.
	old := sink.URL()
	clock.Add(31 * time.Minute)
	if err := r.deliver(context.Background(), old, testNow, msg); !errors.Is(err, ErrResponseURLExpired) {
		t.Errorf("31-minute-old URL: %v", err)
	}
	if n := len(sink.PostsTo(old)); n != 0 {
		t.Errorf("expired URL got %d posts", n)
	}
	if got := metric(t, reg, "kambot_response_url_deliveries_total", map[string]string{"outcome": "used_up"}); got != 1 {
		t.Errorf("used_up = %v", got)
	}
	if got := metric(t, reg, "kambot_response_url_deliveries_total", map[string]string{"outcome": "expired"}); got != 1 {
		t.Errorf("expired = %v", got)
	}
	// The bookkeeping is swept: old entries do not pile up.
	clock.Add(2 * time.Minute)
	_ = r.deliver(context.Background(), sink.URL(), clock.Now(), msg)
	r.mu.Lock()
	n := len(r.uses)
	r.mu.Unlock()
	if n != 1 {
		t.Errorf("%d URLs tracked after the sweep, want 1", n)
	}
}

// Retries also count as uses: a failing URL never gets a sixth POST.
func TestResponderRetriesCountAsUses(t *testing.T) {
	r, _, _ := newTestResponder(t, newClock(testNow))
	r.attempts = 10
	sink := fakeslack.NewResponseSink(t)
	sink.FailNext(500, 10)
	url := sink.URL()
	err := r.deliver(context.Background(), url, testNow, msg)
	if !errors.Is(err, ErrResponseURLUsedUp) {
		t.Errorf("deliver = %v, want used up", err)
	}
}

func TestResponderBadURL(t *testing.T) {
	r, reg, _ := newTestResponder(t, newClock(testNow))
	for _, u := range []string{"", "ftp://hooks.slack.com/x", "not a url", "https://"} {
		if err := r.deliver(context.Background(), u, testNow, msg); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if got := metric(t, reg, "kambot_response_url_deliveries_total", map[string]string{"outcome": "invalid_url"}); got != 3 {
		t.Errorf("invalid_url = %v", got)
	}
}

// A retry the deadline has no room for is not waited for: the delivery
// fails at once instead of at the deadline.
func TestResponderStopsWithContext(t *testing.T) {
	r, _, sl := newTestResponder(t, newClock(testNow))
	r.backoff = time.Hour
	sink := fakeslack.NewResponseSink(t)
	sink.FailNext(500, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := r.deliver(ctx, sink.URL(), testNow, msg)
	if err == nil || !strings.Contains(err.Error(), "no time left") {
		t.Errorf("deliver = %v", err)
	}
	if waits := sl.asked(); len(waits) != 0 {
		t.Errorf("waited %v past the deadline", waits)
	}
}

// A wait cut short by the context ends the delivery with its error.
func TestResponderWaitCancelled(t *testing.T) {
	r, reg, _ := newTestResponder(t, newClock(testNow))
	sink := fakeslack.NewResponseSink(t)
	sink.FailNext(500, 1)
	ctx, cancel := context.WithCancel(context.Background())
	r.sleep = func(context.Context, time.Duration) error {
		cancel() // the caller gives up during the wait
		return ctx.Err()
	}
	err := r.deliver(ctx, sink.URL(), testNow, msg)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("deliver = %v, want cancelled", err)
	}
	if got := metric(t, reg, "kambot_response_url_deliveries_total", map[string]string{"outcome": "failed"}); got != 1 {
		t.Errorf("deliveries{failed} = %v", got)
	}
}
