package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

func TestUserPrefs(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, _ := openCoreDB(t)
		got, err := db.UserPrefs(ctx, coreTeam, "UANA")
		if err != nil {
			t.Fatal(err)
		}
		if got != kam.DefaultPrefs(coreTeam, "UANA") {
			t.Fatalf("prefs of someone who set none = %+v, want the defaults", got)
		}
		p := kam.DefaultPrefs(coreTeam, "UANA")
		p.DigestDay, p.DigestHour, p.QuietFrom, p.QuietTo, p.Bundle = time.Friday, 16, 22, 7, true
		if err := db.SetUserPrefs(ctx, p, "UANA"); err != nil {
			t.Fatal(err)
		}
		// The zone is kept apart from what the person sets.
		if err := db.SetUserZone(ctx, coreTeam, "UANA", "Asia/Tokyo", coreEpoch); err != nil {
			t.Fatal(err)
		}
		got, err = db.UserPrefs(ctx, coreTeam, "UANA")
		if err != nil {
			t.Fatal(err)
		}
		if got.DigestDay != time.Friday || got.DigestHour != 16 || got.QuietFrom != 22 || got.QuietTo != 7 || !got.Bundle ||
			got.Zone != "Asia/Tokyo" || !got.ZoneChecked.Equal(coreEpoch) || !got.UpdatedAt.Equal(coreEpoch) {
			t.Fatalf("prefs = %+v", got)
		}
		// Setting prefs again keeps the zone.
		p.Bundle = false
		if err := db.SetUserPrefs(ctx, p, "UANA"); err != nil {
			t.Fatal(err)
		}
		if got, _ = db.UserPrefs(ctx, coreTeam, "UANA"); got.Zone != "Asia/Tokyo" || got.Bundle {
			t.Fatalf("after a second change: %+v", got)
		}
		audit := coreAudit(t, db, coreTeam)
		if len(audit) != 2 || audit[0].Action != store.ActionPrefsSet || audit[0].Entity != "user:UANA" {
			t.Fatalf("audit = %+v", audit)
		}
		// Another workspace sees none of it.
		if other, _ := db.UserPrefs(ctx, coreOther, "UANA"); other != kam.DefaultPrefs(coreOther, "UANA") {
			t.Fatalf("other workspace: %+v", other)
		}
		all, err := db.UsersPrefs(ctx, coreTeam)
		if err != nil || len(all) != 1 || all["UANA"].Zone != "Asia/Tokyo" {
			t.Fatalf("UsersPrefs = %+v, %v", all, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openCoreDB(t)
		for _, p := range []kam.UserPrefs{
			{TeamID: coreTeam, UserID: "UANA", DigestHour: 24, QuietFrom: kam.NoHour, QuietTo: kam.NoHour},
			{TeamID: coreTeam, UserID: "UANA", DigestHour: kam.NoHour, QuietFrom: 22, QuietTo: kam.NoHour},
			{TeamID: coreTeam, UserID: "UANA", DigestHour: 8, DigestDay: 7, QuietFrom: kam.NoHour, QuietTo: kam.NoHour},
			{UserID: "UANA", DigestHour: kam.NoHour, QuietFrom: kam.NoHour, QuietTo: kam.NoHour},
		} {
			coreWantCode(t, db.SetUserPrefs(ctx, p, "UANA"), kam.EINVALID)
		}
		if got, _ := db.UserPrefs(ctx, coreTeam, "UANA"); got != kam.DefaultPrefs(coreTeam, "UANA") {
			t.Fatalf("a refused change wrote %+v", got)
		}
		if len(coreAudit(t, db, coreTeam)) != 0 {
			t.Fatal("a refused change was audited")
		}
	})
}

func TestHomeViewsAndChanges(t *testing.T) {
	ctx := context.Background()
	db, _ := openCoreDB(t)
	acme := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UANA"})
	birch := coreCreate(t, db, kam.Account{Name: "Birch", OwnerID: "UBEN", SponsorID: "USARA"})
	other := coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Acme", OwnerID: "UANA"})
	if err := db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: birch.ID, UserID: "UCLEO", Role: kam.RoleMember}, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	start, err := db.LastAuditID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"UANA", "UBEN", "USARA", "UCLEO", "UOUT"} {
		if err := db.RecordHomeView(ctx, coreTeam, u, 0, coreEpoch); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RecordHomeView(ctx, coreTeam, "UBEN", 2, coreEpoch); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.HomePage(ctx, coreTeam, "UBEN"); p != 2 {
		t.Fatalf("page = %d", p)
	}
	viewers, err := db.HomeViewers(ctx, coreTeam, []int64{birch.ID})
	if err != nil || !slices.Equal(viewers, []string{"UBEN", "UCLEO", "USARA"}) {
		t.Fatalf("viewers of Birch = %v, %v", viewers, err)
	}
	if viewers, _ = db.HomeViewers(ctx, coreTeam, nil); len(viewers) != 5 {
		t.Fatalf("every viewer = %v", viewers)
	}
	if viewers, _ = db.HomeViewers(ctx, coreOther, []int64{other.ID}); len(viewers) != 0 {
		t.Fatalf("another workspace's viewers = %v", viewers)
	}

	// A logged interaction resolves to its account; prefs are left out.
	in := kam.Interaction{TeamID: coreTeam, AccountID: acme.ID, UserID: "UANA", Kind: kam.KindCall, Summary: "Renewal", At: coreEpoch}
	if err := db.LogInteraction(ctx, &in, "UANA", nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserPrefs(ctx, kam.DefaultPrefs(coreTeam, "UANA"), "UANA"); err != nil {
		t.Fatal(err)
	}
	changes, last, err := db.HomeChanges(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []kam.HomeChange{{TeamID: coreTeam, AccountID: acme.ID, Actor: "UANA"}}
	if !slices.Equal(changes, want) || last <= start {
		t.Fatalf("changes = %+v (last %d), want %+v", changes, last, want)
	}
	if changes, last2, _ := db.HomeChanges(ctx, last, 100); len(changes) != 0 || last2 != last {
		t.Fatalf("no new changes: %+v, %d", changes, last2)
	}
}

func TestOpenRemindersAndTotals(t *testing.T) {
	ctx := context.Background()
	db, clock := openCoreDB(t)
	acme := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UANA"})
	other := coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Other", OwnerID: "UANA"})
	key := func(team string, acct int64, kind kam.NudgeKind, period string) kam.NudgeMessage {
		return kam.NudgeMessage{TeamID: team, Key: kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: acct, Kind: kind, Period: period}, Recipient: "UANA"},
			Text: "due", Blocks: []byte(`[]`)}
	}
	msgs := []kam.NudgeMessage{
		key(coreTeam, acme.ID, kam.NudgeNoContact, "2025-03-01"),
		key(coreTeam, acme.ID, kam.NudgePlanReview, "2025-03-02"),
		key(coreOther, other.ID, kam.NudgeNoContact, "2025-03-01"),
	}
	for _, m := range msgs {
		if _, err := db.QueueNudges(ctx, []kam.NudgeMessage{m}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.OpenReminders(ctx, coreTeam, "UANA", coreEpoch.AddDate(0, 0, -7), coreEpoch, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("open reminders = %+v, %v", got, err)
	}
	// Handled and snoozed topics drop out; a snooze that ended comes back.
	if _, err := db.HandleNudge(ctx, coreTeam, msgs[0].Key.NudgeTopic, kam.HowLogged, "UANA"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SnoozeNudge(ctx, coreTeam, msgs[1].Key.NudgeTopic, "UANA", coreEpoch.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.OpenReminders(ctx, coreTeam, "UANA", coreEpoch.AddDate(0, 0, -7), coreEpoch, 10); len(got) != 0 {
		t.Fatalf("handled and snoozed reminders still open: %+v", got)
	}
	clock.Add(48 * time.Hour)
	if got, _ = db.OpenReminders(ctx, coreTeam, "UANA", coreEpoch.AddDate(0, 0, -7), coreEpoch.Add(48*time.Hour), 10); len(got) != 1 || got[0].Key.Kind != kam.NudgePlanReview {
		t.Fatalf("after the snooze: %+v", got)
	}
	tot, err := db.WorkspaceTotals(ctx, coreTeam, coreEpoch.AddDate(0, 0, -7))
	if err != nil || tot.Accounts != 1 || tot.PendingOutbox != 2 || tot.FailedOutbox != 0 {
		t.Fatalf("totals = %+v, %v", tot, err)
	}
}

// TestQueuedReminders: the reminder feed gives each recipient once a
// workspace, in the order their reminders were queued, and goes on from
// the last one read.
func TestQueuedReminders(t *testing.T) {
	ctx := context.Background()
	db, _ := openCoreDB(t)
	acme := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UANA"})
	other := coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Other", OwnerID: "UANA"})
	start, err := db.LastNudgeID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	queue := func(team string, acct int64, to, period string) {
		t.Helper()
		if _, err := db.QueueNudges(ctx, []kam.NudgeMessage{nudgeMsg(team, planKey(acct, to, period))}); err != nil {
			t.Fatal(err)
		}
	}
	queue(coreTeam, acme.ID, "UBEN", "2025-03-01")
	queue(coreTeam, acme.ID, "UANA", "2025-03-01")
	queue(coreTeam, acme.ID, "UBEN", "2025-03-02")
	queue(coreOther, other.ID, "UBEN", "2025-03-01")
	got, last, err := db.QueuedReminders(ctx, start, 100)
	want := []kam.HomeRecipient{{TeamID: coreTeam, UserID: "UBEN"}, {TeamID: coreTeam, UserID: "UANA"}, {TeamID: coreOther, UserID: "UBEN"}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("recipients = %+v, %v; want %+v", got, err, want)
	}
	if newest, _ := db.LastNudgeID(ctx); last != newest || last <= start {
		t.Fatalf("went on from %d; the newest nudge is %d", last, newest)
	}
	// A limit stops inside the batch, and the rest comes next.
	got, mid, _ := db.QueuedReminders(ctx, start, 2)
	if !slices.Equal(got, want[:2]) {
		t.Fatalf("first two = %+v", got)
	}
	if got, _, _ := db.QueuedReminders(ctx, mid, 100); !slices.Equal(got, []kam.HomeRecipient{{TeamID: coreTeam, UserID: "UBEN"}, {TeamID: coreOther, UserID: "UBEN"}}) {
		t.Fatalf("the rest = %+v", got)
	}
	if got, again, _ := db.QueuedReminders(ctx, last, 100); len(got) != 0 || again != last {
		t.Fatalf("nothing new: %+v, %d", got, again)
	}
	// A nudge already queued is not queued again, so it is no new reminder.
	queue(coreTeam, acme.ID, "UANA", "2025-03-01")
	if got, _, _ := db.QueuedReminders(ctx, last, 100); len(got) != 0 {
		t.Fatalf("a repeated nudge: %+v", got)
	}
}
