package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/promtext"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// notifier is commands.Notifier, restated so that this package's tests
// don't build the command layer.
type notifier interface {
	Notify(ctx context.Context, teamID, channelID, key, text string, blocks []slack.Block) error
}

var _ notifier = (*Sender)(nil)

func TestNewRequires(t *testing.T) {
	db, err := store.OpenMigrated(context.Background(), storetest.DSN(t, "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	api := newSlackAPI("http://127.0.0.1:1")
	for name, cfg := range map[string]Config{
		"ErrNoStore":    {Slack: api, Classify: classify},
		"ErrNoSlack":    {Store: db, Classify: classify},
		"ErrNoClassify": {Store: db, Slack: api},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(cfg); err == nil {
				t.Fatal("New accepted an incomplete Config")
			}
		})
	}
	t.Run("ErrMetricsTwice", func(t *testing.T) {
		r := newRig(t, false, nil)
		if _, err := New(Config{Store: db, Slack: api, Classify: classify, Metrics: r.reg}); err == nil {
			t.Fatal("registering the metrics twice did not fail")
		}
	})
}

func TestEnqueue(t *testing.T) {
	ctx := context.Background()
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Acme*: call logged", false, false), nil, nil)}

	t.Run("OK", func(t *testing.T) {
		r := newRig(t, false, nil)
		created, err := r.s.Enqueue(ctx, Message{TeamID: "T1", Channel: "C1", Key: "k", Text: "hi", Blocks: blocks,
			Metadata: map[string]any{"account_id": 7}})
		if err != nil || !created {
			t.Fatalf("Enqueue = %v, %v", created, err)
		}
		created, err = r.s.Enqueue(ctx, Message{TeamID: "T1", Channel: "C1", Key: "k", Text: "other"})
		if err != nil || created {
			t.Fatalf("second Enqueue = %v, %v; want false, nil", created, err)
		}
		if err := r.s.Notify(ctx, "T1", "C1", "k", "again", nil); err != nil {
			t.Fatalf("Notify with a used key: %v", err)
		}
		m := r.row("T1", "k")
		if m.Text != "hi" || !strings.Contains(string(m.Blocks), "call logged") || string(m.Metadata) != `{"account_id":7}` {
			t.Errorf("stored %+v", m)
		}
	})

	bad := map[string]Message{
		"ErrReservedKey":  {TeamID: "T1", Channel: "C1", Key: "k", Text: "x", Metadata: map[string]any{"key": "mine"}},
		"ErrReservedTeam": {TeamID: "T1", Channel: "C1", Key: "k", Text: "x", Metadata: map[string]any{"team": "T2"}},
		"ErrMetadataJSON": {TeamID: "T1", Channel: "C1", Key: "k", Text: "x", Metadata: map[string]any{"f": func() {}}},
		"ErrChannel":      {TeamID: "T1", Channel: "<#C1|sales>", Key: "k", Text: "x"},
		"ErrEmpty":        {TeamID: "T1", Channel: "C1", Key: "k"},
		"ErrNoKey":        {TeamID: "T1", Channel: "C1", Text: "x"},
		"ErrNoTeam":       {Channel: "C1", Key: "k", Text: "x"},
		"ErrTooManyBlocks": {TeamID: "T1", Channel: "C1", Key: "k", Text: "x",
			Blocks: func() []slack.Block {
				var b []slack.Block
				for range 51 {
					b = append(b, slack.NewDividerBlock())
				}
				return b
			}()},
	}
	r := newRig(t, false, nil)
	for name, m := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := r.s.Enqueue(ctx, m)
			if kam.ErrorCode(err) != kam.EINVALID || kam.ErrorMessage(err) == "" {
				t.Fatalf("err = %v; want a *kam.Error EINVALID", err)
			}
			if n, err := r.db.OutboxDepth(ctx); err != nil || n != 0 {
				t.Fatalf("a bad message was stored: %d queued, %v", n, err)
			}
		})
	}
}

func TestDeliver(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, false, nil)
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Acme* moved to _contracted_", false, false), nil, nil)}
	if _, err := r.s.Enqueue(ctx, Message{TeamID: "T1", Channel: "C0ACME", Key: "stage:1", Text: "Acme moved to contracted",
		Blocks: blocks, Metadata: map[string]any{"account_id": 42}}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		r.enqueue("T1", "C0ACME", fmt.Sprintf("log:%d", i))
	}
	r.enqueue("T1", "U0ANA", "dm:1")
	r.start()
	keys := []string{"stage:1", "log:0", "log:1", "log:2", "log:3", "dm:1"}
	r.waitSettled("T1", keys...)
	exactlyOnce(t, r.dbl, keys)

	p := r.dbl.postsOf("stage:1")[0]
	if p.Text != "Acme moved to contracted" || !strings.Contains(string(p.Blocks), "moved to _contracted_") {
		t.Errorf("posted text %q blocks %s", p.Text, p.Blocks)
	}
	want := map[string]any{"key": "stage:1", "team": "T1", "account_id": float64(42)}
	if p.Metadata.EventType != EventType || fmt.Sprint(p.Metadata.EventPayload) != fmt.Sprint(want) {
		t.Errorf("metadata %+v, want %s %v", p.Metadata, EventType, want)
	}
	m := r.row("T1", "stage:1")
	if m.Status != kam.OutboxSent || m.SlackTS != p.TS || m.SlackChannel != "C0ACME" || m.Attempts != 1 || m.SentAt.IsZero() {
		t.Errorf("stored %+v", m)
	}
	if dm := r.row("T1", "dm:1"); dm.SlackChannel != "D0ANA" {
		t.Errorf("a DM to U0ANA recorded channel %q, want the DM's D0ANA", dm.SlackChannel)
	}

	// Posts to one channel keep their order.
	var order []string
	for _, k := range keys[:5] {
		order = append(order, r.dbl.postsOf(k)[0].TS)
	}
	for i := 1; i < len(order); i++ {
		if order[i] <= order[i-1] {
			t.Fatalf("channel posts out of order: %v", order)
		}
	}

	// The counters move just after the outcome is committed.
	waitFor(t, "sent_total 6", func() bool { return r.metric("kambot_outbox_sent_total") == 6 })
	if n := r.metric("kambot_outbox_delivery_seconds"); n != 6 {
		t.Errorf("latency histogram has %v samples, want 6", n)
	}
	names := map[string]bool{}
	e, err := promtext.Gather(r.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range e.Samples {
		names[s.Name] = true
		names[strings.TrimSuffix(s.Name, "_count")] = true
	}
	for _, n := range []string{"kambot_outbox_sent_total", "kambot_outbox_failed_total", "kambot_outbox_queue_depth", "kambot_outbox_delivery_seconds"} {
		if !names[n] {
			t.Errorf("metric %s not registered (have %v)", n, names)
		}
	}
	waitFor(t, "queue depth 0", func() bool { return r.metric("kambot_outbox_queue_depth") == 0 })
}

// TestExactlyOnceUnderFaults delivers through every fault the double plays
// and checks that Slack holds each message once.
func TestExactlyOnceUnderFaults(t *testing.T) {
	cases := []struct {
		name          string
		faults        []fault
		wantAttempts  int
		wantVerifyHit bool // an earlier attempt had posted it
	}{
		{"500", []fault{fault500}, 2, false},
		{"500AfterPosting", []fault{fault500Posted}, 2, true},
		{"TimeoutAfterPosting", []fault{faultHang}, 2, true},
		{"TimeoutWithoutPosting", []fault{faultHangNoPost}, 2, false},
		{"429", []fault{fault429}, 2, false},
		{"Mixed", []fault{fault500, fault429, faultHangNoPost, faultHang}, 5, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, false, nil)
			r.dbl.script("C1", tc.faults...)
			r.enqueue("T1", "C1", "k1")
			r.enqueue("T1", "C1", "k2") // waits behind k1
			r.start()
			r.waitSettled("T1", "k1", "k2")
			exactlyOnce(t, r.dbl, []string{"k1", "k2"})
			m := r.row("T1", "k1")
			if m.Status != kam.OutboxSent || m.Attempts != tc.wantAttempts {
				t.Errorf("k1: status %s after %d attempts, want sent after %d", m.Status, m.Attempts, tc.wantAttempts)
			}
			if p := r.dbl.postsOf("k1")[0]; m.SlackTS != p.TS {
				t.Errorf("recorded ts %s, Slack has %s", m.SlackTS, p.TS)
			}
			if got := r.metric("kambot_outbox_verifications_total", "outcome", "found") > 0; got != tc.wantVerifyHit {
				t.Errorf("found an earlier post: %v, want %v", got, tc.wantVerifyHit)
			}
			if k2 := r.dbl.postsOf("k2")[0]; k2.TS <= r.dbl.postsOf("k1")[0].TS {
				t.Error("k2 was posted before k1")
			}
		})
	}
}

// TestExactlyOnceRandomFaults sends many messages through randomly injected
// faults, the double's pacing and a too-eager sender burst.
func TestExactlyOnceRandomFaults(t *testing.T) {
	r := newRig(t, false, func(c *Config) {
		c.ChannelBurst = 4
		c.MaxAttempts = 50
		c.CallTimeout = 150 * time.Millisecond
	})
	r.dbl.pace(20*time.Millisecond, 3)
	r.dbl.hang = 300 * time.Millisecond
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []fault{fault500, fault500Posted, faultHang, faultHangNoPost}
	var keys []string
	for c := range 10 {
		ch := fmt.Sprintf("C%02d", c)
		var fs []fault
		for range 30 {
			f := faultNone
			if rng.IntN(6) == 0 {
				f = kinds[rng.IntN(len(kinds))]
			}
			fs = append(fs, f)
		}
		r.dbl.script(ch, fs...)
		for i := range 12 {
			k := fmt.Sprintf("%s-%d", ch, i)
			r.enqueue("T1", ch, k)
			keys = append(keys, k)
		}
	}
	r.start()
	r.waitSettled("T1", keys...)
	exactlyOnce(t, r.dbl, keys)
	for _, k := range keys {
		if m := r.row("T1", k); m.Status != kam.OutboxSent {
			t.Fatalf("%s: %s (%s)", k, m.Status, m.LastError)
		}
	}
	_, limited, history := r.dbl.counts()
	t.Logf("429s: %d, history checks: %d", limited, history)
}

func TestPermanentFailure(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, false, nil)
	r.dbl.setMissing("C0GONE", "channel_not_found")
	r.dbl.setMissing("C0SHUT", "not_in_channel")
	r.enqueue("T1", "C0GONE", "a")
	r.enqueue("T1", "C0SHUT", "b")
	r.enqueue("T1", "C0OK", "c")
	r.start()
	r.waitSettled("T1", "a", "b", "c")
	r.idle()

	for key, reason := range map[string]string{"a": "channel_not_found", "b": "not_in_channel"} {
		m := r.row("T1", key)
		if m.Status != kam.OutboxFailed || m.LastError != reason || m.Attempts != 1 || m.FailedAt.IsZero() {
			t.Errorf("%s: %+v, want failed with %s after one attempt", key, m, reason)
		}
	}
	if n := len(r.dbl.arrivalsOf("C0GONE")); n != 1 {
		t.Errorf("a permanent failure was retried: %d posts", n)
	}
	waitFor(t, "failed_total 2", func() bool { return r.metric("kambot_outbox_failed_total") == 2 })

	st, err := r.s.Status(ctx, "T1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 1 || st.Failed != 2 || st.Pending != 0 || len(st.Failures) != 2 {
		t.Fatalf("Status = %+v", st)
	}
	f := st.Failures[0]
	if f.Reason == "" || f.FailedAt.IsZero() || f.QueuedAt.IsZero() || f.Channel == "" || f.Key == "" || f.Attempts != 1 {
		t.Errorf("failure %+v lacks detail", f)
	}
	if other, _ := r.s.Status(ctx, "T2", 10); other.Failed != 0 || len(other.Failures) != 0 {
		t.Errorf("another workspace sees the failures: %+v", other)
	}

	// The admin invites the bot, then retries.
	r.dbl.setMissing("C0SHUT", "")
	if err := r.s.Retry(ctx, "T2", r.row("T1", "b").ID); kam.ErrorCode(err) != kam.ENOTFOUND {
		t.Fatalf("retry from another workspace: %v", err)
	}
	if err := r.s.Retry(ctx, "T1", r.row("T1", "c").ID); kam.ErrorCode(err) != kam.ENOTFOUND {
		t.Fatalf("retry of a sent message: %v", err)
	}
	if err := r.s.Retry(ctx, "T1", r.row("T1", "b").ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b to be sent", func() bool { return r.row("T1", "b").Status == kam.OutboxSent })
	exactlyOnce(t, r.dbl, []string{"b", "c"})
}

func TestGiveUpAfterMaxAttempts(t *testing.T) {
	r := newRig(t, false, func(c *Config) { c.MaxAttempts = 3 })
	r.dbl.script("C1", fault500, fault500, fault500, fault500)
	r.enqueue("T1", "C1", "k")
	r.start()
	r.waitSettled("T1", "k")
	r.idle()
	m := r.row("T1", "k")
	if m.Status != kam.OutboxFailed || m.Attempts != 3 || !strings.HasPrefix(m.LastError, "gave up after 3 attempts") {
		t.Fatalf("%+v", m)
	}
	if n := len(r.dbl.arrivalsOf("C1")); n != 3 {
		t.Errorf("%d posts, want 3", n)
	}
	// Between attempts the outcome was unknown (a 500), so each retry
	// looked in the history first.
	if v := r.metric("kambot_outbox_verifications_total", "outcome", "absent"); v != 2 {
		t.Errorf("absent verifications = %v, want 2", v)
	}
}

// TestBackoff checks the retry schedule on a fake clock: nothing is posted
// again before the backoff has passed.
func TestBackoff(t *testing.T) {
	r := newRig(t, true, func(c *Config) {
		c.BackoffBase = time.Minute
		c.BackoffMax = time.Hour
		c.Rand = func() float64 { return 0.5 }
	})
	r.dbl.script("C1", fault500, fault500)
	r.enqueue("T1", "C1", "k")
	r.start()

	// One read per check: two reads could see the row in two states.
	var m kam.OutboxMessage
	waitFor(t, "the first retry to be scheduled", func() bool {
		m = r.row("T1", "k")
		return m.Status == kam.OutboxPending && m.Attempts == 1
	})
	if want := t0.Add(45 * time.Second); !m.NextAttemptAt.Equal(want) || !m.VerifySince.Equal(t0) || m.LastError == "" {
		t.Fatalf("after a 500: %+v; want due at %v, verify since %v", m, want, t0)
	}
	r.idle()
	if n := len(r.dbl.arrivalsOf("C1")); n != 1 {
		t.Fatalf("posted %d times before the backoff passed", n)
	}

	r.clock.Add(45 * time.Second)
	r.s.Wake()
	waitFor(t, "the second retry", func() bool {
		m = r.row("T1", "k")
		return m.Attempts == 2 && m.Status == kam.OutboxPending
	})
	if !m.NextAttemptAt.Equal(t0.Add(45*time.Second + 90*time.Second)) {
		t.Fatalf("second backoff: due at %v", m.NextAttemptAt)
	}
	r.clock.Add(90 * time.Second)
	r.s.Wake()
	r.waitSettled("T1", "k")
	exactlyOnce(t, r.dbl, []string{"k"})
}

// TestRetryAfterChannel: a 429 in the middle of a channel's burst holds that
// channel only.
func TestRetryAfterChannel(t *testing.T) {
	r := newRig(t, true, nil)
	r.dbl.script("C0A", faultNone, fault429)
	for i := range 3 {
		r.enqueue("T1", "C0A", fmt.Sprint("a", i))
	}
	r.start()
	waitFor(t, "a1 to be put off", func() bool { return r.row("T1", "a1").Throttles == 1 })
	m := r.row("T1", "a1")
	if m.Status != kam.OutboxPending || !m.NextAttemptAt.Equal(t0.Add(time.Second)) || m.Failures() != 0 || !m.VerifySince.IsZero() {
		t.Fatalf("after a 429: %+v", m)
	}

	r.enqueue("T1", "C0B", "b0")
	r.waitSettled("T1", "b0")
	r.idle()
	if n := len(r.dbl.arrivalsOf("C0A")); n != 2 {
		t.Fatalf("channel A got %d posts during its Retry-After", n)
	}

	r.clock.Add(time.Second)
	r.s.Wake()
	r.waitSettled("T1", "a1", "a2")
	exactlyOnce(t, r.dbl, []string{"a0", "a1", "a2", "b0"})
}

// TestRetryAfterWorkspace: a 429 that cannot be the channel's own limit
// holds every channel.
func TestRetryAfterWorkspace(t *testing.T) {
	r := newRig(t, true, nil)
	r.dbl.script("C0A", fault429)
	r.enqueue("T1", "C0A", "a0")
	r.start()
	waitFor(t, "a0 to be put off", func() bool { return r.row("T1", "a0").Throttles == 1 })

	r.enqueue("T1", "C0B", "b0")
	r.idle()
	if n := len(r.dbl.arrivalsOf("C0B")); n != 0 {
		t.Fatalf("channel B posted during the workspace's Retry-After")
	}
	r.clock.Add(time.Second)
	r.s.Wake()
	r.waitSettled("T1", "a0", "b0")
	exactlyOnce(t, r.dbl, []string{"a0", "b0"})
}

// TestChannelPacing: posts to one channel keep to the configured burst and
// interval, which the double enforces; other channels are not held back.
func TestChannelPacing(t *testing.T) {
	const interval, burst = 50 * time.Millisecond, 3
	r := newRig(t, false, func(c *Config) { c.ChannelInterval, c.ChannelBurst = interval, burst })
	r.dbl.pace(interval, burst+1) // Slack tolerates a little more than we use
	var keys []string
	for i := range 10 {
		for _, ch := range []string{"C0A", "C0B"} {
			k := fmt.Sprint(ch, "-", i)
			r.enqueue("T1", ch, k)
			keys = append(keys, k)
		}
	}
	r.start()
	r.waitSettled("T1", keys...)
	exactlyOnce(t, r.dbl, keys)
	// The posts' claim times (stored in milliseconds) keep to the pacing:
	// post k no sooner than k-burst+1 intervals after the first. Arrival
	// times at the double add the network's and the scheduler's jitter, so
	// the double's 429s are not held against the Sender: a loaded machine
	// can bunch two paced posts, and the Sender retries them as it would
	// Slack's.
	if _, limited, _ := r.dbl.counts(); limited != 0 {
		t.Logf("the double answered %d 429s", limited)
	}
	for _, ch := range []string{"C0A", "C0B"} {
		var at []time.Time
		for i := range 10 {
			at = append(at, r.row("T1", fmt.Sprint(ch, "-", i)).ClaimedAt)
		}
		for k := burst; k < len(at); k++ {
			if min := time.Duration(k-burst+1) * interval; at[k].Sub(at[0]) < min-time.Millisecond {
				t.Errorf("%s: post %d was claimed %v after the first, want ≥ %v", ch, k, at[k].Sub(at[0]), min)
			}
		}
	}
}

func TestGlobalRate(t *testing.T) {
	r := newRig(t, false, func(c *Config) { c.GlobalRate, c.GlobalBurst = 100, 2 })
	var keys []string
	for i := range 30 {
		k := fmt.Sprint("k", i)
		r.enqueue("T1", fmt.Sprintf("C%02d", i), k)
		keys = append(keys, k)
	}
	r.start()
	r.waitSettled("T1", keys...)
	var first, last time.Time
	for _, k := range keys {
		at := r.row("T1", k).ClaimedAt
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	// 30 posts at 100/s after a burst of 2 span at least 28 intervals.
	if span := last.Sub(first); span < 279*time.Millisecond {
		t.Errorf("30 posts across channels were claimed within %v; the global rate allows no less than 280ms", span)
	}
}

func TestShutdown(t *testing.T) {
	t.Run("WaitsForPostsInFlight", func(t *testing.T) {
		r := newRig(t, false, func(c *Config) { c.CallTimeout = 5 * time.Second })
		r.dbl.hang = 300 * time.Millisecond
		r.dbl.script("C1", faultHang) // posts, answers 300 ms later
		r.enqueue("T1", "C1", "k")
		r.start()
		waitFor(t, "the post to reach Slack", func() bool { return len(r.dbl.postsOf("k")) == 1 })
		r.stop()
		if m := r.row("T1", "k"); m.Status != kam.OutboxSent {
			t.Fatalf("Run returned before recording the post in flight: %+v", m)
		}
	})

	t.Run("GraceCutsOff", func(t *testing.T) {
		path := storetest.DSN(t, "k.db")
		dbl := newSlackDouble(t)
		dbl.hang = 10 * time.Second
		dbl.script("C1", faultHang)
		edit := func(c *Config) {
			c.CallTimeout, c.ShutdownGrace, c.StaleAfter = 10*time.Second, 100*time.Millisecond, 50*time.Millisecond
		}
		r := newRigAt(t, path, dbl, false, edit)
		r.enqueue("T1", "C1", "k")
		r.start()
		waitFor(t, "the post to reach Slack", func() bool { return len(dbl.postsOf("k")) == 1 })
		r.stop()
		m := r.row("T1", "k")
		if m.Status != kam.OutboxPending || m.VerifySince.IsZero() {
			t.Fatalf("a post cut off by shutdown: %+v; want pending with its outcome to verify", m)
		}
		// The next run finds it in the history instead of posting again.
		r2 := newRigAt(t, path, dbl, false, edit)
		r2.start()
		r2.waitSettled("T1", "k")
		exactlyOnce(t, dbl, []string{"k"})
	})

	t.Run("RunTwice", func(t *testing.T) {
		r := newRig(t, false, nil)
		r.start()
		waitFor(t, "Run to start", r.s.running.Load)
		if err := r.s.Run(context.Background()); err == nil {
			t.Fatal("a second Run started")
		}
	})
}

func TestPrune(t *testing.T) {
	r := newRig(t, true, func(c *Config) { c.Retention = time.Hour })
	r.enqueue("T1", "C1", "old")
	r.start()
	r.waitSettled("T1", "old")
	r.stop()
	r.clock.Add(2 * time.Hour)
	r.s.maintain(context.Background(), r.clock.Now())
	if _, err := r.db.OutboxMessageByKey(context.Background(), "T1", "old"); kam.ErrorCode(err) != kam.ENOTFOUND {
		t.Fatalf("a sent message past retention was kept: %v", err)
	}
}

func TestMetadataFor(t *testing.T) {
	m := kam.OutboxMessage{TeamID: "T1", Key: "k", Metadata: json.RawMessage(`{"account_id":3,"kind":"call"}`)}
	md := metadataFor(m)
	if md.EventType != "kambot_outbox" || md.EventPayload["key"] != "k" || md.EventPayload["team"] != "T1" ||
		md.EventPayload["kind"] != "call" || md.EventPayload["account_id"] != float64(3) {
		t.Fatalf("metadataFor = %+v", md)
	}
}
