package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// scoreCallbackID is the callback_id of the scoring modal.
const scoreCallbackID = "kam_score"

// scoreActionID is the action_id of every factor's select in the modal;
// the block_id says which factor it is.
const scoreActionID = "score"

// scoreHistoryLen is how many scorings `/kam score <account> history` lists.
const scoreHistoryLen = 10

// quadrantAdvice says what each quadrant calls for.
var quadrantAdvice = map[kam.Quadrant]string{
	kam.QuadrantStrategic:     "invest",
	kam.QuadrantDevelop:       "build our strength",
	kam.QuadrantMaintain:      "serve efficiently",
	kam.QuadrantOpportunistic: "candidate for de-selection at the yearly review",
}

// factorHints explain the book's factors whose direction is not obvious,
// by factor ID (a rename keeps the meaning).
var factorHints = map[int]string{
	9: "Low competition scores high: competition=5 means little competition.",
	8: "They value our offer and it fits their needs.",
	5: "How close our existing relationship is.",
	7: "How early they adopt new offers.",
}

func scoreCommand() Command {
	return Command{
		Name:    "score",
		Usage:   "score <account> [<factor>=<1-5> …] | score <account> history",
		Summary: "Score an account on the selection matrix, or see its position and movement.",
		Details: "The factors are the workspace's selection criteria (`/kam criteria` lists them); by default the book's 19:\n" +
			"*Customer attractiveness*: " + strings.Join(kam.DefaultCriteria().Keys(kam.AxisAttractiveness), ", ") + ".\n" +
			"*Our relative strength*: " + strings.Join(kam.DefaultCriteria().Keys(kam.AxisStrength), ", ") + ".\n" +
			"Each factor is 1–5; factors you leave out keep their last score. An account is placed once every factor (with a weight above 0) is scored. Each axis is the weighted mean of " +
			"(score − 1)/4, as 0–100; at 50 or more an axis counts as high. Quadrants: strategic (high/high: invest), " +
			"develop (attractive, we are weak), maintain (less attractive, we are strong), opportunistic (low/low). " +
			"With no factors, a form opens with the last scores filled in. Every scoring is kept with who scored and when, " +
			"and with the criteria it was scored under: old scorings keep their factors and weights when the criteria change. " +
			"Yearly selection review: `/kam accounts all sort=quadrant`, or `quadrant=opportunistic` for the de-selection candidates.",
		Examples: []string{"score acme size=4 growth=5 trust=3", "score acme", "score acme history"},
		Access:   AccessTeamOrAdmin,
		Account:  true,
		Action:   "see the account's selection score",
		Run:      runScore,
	}
}

func runScore(ctx context.Context, c *Call) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	if len(toks) == 1 && toks[0].Key == "" && strings.EqualFold(toks[0].Value, "history") {
		return scoreHistory(ctx, c)
	}
	sets, err := c.intel().CriteriaSets(ctx, c.TeamID)
	if err != nil {
		return Reply{}, fmt.Errorf("read criteria: %w", err)
	}
	crit := sets.Current()
	update := kam.Scores{}
	for _, t := range toks {
		if t.Key == "" {
			return Reply{}, c.Usage("Unexpected “%s” — give scores as factor=1..5, e.g. %s=4", show(t.String(), 40), crit.Factors[0].Key)
		}
		f, n, err := crit.ParseScore(t.Key, t.Value)
		if err != nil {
			return Reply{}, retiredFactor(sets, t.Key, err)
		}
		if _, dup := update[f.Key]; dup {
			return Reply{}, kam.Errorf(kam.EINVALID, "%s= is given twice — give each factor once.", f.Key)
		}
		update[f.Key] = n
	}
	a := c.Account
	if len(update) == 0 {
		return scoreCard(ctx, c, a)
	}
	if err := c.Allow(a, c.Role, AccessTeam, "score the account"); err != nil {
		return Reply{}, err
	}
	s := kam.Scoring{TeamID: c.TeamID, AccountID: a.ID, UserID: c.UserID, Scores: update}
	if err := c.intel().SaveScoring(ctx, &s, c.UserID); err != nil {
		return Reply{}, userErr(err, "score account %d", a.ID)
	}
	st, err := c.scoreState(ctx, a)
	if err != nil {
		return Reply{}, err
	}
	lead := fmt.Sprintf("Scored *%s*: %s.", format.Mrkdwn(a.Name), scoreList(crit, update))
	if !st.cur.Rated {
		lead += fmt.Sprintf(" %d of %d factors scored: it is placed on the matrix once every factor is.", st.cur.Scored, st.cur.Needed)
	}
	return Reply{Blocks: append([]slack.Block{section(lead)}, st.blocks(a, c.Loc)...)}, nil
}

// scoreCard shows the position and, for the team when Slack gave a
// trigger, opens the scoring form first (the trigger lasts 3 seconds).
func scoreCard(ctx context.Context, c *Call, a kam.Account) (Reply, error) {
	st, err := c.scoreState(ctx, a)
	if err != nil {
		return Reply{}, err
	}
	blocks := st.blocks(a, c.Loc)
	if c.Role == "" {
		return Reply{Blocks: blocks}, nil
	}
	if c.Views() == nil || c.Request.TriggerID == "" {
		return Reply{Blocks: append(blocks, contextBlock(fmt.Sprintf("Score it: `/kam score %s %s`", a.Slug, exampleScores(st.crit))))}, nil
	}
	if err := c.Views().OpenView(ctx, c.Request.TriggerID, scoreModal(a, st.crit, st.latest())); err != nil {
		c.Logger().Warn("open scoring form", "team", c.TeamID, "account", a.ID, "err", err)
		return Reply{Blocks: append(blocks, contextBlock(fmt.Sprintf(
			"I couldn't open the scoring form — type the scores instead: `/kam score %s %s`", a.Slug, exampleScores(st.crit))))}, nil
	}
	return Reply{Blocks: append(blocks, contextBlock("The scoring form is open; the last scores are filled in."))}, nil
}

// retiredFactor words an unknown factor of /kam score: one that an older
// version of the criteria had says so, with today's factors; others keep
// the error that lists today's factors.
func retiredFactor(sets kam.CriteriaSets, key string, err error) error {
	old, f, ok := sets.Retired(key)
	if !ok || kam.ErrorCode(err) != kam.EINVALID {
		return err
	}
	cur := sets.Current()
	when := "the book's default set"
	if old.Version > 0 {
		when = fmt.Sprintf("criteria version %d", old.Version)
	}
	return kam.Errorf(kam.EINVALID, "%s (%s) is no longer a selection factor: it was in %s, and today's criteria (version %d) do not have it. "+
		"Score today's factors — attractiveness: %s; strength: %s. `/kam criteria` lists them.",
		f.Key, format.Plain(f.Label), when, cur.Version,
		strings.Join(cur.Keys(kam.AxisAttractiveness), ", "), strings.Join(cur.Keys(kam.AxisStrength), ", "))
}

// scoreState is an account's selection scoring. Each scoring is evaluated
// under the criteria it was made with, so history reads as it was scored.
type scoreState struct {
	sets      kam.CriteriaSets
	crit      kam.Criteria  // today's criteria
	history   []kam.Scoring // newest first
	cur, prev kam.Position
}

func (a *Actor) scoreState(ctx context.Context, acct kam.Account) (scoreState, error) {
	var st scoreState
	var err error
	if st.sets, err = a.intel().CriteriaSets(ctx, a.TeamID); err != nil {
		return st, fmt.Errorf("read criteria: %w", err)
	}
	st.crit = st.sets.Current()
	if st.history, err = a.intel().Scorings(ctx, a.TeamID, acct.ID, 0); err != nil {
		return st, fmt.Errorf("read scorings of account %d: %w", acct.ID, err)
	}
	if len(st.history) > 0 {
		st.cur = st.sets.Evaluate(st.history[0])
	}
	if len(st.history) > 1 {
		st.prev = st.sets.Evaluate(st.history[1])
	}
	return st, nil
}

// positions returns the account's current position and its scoring state.
func (a *Actor) positions(ctx context.Context, acct kam.Account) (kam.Position, scoreState, error) {
	st, err := a.scoreState(ctx, acct)
	return st.cur, st, err
}

// latest returns the latest scores carried onto today's criteria: what
// the form fills in and what a new scoring builds on.
func (st scoreState) latest() kam.Scores {
	if len(st.history) == 0 {
		return kam.Scores{}
	}
	last := st.history[0]
	return st.crit.Carry(last.Scores, st.sets.Of(last.Criteria))
}

// blocks renders the score card: quadrant, axes, the previous position and
// the movement, then every factor.
func (st scoreState) blocks(a kam.Account, loc *time.Location) []slack.Block {
	blocks := []slack.Block{header(a.Name + " — selection matrix")}
	if len(st.history) == 0 {
		return append(blocks, section(fmt.Sprintf("Not scored yet. Score the %d attractiveness and %d strength factors 1–5: `/kam score %s %s`, or `/kam score %s` for the form.",
			len(st.crit.Keys(kam.AxisAttractiveness)), len(st.crit.Keys(kam.AxisStrength)), a.Slug, exampleScores(st.crit), a.Slug)))
	}
	cur := st.history[0]
	set := st.sets.Of(cur.Criteria)
	quadrant := fmt.Sprintf("not placed yet — %d of %d factors scored; placed once every factor is", st.cur.Scored, st.cur.Needed)
	if st.cur.Rated {
		quadrant = fmt.Sprintf("*%s* — %s", st.cur.Quadrant, quadrantAdvice[st.cur.Quadrant])
	}
	axis := func(v float64, axis kam.Axis) string {
		if st.cur.Rated {
			return num1(v) + " / 100"
		}
		return "—"
	}
	prev, move := "first scoring", "—"
	if len(st.history) > 1 {
		p := st.history[1]
		where := "not placed"
		if st.prev.Rated {
			where = fmt.Sprintf("%s (%s / %s)", st.prev.Quadrant, num1(st.prev.Attractiveness), num1(st.prev.Strength))
		}
		prev = fmt.Sprintf("%s — %s, %s", where, mention(p.UserID), dateText(p.At, loc))
		if st.prev.Rated && st.cur.Rated {
			move = kam.Move(st.prev, st.cur).String()
		}
	}
	blocks = append(blocks,
		fields(
			"*Quadrant*\n"+quadrant,
			"*Movement*\n"+move,
			"*Customer attractiveness*\n"+axis(st.cur.Attractiveness, kam.AxisAttractiveness),
			"*Our relative strength*\n"+axis(st.cur.Strength, kam.AxisStrength),
			fmt.Sprintf("*Scored*\n%s, %s", mention(cur.UserID), dateText(cur.At, loc)),
			"*Before*\n"+prev,
		),
		section("*Attractiveness factors*\n"+factorLine(cur.Scores, set, kam.AxisAttractiveness)),
		section("*Strength factors*\n"+factorLine(cur.Scores, set, kam.AxisStrength)),
	)
	if cur.Criteria != st.crit.Version {
		blocks = append(blocks, contextBlock(fmt.Sprintf("Scored under %s; today's criteria are version %d — the next scoring uses them (`/kam criteria`).",
			criteriaName(set), st.crit.Version)))
	}
	return append(blocks, contextBlock(fmt.Sprintf("%s · %s kept · `/kam score %s history` · `/kam criteria`",
		criteriaName(set), plural(len(st.history), "scoring", "scorings"), a.Slug)))
}

// criteriaName names a criteria version for people: "the book's criteria"
// or "criteria version 3".
func criteriaName(c kam.Criteria) string {
	if c.Version == 0 {
		return "the book's criteria"
	}
	return fmt.Sprintf("criteria version %d", c.Version)
}

// exampleScores is a scoring example in a set's own factors: "size=4
// growth=3 …".
func exampleScores(c kam.Criteria) string {
	keys := c.Keys("")
	if len(keys) > 2 {
		keys = keys[:2]
	}
	var parts []string
	for i, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, 4-i))
	}
	return strings.Join(parts, " ") + " …"
}

// factorLine lists an axis's factors of a set with their scores: "Size 4
// · Growth potential – · …", with the weight when it is not 1.
func factorLine(s kam.Scores, c kam.Criteria, axis kam.Axis) string {
	var parts []string
	for _, f := range c.Axis(axis) {
		v := "–"
		if n, ok := s[f.Key]; ok {
			v = strconv.Itoa(n)
		}
		part := fmt.Sprintf("%s *%s*", format.Mrkdwn(f.Label), v)
		if f.Weight != 1 {
			part += fmt.Sprintf(" (×%s)", strconv.FormatFloat(f.Weight, 'f', -1, 64))
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " · ")
}

// scoreList renders scores as typed, in the set's order: "size=4, trust=3".
func scoreList(c kam.Criteria, s kam.Scores) string {
	var parts []string
	for _, k := range sortedFactors(c, s) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, s[k]))
	}
	return strings.Join(parts, ", ")
}

func scoreHistory(ctx context.Context, c *Call) (Reply, error) {
	st, err := c.scoreState(ctx, c.Account)
	if err != nil {
		return Reply{}, err
	}
	a := c.Account
	blocks := []slack.Block{header(a.Name + " — scoring history")}
	if len(st.history) == 0 {
		return Reply{Blocks: append(blocks, section(fmt.Sprintf("Not scored yet — `/kam score %s size=4 …`.", a.Slug)))}, nil
	}
	var lines []string
	for i, s := range st.history {
		if i == scoreHistoryLen {
			break
		}
		p := st.sets.Evaluate(s)
		where := "not placed"
		if p.Rated {
			where = fmt.Sprintf("*%s* (%s / %s)", p.Quadrant, num1(p.Attractiveness), num1(p.Strength))
		}
		set := make(kam.Scores, len(s.Changed))
		for _, k := range s.Changed {
			set[k] = s.Scores[k]
		}
		line := fmt.Sprintf("• %s %s — %s · set %s", dateText(s.At, c.Loc), mention(s.UserID), where, scoreList(st.sets.Of(s.Criteria), set))
		if s.Criteria != st.crit.Version {
			line += " · " + criteriaName(st.sets.Of(s.Criteria))
		}
		lines = append(lines, line)
	}
	blocks = append(blocks, listBlocks("", lines, 3, nil)...)
	return Reply{Blocks: append(blocks, contextBlock(fmt.Sprintf("%s kept, newest first; each position uses the criteria it was scored under.",
		plural(len(st.history), "scoring", "scorings"))))}, nil
}

// scoreMeta is the scoring modal's private_metadata.
type scoreMeta struct {
	Account int64 `json:"account"`
}

var scoreLabels = []string{"1 — very low", "2 — low", "3 — medium", "4 — high", "5 — very high"}

// scoreModal is the scoring form: one select per factor of today's
// criteria, pre-filled with the last scores. Every select is optional: one
// left empty keeps its score.
func scoreModal(a kam.Account, crit kam.Criteria, last kam.Scores) slack.ModalViewRequest {
	opts := make([]*slack.OptionBlockObject, len(scoreLabels))
	for i, l := range scoreLabels {
		opts[i] = slack.NewOptionBlockObject(strconv.Itoa(i+1), slack.NewTextBlockObject(slack.PlainTextType, l, false, false), nil)
	}
	blocks := []slack.Block{
		section(fmt.Sprintf("Score *%s* from 1 (low) to 5 (high). Each axis becomes 0–100; a factor left empty keeps its last score.", format.Mrkdwn(a.Name))),
	}
	for _, axis := range []kam.Axis{kam.AxisAttractiveness, kam.AxisStrength} {
		title := "*Customer attractiveness*"
		if axis == kam.AxisStrength {
			title = "*Our relative strength* (as the customer sees it)"
		}
		blocks = append(blocks, section(title))
		for _, f := range crit.Axis(axis) {
			sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slack.NewTextBlockObject(slack.PlainTextType, "1–5", false, false), scoreActionID, opts...)
			if v, ok := last[f.Key]; ok && v >= kam.MinScore && v <= kam.MaxScore {
				sel.InitialOption = opts[v-1]
			}
			var hint *slack.TextBlockObject
			if h := factorHints[f.ID]; h != "" {
				hint = slack.NewTextBlockObject(slack.PlainTextType, h, false, false)
			}
			in := slack.NewInputBlock(factorBlockID(f.Key), slack.NewTextBlockObject(slack.PlainTextType, format.Plain(f.Label), false, false), hint, sel)
			in.Optional = true
			blocks = append(blocks, in)
		}
	}
	meta, _ := json.Marshal(scoreMeta{Account: a.ID}) // a struct of one int64 always marshals
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      scoreCallbackID,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, clip("Score "+format.Plain(a.Name), 24), false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Save scores", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		PrivateMetadata: string(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func factorBlockID(key string) string { return "factor:" + key }

// submitScoreView saves the scoring form. Bad values stay in the form as
// errors under their field; nothing is saved unless every value is good.
func submitScoreView(ctx context.Context, in *Interaction) (InteractionReply, error) {
	v := in.Callback.View
	var meta scoreMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.Account <= 0 {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "This form is out of date — run `/kam score` with the account again.")
	}
	if in.intel() == nil {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "Scoring is not available on this kambot.")
	}
	a, _, err := in.AccountByID(ctx, meta.Account, AccessTeam, "score the account")
	if err != nil {
		return InteractionReply{}, err
	}
	before, err := in.scoreState(ctx, a)
	if err != nil {
		return InteractionReply{}, err
	}
	picked := kam.Scores{}
	bad := FieldErrors{}
	if v.State != nil {
		for blockID, actions := range v.State.Values {
			key, ok := strings.CutPrefix(blockID, "factor:")
			if !ok {
				continue
			}
			act, ok := actions[scoreActionID]
			if !ok || act.SelectedOption.Value == "" {
				continue
			}
			f, n, err := before.crit.ParseScore(key, act.SelectedOption.Value)
			if err != nil {
				bad[blockID] = clip(ErrorText(err), 150)
				continue
			}
			picked[f.Key] = n
		}
	}
	if len(bad) > 0 {
		return InteractionReply{}, bad
	}
	if len(picked) == 0 {
		return InteractionReply{}, FieldErrors{factorBlockID(before.crit.Factors[0].Key): "Pick a score for at least one factor."}
	}
	// The form is pre-filled: save what changed, or, when nothing did,
	// every value as a confirmed re-scoring (the yearly review counts).
	changed := kam.Scores{}
	last := before.latest()
	for k, n := range picked {
		if old, ok := last[k]; !ok || old != n {
			changed[k] = n
		}
	}
	if len(changed) == 0 {
		changed = picked
	}
	s := kam.Scoring{TeamID: in.TeamID, AccountID: a.ID, UserID: in.UserID, Scores: changed}
	if err := in.intel().SaveScoring(ctx, &s, in.UserID); err != nil {
		return InteractionReply{}, userErr(err, "score account %d", a.ID)
	}
	after, err := in.scoreState(ctx, a)
	if err != nil {
		return InteractionReply{}, err
	}
	msg := fmt.Sprintf("Saved %s for *%s*.", plural(len(changed), "score", "scores"), format.Mrkdwn(a.Name))
	if after.cur.Rated {
		msg += fmt.Sprintf(" It is *%s* (%s / %s)", after.cur.Quadrant, num1(after.cur.Attractiveness), num1(after.cur.Strength))
		if len(after.history) > 1 {
			msg += ": " + kam.Move(after.prev, after.cur).String()
		}
		msg += "."
	}
	done := slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Scores saved", false, false),
		Close:  slack.NewTextBlockObject(slack.PlainTextType, "Done", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(msg), contextBlock(fmt.Sprintf("`/kam score %s` shows the card.", a.Slug))}},
	}
	return InteractionReply{Ack: slack.NewUpdateViewSubmissionResponse(&done)}, nil
}

func weightsCommand() Command {
	return Command{
		Name:    "weights",
		Usage:   "weights [<factor>=<0-10> … | reset]",
		Summary: "See the selection matrix's factor weights; admins change them.",
		Details: "Weights are part of the workspace's selection criteria (`/kam criteria`) and start equal (1). A weight from 0 " +
			"(kept but not counted) to 10 is relative: each axis is the weighted mean of its factors, so a factor's share of " +
			"its axis is its weight ÷ the axis's total. Each axis keeps at least one factor above 0. A change makes a new " +
			"criteria version: scorings already made keep the weights they were scored under. Changes are kept in the audit log.",
		Examples: []string{"weights", "weights size=2 growth=3 trust=2", "weights reset"},
		Run:      runWeights,
	}
}

func runWeights(ctx context.Context, c *Call) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	reset := len(toks) == 1 && toks[0].Key == "" && strings.EqualFold(toks[0].Value, "reset")
	if len(toks) > 0 {
		if err := c.Allow(kam.Account{}, "", AccessAdmin, "change the selection weights"); err != nil {
			return Reply{}, err
		}
	}
	crit, err := c.intel().Criteria(ctx, c.TeamID)
	if err != nil {
		return Reply{}, fmt.Errorf("read criteria: %w", err)
	}
	var lead string
	switch {
	case reset:
		set := kam.Weights{}
		for _, f := range crit.Factors {
			set[f.Key] = 1
		}
		if crit, err = c.intel().ChangeCriteria(ctx, c.TeamID, kam.CriteriaChange{Op: kam.CriteriaWeight, Weights: set}, c.UserID); err != nil {
			return Reply{}, userErr(err, "reset weights")
		}
		lead = fmt.Sprintf("Every weight is back to 1 (criteria version %d).", crit.Version)
	case len(toks) > 0:
		set, err := parseWeights(c, crit, toks)
		if err != nil {
			return Reply{}, err
		}
		if crit, err = c.intel().ChangeCriteria(ctx, c.TeamID, kam.CriteriaChange{Op: kam.CriteriaWeight, Weights: set}, c.UserID); err != nil {
			return Reply{}, userErr(err, "set weights")
		}
		lead = fmt.Sprintf("Weights set: %s (criteria version %d). New scorings use them; old ones keep theirs.", weightList(crit, set), crit.Version)
	}
	blocks := []slack.Block{header("Selection weights")}
	if lead != "" {
		blocks = append(blocks, section(lead))
	}
	line := func(axis kam.Axis) string {
		var parts []string
		for _, f := range crit.Axis(axis) {
			parts = append(parts, fmt.Sprintf("%s *%s*", format.Mrkdwn(f.Label), strconv.FormatFloat(f.Weight, 'f', -1, 64)))
		}
		return strings.Join(parts, " · ")
	}
	blocks = append(blocks,
		section("*Customer attractiveness*\n"+line(kam.AxisAttractiveness)),
		section("*Our relative strength*\n"+line(kam.AxisStrength)),
		contextBlock("Each axis is Σ weight × (score − 1)/4 ÷ Σ weight, as 0–100. Admins: `/kam weights size=2 trust=3` · `/kam weights reset` · `/kam criteria` for the factors"),
	)
	return Reply{Blocks: blocks}, nil
}

// parseWeights reads factor=weight tokens against the criteria: each
// factor once, each weight 0–10.
func parseWeights(c *Call, crit kam.Criteria, toks []Token) (kam.Weights, error) {
	set := kam.Weights{}
	for _, t := range toks {
		if t.Key == "" {
			return nil, c.Usage("Unexpected “%s” — give weights as factor=0..10, e.g. %s=2", show(t.String(), 40), crit.Factors[0].Key)
		}
		f, w, err := crit.ParseWeight(t.Key, t.Value)
		if err != nil {
			return nil, err
		}
		if _, dup := set[f.Key]; dup {
			return nil, kam.Errorf(kam.EINVALID, "%s= is given twice — give each factor once.", f.Key)
		}
		set[f.Key] = w
	}
	if len(set) == 0 {
		return nil, c.Usage("Give weights as factor=0..10, e.g. %s=2", crit.Factors[0].Key)
	}
	return set, nil
}

// weightList renders weights as typed, in the set's order: "size=2, trust=3".
func weightList(c kam.Criteria, w kam.Weights) string {
	var parts []string
	for _, k := range sortedFactors(c, w) {
		parts = append(parts, fmt.Sprintf("%s=%s", k, strconv.FormatFloat(w[k], 'f', -1, 64)))
	}
	return strings.Join(parts, ", ")
}
