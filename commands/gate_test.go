package commands_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// lastNote is the note of an opportunity's latest stage change.
func lastNote(t *testing.T, e *env, opp string) (kam.Stage, string) {
	t.Helper()
	h, err := e.db.StageHistory(context.Background(), team, e.ids["opp/"+opp])
	if err != nil || len(h) == 0 {
		t.Fatalf("history of %s: %v", opp, err)
	}
	return h[len(h)-1].To, h[len(h)-1].Note
}

func TestQualificationGate(t *testing.T) {
	e := newMethodEnv(t)
	refusals(t, e, []struct{ user, text, code, says string }{
		{ana, `stage acme "Renewal plus" pursuing`, kam.EINVALID, "takes a go/no-go decision"},
		{ana, `stage acme "Renewal plus" closing Looks good`, kam.EINVALID, "takes a go/no-go decision"},
		{ana, `stage acme "Renewal plus" pursuing go=""`, kam.EINVALID, "Say why it is a go"},
		{ana, `stage acme "Renewal plus" pursuing Signed go="x" soon`, kam.EINVALID, "right after the stage"},
		{ana, `stage acme pilot no-go`, kam.EINVALID, "keeps its reason"},
		{ana, `stage acme "Expansion EMEA" closing go="x"`, kam.EINVALID, "go= is the decision at the qualification gate"},
		{outsider, `stage acme "Renewal plus" pursuing go="x"`, kam.EUNAUTHORIZED, ""},
	})
	// Identified → qualified is before the gate.
	e.ok(ana, "stage acme pilot qualified Budget owner found")
	rep := e.ok(ana, `stage acme "Renewal plus" pursuing go="Budget confirmed; we lead on service" Kick-off next week`)
	if !strings.Contains(rep.Text, "Go: Budget confirmed; we lead on service — Kick-off next week") {
		t.Errorf("go reply:\n%s", rep.Text)
	}
	if st, note := lastNote(t, e, "Renewal plus"); st != kam.StagePursuing || note != "Go: Budget confirmed; we lead on service — Kick-off next week" {
		t.Errorf("history: %s %q", st, note)
	}
	e.ok(ben, "stage acme pilot no-go Budget frozen until 2027")
	if st, note := lastNote(t, e, "Pilot"); st != kam.StageNoGo || note != "Budget frozen until 2027" {
		t.Errorf("no-go history: %s %q", st, note)
	}
	// After the gate, moves need no decision.
	e.ok(ana, `stage acme "Renewal plus" closing`)
}

func TestPipelineVelocity(t *testing.T) {
	e := newMethodEnv(t)
	rep := e.ok(ana, "pipeline acme")
	// Seeded: each opportunity spends 50 days identified and 30 in each
	// later stage; one won, one lost, one no-go.
	for _, want := range []string{"Median days per stage", "identified 50 d (6)", "qualified 30 d (4)", "pursuing 30 d (2)", "closing 30 d (1)",
		"Win rate: 50% (1 won, 1 lost; 1 no-go)", "Average deal age: 300 days over 4 open deals"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("pipeline lacks %q:\n%s", want, rep.Text)
		}
	}
	if rep := e.ok(ben, "pipeline acorn"); strings.Contains(rep.Text, "Win rate") {
		t.Errorf("velocity of an empty pipeline:\n%s", rep.Text)
	}
}

// recordingViews keeps the modals opened.
type recordingViews struct {
	mu    sync.Mutex
	views []slack.ModalViewRequest
}

func (r *recordingViews) OpenView(_ context.Context, _ string, v slack.ModalViewRequest) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.views = append(r.views, v)
	return nil
}

func (r *recordingViews) PushView(ctx context.Context, triggerID string, v slack.ModalViewRequest) error {
	return r.OpenView(ctx, triggerID, v)
}

func TestGateForm(t *testing.T) {
	views := &recordingViews{}
	e := newEnv(t, func(c *commands.Config) {
		c.Intel, c.Method, c.Views = c.Store.(*store.DB), c.Store.(*store.DB), views
	})
	before := snapshot(t, e.path)
	rep, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: ana, Text: `stage acme "Renewal plus" pursuing`, TriggerID: "1.2.3"})
	if err != nil || !strings.Contains(rep.Text, "the go/no-go form is open") || len(views.views) != 1 {
		t.Fatalf("form not opened: %v %s %d", err, rep.Text, len(views.views))
	}
	if snapshot(t, e.path) != before {
		t.Error("opening the form changed the database")
	}
	meta := views.views[0].PrivateMetadata
	submit := func(user, decision, reason string) commands.InteractionReply {
		return e.eng.Interact(context.Background(), slack.InteractionCallback{
			Type: slack.InteractionTypeViewSubmission, Team: slack.Team{ID: team}, User: slack.User{ID: user},
			View: slack.View{CallbackID: "stage_gate", PrivateMetadata: meta, State: &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
				"gate_decision": {"gate_decision": {SelectedOption: slack.OptionBlockObject{Value: decision}}},
				"gate_reason":   {"gate_reason": {Value: reason}},
			}}},
		})
	}
	for _, bad := range []struct{ user, decision, reason, says string }{
		{ana, "", "x", "Pick go or no-go"},
		{ana, "go", "  ", "Say why"},
		{ana, "maybe", "x", "Pick go or no-go"},
		{outsider, "go", "x", "team"},
	} {
		js, _ := json.Marshal(submit(bad.user, bad.decision, bad.reason).Ack)
		if !strings.Contains(string(js), bad.says) {
			t.Errorf("submission %+v answered %s", bad, js)
		}
	}
	if snapshot(t, e.path) != before {
		t.Error("a refused submission changed the database")
	}
	out := submit(ben, "no-go", "Their budget moved to 2027")
	if out.Reply == nil || !strings.Contains(out.Reply.Text, "to no-go") {
		t.Fatalf("no-go submission: %+v", out)
	}
	if st, note := lastNote(t, e, "Renewal plus"); st != kam.StageNoGo || note != "Their budget moved to 2027" {
		t.Errorf("history: %s %q", st, note)
	}
	// The same form again: the opportunity has moved on; nothing changes.
	before = snapshot(t, e.path)
	js, _ := json.Marshal(submit(ana, "go", "x").Ack)
	if !strings.Contains(string(js), "has moved on to no-go") || snapshot(t, e.path) != before {
		t.Errorf("stale form answered %s", js)
	}
}
