package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
)

func TestSlashReplyInBody(t *testing.T) {
	s := newTestServer(t, nil)
	s.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		return commands.Reply{Text: "Acme Corp — partner, owned by <@U0ALICE01>", Blocks: sampleBlocks(), InChannel: true}
	}
	url := s.sink.URL()
	w := s.slash("show acme", url)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	golden(t, "slash_reply.json", w.Body.Bytes())

	reqs := s.engine.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d engine calls", len(reqs))
	}
	// Each payload of the double carries a trigger_id of its own.
	if !strings.HasPrefix(reqs[0].TriggerID, "13345224609.738474920.") {
		t.Errorf("trigger_id %q; want the one the double sent", reqs[0].TriggerID)
	}
	want := commands.Request{TeamID: fakeslack.TeamID, UserID: "U0ALICE01", ChannelID: "C0GENERAL1", Text: "show acme",
		TriggerID: reqs[0].TriggerID, ResponseURL: url}
	if reqs[0] != want {
		t.Errorf("request\n got %+v\nwant %+v", reqs[0], want)
	}
	if got := metric(t, s.reg, "kambot_commands_total", map[string]string{"command": "show", "outcome": "ok"}); got != 1 {
		t.Errorf("commands_total{show,ok} = %v", got)
	}
	if got := metric(t, s.reg, "kambot_command_duration_seconds", map[string]string{"command": "show"}); got != 1 {
		t.Errorf("duration samples = %v", got)
	}
	s.settle(t)
	if n := len(s.sink.Posts()); n != 0 {
		t.Errorf("%d response_url posts for a reply given in the body", n)
	}
}

func TestSlashEphemeralByDefault(t *testing.T) {
	s := newTestServer(t, nil)
	w := s.slash("log acme call Renewal", s.sink.URL())
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["response_type"] != "ephemeral" || got["text"] != "Logged a call on Acme." {
		t.Errorf("body %v", got)
	}
	if _, ok := got["replace_original"]; ok {
		t.Error("replace_original set on a slash command answer")
	}
}

func TestSlashEscapedText(t *testing.T) {
	s := newTestServer(t, nil)
	text := `add "Acme & Sons" owner=<@U0BOB0001|bob> revenue=1.2m channel=<#C0ACME001|acme> note=100%+done`
	s.slash(text, s.sink.URL())
	if reqs := s.engine.requests(); len(reqs) != 1 || reqs[0].Text != text {
		t.Fatalf("engine got %+v, want text %q", reqs, text)
	}
}

func TestSlashSlowEngineUsesResponseURL(t *testing.T) {
	s := newTestServer(t, nil)
	release := make(chan struct{})
	s.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		<-release
		return commands.Reply{Text: "Brief for Acme: renewal at risk.", Blocks: sampleBlocks()}
	}
	url := s.sink.URL()
	// The engine answers only after the test has the ack: the ack came
	// from the deadline, while the engine was still running.
	w := s.slash("brief acme", url)
	var ack wireMessage
	if err := json.Unmarshal(w.Body.Bytes(), &ack); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusOK || ack.Text != "Working on it…" || ack.ResponseType != "ephemeral" {
		t.Fatalf("ack %d %s", w.Code, w.Body)
	}
	close(release)
	posts, err := s.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "response_url_deferred.json", posts[0].Body)
	if got := metric(t, s.reg, "kambot_commands_deferred_total", map[string]string{"command": "brief"}); got != 1 {
		t.Errorf("deferred = %v", got)
	}
	s.settle(t)
	if got := metric(t, s.reg, "kambot_response_url_deliveries_total", map[string]string{"outcome": "ok"}); got != 1 {
		t.Errorf("deliveries{ok} = %v", got)
	}
}

func TestSlashLaterGoesToResponseURL(t *testing.T) {
	s := newTestServer(t, nil)
	var laterCtxHadDeadline atomic.Bool
	s.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		return commands.Reply{Text: "Drafting the brief for Acme…", Later: func(ctx context.Context) commands.Reply {
			_, ok := ctx.Deadline()
			laterCtxHadDeadline.Store(ok)
			return commands.Reply{Text: "Brief for Acme", InChannel: true}
		}}
	}
	url := s.sink.URL()
	w := s.slash("brief acme", url)
	if !strings.Contains(w.Body.String(), "Drafting the brief") {
		t.Fatalf("ack %s", w.Body)
	}
	posts, err := s.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m := posts[0].Message; m.Text != "Brief for Acme" || m.ResponseType != "in_channel" {
		t.Errorf("later post %s", posts[0].Body)
	}
	if !laterCtxHadDeadline.Load() {
		t.Error("Later ran without a deadline")
	}
	s.settle(t)
	if n := len(s.sink.PostsTo(url)); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

// A panic is internal whatever the reply says; otherwise the error behind
// the reply decides (see TestSlashOutcomesFromErrors).
func TestSlashOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		handle  func(ctx context.Context, req commands.Request) commands.Reply
		err     error
		outcome string
		text    string
	}{
		{"OK", func(context.Context, commands.Request) commands.Reply { return commands.Reply{Text: "Done."} }, nil, OutcomeOK, "Done."},
		{"UserError", func(context.Context, commands.Request) commands.Reply {
			return commands.Reply{Text: "No account matches “acm”. Type /kam accounts to list them."}
		}, kam.Errorf(kam.ENOTFOUND, "no account"), OutcomeError, "No account"},
		{"Internal", func(context.Context, commands.Request) commands.Reply { return commands.Reply{Text: "Internal error."} },
			errors.New("disk full"), OutcomeInternal, "Internal error."},
		{"Panic", func(context.Context, commands.Request) commands.Reply { panic("nil map") }, nil, OutcomeInternal, "Internal error."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := &fakeEngine{handle: tt.handle, err: tt.err}
			s := newTestServer(t, func(c *HTTPConfig) { c.Engine = eng })
			w := s.slash("log acme call x", s.sink.URL())
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tt.text) {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if got := metric(t, s.reg, "kambot_commands_total", map[string]string{"command": "log", "outcome": tt.outcome}); got != 1 {
				t.Errorf("commands_total{log,%s} = %v", tt.outcome, got)
			}
		})
	}
}

// An engine that runs out of its command time after the late ack: the
// user is told through response_url. The engine returns only after the
// test has the ack, so the ack deadline always comes first.
func TestSlashEngineTimeout(t *testing.T) {
	s := newTestServer(t, func(c *HTTPConfig) { c.Timing.Command = 400 * time.Millisecond })
	acked := make(chan struct{})
	s.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		<-acked
		<-ctx.Done()
		return commands.Reply{Text: "Internal error."}
	}
	url := s.sink.URL()
	w := s.slash("digest", url)
	close(acked)
	if !strings.Contains(w.Body.String(), "Working on it") {
		t.Fatalf("ack %s", w.Body)
	}
	posts, err := s.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(posts[0].Message.Text, "took too long") {
		t.Errorf("post %s", posts[0].Body)
	}
	s.settle(t)
	if n := len(s.sink.PostsTo(url)); n != 1 {
		t.Errorf("%d posts, want the one apology", n)
	}
	if got := metric(t, s.reg, "kambot_commands_total", map[string]string{"command": "digest", "outcome": "timeout"}); got != 1 {
		t.Errorf("commands_total{digest,timeout} = %v", got)
	}
}

func TestSlashBadInput(t *testing.T) {
	s := newTestServer(t, nil)
	for name, body := range map[string]string{
		"NoUser":    "team_id=T1&command=%2Fkam&text=help",
		"NoTeam":    "user_id=U1&command=%2Fkam&text=help",
		"BadEscape": "team_id=T1&user_id=U1&text=%zz",
		"Empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/commands", []byte(body)))
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "could not read") ||
				!strings.Contains(w.Body.String(), `"ephemeral"`) {
				t.Errorf("%d %s", w.Code, w.Body)
			}
		})
	}
	if n := len(s.engine.requests()); n != 0 {
		t.Errorf("engine called %d times", n)
	}
}

func TestSSLCheck(t *testing.T) {
	s := newTestServer(t, nil)
	w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/commands", []byte("ssl_check=1&token=abc")))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("%d %q", w.Code, w.Body)
	}
	if n := len(s.engine.requests()); n != 0 {
		t.Errorf("engine called %d times", n)
	}
}

func TestInteractionAckBody(t *testing.T) {
	s := newTestServer(t, nil)
	s.engine.interact = func(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply {
		return commands.InteractionReply{Ack: map[string]any{"response_action": "errors",
			"errors": map[string]string{"score_size": "Give a score from 1 to 5."}}}
	}
	payload := map[string]any{"type": "view_submission", "team": map[string]any{"id": fakeslack.TeamID},
		"user": map[string]any{"id": "U0ALICE01"}, "view": map[string]any{"id": "V1", "callback_id": "score",
			"private_metadata": "42"}}
	w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/interactions", fakeslack.InteractionForm(payload)))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	golden(t, "interaction_ack.json", w.Body.Bytes())
	cbs := s.engine.callbacks()
	if len(cbs) != 1 || cbs[0].Type != slack.InteractionTypeViewSubmission || cbs[0].View.PrivateMetadata != "42" || cbs[0].User.ID != "U0ALICE01" {
		t.Errorf("engine got %+v", cbs)
	}
	if got := metric(t, s.reg, "kambot_interactions_total", map[string]string{"type": "view_submission", "outcome": "ok"}); got != 1 {
		t.Errorf("interactions_total = %v", got)
	}
}

func TestInteractionFollowUp(t *testing.T) {
	for _, replace := range []bool{true, false} {
		s := newTestServer(t, nil)
		s.engine.interact = func(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply {
			return commands.InteractionReply{Reply: &commands.Reply{Text: "Logged a call on Acme."}, ReplaceOriginal: replace}
		}
		url := s.sink.URL()
		w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/interactions",
			fakeslack.InteractionForm(fakeslack.BlockActions("U0ALICE01", "C0GENERAL1", url, "log_call", "acct:42"))))
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Fatalf("ack %d %q", w.Code, w.Body)
		}
		posts, err := s.sink.Wait(url, 1, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		m := posts[0].Message
		if m.Text != "Logged a call on Acme." || m.ReplaceOriginal != replace || !strings.Contains(string(posts[0].Body), `"replace_original"`) {
			t.Errorf("replace=%v: post %s", replace, posts[0].Body)
		}
		cb := s.engine.callbacks()[0]
		if len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].Value != "acct:42" {
			t.Errorf("actions %+v", cb.ActionCallback.BlockActions)
		}
	}
}

func TestInteractionSlowEngine(t *testing.T) {
	s := newTestServer(t, nil)
	release := make(chan struct{})
	s.engine.interact = func(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply {
		<-release // answers only once the test has the ack
		return commands.InteractionReply{Ack: map[string]string{"response_action": "clear"}, Reply: &commands.Reply{Text: "Saved."}}
	}
	url := s.sink.URL()
	w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/interactions",
		fakeslack.InteractionForm(fakeslack.BlockActions("U1", "C1", url, "a", "v"))))
	close(release)
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("late interaction must be acked empty: %d %q", w.Code, w.Body)
	}
	if _, err := s.sink.Wait(url, 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestInteractionBadPayload(t *testing.T) {
	s := newTestServer(t, nil)
	for _, body := range []string{"payload=%7Bnot-json", "other=1", ""} {
		w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/interactions", []byte(body)))
		if w.Code != http.StatusOK {
			t.Errorf("%q: status %d", body, w.Code)
		}
	}
	if n := len(s.engine.callbacks()); n != 0 {
		t.Errorf("engine called %d times", n)
	}
}

func TestEventsURLVerification(t *testing.T) {
	s := newTestServer(t, nil)
	body := []byte(`{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/events", body))
	var got struct{ Challenge string }
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
		t.Fatalf("%d %s %v", w.Code, w.Body, err)
	}
	if got.Challenge != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge %q", got.Challenge)
	}
}

func TestEventsDedupe(t *testing.T) {
	events := newFakeEvents()
	s := newTestServer(t, func(c *HTTPConfig) { c.Events = events })
	body, _ := json.Marshal(fakeslack.EventCallback("Ev08MFMKH6", map[string]any{
		"type": "app_home_opened", "user": "U0ALICE01", "channel": "D0ALICE01", "tab": "home", "event_ts": "1700000000.000100"}))
	for retry, hdr := range []string{"", "1", "2"} {
		r := fakeslack.SignedRequest(secret, testNow, "/slack/events", body)
		if hdr != "" {
			r.Header.Set("X-Slack-Retry-Num", hdr)
			r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		if w := s.do(r); w.Code != http.StatusOK {
			t.Fatalf("delivery %d: status %d", retry, w.Code)
		}
	}
	s.settle(t)
	if n := events.count(); n != 1 {
		t.Fatalf("handled %d times, want 1", n)
	}
	ev := events.evs[0]
	if ev.InnerEvent.Type != "app_home_opened" || ev.TeamID != fakeslack.TeamID {
		t.Errorf("event %+v", ev)
	}
	if got := metric(t, s.reg, "kambot_events_total", map[string]string{"type": "app_home_opened", "outcome": "duplicate"}); got != 2 {
		t.Errorf("duplicates = %v", got)
	}

	// Another event is handled.
	body2, _ := json.Marshal(fakeslack.EventCallback("Ev08MFMKH7", map[string]any{
		"type": "app_home_opened", "user": "U0BOB0001", "channel": "D0BOB0001", "tab": "home", "event_ts": "1700000001.000100"}))
	s.do(fakeslack.SignedRequest(secret, testNow, "/slack/events", body2))
	s.settle(t)
	if n := events.count(); n != 2 {
		t.Errorf("handled %d events, want 2", n)
	}
}

func TestEventsBadInput(t *testing.T) {
	events := newFakeEvents()
	s := newTestServer(t, func(c *HTTPConfig) { c.Events = events })
	for name, tt := range map[string]struct {
		body string
		code int
	}{
		"NotJSON":      {"{nope", http.StatusBadRequest},
		"UnknownInner": {`{"type":"event_callback","event_id":"Ev1","event":{"type":"no_such_event"}}`, http.StatusOK},
		"UnknownOuter": {`{"type":"something_new"}`, http.StatusOK},
		"RateLimited":  {`{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820}`, http.StatusOK},
	} {
		w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/events", []byte(tt.body)))
		if w.Code != tt.code {
			t.Errorf("%s: status %d, want %d", name, w.Code, tt.code)
		}
		if noRetry := w.Header().Get("X-Slack-No-Retry") == "1"; noRetry != (tt.code != http.StatusOK) {
			t.Errorf("%s: X-Slack-No-Retry %q", name, w.Header().Get("X-Slack-No-Retry"))
		}
	}
	s.settle(t)
	if n := events.count(); n != 0 {
		t.Errorf("%d events handled", n)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	var dbErr atomic.Pointer[error]
	s := newTestServer(t, func(c *HTTPConfig) {
		c.Ready = func(ctx context.Context) error {
			if p := dbErr.Load(); p != nil {
				return *p
			}
			return nil
		}
	})
	get := func(path string) (int, string) {
		r, _ := http.NewRequest(http.MethodGet, path, nil)
		w := s.do(r)
		return w.Code, w.Body.String()
	}
	if code, body := get("/healthz"); code != 200 || body != "ok" {
		t.Errorf("/healthz %d %q", code, body)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz %d", code)
	}
	locked := errors.New("ping kambot.db: database is locked")
	dbErr.Store(&locked)
	if code, body := get("/readyz"); code != 503 || body != notReadyText {
		t.Errorf("/readyz with a failing database: %d %q; want 503 %q", code, body, notReadyText)
	}
	s.slash("log acme call x", s.sink.URL())
	s.do(fakeslack.SignedRequest("bad", testNow, "/slack/commands", []byte("x=1")))
	code, body := get("/metrics")
	if code != 200 {
		t.Fatalf("/metrics %d", code)
	}
	for _, want := range []string{
		`kambot_commands_total{command="log",outcome="ok"} 1`,
		`kambot_command_duration_seconds_count{command="log"} 1`,
		`kambot_http_requests_total{code="200",path="/slack/commands"} 1`,
		`kambot_http_requests_total{code="401",path="/slack/commands"} 1`,
		`kambot_http_requests_total{code="503",path="/readyz"} 1`,
		`kambot_signature_failures_total 1`,
		`kambot_response_url_deliveries_total{outcome="ok"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, _ := get("/nope"); code != 404 {
		t.Errorf("/nope %d", code)
	}
	r, _ := http.NewRequest(http.MethodPost, "/healthz", nil)
	if w := s.do(r); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz %d", w.Code)
	}
}

// Without signing secrets (Socket Mode) only health and metrics are served.
func TestOpsOnlyServer(t *testing.T) {
	s := newTestServer(t, func(c *HTTPConfig) { c.SigningSecrets = nil; c.Engine = nil })
	w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/commands", fakeslack.SlashForm(slack.SlashCommand{Text: "help"})))
	if w.Code != http.StatusNotFound {
		t.Errorf("/slack/commands without secrets: %d", w.Code)
	}
	r, _ := http.NewRequest(http.MethodGet, "/healthz", nil)
	if w := s.do(r); w.Code != 200 {
		t.Errorf("/healthz %d", w.Code)
	}
}

func TestNewHTTPServerConfig(t *testing.T) {
	reg := newRegistryMetrics(t)
	for name, cfg := range map[string]HTTPConfig{
		"NoMetrics":     {SigningSecrets: []string{secret}, Engine: &fakeEngine{}},
		"NoEngine":      {SigningSecrets: []string{secret}, Metrics: reg},
		"EmptySecret":   {SigningSecrets: []string{""}, Engine: &fakeEngine{}, Metrics: reg},
		"EmptyPrevious": {SigningSecrets: []string{secret, ""}, Engine: &fakeEngine{}, Metrics: reg},
	} {
		if _, err := NewHTTPServer(cfg); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// A real server on 127.0.0.1: cancelling Serve waits for the command in
// flight and for a deferred reply's delivery. The ack deadlines are
// manual: the slow command's is fired, the quick one's never is; both
// engines answer only once the shutdown has begun.
func TestGracefulShutdown(t *testing.T) {
	s := newTestServer(t, nil)
	timers := useManualTimers(s.core)
	started := make(chan string, 2)
	s.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		started <- req.Text
		for !s.stopping.Load() {
			time.Sleep(time.Millisecond) // polls for the shutdown; no deadline hangs on it
		}
		return commands.Reply{Text: "done " + req.Text}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.ServeListener(ctx, ln) }()

	slowURL := s.sink.URL()
	// A connection each: the late-acked command's handler still holds its
	// connection, which a reused one would wait for.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	post := func(text, url string) (*http.Response, error) {
		body := fakeslack.SlashForm(slack.SlashCommand{Text: text, ResponseURL: url})
		return client.Do(fakeslack.SignedRequest(secret, testNow, base+"/slack/commands", body))
	}
	type ackResult struct {
		resp *http.Response
		err  error
	}
	slowAck := make(chan ackResult, 1)
	go func() {
		resp, err := post("slow brief", slowURL)
		slowAck <- ackResult{resp, err}
	}()
	if tm := timers.next(t); tm.d != 300*time.Millisecond || !tm.fire() {
		t.Fatalf("the slow command's ack deadline: %v, or it could not fire", tm.d)
	}
	a := <-slowAck
	if a.err != nil {
		t.Fatal(a.err)
	}
	if got := readAll(t, a.resp.Body); !strings.Contains(got, "Working on it") {
		t.Fatalf("slow ack %q", got)
	}
	a.resp.Body.Close()

	type result struct {
		body string
		err  error
	}
	quick := make(chan result, 1)
	go func() {
		resp, err := post("quick log", s.sink.URL())
		if err != nil {
			quick <- result{err: err}
			return
		}
		defer resp.Body.Close()
		quick <- result{body: readAll(t, resp.Body)}
	}()
	for range 2 {
		<-started
	}
	cancel() // shut down while both commands are in flight

	r := <-quick
	if r.err != nil || !strings.Contains(r.body, "done quick log") {
		t.Errorf("in-flight request: %q %v", r.body, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	// The deferred reply was delivered before Serve returned.
	if posts := s.sink.PostsTo(slowURL); len(posts) != 1 || posts[0].Message.Text != "done slow brief" {
		t.Errorf("deferred reply posts: %+v", posts)
	}
	// And the server no longer accepts connections.
	if _, err := post("late", s.sink.URL()); err == nil {
		t.Error("request accepted after shutdown")
	}
}

func newRegistryMetrics(t *testing.T) *Metrics {
	t.Helper()
	s := newTestServer(t, nil)
	return s.cfg.Metrics
}

// An engine that ignores its context still leaves the user an answer.
func TestSlashEngineIgnoresDeadline(t *testing.T) {
	s := newTestServer(t, func(c *HTTPConfig) { c.Timing.Ack = 100 * time.Millisecond; c.Timing.Command = 200 * time.Millisecond })
	release := make(chan struct{})
	s.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		<-release // deaf to ctx
		return commands.Reply{Text: "finally"}
	}
	url := s.sink.URL()
	done := make(chan *response, 1)
	go func() { done <- s.slash("digest", url) }()
	posts, err := s.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(posts[0].Message.Text, "took too long") {
		t.Errorf("post %s", posts[0].Body)
	}
	if w := <-done; !strings.Contains(w.Body.String(), "Working on it") {
		t.Errorf("ack %s", w.Body)
	}
	close(release)
	s.settle(t)
	if n := len(s.sink.PostsTo(url)); n != 1 {
		t.Errorf("%d posts: the late answer must not follow the apology", n)
	}
}

func TestInteractionPanic(t *testing.T) {
	s := newTestServer(t, nil)
	s.engine.interact = func(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply {
		panic("boom")
	}
	url := s.sink.URL()
	w := s.do(fakeslack.SignedRequest(secret, testNow, "/slack/interactions",
		fakeslack.InteractionForm(fakeslack.BlockActions("U1", "C1", url, "a", "v"))))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	posts, err := s.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m := posts[0].Message; m.Text != "Internal error." || m.ResponseType != "ephemeral" || m.ReplaceOriginal {
		t.Errorf("post %s", posts[0].Body)
	}
	if got := metric(t, s.reg, "kambot_interactions_total", map[string]string{"type": "block_actions", "outcome": "internal"}); got != 1 {
		t.Errorf("interactions{internal} = %v", got)
	}
}

func TestSlashOutcomesFromErrors(t *testing.T) {
	for _, tt := range []struct {
		err     error
		outcome string
	}{
		{nil, OutcomeOK},
		{kam.Errorf(kam.EINVALID, "Give a kind: call, meeting, email…"), OutcomeError},
		{fmt.Errorf("resolve account: %w", kam.Errorf(kam.ENOTFOUND, "No account matches “acm”.")), OutcomeError},
		{kam.Errorf(kam.EUNAUTHORIZED, "Only the account's team can log."), OutcomeError},
		{errors.New("database is locked"), OutcomeInternal},
	} {
		s := newTestServer(t, func(c *HTTPConfig) { c.Engine = &fakeEngine{err: tt.err} })
		if w := s.slash("log acme call x", s.sink.URL()); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		if got := metric(t, s.reg, "kambot_commands_total", map[string]string{"command": "log", "outcome": tt.outcome}); got != 1 {
			t.Errorf("%v: commands_total{log,%s} = %v", tt.err, tt.outcome, got)
		}
	}
}
