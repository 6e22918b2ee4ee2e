package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

// The SQLite store and the outbox sender are what serve wires in.
var (
	_ commands.NudgeStore  = (*store.DB)(nil)
	_ commands.OutboxAdmin = (*outbox.Sender)(nil)
)

// ndViews records the modals opened; fail makes views.open fail.
type ndViews struct {
	mu    sync.Mutex
	fail  bool
	views []ndView
}

type ndView struct {
	trigger string
	view    slack.ModalViewRequest
}

func (v *ndViews) OpenView(_ context.Context, triggerID string, view slack.ModalViewRequest) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.fail {
		return errors.New("views.open: expired_trigger_id")
	}
	v.views = append(v.views, ndView{triggerID, view})
	return nil
}

func (v *ndViews) PushView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	return v.OpenView(ctx, triggerID, view)
}

func (v *ndViews) all() []ndView {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]ndView(nil), v.views...)
}

// ndEnv is the commands fixture with the nudge extension registered and
// the scheduler's first sweep queued: real nudges, with real buttons.
type ndEnv struct {
	*env
	views *ndViews
	sink  *fakeslack.ResponseSink
	msgs  map[string]ndMsg // by nudge key
}

type ndMsg struct {
	key     kam.NudgeKey
	channel string
	text    string
	blocks  json.RawMessage
}

// newNudgeEnv builds the fixture. Acme's plan was last reviewed 40 days
// before fixedNow, so a plan review is due, besides the fixture's stalled
// opportunities, silent sponsor and quiet accounts.
func newNudgeEnv(t *testing.T, configure ...func(*commands.Config)) *ndEnv {
	t.Helper()
	views := &ndViews{}
	e := newEnv(t, append([]func(*commands.Config){func(c *commands.Config) { c.Views = views }}, configure...)...)
	ctx := context.Background()
	acme := e.ids[team+"/Acme Corp"]
	e.db.Now = func() time.Time { return fixedNow.AddDate(0, 0, -60) }
	if err := e.db.AddObjective(ctx, &kam.Objective{TeamID: team, AccountID: acme, For: kam.ForUs, Text: "Grow the service share"}, ana); err != nil {
		t.Fatal(err)
	}
	e.db.Now = func() time.Time { return fixedNow.AddDate(0, 0, -40) }
	if err := e.db.RecordPlanReview(ctx, &kam.PlanReview{TeamID: team, AccountID: acme}, ana); err != nil {
		t.Fatal(err)
	}
	e.db.Now = func() time.Time { return fixedNow }

	sink := fakeslack.NewResponseSink(t)
	e.eng.Register(commands.NudgeExtension(commands.NudgeConfig{Store: e.db, HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Schedule: "sweep `0 7 * * *`, digest `0 8 * * 1` (cron, Europe/Zurich time)"}))
	n := &ndEnv{env: e, views: views, sink: sink, msgs: map[string]ndMsg{}}
	n.sweep()
	return n
}

// sweep runs the scheduler's sweep at fixedNow and reads the nudges it
// queued.
func (n *ndEnv) sweep() {
	t := n.t
	t.Helper()
	ctx := context.Background()
	s, err := nudges.New(nudges.Config{Store: n.db, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx, fixedNow); err != nil {
		t.Fatal(err)
	}
	raw := storetest.Raw(t, n.path)
	rows, err := raw.Query(`SELECT key, channel, text, blocks FROM outbox WHERE key LIKE 'nudge:%' AND team_id = '` + team + `'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var m ndMsg
		var k, blocks string
		if err := rows.Scan(&k, &m.channel, &m.text, &blocks); err != nil {
			t.Fatal(err)
		}
		if m.key, err = kam.ParseNudgeKey(k); err != nil {
			t.Fatal(err)
		}
		m.blocks = json.RawMessage(blocks)
		n.msgs[k] = m
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// find returns the queued nudge of a kind on an account to a recipient.
func (n *ndEnv) find(kind kam.NudgeKind, account, recipient string) ndMsg {
	n.t.Helper()
	id := n.ids[team+"/"+account]
	for _, m := range n.msgs {
		if m.key.Kind == kind && m.key.AccountID == id && m.key.Recipient == recipient {
			return m
		}
	}
	n.t.Fatalf("no %s nudge on %s to %s among %d", kind, account, recipient, len(n.msgs))
	return ndMsg{}
}

// value is the value of the message's buttons.
func (m ndMsg) value() string { return nudges.ButtonValueOf(team, m.key).Encode() }

// clickIn builds the block_actions payload Slack sends when user clicks
// the button actionID carrying value on message m, in workspace teamID.
func (n *ndEnv) clickIn(teamID, user string, m ndMsg, actionID, value string) (slack.InteractionCallback, string) {
	n.t.Helper()
	url := n.sink.URL()
	p := map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": teamID, "domain": "acme"},
		"user":         map[string]any{"id": user, "team_id": teamID},
		"api_app_id":   fakeslack.AppID,
		"trigger_id":   "13345224609.738474920.8088930838d88f008e0",
		"response_url": url,
		"container":    map[string]any{"type": "message", "channel_id": m.channel, "message_ts": "1741964400.000100"},
		"channel":      map[string]any{"id": m.channel},
		"message": map[string]any{"type": "message", "user": fakeslack.BotUserID, "ts": "1741964400.000100",
			"text": m.text, "blocks": m.blocks},
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": nudges.BlockID, "value": value,
			"text": map[string]any{"type": "plain_text", "text": "Go"}, "action_ts": "1741964401.000200"}},
	}
	raw, err := json.Marshal(p)
	if err != nil {
		n.t.Fatal(err)
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal(raw, &cb); err != nil {
		n.t.Fatal(err)
	}
	return cb, url
}

func (n *ndEnv) click(user string, m ndMsg, actionID string) commands.InteractionReply {
	n.t.Helper()
	cb, _ := n.clickIn(team, user, m, actionID, m.value())
	return n.eng.Interact(context.Background(), cb)
}

// submit builds the view_submission of the log form opened by view, with
// the fields given, as user.
func (n *ndEnv) submit(user string, view slack.ModalViewRequest, kind, summary string) commands.InteractionReply {
	n.t.Helper()
	state := map[string]any{"values": map[string]any{
		"kind":    map[string]any{"kind": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": kind, "text": map[string]any{"type": "plain_text", "text": kind}}}},
		"summary": map[string]any{"summary": map[string]any{"type": "plain_text_input", "value": summary}},
	}}
	p := map[string]any{
		"type": "view_submission",
		"team": map[string]any{"id": team},
		"user": map[string]any{"id": user, "team_id": team},
		"view": map[string]any{"id": "V0LOG", "team_id": team, "type": "modal", "callback_id": view.CallbackID,
			"private_metadata": view.PrivateMetadata, "state": state},
	}
	raw, _ := json.Marshal(p)
	var cb slack.InteractionCallback
	if err := json.Unmarshal(raw, &cb); err != nil {
		n.t.Fatal(err)
	}
	return n.eng.Interact(context.Background(), cb)
}

// replyJSON renders a reply's blocks, unescaped and indented, for golden files.
func replyJSON(t *testing.T, blocks []slack.Block) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(blocks); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wantRefusal checks a refused click: an ephemeral message that does not
// replace the nudge, with the words expected.
func wantRefusal(t *testing.T, ir commands.InteractionReply, words string) {
	t.Helper()
	if ir.Reply == nil || ir.ReplaceOriginal || ir.Reply.InChannel {
		t.Fatalf("refusal = %+v; want an ephemeral follow-up", ir)
	}
	if !strings.Contains(ir.Reply.Text, words) {
		t.Fatalf("refusal %q does not say %q", ir.Reply.Text, words)
	}
}

func TestNudgeSweepFindsFixture(t *testing.T) {
	n := newNudgeEnv(t)
	// Spot checks that the fixture holds the nudges the button tests use.
	n.find(kam.NudgePlanReview, "Acme Corp", ana)
	n.find(kam.NudgePlanReview, "Acme Corp", acmeChan)
	n.find(kam.NudgeSponsor, "Acme Corp", sara)
	n.find(kam.NudgeNoContact, "Globex", ana)
	n.find(kam.NudgeSurvey, "Acme Corp", ana)
	for _, m := range n.msgs {
		if m.key.AccountID == n.ids[otherTeam+"/Initech"] {
			t.Errorf("nudge of another workspace in this one: %s", m.key)
		}
	}
	// Every nudge and its message are filed under their account's workspace.
	raw := storetest.Raw(t, n.path)
	var wrong, other int
	if err := raw.QueryRow(`SELECT count(*) FROM nudges n JOIN accounts a ON a.id = n.account_id
		LEFT JOIN outbox o ON o.key = n.key AND o.team_id = n.team_id
		WHERE a.team_id <> n.team_id OR o.id IS NULL`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT count(*) FROM nudges WHERE team_id = '` + otherTeam + `'`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if wrong != 0 || other == 0 {
		t.Errorf("%d nudges filed under the wrong workspace or without a message; %d in the other workspace", wrong, other)
	}
}

func TestNudgeMarkReviewed(t *testing.T) {
	ctx := context.Background()
	n := newNudgeEnv(t)
	acme := n.ids[team+"/Acme Corp"]
	dm := n.find(kam.NudgePlanReview, "Acme Corp", ana)
	before, err := n.db.PlanReviews(ctx, team, acme, 0)
	if err != nil {
		t.Fatal(err)
	}

	ir := n.click(ana, dm, nudges.ActionReview)
	if ir.Reply == nil || !ir.ReplaceOriginal || !ir.Reply.InChannel {
		t.Fatalf("reply = %+v; want the nudge replaced", ir)
	}
	golden(t, "nudge_reviewed.json", replyJSON(t, ir.Reply.Blocks))
	if !strings.Contains(ir.Reply.Text, "marked the plan reviewed") {
		t.Errorf("text = %q", ir.Reply.Text)
	}
	after, _ := n.db.PlanReviews(ctx, team, acme, 0)
	if len(after) != len(before)+1 || after[0].UserID != ana || !after[0].At.Equal(fixedNow) {
		t.Fatalf("plan reviews %d → %d, latest %+v", len(before), len(after), after[0])
	}
	m, _ := n.db.NudgeMark(ctx, team, dm.key.NudgeTopic)
	if m.HandledBy != ana || m.HandledHow != kam.HowReviewed {
		t.Fatalf("mark = %+v", m)
	}

	// The channel's copy is the same nudge: ben's click changes nothing.
	snap := snapshot(t, n.path)
	ch := n.find(kam.NudgePlanReview, "Acme Corp", acmeChan)
	for _, action := range []string{nudges.ActionReview, nudges.ActionSnooze, nudges.ActionLog} {
		wantRefusal(t, n.click(ben, ch, action), "already taken care of")
	}
	if snapshot(t, n.path) != snap {
		t.Error("a click on a handled nudge changed the database")
	}
	if len(n.views.all()) != 0 {
		t.Error("a form opened for a handled nudge")
	}
}

func TestNudgeMarkReviewedOtherKinds(t *testing.T) {
	ctx := context.Background()
	n := newNudgeEnv(t)
	m := n.find(kam.NudgeSponsor, "Acme Corp", sara)
	reviews := count(t, n.path, "plan_reviews")
	ir := n.click(sara, m, nudges.ActionReview)
	if ir.Reply == nil || !ir.ReplaceOriginal || !strings.Contains(ir.Reply.Text, "marked this reviewed") {
		t.Fatalf("reply = %+v", ir.Reply)
	}
	if got := count(t, n.path, "plan_reviews"); got != reviews {
		t.Errorf("a sponsor nudge recorded a plan review")
	}
	if mk, _ := n.db.NudgeMark(ctx, team, m.key.NudgeTopic); mk.HandledBy != sara {
		t.Errorf("mark = %+v", mk)
	}
}

func TestNudgeSnooze(t *testing.T) {
	ctx := context.Background()
	n := newNudgeEnv(t)
	m := n.find(kam.NudgePlanReview, "Acme Corp", acmeChan)
	ir := n.click(ben, m, nudges.ActionSnooze)
	if ir.Reply == nil || !ir.ReplaceOriginal {
		t.Fatalf("reply = %+v", ir)
	}
	golden(t, "nudge_snoozed.json", replyJSON(t, ir.Reply.Blocks))
	mk, _ := n.db.NudgeMark(ctx, team, m.key.NudgeTopic)
	if mk.SnoozedBy != ben || !mk.SnoozedUntil.Equal(fixedNow.Add(7*24*time.Hour)) || mk.Handled() {
		t.Fatalf("mark = %+v", mk)
	}

	snap := snapshot(t, n.path)
	wantRefusal(t, n.click(ana, n.find(kam.NudgePlanReview, "Acme Corp", ana), nudges.ActionSnooze), "already snoozed")
	if snapshot(t, n.path) != snap {
		t.Error("a second snooze changed the database")
	}
	// A snoozed nudge can still be handled.
	if ir := n.click(ana, m, nudges.ActionReview); ir.Reply == nil || !ir.ReplaceOriginal {
		t.Fatalf("review after snooze: %+v", ir)
	}
}

func TestNudgeOpenAccount(t *testing.T) {
	n := newNudgeEnv(t)
	m := n.find(kam.NudgePlanReview, "Acme Corp", acmeChan)
	snap := snapshot(t, n.path)
	for _, user := range []string{sara, admin} {
		ir := n.click(user, m, nudges.ActionOpen)
		if ir.Reply == nil || ir.ReplaceOriginal || ir.Reply.InChannel {
			t.Fatalf("%s: reply = %+v; want the card for the clicker only", user, ir)
		}
		show := n.ok(ana, "show acme")
		if ir.Reply.Text != show.Text {
			t.Errorf("%s: the card differs from /kam show:\n%s\nvs\n%s", user, ir.Reply.Text, show.Text)
		}
	}
	wantRefusal(t, n.click(outsider, m, nudges.ActionOpen), "Only Acme Corp's team")
	if snapshot(t, n.path) != snap {
		t.Error("opening the account changed the database")
	}
}

// TestNudgeBadClicks: every click that fails a check is refused with a
// message and changes nothing.
func TestNudgeBadClicks(t *testing.T) {
	n := newNudgeEnv(t)
	m := n.find(kam.NudgePlanReview, "Acme Corp", ana)
	initech := n.ids[otherTeam+"/Initech"]
	foreignKey := kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: initech, Kind: kam.NudgePlanReview, Period: m.key.Period}, Recipient: ana}
	neverSent := m.key
	neverSent.Period = "2024-01-01"
	mismatch := nudges.ButtonValueOf(team, m.key)
	mismatch.AccountID = initech
	for _, tc := range []struct {
		name, teamID, user, action, value, words string
	}{
		{"Garbled", team, ana, nudges.ActionReview, "{nope", "garbled"},
		{"Empty", team, ana, nudges.ActionSnooze, "", "garbled"},
		{"AccountMismatch", team, ana, nudges.ActionReview, mismatch.Encode(), "garbled"},
		{"UnknownButton", team, ana, "nudge.explode", m.value(), "don't know this button"},
		{"ValueOfAnotherWorkspace", team, ana, nudges.ActionReview, nudges.ButtonValueOf(otherTeam, m.key).Encode(), "another Slack workspace"},
		{"ClickFromAnotherWorkspace", otherTeam, outsider, nudges.ActionReview, m.value(), "another Slack workspace"},
		{"AnotherWorkspacesAccount", team, ana, nudges.ActionReview, nudges.ButtonValueOf(team, foreignKey).Encode(), "no record"},
		{"NeverSent", team, ana, nudges.ActionSnooze, nudges.ButtonValueOf(team, neverSent).Encode(), "no record"},
		{"NotOnTheTeam", team, outsider, nudges.ActionReview, m.value(), "Only Acme Corp's team"},
		{"AdminOffTheTeam", team, admin, nudges.ActionSnooze, m.value(), "Only Acme Corp's team"},
		{"OutsiderLogs", team, outsider, nudges.ActionLog, m.value(), "Only Acme Corp's team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := snapshot(t, n.path)
			cb, _ := n.clickIn(tc.teamID, tc.user, m, tc.action, tc.value)
			wantRefusal(t, n.eng.Interact(context.Background(), cb), tc.words)
			if snapshot(t, n.path) != snap {
				t.Error("a refused click changed the database")
			}
			if len(n.views.all()) != 0 {
				t.Error("a refused click opened a form")
			}
		})
	}
}

func TestNudgeLogForm(t *testing.T) {
	ctx := context.Background()
	n := newNudgeEnv(t)
	acme := n.ids[team+"/Acme Corp"]
	m := n.find(kam.NudgePlanReview, "Acme Corp", acmeChan)
	cb, url := n.clickIn(team, ben, m, nudges.ActionLog, m.value())
	snap := snapshot(t, n.path)
	if ir := n.eng.Interact(ctx, cb); ir.Reply != nil || ir.Ack != nil {
		t.Fatalf("opening the form answered %+v", ir)
	}
	if snapshot(t, n.path) != snap {
		t.Error("opening the form changed the database")
	}
	opened := n.views.all()
	if len(opened) != 1 || opened[0].trigger != cb.TriggerID || opened[0].view.CallbackID != nudges.ViewLog {
		t.Fatalf("views opened: %+v", opened)
	}
	view := opened[0].view
	if len(view.PrivateMetadata) > 3000 || len([]rune(view.Title.Text)) > 24 {
		t.Fatalf("modal breaks Slack's limits: metadata %d, title %q", len(view.PrivateMetadata), view.Title.Text)
	}
	golden(t, "nudge_log_modal.json", replyJSON(t, view.Blocks.BlockSet))

	// Bad input stays in the form, with nothing changed.
	for _, tc := range []struct {
		name, kind, summary, block string
	}{
		{"EmptySummary", "call", "   ", "summary"},
		{"TooLong", "call", strings.Repeat("x", kam.MaxSummaryLen+1), "summary"},
		{"ControlCharacter", "call", "Called \x07 them", "summary"},
		{"UnknownKind", "telepathy", "Called them", "kind"},
		{"NoKind", "", "Called them", "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ir := n.submit(ben, view, tc.kind, tc.summary)
			raw, _ := json.Marshal(ir.Ack)
			var ack struct {
				Action string            `json:"response_action"`
				Errors map[string]string `json:"errors"`
			}
			json.Unmarshal(raw, &ack)
			if ack.Action != "errors" || ack.Errors[tc.block] == "" {
				t.Fatalf("ack = %s; want an error on %s", raw, tc.block)
			}
			if snapshot(t, n.path) != snap {
				t.Error("a bad form changed the database")
			}
		})
	}
	t.Run("Outsider", func(t *testing.T) {
		ir := n.submit(outsider, view, "call", "Called them")
		raw, _ := json.Marshal(ir.Ack)
		if !strings.Contains(string(raw), "Only Acme Corp") {
			t.Fatalf("ack = %s", raw)
		}
		if snapshot(t, n.path) != snap {
			t.Error("an outsider's form changed the database")
		}
	})
	t.Run("StaleMetadata", func(t *testing.T) {
		bad := view
		bad.PrivateMetadata = `{"v":"{\"t\":\"T0ACME\"}"}`
		ir := n.submit(ben, bad, "call", "Called them")
		raw, _ := json.Marshal(ir.Ack)
		if !strings.Contains(string(raw), "garbled") {
			t.Fatalf("ack = %s", raw)
		}
		bad.PrivateMetadata = "not json"
		ir = n.submit(ben, bad, "call", "Called them")
		raw, _ = json.Marshal(ir.Ack)
		if !strings.Contains(string(raw), "out of date") {
			t.Fatalf("ack = %s", raw)
		}
		if snapshot(t, n.path) != snap {
			t.Error("a stale form changed the database")
		}
	})

	ints := count(t, n.path, "interactions")
	ir := n.submit(ben, view, "meeting", "Walked their COO through the plan & the renewal")
	if ir.Ack != nil || ir.Reply != nil {
		t.Fatalf("good submission answered %+v; want the form closed", ir)
	}
	if got := count(t, n.path, "interactions"); got != ints+1 {
		t.Fatalf("interactions %d → %d", ints, got)
	}
	latest, _ := n.db.Interactions(ctx, team, acme, 1)
	if latest[0].UserID != ben || latest[0].Kind != kam.KindMeeting || !strings.Contains(latest[0].Summary, "COO") {
		t.Errorf("logged %+v", latest[0])
	}
	mk, _ := n.db.NudgeMark(ctx, team, m.key.NudgeTopic)
	if mk.HandledBy != ben || mk.HandledHow != kam.HowLogged {
		t.Errorf("mark = %+v", mk)
	}
	posts, err := n.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !posts[0].Message.ReplaceOriginal || !strings.Contains(string(posts[0].Body), "logged a meeting") {
		t.Errorf("message update = %s", posts[0].Body)
	}
	var sawChannel bool
	for _, p := range n.notes.all() {
		if p.channel == acmeChan && strings.Contains(p.text, "logged a meeting") {
			sawChannel = true
		}
	}
	if !sawChannel {
		t.Error("the account channel was not told of the interaction")
	}

	// Another submission of the form still logs what its author typed,
	// but the nudge keeps its first mark.
	ir = n.submit(ana, view, "call", "Follow-up call")
	if ir.Ack != nil {
		t.Fatalf("second submission: %+v", ir)
	}
	if mk2, _ := n.db.NudgeMark(ctx, team, m.key.NudgeTopic); mk2 != mk {
		t.Errorf("mark changed to %+v", mk2)
	}
	// A click on the handled nudge no longer opens a form.
	wantRefusal(t, n.click(ana, m, nudges.ActionLog), "already taken care of")
	if len(n.views.all()) != 1 {
		t.Error("a form opened for a handled nudge")
	}
}

func TestNudgeLogFormUnavailable(t *testing.T) {
	n := newNudgeEnv(t)
	m := n.find(kam.NudgeNoContact, "Globex", ana)
	n.views.fail = true
	snap := snapshot(t, n.path)
	wantRefusal(t, n.click(ana, m, nudges.ActionLog), "couldn't open the form")

	console := newNudgeEnv(t, func(c *commands.Config) { c.Views = nil })
	wantRefusal(t, console.click(ana, console.find(kam.NudgeNoContact, "Globex", ana), nudges.ActionLog), "/kam log globex")
	if snapshot(t, n.path) != snap {
		t.Error("a failed form changed the database")
	}
}

func TestNudgesCommand(t *testing.T) {
	n := newNudgeEnv(t)
	rep := n.ok(ana, "nudges")
	golden(t, "nudges.json", replyJSON(t, rep.Blocks))
	if strings.Contains(rep.Text, "survey=180") {
		t.Error("a non-admin is told how to change the cadence")
	}
	if rep := n.ok(admin, "reminders"); !strings.Contains(rep.Text, "survey=180") {
		t.Errorf("the alias or the admin hint is missing: %s", rep.Text)
	}

	snap := snapshot(t, n.path)
	for _, tc := range []struct{ user, text, words string }{
		{ana, "nudges survey=180", "Only kambot admins"},
		{admin, "nudges survey=5", "30 to 730"},
		{admin, "nudges survey=often", "30 to 730"},
		{admin, "nudges survey=", "30 to 730"},
		{admin, "nudges everyday", "Unexpected"},
		{admin, "nudges cadence=7", "Unknown key"},
		{admin, "nudges survey=90 survey=180", "twice"},
	} {
		_, err := n.run(tc.user, tc.text)
		if err == nil || !strings.Contains(commands.ErrorText(err), tc.words) {
			t.Errorf("/kam %s: %v; want %q", tc.text, err, tc.words)
		}
	}
	if snapshot(t, n.path) != snap {
		t.Error("a refused /kam nudges changed the database")
	}

	n.ok(admin, "nudges survey=half-yearly")
	if d, _ := n.db.SurveyEveryDays(context.Background(), team); d != 182 {
		t.Errorf("cadence = %d", d)
	}
	if rep := n.ok(ana, "nudges"); !strings.Contains(rep.Text, "every 182 days (set for this workspace)") {
		t.Errorf("after setting: %s", rep.Text)
	}
	n.ok(admin, "nudges survey=default")
	if d, _ := n.db.SurveyEveryDays(context.Background(), team); d != 0 {
		t.Errorf("cadence after default = %d", d)
	}
}

// pick builds the block_actions payload of user choosing in the snooze menu
// (option) or date picker (date) on message m, whose blocks may be replaced.
func (n *ndEnv) pick(user string, m ndMsg, actionID, option, date string) slack.InteractionCallback {
	n.t.Helper()
	action := map[string]any{"action_id": actionID, "block_id": nudges.BlockID, "action_ts": "1741964401.000200"}
	switch actionID {
	case nudges.ActionSnoozeFor:
		action["type"] = "static_select"
		action["selected_option"] = map[string]any{"value": option, "text": map[string]any{"type": "plain_text", "text": option}}
	default:
		action["type"] = "datepicker"
		action["selected_date"] = date
	}
	p := map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": team, "domain": "acme"},
		"user":         map[string]any{"id": user, "team_id": team},
		"api_app_id":   fakeslack.AppID,
		"trigger_id":   "13345224609.738474920.8088930838d88f008e0",
		"response_url": n.sink.URL(),
		"container":    map[string]any{"type": "message", "channel_id": m.channel, "message_ts": "1741964400.000100"},
		"channel":      map[string]any{"id": m.channel},
		"message": map[string]any{"type": "message", "user": fakeslack.BotUserID, "ts": "1741964400.000100",
			"text": m.text, "blocks": m.blocks},
		"actions": []map[string]any{action},
	}
	raw, err := json.Marshal(p)
	if err != nil {
		n.t.Fatal(err)
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal(raw, &cb); err != nil {
		n.t.Fatal(err)
	}
	return cb
}

// wantKept checks that a nudge message after a click keeps the reminder's
// first section and ends with the line saying what was done, then the
// actions block with the action IDs given.
func wantKept(t *testing.T, m ndMsg, blocks []slack.Block, line string, actions ...string) {
	t.Helper()
	var orig slack.Blocks
	if err := json.Unmarshal(m.blocks, &orig); err != nil {
		t.Fatal(err)
	}
	first := orig.BlockSet[0].(*slack.SectionBlock).Text.Text
	if s, ok := blocks[0].(*slack.SectionBlock); !ok || s.Text.Text != first {
		t.Errorf("the reminder's text is gone: first block %+v, want %q", blocks[0], first)
	}
	if len(blocks) < len(orig.BlockSet)+1 {
		t.Fatalf("%d blocks after the click, %d before", len(blocks), len(orig.BlockSet))
	}
	done, ok := blocks[len(blocks)-2].(*slack.ContextBlock)
	if !ok || !strings.HasPrefix(done.BlockID, "nudge.done") {
		t.Fatalf("no line of what was done: %+v", blocks[len(blocks)-2])
	}
	if got := done.ContextElements.Elements[0].(*slack.TextBlockObject).Text; !strings.Contains(got, line) {
		t.Errorf("line = %q; want %q", got, line)
	}
	a, ok := blocks[len(blocks)-1].(*slack.ActionBlock)
	if !ok {
		t.Fatalf("last block %+v is not the actions", blocks[len(blocks)-1])
	}
	var ids []string
	for _, e := range a.Elements.ElementSet {
		raw, _ := json.Marshal(e)
		var el struct {
			ActionID string `json:"action_id"`
		}
		json.Unmarshal(raw, &el)
		ids = append(ids, el.ActionID)
	}
	if strings.Join(ids, " ") != strings.Join(actions, " ") {
		t.Errorf("actions = %v; want %v", ids, actions)
	}
}

// TestNudgeSnoozeChoices: the snooze menu offers a day or a week, the date
// picker any day after today within a year; the message keeps its text.
func TestNudgeSnoozeChoices(t *testing.T) {
	all := []string{nudges.ActionReview, nudges.ActionLog, nudges.ActionSnoozeFor, nudges.ActionSnoozeUntil, nudges.ActionOpen}
	for _, tc := range []struct {
		name, action, option, date string
		until                      time.Time
	}{
		{"OneDay", nudges.ActionSnoozeFor, nudges.SnoozeDay, "", fixedNow.Add(24 * time.Hour)},
		{"OneWeek", nudges.ActionSnoozeFor, nudges.SnoozeWeek, "", fixedNow.Add(7 * 24 * time.Hour)},
		{"Tomorrow", nudges.ActionSnoozeUntil, "", "2025-03-15", time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)},
		{"UntilADate", nudges.ActionSnoozeUntil, "", "2025-05-02", time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNudgeEnv(t)
			m := n.find(kam.NudgeNoContact, "Globex", ana)
			ir := n.eng.Interact(context.Background(), n.pick(ana, m, tc.action, tc.option, tc.date))
			if ir.Reply == nil || !ir.ReplaceOriginal || !ir.Reply.InChannel {
				t.Fatalf("reply = %+v; want the nudge updated", ir)
			}
			mk, _ := n.db.NudgeMark(context.Background(), team, m.key.NudgeTopic)
			if mk.SnoozedBy != ana || !mk.SnoozedUntil.Equal(tc.until) || mk.Handled() {
				t.Fatalf("mark = %+v; want snoozed until %s", mk, tc.until)
			}
			wantKept(t, m, ir.Reply.Blocks, "snoozed this until <!date^"+strconv.FormatInt(tc.until.Unix(), 10), all...)
		})
	}
}

// TestNudgeSnoozeRefused: forged or stale snooze picks change nothing.
func TestNudgeSnoozeRefused(t *testing.T) {
	n := newNudgeEnv(t)
	m := n.find(kam.NudgeNoContact, "Globex", ana)
	noMessage := m
	noMessage.blocks = json.RawMessage(`[]`)
	foreign := m
	foreign.blocks = bytes.ReplaceAll(m.blocks, []byte(`\"t\":\"`+team+`\"`), []byte(`\"t\":\"`+otherTeam+`\"`))
	if bytes.Equal(foreign.blocks, m.blocks) {
		t.Fatal("the foreign message is the same message")
	}
	for _, tc := range []struct {
		name, user        string
		m                 ndMsg
		action, opt, date string
		words             string
	}{
		{"UnknownOption", ana, m, nudges.ActionSnoozeFor, "1y", "", "don't know this snooze"},
		{"EmptyOption", ana, m, nudges.ActionSnoozeFor, "", "", "don't know this snooze"},
		{"Today", ana, m, nudges.ActionSnoozeUntil, "", "2025-03-14", "after today"},
		{"Past", ana, m, nudges.ActionSnoozeUntil, "", "2025-01-02", "after today"},
		{"BeyondAYear", ana, m, nudges.ActionSnoozeUntil, "", "2026-06-01", "within a year"},
		{"GarbledDate", ana, m, nudges.ActionSnoozeUntil, "", "next tuesday", "after today"},
		{"NoMessage", ana, noMessage, nudges.ActionSnoozeFor, nudges.SnoozeDay, "", "garbled"},
		{"AnotherWorkspacesButtons", ana, foreign, nudges.ActionSnoozeUntil, "", "2025-03-20", "another Slack workspace"},
		{"NotOnTheTeam", outsider, m, nudges.ActionSnoozeFor, nudges.SnoozeWeek, "", "Only Globex's team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := snapshot(t, n.path)
			wantRefusal(t, n.eng.Interact(context.Background(), n.pick(tc.user, tc.m, tc.action, tc.opt, tc.date)), tc.words)
			if snapshot(t, n.path) != snap {
				t.Error("a refused snooze changed the database")
			}
		})
	}
	// Once snoozed, another snooze is refused; the reminder can still be
	// marked reviewed, and the message keeps both lines.
	ir := n.eng.Interact(context.Background(), n.pick(ana, m, nudges.ActionSnoozeFor, nudges.SnoozeDay, ""))
	if ir.Reply == nil {
		t.Fatalf("snooze: %+v", ir)
	}
	snoozed := m
	snoozed.blocks, _ = json.Marshal(ir.Reply.Blocks)
	snap := snapshot(t, n.path)
	wantRefusal(t, n.eng.Interact(context.Background(), n.pick(ana, snoozed, nudges.ActionSnoozeUntil, "", "2025-04-01")), "already snoozed")
	if snapshot(t, n.path) != snap {
		t.Error("a second snooze changed the database")
	}
	ir = n.click(ana, snoozed, nudges.ActionReview)
	if ir.Reply == nil || !ir.ReplaceOriginal {
		t.Fatalf("review after snooze: %+v", ir)
	}
	wantKept(t, m, ir.Reply.Blocks, "marked this reviewed", nudges.ActionOpen)
	if !strings.Contains(ir.Reply.Text, "snoozed this until") {
		t.Errorf("the snooze line is gone: %s", ir.Reply.Text)
	}
	ids := map[string]bool{}
	for _, b := range ir.Reply.Blocks {
		if c, ok := b.(*slack.ContextBlock); ok && c.BlockID != "" {
			if ids[c.BlockID] {
				t.Errorf("block_id %q twice", c.BlockID)
			}
			ids[c.BlockID] = true
		}
	}
}

// TestNudgeReviewTactic: Mark reviewed on a tactic reminder ticks the
// tactic off and says so.
func TestNudgeReviewTactic(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		prepare func(n *ndEnv, acme int64, number int)
		line    string
	}{
		{"Open", func(*ndEnv, int64, int) {}, "ticked off tactic 1 “Run the service workshop”"},
		{"AlreadyDone", func(n *ndEnv, acme int64, number int) {
			if _, err := n.db.CompleteTactic(ctx, team, acme, number, ben); err != nil {
				t.Fatal(err)
			}
		}, "tactic 1 was already done"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNudgeEnv(t)
			acme := n.ids[team+"/Acme Corp"]
			tac := kam.Tactic{TeamID: team, AccountID: acme, Text: "Run the service workshop", OwnerID: ana,
				Due: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)}
			if err := n.db.AddTactic(ctx, &tac, ana); err != nil {
				t.Fatal(err)
			}
			n.sweep()
			m := n.find(kam.NudgeTactic, "Acme Corp", ana)
			tc.prepare(n, acme, tac.Number)

			ir := n.click(ana, m, nudges.ActionReview)
			if ir.Reply == nil || !ir.ReplaceOriginal {
				t.Fatalf("reply = %+v", ir)
			}
			wantKept(t, m, ir.Reply.Blocks, tc.line, nudges.ActionOpen)
			p, err := n.db.Plan(ctx, team, acme)
			if err != nil {
				t.Fatal(err)
			}
			var got kam.Tactic
			for _, x := range p.Tactics {
				if x.Number == tac.Number {
					got = x
				}
			}
			if !got.Done {
				t.Fatalf("tactic %+v not done", got)
			}
			if tc.name == "Open" && got.DoneBy != ana {
				t.Errorf("done by %q", got.DoneBy)
			}
			if mk, _ := n.db.NudgeMark(ctx, team, m.key.NudgeTopic); mk.HandledBy != ana || mk.HandledHow != kam.HowReviewed {
				t.Errorf("mark = %+v", mk)
			}
		})
	}
}
