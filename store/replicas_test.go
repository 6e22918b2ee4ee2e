package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// needPostgres skips a test of what only a shared PostgreSQL database has.
func needPostgres(t *testing.T) {
	t.Helper()
	if !storetest.OnPostgres() {
		t.Skip("several processes on one database: PostgreSQL only (runs when " + storetest.EnvPostgres + " is set)")
	}
}

// openReplicas opens n handles on one fresh PostgreSQL schema, as n
// replicas would.
func openReplicas(t *testing.T, n int) []*store.DB {
	t.Helper()
	dsn := storetest.DSN(t, "")
	var dbs []*store.DB
	for range n {
		db, err := store.OpenMigrated(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	return dbs
}

// TestRoleRevokedAcrossReplicas: a role removed through replica A is
// refused by replica B, which had it cached, within a second.
func TestRoleRevokedAcrossReplicas(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	dbs := openReplicas(t, 2)
	a, b := dbs[0], dbs[1]
	const team = "TREPL"
	acme := kam.Account{TeamID: team, Name: "Acme Corp", Tier: kam.TierPartner, Level: kam.LevelProduct, Cadence: kam.CadenceMonthly}
	if err := a.CreateAccount(ctx, &acme, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if err := a.PutMember(ctx, kam.Member{TeamID: team, AccountID: acme.ID, UserID: "UANA", Role: kam.RoleMember}, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	// B reads (and caches) the role, once its listener is up.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := b.MemberRole(ctx, team, acme.ID, "UANA")
		if err != nil {
			t.Fatal(err)
		}
		if r == kam.RoleMember {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica B never saw the role: %q", r)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := a.RemoveMember(ctx, team, acme.ID, "UANA", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()
	for {
		r, err := b.MemberRole(ctx, team, acme.ID, "UANA")
		if err != nil {
			t.Fatal(err)
		}
		if r == "" {
			t.Logf("replica B refused the role %v after the revocation committed", time.Since(revoked))
			return
		}
		if time.Since(revoked) > time.Second {
			t.Fatalf("replica B still grants %q %v after the revocation", r, time.Since(revoked))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLeadOneAtATime: of two replicas one leads; when it stops, the other
// takes over within the election period, and never do both lead at once.
func TestLeadOneAtATime(t *testing.T) {
	needPostgres(t)
	store.ElectEvery = 200 * time.Millisecond
	t.Cleanup(func() { store.ElectEvery = 5 * time.Second })
	dbs := openReplicas(t, 2)
	role := "test-" + t.Name()
	var leaders, most atomic.Int32
	var terms [2]atomic.Int32
	ctxs := make([]context.CancelFunc, 2)
	done := make(chan int, 2)
	for i, db := range dbs {
		ctx, cancel := context.WithCancel(context.Background())
		ctxs[i] = cancel
		go func() {
			db.Lead(ctx, role, func(ctx context.Context) {
				n := leaders.Add(1)
				if n > most.Load() {
					most.Store(n)
				}
				terms[i].Add(1)
				<-ctx.Done()
				leaders.Add(-1)
			}, nil)
			done <- i
		}()
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 15 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("leader", func() bool { return leaders.Load() == 1 })
	first := 0
	if terms[1].Load() == 1 {
		first = 1
	}
	time.Sleep(3 * store.ElectEvery) // the other keeps trying meanwhile
	if most.Load() != 1 {
		t.Fatalf("%d replicas led at once", most.Load())
	}
	stopped := time.Now()
	ctxs[first]()
	<-done
	waitFor("takeover", func() bool { return terms[1-first].Load() == 1 })
	t.Logf("replica %d took over %v after replica %d stopped", 1-first, time.Since(stopped), first)
	ctxs[1-first]()
	<-done
	if most.Load() != 1 {
		t.Fatalf("%d replicas led at once", most.Load())
	}
}

// TestFirstDelivery: an event_id is handled once within the retry window,
// whichever handle of the database sees it, and again after the window.
func TestFirstDelivery(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, "deliveries.db")
	var dbs []*store.DB
	clock := coreEpoch
	for range 2 {
		db, err := store.OpenMigrated(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = func() time.Time { return clock }
		dbs = append(dbs, db)
	}
	tests := []struct {
		name  string
		db    int
		id    string
		after time.Duration
		want  bool
	}{
		{"first", 0, "Ev1", 0, true},
		{"retry on the same replica", 0, "Ev1", time.Second, false},
		{"retry on another replica", 1, "Ev1", time.Minute, false},
		{"another event", 1, "Ev2", 0, true},
		{"after the window", 1, "Ev1", store.DeliveryWindow, true},
	}
	for _, tt := range tests {
		clock = clock.Add(tt.after)
		got, err := dbs[tt.db].FirstDelivery(ctx, tt.id)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: first = %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := dbs[0].FirstDelivery(ctx, ""); err == nil {
		t.Error("empty event id accepted")
	}
}
