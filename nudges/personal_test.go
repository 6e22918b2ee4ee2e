package nudges_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges"
)

// zones answers users.info tz from a map and counts the lookups.
type zones struct {
	by    map[string]string
	calls int
}

func (z *zones) UserZone(_ context.Context, _, userID string) (*time.Location, error) {
	z.calls++
	if name := z.by[userID]; name != "" {
		return time.LoadLocation(name)
	}
	return nil, nil
}

// dmsTo lists the outbox keys of the DMs to a user.
func dmsTo(w *world, user string) []string {
	var out []string
	for _, r := range w.outbox() {
		if r.channel == user {
			out = append(out, r.key)
		}
	}
	return out
}

// TestPersonalReminders: at the workspace's 07:00 sweep, a person whose
// morning has not come (Tokyo has; New York has not) gets their DMs later,
// in an hourly pass at their own 07:00; quiet hours push it on; a bundle is
// one DM a day; channel posts go at the sweep as before; each reminder is
// queued once.
func TestPersonalReminders(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	z := &zones{by: map[string]string{schedAna: "America/New_York", schedBen: "Asia/Tokyo", schedSara: "Europe/Zurich"}}
	// Sara is quiet until 09:00 her time; Ben wants one bundle.
	sara := kam.DefaultPrefs(schedTeam, schedSara)
	sara.QuietFrom, sara.QuietTo = 22, 9
	ben := kam.DefaultPrefs(schedTeam, schedBen)
	ben.Bundle = true
	for _, p := range []kam.UserPrefs{sara, ben} {
		if err := w.db.SetUserPrefs(ctx, p, p.UserID); err != nil {
			t.Fatal(err)
		}
	}
	s := w.scheduler(nudges.Config{Prefs: w.db, Zones: z})
	w.clock.Set(schedT0)
	rep, err := s.Sweep(ctx, schedT0) // 07:00 Zurich = 01:00 New York = 15:00 Tokyo
	if err != nil {
		t.Fatal(err)
	}
	if n := len(dmsTo(w, schedAna)); n != 0 {
		t.Fatalf("Ana (New York, 01:00) got %d DMs at the Zurich sweep", n)
	}
	if n := len(dmsTo(w, schedSara)); n != 0 {
		t.Fatalf("Sara (quiet until 09:00) got %d DMs", n)
	}
	benDMs := dmsTo(w, schedBen)
	if len(benDMs) != 1 || !strings.HasPrefix(benDMs[0], "nudge-bundle:"+schedBen+":2025-03-10") {
		t.Fatalf("Ben (bundle, Tokyo afternoon) got %v", benDMs)
	}
	if rep.Deferred == 0 || rep.Bundles != 1 {
		t.Fatalf("report %+v", rep)
	}
	channelPosts := len(dmsTo(w, "C0ACME"))
	if channelPosts == 0 {
		t.Fatal("the account channel got nothing at the sweep")
	}
	if z.calls != 3 {
		t.Fatalf("%d zone lookups, want one per person", z.calls)
	}

	// Hourly passes through the day: Sara at 09:00 Zurich, Ana at 07:00 New York.
	for h := 1; h <= 8; h++ {
		now := schedT0.Add(time.Duration(h) * time.Hour)
		w.clock.Set(now)
		s.Hourly(ctx, now)
		switch h {
		case 1:
			if len(dmsTo(w, schedSara)) != 0 {
				t.Fatal("Sara got a DM at 08:00, inside her quiet hours")
			}
		case 2:
			if len(dmsTo(w, schedSara)) == 0 {
				t.Fatal("Sara got nothing at 09:00, when her quiet hours ended")
			}
		case 4: // 11:00 Zurich, 06:00 in New York (summer time there since 9 March)
			if len(dmsTo(w, schedAna)) != 0 {
				t.Fatal("Ana got a DM before her 07:00")
			}
		case 5:
			if len(dmsTo(w, schedAna)) == 0 {
				t.Fatal("Ana got nothing at 07:00 New York")
			}
		}
	}
	if z.calls != 3 {
		t.Fatalf("zones looked up again within a day: %d calls", z.calls)
	}
	// Every key is queued once; the bundle once a day; channels only at the sweep.
	seen := map[string]bool{}
	for _, k := range w.keys() {
		if seen[k] {
			t.Fatalf("key %s queued twice", k)
		}
		seen[k] = true
	}
	if got := dmsTo(w, schedBen); len(got) != 1 {
		t.Fatalf("Ben got %d bundles in a day", len(got))
	}
	if n := len(dmsTo(w, "C0ACME")); n != channelPosts {
		t.Fatalf("hourly passes posted %d channel messages", n-channelPosts)
	}
	// A second sweep the same day queues nothing new.
	before := len(w.outbox())
	if _, err := s.Sweep(ctx, schedT0.Add(8*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if after := len(w.outbox()); after != before {
		t.Fatalf("a repeated sweep queued %d messages", after-before)
	}
	// A day on, a new reminder for Ana reads her zone again (a day old
	// now), and the changed zone is stored: she moved to London.
	z.by[schedAna] = "Europe/London"
	later := schedT0.Add(24 * time.Hour)
	w.clock.Set(later)
	if err := w.db.AddTactic(ctx, &kam.Tactic{TeamID: schedTeam, AccountID: w.acme.ID, Text: "Send the proposal", OwnerID: schedAna,
		Due: later.AddDate(0, 0, -1)}, schedAna); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx, later); err != nil {
		t.Fatal(err)
	}
	if z.calls != 4 {
		t.Fatalf("%d zone lookups; want Ana's read again a day later (4 in all)", z.calls)
	}
	if p, err := w.db.UserPrefs(ctx, schedTeam, schedAna); err != nil || p.Zone != "Europe/London" || !p.ZoneChecked.Equal(later) {
		t.Fatalf("Ana's stored zone %q checked %v (%v); want Europe/London at %v", p.Zone, p.ZoneChecked, err, later)
	}
}
