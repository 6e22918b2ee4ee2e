package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// The SQLite store is what the method's commands run on.
var _ commands.MethodStore = (*store.DB)(nil)

// historyText lists an account's history as "field=value@day".
func historyText(t *testing.T, db *store.DB, team string, id int64) string {
	t.Helper()
	hs, err := db.Histories(context.Background(), team, []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, e := range hs[id] {
		parts = append(parts, fmt.Sprintf("%s=%s@%s", e.Field, e.Value, e.At.Format(time.DateOnly)))
	}
	return strings.Join(parts, " ")
}

func TestHistoryAppends(t *testing.T) {
	ctx := context.Background()
	db, clock := openCoreDB(t)
	a := coreCreate(t, db, kam.Account{Name: "Acme", Revenue: 1_000_000, WalletPct: 20})
	other := coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Acme"})
	if got, want := historyText(t, db, coreTeam, a.ID), "tier=vendor@2025-03-14 level=commodity@2025-03-14 revenue=1000000@2025-03-14 wallet=20.0@2025-03-14"; got != want {
		t.Fatalf("history after add =\n %s\nwant\n %s", got, want)
	}
	// Setting a value appends; a change of another field adds nothing.
	clock.Add(40 * 24 * time.Hour)
	a.Revenue, a.Level, a.Segment = 1_200_000, kam.LevelProduct, "Food"
	if err := db.UpdateAccount(ctx, &a, "UKAM", []string{"revenue", "level", "segment"}, nil); err != nil {
		t.Fatal(err)
	}
	clock.Add(24 * time.Hour)
	a.Segment = "Retail"
	if err := db.UpdateAccount(ctx, &a, "UKAM", []string{"segment"}, nil); err != nil {
		t.Fatal(err)
	}
	want := "tier=vendor@2025-03-14 level=commodity@2025-03-14 revenue=1000000@2025-03-14 wallet=20.0@2025-03-14 " +
		"level=product@2025-04-23 revenue=1200000@2025-04-23"
	if got := historyText(t, db, coreTeam, a.ID); got != want {
		t.Fatalf("history after set =\n %s\nwant\n %s", got, want)
	}
	// A past year's revenue is dated its year's end and leaves the
	// current revenue alone.
	if err := db.RecordYearRevenue(ctx, coreTeam, a.ID, 2024, 900_000, "UKAM"); err != nil {
		t.Fatal(err)
	}
	if got := historyText(t, db, coreTeam, a.ID); !strings.HasPrefix(got, "revenue=900000@2024-12-31 ") {
		t.Errorf("past revenue not first: %s", got)
	}
	if cur, _ := db.Account(ctx, coreTeam, a.ID); cur.Revenue != 1_200_000 {
		t.Errorf("current revenue = %d, want 1200000", cur.Revenue)
	}
	t.Run("ErrAppendOnly", func(t *testing.T) {
		driver := "sqlite3"
		if storetest.OnPostgres() {
			driver = "pgx" // a password-less test server: the URL opens as is
		}
		raw, err := sql.Open(driver, db.Path())
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		_, err = raw.ExecContext(ctx, `UPDATE account_history SET value = '1'`)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("update of history: %v, want refused", err)
		}
	})
	t.Run("ErrOtherWorkspace", func(t *testing.T) {
		before := historyText(t, db, coreTeam, a.ID)
		coreWantCode(t, db.RecordYearRevenue(ctx, coreOther, a.ID, 2024, 1, "UKAM"), kam.ENOTFOUND)
		if got := historyText(t, db, coreTeam, a.ID); got != before {
			t.Errorf("history changed: %s", got)
		}
		if got := historyText(t, db, coreTeam, other.ID); got != "" {
			t.Errorf("another workspace's history leaked: %s", got)
		}
	})
	t.Run("ErrYear", func(t *testing.T) {
		coreWantCode(t, db.RecordYearRevenue(ctx, coreTeam, a.ID, 1999, 1, "UKAM"), kam.EINVALID)
	})
}

func TestTargets(t *testing.T) {
	ctx := context.Background()
	db, clock := openCoreDB(t)
	a := coreCreate(t, db, kam.Account{Name: "Acme"})
	for _, amount := range []int64{1_000_000, 1_500_000} {
		tg := kam.Target{TeamID: coreTeam, AccountID: a.ID, Year: 2025, Amount: amount}
		if err := db.SetTarget(ctx, &tg, "UKAM"); err != nil {
			t.Fatal(err)
		}
		if tg.ID == 0 || tg.UserID != "UKAM" || !tg.At.Equal(clock.Now()) {
			t.Errorf("target not filled: %+v", tg)
		}
		clock.Add(time.Hour)
	}
	ts, err := db.Targets(ctx, coreTeam, []int64{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts[a.ID]) != 2 {
		t.Fatalf("targets = %+v, want both settings kept", ts[a.ID])
	}
	if cur, ok := ts[a.ID].For(2025); !ok || cur.Amount != 1_500_000 {
		t.Errorf("2025 target = %+v, want the latest setting", cur)
	}
	// The plan carries the targets, for health.
	p, err := db.Plan(ctx, coreTeam, a.ID)
	if err != nil || len(p.Targets) != 2 {
		t.Errorf("plan targets = %+v, %v", p.Targets, err)
	}
	for _, bad := range []kam.Target{
		{TeamID: coreTeam, AccountID: a.ID, Year: 1999, Amount: 1},
		{TeamID: coreTeam, AccountID: a.ID, Year: 2025, Amount: -1},
		{TeamID: coreOther, AccountID: a.ID, Year: 2025, Amount: 1},
	} {
		before := len(coreAudit(t, db, coreTeam))
		if err := db.SetTarget(ctx, &bad, "UKAM"); err == nil {
			t.Errorf("SetTarget(%+v) succeeded", bad)
		}
		if after := len(coreAudit(t, db, coreTeam)); after != before {
			t.Errorf("a refused target was audited")
		}
	}
	if ts, _ := db.Targets(ctx, coreTeam, []int64{a.ID}); len(ts[a.ID]) != 2 {
		t.Errorf("refused targets were stored: %+v", ts[a.ID])
	}
}

func TestArchiveAccount(t *testing.T) {
	ctx := context.Background()
	db, _ := openCoreDB(t)
	a := coreCreate(t, db, kam.Account{Name: "Globex", OwnerID: "UKAM"})
	coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	t.Run("ErrNoReason", func(t *testing.T) {
		_, err := db.ArchiveAccount(ctx, coreTeam, a.ID, "  ", "UADMIN")
		coreWantCode(t, err, kam.EINVALID)
	})
	got, err := db.ArchiveAccount(ctx, coreTeam, a.ID, "Opportunistic two years running", "UADMIN")
	if err != nil || !got.Archived() || got.ArchiveReason != "Opportunistic two years running" {
		t.Fatalf("archive: %+v, %v", got, err)
	}
	names := func(as []kam.Account) string {
		var n []string
		for _, a := range as {
			n = append(n, a.Name)
		}
		return strings.Join(n, ",")
	}
	all, _ := db.Accounts(ctx, coreTeam)
	mine, _ := db.AccountsForUser(ctx, coreTeam, "UKAM")
	gone, _ := db.ArchivedAccounts(ctx, coreTeam)
	if names(all) != "Acme" || names(mine) != "Acme" || names(gone) != "Globex" {
		t.Errorf("lists: all %q, mine %q, archived %q", names(all), names(mine), names(gone))
	}
	// Still found by name (to show or reactivate it), its history kept.
	if found, _ := db.FindAccounts(ctx, coreTeam, "glob", 5); names(found) != "Globex" || !found[0].Archived() {
		t.Errorf("find archived: %+v", found)
	}
	t.Run("ErrTwice", func(t *testing.T) {
		_, err := db.ArchiveAccount(ctx, coreTeam, a.ID, "again", "UADMIN")
		coreWantCode(t, err, kam.ECONFLICT)
	})
	t.Run("ErrOtherWorkspace", func(t *testing.T) {
		_, err := db.ReactivateAccount(ctx, coreOther, a.ID, "UADMIN")
		coreWantCode(t, err, kam.ENOTFOUND)
	})
	back, err := db.ReactivateAccount(ctx, coreTeam, a.ID, "UADMIN")
	if err != nil || back.Archived() {
		t.Fatalf("reactivate: %+v, %v", back, err)
	}
	if all, _ := db.Accounts(ctx, coreTeam); names(all) != "Acme,Globex" {
		t.Errorf("after reactivation: %q", names(all))
	}
	_, err = db.ReactivateAccount(ctx, coreTeam, a.ID, "UADMIN")
	coreWantCode(t, err, kam.ECONFLICT)
	var actions []string
	for _, e := range coreAudit(t, db, coreTeam) {
		if strings.HasPrefix(e.Action, "account.") && e.Action != store.ActionAccountCreate {
			actions = append(actions, e.Action)
		}
	}
	if strings.Join(actions, ",") != "account.reactivate,account.archive" {
		t.Errorf("audit = %v", actions)
	}
}

func TestCharter(t *testing.T) {
	ctx := context.Background()
	db, _ := openCoreDB(t)
	a := coreCreate(t, db, kam.Account{Name: "Acme"})
	obj := kam.Objective{TeamID: coreTeam, AccountID: a.ID, For: kam.ForUs, Text: "Preferred supplier"}
	if err := db.AddObjective(ctx, &obj, "UKAM"); err != nil {
		t.Fatal(err)
	}
	for _, e := range []kam.CharterEntry{
		{Kind: kam.CharterThreat, Text: "New entrant"},
		{Kind: kam.CharterSituation, Text: "Four plants"},
		{Kind: kam.CharterThreat, Text: "Energy prices"},
	} {
		e.TeamID, e.AccountID = coreTeam, a.ID
		if err := db.AddCharterEntry(ctx, &e, "UKAM"); err != nil {
			t.Fatal(err)
		}
	}
	s := kam.Strategy{TeamID: coreTeam, AccountID: a.ID, ObjectiveID: obj.ID, Text: "Pilot line"}
	if err := db.AddStrategy(ctx, &s, "UKAM"); err != nil || s.Number != 1 {
		t.Fatalf("strategy: %+v, %v", s, err)
	}
	tac := kam.Tactic{TeamID: coreTeam, AccountID: a.ID, Text: "Proposal", Strategy: 1}
	if err := db.AddTactic(ctx, &tac, "UKAM"); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrUnknownStrategy", func(t *testing.T) {
		bad := kam.Tactic{TeamID: coreTeam, AccountID: a.ID, Text: "Other", Strategy: 7}
		coreWantCode(t, db.AddTactic(ctx, &bad, "UKAM"), kam.ENOTFOUND)
	})
	t.Run("ErrObjectiveOfAnotherAccount", func(t *testing.T) {
		b := coreCreate(t, db, kam.Account{Name: "Beta"})
		bad := kam.Strategy{TeamID: coreTeam, AccountID: b.ID, ObjectiveID: obj.ID, Text: "x"}
		coreWantCode(t, db.AddStrategy(ctx, &bad, "UKAM"), kam.ENOTFOUND)
	})
	if _, err := db.DropCharterEntry(ctx, coreTeam, a.ID, "threat", 1, "UKAM"); err != nil {
		t.Fatal(err)
	}
	_, err := db.DropCharterEntry(ctx, coreTeam, a.ID, "threat", 1, "UKAM")
	coreWantCode(t, err, kam.ENOTFOUND)
	p, err := db.Plan(ctx, coreTeam, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.Charter.Entries {
		got = append(got, fmt.Sprintf("%s %d %s", e.Kind, e.Number, e.Text))
	}
	if strings.Join(got, "; ") != "situation 1 Four plants; threat 2 Energy prices" {
		t.Errorf("charter = %v", got)
	}
	if len(p.Charter.Strategies) != 1 || p.Charter.Strategies[0].ObjectiveID != obj.ID || len(p.Tactics) != 1 || p.Tactics[0].Strategy != 1 {
		t.Errorf("strategies %+v, tactics %+v", p.Charter.Strategies, p.Tactics)
	}
	// A tactic may not name a dropped strategy.
	if _, err := db.DropCharterEntry(ctx, coreTeam, a.ID, "strategy", 1, "UKAM"); err != nil {
		t.Fatal(err)
	}
	bad := kam.Tactic{TeamID: coreTeam, AccountID: a.ID, Text: "Late", Strategy: 1}
	coreWantCode(t, db.AddTactic(ctx, &bad, "UKAM"), kam.ENOTFOUND)
}

func TestLatestScoringsAndSelectionReview(t *testing.T) {
	ctx := context.Background()
	db, clock := openCoreDB(t)
	a := coreCreate(t, db, kam.Account{Name: "Acme"})
	b := coreCreate(t, db, kam.Account{Name: "Beta"})
	for i := 1; i <= 3; i++ {
		s := kam.Scoring{TeamID: coreTeam, AccountID: a.ID, Scores: kam.Scores{"size": i}}
		if err := db.SaveScoring(ctx, &s, "UKAM"); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
	}
	got, err := db.LatestScorings(ctx, coreTeam, []int64{a.ID, b.ID}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[a.ID]) != 2 || got[a.ID][0].Scores["size"] != 3 || got[a.ID][1].Scores["size"] != 2 || len(got[b.ID]) != 0 {
		t.Errorf("latest scorings = %+v", got)
	}
	// Lists that select no scoring read nothing, on both backends (an
	// empty list once reached PostgreSQL as JSON null and failed there).
	for _, tc := range []struct {
		name string
		ids  []int64
	}{
		{"NilList", nil},
		{"EmptyList", []int64{}},
		{"NoScorings", []int64{b.ID}},
		{"UnknownAccount", []int64{b.ID + 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.LatestScorings(ctx, coreTeam, tc.ids, 2)
			if err != nil || len(got) != 0 {
				t.Errorf("LatestScorings(%v) = %+v, %v; want nothing, no error", tc.ids, got, err)
			}
		})
	}
	if _, ok, err := db.LastSelectionReview(ctx, coreTeam); ok || err != nil {
		t.Fatalf("a review before any: %v %v", ok, err)
	}
	r := kam.SelectionRecord{TeamID: coreTeam, Year: 2025, Note: "Dropped Globex", Accounts: 2, Deselect: 1}
	if err := db.RecordSelectionReview(ctx, &r, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	last, ok, err := db.LastSelectionReview(ctx, coreTeam)
	if err != nil || !ok || last.Note != "Dropped Globex" || last.UserID != "UADMIN" || last.Deselect != 1 {
		t.Errorf("last review = %+v %v %v", last, ok, err)
	}
	if _, ok, _ := db.LastSelectionReview(ctx, coreOther); ok {
		t.Errorf("another workspace sees the review")
	}
}
