package digest

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests name, on machines without zoneinfo

	"github.com/kambot/kambot/kam"
)

// TestISOWeek names the digest's week, which keys its outbox messages and
// its health snapshots, in the workspace's zone.
func TestISOWeek(t *testing.T) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2025, 3, 17, 8, 0, 0, 0, time.UTC), time.UTC, "2025-W12"},
		{time.Date(2024, 12, 30, 12, 0, 0, 0, time.UTC), time.UTC, "2025-W01"},
		{time.Date(2025, 3, 16, 23, 30, 0, 0, time.UTC), zurich, "2025-W12"}, // already Monday in Zurich
		{time.Date(2025, 3, 16, 23, 30, 0, 0, time.UTC), time.UTC, "2025-W11"},
	} {
		if got := isoWeek(tc.t, tc.loc); got != tc.want {
			t.Errorf("isoWeek(%v, %v) = %s, want %s", tc.t, tc.loc, got, tc.want)
		}
	}
}

// TestPipelineOf: an account's open pipeline, taken from its health
// inputs, counts only open stages and comes to what a query grouped by
// account and stage gave (sums by stage, weighted in the order of the
// stages' names), to the last bit of the weighted forecast, over drawn
// opportunities.
func TestPipelineOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 11))
	for round := range 20_000 {
		opps := make([]kam.Opportunity, rng.IntN(12))
		for i := range opps {
			opps[i] = kam.Opportunity{Stage: kam.Stages[rng.IntN(len(kam.Stages))], Value: rng.Int64N(5_000_000) + int64(rng.IntN(3))*7}
		}
		// As grouped rows: stage name order, each stage's sum weighted once.
		sums := map[kam.Stage]int64{}
		counts := map[kam.Stage]int{}
		for _, o := range opps {
			if o.Stage.Open() {
				sums[o.Stage] += o.Value
				counts[o.Stage]++
			}
		}
		names := make([]string, 0, len(sums))
		for st := range sums {
			names = append(names, string(st))
		}
		sort.Strings(names)
		var wantN int
		var wantValue int64
		var wantWeighted float64
		for _, name := range names {
			st := kam.Stage(name)
			wantN += counts[st]
			wantValue += sums[st]
			wantWeighted += float64(sums[st]) * st.Probability()
		}
		n, value, weighted := pipelineOf(opps)
		if n != wantN || value != wantValue || weighted != wantWeighted {
			t.Fatalf("round %d: pipelineOf(%+v) = %d, %d, %v; want %d, %d, %v", round, opps, n, value, weighted, wantN, wantValue, wantWeighted)
		}
	}
}
