package commands

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// alertLabels name each alert kind in a few words.
var alertLabels = map[kam.AlertKind]string{
	kam.AlertNoKAM:          "no KAM",
	kam.AlertNoContact:      "no contact",
	kam.AlertSingleThreaded: "single-threaded",
	kam.AlertUnmirrored:     "no mirror",
	kam.AlertStalled:        "stalled",
	kam.AlertPastClose:      "past close date",
	kam.AlertNoPlan:         "no plan",
	kam.AlertPlanReview:     "plan review overdue",
	kam.AlertTacticOverdue:  "tactic overdue",
	kam.AlertSponsor:        "sponsor silent",
	kam.AlertSurveyOverdue:  "survey overdue",
	kam.AlertNPSFalling:     "NPS falling",
	kam.AlertDetractor:      "detractor",
	kam.AlertNoStrategy:     "no strategy",
	kam.AlertBelowTarget:    "below target",
}

// healthAlertLines is how many alerts the single-account view lists before
// saying how many more there are.
const healthAlertLines = 15

func healthCommand() Command {
	return Command{
		Name:    "health",
		Usage:   "health [<account> | all]",
		Summary: "Health 0–100 and early-warning alerts; without an account, your accounts worst first.",
		Details: fmt.Sprintf("Health is the weighted mean of five parts, each 0–1:\n"+
			"• *contact recency* (%g): full while the last real contact (not a note) is within the review cadence, falling to 0 at twice it\n"+
			"• *coverage* (%g): relationship model (diamond 1, one-on-many 0.6, bow-tie 0.3) for 60%%, share of decision-makers with a mirror for 40%%\n"+
			"• *pipeline momentum* (%g): share of open opportunities neither stalled nor past their close date (0.5 with none open)\n"+
			"• *plan freshness* (%g): review on time for 70%% (falling to 0 one cadence period after it was due), tactics on track for 30%%\n"+
			"• *satisfaction* (%g): (NPS + 100) / 200, only when survey answers exist\n"+
			"Good from 70, watch from 40, at risk below. Stalled after: identified 30 days, qualified 30, pursuing 45, closing 30. "+
			"Admins: `/kam health all` for every account.",
			kam.WeightRecency, kam.WeightCoverage, kam.WeightPipeline, kam.WeightPlan, kam.WeightSatisfaction),
		Examples: []string{"health", "health acme", "health all"},
		Run:      runHealth,
	}
}

func runHealth(ctx context.Context, c *Call) (Reply, error) {
	tok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if ok && tok.Key != "" {
		return Reply{}, c.Usage("Unexpected “%s”", show(tok.String(), 40))
	}
	if ok && !(strings.EqualFold(tok.Value, "all") && !tok.Quoted) {
		acct, _, err := c.ResolveAccount(ctx, tok.Value, AccessTeamOrAdmin, "see the account's health")
		if err != nil {
			return Reply{}, err
		}
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		hs, err := c.healthOf(ctx, []kam.Account{acct})
		if err != nil {
			return Reply{}, err
		}
		trend, err := c.healthTrendBlocks(ctx, acct, hs[0])
		if err != nil {
			return Reply{}, err
		}
		// The trends go before the closing note.
		blocks := healthBlocks(hs[0])
		last := len(blocks) - 1
		return Reply{Blocks: append(append(blocks[:last:last], trend...), blocks[last])}, nil
	}
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	accts, title, err := c.scopedAccounts(ctx, ok, "Health", "see every account's health")
	if err != nil {
		return Reply{}, err
	}
	if len(accts) == 0 {
		msg := "You're not on any account's team yet, so there is nothing to assess. An admin adds you with `/kam team &lt;account&gt; add @you`."
		if c.Admin {
			msg = "You're not on any account's team. As an admin, `/kam health all` assesses every account."
		}
		return Reply{Blocks: []slack.Block{header(title), section(msg)}}, nil
	}
	lines, err := c.healthLines(ctx, accts)
	if err != nil {
		return Reply{}, err
	}
	if len(accts) >= releaseAccounts {
		releaseMemory()
	}
	sortLinesWorstFirst(lines)
	return Reply{Blocks: portfolioHealthBlocks(fmt.Sprintf("%s (%d)", title, len(lines)), lines)}, nil
}

// healthLine is what a portfolio's health list keeps of each account while
// the others are assessed: the summary with its worst alert only, and its
// rank, which counts the rest. A workspace of 10,000 accounts held with
// every alert kept some 100,000 alerts to show one of each.
type healthLine struct {
	id    int64 // the account's
	rank  kam.HealthRank
	band  kam.Band
	model kam.RelationshipModel
	worst kam.Alert // when rank.Alerts > 0
}

// lineOf is h's health line.
func lineOf(h *kam.Health) healthLine {
	l := healthLine{id: h.Account.ID, rank: h.Rank(), band: h.Band, model: h.Relationship.Model}
	if len(h.Alerts) > 0 {
		l.worst = h.Alerts[0]
	}
	return l
}

// healthLines assesses the accounts, in their order, into health lines.
func (a *Actor) healthLines(ctx context.Context, accts []kam.Account) ([]healthLine, error) {
	out := make([]healthLine, 0, len(accts))
	err := a.intel().HealthInputsEach(ctx, a.TeamID, accts, a.Now, func(in kam.HealthInput) error {
		h := kam.AssessHealthSummary(in, a.Now)
		out = append(out, lineOf(&h))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load health inputs: %w", err)
	}
	return out, nil
}

// sortLinesWorstFirst orders lines as kam.SortWorstFirst orders the
// health they come from, by position: a line is large to move.
func sortLinesWorstFirst(lines []healthLine) {
	order := make([]int32, len(lines))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int { return kam.CompareWorstFirst(&lines[i].rank, &lines[j].rank) })
	sorted := make([]healthLine, len(lines))
	for j, i := range order {
		sorted[j] = lines[i]
	}
	copy(lines, sorted)
}

// healthBlocks renders one account's health: the parts with their points
// and reasons, the relationship model, and every alert with its fact.
func healthBlocks(h kam.Health) []slack.Block {
	a := h.Account
	blocks := []slack.Block{
		header(fmt.Sprintf("%s — health %d/100", a.Name, h.Score)),
		section(format.Health(h.Score) + " · " + format.Alerts(len(h.Alerts))),
	}
	if h.New {
		// No data yet: a score would grade nothing.
		blocks = []slack.Block{header(a.Name + " — health"),
			section(fmt.Sprintf("_%s_ · %s", kam.NoDataYet, format.Alerts(len(h.Alerts))))}
	}
	parts := make([]string, 0, len(h.Parts))
	for _, p := range h.Parts {
		parts = append(parts, fmt.Sprintf("*%s* %s/%g\n%s", p.Label, num1(p.Points()), p.Weight, format.Mrkdwn(p.Detail)))
	}
	blocks = append(blocks, fields(parts...))

	rel := h.Relationship
	var b strings.Builder
	fmt.Fprintf(&b, "*Relationship model: %s*\n%s.", modelText(rel.Model), format.Mrkdwn(capitalize(rel.Reason)))
	if len(rel.Unmirrored) > 0 {
		fmt.Fprintf(&b, "\nDecision-makers without a mirror: %s.", contactNames(rel.Unmirrored))
	}
	if len(rel.Blockers) > 0 {
		fmt.Fprintf(&b, "\nBlockers: %s.", contactNames(rel.Blockers))
	}
	blocks = append(blocks, section(b.String()))

	if len(h.Alerts) == 0 {
		blocks = append(blocks, section("*Alerts*\nNone — nothing needs attention."))
	} else {
		lines := make([]string, 0, len(h.Alerts))
		for _, al := range h.Alerts {
			lines = append(lines, alertLine(al))
		}
		if len(lines) > healthAlertLines {
			lines = append(lines[:healthAlertLines], fmt.Sprintf("…and %d more", len(h.Alerts)-healthAlertLines))
		}
		blocks = append(blocks, listBlocks(fmt.Sprintf("*Alerts (%d)*", len(h.Alerts)), lines, 3, nil)...)
	}
	return append(blocks, contextBlock(fmt.Sprintf("Health = contact recency %g + coverage %g + pipeline %g + plan %g + satisfaction %g (when surveys exist) · `/kam help health`",
		kam.WeightRecency, kam.WeightCoverage, kam.WeightPipeline, kam.WeightPlan, kam.WeightSatisfaction)))
}

func alertLine(al kam.Alert) string {
	return fmt.Sprintf("%s *%s*: %s", severityMark(al.Severity), alertLabels[al.Kind], format.Mrkdwn(al.Fact()))
}

// portfolioHealthBlocks renders many accounts' health, in the order given
// (worst first), one line each with its most severe alert.
func portfolioHealthBlocks(title string, hs []healthLine) []slack.Block {
	var bands = map[kam.Band]int{}
	alerts, critical, fresh := 0, 0, 0
	for _, l := range hs {
		if l.rank.New {
			fresh++
		} else {
			bands[l.band]++
		}
		alerts += l.rank.Alerts
		critical += l.rank.Critical
	}
	summary := fmt.Sprintf("%s %d %s · %s %d %s · %s %d %s · %s (%d critical)",
		format.BandMark(kam.BandAtRisk), bands[kam.BandAtRisk], format.BandWord(kam.BandAtRisk),
		format.BandMark(kam.BandWatch), bands[kam.BandWatch], format.BandWord(kam.BandWatch),
		format.BandMark(kam.BandGood), bands[kam.BandGood], format.BandWord(kam.BandGood), format.Alerts(alerts), critical)
	if fresh > 0 {
		summary += fmt.Sprintf(" · %d new, no data yet", fresh)
	}
	// Only the lines that fit are worded: a workspace's thousands of
	// accounts end in "…and N healthier accounts".
	line := func(i int) string {
		l := &hs[i]
		line := fmt.Sprintf("*%s* — %s · %s · %s", format.Mrkdwn(l.rank.Name), format.Health(l.rank.Score), format.Alerts(l.rank.Alerts), modelText(l.model))
		if l.rank.New {
			line = fmt.Sprintf("*%s* — _%s_", format.Mrkdwn(l.rank.Name), kam.NoDataYet)
		}
		if l.rank.Alerts > 0 {
			line += " · worst: " + alertLine(l.worst)
		}
		return line
	}
	blocks := []slack.Block{header(title), contextBlock(summary)}
	blocks = append(blocks, listBlocksOf("", len(hs), line, maxMessageBlocks-3, func(n int) string {
		return fmt.Sprintf("…and %d healthier accounts", n)
	})...)
	return append(blocks, contextBlock("Worst first · `/kam health &lt;account&gt;` for the parts and every alert"))
}

// accountsIntelKeys are the keys /kam accounts takes when account
// intelligence is on.
var accountsIntelKeys = []string{"quadrant", "sort"}

// accountSorts are the orders of /kam accounts sort=….
var accountSorts = []string{"name", "quadrant", "health", "attractiveness", "strength"}

// intelAccounts renders /kam accounts with the selection matrix: filtered
// by quadrant= (one or several, comma-separated, or "unscored") and sorted
// by sort=, so the yearly selection review is one command.
func (c *Call) intelAccounts(ctx context.Context, list []kam.Account, all bool, opts Options) (Reply, error) {
	// Read the filter and the order first: a typo changes nothing.
	want, err := quadrantFilter(opts)
	if err != nil {
		return Reply{}, err
	}
	order := "name"
	if t, ok := opts["sort"]; ok {
		if order, err = ParseEnum("sort order", t.Value, accountSorts); err != nil {
			return Reply{}, err
		}
	}
	rows, err := c.selectionRows(ctx, list, want)
	if err != nil {
		return Reply{}, err
	}
	slices.SortStableFunc(rows, selectionOrder(order))
	return Reply{Blocks: selectionBlocks(rows, all, want, order)}, nil
}

// selectionRow is one account of /kam accounts with the matrix.
type selectionRow struct {
	a   kam.Account
	pos kam.Position
	h   kam.Health
}

// quadrantFilter reads quadrant= (one or several, comma-separated, or
// "unscored", kept as the empty quadrant); none means every account.
func quadrantFilter(opts Options) (map[kam.Quadrant]bool, error) {
	want := map[kam.Quadrant]bool{}
	t, ok := opts["quadrant"]
	if !ok {
		return want, nil
	}
	for _, part := range strings.Split(t.Value, ",") {
		part = strings.TrimSpace(part)
		if strings.EqualFold(part, "unscored") {
			want[""] = true
			continue
		}
		q, err := ParseEnum("quadrant", part, append(slices.Clone(kam.Quadrants), "unscored"))
		if err != nil {
			return nil, err
		}
		want[q] = true
	}
	return want, nil
}

// selectionRows places each account on the matrix, keeps those in the
// wanted quadrants and assesses their health.
func (c *Call) selectionRows(ctx context.Context, list []kam.Account, want map[kam.Quadrant]bool) ([]selectionRow, error) {
	sets, err := c.intel().CriteriaSets(ctx, c.TeamID)
	if err != nil {
		return nil, fmt.Errorf("read criteria: %w", err)
	}
	latest, err := c.intel().LatestScores(ctx, c.TeamID)
	if err != nil {
		return nil, fmt.Errorf("read latest scores: %w", err)
	}
	var rows []selectionRow
	var kept []kam.Account
	for _, a := range list {
		p := sets.Evaluate(latest[a.ID])
		if len(want) > 0 && !want[p.Quadrant] {
			continue
		}
		rows = append(rows, selectionRow{a: a, pos: p})
		kept = append(kept, a)
	}
	hs, err := c.healthSummaries(ctx, kept)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].h = hs[i]
	}
	return rows, nil
}

// selectionOrder compares two rows by sort=, then by name.
func selectionOrder(order string) func(x, y selectionRow) int {
	qrank := map[kam.Quadrant]int{"": len(kam.Quadrants)}
	for i, q := range kam.Quadrants {
		qrank[q] = i
	}
	return func(x, y selectionRow) int {
		d := 0
		switch order {
		case "quadrant":
			d = cmp.Or(cmp.Compare(qrank[x.pos.Quadrant], qrank[y.pos.Quadrant]),
				cmp.Compare(y.pos.Attractiveness+y.pos.Strength, x.pos.Attractiveness+x.pos.Strength))
		case "health":
			d = cmp.Compare(x.h.Score, y.h.Score)
		case "attractiveness":
			// An unplaced account has no attractiveness to rank by.
			d = cmp.Or(boolFirst(x.pos.Rated, y.pos.Rated), cmp.Compare(y.pos.Attractiveness, x.pos.Attractiveness))
		case "strength":
			d = cmp.Or(boolFirst(x.pos.Rated, y.pos.Rated), cmp.Compare(y.pos.Strength, x.pos.Strength))
		}
		return cmp.Or(d, cmp.Compare(strings.ToLower(x.a.Name), strings.ToLower(y.a.Name)))
	}
}

// selectionBlocks lays the rows out under a title that names the scope and
// the filter.
func selectionBlocks(rows []selectionRow, all bool, want map[kam.Quadrant]bool, order string) []slack.Block {
	title := "Your accounts"
	if all {
		title = "All accounts"
	}
	if len(want) > 0 {
		var qs []string
		for _, q := range append(slices.Clone(kam.Quadrants), "") {
			if want[q] {
				qs = append(qs, cmp.Or(string(q), "unscored"))
			}
		}
		title += " — " + strings.Join(qs, ", ")
	}
	blocks := []slack.Block{header(fmt.Sprintf("%s (%d)", title, len(rows)))}
	if len(rows) == 0 {
		return append(blocks, section("No account matches. `/kam accounts all sort=quadrant` lists every account by quadrant."))
	}
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = selectionLine(r)
	}
	bullets := listBlocks("", lines, maxMessageBlocks-2, func(n int) string {
		return fmt.Sprintf("…and %d more — narrow with quadrant=", n)
	})
	blocks = append(blocks, selectionTable(rows).Blocks(bullets)...)
	return append(blocks, contextBlock(fmt.Sprintf("Sorted by %s · attractiveness / strength, 0–100 · quadrant=%s|unscored · sort=%s",
		order, strings.Join(quadrantNames(), "|"), strings.Join(accountSorts, "|"))))
}

// selectionLine is one account: where it sits, its health, tier and KAM.
func selectionLine(r selectionRow) string {
	where := "_unscored_"
	if r.pos.Scored > 0 {
		where = fmt.Sprintf("_not placed, %d of %d factors scored_", r.pos.Scored, r.pos.Needed)
	}
	if r.pos.Rated {
		where = fmt.Sprintf("*%s* %s / %s", r.pos.Quadrant, num1(r.pos.Attractiveness), num1(r.pos.Strength))
	}
	health := "health " + format.Health(r.h.Score)
	if r.h.New {
		health = kam.NoDataYet
	}
	line := fmt.Sprintf("*%s* `%s` — %s · %s · %s", format.Mrkdwn(r.a.Name), r.a.Slug, where, health, r.a.Tier)
	if r.a.OwnerID != "" {
		line += " · KAM " + mention(r.a.OwnerID)
	}
	return line
}

// boolFirst orders true before false.
func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func quadrantNames() []string {
	out := make([]string, len(kam.Quadrants))
	for i, q := range kam.Quadrants {
		out[i] = string(q)
	}
	return out
}
