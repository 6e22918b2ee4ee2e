package kam

import (
	"time"
)

// EntityPrefs is a person's own settings (/kam prefs).
const EntityPrefs = "preferences"

// NoHour marks an hour setting left to the workspace default.
const NoHour = -1

// DefaultReminderHour is the local hour reminders arrive at (and a bundle is
// sent) when nothing else decides: the morning, in the person's own zone.
const DefaultReminderHour = 7

// UserPrefs is one person's schedule settings in one workspace. The zero
// value (after DefaultPrefs) follows the workspace: the digest on the
// workspace schedule, no quiet hours, one message per reminder.
type UserPrefs struct {
	TeamID string
	UserID string
	// DigestDay and DigestHour move the weekly digest to the person's own
	// day and hour, in their zone; DigestHour is NoHour for the workspace
	// schedule (DigestDay is then ignored).
	DigestDay  time.Weekday
	DigestHour int
	// QuietFrom and QuietTo are local hours (0–23) during which no reminder
	// or digest is delivered: from QuietFrom up to, not including, QuietTo,
	// across midnight when QuietFrom > QuietTo. NoHour for none.
	QuietFrom, QuietTo int
	// Bundle sends the day's reminders as one morning DM instead of one DM
	// each.
	Bundle bool
	// Zone is the person's Slack time zone (users.info tz), "" when unknown;
	// ZoneChecked is when it was last read from Slack.
	Zone        string
	ZoneChecked time.Time
	UpdatedAt   time.Time
}

// DefaultPrefs are the settings of someone who never set any.
func DefaultPrefs(teamID, userID string) UserPrefs {
	return UserPrefs{TeamID: teamID, UserID: userID, DigestDay: time.Monday, DigestHour: NoHour, QuietFrom: NoHour, QuietTo: NoHour}
}

// OwnDigest reports whether the person chose their own digest day and hour.
func (p UserPrefs) OwnDigest() bool { return p.DigestHour != NoHour }

// HasQuiet reports whether quiet hours are set.
func (p UserPrefs) HasQuiet() bool {
	return p.QuietFrom != NoHour && p.QuietTo != NoHour && p.QuietFrom != p.QuietTo
}

// Quiet reports whether a local hour falls in the quiet hours.
func (p UserPrefs) Quiet(hour int) bool {
	if !p.HasQuiet() {
		return false
	}
	if p.QuietFrom < p.QuietTo {
		return hour >= p.QuietFrom && hour < p.QuietTo
	}
	return hour >= p.QuietFrom || hour < p.QuietTo
}

// Location is the person's zone, or fallback when unknown or not loadable.
func (p UserPrefs) Location(fallback *time.Location) *time.Location {
	if p.Zone != "" {
		if loc, err := time.LoadLocation(p.Zone); err == nil {
			return loc
		}
	}
	if fallback == nil {
		return time.UTC
	}
	return fallback
}

// ReminderHour is the local hour reminders go out from: the morning hour,
// or the end of quiet hours when those cover it.
func (p UserPrefs) ReminderHour() int {
	h := DefaultReminderHour
	for i := 0; i < 24 && p.Quiet(h); i++ {
		h = (h + 1) % 24
	}
	return h
}

// ReminderDue reports whether reminders may be delivered to the person at
// now: it is at or after their reminder hour on their own calendar day and
// not in their quiet hours.
func (p UserPrefs) ReminderDue(now time.Time, fallback *time.Location) bool {
	local := now.In(p.Location(fallback))
	return local.Hour() >= p.ReminderHour() && !p.Quiet(local.Hour())
}

// DigestDue reports whether the person's own digest is due at now: their
// digest day and hour in their zone, or later that day outside quiet hours
// (a run missed while kambot was down is made up the same day).
func (p UserPrefs) DigestDue(now time.Time, fallback *time.Location) bool {
	if !p.OwnDigest() {
		return false
	}
	local := now.In(p.Location(fallback))
	return local.Weekday() == p.DigestDay && local.Hour() >= p.DigestHour && !p.Quiet(local.Hour())
}

// Validate checks the settings a person can change.
func (p UserPrefs) Validate() error {
	switch {
	case p.TeamID == "":
		return ErrMissingTeam(EntityPrefs)
	case p.UserID == "":
		return ErrInvalid(EntityPrefs, FieldActor, ReasonMissing)
	case p.DigestHour != NoHour && (p.DigestHour < 0 || p.DigestHour > 23):
		return ErrInvalid(EntityPrefs, "digest", ReasonMalformed)
	case p.DigestDay < time.Sunday || p.DigestDay > time.Saturday:
		return ErrInvalid(EntityPrefs, "digest", ReasonMalformed)
	case (p.QuietFrom == NoHour) != (p.QuietTo == NoHour),
		p.QuietFrom != NoHour && (p.QuietFrom < 0 || p.QuietFrom > 23 || p.QuietTo < 0 || p.QuietTo > 23):
		return ErrInvalid(EntityPrefs, "quiet", ReasonMalformed)
	}
	return nil
}
