package nudges

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

const day = 24 * time.Hour

// recipient is one person or channel a nudge goes to, and why them.
type recipient struct {
	id  string // Slack user ID (a DM) or channel ID
	why string // "you're the account's KAM"
}

// dueNudge is one nudge topic the sweep found due.
type dueNudge struct {
	topic   kam.NudgeTopic
	account kam.Account
	fact    string // why it is due, mrkdwn (mentions kept, user text escaped)
	hint    string // what to do about it, mrkdwn
	to      []recipient
}

// surveyInfo is what the survey rule knows of one account.
type surveyInfo struct {
	last  time.Time     // latest survey sent or answered; zero when none ever
	every time.Duration // the workspace's survey cadence
}

// dueNudges turns one account's health into the nudges due at now. Periods
// are named in the scheduler's time zone.
func dueNudges(in kam.HealthInput, h kam.Health, sv surveyInfo, now time.Time, tz *time.Location) []dueNudge {
	a := in.Account
	b := &dueBuilder{in: in, now: now, tz: tz, week: kam.ISOWeek(now.In(tz)),
		owner:   recipient{a.OwnerID, "you're the account's KAM"},
		channel: recipient{a.ChannelID, "this is the account's channel"}}
	// Most nudges follow one of kam's alerts.
	for _, al := range h.Alerts {
		b.fromAlert(al)
	}
	// A tactic is worth a reminder on its due day, before kam calls it
	// overdue (the day after).
	b.tacticsDueToday()
	// The survey rule is the scheduler's own: kam raises no alert for it.
	if sv.every > 0 {
		if d, ok := surveyDue(a, sv, now, tz); ok {
			d.hint = fmt.Sprintf("Ask the customer how we're doing: `/kam survey %s send`.", a.Slug)
			b.add(d.topic.Kind, "", d.topic.Period, d.fact, d.hint, b.owner)
		}
	}
	return b.out
}

// dueBuilder collects one account's due nudges.
type dueBuilder struct {
	in             kam.HealthInput
	now            time.Time
	tz             *time.Location
	week           string    // ISO week of now, in tz
	owner, channel recipient // the account's KAM and channel
	out            []dueNudge
}

// add adds a nudge for its recipients, each once; empty ones are left out.
func (b *dueBuilder) add(kind kam.NudgeKind, item, period, fact, hint string, to ...recipient) {
	a := b.in.Account
	d := dueNudge{topic: kam.NudgeTopic{AccountID: a.ID, Kind: kind, Item: item, Period: period}, account: a,
		fact: format.Mrkdwn(fact), hint: hint}
	seen := map[string]bool{}
	for _, r := range to {
		if r.id != "" && !seen[r.id] {
			seen[r.id] = true
			d.to = append(d.to, r)
		}
	}
	b.out = append(b.out, d)
}

// fromAlert adds the nudge an alert calls for, if any.
func (b *dueBuilder) fromAlert(al kam.Alert) {
	in, now, tz, a := b.in, b.now, b.tz, b.in.Account
	slug := a.Slug
	switch al.Kind {
	case kam.AlertPlanReview:
		due := in.Plan.NextReview(a.Cadence)
		b.add(kam.NudgePlanReview, "", windowDay(due, a.Cadence.Period(), now, tz), al.Fact(),
			fmt.Sprintf("Go through the objectives and tactics (`/kam plan %s`), then press *Mark reviewed*.", slug),
			b.owner, b.channel)

	case kam.AlertNoContact:
		period := a.Cadence.Period()
		b.add(kam.NudgeNoContact, "", windowDay(lastTouch(in).Add(period), period, now, tz), al.Fact(),
			fmt.Sprintf("Get in touch with the customer, then press *Log an interaction* (or type `/kam log %s call …`).", slug),
			b.owner, b.channel)

	case kam.AlertStalled, kam.AlertPastClose:
		o, ok := opportunity(in, al.Subject)
		if !ok {
			return
		}
		who := recipient{o.OwnerID, "you own this opportunity"}
		if o.OwnerID == "" {
			who = b.owner
		}
		hint := fmt.Sprintf("Move it on with `/kam stage %s \"%s\" &lt;stage&gt;`, or call it no-go or lost.", slug, format.Mrkdwn(o.Name))
		item := strconv.FormatInt(o.ID, 10)
		if al.Kind == kam.AlertStalled {
			t := o.Stage.StallAfter()
			b.add(kam.NudgeStalled, item, windowDay(o.StageSince.Add(t), t, now, tz), al.Fact(), hint, who, b.channel)
		} else {
			b.add(kam.NudgePastClose, item, b.week, al.Fact(), hint, who)
		}

	case kam.AlertTacticOverdue:
		if t, ok := tactic(in, al.Subject); ok {
			b.add(kam.NudgeTactic, strconv.Itoa(t.Number), b.week, al.Fact(),
				fmt.Sprintf("Mark it done with `/kam plan %s done %d` once it is.", slug, t.Number), tacticOwner(t, b.owner))
		}

	case kam.AlertSponsor:
		id, ok := strings.CutPrefix(al.Subject, "user:")
		if !ok || id == "" {
			return
		}
		b.add(kam.NudgeSponsor, id, kam.QuarterPeriod(now.In(tz)), al.Fact(),
			"Plan a touch with the customer's executives this quarter, then press *Log an interaction*.",
			recipient{id, "you're the account's executive sponsor"}, b.owner)
	}
}

// tacticsDueToday adds a reminder for each open tactic due today.
func (b *dueBuilder) tacticsDueToday() {
	today := kam.Day(b.now.In(b.tz))
	for _, t := range b.in.Plan.Tactics {
		if t.Done || t.Due.IsZero() || t.Overdue(b.now) || t.Due.UTC().Format(time.DateOnly) != today {
			continue
		}
		by := ""
		if t.OwnerID != "" {
			by = ", owner <@" + t.OwnerID + ">"
		}
		b.add(kam.NudgeTactic, strconv.Itoa(t.Number), b.week,
			fmt.Sprintf("tactic %d “%s”%s is due today", t.Number, t.Text, by),
			fmt.Sprintf("Mark it done with `/kam plan %s done %d` once it is.", b.in.Account.Slug, t.Number), tacticOwner(t, b.owner))
	}
}

// surveyDue applies the survey rule: due one survey cadence after the
// latest survey (or the account's creation), 30 days earlier for a yearly
// cadence; one window per cadence.
func surveyDue(a kam.Account, sv surveyInfo, now time.Time, tz *time.Location) (dueNudge, bool) {
	// kam.SurveyDue is the rule health's survey-overdue alert applies too.
	due, ok := kam.SurveyDue(a.CreatedAt, sv.last, sv.every, now)
	if !ok {
		return dueNudge{}, false
	}
	var fact string
	if sv.last.IsZero() {
		fact = fmt.Sprintf("no satisfaction survey since the account was added %s (%s)", daysAgo(now.Sub(a.CreatedAt)), format.Date(a.CreatedAt, tz))
	} else {
		fact = fmt.Sprintf("the latest survey was %s (%s)", daysAgo(now.Sub(sv.last)), format.Date(sv.last, tz))
	}
	fact += fmt.Sprintf("; surveys are due every %d days", int(sv.every/day))
	if sv.every >= kam.SurveyInterval {
		fact += ", ahead of the annual plan update"
	}
	return dueNudge{topic: kam.NudgeTopic{Kind: kam.NudgeSurvey, Period: windowDay(due, sv.every, now, tz)}, fact: fact}, true
}

// windowDay names the window of length that now falls in, counting from
// anchor: the window's first day in tz. Windows repeat while the condition
// holds, so one period is one reminder.
func windowDay(anchor time.Time, length time.Duration, now time.Time, tz *time.Location) string {
	start := anchor
	if length > 0 && now.After(anchor) {
		start = anchor.Add(now.Sub(anchor) / length * length)
	}
	return kam.Day(start.In(tz))
}

// lastTouch is when the account last had real contact; without any, the
// clock runs from the account's creation, as kam's no-contact alert counts.
func lastTouch(in kam.HealthInput) time.Time {
	last := in.LastContact
	for _, t := range in.LastTouch {
		if t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		return in.Account.CreatedAt
	}
	return last
}

func opportunity(in kam.HealthInput, subject string) (kam.Opportunity, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(subject, "opportunity:"), 10, 64)
	if err != nil || !strings.HasPrefix(subject, "opportunity:") {
		return kam.Opportunity{}, false
	}
	for _, o := range in.Opportunities {
		if o.ID == id {
			return o, true
		}
	}
	return kam.Opportunity{}, false
}

func tactic(in kam.HealthInput, subject string) (kam.Tactic, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(subject, "tactic:"))
	if err != nil || !strings.HasPrefix(subject, "tactic:") {
		return kam.Tactic{}, false
	}
	for _, t := range in.Plan.Tactics {
		if t.Number == n {
			return t, true
		}
	}
	return kam.Tactic{}, false
}

func tacticOwner(t kam.Tactic, fallback recipient) recipient {
	if t.OwnerID != "" {
		return recipient{t.OwnerID, "you own this tactic"}
	}
	return fallback
}

// daysAgo says how long ago in days: "today", "yesterday", "12 days ago".
func daysAgo(d time.Duration) string {
	switch n := int(d / day); {
	case n <= 0:
		return "today"
	case n == 1:
		return "yesterday"
	default:
		return fmt.Sprintf("%d days ago", n)
	}
}
