package commands_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// formsEnv is the intel fixture with views opened through the real
// slack-go client against the Slack double.
func formsEnv(t *testing.T) (*env, *fakeslack.Server) {
	t.Helper()
	fake := fakeslack.New(t)
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test", APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newIntelEnv(t, func(c *commands.Config) { c.Views = api })
	intelFixture(t, e)
	return e, fake
}

// openedView is the latest view opened, decoded.
func openedView(t *testing.T, fake *fakeslack.Server) (raw json.RawMessage, callbackID, meta string) {
	t.Helper()
	vs := fake.Views()
	if len(vs) == 0 {
		t.Fatal("no view opened")
	}
	var v struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
	}
	if err := json.Unmarshal(vs[len(vs)-1].View, &v); err != nil {
		t.Fatal(err)
	}
	return vs[len(vs)-1].View, v.CallbackID, v.PrivateMetadata
}

// TestCommandsOpenForms: /kam log, stage and opp without what the form
// asks for open it (with a trigger); the console, without one, gets the
// usage and nothing opens.
func TestCommandsOpenForms(t *testing.T) {
	e, fake := formsEnv(t)
	for _, c := range []struct{ text, callback, golden, want string }{
		{"log acme", "kam_log", "form_log_account.json", "The log form is open for *Acme Corp*"},
		{"log acme call", "kam_log", "", "The log form is open"},
		{"stage acme", "kam_stage", "form_stage.json", "The stage form is open for *Acme Corp*"},
		{"opp acme add", "kam_opp", "form_opp.json", "The opportunity form is open for *Acme Corp*"},
	} {
		n := len(fake.Views())
		rep, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: ana, Text: c.text, TriggerID: "1.2.3"})
		if err != nil || !strings.Contains(commands.PlainText(rep.Blocks)+rep.Text, strings.ReplaceAll(c.want, "*", "")) {
			t.Errorf("/kam %s: %v %q", c.text, err, rep.Text)
		}
		if len(fake.Views()) != n+1 {
			t.Fatalf("/kam %s opened %d views", c.text, len(fake.Views())-n)
		}
		raw, cb, _ := openedView(t, fake)
		if cb != c.callback {
			t.Errorf("/kam %s opened %s", c.text, cb)
		}
		if c.golden != "" {
			golden(t, c.golden, indent(t, raw))
		}
		if bad := checkView(raw); len(bad) > 0 {
			t.Errorf("/kam %s: %v", c.text, bad)
		}
		// Without a trigger (the console) the usage answers, and nothing opens.
		n = len(fake.Views())
		if _, err := e.run(ana, c.text); err == nil {
			t.Errorf("/kam %s without a trigger: no usage error", c.text)
		}
		if len(fake.Views()) != n {
			t.Errorf("/kam %s without a trigger opened a view", c.text)
		}
	}
	// Someone not on the team is refused before any form opens.
	n := len(fake.Views())
	if _, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: outsider, Text: "log acme", TriggerID: "1.2.3"}); err == nil {
		t.Error("an outsider opened the log form")
	}
	if len(fake.Views()) != n {
		t.Error("a view opened for an outsider")
	}
}

func indent(t *testing.T, raw []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}

// checkView checks a view against Slack's limits and the escaping rule.
func checkView(raw []byte) []string { return format.CheckView(json.RawMessage(raw)) }

func submit(t *testing.T, e *env, user, callbackID, meta string, values map[string]map[string]any) map[string]any {
	t.Helper()
	p := fakeslack.ViewSubmission(user, callbackID, meta, fakeslack.ViewState(values))
	p["team"] = map[string]any{"id": team}
	p["user"] = map[string]any{"id": user, "team_id": team}
	b, _ := json.Marshal(p)
	ir := e.eng.Interact(context.Background(), payload(t, string(b)))
	var ack map[string]any
	ab, _ := json.Marshal(ir.Ack)
	_ = json.Unmarshal(ab, &ack)
	return ack
}

func sel(v string) map[string]any {
	return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}
}

func text(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }

// TestStageForm: bad choices are refused on their field and change
// nothing; a good one moves the stage and queues the channel post.
func TestStageForm(t *testing.T) {
	e, fake := formsEnv(t)
	if _, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: ana, Text: "stage acme", TriggerID: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	_, _, meta := openedView(t, fake)
	pilot := strconv.FormatInt(e.ids["opp/Pilot"], 10)
	globexOpp := ""
	opps, _ := e.db.Opportunities(context.Background(), team, e.ids[team+"/Globex"], false)
	globexOpp = strconv.FormatInt(opps[0].ID, 10)
	before := snapshot(t, e.path)
	for _, c := range []struct {
		name, user, opp, stage, field string
	}{
		{"another account's opportunity", ana, globexOpp, "qualified", "stage_opp"},
		{"no opportunity", ana, "", "qualified", "stage_opp"},
		{"no stage", ana, pilot, "", "stage_to"},
		{"made-up stage", ana, pilot, "won-ish", "stage_to"},
		{"same stage", ana, pilot, "identified", "stage_to"},
	} {
		ack := submit(t, e, c.user, "kam_stage", meta, map[string]map[string]any{"stage_opp": sel(c.opp), "stage_to": sel(c.stage), "stage_note": text("")})
		if errs, _ := ack["errors"].(map[string]any); ack["response_action"] != "errors" || errs[c.field] == nil {
			t.Errorf("%s: ack %v, want an error on %s", c.name, ack, c.field)
		}
	}
	if ack := submit(t, e, outsider, "kam_stage", meta, map[string]map[string]any{"stage_opp": sel(pilot), "stage_to": sel("qualified")}); ack["response_action"] != "update" {
		t.Errorf("outsider: ack %v, want the form replaced by the refusal", ack)
	}
	if ack := submit(t, e, ana, "kam_stage", `{"a":"x"}`, map[string]map[string]any{"stage_opp": sel(pilot), "stage_to": sel("qualified")}); ack["response_action"] != "update" {
		t.Errorf("unreadable metadata: ack %v", ack)
	}
	if after := snapshot(t, e.path); after != before {
		t.Fatal("a refused stage form changed the database")
	}
	ack := submit(t, e, ana, "kam_stage", meta, map[string]map[string]any{"stage_opp": sel(pilot), "stage_to": sel("qualified"), "stage_note": text("Budget <!channel> confirmed")})
	if ack["response_action"] != "update" || !strings.Contains(mustJSON(t, ack), "Moved *Pilot* to *qualified*") {
		t.Fatalf("good stage form: %v", ack)
	}
	if strings.Contains(mustJSON(t, ack), "<!channel>") {
		t.Error("the note pings")
	}
}

// TestOppForm: bad values are refused on their field; a good form adds
// the opportunity.
func TestOppForm(t *testing.T) {
	e, fake := formsEnv(t)
	if _, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: ben, Text: "opp acme add", TriggerID: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	_, _, meta := openedView(t, fake)
	user := func(id string) map[string]any { return map[string]any{"type": "users_select", "selected_user": id} }
	date := func(d string) map[string]any { return map[string]any{"type": "datepicker", "selected_date": d} }
	before := snapshot(t, e.path)
	for _, c := range []struct {
		name  string
		vals  map[string]map[string]any
		field string
	}{
		{"no name", map[string]map[string]any{"opp_name": text(" ")}, "opp_name"},
		{"name taken", map[string]map[string]any{"opp_name": text("pilot")}, "opp_name"},
		{"bad value", map[string]map[string]any{"opp_name": text("New deal"), "opp_value": text("lots")}, "opp_value"},
		{"owner not in the workspace", map[string]map[string]any{"opp_name": text("New deal"), "opp_owner": user(ghost)}, "opp_owner"},
	} {
		ack := submit(t, e, ben, "kam_opp", meta, c.vals)
		if errs, _ := ack["errors"].(map[string]any); ack["response_action"] != "errors" || errs[c.field] == nil {
			t.Errorf("%s: ack %v, want an error on %s", c.name, ack, c.field)
		}
	}
	if after := snapshot(t, e.path); after != before {
		t.Fatal("a refused opportunity form changed the database")
	}
	ack := submit(t, e, ben, "kam_opp", meta, map[string]map[string]any{"opp_name": text("Line 2 retrofit"), "opp_value": text("250k"),
		"opp_close": date("2025-09-30"), "opp_owner": user(ana)})
	if ack["response_action"] != "update" || !strings.Contains(mustJSON(t, ack), "Added opportunity *Line 2 retrofit* to *Acme Corp*") {
		t.Fatalf("good form: %v", ack)
	}
	opps, _ := e.db.Opportunities(context.Background(), team, e.ids[team+"/Acme Corp"], false)
	for _, o := range opps {
		if o.Name == "Line 2 retrofit" && (o.Value != 250_000 || o.OwnerID != ana) {
			t.Errorf("stored %+v", o)
		}
	}
}

// TestGlobalShortcutOpensLogForm: "Log an interaction" opens the log form
// with no account chosen and today's date.
func TestGlobalShortcutOpensLogForm(t *testing.T) {
	e, fake := formsEnv(t)
	p := fakeslack.GlobalShortcut(ana, commands.ShortcutLogInteraction)
	p["team"] = map[string]any{"id": team}
	p["user"] = map[string]any{"id": ana, "team_id": team}
	b, _ := json.Marshal(p)
	e.eng.Interact(context.Background(), payload(t, string(b)))
	raw, cb, meta := openedView(t, fake)
	if cb != "kam_log" || meta != "{}" || !strings.Contains(string(raw), `"initial_date":"2025-03-14"`) || strings.Contains(string(raw), "initial_option\":{\"text\":{\"type\":\"plain_text\",\"text\":\"Acme") {
		t.Fatalf("global shortcut opened %s (meta %s)", raw, meta)
	}
}

// TestStageFormGate: with the method on, the stage form keeps the
// qualification gate: past qualified the note is the go reason and a no-go
// keeps its reason; without one the note field says so and nothing moves.
func TestStageFormGate(t *testing.T) {
	fake := fakeslack.New(t)
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test", APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newIntelEnv(t, func(c *commands.Config) { c.Views, c.Method = api, c.Store.(*store.DB) })
	intelFixture(t, e)
	ctx := context.Background()
	if _, err := e.eng.Do(ctx, commands.Request{TeamID: team, UserID: ana, Text: "stage acme", TriggerID: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	_, _, meta := openedView(t, fake)
	pilot := strconv.FormatInt(e.ids["opp/Pilot"], 10)
	form := func(stage, note string) map[string]map[string]any {
		return map[string]map[string]any{"stage_opp": sel(pilot), "stage_to": sel(stage), "stage_note": text(note)}
	}
	if ack := submit(t, e, ana, "kam_stage", meta, form("qualified", "")); ack["response_action"] != "update" {
		t.Fatalf("up to qualified needs no decision: %v", ack)
	}
	before := snapshot(t, e.path)
	for _, stage := range []string{"pursuing", "no-go"} {
		ack := submit(t, e, ana, "kam_stage", meta, form(stage, "  "))
		if errs, _ := ack["errors"].(map[string]any); ack["response_action"] != "errors" || errs["stage_note"] == nil {
			t.Errorf("%s without a reason: ack %v, want an error on the note", stage, ack)
		}
	}
	if snapshot(t, e.path) != before {
		t.Fatal("a refused gate changed the database")
	}
	if ack := submit(t, e, ana, "kam_stage", meta, form("pursuing", "Budget confirmed")); ack["response_action"] != "update" {
		t.Fatalf("go with a reason: %v", ack)
	}
	hist, err := e.db.StageHistory(ctx, team, e.ids["opp/Pilot"])
	if err != nil {
		t.Fatal(err)
	}
	if last := hist[len(hist)-1]; last.To != kam.StagePursuing || last.Note != kam.GoNotePrefix+"Budget confirmed" {
		t.Errorf("stored move %+v, want pursuing with note %q", last, kam.GoNotePrefix+"Budget confirmed")
	}
}
