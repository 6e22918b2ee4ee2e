package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
)

type socketEnv struct {
	runner *SocketRunner
	slack  *fakeslack.Server
	sock   *fakeslack.Socket
	sink   *fakeslack.ResponseSink
	engine *fakeEngine
	events *fakeEvents
	reg    *metrics.Set
	cancel context.CancelFunc
	done   chan error
}

// startSocket runs a SocketRunner against the Slack double and waits for
// its first connection.
func startSocket(t *testing.T, mod func(*SocketConfig)) *socketEnv {
	t.Helper()
	reg := metrics.NewSet()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	e := &socketEnv{slack: fakeslack.New(t), sink: fakeslack.NewResponseSink(t), engine: &fakeEngine{},
		events: newFakeEvents(), reg: reg, done: make(chan error, 1)}
	e.sock = e.slack.Socket()
	cfg := SocketConfig{BotToken: "xoxb-test", AppToken: "xapp-1-test", APIURL: e.slack.URL(), Engine: e.engine,
		Events: e.events, Metrics: m, Logger: testLogger(t),
		Timing: Timing{Ack: 300 * time.Millisecond, RetryBackoff: 10 * time.Millisecond, ShutdownGrace: 5 * time.Second}}
	if mod != nil {
		mod(&cfg)
	}
	e.runner, err = NewSocketRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.done <- e.runner.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-e.done:
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	if err := e.sock.WaitConnections(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	return e
}

// settle returns once the work of every envelope acknowledged so far has
// finished and every ack sent so far has reached the double: the acks of
// a last envelope, sent after that work, follow them on the connection.
func (e *socketEnv) settle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.runner.core.work.Wait(ctx); err != nil {
		t.Fatalf("work still running: %v", err)
	}
	// slack-go cannot parse this one; the runner acknowledges it anyway.
	e.ack(t, e.sock.EventsAPI(fakeslack.EventCallback("Ev0BARRIER", map[string]any{"type": "no_such_event_type"}), 0))
}

func (e *socketEnv) ack(t *testing.T, id string) fakeslack.Ack {
	t.Helper()
	a, err := e.sock.WaitAck(id, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSocketSlashAckCarriesReply(t *testing.T) {
	e := startSocket(t, nil)
	e.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		return commands.Reply{Text: "Acme Corp — partner, owned by <@U0ALICE01>", Blocks: sampleBlocks(), InChannel: true}
	}
	url := e.sink.URL()
	id := e.sock.SlashCommand(slack.SlashCommand{Text: "show acme", ResponseURL: url})
	a := e.ack(t, id)
	if a.EnvelopeID != id {
		t.Fatalf("ack for %q, want %q", a.EnvelopeID, id)
	}
	golden(t, "slash_reply.json", a.Payload) // the same message as the HTTP body
	reqs := e.engine.requests()
	if len(reqs) != 1 || reqs[0].Text != "show acme" || reqs[0].UserID != "U0ALICE01" || reqs[0].TeamID != fakeslack.TeamID ||
		reqs[0].ResponseURL != url || reqs[0].TriggerID == "" {
		t.Errorf("engine got %+v", reqs)
	}
	if n := len(e.sock.AcksFor(id)); n != 1 {
		t.Errorf("%d acks, want 1", n)
	}
	if got := metric(t, e.reg, "kambot_commands_total", map[string]string{"command": "show", "outcome": "ok"}); got != 1 {
		t.Errorf("commands_total = %v", got)
	}
	if got := metric(t, e.reg, "kambot_socket_envelopes_total", map[string]string{"type": "slash_commands"}); got != 1 {
		t.Errorf("envelopes = %v", got)
	}
	// The ack can reach Slack before its counter moves: settle first.
	e.settle(t)
	if got := metric(t, e.reg, "kambot_socket_acks_total", map[string]string{"outcome": "payload"}); got != 1 {
		t.Errorf("acks{payload} = %v", got)
	}
}

func TestSocketSlowSlash(t *testing.T) {
	e := startSocket(t, nil)
	release := make(chan struct{})
	e.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		<-release
		return commands.Reply{Text: "Digest sent to 3 managers."}
	}
	url := e.sink.URL()
	id := e.sock.SlashCommand(slack.SlashCommand{Text: "digest", ResponseURL: url})
	a := e.ack(t, id)
	var m wireMessage
	if err := json.Unmarshal(a.Payload, &m); err != nil || m.Text != "Working on it…" {
		t.Fatalf("ack payload %s (%v)", a.Payload, err)
	}
	close(release)
	posts, err := e.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if posts[0].Message.Text != "Digest sent to 3 managers." {
		t.Errorf("post %s", posts[0].Body)
	}
	if n := len(e.sock.AcksFor(id)); n != 1 {
		t.Errorf("%d acks, want 1", n)
	}
}

func TestSocketLargeReplyGoesToResponseURL(t *testing.T) {
	e := startSocket(t, nil)
	big := strings.Repeat("All accounts and their owners. ", 1000) // ~31 KB
	e.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		return commands.Reply{Text: big, Later: func(context.Context) commands.Reply { return commands.Reply{Text: "And one more thing."} }}
	}
	url := e.sink.URL()
	id := e.sock.SlashCommand(slack.SlashCommand{Text: "accounts all", ResponseURL: url})
	if a := e.ack(t, id); a.Payload != nil {
		t.Fatalf("oversized ack carried a payload of %d bytes", len(a.Payload))
	}
	posts, err := e.sink.Wait(url, 2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if posts[0].Message.Text != big || posts[1].Message.Text != "And one more thing." {
		t.Errorf("posts out of order or wrong: %q… then %q", posts[0].Message.Text[:20], posts[1].Message.Text)
	}
}

func TestSocketInteractive(t *testing.T) {
	e := startSocket(t, nil)
	e.engine.interact = func(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply {
		return commands.InteractionReply{Ack: map[string]string{"response_action": "clear"},
			Reply: &commands.Reply{Text: "Scored Acme: strategic."}, ReplaceOriginal: true}
	}
	url := e.sink.URL()
	id := e.sock.Interactive(fakeslack.BlockActions("U0ALICE01", "C0GENERAL1", url, "score", "acct:42"))
	a := e.ack(t, id)
	if string(a.Payload) != `{"response_action":"clear"}` {
		t.Errorf("ack payload %s", a.Payload)
	}
	posts, err := e.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m := posts[0].Message; m.Text != "Scored Acme: strategic." || !m.ReplaceOriginal {
		t.Errorf("follow-up %s", posts[0].Body)
	}
	if cbs := e.engine.callbacks(); len(cbs) != 1 || cbs[0].Type != slack.InteractionTypeBlockActions {
		t.Errorf("engine got %+v", cbs)
	}
}

func TestSocketInteractiveLate(t *testing.T) {
	e := startSocket(t, nil)
	release := make(chan struct{})
	e.engine.interact = func(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply {
		<-release // answers only once the test has the ack
		return commands.InteractionReply{Ack: map[string]string{"response_action": "clear"}}
	}
	id := e.sock.Interactive(fakeslack.BlockActions("U1", "C1", "", "a", "v"))
	if a := e.ack(t, id); a.Payload != nil {
		t.Errorf("late ack carried %s", a.Payload)
	}
	close(release)
	e.settle(t)
	if n := len(e.sock.AcksFor(id)); n != 1 {
		t.Errorf("%d acks, want exactly 1", n)
	}
}

func TestSocketEventsDedupe(t *testing.T) {
	e := startSocket(t, nil)
	ev := fakeslack.EventCallback("Ev0SOCKET1", map[string]any{"type": "app_home_opened", "user": "U0ALICE01",
		"channel": "D0ALICE01", "tab": "home", "event_ts": "1700000000.000100"})
	first := e.sock.EventsAPI(ev, 0)
	again := e.sock.EventsAPI(ev, 1) // Slack's redelivery, new envelope, same event_id
	for _, id := range []string{first, again} {
		if a := e.ack(t, id); a.Payload != nil {
			t.Errorf("event ack carried %s", a.Payload)
		}
	}
	// Both acks are sent before their events are passed on: wait for the
	// one handled and the one counted as a duplicate, then for the work.
	select {
	case <-e.events.got:
	case <-time.After(30 * time.Second):
		t.Fatal("event not handled")
	}
	waitFor(t, 30*time.Second, "duplicate counted", func() bool {
		return metric(t, e.reg, "kambot_events_total", map[string]string{"type": "app_home_opened", "outcome": "duplicate"}) == 1
	})
	e.settle(t)
	if n := e.events.count(); n != 1 {
		t.Errorf("event handled %d times, want 1", n)
	}
}

// An envelope slack-go cannot parse is still acknowledged, or Slack would
// redeliver it forever.
func TestSocketUnknownEnvelopeAcked(t *testing.T) {
	e := startSocket(t, nil)
	id := e.sock.EventsAPI(fakeslack.EventCallback("Ev0UNKNOWN", map[string]any{"type": "no_such_event_type"}), 0)
	e.ack(t, id)
	if got := metric(t, e.reg, "kambot_socket_envelopes_total", map[string]string{"type": "bad_message"}); got != 1 {
		t.Errorf("bad messages = %v", got)
	}
}

func TestSocketReconnect(t *testing.T) {
	e := startSocket(t, nil)
	if !e.sock.Disconnect("refresh_requested") {
		t.Fatal("no live connection to disconnect")
	}
	if err := e.sock.WaitConnections(2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(e.slack.CallsTo("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
	for _, c := range e.slack.CallsTo("apps.connections.open") {
		if c.Token != "xapp-1-test" {
			t.Errorf("apps.connections.open with token %q", c.Token)
		}
	}
	id := e.sock.SlashCommand(slack.SlashCommand{Text: "log acme call after reconnect", ResponseURL: e.sink.URL()})
	if a := e.ack(t, id); !strings.Contains(string(a.Payload), "Logged a call") {
		t.Errorf("ack after reconnect %s", a.Payload)
	}

	// A dropped connection without a disconnect message is reopened too.
	e.sock.DropConnection()
	if err := e.sock.WaitConnections(3, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	id = e.sock.SlashCommand(slack.SlashCommand{Text: "help", ResponseURL: e.sink.URL()})
	e.ack(t, id)
	select {
	case err := <-e.done:
		t.Fatalf("Run returned %v", err)
	default:
	}
}

func TestSocketFatalErrors(t *testing.T) {
	t.Run("ErrInvalidAppToken", func(t *testing.T) {
		srv := fakeslack.New(t)
		srv.Fail("apps.connections.open", fakeslack.Error("invalid_auth"), 0)
		reg := metrics.NewSet()
		m, _ := NewMetrics(reg)
		r, err := NewSocketRunner(SocketConfig{BotToken: "xoxb-1", AppToken: "xapp-bad", APIURL: srv.URL(),
			Engine: &fakeEngine{}, Metrics: m, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- r.Run(context.Background()) }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
				t.Errorf("Run = %v, want invalid_auth", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not give up on a bad app token")
		}
	})
	t.Run("ErrLinkDisabled", func(t *testing.T) {
		e := startSocket(t, nil)
		// Once Slack disables the link, reconnecting is refused for good.
		e.slack.Fail("apps.connections.open", fakeslack.Error("not_allowed_token_type"), 0)
		e.sock.Disconnect("link_disabled")
		select {
		case err := <-e.done:
			if err == nil || !strings.Contains(err.Error(), "not_allowed_token_type") {
				t.Errorf("Run = %v", err)
			}
			e.done <- err // for the cleanup
		case <-time.After(15 * time.Second):
			t.Fatal("Run kept going after a permanent reconnect error")
		}
	})
	t.Run("TransientErrorsRetried", func(t *testing.T) {
		e := startSocket(t, nil)
		e.slack.Fail("apps.connections.open", fakeslack.Status(503), 1)
		e.sock.Disconnect("refresh_requested")
		if err := e.sock.WaitConnections(2, 15*time.Second); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNewSocketRunnerConfig(t *testing.T) {
	m, _ := NewMetrics(metrics.NewSet())
	for name, cfg := range map[string]SocketConfig{
		"NoBotToken": {AppToken: "xapp-1", Engine: &fakeEngine{}, Metrics: m},
		"NoAppToken": {BotToken: "xoxb-1", Engine: &fakeEngine{}, Metrics: m},
		"NoEngine":   {BotToken: "xoxb-1", AppToken: "xapp-1", Metrics: m},
		"NoMetrics":  {BotToken: "xoxb-1", AppToken: "xapp-1", Engine: &fakeEngine{}},
	} {
		if _, err := NewSocketRunner(cfg); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// Cancelling Run lets a command in flight finish and its reply go out.
// The ack deadline is fired by hand; the engine answers once Run is
// cancelled.
func TestSocketGracefulShutdown(t *testing.T) {
	e := startSocket(t, nil)
	timers := useManualTimers(e.runner.core)
	started, release := make(chan struct{}), make(chan struct{})
	e.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		close(started)
		<-release
		return commands.Reply{Text: "Brief ready."}
	}
	url := e.sink.URL()
	id := e.sock.SlashCommand(slack.SlashCommand{Text: "brief acme", ResponseURL: url})
	<-started
	if !timers.next(t).fire() { // the ack deadline passes
		t.Fatal("the ack deadline could not fire")
	}
	if a := e.ack(t, id); !strings.Contains(string(a.Payload), "Working on it") {
		t.Fatalf("ack %s", a.Payload)
	}
	e.cancel()
	close(release)
	select {
	case err := <-e.done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
		e.done <- err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	if a := e.sock.AcksFor(id); len(a) != 1 || !strings.Contains(string(a[0].Payload), "Working on it") {
		t.Errorf("acks %+v", a)
	}
	if posts := e.sink.PostsTo(url); len(posts) != 1 || posts[0].Message.Text != "Brief ready." {
		t.Errorf("reply not delivered before Run returned: %+v", posts)
	}
}

func TestSocketBusy(t *testing.T) {
	e := startSocket(t, func(c *SocketConfig) { c.Workers = 1 })
	release := make(chan struct{})
	defer close(release)
	e.engine.handle = func(ctx context.Context, req commands.Request) commands.Reply {
		if req.Text == "hold" {
			<-release
		}
		return commands.Reply{Text: "ok"}
	}
	first := e.sock.SlashCommand(slack.SlashCommand{Text: "hold", ResponseURL: e.sink.URL()})
	e.ack(t, first) // acked late; the worker stays busy
	second := e.sock.SlashCommand(slack.SlashCommand{Text: "help", ResponseURL: e.sink.URL()})
	if a := e.ack(t, second); !strings.Contains(string(a.Payload), "busy") {
		t.Errorf("ack when busy %s", a.Payload)
	}
	if got := metric(t, e.reg, "kambot_socket_refused_total", map[string]string{"type": "slash_commands"}); got != 1 {
		t.Errorf("refused = %v", got)
	}
}

func TestSocketDisconnectReasons(t *testing.T) {
	m, _ := NewMetrics(metrics.NewSet())
	r, err := NewSocketRunner(SocketConfig{BotToken: "xoxb-1", AppToken: "xapp-1", Engine: &fakeEngine{}, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.dispatch(socketmode.Event{Type: socketmode.EventTypeDisconnect, Request: &socketmode.Request{Reason: "warning"}}, false); err != nil {
		t.Errorf("warning: %v", err)
	}
	if err := r.dispatch(socketmode.Event{Type: socketmode.EventTypeDisconnect, Request: &socketmode.Request{Reason: "link_disabled"}}, false); !errors.Is(err, ErrLinkDisabled) {
		t.Errorf("link_disabled: %v", err)
	}
}
