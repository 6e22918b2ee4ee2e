package commands

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// criteriaHistoryLen is how many versions `/kam criteria history` lists.
const criteriaHistoryLen = 15

func criteriaCommand() Command {
	return Command{
		Name: "criteria",
		Usage: `criteria [add "<name>" axis=attractiveness|strength [key=<key>] [weight=<0-10>] | rename <factor> "<new name>" [key=<new key>] | ` +
			`retire <factor> | weight <factor>=<0-10> … | reset | history]`,
		Summary: "See the company's own selection criteria; admins add, rename, retire and weigh factors.",
		Details: "The selection matrix scores each account 1–5 on the workspace's criteria: factors of *customer attractiveness* " +
			"(`axis=attractiveness`) and of *our relative strength* (`axis=strength`). The default set is the book's 19 factors at equal weights. " +
			"Weights (0–10, default 1) are relative: each axis is the weighted mean of its factors, so a factor's share of its axis is " +
			"its weight ÷ the axis's total, shown as a percentage; each axis keeps at least one factor, and a total weight above 0. " +
			"A new factor's key is its name in lower case with hyphens unless you give `key=`; people type the key in `/kam score`. " +
			"Every change makes a new version of the criteria and is kept in the audit log. Scorings keep the version they were made under: " +
			"old scorings are read with their own factors and weights (a retired factor stays in them), so the matrix, movements and the " +
			"selection review stay comparable. A renamed factor keeps its scores; a new factor is asked for at each account's next scoring, " +
			"and an account is placed once every factor of its latest scoring is scored.",
		Examples: []string{
			"criteria",
			`criteria add "Cultural fit" axis=attractiveness weight=2`,
			`criteria add "Channel partner potential" axis=strength key=channel`,
			`criteria rename size "Revenue potential" key=revenue`,
			"criteria retire adopter",
			"criteria weight fit=3 trust=2",
			"criteria history",
			"criteria reset",
		},
		Run: runCriteria,
	}
}

func runCriteria(ctx context.Context, c *Call) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	if len(toks) == 0 {
		crit, err := c.intel().Criteria(ctx, c.TeamID)
		if err != nil {
			return Reply{}, fmt.Errorf("read criteria: %w", err)
		}
		return Reply{Blocks: criteriaBlocks(c, crit, "")}, nil
	}
	verb := toks[0]
	if verb.Key != "" {
		return Reply{}, c.Usage("Start with what to do: add, rename, retire, weight, reset or history, e.g. `/kam criteria retire adopter`")
	}
	args := toks[1:]
	switch strings.ToLower(verb.Value) {
	case "history":
		if len(args) > 0 {
			return Reply{}, c.Usage("`history` takes nothing after it")
		}
		return criteriaHistory(ctx, c)
	case "add", "rename", "retire", "weight", "weights", "reset":
	default:
		return Reply{}, c.Usage("Unknown “%s” — use add, rename, retire, weight, reset or history", show(verb.Value, 30))
	}
	if err := c.Allow(kam.Account{}, "", AccessAdmin, "change the selection criteria"); err != nil {
		return Reply{}, err
	}
	crit, err := c.intel().Criteria(ctx, c.TeamID)
	if err != nil {
		return Reply{}, fmt.Errorf("read criteria: %w", err)
	}
	ch, err := parseCriteriaChange(c, crit, strings.ToLower(verb.Value), args)
	if err != nil {
		return Reply{}, err
	}
	next, err := c.intel().ChangeCriteria(ctx, c.TeamID, ch, c.UserID)
	if err != nil {
		return Reply{}, userErr(err, "change criteria")
	}
	return Reply{Blocks: criteriaBlocks(c, next, criteriaLead(crit, next, ch))}, nil
}

// parseCriteriaChange reads the words after the verb into a change; the
// store checks it against the criteria again inside its transaction.
func parseCriteriaChange(c *Call, crit kam.Criteria, verb string, args []Token) (kam.CriteriaChange, error) {
	switch verb {
	case "add":
		return parseCriteriaAdd(c, args)
	case "rename":
		if len(args) == 0 || args[0].Key != "" {
			return kam.CriteriaChange{}, c.Usage(`Say which factor to rename, e.g. rename size "Revenue potential"`)
		}
		ch := kam.CriteriaChange{Op: kam.CriteriaRename, Key: args[0].Value}
		if _, ok := crit.Lookup(ch.Key); !ok {
			return kam.CriteriaChange{}, unknownCriteriaFactor(crit, ch.Key)
		}
		opts, name, err := criteriaOptions(c, args[1:], []string{"name", "key"})
		if err != nil {
			return kam.CriteriaChange{}, err
		}
		if ch.Label, err = factorName(name, opts); err != nil {
			return kam.CriteriaChange{}, err
		}
		if k, ok := opts["key"]; ok {
			ch.NewKey = k.Value
		}
		return ch, nil
	case "retire":
		if len(args) != 1 || args[0].Key != "" {
			return kam.CriteriaChange{}, c.Usage("Say the one factor to retire, e.g. retire adopter")
		}
		if _, ok := crit.Lookup(args[0].Value); !ok {
			return kam.CriteriaChange{}, unknownCriteriaFactor(crit, args[0].Value)
		}
		return kam.CriteriaChange{Op: kam.CriteriaRetire, Key: args[0].Value}, nil
	case "weight", "weights":
		set, err := parseWeights(c, crit, args)
		if err != nil {
			return kam.CriteriaChange{}, err
		}
		return kam.CriteriaChange{Op: kam.CriteriaWeight, Weights: set}, nil
	default: // reset
		if len(args) > 0 {
			return kam.CriteriaChange{}, c.Usage("`reset` takes nothing after it: it puts back the book's 19 factors at equal weights")
		}
		return kam.CriteriaChange{Op: kam.CriteriaReset}, nil
	}
}

func parseCriteriaAdd(c *Call, args []Token) (kam.CriteriaChange, error) {
	opts, name, err := criteriaOptions(c, args, []string{"name", "axis", "key", "weight"})
	if err != nil {
		return kam.CriteriaChange{}, err
	}
	ch := kam.CriteriaChange{Op: kam.CriteriaAdd, Weight: 1}
	if ch.Label, err = factorName(name, opts); err != nil {
		return kam.CriteriaChange{}, err
	}
	if ch.Label == "" {
		return kam.CriteriaChange{}, c.Usage(`Name the new factor, e.g. add "Cultural fit" axis=attractiveness`)
	}
	ax, ok := opts["axis"]
	if !ok {
		return kam.CriteriaChange{}, c.Usage("Say which axis it scores: axis=attractiveness (customer attractiveness) or axis=strength (our relative strength)")
	}
	if ch.Axis, err = kam.ParseAxis(ax.Value); err != nil {
		return kam.CriteriaChange{}, err
	}
	if k, ok := opts["key"]; ok {
		ch.Key = k.Value
	} else if ch.Key = kam.KeyFromName(ch.Label); ch.Key == "" {
		return kam.CriteriaChange{}, kam.Errorf(kam.EINVALID, "I can't make a key from that name — give one, e.g. key=fit2 (lower-case letters, digits and hyphens).")
	}
	if w, ok := opts["weight"]; ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(w.Value), 64)
		if err != nil || v <= 0 || v > kam.MaxWeight {
			return kam.CriteriaChange{}, kam.Errorf(kam.EINVALID, "A new factor's weight is a number above 0 and at most %g, e.g. weight=2 (got %q); leave weight= out for 1.", kam.MaxWeight, w.Value)
		}
		ch.Weight = v
	}
	return ch, nil
}

// criteriaOptions reads key=value tokens among allowed and at most one
// quoted or bare positional name.
func criteriaOptions(c *Call, toks []Token, allowed []string) (Options, *Token, error) {
	var name *Token
	var keyed []Token
	for i, t := range toks {
		if t.Key == "" {
			if name != nil {
				return nil, nil, c.Usage("Put a name of several words in quotes, e.g. \"Cultural fit\" (got “%s”)", show(t.String(), 40))
			}
			name = &toks[i]
			continue
		}
		keyed = append(keyed, t)
	}
	opts, err := ParseOptions(keyed, allowed, c.Command.Usage)
	return opts, name, err
}

// factorName is the name given positionally or as name=, checked as one
// line of text; "" when neither is given.
func factorName(positional *Token, opts Options) (string, error) {
	n, named := opts["name"]
	switch {
	case positional != nil && named:
		return "", kam.Errorf(kam.EINVALID, `Give the name once: either "…" or name="…".`)
	case positional != nil:
		n = *positional
	case !named:
		return "", nil
	}
	return CheckText("The factor's name", n.Value, kam.MaxFactorLabel, false)
}

// unknownCriteriaFactor says a factor is not in today's criteria and names those that are.
func unknownCriteriaFactor(crit kam.Criteria, key string) error {
	return kam.Errorf(kam.EINVALID, "There is no factor %q in today's criteria. Attractiveness factors: %s. Strength factors: %s.",
		clip(key, 40), strings.Join(crit.Keys(kam.AxisAttractiveness), ", "), strings.Join(crit.Keys(kam.AxisStrength), ", "))
}

// criteriaLead says what a change did.
func criteriaLead(before, after kam.Criteria, ch kam.CriteriaChange) string {
	v := fmt.Sprintf(" (criteria version %d).", after.Version)
	keep := " Scorings already made keep the criteria they were scored under."
	switch ch.Op {
	case kam.CriteriaAdd:
		f := after.Factors[slices.IndexFunc(after.Factors, func(f kam.Factor) bool { return f.ID == after.LastID })]
		return fmt.Sprintf("Added *%s* (`%s`) to %s, weight %s%s Each account's next scoring asks for it; an account is placed again once it is scored.%s",
			format.Mrkdwn(f.Label), f.Key, axisTitle(f.Axis), weightText(f.Weight), v, keep)
	case kam.CriteriaRename:
		old, _ := before.Lookup(ch.Key)
		f, _ := after.ByID(old.ID)
		return fmt.Sprintf("Renamed `%s` (%s) to *%s* (`%s`)%s Its scores carry over.", old.Key, format.Mrkdwn(old.Label), format.Mrkdwn(f.Label), f.Key, v)
	case kam.CriteriaRetire:
		old, _ := before.Lookup(ch.Key)
		return fmt.Sprintf("Retired *%s* (`%s`) from %s%s It stays in the scorings made with it.", format.Mrkdwn(old.Label), old.Key, axisTitle(old.Axis), v)
	case kam.CriteriaWeight:
		return "Weights set: " + weightList(after, ch.Weights) + v + keep
	default:
		return "Back to the book's 19 factors at equal weights" + v + keep
	}
}

func axisTitle(a kam.Axis) string {
	if a == kam.AxisStrength {
		return "our relative strength"
	}
	return "customer attractiveness"
}

func weightText(w float64) string { return strconv.FormatFloat(w, 'f', -1, 64) }

// criteriaBlocks lists a criteria version: each axis's factors with key,
// name, weight and share of the axis.
func criteriaBlocks(c *Call, crit kam.Criteria, lead string) []slack.Block {
	blocks := []slack.Block{header("Selection criteria")}
	if lead != "" {
		blocks = append(blocks, section(lead))
	}
	status := "The book's 19 factors at equal weights (version 0)."
	if crit.Version > 0 {
		status = fmt.Sprintf("Version %d, by %s on %s.", crit.Version, mention(crit.By), c.Date(crit.At))
	}
	blocks = append(blocks, contextBlock(status))
	for _, axis := range []kam.Axis{kam.AxisAttractiveness, kam.AxisStrength} {
		var lines []string
		for _, f := range crit.Axis(axis) {
			lines = append(lines, fmt.Sprintf("• `%s` %s — weight %s · %s", f.Key, format.Mrkdwn(f.Label), weightText(f.Weight), format.Percent(crit.Share(f))))
		}
		title := fmt.Sprintf("*%s* (%s)", capitalize(axisTitle(axis)), format.Count(len(lines), "factor", "factors"))
		blocks = append(blocks, listBlocks(title, lines, 2, nil)...)
	}
	return append(blocks, contextBlock("Shares are each factor's weight ÷ its axis's total. Admins: "+
		"`/kam criteria add \"Cultural fit\" axis=attractiveness weight=2` · `/kam criteria rename size \"Revenue potential\"` · "+
		"`/kam criteria retire adopter` · `/kam criteria weight fit=3` · `/kam criteria history`"))
}

// criteriaHistory lists the workspace's criteria versions, newest first,
// each with what changed from the one before.
func criteriaHistory(ctx context.Context, c *Call) (Reply, error) {
	sets, err := c.intel().CriteriaSets(ctx, c.TeamID)
	if err != nil {
		return Reply{}, fmt.Errorf("read criteria: %w", err)
	}
	blocks := []slack.Block{header("Selection criteria — history")}
	cur := sets.Current()
	var lines []string
	for v := cur.Version; v > 0 && len(lines) < criteriaHistoryLen; v-- {
		s, ok := sets[v]
		if !ok {
			continue
		}
		lines = append(lines, fmt.Sprintf("• *Version %d* — %s, %s: %s", v, mention(s.By), c.Date(s.At), criteriaDiff(sets.Of(v-1), s)))
	}
	lines = append(lines, "• *Version 0* — the book's 19 factors at equal weights")
	if cur.Version+1 > criteriaHistoryLen+1 {
		lines = append(lines, fmt.Sprintf("…and %d older versions", cur.Version-criteriaHistoryLen))
	}
	blocks = append(blocks, listBlocks("", lines, 3, nil)...)
	return Reply{Blocks: append(blocks, contextBlock("Each scoring keeps the version it was made under. `/kam criteria` shows today's."))}, nil
}

// criteriaDiff says what changed between two versions, matching factors
// by ID: "added cultural-fit; retired adopter; size renamed headcount;
// weight fit 1 → 3".
func criteriaDiff(prev, next kam.Criteria) string {
	var parts []string
	for _, f := range next.Factors {
		old, ok := prev.ByID(f.ID)
		switch {
		case !ok:
			parts = append(parts, fmt.Sprintf("added `%s` (%s)", f.Key, axisTitle(f.Axis)))
		case old.Key != f.Key || old.Label != f.Label:
			parts = append(parts, fmt.Sprintf("`%s` renamed `%s` %s", old.Key, f.Key, format.Mrkdwn(f.Label)))
		}
		if ok && old.Weight != f.Weight {
			parts = append(parts, fmt.Sprintf("weight `%s` %s → %s", f.Key, weightText(old.Weight), weightText(f.Weight)))
		}
	}
	for _, f := range prev.Factors {
		if _, ok := next.ByID(f.ID); !ok {
			parts = append(parts, fmt.Sprintf("retired `%s`", f.Key))
		}
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, "; ")
}
