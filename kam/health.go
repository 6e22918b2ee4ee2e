package kam

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

const day = 24 * time.Hour

// ---- Account plan ----------------------------------------------------------

// ObjectiveFor says whose objective an objective is.
type ObjectiveFor string

// Owners of an objective.
const (
	ForCustomer ObjectiveFor = "customer" // the customer's key business objective
	ForUs       ObjectiveFor = "us"       // our objective for the account
)

// ObjectiveFors lists both owners of an objective, customer first as the
// plan prints them.
var ObjectiveFors = []ObjectiveFor{ForCustomer, ForUs}

// Objective is one line of the account plan's objectives.
type Objective struct {
	ID        int64
	TeamID    string
	AccountID int64
	For       ObjectiveFor
	Text      string
	AuthorID  string
	CreatedAt time.Time
}

// Tactic is one action of the account plan.
type Tactic struct {
	ID        int64
	TeamID    string
	AccountID int64
	Number    int // 1, 2, … per account, in the order added; what `done <n>` names
	Text      string
	Quarter   string    // "2027-Q1"; "Q1"…"Q4" in plans made before quarters had years; "" when not planned to a quarter
	OwnerID   string    // Slack user ID, or ""
	Due       time.Time // a date (midnight UTC), zero when not set
	Done      bool
	DoneAt    time.Time
	DoneBy    string
	AuthorID  string
	CreatedAt time.Time
	Strategy  int // the number of the strategy it carries out; 0 when none
}

// Overdue reports whether the tactic is open and its due day has passed.
func (t Tactic) Overdue(now time.Time) bool {
	return !t.Done && !t.Due.IsZero() && !now.Before(t.Due.Add(day))
}

// PlanReview is one recorded review of an account plan.
type PlanReview struct {
	ID        int64
	TeamID    string
	AccountID int64
	UserID    string
	Note      string
	At        time.Time
}

// Plan is an account's plan: objectives, tactics and the latest review.
type Plan struct {
	AccountID  int64
	Objectives []Objective // by owner (customer first), then in the order added
	Tactics    []Tactic    // by Number
	LastReview *PlanReview // nil when never reviewed
	Reviews    int         // how many reviews were recorded
	Charter    Charter     // situation, SWOT, barriers, enablers, strategies
	Targets    Targets     // revenue targets by year, every setting
}

// Empty reports whether the plan has neither objectives nor tactics nor
// any line of the strategy charter.
func (p Plan) Empty() bool { return len(p.Objectives) == 0 && len(p.Tactics) == 0 && p.Charter.Empty() }

// Started is when the first objective or tactic was added; zero when empty.
func (p Plan) Started() time.Time {
	var t time.Time
	for _, o := range p.Objectives {
		if t.IsZero() || o.CreatedAt.Before(t) {
			t = o.CreatedAt
		}
	}
	for _, x := range p.Tactics {
		if t.IsZero() || x.CreatedAt.Before(t) {
			t = x.CreatedAt
		}
	}
	for _, x := range p.Charter.Entries {
		if t.IsZero() || x.CreatedAt.Before(t) {
			t = x.CreatedAt
		}
	}
	for _, x := range p.Charter.Strategies {
		if t.IsZero() || x.CreatedAt.Before(t) {
			t = x.CreatedAt
		}
	}
	return t
}

// NextReview is when the next review is due: one cadence period after the
// last review or, before the first review, after the plan was started. Zero
// for an empty plan.
func (p Plan) NextReview(c Cadence) time.Time {
	if p.LastReview != nil {
		return p.LastReview.At.Add(c.Period())
	}
	if s := p.Started(); !s.IsZero() {
		return s.Add(c.Period())
	}
	return time.Time{}
}

// QuarterOf is the calendar quarter of t: "Q1"…"Q4".
func QuarterOf(t time.Time) string {
	return fmt.Sprintf("Q%d", (int(t.Month())-1)/3+1)
}

// ---- Satisfaction (filled by the surveys feature) ---------------------------

// NPSAnswer is one survey answer.
type NPSAnswer struct {
	Score   int // 0–10
	Comment string
	Contact string // stakeholder's name, or ""
	UserID  string // Slack user who answered a survey post, or ""
	At      time.Time
}

// NPSSummary is what health needs to know of an account's surveys.
type NPSSummary struct {
	Responses   int      // answers counted in NPS
	NPS         float64  // −100…100: % promoters (9–10) − % detractors (0–6)
	PreviousNPS *float64 // NPS of the previous survey round; nil when unknown
	Latest      *NPSAnswer
	// Current and Previous are the counts behind NPS and PreviousNPS: the
	// last NPSPeriod and the one before (ScoreNPS), which a portfolio sums.
	Current, Previous NPSStats
}

// NPSOf computes the net promoter score of answers 0–10; 0 for none.
func NPSOf(scores []int) float64 {
	var pro, pas, det int
	for _, s := range scores {
		switch {
		case s >= 9:
			pro++
		case s >= 7:
			pas++
		default:
			det++
		}
	}
	return NPSFromCounts(pro, pas, det).NPS
}

// NPSFromCounts is the net promoter score of respondents counted by kind,
// as the store counts them in SQL: % promoters − % detractors, one
// decimal; 0 for none.
func NPSFromCounts(promoters, passives, detractors int) NPSStats {
	st := NPSStats{Responses: promoters + passives + detractors, Promoters: promoters, Passives: passives, Detractors: detractors}
	if st.Responses > 0 {
		st.NPS = math.Round(float64(promoters-detractors)*1000/float64(st.Responses)) / 10
	}
	return st
}

// Detractor reports whether an NPS answer is a detractor (0–6).
func Detractor(score int) bool { return score <= 6 }

// ---- Pipeline stalls ---------------------------------------------------------

// StallThresholds is how long an open opportunity may stay in one stage
// before it counts as stalled. Nudges reuse this table.
//
//	stage        stalled after
//	identified   30 days
//	qualified    30 days
//	pursuing     45 days
//	closing      30 days
//
// Closed stages (contracted, engaged, no-go, lost) never stall.
var StallThresholds = map[Stage]time.Duration{
	StageIdentified: 30 * day,
	StageQualified:  30 * day,
	StagePursuing:   45 * day,
	StageClosing:    30 * day,
}

// StallAfter is the stage's stall threshold; 0 for stages that never stall.
func (s Stage) StallAfter() time.Duration { return StallThresholds[s] }

// Stalled reports whether the opportunity has sat in its stage past the
// stage's threshold.
func (o Opportunity) Stalled(now time.Time) bool {
	t := o.Stage.StallAfter()
	return o.Stage.Open() && t > 0 && !o.StageSince.IsZero() && now.Sub(o.StageSince) > t
}

// PastClose reports whether the opportunity is still open after its close day.
func (o Opportunity) PastClose(now time.Time) bool {
	return o.Stage.Open() && !o.CloseDate.IsZero() && !now.Before(o.CloseDate.Add(day))
}

// ---- Alerts -----------------------------------------------------------------

// Severity ranks an alert.
type Severity int

// Severities, least urgent first.
const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityCritical
)

// String names the severity: info, warning, critical.
func (s Severity) String() string {
	switch s {
	case SeverityCritical:
		return "critical"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// AlertKind names an early-warning signal.
type AlertKind string

// The early-warning signals, in the order they are listed for one account
// at equal severity.
const (
	AlertNoKAM          AlertKind = "no-kam"                 // nobody is the account's KAM
	AlertNoContact      AlertKind = "no-contact"             // no real contact within the cadence
	AlertSingleThreaded AlertKind = "single-threaded"        // bow-tie coverage on a consultant or partner account
	AlertUnmirrored     AlertKind = "unmirrored-stakeholder" // a key stakeholder without a mirror
	AlertStalled        AlertKind = "opportunity-stalled"    // open opportunity past its stage's stall threshold
	AlertPastClose      AlertKind = "opportunity-overdue"    // open opportunity past its close date
	AlertNoPlan         AlertKind = "no-plan"                // no account plan
	AlertPlanReview     AlertKind = "plan-review-overdue"    // plan review past due by the cadence
	AlertTacticOverdue  AlertKind = "tactic-overdue"         // open tactic past its due date
	AlertSponsor        AlertKind = "sponsor-no-touch"       // executive sponsor without contact in the last quarter
	AlertSurveyOverdue  AlertKind = "survey-overdue"         // a satisfaction survey is due (SurveyDue)
	AlertNPSFalling     AlertKind = "nps-falling"            // NPS fell by NPSFall points or more
	AlertDetractor      AlertKind = "detractor"              // the latest answer is 0–6
	AlertNoStrategy     AlertKind = "no-strategy"            // a plan without a strategy linking objectives to tactics
	AlertBelowTarget    AlertKind = "below-target"           // revenue below this year's target
)

// AlertKinds lists every alert kind.
var AlertKinds = []AlertKind{AlertNoKAM, AlertNoContact, AlertSingleThreaded, AlertUnmirrored, AlertStalled, AlertPastClose,
	AlertNoPlan, AlertPlanReview, AlertTacticOverdue, AlertSponsor, AlertSurveyOverdue, AlertNPSFalling, AlertDetractor,
	AlertNoStrategy, AlertBelowTarget}

// Alert is one early-warning signal on one account, with the fact that raised it.
type Alert struct {
	Kind        AlertKind
	Severity    Severity
	AccountID   int64
	AccountName string
	// Subject is what the alert is about inside the account, for alerts
	// that can repeat: "opportunity:12", "contact:7", "tactic:3", "user:U1"; "" otherwise.
	Subject string
	fact    string      // the fact in words, when worded
	words   *alertWords // else what Fact words it from
}

// Fact is the fact that raised the alert, in words, with Slack mentions:
// "last contact 45 days ago, 2025-09-26 (monthly cadence: every 30 days)".
func (a Alert) Fact() string {
	if a.words == nil {
		return a.fact
	}
	return a.words.text()
}

// Worded is the alert with its fact worded once and for all, for a view
// that reads the facts of many alerts it keeps: reading an alert of a
// summary words it again at every read (Fact).
func (a Alert) Worded() Alert {
	if a.words != nil {
		a.fact, a.words = a.words.text(), nil
	}
	return a
}

// Key identifies the alert across runs, so nudges and digests can tell a
// new alert from one already sent: kind:account[:subject].
func (a Alert) Key() string {
	return string(a.AppendKey(make([]byte, 0, 64)))
}

// AppendKey appends Key to b: a map of keys can be looked up with
// string(a.AppendKey(buf[:0])) without making a string.
func (a Alert) AppendKey(b []byte) []byte {
	b = strconv.AppendInt(append(append(b, a.Kind...), ':'), a.AccountID, 10)
	if a.Subject != "" {
		b = append(append(b, ':'), a.Subject...)
	}
	return b
}

// Alert thresholds.
const (
	SponsorWindow  = 91 * day  // an executive sponsor should touch the account once a quarter
	SurveyInterval = 365 * day // a satisfaction survey precedes the annual plan update
	SurveyLead     = 30 * day  // a yearly survey is due this much early, so answers are in before the plan update
	NPSFall        = 10.0      // a drop this large, in NPS points, is "falling"
)

// ---- Health -------------------------------------------------------------------

// HealthInput is everything health needs to know of one account. The store
// loads it for a whole portfolio at once.
type HealthInput struct {
	Account Account
	// Members is the account's team; sponsors are Account.SponsorID and the
	// members with role sponsor.
	Members []Member
	// LastContact is the latest real contact (any kind but note) with the
	// account by anyone, however old; zero when there was none.
	LastContact time.Time
	// LastTouch maps team members to their latest real contact with the
	// account; members who never had one are absent.
	LastTouch map[string]time.Time
	// Window is each person's real contact with the account in the last
	// RelationshipWindow before now, with the stakeholders they named.
	Window        []Touches
	Contacts      []Contact
	Opportunities []Opportunity // open ones count; closed ones are ignored
	Plan          Plan
	// Satisfaction is the surveys' summary; nil when there is no survey data,
	// which leaves the satisfaction part and the survey alerts out.
	Satisfaction *NPSSummary
	// SurveyEvery is the workspace's survey cadence; 0 for SurveyInterval.
	SurveyEvery time.Duration
}

// Health part keys and their weights, in points out of 100.
const (
	PartRecency      = "recency"
	PartCoverage     = "coverage"
	PartPipeline     = "pipeline"
	PartPlan         = "plan"
	PartSatisfaction = "satisfaction"

	WeightRecency      = 30.0
	WeightCoverage     = 25.0
	WeightPipeline     = 20.0
	WeightPlan         = 15.0
	WeightSatisfaction = 10.0
)

// ModelCoverage is the share of the coverage part's model half each
// relationship model earns.
var ModelCoverage = map[RelationshipModel]float64{
	ModelDiamond:   1,
	ModelOneOnMany: 0.6,
	ModelBowTie:    0.3,
	ModelNone:      0,
}

// Band is a coarse reading of the health score.
type Band string

// Health bands.
const (
	BandGood   Band = "good"    // 70–100
	BandWatch  Band = "watch"   // 40–69
	BandAtRisk Band = "at-risk" // 0–39
)

// BandOf reads a health score: good from 70, watch from 40, at-risk below.
func BandOf(score int) Band {
	switch {
	case score >= 70:
		return BandGood
	case score >= 40:
		return BandWatch
	}
	return BandAtRisk
}

// HealthPart is one explainable part of the health score.
type HealthPart struct {
	Key    string
	Label  string
	Weight float64 // points the part is worth
	Score  float64 // 0–1, rounded to two decimals
	Detail string  // why, in words
}

// Points is what the part contributes: Weight × Score.
func (p HealthPart) Points() float64 { return p.Weight * p.Score }

// Health is an account's health score, its parts, its alerts and its
// derived relationship model.
type Health struct {
	Account      Account
	Score        int // 0–100
	Band         Band
	Parts        []HealthPart
	Alerts       []Alert // most severe first
	Relationship Relationship
	Contacts     []Contact // the stakeholder map it was assessed on
	// New is true for an account within its first cadence period with no
	// data at all (no contact, stakeholder, opportunity, plan or survey):
	// its Score rests on nothing, so views say "new account, no data yet"
	// instead of a grade, and it sorts after the graded accounts.
	New bool
}

// Summary is h without what only the one-account view shows — the parts,
// the stakeholder map, the relationship's reason, pairings and lists —
// keeping the score, band, alerts and relationship model: what a portfolio
// view of thousands of accounts keeps of each while it gathers them all.
func (h Health) Summary() Health {
	h.Parts, h.Contacts = nil, nil
	h.Relationship = Relationship{Model: h.Relationship.Model, Since: h.Relationship.Since}
	return h
}

// NoDataYet is what views show instead of a grade for a New account.
const NoDataYet = "new account, no data yet"

// Critical counts the critical alerts.
func (h Health) Critical() int {
	n := 0
	for _, a := range h.Alerts {
		if a.Severity == SeverityCritical {
			n++
		}
	}
	return n
}

// AssessHealth computes the health of one account at now.
//
// Health is a weighted mean of five parts, each scored 0–1:
//
//	part          weight  score
//	recency       30      1 while the latest real contact (any kind but note) is within
//	                      one cadence period (weekly 7 d, monthly 30 d, quarterly 91 d);
//	                      falls linearly to 0 at two periods. With no contact ever, the
//	                      clock runs from the day the account was added.
//	coverage      25      0.6 × model (diamond 1, one-on-many 0.6, bow-tie 0.3, none 0)
//	                      + 0.4 × share of decision-makers with a mirror (0 when the
//	                      stakeholder map names no decision-maker).
//	pipeline      20      1 − share of open opportunities that are stalled (StallThresholds)
//	                      or past their close date; 0.5 with no open opportunity.
//	plan          15      0 without a plan; else 0.7 × review freshness (1 until the review
//	                      is due — one cadence period after the last review, or after the
//	                      plan was started — falling linearly to 0 one period later)
//	                      + 0.3 × share of tactics done or not yet due (0 without tactics).
//	satisfaction  10      (NPS + 100) / 200, only when survey answers exist; otherwise the
//	                      part is left out and the others are scaled to 100.
//
// Only the team counts: the relationship model and mirrors consider the
// people on the account's team now (Members, the KAM and the sponsor); the
// contacts of people removed from it are history, not coverage.
//
// Score = round(100 × Σ weight × score ÷ Σ weight), each part's score first
// rounded to two decimals so that the points shown add up. Bands: good ≥ 70,
// watch 40–69, at-risk < 40.
//
// Alerts raised, each with the fact behind it:
//
//	no-kam                  warning: nobody is the account's KAM (owner)
//	no-contact              warning past one cadence period without real contact, critical past two
//	single-threaded         warning: bow-tie model on a consultant or partner account
//	unmirrored-stakeholder  warning for a decision-maker without a mirror, info for another
//	                        stakeholder of influence 4–5; a mirror who is no longer on the
//	                        team (a member, the KAM or the sponsor) counts as none
//	opportunity-stalled     warning: open opportunity in its stage longer than StallThresholds
//	opportunity-overdue     warning: open opportunity after its close date; critical 30 days after
//	no-plan                 warning on consultant and partner accounts, info otherwise
//	plan-review-overdue     warning: the plan's next review date has passed
//	tactic-overdue          info: an open tactic after its due date
//	sponsor-no-touch        warning: an executive sponsor, assigned for a quarter or more,
//	                        has logged no contact in the last SponsorWindow (91 days)
//	survey-overdue          info: a survey is due by SurveyDue — a yearly survey 335 days after
//	                        the latest answer or, never surveyed, after the account was added
//	nps-falling             warning: NPS at least NPSFall (10) points below the previous round
//	detractor               warning: the latest answer, within SurveyInterval, is 0–6
func AssessHealth(in HealthInput, now time.Time) Health {
	return assess(in, now, false)
}

// AssessHealthSummary is AssessHealth(in, now).Summary() — the same score,
// band, alerts (worded alike) and relationship model — for views of many
// accounts: it leaves out the words only the one-account view shows (each
// part's detail, the relationship's reason and lists) instead of writing
// them and dropping them.
func AssessHealthSummary(in HealthInput, now time.Time) Health {
	return assess(in, now, true)
}

// assess is AssessHealth, or with summary AssessHealthSummary.
func assess(in HealthInput, now time.Time, summary bool) Health {
	a := in.Account
	x := &assessment{in: in, now: now, period: a.Cadence.Period(), summary: summary, h: Health{Account: a, Contacts: in.Contacts}}
	x.h.New = noData(in) && now.Sub(a.CreatedAt) <= x.period
	// Mirrors and contact of people no longer on the team are not coverage.
	x.in.Contacts, x.left = teamMirrors(in)
	x.in.Window = teamContact(in)
	x.h.Contacts = x.in.Contacts
	if summary {
		x.h.Relationship = relationshipModelOf(a, x.in.Contacts, x.in.Window, now)
	} else {
		x.h.Relationship = RelationshipOf(a, x.in.Contacts, x.in.Window, now)
	}
	if a.OwnerID == "" {
		x.note(AlertNoKAM, SeverityWarning, "", alertWords{form: factNoKAM, s: [4]string{a.Name}})
	}
	// Each part scores one side of the account and raises its alerts; the
	// order is the order of Parts.
	x.h.Parts = append(x.h.Parts, x.recency())
	x.h.Parts = append(x.h.Parts, x.coverage())
	x.h.Parts = append(x.h.Parts, x.pipeline())
	x.h.Parts = append(x.h.Parts, x.plan())
	// Satisfaction: the part exists only with answers; a survey due is
	// raised with or without them, by the rule the nudges use.
	s := in.Satisfaction
	if s == nil {
		s = &NPSSummary{}
	}
	if p, ok := x.satisfaction(s); ok {
		x.h.Parts = append(x.h.Parts, p)
	}
	// Executive sponsors, strategy and targets raise alerts only.
	x.sponsors()
	x.method()
	// The score is the weighted mean of the parts present.
	x.score()
	SortAlerts(x.h.Alerts)
	// Kept at their size, not at the capacity appending left: a portfolio
	// view holds thousands of accounts' alerts.
	if len(x.h.Alerts) == 0 {
		x.h.Alerts = nil
	} else {
		x.h.Alerts = slices.Clone(x.h.Alerts)
	}
	if summary {
		return x.h.Summary()
	}
	return x.h
}

// assessment is one AssessHealth call: its input and the Health it builds.
type assessment struct {
	in      HealthInput
	now     time.Time
	period  time.Duration    // the account's cadence period
	summary bool             // AssessHealthSummary: the parts' details are not worded
	left    map[int64]string // contact ID → mirror no longer on the team
	h       Health
}

// cadence words the account's cadence for alerts and details.
func (x *assessment) cadence() string {
	return fmt.Sprintf("%s cadence: every %d days", cadenceName(x.in.Account.Cadence), days(x.period))
}

// detail words a part's detail, unless only a summary is wanted, which
// drops the parts.
func (x *assessment) detail(format string, args ...any) string {
	if x.summary {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

// onTeam reports whether user is on the account's team now: a member, the
// KAM or the executive sponsor.
func onTeam(in HealthInput, user string) bool {
	if user == "" {
		return false
	}
	if user == in.Account.OwnerID || user == in.Account.SponsorID {
		return true
	}
	for _, m := range in.Members {
		if m.UserID == user {
			return true
		}
	}
	return false
}

// teamMirrors returns the contacts with mirrors who left the team cleared,
// and who those were by contact ID.
func teamMirrors(in HealthInput) ([]Contact, map[int64]string) {
	var left map[int64]string
	out := in.Contacts
	for i, c := range in.Contacts {
		if c.MirrorID == "" || onTeam(in, c.MirrorID) {
			continue
		}
		if left == nil {
			left = map[int64]string{}
			out = slices.Clone(in.Contacts)
		}
		left[c.ID] = c.MirrorID
		out[i].MirrorID = ""
	}
	return out, left
}

// teamContact keeps the window's contact of people on the team.
func teamContact(in HealthInput) []Touches {
	out := in.Window[:0:0]
	for _, t := range in.Window {
		if onTeam(in, t.UserID) {
			out = append(out, t)
		}
	}
	return out
}

// noData reports whether nothing at all is known of the account yet.
func noData(in HealthInput) bool {
	s := in.Satisfaction
	return in.LastContact.IsZero() && len(in.LastTouch) == 0 && len(in.Window) == 0 && len(in.Contacts) == 0 &&
		len(in.Opportunities) == 0 && in.Plan.Empty() && (s == nil || (s.Responses == 0 && s.Latest == nil))
}

// SurveyDue applies the survey rule shared by health's survey-overdue alert
// and the survey nudge: a survey is due one cadence (every) after the
// latest survey — or, with none, after the account was added — and
// SurveyLead earlier for a yearly or longer cadence, so that the answers
// are in before the annual plan update.
func SurveyDue(created, last time.Time, every time.Duration, now time.Time) (due time.Time, ok bool) {
	from := last
	if from.IsZero() {
		from = created
	}
	wait := every
	if every >= SurveyInterval {
		wait -= SurveyLead
	}
	due = from.Add(wait)
	return due, !now.Before(due)
}

// alert raises an alert on the account, worded now.
func (x *assessment) alert(kind AlertKind, sev Severity, subject, format string, args ...any) {
	a := x.in.Account
	x.h.Alerts = append(x.h.Alerts, Alert{Kind: kind, Severity: sev, AccountID: a.ID, AccountName: a.Name, Subject: subject, fact: fmt.Sprintf(format, args...)})
}

// note raises an alert on the account, its fact worded from w
// (alert_words.go, the one wording of each fact): at once in a full
// assessment, when the fact is read in a summary.
func (x *assessment) note(kind AlertKind, sev Severity, subject string, w alertWords) {
	a := x.in.Account
	al := Alert{Kind: kind, Severity: sev, AccountID: a.ID, AccountName: a.Name, Subject: subject}
	if x.summary {
		al.words = &w
	} else {
		al.fact = w.text()
	}
	x.h.Alerts = append(x.h.Alerts, al)
}

// cadenceWords are the name and days of the account's cadence, as
// cadence words them.
func (x *assessment) cadenceWords() (string, int) {
	return cadenceName(x.in.Account.Cadence), days(x.period)
}

// recency scores the latest real contact against the cadence.
func (x *assessment) recency() HealthPart {
	in, now, period := x.in, x.now, x.period
	last := in.LastContact
	for _, t := range in.LastTouch {
		if t.After(last) {
			last = t
		}
	}
	recency := HealthPart{Key: PartRecency, Label: "Contact recency", Weight: WeightRecency}
	if last.IsZero() {
		age := now.Sub(in.Account.CreatedAt)
		recency.Score = ramp(age, period)
		if !x.summary {
			recency.Detail = fmt.Sprintf("no contact logged since the account was added %s (%s)", ago(age), x.cadence())
		}
		if age > period {
			name, every := x.cadenceWords()
			x.note(AlertNoContact, severityPast(age, period), "", alertWords{form: factNoContactNew, s: [4]string{name}, n: [3]int{days(age), every}})
		}
	} else {
		age := now.Sub(last)
		recency.Score = ramp(age, period)
		if !x.summary {
			recency.Detail = fmt.Sprintf("last contact %s, %s (%s)", ago(age), shortDate(last, now), x.cadence())
		}
		if age > period {
			name, every := x.cadenceWords()
			x.note(AlertNoContact, severityPast(age, period), "", alertWords{form: factNoContactLast, s: [4]string{name}, n: [3]int{days(age), every}, t: last.In(now.Location())})
		}
	}
	return recency
}

// coverage scores the relationship model and the mirrored decision-makers.
func (x *assessment) coverage() HealthPart {
	a, rel := x.in.Account, x.h.Relationship
	var dms, mirrored int
	for _, c := range x.in.Contacts {
		if c.Role == ContactDecisionMaker {
			dms++
			if c.MirrorID != "" {
				mirrored++
			}
		}
		if c.Key() && c.MirrorID == "" {
			sev := SeverityInfo
			if c.Role == ContactDecisionMaker {
				sev = SeverityWarning
			}
			gone, left := x.left[c.ID]
			w := alertWords{form: factUnmirrored, s: [4]string{c.Name, c.Title, string(c.Role), gone}, n: [3]int{c.Influence}}
			if left {
				w.form = factUnmirroredLeft
			}
			x.note(AlertUnmirrored, sev, "contact:"+strconv.FormatInt(c.ID, 10), w)
		}
	}
	coverage := HealthPart{Key: PartCoverage, Label: "Coverage", Weight: WeightCoverage}
	coverage.Score = 0.6 * ModelCoverage[rel.Model]
	if dms > 0 {
		coverage.Score += 0.4 * float64(mirrored) / float64(dms)
		coverage.Detail = x.detail("%s; %d of %d decision-makers mirrored", rel.Model, mirrored, dms)
	} else {
		coverage.Detail = x.detail("%s; no decision-maker on the stakeholder map", rel.Model)
	}
	if rel.Model == ModelBowTie && a.Tier.High() {
		reason := rel.Reason
		if x.summary {
			// The summary's relationship has no words; the alert needs them.
			reason = RelationshipOf(a, x.in.Contacts, x.in.Window, x.now).Reason
		}
		x.alert(AlertSingleThreaded, SeverityWarning, "", "single-threaded on a %s account: %s", a.Tier, reason)
	}
	return coverage
}

// pipeline scores the share of open opportunities neither stalled nor
// past their close date.
func (x *assessment) pipeline() HealthPart {
	now := x.now
	pipeline := HealthPart{Key: PartPipeline, Label: "Pipeline momentum", Weight: WeightPipeline}
	var open, stalled, overdue, troubled int
	for _, o := range x.in.Opportunities {
		if !o.Stage.Open() {
			continue
		}
		open++
		s, p := o.Stalled(now), o.PastClose(now)
		if s {
			stalled++
			x.note(AlertStalled, SeverityWarning, "opportunity:"+strconv.FormatInt(o.ID, 10),
				alertWords{form: factStalled, s: [4]string{o.Name, string(o.Stage)}, n: [3]int{days(now.Sub(o.StageSince)), days(o.Stage.StallAfter())}})
		}
		if p {
			overdue++
			late := now.Sub(o.CloseDate)
			sev := SeverityWarning
			if late > 30*day {
				sev = SeverityCritical
			}
			x.note(AlertPastClose, sev, "opportunity:"+strconv.FormatInt(o.ID, 10),
				alertWords{form: factPastClose, s: [4]string{o.Name, string(o.Stage)}, n: [3]int{days(late)}, t: o.CloseDate})
		}
		if s || p {
			troubled++
		}
	}
	if open == 0 {
		pipeline.Score = 0.5
		pipeline.Detail = "no open opportunity"
	} else {
		pipeline.Score = 1 - float64(troubled)/float64(open)
		pipeline.Detail = x.detail("%d open, %d stalled, %d past close date", open, stalled, overdue)
	}
	return pipeline
}

// plan scores the plan's review freshness and its tactics on track.
func (x *assessment) plan() HealthPart {
	a, in, now, period := x.in.Account, x.in, x.now, x.period
	plan := HealthPart{Key: PartPlan, Label: "Plan freshness", Weight: WeightPlan}
	if in.Plan.Empty() {
		plan.Detail = "no account plan"
		sev := SeverityInfo
		if a.Tier.High() {
			sev = SeverityWarning
		}
		x.note(AlertNoPlan, sev, "", alertWords{form: factNoPlan, s: [4]string{string(a.Tier)}})
		return plan
	}
	due := in.Plan.NextReview(a.Cadence)
	fresh := ramp(now.Sub(due)+period, period)
	var onTrack int
	for _, t := range in.Plan.Tactics {
		if t.Overdue(now) {
			x.note(AlertTacticOverdue, SeverityInfo, "tactic:"+strconv.Itoa(t.Number),
				alertWords{form: factTactic, s: [4]string{t.Text, t.OwnerID}, n: [3]int{t.Number}, t: t.Due})
		} else {
			onTrack++
		}
	}
	plan.Score = 0.7 * fresh
	if n := len(in.Plan.Tactics); n > 0 {
		plan.Score += 0.3 * float64(onTrack) / float64(n)
	}
	reviewed := "never reviewed"
	if r := in.Plan.LastReview; r != nil {
		reviewed = "reviewed " + ago(now.Sub(r.At))
	}
	if !x.summary {
		plan.Detail = fmt.Sprintf("%s, next review due %s; %d of %d tactics on track", reviewed, due.Format(time.DateOnly), onTrack, len(in.Plan.Tactics))
	}
	if now.After(due) {
		w := alertWords{form: factPlanReview, t: due}
		if r := in.Plan.LastReview; r != nil {
			w.n[0], w.n[1] = days(now.Sub(r.At)), 1
		}
		w.s[0], w.n[2] = x.cadenceWords()
		x.note(AlertPlanReview, SeverityWarning, "", w)
	}
	return plan
}

// satisfaction scores the NPS, when there are answers (ok false without),
// and raises the survey alerts.
func (x *assessment) satisfaction(s *NPSSummary) (part HealthPart, ok bool) {
	a, now := x.in.Account, x.now
	if s.Responses > 0 {
		part = HealthPart{Key: PartSatisfaction, Label: "Satisfaction", Weight: WeightSatisfaction,
			Score: (math.Max(-100, math.Min(100, s.NPS)) + 100) / 200}
		if !x.summary {
			part.Detail = "NPS " + npsText(s.NPS) + " from " + answersText(s.Responses)
		}
		ok = true
	}
	var last time.Time
	if s.Latest != nil {
		last = s.Latest.At
	}
	if _, due := SurveyDue(a.CreatedAt, last, x.surveyEvery(), now); due {
		if last.IsZero() {
			x.note(AlertSurveyOverdue, SeverityInfo, "", alertWords{form: factSurveyNever, n: [3]int{days(now.Sub(a.CreatedAt))}})
		} else {
			x.note(AlertSurveyOverdue, SeverityInfo, "", alertWords{form: factSurveyLast, n: [3]int{days(now.Sub(last))}, t: last})
		}
	}
	if s.PreviousNPS != nil && s.Responses > 0 && *s.PreviousNPS-s.NPS >= NPSFall {
		x.note(AlertNPSFalling, SeverityWarning, "", alertWords{form: factNPSFalling, n: [3]int{npsInt(*s.PreviousNPS), npsInt(s.NPS)}})
	}
	if l := s.Latest; l != nil && Detractor(l.Score) && now.Sub(l.At) <= SurveyInterval {
		who := "latest answer"
		if l.Contact != "" {
			who = l.Contact
		}
		x.note(AlertDetractor, SeverityWarning, "", alertWords{form: factDetractor, s: [4]string{who, l.Comment}, n: [3]int{l.Score}, t: l.At})
	}
	return part, ok
}

// sponsors alerts on executive sponsors, assigned for SponsorWindow or
// longer, with no logged contact within it.
func (x *assessment) sponsors() {
	a, in, now := x.in.Account, x.in, x.now
	sponsors := map[string]time.Time{} // sponsor → assigned since
	if a.SponsorID != "" {
		sponsors[a.SponsorID] = a.CreatedAt
	}
	for _, m := range in.Members {
		if m.Role == RoleSponsor {
			if since, ok := sponsors[m.UserID]; !ok || (!m.AddedAt.IsZero() && m.AddedAt.Before(since)) {
				sponsors[m.UserID] = m.AddedAt
			}
		}
	}
	for _, id := range sortedKeys(sponsors) {
		if now.Sub(sponsors[id]) < SponsorWindow {
			continue
		}
		t := in.LastTouch[id]
		switch {
		case t.IsZero():
			x.note(AlertSponsor, SeverityWarning, "user:"+id, alertWords{form: factSponsorNever, s: [4]string{id, a.Name}})
		case now.Sub(t) > SponsorWindow:
			x.note(AlertSponsor, SeverityWarning, "user:"+id, alertWords{form: factSponsorLast, s: [4]string{id, a.Name}, n: [3]int{days(now.Sub(t))}, t: t.In(now.Location())})
		}
	}
}

// score rounds each part to two decimals, so that the points shown add up,
// and sets the weighted mean and its band.
func (x *assessment) score() {
	h := &x.h
	var sum, weight float64
	for i := range h.Parts {
		h.Parts[i].Score = math.Round(h.Parts[i].Score*100) / 100
		sum += h.Parts[i].Points()
		weight += h.Parts[i].Weight
	}
	h.Score = int(math.Round(100 * sum / weight))
	h.Band = BandOf(h.Score)
}

// alertRank orders alert kinds as AlertKinds lists them.
var alertRank = func() map[AlertKind]int {
	m := make(map[AlertKind]int, len(AlertKinds))
	for i, k := range AlertKinds {
		m[k] = i
	}
	return m
}()

// SortAlerts orders alerts most severe first, then by account name, then by
// kind in AlertKinds order, then by subject.
func SortAlerts(as []Alert) {
	slices.SortStableFunc(as, func(x, y Alert) int {
		if c := cmp.Compare(y.Severity, x.Severity); c != 0 {
			return c
		}
		if x.AccountName != y.AccountName {
			if c := compareFold(x.AccountName, y.AccountName); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(alertRank[x.Kind], alertRank[y.Kind]); c != 0 {
			return c
		}
		return cmp.Compare(x.Subject, y.Subject)
	})
}

// SortWorstFirst orders a portfolio's health: lowest score first, then most
// critical alerts, then most alerts, then by name; new accounts without
// data come last, their score resting on nothing (CompareWorstFirst).
func SortWorstFirst(hs []Health) {
	// Sorted by position, each account's rank taken once: a Health is
	// large, and moving it at every step of a stable sort of a whole
	// workspace cost more than the comparisons.
	type key struct {
		i    int
		rank HealthRank
	}
	keys := make([]key, len(hs))
	for i := range hs {
		keys[i] = key{i, hs[i].Rank()}
	}
	slices.SortStableFunc(keys, func(a, b key) int { return CompareWorstFirst(&a.rank, &b.rank) })
	sorted := make([]Health, len(hs))
	for j, k := range keys {
		sorted[j] = hs[k.i]
	}
	copy(hs, sorted)
}

// HealthRank is what SortWorstFirst orders an account's health by; a view
// that keeps less of each Health than its alerts can keep this instead.
type HealthRank struct {
	New      bool
	Score    int
	Critical int    // critical alerts
	Alerts   int    // every alert
	Name     string // the account's
}

// Rank is what SortWorstFirst orders h by.
func (h *Health) Rank() HealthRank {
	return HealthRank{New: h.New, Score: h.Score, Critical: h.Critical(), Alerts: len(h.Alerts), Name: h.Account.Name}
}

// CompareWorstFirst is SortWorstFirst's order: new accounts last, then
// lowest score first, then most critical alerts, then most alerts, then
// by name regardless of case.
func CompareWorstFirst(x, y *HealthRank) int {
	switch {
	case x.New != y.New:
		if y.New {
			return -1
		}
		return 1
	case x.Score != y.Score:
		return cmp.Compare(x.Score, y.Score)
	case x.Critical != y.Critical:
		return cmp.Compare(y.Critical, x.Critical)
	case x.Alerts != y.Alerts:
		return cmp.Compare(y.Alerts, x.Alerts)
	}
	return compareFold(x.Name, y.Name)
}

// ramp is 1 up to one period, falling linearly to 0 at two periods.
func ramp(age, period time.Duration) float64 {
	if age <= period {
		return 1
	}
	return math.Max(0, 1-float64(age-period)/float64(period))
}

func severityPast(age, period time.Duration) Severity {
	if age > 2*period {
		return SeverityCritical
	}
	return SeverityWarning
}

func cadenceName(c Cadence) string {
	if c == "" {
		return string(CadenceMonthly)
	}
	return string(c)
}

func days(d time.Duration) int { return int(d / day) }

// span says a duration in days: "1 day", "12 days".
func span(d time.Duration) string {
	if n := days(d); n != 1 {
		return fmt.Sprintf("%d days", n)
	}
	return "1 day"
}

// ago says how long ago: "today", "yesterday", "12 days ago".
func ago(d time.Duration) string {
	switch n := days(d); {
	case n <= 0:
		return "today"
	case n == 1:
		return "yesterday"
	default:
		return fmt.Sprintf("%d days ago", n)
	}
}

// npsText and answersText say an NPS the way package format does (a whole
// number, rounded half away from zero; "1 answer"), for the reasons and
// alerts kam words itself: format imports kam, so kam cannot call it.
func npsText(v float64) string {
	return strconv.Itoa(npsInt(v))
}

// npsInt is the whole number npsText words.
func npsInt(v float64) int { return int(math.Round(math.Max(-100, math.Min(100, v)))) }

func answersText(n int) string {
	if n == 1 {
		return "1 answer"
	}
	return strconv.Itoa(n) + " answers"
}
