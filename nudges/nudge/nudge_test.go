package nudge

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestKeyRoundTrip(t *testing.T) {
	for _, k := range []Key{
		{Topic: Topic{AccountID: 12, Kind: KindPlanReview, Period: "2025-03-01"}, Recipient: "U0ANA"},
		{Topic: Topic{AccountID: 12, Kind: KindStalled, Item: "34", Period: "2025-03-05"}, Recipient: "C0ACME"},
		{Topic: Topic{AccountID: 1, Kind: KindPastClose, Item: "9", Period: "2025-W10"}, Recipient: "W0ENT"},
		{Topic: Topic{AccountID: 7, Kind: KindSponsor, Item: "U0SARA", Period: "2025-Q2"}, Recipient: "U0ANA"},
		{Topic: Topic{AccountID: 7, Kind: KindTactic, Item: "3", Period: "2026-W01"}, Recipient: "U0BEN", Round: "2025-12-31"},
		{Topic: Topic{AccountID: 7, Kind: KindSurvey, Period: "2025-03-01"}, Recipient: "U0ANA", Round: "2025-03-17"},
	} {
		s := k.String()
		got, err := ParseKey(s)
		if err != nil {
			t.Errorf("ParseKey(%q): %v", s, err)
			continue
		}
		if got != k {
			t.Errorf("ParseKey(%q) = %+v, want %+v", s, got, k)
		}
	}
	want := "nudge:stalled.34:12:C0ACME:2025-03-05+2025-03-12"
	k := Key{Topic: Topic{AccountID: 12, Kind: KindStalled, Item: "34", Period: "2025-03-05"}, Recipient: "C0ACME", Round: "2025-03-12"}
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
		if k, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) = %+v, want an error", s, k)
		}
	}
}

func TestDecodeValue(t *testing.T) {
	k := Key{Topic: Topic{AccountID: 12, Kind: KindPlanReview, Period: "2025-03-01"}, Recipient: "U0ANA"}
	v := ValueOf("T0ACME", k)
	gotV, gotK, err := DecodeValue(v.Encode())
	if err != nil || gotV != v || gotK != k {
		t.Fatalf("DecodeValue(Encode) = %+v, %+v, %v", gotV, gotK, err)
	}

	mustJSON := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, tc := range []struct {
		name, raw string
	}{
		{"Empty", ""},
		{"NotJSON", "plan-review please"},
		{"Array", `["T0ACME",12]`},
		{"UnknownField", mustJSON(map[string]any{"t": "T0ACME", "a": 12, "k": k.String(), "admin": true})},
		{"Trailing", v.Encode() + `{"t":"T0OTHER"}`},
		{"NoTeam", mustJSON(map[string]any{"a": 12, "k": k.String()})},
		{"BadTeam", mustJSON(map[string]any{"t": "T0 ACME", "a": 12, "k": k.String()})},
		{"AccountMismatch", mustJSON(map[string]any{"t": "T0ACME", "a": 13, "k": k.String()})},
		{"BadKey", mustJSON(map[string]any{"t": "T0ACME", "a": 12, "k": "nudge:plan-review:12"})},
		{"AccountAsString", `{"t":"T0ACME","a":"12","k":"` + k.String() + `"}`},
		{"TooLong", `{"t":"T0ACME","a":12,"k":"` + strings.Repeat("x", 2100) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := DecodeValue(tc.raw); !errors.Is(err, ErrGarbled) {
				t.Errorf("DecodeValue(%.60q) = %v, want ErrGarbled", tc.raw, err)
			}
		})
	}
}

func TestButtons(t *testing.T) {
	k := Key{Topic: Topic{AccountID: 12, Kind: KindSponsor, Item: "U0SARA", Period: "2025-Q2"}, Recipient: "U0ANA"}
	b := Buttons(ValueOf("T0ACME", k))
	if b.BlockID != BlockID || len(b.Elements.ElementSet) != 4 {
		t.Fatalf("actions block = %+v", b)
	}
	want := []string{ActionReview, ActionLog, ActionSnooze, ActionOpen}
	for i, el := range b.Elements.ElementSet {
		raw, _ := json.Marshal(el)
		var btn struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		}
		if err := json.Unmarshal(raw, &btn); err != nil {
			t.Fatal(err)
		}
		if btn.ActionID != want[i] || !strings.HasPrefix(btn.ActionID, ActionPrefix) {
			t.Errorf("button %d action_id = %q, want %q", i, btn.ActionID, want[i])
		}
		if _, got, err := DecodeValue(btn.Value); err != nil || got != k {
			t.Errorf("button %d value decodes to %+v, %v", i, got, err)
		}
		if len(btn.Value) > maxValue {
			t.Errorf("button value is %d bytes", len(btn.Value))
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
		if got := Quarter(tc.t); got != tc.quarter {
			t.Errorf("Quarter(%v) = %s, want %s", tc.t, got, tc.quarter)
		}
		for _, p := range []string{ISOWeek(tc.t), Quarter(tc.t), Day(tc.t)} {
			if !isPeriod(p) {
				t.Errorf("%s is not accepted as a period", p)
			}
		}
	}
}

func FuzzParseKey(f *testing.F) {
	f.Add("nudge:stalled.34:12:C0ACME:2025-03-05+2025-03-12")
	f.Add("nudge:plan-review:12:U0ANA:2025-W10")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
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
