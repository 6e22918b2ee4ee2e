package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/outbox"
)

// maxCandidates is how many accounts an ambiguous prefix lists.
const maxCandidates = 6

// ResolveAccount finds the account a user typed — by name or slug,
// case-insensitively, a unique prefix being enough — and checks that the
// user may do action on it. An ambiguous prefix lists the candidates; an
// unknown name suggests the closest one.
func (a *Actor) ResolveAccount(ctx context.Context, query string, need Access, action string) (kam.Account, kam.Role, error) {
	acct, err := a.findAccount(ctx, query)
	if err != nil {
		return kam.Account{}, "", err
	}
	role, err := a.roleOn(ctx, acct)
	if err != nil {
		return kam.Account{}, "", err
	}
	if err := a.Allow(acct, role, need, action); err != nil {
		return kam.Account{}, "", err
	}
	return acct, role, nil
}

// AccountByID loads an account (from a button value, say) and checks that
// the user may do action on it.
func (a *Actor) AccountByID(ctx context.Context, id int64, need Access, action string) (kam.Account, kam.Role, error) {
	acct, err := a.e.store.Account(ctx, a.TeamID, id)
	if err != nil {
		if kam.ErrorCode(err) == kam.ENOTFOUND {
			return kam.Account{}, "", kam.Errorf(kam.ENOTFOUND, "That account no longer exists — `/kam accounts` lists yours.")
		}
		return kam.Account{}, "", fmt.Errorf("load account %d: %w", id, err)
	}
	role, err := a.roleOn(ctx, acct)
	if err != nil {
		return kam.Account{}, "", err
	}
	if err := a.Allow(acct, role, need, action); err != nil {
		return kam.Account{}, "", err
	}
	return acct, role, nil
}

func (a *Actor) findAccount(ctx context.Context, query string) (kam.Account, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return kam.Account{}, kam.Errorf(kam.EINVALID, "Which account? Type its name or slug, e.g. `acme` or `\"Acme Corp\"`.")
	}
	if runeLen(q) > kam.MaxNameLen+20 {
		return kam.Account{}, kam.Errorf(kam.ENOTFOUND, "No account “%s” — `/kam accounts` lists yours.", show(q, 40))
	}
	cands, err := a.e.store.FindAccounts(ctx, a.TeamID, q, maxCandidates+1)
	if err != nil {
		return kam.Account{}, fmt.Errorf("find account %q: %w", q, err)
	}
	lq, sq := strings.ToLower(q), kam.Slugify(q)
	for _, c := range cands {
		if strings.EqualFold(c.Name, q) || c.Slug == lq || (sq != "" && c.Slug == sq) {
			return c, nil
		}
	}
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return kam.Account{}, a.unknownAccount(ctx, q)
	}
	names := make([]string, 0, maxCandidates)
	for i, c := range cands {
		if i == maxCandidates {
			names = append(names, "…")
			break
		}
		names = append(names, format.Mrkdwn(c.Name))
	}
	return kam.Account{}, kam.Errorf(kam.EINVALID, "“%s” matches %s — type more of the name.", show(q, 40), strings.Join(names, ", "))
}

// unknownAccount builds the "no such account" error with the closest name.
func (a *Actor) unknownAccount(ctx context.Context, q string) error {
	all, err := a.e.store.Accounts(ctx, a.TeamID)
	if err != nil {
		return fmt.Errorf("list accounts to suggest one for %q: %w", q, err)
	}
	lq := strings.ToLower(q)
	best, bestD := "", 1<<30
	for _, acct := range all {
		for _, s := range []string{strings.ToLower(acct.Name), acct.Slug} {
			if d := typoDistance(lq, s); d < bestD {
				best, bestD = acct.Name, d
			}
		}
	}
	if best != "" && bestD <= typoBudget(lq) {
		return kam.Errorf(kam.ENOTFOUND, "No account “%s” — did you mean %s?", show(q, 40), format.Mrkdwn(best))
	}
	return kam.Errorf(kam.ENOTFOUND, "No account “%s” — `/kam accounts` lists yours.", show(q, 40))
}

// roleOn returns the user's role on the account; "" when not on its team.
func (a *Actor) roleOn(ctx context.Context, acct kam.Account) (kam.Role, error) {
	if acct.OwnerID == a.UserID {
		return kam.RoleKAM, nil // the owner needs no lookup
	}
	role, err := a.e.store.MemberRole(ctx, a.TeamID, acct.ID, a.UserID)
	if err != nil {
		return "", fmt.Errorf("role of %s on account %d: %w", a.UserID, acct.ID, err)
	}
	if role == "" && acct.SponsorID == a.UserID {
		role = kam.RoleSponsor
	}
	return role, nil
}

// Allow checks that a user with role on acct may do action under need; the
// refusal says who can, and how to get access.
func (a *Actor) Allow(acct kam.Account, role kam.Role, need Access, action string) error {
	switch need {
	case AccessAnyone:
		return nil
	case AccessAdmin:
		if a.Admin {
			return nil
		}
		return a.adminRefusal(action)
	case AccessTeamOrAdmin:
		if a.Admin || role != "" {
			return nil
		}
		return kam.Errorf(kam.EUNAUTHORIZED, "Only %s's team and admins can %s. %s", format.Mrkdwn(acct.Name), action, a.joinHint(acct))
	case AccessTeam:
		if role != "" {
			return nil
		}
		return kam.Errorf(kam.EUNAUTHORIZED, "Only %s's team can %s. %s", format.Mrkdwn(acct.Name), action, a.joinHint(acct))
	}
	return fmt.Errorf("unknown access level %d", need)
}

func (a *Actor) adminRefusal(action string) error {
	admins := a.Admins()
	if len(admins) == 0 {
		return kam.Errorf(kam.EUNAUTHORIZED, "Only kambot admins can %s, and none are set yet: whoever runs kambot lists them in KAMBOT_ADMINS.", action)
	}
	ms := make([]string, 0, 3)
	for i, id := range admins {
		if i == 3 {
			ms = append(ms, fmt.Sprintf("%d more", len(admins)-3))
			break
		}
		ms = append(ms, mention(id))
	}
	return kam.Errorf(kam.EUNAUTHORIZED, "Only kambot admins can %s — ask %s.", action, orList(ms))
}

func (a *Actor) joinHint(acct kam.Account) string {
	switch {
	case a.Admin:
		return fmt.Sprintf("As an admin, add yourself first: `/kam team %s add @you`.", acct.Slug)
	case acct.OwnerID != "":
		return fmt.Sprintf("Ask %s (the KAM) or an admin to add you to the team.", mention(acct.OwnerID))
	}
	return "Ask an admin to add you to the team."
}

// orList joins "a", "a or b", "a, b or c".
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// User reads a mentioned user from tok and, when the engine has a
// Directory, checks that the user exists in this workspace. example is the
// key=value to show if the mention is not a real one ("owner=@ana").
func (a *Actor) User(ctx context.Context, tok Token, example string) (string, error) {
	id, err := ParseUser(tok, example)
	if err != nil {
		return "", err
	}
	if a.e.dir == nil {
		return id, nil
	}
	ok, err := a.e.dir.UserExists(ctx, a.TeamID, id)
	if err != nil {
		// Slack's escaping already vouches for the mention; refusing the
		// command because the lookup failed would only block the user.
		a.e.log.Warn("check mentioned user", "team", a.TeamID, "user", id, "err", err)
		return id, nil
	}
	if !ok {
		if example == "" {
			example = "@ana"
		}
		return "", kam.Errorf(kam.EINVALID, "I can't find that person (%s) in this workspace — mention someone from this workspace with @ (e.g. %s).", format.Mrkdwn(id), example)
	}
	return id, nil
}

// channelPost is the kam.Post that queues blocks(stored) to the account's
// channel under key(stored), for the store to queue in the same transaction
// as the change it reports; nil when the account has no channel or nothing
// delivers posts.
func channelPost[T any](a *Actor, acct kam.Account, key func(T) string, blocks func(T) []slack.Block) kam.Post[T] {
	if a.e.notifier == nil || acct.ChannelID == "" {
		return nil
	}
	team, channel := a.TeamID, acct.ChannelID
	return func(stored T) ([]kam.OutboxMessage, error) {
		b := blocks(stored)
		return encodePost(team, channel, key(stored), format.Fallback(b), b)
	}
}

// encodePost is the outbox record of one post, for a kam.Post to return.
func encodePost(teamID, channel, key, text string, blocks []slack.Block) ([]kam.OutboxMessage, error) {
	m, err := outbox.Encode(outbox.Message{TeamID: teamID, Channel: channel, Key: key, Text: text, Blocks: blocks})
	if err != nil {
		return nil, fmt.Errorf("encode post %s: %w", key, err)
	}
	return []kam.OutboxMessage{m}, nil
}

// Wake asks the notifier to deliver the posts that a change just queued.
func (a *Actor) Wake() {
	if a.e.notifier != nil {
		a.e.notifier.Wake()
	}
}

// closest returns the option nearest to s — a unique one it prefixes, or
// the one within a small edit distance — or "" when none is near.
func closest(s string, options []string) string {
	if s == "" {
		return ""
	}
	best, bestD := "", 1<<30
	for _, o := range options {
		if d := typoDistance(s, o); d < bestD {
			best, bestD = o, d
		}
	}
	if bestD <= typoBudget(s) {
		return best
	}
	return ""
}

// typoBudget is how many edits still count as a typo of s; one or two
// letters are too little to guess from.
func typoBudget(s string) int {
	if n := runeLen(s); n > 2 {
		return max(1, n/3)
	}
	return 0
}

// typoDistance is the edit distance from typed to option, or to option's
// prefix of the same length (so "acmee" is near "Acme Corp").
func typoDistance(typed, option string) int {
	t, o := []rune(typed), []rune(option)
	// Long inputs are never typos of a short name; bound the work.
	if len(t) > 100 {
		t = t[:100]
	}
	if len(o) > 100 {
		o = o[:100]
	}
	d := levenshtein(t, o)
	if len(o) > len(t) {
		d = min(d, levenshtein(t, o[:len(t)]))
	}
	return d
}

// levenshtein is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of neighbours ("teir" → "tier") each
// cost one.
func levenshtein(a, b []rune) int {
	var d distancer // the type-ahead keeps one per request to reuse its rows
	return d.lev(a, b)
}

// scopedAccounts is the one scope rule of the portfolio views (/kam health,
// pipeline, kpis): the caller's accounts, or every account with all, which
// only admins may ask for. title is "<view> — your accounts" or
// "<view> — all accounts".
func (c *Call) scopedAccounts(ctx context.Context, all bool, view, action string) ([]kam.Account, string, error) {
	if !all {
		accts, err := c.Store().AccountsForUser(ctx, c.TeamID, c.UserID)
		if err != nil {
			return nil, "", fmt.Errorf("your accounts for %s: %w", view, err)
		}
		return accts, view + " — your accounts", nil
	}
	if err := c.Allow(kam.Account{}, "", AccessAdmin, action); err != nil {
		return nil, "", err
	}
	accts, err := c.Store().Accounts(ctx, c.TeamID)
	if err != nil {
		return nil, "", fmt.Errorf("every account for %s: %w", view, err)
	}
	return accts, view + " — all accounts", nil
}
