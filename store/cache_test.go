package store_test

import (
	"context"
	"testing"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestDirCacheSeesChanges: the lookups every command makes are cached, and
// each change to accounts or members is visible to the very next lookup.
func TestDirCacheSeesChanges(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const team = "TCACHE1"
	find := func(q string) []string {
		t.Helper()
		accts, err := db.FindAccounts(ctx, team, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range accts {
			names = append(names, a.Name)
		}
		return names
	}
	role := func(id int64, user string) kam.Role {
		t.Helper()
		r, err := db.MemberRole(ctx, team, id, user)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	if got := find("ac"); len(got) != 0 {
		t.Fatalf("before any account: %v", got)
	}
	acme := kam.Account{TeamID: team, Name: "Acme Corp", Tier: kam.TierPartner, Level: kam.LevelProduct, Cadence: kam.CadenceMonthly}
	if err := db.CreateAccount(ctx, &acme, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if got := find("ac"); len(got) != 1 || got[0] != "Acme Corp" {
		t.Fatalf("after create: %v", got)
	}
	if r := role(acme.ID, "UANA"); r != "" {
		t.Fatalf("role before joining: %q", r)
	}
	if err := db.PutMember(ctx, kam.Member{TeamID: team, AccountID: acme.ID, UserID: "UANA", Role: kam.RoleMember}, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if r := role(acme.ID, "UANA"); r != kam.RoleMember {
		t.Fatalf("role after joining: %q", r)
	}
	if err := db.RemoveMember(ctx, team, acme.ID, "UANA", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if r := role(acme.ID, "UANA"); r != "" {
		t.Fatalf("role after removal: %q (a removed member must lose access at once)", r)
	}
	acme.Name = "Zenith Corp"
	if err := db.UpdateAccount(ctx, &acme, "UADMIN", []string{"name"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := find("ac"); len(got) != 0 {
		t.Fatalf("old name still found after rename: %v", got)
	}
	if got := find("zen"); len(got) != 1 {
		t.Fatalf("new name not found after rename: %v", got)
	}
	// Another workspace never shares an entry.
	if accts, err := db.FindAccounts(ctx, "TOTHER1", "zen", 5); err != nil || len(accts) != 0 {
		t.Fatalf("other workspace sees %v, %v", accts, err)
	}
	// A caller may change what it got without touching the cache.
	accts, _ := db.FindAccounts(ctx, team, "zen", 5)
	accts[0].Name = "mutated"
	if got := find("zen"); got[0] != "Zenith Corp" {
		t.Fatalf("cache shared its slice: %v", got)
	}
}
