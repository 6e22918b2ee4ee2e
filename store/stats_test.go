package store_test

import (
	"context"
	"testing"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

func TestCounts(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "counts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := map[string]int64{}
	for _, team := range []string{"TCOUNT1", "TCOUNT2"} {
		a := kam.Account{TeamID: team, Name: "Acme", Tier: kam.TierVendor, Level: kam.LevelProduct, Cadence: kam.CadenceMonthly}
		if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		ids[team] = a.ID
	}
	for i := range 3 {
		in := kam.Interaction{TeamID: "TCOUNT1", AccountID: ids["TCOUNT1"], UserID: "UANA", Kind: kam.KindCall, Summary: "call"}
		if i == 2 {
			in = kam.Interaction{TeamID: "TCOUNT2", AccountID: ids["TCOUNT2"], UserID: "UBEN", Kind: kam.KindNote, Summary: "note"}
		}
		if err := db.LogInteraction(ctx, &in, in.UserID, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.CountAccountInteractions(ctx, "TCOUNT1", ids["TCOUNT1"]); err != nil || n != 2 {
		t.Errorf("account count: %d, %v; want 2", n, err)
	}
	if n, err := db.CountAccountInteractions(ctx, "TCOUNT2", ids["TCOUNT1"]); err != nil || n != 0 {
		t.Errorf("another workspace's account counted %d, %v; want 0", n, err)
	}
	if n, err := db.CountInteractions(ctx, "TCOUNT2"); err != nil || n != 1 {
		t.Errorf("workspace count: %d, %v; want 1", n, err)
	}
	if teams, err := db.Teams(ctx); err != nil || len(teams) != 2 || teams[0] != "TCOUNT1" {
		t.Errorf("teams: %v, %v", teams, err)
	}
}
