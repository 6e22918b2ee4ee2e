package kam

import (
	"strconv"
	"time"
)

// ---- Targets and the dated history of an account's results -----------------

// Entities of the method's records, for *Error.
const (
	EntityTarget    = "target"
	EntityCharter   = "charter entry"
	EntityStrategy  = "strategy"
	EntitySelection = "selection review"
)

// Conflict reasons of de-selection.
const (
	ReasonArchived = "archived" // the account is de-selected already (at Since)
	ReasonActive   = "active"   // the account is active already
)

// HistoryField is a fact of an account kept as dated history.
type HistoryField string

// The fields kept as history: setting one appends, never overwrites.
const (
	HistRevenue HistoryField = "revenue"
	HistWallet  HistoryField = "wallet"
	HistLevel   HistoryField = "level"
	HistTier    HistoryField = "tier"
)

// HistoryEntry is one value an account's field took, from At on.
type HistoryEntry struct {
	AccountID int64
	Field     HistoryField
	Value     string // revenue: whole units; wallet: percent; level and tier: their names
	At        time.Time
}

// Int is the entry's value as a whole number (revenue); 0 when not one.
func (h HistoryEntry) Int() int64 { n, _ := strconv.ParseInt(h.Value, 10, 64); return n }

// Float is the entry's value as a number (wallet); 0 when not one.
func (h HistoryEntry) Float() float64 { f, _ := strconv.ParseFloat(h.Value, 64); return f }

// History is an account's dated history, oldest first.
type History []HistoryEntry

// AsOf returns the value the field held at t: the latest entry at or before
// t. ok is false when nothing was recorded by then.
func (h History) AsOf(f HistoryField, t time.Time) (HistoryEntry, bool) {
	var out HistoryEntry
	var ok bool
	for _, e := range h {
		if e.Field == f && !e.At.After(t) {
			out, ok = e, true
		}
	}
	return out, ok
}

// Target is one setting of an account's revenue target for a year; the
// latest setting of a year is the target.
type Target struct {
	ID        int64
	TeamID    string
	AccountID int64
	Year      int
	Amount    int64
	UserID    string
	At        time.Time
}

// Targets are an account's target settings, oldest first.
type Targets []Target

// For is the year's target: its latest setting. ok is false when none.
func (ts Targets) For(year int) (Target, bool) {
	var out Target
	var ok bool
	for _, t := range ts {
		if t.Year == year {
			out, ok = t, true
		}
	}
	return out, ok
}

// Bounds of a target's year, as the store's CHECK enforces them.
const (
	MinTargetYear = 2000
	MaxTargetYear = 2200
)

// Validate checks a target before it is stored.
func (t Target) Validate() error {
	if t.TeamID == "" || t.AccountID <= 0 {
		return ErrNotFound(EntityAccount)
	}
	if t.Year < MinTargetYear || t.Year > MaxTargetYear {
		e := ErrInvalid(EntityTarget, "year", ReasonRange)
		e.Got = t.Year
		return e
	}
	if t.Amount < 0 {
		return ErrInvalid(EntityTarget, "amount", ReasonRange)
	}
	return nil
}

// EndOfYear is the last instant of a calendar year in UTC: the date a past
// year's revenue is recorded at.
func EndOfYear(year int) time.Time {
	return time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Millisecond)
}
