package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges"
)

const ndSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// ndHTTP is the nudge fixture behind the real HTTP transport: Slack-signed
// payloads in, response_url posts and views.open calls out, against doubles
// that speak Slack's wire format.
type ndHTTP struct {
	*ndEnv
	api *fakeslack.Server
	srv *httptest.Server
}

func newNudgeHTTP(t *testing.T) *ndHTTP {
	t.Helper()
	api := fakeslack.New(t)
	views, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test-token", APIURL: api.URL()})
	if err != nil {
		t.Fatal(err)
	}
	n := newNudgeEnv(t, func(c *commands.Config) { c.Views = views })
	m, err := bot.NewMetrics(metrics.NewSet())
	if err != nil {
		t.Fatal(err)
	}
	h, err := bot.NewHTTPServer(bot.HTTPConfig{SigningSecrets: []string{ndSecret}, Engine: n.eng, Metrics: m,
		Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.Shutdown(ctx)
	})
	return &ndHTTP{ndEnv: n, api: api, srv: srv}
}

// post sends an interaction payload as Slack does, signed with secret at ts.
func (h *ndHTTP) post(payload any, secret string, ts time.Time) int {
	h.t.Helper()
	body := fakeslack.InteractionForm(payload)
	req := fakeslack.SignedRequest(secret, ts, h.srv.URL+"/slack/interactions", body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// button builds a signed-ready block_actions payload for a click on m.
func (h *ndHTTP) button(user string, m ndMsg, actionID string) (payload map[string]any, responseURL string) {
	h.t.Helper()
	cb, url := h.clickIn(team, user, m, actionID, m.value())
	raw, _ := json.Marshal(cb)
	if err := json.Unmarshal(raw, &payload); err != nil {
		h.t.Fatal(err)
	}
	return payload, url
}

// TestNudgeButtonsSigned clicks every button through the HTTP transport
// with Slack-signed payloads, then replays forged, stale and tampered ones.
func TestNudgeButtonsSigned(t *testing.T) {
	ctx := context.Background()
	h := newNudgeHTTP(t)

	// A forged or stale click changes nothing and gets no answer.
	review := h.find(kam.NudgePlanReview, "Acme Corp", ana)
	payload, url := h.button(ana, review, nudges.ActionReview)
	snap := snapshot(t, h.path)
	for name, code := range map[string]int{
		"forged": h.post(payload, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", fixedNow),
		"stale":  h.post(payload, ndSecret, fixedNow.Add(-6*time.Minute)),
		"future": h.post(payload, ndSecret, fixedNow.Add(6*time.Minute)),
	} {
		if code != http.StatusUnauthorized {
			t.Errorf("%s click: status %d, want 401", name, code)
		}
	}
	// Signed for Mark reviewed, sent as Snooze a week.
	body := fakeslack.InteractionForm(payload)
	tampered := fakeslack.SignedRequest(ndSecret, fixedNow, h.srv.URL+"/slack/interactions", body)
	changed := bytes.Replace(body, []byte(nudges.ActionReview), []byte(nudges.ActionSnooze), 1)
	if bytes.Equal(changed, body) {
		t.Fatal("the tampering changed nothing")
	}
	tampered.Body = io.NopCloser(bytes.NewReader(changed))
	if resp, err := http.DefaultClient.Do(tampered); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("tampered click: %v %v", resp.StatusCode, err)
	}
	if snapshot(t, h.path) != snap || len(h.sink.Posts()) != 0 {
		t.Fatal("a forged, stale or tampered click changed something")
	}

	// Mark reviewed: the plan review is recorded and the message replaced.
	if code := h.post(payload, ndSecret, fixedNow.Add(-time.Minute)); code != http.StatusOK {
		t.Fatalf("signed click: status %d", code)
	}
	posts, err := h.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !posts[0].Message.ReplaceOriginal || !strings.Contains(string(posts[0].Body), "marked the plan reviewed") {
		t.Errorf("review answer = %s", posts[0].Body)
	}
	if mk, _ := h.db.NudgeMark(ctx, team, review.key.NudgeTopic); mk.HandledBy != ana {
		t.Errorf("mark = %+v", mk)
	}
	// Replaying the same signed click (Slack retries; users double-click)
	// changes nothing more.
	snap = snapshot(t, h.path)
	if code := h.post(payload, ndSecret, fixedNow); code != http.StatusOK {
		t.Fatalf("replay: status %d", code)
	}
	posts, err = h.sink.Wait(url, 2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if posts[1].Message.ReplaceOriginal || !strings.Contains(posts[1].Message.Text, "already taken care of") {
		t.Errorf("replay answer = %s", posts[1].Body)
	}
	if snapshot(t, h.path) != snap {
		t.Error("a replayed click changed the database")
	}

	// Snooze a week.
	sponsor := h.find(kam.NudgeSponsor, "Acme Corp", sara)
	payload, url = h.button(sara, sponsor, nudges.ActionSnooze)
	if code := h.post(payload, ndSecret, fixedNow); code != http.StatusOK {
		t.Fatalf("snooze: status %d", code)
	}
	if posts, err := h.sink.Wait(url, 1, 5*time.Second); err != nil || !posts[0].Message.ReplaceOriginal ||
		!strings.Contains(string(posts[0].Body), "snoozed this until") {
		t.Fatalf("snooze answer: %v %+v", err, posts)
	}
	if mk, _ := h.db.NudgeMark(ctx, team, sponsor.key.NudgeTopic); !mk.Snoozed(fixedNow) {
		t.Errorf("mark = %+v", mk)
	}

	// Open account: the card, for the clicker only.
	globex := h.find(kam.NudgeNoContact, "Globex", ana)
	payload, url = h.button(ana, globex, nudges.ActionOpen)
	if code := h.post(payload, ndSecret, fixedNow); code != http.StatusOK {
		t.Fatalf("open: status %d", code)
	}
	if posts, err := h.sink.Wait(url, 1, 5*time.Second); err != nil || posts[0].Message.ReplaceOriginal ||
		posts[0].Message.ResponseType != "ephemeral" || !strings.Contains(string(posts[0].Body), "Globex") {
		t.Fatalf("open answer: %v %+v", err, posts)
	}

	// Log an interaction: views.open with the click's trigger, then the
	// signed submission logs and updates the message.
	payload, url = h.button(ana, globex, nudges.ActionLog)
	if code := h.post(payload, ndSecret, fixedNow); code != http.StatusOK {
		t.Fatalf("log: status %d", code)
	}
	var opened []fakeslack.View
	for deadline := time.Now().Add(5 * time.Second); len(opened) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		opened = h.api.Views()
	}
	if len(opened) != 1 || opened[0].TriggerID != payload["trigger_id"] {
		t.Fatalf("views opened: %+v", opened)
	}
	var modal slack.ModalViewRequest
	if err := json.Unmarshal(opened[0].View, &modal); err != nil {
		t.Fatal(err)
	}
	sub := map[string]any{
		"type": "view_submission",
		"team": map[string]any{"id": team},
		"user": map[string]any{"id": ana, "team_id": team},
		"view": map[string]any{"id": "V0LOG", "team_id": team, "type": "modal", "callback_id": modal.CallbackID,
			"private_metadata": modal.PrivateMetadata, "state": map[string]any{"values": map[string]any{
				"kind":    map[string]any{"kind": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "visit"}}},
				"summary": map[string]any{"summary": map[string]any{"type": "plain_text_input", "value": "Toured the new line"}},
			}}},
	}
	before := count(t, h.path, "interactions")
	if code := h.post(sub, "0a1b2c3d4e5f60718293a4b5c6d7e8f9", fixedNow); code != http.StatusUnauthorized {
		t.Fatalf("forged submission: status %d", code)
	}
	if count(t, h.path, "interactions") != before {
		t.Fatal("a forged submission logged an interaction")
	}
	if code := h.post(sub, ndSecret, fixedNow); code != http.StatusOK {
		t.Fatalf("submission: status %d", code)
	}
	if got := count(t, h.path, "interactions"); got != before+1 {
		t.Fatalf("interactions %d → %d", before, got)
	}
	if posts, err := h.sink.Wait(url, 1, 5*time.Second); err != nil || !posts[0].Message.ReplaceOriginal ||
		!strings.Contains(string(posts[0].Body), "logged a visit") {
		t.Fatalf("update after the form: %v %+v", err, posts)
	}
	if mk, _ := h.db.NudgeMark(ctx, team, globex.key.NudgeTopic); mk.HandledHow != kam.HowLogged || mk.HandledBy != ana {
		t.Errorf("mark = %+v", mk)
	}
	if in, _ := h.db.Interactions(ctx, team, h.ids[team+"/Globex"], 1); len(in) != 1 || in[0].Kind != kam.KindVisit {
		t.Errorf("logged %+v", in)
	}
}
