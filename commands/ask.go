package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// The assistant's questions of the record. Each is a read-only /kam
// command run for the asker through the engine, so it obeys the same
// rights as the command (another workspace's account is not found, an
// account off the asker's team is refused) and reads the same words and
// figures. No tool can reach a command that writes: the command line is
// built here from a fixed template, and the arguments are reduced to
// words that cannot add a sub-command or a key.

// AskParam is one argument of an AskTool.
type AskParam struct {
	Name        string
	Description string
	Required    bool
}

// AskTool is one read-only question the assistant may ask.
type AskTool struct {
	Name        string
	Description string
	Params      []AskParam
	line        func(args map[string]string) (string, error)
}

var accountParam = AskParam{Name: "account", Description: "the account's name or slug, as the user wrote it", Required: true}

// AskTools lists the assistant's tools.
var AskTools = []AskTool{
	{Name: "my_accounts", Description: "The accounts the user is on (owner, member, sponsor, manager), with quadrant and health.",
		line: func(map[string]string) (string, error) { return "accounts", nil }},
	{Name: "account_card", Description: "One account's card: tier, level, owner, sponsor, revenue, latest interactions, health, team.",
		Params: []AskParam{accountParam}, line: accountLine("show")},
	{Name: "search", Description: "Full-text search of interactions, plan text, stakeholders, survey comments and stage notes, best matches first, each with date, kind, author and account.",
		Params: []AskParam{{Name: "words", Description: "a few words to find; a word ending in * matches its start", Required: true},
			{Name: "account", Description: "limit to one account (optional)"}},
		line: searchLine},
	{Name: "pipeline", Description: "Open opportunities with stage, value, close date and weighted forecast; of one account, or of all the user's accounts.",
		Params: []AskParam{{Name: "account", Description: "one account (optional)"}}, line: optionalAccountLine("pipeline")},
	{Name: "health", Description: "Health score, band, parts and early-warning alerts; of one account, or of the user's portfolio worst first.",
		Params: []AskParam{{Name: "account", Description: "one account (optional)"}}, line: optionalAccountLine("health")},
	{Name: "plan", Description: "The account plan: objectives, quarterly tactics with owners and due dates, last review.",
		Params: []AskParam{accountParam}, line: accountLine("plan")},
	{Name: "stakeholders", Description: "The stakeholder map: names, titles, roles in the decision, influence, stance, mirrors, last contact.",
		Params: []AskParam{accountParam}, line: accountLine("contact")},
	{Name: "nps", Description: "Survey answers and NPS with trend, and the recent comments.",
		Params: []AskParam{accountParam}, line: accountLine("survey")},
}

// BriefTool drafts /kam brief <account>; the deterministic answers use
// it, the model is not offered it (it would draft with a model itself).
var BriefTool = AskTool{Name: "brief", Description: "The sponsor's one-screen brief of an account.",
	Params: []AskParam{accountParam}, line: accountLine("brief")}

// PortfolioTool is /kam brief mine, for the deterministic answers.
var PortfolioTool = AskTool{Name: "brief_mine", Description: "Every account the user sponsors, worst first.",
	line: func(map[string]string) (string, error) { return "brief mine", nil }}

// askTool finds a tool by name.
func askTool(name string) (AskTool, bool) {
	for _, t := range append(AskTools[:len(AskTools):len(AskTools)], BriefTool, PortfolioTool) {
		if t.Name == name {
			return t, true
		}
	}
	return AskTool{}, false
}

func accountLine(cmd string) func(map[string]string) (string, error) {
	return func(args map[string]string) (string, error) {
		a := askValue(args["account"])
		if a == "" {
			return "", fmt.Errorf("%s needs an account", cmd)
		}
		return cmd + " " + strconv.Quote(a), nil
	}
}

func optionalAccountLine(cmd string) func(map[string]string) (string, error) {
	return func(args map[string]string) (string, error) {
		if a := askValue(args["account"]); a != "" {
			return cmd + " " + strconv.Quote(a), nil
		}
		return cmd, nil
	}
}

func searchLine(args map[string]string) (string, error) {
	var words []string
	for _, t := range kam.ParseSearch(args["words"]) {
		words = append(words, strings.Trim(t.String(), `"`))
	}
	if len(words) == 0 {
		return "", fmt.Errorf("search needs words")
	}
	line := "search " + strings.Join(words, " ")
	if a := askValue(args["account"]); a != "" {
		line += " account=" + strconv.Quote(a)
	}
	return line, nil
}

// askValue reduces an argument to a name the command line quotes safely:
// no quotes, backslashes or control characters, at most 80 characters.
func askValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '"' || r == '“' || r == '”' || r == '„' || r == '\\' || unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(clip(strings.TrimSpace(s), 80))
}

// AskResult is a tool's answer: the text a reader would see of the
// command's reply, and the command line it ran (for sources).
type AskResult struct {
	Line    string        // "/kam show \"acme\""
	Text    string        // plain text, references shown as a reader sees them
	Blocks  []slack.Block // the reply as the command renders it
	Refused bool          // the command refused (unknown account, no rights, bad arguments)
	// Sources are mrkdwn lines citing the records the reply shows (see
	// SourceLine), at most five; the permalinks in them are safe links.
	Sources []string
}

// Ask runs the assistant tool name with args for the user. An unknown tool
// or unusable arguments give a refusal the model can read, never an error:
// only a failure of kambot itself is an error.
func (e *Engine) Ask(ctx context.Context, teamID, userID, name string, args map[string]string) (AskResult, error) {
	t, ok := askTool(name)
	if !ok {
		return AskResult{Text: fmt.Sprintf("There is no tool %q.", clip(name, 40)), Refused: true}, nil
	}
	line, err := t.line(args)
	if err != nil {
		return AskResult{Text: "Not run: " + err.Error() + ".", Refused: true}, nil
	}
	return e.askLine(ctx, teamID, userID, line)
}

// askLine runs one read-only /kam command line for the user and returns
// what they would read. Slow work (a brief) is done before returning.
func (e *Engine) askLine(ctx context.Context, teamID, userID, line string) (AskResult, error) {
	res := AskResult{Line: "/kam " + line}
	rep, err := e.Do(ctx, Request{TeamID: teamID, UserID: userID, Text: line})
	if err != nil && kam.ErrorCode(err) == kam.EINTERNAL {
		return res, err
	}
	if rep.Later != nil {
		rep = rep.Later(ctx)
	}
	res.Text, res.Blocks, res.Refused = format.Read(rep.Text), rep.Blocks, err != nil
	if err == nil {
		res.Sources = e.sourceLines(ctx, teamID, userID, rep.Sources)
	}
	return res, nil
}

// AskAccounts lists the accounts the user may ask about: every account of
// the workspace for an admin, else those on whose team they are.
func (e *Engine) AskAccounts(ctx context.Context, teamID, userID string) ([]kam.Account, error) {
	if e.isAdmin(teamID, userID) {
		return e.store.Accounts(ctx, teamID)
	}
	return e.store.AccountsForUser(ctx, teamID, userID)
}
