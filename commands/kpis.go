package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

func kpisCommand() Command {
	return Command{
		Name:    "kpis",
		Aliases: []string{"kpi"},
		Usage:   "kpis [<account> | all]",
		Summary: "Results and process KPIs for a quarterly business review: revenue vs target, growth, retention, wallet, NPS; plans, reviews, sponsors, threading, surveys.",
		Details: "*Results*: revenue against this year's target (`/kam set <account> target=1.5m`), growth year on year (revenue now against " +
			"last year's, from the dated history), retention of key accounts (those with revenue last year that still have some), " +
			"the change in share of wallet, relationship levels moved up or down, and NPS.\n" +
			"*Process*: accounts with a current plan (a strategy, and the review on time), plan reviews on time, sponsor coverage " +
			"(a sponsor who touched the account within 91 days), multi-threaded (diamond) accounts, and surveys done within the survey cadence.\n" +
			"Revenue, share of wallet, level and tier are kept as dated history: every `/kam set` appends. A past year's revenue: " +
			"`/kam set <account> revenue=1.1m@2025`. Without an account: your accounts; admins add `all`.",
		Examples: []string{"kpis", "kpis acme", "kpis all"},
		Run:      runKPIs,
	}
}

func runKPIs(ctx context.Context, c *Call) (Reply, error) {
	tok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	all := ok && tok.Key == "" && !tok.Quoted && strings.EqualFold(tok.Value, "all")
	if ok && !all {
		if tok.Key != "" {
			return Reply{}, c.Usage("Unexpected “%s”", show(tok.String(), 40))
		}
		acct, _, err := c.ResolveAccount(ctx, tok.Value, AccessTeamOrAdmin, "see its KPIs")
		if err != nil {
			return Reply{}, err
		}
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		ks, hist, err := c.kpisOf(ctx, []kam.Account{acct})
		if err != nil {
			return Reply{}, err
		}
		return Reply{Blocks: accountKPIBlocks(c.Actor, ks[0], hist[acct.ID])}, nil
	}
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	accts, title, err := c.scopedAccounts(ctx, all, "KPIs", "see every account's KPIs")
	if err != nil {
		return Reply{}, err
	}
	if len(accts) == 0 {
		msg := "You're not on any account's team yet, so there are no KPIs to show. An admin adds you with `/kam team &lt;account&gt; add @you`."
		if c.Admin && !all {
			msg = "You're not on any account's team. As an admin, `/kam kpis all` shows the whole portfolio."
		}
		return Reply{Blocks: []slack.Block{header(title), section(msg)}}, nil
	}
	ks, _, err := c.kpisOf(ctx, accts)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Blocks: portfolioKPIBlocks(c.Actor, fmt.Sprintf("%s (%d)", title, len(accts)), ks)}, nil
}

// kpisOf loads what the KPIs of the accounts rest on and computes them.
func (c *Call) kpisOf(ctx context.Context, accts []kam.Account) ([]kam.AccountKPIs, map[int64]kam.History, error) {
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	hs, err := c.healthOf(ctx, accts)
	if err != nil {
		return nil, nil, err
	}
	hist, err := c.method().Histories(ctx, c.TeamID, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("KPIs: %w", err)
	}
	targets, err := c.method().Targets(ctx, c.TeamID, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("KPIs: %w", err)
	}
	nps, err := c.Store().NPSSummaries(ctx, c.TeamID, ids, c.Now)
	if err != nil {
		return nil, nil, fmt.Errorf("KPIs: %w", err)
	}
	out := make([]kam.AccountKPIs, len(accts))
	for i, a := range accts {
		out[i] = kam.AccountKPIsOf(kam.KPIInput{Account: a, History: hist[a.ID], Targets: targets[a.ID], Health: hs[i],
			NPS: nps[a.ID], Sponsored: a.SponsorID != ""}, c.Now, c.Loc)
	}
	return out, hist, nil
}

// portfolioKPIBlocks renders the KPIs of many accounts: the portfolio's
// results and process, then a line per account.
func portfolioKPIBlocks(a Actor, title string, ks []kam.AccountKPIs) []slack.Block {
	p := kam.SumKPIs(ks)
	cur := a.Currency()
	target := "no targets set — `/kam set &lt;account&gt; target=1.5m`"
	if pct, ok := p.Attainment(); ok {
		target = fmt.Sprintf("%s of %s (%s) · %s with a target", cur.Money(p.TargetRevenue), cur.Money(p.Target), format.Percent(pct),
			format.Count(p.WithTarget, "account", "accounts"))
		if n := len(p.BelowTarget); n > 0 {
			names := make([]string, 0, min(n, 5))
			for _, name := range p.BelowTarget[:min(n, 5)] {
				names = append(names, format.Mrkdwn(name))
			}
			if n > 5 {
				names = append(names, fmt.Sprintf("%d more", n-5))
			}
			target += " · below target: " + strings.Join(names, ", ")
		}
	}
	growth := "no revenue recorded for last year yet — `/kam set &lt;account&gt; revenue=1.1m@" + fmt.Sprint(p.Year-1) + "`"
	if pct, ok := p.Growth(); ok {
		growth = fmt.Sprintf("%s (%s → %s, like for like)", format.Growth(pct), cur.Money(p.GrowthYearAgo), cur.Money(p.GrowthRevenue))
	}
	wallet := "no share of wallet recorded for last year"
	if p.WalletAccounts > 0 {
		wallet = fmt.Sprintf("%s on average over %s", format.PointChange(p.WalletChange), format.Count(p.WalletAccounts, "account", "accounts"))
	}
	blocks := []slack.Block{
		header(title),
		contextBlock(fmt.Sprintf("%d · revenue %s · compared with the end of %d", p.Year, cur.Money(p.Revenue), p.Year-1)),
		section("*Results*"),
		fields(
			"*Revenue vs target*\n"+target,
			"*Growth year on year*\n"+growth,
			"*Retention of key accounts*\n"+retentionText(p.Retention),
			"*Share of wallet*\n"+wallet,
			fmt.Sprintf("*Relationship level*\n%d moved up · %d moved down this year", p.Promoted, p.Demoted),
			"*NPS*\n"+npsKPI(p.NPS),
		),
		section("*Process*"),
		fields(
			"*Current plan* (strategy, review on time)\n"+format.Share(p.CurrentPlan.N, p.CurrentPlan.Of),
			"*Plan reviews on time*\n"+format.Share(p.ReviewOnTime.N, p.ReviewOnTime.Of),
			"*Sponsor coverage* (touched within 91 days)\n"+format.Share(p.Sponsor.N, p.Sponsor.Of),
			"*Multi-threaded* (diamond)\n"+format.Share(p.Multi.N, p.Multi.Of),
			"*Surveys done* (within the cadence)\n"+format.Share(p.Surveyed.N, p.Surveyed.Of),
		),
		divider(),
	}
	lines := make([]string, len(ks))
	for i, k := range ks {
		lines[i] = fmt.Sprintf("*%s* — %s", format.Mrkdwn(k.Account.Name), kpiLine(cur, k))
	}
	return append(blocks, listBlocks("*By account*", lines, 8, nil)...)
}

// retentionText says how many key accounts buying a year ago still buy.
func retentionText(s kam.Share) string {
	if s.Of == 0 {
		return "no revenue recorded for last year yet"
	}
	return format.Share(s.N, s.Of) + " still buying"
}

// npsKPI is the NPS with the answers it rests on.
func npsKPI(s *kam.NPSSummary) string {
	if s == nil || s.Responses == 0 {
		return "no survey answers yet"
	}
	return format.NPS(s.NPS) + " " + format.Answers(s.Responses)
}

// kpiLine is an account's KPIs on one line.
func kpiLine(cur format.Currency, k kam.AccountKPIs) string {
	parts := []string{cur.Money(k.Revenue)}
	if pct, ok := k.Attainment(); ok {
		parts[0] += fmt.Sprintf(" of %s (%s)", cur.Money(k.Target), format.Percent(pct))
	} else {
		parts[0] += " · no target"
	}
	if pct, ok := k.Growth(); ok {
		parts = append(parts, format.Growth(pct)+" y/y")
	}
	if k.Wallet > 0 {
		w := "wallet " + format.Percent(k.Wallet)
		if k.HasWallet {
			w += " (" + format.PointChange(k.Wallet-k.WalletAgo) + ")"
		}
		parts = append(parts, w)
	}
	parts = append(parts, mark(k.CurrentPlan(), "current plan"), mark(k.SponsorTouch, "sponsor"), mark(k.Multi, "multi-threaded"), mark(k.Surveyed, "surveyed"))
	return strings.Join(parts, " · ")
}

// mark is a process KPI met (✓) or not (✗).
func mark(ok bool, what string) string {
	if ok {
		return "✓ " + what
	}
	return "✗ " + what
}

// kpiHistoryLines is how many entries of the dated history an account's
// KPIs list, newest first.
const kpiHistoryLines = 12

// accountKPIBlocks renders one account's KPIs and its dated history.
func accountKPIBlocks(a Actor, k kam.AccountKPIs, hist kam.History) []slack.Block {
	cur := a.Currency()
	acct := k.Account
	target := fmt.Sprintf("no %d target — `/kam set %s target=1.5m`", k.Year, acct.Slug)
	if pct, ok := k.Attainment(); ok {
		target = fmt.Sprintf("%s of %s (%s)", cur.Money(k.Revenue), cur.Money(k.Target), format.Percent(pct))
	}
	growth := fmt.Sprintf("no revenue recorded for last year — `/kam set %s revenue=1.1m@%d`", acct.Slug, k.Year-1)
	if pct, ok := k.Growth(); ok {
		growth = fmt.Sprintf("%s (%s → %s)", format.Growth(pct), cur.Money(k.YearAgo), cur.Money(k.Revenue))
	}
	wallet := "not set — `/kam set " + acct.Slug + " wallet=30`"
	if k.Wallet > 0 {
		wallet = format.Percent(k.Wallet)
		if k.HasWallet {
			wallet += fmt.Sprintf(" (%s from %s)", format.PointChange(k.Wallet-k.WalletAgo), format.Percent(k.WalletAgo))
		}
	}
	level := string(k.Level)
	if k.LevelAgo != "" && k.LevelAgo != k.Level {
		level = fmt.Sprintf("%s (a year ago %s)", k.Level, k.LevelAgo)
	}
	blocks := []slack.Block{
		header("KPIs — " + acct.Name),
		contextBlock(fmt.Sprintf("%d · tier %s · compared with the end of %d", k.Year, k.Tier, k.Year-1)),
		fields(
			"*Revenue vs target*\n"+target,
			"*Growth year on year*\n"+growth,
			"*Share of wallet*\n"+wallet,
			"*Relationship level*\n"+level,
			"*NPS*\n"+npsKPI(k.NPS),
			"*Process*\n"+strings.Join([]string{mark(k.CurrentPlan(), "current plan"), mark(k.ReviewOnTime, "review on time"),
				mark(k.SponsorTouch, "sponsor in touch"), mark(k.Multi, "multi-threaded"), mark(k.Surveyed, "surveyed")}, " · "),
		),
	}
	var lines []string
	for i := len(hist) - 1; i >= 0 && len(lines) < kpiHistoryLines; i-- {
		e := hist[i]
		lines = append(lines, fmt.Sprintf("%s · %s → %s", a.Date(e.At), e.Field, historyValue(cur, e)))
	}
	if len(lines) == 0 {
		lines = []string{"Nothing recorded yet."}
	}
	blocks = append(blocks, listBlocks("*History* (every change is kept)", lines, 2, nil)...)
	return blocks
}

// historyValue renders a history entry's value the way the card shows it.
func historyValue(cur format.Currency, e kam.HistoryEntry) string {
	switch e.Field {
	case kam.HistRevenue:
		return cur.Money(e.Int())
	case kam.HistWallet:
		return format.Percent(e.Float())
	}
	return format.Mrkdwn(e.Value)
}
