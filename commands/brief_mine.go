package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// sponsorPortfolio is /kam brief mine: every account the caller sponsors,
// worst first, a paragraph each, with what needs them personally.
func sponsorPortfolio(ctx context.Context, c *Call) (Reply, error) {
	if c.e.intel == nil {
		return Reply{}, kam.Errorf(kam.EINVALID, "Account health is not turned on here, so there is no portfolio brief; `/kam brief <account>` works.")
	}
	mine, err := c.Store().AccountsForUser(ctx, c.TeamID, c.UserID)
	if err != nil {
		return Reply{}, fmt.Errorf("brief mine: accounts of %s: %w", c.UserID, err)
	}
	var sponsored []kam.Account
	for _, a := range mine {
		role, err := c.Store().MemberRole(ctx, c.TeamID, a.ID, c.UserID)
		if err != nil {
			return Reply{}, fmt.Errorf("brief mine: role on %d: %w", a.ID, err)
		}
		if a.SponsorID == c.UserID || role == kam.RoleSponsor {
			sponsored = append(sponsored, a)
		}
	}
	if len(sponsored) == 0 {
		return Reply{Blocks: []slack.Block{section("You sponsor no account yet. An account's KAM or an admin names you with " +
			"`/kam set &lt;account&gt; sponsor=@you`; `/kam brief &lt;account&gt;` briefs you on any account you are on.")}}, nil
	}
	hs, err := c.healthOf(ctx, sponsored)
	if err != nil {
		return Reply{}, err
	}
	kam.SortWorstFirst(hs)
	blocks := []slack.Block{header(fmt.Sprintf("Your sponsored accounts (%d), worst first", len(hs)))}
	paras := make([]string, len(hs))
	for i, h := range hs {
		paras[i] = sponsorParagraph(h, c.UserID)
	}
	blocks = append(blocks, listBlocks("", paras, maxMessageBlocks-3, func(n int) string {
		return fmt.Sprintf("…and %d healthier accounts: `/kam health` lists them all", n)
	})...)
	return Reply{Blocks: append(blocks, contextBlock("`/kam brief &lt;account&gt;` for the one-screen brief before a meeting"))}, nil
}

// sponsorParagraph is one account of /kam brief mine: its health, its
// worst alerts, and what needs the sponsor personally.
func sponsorParagraph(h kam.Health, userID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* — ", format.Mrkdwn(h.Account.Name))
	if h.New {
		b.WriteString("_" + kam.NoDataYet + "_")
	} else {
		fmt.Fprintf(&b, "%s · %s · %s.", format.Health(h.Score), format.Alerts(len(h.Alerts)), modelText(h.Relationship.Model))
	}
	var needs, others []string
	for _, a := range h.Alerts {
		switch {
		case a.Kind == kam.AlertSponsor, a.Kind == kam.AlertUnmirrored,
			a.Kind == kam.AlertTacticOverdue && strings.Contains(a.Fact(), "<@"+userID+">"):
			needs = append(needs, alertLine(a))
		case len(others) < 2:
			others = append(others, alertLine(a))
		}
	}
	if len(others) > 0 {
		b.WriteString(" Watch: " + strings.Join(others, "; ") + ".")
	}
	if len(needs) > 0 {
		b.WriteString("\n*Needs you:* " + strings.Join(needs, "; ") + ".")
	} else {
		b.WriteString("\nNothing needs you personally.")
	}
	return b.String()
}
