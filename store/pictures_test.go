package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/kambot/kambot/kam"
)

func TestPreviousScores(t *testing.T) {
	ctx := context.Background()
	db, _ := openIntelDB(t)
	acme := intelAccount(t, db, intelTeam, "Acme")
	once := intelAccount(t, db, intelTeam, "Once")
	other := intelAccount(t, db, "TOTHER", "Elsewhere")
	save := func(a kam.Account, s kam.Scores) {
		t.Helper()
		if err := db.SaveScoring(ctx, &kam.Scoring{TeamID: a.TeamID, AccountID: a.ID, Scores: s}, "UANA"); err != nil {
			t.Fatal(err)
		}
	}
	save(acme, kam.Scores{"size": 2})
	save(acme, kam.Scores{"size": 3, "trust": 4})
	save(acme, kam.Scores{"size": 5})
	save(once, kam.Scores{"size": 1})
	save(other, kam.Scores{"size": 1})
	save(other, kam.Scores{"size": 2})

	got, err := db.PreviousScores(ctx, intelTeam)
	if err != nil {
		t.Fatal(err)
	}
	// The scoring before the latest, merged as saved; an account scored
	// once has none; another workspace's never shows.
	want := map[int64]kam.Scoring{acme.ID: {AccountID: acme.ID, Scores: kam.Scores{"size": 3, "trust": 4}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("previous scores %v, want %v", got, want)
	}
}

func TestAccountHealthHistory(t *testing.T) {
	ctx := context.Background()
	db, _ := openIntelDB(t)
	acme := intelAccount(t, db, intelTeam, "Acme")
	for week, score := range map[string]int{"2025-W01": 40, "2025-W03": 55, "2025-W09": 70} {
		if err := db.SaveHealthSnapshots(ctx, intelTeam, week, []kam.HealthSnapshot{{AccountID: acme.ID, Score: score}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.AccountHealthHistory(ctx, intelTeam, acme.ID, "2025-W02")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Week != "2025-W03" || got[0].Score != 55 || got[1].Week != "2025-W09" || got[1].Score != 70 {
		t.Errorf("history %+v", got)
	}
	if got, err := db.AccountHealthHistory(ctx, "TOTHER", acme.ID, "2025-W01"); err != nil || len(got) != 0 {
		t.Errorf("another workspace sees %+v, %v", got, err)
	}
	if _, err := db.AccountHealthHistory(ctx, intelTeam, acme.ID, "last week"); err == nil {
		t.Error("a malformed week was accepted")
	}
}
