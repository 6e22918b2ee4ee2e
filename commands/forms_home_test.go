package commands_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// sharedFormsEnv is the intel fixture with the method on (the
// qualification gate) and the Home registered, opening views through the
// real slack-go client against the Slack double.
func sharedFormsEnv(t *testing.T) (*env, *fakeslack.Server) {
	t.Helper()
	fake := fakeslack.New(t)
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test", APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newIntelEnv(t, func(c *commands.Config) { c.Views, c.Method = api, c.Store.(*store.DB) })
	intelFixture(t, e)
	e.eng.Register(commands.PrefsExtension(commands.PrefsConfig{Store: e.db}))
	commands.NewHome(e.eng, commands.HomeConfig{Store: e.db, Prefs: e.db, Publisher: api})
	return e, fake
}

// clickHome sends a Home button click as Slack would, with a trigger_id.
func clickHome(t *testing.T, e *env, user, actionID, value string) {
	t.Helper()
	cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: team}, User: slack.User{ID: user},
		TriggerID: "trig-" + actionID, View: slack.View{Type: slack.VTHomeTab}}
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: actionID, Value: value}}
	e.eng.Interact(context.Background(), cb)
}

// submitIn sends a view_submission as a user of workspace teamID and
// returns the ack as Slack reads it.
func submitIn(t *testing.T, e *env, teamID, user, callbackID, meta string, values map[string]map[string]any) map[string]any {
	t.Helper()
	p := fakeslack.ViewSubmission(user, callbackID, meta, fakeslack.ViewState(values))
	p["team"] = map[string]any{"id": teamID}
	p["user"] = map[string]any{"id": user, "team_id": teamID}
	b, _ := json.Marshal(p)
	ir := e.eng.Interact(context.Background(), payload(t, string(b)))
	var ack map[string]any
	ab, _ := json.Marshal(ir.Ack)
	_ = json.Unmarshal(ab, &ack)
	return ack
}

// formSurfaces open the log or stage form of Acme Corp as Ana: by command
// or by the Home's button. Each returns the opened view.
func formSurfaces(e *env, fake *fakeslack.Server) map[string]func(t *testing.T, command, homeAction string) (json.RawMessage, string, string) {
	acme := e.ids[team+"/Acme Corp"]
	return map[string]func(t *testing.T, command, homeAction string) (json.RawMessage, string, string){
		"command": func(t *testing.T, command, _ string) (json.RawMessage, string, string) {
			t.Helper()
			if _, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: ana, Text: command, TriggerID: "1.2.3"}); err != nil {
				t.Fatalf("/kam %s: %v", command, err)
			}
			return openedView(t, fake)
		},
		"home": func(t *testing.T, _, homeAction string) (json.RawMessage, string, string) {
			t.Helper()
			clickHome(t, e, ana, homeAction, fmt.Sprintf(`{"t":%q,"a":%d}`, team, acme))
			return openedView(t, fake)
		},
	}
}

// TestHomeOpensSharedForms: the Home's *Log an interaction* and *Move
// stage* buttons open the very forms /kam log <account> and /kam stage
// <account> open, byte for byte.
func TestHomeOpensSharedForms(t *testing.T) {
	e, fake := sharedFormsEnv(t)
	open := formSurfaces(e, fake)
	for _, c := range []struct{ command, homeAction, callback string }{
		{"log acme", "home.log", "kam_log"},
		{"stage acme", "home.stage", "kam_stage"},
	} {
		t.Run(c.callback, func(t *testing.T) {
			cmdView, cmdCallback, _ := open["command"](t, c.command, c.homeAction)
			n := len(fake.Views())
			homeView, homeCallback, _ := open["home"](t, c.command, c.homeAction)
			if len(fake.Views()) != n+1 {
				t.Fatalf("the Home button opened %d views", len(fake.Views())-n)
			}
			if cmdCallback != c.callback || homeCallback != c.callback {
				t.Fatalf("opened %s by command and %s from Home, want %s", cmdCallback, homeCallback, c.callback)
			}
			if string(cmdView) != string(homeView) {
				t.Errorf("the Home's form differs from the command's:\n%s\n%s", homeView, cmdView)
			}
		})
	}
}

// TestSharedLogFormSubmissions: a log form opened by command or from Home
// is checked the same way when submitted: each bad field is reported under
// itself, a forged or foreign submission is refused, and nothing is stored
// until the form is good.
func TestSharedLogFormSubmissions(t *testing.T) {
	for _, surface := range []string{"command", "home"} {
		t.Run(surface, func(t *testing.T) {
			e, fake := sharedFormsEnv(t)
			acme, acorn, initech := e.ids[team+"/Acme Corp"], e.ids[team+"/Acorn Ltd"], e.ids[otherTeam+"/Initech"]
			_, callback, meta := formSurfaces(e, fake)[surface](t, "log acme", "home.log")
			good := func() map[string]map[string]any {
				return map[string]map[string]any{
					"log_account": {"type": "external_select", "selected_option": map[string]any{"value": strconv.FormatInt(acme, 10)}},
					"log_kind":    sel("call"),
					"log_date":    {"type": "datepicker", "selected_date": "2025-03-13"},
					"log_summary": {"type": "plain_text_input", "value": "Renewal <!here> agreed"},
				}
			}
			with := func(block string, v map[string]any) map[string]map[string]any {
				vals := good()
				if v == nil {
					delete(vals, block)
				} else {
					vals[block] = v
				}
				return vals
			}
			before := snapshot(t, e.path)
			for _, c := range []struct {
				name, field string
				vals        map[string]map[string]any
			}{
				{"no summary", "log_summary", with("log_summary", text("  "))},
				{"no kind", "log_kind", with("log_kind", nil)},
				{"made-up kind", "log_kind", with("log_kind", sel("lunch"))},
				{"a day in the future", "log_date", with("log_date", map[string]any{"type": "datepicker", "selected_date": "2025-03-20"})},
				{"no account", "log_account", with("log_account", nil)},
				{"another workspace's account", "log_account", with("log_account", map[string]any{"type": "external_select", "selected_option": map[string]any{"value": strconv.FormatInt(initech, 10)}})},
				{"an account Ana is not on", "log_account", with("log_account", map[string]any{"type": "external_select", "selected_option": map[string]any{"value": strconv.FormatInt(acorn, 10)}})},
			} {
				ack := submitIn(t, e, team, ana, callback, meta, c.vals)
				if errs, _ := ack["errors"].(map[string]any); ack["response_action"] != "errors" || errs[c.field] == nil || len(errs) != 1 {
					t.Errorf("%s: ack %v, want one error, on %s", c.name, ack, c.field)
				}
			}
			// Forged: an outsider, another workspace, hidden data that is not
			// kambot's. The form is replaced by the refusal.
			for _, c := range []struct{ name, team, user, meta string }{
				{"outsider", team, outsider, meta},
				{"another workspace", otherTeam, ana, meta},
				{"garbled metadata", team, ana, "{garbage"},
				{"a link that is not a Slack message's", team, ana, `{"a":` + strconv.FormatInt(acme, 10) + `,"p":"https://evil.example/x"}`},
			} {
				ack := submitIn(t, e, c.team, c.user, callback, c.meta, good())
				if ack["response_action"] == nil || ack["response_action"] == "clear" {
					t.Errorf("%s: ack %v, want a refusal", c.name, ack)
				}
			}
			if snapshot(t, e.path) != before {
				t.Fatal("a refused log form changed the database")
			}
			ack := submitIn(t, e, team, ana, callback, meta, good())
			if ack["response_action"] != "update" || strings.Contains(mustJSON(t, ack), "<!here>") {
				t.Fatalf("good log form: %v", ack)
			}
			ints, err := e.db.Interactions(context.Background(), team, acme, 100)
			if err != nil {
				t.Fatal(err)
			}
			var logged []kam.Interaction
			for _, it := range ints {
				if it.Summary == "Renewal <!here> agreed" {
					logged = append(logged, it)
				}
			}
			if len(logged) != 1 || logged[0].UserID != ana || logged[0].Kind != kam.KindCall || logged[0].At.Format(time.DateOnly) != "2025-03-13" {
				t.Fatalf("stored %+v", logged)
			}
		})
	}
}

// TestSharedStageFormSubmissions: a stage form opened by command or from
// Home keeps the qualification gate and reports bad fields under
// themselves; forged submissions change nothing.
func TestSharedStageFormSubmissions(t *testing.T) {
	for _, surface := range []string{"command", "home"} {
		t.Run(surface, func(t *testing.T) {
			e, fake := sharedFormsEnv(t)
			ctx := context.Background()
			initech := e.ids[otherTeam+"/Initech"]
			_, callback, meta := formSurfaces(e, fake)[surface](t, "stage acme", "home.stage")
			pilot := strconv.FormatInt(e.ids["opp/Pilot"], 10)
			opps, _ := e.db.Opportunities(ctx, team, e.ids[team+"/Globex"], false)
			globexOpp := strconv.FormatInt(opps[0].ID, 10)
			form := func(opp, stage, note string) map[string]map[string]any {
				return map[string]map[string]any{"stage_opp": sel(opp), "stage_to": sel(stage), "stage_note": text(note)}
			}
			if ack := submitIn(t, e, team, ana, callback, meta, form(pilot, "qualified", "")); ack["response_action"] != "update" {
				t.Fatalf("up to qualified needs no decision: %v", ack)
			}
			before := snapshot(t, e.path)
			for _, c := range []struct{ name, opp, stage, note, field string }{
				{"go without a reason", pilot, "pursuing", " ", "stage_note"},
				{"no-go without a reason", pilot, "no-go", "", "stage_note"},
				{"another account's opportunity", globexOpp, "pursuing", "Budget confirmed", "stage_opp"},
				{"made-up stage", pilot, "won-ish", "Budget confirmed", "stage_to"},
				{"same stage", pilot, "qualified", "", "stage_to"},
			} {
				ack := submitIn(t, e, team, ana, callback, meta, form(c.opp, c.stage, c.note))
				if errs, _ := ack["errors"].(map[string]any); ack["response_action"] != "errors" || errs[c.field] == nil || len(errs) != 1 {
					t.Errorf("%s: ack %v, want one error, on %s", c.name, ack, c.field)
				}
			}
			for _, c := range []struct{ name, team, user, meta string }{
				{"outsider", team, outsider, meta},
				{"another workspace", otherTeam, ana, meta},
				{"another workspace's account in the metadata", team, ana, `{"a":` + strconv.FormatInt(initech, 10) + `}`},
				{"garbled metadata", team, ana, `{"a":"x"}`},
			} {
				ack := submitIn(t, e, c.team, c.user, callback, c.meta, form(pilot, "pursuing", "Budget confirmed"))
				if ack["response_action"] != "update" || strings.Contains(mustJSON(t, ack), "Moved") {
					t.Errorf("%s: ack %v, want the form replaced by the refusal", c.name, ack)
				}
			}
			if snapshot(t, e.path) != before {
				t.Fatal("a refused stage form changed the database")
			}
			if ack := submitIn(t, e, team, ana, callback, meta, form(pilot, "pursuing", "Budget confirmed")); ack["response_action"] != "update" {
				t.Fatalf("go with a reason: %v", ack)
			}
			hist, err := e.db.StageHistory(ctx, team, e.ids["opp/Pilot"])
			if err != nil {
				t.Fatal(err)
			}
			if last := hist[len(hist)-1]; last.To != kam.StagePursuing || last.Note != kam.GoNotePrefix+"Budget confirmed" || last.UserID != ana {
				t.Errorf("stored move %+v", last)
			}
		})
	}
}
