package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
)

// TestHealthInputsEachAcrossChunks: over several chunks (the next loaded
// while fn works through the current one), fn gets every account's inputs
// once, in the order asked, each equal to the account loaded alone; an
// error from fn stops the walk at once, and a cancelled context ends it
// with the context's error.
func TestHealthInputsEachAcrossChunks(t *testing.T) {
	ctx := context.Background()
	db, err := OpenMigrated(ctx, storetest.DSN(t, "chunks.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return hcEpoch }
	n := 2*healthChunk + 37
	var accts []kam.Account
	for i := range n {
		a := kam.Account{TeamID: hcTeam, Name: fmt.Sprintf("Account %03d", i), OwnerID: "UKAM", Tier: kam.TierConsultant}
		if err := db.CreateAccount(ctx, &a, "UKAM"); err != nil {
			t.Fatal(err)
		}
		accts = append(accts, a)
	}
	// Each account gets as many interactions as its index mod 4, so that
	// inputs differ from their neighbours'.
	for i, a := range accts {
		for k := range i % 4 {
			in := kam.Interaction{TeamID: hcTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "Call", At: hcEpoch.Add(-time.Duration(k+1) * 24 * time.Hour)}
			if err := db.LogInteraction(ctx, &in, "UKAM", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Shuffled, so that the order asked is not the order stored.
	order := make([]kam.Account, 0, n)
	for i := range n {
		order = append(order, accts[(i*7919)%n])
	}
	for _, pass := range []string{"loaded", "kept"} {
		var got []kam.HealthInput
		if err := db.HealthInputsEach(ctx, hcTeam, order, hcEpoch, func(in kam.HealthInput) error {
			got = append(got, in)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("%s: fn called %d times for %d accounts", pass, len(got), n)
		}
		for i, a := range order {
			db.ForgetHealthInputs()
			alone, err := db.HealthInputs(ctx, hcTeam, []kam.Account{a}, hcEpoch)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got[i], alone[0]) {
				t.Fatalf("%s: position %d (account %d) differs from the account loaded alone:\n got %+v\nwant %+v", pass, i, a.ID, got[i], alone[0])
			}
		}
		if pass == "loaded" {
			// Kept now for the second pass.
			if err := db.HealthInputsEach(ctx, hcTeam, order, hcEpoch, func(kam.HealthInput) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
	}

	stop := errors.New("enough")
	calls := 0
	err = db.HealthInputsEach(ctx, hcTeam, order, hcEpoch, func(kam.HealthInput) error {
		calls++
		if calls == healthChunk+5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != healthChunk+5 {
		t.Errorf("fn's error: got %v after %d calls, want %v after %d", err, calls, stop, healthChunk+5)
	}

	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = db.HealthInputsEach(cctx, hcTeam, order, hcEpoch, func(kam.HealthInput) error {
		calls++
		if calls == 1 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during the first chunk: got %v after %d calls, want %v", err, calls, context.Canceled)
	}
}
