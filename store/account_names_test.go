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
		{TeamID: "T", Name: "Çava, 3:1 Ltd", OwnerID: "U3"},
		{TeamID: "T2", Name: "Other", OwnerID: "U1"},
	} {
		if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
			t.Fatal(err)
		}
	}
	names := func(team, user string) string {
		t.Helper()
		got, err := db.AccountNamesForUser(ctx, team, user)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range got {
			if a.TeamID != team || a.ID == 0 {
				t.Fatalf("account %+v", a)
			}
			out = append(out, a.Name+"/"+a.Slug)
		}
		return fmt.Sprint(out)
	}
	for _, c := range []struct{ team, user, want string }{
		{"T", "U1", "[alpha/alpha Zeta/zeta]"},
		{"T", "U2", "[Beta/beta]"},
		{"T2", "U1", "[Other/other]"},
		{"T", "U3", "[Çava, 3:1 Ltd/cava-3-1-ltd]"},
		{"T", "UNOBODY", "[]"},
		{"T3", "U1", "[]"},
	} {
		if got := names(c.team, c.user); got != c.want {
			t.Errorf("%s/%s: names %s, want %s", c.team, c.user, got, c.want)
		}
	}
	// The names held in memory follow every change to accounts and teams
	// at once: a new account, a rename, a team change.
	acct := kam.Account{TeamID: "T", Name: "Gamma", OwnerID: "U2"}
	if err := db.CreateAccount(ctx, &acct, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if err := db.PutMember(ctx, kam.Member{TeamID: "T", AccountID: acct.ID, UserID: "U1", Role: kam.RoleMember}, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if got := names("T", "U1"); got != "[alpha/alpha Gamma/gamma Zeta/zeta]" {
		t.Errorf("after a new account: %s", got)
	}
	acct.Name = "Aardvark"
	if err := db.UpdateAccount(ctx, &acct, "UADMIN", []string{"name"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := names("T", "U1"); got != "[Aardvark/aardvark alpha/alpha Zeta/zeta]" {
		t.Errorf("after a rename: %s", got)
	}
	if err := db.RemoveMember(ctx, "T", acct.ID, "U1", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if got := names("T", "U1"); got != "[alpha/alpha Zeta/zeta]" {
		t.Errorf("after leaving the team: %s", got)
	}
	if db.pg != nil {
		return // the plans below are SQLite's
	}
	for _, c := range []struct {
		what, sql string
		args      []any
		want      []string
	}{
		{"the workspace's names", workspaceNamesSQL, []any{"T"},
			[]string{"SEARCH directory_revs USING PRIMARY KEY (team_id=?)", "SEARCH accounts USING INDEX accounts_team_name (team_id=?)"}},
		{"the names changed since", namesSinceSQL, []any{"T", 3},
			[]string{"SEARCH directory_revs USING PRIMARY KEY (team_id=?)", "SEARCH accounts USING INDEX accounts_team_names_rev (team_id=? AND names_rev>?)"}},
		{"the change counters", directoryRevsSQL, []any{"T"}, []string{"SEARCH directory_revs USING PRIMARY KEY (team_id=?)"}},
	} {
		plan := explain(t, db, c.sql, c.args...)
		for _, w := range c.want {
			if !strings.Contains(plan, w) {
				t.Errorf("%s: no %q in the plan:\n%s", c.what, w, plan)
			}
		}
		if strings.Contains(strings.ReplaceAll(plan, "SCAN CONSTANT ROW", ""), "SCAN ") {
			t.Errorf("%s: a scan in the plan:\n%s", c.what, plan)
		}
	}
	if plan := explain(t, db, userAccountIDsSQL, "T", "U1"); !strings.Contains(plan, "COVERING INDEX members_team_user (team_id=? AND user_id=?)") {
		t.Fatalf("the user's accounts are not one range of their team rows:\n%s", plan)
	}
}

// TestParseNames: the joined names are read back whatever they hold, and
// a damaged text is an error, not a wrong list.
func TestParseNames(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "[]"},
		{"7,4,4:Acmeacme", "[7 Acme acme]"},
		{"1,14,11:Çava, 3:1 Ltdcava-3-1-lt2,1,1:Zz", "[1 Çava, 3:1 Ltd cava-3-1-lt 2 Z z]"},
		{"3,0,0:", "[3  ]"},
	} {
		got, err := parseNames(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		var parts []string
		for _, e := range got {
			if e.key != foldASCII(e.name) {
				t.Errorf("%q: key %q of %q", c.in, e.key, e.name)
			}
			parts = append(parts, fmt.Sprint(e.id), e.name, e.slug)
		}
		if s := "[" + strings.Join(parts, " ") + "]"; s != c.want {
			t.Errorf("%q: %s, want %s", c.in, s, c.want)
		}
	}
	for _, bad := range []string{"7,4,4Acmeacme", "7,4:Acme", "x,4,4:Acmeacme", "7,9,4:Acmeacme", "7,-1,4:Acmeacme", "7,4,4:Acmeacm"} {
		if got, err := parseNames(bad); err == nil {
			t.Errorf("%q read as %v", bad, got)
		}
	}
}
