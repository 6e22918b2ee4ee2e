package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// kindPhrases say an interaction kind in a sentence: "logged a call".
var kindPhrases = map[kam.InteractionKind]string{
	kam.KindCall:    "a call",
	kam.KindMeeting: "a meeting",
	kam.KindEmail:   "an email",
	kam.KindVisit:   "a visit",
	kam.KindQBR:     "a QBR",
	kam.KindExec:    "an executive meeting",
	kam.KindEvent:   "an event",
	kam.KindNote:    "a note",
}

// confirmSummaryLen bounds the summary echoed in confirmations and posts.
const confirmSummaryLen = 300

// runLog records an interaction and posts it to the account's channel.
func runLog(ctx context.Context, c *Call) (Reply, error) {
	kindTok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		return Reply{}, c.Usage("Say what kind of touch it was (%s)", kam.Names(kam.InteractionKinds))
	}
	if kindTok.Key != "" {
		return Reply{}, c.Usage("Unexpected “%s” — the kind comes right after the account", show(kindTok.String(), 40))
	}
	kind, err := ParseEnum("kind", kindTok.Value, kam.InteractionKinds)
	if err != nil {
		return Reply{}, err
	}
	rest := c.Args.Rest()
	var met []kam.Contact // stakeholders named with with="…" (account intelligence)
	if c.intel() != nil {
		with, text, found, err := logWith(rest)
		if err != nil {
			return Reply{}, err
		}
		if found {
			if met, err = c.parseWith(ctx, with); err != nil {
				return Reply{}, err
			}
			rest = text
		}
	}
	date, text, found, err := logDate(rest)
	if err != nil {
		return Reply{}, err
	}
	at := c.Now
	if found {
		if at, err = c.backdate(date); err != nil {
			return Reply{}, err
		}
		rest = text
	}
	summary, err := freeText(rest, "The summary", kam.MaxSummaryLen)
	if err != nil {
		return Reply{}, err
	}
	if summary == "" {
		return Reply{}, c.Usage("Add what happened after the kind, e.g. `/kam log %s call Talked renewal timing`", c.Account.Slug)
	}
	a := c.Account
	in := kam.Interaction{TeamID: c.TeamID, AccountID: a.ID, UserID: c.UserID, Kind: kind, Summary: summary, At: at}
	for _, ct := range met {
		in.Contacts = append(in.Contacts, ct.ID)
	}
	echo := format.Mrkdwn(clip(strings.Join(strings.Fields(summary), " "), confirmSummaryLen))
	if len(met) > 0 {
		echo = "(met " + contactNames(met) + ") " + echo
	}
	postBlocks := []slack.Block{section(fmt.Sprintf("%s logged %s with *%s*: %s", mention(c.UserID), kindPhrases[kind], format.Mrkdwn(a.Name), echo))}
	// A note is internal: the account channel may be shared with the
	// customer (Slack Connect), so only customer-facing kinds are posted.
	var post kam.Post[kam.Interaction]
	if postsToChannel(kind) {
		post = channelPost(&c.Actor, a, kam.Interaction.PostKey, func(kam.Interaction) []slack.Block { return postBlocks })
	}
	if err := c.Store().LogInteraction(ctx, &in, c.UserID, post); err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return Reply{}, err
		}
		return Reply{}, fmt.Errorf("log interaction for account %d: %w", a.ID, err)
	}
	if post != nil {
		c.Wake()
	}
	when := ""
	if day(at) != day(c.Now) {
		when = " on " + day(at)
	}
	return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Logged %s with *%s*%s: %s", kindPhrases[kind], format.Mrkdwn(a.Name), when, echo))}}, nil
}

// postsToChannel reports whether an interaction of the kind is posted to
// the account's channel: every customer-facing kind, never a note.
func postsToChannel(kind kam.InteractionKind) bool { return kind != kam.KindNote }

// logDate finds date=YYYY-MM-DD right after the kind or at the very end of
// a log's text (like with=), so that the summary keeps the rest verbatim.
func logDate(rest string) (date, text string, found bool, err error) {
	return logOption(rest, "date", "Put date=YYYY-MM-DD right after the kind or at the very end, e.g. `/kam log acme call date=2025-03-10 Talked renewal`.")
}

// logOption splits key=value off a log's text when it comes right after
// the kind or last, so that a summary may still hold the word anywhere
// else; key=value anywhere else is refused with misplaced.
func logOption(rest, key, misplaced string) (value, text string, found bool, err error) {
	// Most logs carry no options: skip tokenizing the summary (hot path).
	if !strings.Contains(strings.ToLower(rest), key+"=") {
		return "", rest, false, nil
	}
	toks, terr := Tokenize(rest)
	if terr != nil || len(toks) == 0 {
		return "", rest, false, nil
	}
	first, last := toks[0], toks[len(toks)-1]
	switch {
	case first.Key == key:
		return first.Value, strings.TrimSpace(rest[first.End:]), true, nil
	case last.Key == key:
		return last.Value, strings.TrimSpace(rest[:last.Pos]), true, nil
	}
	for _, t := range toks {
		if t.Key == key {
			return "", "", false, kam.Errorf(kam.EINVALID, "%s", misplaced)
		}
	}
	return "", rest, false, nil
}

// backdate reads the day of a backdated interaction: not after the
// user's today, and not more than a year before the account was added.
// Today is the interaction logged now; another day is stored at its start.
func (c *Call) backdate(s string) (time.Time, error) {
	d, err := ParseDate(s)
	if err != nil {
		return time.Time{}, err
	}
	today := day(c.Now)
	switch {
	case day(d) == today:
		return c.Now, nil
	case day(d) > today:
		return time.Time{}, kam.Errorf(kam.EINVALID, "%s is in the future — give the day it happened, e.g. date=%s.", day(d), today)
	}
	if earliest := c.Account.CreatedAt.AddDate(-1, 0, 0); !c.Account.CreatedAt.IsZero() && day(d) < day(earliest) {
		return time.Time{}, kam.Errorf(kam.EINVALID, "%s is more than a year before %s was added (%s) — give a later day.", day(d), format.Mrkdwn(c.Account.Name), day(c.Account.CreatedAt))
	}
	return d, nil
}

// freeText prepares the verbatim rest of a command line (a summary, a
// note) for storing: Slack's entities decoded, one pair of enclosing quotes
// dropped, and checked against the limit.
func freeText(rest, what string, limit int) (string, error) {
	s := strings.TrimSpace(rest)
	// Only the first token matters: the text is one quoted token when that
	// token is quoted and ends the text (no need to tokenize a long summary).
	if tok, end, err := scanToken(s, 0); err == nil && end == len(s) && tok.Quoted && tok.Key == "" {
		s = tok.Raw
	}
	return CheckText(what, decodeEntities(s), limit, true)
}
