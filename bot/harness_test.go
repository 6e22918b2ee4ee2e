package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/promtext"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

const (
	secret     = "8f742231b10e8888abcd99yyyzzz85a5"
	prevSecret = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
)

// fakeEngine records what it is asked and answers with the functions set.
type fakeEngine struct {
	mu       sync.Mutex
	reqs     []commands.Request
	cbs      []slack.InteractionCallback
	handle   func(ctx context.Context, req commands.Request) commands.Reply
	interact func(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply
	called   chan struct{} // receives once per Do/Interact call, if set
	err      error         // what Do reports behind every reply
}

func (e *fakeEngine) Do(ctx context.Context, req commands.Request) (commands.Reply, error) {
	e.mu.Lock()
	e.reqs = append(e.reqs, req)
	h := e.handle
	e.mu.Unlock()
	e.signal()
	if h == nil {
		return commands.Reply{Text: "Logged a call on Acme."}, e.err
	}
	return h(ctx, req), e.err
}

func (e *fakeEngine) Interact(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply {
	e.mu.Lock()
	e.cbs = append(e.cbs, cb)
	h := e.interact
	e.mu.Unlock()
	e.signal()
	if h == nil {
		return commands.InteractionReply{}
	}
	return h(ctx, cb)
}

func (e *fakeEngine) signal() {
	if e.called != nil {
		select {
		case e.called <- struct{}{}:
		default:
		}
	}
}

func (e *fakeEngine) SubCommand(text string) string {
	f := strings.Fields(text)
	if len(f) == 0 {
		return "help"
	}
	return f[0]
}

func (e *fakeEngine) requests() []commands.Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]commands.Request(nil), e.reqs...)
}

func (e *fakeEngine) callbacks() []slack.InteractionCallback {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]slack.InteractionCallback(nil), e.cbs...)
}

// fakeEvents records events.
type fakeEvents struct {
	mu  sync.Mutex
	evs []slackevents.EventsAPIEvent
	got chan struct{}
}

func newFakeEvents() *fakeEvents { return &fakeEvents{got: make(chan struct{}, 100)} }

func (f *fakeEvents) HandleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	f.mu.Lock()
	f.evs = append(f.evs, ev)
	f.mu.Unlock()
	f.got <- struct{}{}
}

func (f *fakeEvents) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.evs)
}

// testLogger writes to the test log, so failures show what the transport said.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// fixedClock is a settable clock.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *fixedClock { return &fixedClock{t: t} }

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var testNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

type testServer struct {
	*HTTPServer
	url      string // of the server on 127.0.0.1 serving it
	engine   *fakeEngine
	reg      *metrics.Set
	clock    *fixedClock
	sink     *fakeslack.ResponseSink
	handlers *tracker // requests being served
}

// newTestServer builds an HTTPServer with a fake engine; mod may adjust
// the config before it is built.
func newTestServer(t *testing.T, mod func(*HTTPConfig)) *testServer {
	t.Helper()
	reg := metrics.NewSet()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	eng := &fakeEngine{}
	clock := newClock(testNow)
	cfg := HTTPConfig{
		SigningSecrets: []string{secret, prevSecret},
		Engine:         eng,
		Metrics:        m,
		MetricSet:      reg,
		Logger:         testLogger(t),
		Now:            clock.Now,
		Timing:         Timing{Ack: 300 * time.Millisecond, RetryBackoff: 10 * time.Millisecond, ShutdownGrace: 5 * time.Second},
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewHTTPServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.core.drain(ctx)
	})
	handlers := newTracker()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.add()
		defer handlers.done()
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	ts := &testServer{HTTPServer: s, url: hs.URL, reg: reg, clock: clock, sink: fakeslack.NewResponseSink(t), handlers: handlers}
	if e, ok := cfg.Engine.(*fakeEngine); ok {
		ts.engine = e
	}
	return ts
}

// settle returns once every request sent so far has been handled and the
// background work it started (deferred replies, Later work, deliveries,
// event handlers) has finished, so that a test can check that something
// did not happen. Requests must not be sent meanwhile.
func (s *testServer) settle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.handlers.Wait(ctx); err != nil {
		t.Fatalf("requests still being handled: %v", err)
	}
	if err := s.core.work.Wait(ctx); err != nil {
		t.Fatalf("background work still running: %v", err)
	}
}

// manualTimers stands in for the transport's deadline timers: a timer
// fires only when the test fires it, so that which of the engine and its
// deadline comes first is the test's choice, not the scheduler's.
type manualTimers struct {
	armed chan *manualTimer
}

// useManualTimers makes c arm manual timers; call it before any request.
func useManualTimers(c *core) *manualTimers {
	m := &manualTimers{armed: make(chan *manualTimer, 64)}
	c.afterFunc = m.afterFunc
	return m
}

func (m *manualTimers) afterFunc(d time.Duration, f func()) stopper {
	t := &manualTimer{d: d, f: f}
	m.armed <- t
	return t
}

// next returns the next timer armed, in the order they were armed.
func (m *manualTimers) next(t testing.TB) *manualTimer {
	t.Helper()
	select {
	case tm := <-m.armed:
		return tm
	case <-time.After(30 * time.Second):
		t.Fatal("no timer was armed")
		return nil
	}
}

type manualTimer struct {
	d  time.Duration
	f  func()
	mu sync.Mutex
	// stopped or fired: a timer does either once.
	done bool
}

func (t *manualTimer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// fire runs the timer's function, on its own goroutine as time.AfterFunc
// does, unless it was stopped; it reports whether it ran.
func (t *manualTimer) fire() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	go t.f()
	return true
}

// sleeper stands in for the responder's waits between attempts: it
// records each wait asked for and returns at once.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return nil
}

func (s *sleeper) asked() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// response is what a test sees of an answer.
type response struct {
	Code int
	Body *bytes.Buffer
	hdr  http.Header
}

func (r *response) Header() http.Header { return r.hdr }

// do sends a request built for a path ("/slack/commands") to the server
// over 127.0.0.1 and returns the answer.
func (s *testServer) do(req *http.Request) *response {
	u, err := url.Parse(s.url + req.URL.RequestURI())
	if err != nil {
		panic(err)
	}
	req.URL, req.Host = u, u.Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(fmt.Sprintf("%s %s: %v", req.Method, u, err))
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		panic(err)
	}
	return &response{Code: resp.StatusCode, Body: &body, hdr: resp.Header}
}

// slash sends a signed /kam command and returns the response.
func (s *testServer) slash(text, responseURL string) *response {
	body := fakeslack.SlashForm(slack.SlashCommand{Text: text, ResponseURL: responseURL})
	return s.do(fakeslack.SignedRequest(secret, s.clock.Now(), "/slack/commands", body))
}

// metric returns the value of a counter, gauge or histogram count with the
// given labels (all of them must match), or -1 when absent.
func metric(t testing.TB, set *metrics.Set, name string, labels map[string]string) float64 {
	t.Helper()
	e, err := promtext.Gather(set)
	if err != nil {
		t.Fatal(err)
	}
	return e.Value(name, labels)
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// golden compares got (JSON) with testdata/name, both in canonical form
// (keys sorted, <>& unescaped), so that equivalent encodings match — the
// Socket Mode library re-encodes ack payloads. -update rewrites the file,
// indented in got's own key order for reading.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		var buf bytes.Buffer
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", name, err, got)
		}
		buf.WriteByte('\n')
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if g, w := canonicalJSON(t, got), canonicalJSON(t, want); g != w {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, g, w)
	}
}

func canonicalJSON(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sampleBlocks is a small Block Kit reply.
func sampleBlocks() []slack.Block {
	return []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Acme Corp", false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Tier* partner · *Owner* <@U0ALICE01>", false, false), nil, nil),
		slack.NewActionBlock("acct_actions", slack.NewButtonBlockElement("log_call", "acct:42",
			slack.NewTextBlockObject(slack.PlainTextType, "Log a call", false, false))),
	}
}
