package commands_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// TestInteractionEditRights walks the card's ⋯ menu on an interaction Ben
// (a member of Acme's team) logged: Ben, Acme's KAM and an admin get the
// form; the sponsor and someone on no team are refused and nothing opens.
// Once Ben is off the team his menu is refused, and so is the form he
// opened before: it changes nothing.
func TestInteractionEditRights(t *testing.T) {
	e, fake := formsEnv(t)
	ctx := context.Background()
	acme := e.ids[team+"/Acme Corp"]
	ints, err := e.db.Interactions(ctx, team, acme, 100)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, it := range ints {
		if it.UserID == ben {
			id = it.ID
		}
	}
	if id == 0 {
		t.Fatal("no interaction of Ben's on Acme")
	}
	idText := strconv.FormatInt(id, 10)
	menu := func(user, op string) menuReply {
		cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: team}, User: slack.User{ID: user, TeamID: team},
			TriggerID: "trig-" + user}
		cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: "ix:menu",
			SelectedOption: slack.OptionBlockObject{Value: op + ":" + idText}}}
		n := len(fake.Views())
		rep := e.eng.Interact(ctx, cb)
		r := menuReply{opened: len(fake.Views()) > n}
		if rep.Reply != nil {
			r.text = rep.Reply.Text
		}
		return r
	}
	before := snapshot(t, e.path)
	for _, c := range []struct {
		user, op string
		may      bool
	}{
		{ben, "edit", true}, {ana, "edit", true}, {admin, "delete", true}, {ana, "delete", true},
		{sara, "edit", false}, {sara, "delete", false}, {outsider, "edit", false},
	} {
		r := menu(c.user, c.op)
		if r.opened != c.may {
			t.Errorf("%s %s: form opened %v, want %v (reply %q)", c.user, c.op, r.opened, c.may, r.text)
		}
		if !c.may && !strings.Contains(r.text, "Only") {
			t.Errorf("%s %s: refusal %q does not say who may", c.user, c.op, r.text)
		}
	}
	if snapshot(t, e.path) != before {
		t.Fatal("opening or refusing a form changed the database")
	}

	// Ben opens the edit form, then leaves the team before he submits.
	if r := menu(ben, "edit"); !r.opened {
		t.Fatal("Ben's edit form did not open")
	}
	_, callback, meta := openedView(t, fake)
	if err := e.db.RemoveMember(ctx, team, acme, ben, admin); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, e.path)
	if r := menu(ben, "edit"); r.opened || !strings.Contains(r.text, "Only") {
		t.Errorf("Ben off the team: form opened %v, reply %q", r.opened, r.text)
	}
	ack := submitIn(t, e, team, ben, callback, meta, map[string]map[string]any{
		"log_kind":    sel("call"),
		"log_date":    {"type": "datepicker", "selected_date": "2025-03-13"},
		"log_summary": text("Rewritten after leaving"),
	})
	if ack["response_action"] != "update" || !strings.Contains(mustJSON(t, ack), "Only") {
		t.Errorf("stale form of someone off the team: ack %v, want the refusal", ack)
	}
	if snapshot(t, e.path) != before {
		t.Fatal("the form of someone off the team changed the interaction")
	}
}

type menuReply struct {
	opened bool
	text   string
}
