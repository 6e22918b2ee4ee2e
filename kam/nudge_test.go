package kam

import (
	"strings"
	"testing"
	"time"
)

func TestKeyRoundTrip(t *testing.T) {
	for _, k := range []NudgeKey{
		{NudgeTopic: NudgeTopic{AccountID: 12, Kind: NudgePlanReview, Period: "2025-03-01"}, Recipient: "U0ANA"},
		{NudgeTopic: NudgeTopic{AccountID: 12, Kind: NudgeStalled, Item: "34", Period: "2025-03-05"}, Recipient: "C0ACME"},
		{NudgeTopic: NudgeTopic{AccountID: 1, Kind: NudgePastClose, Item: "9", Period: "2025-W10"}, Recipient: "W0ENT"},
		{NudgeTopic: NudgeTopic{AccountID: 7, Kind: NudgeSponsor, Item: "U0SARA", Period: "2025-Q2"}, Recipient: "U0ANA"},
		{NudgeTopic: NudgeTopic{AccountID: 7, Kind: NudgeTactic, Item: "3", Period: "2026-W01"}, Recipient: "U0BEN", Round: "2025-12-31"},
		{NudgeTopic: NudgeTopic{AccountID: 7, Kind: NudgeSurvey, Period: "2025-03-01"}, Recipient: "U0ANA", Round: "2025-03-17"},
	} {
		s := k.String()
		got, err := ParseNudgeKey(s)
		if err != nil {
			t.Errorf("ParseKey(%q): %v", s, err)
			continue
		}
		if got != k {
			t.Errorf("ParseKey(%q) = %+v, want %+v", s, got, k)
		}
	}
	want := "nudge:stalled.34:12:C0ACME:2025-03-05+2025-03-12"
	k := NudgeKey{NudgeTopic: NudgeTopic{AccountID: 12, Kind: NudgeStalled, Item: "34", Period: "2025-03-05"}, Recipient: "C0ACME", Round: "2025-03-12"}
	if k.String() != want {
		t.Errorf("String = %q, want %q", k.String(), want)
	}
}

func TestParseKeyRejects(t *testing.T) {
	for _, s := range []string{
		"",
		"nudge:",
		"plan-review:12:U0ANA:2025-03-01", // no prefix
		"nudge:plan-review:12:U0ANA",      // no period
		"nudge:plan-review:12:U0ANA:2025-03-01:x",       // extra part
		"nudge:bogus:12:U0ANA:2025-03-01",               // unknown kind
		"nudge:plan-review.3:12:U0ANA:2025-03-01",       // item on a kind without items
		"nudge:stalled:12:U0ANA:2025-03-01",             // kind that needs an item, without
		"nudge:stalled.3 4:12:U0ANA:2025-03-01",         // item not a word
		"nudge:plan-review:0:U0ANA:2025-03-01",          // account 0
		"nudge:plan-review:-4:U0ANA:2025-03-01",         // negative account
		"nudge:plan-review:012:U0ANA:2025-03-01",        // not canonical
		"nudge:plan-review:12x:U0ANA:2025-03-01",        // not a number
		"nudge:plan-review:12::2025-03-01",              // no recipient
		"nudge:plan-review:12:<@U0ANA>:2025-03-01",      // escaped mention
		"nudge:plan-review:12:U0ANA:2025-02-30",         // no such day
		"nudge:plan-review:12:U0ANA:2025-W54",           // no such week
		"nudge:plan-review:12:U0ANA:2025-Q5",            // no such quarter
		"nudge:plan-review:12:U0ANA:yesterday",          // not a period
		"nudge:plan-review:12:U0ANA:2025-03-01+",        // empty round
		"nudge:plan-review:12:U0ANA:2025-03-01+2025-W1", // round not a date
		"nudge:plan-review:12:U0ANA:2025-03-01" + strings.Repeat("x", 300),
	} {
		if k, err := ParseNudgeKey(s); err == nil {
			t.Errorf("ParseKey(%q) = %+v, want an error", s, k)
		}
	}
}

func TestPeriods(t *testing.T) {
	for _, tc := range []struct {
		t             time.Time
		week, quarter string
	}{
		{time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC), "2025-W01", "2025-Q1"},
		{time.Date(2024, 12, 30, 12, 0, 0, 0, time.UTC), "2025-W01", "2024-Q4"}, // ISO year differs
		{time.Date(2021, 1, 3, 12, 0, 0, 0, time.UTC), "2020-W53", "2021-Q1"},
		{time.Date(2025, 6, 30, 23, 59, 0, 0, time.UTC), "2025-W27", "2025-Q2"},
		{time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), "2025-W27", "2025-Q3"},
	} {
		if got := ISOWeek(tc.t); got != tc.week {
			t.Errorf("ISOWeek(%v) = %s, want %s", tc.t, got, tc.week)
		}
		if got := QuarterPeriod(tc.t); got != tc.quarter {
			t.Errorf("Quarter(%v) = %s, want %s", tc.t, got, tc.quarter)
		}
		for _, p := range []string{ISOWeek(tc.t), QuarterPeriod(tc.t), Day(tc.t)} {
			if !isPeriod(p) {
				t.Errorf("%s is not accepted as a period", p)
			}
		}
	}
}

func FuzzParseNudgeKey(f *testing.F) {
	f.Add("nudge:stalled.34:12:C0ACME:2025-03-05+2025-03-12")
	f.Add("nudge:plan-review:12:U0ANA:2025-W10")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseNudgeKey(s)
		if err != nil {
			return
		}
		if k.String() != s {
			t.Fatalf("ParseKey(%q).String() = %q", s, k.String())
		}
		if err := k.Validate(); err != nil {
			t.Fatalf("parsed key does not validate: %v", err)
		}
	})
}
