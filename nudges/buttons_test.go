package nudges

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kambot/kambot/kam"
)

func TestDecodeValue(t *testing.T) {
	k := kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: 12, Kind: kam.NudgePlanReview, Period: "2025-03-01"}, Recipient: "U0ANA"}
	v := ButtonValueOf("T0ACME", k)
	gotV, gotK, err := DecodeButtonValue(v.Encode())
	if err != nil || gotV != v || gotK != k {
		t.Fatalf("DecodeButtonValue(Encode) = %+v, %+v, %v", gotV, gotK, err)
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
			if _, _, err := DecodeButtonValue(tc.raw); !errors.Is(err, ErrGarbled) {
				t.Errorf("DecodeButtonValue(%.60q) = %v, want ErrGarbled", tc.raw, err)
			}
		})
	}
}

func TestButtons(t *testing.T) {
	k := kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: 12, Kind: kam.NudgeSponsor, Item: "U0SARA", Period: "2025-Q2"}, Recipient: "U0ANA"}
	b := Buttons(ButtonValueOf("T0ACME", k))
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
		if _, got, err := DecodeButtonValue(btn.Value); err != nil || got != k {
			t.Errorf("button %d value decodes to %+v, %v", i, got, err)
		}
		if len(btn.Value) > maxValue {
			t.Errorf("button value is %d bytes", len(btn.Value))
		}
	}
}
