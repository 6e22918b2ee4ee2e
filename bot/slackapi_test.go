package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
)

var _ commands.Views = (*SlackAPI)(nil)

func newAPI(t *testing.T, mod func(*APIConfig)) (*SlackAPI, *fakeslack.Server, *fixedClock) {
	t.Helper()
	srv := fakeslack.New(t)
	clock := newClock(testNow)
	cfg := APIConfig{Token: "xoxb-test", APIURL: srv.URL(), Now: clock.Now, Logger: testLogger(t),
		HTTPClient: &http.Client{Timeout: 2 * time.Second}}
	if mod != nil {
		mod(&cfg)
	}
	api, err := NewSlackAPI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return api, srv, clock
}

func TestPostMessage(t *testing.T) {
	api, srv, _ := newAPI(t, nil)
	ctx := context.Background()
	meta := slack.SlackMetadata{EventType: "kambot_nudge", EventPayload: map[string]any{"key": "nudge:42:2025-03-14"}}
	ts, err := api.PostMessage(ctx, "C0ACME001", "Acme has had no logged interaction for 35 days <@U0ALICE01>", sampleBlocks(),
		slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages("C0ACME001")
	if len(msgs) != 1 || msgs[0].TS != ts {
		t.Fatalf("messages %+v, ts %q", msgs, ts)
	}
	m := msgs[0]
	if m.Text != "Acme has had no logged interaction for 35 days <@U0ALICE01>" {
		t.Errorf("text %q (Slack markup must not be escaped)", m.Text)
	}
	var blocks slack.Blocks
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil || len(blocks.BlockSet) != 3 {
		t.Errorf("blocks %s (%v)", m.Blocks, err)
	}
	if !strings.Contains(string(m.Metadata), "nudge:42:2025-03-14") {
		t.Errorf("metadata %s", m.Metadata)
	}
	call := srv.CallsTo("chat.postMessage")[0]
	if call.Token != "xoxb-test" {
		t.Errorf("token %q", call.Token)
	}

	// The metadata comes back from history, for idempotent retries.
	hist, ch, err := api.History(ctx, "C0ACME001", testNow.Add(-time.Hour))
	if err != nil || ch != "C0ACME001" {
		t.Fatal(ch, err)
	}
	if len(hist) != 1 || hist[0].Metadata.EventType != "kambot_nudge" || hist[0].Metadata.EventPayload["key"] != "nudge:42:2025-03-14" {
		t.Errorf("history %+v", hist)
	}

	// Text only.
	if _, err := api.PostMessage(ctx, "C0ACME001", "plain", nil); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages("C0ACME001"); len(got) != 2 || got[1].Blocks != nil {
		t.Errorf("text-only post stored %+v", got)
	}
}

func TestPostToUserAndHistoryPages(t *testing.T) {
	api, srv, _ := newAPI(t, nil)
	srv.AddUser(slack.User{ID: "U0ALICE01"})
	ctx := context.Background()
	ts, ch, err := api.Post(ctx, "U0ALICE01", "Your weekly digest", nil)
	if err != nil || ch != "D0ALICE01" || ts == "" {
		t.Fatalf("Post to a user = %q %q %v", ts, ch, err)
	}
	if _, _, err := api.Post(ctx, "U0NOBODY1", "hi", nil); err == nil {
		t.Error("post to an unknown user: want an error")
	}
	// 450 older messages, then ours: History pages through all of them.
	for i := range 450 {
		srv.AddMessage(fakeslack.Message{Channel: "D0ALICE01", TS: fmt.Sprintf("1700000000.%06d", i), Text: "old"})
	}
	all, ch, err := api.History(ctx, "U0ALICE01", time.Time{})
	if err != nil || ch != "D0ALICE01" || len(all) != 451 {
		t.Fatalf("History = %d messages in %q, %v", len(all), ch, err)
	}
	if n := len(srv.CallsTo("conversations.history")); n != 3 {
		t.Errorf("%d pages read, want 3", n)
	}
	// oldest is inclusive.
	recent, _, err := api.History(ctx, "D0ALICE01", time.Unix(1700000000, 449000))
	if err != nil || len(recent) != 2 {
		t.Errorf("History since the 450th = %d messages, %v", len(recent), err)
	}
	if _, _, err := api.History(ctx, "", time.Time{}); err == nil {
		t.Error("empty channel accepted")
	}
}

func TestPostMessageBadInput(t *testing.T) {
	api, srv, _ := newAPI(t, nil)
	for name, tt := range map[string]struct {
		channel, text string
		blocks        []slack.Block
	}{
		"NoChannel": {"", "hi", nil},
		"Nothing":   {"C1", "", nil},
	} {
		_, err := api.PostMessage(context.Background(), tt.channel, tt.text, tt.blocks)
		if _, permanent := Classify(err); err == nil || !permanent {
			t.Errorf("%s: err %v, permanent %v", name, err, permanent)
		}
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d calls reached Slack", n)
	}
}

func TestOpenView(t *testing.T) {
	api, srv, _ := newAPI(t, nil)
	view := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "score",
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Score Acme", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Blocks: slack.Blocks{BlockSet: sampleBlocks()[:2]}, PrivateMetadata: "42"}
	if err := api.OpenView(context.Background(), "trig.123", view); err != nil {
		t.Fatal(err)
	}
	views := srv.Views()
	if len(views) != 1 || views[0].TriggerID != "trig.123" || !strings.Contains(string(views[0].View), `"callback_id":"score"`) {
		t.Errorf("views %+v", views)
	}
	if err := api.OpenView(context.Background(), "", view); err == nil {
		t.Error("empty trigger_id accepted")
	}
	srv.Fail("views.open", fakeslack.Error("expired_trigger_id"), 1)
	err := api.OpenView(context.Background(), "trig.old", view)
	if _, permanent := Classify(err); err == nil || !permanent || !strings.Contains(err.Error(), "expired_trigger_id") {
		t.Errorf("expired trigger: %v (permanent %v)", err, permanent)
	}
}

func TestPushView(t *testing.T) {
	api, srv, _ := newAPI(t, nil)
	view := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "kam_log_edit",
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Edit interaction", false, false),
		Blocks: slack.Blocks{BlockSet: sampleBlocks()[:2]}}
	if err := api.PushView(context.Background(), "trig.456", view); err != nil {
		t.Fatal(err)
	}
	views := srv.Views()
	if len(views) != 1 || !views[0].Pushed || views[0].TriggerID != "trig.456" || !strings.Contains(string(views[0].View), `"callback_id":"kam_log_edit"`) {
		t.Errorf("views %+v", views)
	}
	if len(srv.CallsTo("views.open")) != 0 {
		t.Error("a push called views.open")
	}
	if err := api.PushView(context.Background(), "", view); err == nil {
		t.Error("empty trigger_id accepted")
	}
	srv.Fail("views.push", fakeslack.Error("expired_trigger_id"), 1)
	err := api.PushView(context.Background(), "trig.old", view)
	if _, permanent := Classify(err); err == nil || !permanent || !strings.Contains(err.Error(), "expired_trigger_id") {
		t.Errorf("expired trigger: %v (permanent %v)", err, permanent)
	}
}

func TestPublishView(t *testing.T) {
	api, srv, _ := newAPI(t, nil)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: sampleBlocks()}}
	if err := api.PublishView(context.Background(), "U0ALICE01", home, "h1"); err != nil {
		t.Fatal(err)
	}
	if v := srv.Views(); len(v) != 1 || v[0].UserID != "U0ALICE01" || v[0].Hash != "h1" {
		t.Errorf("views %+v", v)
	}
	if err := api.PublishView(context.Background(), "", home, ""); err == nil {
		t.Error("empty user accepted")
	}
}

func TestUserExists(t *testing.T) {
	api, srv, clock := newAPI(t, nil)
	srv.AddUser(slack.User{ID: "U0ALICE01", Name: "alice"})
	srv.AddUser(slack.User{ID: "U0GONE001", Name: "gone", Deleted: true})
	ctx := context.Background()
	for _, tt := range []struct {
		user string
		want bool
	}{{"U0ALICE01", true}, {"U0GONE001", false}, {"U0NOBODY1", false}, {"", false}} {
		got, err := api.UserExists(ctx, fakeslack.TeamID, tt.user)
		if err != nil || got != tt.want {
			t.Errorf("UserExists(%q) = %v, %v; want %v", tt.user, got, err, tt.want)
		}
	}
	calls := len(srv.CallsTo("users.info"))
	if calls != 3 {
		t.Fatalf("users.info called %d times, want 3", calls)
	}
	// Cached: no more calls.
	for range 5 {
		if ok, _ := api.UserExists(ctx, fakeslack.TeamID, "U0ALICE01"); !ok {
			t.Fatal("cached user vanished")
		}
		_, _ = api.UserExists(ctx, fakeslack.TeamID, "U0NOBODY1")
	}
	if n := len(srv.CallsTo("users.info")); n != calls {
		t.Errorf("users.info called %d times with a warm cache", n-calls)
	}
	// A user invited since is seen after the short negative TTL.
	srv.AddUser(slack.User{ID: "U0NOBODY1"})
	clock.Add(61 * time.Second)
	if ok, _ := api.UserExists(ctx, fakeslack.TeamID, "U0NOBODY1"); !ok {
		t.Error("new user not seen after the negative TTL")
	}
	// Errors are reported, not cached as "absent".
	srv.Fail("users.info", fakeslack.Status(500), 1)
	clock.Add(time.Hour)
	if _, err := api.UserExists(ctx, fakeslack.TeamID, "U0ALICE01"); err == nil {
		t.Error("500 from users.info: want an error")
	}
	if ok, err := api.UserExists(ctx, fakeslack.TeamID, "U0ALICE01"); !ok || err != nil {
		t.Errorf("after the error: %v %v", ok, err)
	}
}

func TestOpenDM(t *testing.T) {
	api, srv, _ := newAPI(t, nil)
	srv.AddUser(slack.User{ID: "U0ALICE01"})
	ch, err := api.OpenDM(context.Background(), "U0ALICE01")
	if err != nil || ch != "D0ALICE01" {
		t.Errorf("OpenDM = %q, %v", ch, err)
	}
	_, err = api.OpenDM(context.Background(), "U0NOBODY1")
	if _, permanent := Classify(err); err == nil || !permanent {
		t.Errorf("unknown user: %v (permanent %v)", err, permanent)
	}
	if _, err := api.OpenDM(context.Background(), ""); err == nil {
		t.Error("empty user accepted")
	}
}

// Classify on the errors the real client returns for Slack's answers.
func TestClassify(t *testing.T) {
	tests := []struct {
		name       string
		fault      fakeslack.Fault
		retryAfter time.Duration
		permanent  bool
	}{
		{"RateLimited", fakeslack.RateLimited(7 * time.Second), 7 * time.Second, false},
		{"ServerError", fakeslack.Status(500), 0, false},
		{"BadGateway", fakeslack.Status(502), 0, false},
		{"Forbidden", fakeslack.Status(403), 0, true},
		{"ChannelNotFound", fakeslack.Error("channel_not_found"), 0, true},
		{"NotInChannel", fakeslack.Error("not_in_channel"), 0, true},
		{"IsArchived", fakeslack.Error("is_archived"), 0, true},
		{"InvalidAuth", fakeslack.Error("invalid_auth"), 0, true},
		{"AccountInactive", fakeslack.Error("account_inactive"), 0, true},
		{"InternalError", fakeslack.Error("internal_error"), 0, false},
		{"Hang", fakeslack.Hang(), 0, false},
		{"Drop", fakeslack.Drop(), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, srv, _ := newAPI(t, func(c *APIConfig) { c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
			srv.Fail("chat.postMessage", tt.fault, 1)
			_, err := api.PostMessage(context.Background(), "C0ACME001", "hello", nil)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), "chat.postMessage to C0ACME001") {
				t.Errorf("error lacks context: %v", err)
			}
			ra, perm := Classify(err)
			if ra != tt.retryAfter || perm != tt.permanent {
				t.Errorf("Classify(%v) = %v, %v; want %v, %v", err, ra, perm, tt.retryAfter, tt.permanent)
			}
			// The fault was one-off: the retry goes through.
			if !tt.permanent {
				if _, err := api.PostMessage(context.Background(), "C0ACME001", "hello", nil); err != nil {
					t.Errorf("retry: %v", err)
				}
			}
		})
	}
}

func TestClassifyLocal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		err       error
		permanent bool
	}{
		{nil, false},
		{context.Canceled, false},
		{fmt.Errorf("post: %w", context.DeadlineExceeded), false},
		{slack.ErrParametersMissing, true},
		{errors.New("something odd"), false},
		{fmt.Errorf("wrapped: %w", slack.SlackErrorResponse{Err: "msg_too_long"}), true},
		{fmt.Errorf("wrapped: %w", slack.SlackErrorResponse{Err: "ratelimited"}), false},
		{slack.StatusCodeError{Code: 429, Status: "429 Too Many Requests"}, false},
		{slack.StatusCodeError{Code: 404, Status: "404 Not Found"}, true},
		{ctx.Err(), false},
	}
	for _, tt := range tests {
		if _, perm := Classify(tt.err); perm != tt.permanent {
			t.Errorf("Classify(%v) permanent = %v, want %v", tt.err, perm, tt.permanent)
		}
	}
}

func TestNewSlackAPIConfig(t *testing.T) {
	if _, err := NewSlackAPI(APIConfig{}); err == nil {
		t.Error("no token: want an error")
	}
}

func TestUserZone(t *testing.T) {
	api, srv, clock := newAPI(t, nil)
	srv.AddUser(slack.User{ID: "U0TOKYO01", Name: "kenji", TZ: "Asia/Tokyo"})
	srv.AddUser(slack.User{ID: "U0NOZONE1", Name: "nozone"})
	srv.AddUser(slack.User{ID: "U0BADZONE", Name: "bad", TZ: "Mars/Olympus"})
	ctx := context.Background()
	for _, tt := range []struct {
		user, want string // want "" means no zone (the workspace's applies)
	}{{"U0TOKYO01", "Asia/Tokyo"}, {"U0NOZONE1", ""}, {"U0BADZONE", ""}, {"U0NOBODY1", ""}, {"", ""}} {
		loc, err := api.UserZone(ctx, fakeslack.TeamID, tt.user)
		got := ""
		if loc != nil {
			got = loc.String()
		}
		if err != nil || got != tt.want {
			t.Errorf("UserZone(%q) = %q, %v; want %q", tt.user, got, err, tt.want)
		}
	}
	calls := len(srv.CallsTo("users.info"))
	// UserExists and UserZone share the cache.
	if ok, _ := api.UserExists(ctx, fakeslack.TeamID, "U0TOKYO01"); !ok {
		t.Fatal("user with a zone not found")
	}
	if loc, _ := api.UserZone(ctx, fakeslack.TeamID, "U0TOKYO01"); loc == nil || loc.String() != "Asia/Tokyo" {
		t.Fatalf("cached zone %v", loc)
	}
	if n := len(srv.CallsTo("users.info")); n != calls {
		t.Errorf("users.info called %d more times with a warm cache", n-calls)
	}
	// A zone changed in Slack is seen once the entry expires.
	srv.AddUser(slack.User{ID: "U0TOKYO01", Name: "kenji", TZ: "Europe/Berlin"})
	clock.Add(11 * time.Minute)
	if loc, _ := api.UserZone(ctx, fakeslack.TeamID, "U0TOKYO01"); loc == nil || loc.String() != "Europe/Berlin" {
		t.Errorf("after the TTL: zone %v, want Europe/Berlin", loc)
	}
}
