package commands

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// runOpp adds an opportunity to the account's pipeline.
func runOpp(ctx context.Context, c *Call) (Reply, error) {
	verb, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || verb.Key != "" || !strings.EqualFold(verb.Value, "add") {
		return Reply{}, c.Usage("Say add and the opportunity's name")
	}
	first, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		if r, opened := c.openOppForm(ctx); opened {
			return r, nil
		}
	}
	if !ok || first.Key != "" {
		return Reply{}, c.Usage("Name the opportunity")
	}
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	if !first.Quoted {
		words := []string{first.Value}
		for _, t := range toks {
			if t.Key == "" {
				words = append(words, t.Value)
			}
		}
		if len(words) > 1 {
			return Reply{}, kam.Errorf(kam.EINVALID, "Put a name with spaces in quotes: `/kam opp %s add \"%s\" …`.",
				c.Account.Slug, show(strings.Join(words, " "), kam.MaxNameLen))
		}
	}
	name, err := checkName("The opportunity name", first.Value)
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, []string{"value", "close", "owner"}, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	a := c.Account
	o := kam.Opportunity{
		TeamID:    c.TeamID,
		AccountID: a.ID,
		Name:      name,
		OwnerID:   c.UserID,
		Stage:     kam.StageIdentified,
		CreatedAt: c.Now,
	}
	if t, ok := opts["value"]; ok {
		if o.Value, err = ParseMoney(t.Value); err != nil {
			return Reply{}, err
		}
	}
	if t, ok := opts["close"]; ok {
		if o.CloseDate, err = ParseDate(t.Value); err != nil {
			return Reply{}, err
		}
	}
	if t, ok := opts["owner"]; ok {
		if o.OwnerID, err = c.User(ctx, t, "owner=@ana"); err != nil {
			return Reply{}, err
		}
	}
	msg, err := c.addOpportunity(ctx, a, o)
	if err != nil {
		return Reply{}, err
	}
	next := fmt.Sprintf("Move it with `/kam stage %s \"%s\" qualified`", a.Slug, format.Mrkdwn(o.Name))
	return Reply{Blocks: []slack.Block{section(msg), contextBlock(next)}}, nil
}

// addOpportunity stores a new opportunity and returns the confirmation.
func (a *Actor) addOpportunity(ctx context.Context, acct kam.Account, o kam.Opportunity) (string, error) {
	if err := a.Store().AddOpportunity(ctx, &o, a.UserID); err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return "", err
		}
		return "", fmt.Errorf("add opportunity %q to account %d: %w", o.Name, acct.ID, err)
	}
	// "Added opportunity *Renewal 2027* to Globex Corp — identified · $250k · closes 2027-03-31"
	line := oppLine(o, a.Now, "", a.Currency())
	name, facts, _ := strings.Cut(line, " — ")
	msg := fmt.Sprintf("Added opportunity %s to *%s* — %s.", name, format.Mrkdwn(acct.Name), facts)
	if overdue(o, a.Now) {
		msg += " Its close date has already passed — change it when you know more."
	}
	return msg, nil
}

// runStage moves an opportunity to another stage and posts the move to the
// account's channel.
func runStage(ctx context.Context, c *Call) (Reply, error) {
	oppTok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		if r, opened := c.openStageForm(ctx); opened {
			return r, nil
		}
	}
	if !ok || oppTok.Key != "" {
		return Reply{}, c.Usage("Which opportunity? Quote its name")
	}
	stageTok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || stageTok.Key != "" {
		return Reply{}, c.Usage("Which stage? Use %s", kam.Names(kam.Stages))
	}
	to, err := parseStage(stageTok.Value)
	if err != nil {
		if !oppTok.Quoted {
			return Reply{}, kam.Errorf(kam.EINVALID, "%s If the opportunity's name has spaces, quote it: `/kam stage %s \"%s %s\" pursuing`.",
				ErrorText(err), c.Account.Slug, show(oppTok.Value, 40), show(stageTok.Value, 40))
		}
		return Reply{}, err
	}
	// go="…" is the reason of a go decision at the qualification gate.
	goReason, rest, err := goOption(c.Args.Rest())
	if err != nil {
		return Reply{}, err
	}
	note, err := freeText(rest, "The note", kam.MaxSummaryLen)
	if err != nil {
		return Reply{}, err
	}
	o, err := c.findOpportunity(ctx, oppTok.Value)
	if err != nil {
		return Reply{}, err
	}
	if o.Stage == to {
		return Reply{}, kam.Errorf(kam.EINVALID, "*%s* is already %s — pick another stage: %s.", format.Mrkdwn(o.Name), to, kam.Names(kam.Stages))
	}
	note, gateRep, err := c.gate(ctx, o, to, goReason, note)
	if err != nil || gateRep != nil {
		return derefReply(gateRep), err
	}
	return c.moveOpportunity(ctx, c.Account, o, to, note)
}

// moveOpportunity moves o to stage to with the note and words the reply.
func (c *Actor) moveOpportunity(ctx context.Context, a kam.Account, o kam.Opportunity, to kam.Stage, note string) (Reply, error) {
	msg, err := c.moveStage(ctx, a, o, to, note)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Blocks: []slack.Block{section(msg)}}, nil
}

// moveStage moves an opportunity, queues the channel post of the move in
// the same transaction, and returns the confirmation.
func (a *Actor) moveStage(ctx context.Context, acct kam.Account, o kam.Opportunity, to kam.Stage, note string) (string, error) {
	noteText := ""
	if note != "" {
		noteText = ": " + format.Mrkdwn(clip(strings.Join(strings.Fields(note), " "), confirmSummaryLen))
	}
	postBlocks := []slack.Block{section(fmt.Sprintf("%s moved *%s* (%s) from %s to *%s*%s",
		mention(a.UserID), format.Mrkdwn(o.Name), format.Mrkdwn(acct.Name), o.Stage, to, noteText))}
	post := channelPost(a, acct, kam.StageChange.PostKey, func(kam.StageChange) []slack.Block { return postBlocks })
	if _, err := a.Store().MoveStage(ctx, a.TeamID, o.ID, to, a.UserID, note, a.Now, post); err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return "", err
		}
		return "", fmt.Errorf("move opportunity %d to %s: %w", o.ID, to, err)
	}
	if post != nil {
		a.Wake()
	}
	msg := fmt.Sprintf("Moved *%s* to *%s* (was %s)%s.", format.Mrkdwn(o.Name), to, o.Stage, noteText)
	if to.Won() && !o.Stage.Won() {
		msg += " :tada: Won."
	}
	return msg, nil
}

// parseStage reads a stage, accepting "nogo" and "no_go" for no-go.
func parseStage(s string) (kam.Stage, error) {
	norm := strings.NewReplacer("_", "-", " ", "-").Replace(strings.ToLower(strings.TrimSpace(s)))
	if norm == "nogo" {
		norm = string(kam.StageNoGo)
	}
	if st, ok := kam.ParseEnum(norm, kam.Stages); ok {
		return st, nil
	}
	return ParseEnum("stage", s, kam.Stages)
}

// findOpportunity resolves an opportunity of the call's account by name or
// unique prefix, case-insensitively.
func (c *Call) findOpportunity(ctx context.Context, query string) (kam.Opportunity, error) {
	a := c.Account
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return kam.Opportunity{}, c.Usage("Which opportunity? Quote its name")
	}
	all, err := c.Store().Opportunities(ctx, c.TeamID, a.ID, false)
	if err != nil {
		return kam.Opportunity{}, fmt.Errorf("opportunities of account %d: %w", a.ID, err)
	}
	var prefixed []kam.Opportunity
	for _, o := range all {
		name := strings.ToLower(o.Name)
		if name == q {
			return o, nil
		}
		if strings.HasPrefix(name, q) {
			prefixed = append(prefixed, o)
		}
	}
	switch len(prefixed) {
	case 1:
		return prefixed[0], nil
	case 0:
	default:
		slices.SortFunc(prefixed, func(a, b kam.Opportunity) int {
			return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		})
		names := make([]string, 0, maxCandidates)
		for i, o := range prefixed {
			if i == maxCandidates {
				names = append(names, "…")
				break
			}
			names = append(names, format.Mrkdwn(o.Name))
		}
		return kam.Opportunity{}, kam.Errorf(kam.EINVALID, "“%s” matches %s — type more of the name.", show(query, 40), strings.Join(names, ", "))
	}
	if len(all) == 0 {
		return kam.Opportunity{}, kam.Errorf(kam.ENOTFOUND, "%s has no opportunities yet — add one with `/kam opp %s add \"&lt;name&gt;\"`.", format.Mrkdwn(a.Name), a.Slug)
	}
	names := make([]string, len(all))
	for i, o := range all {
		names[i] = strings.ToLower(o.Name)
	}
	if s := closest(q, names); s != "" {
		for _, o := range all {
			if strings.ToLower(o.Name) == s {
				return kam.Opportunity{}, kam.Errorf(kam.ENOTFOUND, "No opportunity “%s” on %s — did you mean %s?", show(query, 40), format.Mrkdwn(a.Name), format.Mrkdwn(o.Name))
			}
		}
	}
	return kam.Opportunity{}, kam.Errorf(kam.ENOTFOUND, "No opportunity “%s” on %s — `/kam pipeline %s` lists them.", show(query, 40), format.Mrkdwn(a.Name), a.Slug)
}

// runPipeline shows open opportunities by stage for one account, or for the
// caller's accounts (every account for admins).
func runPipeline(ctx context.Context, c *Call) (Reply, error) {
	tok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	all := ok && tok.Key == "" && !tok.Quoted && strings.EqualFold(tok.Value, "all")
	if ok && !all {
		if tok.Key != "" {
			return Reply{}, c.Usage("Unexpected “%s”", show(tok.String(), 40))
		}
		acct, _, err := c.ResolveAccount(ctx, tok.Value, AccessTeamOrAdmin, "see its pipeline")
		if err != nil {
			return Reply{}, err
		}
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		opps, err := c.Store().Opportunities(ctx, c.TeamID, acct.ID, false)
		if err != nil {
			return Reply{}, fmt.Errorf("opportunities of account %d: %w", acct.ID, err)
		}
		return c.withVelocity(ctx, pipelineBlocks("Pipeline — "+acct.Name, opps, nil, c.Actor, acct.Slug), opps)
	}

	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	// One scope rule with /kam health and /kam accounts: your accounts,
	// and every account with `all`, for admins.
	accts, title, err := c.scopedAccounts(ctx, all, "Pipeline", "see every account's pipeline")
	if err != nil {
		return Reply{}, err
	}
	if len(accts) == 0 {
		msg := "You're not on any account's team yet, so there is no pipeline to show. An admin adds you with `/kam team &lt;account&gt; add @you`."
		if c.Admin && !all {
			msg = "You're not on any account's team. As an admin, `/kam pipeline all` shows every account's pipeline."
		}
		return Reply{Blocks: []slack.Block{header(title), section(msg)}}, nil
	}
	names := make(map[int64]string, len(accts))
	ids := make([]int64, len(accts))
	for i, a := range accts {
		names[a.ID], ids[i] = a.Name, a.ID
	}
	// `all` (admins) reads the workspace's pipeline; anything else only the
	// listed accounts' opportunities.
	var opps []kam.Opportunity
	if all {
		opps, err = c.Store().Opportunities(ctx, c.TeamID, 0, false)
	} else {
		opps, err = c.Store().AccountsOpportunities(ctx, c.TeamID, ids)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("opportunities of %d accounts: %w", len(ids), err)
	}
	return c.withVelocity(ctx, pipelineBlocks(fmt.Sprintf("%s (%d)", title, len(accts)), opps, names, c.Actor, ""), opps)
}

// pipelineBlocks renders a pipeline. names maps account IDs to names when
// it spans several accounts (nil for one); slug is the single account's.
func pipelineBlocks(title string, opps []kam.Opportunity, names map[int64]string, actor Actor, slug string) []slack.Block {
	now, cur := actor.Now, actor.Currency()
	type tally struct {
		n        int
		value    int64
		weighted float64
	}
	byStage := map[kam.Stage][]kam.Opportunity{}
	var open, won, lost tally
	var nogo, late int
	for _, o := range opps {
		switch {
		case o.Stage.Open():
			byStage[o.Stage] = append(byStage[o.Stage], o)
			open.n++
			open.value += o.Value
			open.weighted += float64(o.Value) * o.Stage.Probability()
			if overdue(o, now) {
				late++
			}
		case o.Stage.Won():
			won.n++
			won.value += o.Value
		case o.Stage == kam.StageLost:
			lost.n++
			lost.value += o.Value
		case o.Stage == kam.StageNoGo:
			nogo++
		}
	}
	fs := []string{
		fmt.Sprintf("*Open*\n%d · %s", open.n, cur.Money(open.value)),
		fmt.Sprintf("*Weighted forecast*\n%s", cur.Money(int64(math.Round(open.weighted)))),
		fmt.Sprintf("*Won*\n%d · %s", won.n, cur.Money(won.value)),
		fmt.Sprintf("*Lost*\n%d · %s", lost.n, cur.Money(lost.value)),
	}
	if nogo > 0 {
		fs = append(fs, fmt.Sprintf("*No-go*\n%d", nogo))
	}
	if late > 0 {
		fs = append(fs, fmt.Sprintf("*Past close date*\n%d :warning:", late))
	}
	blocks := append([]slack.Block{header(title), fields(fs...)}, pipelineChart(opps, cur)...)

	if open.n == 0 {
		target := "&lt;account&gt;"
		if slug != "" {
			target = slug
		}
		blocks = append(blocks, section(fmt.Sprintf("No open opportunities. Add one with `/kam opp %s add \"&lt;name&gt;\" value=250k close=YYYY-MM-DD`.", target)))
	}
	for _, st := range kam.Stages {
		list := byStage[st]
		if len(list) == 0 {
			continue
		}
		// Soonest close first; undated last.
		slices.SortStableFunc(list, func(a, b kam.Opportunity) int {
			switch {
			case a.CloseDate.IsZero() != b.CloseDate.IsZero():
				if a.CloseDate.IsZero() {
					return 1
				}
				return -1
			case !a.CloseDate.Equal(b.CloseDate):
				return a.CloseDate.Compare(b.CloseDate)
			}
			return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		})
		var t tally
		lines := make([]string, len(list))
		for i, o := range list {
			t.value += o.Value
			t.weighted += float64(o.Value) * st.Probability()
			lines[i] = "• " + oppLine(o, now, names[o.AccountID], cur)
		}
		head := fmt.Sprintf("*%s* · %d · %s · weighted %s (%.0f%%)", stageTitle(st), len(list), cur.Money(t.value),
			cur.Money(int64(math.Round(t.weighted))), st.Probability()*100)
		blocks = append(blocks, listBlocks(head, lines, 2, nil)...)
	}
	blocks = append(blocks, contextBlock("Forecast weights: "+stageWeights()+"."))
	return blocks
}

// stageTitle capitalises a stage for a heading.
func stageTitle(s kam.Stage) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}
