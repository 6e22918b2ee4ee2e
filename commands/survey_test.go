package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

// The survey fixture: the double's workspace, an account whose channel is
// shared with the customer (Slack Connect), and one without owner.
const (
	svTeam     = fakeslack.TeamID
	svCustTeam = "T0CUSTOMR" // the customer's own workspace
	svAdmin    = "USVADMIN"
	svAna      = "USVANA01" // KAM of Acme
	svBen      = "USVBEN01" // member of Acme
	svMona     = "USVMONA1" // manager of Acme and Globex
	svSara     = "USVSARA1" // sponsor of Globex, which has no owner
	svOut      = "USVOUT01" // on no team
	svCust     = "USVCUST1" // a customer, in their own workspace
	svShared   = "C0ACMESHR"
	svSecret   = "b6e2d1a4c3f5e7d9a8b0c1d2e3f4a5b6"
)

// svNow is a Thursday afternoon.
var svNow = time.Date(2025, 3, 13, 15, 0, 0, 0, time.UTC)

func init() {
	// The -update flag may be defined by another test file of the package.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

// svGolden compares v, as indented JSON, with testdata/name; -update
// rewrites the file.
func svGolden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the golden file; run with -update and review the diff.\ngot:\n%s", name, buf.Bytes())
	}
}

type svClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *svClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *svClock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *svClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// svSlack is the outbox's Slack side; the tests read the queue instead of
// running the sender.
type svSlack struct{}

func (svSlack) PostMessage(context.Context, string, string, []slack.Block, slack.SlackMetadata) (string, string, error) {
	return "", "", errors.New("the sender does not run in these tests")
}

func (svSlack) History(context.Context, string, time.Time) ([]outbox.Msg, error) {
	return nil, errors.New("the sender does not run in these tests")
}

// svEnv is the engine with surveys and the digest on a real database,
// served by the real HTTP transport, with views.open going to the Slack
// double and replies to a response_url double.
type svEnv struct {
	t     *testing.T
	db    *store.DB
	clock *svClock
	eng   *commands.Engine
	out   *outbox.Sender
	fake  *fakeslack.Server
	sink  *fakeslack.ResponseSink
	base  string
	ids   map[string]int64
	logs  *bytes.Buffer
}

func newSurveyEnv(t *testing.T) *svEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "kambot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &svEnv{t: t, db: db, clock: &svClock{t: svNow.AddDate(-1, 0, 0)}, ids: map[string]int64{}, logs: &bytes.Buffer{}}
	db.Now = e.clock.Now
	e.out, err = outbox.New(outbox.Config{Store: db, Slack: svSlack{}, Now: e.clock.Now,
		Classify: func(error) (time.Duration, bool) { return 0, true }})
	if err != nil {
		t.Fatal(err)
	}
	e.seed()
	e.clock.Set(svNow)

	e.fake = fakeslack.New(t)
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test", APIURL: e.fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	logw := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return e.logs.Write(p) })
	e.eng = commands.New(commands.Config{Store: db, Notifier: e.out, Views: api, Admins: []string{svAdmin},
		Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(logw, nil))})
	e.eng.Register(commands.SurveyExtension(commands.SurveyConfig{Store: db, Notifier: e.out}))
	dg, err := digest.New(digest.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	e.eng.Register(commands.DigestExtension(commands.DigestConfig{Digests: dg, Notifier: e.out}))

	m, err := bot.NewMetrics(metrics.NewSet())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := bot.NewHTTPServer(bot.HTTPConfig{SigningSecrets: []string{svSecret}, Engine: e.eng, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	e.base = hs.URL
	e.sink = fakeslack.NewResponseSink(t)
	return e
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (e *svEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *svEnv) seed() {
	ctx := context.Background()
	for _, a := range []kam.Account{
		{Name: "Acme Corp", OwnerID: svAna, ChannelID: svShared, Tier: kam.TierPartner},
		{Name: "Globex", SponsorID: svSara},
	} {
		a.TeamID = svTeam
		e.must(e.db.CreateAccount(ctx, &a, svAdmin))
		e.ids[a.Name] = a.ID
	}
	e.must(e.db.PutMember(ctx, kam.Member{TeamID: svTeam, AccountID: e.ids["Acme Corp"], UserID: svBen, Role: kam.RoleMember}, svAdmin))
	e.must(e.db.PutMember(ctx, kam.Member{TeamID: svTeam, AccountID: e.ids["Acme Corp"], UserID: svMona, Role: kam.RoleManager}, svAdmin))
	e.must(e.db.PutMember(ctx, kam.Member{TeamID: svTeam, AccountID: e.ids["Globex"], UserID: svMona, Role: kam.RoleManager}, svAdmin))
	c := kam.Contact{TeamID: svTeam, AccountID: e.ids["Acme Corp"], Name: "Jane Doe", Role: kam.ContactDecisionMaker}
	e.must(e.db.AddContact(ctx, &c, svAna))
}

// run runs a /kam command as user and returns the reply and its error.
func (e *svEnv) run(user, text string) (commands.Reply, error) {
	e.t.Helper()
	return e.eng.Do(context.Background(), commands.Request{TeamID: svTeam, UserID: user, ChannelID: "C0GENERAL", Text: text,
		TriggerID: "1.2.3", ResponseURL: e.sink.URL()})
}

// ok runs a command that must succeed and returns its reply.
func (e *svEnv) ok(user, text string) commands.Reply {
	e.t.Helper()
	rep, err := e.run(user, text)
	if err != nil {
		e.t.Fatalf("/kam %s as %s: %v\n%s", text, user, err, rep.Text)
	}
	return rep
}

// queued returns the outbox message with the key; ok false when none.
func (e *svEnv) queued(key string) (kam.OutboxMessage, bool) {
	m, err := e.db.OutboxMessageByKey(context.Background(), svTeam, key)
	if kam.ErrorCode(err) == kam.ENOTFOUND {
		return kam.OutboxMessage{}, false
	}
	e.must(err)
	return m, true
}

// send sends a survey as Ana and returns it with its posted buttons.
func (e *svEnv) send(text string) (kam.Survey, map[string]string) {
	e.t.Helper()
	e.ok(svAna, text)
	list, err := e.db.Surveys(context.Background(), svTeam, e.ids["Acme Corp"], 1)
	e.must(err)
	if len(list) == 0 {
		e.t.Fatal("no survey recorded")
	}
	s := list[0]
	m, ok := e.queued(kam.SurveyKey(s.ID))
	if !ok {
		e.t.Fatalf("survey %d was not queued", s.ID)
	}
	return s, svButtons(e.t, m.Blocks)
}

// svButtons maps each button's action_id to its value.
func svButtons(t *testing.T, blocks json.RawMessage) map[string]string {
	t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range bs {
		for _, el := range b.Elements {
			if el.ActionID != "" {
				out[el.ActionID] = el.Value
			}
		}
	}
	return out
}

// click is one button press as Slack sends it.
type click struct {
	user, userTeam, team, channel, messageTS string
	actionID, value                          string
}

func (c click) payload(responseURL string) map[string]any {
	p := fakeslack.BlockActions(c.user, c.channel, responseURL, c.actionID, c.value)
	if c.team != "" {
		p["team"] = map[string]any{"id": c.team, "domain": "customer"}
	}
	if c.userTeam != "" {
		p["user"] = map[string]any{"id": c.user, "team_id": c.userTeam}
	}
	if c.messageTS != "" {
		p["container"] = map[string]any{"type": "message", "channel_id": c.channel, "message_ts": c.messageTS}
	}
	return p
}

// post sends a signed interaction payload and returns the HTTP status and
// body of the acknowledgement.
func (e *svEnv) post(payload any, secret string, ts time.Time) (int, []byte) {
	e.t.Helper()
	req := fakeslack.SignedRequest(secret, ts, e.base+"/slack/interactions", fakeslack.InteractionForm(payload))
	resp, err := http.DefaultClient.Do(req)
	e.must(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// press sends a signed click and waits for the ephemeral answer.
func (e *svEnv) press(c click) fakeslack.ResponseMessage {
	e.t.Helper()
	url := e.sink.URL()
	status, _ := e.post(c.payload(url), svSecret, time.Now())
	if status != http.StatusOK {
		e.t.Fatalf("click %s=%s: HTTP %d", c.actionID, c.value, status)
	}
	posts, err := e.sink.Wait(url, 1, 5*time.Second)
	if err != nil {
		e.t.Fatalf("click %s=%s: %v", c.actionID, c.value, err)
	}
	m := posts[0].Message
	if m.ResponseType == "in_channel" || m.ReplaceOriginal {
		e.t.Fatalf("click answer is not a private reply: %+v", m)
	}
	return m
}

// state is everything a refused click must leave as it was.
func (e *svEnv) state() string {
	e.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, name := range []string{"Acme Corp", "Globex"} {
		as, err := e.db.AccountSurveyAnswers(ctx, svTeam, e.ids[name], 0)
		e.must(err)
		ss, err := e.db.Surveys(ctx, svTeam, e.ids[name], 0)
		e.must(err)
		fmt.Fprintf(&b, "%s answers %+v surveys %+v\n", name, as, ss)
	}
	st, err := e.db.OutboxStats(ctx, svTeam)
	e.must(err)
	fmt.Fprintf(&b, "outbox %d pending %d sent\n", st.Pending, st.Sent)
	return b.String()
}

func (e *svEnv) answerOf(s kam.Survey, user string) kam.SurveyAnswer {
	e.t.Helper()
	a, err := e.db.SurveyAnswerOf(context.Background(), svTeam, s.ID, user)
	e.must(err)
	return a
}

func TestSurveySendAndAnswer(t *testing.T) {
	e := newSurveyEnv(t)
	s, buttons := e.send("survey acme send")
	if s.ChannelID != svShared || s.SentBy != svAna || !s.ClosesAt.Equal(svNow.Add(kam.SurveyOpenFor)) {
		t.Fatalf("survey %+v", s)
	}
	m, _ := e.queued(kam.SurveyKey(s.ID))
	if m.Channel != svShared || !strings.HasPrefix(m.Text, "How likely are you to recommend us") {
		t.Fatalf("survey post to %s: %q", m.Channel, m.Text)
	}
	var blocks any
	e.must(json.Unmarshal(m.Blocks, &blocks))
	svGolden(t, "survey_message.json", svRedactToken(blocks, s.Token))
	if len(buttons) != 12 || buttons["survey.score.7"] != fmt.Sprintf("%d:7:%s", s.ID, s.Token) || buttons["survey.comment"] != fmt.Sprintf("%d:%s", s.ID, s.Token) {
		t.Fatalf("buttons %v", buttons)
	}

	// A customer answers from their own workspace, in the shared channel.
	cust := click{user: svCust, userTeam: svCustTeam, team: svCustTeam, channel: svShared, actionID: "survey.score.8", value: buttons["survey.score.8"]}
	if got := e.press(cust); !strings.Contains(got.Text, "Thank you! You answered 8.") {
		t.Fatalf("thanks = %q", got.Text)
	}
	a := e.answerOf(s, svCust)
	if a.Score != 8 || a.UserTeam != svCustTeam || a.AccountID != e.ids["Acme Corp"] {
		t.Fatalf("answer %+v", a)
	}
	if _, ok := e.queued(fmt.Sprintf("detractor:%d:user:%s", s.ID, svCust)); ok {
		t.Fatal("a passive answer raised a detractor alert")
	}

	// A second click updates the answer, and a detractor one alerts the owner.
	cust.actionID, cust.value = "survey.score.3", buttons["survey.score.3"]
	if got := e.press(cust); !strings.Contains(got.Text, "I changed your answer from 8 to 3.") {
		t.Fatalf("thanks = %q", got.Text)
	}
	if got := e.answerOf(s, svCust); got.ID != a.ID || got.Score != 3 {
		t.Fatalf("after the second click: %+v (first %+v)", got, a)
	}
	key := fmt.Sprintf("detractor:%d:user:%s", s.ID, svCust)
	alert, ok := e.queued(key)
	if !ok || alert.Channel != svAna {
		t.Fatalf("detractor alert %+v queued %v; want a DM to the owner", alert, ok)
	}
	var ab any
	e.must(json.Unmarshal(alert.Blocks, &ab))
	svGolden(t, "survey_detractor_alert.json", ab)

	// Still a detractor: no second alert.
	before, _ := e.db.OutboxStats(context.Background(), svTeam)
	cust.actionID, cust.value = "survey.score.2", buttons["survey.score.2"]
	e.press(cust)
	if after, _ := e.db.OutboxStats(context.Background(), svTeam); after.Pending != before.Pending {
		t.Fatalf("a second detractor click queued %d more messages", after.Pending-before.Pending)
	}

	// A team member answers too: one answer each.
	e.press(click{user: svBen, channel: svShared, actionID: "survey.score.10", value: buttons["survey.score.10"]})
	as, err := e.db.AccountSurveyAnswers(context.Background(), svTeam, e.ids["Acme Corp"], 0)
	if err != nil || len(as) != 2 {
		t.Fatalf("answers %+v, %v; want one per respondent", as, err)
	}

	// Health sees the satisfaction: NPS 0 from a promoter and a detractor.
	sums, err := e.db.NPSSummaries(context.Background(), svTeam, []int64{e.ids["Acme Corp"]}, svNow)
	if err != nil || sums[e.ids["Acme Corp"]].NPS != 0 || sums[e.ids["Acme Corp"]].Responses != 2 {
		t.Fatalf("NPS %+v, %v", sums[e.ids["Acme Corp"]], err)
	}
	rep := e.ok(svAna, "survey acme")
	svGolden(t, "survey_show.json", rep.Blocks)
}

// svRedactToken replaces the random token in rendered blocks, so that
// golden files stay stable.
func svRedactToken(v any, token string) any {
	js, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(bytes.ReplaceAll(js, []byte(token), []byte("TOKEN")), &out)
	return out
}

// TestSurveyClickRefusals sends signed block_actions payloads that must
// not count: forged, stale or from elsewhere. Each changes nothing.
func TestSurveyClickRefusals(t *testing.T) {
	e := newSurveyEnv(t)
	s, buttons := e.send("survey acme send")
	dm, dmButtons := e.send("survey acme send <@" + svBen + "|ben>")
	e.press(click{user: svCust, userTeam: svCustTeam, team: svCustTeam, channel: svShared, actionID: "survey.score.9", value: buttons["survey.score.9"]})
	other := fmt.Sprintf("%d:5:%s", s.ID, strings.Repeat("0", 16))

	for _, tc := range []struct {
		name   string
		click  click
		secret string
		age    time.Duration
		status int
		want   string
	}{
		{"bad signature", click{user: svCust, channel: svShared, actionID: "survey.score.1", value: buttons["survey.score.1"]}, "not-the-secret", 0, 401, ""},
		{"old timestamp", click{user: svCust, channel: svShared, actionID: "survey.score.1", value: buttons["survey.score.1"]}, svSecret, 10 * time.Minute, 401, ""},
		{"score edited", click{user: svCust, channel: svShared, actionID: "survey.score.10", value: buttons["survey.score.1"]}, svSecret, 0, 200, "damaged or out of date"},
		{"score out of range", click{user: svCust, channel: svShared, actionID: "survey.score.11", value: fmt.Sprintf("%d:11:%s", s.ID, s.Token)}, svSecret, 0, 200, "damaged or out of date"},
		{"malformed", click{user: svCust, channel: svShared, actionID: "survey.score.1", value: "1;DROP TABLE surveys"}, svSecret, 0, 200, "damaged or out of date"},
		{"wrong token", click{user: svCust, channel: svShared, actionID: "survey.score.5", value: other}, svSecret, 0, 200, "can't find that survey"},
		{"unknown survey", click{user: svCust, channel: svShared, actionID: "survey.score.5", value: fmt.Sprintf("%d:5:%s", s.ID+100, s.Token)}, svSecret, 0, 200, "can't find that survey"},
		{"another workspace", click{user: svCust, userTeam: svCustTeam, team: svCustTeam, channel: "C0ELSEWHR", actionID: "survey.score.5", value: buttons["survey.score.5"]}, svSecret, 0, 200, "another Slack workspace"},
		{"someone else's DM", click{user: svCust, channel: "D0BEN", actionID: "survey.score.5", value: dmButtons["survey.score.5"]}, svSecret, 0, 200, "sent to @" + svBen + " alone"},
		{"comment on someone else's DM", click{user: svAna, channel: "D0BEN", actionID: "survey.comment", value: dmButtons["survey.comment"]}, svSecret, 0, 200, "alone"},
		{"comment button edited", click{user: svCust, channel: svShared, actionID: "survey.comment", value: fmt.Sprintf("%d:%s", s.ID, strings.Repeat("f", 16))}, svSecret, 0, 200, "can't find that survey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.state()
			url := e.sink.URL()
			status, _ := e.post(tc.click.payload(url), tc.secret, time.Now().Add(-tc.age))
			if status != tc.status {
				t.Fatalf("HTTP %d, want %d", status, tc.status)
			}
			if tc.want != "" {
				posts, err := e.sink.Wait(url, 1, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if m := posts[0].Message; !strings.Contains(m.Text, tc.want) || m.ResponseType == "in_channel" {
					t.Fatalf("refusal %+v; want a private reply containing %q", m, tc.want)
				}
			}
			if after := e.state(); after != before {
				t.Fatalf("a refused click changed the state:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	if views := e.fake.Views(); len(views) != 0 {
		t.Fatalf("a refused comment click opened %d forms", len(views))
	}

	// Once the outbox has posted the survey, only its own message counts.
	msgs, err := e.db.ClaimOutbox(context.Background(), svNow.Add(time.Minute), 10, nil)
	e.must(err)
	for _, m := range msgs {
		e.must(e.db.MarkOutboxSent(context.Background(), m.ID, m.Attempts, "1741878000.000100", m.Channel))
	}
	got, err := e.db.Survey(context.Background(), svTeam, s.ID)
	if err != nil || got.MessageTS != "1741878000.000100" {
		t.Fatalf("survey after delivery: %+v, %v", got, err)
	}
	before := e.state()
	url := e.sink.URL()
	c := click{user: svCust, userTeam: svCustTeam, team: svCustTeam, channel: svShared, messageTS: "1741878999.000200", actionID: "survey.score.1", value: buttons["survey.score.1"]}
	e.post(c.payload(url), svSecret, time.Now())
	if posts, err := e.sink.Wait(url, 1, 5*time.Second); err != nil || !strings.Contains(posts[0].Message.Text, "aren't on the survey message") {
		t.Fatalf("a copy of the buttons: %+v, %v", posts, err)
	}
	if after := e.state(); after != before {
		t.Fatalf("a click on a copy changed the state:\nbefore %s\nafter  %s", before, after)
	}
	c.messageTS = "1741878000.000100"
	if m := e.press(c); !strings.Contains(m.Text, "from 9 to 1") {
		t.Fatalf("a click on the real message: %q", m.Text)
	}

	// A closed survey takes nothing.
	e.clock.Set(dm.ClosesAt)
	before = e.state()
	url = e.sink.URL()
	e.post(click{user: svBen, channel: "D0BEN", actionID: "survey.score.5", value: dmButtons["survey.score.5"]}.payload(url), svSecret, time.Now())
	if posts, err := e.sink.Wait(url, 1, 5*time.Second); err != nil || !strings.Contains(posts[0].Message.Text, "This survey closed on") {
		t.Fatalf("a click on a closed survey: %+v, %v", posts, err)
	}
	if after := e.state(); after != before {
		t.Fatalf("a click on a closed survey changed the state")
	}
}

// viewPayload is a view_submission of the comment form.
func (e *svEnv) viewPayload(user, meta, score, comment string) map[string]any {
	values := map[string]any{
		"comment": map[string]any{"value": map[string]any{"type": "plain_text_input", "value": comment}},
	}
	if score != "" {
		values["score"] = map[string]any{"value": map[string]any{"type": "static_select",
			"selected_option": map[string]any{"value": score, "text": map[string]any{"type": "plain_text", "text": score}}}}
	}
	return map[string]any{
		"type": "view_submission",
		"team": map[string]any{"id": svCustTeam},
		"user": map[string]any{"id": user, "team_id": svCustTeam},
		"view": map[string]any{"id": "V0SURVEY", "type": "modal", "callback_id": "survey.comment", "private_metadata": meta,
			"team_id": svCustTeam, "state": map[string]any{"values": values}},
	}
}

func TestSurveyComment(t *testing.T) {
	e := newSurveyEnv(t)
	s, buttons := e.send("survey acme send")
	e.press(click{user: svCust, userTeam: svCustTeam, team: svCustTeam, channel: svShared, actionID: "survey.score.9", value: buttons["survey.score.9"]})

	// "Add a comment" opens the form, pre-filled with the answer so far.
	url := e.sink.URL()
	status, _ := e.post(click{user: svCust, userTeam: svCustTeam, team: svCustTeam, channel: svShared, actionID: "survey.comment",
		value: buttons["survey.comment"]}.payload(url), svSecret, time.Now())
	if status != 200 {
		t.Fatalf("HTTP %d", status)
	}
	views := e.fake.Views()
	if len(views) != 1 {
		t.Fatalf("%d forms opened", len(views))
	}
	var view struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
	}
	e.must(json.Unmarshal(views[0].View, &view))
	wantMeta := fmt.Sprintf("%d:%s:%s", s.ID, s.Token, svShared)
	if view.CallbackID != "survey.comment" || view.PrivateMetadata != wantMeta || !strings.Contains(string(views[0].View), `"initial_option":{"text":{"type":"plain_text","text":"9"`) {
		t.Fatalf("form %s", views[0].View)
	}
	var form any
	e.must(json.Unmarshal(views[0].View, &form))
	svGolden(t, "survey_comment_form.json", svRedactToken(form, s.Token))

	for _, tc := range []struct {
		name, meta, score, comment string
		want                       string
	}{
		{"comment too long", wantMeta, "4", strings.Repeat("é", kam.MaxSurveyComment+1), `"comment":"Your comment is 1001 characters; the limit is 1000`},
		{"no score", wantMeta, "", "Fine", `"score":"Pick a number from 0 to 10."`},
		{"score 12", wantMeta, "12", "Fine", `"score":"Pick a number from 0 to 10 in the list."`},
		{"empty comment", wantMeta, "4", "   ", `"comment":"Write a few words`},
		{"control character", wantMeta, "4", "bad\x07bell", `"comment":"Your comment contains a control character`},
		{"forged token", fmt.Sprintf("%d:%s:%s", s.ID, strings.Repeat("a", 16), svShared), "4", "Fine", `can't find that survey`},
		{"from another channel", fmt.Sprintf("%d:%s:%s", s.ID, s.Token, "C0ELSEWHR"), "4", "Fine", `another Slack workspace`},
		{"metadata mangled", "garbage", "4", "Fine", `damaged or out of date`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.state()
			status, body := e.post(e.viewPayload(svCust, tc.meta, tc.score, tc.comment), svSecret, time.Now())
			if status != 200 || !strings.Contains(string(body), tc.want) {
				t.Fatalf("HTTP %d %s; want %s", status, body, tc.want)
			}
			if after := e.state(); after != before {
				t.Fatalf("a refused form changed the state")
			}
		})
	}

	status, body := e.post(e.viewPayload(svCust, wantMeta, "4", "Invoices keep arriving late."), svSecret, time.Now())
	if status != 200 || !strings.Contains(string(body), `"response_action":"update"`) || !strings.Contains(string(body), "Thank you") {
		t.Fatalf("HTTP %d %s", status, body)
	}
	a := e.answerOf(s, svCust)
	if a.Score != 4 || a.Comment != "Invoices keep arriving late." {
		t.Fatalf("answer after the form: %+v", a)
	}
	alert, ok := e.queued(fmt.Sprintf("detractor:%d:user:%s", s.ID, svCust))
	if !ok || !strings.Contains(string(alert.Blocks), "Invoices keep arriving late.") {
		t.Fatalf("detractor alert with the comment: %+v %v", alert, ok)
	}
	// A later click keeps the comment.
	e.press(click{user: svCust, userTeam: svCustTeam, team: svCustTeam, channel: svShared, actionID: "survey.score.5", value: buttons["survey.score.5"]})
	if a := e.answerOf(s, svCust); a.Score != 5 || a.Comment != "Invoices keep arriving late." {
		t.Fatalf("answer after another click: %+v", a)
	}
}

func TestSurveyCommands(t *testing.T) {
	e := newSurveyEnv(t)
	acme := e.ids["Acme Corp"]

	t.Run("RecordOK", func(t *testing.T) {
		rep := e.ok(svBen, `survey acme record 6 "Support is slow to answer" contact="jane doe" date=2025-03-10`)
		if !strings.Contains(rep.Text, "Recorded 6 (detractor) from Jane Doe for Acme Corp, given 2025-03-10. @"+svAna+" has been alerted.") {
			t.Fatalf("reply %q", rep.Text)
		}
		as, _ := e.db.AccountSurveyAnswers(context.Background(), svTeam, acme, 1)
		if len(as) != 1 || as[0].Contact != "Jane Doe" || as[0].Comment != "Support is slow to answer" || as[0].RecordedBy != svBen ||
			!as[0].At.Equal(time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)) {
			t.Fatalf("recorded %+v", as)
		}
		alert, ok := e.queued(fmt.Sprintf("detractor:recorded:%d", as[0].ID))
		if !ok || alert.Channel != svAna {
			t.Fatalf("alert %+v %v", alert, ok)
		}
		// No owner: the sponsor hears of it; the owner recording it is not told.
		rep = e.ok(svMona, `survey globex record 2`)
		if !strings.Contains(rep.Text, "@"+svSara+" has been alerted") {
			t.Fatalf("reply %q", rep.Text)
		}
		rep = e.ok(svAna, `survey acme record 3 contact="Raj" `)
		if strings.Contains(rep.Text, "alerted") || !strings.Contains(rep.Text, "Raj (not on the stakeholder map)") {
			t.Fatalf("reply %q", rep.Text)
		}
		rep = e.ok(svAna, `survey acme record 10`)
		if !strings.Contains(rep.Text, "Recorded 10 (promoter) from an unnamed respondent") || !strings.Contains(rep.Text, "NPS of Acme Corp over the last 12 months") {
			t.Fatalf("reply %q", rep.Text)
		}
	})

	t.Run("SendOK", func(t *testing.T) {
		rep := e.ok(svAna, "survey acme send <#C0OTHERCH|acme-extra>")
		if !strings.Contains(rep.Text, "Sent the NPS question about Acme Corp to #C0OTHERCH") || !strings.Contains(rep.Text, "alerts @"+svAna) {
			t.Fatalf("reply %q", rep.Text)
		}
		rep = e.ok(svMona, "survey globex send <@USVJANE1|jane>")
		if !strings.Contains(rep.Text, "@USVJANE1 by DM") || !strings.Contains(rep.Text, "alerts @"+svSara) {
			t.Fatalf("reply %q", rep.Text)
		}
	})

	for _, tc := range []struct {
		name, user, text, want string
	}{
		{"send without channel", svMona, "survey globex send", "has no channel, so say where to ask"},
		{"send to a plain word", svAna, "survey acme send general", "isn't a channel or a person"},
		{"send with a key", svAna, "survey acme send to=#x", "Unexpected “to=#x”"},
		{"send twice", svAna, "survey acme send <#C0OTHERCH|acme-extra>", "was already asked about this account"},
		{"send extra words", svAna, "survey acme send <#C0NEWCH01|x> now please", "Unexpected “now please”"},
		{"send by an outsider", svOut, "survey acme send", "Only Acme Corp's team"},
		{"send by an admin off the team", svAdmin, "survey acme send", "Only Acme Corp's team can send surveys"},
		{"record without score", svAna, "survey acme record", "Give the score from 0 to 10 first"},
		{"record 11", svAna, "survey acme record 11", "11 is above 10"},
		{"record a word", svAna, "survey acme record nine", "“nine” isn't a score"},
		{"record a decimal", svAna, "survey acme record 7.5", "“7.5” isn't a score"},
		{"record unquoted comment", svAna, "survey acme record 7 great team", "Put the comment in quotes"},
		{"record two comments", svAna, `survey acme record 7 "a" "b"`, "Give one comment"},
		{"record unknown key", svAna, `survey acme record 7 contcat="Jane"`, "did you mean contact="},
		{"record future date", svAna, "survey acme record 7 date=2025-03-20", "is in the future"},
		{"record bad date", svAna, "survey acme record 7 date=2025-02-30", "isn't a real calendar date"},
		{"record long comment", svAna, `survey acme record 7 "` + strings.Repeat("x", kam.MaxSurveyComment+1) + `"`, "the limit is 1000"},
		{"record two-line contact", svAna, "survey acme record 7 contact=\"Jane\nDoe\"", "must fit on one line"},
		{"record by an outsider", svOut, "survey acme record 7", "Only Acme Corp's team"},
		{"show by an outsider", svOut, "survey acme", "Only Acme Corp's team and admins"},
		{"unknown verb", svAna, "survey acme publish", "Unknown “publish”"},
		{"unknown account", svAna, "survey acmee send", "did you mean Acme Corp?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.state()
			rep, err := e.run(tc.user, tc.text)
			if err == nil || kam.ErrorCode(err) == kam.EINTERNAL {
				t.Fatalf("/kam %s: err %v, reply %q", tc.text, err, rep.Text)
			}
			if !strings.Contains(rep.Text, tc.want) {
				t.Fatalf("/kam %s: %q; want %q", tc.text, rep.Text, tc.want)
			}
			if after := e.state(); after != before {
				t.Fatalf("a refused command changed the state:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	// An admin off the team may read the results.
	if rep := e.ok(svAdmin, "survey acme"); !strings.Contains(rep.Text, "Satisfaction — Acme Corp") {
		t.Fatalf("admin's view: %q", rep.Text)
	}
	if rep := e.ok(svMona, "survey globex show"); !strings.Contains(rep.Text, "NPS, last 12 months: -100 from 1 answer") {
		t.Fatalf("Globex results: %q", rep.Text)
	}
}

func TestSurveyShowEmpty(t *testing.T) {
	e := newSurveyEnv(t)
	rep := e.ok(svMona, "survey globex")
	if !strings.Contains(rep.Text, "No survey yet for Globex") {
		t.Fatalf("reply %q", rep.Text)
	}
}

func TestDigestCommand(t *testing.T) {
	e := newSurveyEnv(t)
	e.ok(svBen, `survey acme record 9 contact="Jane Doe"`)

	rep := e.ok(svMona, "digest")
	if !strings.Contains(rep.Text, "Your portfolio: the 2 accounts you manage") || rep.InChannel || rep.Later != nil {
		t.Fatalf("manager's digest: %q", rep.Text)
	}
	svGolden(t, "digest_reply.json", rep.Blocks)
	rep = e.ok(svBen, "digest")
	if !strings.Contains(rep.Text, "Your account: the one whose team you are on") || strings.Contains(rep.Text, "Globex") {
		t.Fatalf("member's digest: %q", rep.Text)
	}
	rep = e.ok(svOut, "digest")
	if !strings.Contains(rep.Text, "there is no digest for you yet") {
		t.Fatalf("outsider's digest: %q", rep.Text)
	}
	if _, err := e.run(svMona, "digest now"); err == nil {
		t.Fatal("/kam digest now was accepted")
	}

	// A portfolio too long for a reply: the start in the reply, all of it by DM.
	ctx := context.Background()
	e.clock.Set(svNow.AddDate(0, -1, 0))
	for i := range 250 {
		a := kam.Account{TeamID: svTeam, Name: fmt.Sprintf("Portfolio account with a long name %03d", i), OwnerID: svAna, Tier: kam.TierPartner}
		e.must(e.db.CreateAccount(ctx, &a, svAdmin))
		e.must(e.db.PutMember(ctx, kam.Member{TeamID: svTeam, AccountID: a.ID, UserID: svMona, Role: kam.RoleManager}, svAdmin))
	}
	e.clock.Set(svNow)
	rep = e.ok(svMona, "digest")
	if rep.Later == nil || len(rep.Blocks) > 50 {
		t.Fatalf("long digest: %d blocks, later %v", len(rep.Blocks), rep.Later != nil)
	}
	note := rep.Later(ctx)
	if !strings.Contains(note.Text, "on their way to your DMs") {
		t.Fatalf("note %q", note.Text)
	}
	n, _ := strconv.Atoi(strings.Fields(strings.TrimPrefix(note.Text, "Your digest is "))[0])
	if n < 3 {
		t.Fatalf("note %q", note.Text)
	}
	stamp := svNow.UTC().Format("20060102T150405.000")
	for i := 1; i <= n; i++ {
		m, ok := e.queued(fmt.Sprintf("digest-now:%s:%s:%d", svMona, stamp, i))
		if !ok || m.Channel != svMona {
			t.Fatalf("part %d of %d not queued to Mona: %+v", i, n, m)
		}
	}
}

// TestSurveyRecordUsersToday checks that "today" for date= is the user's
// own (their Slack zone), not UTC's: east of UTC after local midnight, the
// user's today is already tomorrow in UTC.
func TestSurveyRecordUsersToday(t *testing.T) {
	e := newSurveyEnv(t)
	// 2025-03-13 15:00 UTC is 2025-03-14 00:00 in Tokyo and 11:00 in New York.
	e.fake.AddUser(slack.User{ID: svBen, TZ: "Asia/Tokyo"})
	e.fake.AddUser(slack.User{ID: svAna, TZ: "America/New_York"})
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test", APIURL: e.fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	eng := commands.New(commands.Config{Store: e.db, Notifier: e.out, Zones: api, Now: e.clock.Now})
	eng.Register(commands.SurveyExtension(commands.SurveyConfig{Store: e.db, Notifier: e.out}))
	tests := []struct {
		name, user, date string
		wantErr          string // "" when accepted
		wantGiven        string
	}{
		{"TokyoToday", svBen, "2025-03-14", "", "given 2025-03-14"},
		{"TokyoTomorrow", svBen, "2025-03-15", "2025-03-15 is in the future — give the day the answer was given, e.g. date=2025-03-14", ""},
		{"TokyoYesterday", svBen, "2025-03-13", "", "given 2025-03-13"},
		{"NewYorkToday", svAna, "2025-03-13", "", "given 2025-03-13"},
		{"NewYorkTomorrow", svAna, "2025-03-14", "2025-03-14 is in the future", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := eng.Do(context.Background(), commands.Request{TeamID: svTeam, UserID: tt.user,
				Text: "survey acme record 8 date=" + tt.date})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(kam.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("err %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !strings.Contains(rep.Text, tt.wantGiven) {
				t.Fatalf("reply %q; want %q", rep.Text, tt.wantGiven)
			}
		})
	}
}
