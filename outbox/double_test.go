package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/promtext"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// fault is what the Slack double does with one chat.postMessage call.
type fault int

const (
	faultNone       fault = iota
	fault500              // answer 500, post nothing
	fault500Posted        // post, then answer 500
	faultHang             // post, then answer only after the client gave up
	faultHangNoPost       // answer only after the client gave up, post nothing
	fault429              // answer 429 with Retry-After: 1, post nothing
)

// posted is a message the double accepted.
type posted struct {
	Channel  string
	TS       string
	Text     string
	Blocks   json.RawMessage
	Metadata slack.SlackMetadata
	At       time.Time
}

// slackDouble is a Slack Web API double for chat.postMessage and
// conversations.history, speaking Slack's JSON. It enforces per-channel
// pacing like Slack (429 with Retry-After: 1 beyond a burst) and plays
// scripted faults per channel.
type slackDouble struct {
	srv *httptest.Server

	mu       sync.Mutex
	interval time.Duration // pacing per channel; 0: none
	burst    int
	tat      map[string]time.Time
	hang     time.Duration // how long a hanging answer takes
	delay    time.Duration // added to every successful answer, after the post is stored
	faults   map[string][]fault
	missing  map[string]string // channel → error code for every post
	histErr  map[string]string // channel → error code for conversations.history
	msgs     map[string][]posted
	byKey    map[string][]posted
	arrivals map[string][]time.Time // accepted or refused posts, per channel
	limited  []time.Time            // when 429s were answered
	history  int                    // conversations.history calls
	lastTS   int64
	tsClock  func() time.Time // stamps messages; pacing uses the real clock
}

func newSlackDouble(tb testing.TB) *slackDouble {
	d := &slackDouble{
		tsClock:  time.Now,
		hang:     3 * time.Second,
		tat:      map[string]time.Time{},
		faults:   map[string][]fault{},
		missing:  map[string]string{},
		histErr:  map[string]string{},
		msgs:     map[string][]posted{},
		byKey:    map[string][]posted{},
		arrivals: map[string][]time.Time{},
	}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serve))
	tb.Cleanup(d.srv.Close)
	return d
}

// pace makes the double refuse posts beyond burst, then one per interval,
// per channel.
func (d *slackDouble) pace(interval time.Duration, burst int) {
	d.mu.Lock()
	d.interval, d.burst = interval, burst
	d.mu.Unlock()
}

// script queues faults for the next posts to channel.
func (d *slackDouble) script(channel string, f ...fault) {
	d.mu.Lock()
	d.faults[channel] = append(d.faults[channel], f...)
	d.mu.Unlock()
}

func (d *slackDouble) setMissing(channel, code string) {
	d.mu.Lock()
	if code == "" {
		delete(d.missing, channel)
	} else {
		d.missing[channel] = code
	}
	d.mu.Unlock()
}

func (d *slackDouble) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Form.Get("token") == "" && r.Header.Get("Authorization") == "" {
		writeJSON(w, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	switch strings.TrimPrefix(r.URL.Path, "/") {
	case "chat.postMessage":
		d.postMessage(w, r)
	case "conversations.history":
		d.conversationsHistory(w, r)
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

// nextTS returns a message ts: the wall clock in microseconds, strictly
// increasing. Callers hold d.mu.
func (d *slackDouble) nextTS(now time.Time) string {
	us := now.UnixMicro()
	if us <= d.lastTS {
		us = d.lastTS + 1
	}
	d.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

func (d *slackDouble) postMessage(w http.ResponseWriter, r *http.Request) {
	channel := r.Form.Get("channel")
	now := time.Now()
	d.mu.Lock()
	d.arrivals[channel] = append(d.arrivals[channel], now)
	var f fault
	if q := d.faults[channel]; len(q) > 0 {
		f, d.faults[channel] = q[0], q[1:]
	}
	if code := d.missing[channel]; code != "" {
		d.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": code})
		return
	}
	if f == fault429 || !d.conforms(channel, now) {
		d.limited = append(d.limited, now)
		d.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		writeJSON(w, map[string]any{"ok": false, "error": "ratelimited"})
		return
	}
	if f == fault500 {
		d.mu.Unlock()
		http.Error(w, "<html>500 Internal Server Error</html>", http.StatusInternalServerError)
		return
	}
	if f == faultHangNoPost {
		hang := d.hang
		d.mu.Unlock()
		d.wait(r, hang)
		http.Error(w, "<html>504 Gateway Timeout</html>", http.StatusGatewayTimeout)
		return
	}
	var md slack.SlackMetadata
	if raw := r.Form.Get("metadata"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &md); err != nil {
			d.mu.Unlock()
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_metadata_format"})
			return
		}
	}
	if r.Form.Get("text") == "" && r.Form.Get("blocks") == "" {
		d.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": "no_text"})
		return
	}
	conv := channel
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		conv = "D" + channel[1:] // a post to a user lands in the bot's DM with them
	}
	p := posted{Channel: conv, TS: d.nextTS(d.tsClock()), Text: r.Form.Get("text"),
		Blocks: json.RawMessage(r.Form.Get("blocks")), Metadata: md, At: now}
	d.msgs[conv] = append(d.msgs[conv], p)
	if k, ok := md.EventPayload["key"].(string); ok {
		d.byKey[k] = append(d.byKey[k], p)
	}
	delay, hang := d.delay, d.hang
	d.mu.Unlock()

	switch f {
	case fault500Posted:
		http.Error(w, "<html>500 Internal Server Error</html>", http.StatusInternalServerError)
		return
	case faultHang:
		d.wait(r, hang)
	default:
		if delay > 0 {
			time.Sleep(delay)
		}
	}
	msg := map[string]any{"type": "message", "subtype": "bot_message", "text": p.Text, "ts": p.TS,
		"bot_id": "B0OUTBOX", "app_id": "A0OUTBOX"}
	if md.EventType != "" {
		msg["metadata"] = md
	}
	writeJSON(w, map[string]any{"ok": true, "channel": conv, "ts": p.TS, "message": msg})
}

// wait blocks until the client gives up or d elapses.
func (d *slackDouble) wait(r *http.Request, hang time.Duration) {
	select {
	case <-r.Context().Done():
	case <-time.After(hang):
	}
}

// conforms applies Slack's per-channel pacing to a post arriving at now.
// Callers hold d.mu.
func (d *slackDouble) conforms(channel string, now time.Time) bool {
	if d.interval <= 0 {
		return true
	}
	tat := d.tat[channel]
	if tat.Before(now) {
		tat = now
	}
	if tat.Sub(now) > time.Duration(d.burst-1)*d.interval {
		return false
	}
	d.tat[channel] = tat.Add(d.interval)
	return true
}

func (d *slackDouble) conversationsHistory(w http.ResponseWriter, r *http.Request) {
	channel := r.Form.Get("channel")
	d.mu.Lock()
	d.history++
	if code := d.histErr[channel]; code != "" {
		d.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": code})
		return
	}
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		// conversations.history takes a conversation ID, not a user ID.
		d.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	all := append([]posted(nil), d.msgs[channel]...)
	d.mu.Unlock()

	oldest := parseTS(r.Form.Get("oldest"))
	inclusive := r.Form.Get("inclusive") == "1"
	withMeta := r.Form.Get("include_all_metadata") == "1"
	limit, _ := strconv.Atoi(r.Form.Get("limit"))
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	offset, _ := strconv.Atoi(strings.TrimPrefix(r.Form.Get("cursor"), "off:"))

	var match []map[string]any
	for i := len(all) - 1; i >= 0; i-- { // newest first
		p := all[i]
		ts := parseTS(p.TS)
		if ts < oldest || (ts == oldest && !inclusive) {
			continue
		}
		m := map[string]any{"type": "message", "subtype": "bot_message", "text": p.Text, "ts": p.TS, "bot_id": "B0OUTBOX"}
		if withMeta && p.Metadata.EventType != "" {
			m["metadata"] = p.Metadata
		}
		match = append(match, m)
	}
	page := match[min(offset, len(match)):min(offset+limit, len(match))]
	resp := map[string]any{"ok": true, "messages": page, "has_more": offset+limit < len(match), "pin_count": 0}
	if offset+limit < len(match) {
		resp["response_metadata"] = map[string]any{"next_cursor": fmt.Sprintf("off:%d", offset+limit)}
	}
	if page == nil {
		resp["messages"] = []any{}
	}
	writeJSON(w, resp)
}

func parseTS(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return v
}

// keyCounts returns how many times the double accepted each key.
func (d *slackDouble) keyCounts() map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]int{}
	for k, ps := range d.byKey {
		out[k] = len(ps)
	}
	return out
}

func (d *slackDouble) postsOf(key string) []posted {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]posted(nil), d.byKey[key]...)
}

func (d *slackDouble) arrivalsOf(channel string) []time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Time(nil), d.arrivals[channel]...)
}

func (d *slackDouble) counts() (accepted, limited, history int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ps := range d.msgs {
		accepted += len(ps)
	}
	return accepted, len(d.limited), d.history
}

// slackAPI is a thin adapter from the real slack-go client to the outbox's
// Slack interface, as the bot's own adapter does.
type slackAPI struct{ c *slack.Client }

func newSlackAPI(url string) slackAPI {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256}}
	return slackAPI{slack.New("xoxb-outbox-test", slack.OptionAPIURL(url+"/"), slack.OptionHTTPClient(hc))}
}

func (a slackAPI) PostMessage(ctx context.Context, channel, text string, blocks []slack.Block, md slack.SlackMetadata) (string, string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionMetadata(md)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	ch, ts, err := a.c.PostMessageContext(ctx, channel, opts...)
	return ts, ch, err
}

func (a slackAPI) History(ctx context.Context, channel string, oldest time.Time) ([]Msg, error) {
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, Inclusive: true, Limit: 200,
		IncludeAllMetadata: true, Oldest: fmt.Sprintf("%d.%06d", oldest.Unix(), oldest.Nanosecond()/1000)}
	var out []Msg
	for {
		resp, err := a.c.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return nil, err
		}
		for _, m := range resp.Messages {
			out = append(out, Msg{TS: m.Timestamp, Channel: channel, Metadata: m.Metadata})
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return out, nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
}

// classify sorts slack-go's errors the way the bot's classifier does.
func classify(err error) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, time.Second), false
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "msg_too_long",
			"no_text", "invalid_metadata_format", "user_not_found", "missing_scope":
			return 0, true
		}
	}
	return 0, false
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

// rig is a Sender on a real database and the Slack double.
type rig struct {
	tb    testing.TB
	db    *store.DB
	dbl   *slackDouble
	s     *Sender
	reg   *metrics.Set
	clock *fakeClock // nil: the real clock

	cancel context.CancelFunc
	done   chan error
}

// testConfig is fast timing for tests: the same code, shorter waits.
func testConfig() Config {
	return Config{
		ChannelInterval: 20 * time.Millisecond,
		ChannelBurst:    3,
		GlobalRate:      -1,
		HistoryInterval: time.Millisecond,
		MaxInFlight:     16,
		CallTimeout:     time.Second, // well above a loaded machine's round trip
		MaxAttempts:     5,
		BackoffBase:     10 * time.Millisecond,
		BackoffMax:      100 * time.Millisecond,
		PollInterval:    10 * time.Millisecond,
		StaleAfter:      time.Second,
		HistoryMargin:   time.Minute,
		ShutdownGrace:   3 * time.Second,
		Tick:            time.Millisecond,
	}
}

func newRig(tb testing.TB, fake bool, edit func(*Config)) *rig {
	tb.Helper()
	dbPath := storetest.DSN(tb, "kambot.db")
	return newRigAt(tb, dbPath, newSlackDouble(tb), fake, edit)
}

func newRigAt(tb testing.TB, dbPath string, dbl *slackDouble, fake bool, edit func(*Config)) *rig {
	tb.Helper()
	db, err := store.OpenMigrated(context.Background(), dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	r := &rig{tb: tb, db: db, dbl: dbl, reg: metrics.NewSet()}
	cfg := testConfig()
	if fake {
		r.clock = &fakeClock{t: t0}
		db.Now = r.clock.Now
		cfg.Now = r.clock.Now
		dbl.mu.Lock()
		dbl.tsClock = r.clock.Now
		dbl.mu.Unlock()
	}
	cfg.Store, cfg.Slack, cfg.Classify, cfg.Metrics = db, newSlackAPI(dbl.srv.URL), classify, r.reg
	if edit != nil {
		edit(&cfg)
	}
	r.s, err = New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func (r *rig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- r.s.Run(ctx) }()
	r.tb.Cleanup(r.stop)
}

func (r *rig) stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	if err := <-r.done; err != nil {
		r.tb.Errorf("Run: %v", err)
	}
	r.cancel = nil
}

func (r *rig) enqueue(team, channel, key string) {
	r.tb.Helper()
	if _, err := r.s.Enqueue(context.Background(), Message{TeamID: team, Channel: channel, Key: key, Text: "text of " + key}); err != nil {
		r.tb.Fatal(err)
	}
}

func (r *rig) row(team, key string) kam.OutboxMessage {
	r.tb.Helper()
	m, err := r.db.OutboxMessageByKey(context.Background(), team, key)
	if err != nil {
		r.tb.Fatal(err)
	}
	return m
}

// waitFor polls cond until it holds; the deadline only stops a hung test.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	waitUpTo(tb, 30*time.Second, what, cond)
}

// waitUpTo is waitFor with its own deadline.
func waitUpTo(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitSettled waits until the keys are sent or failed.
func (r *rig) waitSettled(team string, keys ...string) {
	r.tb.Helper()
	waitFor(r.tb, "messages "+strings.Join(keys, ",")+" to settle", func() bool {
		for _, k := range keys {
			m, err := r.db.OutboxMessageByKey(context.Background(), team, k)
			if err != nil || (m.Status != kam.OutboxSent && m.Status != kam.OutboxFailed) {
				return false
			}
		}
		return true
	})
}

// idle returns once the Sender has had its chance to act on the queue as
// it stands, for tests that check that something does not happen: two
// dispatch passes have completed since the call (so one began after it),
// and every delivery they started has been settled.
func (r *rig) idle() {
	r.tb.Helper()
	from := r.s.passes.Load()
	r.s.Wake()
	waitFor(r.tb, "the Sender to look at the queue and go idle", func() bool {
		return r.s.passes.Load() >= from+2 && r.s.inflight.Load() == 0
	})
}

// exactlyOnce fails the test unless the double accepted each key once.
func exactlyOnce(tb testing.TB, d *slackDouble, keys []string) {
	tb.Helper()
	counts := d.keyCounts()
	var bad []string
	for _, k := range keys {
		if counts[k] != 1 {
			bad = append(bad, fmt.Sprintf("%s×%d", k, counts[k]))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		tb.Fatalf("%d keys not posted exactly once: %s", len(bad), strings.Join(bad[:min(len(bad), 20)], " "))
	}
}

// metric reads a counter or gauge (or a histogram's sample count) from the
// rig's set; labels are name, value pairs. An absent series reads 0.
func (r *rig) metric(name string, labels ...string) float64 {
	r.tb.Helper()
	e, err := promtext.Gather(r.reg)
	if err != nil {
		r.tb.Fatal(err)
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	return max(e.Value(name, want), 0)
}
