package commands

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

func planCommand() Command {
	return Command{
		Name: "plan",
		Usage: `plan <account> [show | objective "<text>" [for=customer|us] | strategy "<text>" [objective=<n>] ` +
			`| tactic "<text>" [strategy=<n>] [quarter=Q1..Q4] [owner=@user] [due=<date>] | done <n> | review ["<note>"] ` +
			`| situation|challenge|strength|weakness|opportunity|threat|barrier|enabler "<text>" | drop <kind> <n>]`,
		Summary: "The account plan: situation, SWOT, barriers and enablers, objectives, strategies, quarterly tactics, reviews.",
		Details: "*objective*: the customer's (`for=customer`) or ours (the default).\n" +
			"*tactic*: numbered 1, 2, …; *quarter* Q1–Q4 (taken from *due* when not given), *owner* defaults to you, *due* is YYYY-MM-DD.\n" +
			"*done &lt;n&gt;* ticks tactic n off. *review* records that the team reviewed the plan; the next review is due one " +
			"review-cadence period later (weekly 7 days, monthly 30, quarterly 91).\n" +
			"*The strategy charter*: `situation` (the customer's business) and `challenge` lines, the customer's SWOT " +
			"(`strength`, `weakness`, `opportunity`, `threat`), the `barrier`s and `enabler`s of our plan — each numbered per kind. " +
			"*strategy* links one of our objectives (`objective=<n>`, its number under Our objectives) to the tactics that carry it out " +
			"(`tactic \"…\" strategy=<n>`): objective → strategy → quarterly tactics. A plan without a strategy raises the no-strategy alert. " +
			"*drop &lt;kind&gt; &lt;n&gt;* takes a line or strategy off the plan (it stays in the history). The brief reads the charter.",
		Examples: []string{
			`plan acme objective "Cut logistics cost 10% by 2027" for=customer`,
			`plan acme situation "Mid-size food processor, 4 plants, growing 8% a year"`,
			`plan acme threat "New low-cost competitor in their region"`,
			`plan acme strategy "Win the packaging upgrade through a pilot line" objective=1`,
			`plan acme tactic "Pilot line proposal to their COO" strategy=1 quarter=Q3 due=2025-09-30`,
			"plan acme drop threat 1",
			`plan acme tactic "Joint workshop with their ops team" quarter=Q3 owner=@ben due=2025-09-30`,
			"plan acme done 2",
			`plan acme review "On track; moved the workshop to Q4"`,
			"plan acme",
		},
		Access:  AccessTeamOrAdmin,
		Account: true,
		Action:  "see the account plan",
		Run:     runPlan,
	}
}

func runPlan(ctx context.Context, c *Call) (Reply, error) {
	verbTok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	verb := "show"
	if ok {
		if verbTok.Key != "" || verbTok.Quoted {
			return Reply{}, c.Usage("Say show, objective, tactic, done or review before “%s”", show(verbTok.String(), 40))
		}
		verb = strings.ToLower(verbTok.Value)
	}
	a := c.Account
	switch verb {
	case "show":
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		p, err := c.intel().Plan(ctx, c.TeamID, a.ID)
		if err != nil {
			return Reply{}, fmt.Errorf("plan of account %d: %w", a.ID, err)
		}
		return Reply{Blocks: planBlocks(a, p, c.Actor)}, nil
	case "objective", "tactic", "done", "review":
	default:
		if !contains(charterVerbs, verb) {
			return Reply{}, c.Usage("Unknown “%s” — use show, objective, strategy, tactic, done, review, a charter line (situation, strength…) or drop", show(verb, 30))
		}
	}
	if err := c.Allow(a, c.Role, AccessTeam, "change the account plan"); err != nil {
		return Reply{}, err
	}
	switch verb {
	case "objective":
		return planObjective(ctx, c)
	case "tactic":
		return planTactic(ctx, c)
	case "done":
		return planDone(ctx, c)
	case "strategy":
		return planStrategy(ctx, c)
	case "drop":
		return planDrop(ctx, c)
	case "review":
		return planReview(ctx, c)
	}
	return planCharter(ctx, c, kam.CharterKind(verb))
}

// quotedText reads the quoted text that follows a plan verb.
func quotedText(c *Call, what, example string) (string, []Token, error) {
	tok, ok, err := c.Args.Next()
	if err != nil {
		return "", nil, err
	}
	if !ok || tok.Key != "" {
		return "", nil, c.Usage("Put the %s in quotes, e.g. %s", what, example)
	}
	toks, err := c.Args.All()
	if err != nil {
		return "", nil, err
	}
	if !tok.Quoted {
		for _, t := range toks {
			if t.Key == "" {
				return "", nil, kam.Errorf(kam.EINVALID, "Put the %s in quotes: `/kam plan %s %s`.", what, c.Account.Slug, example)
			}
		}
	}
	text, err := CheckText("The "+what, tok.Value, kam.MaxTextLen, false)
	if err != nil {
		return "", nil, err
	}
	if text == "" {
		return "", nil, c.Usage("The %s is empty — e.g. %s", what, example)
	}
	return text, toks, nil
}

func planObjective(ctx context.Context, c *Call) (Reply, error) {
	text, toks, err := quotedText(c, "objective", `objective "Cut logistics cost 10%" for=customer`)
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, []string{"for"}, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	o := kam.Objective{TeamID: c.TeamID, AccountID: c.Account.ID, For: kam.ForUs, Text: text}
	if t, ok := opts["for"]; ok {
		if o.For, err = ParseEnum("objective owner", t.Value, kam.ObjectiveFors); err != nil {
			return Reply{}, err
		}
	}
	if err := c.intel().AddObjective(ctx, &o, c.UserID); err != nil {
		return Reply{}, userErr(err, "add objective to account %d", c.Account.ID)
	}
	whose := "our objectives"
	if o.For == kam.ForCustomer {
		whose = "the customer's objectives"
	}
	return Reply{Blocks: []slack.Block{
		section(fmt.Sprintf("Added to %s for *%s*: %s", whose, format.Mrkdwn(c.Account.Name), format.Mrkdwn(o.Text))),
		contextBlock(fmt.Sprintf("`/kam plan %s` shows the plan", c.Account.Slug)),
	}}, nil
}

func planTactic(ctx context.Context, c *Call) (Reply, error) {
	text, toks, err := quotedText(c, "tactic", `tactic "Joint workshop" quarter=Q3 owner=@ben due=2025-09-30`)
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, []string{"quarter", "owner", "due", "strategy"}, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	t := kam.Tactic{TeamID: c.TeamID, AccountID: c.Account.ID, Text: text, OwnerID: c.UserID}
	if tok, ok := opts["strategy"]; ok {
		if t.Strategy, err = c.strategyNumber(ctx, tok.Value); err != nil {
			return Reply{}, err
		}
	}
	if tok, ok := opts["owner"]; ok {
		if t.OwnerID, err = c.User(ctx, tok, "owner=@ana"); err != nil {
			return Reply{}, err
		}
	}
	if tok, ok := opts["due"]; ok {
		if t.Due, err = ParseDate(tok.Value); err != nil {
			return Reply{}, err
		}
		t.Quarter = kam.QuarterPeriod(t.Due)
	}
	// The quarter gets its year from the due date, or else from the
	// user's today, and may not contradict the due date.
	if tok, ok := opts["quarter"]; ok {
		if t.Quarter, err = kam.ResolveQuarter(tok.Value, t.Due, c.Today()); err != nil {
			return Reply{}, err
		}
	}
	if err := c.intel().AddTactic(ctx, &t, c.UserID); kam.ErrorCode(err) == kam.ENOTFOUND && t.Strategy != 0 {
		return Reply{}, kam.Errorf(kam.ENOTFOUND, "%s's plan has no strategy %d any more — `/kam plan %s` shows them.", format.Mrkdwn(c.Account.Name), t.Strategy, c.Account.Slug)
	} else if err != nil {
		return Reply{}, userErr(err, "add tactic to account %d", c.Account.ID)
	}
	return Reply{Blocks: []slack.Block{
		section(fmt.Sprintf("Added tactic %d to *%s*'s plan: %s", t.Number, format.Mrkdwn(c.Account.Name), tacticFacts(t, c.Now, c.Loc))),
		contextBlock(fmt.Sprintf("Tick it off with `/kam plan %s done %d`", c.Account.Slug, t.Number)),
	}}, nil
}

func planDone(ctx context.Context, c *Call) (Reply, error) {
	tok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || tok.Key != "" {
		return Reply{}, c.Usage("Say which tactic, by its number: done 2")
	}
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	a := c.Account
	n, err := strconv.Atoi(strings.TrimPrefix(tok.Value, "#"))
	if err != nil || n <= 0 {
		return Reply{}, kam.Errorf(kam.EINVALID, "“%s” isn't a tactic number — `/kam plan %s` shows them, e.g. `/kam plan %s done 2`.", show(tok.Value, 20), a.Slug, a.Slug)
	}
	p, err := c.intel().Plan(ctx, c.TeamID, a.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("plan of account %d: %w", a.ID, err)
	}
	var found *kam.Tactic
	for i := range p.Tactics {
		if p.Tactics[i].Number == n {
			found = &p.Tactics[i]
		}
	}
	switch {
	case found == nil && len(p.Tactics) == 0:
		return Reply{}, kam.Errorf(kam.ENOTFOUND, "%s's plan has no tactics yet — add one with `/kam plan %s tactic \"…\"`.", format.Mrkdwn(a.Name), a.Slug)
	case found == nil:
		return Reply{}, kam.Errorf(kam.ENOTFOUND, "There is no tactic %d on %s's plan; its tactics are numbered 1 to %d — `/kam plan %s` shows them.",
			n, format.Mrkdwn(a.Name), p.Tactics[len(p.Tactics)-1].Number, a.Slug)
	case found.Done:
		return Reply{}, kam.Errorf(kam.ECONFLICT, "Tactic %d (“%s”) was already done on %s.", n, format.Mrkdwn(found.Text), c.Date(found.DoneAt))
	}
	t, err := c.intel().CompleteTactic(ctx, c.TeamID, a.ID, n, c.UserID)
	if err != nil {
		return Reply{}, userErr(err, "complete tactic %d of account %d", n, a.ID)
	}
	open := 0
	for _, x := range p.Tactics {
		if !x.Done && x.Number != n {
			open++
		}
	}
	return Reply{Blocks: []slack.Block{section(fmt.Sprintf("☑ Tactic %d of *%s* is done: %s. %s open.",
		t.Number, format.Mrkdwn(a.Name), format.Mrkdwn(t.Text), capitalize(plural(open, "tactic", "tactics"))))}}, nil
}

func planReview(ctx context.Context, c *Call) (Reply, error) {
	note, err := freeText(c.Args.Rest(), "The review note", kam.MaxSummaryLen)
	if err != nil {
		return Reply{}, err
	}
	a := c.Account
	r := kam.PlanReview{TeamID: c.TeamID, AccountID: a.ID, Note: note}
	if err := c.intel().RecordPlanReview(ctx, &r, c.UserID); err != nil {
		return Reply{}, userErr(err, "review plan of account %d", a.ID)
	}
	next := r.At.Add(a.Cadence.Period())
	return Reply{Blocks: append([]slack.Block{
		section(fmt.Sprintf("Recorded a review of *%s*'s plan. The next one is due by %s (%s cadence).", format.Mrkdwn(a.Name), c.Date(next), cadenceOf(a))),
	}, c.reviewNoteOffer(a)...)}, nil
}

func cadenceOf(a kam.Account) kam.Cadence {
	if a.Cadence == "" {
		return kam.CadenceMonthly
	}
	return a.Cadence
}

// tacticFacts is a tactic's line: "Joint workshop — Q3 · @ben · due
// 2025-09-30 · overdue".
func tacticFacts(t kam.Tactic, now time.Time, loc *time.Location) string {
	parts := []string{}
	if t.Quarter != "" {
		parts = append(parts, t.Quarter)
	}
	if t.Strategy != 0 {
		parts = append(parts, fmt.Sprintf("strategy %d", t.Strategy))
	}
	if t.OwnerID != "" {
		parts = append(parts, mention(t.OwnerID))
	}
	if !t.Due.IsZero() {
		parts = append(parts, "due "+day(t.Due))
	}
	switch {
	case t.Done:
		parts = append(parts, "done "+format.Date(t.DoneAt, loc))
	case t.Overdue(now):
		parts = append(parts, "*overdue*")
	}
	if len(parts) == 0 {
		return format.Mrkdwn(t.Text)
	}
	return format.Mrkdwn(t.Text) + " — " + strings.Join(parts, " · ")
}

// planBlocks renders the plan as the team would print it: objectives, then
// tactics by quarter, with the review status on top.
func planBlocks(a kam.Account, p kam.Plan, actor Actor) []slack.Block {
	now := actor.Now
	blocks := []slack.Block{header(a.Name + " — account plan")}
	if p.Empty() {
		return append(blocks, section(fmt.Sprintf("No plan yet. Start with the customer's objectives and ours, then the tactics:\n"+
			"`/kam plan %s objective \"Cut logistics cost 10%%\" for=customer`\n"+
			"`/kam plan %s objective \"Become their preferred supplier\"`\n"+
			"`/kam plan %s tactic \"Joint workshop\" quarter=Q3 owner=@ana due=2025-09-30`", a.Slug, a.Slug, a.Slug)))
	}
	due := p.NextReview(cadenceOf(a))
	status := fmt.Sprintf("%s reviews · never reviewed · first review due %s", cadenceOf(a), actor.Date(due))
	if r := p.LastReview; r != nil {
		status = fmt.Sprintf("%s reviews · last reviewed %s by %s · next review due %s", cadenceOf(a), dateText(r.At, actor.Loc), mention(r.UserID), actor.Date(due))
	}
	if now.After(due) {
		status += " · *review overdue*"
	}
	blocks = append(blocks, contextBlock(status))
	if p.LastReview != nil && p.LastReview.Note != "" {
		blocks = append(blocks, contextBlock("Last review: "+format.Mrkdwn(clip(strings.Join(strings.Fields(p.LastReview.Note), " "), 300))))
	}
	blocks = append(blocks, charterBlocks(a, p.Charter)...)
	for _, f := range kam.ObjectiveFors {
		title, empty := "*Customer objectives*", fmt.Sprintf("None yet — `/kam plan %s objective \"…\" for=customer`", a.Slug)
		if f == kam.ForUs {
			title, empty = "*Our objectives*", fmt.Sprintf("None yet — `/kam plan %s objective \"…\"`", a.Slug)
		}
		var lines []string
		for _, o := range p.Objectives {
			if o.For == f {
				lines = append(lines, fmt.Sprintf("%d. %s", len(lines)+1, format.Mrkdwn(o.Text)))
			}
		}
		if len(lines) == 0 {
			lines = []string{empty}
		}
		blocks = append(blocks, listBlocks(title, lines, 3, nil)...)
	}
	blocks = append(blocks, listBlocks("*Strategies*", strategyLines(a, p), 3, nil)...)
	blocks = append(blocks, divider())
	if len(p.Tactics) == 0 {
		blocks = append(blocks, section(fmt.Sprintf("*Tactics*\nNone yet — `/kam plan %s tactic \"…\" quarter=Q3 owner=@ana due=2025-09-30`", a.Slug)))
	}
	done := 0
	quarters := []string{""}
	for _, t := range p.Tactics {
		if !slices.Contains(quarters, t.Quarter) {
			quarters = append(quarters, t.Quarter)
		}
	}
	slices.SortFunc(quarters, kam.CompareQuarters)
	for _, q := range quarters {
		var lines []string
		for _, t := range p.Tactics {
			if t.Quarter != q {
				continue
			}
			box := "☐"
			if t.Done {
				box = "☑"
				done++
			}
			x := t
			x.Quarter = "" // the heading says it
			lines = append(lines, fmt.Sprintf("%s %d. %s", box, t.Number, tacticFacts(x, now, actor.Loc)))
		}
		if len(lines) == 0 {
			continue
		}
		title := "*" + q + " tactics*"
		if q == "" {
			title = "*Tactics without a quarter*"
		}
		blocks = append(blocks, listBlocks(title, lines, 4, nil)...)
	}
	return append(blocks, contextBlock(fmt.Sprintf("%d of %d tactics done · `/kam plan %s done &lt;n&gt;` · `/kam plan %s review`",
		done, len(p.Tactics), a.Slug, a.Slug)))
}
