// Nudges: the kinds of nudge, the idempotency key of one nudge message,
// the topic that handled and snoozed marks attach to. The scheduler, the
// store and the nudge buttons share them.

package kam

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is what a nudge reminds of.
type NudgeKind string

// The kinds of nudge.
const (
	NudgePlanReview NudgeKind = "plan-review" // the account plan's review is due by the cadence
	NudgeSurvey     NudgeKind = "survey"      // a satisfaction survey is due
	NudgeNoContact  NudgeKind = "no-contact"  // no real contact within the cadence
	NudgeStalled    NudgeKind = "stalled"     // an opportunity sits in its stage past the stall threshold
	NudgePastClose  NudgeKind = "past-close"  // an opportunity is still open after its close date
	NudgeTactic     NudgeKind = "tactic"      // a plan tactic is due or overdue
	NudgeSponsor    NudgeKind = "sponsor"     // an executive sponsor has not touched the account this quarter
)

// Kinds lists every kind, in the order a sweep reports them.
var NudgeKinds = []NudgeKind{NudgePlanReview, NudgeSurvey, NudgeNoContact, NudgeStalled, NudgePastClose, NudgeTactic, NudgeSponsor}

// Valid reports whether k is one of Kinds.
func (k NudgeKind) Valid() bool {
	for _, x := range NudgeKinds {
		if x == k {
			return true
		}
	}
	return false
}

// HasItem reports whether nudges of this kind are about one item inside the
// account (an opportunity, a tactic, a sponsor), named by Topic.Item.
func (k NudgeKind) HasItem() bool {
	switch k {
	case NudgeStalled, NudgePastClose, NudgeTactic, NudgeSponsor:
		return true
	}
	return false
}

// Title is how a nudge of this kind is headed: "Plan review due".
func (k NudgeKind) Title() string {
	switch k {
	case NudgePlanReview:
		return "Plan review due"
	case NudgeSurvey:
		return "Satisfaction survey due"
	case NudgeNoContact:
		return "No contact within the cadence"
	case NudgeStalled:
		return "Opportunity stalled"
	case NudgePastClose:
		return "Opportunity past its close date"
	case NudgeTactic:
		return "Tactic due"
	case NudgeSponsor:
		return "Executive sponsor out of touch"
	}
	return string(k)
}

// Topic is what one nudge is about: one kind, on one account (and one item
// of it), in one period. Handled and snoozed marks attach to the topic, not
// to a recipient, so every copy of a nudge (the owner's DM, the account
// channel) goes quiet together.
type NudgeTopic struct {
	AccountID int64
	Kind      NudgeKind
	// Item names the opportunity (its ID), the tactic (its number) or the
	// sponsor (their user ID) for kinds that HasItem; "" otherwise.
	Item string
	// Period is the window the nudge belongs to: a date (the start of a
	// cadence window), an ISO week (2025-W10) or a quarter (2025-Q2).
	Period string
}

// Subject is the topic without its period: what a snooze silences across
// periods.
type NudgeSubject struct {
	AccountID int64
	Kind      NudgeKind
	Item      string
}

// Subject returns the topic's subject.
func (t NudgeTopic) Subject() NudgeSubject {
	return NudgeSubject{AccountID: t.AccountID, Kind: t.Kind, Item: t.Item}
}

// KindItem is the kind with its item, as keys and the store write it:
// "plan-review", "stalled.34".
func (t NudgeTopic) KindItem() string {
	if t.Item == "" {
		return string(t.Kind)
	}
	return string(t.Kind) + "." + t.Item
}

// Validate checks every field.
func (t NudgeTopic) Validate() error {
	switch {
	case t.AccountID <= 0:
		return fmt.Errorf("nudge topic: account %d is not an ID", t.AccountID)
	case !t.Kind.Valid():
		return fmt.Errorf("nudge topic: unknown kind %q", t.Kind)
	case t.Kind.HasItem() != (t.Item != ""):
		return fmt.Errorf("nudge topic: kind %s with item %q", t.Kind, t.Item)
	case t.Item != "" && !IsWord(t.Item, 64):
		return fmt.Errorf("nudge topic: item %q is not a word", t.Item)
	case !isPeriod(t.Period):
		return fmt.Errorf("nudge topic: period %q is not a date, week or quarter", t.Period)
	}
	return nil
}

// Key identifies one nudge message to one recipient; its String form is the
// outbox idempotency key, so a nudge is queued at most once per recipient
// and period:
//
//	nudge:<kind>[.<item>]:<account>:<recipient>:<period>[+<round>]
//
// e.g. nudge:plan-review:12:U0ANA:2025-03-01, nudge:stalled.34:12:C0ACME:2025-03-05,
// nudge:plan-review:12:U0ANA:2025-03-01+2025-03-17 (the reminder after a
// snooze that ended on 17 March).
type NudgeKey struct {
	NudgeTopic
	// Recipient is a Slack user ID (a DM) or channel ID.
	Recipient string
	// Round is "" for the first nudge of the period, or the day (YYYY-MM-DD)
	// a snooze of the topic ended, for the reminder sent after it.
	Round string
}

// keyPrefix starts every nudge key.
const keyPrefix = "nudge:"

// String renders the key.
func (k NudgeKey) String() string {
	var b strings.Builder
	b.WriteString(keyPrefix)
	b.WriteString(k.KindItem())
	b.WriteByte(':')
	b.WriteString(strconv.FormatInt(k.AccountID, 10))
	b.WriteByte(':')
	b.WriteString(k.Recipient)
	b.WriteByte(':')
	b.WriteString(k.Period)
	if k.Round != "" {
		b.WriteByte('+')
		b.WriteString(k.Round)
	}
	return b.String()
}

// Validate checks every field.
func (k NudgeKey) Validate() error {
	if err := k.NudgeTopic.Validate(); err != nil {
		return err
	}
	if !IsWord(k.Recipient, 64) {
		return fmt.Errorf("nudge key: recipient %q is not a Slack ID", k.Recipient)
	}
	if k.Round != "" && !isDate(k.Round) {
		return fmt.Errorf("nudge key: round %q is not a date", k.Round)
	}
	return nil
}

// ParseKey reads a key written by Key.String; anything else is an error.
func ParseNudgeKey(s string) (NudgeKey, error) {
	rest, ok := strings.CutPrefix(s, keyPrefix)
	if !ok || len(s) > 255 {
		return NudgeKey{}, fmt.Errorf("%q is not a nudge key", s)
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 4 {
		return NudgeKey{}, fmt.Errorf("%q is not a nudge key", s)
	}
	var k NudgeKey
	kind, item, _ := strings.Cut(parts[0], ".")
	k.Kind, k.Item = NudgeKind(kind), item
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || parts[1] != strconv.FormatInt(id, 10) {
		return NudgeKey{}, fmt.Errorf("%q is not a nudge key: bad account", s)
	}
	k.AccountID = id
	k.Recipient = parts[2]
	var plus bool
	k.Period, k.Round, plus = strings.Cut(parts[3], "+")
	if plus && k.Round == "" {
		return NudgeKey{}, fmt.Errorf("%q is not a nudge key: empty round", s)
	}
	if err := k.Validate(); err != nil {
		return NudgeKey{}, fmt.Errorf("%q is not a nudge key: %w", s, err)
	}
	return k, nil
}

// How a nudge was handled.
const (
	HowReviewed = "reviewed" // NudgeMark reviewed
	HowLogged   = "logged"   // Log an interaction
)

// Mark is what people did with one topic: handled it (it stays quiet for
// the rest of its period) and/or snoozed it (quiet until SnoozedUntil, in
// any period).
type NudgeMark struct {
	TeamID string
	NudgeTopic
	HandledBy  string // Slack user ID; "" while not handled
	HandledHow string // HowReviewed or HowLogged
	HandledAt  time.Time
	SnoozedBy  string // Slack user ID; "" while never snoozed
	SnoozedAt  time.Time
	// SnoozedUntil is when the latest snooze ends; zero when never snoozed.
	SnoozedUntil time.Time
}

// Handled reports whether someone handled the topic.
func (m NudgeMark) Handled() bool { return m.HandledBy != "" }

// Snoozed reports whether a snooze still holds at now.
func (m NudgeMark) Snoozed(now time.Time) bool {
	return !m.SnoozedUntil.IsZero() && now.Before(m.SnoozedUntil)
}

// Record is a nudge message that was queued: the proof, for a button click,
// that kambot sent it.
type NudgeRecord struct {
	ID     int64
	TeamID string
	Key    NudgeKey
	// QueuedAt is when the sweep put it in the outbox.
	QueuedAt time.Time
}

// Message is one nudge to queue: its key, and the Slack message for the
// outbox.
type NudgeMessage struct {
	TeamID string
	Key    NudgeKey
	// Text is the notification fallback; Blocks the message (JSON array).
	Text   string
	Blocks []byte
	// Metadata is a JSON object added to the message metadata payload.
	Metadata []byte
}

// ISOWeek names the ISO week of t in t's location: "2025-W03".
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Quarter names the calendar quarter of t in t's location: "2025-Q2".
func QuarterPeriod(t time.Time) string {
	return fmt.Sprintf("%04d-%s", t.Year(), QuarterOf(t))
}

// Day names the calendar day of t in t's location: "2025-03-01".
func Day(t time.Time) string { return t.Format(time.DateOnly) }

// IsWord accepts Slack IDs, numbers and the console's stand-in IDs:
// letters, digits, '_' and '-', 1 to max of them.
func IsWord(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isDate(s string) bool {
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && t.Format(time.DateOnly) == s
}

// isPeriod accepts YYYY-MM-DD, YYYY-Www and YYYY-Qn.
func isPeriod(s string) bool {
	if isDate(s) {
		return true
	}
	if len(s) == 8 && s[4:6] == "-W" && allDigits(s[:4]) && allDigits(s[6:]) {
		w, _ := strconv.Atoi(s[6:])
		return w >= 1 && w <= 53
	}
	if len(s) == 7 && s[4:6] == "-Q" && allDigits(s[:4]) {
		return s[6] >= '1' && s[6] <= '4'
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
