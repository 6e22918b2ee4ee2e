package nudges

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kambot/kambot/kam"
	"github.com/slack-go/slack"
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
	if b.BlockID != BlockID || len(b.Elements.ElementSet) != 5 {
		t.Fatalf("actions block = %+v", b)
	}
	want := []struct{ id, typ string }{
		{ActionReview, "button"}, {ActionLog, "button"}, {ActionSnoozeFor, "static_select"},
		{ActionSnoozeUntil, "datepicker"}, {ActionOpen, "button"},
	}
	for i, el := range b.Elements.ElementSet {
		raw, _ := json.Marshal(el)
		var e struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Options  []struct {
				Value string `json:"value"`
				Text  struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"options"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		if e.ActionID != want[i].id || e.Type != want[i].typ || !strings.HasPrefix(e.ActionID, ActionPrefix) {
			t.Errorf("element %d = %s %q, want %s %q", i, e.Type, e.ActionID, want[i].typ, want[i].id)
		}
		switch e.Type {
		case "button":
			if _, got, err := DecodeButtonValue(e.Value); err != nil || got != k {
				t.Errorf("button %d value decodes to %+v, %v", i, got, err)
			}
			if len(e.Value) > maxValue {
				t.Errorf("button value is %d bytes", len(e.Value))
			}
		case "static_select":
			if len(e.Options) != 2 || e.Options[0].Value != SnoozeDay || e.Options[0].Text.Text != "1 day" ||
				e.Options[1].Value != SnoozeWeek || e.Options[1].Text.Text != "1 week" {
				t.Errorf("snooze menu options = %+v", e.Options)
			}
		}
	}
	// The menu and the picker name their nudge by their block's buttons.
	blocks := []slack.Block{slack.NewActionBlock("other", slack.NewButtonBlockElement("x", "nope", nil)), b}
	if _, got, err := DecodeButtonValue(SiblingValue(blocks, BlockID)); err != nil || got != k {
		t.Errorf("SiblingValue decodes to %+v, %v", got, err)
	}
	for _, id := range []string{"", "other", "missing"} {
		if v := SiblingValue(blocks, id); v != "" && id != "other" {
			t.Errorf("SiblingValue(%q) = %q", id, v)
		}
	}
	if v := SiblingValue(blocks, "other"); v != "" {
		t.Errorf("a non-nudge button gave its value %q", v)
	}
}
