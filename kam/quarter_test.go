package kam

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestResolveQuarter(t *testing.T) {
	today := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC) // in 2026-Q4
	due := time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC)
	dueQ1 := time.Date(2027, 2, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		in       string
		due      time.Time
		want     string
		wantHint string // in the refusal, when refused
	}{
		{"PlainQ1IsNextYears", "Q1", time.Time{}, "2027-Q1", ""},
		{"PlainQ4IsThisOne", "q4", time.Time{}, "2026-Q4", ""},
		{"DigitOnly", "2", time.Time{}, "2027-Q2", ""},
		{"WithYear", "2027-Q1", time.Time{}, "2027-Q1", ""},
		{"WithYearLowerCase", "2028-q3", time.Time{}, "2028-Q3", ""},
		{"PlainMatchesDue", "Q4", due, "2026-Q4", ""},
		{"PlainTakesDuesYear", "Q1", dueQ1, "2027-Q1", ""},
		{"YearMatchesDue", "2027-Q1", dueQ1, "2027-Q1", ""},
		{"PlainContradictsDue", "Q1", due, "", "type quarter=2026-Q4"},
		{"YearContradictsDue", "2027-Q1", due, "", "type quarter=2026-Q4"},
		{"WrongYear", "2025-Q4", due, "", "type quarter=2026-Q4"},
		{"ErrQ5", "Q5", time.Time{}, "", "quarter=2027-Q1"},
		{"ErrNoDash", "2027Q1", time.Time{}, "", "quarter=2027-Q1"},
		{"ErrEmpty", "", time.Time{}, "", "quarter=2027-Q1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveQuarter(tt.in, tt.due, today)
			if tt.wantHint != "" {
				if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.wantHint) {
					t.Fatalf("ResolveQuarter(%q) = %q, %v; want a refusal saying %q", tt.in, got, err, tt.wantHint)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ResolveQuarter(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestTacticQuarterAgreesWithDue(t *testing.T) {
	due := time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		quarter string
		ok      bool
	}{{"2026-Q4", true}, {"Q1", true}, {"", true}, {"2027-Q1", false}, {"2025-Q4", false}} {
		tc := Tactic{TeamID: "T1", AccountID: 1, Text: "Workshop", Quarter: tt.quarter, Due: due}
		if err := tc.Validate(); (err == nil) != tt.ok {
			t.Errorf("quarter %q with due %s: err %v, want ok=%v", tt.quarter, due.Format(time.DateOnly), err, tt.ok)
		}
	}
}

func TestCompareQuarters(t *testing.T) {
	got := []string{"", "Q1", "2027-Q1", "2026-Q4", "Q3", "2026-Q2"}
	slices.SortFunc(got, CompareQuarters)
	want := []string{"2026-Q2", "2026-Q4", "2027-Q1", "Q1", "Q3", ""}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
