package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

// TestHealthInputsDeals: the health inputs' opportunities, which are the
// Home's deals, are the named accounts' open opportunities with what Home
// shows of them (value included), and nothing of another workspace or of
// an account not named.
func TestHealthInputsDeals(t *testing.T) {
	db, _ := openOutboxDB(t)
	ctx := context.Background()
	accts := map[int64]kam.Account{}
	acct := func(team, name string) int64 {
		a := kam.Account{TeamID: team, Name: name, OwnerID: "U1"}
		if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		accts[a.ID] = a
		return a.ID
	}
	acme, globex, other := acct("T", "Acme"), acct("T", "Globex"), acct("T2", "Other")
	closes := time.Date(2025, 4, 30, 0, 0, 0, 0, time.UTC)
	opp := func(team string, account int64, name string, value int64, close time.Time, stage kam.Stage) {
		o := kam.Opportunity{TeamID: team, AccountID: account, Name: name, Value: value, CloseDate: close}
		if err := db.AddOpportunity(ctx, &o, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		if stage != kam.StageIdentified {
			if _, err := db.MoveStage(ctx, team, o.ID, stage, "UADMIN", "", db.now(), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	opp("T", acme, "Renewal", 50_000, closes, kam.StageIdentified)
	opp("T", acme, "Expansion", 120_000, time.Time{}, kam.StagePursuing)
	opp("T", acme, "Lost one", 9_000, closes, kam.StageLost)
	opp("T", globex, "Pilot", 10_000, closes, kam.StageClosing)
	opp("T2", other, "Foreign", 1, closes, kam.StageIdentified)
	deals := func(team string, ids ...int64) string {
		t.Helper()
		var as []kam.Account
		for _, id := range ids {
			a, ok := accts[id]
			if !ok {
				a = kam.Account{ID: id}
			}
			a.TeamID = "" // asked of team, whatever its own
			as = append(as, a)
		}
		ins, err := db.HealthInputs(ctx, team, as, db.now())
		if err != nil {
			t.Fatal(err)
		}
		var got []kam.Opportunity
		for _, in := range ins {
			got = append(got, in.Opportunities...)
		}
		var out []string
		for _, o := range got {
			if o.TeamID != team || o.ID == 0 {
				t.Fatalf("deal %+v", o)
			}
			out = append(out, fmt.Sprintf("%d/%s/%d/%s/%s", o.AccountID, o.Name, o.Value, o.Stage, o.CloseDate.Format("2006-01-02")))
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		name, team string
		ids        []int64
		want       string
	}{
		{"open ones only", "T", []int64{acme}, fmt.Sprintf("%d/Expansion/120000/pursuing/0001-01-01 %d/Renewal/50000/identified/2025-04-30", acme, acme)},
		{"several accounts", "T", []int64{acme, globex}, fmt.Sprintf("%d/Expansion/120000/pursuing/0001-01-01 %d/Renewal/50000/identified/2025-04-30 %d/Pilot/10000/closing/2025-04-30", acme, acme, globex)},
		{"another workspace's account named", "T", []int64{other}, ""},
		{"this workspace's account asked from another", "T2", []int64{globex}, ""},
		{"no accounts", "T", nil, ""},
		{"an account that does not exist", "T", []int64{999}, ""},
	} {
		if got := deals(c.team, c.ids...); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// accountsByDefinitionSQL is what AccountsForUser means, tested on every
// account: the user owns it, sponsors it, or is on its team.
const accountsByDefinitionSQL = `SELECT ` + accountCols + ` FROM accounts
	WHERE team_id = ?1 AND archived_at IS NULL AND (owner_id = ?2 OR sponsor_id = ?2
		OR id IN (SELECT account_id FROM members WHERE team_id = ?1 AND user_id = ?2))
	ORDER BY name COLLATE NOCASE, id`

// TestAccountsForUser: the read of the user's accounts along their team
// rows gives what the definition gives — owner, sponsor, member, manager;
// not archived ones, not another workspace's — through every change of
// owner, sponsor and team.
func TestAccountsForUser(t *testing.T) {
	db, _ := openOutboxDB(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, a := range []kam.Account{
		{TeamID: "T", Name: "Acme", OwnerID: "U1", SponsorID: "U2"},
		{TeamID: "T", Name: "Beta", OwnerID: "U2"},
		{TeamID: "T", Name: "Gamma", SponsorID: "U1"},
		{TeamID: "T", Name: "Delta"},
		{TeamID: "T2", Name: "Other", OwnerID: "U1"},
	} {
		if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		ids[a.Name] = a.ID
	}
	users := []string{"U1", "U2", "U3", "UNOBODY"}
	agree := func(step string) {
		t.Helper()
		for _, team := range []string{"T", "T2", "T3"} {
			for _, u := range users {
				got, err := db.AccountsForUser(ctx, team, u)
				if err != nil {
					t.Fatal(err)
				}
				want, err := db.queryAccounts(ctx, "by definition", accountsByDefinitionSQL, team, u)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: %s in %s: %v, want %v", step, u, team, names(got), names(want))
				}
			}
		}
	}
	agree("as created")
	for _, c := range []struct {
		step   string
		change func() error
	}{
		{"member added", func() error {
			return db.PutMember(ctx, kam.Member{TeamID: "T", AccountID: ids["Delta"], UserID: "U3", Role: kam.RoleMember}, "UADMIN")
		}},
		{"manager added", func() error {
			return db.PutMember(ctx, kam.Member{TeamID: "T", AccountID: ids["Beta"], UserID: "U3", Role: kam.RoleManager}, "UADMIN")
		}},
		{"owner changed", func() error {
			return db.PutMember(ctx, kam.Member{TeamID: "T", AccountID: ids["Acme"], UserID: "U3", Role: kam.RoleKAM}, "UADMIN")
		}},
		{"sponsor removed", func() error { return db.RemoveMember(ctx, "T", ids["Gamma"], "U1", "UADMIN") }},
		{"archived", func() error {
			_, err := db.ArchiveAccount(ctx, "T", ids["Beta"], "no longer key", "UADMIN")
			return err
		}},
	} {
		if err := c.change(); err != nil {
			t.Fatalf("%s: %v", c.step, err)
		}
		agree(c.step)
	}
	if got, _ := db.AccountsForUser(ctx, "T", "U3"); fmt.Sprint(names(got)) != "[Acme Delta]" {
		t.Errorf("U3 in T: %v", names(got))
	}
	if db.pg != nil {
		return // the plans below are SQLite's
	}
	// Along the user's team rows, analyzed or not: never a pass over the
	// workspace's accounts.
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		plan := explain(t, db, teamAccountsSQL, "T", "U1")
		if !strings.Contains(plan, "SEARCH m USING COVERING INDEX members_team_user (team_id=? AND user_id=?)") ||
			!strings.Contains(plan, "SEARCH a USING INTEGER PRIMARY KEY (rowid=?)") {
			t.Errorf("analyzed %v: plan\n%s", analyzed, plan)
		}
	}
}

func names(accts []kam.Account) []string {
	out := make([]string, len(accts))
	for i, a := range accts {
		out[i] = a.Name
	}
	return out
}
