package assistant

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// noModelNote ends every deterministic answer.
const noModelNote = "_No language model is configured (`OPENAI_API_KEY`), so this is kambot's own view; a model would answer in prose._"

// deterministic answers the common questions without a model: a brief,
// health, pipeline, what's new on an account, my accounts, and anything
// else as a search of the record.
func (a *Assistant) deterministic(ctx context.Context, q Question, status func(string)) Answer {
	text := kam.Fold(format.Read(q.Text))
	accts, err := a.cfg.Tools.AskAccounts(ctx, q.TeamID, q.UserID)
	if err != nil {
		return Answer{Text: "kambot could not read your accounts just now; try again in a minute.", Outcome: OutcomeDeterministic}
	}
	acct := findAccount(text, accts)
	tool, args := route(text, acct)
	status(statusFor(tool))
	res, err := a.cfg.Tools.Ask(ctx, q.TeamID, q.UserID, tool, args)
	if err != nil {
		return Answer{Text: "kambot could not read the record just now; try again in a minute.", Outcome: OutcomeDeterministic, Tools: 1}
	}
	ans := Answer{Text: format.Mrkdwn(res.Text), Blocks: res.Blocks, Outcome: OutcomeDeterministic, Tools: 1}
	if !res.Refused {
		ans.Read, ans.Sources = []string{"`" + format.Mrkdwn(res.Line) + "`"}, res.Sources
	}
	if a.client == nil {
		ans.Note = noModelNote
	}
	return ans
}

// route picks the tool for a folded question.
func route(text string, acct *kam.Account) (string, map[string]string) {
	has := func(words ...string) bool {
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(text, w) })
	}
	args := map[string]string{}
	if acct != nil {
		args["account"] = acct.Name
	} else {
		// "brief globex", "what's new on globex" name an account that is
		// not the asker's (or none): the command says so, rather than a
		// portfolio or a search answering another question.
		if name := namedAfter(text, "brief"); name != "" {
			return commands.BriefTool.Name, map[string]string{"account": name}
		}
		if name := namedAfter(text, "new on"); name != "" {
			return "account_card", map[string]string{"account": name}
		}
	}
	switch {
	case has("brief") && acct != nil:
		return commands.BriefTool.Name, args
	case has("brief", "need me", "needs me", "sponsor"):
		return commands.PortfolioTool.Name, nil
	case has("health", "at risk", "alert", "doing", "how is", "hows"):
		return "health", args
	case has("pipeline", "forecast", "deal", "opportunit"):
		return "pipeline", args
	case acct != nil && has("new on", "whats new", "what is new", "latest", "recent", "card", "show"):
		return "account_card", args
	case acct == nil && has("my accounts", "which accounts", "list accounts", "accounts"):
		return "my_accounts", nil
	case acct != nil && has("stakeholder", "who matters", "decision maker", "contacts"):
		return "stakeholders", args
	case acct != nil && has("plan", "tactic", "objective"):
		return "plan", args
	case acct != nil && has("nps", "survey", "satisf"):
		return "nps", args
	}
	args["words"] = searchWords(text, acct)
	if args["words"] == "" {
		if acct != nil {
			return "account_card", args
		}
		return "my_accounts", nil
	}
	return "search", args
}

// namedAfter is what the question names after the words lead ("brief",
// "new on"): its content words, at most four; "" when lead is not there or
// only words such as "me", "mine" or "my accounts" follow it.
func namedAfter(text, lead string) string {
	padded := " " + wordsOnly(text) + " "
	i := strings.Index(padded, " "+lead+" ")
	if i < 0 {
		return ""
	}
	var out []string
	for _, w := range strings.Fields(padded[i+len(lead)+2:]) {
		if !stopWords[w] && w != "mine" && len(out) < 4 {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// findAccount is the account the question names: the longest name or slug
// of the user's accounts found among its words.
func findAccount(text string, accts []kam.Account) *kam.Account {
	padded := " " + wordsOnly(text) + " "
	var best *kam.Account
	bestLen := 0
	for i := range accts {
		for _, n := range []string{accts[i].Name, accts[i].Slug} {
			n = wordsOnly(kam.Fold(n))
			if n != "" && len(n) > bestLen && strings.Contains(padded, " "+n+" ") {
				best, bestLen = &accts[i], len(n)
			}
		}
	}
	if best != nil {
		return best
	}
	return findByFirstWord(padded, accts)
}

// findByFirstWord is the account whose name starts with a word of the
// question, when exactly one of the user's accounts does: "Acme" names
// Acme Logistics, as a unique start does in /kam.
func findByFirstWord(padded string, accts []kam.Account) *kam.Account {
	var found *kam.Account
	for i := range accts {
		first, _, _ := strings.Cut(wordsOnly(kam.Fold(accts[i].Name)), " ")
		if first == "" || stopWords[first] || !strings.Contains(padded, " "+first+" ") {
			continue
		}
		if found != nil && found.ID != accts[i].ID {
			return nil // two accounts start so: not a unique start
		}
		found = &accts[i]
	}
	return found
}

// wordsOnly keeps the words of s, one space apart.
func wordsOnly(s string) string {
	var words []string
	for _, t := range kam.ParseSearch(strings.ReplaceAll(s, `"`, " ")) {
		words = append(words, t.Words...)
	}
	return strings.Join(words, " ")
}

// stopWords are left out of a question turned into a search.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or of on in at to for from by with about what whats which who whom whose how why when where
		is are was were be been do does did has have had i me my we our us you your they their them it its this that these those
		say said tell give show find any some all there here please can could would should will kambot account accounts
		anything something everything about know latest news week month year today s`) {
		stopWords[w] = true
	}
}

// searchWords is the question's content words, without the account's name.
func searchWords(text string, acct *kam.Account) string {
	skip := map[string]bool{}
	if acct != nil {
		for _, w := range strings.Fields(wordsOnly(kam.Fold(acct.Name + " " + acct.Slug))) {
			skip[w] = true
		}
	}
	var out []string
	for _, w := range strings.Fields(wordsOnly(text)) {
		if !stopWords[w] && !skip[w] && len(out) < 4 {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// statusFor is the assistant status shown while a tool runs.
func statusFor(tool string) string {
	switch tool {
	case "search":
		return "is searching the record…"
	case "brief", "brief_mine":
		return "is preparing the brief…"
	case "health":
		return "is checking health and alerts…"
	case "pipeline":
		return "is reading the pipeline…"
	}
	return "is reading the record…"
}

func rateLimitedText(n int, per time.Duration) string {
	return fmt.Sprintf("You have asked %d questions in the last %s, the most kambot answers; ask again in a few minutes. `/kam search`, `/kam show` and `/kam health` work meanwhile.",
		n, per.Round(time.Minute))
}

func tooSlowText(d time.Duration) string {
	return fmt.Sprintf("That took too long (over %s), so I stopped. Try a narrower question, e.g. name the account, or `/kam search <words>`.", d.Round(time.Second))
}
