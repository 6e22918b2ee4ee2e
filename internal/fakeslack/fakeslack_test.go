package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestWebAPIWithSlackGo(t *testing.T) {
	s := New(t)
	if !strings.HasSuffix(s.URL(), "/") {
		t.Fatalf("URL %q must end in /", s.URL())
	}
	c := s.Client("xoxb-1")
	ctx := context.Background()

	auth, err := c.AuthTestContext(ctx)
	if err != nil || auth.TeamID != TeamID || auth.UserID != BotUserID {
		t.Fatalf("auth.test = %+v, %v", auth, err)
	}

	meta := slack.SlackMetadata{EventType: "kambot_post", EventPayload: map[string]any{"key": "k1"}}
	ch, ts, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("hello <@U1>", false),
		slack.MsgOptionBlocks(slack.NewDividerBlock()), slack.MsgOptionMetadata(meta))
	if err != nil || ch != "C1" || ts == "" {
		t.Fatalf("chat.postMessage = %q %q %v", ch, ts, err)
	}
	msgs := s.Messages("C1")
	if len(msgs) != 1 || msgs[0].Text != "hello <@U1>" || !strings.Contains(string(msgs[0].Blocks), "divider") {
		t.Errorf("stored %+v", msgs)
	}

	for _, withMeta := range []bool{false, true} {
		h, err := c.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: withMeta})
		if err != nil || len(h.Messages) != 1 {
			t.Fatalf("history = %+v, %v", h, err)
		}
		if got := h.Messages[0].Metadata.EventType; (got == "kambot_post") != withMeta {
			t.Errorf("include_all_metadata=%v: metadata event type %q", withMeta, got)
		}
	}

	s.AddUser(slack.User{ID: "U1", RealName: "Alice"})
	u, err := c.GetUserInfoContext(ctx, "U1")
	if err != nil || u.RealName != "Alice" || u.TeamID != TeamID {
		t.Errorf("users.info = %+v, %v", u, err)
	}
	if _, err := c.GetUserInfoContext(ctx, "U404"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}
	dm, _, _, err := c.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || dm.ID != "D1" {
		t.Errorf("conversations.open = %+v, %v", dm, err)
	}
	if _, err := c.OpenViewContext(ctx, "trig", slack.ModalViewRequest{Type: slack.VTModal,
		Title: slack.NewTextBlockObject(slack.PlainTextType, "T", false, false)}); err != nil {
		t.Errorf("views.open: %v", err)
	}
	if _, err := c.PublishView("U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab}, ""); err != nil {
		t.Errorf("views.publish: %v", err)
	}
	if n := len(s.Views()); n != 2 {
		t.Errorf("%d views", n)
	}
	if n := len(s.CallsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d chat.postMessage calls", n)
	}
}

func TestFaults(t *testing.T) {
	s := New(t)
	c := slack.New("xoxb-1", slack.OptionAPIURL(s.URL()), slack.OptionHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	post := func() error {
		_, _, err := c.PostMessage("C1", slack.MsgOptionText("x", false))
		return err
	}
	s.Fail("chat.postMessage", RateLimited(3*time.Second), 1)
	var rl *slack.RateLimitedError
	if err := post(); !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
		t.Errorf("rate limit: %v", err)
	}
	s.Fail("chat.postMessage", Status(503), 1)
	var sc slack.StatusCodeError
	if err := post(); !errors.As(err, &sc) || sc.Code != 503 {
		t.Errorf("503: %v", err)
	}
	s.Fail("chat.postMessage", Error("channel_not_found"), 1)
	var se slack.SlackErrorResponse
	if err := post(); !errors.As(err, &se) || se.Err != "channel_not_found" {
		t.Errorf("channel_not_found: %v", err)
	}
	s.Fail("chat.postMessage", Hang(), 1)
	if err := post(); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Errorf("hang: %v", err)
	}
	s.Fail("chat.postMessage", Drop(), 1)
	if err := post(); err == nil {
		t.Error("drop: want an error")
	}
	if err := post(); err != nil {
		t.Errorf("after one-off faults: %v", err)
	}
	s.Fail("chat.postMessage", Error("is_archived"), 0)
	for range 3 {
		if err := post(); err == nil {
			t.Error("permanent fault stopped")
		}
	}
	s.ClearFaults()
	if err := post(); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
	// No token: not_authed, as Slack answers.
	if _, err := slack.New("", slack.OptionAPIURL(s.URL())).AuthTest(); err == nil || err.Error() != "not_authed" {
		t.Errorf("no token: %v", err)
	}
}

func TestSocketModeWithSlackGo(t *testing.T) {
	s := New(t)
	api := slack.New("xoxb-1", slack.OptionAppLevelToken("xapp-1"), slack.OptionAPIURL(s.URL()))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = client.RunContext(ctx) }()
	go func() {
		for evt := range client.Events {
			if evt.Request != nil && evt.Request.EnvelopeID != "" {
				_ = client.Ack(*evt.Request, map[string]string{"text": "got " + string(evt.Type)})
			}
		}
	}()
	sock := s.Socket()
	if err := sock.WaitConnections(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	id := sock.SlashCommand(slack.SlashCommand{Text: "help"})
	a, err := sock.WaitAck(id, 5*time.Second)
	if err != nil || string(a.Payload) != `{"text":"got slash_commands"}` {
		t.Fatalf("ack %+v, %v", a, err)
	}
	sock.Disconnect("refresh_requested")
	if err := sock.WaitConnections(2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	id = sock.Interactive(BlockActions("U1", "C1", "", "a", "v"))
	if _, err := sock.WaitAck(id, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(s.CallsTo("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times", n)
	}
	if _, err := sock.WaitAck("env-none", 50*time.Millisecond); !errors.Is(err, ErrNoAck) {
		t.Errorf("WaitAck of an unknown envelope: %v", err)
	}
}

func TestResponseSink(t *testing.T) {
	k := NewResponseSink(t)
	u := k.URL()
	if u == k.URL() {
		t.Error("URLs are not unique")
	}
	post := func(body string) int {
		resp, err := http.Post(u, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`{"text":"x"}`); code != 200 {
		t.Errorf("status %d", code)
	}
	if code := post(`{}`); code != 400 {
		t.Errorf("empty message: %d", code)
	}
	k.FailNext(500, 1)
	if code := post(`{"text":"x"}`); code != 500 {
		t.Errorf("queued failure: %d", code)
	}
	for range 4 {
		post(`{"text":"y","replace_original":true}`)
	}
	if code := post(`{"text":"z"}`); code != 404 {
		t.Errorf("sixth use: %d", code)
	}
	posts, err := k.Wait(u, 5, time.Second)
	if err != nil || len(posts) != 5 || !posts[1].Message.ReplaceOriginal {
		t.Errorf("posts %+v, %v", posts, err)
	}
}

func TestSignMatchesSlackGo(t *testing.T) {
	body := SlashForm(slack.SlashCommand{Text: "log acme call x"})
	req := SignedRequest("s3cret", time.Now(), "http://127.0.0.1/slack/commands", body)
	v, err := slack.NewSecretsVerifier(req.Header, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = v.Write(body)
	if err := v.Ensure(); err != nil {
		t.Errorf("slack-go rejects our signature: %v", err)
	}
	sc, err := slack.SlashCommandParse(req)
	if err != nil || sc.Text != "log acme call x" || sc.TeamID != TeamID || sc.Command != "/kam" || sc.APIAppID != AppID {
		t.Errorf("parsed %+v, %v", sc, err)
	}
	if ct := SignedRequest("s", time.Now(), "/x", []byte(`{"a":1}`)).Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("JSON body content type %q", ct)
	}
	form, err := url.ParseQuery(string(InteractionForm(map[string]any{"type": "block_actions", "x": "a&b"})))
	var payload map[string]any
	if err != nil || json.Unmarshal([]byte(form.Get("payload")), &payload) != nil || payload["x"] != "a&b" {
		t.Errorf("interaction form %v (%v)", form, err)
	}
}
