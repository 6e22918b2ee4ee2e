package digest

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests name, on machines without zoneinfo
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
