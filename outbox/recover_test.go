package outbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// interrupt leaves the message with key in "sending" as a crashed process
// would: claimed at the clock's time, and posted to Slack first when posted
// is true.
func (r *rig) interrupt(team, channel, key string, posted bool) kam.OutboxMessage {
	r.tb.Helper()
	ctx := context.Background()
	r.enqueue(team, channel, key)
	claimed, err := r.db.ClaimOutbox(ctx, r.s.cfg.Now(), 100, nil)
	if err != nil {
		r.tb.Fatal(err)
	}
	if len(claimed) == 0 {
		r.tb.Fatalf("%s was not claimed", key)
	}
	for _, m := range claimed {
		if m.Key != key {
			r.tb.Fatalf("claimed %s too", m.Key)
		}
	}
	m := claimed[0]
	if posted {
		api := newSlackAPI(r.dbl.srv.URL)
		if _, _, err := api.PostMessage(ctx, m.Channel, m.Text, nil, metadataFor(m)); err != nil {
			r.tb.Fatal(err)
		}
	}
	return m
}

func TestRecoverInterrupted(t *testing.T) {
	t.Run("PostedBeforeCrash", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, true, nil)
		r.interrupt("T1", "C1", "k", true)
		r.enqueue("T1", "C1", "next")
		r.clock.Add(2 * time.Second) // past StaleAfter
		r.start()
		r.waitSettled("T1", "k", "next")
		exactlyOnce(t, r.dbl, []string{"k", "next"})
		m := r.row("T1", "k")
		if m.Status != kam.OutboxSent || m.SlackTS != r.dbl.postsOf("k")[0].TS || m.SlackChannel != "C1" {
			t.Fatalf("recovered %+v; want sent with the ts Slack has", m)
		}
		if v := r.metric("kambot_outbox_verifications_total", "outcome", "found"); v != 1 {
			t.Errorf("found verifications = %v", v)
		}
		if r.dbl.postsOf("next")[0].TS <= r.dbl.postsOf("k")[0].TS {
			t.Error("the channel's next message went out of order")
		}
	})

	t.Run("NotPostedBeforeCrash", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, true, nil)
		r.interrupt("T1", "C1", "k", false)
		r.clock.Add(2 * time.Second)
		r.start()
		r.waitSettled("T1", "k")
		exactlyOnce(t, r.dbl, []string{"k"})
		if m := r.row("T1", "k"); m.Status != kam.OutboxSent || m.Attempts != 2 {
			t.Fatalf("recovered %+v; want sent at attempt 2", m)
		}
		if v := r.metric("kambot_outbox_verifications_total", "outcome", "absent"); v != 1 {
			t.Errorf("absent verifications = %v", v)
		}
	})

	t.Run("FreshClaimWaits", func(t *testing.T) {
		t.Parallel()
		// A claim younger than StaleAfter may still have its post in
		// flight: leave it alone until it is stale.
		r := newRig(t, true, nil)
		r.interrupt("T1", "C1", "k", false)
		r.start()
		r.idle()
		if m := r.row("T1", "k"); m.Status != kam.OutboxSending || len(r.dbl.arrivalsOf("C1")) != 0 {
			t.Fatalf("a fresh claim was recovered: %+v", m)
		}
		r.clock.Add(2 * time.Second)
		r.s.Wake()
		r.waitSettled("T1", "k")
		exactlyOnce(t, r.dbl, []string{"k"})
	})

	t.Run("EarlierUncertainAttempt", func(t *testing.T) {
		t.Parallel()
		// Attempt 1 timed out after Slack posted it; attempt 2 was cut off
		// by a crash. The history search starts from attempt 1.
		r := newRig(t, true, nil)
		r.enqueue("T1", "C1", "k")
		ctx := context.Background()
		c, _ := r.db.ClaimOutbox(ctx, r.clock.Now(), 1, nil)
		api := newSlackAPI(r.dbl.srv.URL)
		if _, _, err := api.PostMessage(ctx, "C1", "text of k", nil, metadataFor(c[0])); err != nil {
			t.Fatal(err)
		}
		r.db.MarkOutboxRetry(ctx, c[0].ID, 1, kam.OutboxRetry{Next: r.clock.Now(), Err: "timeout", VerifySince: c[0].ClaimedAt})
		r.clock.Add(10 * time.Minute) // beyond HistoryMargin
		r.db.ClaimOutbox(ctx, r.clock.Now(), 1, nil)
		r.clock.Add(2 * time.Second)
		r.start()
		r.waitSettled("T1", "k")
		exactlyOnce(t, r.dbl, []string{"k"})
	})

	t.Run("HistoryUnreadable", func(t *testing.T) {
		t.Parallel()
		// A DM's history can't be read by user ID: the outbox posts again
		// (at-least-once, as documented) and counts it.
		r := newRig(t, true, nil)
		r.interrupt("T1", "U0ANA", "dm", true)
		r.clock.Add(2 * time.Second)
		r.start()
		r.waitSettled("T1", "dm")
		if n := len(r.dbl.postsOf("dm")); n != 2 {
			t.Fatalf("%d posts; the documented choice is to post again", n)
		}
		if v := r.metric("kambot_outbox_verifications_total", "outcome", "unreadable"); v != 1 {
			t.Errorf("unreadable verifications = %v", v)
		}
	})

	t.Run("HistoryTransientError", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, true, nil)
		r.dbl.histErr["C1"] = "internal_error"
		r.interrupt("T1", "C1", "k", true)
		r.clock.Add(2 * time.Second)
		r.start()
		waitFor(t, "a failed history check", func() bool {
			m := r.row("T1", "k") // once: two reads could see two states
			return m.LastError != "interrupted: outcome unknown" && m.Status == kam.OutboxPending
		})
		if n := len(r.dbl.postsOf("k")); n != 1 {
			t.Fatalf("posted again although the history could not be checked: %d posts", n)
		}
		r.dbl.mu.Lock()
		delete(r.dbl.histErr, "C1")
		r.dbl.mu.Unlock()
		r.clock.Add(time.Minute)
		r.s.Wake()
		r.waitSettled("T1", "k")
		exactlyOnce(t, r.dbl, []string{"k"})
	})
}

// The crash test runs the Sender in a child process (this test binary,
// TestCrashChild) and kills it with SIGKILL mid-delivery.
const (
	crashDBEnv  = "KAMBOT_OUTBOX_CRASH_DB"
	crashURLEnv = "KAMBOT_OUTBOX_CRASH_URL"
)

func crashConfig(c *Config) {
	c.ChannelInterval = 5 * time.Millisecond
	c.MaxInFlight = 32
	c.StaleAfter = 100 * time.Millisecond
	c.CallTimeout = time.Second
}

// TestCrashChild is the child of TestCrashKill9; alone, it skips.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("run by TestCrashKill9")
	}
	db, err := store.OpenMigrated(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	crashConfig(&cfg)
	cfg.Store, cfg.Slack, cfg.Classify = db, newSlackAPI(os.Getenv(crashURLEnv)), classify
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Run(context.Background()) // until killed
}

func TestCrashKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dbl := newSlackDouble(t)
	dbl.delay = 20 * time.Millisecond // every answer comes 20 ms after the post is stored
	path := storetest.DSN(t, "kambot.db")
	setup := newRigAt(t, path, dbl, false, nil)
	var keys []string
	for i := range 10 {
		for c := range 40 {
			k := fmt.Sprintf("C%02d-%d", c, i)
			setup.enqueue("T1", fmt.Sprintf("C%02d", c), k)
			keys = append(keys, k)
		}
	}

	for round, killAt := range []int{100, 250} {
		var out bytes.Buffer
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashURLEnv+"="+dbl.srv.URL)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, fmt.Sprintf("round %d to deliver %d messages", round, killAt), func() bool {
			accepted, _, _ := dbl.counts()
			return accepted >= killAt
		})
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		cmd.Wait()
		inflight, err := setup.db.OutboxInFlight(context.Background(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		accepted, _, _ := dbl.counts()
		t.Logf("round %d: killed after %d posts, %d messages left in flight", round, accepted, len(inflight))
		if len(inflight) == 0 {
			t.Logf("child output:\n%s", out.String())
		}
	}

	final := newRigAt(t, path, dbl, false, crashConfig)
	final.start()
	final.waitSettled("T1", keys...)
	exactlyOnce(t, dbl, keys)
	for _, k := range keys {
		m := final.row("T1", k)
		if m.Status != kam.OutboxSent || m.SlackTS != dbl.postsOf(k)[0].TS {
			t.Fatalf("%s: %+v", k, m)
		}
	}
	found := final.metric("kambot_outbox_verifications_total", "outcome", "found")
	t.Logf("final run: %v posts found in history, %v not found", found, final.metric("kambot_outbox_verifications_total", "outcome", "absent"))
	if found == 0 {
		t.Error("no kill landed between Slack accepting a post and its recording; the test did not exercise recovery")
	}
}
