package digest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges/digest"
)

// TestPersonalDigest: a manager who chose Friday 16:00 in Tokyo is left out
// of the workspace run and gets their digest on their own day and hour,
// once that week, outside their quiet hours.
func TestPersonalDigest(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	p := kam.DefaultPrefs(teamID, userMona)
	p.DigestDay, p.DigestHour = time.Friday, 16
	e.must(e.db.SetUserPrefs(ctx, p, userMona))
	e.must(e.db.SetUserZone(ctx, teamID, userMona, "Asia/Tokyo", runAt))
	d := e.digester(digest.Config{Prefs: e.db})
	e.must(d.Run(ctx, runAt))
	has := func(week string) bool {
		_, err := e.db.OutboxMessageByKey(ctx, teamID, "digest:"+userMona+":"+week+":1")
		return err == nil
	}
	if has("2025-W12") {
		t.Fatal("the workspace run sent a digest to someone with their own schedule")
	}
	if _, err := e.db.OutboxMessageByKey(ctx, teamID, "digest:"+userMax+":2025-W12:1"); err != nil {
		t.Fatalf("the others lost their digest: %v", err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	friday := time.Date(2025, 3, 21, 0, 0, 0, 0, tokyo) // Friday of ISO week 12 in Tokyo
	for h := 0; h < 24; h++ {
		now := friday.Add(time.Duration(h) * time.Hour)
		e.must(d.RunPersonal(ctx, now))
		if got := has("2025-W12"); got != (h >= 16) {
			t.Fatalf("at %02d:00 Tokyo: digest queued %v", h, got)
		}
	}
	// Quiet hours hold it back.
	p.QuietFrom, p.QuietTo = 15, 18
	e.must(e.db.SetUserPrefs(ctx, p, userMona))
	next := friday.AddDate(0, 0, 7)
	e.must(d.RunPersonal(ctx, next.Add(16*time.Hour)))
	if has("2025-W13") {
		t.Fatal("a digest was queued in quiet hours")
	}
	e.must(d.RunPersonal(ctx, next.Add(18*time.Hour)))
	if !has("2025-W13") {
		t.Fatal("no digest after the quiet hours ended")
	}
}

// TestPersonalDigestIsCut: a digest on its own schedule is cut after
// MaxParts messages like the workspace's, the last saying so.
func TestPersonalDigestIsCut(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	e.manyAccounts(600)
	p := kam.DefaultPrefs(teamID, userMona)
	p.DigestDay, p.DigestHour = time.Friday, 16
	e.must(e.db.SetUserPrefs(ctx, p, userMona))
	d := e.digester(digest.Config{Prefs: e.db})
	all, err := d.UserDigest(ctx, teamID, userMona, time.Date(2025, 3, 21, 16, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= digest.MaxParts {
		t.Fatalf("%d parts: too few to be cut", len(all))
	}
	e.must(d.RunPersonal(ctx, time.Date(2025, 3, 21, 16, 0, 0, 0, time.UTC)))
	for i := 1; i <= len(all); i++ {
		m, err := e.db.OutboxMessageByKey(ctx, teamID, "digest:"+userMona+":2025-W12:"+itoa(int64(i)))
		if queued := err == nil; queued != (i <= digest.MaxParts) {
			t.Fatalf("part %d of %d queued: %v", i, len(all), queued)
		}
		if i == digest.MaxParts && !strings.Contains(string(m.Blocks), "are not shown here") {
			t.Errorf("the last part queued does not say the rest is left out: %.300s", m.Blocks)
		}
	}
}
