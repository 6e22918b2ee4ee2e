package digest

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// Slack's limits for one message, and the room the digest keeps.
const (
	dgMaxBlocks   = 50
	dgMaxChars    = 12_000 // Slack refuses messages whose blocks hold about 13k characters
	dgSectionText = 3000
	dgLineText    = 2800 // one list line, so that a line always fits a section
	dgQuoteText   = 500  // a comment or summary quoted in the digest
	dgAlertsShown = 3    // alerts listed under an account needing attention
)

// digest renders the digest of a portfolio for one recipient.
func (w *dgWeek) digest(recipient, title string, accts []*dgAccount) Digest {
	p := slices.Clone(accts)
	slices.SortStableFunc(p, func(a, b *dgAccount) int {
		if c := boolRank(len(a.reasons) > 0, len(b.reasons) > 0); c != 0 {
			return c
		}
		x, y := a.health, b.health
		switch {
		case x.Score != y.Score:
			return cmp.Compare(x.Score, y.Score)
		case x.Critical() != y.Critical():
			return cmp.Compare(y.Critical(), x.Critical())
		case len(x.Alerts) != len(y.Alerts):
			return cmp.Compare(len(y.Alerts), len(x.Alerts))
		}
		return cmp.Compare(a.lname, b.lname)
	})
	blocks, summary := w.render(title, p)
	parts := dgSplit(blocks)
	dg := Digest{TeamID: w.team, Recipient: recipient, Week: w.week, Parts: parts, Texts: make([]string, len(parts))}
	for i := range parts {
		text := fmt.Sprintf("Weekly digest, %s: %s", w.span(), summary)
		if len(parts) > 1 {
			text += fmt.Sprintf(" (part %d of %d)", i+1, len(parts))
		}
		dg.Texts[i] = text
		if len(parts) > 1 {
			dg.Parts[i] = append(dg.Parts[i], dgContext(fmt.Sprintf("Part %d of %d of this digest", i+1, len(parts))))
		}
	}
	return dg
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

// span names the digest's week: "7–13 Mar 2025".
func (w *dgWeek) span() string {
	from, to := w.from.In(w.loc), w.to.Add(-1).In(w.loc)
	switch {
	case from.Year() != to.Year():
		return from.Format("2 Jan 2006") + " – " + to.Format("2 Jan 2006")
	case from.Month() != to.Month():
		return from.Format("2 Jan") + " – " + to.Format("2 Jan 2006")
	}
	return strconv.Itoa(from.Day()) + "–" + to.Format("2 Jan 2006")
}

// render lays the digest out as one list of blocks, which dgSplit cuts
// into messages; summary is a one-line gist for notifications.
func (w *dgWeek) render(title string, p []*dgAccount) (blocks []slack.Block, summary string) {
	var (
		attention                   []*dgAccount
		scoreNow, scorePrev, withPr int
		bands                       = map[kam.Band]int{}
		touches, touched            int
		byUser                      = map[string]int{}
		openN                       int
		openValue                   int64
		weighted                    float64
		wins, losses, moves         []store.StageMove
		overdue                     []kam.Alert
		freshN                      int
		reviews, tactics, critical  int
		nps, npsPrev                store.NPSStats
		detracted                   []store.SurveyAnswer
		names                       = map[int64]string{}
	)
	first := true
	for _, a := range p {
		names[a.acct.ID] = a.acct.Name
		if len(a.reasons) > 0 {
			attention = append(attention, a)
		}
		h := a.health
		bands[h.Band]++
		if a.prev != nil {
			first = false
			scoreNow += h.Score
			scorePrev += a.prev.Score
			withPr++
		}
		touches += a.touches
		if a.touches > 0 {
			touched++
		}
		for u, n := range a.byUser {
			byUser[u] += n
		}
		openN += a.openN
		openValue += a.openValue
		weighted += a.weighted
		for _, m := range a.moves {
			switch {
			case m.To.Won() && !m.From.Won():
				wins = append(wins, m)
			case m.To == kam.StageLost:
				losses = append(losses, m)
			default:
				moves = append(moves, m)
			}
		}
		critical += h.Critical()
		for _, al := range h.Alerts {
			switch al.Kind {
			case kam.AlertPlanReview:
				reviews++
				overdue = append(overdue, al)
			case kam.AlertTacticOverdue:
				tactics++
				overdue = append(overdue, al)
			}
		}
		freshN += len(a.fresh)
		// Respondents count once per account, so the portfolio's NPS is
		// the sum of its accounts' counts.
		nps = dgAddNPS(nps, a.nps)
		npsPrev = dgAddNPS(npsPrev, a.npsPrev)
		detracted = append(detracted, a.detracted...)
	}
	var total int
	for _, a := range p {
		total += a.health.Score
	}
	avg := 0
	if len(p) > 0 {
		avg = int(math.Round(float64(total) / float64(len(p))))
	}

	// Summary fields.
	change := "first digest: no earlier score to compare"
	if withPr > 0 {
		delta := int(math.Round(float64(scoreNow-scorePrev) / float64(withPr)))
		change = dgDelta(delta) + " since the last digest"
		if withPr < len(p) {
			change = fmt.Sprintf("%s since the last digest on the %d accounts it covered", dgDelta(delta), withPr)
			if withPr == 1 {
				change = dgDelta(delta) + " since the last digest on the one account it covered"
			}
		}
	}
	var wonValue, lostValue int64
	for _, m := range wins {
		wonValue += m.Value
	}
	for _, m := range losses {
		lostValue += m.Value
	}
	npsText := "no answers in the last 12 months"
	if nps.Responses > 0 {
		npsText = fmt.Sprintf("%s from %s", dgNum(nps.NPS), plural(nps.Responses, "answer", "answers"))
		if npsPrev.Responses > 0 {
			npsText += fmt.Sprintf(" (%s on the 12 months before)", dgDeltaF(nps.NPS-npsPrev.NPS))
		}
	}
	alertsText := fmt.Sprintf("%d new · %d critical open", freshN, critical)
	if first {
		alertsText = fmt.Sprintf("%d open · %d critical", freshN, critical)
	}
	blocks = append(blocks,
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, dgClip("Weekly digest · "+w.span(), 150), true, false)),
		dgContext(fmt.Sprintf("%s · week %s", dgEsc(title), w.week)),
		dgFields(
			fmt.Sprintf("*Health*\n%d average (%s)", avg, change),
			fmt.Sprintf("*Accounts*\n%d: %d at risk, %d to watch, %d good", len(p), bands[kam.BandAtRisk], bands[kam.BandWatch], bands[kam.BandGood]),
			fmt.Sprintf("*Interactions this week*\n%d on %d of %d accounts", touches, touched, len(p)),
			fmt.Sprintf("*Pipeline*\n%s open in %s · %s weighted", dgMoney(openValue), plural(openN, "opportunity", "opportunities"), dgMoney(int64(math.Round(weighted)))),
			fmt.Sprintf("*Won / lost this week*\n%d won (%s) · %d lost (%s)", len(wins), dgMoney(wonValue), len(losses), dgMoney(lostValue)),
			fmt.Sprintf("*NPS, last 12 months*\n%s", npsText),
			fmt.Sprintf("*Alerts*\n%s", alertsText),
			fmt.Sprintf("*Overdue*\n%s · %s", plural(reviews, "plan review", "plan reviews"), plural(tactics, "tactic", "tactics")),
		),
	)
	summary = fmt.Sprintf("health %d (%s), %s, %s", avg, change, plural(touches, "interaction", "interactions"), plural(len(attention), "account needs attention", "accounts need attention"))

	// Accounts needing attention, each in its own section.
	blocks = append(blocks, dgDivider())
	if len(attention) == 0 {
		blocks = append(blocks, dgSection("*Needs attention*\nNo account needs your attention this week."))
	} else {
		blocks = append(blocks, dgSection(fmt.Sprintf("*Needs attention* (%d)", len(attention))))
		for _, a := range attention {
			blocks = append(blocks, dgSection(dgClip(w.attentionText(a), dgSectionText)))
		}
	}

	// Interactions.
	blocks = append(blocks, dgDivider())
	var lines []string
	if touches == 0 {
		lines = append(lines, "No contact with any of these accounts was logged this week.")
	} else {
		users := make([]string, 0, len(byUser))
		for u := range byUser {
			users = append(users, u)
		}
		slices.SortFunc(users, func(a, b string) int {
			return cmp.Or(cmp.Compare(byUser[b], byUser[a]), cmp.Compare(a, b))
		})
		var items []string
		for _, u := range users {
			items = append(items, fmt.Sprintf("<@%s> %d", u, byUser[u]))
		}
		lines = append(lines, dgInline("*By team member:* ", items)...)
		byAcct := slices.Clone(p)
		slices.SortStableFunc(byAcct, func(a, b *dgAccount) int { return cmp.Compare(b.touches, a.touches) })
		items = items[:0]
		var none []string
		for _, a := range byAcct {
			if a.touches > 0 {
				items = append(items, fmt.Sprintf("%s %d", dgEsc(a.acct.Name), a.touches))
			} else {
				none = append(none, dgEsc(a.acct.Name))
			}
		}
		lines = append(lines, dgInline("*By account:* ", items)...)
		if len(none) > 0 {
			lines = append(lines, dgInline(fmt.Sprintf("*No contact this week (%d):* ", len(none)), none)...)
		}
	}
	blocks = append(blocks, dgPack(fmt.Sprintf("*Interactions this week* (%d)", touches), lines)...)

	// Stage movements, wins and losses.
	if len(wins)+len(losses) > 0 {
		lines = lines[:0]
		for _, m := range wins {
			lines = append(lines, fmt.Sprintf(":trophy: %s won, %s (%s %s)", w.moveText(m, names), dgMoney(m.Value), m.To, w.whoWhen(m)))
		}
		for _, m := range losses {
			lines = append(lines, fmt.Sprintf(":x: %s lost, %s (was %s; %s)", w.moveText(m, names), dgMoney(m.Value), m.From, w.whoWhen(m)))
		}
		blocks = append(blocks, dgPack(fmt.Sprintf("*Wins and losses* (%d won, %d lost)", len(wins), len(losses)), lines)...)
	}
	lines = lines[:0]
	for _, m := range moves {
		lines = append(lines, fmt.Sprintf("• %s %s → %s, %s (%s)", w.moveText(m, names), m.From, m.To, dgMoney(m.Value), w.whoWhen(m)))
	}
	if len(lines) == 0 {
		lines = append(lines, "No opportunity changed stage this week.")
	}
	blocks = append(blocks, dgPack(fmt.Sprintf("*Stage movements* (%d)", len(moves)), lines)...)

	// Overdue reviews and tactics.
	if len(overdue) > 0 {
		lines = lines[:0]
		for _, al := range overdue {
			lines = append(lines, fmt.Sprintf("• *%s* — %s", dgEsc(al.AccountName), dgEscKeep(al.Fact)))
		}
		blocks = append(blocks, dgPack(fmt.Sprintf("*Overdue reviews and tactics* (%d)", len(overdue)), lines)...)
	}

	// Alerts new since the last digest (every open one the first time).
	heading := fmt.Sprintf("*New alerts* (%d)", freshN)
	if first {
		heading = fmt.Sprintf("*Open alerts* (%d)", freshN)
	}
	// Most severe first, then by account name: the order kam.SortAlerts
	// gives, built from each account's already sorted alerts.
	lines = lines[:0]
	if freshN > 0 {
		byName := slices.Clone(p)
		slices.SortFunc(byName, func(a, b *dgAccount) int { return cmp.Compare(a.lname, b.lname) })
		for sev := kam.SeverityCritical; sev >= kam.SeverityInfo; sev-- {
			for _, a := range byName {
				for _, i := range a.fresh {
					if al := a.health.Alerts[i]; al.Severity == sev {
						lines = append(lines, fmt.Sprintf("• %s *%s* — %s", dgSeverity(sev), dgEsc(a.acct.Name), a.facts[i]))
					}
				}
			}
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "None since the last digest.")
	}
	blocks = append(blocks, dgPack(heading, lines)...)

	// Satisfaction.
	lines = lines[:0]
	if nps.Responses == 0 {
		lines = append(lines, "No survey answers in the last 12 months. Ask with `/kam survey &lt;account&gt; send`.")
	} else {
		line := fmt.Sprintf("Portfolio NPS %s from %s over the last 12 months: %s, %s, %s",
			dgNum(nps.NPS), plural(nps.Responses, "answer", "answers"), plural(nps.Promoters, "promoter", "promoters"),
			plural(nps.Passives, "passive", "passives"), plural(nps.Detractors, "detractor", "detractors"))
		if npsPrev.Responses > 0 {
			line += fmt.Sprintf("; %s on the 12 months before (%s)", dgDeltaF(nps.NPS-npsPrev.NPS), dgNum(npsPrev.NPS))
		}
		lines = append(lines, line+".")
		slices.SortFunc(detracted, func(a, b store.SurveyAnswer) int { return a.At.Compare(b.At) })
		for _, an := range detracted {
			who := an.Contact
			if who == "" && an.UserID != "" {
				who = "<@" + an.UserID + ">"
			}
			if who == "" {
				who = "A respondent"
			} else if an.Contact != "" {
				who = dgEsc(who)
			}
			line := fmt.Sprintf("• :warning: *%s* — %s gave %d on %s", dgEsc(names[an.AccountID]), who, an.Score, an.At.In(w.loc).Format("2 Jan"))
			if an.Comment != "" {
				line += ": “" + dgEsc(dgClip(strings.Join(strings.Fields(an.Comment), " "), dgQuoteText)) + "”"
			}
			lines = append(lines, line)
		}
		var items []string
		for _, a := range p {
			if a.nps.Responses > 0 {
				items = append(items, fmt.Sprintf("%s %s (%d)", dgEsc(a.acct.Name), dgNum(a.nps.NPS), a.nps.Responses))
			}
		}
		lines = append(lines, dgInline("*NPS by account* (answers): ", items)...)
	}
	blocks = append(blocks, dgPack("*Satisfaction*", lines)...)

	// Every account, in the same order.
	lines = lines[:0]
	for _, a := range p {
		lines = append(lines, w.accountLine(a))
	}
	blocks = append(blocks, dgDivider())
	blocks = append(blocks, dgPack(fmt.Sprintf("*All accounts* (%d) · health, change, interactions this week, alerts, NPS", len(p)), lines)...)

	foot := "Health change compares with the last digest"
	if w.prevWeek != "" {
		foot += " (week " + w.prevWeek + ")"
	}
	foot += ". Details: `/kam health &lt;account&gt;`. This digest any time: `/kam digest`."
	blocks = append(blocks, dgContext(foot))
	return blocks, summary
}

// attentionText is an account's entry under "Needs attention".
func (w *dgWeek) attentionText(a *dgAccount) string {
	h := a.health
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · health %d %s %s", dgEsc(a.acct.Name), h.Score, dgBand(h.Band), h.Band)
	if a.prev != nil {
		fmt.Fprintf(&b, " (%s)", dgDelta(h.Score-a.prev.Score))
	}
	if a.acct.OwnerID != "" {
		fmt.Fprintf(&b, " · owner <@%s>", a.acct.OwnerID)
	}
	fmt.Fprintf(&b, "\n_Why:_ %s", strings.Join(a.reasons, ", "))
	for i, al := range h.Alerts {
		if i == dgAlertsShown {
			fmt.Fprintf(&b, "\n…and %s: `/kam health %s`", plural(len(h.Alerts)-dgAlertsShown, "more alert", "more alerts"), a.acct.Slug)
			break
		}
		fmt.Fprintf(&b, "\n• %s %s", dgSeverity(al.Severity), dgClip(a.facts[i], dgQuoteText))
	}
	if a.summary != "" {
		fmt.Fprintf(&b, "\n> %s", dgEsc(dgClip(a.summary, dgQuoteText)))
	}
	return b.String()
}

// accountLine is an account's line in the "All accounts" list.
func (w *dgWeek) accountLine(a *dgAccount) string {
	h := a.health
	line := fmt.Sprintf("• *%s* %d %s", dgEsc(a.acct.Name), h.Score, dgBand(h.Band))
	if a.prev != nil {
		line += " " + dgDelta(h.Score-a.prev.Score)
	}
	line += " · " + plural(a.touches, "interaction", "interactions") + " · " + plural(len(h.Alerts), "alert", "alerts")
	if a.nps.Responses > 0 {
		line += " · NPS " + dgNum(a.nps.NPS)
	}
	return line
}

// moveText names a stage move's account and opportunity.
func (w *dgWeek) moveText(m store.StageMove, names map[int64]string) string {
	return fmt.Sprintf("*%s* — “%s”", dgEsc(names[m.AccountID]), dgEsc(m.Opportunity))
}

// whoWhen says when a stage move happened and who made it.
func (w *dgWeek) whoWhen(m store.StageMove) string {
	return fmt.Sprintf("%s by <@%s>", m.At.In(w.loc).Format("2 Jan"), m.UserID)
}

// ---- Block Kit pieces -----------------------------------------------------------------

var (
	dgEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	// dgMention matches the user and channel mentions kam writes into facts.
	dgMention = regexp.MustCompile(`<(?:@[UW][A-Z0-9]{2,20}|#[CG][A-Z0-9]{2,20})>`)
)

// dgEsc escapes user text for mrkdwn.
func dgEsc(s string) string { return dgEscaper.Replace(s) }

// dgEscKeep escapes text built by kam (alert facts), keeping the user
// mentions it wrote; anything else in angle brackets is escaped.
func dgEscKeep(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range dgMention.FindAllStringIndex(s, -1) {
		b.WriteString(dgEsc(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(dgEsc(s[last:]))
	return b.String()
}

// dgClip shortens s to at most n characters, marking the cut.
func dgClip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func dgMrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func dgSection(s string) *slack.SectionBlock { return slack.NewSectionBlock(dgMrkdwn(s), nil, nil) }

func dgFields(fs ...string) *slack.SectionBlock {
	objs := make([]*slack.TextBlockObject, len(fs))
	for i, f := range fs {
		objs[i] = dgMrkdwn(f)
	}
	return slack.NewSectionBlock(nil, objs, nil)
}

func dgContext(s string) *slack.ContextBlock { return slack.NewContextBlock("", dgMrkdwn(s)) }

func dgDivider() *slack.DividerBlock { return slack.NewDividerBlock() }

// dgPack lays a titled list out in as many sections as it needs, each
// within Slack's 3,000 characters; nothing is dropped.
func dgPack(title string, lines []string) []slack.Block {
	var out []slack.Block
	var b strings.Builder
	n := 0
	b.WriteString(title)
	n = utf8.RuneCountInString(title)
	for _, line := range lines {
		line = dgClip(line, dgLineText)
		k := utf8.RuneCountInString(line)
		if n > 0 && n+1+k > dgSectionText {
			out = append(out, dgSection(b.String()))
			b.Reset()
			n = 0
		}
		if n > 0 {
			b.WriteByte('\n')
			n++
		}
		b.WriteString(line)
		n += k
	}
	if n > 0 {
		out = append(out, dgSection(b.String()))
	}
	return out
}

// dgInline joins items after a label into lines of at most dgLineText
// characters, continuing on further lines rather than cutting.
func dgInline(label string, items []string) []string {
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
		if !fresh && n+3+k > dgLineText {
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

// dgAddNPS adds the counts of two sets of respondents and scores the sum
// as kam.NPSOf does.
func dgAddNPS(a, b store.NPSStats) store.NPSStats {
	s := store.NPSStats{Responses: a.Responses + b.Responses, Promoters: a.Promoters + b.Promoters,
		Passives: a.Passives + b.Passives, Detractors: a.Detractors + b.Detractors}
	if s.Responses > 0 {
		s.NPS = math.Round(float64(s.Promoters-s.Detractors)*1000/float64(s.Responses)) / 10
	}
	return s
}

// dgSplit cuts the digest's blocks into messages of at most dgMaxBlocks
// blocks and dgMaxChars characters, keeping one block and some characters
// free in each for its "Part i of n" line. Blocks are never cut or dropped.
func dgSplit(blocks []slack.Block) [][]slack.Block {
	const reserveChars = 100
	var parts [][]slack.Block
	var cur []slack.Block
	chars := 0
	for _, b := range blocks {
		n := dgChars(b)
		if len(cur) > 0 && (len(cur)+1 > dgMaxBlocks-1 || chars+n > dgMaxChars-reserveChars) {
			parts = append(parts, cur)
			cur, chars = nil, 0
		}
		cur = append(cur, b)
		chars += n
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	return parts
}

// dgChars counts the characters of text a block carries.
func dgChars(b slack.Block) int {
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
	}
	return n
}

func dgBand(b kam.Band) string {
	switch b {
	case kam.BandGood:
		return ":large_green_circle:"
	case kam.BandWatch:
		return ":large_yellow_circle:"
	}
	return ":red_circle:"
}

func dgSeverity(s kam.Severity) string {
	switch s {
	case kam.SeverityCritical:
		return ":rotating_light:"
	case kam.SeverityWarning:
		return ":warning:"
	}
	return ":information_source:"
}

// dgDelta renders a change in points: ▲3, ▼12, ±0.
func dgDelta(d int) string {
	switch {
	case d > 0:
		return "▲" + strconv.Itoa(d)
	case d < 0:
		return "▼" + strconv.Itoa(-d)
	}
	return "±0"
}

// dgDeltaF renders a change of NPS points, one decimal when needed.
func dgDeltaF(d float64) string {
	d = math.Round(d*10) / 10
	switch {
	case d > 0:
		return "▲" + dgNum(d)
	case d < 0:
		return "▼" + dgNum(-d)
	}
	return "±0"
}

// dgNum renders an NPS: 35, -12.5.
func dgNum(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// dgMoney renders an amount briefly: $950, $1.5k, $250k, $1.2M.
func dgMoney(v int64) string {
	if v < 0 {
		return "-" + dgMoney(-v)
	}
	units := []struct {
		scale  float64
		suffix string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}}
	for _, u := range units {
		if float64(v) >= u.scale*0.9995 {
			x := float64(v) / u.scale
			if x >= 100 {
				return "$" + strconv.FormatFloat(math.Round(x), 'f', -1, 64) + u.suffix
			}
			return "$" + strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64) + u.suffix
		}
	}
	return "$" + strconv.FormatInt(v, 10)
}
