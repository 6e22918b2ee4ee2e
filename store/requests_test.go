package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestLogOncePerRequest: the same Slack request (trigger_id) handled by two
// replicas — two stores on one database — at once, and again later, logs
// one interaction with one channel post, and every caller gets its ID.
func TestLogOncePerRequest(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, "kambot.db")
	var replicas [2]*store.DB
	for i := range replicas {
		db, err := store.OpenMigrated(ctx, dsn)
		if err != nil {
			t.Fatalf("open replica %d: %v", i, err)
		}
		t.Cleanup(func() { db.Close() })
		replicas[i] = db
	}
	a := coreCreate(t, replicas[0], kam.Account{Name: "Acme", OwnerID: "UKAM", ChannelID: "CACME0001"})
	log := func(db *store.DB, team, request, summary string) (int64, error) {
		in := kam.Interaction{TeamID: team, AccountID: a.ID, Kind: kam.KindCall, Summary: summary, RequestID: request}
		err := db.LogInteraction(ctx, &in, "UKAM", benchPost(team, "CACME0001"))
		return in.ID, err
	}

	// Each request arrives 8 times on each replica at once.
	const requests, copies = 5, 8
	ids := make([][]int64, requests)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for r := range requests {
		for c := range 2 * copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, err := log(replicas[c%2], coreTeam, fmt.Sprintf("1334.7384.%04d", r), fmt.Sprintf("call %d", r))
				if err != nil {
					t.Errorf("request %d copy %d: %v", r, c, err)
					return
				}
				mu.Lock()
				ids[r] = append(ids[r], id)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	for r, got := range ids {
		for _, id := range got {
			if id == 0 || id != got[0] {
				t.Fatalf("request %d: the copies got interactions %v; want one ID for all", r, got)
			}
		}
	}
	if n := storetest.Count(t, dsn, "interactions"); n != requests {
		t.Errorf("%d interactions stored for %d requests", n, requests)
	}
	if n := storetest.Count(t, dsn, "outbox"); n != requests {
		t.Errorf("%d channel posts queued for %d requests", n, requests)
	}

	cases := []struct {
		name    string
		db      *store.DB
		team    string
		request string
		wantNew bool
	}{
		{"SameRequestLater", replicas[1], coreTeam, "1334.7384.0000", false},
		{"NoRequest", replicas[0], coreTeam, "", true},
		{"NoRequestAgain", replicas[1], coreTeam, "", true},
		{"NewRequest", replicas[1], coreTeam, "1334.7384.9999", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := storetest.Count(t, dsn, "interactions")
			id, err := log(tc.db, tc.team, tc.request, "again")
			if err != nil {
				t.Fatal(err)
			}
			after := storetest.Count(t, dsn, "interactions")
			if (after == before+1) != tc.wantNew || after > before+1 {
				t.Fatalf("interactions %d → %d; want a new one: %v", before, after, tc.wantNew)
			}
			if !tc.wantNew && id != ids[0][0] {
				t.Fatalf("got interaction %d; want the first one, %d", id, ids[0][0])
			}
		})
	}

	// Another workspace's request with the same id is its own.
	b := coreCreate(t, replicas[0], kam.Account{TeamID: coreOther, Name: "Acme", OwnerID: "UKAM"})
	in := kam.Interaction{TeamID: coreOther, AccountID: b.ID, Kind: kam.KindCall, Summary: "other", RequestID: "1334.7384.0000"}
	if err := replicas[1].LogInteraction(ctx, &in, "UKAM", nil); err != nil || in.ID == 0 || in.ID == ids[0][0] {
		t.Fatalf("another workspace's request: id %d, err %v; want a new interaction", in.ID, err)
	}
}

// TestLogRequestForgotten: past the window a request id is forgotten (and
// pruned), so the table stays small; a retry that late is a new log.
func TestLogRequestForgotten(t *testing.T) {
	ctx := context.Background()
	db, clock := openCoreDB(t)
	a := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	log := func(request string) int64 {
		t.Helper()
		in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "call", RequestID: request}
		if err := db.LogInteraction(ctx, &in, "UKAM", nil); err != nil {
			t.Fatal(err)
		}
		return in.ID
	}
	first := log("T.1")
	clock.Add(store.RequestWindow - time.Second)
	if again := log("T.1"); again != first {
		t.Fatalf("within the window: interaction %d; want %d", again, first)
	}
	clock.Add(2 * time.Second)
	if late := log("T.1"); late == first {
		t.Fatal("past the window the request still returned the first interaction")
	}
}

// TestLogRequestAgain: a request seen before returns its interaction and
// leaves nothing behind (no interaction, search entry or post), unless its
// interaction was deleted since; a request refused logs nothing and so is
// not remembered.
func TestLogRequestAgain(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		between func(t *testing.T, db *store.DB, first int64) // runs between the two logs
		firstOK bool                                          // the first log succeeds
		wantNew bool                                          // the second log is a new interaction
	}{
		{"Retry", nil, true, false},
		{"AfterDelete", func(t *testing.T, db *store.DB, first int64) {
			// A later interaction keeps SQLite from giving the deleted
			// one's ID (and so its post's key) to the next.
			in, err := db.Interaction(ctx, coreTeam, first)
			if err != nil {
				t.Fatal(err)
			}
			later := kam.Interaction{TeamID: coreTeam, AccountID: in.AccountID, Kind: kam.KindNote, Summary: "later"}
			if err := db.LogInteraction(ctx, &later, "UKAM", nil); err != nil {
				t.Fatal(err)
			}
			if _, err := db.DeleteInteraction(ctx, coreTeam, first, "UKAM", in.EditedAt, nil); err != nil {
				t.Fatal(err)
			}
		}, true, true},
		// The next interaction must not get the deleted newest one's ID
		// (and so its post's key), on SQLite as on PostgreSQL.
		{"AfterDeleteOfNewest", func(t *testing.T, db *store.DB, first int64) {
			in, err := db.Interaction(ctx, coreTeam, first)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.DeleteInteraction(ctx, coreTeam, first, "UKAM", in.EditedAt, nil); err != nil {
				t.Fatal(err)
			}
		}, true, true},
		{"FirstRefused", nil, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dsn := storetest.DSN(t, "kambot.db")
			db, err := store.OpenMigrated(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			a := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM", ChannelID: "CACME0001"})
			log := func(accountID int64) (int64, error) {
				in := kam.Interaction{TeamID: coreTeam, AccountID: accountID, Kind: kam.KindCall, Summary: "renewal call", RequestID: "1334.7384.0001"}
				err := db.LogInteraction(ctx, &in, "UKAM", benchPost(coreTeam, "CACME0001"))
				return in.ID, err
			}
			account := a.ID
			if !tc.firstOK {
				account = a.ID + 1000 // not the workspace's
			}
			first, err := log(account)
			if tc.firstOK != (err == nil) {
				t.Fatalf("first log: id %d, err %v; want success %v", first, err, tc.firstOK)
			}
			if tc.between != nil {
				tc.between(t, db, first)
			}
			counts := func() [3]int {
				return [3]int{storetest.Count(t, dsn, "interactions"), storetest.Count(t, dsn, "search_fts"), storetest.Count(t, dsn, "outbox")}
			}
			before := counts()
			second, err := log(a.ID)
			if err != nil {
				t.Fatal(err)
			}
			after := counts()
			switch {
			case tc.wantNew && second == 0:
				t.Fatal("second log: no interaction ID")
			case tc.wantNew && second <= first:
				t.Fatalf("second log: interaction %d; want a new ID above the first, %d", second, first)
			case tc.wantNew && after != [3]int{before[0] + 1, before[1] + 1, before[2] + 1}:
				t.Fatalf("interactions, search entries, posts %v → %v; want one more of each (ids %d, %d)", before, after, first, second)
			case !tc.wantNew && second != first:
				t.Fatalf("second log: interaction %d; want the first, %d", second, first)
			case !tc.wantNew && after != before:
				t.Fatalf("interactions, search entries, posts %v → %v; want no change", before, after)
			}
			if got, err := db.Interaction(ctx, coreTeam, second); err != nil || got.Summary != "renewal call" {
				t.Fatalf("interaction %d: %+v, %v", second, got, err)
			}
		})
	}
}
