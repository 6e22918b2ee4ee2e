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

// cardInteractions is how many recent interactions the card shows.
const cardInteractions = 5

// cardSummaryLen bounds each interaction's summary on the card, so five of
// them stay readable on a phone.
const cardSummaryLen = 200

// tierTitles name the supplier-side role each tier calls for.
var tierTitles = map[kam.Tier]string{
	kam.TierVendor:     "Account Manager",
	kam.TierPreferred:  "Account Manager Plus",
	kam.TierConsultant: "Key Account Manager",
	kam.TierPartner:    "Strategic Account Manager",
}

// runShow renders the account card.
func runShow(ctx context.Context, c *Call) (Reply, error) {
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	a := c.Account
	// Read before the records: a change committed meanwhile makes the
	// card unservable from the cache.
	changes, sec := c.Store().Changes(), showSecond(c.Now)
	key := showKey{team: c.TeamID, account: a.ID, zone: c.Loc.String()}
	if r, ok := c.e.shown.get(key, sec, changes); ok {
		return r, nil
	}
	members, err := c.Store().Members(ctx, c.TeamID, a.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("team of account %d: %w", a.ID, err)
	}
	ints, err := c.Store().Interactions(ctx, c.TeamID, a.ID, cardInteractions)
	if err != nil {
		return Reply{}, fmt.Errorf("interactions of account %d: %w", a.ID, err)
	}
	opps, err := c.Store().Opportunities(ctx, c.TeamID, a.ID, true)
	if err != nil {
		return Reply{}, fmt.Errorf("opportunities of account %d: %w", a.ID, err)
	}
	extra, complete := c.cardSections(ctx, a)
	card := Reply{Blocks: accountCard(a, members, ints, opps, extra, c.Actor), Sources: interactionSources(a, ints)}
	if !complete {
		return card, nil // a section failed: the next request tries again
	}
	return c.e.shown.put(key, sec, changes, card), nil
}

// noMoreArgs refuses words left over after a command's last argument; the
// usual cause is an account name with spaces typed without quotes.
func noMoreArgs(c *Call) error {
	if c.Args.Empty() {
		return nil
	}
	rest := c.Args.Rest()
	return c.Usage("Unexpected “%s” — quote names with spaces, e.g. \"Acme Corp\"", show(rest, 40))
}

// cardSections runs the registered card sections; one that fails is logged
// and left out, so the card still shows (complete is false then).
func (c *Call) cardSections(ctx context.Context, a kam.Account) (out []slack.Block, complete bool) {
	c.e.mu.RLock()
	hooks := c.e.cards
	c.e.mu.RUnlock()
	complete = true
	for _, h := range hooks {
		blocks, err := h.Render(ctx, &c.Actor, a)
		if err != nil {
			c.e.log.Error("card section failed", "section", h.Name, "team", c.TeamID, "account", a.ID, "err", err)
			complete = false
			continue
		}
		out = append(out, blocks...)
	}
	return out, complete
}

// accountCard renders /kam show: facts, extension sections, team, latest
// interactions and open opportunities.
func accountCard(a kam.Account, members []kam.Member, ints []kam.Interaction, opps []kam.Opportunity, extra []slack.Block, actor Actor) []slack.Block {
	now, cur := actor.Now, actor.Currency()
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return format.Mrkdwn(s)
	}
	tier := string(a.Tier)
	if t := tierTitles[a.Tier]; t != "" {
		tier += " — " + t
	}
	wallet := "—"
	if a.WalletPct > 0 {
		wallet = formatPercent(a.WalletPct)
	}
	revenue := "—"
	if a.Revenue > 0 {
		revenue = cur.Money(a.Revenue)
	}
	blocks := []slack.Block{
		header(a.Name),
		contextBlock(fmt.Sprintf("`%s` · updated %s", a.Slug, dateText(a.UpdatedAt, actor.Loc))),
		fields(
			"*Tier*\n"+tier,
			"*Relationship*\n"+string(a.Level),
			"*KAM*\n"+mention(a.OwnerID),
			"*Sponsor*\n"+mention(a.SponsorID),
			"*Review cadence*\n"+string(a.Cadence),
			"*Revenue*\n"+revenue,
			"*Share of wallet*\n"+wallet,
			"*Channel*\n"+channelRefText(a.ChannelID),
			"*Segment*\n"+dash(a.Segment),
			"*Region*\n"+dash(a.Region),
		),
	}
	// Extension point: health, DPM quadrant and relationship model.
	blocks = append(blocks, extra...)
	blocks = append(blocks, divider())

	if len(members) == 0 {
		blocks = append(blocks, section(fmt.Sprintf("*Team*\nNobody yet — `/kam team %s add @someone`.", a.Slug)))
	} else {
		lines := make([]string, len(members))
		for i, m := range members {
			lines[i] = "• " + mention(m.UserID) + " — " + string(m.Role)
			if m.Function != "" {
				lines[i] += " · " + format.Mrkdwn(m.Function)
			}
		}
		blocks = append(blocks, listBlocks(fmt.Sprintf("*Team (%d)*", len(members)), lines, 2, nil)...)
	}

	blocks = append(blocks, interactionBlocks(a, members, ints, actor)...)

	if len(opps) == 0 {
		blocks = append(blocks, section(fmt.Sprintf("*Open opportunities*\nNone — `/kam opp %s add \"&lt;name&gt;\" value=250k`.", a.Slug)))
	} else {
		var total int64
		lines := make([]string, len(opps))
		for i, o := range opps {
			total += o.Value
			lines[i] = "• " + oppLine(o, now, "", cur)
		}
		title := fmt.Sprintf("*Open opportunities (%d)* · %s", len(opps), cur.Money(total))
		blocks = append(blocks, listBlocks(title, lines, 2, func(n int) string {
			return fmt.Sprintf("…and %d more — `/kam pipeline %s`", n, a.Slug)
		})...)
	}
	return blocks
}

// oppLine renders an opportunity on one line; account, when set, names its
// account (in lists that span several).
func oppLine(o kam.Opportunity, now time.Time, account string, cur format.Currency) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*", format.Mrkdwn(o.Name))
	if account != "" {
		b.WriteString(" (" + format.Mrkdwn(account) + ")")
	}
	b.WriteString(" — " + string(o.Stage))
	if o.Value > 0 {
		b.WriteString(" · " + cur.Money(o.Value))
	}
	if !o.CloseDate.IsZero() {
		b.WriteString(" · closes " + day(o.CloseDate))
		if overdue(o, now) {
			b.WriteString(" :warning: past close date")
		}
	}
	return b.String()
}

// overdue reports whether an open opportunity is past its close date.
func overdue(o kam.Opportunity, now time.Time) bool {
	if o.CloseDate.IsZero() || !o.Stage.Open() {
		return false
	}
	y, m, d := now.UTC().Date()
	return o.CloseDate.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// interactionBlocks lists the card's latest interactions, one section
// each, with a menu that opens the Slack message an interaction was logged
// from and, for those who may, edits or deletes it.
func interactionBlocks(a kam.Account, members []kam.Member, ints []kam.Interaction, actor Actor) []slack.Block {
	if len(ints) == 0 {
		return []slack.Block{section(fmt.Sprintf("*Latest interactions*\nNone logged yet — `/kam log %s call …`.", a.Slug))}
	}
	var role kam.Role
	for _, m := range members {
		if m.UserID == actor.UserID && (role == "" || m.Role == kam.RoleKAM) {
			role = m.Role
		}
	}
	blocks := []slack.Block{section("*Latest interactions*")}
	for _, in := range ints {
		summary := strings.Join(strings.Fields(in.Summary), " ")
		line := fmt.Sprintf("• *%s* — %s, %s: %s", in.Kind, mention(in.UserID), dateText(in.At, actor.Loc), format.Mrkdwn(clip(summary, cardSummaryLen)))
		if !in.EditedAt.IsZero() {
			line += " _(edited)_"
		}
		sec := section(line)
		if menu := interactionMenuOf(in, actor.mayEdit(a, role, in)); menu != nil {
			sec.Accessory = slack.NewAccessory(menu)
		}
		blocks = append(blocks, sec)
	}
	return blocks
}
