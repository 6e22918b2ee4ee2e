package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
)

// homeEnv is the fixture engine with the Home registered, publishing and
// opening modals through the real Web API client against the Slack double.
type homeEnv struct {
	*env
	home *commands.Home
	fs   *fakeslack.Server
	dms  *dmRecorder
}

type dmRecorder struct {
	mu   sync.Mutex
	sent []string
}

func (d *dmRecorder) SendDM(_ context.Context, teamID, userID, key, text string, _ []slack.Block) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sent = append(d.sent, teamID+"/"+userID+": "+text)
	return nil
}

func (d *dmRecorder) messages() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.sent...)
}

func newHomeEnv(t testing.TB, pageSize int) *homeEnv {
	t.Helper()
	fs := fakeslack.New(t)
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-home", APIURL: fs.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *commands.Config) { c.Views = api; c.Intel = nil })
	h := &homeEnv{env: e, fs: fs, dms: &dmRecorder{}}
	e.eng.Register(commands.PrefsExtension(commands.PrefsConfig{Store: e.db}))
	h.home = commands.NewHome(e.eng, commands.HomeConfig{Store: e.db, Prefs: e.db, Publisher: api, DM: h.dms, PageSize: pageSize,
		WorkspaceDigest: `"0 8 * * 1" in UTC`})
	ctx := context.Background()
	// Ana has a tactic overdue and one due next week.
	for i, due := range []string{"2025-03-10", "2025-03-20"} {
		d, _ := time.Parse(time.DateOnly, due)
		tc := kam.Tactic{TeamID: team, AccountID: e.ids[team+"/Acme Corp"], Text: fmt.Sprintf("Workshop %d <!here>", i+1), OwnerID: ana, Due: d}
		if err := e.db.AddTactic(ctx, &tc, ana); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// view renders the user's Home and checks it against Slack's limits.
func (h *homeEnv) view(t *testing.T, user string, page int) slack.HomeTabViewRequest {
	t.Helper()
	v, err := h.home.View(context.Background(), team, user, page)
	if err != nil {
		t.Fatalf("home of %s: %v", user, err)
	}
	if n := len(v.Blocks.BlockSet); n > 100 {
		t.Fatalf("home of %s has %d blocks", user, n)
	}
	if bad := format.CheckView(v); len(bad) > 0 {
		t.Fatalf("home of %s breaks Block Kit rules: %v", user, bad)
	}
	return v
}

func viewText(v slack.HomeTabViewRequest) string { return format.Readable(v.Blocks.BlockSet) }

func TestHomeGolden(t *testing.T) {
	h := newHomeEnv(t, 0)
	for _, tt := range []struct{ file, user string }{
		{"home_kam", ana}, {"home_admin", admin}, {"home_none", outsider},
	} {
		t.Run(tt.file, func(t *testing.T) {
			v := h.view(t, tt.user, 0)
			var js bytes.Buffer
			enc := json.NewEncoder(&js)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file+".json", js.Bytes())
			golden(t, tt.file+".txt", []byte(viewText(v)+"\n"))
		})
	}
}

func TestHomeContent(t *testing.T) {
	h := newHomeEnv(t, 0)
	kamView := viewText(h.view(t, ana, 0))
	for _, want := range []string{
		"Acme Corp", "Globex", "open pipeline", "Workshop 1", "overdue", "Workshop 2",
		"Deals closing in 30 days", "Renewal 2025", "past its close date", "Your schedule", "one DM each, from 07:00",
	} {
		if !strings.Contains(kamView, want) {
			t.Errorf("Ana's Home lacks %q:\n%s", want, kamView)
		}
	}
	// Typed text never becomes a live mention.
	if strings.Contains(kamView, "<!here>") {
		t.Errorf("a tactic's <!here> is live on Home")
	}
	for _, no := range []string{"Workspace", "Acorn Ltd", "Initech"} {
		if strings.Contains(kamView, no) {
			t.Errorf("Ana's Home shows %q", no)
		}
	}
	adminView := viewText(h.view(t, admin, 0))
	if !strings.Contains(adminView, "Workspace") || !strings.Contains(adminView, "Outbox") {
		t.Errorf("the admin's Home lacks the workspace totals:\n%s", adminView)
	}
	if v := viewText(h.view(t, outsider, 0)); !strings.Contains(v, "on no account's team") {
		t.Errorf("an outsider's Home: %s", v)
	}
	// Ben manages nothing; made manager of Acme, he sees his portfolio.
	if err := h.db.PutMember(context.Background(), kam.Member{TeamID: team, AccountID: h.ids[team+"/Acme Corp"], UserID: ben, Role: kam.RoleManager}, admin); err != nil {
		t.Fatal(err)
	}
	// Until the change feed says so, the cached team is shown.
	if v := viewText(h.view(t, ben, 0)); strings.Contains(v, "Your portfolio") {
		t.Errorf("the cache was not used:\n%s", v)
	}
	h.home.Invalidate(team, []int64{h.ids[team+"/Acme Corp"]})
	if v := viewText(h.view(t, ben, 0)); !strings.Contains(v, "Your portfolio") || !strings.Contains(v, "1 account you manage") {
		t.Errorf("a manager's Home lacks the portfolio:\n%s", v)
	}
}

// TestHomeManyAccounts: a user on 300 accounts gets pages of a few, inside
// Slack's 100 blocks, and "Show more" publishes the next page.
func TestHomeManyAccounts(t *testing.T) {
	h := newHomeEnv(t, 0)
	ctx := context.Background()
	for i := range 300 {
		a := kam.Account{TeamID: team, Name: fmt.Sprintf("Bulk %03d", i), OwnerID: outsider, Cadence: kam.CadenceMonthly}
		if err := h.db.CreateAccount(ctx, &a, admin); err != nil {
			t.Fatal(err)
		}
	}
	v := h.view(t, outsider, 0)
	text := viewText(v)
	if !strings.Contains(text, "300 accounts") || !strings.Contains(text, "Accounts 1–12 of 300") {
		t.Fatalf("first page: %s", text)
	}
	next := findButton(t, v, "home.page.next")
	h.click(t, outsider, "home.page.next", next.Value)
	pub := h.fs.Views()
	if len(pub) != 1 || pub[0].UserID != outsider || !strings.Contains(string(pub[0].View), "Accounts 13–24 of 300") {
		t.Fatalf("Show more published %+v", pub)
	}
	// The page is remembered for the next refresh.
	if err := h.home.Publish(ctx, team, outsider, -1); err != nil {
		t.Fatal(err)
	}
	if pub = h.fs.Views(); len(pub) != 2 || !strings.Contains(string(pub[1].View), "Accounts 13–24 of 300") {
		t.Fatalf("refresh lost the page: %d views", len(pub))
	}
	// The last page, and a page past it, stay inside the limits.
	last := viewText(h.view(t, outsider, 24))
	if !strings.Contains(last, "Accounts 289–300 of 300") || strings.Contains(last, "Show more") {
		t.Fatalf("last page: %s", last)
	}
}

func findButton(t *testing.T, v slack.HomeTabViewRequest, actionID string) *slack.ButtonBlockElement {
	t.Helper()
	for _, b := range v.Blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == actionID {
					return btn
				}
			}
		}
	}
	t.Fatalf("no %s button", actionID)
	return nil
}

// click sends a Home button click as Slack would, with a trigger_id.
func (h *homeEnv) click(t *testing.T, user, actionID, value string) commands.InteractionReply {
	t.Helper()
	cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: team}, User: slack.User{ID: user},
		TriggerID: "trig-" + actionID, View: slack.View{Type: slack.VTHomeTab}}
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: actionID, Value: value}}
	return h.eng.Interact(context.Background(), cb)
}

// submit sends a view_submission of a Home form.
func (h *homeEnv) submit(t *testing.T, user string, v slack.View) commands.InteractionReply {
	t.Helper()
	cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, Team: slack.Team{ID: team}, User: slack.User{ID: user}, View: v}
	return h.eng.Interact(context.Background(), cb)
}

// lastModal is the latest modal the double was asked to open.
func (h *homeEnv) lastModal(t *testing.T) slack.ModalViewRequest {
	t.Helper()
	vs := h.fs.Views()
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].TriggerID != "" {
			var m slack.ModalViewRequest
			if err := json.Unmarshal(vs[i].View, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatal("no modal opened")
	return slack.ModalViewRequest{}
}

func homeVal(teamID string, account int64) string {
	return fmt.Sprintf(`{"t":%q,"a":%d}`, teamID, account)
}

// TestHomeRefusals: forged, garbled, foreign and unauthorised clicks and
// submissions change nothing and say why in a modal.
func TestHomeRefusals(t *testing.T) {
	h := newHomeEnv(t, 0)
	acme, initech := h.ids[team+"/Acme Corp"], h.ids[otherTeam+"/Initech"]
	tests := []struct {
		name, user, action, value, want string
	}{
		{"garbled", ana, "home.log", "{not json", "garbled"},
		{"extra field", ana, "home.log", `{"t":"` + team + `","a":1,"x":2}`, "garbled"},
		{"another workspace's value", ana, "home.log", homeVal(otherTeam, initech), "another Slack workspace"},
		{"another workspace's account", ana, "home.card", homeVal(team, initech), "no longer exists"},
		{"not on the team", outsider, "home.log", homeVal(team, acme), "Only"},
		{"not on the team: stage", outsider, "home.stage", homeVal(team, acme), "Only"},
		{"not on the team: brief", outsider, "home.brief", homeVal(team, acme), "Only"},
		{"deleted account", ana, "home.card", homeVal(team, 999999), "no longer exists"},
		{"negative page", ana, "home.page.next", `{"t":"` + team + `","p":-3}`, "garbled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, h.path)
			n := len(h.fs.Views())
			h.click(t, tt.user, tt.action, tt.value)
			if after := snapshot(t, h.path); after != before {
				t.Fatal("a refused click changed the database")
			}
			vs := h.fs.Views()
			if len(vs) != n+1 || vs[n].TriggerID == "" {
				t.Fatalf("want one notice modal, got %d new views", len(vs)-n)
			}
			if m := h.lastModal(t); !strings.Contains(format.Readable(m.Blocks.BlockSet), tt.want) {
				t.Errorf("notice %q lacks %q", format.Readable(m.Blocks.BlockSet), tt.want)
			}
		})
	}
	// A submission of the log or stage form the Home had before it opened
	// the shared ones is refused as out of date and changes nothing.
	for _, callback := range []string{"home.log", "home.stage"} {
		before := snapshot(t, h.path)
		rep := h.submit(t, ana, slack.View{CallbackID: callback, PrivateMetadata: homeVal(team, acme), State: &slack.ViewState{}})
		if !strings.Contains(mustJSON(t, rep.Ack), "out of date") {
			t.Errorf("retired %s form: ack %v", callback, rep.Ack)
		}
		if snapshot(t, h.path) != before {
			t.Errorf("retired %s form changed the database", callback)
		}
	}
}

// TestHomeForms: Log an interaction and Move stage open the shared forms
// (forms_home_test.go checks them from click to stored change); the
// schedule form, from click to stored change; bad input stays in the form.
func TestHomeForms(t *testing.T) {
	h := newHomeEnv(t, 0)
	ctx := context.Background()
	acme := h.ids[team+"/Acme Corp"]

	h.click(t, ben, "home.log", homeVal(team, acme))
	if m := h.lastModal(t); m.CallbackID != "kam_log" || !strings.Contains(m.PrivateMetadata, strconv.FormatInt(acme, 10)) {
		t.Fatalf("log form: %+v", m)
	}
	h.click(t, ana, "home.stage", homeVal(team, acme))
	if m := h.lastModal(t); m.CallbackID != "kam_stage" {
		t.Fatalf("stage form: %+v", m)
	}

	// The schedule form.
	h.click(t, ana, "home.prefs", `{"t":"`+team+`"}`)
	m := h.lastModal(t)
	prefsState := func(day, hour, from, to, bundle string) *slack.ViewState {
		sel := func(v string) slack.BlockAction {
			return slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: v}}
		}
		return &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
			"digest_day": {"digest_day": sel(day)}, "digest_hour": {"digest_hour": sel(hour)},
			"quiet_from": {"quiet_from": sel(from)}, "quiet_to": {"quiet_to": sel(to)}, "bundle": {"bundle": sel(bundle)},
		}}
	}
	before := snapshot(t, h.path)
	for _, bad := range [][5]string{{"Friday", "16", "22", "none", "on"}, {"Friday", "16", "22", "22", "on"}, {"Someday", "16", "none", "none", "on"}, {"Friday", "99", "none", "none", "on"}, {"Friday", "16", "none", "none", "maybe"}} {
		if rep := h.submit(t, ana, slack.View{CallbackID: m.CallbackID, PrivateMetadata: m.PrivateMetadata, State: prefsState(bad[0], bad[1], bad[2], bad[3], bad[4])}); rep.Ack == nil {
			t.Errorf("prefs form %v accepted", bad)
		}
	}
	if snapshot(t, h.path) != before {
		t.Fatal("a refused prefs form changed the database")
	}
	if rep := h.submit(t, ana, slack.View{CallbackID: m.CallbackID, PrivateMetadata: m.PrivateMetadata, State: prefsState("Friday", "16", "22", "7", "on")}); rep.Ack != nil {
		t.Fatalf("prefs form refused: %v", rep.Ack)
	}
	p, _ := h.db.UserPrefs(ctx, team, ana)
	if p.DigestDay != time.Friday || p.DigestHour != 16 || p.QuietFrom != 22 || p.QuietTo != 7 || !p.Bundle {
		t.Fatalf("saved %+v", p)
	}
	if vs := h.fs.Views(); vs[len(vs)-1].UserID != ana || !strings.Contains(string(vs[len(vs)-1].View), "Fridays at 16:00") {
		t.Fatal("saving the schedule did not refresh Home")
	}
}

// TestHomeOpenCard: Open card shows the account card in a modal, for the
// team and admins.
func TestHomeOpenCard(t *testing.T) {
	h := newHomeEnv(t, 0)
	acme := h.ids[team+"/Acme Corp"]
	for _, user := range []string{ana, admin} {
		before := snapshot(t, h.path)
		h.click(t, user, "home.card", homeVal(team, acme))
		m := h.lastModal(t)
		text := format.Readable(m.Blocks.BlockSet)
		if m.Title == nil || m.Title.Text != "Acme Corp" || !strings.Contains(text, "Renewal 2025") || len(m.Blocks.BlockSet) > 100 {
			t.Fatalf("card for %s: %+v\n%s", user, m.Title, text)
		}
		if bad := format.CheckView(m); len(bad) > 0 {
			t.Fatalf("card modal breaks Block Kit rules: %v", bad)
		}
		if snapshot(t, h.path) != before {
			t.Fatal("opening the card changed the database")
		}
	}
}

// TestHomeDealsFollowChanges: an account's open deals are kept with its
// assessment: a new deal closing soon shows once the change feed names the
// account (Invalidate), as the health does, and a closed deal leaves the
// list and the pipeline; another account's entry is kept meanwhile.
func TestHomeDealsFollowChanges(t *testing.T) {
	h := newHomeEnv(t, 0)
	ctx := context.Background()
	acme := h.ids[team+"/Acme Corp"]
	if v := viewText(h.view(t, ana, 0)); strings.Contains(v, "Fast pilot") {
		t.Fatalf("a deal before it exists:\n%s", v)
	}
	o := kam.Opportunity{TeamID: team, AccountID: acme, Name: "Fast pilot", Value: 75_000, CloseDate: fixedNow.AddDate(0, 0, 10)}
	if err := h.db.AddOpportunity(ctx, &o, ana); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		change     func() error
		invalidate []int64
		want, not  []string
	}{
		{"cached until the change is read", nil, nil, nil, []string{"Fast pilot"}},
		{"another account's change keeps Acme's entry", nil, []int64{h.ids[team+"/Globex"]}, nil, []string{"Fast pilot"}},
		{"the change is read", nil, []int64{acme}, []string{"Fast pilot · $75k · identified · closes 2025-03-24"}, nil},
		{"lost", func() error {
			_, err := h.db.MoveStage(ctx, team, o.ID, kam.StageLost, ana, "", fixedNow, nil)
			return err
		}, []int64{acme}, nil, []string{"Fast pilot"}},
	} {
		if c.change != nil {
			if err := c.change(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		if c.invalidate != nil {
			h.home.Invalidate(team, c.invalidate)
		}
		v := viewText(h.view(t, ana, 0))
		for _, w := range c.want {
			if !strings.Contains(v, w) {
				t.Errorf("%s: no %q in\n%s", c.name, w, v)
			}
		}
		for _, n := range c.not {
			if strings.Contains(v, n) {
				t.Errorf("%s: %q in\n%s", c.name, n, v)
			}
		}
	}
}

// TestHomeRemindersAndFailures: the reminders a person got this week and
// has not handled are on their Home (and gone once handled), not on a
// teammate's; an admin's Home counts the outbox's failed messages.
func TestHomeRemindersAndFailures(t *testing.T) {
	h := newHomeEnv(t, 0)
	ctx := context.Background()
	acme := h.ids[team+"/Acme Corp"]
	// A channel post that failed for good.
	id, _, err := h.db.EnqueueOutbox(ctx, kam.OutboxMessage{TeamID: team, Key: "interaction:77", Channel: acmeChan, Text: "post"})
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := h.db.ClaimOutbox(ctx, fixedNow, 10, nil)
	if err != nil || len(claimed) != 1 || claimed[0].ID != id {
		t.Fatalf("claimed %+v, %v", claimed, err)
	}
	if err := h.db.MarkOutboxFailed(ctx, id, claimed[0].Attempts, "not_in_channel"); err != nil {
		t.Fatal(err)
	}
	// Ana's reminders: one yesterday, one ten days ago (not this week).
	reminder := func(kind kam.NudgeKind, daysAgo int) kam.NudgeMessage {
		at := fixedNow.AddDate(0, 0, -daysAgo)
		h.db.Now = func() time.Time { return at }
		m := kam.NudgeMessage{TeamID: team, Key: kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: acme, Kind: kind, Period: at.Format(time.DateOnly)},
			Recipient: ana}, Text: "due", Blocks: []byte(`[]`)}
		if _, err := h.db.QueueNudges(ctx, []kam.NudgeMessage{m}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	review := reminder(kam.NudgePlanReview, 1)
	reminder(kam.NudgeSurvey, 10)
	h.db.Now = func() time.Time { return fixedNow }

	v := viewText(h.view(t, ana, 0))
	if !strings.Contains(v, "Plan review due — Acme Corp · sent 2025-03-13") || !strings.Contains(v, "not yet handled or snoozed") {
		t.Errorf("Ana's Home lacks yesterday's reminder:\n%s", v)
	}
	if strings.Contains(v, "Satisfaction survey due") {
		t.Errorf("Ana's Home shows a reminder older than a week:\n%s", v)
	}
	if v := viewText(h.view(t, ben, 0)); strings.Contains(v, "Plan review due") {
		t.Errorf("Ben's Home shows Ana's reminder:\n%s", v)
	}
	if _, err := h.db.HandleNudge(ctx, team, review.Key.NudgeTopic, kam.HowLogged, ana); err != nil {
		t.Fatal(err)
	}
	if v := viewText(h.view(t, ana, 0)); strings.Contains(v, "Plan review due") || !strings.Contains(v, "None waiting for you") {
		t.Errorf("a handled reminder is still on Ana's Home:\n%s", v)
	}
	if v := viewText(h.view(t, admin, 0)); !strings.Contains(v, "1 message failed — `/kam outbox`") {
		t.Errorf("the admin's Home does not count the failed message:\n%s", v)
	}
}

// TestHomeBrief: the Brief button says the brief is on its way and sends
// it to the clicking user by DM, as /kam brief would.
func TestHomeBrief(t *testing.T) {
	h := newHomeEnv(t, 0)
	h.eng.Register(commands.BriefExtension(brief.New(brief.Config{Now: func() time.Time { return fixedNow }}), nil))
	acme := h.ids[team+"/Acme Corp"]
	before := len(h.fs.Views())
	h.click(t, ben, "home.brief", homeVal(team, acme))
	if len(h.fs.Views()) != before+1 {
		t.Fatal("no notice modal")
	}
	if m := format.Readable(h.lastModal(t).Blocks.BlockSet); !strings.Contains(m, "Preparing the brief of Acme Corp") {
		t.Errorf("notice %q", m)
	}
	var sent []string
	deadline := time.Now().Add(20 * time.Second)
	for len(sent) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		sent = h.dms.messages()
	}
	if len(sent) != 1 || !strings.HasPrefix(sent[0], team+"/"+ben+": ") || !strings.Contains(sent[0], "Acme Corp") {
		t.Fatalf("DMs sent: %q; want Acme's brief to Ben", sent)
	}
}

// TestCardMenuInModalPushes: the card Home opens is a modal, so Edit on an
// interaction's ⋯ menu there pushes the form over it (views.push; Slack
// does not promise views.open from inside a modal); from the card in a
// message it opens one (views.open).
func TestCardMenuInModalPushes(t *testing.T) {
	h := newHomeEnv(t, 0)
	acme := h.ids[team+"/Acme Corp"]
	h.click(t, ana, "home.card", homeVal(team, acme))
	card := h.lastModal(t)
	var value string
	for _, b := range card.Blocks.BlockSet {
		if s, ok := b.(*slack.SectionBlock); ok && s.Accessory != nil && s.Accessory.OverflowElement != nil {
			for _, o := range s.Accessory.OverflowElement.Options {
				if strings.HasPrefix(o.Value, "edit:") && value == "" {
					value = o.Value
				}
			}
		}
	}
	if value == "" {
		t.Fatal("the card modal offers Ana no Edit on an interaction")
	}
	menu := func(container string) fakeslack.View {
		cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: team}, User: slack.User{ID: ana},
			TriggerID: "trig-menu-" + container, View: slack.View{Type: slack.ViewType(container)}}
		cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: "ix:menu", SelectedOption: slack.OptionBlockObject{Value: value}}}
		n := len(h.fs.Views())
		h.eng.Interact(context.Background(), cb)
		vs := h.fs.Views()
		if len(vs) != n+1 || !strings.Contains(string(vs[n].View), `"callback_id":"kam_log_edit"`) {
			t.Fatalf("from a %q container: %d new views", container, len(vs)-n)
		}
		return vs[n]
	}
	if v := menu(string(slack.VTModal)); !v.Pushed {
		t.Error("the edit form from the card modal was opened, not pushed over it")
	}
	if v := menu(""); v.Pushed {
		t.Error("the edit form from the card in a message was pushed, not opened")
	}
}
