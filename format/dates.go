package format

import (
	"fmt"
	"time"
)

// DateLayout is the one way kambot writes a day: 2026-12-22, the form
// people type into commands (due=2026-12-22), so what they read they can
// type back.
const DateLayout = time.DateOnly

// Day renders a calendar date (a close or due date, stored as midnight
// UTC): the stored day, in no zone, so it reads the same to everyone.
func Day(t time.Time) string { return t.UTC().Format(DateLayout) }

// Date renders the day an instant fell on for a reader in loc (nil: UTC):
// an answer given at 00:30 in Tokyo on 22 December is "2026-12-22" there.
func Date(t time.Time, loc *time.Location) string { return t.In(zone(loc)).Format(DateLayout) }

// DateTime renders an instant for a reader in loc: "2026-12-22 14:05 CET".
func DateTime(t time.Time, loc *time.Location) string {
	return t.In(zone(loc)).Format(DateLayout + " 15:04 MST")
}

// DateRange renders the days from and to (both inclusive) in loc:
// "2026-12-14 – 2026-12-20".
func DateRange(from, to time.Time, loc *time.Location) string {
	return Date(from, loc) + " – " + Date(to, loc)
}

// SlackDate is a date Slack shows in each reader's own zone, with Date in
// loc as the text shown where Slack cannot (notifications, the console).
// Only for instants: a calendar date (Day) has no zone to convert.
func SlackDate(t time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_num}|%s>", t.Unix(), Date(t, loc))
}

// Today is the reader's calendar day at now, as a calendar date (midnight
// UTC) comparable with the dates people type: east of UTC after local
// midnight it is already tomorrow's UTC date.
func Today(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(zone(loc)).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func zone(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
