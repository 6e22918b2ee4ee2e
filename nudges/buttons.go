package nudges

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kambot/kambot/kam"
	"github.com/slack-go/slack"
)

// Action IDs of the nudge buttons. The command engine routes every
// action_id that starts with ActionPrefix to the nudge handlers.
const (
	ActionPrefix = "nudge."
	ActionReview = "nudge.review" // Mark reviewed
	ActionLog    = "nudge.log"    // Log an interaction (opens a modal)
	ActionSnooze = "nudge.snooze" // Snooze a week (a button of messages sent before the snooze menu)
	ActionOpen   = "nudge.open"   // Open account

	// ActionSnoozeFor is the "Snooze…" menu; its options' values are
	// SnoozeDay and SnoozeWeek.
	ActionSnoozeFor = "nudge.snooze_for"
	// ActionSnoozeUntil is the "Snooze until…" date picker.
	ActionSnoozeUntil = "nudge.snooze_until"
	SnoozeDay         = "1d"
	SnoozeWeek        = "1w"

	// ViewLog is the callback_id of the "Log an interaction" modal.
	ViewLog = "nudge.log"
	// BlockID is the block_id of a nudge's buttons, so that an update of
	// the message can find and replace them.
	BlockID = "nudge.actions"
)

// maxValue is Slack's limit on a button's value.
const maxValue = 2000

// Value is what every nudge button carries: the workspace, the account and
// the nudge's key. A click is checked against all three: the key must name
// the same account, the workspace must be the click's, and a nudge with
// that key must have been sent.
type ButtonValue struct {
	TeamID    string `json:"t"`
	AccountID int64  `json:"a"`
	Key       string `json:"k"`
}

// ValueOf is the button value of a nudge.
func ButtonValueOf(teamID string, k kam.NudgeKey) ButtonValue {
	return ButtonValue{TeamID: teamID, AccountID: k.AccountID, Key: k.String()}
}

// Encode renders the value as a button's value string.
func (v ButtonValue) Encode() string {
	b, _ := json.Marshal(v) // three plain fields always marshal
	return string(b)
}

// ErrGarbled is returned for a button value kambot did not write.
var ErrGarbled = errors.New("garbled nudge button value")

// DecodeValue reads a button value written by Encode and checks that it is
// consistent: a workspace, a key that parses and names the same account.
// Anything else wraps ErrGarbled.
func DecodeButtonValue(s string) (ButtonValue, kam.NudgeKey, error) {
	if s == "" || len(s) > maxValue {
		return ButtonValue{}, kam.NudgeKey{}, fmt.Errorf("%w: %d bytes", ErrGarbled, len(s))
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	var v ButtonValue
	if err := dec.Decode(&v); err != nil {
		return ButtonValue{}, kam.NudgeKey{}, fmt.Errorf("%w: %v", ErrGarbled, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return ButtonValue{}, kam.NudgeKey{}, fmt.Errorf("%w: trailing data", ErrGarbled)
	}
	if !kam.IsWord(v.TeamID, 32) {
		return ButtonValue{}, kam.NudgeKey{}, fmt.Errorf("%w: workspace %q", ErrGarbled, v.TeamID)
	}
	k, err := kam.ParseNudgeKey(v.Key)
	if err != nil {
		return ButtonValue{}, kam.NudgeKey{}, fmt.Errorf("%w: %v", ErrGarbled, err)
	}
	if k.AccountID != v.AccountID {
		return ButtonValue{}, kam.NudgeKey{}, fmt.Errorf("%w: key names account %d, value %d", ErrGarbled, k.AccountID, v.AccountID)
	}
	return v, k, nil
}

// Buttons is a nudge's actions block: Mark reviewed, Log an interaction,
// a "Snooze…" menu (1 day, 1 week), a "Snooze until…" date picker and Open
// account. The buttons carry v; the menu and the picker have no room for
// it (an option's value is limited to 150 characters, a picker has none),
// so a click on them names its nudge by the buttons of the same block.
func Buttons(v ButtonValue) *slack.ActionBlock {
	val := v.Encode()
	text := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	btn := func(id, label string) *slack.ButtonBlockElement {
		return slack.NewButtonBlockElement(id, val, text(label))
	}
	snooze := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, text("Snooze…"), ActionSnoozeFor,
		slack.NewOptionBlockObject(SnoozeDay, text("1 day"), nil),
		slack.NewOptionBlockObject(SnoozeWeek, text("1 week"), nil))
	until := slack.NewDatePickerBlockElement(ActionSnoozeUntil)
	until.Placeholder = text("Snooze until…")
	return slack.NewActionBlock(BlockID,
		btn(ActionReview, "Mark reviewed").WithStyle(slack.StylePrimary),
		btn(ActionLog, "Log an interaction"),
		snooze,
		until,
		btn(ActionOpen, "Open account"),
	)
}

// SiblingValue is the value of the first nudge button in the actions block
// blockID of a message: what a click on the snooze menu or date picker
// acts on. It is "" when there is none, which DecodeButtonValue refuses.
func SiblingValue(blocks []slack.Block, blockID string) string {
	for _, b := range blocks {
		a, ok := b.(*slack.ActionBlock)
		if !ok || a.BlockID != blockID || a.Elements == nil {
			continue
		}
		for _, e := range a.Elements.ElementSet {
			if btn, ok := e.(*slack.ButtonBlockElement); ok && strings.HasPrefix(btn.ActionID, ActionPrefix) {
				return btn.Value
			}
		}
	}
	return ""
}
