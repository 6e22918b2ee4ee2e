package outbox

import (
	"fmt"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

// stepUntil runs the Sender on the rig's fake clock, letting it act on the
// queue at each simulated moment before moving the clock on by step, until
// done holds; it returns how many steps that took, or fails the test after
// max steps. The bound is in simulated time, not the machine's.
func (r *rig) stepUntil(step time.Duration, max int, what string, done func() bool) int {
	r.tb.Helper()
	for n := 0; ; n++ {
		r.idle()
		if done() {
			return n
		}
		if n == max {
			r.tb.Fatalf("%s: not done after %v of simulated time", what, time.Duration(max)*step)
		}
		r.clock.Add(step)
	}
}

func (r *rig) sent(team, key string) bool { return r.row(team, key).Status == kam.OutboxSent }

// TestBusyWorkspaceDoesNotStallOthers: with thousands of posts pending for
// workspace A across many channels, one post for workspace B goes out at
// once, while A keeps to its own workspace-wide pace.
func TestBusyWorkspaceDoesNotStallOthers(t *testing.T) {
	const rate, burst = 5, 20
	r := newRig(t, true, func(c *Config) {
		c.ChannelInterval, c.ChannelBurst = time.Second, 3
		c.GlobalRate, c.GlobalBurst = rate, burst
	})
	const channels, perChannel = 60, 40
	for i := range perChannel {
		for c := range channels {
			r.enqueue("TA", fmt.Sprintf("CA%02d", c), fmt.Sprintf("a%02d-%02d", c, i))
		}
	}
	r.start()
	r.idle() // A's burst goes out; its workspace budget is spent
	r.enqueue("TB", "CB", "b")

	steps := r.stepUntil(time.Second, 2, "workspace B's post behind A's backlog of 2,400", func() bool { return r.sent("TB", "b") })
	accepted, _, _ := r.dbl.counts()
	if a := accepted - 1; a > burst+rate*steps {
		t.Errorf("workspace A got %d posts out in %d simulated seconds; its pace allows %d", a, steps, burst+rate*steps)
	}
	exactlyOnce(t, r.dbl, []string{"b"})
}

// TestRetryAfterHoldsOneWorkspace: a 429 in workspace A holds A's channel,
// and all of A's channels when the limit hit was evidently A's
// workspace-wide one, but never workspace B's posts.
func TestRetryAfterHoldsOneWorkspace(t *testing.T) {
	for _, tc := range []struct {
		name string
		// posts to A's channel CA1, the last of which is answered 429
		posts  []string
		script []fault
		// whether A's other channels are held for the Retry-After
		workspaceWide bool
	}{
		// A first post limited cannot be the channel's own limit.
		{"WorkspaceLimit", []string{"a0"}, []fault{fault429}, true},
		// A second post within the channel's interval can.
		{"ChannelLimit", []string{"a0", "a1"}, []fault{faultNone, fault429}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, true, nil)
			r.dbl.script("CA1", tc.script...)
			for _, k := range tc.posts {
				r.enqueue("TA", "CA1", k)
			}
			limited := tc.posts[len(tc.posts)-1]
			r.start()
			waitFor(t, limited+" to be put off", func() bool { return r.row("TA", limited).Throttles == 1 })

			r.enqueue("TA", "CA2", "c0")
			r.enqueue("TB", "CB1", "b0")
			r.enqueue("TB", "CB2", "b1")
			r.idle()
			if !r.sent("TB", "b0") || !r.sent("TB", "b1") {
				t.Fatalf("workspace B's posts waited for workspace A's Retry-After: %+v, %+v", r.row("TB", "b0"), r.row("TB", "b1"))
			}
			if held := len(r.dbl.arrivalsOf("CA2")) == 0; held != tc.workspaceWide {
				t.Fatalf("A's other channel held during the Retry-After: %v, want %v", held, tc.workspaceWide)
			}
			if n := len(r.dbl.arrivalsOf("CA1")); n != len(tc.posts) {
				t.Fatalf("A's limited channel got %d posts during its Retry-After, want %d", n, len(tc.posts))
			}

			r.clock.Add(time.Second)
			r.s.Wake()
			r.waitSettled("TA", append([]string{"c0"}, tc.posts...)...)
			exactlyOnce(t, r.dbl, append([]string{"c0", "b0", "b1"}, tc.posts...))
		})
	}
}

// TestFairAcrossChannels: within one workspace whose workspace-wide budget
// is the limit, a channel with one new post waits for one turn of each
// channel that has waited longer, not for the busier channels' backlog.
func TestFairAcrossChannels(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		rate                 float64
		burst                int
		interval             time.Duration
		channels, perChannel int
		step                 time.Duration
		maxSteps             int
	}{
		// The channel's own pace is faster than the workspace's: 100 s of
		// backlog, served in turns with the new post.
		{"OneBusyChannel", 2, 2, 100 * time.Millisecond, 1, 200, 500 * time.Millisecond, 2},
		// 100 s of backlog across 50 channels, 30 of which have not had a
		// turn yet when the new post comes: it waits for their turns (6 s
		// at 5 a second), not for the backlog.
		{"ManyBusyChannels", 5, 20, time.Second, 50, 10, time.Second, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, true, func(c *Config) {
				c.ChannelInterval, c.ChannelBurst = tc.interval, 3
				c.GlobalRate, c.GlobalBurst = tc.rate, tc.burst
			})
			for i := range tc.perChannel {
				for c := range tc.channels {
					r.enqueue("T1", fmt.Sprintf("CX%02d", c), fmt.Sprintf("x%02d-%03d", c, i))
				}
			}
			r.start()
			r.idle() // the burst goes out
			r.enqueue("T1", "CY", "y")
			r.stepUntil(tc.step, tc.maxSteps, "a quiet channel's post behind busy channels", func() bool { return r.sent("T1", "y") })
			exactlyOnce(t, r.dbl, []string{"y"})
		})
	}
}
