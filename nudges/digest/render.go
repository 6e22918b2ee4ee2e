package digest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Slack's limits for one message, and the room the digest keeps.
const (
	maxBlocks   = 50
	maxChars    = 12_000 // Slack refuses messages whose blocks hold about 13k characters
	sectionText = 3000
	lineText    = 2800 // one list line, so that a line always fits a section
	quoteText   = 500  // a comment or summary quoted in the digest
	alertsShown = 3    // alerts listed under an account needing attention
)

// MaxParts is the most messages one digest sends. A portfolio of thousands
// of accounts lays out into thousands of messages (2,174 for 10,000
// accounts that all need attention), which nobody reads and which Slack's
// pace of one message a second per conversation would take over half an
// hour to deliver. The first MaxParts go: the overview and the accounts
// needing attention first; the last of them says how long the whole is and
// where every account is listed.
const MaxParts = 10

// digestHead renders the digest of a portfolio for one recipient, keeping
// only the first keep parts (every part when keep is negative); n counts
// them all. Each part is cut as soon as it is
// full, so the parts not kept are dropped as they are laid out: a digest
// of thousands of accounts is never held whole.
//
// whole is false when a part kept holds a section laid out by its size
// alone (see leaner): the caller lays the digest out from a full load.
func (w *week) digestHead(recipient, title string, accts []*account, keep int) (dg Digest, n int, whole bool) {
	p := sortPortfolio(accts)
	var parts [][]slack.Block
	whole = true
	var missing []int64
	s := &splitter{emit: func(part []slack.Block) {
		if keep < 0 || n < keep {
			for _, b := range part {
				if p, ok := b.(phantom); ok {
					missing = append(missing, p.accts...)
				}
			}
			parts = append(parts, charts.Cap(part))
		}
		n++
	}}
	summary := w.render(title, p, s)
	s.flush()
	whole = len(missing) == 0
	dg = Digest{TeamID: w.team, Recipient: recipient, Week: w.week, Parts: parts, Texts: make([]string, len(parts)),
		title: title, accounts: p, missing: missing}
	for i := range parts {
		text := fmt.Sprintf("Weekly digest, %s: %s", w.span(), summary)
		if n > 1 {
			text += fmt.Sprintf(" (part %d of %d)", i+1, n)
		}
		dg.Texts[i] = text
		if n > 1 {
			dg.Parts[i] = append(dg.Parts[i], note(partLine(i+1, len(parts), n)))
		}
	}
	return dg, n, whole
}

// partLine is the note closing part i of a digest of n parts of which the
// first kept are shown; the last one shown says what is not.
func partLine(i, kept, n int) string {
	line := fmt.Sprintf("Part %d of %d of this digest", i, n)
	if i == kept && kept < n {
		line += fmt.Sprintf("; the other %d are not shown here. `/kam health all` lists every account, worst first", n-kept)
	}
	return line
}

// sortPortfolio is a copy of accts in the digest's order.
func sortPortfolio(accts []*account) []*account {
	p := slices.Clone(accts)
	slices.SortStableFunc(p, portfolioOrder)
	return p
}

// portfolioOrder is the digest's order of accounts: those needing
// attention first, then the lowest health, the most critical alerts, the
// most alerts, and by name.
func portfolioOrder(a, b *account) int {
	if c := boolRank(a.needs, b.needs); c != 0 {
		return c
	}
	x, y := a.health, b.health
	switch {
	case x.Score != y.Score:
		return cmp.Compare(x.Score, y.Score)
	case a.critical != b.critical:
		return cmp.Compare(b.critical, a.critical)
	case len(x.Alerts) != len(y.Alerts):
		return cmp.Compare(len(y.Alerts), len(x.Alerts))
	}
	return cmp.Compare(a.lname, b.lname)
}

// boolRank orders true before false.
func boolRank(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// span names the digest's week: "2025-03-07 – 2025-03-13".
func (w *week) span() string { return format.DateRange(w.from, w.to.Add(-1), w.loc) }

// render lays the digest out block by block into s, which cuts it into
// messages as it goes; summary is a one-line gist for notifications. The
// arithmetic is tally's; each section below only words and lays it out.
func (w *week) render(title string, p []*account, s *splitter) (summary string) {
	t := w.tally(p)
	// The overview: headline figures as fields, and the notification's gist.
	s.add(w.overview(title, p, t)...)
	s.add(w.portfolioCharts(p)...)
	summary = fmt.Sprintf("health %d (%s), %s, %s", t.avg, t.change(len(p)), plural(t.touches, "interaction", "interactions"), plural(len(t.attention), "account needs attention", "accounts need attention"))
	// Then one section group per topic, in the order managers read them;
	// the long lists go to s a section at a time.
	w.attentionBlocks(t.attention, s)
	s.add(interactionBlocks(p, t)...)
	s.add(w.stageBlocks(t)...)
	overdueBlocks(t.overdue, s)
	alertBlocks(p, t, s)
	s.add(w.satisfactionBlocks(p, t)...)
	w.accountBlocks(p, s)
	return summary
}

// totals are a portfolio's figures for the week, summed over its accounts.
type totals struct {
	attention           []*account // accounts needing attention, in portfolio order
	avg                 int        // average health, rounded
	scoreNow, scorePrev int        // health now and at the last digest, of the accounts it covered
	withPrev            int        // accounts the last digest covered
	bands               map[kam.Band]int
	touches, touched    int // real contacts, and accounts with at least one
	byUser              map[string]int
	openN               int
	openValue           int64
	weighted            float64
	wins, losses, moves []kam.StageMove
	wonValue, lostValue int64
	overdue             []overdue // plan reviews and tactics, in portfolio order
	reviews, tactics    int
	critical            int
	alerts              int // open alerts, as /kam health counts them
	freshN              int // alerts listed as new
	nps, npsPrev        kam.NPSStats
	detracted           []kam.SurveyAnswer
	names               map[int64]string // account names by ID
}

// overdue is an overdue plan review or tactic: its account's name and
// fact; of a lean account, the fact's size in place of its words.
type overdue struct {
	account, fact string
	id            int64 // the account's
	lean          bool
	runes         int
}

// tally sums the portfolio's accounts into totals.
func (w *week) tally(p []*account) *totals {
	t := &totals{bands: map[kam.Band]int{}, byUser: map[string]int{}, names: map[int64]string{}}
	total := 0
	for _, a := range p {
		t.names[a.acct.ID] = a.acct.Name
		if a.needs {
			t.attention = append(t.attention, a)
		}
		h := a.health
		total += h.Score
		t.bands[h.Band]++
		if a.hasPrev {
			t.scoreNow += h.Score
			t.scorePrev += a.prevScore
			t.withPrev++
		}
		t.touches += a.touches
		if a.touches > 0 {
			t.touched++
		}
		t.openN += a.openN
		t.openValue += a.openValue
		t.weighted += a.weighted
		t.addMoves(a.moves)
		t.critical += h.Critical()
		t.alerts += len(h.Alerts)
		for _, al := range h.Alerts {
			switch al.Kind() {
			case kam.AlertPlanReview:
				t.reviews++
				t.overdue = append(t.overdue, overdue{a.acct.Name, al.Fact(), a.acct.ID, a.lean, int(al.runes)})
			case kam.AlertTacticOverdue:
				t.tactics++
				t.overdue = append(t.overdue, overdue{a.acct.Name, al.Fact(), a.acct.ID, a.lean, int(al.runes)})
			}
		}
		t.freshN += a.freshN
		// Respondents count once per account, so the portfolio's NPS is
		// the sum of its accounts' counts.
		t.nps = addNPS(t.nps, a.nps)
		t.npsPrev = addNPS(t.npsPrev, a.npsPrev)
		t.detracted = append(t.detracted, a.detracted...)
	}
	// Each person's contacts with the portfolio's accounts.
	for _, c := range w.counts {
		if _, ok := t.names[c.AccountID]; ok {
			t.byUser[c.UserID] += c.Count
		}
	}
	if len(p) > 0 {
		t.avg = int(math.Round(float64(total) / float64(len(p))))
	}
	return t
}

// addMoves sorts an account's stage moves into wins, losses and the rest.
func (t *totals) addMoves(moves []kam.StageMove) {
	for _, m := range moves {
		switch {
		case m.To.Won() && !m.From.Won():
			t.wins = append(t.wins, m)
			t.wonValue += m.Value
		case m.To == kam.StageLost:
			t.losses = append(t.losses, m)
			t.lostValue += m.Value
		default:
			t.moves = append(t.moves, m)
		}
	}
}

// first is true when the last digest covered none of the accounts.
func (t *totals) first() bool { return t.withPrev == 0 }

// change words the average health change since the last digest, over the
// accounts it covered, of a portfolio of n.
func (t *totals) change(n int) string {
	if t.first() {
		return "first digest: no earlier score to compare"
	}
	d := format.Delta(int(math.Round(float64(t.scoreNow-t.scorePrev) / float64(t.withPrev))))
	switch {
	case t.withPrev == n:
		return d + " since the last digest"
	case t.withPrev == 1:
		return d + " since the last digest on the one account it covered"
	}
	return fmt.Sprintf("%s since the last digest on the %d accounts it covered", d, t.withPrev)
}

// overview is the digest's header, its title line and its figures.
func (w *week) overview(title string, p []*account, t *totals) []slack.Block {
	npsText := "no answers in the last 12 months"
	if t.nps.Responses > 0 {
		npsText = format.NPS(t.nps.NPS) + " " + format.Answers(t.nps.Responses)
		if t.npsPrev.Responses > 0 {
			npsText += fmt.Sprintf(" (%s on the 12 months before)", format.NPSDelta(t.nps.NPS-t.npsPrev.NPS))
		}
	}
	// The open count is every alert kam raised, as /kam health counts.
	alertsText := fmt.Sprintf("%d open (%d critical) · %d new", t.alerts, t.critical, t.freshN)
	if t.first() {
		alertsText = fmt.Sprintf("%d open (%d critical)", t.alerts, t.critical)
	}
	return []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip("Weekly digest · "+w.span(), 150), true, false)),
		note(fmt.Sprintf("%s · week %s", format.Mrkdwn(title), w.week)),
		fields(
			fmt.Sprintf("*Health*\n%d average (%s)", t.avg, t.change(len(p))),
			fmt.Sprintf("*Accounts*\n%d: %d at risk, %d to watch, %d good", len(p), t.bands[kam.BandAtRisk], t.bands[kam.BandWatch], t.bands[kam.BandGood]),
			fmt.Sprintf("*Interactions this week*\n%d on %d of %d accounts", t.touches, t.touched, len(p)),
			fmt.Sprintf("*Pipeline*\n%s open in %s · %s weighted", w.cur.Money(t.openValue), plural(t.openN, "opportunity", "opportunities"), w.cur.Money(int64(math.Round(t.weighted)))),
			fmt.Sprintf("*Won / lost this week*\n%d won (%s) · %d lost (%s)", len(t.wins), w.cur.Money(t.wonValue), len(t.losses), w.cur.Money(t.lostValue)),
			fmt.Sprintf("*NPS, last 12 months*\n%s", npsText),
			fmt.Sprintf("*Alerts*\n%s", alertsText),
			fmt.Sprintf("*Overdue*\n%s · %s", plural(t.reviews, "plan review", "plan reviews"), plural(t.tactics, "tactic", "tactics")),
		),
	}
}

// attentionBlocks add the accounts needing attention to s, each in its
// own section.
func (w *week) attentionBlocks(attention []*account, s *splitter) {
	s.add(divider())
	if len(attention) == 0 {
		s.add(section("*Needs attention*\nNo account needs your attention this week."))
		return
	}
	s.add(section(fmt.Sprintf("*Needs attention* (%d)", len(attention))))
	for _, a := range attention {
		if a.lean {
			s.add(phantom{section(""), attentionSize(a), []int64{a.acct.ID}})
			continue
		}
		s.add(section(clip(w.attentionText(a), sectionText)))
	}
}

// interactionBlocks are the week's contacts by team member and by account,
// and the accounts nobody contacted.
func interactionBlocks(p []*account, t *totals) []slack.Block {
	var lines []string
	if t.touches == 0 {
		lines = append(lines, "No contact with any of these accounts was logged this week.")
	} else {
		users := make([]string, 0, len(t.byUser))
		for u := range t.byUser {
			users = append(users, u)
		}
		slices.SortFunc(users, func(a, b string) int {
			return cmp.Or(cmp.Compare(t.byUser[b], t.byUser[a]), cmp.Compare(a, b))
		})
		var items []string
		for _, u := range users {
			items = append(items, fmt.Sprintf("<@%s> %d", u, t.byUser[u]))
		}
		lines = append(lines, inline("*By team member:* ", items)...)
		byAcct := slices.Clone(p)
		slices.SortStableFunc(byAcct, func(a, b *account) int { return cmp.Compare(b.touches, a.touches) })
		items = items[:0]
		var none []string
		for _, a := range byAcct {
			if a.touches > 0 {
				items = append(items, fmt.Sprintf("%s %d", format.Mrkdwn(a.acct.Name), a.touches))
			} else {
				none = append(none, format.Mrkdwn(a.acct.Name))
			}
		}
		lines = append(lines, inline("*By account:* ", items)...)
		if len(none) > 0 {
			lines = append(lines, inline(fmt.Sprintf("*No contact this week (%d):* ", len(none)), none)...)
		}
	}
	return append([]slack.Block{divider()}, pack(fmt.Sprintf("*Interactions this week* (%d)", t.touches), lines)...)
}

// stageBlocks are the week's stage movements: wins and losses first, then
// the other moves, all counted in the heading.
func (w *week) stageBlocks(t *totals) []slack.Block {
	var lines []string
	for _, m := range t.wins {
		lines = append(lines, fmt.Sprintf(":trophy: %s won, %s (%s %s)", w.moveText(m, t.names), w.cur.Money(m.Value), m.To, w.whoWhen(m)))
	}
	for _, m := range t.losses {
		lines = append(lines, fmt.Sprintf(":x: %s lost, %s (was %s; %s)", w.moveText(m, t.names), w.cur.Money(m.Value), m.From, w.whoWhen(m)))
	}
	for _, m := range t.moves {
		lines = append(lines, fmt.Sprintf("• %s %s → %s, %s (%s)", w.moveText(m, t.names), m.From, m.To, w.cur.Money(m.Value), w.whoWhen(m)))
	}
	if len(lines) == 0 {
		lines = append(lines, "No opportunity changed stage this week.")
	}
	n := len(t.wins) + len(t.losses) + len(t.moves)
	heading := fmt.Sprintf("*Stage movements* (%d)", n)
	if len(t.wins)+len(t.losses) > 0 {
		heading = fmt.Sprintf("*Stage movements* (%d: %d won, %d lost)", n, len(t.wins), len(t.losses))
	}
	return pack(heading, lines)
}

// overdueBlocks add to s the overdue plan reviews and tactics; none when
// nothing is overdue.
func overdueBlocks(list []overdue, s *splitter) {
	if len(list) == 0 {
		return
	}
	pk := newPacker(fmt.Sprintf("*Overdue reviews and tactics* (%d)", len(list)))
	pk.sink = s
	for _, o := range list {
		if o.lean {
			pk.addSize(overdueMarkup+utf8.RuneCountInString(format.Mrkdwn(o.account))+o.runes, o.id)
			continue
		}
		pk.add(fmt.Sprintf("• *%s* — %s", format.Mrkdwn(o.account), format.Mrkdwn(o.fact)))
	}
	pk.blocks()
}

// overdueMarkup and alertMarkup are the characters an overdue line and an
// alert line add to their account's name and fact (and severity mark).
var (
	overdueMarkup = utf8.RuneCountInString("• ** — ")
	alertMarkup   = utf8.RuneCountInString("• " + " *" + "* — ")
)

// alertBlocks add to s the alerts new since the last digest (every open
// one the first time).
func alertBlocks(p []*account, t *totals, s *splitter) {
	heading := fmt.Sprintf("*New alerts* (%d)", t.freshN)
	if t.first() {
		heading = fmt.Sprintf("*Open alerts* (%d)", t.freshN)
	}
	// Most severe first, then by account name: the order kam.SortAlerts
	// gives, built from each account's already sorted alerts, packed as
	// they are worded.
	pk := newPacker(heading)
	pk.sink = s
	if t.freshN > 0 {
		byName := slices.Clone(p)
		slices.SortFunc(byName, func(a, b *account) int { return cmp.Compare(a.lname, b.lname) })
		names := make([]string, len(byName)) // each account's name, worded once
		for sev := kam.SeverityCritical; sev >= kam.SeverityInfo; sev-- {
			mark := "• " + format.SeverityMark(sev) + " *"
			markSize := alertMarkup + utf8.RuneCountInString(format.SeverityMark(sev))
			for k, a := range byName {
				for i := range a.health.Alerts {
					if al := &a.health.Alerts[i]; al.fresh && al.Sev() == sev {
						if names[k] == "" {
							names[k] = format.Mrkdwn(a.acct.Name)
						}
						if a.lean {
							pk.addSize(markSize+utf8.RuneCountInString(names[k])+int(al.runes), a.acct.ID)
							continue
						}
						pk.add(mark + names[k] + "* — " + format.Mrkdwn(al.Fact()))
					}
				}
			}
		}
	}
	if pk.lines == 0 {
		pk.add("None since the last digest.")
	}
	pk.blocks()
}

// satisfactionBlocks are the portfolio's NPS and its change, the week's
// detractor answers and each account's NPS.
func (w *week) satisfactionBlocks(p []*account, t *totals) []slack.Block {
	nps, npsPrev := t.nps, t.npsPrev
	if nps.Responses == 0 {
		return pack("*Satisfaction*", []string{"No survey answers in the last 12 months. Ask with `/kam survey &lt;account&gt; send`."})
	}
	line := fmt.Sprintf("Portfolio NPS %s %s over the last 12 months: %s, %s, %s",
		format.NPS(nps.NPS), format.Answers(nps.Responses), plural(nps.Promoters, "promoter", "promoters"),
		plural(nps.Passives, "passive", "passives"), plural(nps.Detractors, "detractor", "detractors"))
	if npsPrev.Responses > 0 {
		line += fmt.Sprintf("; %s on the 12 months before (%s)", format.NPSDelta(nps.NPS-npsPrev.NPS), format.NPS(npsPrev.NPS))
	}
	lines := []string{line + "."}
	slices.SortFunc(t.detracted, func(a, b kam.SurveyAnswer) int { return a.At.Compare(b.At) })
	for _, an := range t.detracted {
		lines = append(lines, w.detractorLine(an, t.names))
	}
	var items []string
	for _, a := range p {
		if a.nps.Responses > 0 {
			items = append(items, fmt.Sprintf("%s %s %s", format.Mrkdwn(a.acct.Name), format.NPS(a.nps.NPS), format.Answers(a.nps.Responses)))
		}
	}
	lines = append(lines, inline("*NPS by account*: ", items)...)
	return pack("*Satisfaction*", lines)
}

// detractorLine is a detractor answer of the week under "Satisfaction".
func (w *week) detractorLine(an kam.SurveyAnswer, names map[int64]string) string {
	who := an.Contact
	if who == "" && an.UserID != "" {
		who = "<@" + an.UserID + ">"
	}
	if who == "" {
		who = "A respondent"
	} else if an.Contact != "" {
		who = format.Mrkdwn(who)
	}
	line := fmt.Sprintf("• :warning: *%s* — %s gave %d on %s", format.Mrkdwn(names[an.AccountID]), who, an.Score, format.Date(an.At, w.loc))
	if an.Comment != "" {
		line += ": “" + format.Mrkdwn(clip(strings.Join(strings.Fields(an.Comment), " "), quoteText)) + "”"
	}
	return line
}

// accountBlocks add to s every account, in the portfolio's order, and end
// the digest with its footnote.
func (w *week) accountBlocks(p []*account, s *splitter) {
	s.add(divider())
	pk := newPacker(fmt.Sprintf("*All accounts* (%d) · health, change, interactions this week, alerts, NPS", len(p)))
	table := w.accountsTable(p)
	if table.Bare() {
		// No table to twin the list with: its sections go as they fill.
		pk.sink = s
	}
	for _, a := range p {
		pk.add(w.accountLine(a))
	}
	s.add(table.Blocks(pk.blocks())...)

	foot := "Health change compares with the last digest"
	if w.prevWeek != "" {
		foot += " (week " + w.prevWeek + ")"
	}
	foot += ". Details: `/kam health &lt;account&gt;`. This digest any time: `/kam digest`."
	s.add(note(foot))
}

// attentionText is an account's entry under "Needs attention".
func (w *week) attentionText(a *account) string {
	h := a.health
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · health %s", format.Mrkdwn(a.acct.Name), format.Health(h.Score))
	if a.hasPrev {
		fmt.Fprintf(&b, " (%s)", format.Delta(h.Score-a.prevScore))
	}
	if a.acct.OwnerID != "" {
		fmt.Fprintf(&b, " · owner <@%s>", a.acct.OwnerID)
	}
	fmt.Fprintf(&b, "\n_Why:_ %s", strings.Join(attentionReasons(a), ", "))
	for i, al := range h.Alerts {
		if i == alertsShown {
			fmt.Fprintf(&b, "\n…and %s: `/kam health %s`", plural(len(h.Alerts)-alertsShown, "more alert", "more alerts"), a.acct.Slug)
			break
		}
		fmt.Fprintf(&b, "\n• %s %s", format.SeverityMark(al.Sev()), clip(format.Mrkdwn(al.Fact()), quoteText))
	}
	b.WriteString(summaryLine(a.summary))
	// An exact copy: the digest keeps an entry for each of possibly
	// thousands of accounts, and the builder's buffer has room to spare.
	return strings.Clone(b.String())
}

// summaryLine is the line an account's summary adds to its entry under
// "Needs attention"; none without one.
func summaryLine(summary string) string {
	if summary == "" {
		return ""
	}
	return "\n> " + format.Model(clip(summary, quoteText))
}

// accountLine is an account's line in the "All accounts" list.
func (w *week) accountLine(a *account) string {
	h := a.health
	line := fmt.Sprintf("• *%s* %s", format.Mrkdwn(a.acct.Name), format.Health(h.Score))
	if h.New {
		// A score resting on no data is no grade.
		line = fmt.Sprintf("• *%s* _%s_", format.Mrkdwn(a.acct.Name), kam.NoDataYet)
	}
	if a.hasPrev {
		line += " " + format.Delta(h.Score-a.prevScore)
	}
	line += " · " + plural(a.touches, "interaction", "interactions") + " · " + format.Alerts(len(h.Alerts))
	if a.nps.Responses > 0 {
		line += " · NPS " + format.NPS(a.nps.NPS)
	}
	return line
}

// moveText names a stage move's account and opportunity.
func (w *week) moveText(m kam.StageMove, names map[int64]string) string {
	return fmt.Sprintf("*%s* — “%s”", format.Mrkdwn(names[m.AccountID]), format.Mrkdwn(m.Opportunity))
}

// whoWhen says when a stage move happened and who made it.
func (w *week) whoWhen(m kam.StageMove) string {
	return fmt.Sprintf("%s by <@%s>", format.Date(m.At, w.loc), m.UserID)
}

// ---- Block Kit pieces -----------------------------------------------------------------

// clip shortens s to at most n characters, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func section(s string) *slack.SectionBlock { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }

func fields(fs ...string) *slack.SectionBlock {
	objs := make([]*slack.TextBlockObject, len(fs))
	for i, f := range fs {
		objs[i] = mrkdwn(f)
	}
	return slack.NewSectionBlock(nil, objs, nil)
}

func note(s string) *slack.ContextBlock { return slack.NewContextBlock("", mrkdwn(s)) }

func divider() *slack.DividerBlock { return slack.NewDividerBlock() }

// pack lays a titled list out in as many sections as it needs, each
// within Slack's 3,000 characters; nothing is dropped.
func pack(title string, lines []string) []slack.Block {
	p := newPacker(title)
	for _, line := range lines {
		p.add(line)
	}
	return p.blocks()
}

// packer is pack one line at a time: a long list (every alert or every
// account of a large portfolio) goes into sections as its lines are
// worded, instead of being held whole as lines and then again as sections.
// One buffer serves every section of the list, and each section keeps an
// exact copy of its text: a buffer grown by doubling would keep up to
// twice the text's size with each section of a digest that has thousands.
type packer struct {
	out    []slack.Block
	sink   *splitter // when set, takes each section as it fills, instead of out
	ghost  bool      // a line of the section being filled was added by its size
	ghosts []int64   // the accounts of those lines
	b      []byte
	n      int // characters in b
	lines  int // lines added
}

func newPacker(title string) *packer {
	p := &packer{b: make([]byte, 0, sectionText+sectionText/4)}
	p.b = append(p.b, title...)
	p.n = utf8.RuneCountInString(title)
	return p
}

// add puts one line at the end of the list.
func (p *packer) add(line string) {
	k := utf8.RuneCountInString(line)
	if k > lineText {
		line, k = clip(line, lineText), lineText
	}
	if p.n > 0 && p.n+1+k > sectionText {
		p.cut()
	}
	if p.n > 0 {
		p.b = append(p.b, '\n')
		p.n++
	}
	p.b = append(p.b, line...)
	p.n += k
	p.lines++
}

// addSize puts at the end of the list a line of k characters whose words
// (account id's) were dropped: the section it falls in is laid out by its
// size alone.
func (p *packer) addSize(k int, id int64) {
	k = min(k, lineText)
	if p.n > 0 && p.n+1+k > sectionText {
		p.cut()
	}
	if p.n > 0 {
		p.n++
	}
	p.n += k
	p.ghost = true
	p.ghosts = append(p.ghosts, id)
	p.lines++
}

// cut ends the section being filled.
func (p *packer) cut() {
	var sec slack.Block
	if p.ghost {
		sec = phantom{section(""), p.n, p.ghosts}
		p.ghosts = nil
	} else {
		sec = section(string(p.b))
	}
	p.ghost = false
	if p.sink != nil {
		p.sink.add(sec)
	} else {
		p.out = append(p.out, sec)
	}
	p.b = p.b[:0]
	p.n = 0
}

// blocks ends the list and returns its sections: none when they went to
// the sink.
func (p *packer) blocks() []slack.Block {
	if p.n > 0 {
		p.cut()
	}
	return p.out
}

// inline joins items after a label into lines of at most lineText
// characters, continuing on further lines rather than cutting.
func inline(label string, items []string) []string {
	if len(items) == 0 {
		return nil
	}
	const sep = " · "
	var lines []string
	var b strings.Builder
	b.WriteString(label)
	n := utf8.RuneCountInString(label)
	fresh := true
	for _, it := range items {
		k := utf8.RuneCountInString(it)
		if !fresh && n+3+k > lineText {
			lines = append(lines, b.String())
			b.Reset()
			n, fresh = 0, true
		}
		if !fresh {
			b.WriteString(sep)
			n += 3
		}
		b.WriteString(it)
		n += k
		fresh = false
	}
	return append(lines, b.String())
}

// addNPS adds the counts of two sets of respondents and scores the sum
// as kam.NPSOf does.
func addNPS(a, b kam.NPSStats) kam.NPSStats {
	s := kam.NPSStats{Responses: a.Responses + b.Responses, Promoters: a.Promoters + b.Promoters,
		Passives: a.Passives + b.Passives, Detractors: a.Detractors + b.Detractors}
	if s.Responses > 0 {
		s.NPS = math.Round(float64(s.Promoters-s.Detractors)*1000/float64(s.Responses)) / 10
	}
	return s
}

// splitter cuts the digest's blocks into messages of at most maxBlocks
// blocks and maxChars characters as they are laid out, keeping one block
// and some characters free in each for its "Part i of n" line, and hands
// each message to emit once the next block does not fit. Blocks are never
// cut or dropped.
type splitter struct {
	emit  func(part []slack.Block)
	cur   []slack.Block
	chars int
}

// reserveChars are the characters each message keeps free.
const reserveChars = 100

// add lays blocks out after those added before. A chart or table stays
// in one message with its text twin, so a caller adds the two together.
func (s *splitter) add(blocks ...slack.Block) {
	// Two blocks are kept free: the part line and the matrix line.
	for _, unit := range charts.Units(blocks) {
		n := 0
		for _, b := range unit {
			n += blockChars(b)
		}
		if len(s.cur) > 0 && (len(s.cur)+len(unit) > maxBlocks-2 || s.chars+n > maxChars-reserveChars) {
			s.flush()
		}
		s.cur = append(s.cur, unit...)
		s.chars += n
	}
}

// flush hands the message being filled, if any, to emit.
func (s *splitter) flush() {
	if len(s.cur) > 0 {
		s.emit(s.cur)
	}
	s.cur, s.chars = nil, 0
}

// phantom stands for a section laid out by its size alone, its words
// dropped (see leaner): it counts toward a message's limits as the section
// would, and must never be in a part that is kept. accts are the accounts
// whose words it lacks.
type phantom struct {
	*slack.SectionBlock
	chars int
	accts []int64
}

// blockChars counts the characters of text a block carries.
func blockChars(b slack.Block) int {
	if p, ok := b.(phantom); ok {
		return p.chars
	}
	n := 0
	text := func(t *slack.TextBlockObject) {
		if t != nil {
			n += utf8.RuneCountInString(t.Text)
		}
	}
	switch x := b.(type) {
	case *slack.HeaderBlock:
		text(x.Text)
	case *slack.SectionBlock:
		text(x.Text)
		for _, f := range x.Fields {
			text(f)
		}
	case *slack.ContextBlock:
		for _, el := range x.ContextElements.Elements {
			if t, ok := el.(*slack.TextBlockObject); ok {
				text(t)
			}
		}
	default:
		n += charts.Chars(b)
	}
	return n
}
