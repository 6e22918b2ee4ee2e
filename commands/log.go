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
		if r, opened := c.openLogForm(ctx, ""); opened {
			return r, nil
		}
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
		if r, opened := c.openLogForm(ctx, kind); opened {
			return r, nil
		}
		return Reply{}, c.Usage("Add what happened after the kind, e.g. `/kam log %s call Talked renewal timing`", c.Account.Slug)
	}
	in := kam.Interaction{TeamID: c.TeamID, AccountID: c.Account.ID, UserID: c.UserID, Kind: kind, Summary: summary, At: at,
		RequestID: c.Request.TriggerID}
	msg, err := c.logInteraction(ctx, c.Account, in, met)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Blocks: []slack.Block{section(msg)}}, nil
}

// logInteraction stores an interaction with the stakeholders met, queues
// its channel post in the same transaction, and returns the confirmation.
func (a *Actor) logInteraction(ctx context.Context, acct kam.Account, in kam.Interaction, met []kam.Contact) (string, error) {
	for _, ct := range met {
		in.Contacts = append(in.Contacts, ct.ID)
	}
	echo := format.Mrkdwn(clip(strings.Join(strings.Fields(in.Summary), " "), confirmSummaryLen))
	if len(met) > 0 {
		echo = "(met " + contactNames(met) + ") " + echo
	}
	// A note is internal: the account channel may be shared with the
	// customer (Slack Connect), so only customer-facing kinds are posted.
	var post kam.Post[kam.Interaction]
	if postsToChannel(in.Kind) {
		post = channelPost(a, acct, kam.Interaction.PostKey, func(kam.Interaction) []slack.Block { return interactionPost(a.UserID, acct, in.Kind, echo) })
	}
	if err := a.Store().LogInteraction(ctx, &in, a.UserID, post); err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return "", err
		}
		return "", fmt.Errorf("log interaction for account %d: %w", acct.ID, err)
	}
	if post != nil {
		a.Wake()
	}
	when := ""
	if day(in.At) != day(a.Now) {
		when = " on " + day(in.At)
	}
	return fmt.Sprintf("Logged %s with *%s*%s: %s", kindPhrases[in.Kind], format.Mrkdwn(acct.Name), when, echo), nil
}

// interactionPost is the account-channel post of an interaction; echo is
// its summary, already escaped.
func interactionPost(userID string, acct kam.Account, kind kam.InteractionKind, echo string) []slack.Block {
	return []slack.Block{section(fmt.Sprintf("%s logged %s with *%s*: %s", mention(userID), kindPhrases[kind], format.Mrkdwn(acct.Name), echo))}
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
	return c.backdateOn(c.Account, d, "date=")
}

// backdateOn checks the day d (a date as typed) an interaction with acct
// happened; hint prefixes the example ("date=", or "" in a form).
func (a *Actor) backdateOn(acct kam.Account, d time.Time, hint string) (time.Time, error) {
	today := day(a.Now)
	if local := day(a.Today()); local > today {
		today = local // east of UTC the user's day starts first
	}
	switch {
	case day(d) == day(a.Now) || day(d) == day(a.Today()):
		return a.Now, nil
	case day(d) > today:
		return time.Time{}, kam.Errorf(kam.EINVALID, "%s is in the future — give the day it happened, e.g. %s%s.", day(d), hint, day(a.Today()))
	}
	if earliest := acct.CreatedAt.AddDate(-1, 0, 0); !acct.CreatedAt.IsZero() && day(d) < day(earliest) {
		return time.Time{}, kam.Errorf(kam.EINVALID, "%s is more than a year before %s was added (%s) — give a later day.", day(d), format.Mrkdwn(acct.Name), day(acct.CreatedAt))
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
