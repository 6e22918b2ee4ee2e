package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
)

// outboxClock is a settable clock for the outbox tests.
type outboxClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *outboxClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *outboxClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var outboxT0 = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

func openOutboxDB(tb testing.TB) (*DB, *outboxClock) {
	tb.Helper()
	db, err := OpenMigrated(context.Background(), storetest.DSN(tb, "kambot.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	clock := &outboxClock{t: outboxT0}
	db.Now = clock.Now
	return db, clock
}

func msg(team, key, channel string) kam.OutboxMessage {
	return kam.OutboxMessage{TeamID: team, Key: key, Channel: channel, Text: "hello " + key}
}

func mustEnqueue(tb testing.TB, db *DB, m kam.OutboxMessage) int64 {
	tb.Helper()
	id, created, err := db.EnqueueOutbox(context.Background(), m)
	if err != nil || !created {
		tb.Fatalf("enqueue %s: created=%v err=%v", m.Key, created, err)
	}
	return id
}

func countOutbox(tb testing.TB, db *DB) int {
	tb.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func keys(ms []kam.OutboxMessage) string {
	var k []string
	for _, m := range ms {
		k = append(k, m.Key)
	}
	return strings.Join(k, ",")
}

func TestEnqueueOutbox(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, _ := openOutboxDB(t)
		in := kam.OutboxMessage{TeamID: "T1", Key: "interaction:7", Channel: "C0ACME",
			Text: "Ana logged a call", Blocks: json.RawMessage(`[{"type":"divider"}]`),
			Metadata: json.RawMessage(`{"account_id":3}`)}
		id, created, err := db.EnqueueOutbox(ctx, in)
		if err != nil || !created || id == 0 {
			t.Fatalf("EnqueueOutbox = %d, %v, %v", id, created, err)
		}
		got, err := db.OutboxMessageByKey(ctx, "T1", "interaction:7")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != id || got.Channel != "C0ACME" || got.Text != in.Text || string(got.Blocks) != string(in.Blocks) ||
			string(got.Metadata) != string(in.Metadata) || got.Status != kam.OutboxPending || got.Attempts != 0 ||
			!got.CreatedAt.Equal(outboxT0) || !got.NextAttemptAt.Equal(outboxT0) || !got.ClaimedAt.IsZero() {
			t.Errorf("stored %+v", got)
		}
	})

	t.Run("SameKeyTwice", func(t *testing.T) {
		db, _ := openOutboxDB(t)
		id := mustEnqueue(t, db, msg("T1", "k", "C1"))
		again := msg("T1", "k", "C2")
		again.Text = "different"
		id2, created, err := db.EnqueueOutbox(ctx, again)
		if err != nil || created || id2 != id {
			t.Fatalf("second enqueue = %d, %v, %v; want %d, false, nil", id2, created, err, id)
		}
		if n := countOutbox(t, db); n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
		got, _ := db.OutboxMessageByKey(ctx, "T1", "k")
		if got.Text != "hello k" || got.Channel != "C1" {
			t.Errorf("the first message was overwritten: %+v", got)
		}
		// The key is unique per workspace only.
		if _, created, err := db.EnqueueOutbox(ctx, msg("T2", "k", "C1")); err != nil || !created {
			t.Fatalf("same key in another workspace: created=%v err=%v", created, err)
		}
	})

	t.Run("SameKeyAfterSent", func(t *testing.T) {
		db, _ := openOutboxDB(t)
		mustEnqueue(t, db, msg("T1", "k", "C1"))
		c, _ := db.ClaimOutbox(ctx, outboxT0, 1, nil)
		if err := db.MarkOutboxSent(ctx, c[0].ID, c[0].Attempts, "1.1", "C1"); err != nil {
			t.Fatal(err)
		}
		if _, created, err := db.EnqueueOutbox(ctx, msg("T1", "k", "C1")); err != nil || created {
			t.Fatalf("re-enqueue of a sent key: created=%v err=%v", created, err)
		}
		if c, _ := db.ClaimOutbox(ctx, outboxT0, 10, nil); len(c) != 0 {
			t.Fatalf("a sent key was queued again: %s", keys(c))
		}
	})

	bad := []struct {
		name          string
		edit          func(m *kam.OutboxMessage)
		field, reason string
	}{
		{"ErrNoTeam", func(m *kam.OutboxMessage) { m.TeamID = " " }, kam.FieldTeam, kam.ReasonMissing},
		{"ErrNoKey", func(m *kam.OutboxMessage) { m.Key = "" }, "key", kam.ReasonMalformed},
		{"ErrKeySpaces", func(m *kam.OutboxMessage) { m.Key = " k" }, "key", kam.ReasonMalformed},
		{"ErrKeyTooLong", func(m *kam.OutboxMessage) { m.Key = strings.Repeat("k", 256) }, "key", kam.ReasonMalformed},
		{"ErrNoChannel", func(m *kam.OutboxMessage) { m.Channel = "" }, "channel", kam.ReasonNotSlackID},
		{"ErrEscapedChannel", func(m *kam.OutboxMessage) { m.Channel = "<#C1|sales>" }, "channel", kam.ReasonNotSlackID},
		{"ErrNoContent", func(m *kam.OutboxMessage) { m.Text = "  " }, "text", kam.ReasonMissing},
		{"ErrEmptyBlocksNoText", func(m *kam.OutboxMessage) { m.Text = ""; m.Blocks = json.RawMessage(`[]`) }, "text", kam.ReasonMissing},
		{"ErrBlocksNotArray", func(m *kam.OutboxMessage) { m.Blocks = json.RawMessage(`{"type":"divider"}`) }, "blocks", kam.ReasonMalformed},
		{"ErrTooManyBlocks", func(m *kam.OutboxMessage) {
			m.Blocks = json.RawMessage("[" + strings.TrimSuffix(strings.Repeat(`{"type":"divider"},`, 51), ",") + "]")
		}, "blocks", kam.ReasonTooLong},
		{"ErrTextTooLong", func(m *kam.OutboxMessage) { m.Text = strings.Repeat("é", outboxMaxText+1) }, "text", kam.ReasonTooLong},
		{"ErrMetadataNotObject", func(m *kam.OutboxMessage) { m.Metadata = json.RawMessage(`[1]`) }, "metadata", kam.ReasonMalformed},
		{"ErrMetadataNull", func(m *kam.OutboxMessage) { m.Metadata = json.RawMessage(`null`) }, "metadata", kam.ReasonMalformed},
		{"ErrMetadataTooBig", func(m *kam.OutboxMessage) {
			m.Metadata = json.RawMessage(`{"x":"` + strings.Repeat("a", outboxMaxPayload) + `"}`)
		}, "metadata", kam.ReasonTooLong},
	}
	db, _ := openOutboxDB(t)
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			m := msg("T1", "k", "C1")
			tc.edit(&m)
			_, _, err := db.EnqueueOutbox(ctx, m)
			e := kam.AsError(err)
			if e == nil || e.Code != kam.EINVALID || e.Entity != kam.EntityOutboxMessage || e.Field != tc.field || e.Reason != tc.reason {
				t.Fatalf("err = %+v; want EINVALID of the message's %s, %s", e, tc.field, tc.reason)
			}
			if n := countOutbox(t, db); n != 0 {
				t.Fatalf("%d rows stored after a bad enqueue", n)
			}
		})
	}
}

func TestClaimOutbox(t *testing.T) {
	ctx := context.Background()

	t.Run("HeadOfEachChannel", func(t *testing.T) {
		db, clock := openOutboxDB(t)
		for _, k := range []string{"a1", "b1", "a2", "c1", "b2"} {
			mustEnqueue(t, db, msg("T1", k, "C"+k[:1]))
			clock.Add(time.Millisecond)
		}
		now := clock.Now()
		got, err := db.ClaimOutbox(ctx, now, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		if keys(got) != "a1,b1,c1" {
			t.Fatalf("claimed %s, want a1,b1,c1", keys(got))
		}
		for _, m := range got {
			if m.Status != kam.OutboxSending || m.Attempts != 1 || !m.ClaimedAt.Equal(now) {
				t.Errorf("claimed %+v", m)
			}
		}
		// The next of each channel waits until its head is settled.
		if again, _ := db.ClaimOutbox(ctx, now, 10, nil); len(again) != 0 {
			t.Fatalf("claimed %s while the heads are in flight", keys(again))
		}
		if err := db.MarkOutboxSent(ctx, got[0].ID, 1, "1.1", "Ca"); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkOutboxFailed(ctx, got[1].ID, 1, "channel_not_found"); err != nil {
			t.Fatal(err)
		}
		if again, _ := db.ClaimOutbox(ctx, now, 10, nil); keys(again) != "a2,b2" {
			t.Fatalf("after settling heads claimed %s, want a2,b2", keys(again))
		}
	})

	t.Run("ExcludeLimitAndDue", func(t *testing.T) {
		db, clock := openOutboxDB(t)
		for _, k := range []string{"a1", "b1", "c1", "d1"} {
			mustEnqueue(t, db, msg("T1", k, "C"+k[:1]))
			clock.Add(time.Millisecond)
		}
		now := clock.Now()
		// d1 is put off by a retry.
		d, _ := db.ClaimOutbox(ctx, now, 1, []string{"Ca", "Cb", "Cc"})
		if keys(d) != "d1" {
			t.Fatalf("claimed %s, want d1", keys(d))
		}
		if err := db.MarkOutboxRetry(ctx, d[0].ID, 1, kam.OutboxRetry{Next: now.Add(time.Minute), Err: "500"}); err != nil {
			t.Fatal(err)
		}
		got, _ := db.ClaimOutbox(ctx, now, 1, []string{"Ca"})
		if keys(got) != "b1" {
			t.Fatalf("claimed %s, want b1 (limit 1, Ca excluded)", keys(got))
		}
		got, _ = db.ClaimOutbox(ctx, now, 10, nil)
		if keys(got) != "a1,c1" {
			t.Fatalf("claimed %s, want a1,c1 (d1 not due)", keys(got))
		}
		got, _ = db.ClaimOutbox(ctx, now.Add(time.Minute), 10, nil)
		if keys(got) != "d1" || got[0].Attempts != 2 {
			t.Fatalf("claimed %+v, want d1 at attempt 2 once due", got)
		}
		if got, err := db.ClaimOutbox(ctx, now, 0, nil); err != nil || len(got) != 0 {
			t.Fatalf("limit 0 claimed %v, %v", got, err)
		}
	})

	t.Run("ConcurrentClaimersNeverShare", func(t *testing.T) {
		db, clock := openOutboxDB(t)
		const n = 300
		for i := range n {
			mustEnqueue(t, db, msg("T1", fmt.Sprint(i), fmt.Sprintf("C%d", i%30)))
		}
		now := clock.Now()
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := db.ClaimOutbox(ctx, now, 7, nil)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						mu.Lock()
						done := len(seen) == n
						mu.Unlock()
						if done {
							return
						}
						continue
					}
					for _, m := range got {
						mu.Lock()
						seen[m.ID]++
						mu.Unlock()
						if err := db.MarkOutboxSent(ctx, m.ID, m.Attempts, "1.1", m.Channel); err != nil {
							t.Error(err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		for id, c := range seen {
			if c != 1 {
				t.Errorf("message %d claimed %d times", id, c)
			}
		}
		if len(seen) != n {
			t.Errorf("claimed %d messages, want %d", len(seen), n)
		}
	})
}

func TestMarkOutbox(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*DB, *outboxClock, kam.OutboxMessage) {
		db, clock := openOutboxDB(t)
		mustEnqueue(t, db, msg("T1", "k", "C1"))
		c, err := db.ClaimOutbox(ctx, clock.Now(), 1, nil)
		if err != nil || len(c) != 1 {
			t.Fatalf("claim: %v %v", c, err)
		}
		clock.Add(time.Second)
		return db, clock, c[0]
	}

	t.Run("Sent", func(t *testing.T) {
		db, clock, m := setup(t)
		if err := db.MarkOutboxSent(ctx, m.ID, m.Attempts, "1741078800.000100", "C1"); err != nil {
			t.Fatal(err)
		}
		got, _ := db.OutboxMessageByKey(ctx, "T1", "k")
		if got.Status != kam.OutboxSent || got.SlackTS != "1741078800.000100" || got.SlackChannel != "C1" || !got.SentAt.Equal(clock.Now()) {
			t.Errorf("after MarkOutboxSent: %+v", got)
		}
	})

	t.Run("Retry", func(t *testing.T) {
		db, clock, m := setup(t)
		next := clock.Now().Add(30 * time.Second)
		if err := db.MarkOutboxRetry(ctx, m.ID, m.Attempts, kam.OutboxRetry{Next: next, Err: "slack 500", VerifySince: m.ClaimedAt}); err != nil {
			t.Fatal(err)
		}
		got, _ := db.OutboxMessageByKey(ctx, "T1", "k")
		if got.Status != kam.OutboxPending || !got.NextAttemptAt.Equal(next) || got.LastError != "slack 500" ||
			!got.VerifySince.Equal(m.ClaimedAt) || got.Throttles != 0 || got.Failures() != 1 {
			t.Errorf("after MarkOutboxRetry: %+v", got)
		}
		c, _ := db.ClaimOutbox(ctx, next, 1, nil)
		if err := db.MarkOutboxRetry(ctx, c[0].ID, c[0].Attempts, kam.OutboxRetry{Next: next, Err: "429", Throttled: true}); err != nil {
			t.Fatal(err)
		}
		got, _ = db.OutboxMessageByKey(ctx, "T1", "k")
		if got.Attempts != 2 || got.Throttles != 1 || got.Failures() != 1 || !got.VerifySince.IsZero() {
			t.Errorf("a throttled retry counted as a failure or kept verify: %+v", got)
		}
	})

	t.Run("Failed", func(t *testing.T) {
		db, clock, m := setup(t)
		if err := db.MarkOutboxFailed(ctx, m.ID, m.Attempts, "channel_not_found"); err != nil {
			t.Fatal(err)
		}
		got, _ := db.OutboxMessageByKey(ctx, "T1", "k")
		if got.Status != kam.OutboxFailed || got.LastError != "channel_not_found" || !got.FailedAt.Equal(clock.Now()) {
			t.Errorf("after MarkOutboxFailed: %+v", got)
		}
	})

	t.Run("ErrClaimLost", func(t *testing.T) {
		db, clock, m := setup(t)
		before, _ := db.OutboxMessageByKey(ctx, "T1", "k")
		calls := map[string]func() error{
			"sent":   func() error { return db.MarkOutboxSent(ctx, m.ID, m.Attempts+1, "1.1", "C1") },
			"retry":  func() error { return db.MarkOutboxRetry(ctx, m.ID, m.Attempts-1, kam.OutboxRetry{Next: clock.Now()}) },
			"failed": func() error { return db.MarkOutboxFailed(ctx, m.ID+100, m.Attempts, "x") },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, kam.ErrOutboxClaimLost) {
				t.Errorf("%s with a stale claim: err = %v, want kam.ErrOutboxClaimLost", name, err)
			}
		}
		after, _ := db.OutboxMessageByKey(ctx, "T1", "k")
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("a stale claim changed the message:\n%+v\n%+v", before, after)
		}
		// Once settled, the claim is gone too.
		if err := db.MarkOutboxSent(ctx, m.ID, m.Attempts, "1.1", "C1"); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkOutboxFailed(ctx, m.ID, m.Attempts, "late"); !errors.Is(err, kam.ErrOutboxClaimLost) {
			t.Errorf("settling twice: err = %v", err)
		}
	})
}

func TestSettleOutbox(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*DB, *outboxClock, []kam.OutboxMessage) {
		db, clock := openOutboxDB(t)
		for _, k := range []string{"a", "b", "c", "d"} {
			mustEnqueue(t, db, msg("T1", k, "C"+k))
		}
		c, err := db.ClaimOutbox(ctx, clock.Now(), 4, nil)
		if err != nil || len(c) != 4 {
			t.Fatalf("claim: %v %v", keys(c), err)
		}
		clock.Add(time.Second)
		return db, clock, c
	}

	t.Run("OK", func(t *testing.T) {
		db, clock, c := setup(t)
		next := clock.Now().Add(time.Minute)
		errs, err := db.SettleOutbox(ctx, []kam.OutboxSettlement{
			{ID: c[0].ID, Attempt: 1, Status: kam.OutboxSent, TS: "1.000001", Channel: "Ca"},
			{ID: c[1].ID, Attempt: 1, Status: kam.OutboxFailed, Reason: "is_archived"},
			{ID: c[2].ID, Attempt: 1, Status: kam.OutboxPending, Retry: kam.OutboxRetry{Next: next, Err: "timeout", VerifySince: c[2].ClaimedAt}},
			{ID: c[3].ID, Attempt: 7, Status: kam.OutboxSent, TS: "1.000002", Channel: "Cd"}, // stale claim
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{false, false, false, true} {
			if got := errors.Is(errs[i], kam.ErrOutboxClaimLost); got != want || (!want && errs[i] != nil) {
				t.Errorf("errs[%d] = %v", i, errs[i])
			}
		}
		a, b, cc, d := outboxRow(t, db, "a"), outboxRow(t, db, "b"), outboxRow(t, db, "c"), outboxRow(t, db, "d")
		if a.Status != kam.OutboxSent || a.SlackTS != "1.000001" || !a.SentAt.Equal(clock.Now()) {
			t.Errorf("a: %+v", a)
		}
		if b.Status != kam.OutboxFailed || b.LastError != "is_archived" || !b.FailedAt.Equal(clock.Now()) {
			t.Errorf("b: %+v", b)
		}
		if cc.Status != kam.OutboxPending || !cc.NextAttemptAt.Equal(next) || cc.LastError != "timeout" || !cc.VerifySince.Equal(c[2].ClaimedAt) {
			t.Errorf("c: %+v", cc)
		}
		if d.Status != kam.OutboxSending || d.SlackTS != "" {
			t.Errorf("a stale claim settled d: %+v", d)
		}
	})

	t.Run("ErrUnknownOutcome", func(t *testing.T) {
		db, _, c := setup(t)
		_, err := db.SettleOutbox(ctx, []kam.OutboxSettlement{
			{ID: c[0].ID, Attempt: 1, Status: kam.OutboxSent, TS: "1.1", Channel: "Ca"},
			{ID: c[1].ID, Attempt: 1, Status: "done"},
		})
		if err == nil {
			t.Fatal("an unknown outcome was accepted")
		}
		if a := outboxRow(t, db, "a"); a.Status != kam.OutboxSending {
			t.Errorf("a batch with a bad outcome changed a: %+v", a)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		db, _, _ := setup(t)
		if errs, err := db.SettleOutbox(ctx, nil); err != nil || len(errs) != 0 {
			t.Fatalf("SettleOutbox(nil) = %v, %v", errs, err)
		}
	})
}

func outboxRow(tb testing.TB, db *DB, key string) kam.OutboxMessage {
	tb.Helper()
	m, err := db.OutboxMessageByKey(context.Background(), "T1", key)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestOutboxHeads drives the outbox through random operations and checks
// after each that the triggers kept outbox_heads equal to its definition:
// the lowest open message of each channel.
func TestOutboxHeads(t *testing.T) {
	ctx := context.Background()
	db, clock := openOutboxDB(t)
	rng := rand.New(rand.NewPCG(7, 7))
	heads := func(q string) string {
		rows, err := db.read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var team, ch string
			var id int64
			rows.Scan(&team, &ch, &id)
			out = append(out, fmt.Sprint(team, "/", ch, "=", id))
		}
		return strings.Join(out, " ")
	}
	n := 0
	for step := range 400 {
		switch op := rng.IntN(10); {
		case op < 4:
			n++
			mustEnqueue(t, db, msg(fmt.Sprint("T", rng.IntN(2)), fmt.Sprint("k", n), fmt.Sprint("C", rng.IntN(4))))
		case op < 8:
			c, err := db.ClaimOutbox(ctx, clock.Now(), 1+rng.IntN(3), nil)
			if err != nil {
				t.Fatal(err)
			}
			var items []kam.OutboxSettlement
			for _, m := range c {
				it := kam.OutboxSettlement{ID: m.ID, Attempt: m.Attempts}
				switch rng.IntN(3) {
				case 0:
					it.Status, it.TS, it.Channel = kam.OutboxSent, "1.1", m.Channel
				case 1:
					it.Status, it.Reason = kam.OutboxFailed, "x"
				default:
					it.Status, it.Retry = kam.OutboxPending, kam.OutboxRetry{Next: clock.Now()}
				}
				if rng.IntN(4) > 0 { // some stay in flight for a while
					items = append(items, it)
				}
			}
			if _, err := db.SettleOutbox(ctx, items); err != nil {
				t.Fatal(err)
			}
		case op < 9:
			if f, _ := db.OutboxFailures(ctx, "T0", 1); len(f) > 0 {
				if err := db.RequeueOutbox(ctx, "T0", f[0].ID); err != nil {
					t.Fatal(err)
				}
			}
		default:
			inflight, _ := db.OutboxInFlight(ctx, time.Time{})
			var items []kam.OutboxSettlement
			for _, m := range inflight {
				items = append(items, kam.OutboxSettlement{ID: m.ID, Attempt: m.Attempts, Status: kam.OutboxPending, Retry: kam.OutboxRetry{Next: clock.Now()}})
			}
			db.SettleOutbox(ctx, items)
			if _, err := db.PruneOutbox(ctx, clock.Now().Add(time.Millisecond)); err != nil {
				t.Fatal(err)
			}
		}
		clock.Add(time.Millisecond)
		got := heads(`SELECT team_id, channel, head_id FROM outbox_heads ORDER BY 1, 2`)
		want := heads(`SELECT team_id, channel, min(id) FROM outbox WHERE status IN ('pending', 'sending') GROUP BY 1, 2 ORDER BY 1, 2`)
		if got != want {
			t.Fatalf("step %d: heads\n%s\nwant\n%s", step, got, want)
		}
	}
}

func TestOutboxInFlight(t *testing.T) {
	ctx := context.Background()
	db, clock := openOutboxDB(t)
	mustEnqueue(t, db, msg("T1", "a", "C1"))
	mustEnqueue(t, db, msg("T1", "b", "C2"))
	mustEnqueue(t, db, msg("T1", "c", "C3"))
	db.ClaimOutbox(ctx, clock.Now(), 1, nil) // a
	clock.Add(time.Minute)
	db.ClaimOutbox(ctx, clock.Now(), 1, nil) // b

	all, err := db.OutboxInFlight(ctx, time.Time{})
	if err != nil || keys(all) != "a,b" {
		t.Fatalf("OutboxInFlight(zero) = %s, %v; want a,b", keys(all), err)
	}
	old, err := db.OutboxInFlight(ctx, clock.Now())
	if err != nil || keys(old) != "a" {
		t.Fatalf("OutboxInFlight(now) = %s, %v; want a", keys(old), err)
	}
}

func TestOutboxStatsAndFailures(t *testing.T) {
	ctx := context.Background()
	db, clock := openOutboxDB(t)
	for i, ch := range []string{"C1", "C2", "C3", "C4", "C5"} {
		mustEnqueue(t, db, msg("T1", fmt.Sprint("k", i), ch))
		clock.Add(time.Second)
	}
	mustEnqueue(t, db, msg("T2", "other", "C1"))
	c, _ := db.ClaimOutbox(ctx, clock.Now(), 4, []string{"C5"})
	// k0 sent, k1 failed, k2 failed later, k3 in flight, k4 pending; T2's claimed too.
	var byKey = map[string]kam.OutboxMessage{}
	for _, m := range c {
		byKey[m.TeamID+m.Key] = m
	}
	db.MarkOutboxSent(ctx, byKey["T1k0"].ID, 1, "1.1", "C1")
	db.MarkOutboxFailed(ctx, byKey["T1k1"].ID, 1, "channel_not_found")
	clock.Add(time.Second)
	db.MarkOutboxFailed(ctx, byKey["T1k2"].ID, 1, "not_in_channel")

	s, err := db.OutboxStats(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	want := kam.OutboxStats{Pending: 1, Sending: 1, Sent: 1, Failed: 2, OldestPending: outboxT0.Add(3 * time.Second)}
	if s != want {
		t.Errorf("kam.OutboxStats = %+v, want %+v", s, want)
	}
	if s, _ := db.OutboxStats(ctx, "T9"); s != (kam.OutboxStats{}) {
		t.Errorf("stats of an unknown workspace: %+v", s)
	}
	f, err := db.OutboxFailures(ctx, "T1", 10)
	if err != nil || keys(f) != "k2,k1" || f[0].LastError != "not_in_channel" {
		t.Fatalf("OutboxFailures = %+v, %v; want k2 then k1", f, err)
	}
	if f, _ := db.OutboxFailures(ctx, "T1", 1); keys(f) != "k2" {
		t.Errorf("limit 1 gave %s", keys(f))
	}
	if f, _ := db.OutboxFailures(ctx, "T2", 0); len(f) != 0 {
		t.Errorf("another workspace's failures leaked: %s", keys(f))
	}
	if n, err := db.OutboxDepth(ctx); err != nil || n != 3 {
		t.Errorf("OutboxDepth = %d, %v; want 3 (k3, k4, T2's)", n, err)
	}
}

func TestOutboxNextDue(t *testing.T) {
	ctx := context.Background()
	db, clock := openOutboxDB(t)
	now := clock.Now()
	if _, ok, err := db.OutboxNextDue(ctx, now); ok || err != nil {
		t.Fatalf("empty outbox: ok=%v err=%v", ok, err)
	}
	mustEnqueue(t, db, msg("T1", "a", "C1"))
	mustEnqueue(t, db, msg("T1", "b", "C2"))
	if _, ok, _ := db.OutboxNextDue(ctx, now); ok {
		t.Fatal("messages due now reported as due later")
	}
	c, _ := db.ClaimOutbox(ctx, now, 2, nil)
	db.MarkOutboxRetry(ctx, c[0].ID, 1, kam.OutboxRetry{Next: now.Add(time.Minute)})
	db.MarkOutboxRetry(ctx, c[1].ID, 1, kam.OutboxRetry{Next: now.Add(time.Second)})
	next, ok, err := db.OutboxNextDue(ctx, now)
	if err != nil || !ok || !next.Equal(now.Add(time.Second)) {
		t.Fatalf("OutboxNextDue = %v, %v, %v; want now+1s", next, ok, err)
	}
}

func TestRequeueOutbox(t *testing.T) {
	ctx := context.Background()
	db, clock := openOutboxDB(t)
	mustEnqueue(t, db, msg("T1", "a", "C1"))
	mustEnqueue(t, db, msg("T1", "b", "C2"))
	c, _ := db.ClaimOutbox(ctx, clock.Now(), 2, nil)
	db.MarkOutboxFailed(ctx, c[0].ID, 1, "not_in_channel")

	t.Run("ErrNotFailed", func(t *testing.T) {
		if err := db.RequeueOutbox(ctx, "T1", c[1].ID); kam.ErrorCode(err) != kam.ENOTFOUND {
			t.Fatalf("requeue of a message in flight: %v", err)
		}
	})
	t.Run("ErrOtherWorkspace", func(t *testing.T) {
		if err := db.RequeueOutbox(ctx, "T2", c[0].ID); kam.ErrorCode(err) != kam.ENOTFOUND {
			t.Fatalf("requeue from another workspace: %v", err)
		}
		got, _ := db.OutboxMessageByKey(ctx, "T1", "a")
		if got.Status != kam.OutboxFailed {
			t.Fatalf("another workspace requeued it: %+v", got)
		}
	})
	t.Run("OK", func(t *testing.T) {
		clock.Add(time.Hour)
		if err := db.RequeueOutbox(ctx, "T1", c[0].ID); err != nil {
			t.Fatal(err)
		}
		got, _ := db.OutboxMessageByKey(ctx, "T1", "a")
		if got.Status != kam.OutboxPending || got.Failures() != 0 || !got.NextAttemptAt.Equal(clock.Now()) || !got.FailedAt.IsZero() {
			t.Fatalf("after requeue: %+v", got)
		}
		if again, _ := db.ClaimOutbox(ctx, clock.Now(), 5, nil); keys(again) != "a" {
			t.Fatalf("claimed %s after requeue, want a", keys(again))
		}
	})
}

func TestPruneOutbox(t *testing.T) {
	ctx := context.Background()
	db, clock := openOutboxDB(t)
	for _, k := range []string{"a", "b", "c"} {
		mustEnqueue(t, db, msg("T1", k, "C"+k))
	}
	c, _ := db.ClaimOutbox(ctx, clock.Now(), 2, nil)
	db.MarkOutboxSent(ctx, c[0].ID, 1, "1.1", "Ca")
	db.MarkOutboxFailed(ctx, c[1].ID, 1, "x")
	clock.Add(48 * time.Hour)
	n, err := db.PruneOutbox(ctx, clock.Now().Add(-24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneOutbox = %d, %v; want 2", n, err)
	}
	if left := countOutbox(t, db); left != 1 {
		t.Fatalf("%d rows left, want the pending one", left)
	}
	if n, _ := db.PruneOutbox(ctx, clock.Now()); n != 0 {
		t.Fatalf("pruned %d pending messages", n)
	}
}

// BenchmarkClaimOutbox claims from a queue of 10,000 messages across 500
// channels while most channels are paced (excluded), as the sender does
// under load.
func BenchmarkClaimOutbox(b *testing.B) {
	ctx := context.Background()
	db, clock := openOutboxDB(b)
	const channels, perChannel = 500, 20
	tx, _ := db.write.Begin()
	for i := range channels * perChannel {
		now := ms(clock.Now())
		if _, err := tx.Exec(`INSERT INTO outbox (team_id, key, channel, text, next_attempt_at, created_at) VALUES (?, ?, ?, 'x', ?, ?)`,
			"T1", fmt.Sprint(i), fmt.Sprintf("C%04d", i%channels), now, now); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	var exclude []string
	for i := range channels - 10 {
		exclude = append(exclude, fmt.Sprintf("C%04d", i))
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := db.ClaimOutbox(ctx, clock.Now(), 10, exclude)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for _, m := range got {
			if err := db.MarkOutboxRetry(ctx, m.ID, m.Attempts, kam.OutboxRetry{Next: clock.Now()}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
	}
}

// TestClaimOutboxFair: a paced claim shares out the heads round-robin over
// workspaces, within each workspace's quota, the channel served longest ago
// first; a held channel is held in its own workspace only.
func TestClaimOutboxFair(t *testing.T) {
	ctx := context.Background()
	type q struct{ team, key, channel string }
	// busyA is workspace A with a backlog on five channels, queued before
	// workspace B's one message.
	busyA := []q{{"TA", "a1", "C1"}, {"TA", "a2", "C2"}, {"TA", "a3", "C3"}, {"TA", "a4", "C4"}, {"TA", "a5", "C5"}, {"TB", "b1", "C9"}}
	at := func(s int) time.Time { return outboxT0.Add(time.Duration(s) * time.Second) }
	for _, tc := range []struct {
		name  string
		queue []q
		claim kam.OutboxClaim
		want  string
	}{
		{"OneTurnOfEachWorkspaceFirst", busyA, kam.OutboxClaim{Limit: 2}, "a1,b1"},
		{"LaterTurnsAfterFirstTurns",
			[]q{{"TA", "a1", "C1"}, {"TA", "a2", "C2"}, {"TA", "a3", "C3"}, {"TB", "b1", "C8"}, {"TB", "b2", "C9"}},
			kam.OutboxClaim{Limit: 4}, "a1,a2,b1,b2"},
		{"WorkspaceQuota", busyA, kam.OutboxClaim{Limit: 10, Teams: []kam.OutboxTeamTurn{{TeamID: "TA", Max: 2}}}, "a1,a2,b1"},
		{"WorkspaceHeld", busyA, kam.OutboxClaim{Limit: 10, Teams: []kam.OutboxTeamTurn{{TeamID: "TA", Max: 0}}}, "b1"},
		{"DefaultQuota", busyA, kam.OutboxClaim{Limit: 10, PerTeam: 1}, "a1,b1"},
		{"ListedWorkspaceKeepsItsQuota", busyA,
			kam.OutboxClaim{Limit: 10, PerTeam: 1, Teams: []kam.OutboxTeamTurn{{TeamID: "TA", Max: 3}}}, "a1,a2,a3,b1"},
		{"WorkspaceServedLongestAgoFirst",
			[]q{{"TA", "a1", "C1"}, {"TB", "b1", "C2"}, {"TC", "c1", "C3"}},
			kam.OutboxClaim{Limit: 2, Teams: []kam.OutboxTeamTurn{{TeamID: "TA", Max: 5, Served: at(2)}, {TeamID: "TB", Max: 5, Served: at(1)}}},
			"b1,c1"},
		{"ChannelHeldInItsWorkspaceOnly",
			[]q{{"TA", "a1", "Cs"}, {"TB", "b1", "Cs"}},
			kam.OutboxClaim{Limit: 10, Held: []kam.OutboxChannel{{TeamID: "TA", Channel: "Cs"}}},
			"b1"},
		// Cx was served most recently, Cy before it, Cz never.
		{"ChannelServedLongestAgoFirst",
			[]q{{"TA", "x1", "Cx"}, {"TA", "x2", "Cx"}, {"TA", "y1", "Cy"}, {"TA", "z1", "Cz"}, {"TA", "served", "Cy"}, {"TA", "served", "Cx"}},
			kam.OutboxClaim{Limit: 2}, "y1,z1"},
		// A claim records the turn: once x1 is sent, y1 goes before x2.
		{"ClaimRecordsTheTurn",
			[]q{{"TA", "x1", "Cx"}, {"TA", "x2", "Cx"}, {"TA", "y1", "Cy"}, {"TA", "claim1", ""}},
			kam.OutboxClaim{Limit: 1}, "y1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, clock := openOutboxDB(t)
			for _, m := range tc.queue {
				switch m.key {
				case "served": // the channel was claimed from at this moment
					if _, err := db.write.Exec(`INSERT INTO outbox_served (team_id, channel, served_at) VALUES (?, ?, ?)
						ON CONFLICT (team_id, channel) DO UPDATE SET served_at = excluded.served_at`, m.team, m.channel, ms(clock.Now())); err != nil {
						t.Fatal(err)
					}
				case "claim1": // one claim, sent at once
					c, err := db.ClaimOutboxFair(ctx, clock.Now(), kam.OutboxClaim{Limit: 1})
					if err != nil || len(c) != 1 {
						t.Fatalf("claim: %v, %v", c, err)
					}
					if err := db.MarkOutboxSent(ctx, c[0].ID, c[0].Attempts, "1.1", c[0].Channel); err != nil {
						t.Fatal(err)
					}
				default:
					mustEnqueue(t, db, msg(m.team, m.key, m.channel))
				}
				clock.Add(time.Millisecond)
			}
			got, err := db.ClaimOutboxFair(ctx, clock.Now(), tc.claim)
			if err != nil {
				t.Fatal(err)
			}
			if keys(got) != tc.want {
				t.Fatalf("claimed %s, want %s", keys(got), tc.want)
			}
			for _, m := range got {
				if m.Status != kam.OutboxSending || m.Attempts != 1 || !m.ClaimedAt.Equal(clock.Now()) {
					t.Errorf("claimed %+v", m)
				}
			}
			// Only heads: a second claim with no bounds takes the rest of
			// the heads, never a message behind one in flight.
			rest, err := db.ClaimOutboxFair(ctx, clock.Now(), kam.OutboxClaim{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, m := range append(got, rest...) {
				if seen[m.TeamID+"/"+m.Channel] {
					t.Errorf("two messages of %s/%s in flight", m.TeamID, m.Channel)
				}
				seen[m.TeamID+"/"+m.Channel] = true
			}
		})
	}
}
