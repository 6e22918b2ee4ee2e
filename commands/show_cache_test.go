package commands_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestShowAfterChange checks that the card shows a change made through the
// store at once, even within the second a card was already rendered in.
func TestShowAfterChange(t *testing.T) {
	e := newEnv(t)
	if got := e.ok(ana, "show acme").Text; strings.Contains(got, "Pricing workshop booked") {
		t.Fatalf("the card shows the interaction before it was logged:\n%s", got)
	}
	e.ok(ana, "log acme call Pricing workshop booked")
	if got := e.ok(ana, "show acme").Text; !strings.Contains(got, "Pricing workshop booked") {
		t.Fatalf("the card misses the interaction just logged:\n%s", got)
	}
	e.ok(admin, "set acme segment=Robotics")
	if got := e.ok(ana, "show acme").Text; !strings.Contains(got, "Robotics") {
		t.Fatalf("the card misses the segment just set:\n%s", got)
	}
}

// TestShowOtherProcessChange checks the bound on a change made by another
// process (kambot import while serve runs), which this process's store
// does not see committing: a card rendered in this second may be served
// again within it, never after it.
func TestShowOtherProcessChange(t *testing.T) {
	var mu sync.Mutex
	now := fixedNow
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, func(c *commands.Config) { c.Now = clock })
	first := e.ok(ana, "show acme").Text

	other, err := store.Open(e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Now = clock
	in := kam.Interaction{TeamID: team, AccountID: e.ids[team+"/Acme Corp"], Kind: kam.KindMeeting, Summary: "Roadmap workshop with the buyer"}
	if err := other.LogInteraction(context.Background(), &in, ana, nil); err != nil {
		t.Fatal(err)
	}
	if got := e.ok(ana, "show acme").Text; got != first {
		t.Errorf("within the second the card was rendered in, got another card:\n%s\nwant\n%s", got, first)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if got := e.ok(ana, "show acme").Text; !strings.Contains(got, "Roadmap workshop with the buyer") {
		t.Fatalf("a second later the card still misses the other process's interaction:\n%s", got)
	}
}

// TestShowConcurrent shares cards between concurrent requests while logs
// change the account: run with -race, it finds a card changed while
// another request renders it; every log is on the card that follows it.
func TestShowConcurrent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.eng.Do(ctx, commands.Request{TeamID: team, UserID: ana, Text: "show acme"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 5 {
		summary := "Concurrent call number " + string(rune('A'+i))
		e.ok(ana, "log acme call "+summary)
		if got := e.ok(ana, "show acme").Text; !strings.Contains(got, summary) {
			t.Errorf("the card after log %d misses it:\n%s", i, got)
		}
	}
	close(stop)
	wg.Wait()
}
