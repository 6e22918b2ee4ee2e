package commands_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// slowStore is the real store whose Interactions, the first record a
// brief loads, waits for gate (or its context) after announcing itself on
// arrived: a database under load, held and let go by the test instead of
// by the clock.
type slowStore struct {
	*store.DB
	gate    chan struct{} // closed: loads go through
	arrived chan struct{} // one send per load that reached the store
}

func newSlowStore(db *store.DB) *slowStore {
	return &slowStore{DB: db, gate: make(chan struct{}), arrived: make(chan struct{}, 1024)}
}

func (s *slowStore) Interactions(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Interaction, error) {
	s.arrived <- struct{}{}
	select {
	case <-s.gate:
	case <-ctx.Done():
		return nil, fmt.Errorf("list interactions: %w", ctx.Err())
	}
	return s.DB.Interactions(ctx, teamID, accountID, limit)
}

// waitArrivals waits until n loads reached the store.
func (s *slowStore) waitArrivals(t *testing.T, n int) {
	t.Helper()
	for range n {
		<-s.arrived
	}
}

const (
	busyText     = "Kambot is busy and could not gather"
	inFlightText = "A brief you asked for is still being prepared"
)

// loadUsers are admins who may each ask for a brief on Acme Corp.
func loadUsers(n int) []string {
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("U0LOAD%03d", i)
	}
	return users
}

// TestBriefUnderLoad is issue 10's item 6: with the account's records slow
// to load and many briefs at once, nobody reads "Internal error.": each
// requester gets the brief (the template when the records came too late
// for the model) or a clear "busy, try again".
func TestBriefUnderLoad(t *testing.T) {
	const requests = 60
	const loads = 4
	tests := []struct {
		name   string
		limits commands.BriefLimits
		// release lets the held loads go once this many reached the
		// store; 0 never does, so that they run into FactsDeadline.
		release int
		want    string // every delivered reply holds it
		model   bool   // the model was asked
	}{{
		name:    "records past the deadline: busy",
		limits:  commands.BriefLimits{FactsTimeout: time.Millisecond, FactsDeadline: 200 * time.Millisecond, Loads: loads},
		release: 0,
		want:    busyText,
	}, {
		name: "records after the model's share of the time: template",
		// FactsTimeout of 1 ns has passed by the time a held load is let go.
		limits:  commands.BriefLimits{FactsTimeout: time.Nanosecond, FactsDeadline: time.Hour, Loads: loads},
		release: loads,
		want:    brief.FallbackMarker,
	}, {
		name:    "records in time: the model is asked",
		limits:  commands.BriefLimits{FactsTimeout: time.Hour, FactsDeadline: time.Hour, Loads: loads},
		release: loads,
		// The model's answer or, should the double be slow on a loaded
		// machine, the template: both have the brief's sections.
		want:  brief.SectionStanding,
		model: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			llm := newBFLLM(t, modelBriefAnswer)
			users := loadUsers(requests)
			var slow *slowStore
			e := newBFEnv(t, bfOptions{llm: llm, admins: users, limits: tt.limits,
				wrap: func(db *store.DB) commands.Store { slow = newSlowStore(db); return slow }})

			// Every acknowledgement first, then the slow parts all at once.
			laters := make([]func(context.Context) commands.Reply, len(users))
			for i, u := range users {
				ack, err := e.do(bfTeam, u, "brief acme")
				if err != nil || ack.Later == nil {
					t.Fatalf("%s: ack %q, err %v", u, ack.Text, err)
				}
				laters[i] = ack.Later
			}
			replies := make([]commands.Reply, len(users))
			var wg sync.WaitGroup
			for i := range laters {
				wg.Go(func() { replies[i] = laters[i](context.Background()) })
			}
			if tt.release > 0 {
				// Only Loads of them reach the store at once; the rest queue.
				slow.waitArrivals(t, tt.release)
				close(slow.gate)
			}
			wg.Wait()

			for i, r := range replies {
				if strings.Contains(r.Text, "Internal error") {
					t.Fatalf("%s got %q", users[i], r.Text)
				}
				if !strings.Contains(r.Text, tt.want) {
					t.Errorf("%s got %q; want it to hold %q", users[i], r.Text, tt.want)
				}
			}
			if asked := len(llm.seen()); tt.model != (asked > 0) {
				t.Errorf("the model was asked %d times; want asked: %v", asked, tt.model)
			}
			if tt.want == brief.FallbackMarker && !strings.Contains(replies[0].Text, "kambot is busy") {
				t.Errorf("the template does not say why the model was skipped:\n%s", replies[0].Text)
			}
		})
	}
}

// TestBriefOnePerUser: while a user's brief is in flight in a workspace,
// their next request there is told so at once and queues nothing; other
// users, and the same user in another workspace, are not held up; once it
// is delivered the user may ask again.
func TestBriefOnePerUser(t *testing.T) {
	var slow *slowStore
	e := newBFEnv(t, bfOptions{wrap: func(db *store.DB) commands.Store { slow = newSlowStore(db); return slow }})

	first, err := e.do(bfTeam, bfSponsor, "brief acme")
	if err != nil || first.Later == nil {
		t.Fatalf("first brief: ack %q, err %v", first.Text, err)
	}
	done := make(chan commands.Reply)
	go func() { done <- first.Later(context.Background()) }()
	slow.waitArrivals(t, 1)

	tests := []struct {
		name, team, user, text string
		held                   bool
	}{
		{"same user, same workspace", bfTeam, bfSponsor, "brief acme", true},
		{"same user, review note", bfTeam, bfSponsor, "brief acme review", true},
		{"another user", bfTeam, bfKAM, "brief acme", false},
		{"same user, another workspace", bfOther, bfSponsor, "brief acme", false},
	}
	var others sync.WaitGroup
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ack, err := e.do(tt.team, tt.user, tt.text)
			if err != nil {
				t.Fatalf("ack %q, err %v", ack.Text, err)
			}
			if got := strings.Contains(ack.Text, inFlightText); got != tt.held {
				t.Errorf("ack %q; told to wait: %v, want %v", ack.Text, got, tt.held)
			}
			if tt.held != (ack.Later == nil) {
				t.Errorf("held %v but slow work queued: %v", tt.held, ack.Later != nil)
			}
			if ack.Later != nil {
				// Let it run so its slot is given back; it waits for the gate.
				others.Go(func() { ack.Later(context.Background()) })
			}
		})
	}

	close(slow.gate)
	others.Wait()
	if rep := <-done; !strings.Contains(rep.Text, brief.FallbackMarker) {
		t.Fatalf("first brief: %q", rep.Text)
	}
	_, rep := e.brief(bfTeam, bfSponsor, "brief acme")
	if !strings.Contains(rep.Text, "Dana Whitfield") {
		t.Errorf("brief after the first was delivered: %q", rep.Text)
	}
}
