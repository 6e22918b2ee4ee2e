package digest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

// The digest fixture's workspace and people.
const (
	teamID     = "T0DIGEST"
	userAdmin  = "UDGADMIN"
	userMona   = "UDGMONA1" // manages Acme, Globex and Initech
	userMax    = "UDGMAX01" // manages Initech
	userAna    = "UDGANA01" // KAM of Acme and Initech
	userBen    = "UDGBEN01" // KAM of Globex, member of Acme
	userNobody = "UDGNOBOD" // on no team
	channelID  = "C0DIGEST"
)

// runAt is a Monday morning, when the weekly digest runs.
var runAt = time.Date(2025, 3, 17, 8, 0, 0, 0, time.UTC)

func init() {
	// Another test file of the package may define -update; share it.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// checkGolden compares got with testdata/name; -update rewrites it.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run with -update and review the diff.\ngot:\n%s", name, got)
	}
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// nullSlack is the outbox's Slack side; the tests never run the sender, so
// nothing may reach it.
type nullSlack struct{}

func (nullSlack) PostMessage(context.Context, string, string, []slack.Block, slack.SlackMetadata) (string, string, error) {
	return "", "", errors.New("not in this test")
}

func (nullSlack) History(context.Context, string, time.Time) ([]outbox.Msg, error) {
	return nil, errors.New("not in this test")
}

// env is a seeded database with the outbox in front of it.
type env struct {
	t     testing.TB
	db    *store.DB
	clock *testClock
	out   *outbox.Sender
	ids   map[string]int64
}

func newDigestEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "kambot.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &testClock{t: runAt.AddDate(-1, 0, 0)}
	db.Now = clock.Now
	out, err := outbox.New(outbox.Config{Store: db, Slack: nullSlack{}, Now: clock.Now,
		Classify: func(error) (time.Duration, bool) { return 0, true }})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, clock: clock, out: out, ids: map[string]int64{}}
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// daysBefore is a time days before runAt, at hour o'clock.
func daysBefore(days, hour int) time.Time {
	return time.Date(runAt.Year(), runAt.Month(), runAt.Day()-days, hour, 0, 0, 0, time.UTC)
}

// seed writes the fixture: four accounts, their teams, a week of work, a
// plan with an overdue tactic, survey answers, and last week's snapshots.
func (e *env) seed() {
	ctx := context.Background()
	e.clock.Set(daysBefore(400, 9))
	for _, a := range []kam.Account{
		{Name: "Acme Corp", Tier: kam.TierPartner, OwnerID: userAna, ChannelID: "C0ACME01", Cadence: kam.CadenceMonthly},
		{Name: "Globex <Intl>", Tier: kam.TierConsultant, OwnerID: userBen, Cadence: kam.CadenceWeekly},
		{Name: "Initech", Tier: kam.TierVendor, OwnerID: userAna, Cadence: kam.CadenceQuarterly},
		{Name: "Umbrella", Tier: kam.TierPreferred, OwnerID: userBen, Cadence: kam.CadenceMonthly},
	} {
		a.TeamID = teamID
		e.must(e.db.CreateAccount(ctx, &a, userAdmin))
		e.ids[a.Name] = a.ID
	}
	put := func(acct, user string, role kam.Role) {
		e.must(e.db.PutMember(ctx, kam.Member{TeamID: teamID, AccountID: e.ids[acct], UserID: user, Role: role}, userAdmin))
	}
	put("Acme Corp", userMona, kam.RoleManager)
	put("Acme Corp", userBen, kam.RoleMember)
	put("Globex <Intl>", userMona, kam.RoleManager)
	put("Initech", userMona, kam.RoleManager)
	put("Initech", userMax, kam.RoleManager)

	log := func(acct, user string, kind kam.InteractionKind, when time.Time) {
		e.clock.Set(when)
		in := kam.Interaction{TeamID: teamID, AccountID: e.ids[acct], UserID: user, Kind: kind, Summary: "Worked the account", At: when}
		e.must(e.db.LogInteraction(ctx, &in, user, nil))
	}
	log("Acme Corp", userAna, kam.KindMeeting, daysBefore(3, 10))
	log("Acme Corp", userBen, kam.KindCall, daysBefore(2, 15))
	log("Acme Corp", userAna, kam.KindNote, daysBefore(2, 16)) // a note is no contact
	log("Globex <Intl>", userBen, kam.KindEmail, daysBefore(20, 9))
	log("Initech", userAna, kam.KindCall, daysBefore(5, 11))
	log("Umbrella", userBen, kam.KindVisit, daysBefore(6, 9))

	opp := func(acct, name string, value int64, created time.Time) int64 {
		e.clock.Set(created)
		o := kam.Opportunity{TeamID: teamID, AccountID: e.ids[acct], Name: name, Value: value}
		e.must(e.db.AddOpportunity(ctx, &o, userAna))
		return o.ID
	}
	move := func(id int64, to kam.Stage, when time.Time) {
		e.clock.Set(when)
		_, err := e.db.MoveStage(ctx, teamID, id, to, userAna, "", when, nil)
		e.must(err)
	}
	renewal := opp("Acme Corp", "Renewal 2026", 250_000, daysBefore(60, 9))
	move(renewal, kam.StageClosing, daysBefore(30, 9))
	move(renewal, kam.StageContracted, daysBefore(1, 14))
	expansion := opp("Acme Corp", "EMEA expansion", 1_200_000, daysBefore(40, 9))
	move(expansion, kam.StagePursuing, daysBefore(4, 9))
	pilot := opp("Globex <Intl>", "Pilot", 80_000, daysBefore(50, 9))
	move(pilot, kam.StageLost, daysBefore(2, 9))
	opp("Initech", "Support contract", 40_000, daysBefore(10, 9))

	e.clock.Set(daysBefore(90, 9))
	obj := kam.Objective{TeamID: teamID, AccountID: e.ids["Acme Corp"], Text: "Grow share of wallet"}
	e.must(e.db.AddObjective(ctx, &obj, userAna))
	tac := kam.Tactic{TeamID: teamID, AccountID: e.ids["Acme Corp"], Text: "Joint roadmap workshop", OwnerID: userBen, Due: daysBefore(10, 0)}
	e.must(e.db.AddTactic(ctx, &tac, userAna))

	rec := func(acct string, score int, contact, comment string, when time.Time) {
		e.clock.Set(runAt)
		a := kam.SurveyAnswer{TeamID: teamID, AccountID: e.ids[acct], Score: score, Contact: contact, Comment: comment, At: when}
		e.must(e.db.RecordSurveyAnswer(ctx, &a, userAna))
	}
	rec("Acme Corp", 9, "Jane Doe", "", daysBefore(200, 10))
	rec("Acme Corp", 10, "Raj Patel", "", daysBefore(100, 10))
	rec("Acme Corp", 4, "Li Wei", "Invoices arrive late <again> & again", daysBefore(2, 10))
	rec("Globex <Intl>", 8, "Otto", "", daysBefore(500, 10))
	rec("Globex <Intl>", 6, "Otto", "", daysBefore(30, 10))

	// Last week's digest saw Acme at 80 with no alerts, Globex at 30.
	e.clock.Set(runAt.AddDate(0, 0, -7))
	e.must(e.db.SaveHealthSnapshots(ctx, teamID, "2025-W11", []kam.HealthSnapshot{
		{AccountID: e.ids["Acme Corp"], Score: 80},
		{AccountID: e.ids["Globex <Intl>"], Score: 30, Alerts: []string{"no-contact:" + itoa(e.ids["Globex <Intl>"])}},
	}))
	e.clock.Set(runAt)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// jsonText is s as it appears inside jsonOf's output.
func jsonText(s string) string {
	js := jsonOf(s)
	return js[1 : len(js)-1]
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (e *env) digester(cfg digest.Config) *digest.Digester {
	e.t.Helper()
	cfg.Store = e.db
	if cfg.Poster == nil {
		cfg.Poster = e.out
	}
	d, err := digest.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// checkParts asserts Slack's limits on every part of a digest.
func checkParts(t *testing.T, parts [][]slack.Block) {
	t.Helper()
	for i, p := range parts {
		if len(p) > 50 {
			t.Errorf("part %d has %d blocks", i+1, len(p))
		}
		chars := 0
		for _, b := range p {
			switch x := b.(type) {
			case *slack.HeaderBlock:
				if n := utf8.RuneCountInString(x.Text.Text); n > 150 {
					t.Errorf("part %d: header of %d characters", i+1, n)
				}
				chars += utf8.RuneCountInString(x.Text.Text)
			case *slack.SectionBlock:
				if x.Text != nil {
					if n := utf8.RuneCountInString(x.Text.Text); n > 3000 {
						t.Errorf("part %d: section of %d characters", i+1, n)
					}
					chars += utf8.RuneCountInString(x.Text.Text)
				}
				if len(x.Fields) > 10 {
					t.Errorf("part %d: %d fields", i+1, len(x.Fields))
				}
				for _, f := range x.Fields {
					if n := utf8.RuneCountInString(f.Text); n > 2000 {
						t.Errorf("part %d: field of %d characters", i+1, n)
					}
					chars += utf8.RuneCountInString(f.Text)
				}
			case *slack.ContextBlock:
				if n := len(x.ContextElements.Elements); n > 10 {
					t.Errorf("part %d: context of %d elements", i+1, n)
				}
				for _, el := range x.ContextElements.Elements {
					chars += utf8.RuneCountInString(el.(*slack.TextBlockObject).Text)
				}
			}
		}
		if chars > 12_000 {
			t.Errorf("part %d holds %d characters", i+1, chars)
		}
	}
}

// allText joins every text of the parts, for searching.
func allText(parts [][]slack.Block) string {
	return jsonOf(parts)
}

func TestDigestGolden(t *testing.T) {
	e := newDigestEnv(t)
	e.seed()
	d := e.digester(digest.Config{})
	digests, err := d.BuildAll(context.Background(), teamID, runAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(digests) != 2 || digests[0].Recipient != userMax || digests[1].Recipient != userMona {
		t.Fatalf("digests for %+v; want Max and Mona", digests)
	}
	mona := digests[1]
	if mona.Week != "2025-W12" || len(mona.Parts) != 1 || mona.Key(0) != "digest:"+userMona+":2025-W12:1" {
		t.Fatalf("Mona's digest: week %s, %d parts, key %s", mona.Week, len(mona.Parts), mona.Key(0))
	}
	checkParts(t, mona.Parts)
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false) // keep <@U…> readable in the golden file
	enc.SetIndent("", "  ")
	if err := enc.Encode(mona.Parts); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "digest_manager.json", js.Bytes())

	text := allText(mona.Parts)
	// The figures, worked out by hand from the fixture: EMEA expansion
	// ($1.2M pursuing, 50%) and the support contract ($40k identified,
	// 10%) are open; Acme (61) and Globex (15) were at 80 and 30 last week.
	for _, want := range []string{
		`$1.2M open in 2 opportunities · $604k weighted`,
		`1 won ($250k) · 1 lost ($80k)`,
		`46 average (▼17 since the last digest on the 2 accounts it covered)`,
		`3 on 2 of 3 accounts`,
		`0 from 4 answers (±0 on the 12 months before)`,
		`1 plan review · 1 tactic`,
		`*Needs attention* (2)`,
		// A win and a loss are stage movements too.
		`*Stage movements* (3: 1 won, 1 lost)`,
		// Every open alert counts, tactic-overdue and plan-review included,
		// as /kam health counts: Globex 5, Acme 5 (no strategy for its
		// objective of ours), Initech 2.
		`12 open (1 critical) · 11 new`,
	} {
		if !strings.Contains(text, jsonText(want)) {
			t.Errorf("Mona's digest lacks %q", want)
		}
	}
	for _, want := range []string{
		"Globex \\u0026lt;Intl\\u0026gt;",                // names are escaped
		"Invoices arrive late \\u0026lt;again\\u0026gt;", // so are comments
		"Renewal 2026",   // a win
		"Pilot",          // a loss
		"EMEA expansion", // a move
		"Umbrella",       // not Mona's: must not appear
	} {
		if got := strings.Contains(text, want); got != (want != "Umbrella") {
			t.Errorf("Mona's digest contains %q: %v", want, got)
		}
	}
	if max := allText(digests[0].Parts); strings.Contains(max, "Acme") || !strings.Contains(max, "Initech") {
		t.Errorf("Max's digest is not about Initech alone:\n%s", max)
	}
}

func TestDigestRun(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	d := e.digester(digest.Config{Channels: map[string]string{"": channelID}})
	if err := d.Run(ctx, runAt); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{userMona, userMax, channelID} {
		m, err := e.db.OutboxMessageByKey(ctx, teamID, "digest:"+to+":2025-W12:1")
		if err != nil {
			t.Fatalf("no digest queued for %s: %v", to, err)
		}
		if m.Channel != to || len(m.Blocks) == 0 || !strings.HasPrefix(m.Text, "Weekly digest, 2025-03-10 – 2025-03-16: health ") {
			t.Fatalf("digest for %s: channel %s, text %q", to, m.Channel, m.Text)
		}
	}
	ch, _ := e.db.OutboxMessageByKey(ctx, teamID, "digest:"+channelID+":2025-W12:1")
	if !strings.Contains(string(ch.Blocks), "Umbrella") || !strings.Contains(string(ch.Blocks), "All 4 accounts") {
		t.Fatal("the channel copy is not the whole workspace's digest")
	}
	stats, _ := e.db.OutboxStats(ctx, teamID)

	// The week is recorded: the next digest compares with it.
	snaps, err := e.db.HealthSnapshots(ctx, teamID, "2025-W13")
	if err != nil || len(snaps) != 4 || snaps[e.ids["Acme Corp"]].Week != "2025-W12" {
		t.Fatalf("snapshots after the run: %+v, %v", snaps, err)
	}

	// A retry within the week queues nothing new.
	if err := d.Run(ctx, runAt.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again, _ := e.db.OutboxStats(ctx, teamID); again.Pending != stats.Pending {
		t.Fatalf("a second run in the week queued %d more messages", again.Pending-stats.Pending)
	}

	// Next week: the change and the new alerts are against this week's run.
	next, err := d.BuildAll(ctx, teamID, runAt.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	if text := allText(next[1].Parts); !strings.Contains(text, "week 2025-W12") || !strings.Contains(text, "*New alerts*") {
		t.Fatalf("next week's digest does not compare with this week's:\n%s", text)
	}
}

func TestDigestRunErrors(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	if _, err := digest.New(digest.Config{}); err == nil {
		t.Error("a digester without a store was built")
	}
	if _, err := digest.New(digest.Config{Store: e.db, Channels: map[string]string{"": "#general"}}); err == nil {
		t.Error("a channel name was taken for a channel ID")
	}
	// A poster that refuses Max's DM: Mona's still goes, snapshots are
	// saved, and the error says who was missed.
	var calls atomic.Int32
	p := posterFunc(func(ctx context.Context, team, channel, key, text string, blocks []slack.Block) error {
		calls.Add(1)
		if channel == userMax {
			return errors.New("queue full")
		}
		return e.out.Notify(ctx, team, channel, key, text, blocks)
	})
	d := e.digester(digest.Config{Poster: p})
	err := d.Run(ctx, runAt)
	if err == nil || !strings.Contains(err.Error(), userMax) {
		t.Fatalf("Run = %v; want an error naming %s", err, userMax)
	}
	if _, err := e.db.OutboxMessageByKey(ctx, teamID, "digest:"+userMona+":2025-W12:1"); err != nil {
		t.Fatalf("Mona's digest was not queued: %v", err)
	}
	if snaps, _ := e.db.HealthSnapshots(ctx, teamID, "2025-W13"); len(snaps) != 4 {
		t.Fatalf("snapshots not saved after a partial failure: %+v", snaps)
	}
	noPoster, _ := digest.New(digest.Config{Store: e.db})
	if err := noPoster.Run(ctx, runAt); err == nil {
		t.Error("Run without a poster succeeded")
	}
}

type posterFunc func(ctx context.Context, team, channel, key, text string, blocks []slack.Block) error

func (f posterFunc) Notify(ctx context.Context, team, channel, key, text string, blocks []slack.Block) error {
	return f(ctx, team, channel, key, text, blocks)
}

func TestUserDigest(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	d := e.digester(digest.Config{})
	for _, tc := range []struct {
		name, user string
		want, not  []string
	}{
		{"manager", userMona, []string{"the 3 accounts you manage", "Acme Corp", "Initech"}, []string{"Umbrella"}},
		{"manager of one", userMax, []string{"the account you manage", "Initech"}, []string{"Acme Corp"}},
		{"KAM", userBen, []string{"the 3 whose team you are on", "Umbrella", "Acme Corp"}, []string{"Initech"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := d.UserDigest(ctx, teamID, tc.user, runAt)
			if err != nil {
				t.Fatal(err)
			}
			checkParts(t, parts)
			text := allText(parts)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(text, n) {
					t.Errorf("shows %q", n)
				}
			}
		})
	}
	if parts, err := d.UserDigest(ctx, teamID, userNobody, runAt); err != nil || parts != nil {
		t.Fatalf("outsider's digest = %v, %v; want none", parts, err)
	}
	if parts, err := d.UserDigest(ctx, "T0ELSEWH", userMona, runAt); err != nil || parts != nil {
		t.Fatalf("digest in another workspace = %v, %v; want none", parts, err)
	}
	// /kam digest records nothing.
	if snaps, _ := e.db.HealthSnapshots(ctx, teamID, "2025-W13"); len(snaps) != 2 {
		t.Fatalf("UserDigest saved snapshots: %+v", snaps)
	}
}

func TestDigestSummaries(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	var mu sync.Mutex
	asked := map[int64]int{}
	d := e.digester(digest.Config{
		SummaryTimeout: 50 * time.Millisecond,
		Summary: func(ctx context.Context, acct kam.Account) (string, bool) {
			id := acct.ID
			mu.Lock()
			asked[id]++
			mu.Unlock()
			switch id {
			case e.ids["Acme Corp"]:
				return "Acme signed the renewal.\n  A detractor complained about invoices.", true
			case e.ids["Globex <Intl>"]:
				<-ctx.Done() // too slow: left out
				return "TOO-SLOW", true
			}
			panic("summary asked for an account that needs no attention")
		},
	})
	parts, err := d.UserDigest(ctx, teamID, userMona, runAt)
	if err != nil {
		t.Fatal(err)
	}
	text := allText(parts)
	if !strings.Contains(text, "\\u003e Acme signed the renewal. A detractor complained about invoices.") || strings.Contains(text, "TOO-SLOW") {
		t.Fatalf("summaries not as expected:\n%s", text)
	}
	if asked[e.ids["Acme Corp"]] != 1 || asked[e.ids["Globex <Intl>"]] != 1 || len(asked) != 2 {
		t.Fatalf("summary asked for %v; want Acme and Globex once each", asked)
	}
}

// TestDigestSplits builds a digest too long for one message: every part
// keeps Slack's limits, and no account is dropped.
func TestDigestSplits(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.clock.Set(runAt.AddDate(-1, 0, 0))
	const n = 300
	for i := range n {
		a := kam.Account{TeamID: teamID, Name: "Account with a rather long name number " + itoa(int64(i)), Tier: kam.TierPartner, OwnerID: userAna}
		e.must(e.db.CreateAccount(ctx, &a, userAdmin))
		e.must(e.db.PutMember(ctx, kam.Member{TeamID: teamID, AccountID: a.ID, UserID: userMona, Role: kam.RoleManager}, userAdmin))
	}
	e.clock.Set(runAt)
	d := e.digester(digest.Config{})
	// Laid out whole, the digest keeps every account.
	all, err := d.UserDigest(ctx, teamID, userMona, runAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= digest.MaxParts {
		t.Fatalf("%d parts for %d accounts: too few to be cut", len(all), n)
	}
	checkParts(t, all)
	text := allText(all)
	for i := range n {
		if !strings.Contains(text, "number "+itoa(int64(i))+"*") {
			t.Fatalf("account %d is missing from the split digest", i)
		}
	}
	// Sent, it is cut after MaxParts parts, the last saying what is not sent.
	digests, err := d.BuildAll(ctx, teamID, runAt)
	if err != nil {
		t.Fatal(err)
	}
	parts := digests[0].Parts
	if len(parts) != digest.MaxParts {
		t.Fatalf("%d parts sent, want %d", len(parts), digest.MaxParts)
	}
	checkParts(t, parts)
	total := itoa(int64(len(all)))
	for i, p := range parts {
		last := p[len(p)-1].(*slack.ContextBlock).ContextElements.Elements[0].(*slack.TextBlockObject).Text
		if want := "Part " + itoa(int64(i+1)) + " of " + total + " of this digest"; !strings.HasPrefix(last, want) {
			t.Errorf("part %d ends with %q, want %q", i+1, last, want)
		}
		if cut := strings.Contains(last, "are not shown here"); cut != (i == len(parts)-1) {
			t.Errorf("part %d ends with %q", i+1, last)
		}
		if !strings.Contains(digests[0].Texts[i], "(part "+itoa(int64(i+1))+" of "+total+")") {
			t.Errorf("part %d's notification text %q", i+1, digests[0].Texts[i])
		}
	}
}

func TestParseDigestChannels(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
		ok   bool
	}{
		{"", nil, true},
		{" C0123ABCD ", map[string]string{"": "C0123ABCD"}, true},
		{"T01AAA:C01BBB, T02CCC:G02DDD", map[string]string{"T01AAA": "C01BBB", "T02CCC": "G02DDD"}, true},
		{"#general", nil, false},
		{"T01AAA:general", nil, false},
		{"team:C01BBB", nil, false},
		{"C01BBB,C02CCC", nil, false},
	} {
		got, err := digest.ParseChannels(tc.in)
		if (err == nil) != tc.ok || jsonOf(got) != jsonOf(tc.want) {
			t.Errorf("ParseChannels(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// reversedInputs serves the health inputs in the reverse of the order
// asked for, which the Store contract does not allow but a digest must
// survive: each account is matched to its own inputs by ID.
type reversedInputs struct{ *store.DB }

func (r reversedInputs) HealthInputsEach(ctx context.Context, teamID string, accts []kam.Account, now time.Time, fn func(kam.HealthInput) error) error {
	ins, err := r.HealthInputs(ctx, teamID, accts, now)
	if err != nil {
		return err
	}
	for i := len(ins) - 1; i >= 0; i-- {
		if err := fn(ins[i]); err != nil {
			return err
		}
	}
	return nil
}

// TestDigestKeepsEachAccountsOwn: the digest keeps each account as the
// caller's list holds it, not a copy per account; inputs served out of
// order still give every account its own name, owner and slug, and the
// same digest.
func TestDigestKeepsEachAccountsOwn(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	inOrder := e.digester(digest.Config{})
	reversed, err := digest.New(digest.Config{Store: reversedInputs{e.db}, Poster: e.out})
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{userMona, userBen} {
		want, err := inOrder.UserDigest(ctx, teamID, user, runAt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := reversed.UserDigest(ctx, teamID, user, runAt)
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(got) != jsonOf(want) {
			t.Errorf("%s: the digest from inputs out of order differs:\n%s\nwant:\n%s", user, jsonOf(got), jsonOf(want))
		}
	}
	want, err := inOrder.BuildAll(ctx, teamID, runAt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reversed.BuildAll(ctx, teamID, runAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d digests, want %d", len(got), len(want))
	}
	for i := range want {
		if jsonOf(got[i].Parts) != jsonOf(want[i].Parts) {
			t.Errorf("digest of %s from inputs out of order differs", want[i].Recipient)
		}
	}
}

// TestDigestRecordsAlertKeys: the week's snapshots hold each account's
// alerts by kam.Alert.Key, as the account's own assessment words them, so
// that the next digest tells new alerts from known ones.
func TestDigestRecordsAlertKeys(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	if err := e.digester(digest.Config{}).Run(ctx, runAt); err != nil {
		t.Fatal(err)
	}
	snaps, err := e.db.HealthSnapshots(ctx, teamID, "2025-W13")
	if err != nil {
		t.Fatal(err)
	}
	accts, err := e.db.Accounts(ctx, teamID)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := e.db.HealthInputs(ctx, teamID, accts, runAt)
	if err != nil {
		t.Fatal(err)
	}
	subjects := 0
	for _, in := range ins {
		var want []string
		for _, al := range kam.AssessHealth(in, runAt).Alerts {
			want = append(want, al.Key())
			if al.Subject != "" {
				subjects++
			}
		}
		got := snaps[in.Account.ID].Alerts
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: recorded alerts %q, want %q", in.Account.Name, got, want)
		}
	}
	if subjects == 0 {
		t.Fatal("the fixture raises no alert with a subject: the keys' subjects go untested")
	}
}
