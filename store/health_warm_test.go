package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/kambot/kambot/kam"
)

// TestWarmHealthInputs: warming loads the inputs of every active account
// of every workspace, none of an archived one; afterwards reads of them
// load nothing from the database and answer as a fresh load does. With
// the budget nearly full it stops early.
func TestWarmHealthInputs(t *testing.T) {
	w := newHCWorld(t)
	ctx := context.Background()
	other := kam.Account{TeamID: "T2", Name: "Other", OwnerID: "U9"}
	archived := kam.Account{TeamID: hcTeam, Name: "Gone", OwnerID: "UKAM"}
	for _, a := range []*kam.Account{&other, &archived} {
		if err := w.reader.CreateAccount(ctx, a, "UADMIN"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.reader.ArchiveAccount(ctx, hcTeam, archived.ID, "merged", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	for _, a := range w.accts {
		i := kam.Interaction{TeamID: hcTeam, AccountID: a.ID, UserID: "UKAM", Kind: kam.KindCall, Summary: "call", At: hcEpoch.AddDate(0, 0, -3)}
		if err := w.reader.LogInteraction(ctx, &i, "UKAM", nil); err != nil {
			t.Fatal(err)
		}
	}
	db := w.other // no read through it yet
	n, err := db.WarmHealthInputs(ctx)
	if err != nil || n != len(w.accts)+1 {
		t.Fatalf("warmed %d accounts (%v), want %d", n, err, len(w.accts)+1)
	}
	for _, a := range append(w.accts, other) {
		if db.health.entries[healthKey{a.TeamID, a.ID}] == nil {
			t.Errorf("account %d of %s not kept", a.ID, a.TeamID)
		}
	}
	if db.health.entries[healthKey{hcTeam, archived.ID}] != nil {
		t.Error("an archived account was kept")
	}
	loads := db.health.loads.Load()
	got := w.read(db, hcEpoch)
	if d := db.health.loads.Load() - loads; d != 0 {
		t.Errorf("%d accounts loaded from the database after warming", d)
	}
	if want := w.read(w.fresh, hcEpoch); !reflect.DeepEqual(got, want) {
		t.Errorf("warmed inputs differ from a fresh load:\n got %s\nwant %s", hcDump(got), hcDump(want))
	}
	if _, err := db.HealthInputs(ctx, "T2", []kam.Account{other}, hcEpoch); err != nil || db.health.loads.Load() != loads {
		t.Errorf("the other workspace's account loaded again (%v)", err)
	}

	// Nearly full: one chunk at most.
	db = w.fresh
	db.ForgetHealthInputs()
	db.health.max = 1
	if n, err := db.WarmHealthInputs(ctx); err != nil || n != 0 {
		t.Errorf("with the budget full, warmed %d (%v)", n, err)
	}
}
