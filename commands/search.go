package commands

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Searcher finds records by their words; *store.DB implements it.
type Searcher interface {
	// Search returns the best hits of q, only of q.TeamID and, when set,
	// of q.Accounts.
	Search(ctx context.Context, q kam.SearchQuery) ([]kam.SearchHit, error)
}

// searchLimit is how many hits /kam search shows.
const searchLimit = 10

// SearchExtension adds /kam search.
func SearchExtension(s Searcher) Extension {
	if s == nil {
		panic("commands: SearchExtension needs a Searcher")
	}
	return Extension{Commands: []Command{{
		Name:    "search",
		Aliases: []string{"find"},
		Usage:   "search <words…> [account=<account>] [since=<date>]",
		Summary: "Search interactions, plans, stakeholders, survey comments and stage notes of the accounts you can see.",
		Details: "Every word must appear; accents and case do not matter (`muller` finds Müller). " +
			"`\"too expensive\"` in quotes finds the words in that order; `renew*` finds renewal, renewing…; " +
			"`account=` searches one account, `since=` from a date on. The best matches come first (bm25), " +
			"with date, kind, author and account. Admins search every account of the workspace.",
		Examples: []string{"search pricing cfo", `search "too expensive" account=acme`, "search renew* since=2026-01-01"},
		Action:   "search",
		Run: func(ctx context.Context, c *Call) (Reply, error) {
			return runSearch(ctx, c, s)
		},
	}}}
}

// searchRequest is a parsed /kam search line.
type searchRequest struct {
	words   string // what to search, as typed (phrases in quotes)
	account *kam.Account
	since   time.Time
}

func parseSearch(ctx context.Context, c *Call) (searchRequest, error) {
	var r searchRequest
	toks, err := c.Args.All()
	if err != nil {
		return r, err
	}
	var words []string
	for _, t := range toks {
		switch t.Key {
		case "":
			if t.Quoted {
				words = append(words, `"`+t.Value+`"`)
			} else {
				words = append(words, t.Value)
			}
		case "account":
			a, _, err := c.ResolveAccount(ctx, t.Value, AccessTeamOrAdmin, "search its records")
			if err != nil {
				return r, err
			}
			r.account = &a
		case "since":
			d, err := ParseDate(t.Value)
			if err != nil {
				return r, err
			}
			r.since = d
		default:
			return r, c.Usage("Search takes account= and since=, not %s=", show(t.Key, 20))
		}
	}
	r.words = strings.Join(words, " ")
	if len(kam.ParseSearch(r.words)) == 0 {
		return r, c.Usage("Search for what? Give a word or two, e.g. `/kam search pricing cfo`")
	}
	return r, nil
}

func runSearch(ctx context.Context, c *Call, s Searcher) (Reply, error) {
	r, err := parseSearch(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	q := kam.SearchQuery{TeamID: c.TeamID, Terms: kam.ParseSearch(r.words), Since: r.since, Limit: searchLimit}
	names := map[int64]string{}
	switch {
	case r.account != nil:
		q.Accounts = []int64{r.account.ID}
		names[r.account.ID] = r.account.Name
	case !c.Admin:
		mine, err := c.Store().AccountsForUser(ctx, c.TeamID, c.UserID)
		if err != nil {
			return Reply{}, fmt.Errorf("search: accounts of %s: %w", c.UserID, err)
		}
		q.Accounts = []int64{}
		for _, a := range mine {
			q.Accounts = append(q.Accounts, a.ID)
			names[a.ID] = a.Name
		}
	}
	hits, err := s.Search(ctx, q)
	if err != nil {
		return Reply{}, fmt.Errorf("search: %w", err)
	}
	for _, h := range hits {
		if _, ok := names[h.AccountID]; !ok {
			if a, err := c.Store().Account(ctx, c.TeamID, h.AccountID); err == nil {
				names[h.AccountID] = a.Name
			}
		}
	}
	blocks := SearchBlocks(q, hits, names, c.Loc, r.account != nil || c.Admin)
	if w := shortPrefix.FindStringSubmatch(r.words); w != nil {
		// One asterisk at most in the line: two would make mrkdwn bold.
		blocks = append(blocks, contextBlock(fmt.Sprintf("`%s` was searched as a whole word: the start of a word needs %d letters or more before its asterisk.",
			format.Mrkdwn(kam.Fold(w[1])), kam.MinSearchPrefix)))
	}
	return Reply{Blocks: blocks, Sources: hitSources(hits, names)}, nil
}

// shortPrefix finds a word too short to be searched as the start of words
// ("re*"), which ParseSearch takes as the word itself.
var shortPrefix = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])([\p{L}\p{N}]{1,2})\*`)

// SearchBlocks renders search hits: each with its account, kind, date and
// author, and a snippet with the matched words in bold. names gives the
// accounts' names by ID. scoped says the search covered what was asked
// (one account, or an admin's whole workspace), for the empty answer.
func SearchBlocks(q kam.SearchQuery, hits []kam.SearchHit, names map[int64]string, loc *time.Location, scoped bool) []slack.Block {
	var shown []string
	for _, t := range q.Terms {
		shown = append(shown, t.String())
	}
	what := format.Mrkdwn(strings.Join(shown, " "))
	if len(hits) == 0 {
		where := "the accounts you are on"
		if scoped {
			where = "the record"
		}
		return []slack.Block{section(fmt.Sprintf("Nothing in %s matches `%s`%s. Try fewer words, another spelling, or the start of a word followed by an asterisk.",
			where, what, sinceText(q.Since)))}
	}
	blocks := []slack.Block{section(fmt.Sprintf("*%s* for `%s`%s, best first:", format.Count(len(hits), "match", "matches"), what, sinceText(q.Since)))}
	for _, h := range hits {
		blocks = append(blocks, section(HitLine(h, names[h.AccountID], loc)+"\n"+Snippet(h.Text, q.Terms, 220)))
	}
	if len(hits) == q.Limit {
		blocks = append(blocks, contextBlock("More may match: add a word, `account=` or `since=` to narrow the search."))
	}
	return blocks
}

func sinceText(since time.Time) string {
	if since.IsZero() {
		return ""
	}
	return " since " + format.Day(since)
}

// HitLine is a hit's source: account, kind, date and author.
func HitLine(h kam.SearchHit, account string, loc *time.Location) string {
	if account == "" {
		account = fmt.Sprintf("account %d", h.AccountID)
	}
	line := fmt.Sprintf("*%s* · %s · %s", format.Mrkdwn(account), hitKind(h.Kind), format.Date(h.At, loc))
	switch {
	case h.Author == "":
	case isSlackUser(h.Author):
		line += " · " + mention(h.Author)
	default:
		line += " · " + format.Mrkdwn(clip(h.Author, 60))
	}
	return line
}

// isSlackUser reports whether s reads as a Slack user ID (U… or W…).
func isSlackUser(s string) bool {
	if len(s) < 2 || len(s) > 21 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func hitKind(k kam.SearchKind) string {
	switch k {
	case kam.SearchObjective:
		return "plan objective"
	case kam.SearchTactic:
		return "plan tactic"
	case kam.SearchReview:
		return "plan review note"
	case kam.SearchStakeholder:
		return "stakeholder"
	case kam.SearchSurvey:
		return "survey comment"
	case kam.SearchStage:
		return "stage note"
	}
	return format.Mrkdwn(string(k))
}

// Snippet is up to n characters of text around its first match, escaped,
// with the matched words in bold.
func Snippet(text string, terms []kam.SearchTerm, n int) string {
	spans := kam.MatchSpans(text, terms)
	from, to := 0, len(text)
	if len([]rune(text)) > n {
		if len(spans) > 0 {
			from = backRunes(text, spans[0].Start, n/4)
		}
		to = forwardRunes(text, from, n)
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, s := range spans {
		if s.Start < from || s.End > to {
			continue
		}
		b.WriteString(format.Mrkdwn(text[at:s.Start]))
		b.WriteString("*" + format.Mrkdwn(text[s.Start:s.End]) + "*")
		at = s.End
	}
	b.WriteString(format.Mrkdwn(text[at:to]))
	if to < len(text) {
		b.WriteString("…")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// backRunes is the byte offset k runes before i in s (not before 0).
func backRunes(s string, i, k int) int {
	r := []rune(s[:i])
	return len(string(r[:max(0, len(r)-k)]))
}

// forwardRunes is the byte offset k runes after i in s (not past its end).
func forwardRunes(s string, i, k int) int {
	r := []rune(s[i:])
	return i + len(string(r[:min(k, len(r))]))
}
