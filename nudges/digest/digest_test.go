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

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

// The digest fixture's workspace and people.
const (
	dgTeam   = "T0DIGEST"
	dgAdmin  = "UDGADMIN"
	dgMona   = "UDGMONA1" // manages Acme, Globex and Initech
	dgMax    = "UDGMAX01" // manages Initech
	dgAna    = "UDGANA01" // KAM of Acme and Initech
	dgBen    = "UDGBEN01" // KAM of Globex, member of Acme
	dgNobody = "UDGNOBOD" // on no team
	dgChan   = "C0DIGEST"
)

// dgNow is a Monday morning, when the weekly digest runs.
var dgNow = time.Date(2025, 3, 17, 8, 0, 0, 0, time.UTC)

func init() {
	// Another test file of the package may define -update; share it.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func dgUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// dgGolden compares got with testdata/name; -update rewrites it.
func dgGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if dgUpdate() {
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

type dgClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *dgClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *dgClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// dgSlack is the outbox's Slack side; the tests never run the sender, so
// nothing may reach it.
type dgSlack struct{}

func (dgSlack) PostMessage(context.Context, string, string, []slack.Block, slack.SlackMetadata) (string, string, error) {
	return "", "", errors.New("not in this test")
}

func (dgSlack) History(context.Context, string, time.Time) ([]outbox.Msg, error) {
	return nil, errors.New("not in this test")
}

// dgEnv is a seeded database with the outbox in front of it.
type dgEnv struct {
	t     testing.TB
	db    *store.DB
	clock *dgClock
	out   *outbox.Sender
	ids   map[string]int64
}

func newDigestEnv(t testing.TB) *dgEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, filepath.Join(t.TempDir(), "kambot.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &dgClock{t: dgNow.AddDate(-1, 0, 0)}
	db.Now = clock.Now
	out, err := outbox.New(outbox.Config{Store: db, Slack: dgSlack{}, Now: clock.Now,
		Classify: func(error) (time.Duration, bool) { return 0, true }})
	if err != nil {
		t.Fatal(err)
	}
	return &dgEnv{t: t, db: db, clock: clock, out: out, ids: map[string]int64{}}
}

func (e *dgEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// at is a time days before dgNow, at hour o'clock.
func dgAt(days, hour int) time.Time {
	return time.Date(dgNow.Year(), dgNow.Month(), dgNow.Day()-days, hour, 0, 0, 0, time.UTC)
}

// seed writes the fixture: four accounts, their teams, a week of work, a
// plan with an overdue tactic, survey answers, and last week's snapshots.
func (e *dgEnv) seed() {
	ctx := context.Background()
	e.clock.Set(dgAt(400, 9))
	for _, a := range []kam.Account{
		{Name: "Acme Corp", Tier: kam.TierPartner, OwnerID: dgAna, ChannelID: "C0ACME01", Cadence: kam.CadenceMonthly},
		{Name: "Globex <Intl>", Tier: kam.TierConsultant, OwnerID: dgBen, Cadence: kam.CadenceWeekly},
		{Name: "Initech", Tier: kam.TierVendor, OwnerID: dgAna, Cadence: kam.CadenceQuarterly},
		{Name: "Umbrella", Tier: kam.TierPreferred, OwnerID: dgBen, Cadence: kam.CadenceMonthly},
	} {
		a.TeamID = dgTeam
		e.must(e.db.CreateAccount(ctx, &a, dgAdmin))
		e.ids[a.Name] = a.ID
	}
	put := func(acct, user string, role kam.Role) {
		e.must(e.db.PutMember(ctx, kam.Member{TeamID: dgTeam, AccountID: e.ids[acct], UserID: user, Role: role}, dgAdmin))
	}
	put("Acme Corp", dgMona, kam.RoleManager)
	put("Acme Corp", dgBen, kam.RoleMember)
	put("Globex <Intl>", dgMona, kam.RoleManager)
	put("Initech", dgMona, kam.RoleManager)
	put("Initech", dgMax, kam.RoleManager)

	log := func(acct, user string, kind kam.InteractionKind, when time.Time) {
		e.clock.Set(when)
		in := kam.Interaction{TeamID: dgTeam, AccountID: e.ids[acct], UserID: user, Kind: kind, Summary: "Worked the account", At: when}
		e.must(e.db.LogInteraction(ctx, &in, user))
	}
	log("Acme Corp", dgAna, kam.KindMeeting, dgAt(3, 10))
	log("Acme Corp", dgBen, kam.KindCall, dgAt(2, 15))
	log("Acme Corp", dgAna, kam.KindNote, dgAt(2, 16)) // a note is no contact
	log("Globex <Intl>", dgBen, kam.KindEmail, dgAt(20, 9))
	log("Initech", dgAna, kam.KindCall, dgAt(5, 11))
	log("Umbrella", dgBen, kam.KindVisit, dgAt(6, 9))

	opp := func(acct, name string, value int64, created time.Time) int64 {
		e.clock.Set(created)
		o := kam.Opportunity{TeamID: dgTeam, AccountID: e.ids[acct], Name: name, Value: value}
		e.must(e.db.AddOpportunity(ctx, &o, dgAna))
		return o.ID
	}
	move := func(id int64, to kam.Stage, when time.Time) {
		e.clock.Set(when)
		_, err := e.db.MoveStage(ctx, dgTeam, id, to, dgAna, "", when)
		e.must(err)
	}
	renewal := opp("Acme Corp", "Renewal 2026", 250_000, dgAt(60, 9))
	move(renewal, kam.StageClosing, dgAt(30, 9))
	move(renewal, kam.StageContracted, dgAt(1, 14))
	expansion := opp("Acme Corp", "EMEA expansion", 1_200_000, dgAt(40, 9))
	move(expansion, kam.StagePursuing, dgAt(4, 9))
	pilot := opp("Globex <Intl>", "Pilot", 80_000, dgAt(50, 9))
	move(pilot, kam.StageLost, dgAt(2, 9))
	opp("Initech", "Support contract", 40_000, dgAt(10, 9))

	e.clock.Set(dgAt(90, 9))
	obj := kam.Objective{TeamID: dgTeam, AccountID: e.ids["Acme Corp"], Text: "Grow share of wallet"}
	e.must(e.db.AddObjective(ctx, &obj, dgAna))
	tac := kam.Tactic{TeamID: dgTeam, AccountID: e.ids["Acme Corp"], Text: "Joint roadmap workshop", OwnerID: dgBen, Due: dgAt(10, 0)}
	e.must(e.db.AddTactic(ctx, &tac, dgAna))

	rec := func(acct string, score int, contact, comment string, when time.Time) {
		e.clock.Set(dgNow)
		a := store.SurveyAnswer{TeamID: dgTeam, AccountID: e.ids[acct], Score: score, Contact: contact, Comment: comment, At: when}
		e.must(e.db.RecordSurveyAnswer(ctx, &a, dgAna))
	}
	rec("Acme Corp", 9, "Jane Doe", "", dgAt(200, 10))
	rec("Acme Corp", 10, "Raj Patel", "", dgAt(100, 10))
	rec("Acme Corp", 4, "Li Wei", "Invoices arrive late <again> & again", dgAt(2, 10))
	rec("Globex <Intl>", 8, "Otto", "", dgAt(500, 10))
	rec("Globex <Intl>", 6, "Otto", "", dgAt(30, 10))

	// Last week's digest saw Acme at 80 with no alerts, Globex at 30.
	e.clock.Set(dgNow.AddDate(0, 0, -7))
	e.must(e.db.SaveHealthSnapshots(ctx, dgTeam, "2025-W11", []store.HealthSnapshot{
		{AccountID: e.ids["Acme Corp"], Score: 80},
		{AccountID: e.ids["Globex <Intl>"], Score: 30, Alerts: []string{"no-contact:" + dgItoa(e.ids["Globex <Intl>"])}},
	}))
	e.clock.Set(dgNow)
}

func dgItoa(v int64) string { return strconv.FormatInt(v, 10) }

// dgJSONText is s as it appears inside dgJSON's output.
func dgJSONText(s string) string {
	js := dgJSON(s)
	return js[1 : len(js)-1]
}

func dgJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (e *dgEnv) digester(cfg digest.DigesterConfig) *digest.Digester {
	e.t.Helper()
	cfg.Store = e.db
	if cfg.Poster == nil {
		cfg.Poster = e.out
	}
	d, err := digest.NewDigester(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// checkParts asserts Slack's limits on every part of a digest.
func dgCheckParts(t *testing.T, parts [][]slack.Block) {
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

// textOf joins every text of the parts, for searching.
func dgText(parts [][]slack.Block) string {
	return dgJSON(parts)
}

func TestDigestGolden(t *testing.T) {
	e := newDigestEnv(t)
	e.seed()
	d := e.digester(digest.DigesterConfig{})
	digests, err := d.BuildAll(context.Background(), dgTeam, dgNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(digests) != 2 || digests[0].Recipient != dgMax || digests[1].Recipient != dgMona {
		t.Fatalf("digests for %+v; want Max and Mona", digests)
	}
	mona := digests[1]
	if mona.Week != "2025-W12" || len(mona.Parts) != 1 || mona.Key(0) != "digest:"+dgMona+":2025-W12:1" {
		t.Fatalf("Mona's digest: week %s, %d parts, key %s", mona.Week, len(mona.Parts), mona.Key(0))
	}
	dgCheckParts(t, mona.Parts)
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false) // keep <@U…> readable in the golden file
	enc.SetIndent("", "  ")
	if err := enc.Encode(mona.Parts); err != nil {
		t.Fatal(err)
	}
	dgGolden(t, "digest_manager.json", js.Bytes())

	text := dgText(mona.Parts)
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
	} {
		if !strings.Contains(text, dgJSONText(want)) {
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
	if max := dgText(digests[0].Parts); strings.Contains(max, "Acme") || !strings.Contains(max, "Initech") {
		t.Errorf("Max's digest is not about Initech alone:\n%s", max)
	}
}

func TestDigestRun(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	d := e.digester(digest.DigesterConfig{Channels: map[string]string{"": dgChan}})
	if err := d.Run(ctx, dgNow); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{dgMona, dgMax, dgChan} {
		m, err := e.db.OutboxMessageByKey(ctx, dgTeam, "digest:"+to+":2025-W12:1")
		if err != nil {
			t.Fatalf("no digest queued for %s: %v", to, err)
		}
		if m.Channel != to || len(m.Blocks) == 0 || !strings.HasPrefix(m.Text, "Weekly digest, 10–16 Mar 2025: health ") {
			t.Fatalf("digest for %s: channel %s, text %q", to, m.Channel, m.Text)
		}
	}
	ch, _ := e.db.OutboxMessageByKey(ctx, dgTeam, "digest:"+dgChan+":2025-W12:1")
	if !strings.Contains(string(ch.Blocks), "Umbrella") || !strings.Contains(string(ch.Blocks), "All 4 accounts") {
		t.Fatal("the channel copy is not the whole workspace's digest")
	}
	stats, _ := e.db.OutboxStats(ctx, dgTeam)

	// The week is recorded: the next digest compares with it.
	snaps, err := e.db.HealthSnapshots(ctx, dgTeam, "2025-W13")
	if err != nil || len(snaps) != 4 || snaps[e.ids["Acme Corp"]].Week != "2025-W12" {
		t.Fatalf("snapshots after the run: %+v, %v", snaps, err)
	}

	// A retry within the week queues nothing new.
	if err := d.Run(ctx, dgNow.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again, _ := e.db.OutboxStats(ctx, dgTeam); again.Pending != stats.Pending {
		t.Fatalf("a second run in the week queued %d more messages", again.Pending-stats.Pending)
	}

	// Next week: the change and the new alerts are against this week's run.
	next, err := d.BuildAll(ctx, dgTeam, dgNow.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	if text := dgText(next[1].Parts); !strings.Contains(text, "week 2025-W12") || !strings.Contains(text, "*New alerts*") {
		t.Fatalf("next week's digest does not compare with this week's:\n%s", text)
	}
}

func TestDigestRunErrors(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	if _, err := digest.NewDigester(digest.DigesterConfig{}); err == nil {
		t.Error("a digester without a store was built")
	}
	if _, err := digest.NewDigester(digest.DigesterConfig{Store: e.db, Channels: map[string]string{"": "#general"}}); err == nil {
		t.Error("a channel name was taken for a channel ID")
	}
	// A poster that refuses Max's DM: Mona's still goes, snapshots are
	// saved, and the error says who was missed.
	var calls atomic.Int32
	p := dgPosterFunc(func(ctx context.Context, team, channel, key, text string, blocks []slack.Block) error {
		calls.Add(1)
		if channel == dgMax {
			return errors.New("queue full")
		}
		return e.out.Notify(ctx, team, channel, key, text, blocks)
	})
	d := e.digester(digest.DigesterConfig{Poster: p})
	err := d.Run(ctx, dgNow)
	if err == nil || !strings.Contains(err.Error(), dgMax) {
		t.Fatalf("Run = %v; want an error naming %s", err, dgMax)
	}
	if _, err := e.db.OutboxMessageByKey(ctx, dgTeam, "digest:"+dgMona+":2025-W12:1"); err != nil {
		t.Fatalf("Mona's digest was not queued: %v", err)
	}
	if snaps, _ := e.db.HealthSnapshots(ctx, dgTeam, "2025-W13"); len(snaps) != 4 {
		t.Fatalf("snapshots not saved after a partial failure: %+v", snaps)
	}
	noPoster, _ := digest.NewDigester(digest.DigesterConfig{Store: e.db})
	if err := noPoster.Run(ctx, dgNow); err == nil {
		t.Error("Run without a poster succeeded")
	}
}

type dgPosterFunc func(ctx context.Context, team, channel, key, text string, blocks []slack.Block) error

func (f dgPosterFunc) Notify(ctx context.Context, team, channel, key, text string, blocks []slack.Block) error {
	return f(ctx, team, channel, key, text, blocks)
}

func TestUserDigest(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	d := e.digester(digest.DigesterConfig{})
	for _, tc := range []struct {
		name, user string
		want, not  []string
	}{
		{"manager", dgMona, []string{"the 3 accounts you manage", "Acme Corp", "Initech"}, []string{"Umbrella"}},
		{"manager of one", dgMax, []string{"the account you manage", "Initech"}, []string{"Acme Corp"}},
		{"KAM", dgBen, []string{"the 3 whose team you are on", "Umbrella", "Acme Corp"}, []string{"Initech"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := d.UserDigest(ctx, dgTeam, tc.user, dgNow)
			if err != nil {
				t.Fatal(err)
			}
			dgCheckParts(t, parts)
			text := dgText(parts)
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
	if parts, err := d.UserDigest(ctx, dgTeam, dgNobody, dgNow); err != nil || parts != nil {
		t.Fatalf("outsider's digest = %v, %v; want none", parts, err)
	}
	if parts, err := d.UserDigest(ctx, "T0ELSEWH", dgMona, dgNow); err != nil || parts != nil {
		t.Fatalf("digest in another workspace = %v, %v; want none", parts, err)
	}
	// /kam digest records nothing.
	if snaps, _ := e.db.HealthSnapshots(ctx, dgTeam, "2025-W13"); len(snaps) != 2 {
		t.Fatalf("UserDigest saved snapshots: %+v", snaps)
	}
}

func TestDigestSummaries(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	var mu sync.Mutex
	asked := map[int64]int{}
	d := e.digester(digest.DigesterConfig{
		SummaryTimeout: 50 * time.Millisecond,
		Summary: func(ctx context.Context, id int64) (string, bool) {
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
	parts, err := d.UserDigest(ctx, dgTeam, dgMona, dgNow)
	if err != nil {
		t.Fatal(err)
	}
	text := dgText(parts)
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
	e.clock.Set(dgNow.AddDate(-1, 0, 0))
	const n = 300
	for i := range n {
		a := kam.Account{TeamID: dgTeam, Name: "Account with a rather long name number " + dgItoa(int64(i)), Tier: kam.TierPartner, OwnerID: dgAna}
		e.must(e.db.CreateAccount(ctx, &a, dgAdmin))
		e.must(e.db.PutMember(ctx, kam.Member{TeamID: dgTeam, AccountID: a.ID, UserID: dgMona, Role: kam.RoleManager}, dgAdmin))
	}
	e.clock.Set(dgNow)
	digests, err := e.digester(digest.DigesterConfig{}).BuildAll(ctx, dgTeam, dgNow)
	if err != nil {
		t.Fatal(err)
	}
	parts := digests[0].Parts
	if len(parts) < 3 {
		t.Fatalf("%d parts for %d accounts", len(parts), n)
	}
	dgCheckParts(t, parts)
	text := dgText(parts)
	for i := range n {
		if !strings.Contains(text, "number "+dgItoa(int64(i))+"*") {
			t.Fatalf("account %d is missing from the split digest", i)
		}
	}
	for i, p := range parts {
		last := p[len(p)-1].(*slack.ContextBlock).ContextElements.Elements[0].(*slack.TextBlockObject).Text
		if want := "Part " + dgItoa(int64(i+1)) + " of " + dgItoa(int64(len(parts))); !strings.HasPrefix(last, want) {
			t.Errorf("part %d ends with %q", i+1, last)
		}
		if !strings.Contains(digests[0].Texts[i], "(part "+dgItoa(int64(i+1))) {
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
		got, err := digest.ParseDigestChannels(tc.in)
		if (err == nil) != tc.ok || dgJSON(got) != dgJSON(tc.want) {
			t.Errorf("ParseDigestChannels(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestISOWeek(t *testing.T) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Skip("no time zone data")
	}
	for _, tc := range []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{dgNow, time.UTC, "2025-W12"},
		{time.Date(2024, 12, 30, 12, 0, 0, 0, time.UTC), time.UTC, "2025-W01"},
		{time.Date(2025, 3, 16, 23, 30, 0, 0, time.UTC), zurich, "2025-W12"}, // already Monday in Zurich
		{time.Date(2025, 3, 16, 23, 30, 0, 0, time.UTC), time.UTC, "2025-W11"},
	} {
		if got := digest.ISOWeek(tc.t, tc.loc); got != tc.want {
			t.Errorf("ISOWeek(%v, %v) = %s, want %s", tc.t, tc.loc, got, tc.want)
		}
	}
}
