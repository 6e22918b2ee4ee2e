package bot

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

// formsRig is a real engine on a real store, whose Web API calls (views,
// channel posts, edits) go to a Slack double, driven over one transport.
type formsRig struct {
	db      *store.DB
	api     *fakeslack.Server // the Web API the engine and the outbox call
	sink    *fakeslack.ResponseSink
	send    func(t *testing.T, payload map[string]any) []byte // returns the ack body
	acme    kam.Account
	globex  kam.Account
	jane    kam.Contact // on Acme's map
	li      kam.Contact // on Globex's map
	msgTime time.Time   // the logged message's time
}

const (
	anaID    = "UANA00001" // Acme's KAM, in Tokyo
	benID    = "UBEN00001" // on Acme's team
	carolID  = "UCAROL001" // on no team
	adminID  = "UADMIN001"
	acmeChan = "CACME0001"
)

func newFormsRig(t *testing.T, transport string) *formsRig {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "kambot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &formsRig{db: db, api: fakeslack.New(t), sink: fakeslack.NewResponseSink(t)}
	r.api.AddUser(slack.User{ID: anaID, TZ: "Asia/Tokyo"})
	for _, id := range []string{benID, carolID, adminID} {
		r.api.AddUser(slack.User{ID: id, TZ: "UTC"})
	}
	r.seed(t)
	api, err := NewSlackAPI(APIConfig{Token: "xoxb-test", APIURL: r.api.URL(), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := outbox.New(outbox.Config{Store: db, Slack: testOutboxSlack{api}, Editor: api, Classify: Classify,
		ChannelInterval: 10 * time.Millisecond, PollInterval: 20 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sender.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	eng := commands.New(commands.Config{Store: db, Intel: db, Views: api, Notifier: sender, Zones: api, Directory: api,
		Admins: []string{adminID}, Logger: testLogger(t)})
	switch transport {
	case "http":
		r.send = httpSender(t, eng)
	case "socket":
		r.send = socketSender(t, eng)
	}
	return r
}

func (r *formsRig) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	r.acme = kam.Account{TeamID: fakeslack.TeamID, Name: "Acme Corp", OwnerID: anaID, ChannelID: acmeChan}
	r.globex = kam.Account{TeamID: fakeslack.TeamID, Name: "Globex", OwnerID: carolID}
	for _, a := range []*kam.Account{&r.acme, &r.globex} {
		if err := r.db.CreateAccount(ctx, a, adminID); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.db.PutMember(ctx, kam.Member{TeamID: fakeslack.TeamID, AccountID: r.acme.ID, UserID: benID, Role: kam.RoleMember}, adminID); err != nil {
		t.Fatal(err)
	}
	r.jane = kam.Contact{TeamID: fakeslack.TeamID, AccountID: r.acme.ID, Name: "Jane Doe", Title: "CFO", Influence: 5}
	r.li = kam.Contact{TeamID: fakeslack.TeamID, AccountID: r.globex.ID, Name: "Li Wei", Influence: 3}
	for _, c := range []*kam.Contact{&r.jane, &r.li} {
		if err := r.db.AddContact(ctx, c, adminID); err != nil {
			t.Fatal(err)
		}
	}
	// Late in the UTC day: already the next day in Tokyo, where Ana is.
	y, m, d := time.Now().UTC().AddDate(0, 0, -2).Date()
	r.msgTime = time.Date(y, m, d, 20, 0, 0, 0, time.UTC)
}

// testOutboxSlack adapts the Web API client to what the outbox posts with.
type testOutboxSlack struct{ api *SlackAPI }

func (s testOutboxSlack) PostMessage(ctx context.Context, channel, text string, blocks []slack.Block, md slack.SlackMetadata) (string, string, error) {
	return s.api.Post(ctx, channel, text, blocks, slack.MsgOptionMetadata(md))
}

func (s testOutboxSlack) History(ctx context.Context, channel string, oldest time.Time) ([]outbox.Msg, error) {
	msgs, id, err := s.api.History(ctx, channel, oldest)
	out := make([]outbox.Msg, len(msgs))
	for i, m := range msgs {
		out[i] = outbox.Msg{TS: m.Timestamp, Channel: id, Metadata: m.Metadata}
	}
	return out, err
}

// httpSender posts payloads, signed, to a real HTTPServer: block
// suggestions to /slack/options, the rest to /slack/interactions.
func httpSender(t *testing.T, eng Engine) func(*testing.T, map[string]any) []byte {
	m, err := NewMetrics(metrics.NewSet())
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewHTTPServer(HTTPConfig{SigningSecrets: []string{secret}, Engine: eng, Metrics: m, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.core.drain(ctx)
	})
	return func(t *testing.T, p map[string]any) []byte {
		t.Helper()
		path := "/slack/interactions"
		if p["type"] == "block_suggestion" {
			path = "/slack/options"
		}
		resp, err := http.DefaultClient.Do(fakeslack.SignedRequest(secret, time.Now(), hs.URL+path, fakeslack.InteractionForm(p)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s answered %d: %s", path, resp.StatusCode, body)
		}
		return body
	}
}

// socketSender sends payloads as Socket Mode interactive envelopes to a
// real SocketRunner and returns what it acknowledged them with.
func socketSender(t *testing.T, eng Engine) func(*testing.T, map[string]any) []byte {
	e := startSocket(t, func(c *SocketConfig) { c.Engine = eng })
	return func(t *testing.T, p map[string]any) []byte {
		t.Helper()
		a := e.ack(t, e.sock.Interactive(p))
		return a.Payload
	}
}

// lastView is the latest view opened, and its private_metadata.
func (r *formsRig) lastView(t *testing.T) (json.RawMessage, string) {
	t.Helper()
	// In Socket Mode the envelope is acked before the form is opened.
	vs := r.api.Views()
	for deadline := time.Now().Add(10 * time.Second); len(vs) == 0 && time.Now().Before(deadline); vs = r.api.Views() {
		time.Sleep(20 * time.Millisecond)
	}
	if len(vs) == 0 {
		t.Fatal("no view was opened")
	}
	var v struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	if err := json.Unmarshal(vs[len(vs)-1].View, &v); err != nil {
		t.Fatal(err)
	}
	return vs[len(vs)-1].View, v.PrivateMetadata
}

type ackBody struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
	Options        []struct {
		Text  struct{ Text string } `json:"text"`
		Value string                `json:"value"`
	} `json:"options"`
}

func readAck(t *testing.T, b []byte) ackBody {
	t.Helper()
	var a ackBody
	if len(b) > 0 {
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("ack is not JSON: %v\n%s", err, b)
		}
	}
	return a
}

// logState is a filled log form.
func logState(account int64, kind, date string, with []int64, summary string) map[string]any {
	opts := []map[string]any{}
	for _, id := range with {
		opts = append(opts, map[string]any{"value": strconv.FormatInt(id, 10), "text": map[string]any{"type": "plain_text", "text": "x"}})
	}
	v := map[string]map[string]any{
		"log_kind":    {"type": "static_select", "selected_option": map[string]any{"value": kind}},
		"log_date":    {"type": "datepicker", "selected_date": date},
		"log_with":    {"type": "multi_external_select", "selected_options": opts},
		"log_summary": {"type": "plain_text_input", "value": summary},
	}
	if account != 0 {
		v["log_account"] = map[string]any{"type": "external_select", "selected_option": map[string]any{"value": strconv.FormatInt(account, 10)}}
	}
	return fakeslack.ViewState(v)
}

func (r *formsRig) interactions(t *testing.T) []kam.Interaction {
	t.Helper()
	ins, err := r.db.Interactions(context.Background(), fakeslack.TeamID, r.acme.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ins
}

func TestLogToAccountForms(t *testing.T) {
	for _, transport := range []string{"http", "socket"} {
		t.Run(transport, func(t *testing.T) {
			r := newFormsRig(t, transport)
			meta := r.openFromMessage(t)
			r.typeAhead(t, meta)
			r.refuseBadSubmissions(t, meta)
			id := r.submitLog(t, meta)
			r.editAndDelete(t, id)
		})
	}
}

// openFromMessage runs "Log to account" on a thread reply in Acme's
// channel: the form opens prefilled, with Acme chosen and the message's day
// in Ana's zone.
func (r *formsRig) openFromMessage(t *testing.T) string {
	t.Helper()
	ts := strconv.FormatInt(r.msgTime.Unix(), 10) + ".000200"
	text := "Renewal agreed &amp; <!here> signed by <@UJANE0001> on <https://evil.example|the portal>"
	if ack := r.send(t, fakeslack.MessageShortcut(anaID, acmeChan, commands.ShortcutLogToAccount, ts, "1700000000.000100", text, r.sink.URL())); len(ack) > 0 {
		t.Fatalf("shortcut ack %s, want empty", ack)
	}
	view, meta := r.lastView(t)
	day := r.msgTime.In(mustZone(t, "Asia/Tokyo")).Format("2006-01-02")
	if !strings.Contains(string(view), `"initial_date":"`+day+`"`) {
		t.Errorf("form's day is not the message's day in Ana's zone (%s): %s", day, view)
	}
	if strings.Contains(string(view), "<!here>") || strings.Contains(string(view), "<https://evil") {
		t.Errorf("the prefilled text keeps live markup: %s", view)
	}
	if bad := format.CheckView(view); len(bad) > 0 {
		t.Errorf("log form: %v", bad)
	}
	var m struct{ P string }
	_ = json.Unmarshal([]byte(meta), &m)
	want := "https://" + fakeslack.TeamName + ".slack.com/archives/" + acmeChan + "/p" + strings.Replace(ts, ".", "", 1) + "?cid=" + acmeChan + "&thread_ts=1700000000.000100"
	if m.P != want {
		t.Errorf("permalink %q, want %q", m.P, want)
	}
	if transport := t.Name(); strings.HasSuffix(transport, "http") {
		golden(t, "log_form_from_message.json", normalize(view, day, strings.Replace(ts, ".", "", 1)))
	}
	return meta
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// normalize keeps the golden file stable: the message's day and ts
// depend on today.
func normalize(view []byte, day, tsDigits string) []byte {
	return []byte(strings.NewReplacer(day, "2026-01-01", tsDigits, "1767225600000200").Replace(string(view)))
}

// typeAhead checks the account and stakeholder menus: only Ana's accounts,
// ranked; only the chosen account's stakeholders.
func (r *formsRig) typeAhead(t *testing.T, meta string) {
	t.Helper()
	a := readAck(t, r.send(t, fakeslack.BlockSuggestion(anaID, "log_account", "log_account", "acm", meta, nil)))
	if len(a.Options) != 1 || a.Options[0].Value != strconv.FormatInt(r.acme.ID, 10) || a.Options[0].Text.Text != "Acme Corp" {
		t.Errorf("options for acm: %+v", a.Options)
	}
	if a := readAck(t, r.send(t, fakeslack.BlockSuggestion(anaID, "log_account", "log_account", "glob", meta, nil))); len(a.Options) != 0 {
		t.Errorf("Ana is offered Globex, whose team she is not on: %+v", a.Options)
	}
	if a := readAck(t, r.send(t, fakeslack.BlockSuggestion(carolID, "log_account", "log_account", "", meta, nil))); len(a.Options) != 1 || a.Options[0].Text.Text != "Globex" {
		t.Errorf("Carol's options: %+v", a.Options)
	}
	state := logState(r.acme.ID, "", "", nil, "")
	a = readAck(t, r.send(t, fakeslack.BlockSuggestion(anaID, "log_with", "log_with", "", meta, state)))
	if len(a.Options) != 1 || a.Options[0].Text.Text != "Jane Doe — CFO" {
		t.Errorf("stakeholder options: %+v", a.Options)
	}
	// A forged suggestion naming Globex gets nothing of its map.
	forged := logState(r.globex.ID, "", "", nil, "")
	if a := readAck(t, r.send(t, fakeslack.BlockSuggestion(anaID, "log_with", "log_with", "", meta, forged))); len(a.Options) != 0 {
		t.Errorf("Ana sees Globex's stakeholders: %+v", a.Options)
	}
}

// refuseBadSubmissions sends forms that must each be refused on the right
// field, and checks that nothing was stored.
func (r *formsRig) refuseBadSubmissions(t *testing.T, meta string) {
	t.Helper()
	today := time.Now().In(mustZone(t, "Asia/Tokyo")).Format("2006-01-02")
	future := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
	cases := []struct {
		name  string
		user  string
		meta  string
		state map[string]any
		field string
	}{
		{"no account", anaID, meta, logState(0, "call", today, nil, "x"), "log_account"},
		{"account not hers", anaID, meta, logState(r.globex.ID, "call", today, nil, "x"), "log_account"},
		{"unknown account", anaID, meta, logState(999, "call", today, nil, "x"), "log_account"},
		{"no kind", anaID, meta, logState(r.acme.ID, "", today, nil, "x"), "log_kind"},
		{"made-up kind", anaID, meta, logState(r.acme.ID, "lunch", today, nil, "x"), "log_kind"},
		{"future day", anaID, meta, logState(r.acme.ID, "call", future, nil, "x"), "log_date"},
		{"other map's stakeholder", anaID, meta, logState(r.acme.ID, "call", today, []int64{r.li.ID}, "x"), "log_with"},
		{"empty summary", anaID, meta, logState(r.acme.ID, "call", today, nil, "   "), "log_summary"},
		{"not on the team", carolID, meta, logState(r.acme.ID, "call", today, nil, "x"), "log_account"},
	}
	for _, c := range cases {
		a := readAck(t, r.send(t, fakeslack.ViewSubmission(c.user, "kam_log", c.meta, c.state)))
		if a.ResponseAction != "errors" || a.Errors[c.field] == "" {
			t.Errorf("%s: ack %+v, want an error on %s", c.name, a, c.field)
		}
	}
	forgedLink := `{"p":"https://evil.example.com/archives/C1/p1"}`
	if a := readAck(t, r.send(t, fakeslack.ViewSubmission(anaID, "kam_log", forgedLink, logState(r.acme.ID, "call", today, nil, "x")))); a.ResponseAction != "update" {
		t.Errorf("forged permalink: ack %+v, want the form replaced by an error", a)
	}
	if n := len(r.interactions(t)); n != 0 {
		t.Fatalf("bad forms stored %d interactions", n)
	}
}

// submitLog logs the message with Jane met: stored with the permalink,
// posted to Acme's channel.
func (r *formsRig) submitLog(t *testing.T, meta string) int64 {
	t.Helper()
	day := r.msgTime.In(mustZone(t, "Asia/Tokyo")).Format("2006-01-02")
	a := readAck(t, r.send(t, fakeslack.ViewSubmission(anaID, "kam_log", meta, logState(r.acme.ID, "meeting", day, []int64{r.jane.ID}, "Renewal agreed & signed <!here>"))))
	if a.ResponseAction != "update" || len(a.Errors) > 0 {
		t.Fatalf("submission ack %+v", a)
	}
	ins := r.interactions(t)
	if len(ins) != 1 {
		t.Fatalf("%d interactions stored, want 1", len(ins))
	}
	in := ins[0]
	var m struct{ P string }
	_ = json.Unmarshal([]byte(meta), &m)
	if in.Permalink != m.P || in.Kind != kam.KindMeeting || in.UserID != anaID || len(in.Contacts) != 1 || in.Contacts[0] != r.jane.ID {
		t.Fatalf("stored %+v", in)
	}
	waitFor(t, 10*time.Second, "the channel post", func() bool { return len(r.api.Messages(acmeChan)) == 1 })
	post := r.api.Messages(acmeChan)[0]
	if strings.Contains(post.Text, "<!here>") || strings.Contains(string(post.Blocks), "<!here>") {
		t.Errorf("the channel post pings: %s %s", post.Text, post.Blocks)
	}
	return in.ID
}

// editAndDelete goes through the card's menu: Carol may not, Ana edits
// (the post is updated), a stale form changes nothing, Ben (the author is
// Ana) may not, the admin deletes (the post is deleted).
func (r *formsRig) editAndDelete(t *testing.T, id int64) {
	t.Helper()
	idText := strconv.FormatInt(id, 10)
	hook := r.sink.URL()
	menu := func(user, value string) map[string]any {
		p := fakeslack.BlockActions(user, acmeChan, hook, "ix:menu", "")
		p["actions"] = []map[string]any{{"type": "overflow", "action_id": "ix:menu", "block_id": "b1",
			"selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": "Edit"}}}}
		return p
	}
	views := len(r.api.Views())
	r.send(t, menu(carolID, "edit:"+idText))
	r.send(t, menu(benID, "delete:"+idText))
	refusals, err := r.sink.Wait(hook, 2, 10*time.Second)
	if err != nil {
		t.Fatalf("no refusals: %v", err)
	}
	for _, p := range refusals {
		if !strings.Contains(string(p.Body), "Only ") || !strings.Contains(string(p.Body), "ephemeral") {
			t.Errorf("refusal %s", p.Body)
		}
	}
	if len(r.api.Views()) != views {
		t.Fatal("a form opened for someone who may not change the interaction")
	}
	r.send(t, menu(anaID, "edit:"+idText))
	_, meta := r.lastView(t)
	edit := logState(0, "call", time.Now().In(mustZone(t, "Asia/Tokyo")).Format("2006-01-02"), nil, "Renewal call, corrected")
	if a := readAck(t, r.send(t, fakeslack.ViewSubmission(anaID, "kam_log_edit", meta, edit))); a.ResponseAction != "update" || len(a.Errors) > 0 {
		t.Fatalf("edit ack %+v", a)
	}
	waitFor(t, 10*time.Second, "the post's update", func() bool {
		ms := r.api.Messages(acmeChan)
		return len(ms) == 1 && strings.Contains(ms[0].Text, "corrected")
	})
	before := r.interactions(t)
	if a := readAck(t, r.send(t, fakeslack.ViewSubmission(anaID, "kam_log_edit", meta, logState(0, "call", "2020-01-01", nil, "stale")))); a.ResponseAction != "update" {
		t.Fatalf("stale edit ack %+v", a)
	}
	if after := r.interactions(t); after[0].Summary != before[0].Summary || !after[0].EditedAt.Equal(before[0].EditedAt) {
		t.Fatal("a stale form changed the interaction")
	}
	r.send(t, menu(adminID, "delete:"+idText))
	_, meta = r.lastView(t)
	if a := readAck(t, r.send(t, fakeslack.ViewSubmission(adminID, "kam_log_delete", meta, nil))); a.ResponseAction != "update" {
		t.Fatalf("delete ack %+v", a)
	}
	waitFor(t, 10*time.Second, "the post's deletion", func() bool { return len(r.api.Messages(acmeChan)) == 0 })
	if n := len(r.interactions(t)); n != 0 {
		t.Fatalf("%d interactions left", n)
	}
	audit, err := r.db.Audit(context.Background(), fakeslack.TeamID, 2)
	if err != nil || audit[0].Action != store.ActionInteractionDelete || audit[0].Actor != adminID || audit[1].Action != store.ActionInteractionEdit || audit[1].Actor != anaID {
		t.Fatalf("audit %+v %v", audit, err)
	}
}
