package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// addKeys are the keys /kam add takes, in the order they are applied and
// reported.
var addKeys = []string{"tier", "level", "owner", "sponsor", "cadence", "channel", "revenue", "wallet", "segment", "region"}

// setKeys are the keys /kam set takes: add's, and a new name.
var setKeys = append([]string{"name"}, addKeys...)

// runAccounts lists the caller's accounts, or every account for admins.
func runAccounts(ctx context.Context, c *Call) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	all := false
	if len(toks) > 0 && toks[0].Key == "" && strings.EqualFold(toks[0].Value, "all") {
		all, toks = true, toks[1:]
	}
	var intelOpts Options // quadrant= and sort= (account intelligence)
	if len(toks) > 0 && c.intel() != nil {
		if intelOpts, err = ParseOptions(toks, accountsIntelKeys, c.Command.Usage); err != nil {
			return Reply{}, err
		}
		toks = nil
	}
	if len(toks) > 0 {
		return Reply{}, c.Usage("Unexpected “%s”", show(toks[0].String(), 40))
	}
	var list []kam.Account
	if all {
		if err := c.Allow(kam.Account{}, "", AccessAdmin, "list every account"); err != nil {
			return Reply{}, err
		}
		if list, err = c.Store().Accounts(ctx, c.TeamID); err != nil {
			return Reply{}, fmt.Errorf("list accounts: %w", err)
		}
	} else if list, err = c.Store().AccountsForUser(ctx, c.TeamID, c.UserID); err != nil {
		return Reply{}, fmt.Errorf("list accounts of %s: %w", c.UserID, err)
	}
	if intelOpts != nil {
		return c.intelAccounts(ctx, list, all, intelOpts)
	}
	return Reply{Blocks: accountsBlocks(list, all, c.Admin, c.UserID, c.Currency())}, nil
}

// accountsBlocks renders an account list.
func accountsBlocks(list []kam.Account, all, admin bool, userID string, cur format.Currency) []slack.Block {
	title := fmt.Sprintf("Your accounts (%d)", len(list))
	if all {
		title = fmt.Sprintf("All accounts (%d)", len(list))
	}
	blocks := []slack.Block{header(title)}
	if len(list) == 0 {
		msg := "You're not on any account's team yet. An admin adds you with `/kam team &lt;account&gt; add @you`."
		switch {
		case all:
			msg = "No accounts yet. Create the first with `/kam add \"Acme Corp\" tier=partner owner=@ana`."
		case admin:
			msg = "You're not on any account's team. As an admin, `/kam accounts all` lists every account."
		}
		return append(blocks, section(msg))
	}
	lines := make([]string, 0, len(list))
	for _, a := range list {
		line := fmt.Sprintf("*%s* `%s` — %s · %s", format.Mrkdwn(a.Name), a.Slug, a.Tier, a.Level)
		if a.OwnerID != "" {
			if a.OwnerID == userID {
				line += " · you're the KAM"
			} else {
				line += " · KAM " + mention(a.OwnerID)
			}
		}
		if a.Revenue > 0 {
			line += " · " + cur.Money(a.Revenue)
		}
		lines = append(lines, line)
	}
	bullets := listBlocks("", lines, maxMessageBlocks-2, func(n int) string {
		return fmt.Sprintf("…and %d more — `/kam show &lt;name&gt;` finds one", n)
	})
	blocks = append(blocks, accountsTable(list, cur).Blocks(bullets)...)
	return append(blocks, contextBlock("`/kam show &lt;account&gt;` for the card · `/kam pipeline` for the deals"))
}

// runAdd creates an account.
func runAdd(ctx context.Context, c *Call) (Reply, error) {
	first, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || first.Key != "" {
		return Reply{}, c.Usage("Name the account first")
	}
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	// An unquoted name with spaces reads as several positional words.
	words := []string{first.Value}
	for _, t := range toks {
		if t.Key == "" {
			words = append(words, t.Value)
		}
	}
	if len(words) > 1 && !first.Quoted {
		return Reply{}, kam.Errorf(kam.EINVALID, "Put a name with spaces in quotes: `/kam add \"%s\" …`.", show(strings.Join(words, " "), kam.MaxNameLen))
	}
	name, err := checkName("The account name", first.Value)
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, addKeys, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	a := kam.Account{
		TeamID:  c.TeamID,
		Name:    name,
		Tier:    kam.TierVendor,
		Level:   kam.LevelCommodity,
		Cadence: kam.CadenceMonthly,
	}
	if _, err := applyAccountOptions(ctx, c, &a, opts); err != nil {
		return Reply{}, err
	}
	if dup, err := c.existingAccount(ctx, name); err != nil {
		return Reply{}, err
	} else if dup != nil {
		return Reply{}, kam.Errorf(kam.ECONFLICT, "%s already exists — change it with `/kam set %s key=value`.", format.Mrkdwn(dup.Name), dup.Slug)
	}
	if err := c.Store().CreateAccount(ctx, &a, c.UserID); err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return Reply{}, err
		}
		return Reply{}, fmt.Errorf("create account %q: %w", name, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Created *%s* (`%s`) — %s tier, %s reviews", format.Mrkdwn(a.Name), a.Slug, a.Tier, a.Cadence)
	if a.OwnerID != "" {
		fmt.Fprintf(&b, ", KAM %s", mention(a.OwnerID))
	}
	b.WriteString(".")
	next := fmt.Sprintf("Next: `/kam team %s add @someone` · `/kam show %s`", a.Slug, a.Slug)
	if a.OwnerID == "" {
		// Said plainly: nobody gets this account's reminders until someone is on its team.
		fmt.Fprintf(&b, " Nobody is on its team yet, so nobody gets its reminders: make someone its KAM with `/kam set %s owner=@someone`, then add the rest with `/kam team %s add @someone`.", a.Slug, a.Slug)
		next = fmt.Sprintf("Next: `/kam set %s owner=@someone` · `/kam team %s add @someone`", a.Slug, a.Slug)
	}
	return Reply{Blocks: []slack.Block{section(b.String()), contextBlock(next)}}, nil
}

// existingAccount returns the account that already has name (or its slug),
// or nil.
func (c *Call) existingAccount(ctx context.Context, name string) (*kam.Account, error) {
	cands, err := c.Store().FindAccounts(ctx, c.TeamID, name, maxCandidates)
	if err != nil {
		return nil, fmt.Errorf("check account name %q: %w", name, err)
	}
	slug := kam.Slugify(name)
	for _, x := range cands {
		if strings.EqualFold(x.Name, name) || (slug != "" && x.Slug == slug) {
			return &x, nil
		}
	}
	return nil, nil
}

// checkName validates a name with the domain's rule (kam.CheckName): one
// line, a letter or digit, within the limit.
func checkName(what, s string) (string, error) {
	name, err := kam.CheckName("", "", s)
	if e := kam.AsError(err); e != nil && e.Reason == kam.ReasonMissing {
		// An empty name has no letter either; say what it needs.
		err = kam.ErrInvalid("", "", kam.ReasonNoLetter)
	}
	if err != nil {
		return "", textError(what, err)
	}
	return name, nil
}

// runSet changes an account's fields.
func runSet(ctx context.Context, c *Call) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	if len(toks) == 0 {
		return Reply{}, c.Usage("Say what to change, e.g. tier=partner")
	}
	opts, err := ParseOptions(toks, c.setKeys(), c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	// A target, or a past year's revenue, is history, not a field.
	results, err := c.parseResults(opts)
	if err != nil {
		return Reply{}, err
	}
	a := c.Account
	changed, err := applyAccountOptions(ctx, c, &a, opts)
	if err != nil {
		return Reply{}, err
	}
	if err := c.allowLeadChange(c.Account, changed); err != nil {
		return Reply{}, err
	}
	if len(changed) == 0 && results.empty() {
		return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Nothing to change — %s already has those values.", format.Mrkdwn(a.Name)))}}, nil
	}
	if contains(changed, "name") {
		if dup, err := c.existingAccount(ctx, a.Name); err != nil {
			return Reply{}, err
		} else if dup != nil && dup.ID != a.ID {
			return Reply{}, kam.Errorf(kam.ECONFLICT, "Another account is already called %s — pick another name.", format.Mrkdwn(dup.Name))
		}
	}
	if len(changed) > 0 {
		if err := c.Store().UpdateAccount(ctx, &a, c.UserID, changed, c.leadChangeNotice(c.Account, changed)); err != nil {
			if kam.ErrorCode(err) != kam.EINTERNAL {
				return Reply{}, err
			}
			return Reply{}, fmt.Errorf("update account %d: %w", a.ID, err)
		}
	}
	parts := make([]string, 0, len(changed)+2)
	for _, k := range changed {
		parts = append(parts, k+" → "+accountValue(a, k, c.Currency()))
	}
	more, err := c.writeResults(ctx, a, results)
	if err != nil {
		return Reply{}, err
	}
	parts = append(parts, more...)
	return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Updated *%s*: %s.", format.Mrkdwn(a.Name), strings.Join(parts, ", ")))}}, nil
}

// leadKeys are the keys of set that decide who leads an account and where
// its posts go: the KAM, the executive sponsor (both on the team, with
// rights) and the channel (possibly shared with the customer).
var leadKeys = []string{"owner", "sponsor", "channel"}

// allowLeadChange lets only admins and the account's KAM change a lead
// key: a team member must not be able to put an outsider on the team,
// remove the KAM, or redirect the account's posts.
func (a *Actor) allowLeadChange(acct kam.Account, changed []string) error {
	var keys []string
	for _, k := range changed {
		if slices.Contains(leadKeys, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 || a.Admin || (acct.OwnerID != "" && acct.OwnerID == a.UserID) {
		return nil
	}
	who := "its KAM"
	if acct.OwnerID != "" {
		who = "its KAM, " + mention(acct.OwnerID)
	}
	return kam.Errorf(kam.EUNAUTHORIZED, "Only admins and %s can change %s's %s. Ask them, or change the other keys on their own.",
		who, format.Mrkdwn(acct.Name), orList(keys))
}

// leadChangeNotice tells the account's KAM, before and after the change,
// by DM that someone else changed a lead key; it is queued with the change.
func (a *Actor) leadChangeNotice(old kam.Account, changed []string) kam.Post[kam.Account] {
	var keys []string
	for _, k := range changed {
		if slices.Contains(leadKeys, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 || a.e.notifier == nil {
		return nil
	}
	actor := a.UserID
	return func(n kam.Account) ([]kam.OutboxMessage, error) {
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %s → %s", k, accountValue(old, k, a.e.currency), accountValue(n, k, a.e.currency)))
		}
		text := fmt.Sprintf("%s changed who leads *%s*: %s.", mention(actor), format.Mrkdwn(n.Name), strings.Join(parts, ", "))
		blocks := []slack.Block{section(text)}
		var out []kam.OutboxMessage
		for _, to := range []string{old.OwnerID, n.OwnerID} {
			if to == "" || to == actor || slices.ContainsFunc(out, func(m kam.OutboxMessage) bool { return m.Channel == to }) {
				continue
			}
			key := fmt.Sprintf("account-leads:%d:%d:%s", n.ID, n.UpdatedAt.UnixMilli(), to)
			m, err := encodePost(n.TeamID, to, key, format.Fallback(blocks), blocks)
			if err != nil {
				return nil, err
			}
			out = append(out, m...)
		}
		return out, nil
	}
}

// applyAccountOptions validates every option and applies it to a; it
// returns the keys whose value changed, in setKeys order. Nothing is
// written: the caller stores a only when every option is valid.
func applyAccountOptions(ctx context.Context, c *Call, a *kam.Account, opts Options) ([]string, error) {
	var changed []string
	for _, key := range setKeys {
		t, ok := opts[key]
		if !ok {
			continue
		}
		differs, err := applyAccountOption(ctx, c, a, key, t)
		if err != nil {
			return nil, err
		}
		if differs {
			changed = append(changed, key)
		}
	}
	return changed, nil
}

// applyAccountOption parses the value of one /kam set key into its field
// of a and reports whether the field changed.
func applyAccountOption(ctx context.Context, c *Call, a *kam.Account, key string, t Token) (bool, error) {
	v := t.Value
	switch key {
	case "name":
		name, err := checkName("The account name", v)
		return assignField(&a.Name, name, err)
	case "tier":
		tier, err := ParseEnum("tier", v, kam.Tiers)
		return assignField(&a.Tier, tier, err)
	case "level":
		level, err := ParseEnum("relationship level", v, kam.Levels)
		return assignField(&a.Level, level, err)
	case "cadence":
		cad, err := ParseEnum("cadence", v, kam.Cadences)
		return assignField(&a.Cadence, cad, err)
	case "owner", "sponsor":
		// A blank mention clears the lead rather than failing to parse.
		id, err := unlessBlank(t.Raw, func() (string, error) { return c.User(ctx, t, key+"=@ana") })
		if key == "owner" {
			return assignField(&a.OwnerID, id, err)
		}
		return assignField(&a.SponsorID, id, err)
	case "channel":
		id, err := unlessBlank(t.Raw, func() (string, error) { return ParseChannel(t) })
		return assignField(&a.ChannelID, id, err)
	case "revenue":
		rev, err := unlessBlank(v, func() (int64, error) { return ParseMoney(v) })
		return assignField(&a.Revenue, rev, err)
	case "wallet":
		pct, err := unlessBlank(v, func() (float64, error) { return ParsePercent(v) })
		return assignField(&a.WalletPct, pct, err)
	case "segment", "region":
		s, err := CheckText("The "+key, v, kam.MaxTextLen, false)
		if key == "segment" {
			return assignField(&a.Segment, s, err)
		}
		return assignField(&a.Region, s, err)
	}
	return false, nil
}

// assignField stores v in *dst unless parsing it failed, and reports
// whether the stored value changed.
func assignField[T comparable](dst *T, v T, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	differs := v != *dst
	*dst = v
	return differs, nil
}

// unlessBlank runs parse, or gives the zero value when s is blank: an
// empty value clears an optional field.
func unlessBlank[T any](s string, parse func() (T, error)) (T, error) {
	if strings.TrimSpace(s) == "" {
		var zero T
		return zero, nil
	}
	return parse()
}

// accountValue renders one field of a for a confirmation.
func accountValue(a kam.Account, key string, cur format.Currency) string {
	cleared := "_(cleared)_"
	switch key {
	case "name":
		return format.Mrkdwn(a.Name)
	case "tier":
		return string(a.Tier)
	case "level":
		return string(a.Level)
	case "cadence":
		return string(a.Cadence)
	case "owner":
		if a.OwnerID == "" {
			return cleared
		}
		return mention(a.OwnerID)
	case "sponsor":
		if a.SponsorID == "" {
			return cleared
		}
		return mention(a.SponsorID)
	case "channel":
		if a.ChannelID == "" {
			return cleared
		}
		return channelRefText(a.ChannelID)
	case "revenue":
		return cur.Money(a.Revenue)
	case "wallet":
		return formatPercent(a.WalletPct)
	case "segment":
		if a.Segment == "" {
			return cleared
		}
		return format.Mrkdwn(a.Segment)
	case "region":
		if a.Region == "" {
			return cleared
		}
		return format.Mrkdwn(a.Region)
	}
	return ""
}
