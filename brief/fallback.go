package brief

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Fallback is the deterministic brief: the same facts a model would get,
// laid out in the same sections by a template, and marked as not drafted by
// a model. It needs no network and is fast enough for any account.
func Fallback(f Facts) Result {
	return fallback(&f, KindBrief, ReasonDisabled, time.Now)
}

// fallback renders the template of kind k; reason says why no model was used.
func fallback(f *Facts, k Kind, reason string, clock func() time.Time) Result {
	now := f.asOf(clock)
	v := newView(f, now)
	r := Result{Kind: k, Title: title(k, f.Account.Name), FallbackReason: reason}
	switch k {
	case KindSummary:
		r.Sections = []Section{{SectionSummary, v.summary()}}
	case KindReview:
		r.Sections = []Section{
			{SectionProgress, v.progress()},
			{SectionBehind, v.behind()},
			{SectionRelationships, v.relationships()},
			{SectionNextSteps, v.nextSteps()},
		}
	default:
		r.Sections = []Section{
			{SectionStanding, v.standing()},
			{SectionWho, v.who()},
			{SectionInFlight, v.inFlight()},
			{SectionRisks, v.risks()},
			{SectionSay, v.say()},
		}
	}
	r.Period = v.period()
	r.Note = sourceNote(k, r.Period, v.covered(r.Period), v.total, "", reason)
	r.Text = compose(&r)
	return r
}

// view is what the templates draw on, computed in one pass over the facts.
type view struct {
	f      *Facts
	now    time.Time
	loc    *time.Location
	cur    format.Currency
	total  int                // the account's interactions
	recent int                // of them, in the last 90 days
	touch  *kam.Interaction   // latest real customer contact
	latest []*kam.Interaction // newest first, at most latestShown
	people []Stakeholder      // ranked
	names  map[int64]string
	opps   []kam.Opportunity // open, largest first
	tasks  []Tactic          // pending, by due date
}

const (
	latestShown = 2 // interactions quoted under "Where we stand"
	whoShown    = 5
	oppsShown   = 5
	planShown   = 3
	risksShown  = 8
)

func newView(f *Facts, now time.Time) *view {
	v := &view{f: f, now: now, loc: now.Location(), cur: f.Currency, names: map[int64]string{}}
	newest := newTopK(latestShown)
	since := now.Add(-recentWindow)
	for i := range f.Interactions {
		in := &f.Interactions[i]
		if !f.ownsInteraction(*in) {
			continue
		}
		v.total++
		if in.At.After(since) {
			v.recent++
		}
		if in.Kind.Touches() && !in.At.After(now) && (v.touch == nil || in.At.After(v.touch.At)) {
			v.touch = in
		}
		newest.push(-float64(in.At.Unix()), i)
	}
	for _, c := range newest.sorted() {
		v.latest = append(v.latest, &f.Interactions[c.index])
	}
	v.people = f.rankedStakeholders()
	for _, s := range f.Stakeholders {
		if s.ID != 0 {
			v.names[s.ID] = s.Name
		}
	}
	v.opps = f.openOpportunities()
	v.tasks = f.pendingTactics()
	return v
}

// period covers the last 90 days, stretched back to any interaction quoted.
func (v *view) period() Period {
	if v.total == 0 {
		return Period{From: v.now, To: v.now}
	}
	from := v.now.Add(-recentWindow)
	for _, in := range v.latest {
		if in.At.Before(from) {
			from = in.At
		}
	}
	if v.touch != nil && v.touch.At.Before(from) {
		from = v.touch.At
	}
	return Period{From: from, To: v.now}
}

// covered counts the interactions within the period.
func (v *view) covered(p Period) int {
	if !p.From.Before(v.now.Add(-recentWindow)) {
		return v.recent
	}
	n := 0
	for i := range v.f.Interactions {
		in := &v.f.Interactions[i]
		if v.f.ownsInteraction(*in) && !in.At.Before(p.From) {
			n++
		}
	}
	return n
}

func (v *view) date(t time.Time) string { return day(t, v.loc) }

// day writes a close or due date, which has no zone.
func (v *view) day(t time.Time) string { return calendarDay(t) }

func bullets(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("• ")
		b.WriteString(l)
	}
	return b.String()
}

// --- the brief ---

// standing is the brief's first section: where the account stands, one
// bullet per topic.
func (v *view) standing() string {
	var lines []string
	// Each topic gives its line, or "" when it has nothing to say.
	for _, l := range []string{v.positionLine(), v.healthLine(), v.figuresLine(), v.relationshipLine()} {
		if l != "" {
			lines = append(lines, l)
		}
	}
	lines = append(lines, v.contactLines()...)
	for _, l := range []string{v.npsLine(), v.teamLine()} {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return bullets(lines)
}

// positionLine is the account's tier, relationship level and quadrant.
func (v *view) positionLine() string {
	f, a := v.f, &v.f.Account
	var pos []string
	if t := tierText(a.Tier); t != "" {
		pos = append(pos, t)
	}
	if a.Level != "" {
		pos = append(pos, format.Mrkdwn(inline(string(a.Level), 20))+" relationship")
	}
	if q := inline(f.Quadrant, 40); q != "" {
		pos = append(pos, format.Mrkdwn(q)+" quadrant")
	}
	return strings.Join(pos, " · ")
}

// healthLine is the health score and its number of alerts.
func (v *view) healthLine() string {
	h := v.f.Health
	if !h.Scored {
		return "Health not scored yet"
	}
	return "Health " + format.Health(h.Score) + " · " + format.Alerts(len(h.Alerts))
}

// figuresLine is the revenue, share of wallet, segment and region.
func (v *view) figuresLine() string {
	a := &v.f.Account
	var figures []string
	if a.Revenue > 0 {
		figures = append(figures, "Revenue with us "+v.cur.Money(a.Revenue))
	}
	if v.f.Target > 0 {
		t := fmt.Sprintf("%d target %s", v.f.TargetYear, v.cur.Money(v.f.Target))
		if a.Revenue > 0 {
			t += " (" + format.Percent(format.Round(100*float64(a.Revenue)/float64(v.f.Target), 0)) + ")"
		}
		figures = append(figures, t)
	}
	if a.WalletPct > 0 {
		figures = append(figures, "share of wallet "+format.Percent(a.WalletPct))
	}
	if seg := strings.Trim(show(a.Segment, maxTitle)+", "+show(a.Region, maxTitle), ", "); seg != "" {
		figures = append(figures, seg)
	}
	if len(figures) == 0 {
		return ""
	}
	return capital(strings.Join(figures, " · "))
}

// relationshipLine is the relationship model and why.
func (v *view) relationshipLine() string {
	m := show(v.f.Relationship.Model, 40)
	if m == "" {
		return ""
	}
	l := "Relationship model: " + m
	if why := show(v.f.Relationship.Reason, maxAlert); why != "" {
		l += " — " + why
	}
	return l
}

// contactLines are the last customer contact, the activity of the last 90
// days and the latest interactions.
func (v *view) contactLines() []string {
	var lines []string
	switch {
	case v.touch != nil:
		lines = append(lines, fmt.Sprintf("Last customer contact %s (%s, %s) · %d %s in the last 90 days",
			v.date(v.touch.At), ago(v.touch.At, v.now), v.touch.Kind, v.recent, plural(v.recent, "interaction", "interactions")))
	case v.total > 0:
		lines = append(lines, fmt.Sprintf("No customer contact logged, only internal notes · %d in the last 90 days", v.recent))
	default:
		lines = append(lines, "No interactions logged yet")
	}
	for _, in := range v.latest {
		lines = append(lines, "Latest: "+v.interaction(in))
	}
	return lines
}

// npsLine is the NPS and its trend, when there are responses.
func (v *view) npsLine() string {
	nps := v.f.NPS
	if nps.Responses == 0 {
		return ""
	}
	l := "NPS " + format.NPS(float64(nps.Score)) + " " + format.Answers(nps.Responses)
	if nps.Trend != 0 {
		l += " (" + format.Delta(nps.Trend) + ")"
	}
	return l
}

// teamLine names the KAM and the executive sponsor.
func (v *view) teamLine() string {
	a := &v.f.Account
	var team []string
	if a.OwnerID != "" {
		team = append(team, "KAM "+user(a.OwnerID))
	}
	if a.SponsorID != "" {
		team = append(team, "sponsor "+user(a.SponsorID))
	}
	return strings.Join(team, " · ")
}

// interaction renders one interaction on a line: date, kind, who, with whom, what.
func (v *view) interaction(in *kam.Interaction) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", v.date(in.At), format.Mrkdwn(inline(string(in.Kind), 20)))
	if in.UserID != "" {
		b.WriteString(" by " + user(in.UserID))
	}
	var with []string
	for _, id := range in.Contacts {
		if n, ok := v.names[id]; ok && len(with) < maxWithNames {
			with = append(with, show(n, maxName))
		}
	}
	if len(with) > 0 {
		b.WriteString(" with " + strings.Join(with, ", "))
	}
	if s := show(in.Summary, 200); s != "" {
		b.WriteString(": " + s)
	}
	return b.String()
}

func (v *view) who() string {
	if len(v.people) == 0 {
		return fmt.Sprintf("No stakeholders mapped yet: add them with `/kam contact %s add \"Name\" role=decision-maker influence=5`.", slugOf(&v.f.Account))
	}
	var lines []string
	for i, s := range v.people {
		if i == whoShown {
			break
		}
		lines = append(lines, v.person(s))
	}
	out := bullets(lines)
	if more := len(v.people) - whoShown; more > 0 {
		out += fmt.Sprintf("\n_…and %d more %s._", more, plural(more, "stakeholder", "stakeholders"))
	}
	return out
}

// person renders one stakeholder on a line.
func (v *view) person(s Stakeholder) string {
	var b strings.Builder
	b.WriteString("*" + show(s.Name, maxName) + "*")
	if t := show(s.Title, maxTitle); t != "" {
		b.WriteString(", " + t)
	}
	var facts []string
	if s.Role != "" {
		facts = append(facts, format.Mrkdwn(inline(string(s.Role), 20)))
	}
	if s.Influence > 0 {
		facts = append(facts, fmt.Sprintf("influence %d/5", s.Influence))
	}
	facts = append(facts, stanceWord(s.Stance))
	b.WriteString(" — " + strings.Join(facts, ", "))
	if s.MirrorID != "" {
		b.WriteString(" · mirror " + user(s.MirrorID))
	} else {
		b.WriteString(" · no mirror")
	}
	if s.LastContact.IsZero() {
		b.WriteString(" · no contact logged")
	} else {
		b.WriteString(" · last contact " + ago(s.LastContact, v.now))
	}
	if a := show(s.Agenda, maxPlanText); a != "" {
		b.WriteString(" · wants " + a)
	}
	if p := show(s.Personal, maxPlanText); p != "" {
		b.WriteString(" · for themselves " + p)
	}
	if m := show(s.MeasuredBy, maxPlanText); m != "" {
		b.WriteString(" · measured by " + m)
	}
	return b.String()
}

func (v *view) inFlight() string {
	var lines []string
	for i, o := range v.opps {
		if i == oppsShown {
			break
		}
		lines = append(lines, v.opportunity(o))
	}
	objectives := 0
	for _, o := range v.f.Objectives {
		if objectives == planShown {
			break
		}
		if s := show(o, maxPlanText); s != "" {
			lines = append(lines, "Objective: "+s)
			objectives++
		}
	}
	lines = append(lines, v.charterLines()...)
	tactics := 0
	for _, t := range v.tasks {
		if tactics == planShown {
			break
		}
		if !t.Due.IsZero() && t.Due.Sub(v.now) > tacticHorizon {
			continue
		}
		lines = append(lines, v.tactic(t))
		tactics++
	}
	if len(lines) == 0 {
		return "Nothing in flight: no open opportunities and no plan items due."
	}
	out := bullets(lines)
	if more := len(v.opps) - oppsShown; more > 0 {
		var sum int64
		for _, o := range v.opps[oppsShown:] {
			sum += o.Value
		}
		out += fmt.Sprintf("\n_…and %d more open %s worth %s._", more, plural(more, "opportunity", "opportunities"), v.cur.Money(sum))
	}
	return out
}

func (v *view) opportunity(o kam.Opportunity) string {
	var b strings.Builder
	b.WriteString("*" + show(o.Name, maxName) + "* — " + format.Mrkdwn(inline(string(o.Stage), 20)))
	if o.Value > 0 {
		b.WriteString(" · " + v.cur.Money(o.Value))
	}
	if !o.CloseDate.IsZero() {
		if o.CloseDate.Before(v.now) {
			b.WriteString(" · close date passed " + v.day(o.CloseDate))
		} else {
			b.WriteString(" · closes " + v.day(o.CloseDate))
		}
	}
	if !o.StageSince.IsZero() {
		d := days(o.StageSince, v.now)
		b.WriteString(fmt.Sprintf(" · %d %s in stage", d, plural(d, "day", "days")))
	}
	if o.OwnerID != "" {
		b.WriteString(" · " + user(o.OwnerID))
	}
	return b.String()
}

func (v *view) tactic(t Tactic) string {
	var meta []string
	if q := show(t.Quarter, 8); q != "" {
		meta = append(meta, q)
	}
	if t.OwnerID != "" {
		meta = append(meta, user(t.OwnerID))
	}
	if !t.Due.IsZero() {
		meta = append(meta, "due "+v.day(t.Due))
	}
	l := "Tactic"
	if len(meta) > 0 {
		l += " (" + strings.Join(meta, ", ") + ")"
	}
	l += ": " + show(t.Text, maxPlanText)
	if !t.Due.IsZero() && t.Due.Before(v.now) {
		l += " — *overdue*"
	}
	return l
}

// derivedRisks are the risks the facts show beyond the health alerts; a risk
// about a record an alert already names is left out.
func (v *view) derivedRisks() []string {
	alerts := strings.ToLower(strings.Join(v.f.Health.Alerts, "\n"))
	named := func(name string) bool {
		n := strings.ToLower(strings.TrimSpace(name))
		return n != "" && strings.Contains(alerts, n)
	}
	var out []string
	for _, o := range v.opps {
		if named(o.Name) {
			continue
		}
		switch {
		case !o.CloseDate.IsZero() && o.CloseDate.Before(v.now):
			out = append(out, fmt.Sprintf("*%s* is past its close date (%s).", show(o.Name, maxName), v.day(o.CloseDate)))
		case !o.StageSince.IsZero() && v.now.Sub(o.StageSince) > stallAfter:
			out = append(out, fmt.Sprintf("*%s* has been %s for %d days.", show(o.Name, maxName), format.Mrkdwn(inline(string(o.Stage), 20)), days(o.StageSince, v.now)))
		}
	}
	for _, s := range v.people {
		if named(s.Name) {
			continue
		}
		key := s.Role == kam.ContactDecisionMaker || s.Influence >= 4
		switch {
		case s.Stance < 0 && (s.Influence >= 3 || s.Role == kam.ContactDecisionMaker || s.Role == kam.ContactBlocker):
			out = append(out, fmt.Sprintf("*%s* is %s (stance %d) with influence %d/5.", show(s.Name, maxName), stanceWord(s.Stance), s.Stance, s.Influence))
		case s.Role == kam.ContactDecisionMaker && s.MirrorID == "":
			out = append(out, fmt.Sprintf("*%s*, a decision-maker, has no mirror on our team.", show(s.Name, maxName)))
		case key && (s.LastContact.IsZero() || v.now.Sub(s.LastContact) > recentWindow):
			if s.LastContact.IsZero() {
				out = append(out, fmt.Sprintf("No contact logged with *%s*.", show(s.Name, maxName)))
			} else {
				out = append(out, fmt.Sprintf("No contact with *%s* for %d days.", show(s.Name, maxName), days(s.LastContact, v.now)))
			}
		}
	}
	overdue := 0
	for _, t := range v.tasks {
		if !t.Due.IsZero() && t.Due.Before(v.now) {
			overdue++
		}
	}
	if overdue > 0 {
		out = append(out, fmt.Sprintf("%d plan %s overdue.", overdue, plural(overdue, "tactic is", "tactics are")))
	}
	if v.f.NPS.Responses > 0 && v.f.NPS.Trend < 0 {
		out = append(out, fmt.Sprintf("NPS fell %d points.", -v.f.NPS.Trend))
	}
	if c := v.detractor(); c != nil {
		out = append(out, fmt.Sprintf("A detractor (%d/10) said: “%s”", c.Score, show(c.Text, 160)))
	}
	return out
}

// detractor is the latest survey comment with a score of 6 or less.
func (v *view) detractor() *NPSComment {
	for _, c := range latestComments(v.f.NPS.Comments, maxComments) {
		if c.Score <= 6 {
			return &c
		}
	}
	return nil
}

func (v *view) risks() string {
	var lines []string
	for _, al := range v.f.Health.Alerts {
		if len(lines) == risksShown {
			break
		}
		if s := show(al, maxAlert); s != "" {
			lines = append(lines, s)
		}
	}
	for _, r := range v.derivedRisks() {
		if len(lines) == risksShown {
			break
		}
		lines = append(lines, r)
	}
	if len(lines) == 0 {
		return "• No alerts raised and nothing overdue."
	}
	return bullets(lines)
}

// say picks three things a sponsor can say to the customer's executive,
// from the facts: the survey, the largest deal, a quiet decision-maker, the
// relationship level, an advocate.
func (v *view) say() string {
	var cands []string
	if c := v.detractor(); c != nil || (v.f.NPS.Responses > 0 && v.f.NPS.Trend < 0) {
		cands = append(cands, "Thank you for the candid feedback in our last survey: here is what we have changed since, and what comes next.")
	}
	if len(v.opps) > 0 {
		o := v.opps[0]
		if !o.CloseDate.IsZero() && o.CloseDate.After(v.now) {
			cands = append(cands, fmt.Sprintf("We are committed to making *%s* a success: what would you need from us to decide by %s?", show(o.Name, maxName), v.day(o.CloseDate)))
		} else {
			cands = append(cands, fmt.Sprintf("We are committed to making *%s* a success: what would you need from us to move it forward?", show(o.Name, maxName)))
		}
	}
	for _, s := range v.people {
		if s.Role == kam.ContactDecisionMaker && (s.LastContact.IsZero() || v.now.Sub(s.LastContact) > recentWindow) {
			cands = append(cands, fmt.Sprintf("I would value time with %s in the coming weeks: could you help set that up?", show(s.Name, maxName)))
			break
		}
	}
	switch v.f.Account.Level {
	case kam.LevelCommodity:
		cands = append(cands, "Beyond price and delivery, where could we make a bigger difference to your business?")
	case kam.LevelProduct:
		cands = append(cands, "Which of your business goals could we support beyond the products you buy today?")
	case kam.LevelValueAdd:
		cands = append(cands, "Where could we work together on your plans for the next three to five years?")
	case kam.LevelPartner:
		cands = append(cands, "How should we shape our joint plan for next year, and who on your side should lead it with us?")
	}
	for _, s := range v.people {
		if s.Stance >= 2 {
			cands = append(cands, fmt.Sprintf("Please pass our thanks to %s: their support makes a real difference to our work together.", show(s.Name, maxName)))
			break
		}
	}
	cands = append(cands,
		"Thank you for the partnership: what is your top priority this year, and how can we help with it?",
		"How do you see our work together today, and what should we do more of?",
		"Who else on your side should we be working with more closely?")
	var b strings.Builder
	for i, c := range cands[:3] {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%d. %s", i+1, c)
	}
	return b.String()
}

// --- the digest summary ---

func (v *view) summary() string {
	f, a := v.f, &v.f.Account
	// The digest shows the account's name before the summary: start with
	// what it is, not its name again.
	var pos []string
	for _, p := range []string{string(a.Tier), string(a.Level)} {
		if p != "" {
			pos = append(pos, format.Mrkdwn(inline(p, 20)))
		}
	}
	s1 := "The account"
	if len(pos) > 0 {
		s1 = capital(strings.Join(pos, ", ")) + " account"
	}
	n := len(f.Health.Alerts)
	if f.Health.Scored {
		s1 += " at health " + format.Health(f.Health.Score)
	} else {
		s1 += ", not yet scored,"
	}
	switch n {
	case 0:
		s1 += " with no alerts."
	default:
		s1 += fmt.Sprintf(" with %s, first: %s.", format.Alerts(n), strings.TrimRight(show(f.Health.Alerts[0], 160), ".!? "))
	}
	contact := "none logged"
	if v.touch != nil {
		contact = v.date(v.touch.At)
	}
	var s2 string
	if len(v.opps) > 0 {
		o := v.opps[0]
		s2 = fmt.Sprintf("Largest open deal: %s at %s", show(o.Name, maxName), format.Mrkdwn(inline(string(o.Stage), 20)))
		if o.Value > 0 {
			s2 += ", " + v.cur.Money(o.Value)
		}
		s2 += "; last customer contact " + contact + "."
	} else {
		s2 = "No open deals; last customer contact " + contact + "."
	}
	return s1 + " " + s2
}

// --- the plan review note ---

func (v *view) progress() string {
	var lines []string
	if n := len(v.f.Tactics); n > 0 {
		done := n - len(v.tasks)
		lines = append(lines, fmt.Sprintf("Tactics: %d of %d done.", done, n))
	}
	var objs []string
	for _, o := range v.f.Objectives {
		if s := show(o, maxPlanText); s != "" && len(objs) < maxObjectives {
			objs = append(objs, s)
		}
	}
	if len(objs) > 0 {
		lines = append(lines, "Objectives: "+strings.Join(objs, "; ")+".")
	} else {
		lines = append(lines, fmt.Sprintf("No objectives recorded: add them with `/kam plan %s objective \"…\"`.", slugOf(&v.f.Account)))
	}
	if len(v.opps) > 0 {
		var sum, weighted float64
		for _, o := range v.opps {
			sum += float64(o.Value)
			weighted += float64(o.Value) * o.Stage.Probability()
		}
		lines = append(lines, fmt.Sprintf("Pipeline: %d open %s worth %s, weighted %s.", len(v.opps), plural(len(v.opps), "opportunity", "opportunities"), v.cur.Money(int64(math.Round(sum))), v.cur.Money(int64(math.Round(weighted)))))
	} else {
		lines = append(lines, "Pipeline: no open opportunities.")
	}
	act := fmt.Sprintf("Activity: %d %s in the last 90 days", v.recent, plural(v.recent, "interaction", "interactions"))
	if v.touch != nil {
		act += "; last customer contact " + v.date(v.touch.At)
	}
	lines = append(lines, act+".")
	if v.f.NPS.Responses > 0 {
		l := "NPS " + format.NPS(float64(v.f.NPS.Score)) + " " + format.Answers(v.f.NPS.Responses)
		if v.f.NPS.Trend != 0 {
			l += " (" + format.Delta(v.f.NPS.Trend) + ")"
		}
		lines = append(lines, l+".")
	}
	return bullets(lines)
}

func (v *view) behind() string {
	var lines []string
	for _, t := range v.tasks {
		if len(lines) == 5 {
			break
		}
		if !t.Due.IsZero() && t.Due.Before(v.now) {
			l := "Overdue since " + v.day(t.Due) + ": " + show(t.Text, maxPlanText)
			if t.OwnerID != "" {
				l += " (" + user(t.OwnerID) + ")"
			}
			lines = append(lines, l)
		}
	}
	for _, o := range v.opps {
		if len(lines) == risksShown {
			break
		}
		switch {
		case !o.CloseDate.IsZero() && o.CloseDate.Before(v.now):
			lines = append(lines, fmt.Sprintf("*%s* is past its close date (%s).", show(o.Name, maxName), v.day(o.CloseDate)))
		case !o.StageSince.IsZero() && v.now.Sub(o.StageSince) > stallAfter:
			lines = append(lines, fmt.Sprintf("*%s* has been %s for %d days.", show(o.Name, maxName), format.Mrkdwn(inline(string(o.Stage), 20)), days(o.StageSince, v.now)))
		}
	}
	for _, al := range v.f.Health.Alerts {
		if len(lines) == risksShown {
			break
		}
		if s := show(al, maxAlert); s != "" {
			lines = append(lines, s)
		}
	}
	if len(lines) == 0 {
		return "• Nothing overdue and no alerts."
	}
	return bullets(lines)
}

func (v *view) relationships() string {
	var lines []string
	if m := show(v.f.Relationship.Model, 40); m != "" {
		l := "Model: " + m
		if why := show(v.f.Relationship.Reason, maxAlert); why != "" {
			l += " — " + why
		}
		lines = append(lines, l)
	}
	if len(v.people) == 0 {
		lines = append(lines, fmt.Sprintf("No stakeholders mapped yet: add them with `/kam contact %s add \"Name\"`.", slugOf(&v.f.Account)))
		return bullets(lines)
	}
	var unmirrored, quiet, against, advocates []string
	for _, s := range v.people {
		name := show(s.Name, maxName)
		key := s.Role == kam.ContactDecisionMaker || s.Influence >= 4
		if key && s.MirrorID == "" {
			unmirrored = append(unmirrored, name)
		}
		if key && (s.LastContact.IsZero() || v.now.Sub(s.LastContact) > recentWindow) {
			quiet = append(quiet, name)
		}
		if s.Stance < 0 {
			against = append(against, fmt.Sprintf("%s (%s)", name, stanceWord(s.Stance)))
		}
		if s.Stance >= 2 {
			advocates = append(advocates, name)
		}
	}
	list := func(label string, names []string) {
		if len(names) == 0 {
			return
		}
		if len(names) > whoShown {
			names = append(names[:whoShown:whoShown], fmt.Sprintf("%d more", len(names)-whoShown))
		}
		lines = append(lines, label+": "+strings.Join(names, ", ")+".")
	}
	list("Key people without a mirror", unmirrored)
	list("Key people without contact in 90 days", quiet)
	list("Sceptical or hostile", against)
	list("Advocates", advocates)
	if len(lines) == 0 || (len(lines) == 1 && v.f.Relationship.Model != "") {
		lines = append(lines, fmt.Sprintf("%d %s mapped; every key person is mirrored and in touch.", len(v.people), plural(len(v.people), "stakeholder", "stakeholders")))
	}
	return bullets(lines)
}

func (v *view) nextSteps() string {
	slug := slugOf(&v.f.Account)
	var steps []string
	overdue := 0
	for _, t := range v.tasks {
		if !t.Due.IsZero() && t.Due.Before(v.now) {
			overdue++
		}
	}
	if overdue > 0 {
		steps = append(steps, fmt.Sprintf("Re-plan or close the %d overdue %s (`/kam plan %s done &lt;n&gt;` marks one done).", overdue, plural(overdue, "tactic", "tactics"), slug))
	}
	for _, o := range v.opps {
		if !o.CloseDate.IsZero() && o.CloseDate.Before(v.now) {
			l := fmt.Sprintf("Update the stage or close date of *%s*", show(o.Name, maxName))
			if o.OwnerID != "" {
				l += " (" + user(o.OwnerID) + ")"
			}
			steps = append(steps, l+".")
			break
		}
	}
	for _, s := range v.people {
		if s.Role == kam.ContactDecisionMaker && s.MirrorID == "" {
			steps = append(steps, fmt.Sprintf("Name a team member to mirror *%s*.", show(s.Name, maxName)))
			break
		}
	}
	for _, s := range v.people {
		if (s.Role == kam.ContactDecisionMaker || s.Influence >= 4) && !s.LastContact.IsZero() && v.now.Sub(s.LastContact) > recentWindow {
			l := fmt.Sprintf("Plan a touch with *%s*", show(s.Name, maxName))
			if s.MirrorID != "" {
				l += " (" + user(s.MirrorID) + ")"
			}
			steps = append(steps, l+".")
			break
		}
	}
	if v.detractor() != nil {
		steps = append(steps, "Follow up the detractor feedback from the last survey and tell the customer what changed.")
	}
	steps = append(steps,
		fmt.Sprintf("Add next quarter's tactics with owners and due dates (`/kam plan %s tactic \"…\" quarter=Q1 owner=@… due=YYYY-MM-DD`).", slug),
		"Check that the objectives still match the customer's priorities.",
		"Agree who meets which customer stakeholder before the next review.")
	if len(steps) > 5 {
		steps = steps[:5]
	}
	return bullets(steps)
}

// slugOf is how a user types the account in a command.
func slugOf(a *kam.Account) string {
	s := a.Slug
	if s == "" {
		s = strings.ToLower(strings.Join(strings.Fields(a.Name), "-"))
	}
	if s == "" {
		return "&lt;account&gt;"
	}
	return format.Mrkdwn(inline(s, maxName))
}
