package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// The strategy charter on the account plan: the situation analysis, the
// customer's SWOT, the barriers and enablers, and the strategies that link
// our objectives to the quarterly tactics (objective → strategy → tactics).

// CharterStore keeps the strategy charter; *store.DB implements it.
type CharterStore interface {
	// AddCharterEntry adds a line, numbered after the last of its kind.
	AddCharterEntry(ctx context.Context, c *kam.CharterEntry, actor string) error
	// AddStrategy adds a strategy, numbered after the last one.
	AddStrategy(ctx context.Context, s *kam.Strategy, actor string) error
	// DropCharterEntry retires line number of a kind ("strategy" for a
	// strategy), returning its text; ENOTFOUND when there is none.
	DropCharterEntry(ctx context.Context, teamID string, accountID int64, kind string, number int, actor string) (string, error)
}

// charterVerbs are the plan verbs of the charter, as typed.
var charterVerbs = func() []string {
	out := make([]string, 0, len(kam.CharterKinds)+2)
	for _, k := range kam.CharterKinds {
		out = append(out, string(k))
	}
	return append(out, "strategy", "drop")
}()

// charterTitles head each kind's lines on the plan.
var charterTitles = map[kam.CharterKind]string{
	kam.CharterSituation:   "Their business",
	kam.CharterChallenge:   "Their challenges",
	kam.CharterStrength:    "Strengths",
	kam.CharterWeakness:    "Weaknesses",
	kam.CharterOpportunity: "Opportunities",
	kam.CharterThreat:      "Threats",
	kam.CharterBarrier:     "Barriers",
	kam.CharterEnabler:     "Enablers",
}

// maxCharterText bounds a charter line: a situation paragraph, not an essay.
const maxCharterText = 600

// method is the engine's store for the KAM method's records, nil when the
// store has none.
func (a *Actor) method() MethodStore { return a.e.method }

// charterStore is the method store as a CharterStore, or an error that
// says the feature is off.
func (c *Call) charterStore() (CharterStore, error) {
	if m := c.method(); m != nil {
		return m, nil
	}
	return nil, kam.Errorf(kam.EINVALID, "The strategy charter is not available on this kambot.")
}

// planCharter adds a line of kind to the charter.
func planCharter(ctx context.Context, c *Call, kind kam.CharterKind) (Reply, error) {
	cs, err := c.charterStore()
	if err != nil {
		return Reply{}, err
	}
	example := fmt.Sprintf(`%s "%s"`, kind, charterExample(kind))
	text, toks, err := quotedTextN(c, string(kind), example, maxCharterText)
	if err != nil {
		return Reply{}, err
	}
	if len(toks) > 0 {
		return Reply{}, c.Usage("A %s takes only its text in quotes, e.g. %s", kind, example)
	}
	e := kam.CharterEntry{TeamID: c.TeamID, AccountID: c.Account.ID, Kind: kind, Text: text}
	if err := cs.AddCharterEntry(ctx, &e, c.UserID); err != nil {
		return Reply{}, userErr(err, "add %s to account %d", kind, c.Account.ID)
	}
	return Reply{Blocks: []slack.Block{
		section(fmt.Sprintf("Added %s %d to *%s*'s charter: %s", kind, e.Number, format.Mrkdwn(c.Account.Name), format.Mrkdwn(e.Text))),
		contextBlock(fmt.Sprintf("`/kam plan %s` shows the plan · `/kam plan %s drop %s %d` takes it off", c.Account.Slug, c.Account.Slug, kind, e.Number)),
	}}, nil
}

// charterExample is a line of each kind as a KAM would write it.
func charterExample(k kam.CharterKind) string {
	switch k {
	case kam.CharterSituation:
		return "Mid-size food processor, 4 plants, growing 8% a year in private label"
	case kam.CharterChallenge:
		return "Energy cost up 30%; pressure on margins"
	case kam.CharterStrength:
		return "Strong brand with retailers"
	case kam.CharterWeakness:
		return "Ageing packaging lines"
	case kam.CharterOpportunity:
		return "Move into plant-based ranges"
	case kam.CharterThreat:
		return "New low-cost competitor in their region"
	case kam.CharterBarrier:
		return "Procurement buys on price alone"
	}
	return "Their COO sponsors the efficiency programme"
}

// planStrategy adds a strategy, linked to one of our objectives by its
// number on the plan.
func planStrategy(ctx context.Context, c *Call) (Reply, error) {
	cs, err := c.charterStore()
	if err != nil {
		return Reply{}, err
	}
	example := `strategy "Win the packaging upgrade through a pilot line" objective=1`
	text, toks, err := quotedTextN(c, "strategy", example, maxCharterText)
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, []string{"objective"}, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	s := kam.Strategy{TeamID: c.TeamID, AccountID: c.Account.ID, Text: text}
	var obj *kam.Objective
	if tok, ok := opts["objective"]; ok {
		if obj, err = c.ourObjective(ctx, tok.Value); err != nil {
			return Reply{}, err
		}
		s.ObjectiveID = obj.ID
	}
	if err := cs.AddStrategy(ctx, &s, c.UserID); err != nil {
		return Reply{}, userErr(err, "add strategy to account %d", c.Account.ID)
	}
	msg := fmt.Sprintf("Added strategy %d to *%s*'s plan: %s", s.Number, format.Mrkdwn(c.Account.Name), format.Mrkdwn(s.Text))
	if obj != nil {
		msg += fmt.Sprintf(" — for the objective “%s”", format.Mrkdwn(obj.Text))
	}
	return Reply{Blocks: []slack.Block{
		section(msg),
		contextBlock(fmt.Sprintf("Link tactics to it: `/kam plan %s tactic \"…\" strategy=%d quarter=Q3`", c.Account.Slug, s.Number)),
	}}, nil
}

// ourObjective resolves objective=<n>: the nth of our objectives as the
// plan numbers them.
func (c *Call) ourObjective(ctx context.Context, v string) (*kam.Objective, error) {
	a := c.Account
	p, err := c.intel().Plan(ctx, c.TeamID, a.ID)
	if err != nil {
		return nil, fmt.Errorf("plan of account %d: %w", a.ID, err)
	}
	var ours []kam.Objective
	for _, o := range p.Objectives {
		if o.For == kam.ForUs {
			ours = append(ours, o)
		}
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(v), "#"))
	switch {
	case len(ours) == 0:
		return nil, kam.Errorf(kam.ENOTFOUND, "%s's plan has none of our objectives yet — add one first: `/kam plan %s objective \"Become their preferred supplier\"`.",
			format.Mrkdwn(a.Name), a.Slug)
	case err != nil || n < 1 || n > len(ours):
		return nil, kam.Errorf(kam.EINVALID, "objective= takes the number of one of our objectives, 1 to %d, as `/kam plan %s` lists them — not “%s”.",
			len(ours), a.Slug, show(v, 20))
	}
	return &ours[n-1], nil
}

// planDrop retires a charter line or a strategy: drop <kind> <n>.
func planDrop(ctx context.Context, c *Call) (Reply, error) {
	cs, err := c.charterStore()
	if err != nil {
		return Reply{}, err
	}
	a := c.Account
	kinds := append(charterVerbs[:len(charterVerbs)-1:len(charterVerbs)-1], "strategy")
	example := fmt.Sprintf("`/kam plan %s drop threat 2`", a.Slug)
	kindTok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || kindTok.Key != "" {
		return Reply{}, kam.Errorf(kam.EINVALID, "Say what to drop and its number, e.g. %s; kinds: %s.", example, strings.Join(kinds, ", "))
	}
	kind := strings.ToLower(kindTok.Value)
	if !contains(kinds, kind) {
		return Reply{}, kam.Errorf(kam.EINVALID, "“%s” is not part of the charter — drop one of %s, e.g. %s.", show(kindTok.Value, 30), strings.Join(kinds, ", "), example)
	}
	numTok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	n := 0
	if ok && numTok.Key == "" {
		n, _ = strconv.Atoi(strings.TrimPrefix(numTok.Value, "#"))
	}
	if n <= 0 {
		return Reply{}, kam.Errorf(kam.EINVALID, "Say which %s by its number on the plan, e.g. `/kam plan %s drop %s 1`.", kind, a.Slug, kind)
	}
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	text, err := cs.DropCharterEntry(ctx, c.TeamID, a.ID, kind, n, c.UserID)
	if kam.ErrorCode(err) == kam.ENOTFOUND {
		return Reply{}, kam.Errorf(kam.ENOTFOUND, "%s's plan has no %s %d — `/kam plan %s` shows the numbers.", format.Mrkdwn(a.Name), kind, n, a.Slug)
	} else if err != nil {
		return Reply{}, userErr(err, "drop %s %d of account %d", kind, n, a.ID)
	}
	return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Dropped %s %d from *%s*'s plan: ~%s~ (kept in its history).",
		kind, n, format.Mrkdwn(a.Name), format.Mrkdwn(clip(text, 200))))}}, nil
}

// quotedTextN is quotedText with its own length limit.
func quotedTextN(c *Call, what, example string, limit int) (string, []Token, error) {
	tok, ok, err := c.Args.Next()
	if err != nil {
		return "", nil, err
	}
	if !ok || tok.Key != "" || !tok.Quoted {
		return "", nil, c.Usage("Put the %s in quotes, e.g. %s", what, example)
	}
	toks, err := c.Args.All()
	if err != nil {
		return "", nil, err
	}
	text, err := CheckText("The "+what, tok.Value, limit, false)
	if err != nil {
		return "", nil, err
	}
	if text == "" {
		return "", nil, c.Usage("The %s is empty — e.g. %s", what, example)
	}
	return text, toks, nil
}

// charterBlocks renders the charter on the plan: the situation analysis,
// the SWOT as a grid, barriers and enablers.
func charterBlocks(a kam.Account, ch kam.Charter) []slack.Block {
	var blocks []slack.Block
	if len(ch.Entries) == 0 {
		return []slack.Block{contextBlock(fmt.Sprintf("No situation analysis or SWOT yet — e.g. `/kam plan %s situation \"…\"`, "+
			"`/kam plan %s strength \"…\"`, `/kam plan %s barrier \"…\"`", a.Slug, a.Slug, a.Slug))}
	}
	lines := func(k kam.CharterKind) string {
		var out []string
		for _, e := range ch.Of(k) {
			out = append(out, fmt.Sprintf("%d. %s", e.Number, format.Mrkdwn(clip(e.Text, 280))))
		}
		if len(out) == 0 {
			return "—"
		}
		return strings.Join(out, "\n")
	}
	for _, k := range []kam.CharterKind{kam.CharterSituation, kam.CharterChallenge} {
		if len(ch.Of(k)) > 0 {
			blocks = append(blocks, section("*"+charterTitles[k]+"*\n"+lines(k)))
		}
	}
	for _, pair := range [][2]kam.CharterKind{{kam.CharterStrength, kam.CharterWeakness}, {kam.CharterOpportunity, kam.CharterThreat}, {kam.CharterBarrier, kam.CharterEnabler}} {
		if len(ch.Of(pair[0]))+len(ch.Of(pair[1])) == 0 {
			continue
		}
		blocks = append(blocks, fields("*"+charterTitles[pair[0]]+"*\n"+clip(lines(pair[0]), 1900), "*"+charterTitles[pair[1]]+"*\n"+clip(lines(pair[1]), 1900)))
	}
	return blocks
}

// strategyLines lists the strategies with their objective and tactics:
// "1. Win the upgrade → objective “Preferred supplier” · tactics 2, 4".
func strategyLines(a kam.Account, p kam.Plan) []string {
	var out []string
	for _, s := range p.Charter.Strategies {
		line := fmt.Sprintf("%d. %s", s.Number, format.Mrkdwn(s.Text))
		for _, o := range p.Objectives {
			if o.ID == s.ObjectiveID {
				line += " → for “" + format.Mrkdwn(clip(o.Text, 80)) + "”"
			}
		}
		var ts []string
		for _, t := range p.Tactics {
			if t.Strategy == s.Number {
				ts = append(ts, strconv.Itoa(t.Number))
			}
		}
		if len(ts) == 0 {
			line += fmt.Sprintf(" · _no tactics yet_ (`tactic \"…\" strategy=%d`)", s.Number)
		} else {
			line += " · " + format.Count(len(ts), "tactic", "tactics") + " " + strings.Join(ts, ", ")
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		out = []string{fmt.Sprintf("None yet — link an objective to tactics: `/kam plan %s strategy \"…\" objective=1`", a.Slug)}
	}
	return out
}

// strategyNumber resolves a tactic's strategy=<n> against the plan.
func (c *Call) strategyNumber(ctx context.Context, v string) (int, error) {
	a := c.Account
	p, err := c.intel().Plan(ctx, c.TeamID, a.ID)
	if err != nil {
		return 0, fmt.Errorf("plan of account %d: %w", a.ID, err)
	}
	ss := p.Charter.Strategies
	if len(ss) == 0 {
		return 0, kam.Errorf(kam.ENOTFOUND, "%s's plan has no strategy yet — add one first: `/kam plan %s strategy \"…\" objective=1`.", format.Mrkdwn(a.Name), a.Slug)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(v), "#"))
	for _, s := range ss {
		if err == nil && s.Number == n {
			return n, nil
		}
	}
	nums := make([]string, len(ss))
	for i, s := range ss {
		nums[i] = strconv.Itoa(s.Number)
	}
	return 0, kam.Errorf(kam.EINVALID, "strategy= takes the number of one of %s's strategies (%s), as `/kam plan %s` lists them — not “%s”.",
		format.Mrkdwn(a.Name), strings.Join(nums, ", "), a.Slug, show(v, 20))
}

// charterFacts gives the brief the plan's charter, strategies first with
// the objective each serves, and the year's revenue target.
func charterFacts(p kam.Plan, year int) ([]brief.CharterLine, int64, int) {
	var out []brief.CharterLine
	for _, s := range p.Charter.Strategies {
		text := s.Text
		for _, o := range p.Objectives {
			if o.ID == s.ObjectiveID {
				text += " (for the objective: " + o.Text + ")"
			}
		}
		out = append(out, brief.CharterLine{Kind: "strategy", Text: text})
	}
	for _, e := range p.Charter.Entries {
		out = append(out, brief.CharterLine{Kind: string(e.Kind), Text: e.Text})
	}
	var target int64
	if t, ok := p.Targets.For(year); ok {
		target = t.Amount
	}
	return out, target, year
}
