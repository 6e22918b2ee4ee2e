package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

const (
	nudgeTeam  = "T0NUDGE"
	nudgeOther = "T0OTHER"
	nudgeAna   = "U0ANA"
	nudgeBen   = "U0BEN"
)

var nudgeEpoch = time.Date(2025, 3, 10, 7, 0, 0, 0, time.UTC)

// nudgeClock is a settable clock for store.DB.Now.
type nudgeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *nudgeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *nudgeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type nudgeFixture struct {
	db    *store.DB
	path  string
	clock *nudgeClock
	acme  kam.Account // of nudgeTeam
	other kam.Account // of nudgeOther
}

func newNudgeFixture(t *testing.T) *nudgeFixture {
	t.Helper()
	path := storetest.DSN(t, "kambot.db")
	db, err := store.OpenMigrated(context.Background(), path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &nudgeClock{t: nudgeEpoch}
	db.Now = clock.Now
	f := &nudgeFixture{db: db, path: path, clock: clock}
	f.acme = kam.Account{TeamID: nudgeTeam, Name: "Acme Corp", OwnerID: nudgeAna, ChannelID: "C0ACME"}
	f.other = kam.Account{TeamID: nudgeOther, Name: "Globex", OwnerID: nudgeAna}
	for _, a := range []*kam.Account{&f.acme, &f.other} {
		if err := db.CreateAccount(context.Background(), a, "U0ADMIN"); err != nil {
			t.Fatalf("create %s: %v", a.Name, err)
		}
	}
	return f
}

// dump renders every nudge table, the outbox and the audit log's size, to
// prove that a refused call changed nothing.
func (f *nudgeFixture) dump(t *testing.T) string {
	t.Helper()
	raw, err := store.OpenRaw(f.path)
	if err != nil {
		t.Fatalf("open raw: %v", err)
	}
	defer raw.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT team_id, key, account_id, kind, item, recipient, period, round, queued_at FROM nudges ORDER BY id`,
		`SELECT * FROM nudge_marks ORDER BY team_id, account_id, kind, item, period`,
		`SELECT team_id, key, channel, status FROM outbox ORDER BY id`,
		`SELECT * FROM job_runs ORDER BY job`,
		`SELECT * FROM nudge_settings ORDER BY team_id`,
		`SELECT count(*) FROM audit_log`,
	} {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatalf("dump %s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("dump: %v", err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

func wantNudgeCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := kam.ErrorCode(err); got != code {
		t.Fatalf("got %v (code %s), want code %s", err, got, code)
	}
	coreWantStructured(t, err)
}

func nudgeMsg(team string, k kam.NudgeKey) kam.NudgeMessage {
	blocks, _ := json.Marshal([]map[string]any{{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "Plan review due"}}})
	return kam.NudgeMessage{TeamID: team, Key: k, Text: "Plan review due", Blocks: blocks, Metadata: []byte(`{"nudge":"plan-review"}`)}
}

func planKey(acct int64, to, period string) kam.NudgeKey {
	return kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: acct, Kind: kam.NudgePlanReview, Period: period}, Recipient: to}
}

func TestQueueNudges(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		f := newNudgeFixture(t)
		k1 := planKey(f.acme.ID, nudgeAna, "2025-03-01")
		k2 := planKey(f.acme.ID, "C0ACME", "2025-03-01")
		done, err := f.db.QueueNudges(ctx, []kam.NudgeMessage{nudgeMsg(nudgeTeam, k1), nudgeMsg(nudgeTeam, k2)})
		if err != nil {
			t.Fatal(err)
		}
		if len(done) != 2 || done[0] != 0 || done[1] != 1 {
			t.Fatalf("queued %v, want [0 1]", done)
		}
		for _, k := range []kam.NudgeKey{k1, k2} {
			m, err := f.db.OutboxMessageByKey(ctx, nudgeTeam, k.String())
			if err != nil {
				t.Fatalf("outbox message %s: %v", k, err)
			}
			if m.Channel != k.Recipient || m.Status != kam.OutboxPending || m.Text != "Plan review due" {
				t.Errorf("outbox message %s = %+v", k, m)
			}
			rec, err := f.db.NudgeRecord(ctx, nudgeTeam, k.String())
			if err != nil {
				t.Fatalf("record %s: %v", k, err)
			}
			if rec.Key != k || rec.TeamID != nudgeTeam || !rec.QueuedAt.Equal(nudgeEpoch) {
				t.Errorf("record = %+v, want key %v queued at %v", rec, k, nudgeEpoch)
			}
		}
		got, err := f.db.QueuedNudgeKeys(ctx, nudgeTeam, []string{k1.String(), "nudge:plan-review:1:U0X:2025-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		if !got[k1.String()] || len(got) != 1 {
			t.Errorf("QueuedNudgeKeys = %v", got)
		}
		if got, _ := f.db.QueuedNudgeKeys(ctx, nudgeOther, []string{k1.String()}); len(got) != 0 {
			t.Errorf("another workspace sees %v", got)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		f := newNudgeFixture(t)
		k := planKey(f.acme.ID, nudgeAna, "2025-03-01")
		if _, err := f.db.QueueNudges(ctx, []kam.NudgeMessage{nudgeMsg(nudgeTeam, k)}); err != nil {
			t.Fatal(err)
		}
		before := f.dump(t)
		done, err := f.db.QueueNudges(ctx, []kam.NudgeMessage{nudgeMsg(nudgeTeam, k)})
		if err != nil || len(done) != 0 {
			t.Fatalf("second queue: %v, %v; want nothing queued", done, err)
		}
		if after := f.dump(t); after != before {
			t.Errorf("queueing a key twice changed the store:\n%s\nvs\n%s", before, after)
		}
	})

	t.Run("SkipsAccountOfAnotherWorkspace", func(t *testing.T) {
		f := newNudgeFixture(t)
		before := f.dump(t)
		done, err := f.db.QueueNudges(ctx, []kam.NudgeMessage{nudgeMsg(nudgeTeam, planKey(f.other.ID, nudgeAna, "2025-03-01"))})
		if err != nil || len(done) != 0 {
			t.Fatalf("got %v, %v; want nothing queued", done, err)
		}
		if after := f.dump(t); after != before {
			t.Errorf("store changed:\n%s", after)
		}
	})

	bad := []struct {
		name string
		msg  func(f *nudgeFixture) kam.NudgeMessage
	}{
		{"ErrBadKey", func(f *nudgeFixture) kam.NudgeMessage {
			return nudgeMsg(nudgeTeam, kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: f.acme.ID, Kind: "bogus", Period: "2025-03-01"}, Recipient: nudgeAna})
		}},
		{"ErrBadRecipient", func(f *nudgeFixture) kam.NudgeMessage {
			return nudgeMsg(nudgeTeam, planKey(f.acme.ID, "<#C1|x>", "2025-03-01"))
		}},
		{"ErrNoTeam", func(f *nudgeFixture) kam.NudgeMessage {
			return nudgeMsg("", planKey(f.acme.ID, nudgeAna, "2025-03-01"))
		}},
		{"ErrBlocksNotJSON", func(f *nudgeFixture) kam.NudgeMessage {
			m := nudgeMsg(nudgeTeam, planKey(f.acme.ID, nudgeAna, "2025-03-01"))
			m.Blocks = []byte("{not json")
			return m
		}},
		{"ErrNothingToSay", func(f *nudgeFixture) kam.NudgeMessage {
			m := nudgeMsg(nudgeTeam, planKey(f.acme.ID, nudgeAna, "2025-03-01"))
			m.Text, m.Blocks = " ", nil
			return m
		}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			f := newNudgeFixture(t)
			good := nudgeMsg(nudgeTeam, planKey(f.acme.ID, "C0ACME", "2025-03-01"))
			before := f.dump(t)
			if _, err := f.db.QueueNudges(ctx, []kam.NudgeMessage{good, tc.msg(f)}); err == nil {
				t.Fatal("got no error")
			}
			if after := f.dump(t); after != before {
				t.Errorf("a batch with a bad message queued something:\n%s", after)
			}
		})
	}

	t.Run("ErrBatchTooLarge", func(t *testing.T) {
		f := newNudgeFixture(t)
		msgs := make([]kam.NudgeMessage, 1001)
		for i := range msgs {
			msgs[i] = nudgeMsg(nudgeTeam, planKey(f.acme.ID, fmt.Sprintf("U%04d", i), "2025-03-01"))
		}
		if _, err := f.db.QueueNudges(ctx, msgs); err == nil {
			t.Fatal("got no error")
		}
	})
}

func TestNudgeRecord(t *testing.T) {
	ctx := context.Background()
	f := newNudgeFixture(t)
	k := planKey(f.acme.ID, nudgeAna, "2025-03-01")
	if _, err := f.db.QueueNudges(ctx, []kam.NudgeMessage{nudgeMsg(nudgeTeam, k)}); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOtherWorkspace", func(t *testing.T) {
		_, err := f.db.NudgeRecord(ctx, nudgeOther, k.String())
		wantNudgeCode(t, err, kam.ENOTFOUND)
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		_, err := f.db.NudgeRecord(ctx, nudgeTeam, planKey(f.acme.ID, nudgeBen, "2025-03-01").String())
		wantNudgeCode(t, err, kam.ENOTFOUND)
	})
}

func TestNudgeMarks(t *testing.T) {
	ctx := context.Background()
	topic := func(f *nudgeFixture) kam.NudgeTopic {
		return kam.NudgeTopic{AccountID: f.acme.ID, Kind: kam.NudgeStalled, Item: "7", Period: "2025-03-01"}
	}

	t.Run("HandleOK", func(t *testing.T) {
		f := newNudgeFixture(t)
		m, err := f.db.HandleNudge(ctx, nudgeTeam, topic(f), kam.HowReviewed, nudgeBen)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Handled() || m.HandledBy != nudgeBen || m.HandledHow != kam.HowReviewed || !m.HandledAt.Equal(nudgeEpoch) {
			t.Fatalf("mark = %+v", m)
		}
		got, err := f.db.NudgeMark(ctx, nudgeTeam, topic(f))
		if err != nil || got != m {
			t.Fatalf("NudgeMark = %+v, %v; want %+v", got, err, m)
		}
		all, err := f.db.NudgeMarks(ctx, nudgeTeam, []int64{f.acme.ID, f.other.ID})
		if err != nil || len(all) != 1 || all[0] != m {
			t.Fatalf("NudgeMarks = %+v, %v", all, err)
		}
		audit, _ := f.db.Audit(ctx, nudgeTeam, 1)
		if len(audit) != 1 || audit[0].Action != store.ActionNudgeHandle || audit[0].Actor != nudgeBen {
			t.Errorf("audit = %+v", audit)
		}
	})

	t.Run("ErrAlreadyHandled", func(t *testing.T) {
		f := newNudgeFixture(t)
		first, err := f.db.HandleNudge(ctx, nudgeTeam, topic(f), kam.HowReviewed, nudgeBen)
		if err != nil {
			t.Fatal(err)
		}
		before := f.dump(t)
		f.clock.Set(nudgeEpoch.Add(time.Hour))
		m, err := f.db.HandleNudge(ctx, nudgeTeam, topic(f), kam.HowLogged, nudgeAna)
		wantNudgeCode(t, err, kam.ECONFLICT)
		if !store.IsNudgeHandled(err) || m != first {
			t.Errorf("conflict returned %+v, %v; want the first mark", m, err)
		}
		_, err = f.db.SnoozeNudge(ctx, nudgeTeam, topic(f), nudgeAna, nudgeEpoch.Add(7*24*time.Hour))
		if !store.IsNudgeHandled(err) {
			t.Errorf("snoozing a handled nudge: %v", err)
		}
		if after := f.dump(t); after != before {
			t.Errorf("a refused mark changed the store")
		}
	})

	for _, tc := range []struct {
		name  string
		team  string
		topic func(f *nudgeFixture) kam.NudgeTopic
		how   string
		actor string
		code  string
	}{
		{"ErrOtherWorkspacesAccount", nudgeTeam, func(f *nudgeFixture) kam.NudgeTopic {
			t := topic(f)
			t.AccountID = f.other.ID
			return t
		}, kam.HowReviewed, nudgeBen, kam.ENOTFOUND},
		{"ErrNoActor", nudgeTeam, topic, kam.HowReviewed, "", kam.EINVALID},
		{"ErrBadTopic", nudgeTeam, func(f *nudgeFixture) kam.NudgeTopic {
			t := topic(f)
			t.Item = ""
			return t
		}, kam.HowReviewed, nudgeBen, kam.EINTERNAL},
		{"ErrBadHow", nudgeTeam, topic, "shrugged", nudgeBen, kam.EINTERNAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newNudgeFixture(t)
			before := f.dump(t)
			_, err := f.db.HandleNudge(ctx, tc.team, tc.topic(f), tc.how, tc.actor)
			wantNudgeCode(t, err, tc.code)
			if tc.how == kam.HowReviewed {
				_, err = f.db.SnoozeNudge(ctx, tc.team, tc.topic(f), tc.actor, nudgeEpoch.Add(time.Hour))
				wantNudgeCode(t, err, tc.code)
			}
			if after := f.dump(t); after != before {
				t.Errorf("a refused mark changed the store:\n%s", after)
			}
		})
	}

	t.Run("Unhandle", func(t *testing.T) {
		f := newNudgeFixture(t)
		before := f.dump(t)
		m, err := f.db.HandleNudge(ctx, nudgeTeam, topic(f), kam.HowReviewed, nudgeBen)
		if err != nil {
			t.Fatal(err)
		}
		// Someone else's mark, or another time, is not taken back.
		if err := f.db.UnhandleNudge(ctx, nudgeTeam, topic(f), nudgeAna, m.HandledAt); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.NudgeMark(ctx, nudgeTeam, topic(f)); !got.Handled() {
			t.Fatal("another user's unhandle took the mark back")
		}
		if err := f.db.UnhandleNudge(ctx, nudgeTeam, topic(f), nudgeBen, m.HandledAt); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.NudgeMark(ctx, nudgeTeam, topic(f)); got.Handled() || got.SnoozedBy != "" {
			t.Fatalf("mark after unhandle = %+v", got)
		}
		after := f.dump(t)
		if strings.Split(after, "--")[1] != strings.Split(before, "--")[1] {
			t.Errorf("marks after unhandle:\n%s", after)
		}
	})

	t.Run("SnoozeOK", func(t *testing.T) {
		f := newNudgeFixture(t)
		until := nudgeEpoch.Add(7 * 24 * time.Hour)
		m, err := f.db.SnoozeNudge(ctx, nudgeTeam, topic(f), nudgeBen, until)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Snoozed(nudgeEpoch) || m.Snoozed(until) || m.SnoozedBy != nudgeBen || m.Handled() {
			t.Fatalf("mark = %+v", m)
		}
		// Still snoozed: refused, nothing changes.
		before := f.dump(t)
		got, err := f.db.SnoozeNudge(ctx, nudgeTeam, topic(f), nudgeAna, until.Add(time.Hour))
		if !store.IsNudgeSnoozed(err) || got != m {
			t.Fatalf("second snooze: %+v, %v", got, err)
		}
		if after := f.dump(t); after != before {
			t.Error("a refused snooze changed the store")
		}
		// After the snooze ends it may be snoozed again; handling keeps the snooze's record.
		f.clock.Set(until.Add(time.Minute))
		again, err := f.db.SnoozeNudge(ctx, nudgeTeam, topic(f), nudgeAna, until.Add(7*24*time.Hour))
		if err != nil || again.SnoozedBy != nudgeAna {
			t.Fatalf("snooze after expiry: %+v, %v", again, err)
		}
		h, err := f.db.HandleNudge(ctx, nudgeTeam, topic(f), kam.HowLogged, nudgeBen)
		if err != nil || h.SnoozedBy != nudgeAna || !h.Handled() {
			t.Fatalf("handle after snooze: %+v, %v", h, err)
		}
	})

	t.Run("ErrSnoozeInThePast", func(t *testing.T) {
		f := newNudgeFixture(t)
		before := f.dump(t)
		if _, err := f.db.SnoozeNudge(ctx, nudgeTeam, topic(f), nudgeBen, nudgeEpoch); err == nil {
			t.Fatal("got no error")
		}
		if after := f.dump(t); after != before {
			t.Error("store changed")
		}
	})

	t.Run("Prune", func(t *testing.T) {
		f := newNudgeFixture(t)
		if _, err := f.db.QueueNudges(ctx, []kam.NudgeMessage{nudgeMsg(nudgeTeam, planKey(f.acme.ID, nudgeAna, "2025-03-01"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.HandleNudge(ctx, nudgeTeam, topic(f), kam.HowReviewed, nudgeBen); err != nil {
			t.Fatal(err)
		}
		if n, err := f.db.PruneNudges(ctx, nudgeEpoch); err != nil || n != 0 {
			t.Fatalf("prune before anything: %d, %v", n, err)
		}
		if n, err := f.db.PruneNudges(ctx, nudgeEpoch.Add(time.Millisecond)); err != nil || n != 2 {
			t.Fatalf("prune: %d, %v; want 2", n, err)
		}
		if got, _ := f.db.QueuedNudgeKeys(ctx, nudgeTeam, []string{planKey(f.acme.ID, nudgeAna, "2025-03-01").String()}); len(got) != 0 {
			t.Errorf("pruned nudge still known: %v", got)
		}
	})
}

func TestJobRuns(t *testing.T) {
	ctx := context.Background()
	f := newNudgeFixture(t)
	base, err := f.db.JobCoveredUntil(ctx, "sweep", nudgeEpoch)
	if err != nil || !base.Equal(nudgeEpoch) {
		t.Fatalf("baseline = %v, %v", base, err)
	}
	// The baseline is kept: a later start does not move it.
	if got, _ := f.db.JobCoveredUntil(ctx, "sweep", nudgeEpoch.Add(time.Hour)); !got.Equal(nudgeEpoch) {
		t.Fatalf("second start moved the clock to %v", got)
	}
	run, ok, err := f.db.JobRun(ctx, "sweep")
	if err != nil || !ok || !run.FinishedAt.IsZero() {
		t.Fatalf("kam.JobRun = %+v, %v, %v", run, ok, err)
	}
	if err := f.db.RecordJobFailure(ctx, "sweep", nudgeEpoch.Add(time.Minute), "database is locked"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.JobCoveredUntil(ctx, "sweep", nudgeEpoch); !got.Equal(nudgeEpoch) {
		t.Fatalf("a failure moved the clock to %v", got)
	}
	day2 := nudgeEpoch.Add(24 * time.Hour)
	if err := f.db.RecordJobRun(ctx, "sweep", day2, day2.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := f.db.RecordJobRun(ctx, "sweep", nudgeEpoch, day2.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	run, _, _ = f.db.JobRun(ctx, "sweep")
	if !run.CoveredUntil.Equal(day2) || run.LastError != "" || !run.FailedAt.IsZero() {
		t.Fatalf("after runs: %+v (an older run must not move the clock back, a success clears the failure)", run)
	}
	if _, ok, _ := f.db.JobRun(ctx, "digest"); ok {
		t.Error("digest has a record it never made")
	}
	runs, err := f.db.JobRuns(ctx)
	if err != nil || len(runs) != 1 || runs[0].Job != "sweep" {
		t.Fatalf("JobRuns = %+v, %v", runs, err)
	}
	if _, err := f.db.JobCoveredUntil(ctx, "", nudgeEpoch); err == nil {
		t.Error("empty job name accepted")
	}
}

func TestSurveySettings(t *testing.T) {
	ctx := context.Background()
	f := newNudgeFixture(t)
	if d, err := f.db.SurveyEveryDays(ctx, nudgeTeam); err != nil || d != 0 {
		t.Fatalf("default = %d, %v", d, err)
	}
	if err := f.db.SetSurveyEveryDays(ctx, nudgeTeam, 180, nudgeAna); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.db.SurveyEveryDays(ctx, nudgeTeam); d != 180 {
		t.Fatalf("after set = %d", d)
	}
	if d, _ := f.db.SurveyEveryDays(ctx, nudgeOther); d != 0 {
		t.Fatalf("another workspace sees %d", d)
	}
	all, err := f.db.SurveyCadences(ctx)
	if err != nil || len(all) != 1 || all[nudgeTeam] != 180 {
		t.Fatalf("SurveyCadences = %v, %v", all, err)
	}
	before := f.dump(t)
	for _, days := range []int{-1, 29, 731} {
		wantNudgeCode(t, f.db.SetSurveyEveryDays(ctx, nudgeTeam, days, nudgeAna), kam.EINVALID)
	}
	wantNudgeCode(t, f.db.SetSurveyEveryDays(ctx, nudgeTeam, 90, ""), kam.EINVALID)
	wantNudgeCode(t, f.db.SetSurveyEveryDays(ctx, "", 90, nudgeAna), kam.EINVALID)
	if after := f.dump(t); after != before {
		t.Error("a refused setting changed the store")
	}
	if err := f.db.SetSurveyEveryDays(ctx, nudgeTeam, 0, nudgeAna); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.db.SurveyEveryDays(ctx, nudgeTeam); d != 0 {
		t.Fatalf("after reset = %d", d)
	}
}

func TestLastSurveys(t *testing.T) {
	ctx := context.Background()
	f := newNudgeFixture(t)
	raw, err := store.OpenRaw(f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	sent := nudgeEpoch.Add(-100 * 24 * time.Hour)
	answered := nudgeEpoch.Add(-90 * 24 * time.Hour)
	if _, err := raw.Exec(`INSERT INTO surveys (id, team_id, account_id, user_id, token, sent_by, sent_at, closes_at)
		VALUES (1, ?, ?, 'U0CUST', 'tok', ?, ?, ?)`, nudgeTeam, f.acme.ID, nudgeAna, sent.UnixMilli(), sent.Add(14*24*time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO survey_responses (team_id, account_id, survey_id, respondent, score, created_at, at)
		VALUES (?, ?, 1, 'user:U0CUST', 9, ?, ?)`, nudgeTeam, f.acme.ID, answered.UnixMilli(), answered.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.LastSurveys(ctx, nudgeTeam, []int64{f.acme.ID, f.other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[f.acme.ID].Equal(answered) {
		t.Fatalf("LastSurveys = %v, want acme at %v", got, answered)
	}
	if got, _ := f.db.LastSurveys(ctx, nudgeOther, []int64{f.acme.ID}); len(got) != 0 {
		t.Fatalf("another workspace sees %v", got)
	}
}

func TestOpportunityOwners(t *testing.T) {
	ctx := context.Background()
	f := newNudgeFixture(t)
	add := func(a kam.Account, name, owner string) int64 {
		o := kam.Opportunity{TeamID: a.TeamID, AccountID: a.ID, Name: name, OwnerID: owner}
		if err := f.db.AddOpportunity(ctx, &o, nudgeAna); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	open := add(f.acme, "Renewal", nudgeBen)
	lost := add(f.acme, "Pilot", nudgeBen)
	if _, err := f.db.MoveStage(ctx, nudgeTeam, lost, kam.StageLost, nudgeAna, "", nudgeEpoch, nil); err != nil {
		t.Fatal(err)
	}
	foreign := add(f.other, "Elsewhere", nudgeAna)
	got, err := f.db.OpportunityOwners(ctx, nudgeTeam, []int64{f.acme.ID, f.other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[open] != nudgeBen {
		t.Fatalf("owners = %v; want only the open opportunity %d (not lost %d, not the other workspace's %d)", got, open, lost, foreign)
	}
}
