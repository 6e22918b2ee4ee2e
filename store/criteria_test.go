package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

func TestCriteria(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, clock := openIntelDB(t)
		c, err := db.Criteria(ctx, intelTeam)
		if err != nil || c.Version != 0 || c.Custom() {
			t.Fatalf("a new workspace's criteria = v%d custom=%v, %v; want the book's", c.Version, c.Custom(), err)
		}
		clock.Set(intelEpoch.Add(time.Hour))
		v1, err := db.ChangeCriteria(ctx, intelTeam, kam.CriteriaChange{Op: kam.CriteriaAdd, Axis: kam.AxisAttractiveness, Label: "Cultural fit", Weight: 2}, "UADMIN")
		if err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || v1.By != "UADMIN" || !v1.At.Equal(intelEpoch.Add(time.Hour)) || len(v1.Factors) != 20 {
			t.Errorf("v1 = %+v", v1)
		}
		got, err := db.Criteria(ctx, intelTeam)
		if err != nil || !reflect.DeepEqual(got, v1) {
			t.Errorf("read back\n%+v, %v\nwant\n%+v", got, err, v1)
		}
		e := lastAudit(t, db, intelTeam)
		var detail struct {
			Change   kam.CriteriaChange `json:"change"`
			From, To int
		}
		if err := json.Unmarshal(e.Detail, &detail); err != nil || e.Action != store.ActionCriteriaChange || e.Actor != "UADMIN" ||
			detail.Change.Op != kam.CriteriaAdd || detail.From != 0 || detail.To != 1 {
			t.Errorf("audit = %s %s %s", e.Action, e.Actor, e.Detail)
		}
		if other, _ := db.Criteria(ctx, intelOther); other.Version != 0 {
			t.Errorf("another workspace sees version %d", other.Version)
		}
		v2, err := db.ChangeCriteria(ctx, intelTeam, kam.CriteriaChange{Op: kam.CriteriaRetire, Key: "adopter"}, "UADMIN")
		if err != nil || v2.Version != 2 || len(v2.Factors) != 19 {
			t.Fatalf("retire: v%d, %v", v2.Version, err)
		}
		sets, err := db.CriteriaSets(ctx, intelTeam)
		if err != nil || len(sets) != 2 || !reflect.DeepEqual(sets[1], v1) || !reflect.DeepEqual(sets[2], v2) {
			t.Errorf("sets = %v, %v", sets, err)
		}
	})

	t.Run("Scorings keep their set", func(t *testing.T) {
		db, _ := openIntelDB(t)
		a := intelAccount(t, db, intelTeam, "Acme")
		s0 := kam.Scoring{TeamID: intelTeam, AccountID: a.ID, Scores: kam.Scores{"size": 4, "adopter": 2, "trust": 3}}
		if err := db.SaveScoring(ctx, &s0, "UANA"); err != nil {
			t.Fatal(err)
		}
		if s0.Criteria != 0 {
			t.Errorf("scored under v%d, want 0", s0.Criteria)
		}
		for _, ch := range []kam.CriteriaChange{
			{Op: kam.CriteriaRetire, Key: "adopter"},
			{Op: kam.CriteriaRename, Key: "size", NewKey: "headcount", Label: "Headcount"},
			{Op: kam.CriteriaAdd, Axis: kam.AxisStrength, Label: "Solvency", Weight: 1},
		} {
			if _, err := db.ChangeCriteria(ctx, intelTeam, ch, "UADMIN"); err != nil {
				t.Fatalf("%s: %v", ch.Op, err)
			}
		}
		// The retired factor is refused now, naming the current factors.
		err := db.SaveScoring(ctx, &kam.Scoring{TeamID: intelTeam, AccountID: a.ID, Scores: kam.Scores{"adopter": 3}}, "UANA")
		if kam.ErrorCode(err) != kam.EINVALID || !strings.Contains(kam.ErrorMessage(err), "headcount") {
			t.Errorf("retired factor: %v", err)
		}
		s1 := kam.Scoring{TeamID: intelTeam, AccountID: a.ID, Scores: kam.Scores{"solvency": 5}}
		if err := db.SaveScoring(ctx, &s1, "UANA"); err != nil {
			t.Fatal(err)
		}
		// size carries as headcount, adopter drops, trust stays.
		if want := (kam.Scores{"headcount": 4, "trust": 3, "solvency": 5}); s1.Criteria != 3 || !reflect.DeepEqual(s1.Scores, want) {
			t.Errorf("new scoring v%d %v, want v3 %v", s1.Criteria, s1.Scores, want)
		}
		hist, err := db.Scorings(ctx, intelTeam, a.ID, 0)
		if err != nil || len(hist) != 2 || hist[1].Criteria != 0 || hist[1].Scores["adopter"] != 2 || hist[0].Criteria != 3 {
			t.Errorf("history = %+v, %v", hist, err)
		}
		latest, _ := db.LatestScores(ctx, intelTeam)
		if latest[a.ID].Criteria != 3 {
			t.Errorf("latest = %+v", latest[a.ID])
		}
		prev, _ := db.PreviousScores(ctx, intelTeam)
		if prev[a.ID].Criteria != 0 || prev[a.ID].Scores["adopter"] != 2 {
			t.Errorf("previous = %+v", prev[a.ID])
		}
		two, _ := db.LatestScorings(ctx, intelTeam, []int64{a.ID}, 2)
		if len(two[a.ID]) != 2 || two[a.ID][0].Criteria != 3 || two[a.ID][1].Criteria != 0 {
			t.Errorf("latest two = %+v", two[a.ID])
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openIntelDB(t)
		if _, err := db.ChangeCriteria(ctx, intelTeam, kam.CriteriaChange{Op: kam.CriteriaWeight, Weights: kam.Weights{"size": 2}}, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		before := intelState(t, db, intelTeam)
		for _, tt := range []struct {
			name  string
			ch    kam.CriteriaChange
			actor string
			code  string
		}{
			{"unknown axis", kam.CriteriaChange{Op: kam.CriteriaAdd, Axis: "colour", Label: "Red", Weight: 1}, "UADMIN", kam.EINVALID},
			{"duplicate name", kam.CriteriaChange{Op: kam.CriteriaAdd, Axis: kam.AxisStrength, Label: "Price", Weight: 1}, "UADMIN", kam.ECONFLICT},
			{"zero weight", kam.CriteriaChange{Op: kam.CriteriaAdd, Axis: kam.AxisStrength, Label: "Cost", Weight: 0}, "UADMIN", kam.EINVALID},
			{"rename onto another", kam.CriteriaChange{Op: kam.CriteriaRename, Key: "size", NewKey: "fit"}, "UADMIN", kam.ECONFLICT},
			{"retire unknown", kam.CriteriaChange{Op: kam.CriteriaRetire, Key: "colour"}, "UADMIN", kam.EINVALID},
			{"weight out of range", kam.CriteriaChange{Op: kam.CriteriaWeight, Weights: kam.Weights{"size": 11}}, "UADMIN", kam.EINVALID},
			{"no actor", kam.CriteriaChange{Op: kam.CriteriaRetire, Key: "size"}, "", kam.EINVALID},
		} {
			if _, err := db.ChangeCriteria(ctx, intelTeam, tt.ch, tt.actor); kam.ErrorCode(err) != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
		}
		if intelState(t, db, intelTeam) != before {
			t.Error("a refused change changed something")
		}
	})
}
