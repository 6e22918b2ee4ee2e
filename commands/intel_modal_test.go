package commands_test

import (
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
)

const modalSecret = "e3b0c44298fc1c149afbf4c8996fb924"

// TestScoreModalRoundTrip drives the scoring form end to end: a signed
// /kam score on /slack/commands opens the form through views.open (the real
// slack-go client against the Slack double), then signed view_submission
// payloads in Slack's documented form come back on /slack/interactions — a
// tampered one answered with response_action: errors and nothing saved, a
// good one saved and answered with response_action: update.
func TestScoreModalRoundTrip(t *testing.T) {
	fake := fakeslack.New(t)
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test", APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newIntelEnv(t, func(c *commands.Config) { c.Views = api })
	e.ok(ana, "score acme size=2 trust=4")
	bm, err := bot.NewMetrics(metrics.NewSet())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := bot.NewHTTPServer(bot.HTTPConfig{SigningSecrets: []string{modalSecret}, Engine: e.eng, Metrics: bm,
		Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	post := func(path string, body []byte, secret string) (int, string) {
		t.Helper()
		req := fakeslack.SignedRequest(secret, fixedNow, hs.URL+path, body)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	// 1. The slash command opens the form with the last scores filled in.
	const trigger = "13345224609.738474920.8088930838d88f008e0"
	code, body := post("/slack/commands", fakeslack.SlashForm(slack.SlashCommand{TeamID: team, UserID: ana, Text: "score acme", TriggerID: trigger}), modalSecret)
	if code != http.StatusOK || !strings.Contains(body, "The scoring form is open") {
		t.Fatalf("slash command: %d %s", code, body)
	}
	views := fake.Views()
	if len(views) != 1 || views[0].TriggerID != trigger {
		t.Fatalf("views.open calls = %+v", views)
	}
	var opened map[string]any
	if err := json.Unmarshal(views[0].View, &opened); err != nil {
		t.Fatal(err)
	}
	if opened["callback_id"] != "kam_score" || !strings.Contains(opened["private_metadata"].(string), `"account":`) {
		t.Fatalf("opened view: %s", views[0].View)
	}
	inputs := 0
	for _, b := range opened["blocks"].([]any) {
		blk := b.(map[string]any)
		if blk["type"] != "input" {
			continue
		}
		inputs++
		el := blk["element"].(map[string]any)
		switch blk["block_id"] {
		case "factor:size":
			if el["initial_option"].(map[string]any)["value"] != "2" {
				t.Errorf("size not pre-filled with its last score: %v", el["initial_option"])
			}
		case "factor:growth":
			if _, ok := el["initial_option"]; ok {
				t.Errorf("an unscored factor is pre-filled: %v", el)
			}
		}
	}
	if inputs != len(kam.DefaultCriteria().Factors) {
		t.Errorf("%d inputs, want one per factor (%d)", inputs, len(kam.DefaultCriteria().Factors))
	}

	// 2. Slack sends the submission: the opened view with an id and state.
	submit := func(values map[string]string, secret string) (int, string) {
		state := map[string]any{}
		for block, v := range values {
			state[block] = map[string]any{"score": map[string]any{
				"type": "static_select",
				"selected_option": map[string]any{
					"text":  map[string]any{"type": "plain_text", "text": v, "emoji": true},
					"value": v,
				},
			}}
		}
		view := map[string]any{}
		for k, v := range opened {
			view[k] = v
		}
		view["id"], view["team_id"], view["app_id"] = "V0SCORE1", team, fakeslack.AppID
		view["hash"], view["root_view_id"], view["bot_id"] = "1712345678.abcdef", "V0SCORE1", "B0KAMBOT1"
		view["state"] = map[string]any{"values": state}
		payload := map[string]any{
			"type":          "view_submission",
			"team":          map[string]any{"id": team, "domain": "acme"},
			"user":          map[string]any{"id": ana, "username": "ana", "name": "ana", "team_id": team},
			"api_app_id":    fakeslack.AppID,
			"token":         "gIkuvaNzQIHg97ATvDxqgjtO",
			"trigger_id":    "13345224609.738474920.8088930838d88f008e1",
			"view":          view,
			"response_urls": []any{},
		}
		return post("/slack/interactions", fakeslack.InteractionForm(payload), secret)
	}

	before := snapshot(t, e.path)
	// A forged request is refused before anything runs.
	if code, _ := submit(map[string]string{"factor:size": "5"}, "not-the-secret"); code != http.StatusUnauthorized {
		t.Errorf("unsigned submission: %d, want 401", code)
	}
	// A tampered value is an error under its field; nothing is saved.
	code, body = submit(map[string]string{"factor:size": "5", "factor:trust": "9"}, modalSecret)
	var ack struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
		View   json.RawMessage   `json:"view"`
	}
	if err := json.Unmarshal([]byte(body), &ack); code != http.StatusOK || err != nil {
		t.Fatalf("rejected submission: %d %s (%v)", code, body, err)
	}
	if ack.Action != "errors" || len(ack.Errors) != 1 || !strings.Contains(ack.Errors["factor:trust"], "1 to 5") {
		t.Errorf("rejected submission answered %s", body)
	}
	if snapshot(t, e.path) != before {
		t.Error("a rejected submission changed the database")
	}

	// 3. A good submission saves what changed and updates the modal.
	code, body = submit(map[string]string{"factor:size": "5", "factor:trust": "4", "factor:growth": "3"}, modalSecret)
	if err := json.Unmarshal([]byte(body), &ack); code != http.StatusOK || err != nil || ack.Action != "update" {
		t.Fatalf("good submission: %d %s", code, body)
	}
	if !strings.Contains(string(ack.View), "Saved 2 scores for *Acme Corp*") {
		t.Errorf("confirmation view: %s", ack.View)
	}
	hist, err := e.db.Scorings(context.Background(), team, e.ids[team+"/Acme Corp"], 0)
	if err != nil || len(hist) != 2 {
		t.Fatalf("scorings = %+v, %v", hist, err)
	}
	if s := hist[0]; s.UserID != ana || s.Scores["size"] != 5 || s.Scores["growth"] != 3 || s.Scores["trust"] != 4 ||
		strings.Join(s.Changed, ",") != "size,growth" {
		t.Errorf("saved scoring = %+v", s)
	}

	// An outsider's submission (say, a form forwarded to them) is refused
	// in the modal, not saved.
	before = snapshot(t, e.path)
	rep := e.eng.Interact(context.Background(), slack.InteractionCallback{
		Type: slack.InteractionTypeViewSubmission,
		Team: slack.Team{ID: team}, User: slack.User{ID: outsider},
		View: slack.View{CallbackID: "kam_score", PrivateMetadata: opened["private_metadata"].(string),
			State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
				"factor:size": {"score": {SelectedOption: slack.OptionBlockObject{Value: "1"}}}}}},
	})
	js, _ := json.Marshal(rep.Ack)
	if !strings.Contains(string(js), `"response_action":"update"`) || !strings.Contains(string(js), "team can score") {
		t.Errorf("outsider submission answered %s", js)
	}
	if snapshot(t, e.path) != before {
		t.Error("an outsider's submission changed the database")
	}
}
