package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kambot/kambot/kam"
)

// TestAccountNamesForUser: the type-ahead's read returns the user's
// accounts (as KAM, member or sponsor) by name, and only those, through
// the user's own team rows.
func TestAccountNamesForUser(t *testing.T) {
	db, _ := openOutboxDB(t)
	ctx := context.Background()
	for _, a := range []kam.Account{
		{TeamID: "T", Name: "Zeta", OwnerID: "U1"},
		{TeamID: "T", Name: "alpha", SponsorID: "U1"},
		{TeamID: "T", Name: "Beta", OwnerID: "U2"},
		{TeamID: "T2", Name: "Other", OwnerID: "U1"},
	} {
		if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.AccountNamesForUser(ctx, "T", "U1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.Name+"/"+a.Slug)
	}
	if fmt.Sprint(names) != "[alpha/alpha Zeta/zeta]" {
		t.Fatalf("names %v", names)
	}
	if db.pg != nil {
		return // the plan below is SQLite's
	}
	plan := explain(t, db, accountNamesSQL, "T", "U1")
	if !strings.Contains(plan, "members_team_user (team_id=? AND user_id=?)") || strings.Contains(plan, "SCAN ") {
		t.Fatalf("the read is not bounded by the user's rows:\n%s", plan)
	}
}
