package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// runTeam adds, updates or removes a member of the account's team.
func runTeam(ctx context.Context, c *Call) (Reply, error) {
	verb, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || verb.Key != "" {
		return Reply{}, c.Usage("Say add or remove")
	}
	switch strings.ToLower(verb.Value) {
	case "add":
		return teamAdd(ctx, c)
	case "remove", "rm":
		return teamRemove(ctx, c)
	}
	return Reply{}, c.Usage("Unknown “%s” — say add or remove", show(verb.Value, 30))
}

func teamAdd(ctx context.Context, c *Call) (Reply, error) {
	who, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || who.Key != "" {
		return Reply{}, c.Usage("Who? Mention them with @")
	}
	user, err := c.User(ctx, who, "@ana")
	if err != nil {
		return Reply{}, err
	}
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, []string{"role", "function"}, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	prev, err := c.Store().MemberRole(ctx, c.TeamID, c.Account.ID, user)
	if err != nil {
		return Reply{}, fmt.Errorf("role of %s on account %d: %w", user, c.Account.ID, err)
	}
	m := kam.Member{TeamID: c.TeamID, AccountID: c.Account.ID, UserID: user, Role: kam.RoleMember}
	if prev != "" {
		m.Role = prev // changing only the function keeps the role
	}
	if t, ok := opts["role"]; ok {
		if m.Role, err = ParseEnum("role", t.Value, kam.Roles); err != nil {
			return Reply{}, err
		}
	}
	if t, ok := opts["function"]; ok {
		if m.Function, err = CheckText("The function", t.Value, kam.MaxTextLen, false); err != nil {
			return Reply{}, err
		}
	}
	if err := c.Store().PutMember(ctx, m, c.UserID); err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return Reply{}, err
		}
		return Reply{}, fmt.Errorf("put %s on account %d: %w", user, c.Account.ID, err)
	}
	a := c.Account
	var msg string
	switch {
	case prev == "":
		msg = fmt.Sprintf("Added %s to *%s* as %s", mention(user), format.Mrkdwn(a.Name), m.Role)
	case prev != m.Role:
		msg = fmt.Sprintf("%s is now %s on *%s* (was %s)", mention(user), m.Role, format.Mrkdwn(a.Name), prev)
	default:
		msg = fmt.Sprintf("%s stays %s on *%s*", mention(user), m.Role, format.Mrkdwn(a.Name))
	}
	if m.Function != "" {
		msg += " · " + format.Mrkdwn(m.Function)
	}
	msg += "."
	msg += leadNotes(ctx, c, a)
	return Reply{Blocks: []slack.Block{section(msg)}}, nil
}

func teamRemove(ctx context.Context, c *Call) (Reply, error) {
	who, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || who.Key != "" {
		return Reply{}, c.Usage("Who? Mention them with @")
	}
	// No directory check: someone who has left the workspace must still be
	// removable.
	user, err := ParseUser(who, "@ana")
	if err != nil {
		return Reply{}, err
	}
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	a := c.Account
	role, err := c.Store().MemberRole(ctx, c.TeamID, a.ID, user)
	if err != nil {
		return Reply{}, fmt.Errorf("role of %s on account %d: %w", user, a.ID, err)
	}
	if role == "" && a.OwnerID != user && a.SponsorID != user {
		return Reply{}, kam.Errorf(kam.ENOTFOUND, "%s isn't on %s's team — `/kam show %s` lists it.", mention(user), format.Mrkdwn(a.Name), a.Slug)
	}
	if err := c.Store().RemoveMember(ctx, c.TeamID, a.ID, user, c.UserID); err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return Reply{}, err
		}
		return Reply{}, fmt.Errorf("remove %s from account %d: %w", user, a.ID, err)
	}
	msg := fmt.Sprintf("Removed %s from *%s*.", mention(user), format.Mrkdwn(a.Name)) + leadNotes(ctx, c, a) + mirrorNotes(ctx, c, a, user)
	return Reply{Blocks: []slack.Block{section(msg)}}, nil
}

// mirrorNotes flags the stakeholders the removed person mirrored: they
// count as unmirrored from now on (kam.AssessHealth), and need a new mirror.
func mirrorNotes(ctx context.Context, c *Call, a kam.Account, user string) string {
	if c.intel() == nil {
		return ""
	}
	contacts, err := c.intel().Contacts(ctx, c.TeamID, a.ID)
	if err != nil {
		c.e.log.Warn("read stakeholders after team change", "team", c.TeamID, "account", a.ID, "err", err)
		return ""
	}
	var names []string
	for _, k := range contacts {
		if k.MirrorID == user {
			names = append(names, format.Mrkdwn(k.Name))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf(" They mirrored %s, who %s no mirror on the team now — `/kam contact %s set \"%s\" mirror=@someone`.",
		andList(names), map[bool]string{true: "has", false: "have"}[len(names) == 1], a.Slug, names[0])
}

// leadNotes tells how a team change moved the account's owner and sponsor
// posts (the store keeps them in step with the team's kam and sponsor
// rows), comparing before with the account as it is now.
func leadNotes(ctx context.Context, c *Call, before kam.Account) string {
	after, err := c.Store().Account(ctx, c.TeamID, before.ID)
	if err != nil {
		// The change is made; only the note is lost.
		c.e.log.Warn("reload account after team change", "team", c.TeamID, "account", before.ID, "err", err)
		return ""
	}
	var b strings.Builder
	switch {
	case after.OwnerID == before.OwnerID:
	case after.OwnerID == "":
		fmt.Fprintf(&b, " *%s* has no KAM now — set one with `/kam set %s owner=@someone`.", format.Mrkdwn(after.Name), after.Slug)
	case before.OwnerID == "":
		fmt.Fprintf(&b, " %s is the account's KAM now.", mention(after.OwnerID))
	default:
		fmt.Fprintf(&b, " %s is the account's KAM now, taking over from %s.", mention(after.OwnerID), mention(before.OwnerID))
	}
	switch {
	case after.SponsorID == before.SponsorID:
	case after.SponsorID == "":
		fmt.Fprintf(&b, " It has no executive sponsor now — `/kam set %s sponsor=@someone`.", after.Slug)
	default:
		fmt.Fprintf(&b, " %s is the account's executive sponsor now.", mention(after.SponsorID))
	}
	return b.String()
}
