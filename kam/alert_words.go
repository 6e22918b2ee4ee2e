package kam

import (
	"strconv"
	"time"
)

// Each alert's fact has one wording, here. AssessHealth words each alert
// from its facts (alertWords) as it raises it; AssessHealthSummary, which a
// portfolio view runs for thousands of accounts and then shows a line or a
// few of each, keeps the facts and Alert.Fact() words them when read.

// factForm names one wording of an alert's fact.
type factForm uint8

// The wordings; factWorded is an alert worded as it was raised.
const (
	factWorded factForm = iota
	factNoKAM
	factNoContactNew
	factNoContactLast
	factUnmirrored
	factUnmirroredLeft
	factStalled
	factPastClose
	factNoPlan
	factPlanReview
	factTactic
	factSponsorNever
	factSponsorLast
	factSurveyNever
	factSurveyLast
	factNPSFalling
	factDetractor
	factNoStrategy
	factBelowTarget
)

// alertWords is what one alert's fact is worded from: the strings, numbers
// and date each form takes (see text). Ages are whole days.
type alertWords struct {
	form factForm
	s    [4]string
	n    [3]int
	t    time.Time
}

// text words the fact as the full assessment does.
func (w *alertWords) text() string {
	b := make([]byte, 0, 128)
	s, n := &w.s, &w.n
	switch w.form {
	case factNoKAM:
		// "nobody is %s's KAM"
		b = append(append(append(b, "nobody is "...), s[0]...), "'s KAM"...)
	case factNoContactNew:
		// "no contact logged since the account was added %s (%s)": age, cadence
		b = appendAgo(append(b, "no contact logged since the account was added "...), n[0])
		b = append(appendCadence(append(b, " ("...), s[0], n[1]), ')')
	case factNoContactLast:
		// "last contact %s, %s (%s)": age, date, cadence
		b = appendAgo(append(b, "last contact "...), n[0])
		b = w.t.AppendFormat(append(b, ", "...), time.DateOnly)
		b = append(appendCadence(append(b, " ("...), s[0], n[1]), ')')
	case factUnmirrored, factUnmirroredLeft:
		// "%s (%s) has no mirror on the team[: %s, their mirror, has left it]":
		// name, title, role, influence, who left
		b = append(append(b, s[0]...), " ("...)
		if s[1] != "" {
			b = append(append(b, s[1]...), ", "...)
		}
		if s[2] != "" {
			b = append(append(b, s[2]...), ", "...)
		}
		b = strconv.AppendInt(append(b, "influence "...), int64(n[0]), 10)
		b = append(b, ") has no mirror on the team"...)
		if w.form == factUnmirroredLeft {
			b = append(append(append(b, ": <@"...), s[3]...), ">, their mirror, has left it"...)
		}
	case factStalled:
		// "“%s” has been in %s for %s (stalled after %d days)": name, stage, days in it, threshold
		b = append(append(append(append(b, "“"...), s[0]...), "” has been in "...), s[1]...)
		b = appendSpan(append(b, " for "...), n[0])
		b = append(strconv.AppendInt(append(b, " (stalled after "...), int64(n[1]), 10), " days)"...)
	case factPastClose:
		// "“%s” was due to close %s (%s), still %s": name, close date, days late, stage
		b = append(append(append(b, "“"...), s[0]...), "” was due to close "...)
		b = w.t.AppendFormat(b, time.DateOnly)
		b = appendAgo(append(b, " ("...), n[0])
		b = append(append(b, "), still "...), s[1]...)
	case factNoPlan:
		// "no account plan yet on a %s account": tier
		b = append(append(append(b, "no account plan yet on a "...), s[0]...), " account"...)
	case factPlanReview:
		// "plan %s; review was due %s by the %s": reviewed (n[1] 0: never) n[0] days ago, due, cadence
		b = append(b, "plan "...)
		if n[1] == 0 {
			b = append(b, "never reviewed"...)
		} else {
			b = appendAgo(append(b, "reviewed "...), n[0])
		}
		b = w.t.AppendFormat(append(b, "; review was due "...), time.DateOnly)
		b = appendCadence(append(b, " by the "...), s[0], n[2])
	case factTactic:
		// "tactic %d “%s”%s was due %s": number, text, owner, due
		b = strconv.AppendInt(append(b, "tactic "...), int64(n[0]), 10)
		b = append(append(append(b, " “"...), s[0]...), "”"...)
		if s[1] != "" {
			b = append(append(append(b, ", owner <@"...), s[1]...), '>')
		}
		b = w.t.AppendFormat(append(b, " was due "...), time.DateOnly)
	case factSponsorNever:
		// "executive sponsor %s has logged no contact with %s": sponsor, account
		b = append(append(append(b, "executive sponsor <@"...), s[0]...), "> has logged no contact with "...)
		b = append(b, s[1]...)
	case factSponsorLast:
		// "executive sponsor %s last touched %s %s, %s": sponsor, account, age, date
		b = append(append(append(b, "executive sponsor <@"...), s[0]...), "> last touched "...)
		b = appendAgo(append(append(b, s[1]...), ' '), n[0])
		b = w.t.AppendFormat(append(b, ", "...), time.DateOnly)
	case factSurveyNever:
		// "no survey answer since the account was added %s": age
		b = appendAgo(append(b, "no survey answer since the account was added "...), n[0])
	case factSurveyLast:
		// "last survey answer %s, %s": age, date
		b = appendAgo(append(b, "last survey answer "...), n[0])
		b = w.t.AppendFormat(append(b, ", "...), time.DateOnly)
	case factNPSFalling:
		// "NPS fell from %s to %s": both NPS, rounded
		b = strconv.AppendInt(append(b, "NPS fell from "...), int64(n[0]), 10)
		b = strconv.AppendInt(append(b, " to "...), int64(n[1]), 10)
	case factDetractor:
		// "%s gave %d on %s[: “%s”]": who, score, date, comment
		b = strconv.AppendInt(append(append(b, s[0]...), " gave "...), int64(n[0]), 10)
		b = w.t.AppendFormat(append(b, " on "...), time.DateOnly)
		if s[1] != "" {
			b = append(append(append(b, ": “"...), s[1]...), "”"...)
		}
	case factNoStrategy:
		// "%s of ours, started %s, but no strategy linking %s to tactics": objectives, age
		if n[0] == 1 {
			b = append(b, "1 objective"...)
		} else {
			b = append(strconv.AppendInt(b, int64(n[0]), 10), " objectives"...)
		}
		b = appendAgo(append(b, " of ours, started "...), n[1])
		b = append(b, ", but no strategy linking "...)
		if n[0] == 1 {
			b = append(b, "it"...)
		} else {
			b = append(b, "them"...)
		}
		b = append(b, " to tactics"...)
	case factBelowTarget:
		// "revenue at %d%% of the %d target": share, year
		b = strconv.AppendInt(append(b, "revenue at "...), int64(n[0]), 10)
		b = append(strconv.AppendInt(append(b, "% of the "...), int64(n[1]), 10), " target"...)
	}
	return string(b)
}

// appendAgo appends ago of an age of n whole days.
func appendAgo(b []byte, n int) []byte {
	switch {
	case n <= 0:
		return append(b, "today"...)
	case n == 1:
		return append(b, "yesterday"...)
	}
	return append(strconv.AppendInt(b, int64(n), 10), " days ago"...)
}

// appendSpan appends span of n whole days.
func appendSpan(b []byte, n int) []byte {
	if n == 1 {
		return append(b, "1 day"...)
	}
	return append(strconv.AppendInt(b, int64(n), 10), " days"...)
}

// appendCadence appends what assessment.cadence words: the cadence's
// name and its period in days.
func appendCadence(b []byte, name string, period int) []byte {
	b = append(append(b, name...), " cadence: every "...)
	return append(strconv.AppendInt(b, int64(period), 10), " days"...)
}
