package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Slack's response_url rules: at most five uses within thirty minutes of the
// command or interaction.
const (
	responseURLUses     = 5
	responseURLLifetime = 30 * time.Minute
)

// Errors of a response_url delivery that will not succeed by retrying.
var (
	ErrResponseURLUsedUp  = errors.New("response_url already used 5 times")
	ErrResponseURLExpired = errors.New("response_url is older than 30 minutes")
)

// responder POSTs messages to response_url, retrying transient failures
// (network errors, 429, 5xx) with exponential backoff, and keeps count of
// each URL's uses so Slack's five-uses-in-thirty-minutes rule is never broken.
type responder struct {
	client   *http.Client
	now      func() time.Time
	log      *slog.Logger
	m        *Metrics
	attempts int
	backoff  time.Duration
	// sleep waits between attempts; tests replace it to record the waits
	// instead of spending them.
	sleep func(ctx context.Context, d time.Duration) error

	mu        sync.Mutex
	uses      map[string]*urlUse
	lastSweep time.Time
}

type urlUse struct {
	first time.Time
	n     int
}

func newResponder(client *http.Client, now func() time.Time, log *slog.Logger, m *Metrics, backoff time.Duration) *responder {
	return &responder{client: client, now: now, log: log, m: m, attempts: 4, backoff: backoff, sleep: sleep,
		uses: map[string]*urlUse{}, lastSweep: now()}
}

// reserve takes one use of u, whose request arrived at issued, or says
// why it cannot.
func (r *responder) reserve(u string, issued time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if now.Sub(r.lastSweep) > time.Minute {
		for k, v := range r.uses {
			if now.Sub(v.first) > responseURLLifetime {
				delete(r.uses, k)
			}
		}
		r.lastSweep = now
	}
	use, ok := r.uses[u]
	if !ok {
		use = &urlUse{first: issued}
		r.uses[u] = use
	}
	switch {
	case now.Sub(use.first) > responseURLLifetime:
		return ErrResponseURLExpired
	case use.n >= responseURLUses:
		return ErrResponseURLUsedUp
	}
	use.n++
	return nil
}

// deliver POSTs the JSON body to u, the response_url of a request that
// arrived at issued, retrying transient failures while ctx allows. Every
// attempt counts as a use: Slack may have seen it.
func (r *responder) deliver(ctx context.Context, u string, issued time.Time, body []byte) error {
	if u == "" {
		r.m.deliveries.with("no_url").Inc()
		return errors.New("no response_url to deliver to")
	}
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
		r.m.deliveries.with("invalid_url").Inc()
		return fmt.Errorf("response_url %q is not an http(s) URL", u)
	}
	for attempt := 1; ; attempt++ {
		if err := r.reserve(u, issued); err != nil {
			outcome := "used_up"
			if errors.Is(err, ErrResponseURLExpired) {
				outcome = "expired"
			}
			r.m.deliveries.with(outcome).Inc()
			return err
		}
		retryAfter, err := r.post(ctx, u, body)
		if err == nil {
			r.m.deliveries.with("ok").Inc()
			return nil
		}
		var te transientError
		if !errors.As(err, &te) || attempt >= r.attempts || ctx.Err() != nil {
			r.m.deliveries.with("failed").Inc()
			return fmt.Errorf("post to response_url (attempt %d): %w", attempt, err)
		}
		wait := r.backoff << (attempt - 1)
		wait += rand.N(wait/2 + 1) // jitter: retries of many replies do not align
		if retryAfter > 0 {
			wait = retryAfter
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			r.m.deliveries.with("failed").Inc()
			return fmt.Errorf("post to response_url: no time left to retry after %s: %w", wait, err)
		}
		r.m.retries.Inc()
		r.log.Debug("retrying response_url delivery", "attempt", attempt, "wait", wait, "err", err)
		if serr := r.sleep(ctx, wait); serr != nil {
			r.m.deliveries.with("failed").Inc()
			return fmt.Errorf("post to response_url: %w (after %v)", serr, err)
		}
	}
}

// sleep waits d, or until ctx ends and returns its error.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// transientError marks a failure worth retrying.
type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

func (r *responder) post(ctx context.Context, u string, body []byte) (retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, transientError{err}
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		// Slack may accept the POST and refuse the message in its body.
		if bytes.Contains(msg, []byte(`"ok":false`)) {
			return 0, fmt.Errorf("status %d: %s", resp.StatusCode, msg)
		}
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			retryAfter = time.Duration(s) * time.Second
		}
		return retryAfter, transientError{fmt.Errorf("status %d: %s", resp.StatusCode, msg)}
	case resp.StatusCode >= 500:
		return 0, transientError{fmt.Errorf("status %d: %s", resp.StatusCode, msg)}
	default: // 404 expired_url, 400 invalid_payload…: retrying will not help
		return 0, fmt.Errorf("status %d: %s", resp.StatusCode, msg)
	}
}
