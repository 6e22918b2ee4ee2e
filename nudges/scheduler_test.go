package nudges_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests name, on machines without zoneinfo

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

const (
	schedTeam  = "T0ACME"
	schedOther = "T0OTHER"
	schedAdmin = "U0ADMIN"
	schedAna   = "U0ANA"  // KAM of Acme
	schedBen   = "U0BEN"  // member of Acme, owns its renewal and a tactic; KAM of Globex
	schedSara  = "U0SARA" // Acme's executive sponsor
)

// The SQLite store and the outbox sender are what serve wires in.
var (
	_ nudges.Store = (*store.DB)(nil)
	_ nudges.Waker = (*outbox.Sender)(nil)
)

var zurich = mustZone("Europe/Zurich")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// schedT0 is a Monday, 07:00 in Zurich: the first sweep of the scenario.
var schedT0 = time.Date(2025, 3, 10, 7, 0, 0, 0, zurich)

// schedClock is a settable clock.
type schedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *schedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *schedClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// countingStore counts sweeps (each starts by listing the workspaces) and
// can make them fail.
type countingStore struct {
	*store.DB
	mu     sync.Mutex
	sweeps []time.Time
	fail   error
	clock  func() time.Time
}

func (c *countingStore) Teams(ctx context.Context) ([]string, error) {
	c.mu.Lock()
	c.sweeps = append(c.sweeps, c.clock())
	err := c.fail
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return c.DB.Teams(ctx)
}

func (c *countingStore) sweepTimes() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sweeps)
}

func (c *countingStore) setFail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = err
}

// world is a seeded portfolio on a real database.
type world struct {
	t      *testing.T
	db     *store.DB
	path   string
	clock  *schedClock
	store  *countingStore
	acme   kam.Account
	globex kam.Account
	other  kam.Account
	oppID  int64
}

// newWorld seeds, relative to schedT0:
//   - Acme Corp (monthly, KAM ana, sponsor sara, channel C0ACME, member ben),
//     added 200 days ago; ana's call two days ago is its only contact; its
//     plan was last reviewed 40 days ago (review due 10 days ago); ben's
//     renewal has been pursuing for 50 days (stalled after 45); ben's
//     tactic 1 is due on 12 March.
//   - Globex (weekly, KAM ben), added 10 days ago, never contacted.
//   - Initech, in another workspace, healthy.
func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	path := storetest.DSN(t, "kambot.db")
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &schedClock{}
	db.Now = clock.Now
	w := &world{t: t, db: db, path: path, clock: clock}
	w.store = &countingStore{DB: db, clock: clock.Now}
	at := func(days int) time.Time { return schedT0.Add(time.Duration(days) * 24 * time.Hour) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	clock.Set(at(-200))
	w.acme = kam.Account{TeamID: schedTeam, Name: "Acme Corp", OwnerID: schedAna, SponsorID: schedSara,
		Cadence: kam.CadenceMonthly, ChannelID: "C0ACME"}
	must(db.CreateAccount(ctx, &w.acme, schedAdmin))
	must(db.PutMember(ctx, kam.Member{TeamID: schedTeam, AccountID: w.acme.ID, UserID: schedBen, Role: kam.RoleMember}, schedAdmin))
	w.other = kam.Account{TeamID: schedOther, Name: "Initech", OwnerID: "U0OTHER", Cadence: kam.CadenceQuarterly}
	must(db.CreateAccount(ctx, &w.other, schedAdmin))

	clock.Set(at(-100))
	opp := kam.Opportunity{TeamID: schedTeam, AccountID: w.acme.ID, Name: "Renewal", Value: 250_000, OwnerID: schedBen}
	must(db.AddOpportunity(ctx, &opp, schedBen))
	w.oppID = opp.ID
	clock.Set(at(-60))
	must(db.AddObjective(ctx, &kam.Objective{TeamID: schedTeam, AccountID: w.acme.ID, For: kam.ForUs, Text: "Grow the service share"}, schedAna))
	must(db.AddTactic(ctx, &kam.Tactic{TeamID: schedTeam, AccountID: w.acme.ID, Text: "Run a joint workshop", OwnerID: schedBen,
		Due: time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC)}, schedAna))
	clock.Set(at(-50))
	_, err = db.MoveStage(ctx, schedTeam, opp.ID, kam.StagePursuing, schedBen, "", at(-50), nil)
	must(err)

	clock.Set(at(-40))
	must(db.RecordPlanReview(ctx, &kam.PlanReview{TeamID: schedTeam, AccountID: w.acme.ID}, schedAna))
	// The other workspace's account stays healthy: contact and a fresh review.
	must(db.AddObjective(ctx, &kam.Objective{TeamID: schedOther, AccountID: w.other.ID, For: kam.ForUs, Text: "Keep"}, "U0OTHER"))

	clock.Set(at(-10))
	w.globex = kam.Account{TeamID: schedTeam, Name: "Globex", OwnerID: schedBen, Cadence: kam.CadenceWeekly}
	must(db.CreateAccount(ctx, &w.globex, schedAdmin))

	clock.Set(at(-2))
	must(db.LogInteraction(ctx, &kam.Interaction{TeamID: schedTeam, AccountID: w.acme.ID, Kind: kam.KindCall, Summary: "Renewal timing", At: at(-2)}, schedAna, nil))
	must(db.LogInteraction(ctx, &kam.Interaction{TeamID: schedOther, AccountID: w.other.ID, Kind: kam.KindCall, Summary: "Hello", At: at(-2)}, "U0OTHER", nil))
	must(db.RecordPlanReview(ctx, &kam.PlanReview{TeamID: schedOther, AccountID: w.other.ID}, "U0OTHER"))
	return w
}

func (w *world) scheduler(cfg nudges.Config) *nudges.Scheduler {
	w.t.Helper()
	cfg.Store = w.store
	cfg.Now = w.clock.Now
	if cfg.TZ == nil {
		cfg.TZ = zurich
	}
	s, err := nudges.New(cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// outboxRow is one queued message.
type outboxRow struct {
	team, key, channel, text string
	blocks                   json.RawMessage
}

// outbox lists every queued message, oldest first, through a connection of
// its own.
func (w *world) outbox() []outboxRow {
	w.t.Helper()
	raw := storetest.Raw(w.t, w.path)
	rows, err := raw.Query(`SELECT team_id, key, channel, text, blocks FROM outbox ORDER BY id`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		var blocks string
		if err := rows.Scan(&r.team, &r.key, &r.channel, &r.text, &blocks); err != nil {
			w.t.Fatal(err)
		}
		r.blocks = json.RawMessage(blocks)
		out = append(out, r)
	}
	return out
}

func (w *world) keys() []string {
	var out []string
	for _, r := range w.outbox() {
		out = append(out, r.key)
	}
	return out
}

func key(kind kam.NudgeKind, item string, acct int64, to, period string) string {
	k := kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: acct, Kind: kind, Item: item, Period: period}, Recipient: to}
	if p, round, ok := strings.Cut(period, "+"); ok {
		k.Period, k.Round = p, round
	}
	return k.String()
}

// TestScenario drives the scheduler through five weeks, one RunDue each
// morning at 07:00 Zurich time, and checks what is queued each day, to
// whom. After the first sweep ana handles the plan review and ben snoozes
// the stalled renewal; the account's channel then changes, which would
// address both anew if handling and snoozing did not keep them quiet.
func TestScenario(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := w.scheduler(nudges.Config{})
	A, G, O := w.acme.ID, w.globex.ID, fmt.Sprint(w.oppID)

	// The first start records a baseline: nothing from before it is replayed.
	w.clock.Set(schedT0.Add(-time.Hour))
	if err := s.RunDue(ctx, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got := w.keys(); len(got) != 0 {
		t.Fatalf("baseline run queued %v", got)
	}

	want := map[int][]string{
		0: {
			key(kam.NudgePlanReview, "", A, schedAna, "2025-02-28"), key(kam.NudgePlanReview, "", A, "C0ACME", "2025-02-28"),
			key(kam.NudgeStalled, O, A, schedBen, "2025-03-05"), key(kam.NudgeStalled, O, A, "C0ACME", "2025-03-05"),
			key(kam.NudgeSponsor, schedSara, A, schedSara, "2025-Q1"), key(kam.NudgeSponsor, schedSara, A, schedAna, "2025-Q1"),
			key(kam.NudgeNoContact, "", G, schedBen, "2025-03-07"),
		},
		2:  {key(kam.NudgeTactic, "1", A, schedBen, "2025-W11")},
		4:  {key(kam.NudgeNoContact, "", G, schedBen, "2025-03-14")},
		7:  {key(kam.NudgeTactic, "1", A, schedBen, "2025-W12")},
		8:  {key(kam.NudgeStalled, O, A, schedBen, "2025-03-05+2025-03-17"), key(kam.NudgeStalled, O, A, "C0ACME2", "2025-03-05+2025-03-17")},
		11: {key(kam.NudgeNoContact, "", G, schedBen, "2025-03-21")},
		14: {key(kam.NudgeTactic, "1", A, schedBen, "2025-W13")},
		18: {key(kam.NudgeNoContact, "", G, schedBen, "2025-03-28")},
		// Summer time began on 30 March: 07:00 is now an hour earlier in
		// UTC, so windows counted from a winter morning open a day later.
		21: {key(kam.NudgeTactic, "1", A, schedBen, "2025-W14"),
			key(kam.NudgePlanReview, "", A, schedAna, "2025-03-30"), key(kam.NudgePlanReview, "", A, "C0ACME2", "2025-03-30")},
		22: {key(kam.NudgeSponsor, schedSara, A, schedSara, "2025-Q2"), key(kam.NudgeSponsor, schedSara, A, schedAna, "2025-Q2")},
		26: {key(kam.NudgeNoContact, "", G, schedBen, "2025-04-04")},
		28: {key(kam.NudgeTactic, "1", A, schedBen, "2025-W15")},
		29: {key(kam.NudgeNoContact, "", A, schedAna, "2025-04-07"), key(kam.NudgeNoContact, "", A, "C0ACME2", "2025-04-07")},
		33: {key(kam.NudgeNoContact, "", G, schedBen, "2025-04-11")},
		35: {key(kam.NudgeTactic, "1", A, schedBen, "2025-W16")},
	}

	seen := 0
	for d := 0; d <= 35; d++ {
		now := schedT0.AddDate(0, 0, d)
		w.clock.Set(now)
		if err := s.RunDue(ctx, now); err != nil {
			t.Fatalf("day %d: %v", d, err)
		}
		all := w.keys()
		got := all[seen:]
		seen = len(all)
		exp := slices.Clone(want[d])
		slices.Sort(exp)
		g := slices.Clone(got)
		slices.Sort(g)
		if !slices.Equal(g, exp) {
			t.Errorf("day %d (%s): queued\n  %s\nwant\n  %s", d, now.Format("Mon 2 Jan"), strings.Join(g, "\n  "), strings.Join(exp, "\n  "))
		}

		switch d {
		case 0:
			// A second sweep at the same moment queues nothing.
			rep, err := s.Sweep(ctx, now)
			if err != nil || rep.Queued != 0 || rep.Already != 7 {
				t.Fatalf("repeated sweep: %+v, %v", rep, err)
			}
			w.clock.Set(now.Add(2 * time.Hour))
			topic := kam.NudgeTopic{AccountID: A, Kind: kam.NudgePlanReview, Period: "2025-02-28"}
			if _, err := w.db.HandleNudge(ctx, schedTeam, topic, kam.HowReviewed, schedAna); err != nil {
				t.Fatal(err)
			}
			stalled := kam.NudgeTopic{AccountID: A, Kind: kam.NudgeStalled, Item: O, Period: "2025-03-05"}
			if _, err := w.db.SnoozeNudge(ctx, schedTeam, stalled, schedBen, now.Add(2*time.Hour+7*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			w.acme.ChannelID = "C0ACME2"
			if err := w.db.UpdateAccount(ctx, &w.acme, schedAdmin, []string{"channel"}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Every message went where its key says, in the workspace of its account.
	for _, r := range w.outbox() {
		k, err := kam.ParseNudgeKey(r.key)
		if err != nil {
			t.Fatalf("outbox key %q: %v", r.key, err)
		}
		if r.channel != k.Recipient || r.team != schedTeam {
			t.Errorf("%s queued to %s in %s", r.key, r.channel, r.team)
		}
	}
}

// TestMessages checks the first sweep's messages: each carries the four
// buttons, whose values name its own key, and says why the recipient gets
// it. The rendered blocks are pinned in testdata/nudges.golden.json.
func TestMessages(t *testing.T) {
	w := newWorld(t)
	s := w.scheduler(nudges.Config{})
	w.clock.Set(schedT0)
	rep, err := s.Sweep(context.Background(), schedT0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Queued != 7 || rep.ByKind[kam.NudgePlanReview] != 2 || rep.ByKind[kam.NudgeNoContact] != 1 || rep.Accounts != 3 || rep.Workspaces != 2 {
		t.Fatalf("report = %+v", rep)
	}
	type pinned struct {
		Key    string          `json:"key"`
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	var pins []pinned
	for _, r := range w.outbox() {
		k, _ := kam.ParseNudgeKey(r.key)
		var blocks []struct {
			Type     string `json:"type"`
			BlockID  string `json:"block_id"`
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		}
		if err := json.Unmarshal(r.blocks, &blocks); err != nil {
			t.Fatalf("%s: blocks %s: %v", r.key, r.blocks, err)
		}
		last := blocks[len(blocks)-1]
		if last.Type != "actions" || last.BlockID != nudges.BlockID || len(last.Elements) != 5 {
			t.Fatalf("%s: last block %+v", r.key, last)
		}
		for _, el := range last.Elements {
			if el.Value == "" {
				continue // the snooze menu and date picker carry no value
			}
			v, got, err := nudges.DecodeButtonValue(el.Value)
			if err != nil || got != k || v.TeamID != schedTeam {
				t.Errorf("%s: button %s value %s: %+v, %v", r.key, el.ActionID, el.Value, got, err)
			}
		}
		if !strings.Contains(string(r.blocks), "/kam show") {
			t.Errorf("%s: no way to open the account in %s", r.key, r.blocks)
		}
		pins = append(pins, pinned{Key: r.key, Text: r.text, Blocks: r.blocks})
	}
	checkGolden(t, "nudges.golden.json", pins)
}

// TestSchedule steps the clock in half hours over 25 days across the
// switch to summer time: the sweep runs once each day at 07:00 Zurich
// time, the digest once each Monday at 08:00.
func TestSchedule(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var mu sync.Mutex
	var digests []time.Time
	s := w.scheduler(nudges.Config{Digest: func(_ context.Context, now time.Time) error {
		mu.Lock()
		defer mu.Unlock()
		digests = append(digests, now)
		return nil
	}})
	start := time.Date(2025, 3, 15, 12, 0, 0, 0, zurich) // a Saturday
	for now := start; now.Before(start.AddDate(0, 0, 25)); now = now.Add(30 * time.Minute) {
		w.clock.Set(now)
		if err := s.RunDue(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	sweeps := w.store.sweepTimes()
	if len(sweeps) != 25 {
		t.Errorf("%d sweeps in 25 days, want 25: %v", len(sweeps), sweeps)
	}
	for i, at := range sweeps {
		local := at.In(zurich)
		want := time.Date(2025, 3, 16+i, 7, 0, 0, 0, zurich)
		if !local.Equal(want) {
			t.Errorf("sweep %d at %s, want %s", i, local, want)
		}
	}
	want := []time.Time{time.Date(2025, 3, 17, 8, 0, 0, 0, zurich), time.Date(2025, 3, 24, 8, 0, 0, 0, zurich),
		time.Date(2025, 3, 31, 8, 0, 0, 0, zurich), time.Date(2025, 4, 7, 8, 0, 0, 0, zurich)}
	mu.Lock()
	defer mu.Unlock()
	if len(digests) != len(want) {
		t.Fatalf("digests at %v, want %v", digests, want)
	}
	for i := range want {
		if !digests[i].Equal(want[i]) {
			t.Errorf("digest %d at %s, want %s", i, digests[i].In(zurich), want[i])
		}
	}
	if got := s.Schedule(); got != "sweep `0 7 * * *`, digest `0 8 * * 1` (cron, Europe/Zurich time)" {
		t.Errorf("Schedule = %q", got)
	}
	next := s.Next(start)
	if !next[nudges.JobSweep].Equal(time.Date(2025, 3, 16, 7, 0, 0, 0, zurich)) || !next[nudges.JobDigest].Equal(want[0]) {
		t.Errorf("Next = %v", next)
	}
}

// TestCatchUpOnce stops the process for three days over a Monday: the next
// start runs the sweep and the digest once each, not once per missed tick.
func TestCatchUpOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var mu sync.Mutex
	digests := 0
	cfg := nudges.Config{Digest: func(context.Context, time.Time) error {
		mu.Lock()
		defer mu.Unlock()
		digests++
		return nil
	}}
	w.clock.Set(time.Date(2025, 3, 8, 12, 0, 0, 0, zurich)) // Saturday
	first := w.scheduler(cfg)
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(w.store.sweepTimes()); n != 0 {
		t.Fatalf("a first start swept %d times", n)
	}

	// Down from Saturday noon to Wednesday noon: four sweeps and a digest missed.
	w.clock.Set(time.Date(2025, 3, 12, 12, 0, 0, 0, zurich))
	second := w.scheduler(cfg)
	if err := second.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := second.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if n := len(w.store.sweepTimes()); n != 1 {
		t.Errorf("catch-up swept %d times, want 1", n)
	}
	mu.Lock()
	if digests != 1 {
		t.Errorf("catch-up sent %d digests, want 1", digests)
	}
	mu.Unlock()
	if len(w.keys()) == 0 {
		t.Error("the catch-up sweep queued nothing")
	}

	// Nothing more is due until tomorrow's 07:00.
	third := w.scheduler(cfg)
	if err := third.RunDue(ctx, time.Date(2025, 3, 13, 6, 59, 0, 0, zurich)); err != nil {
		t.Fatal(err)
	}
	if n := len(w.store.sweepTimes()); n != 1 {
		t.Errorf("%d sweeps before the next tick, want 1", n)
	}
}

// TestFailedRunsAreRetried makes a sweep fail and the digest panic: the
// failures are recorded, nothing is marked done, and the next RunDue runs
// both again.
func TestFailedRunsAreRetried(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var mu sync.Mutex
	calls := 0
	s := w.scheduler(nudges.Config{Digest: func(context.Context, time.Time) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			panic("digest exploded")
		}
		return nil
	}, Logger: slog.New(slog.DiscardHandler)})
	base := time.Date(2025, 3, 9, 12, 0, 0, 0, zurich) // Sunday
	w.clock.Set(base)
	if err := s.RunDue(ctx, base); err != nil {
		t.Fatal(err)
	}
	w.store.setFail(errors.New("disk on fire"))
	monday := time.Date(2025, 3, 10, 9, 0, 0, 0, zurich)
	w.clock.Set(monday)
	err := s.RunDue(ctx, monday)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "digest exploded") {
		t.Fatalf("RunDue = %v, want both failures", err)
	}
	for _, job := range []string{nudges.JobSweep, nudges.JobDigest} {
		run, ok, err := w.db.JobRun(ctx, job)
		if err != nil || !ok || run.LastError == "" || run.FailedAt.IsZero() || !run.CoveredUntil.Equal(base) {
			t.Errorf("%s after a failure: %+v, %v, %v", job, run, ok, err)
		}
	}
	w.store.setFail(nil)
	later := monday.Add(15 * time.Minute)
	w.clock.Set(later)
	if err := s.RunDue(ctx, later); err != nil {
		t.Fatal(err)
	}
	for _, job := range []string{nudges.JobSweep, nudges.JobDigest} {
		run, _, _ := w.db.JobRun(ctx, job)
		if run.LastError != "" || !run.CoveredUntil.Equal(later) {
			t.Errorf("%s after the retry: %+v", job, run)
		}
	}
	if n := len(w.store.sweepTimes()); n != 2 {
		t.Errorf("%d sweeps, want 2 (the failed one and its retry)", n)
	}
	if len(w.keys()) == 0 {
		t.Error("the retried sweep queued nothing")
	}
}

// TestRealCron runs the scheduler on cron with a one-second schedule and
// the real clock: the sweep runs and Stop waits for it.
func TestRealCron(t *testing.T) {
	w := newWorld(t)
	w.store.clock = time.Now
	s, err := nudges.New(nudges.Config{Store: w.store, SweepSpec: "@every 1s", TZ: zurich})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(w.store.sweepTimes()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if len(w.store.sweepTimes()) == 0 {
		t.Fatal("cron never ran the sweep")
	}
	run, ok, err := w.db.JobRun(ctx, nudges.JobSweep)
	if err != nil || !ok || run.FinishedAt.IsZero() {
		t.Fatalf("run record: %+v, %v, %v", run, ok, err)
	}
	if err := s.Start(ctx); err == nil {
		t.Error("a stopped scheduler started again")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	w := newWorld(t)
	digest := func(context.Context, time.Time) error { return nil }
	for _, tc := range []struct {
		name string
		cfg  nudges.Config
		want string
	}{
		{"NoStore", nudges.Config{}, "Store"},
		{"BadSweep", nudges.Config{Store: w.store, SweepSpec: "7am daily"}, "KAMBOT_SWEEP_CRON"},
		{"SixFields", nudges.Config{Store: w.store, SweepSpec: "0 0 7 * * *"}, "KAMBOT_SWEEP_CRON"},
		{"NeverFires", nudges.Config{Store: w.store, SweepSpec: "0 7 30 2 *"}, "never fires"},
		{"BadDigest", nudges.Config{Store: w.store, Digest: digest, DigestSpec: "mondays"}, "KAMBOT_DIGEST_CRON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nudges.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error naming %s", err, tc.want)
			}
		})
	}
	// Without a digest function its spec is not needed.
	if _, err := nudges.New(nudges.Config{Store: w.store, DigestSpec: "mondays"}); err != nil {
		t.Errorf("unused digest spec refused: %v", err)
	}
}
