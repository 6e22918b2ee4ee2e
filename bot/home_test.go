package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// homeRig is a HomeRefresher on a real store, publishing through the real
// Web API client to the Slack double.
type homeRig struct {
	db  *store.DB
	fs  *fakeslack.Server
	ref *bot.HomeRefresher
	mu  sync.Mutex
	per map[string]int // publishes per user
}

func newHomeRig(t *testing.T, cfg bot.HomeConfig) *homeRig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "home.db"))
	if err != nil {
		t.Fatal(err)
	}
	fs := fakeslack.New(t)
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-home", APIURL: fs.URL()})
	if err != nil {
		t.Fatal(err)
	}
	r := &homeRig{db: db, fs: fs, per: map[string]int{}}
	cfg.Changes = db
	cfg.Publish = func(ctx context.Context, teamID, userID string) error {
		r.mu.Lock()
		r.per[userID]++
		r.mu.Unlock()
		view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "home of "+userID, false, false), nil, nil)}}}
		return api.PublishView(ctx, userID, view, "")
	}
	r.ref = bot.NewHomeRefresher(cfg)
	done := make(chan error, 1)
	go func() { done <- r.ref.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		db.Close()
	})
	return r
}

func (r *homeRig) count(user string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.per[user]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func opened(user string) slackevents.EventsAPIEvent {
	return slackevents.EventsAPIEvent{TeamID: "T1", InnerEvent: slackevents.EventsAPIInnerEvent{
		Type: "app_home_opened", Data: &slackevents.AppHomeOpenedEvent{Type: "app_home_opened", User: user, Tab: "home"}}}
}

// TestHomeRefreshCoalesces: a burst of opens and changes for one user is
// at most one publish per MinGap.
func TestHomeRefreshCoalesces(t *testing.T) {
	r := newHomeRig(t, bot.HomeConfig{MinGap: 400 * time.Millisecond, Poll: time.Hour})
	for range 50 {
		r.ref.HandleEvent(context.Background(), opened("U1"))
	}
	waitFor(t, "the first publish", func() bool { return r.count("U1") == 1 })
	// Requests made while the first is fresh come as one more, a gap later.
	start := time.Now()
	for range 50 {
		r.ref.Request("T1", "U1")
	}
	waitFor(t, "the coalesced publish", func() bool { return r.count("U1") == 2 })
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Errorf("second publish after %v, inside the gap", waited)
	}
	time.Sleep(600 * time.Millisecond)
	if n := r.count("U1"); n != 2 {
		t.Fatalf("100 requests gave %d publishes, want 2", n)
	}
	if n := len(r.fs.CallsTo("views.publish")); n != 2 {
		t.Fatalf("Slack got %d views.publish", n)
	}
	// Other tabs and events are not Home refreshes.
	ev := opened("U2")
	ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent).Tab = "messages"
	r.ref.HandleEvent(context.Background(), ev)
	time.Sleep(100 * time.Millisecond)
	if r.count("U2") != 0 {
		t.Fatal("opening the Messages tab published Home")
	}
}

// TestHomeRefreshPaced: a workspace never gets more publishes than its
// rate allows, however many users ask.
func TestHomeRefreshPaced(t *testing.T) {
	r := newHomeRig(t, bot.HomeConfig{MinGap: time.Millisecond, PerMinute: 60, Poll: time.Hour})
	for i := range 30 {
		r.ref.Request("T1", fmt.Sprintf("U%02d", i))
	}
	r.ref.Request("T2", "UOTHER") // another workspace has its own budget
	waitFor(t, "the burst", func() bool { return len(r.fs.CallsTo("views.publish")) >= 21 })
	time.Sleep(300 * time.Millisecond)
	if n := len(r.fs.CallsTo("views.publish")); n > 21 {
		t.Fatalf("%d publishes at once; the burst is 20 per workspace", n)
	}
	if r.count("UOTHER") != 1 {
		t.Fatal("one busy workspace held back another")
	}
	// One a second after the burst.
	waitFor(t, "the next paced publish", func() bool { return len(r.fs.CallsTo("views.publish")) >= 22 })
}

// TestHomeRefreshOnChange: a change to an account refreshes the Home of
// its team and of admins who opened Home, not of anyone else.
func TestHomeRefreshOnChange(t *testing.T) {
	r := newHomeRig(t, bot.HomeConfig{MinGap: time.Millisecond, Poll: 50 * time.Millisecond,
		Admins: func(team string) []string { return []string{"UADMIN"} }})
	ctx := context.Background()
	acme := kam.Account{TeamID: "T1", Name: "Acme", OwnerID: "UANA"}
	if err := r.db.CreateAccount(ctx, &acme, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	other := kam.Account{TeamID: "T2", Name: "Acme", OwnerID: "UANA"}
	if err := r.db.CreateAccount(ctx, &other, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // creations are polled before anyone opened Home
	for _, u := range []string{"UANA", "UBEN", "UADMIN"} {
		if err := r.db.RecordHomeView(ctx, "T1", u, 0, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	in := kam.Interaction{TeamID: "T1", AccountID: acme.ID, UserID: "UANA", Kind: kam.KindCall, Summary: "Renewal", At: time.Now()}
	if err := r.db.LogInteraction(ctx, &in, "UANA", nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the KAM's and the admin's refresh", func() bool { return r.count("UANA") == 1 && r.count("UADMIN") == 1 })
	// A change in another workspace refreshes nobody here.
	in2 := kam.Interaction{TeamID: "T2", AccountID: other.ID, UserID: "UANA", Kind: kam.KindCall, Summary: "Elsewhere", At: time.Now()}
	if err := r.db.LogInteraction(ctx, &in2, "UANA", nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if r.count("UBEN") != 0 || r.count("UANA") != 1 || r.count("UADMIN") != 1 {
		t.Fatalf("publishes: %v", r.per)
	}
}

// TestHomeRefreshOnReminder: a reminder sent to someone who opened Home
// refreshes it (Home lists the week's open reminders, and a nudge leaves
// no audit entry); nobody else's, and never a Home nobody opened.
func TestHomeRefreshOnReminder(t *testing.T) {
	r := newHomeRig(t, bot.HomeConfig{MinGap: time.Millisecond, Poll: 50 * time.Millisecond})
	ctx := context.Background()
	acme := kam.Account{TeamID: "T1", Name: "Acme", OwnerID: "UANA"}
	if err := r.db.CreateAccount(ctx, &acme, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the creation is polled before anyone opened Home
	for _, u := range []string{"UANA", "UBEN"} {
		if err := r.db.RecordHomeView(ctx, "T1", u, 0, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	remind := func(to, period string) {
		t.Helper()
		k := kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: acme.ID, Kind: kam.NudgePlanReview, Period: period}, Recipient: to}
		msg := kam.NudgeMessage{TeamID: "T1", Key: k, Text: "Plan review due", Blocks: []byte(`[]`)}
		if _, err := r.db.QueueNudges(ctx, []kam.NudgeMessage{msg}); err != nil {
			t.Fatal(err)
		}
	}
	remind("UANA", "2025-03-01")
	remind("UCARL", "2025-03-01") // never opened Home
	waitFor(t, "the recipient's refresh", func() bool { return r.count("UANA") == 1 })
	time.Sleep(300 * time.Millisecond)
	if r.count("UBEN") != 0 || r.count("UCARL") != 0 || r.count("UANA") != 1 {
		t.Fatalf("publishes: %v", r.per)
	}
	if n := len(r.fs.CallsTo("views.publish")); n != 1 {
		t.Fatalf("Slack got %d views.publish", n)
	}
}
