package commands

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Action IDs of the Home's buttons; every one starts with homeActionPrefix.
const (
	homeActionPrefix = "home."
	homeActLog       = "home.log"
	homeActCard      = "home.card"
	homeActBrief     = "home.brief"
	homeActStage     = "home.stage"
	homeActPage      = "home.page"
	homeActPrefs     = "home.prefs"
)

// homeValue is what a Home account button carries: the workspace and the
// account. A click is checked against both and the user's role.
type homeValue struct {
	TeamID    string `json:"t"`
	AccountID int64  `json:"a,omitempty"`
	Page      int    `json:"p,omitempty"`
}

func (v homeValue) encode() string {
	b, _ := json.Marshal(v) // plain fields always marshal
	return string(b)
}

// render lays out the Home: the admin's and manager's summaries, a page of
// accounts, the user's tactics, reminders and deals, and their schedule.
func (h *Home) render(a *Actor, d *homeData, page int) []slack.Block {
	blocks := []slack.Block{
		header("Your key accounts"),
		contextBlock(fmt.Sprintf("Updated %s · dates in %s · `/kam help` for every command", format.DateTime(a.Now, a.Loc), format.Mrkdwn(a.Loc.String()))),
	}
	if d.totals != nil {
		blocks = append(blocks, adminBlocks(a, *d.totals)...)
	}
	if len(d.manages) > 0 {
		blocks = append(blocks, managerBlock(a, d.manages))
	}
	blocks = append(blocks, divider())
	blocks = append(blocks, h.accountBlocks(a, d.accounts, page)...)
	blocks = append(blocks, divider())
	blocks = append(blocks, tacticBlocks(a, d.tactics)...)
	blocks = append(blocks, reminderBlocks(a, d)...)
	blocks = append(blocks, dealBlocks(a, d.deals)...)
	blocks = append(blocks, divider(), h.prefsBlock(a, d.prefs))
	return blocks
}

// adminBlocks sums up the workspace for an admin, with the outbox's
// failed messages.
func adminBlocks(a *Actor, t kam.WorkspaceTotals) []slack.Block {
	outbox := "nothing failed"
	if t.FailedOutbox > 0 {
		outbox = fmt.Sprintf(":warning: %s failed — `/kam outbox`", format.Count(t.FailedOutbox, "message", "messages"))
	}
	return []slack.Block{
		section("*Workspace* _(you are an admin)_"),
		fields(
			"*Accounts*\n"+strconv.Itoa(t.Accounts),
			"*Open deals*\n"+fmt.Sprintf("%d · %s", t.OpenDeals, a.Money(t.OpenPipeline)),
			"*Interactions, last 7 days*\n"+strconv.Itoa(t.Interactions),
			"*Outbox*\n"+outbox+fmt.Sprintf(" · %d waiting", t.PendingOutbox),
		),
	}
}

// managerBlock sums up the accounts the user manages.
func managerBlock(a *Actor, accts []homeAccount) slack.Block {
	bands := map[kam.Band]int{}
	var pipeline int64
	var weighted float64
	alerts := 0
	for _, x := range accts {
		if !x.health.New {
			bands[x.health.Band]++
		}
		pipeline += x.pipeline
		weighted += x.weighted
		alerts += len(x.health.Alerts)
	}
	return fields(
		"*Your portfolio*\n"+format.Count(len(accts), "account you manage", "accounts you manage"),
		"*Health*\n"+fmt.Sprintf("%s %d · %s %d · %s %d", format.BandMark(kam.BandAtRisk), bands[kam.BandAtRisk],
			format.BandMark(kam.BandWatch), bands[kam.BandWatch], format.BandMark(kam.BandGood), bands[kam.BandGood]),
		"*Open pipeline*\n"+a.Money(pipeline)+" · weighted "+a.Money(int64(weighted)),
		"*Alerts*\n"+format.Alerts(alerts)+" · `/kam digest`",
	)
}

// accountBlocks shows one page of accounts, two blocks each, and the
// buttons to page through the rest.
func (h *Home) accountBlocks(a *Actor, accts []homeAccount, page int) []slack.Block {
	if len(accts) == 0 {
		return []slack.Block{section("*Your accounts*\nYou are on no account's team yet. An admin adds you with `/kam team &lt;account&gt; add @you`; `/kam accounts all` lists them.")}
	}
	size := h.cfg.PageSize
	pages := (len(accts) + size - 1) / size
	page = max(0, min(page, pages-1))
	from, to := page*size, min((page+1)*size, len(accts))
	blocks := []slack.Block{section(fmt.Sprintf("*Your accounts* — %s, worst health first", format.Count(len(accts), "account", "accounts")))}
	for _, x := range accts[from:to] {
		blocks = append(blocks, section(homeAccountLine(a, x)), accountButtons(a.TeamID, x.health.Account))
	}
	if pages > 1 {
		blocks = append(blocks, pageButtons(a.TeamID, page, pages), contextBlock(fmt.Sprintf("Accounts %d–%d of %d · page %d of %d", from+1, to, len(accts), page+1, pages)))
	}
	return blocks
}

// homeAccountLine is an account's band, pipeline, next review and top alert.
func homeAccountLine(a *Actor, x homeAccount) string {
	acct := x.health.Account
	grade := format.Health(x.health.Score)
	if x.health.New {
		grade = "_" + kam.NoDataYet + "_"
	}
	review := "no plan yet"
	if !x.review.IsZero() {
		review = "next review " + a.Date(x.review)
		if x.review.Before(a.Now) {
			review = ":warning: review overdue since " + a.Date(x.review)
		}
	}
	line := fmt.Sprintf("*%s* · %s · open pipeline %s · %s", format.Mrkdwn(acct.Name), grade, a.Money(x.pipeline), review)
	if x.role != "" {
		line += " · you: " + string(x.role)
	}
	if len(x.health.Alerts) > 0 {
		line += "\n" + alertLine(x.health.Alerts[0])
		if n := len(x.health.Alerts) - 1; n > 0 {
			line += fmt.Sprintf(" _(+%d more)_", n)
		}
	}
	return line
}

// accountButtons are an account's four actions.
func accountButtons(teamID string, acct kam.Account) slack.Block {
	v := homeValue{TeamID: teamID, AccountID: acct.ID}.encode()
	btn := func(id, label string) *slack.ButtonBlockElement {
		return slack.NewButtonBlockElement(id, v, plain(label))
	}
	return slack.NewActionBlock("home.acct."+strconv.FormatInt(acct.ID, 10),
		btn(homeActLog, "Log an interaction"), btn(homeActCard, "Open card"), btn(homeActBrief, "Brief"), btn(homeActStage, "Move stage"))
}

// pageButtons move between pages of accounts.
func pageButtons(teamID string, page, pages int) slack.Block {
	var els []slack.BlockElement
	if page > 0 {
		els = append(els, slack.NewButtonBlockElement(homeActPage+".prev", homeValue{TeamID: teamID, Page: page - 1}.encode(), plain("◀ Previous")))
	}
	if page < pages-1 {
		els = append(els, slack.NewButtonBlockElement(homeActPage+".next", homeValue{TeamID: teamID, Page: page + 1}.encode(), plain("Show more ▶")))
	}
	return slack.NewActionBlock("home.pages", els...)
}

// tacticBlocks lists the user's overdue and upcoming tactics.
func tacticBlocks(a *Actor, ts []homeTactic) []slack.Block {
	if len(ts) == 0 {
		return []slack.Block{section(fmt.Sprintf("*Your tactics*\nNothing overdue or due in the next %d days.", homeTacticDays))}
	}
	lines := make([]string, len(ts))
	for i, t := range ts {
		mark := ":calendar:"
		if t.tactic.Overdue(a.Now) {
			mark = ":warning: overdue ·"
		}
		lines[i] = fmt.Sprintf("%s due %s · *%s* — %s (tactic %d)", mark, day(t.tactic.Due), format.Mrkdwn(t.account), format.Mrkdwn(clip(t.tactic.Text, 120)), t.tactic.Number)
	}
	return homeList(fmt.Sprintf("*Your tactics* — overdue and due in the next %d days", homeTacticDays), lines)
}

// reminderBlocks lists the reminders the user got this week and has not
// dealt with.
func reminderBlocks(a *Actor, d *homeData) []slack.Block {
	var lines []string
	for _, r := range d.reminders {
		name, ok := d.names[r.Key.AccountID]
		if !ok {
			continue // no longer on the account's team
		}
		lines = append(lines, fmt.Sprintf("%s — *%s* · sent %s", r.Key.Kind.Title(), format.Mrkdwn(name), a.Date(r.QueuedAt)))
	}
	if len(lines) == 0 {
		return []slack.Block{section("*Reminders this week*\nNone waiting for you.")}
	}
	return homeList("*Reminders this week* — not yet handled or snoozed", lines)
}

// dealBlocks lists the open deals closing within 30 days (or past their
// close date).
func dealBlocks(a *Actor, ds []homeDeal) []slack.Block {
	if len(ds) == 0 {
		return []slack.Block{section(fmt.Sprintf("*Deals closing in %d days*\nNone.", homeDealDays))}
	}
	lines := make([]string, len(ds))
	for i, x := range ds {
		when := "closes " + day(x.opp.CloseDate)
		if x.opp.PastClose(a.Now) {
			when = ":warning: past its close date " + day(x.opp.CloseDate)
		}
		lines[i] = fmt.Sprintf("*%s* — %s · %s · %s · %s", format.Mrkdwn(x.account), format.Mrkdwn(x.opp.Name), a.Money(x.opp.Value), x.opp.Stage, when)
	}
	return homeList(fmt.Sprintf("*Deals closing in %d days*", homeDealDays), lines)
}

// homeList renders at most homeListLines lines in one section, saying how
// many more there are.
func homeList(title string, lines []string) []slack.Block {
	more := ""
	if n := len(lines) - homeListLines; n > 0 {
		lines, more = lines[:homeListLines], fmt.Sprintf("\n_…and %d more_", n)
	}
	return listBlocks(title, []string{strings.Join(lines, "\n") + more}, 1, nil)
}

// prefsBlock shows the user's schedule with a button to change it.
func (h *Home) prefsBlock(a *Actor, p kam.UserPrefs) slack.Block {
	s := section("*Your schedule*\n" + strings.Join(prefsLines(p, a.Loc, h.cfg.WorkspaceDigest), "\n"))
	s.Accessory = slack.NewAccessory(slack.NewButtonBlockElement(homeActPrefs, homeValue{TeamID: a.TeamID}.encode(), plain("Change")))
	return s
}
