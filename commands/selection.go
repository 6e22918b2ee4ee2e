package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// SelectionStore keeps the yearly selection reviews.
type SelectionStore interface {
	// RecordSelectionReview records a review, filling ID, UserID and At.
	RecordSelectionReview(ctx context.Context, r *kam.SelectionRecord, actor string) error
	// LastSelectionReview returns the latest review; ok false when none.
	LastSelectionReview(ctx context.Context, teamID string) (kam.SelectionRecord, bool, error)
	// LatestScorings returns each account's latest n scorings, newest first.
	LatestScorings(ctx context.Context, teamID string, accountIDs []int64, n int) (map[int64][]kam.Scoring, error)
	// RoleHolders lists the users with a role on any active account.
	RoleHolders(ctx context.Context, teamID string, role kam.Role) ([]string, error)
	// Teams lists the workspaces that have accounts.
	Teams(ctx context.Context) ([]string, error)
}

func selectionCommand() Command {
	return Command{
		Name:    "selection",
		Usage:   `selection [done ["<note>"] | archived]`,
		Summary: "The yearly selection review of the portfolio: stale scorings, quadrant moves, candidates to de-select and to promote.",
		Details: "For admins (every account) and managers (their accounts). Lists the accounts whose scoring is missing or older than a year, " +
			"those that moved quadrant between their last two scorings, the candidates to de-select (opportunistic in both) and to promote " +
			"(strategic, or moved up into develop or strategic, on a tier below consultant). *done* records the review with a note; " +
			"*archived* lists the de-selected accounts. kambot sends the review by DM to admins and managers once a year " +
			"(`KAMBOT_SELECTION_CRON`, 15 January by default).",
		Examples: []string{"selection", `selection done "Dropped Globex; Initech to partner tier"`, "selection archived"},
		Run:      runSelection,
	}
}

func deselectCommand() Command {
	return Command{
		Name:    "deselect",
		Usage:   `deselect <account> reason="<why>"`,
		Summary: "De-select an account at the selection review: hidden from lists, its history kept.",
		Details: "Admins and the account's managers. The reason is kept with the account; `/kam reactivate <account>` brings it back. " +
			"A de-selected account leaves the account list, health, KPIs, digests and nudges; `/kam show` still finds it.",
		Examples: []string{`deselect globex reason="Opportunistic two years running; served by the vendor desk"`},
		Access:   AccessTeamOrAdmin,
		Account:  true,
		Action:   "de-select the account",
		Run:      runDeselect,
	}
}

func reactivateCommand() Command {
	return Command{
		Name:     "reactivate",
		Usage:    "reactivate <account>",
		Summary:  "Bring a de-selected account back into the portfolio.",
		Examples: []string{"reactivate globex"},
		Access:   AccessTeamOrAdmin,
		Account:  true,
		Action:   "reactivate the account",
		Run:      runReactivate,
	}
}

// allowSelection lets admins and the account's managers change selection.
func (c *Call) allowSelection(what string) error {
	if c.Admin || c.Role == kam.RoleManager {
		return nil
	}
	return kam.Errorf(kam.EUNAUTHORIZED, "Only admins and %s's managers can %s — selection is decided at the portfolio review.",
		format.Mrkdwn(c.Account.Name), what)
}

func runDeselect(ctx context.Context, c *Call) (Reply, error) {
	if err := c.allowSelection("de-select it"); err != nil {
		return Reply{}, err
	}
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, []string{"reason"}, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	a := c.Account
	reason, err := CheckText("The reason", opts["reason"].Value, kam.MaxTextLen, false)
	if err != nil {
		return Reply{}, err
	}
	if reason == "" {
		return Reply{}, kam.Errorf(kam.EINVALID, "Say why, so next year's review knows: `/kam deselect %s reason=\"Opportunistic two years running\"`.", a.Slug)
	}
	if a.Archived() {
		return Reply{}, kam.Errorf(kam.ECONFLICT, "%s was de-selected on %s (“%s”) — `/kam reactivate %s` brings it back.",
			format.Mrkdwn(a.Name), c.Date(a.ArchivedAt), format.Mrkdwn(a.ArchiveReason), a.Slug)
	}
	if _, err := c.method().ArchiveAccount(ctx, c.TeamID, a.ID, reason, c.UserID); err != nil {
		return Reply{}, userErr(err, "archive account %d", a.ID)
	}
	return Reply{Blocks: []slack.Block{
		section(fmt.Sprintf("De-selected *%s*: %s. It is off the lists, health, KPIs, digests and nudges; its history is kept.",
			format.Mrkdwn(a.Name), format.Mrkdwn(reason))),
		contextBlock(fmt.Sprintf("Changed your mind? `/kam reactivate %s`", a.Slug)),
	}}, nil
}

func runReactivate(ctx context.Context, c *Call) (Reply, error) {
	if err := c.allowSelection("reactivate it"); err != nil {
		return Reply{}, err
	}
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	a := c.Account
	if !a.Archived() {
		return Reply{}, kam.Errorf(kam.ECONFLICT, "%s is active — nothing to reactivate.", format.Mrkdwn(a.Name))
	}
	if _, err := c.method().ReactivateAccount(ctx, c.TeamID, a.ID, c.UserID); err != nil {
		return Reply{}, userErr(err, "reactivate account %d", a.ID)
	}
	return Reply{Blocks: []slack.Block{section(fmt.Sprintf("*%s* is back in the portfolio (de-selected %s: %s).",
		format.Mrkdwn(a.Name), c.Date(a.ArchivedAt), format.Mrkdwn(a.ArchiveReason)))}}, nil
}

// selectionScope is the accounts a user reviews: every account for
// admins, their own for managers; anyone else is refused.
func (a *Actor) selectionScope(ctx context.Context) ([]kam.Account, error) {
	if a.Admin {
		return a.Store().Accounts(ctx, a.TeamID)
	}
	managers, err := a.method().RoleHolders(ctx, a.TeamID, kam.RoleManager)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(managers, a.UserID) {
		return nil, kam.Errorf(kam.EUNAUTHORIZED, "The selection review is for admins and managers — ask %s.", adminList(a.Admins()))
	}
	return a.Store().AccountsForUser(ctx, a.TeamID, a.UserID)
}

// adminList names the admins for a message.
func adminList(ids []string) string {
	if len(ids) == 0 {
		return "an admin"
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = mention(id)
	}
	return orList(names)
}

func runSelection(ctx context.Context, c *Call) (Reply, error) {
	verb := ""
	if tok, ok, err := c.Args.Next(); err != nil {
		return Reply{}, err
	} else if ok {
		verb = strings.ToLower(tok.Value)
		if tok.Key != "" || tok.Quoted || (verb != "done" && verb != "archived") {
			return Reply{}, c.Usage("Unknown “%s” — say done or archived, or nothing for the review", show(tok.String(), 30))
		}
	}
	accts, err := c.selectionScope(ctx)
	if err != nil {
		return Reply{}, err
	}
	if verb == "archived" {
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		return c.archivedList(ctx)
	}
	rev, err := c.Actor.reviewSelection(ctx, accts)
	if err != nil {
		return Reply{}, err
	}
	if verb == "" {
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		last, ok, err := c.method().LastSelectionReview(ctx, c.TeamID)
		if err != nil {
			return Reply{}, err
		}
		var lastp *kam.SelectionRecord
		if ok {
			lastp = &last
		}
		return Reply{Blocks: reviewBlocks(c.Actor, rev, lastp)}, nil
	}
	note, err := freeText(c.Args.Rest(), "The review note", kam.MaxSummaryLen)
	if err != nil {
		return Reply{}, err
	}
	stale, moved, des, pro := rev.Counts()
	r := kam.SelectionRecord{TeamID: c.TeamID, Year: c.Today().Year(), Note: note, Accounts: len(rev.Items),
		Stale: stale, Moved: moved, Deselect: des, Promote: pro}
	if err := c.method().RecordSelectionReview(ctx, &r, c.UserID); err != nil {
		return Reply{}, userErr(err, "record selection review")
	}
	return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Recorded the %d selection review of %s: %d to rescore, %d moved, %d to de-select, %d to promote.",
		r.Year, format.Count(r.Accounts, "account", "accounts"), stale, moved, des, pro))}}, nil
}

// reviewSelection loads the latest two scorings of the accounts and
// builds the review.
func (a *Actor) reviewSelection(ctx context.Context, accts []kam.Account) (kam.SelectionReview, error) {
	ids := make([]int64, len(accts))
	for i, x := range accts {
		ids[i] = x.ID
	}
	sets, err := a.intel().CriteriaSets(ctx, a.TeamID)
	if err != nil {
		return kam.SelectionReview{}, fmt.Errorf("selection review: %w", err)
	}
	scs, err := a.method().LatestScorings(ctx, a.TeamID, ids, 2)
	if err != nil {
		return kam.SelectionReview{}, fmt.Errorf("selection review: %w", err)
	}
	ins := make([]kam.SelectionInput, len(accts))
	for i, x := range accts {
		in := kam.SelectionInput{Account: x, Scorings: scs[x.ID]}
		for _, s := range in.Scorings {
			// Each scoring under its own criteria: a move is the account's.
			in.Positions = append(in.Positions, sets.Evaluate(s))
		}
		ins[i] = in
	}
	return kam.ReviewSelection(ins, a.Now.In(a.Loc)), nil
}

// reviewBlocks renders the yearly review: what to rescore, what moved, what
// to de-select and what to promote.
func reviewBlocks(a Actor, r kam.SelectionReview, last *kam.SelectionRecord) []slack.Block {
	stale, moved, des, pro := r.Counts()
	blocks := []slack.Block{header(fmt.Sprintf("Selection review %d", r.Year))}
	status := fmt.Sprintf("%s · %d to rescore · %d moved · %d to de-select · %d to promote",
		format.Count(len(r.Items), "account", "accounts"), stale, moved, des, pro)
	if last != nil {
		status += fmt.Sprintf(" · last review %s by %s", a.Date(last.At), mention(last.UserID))
	} else {
		status += " · never reviewed"
	}
	blocks = append(blocks, contextBlock(status))
	group := func(title string, keep func(kam.SelectionItem) bool, line func(kam.SelectionItem) string, empty string) {
		var lines []string
		for _, it := range r.Items {
			if keep(it) {
				lines = append(lines, line(it))
			}
		}
		if len(lines) == 0 {
			lines = []string{empty}
		}
		blocks = append(blocks, listBlocks(title, lines, 3, nil)...)
	}
	group("*De-select?* (opportunistic in the last two scorings)", func(it kam.SelectionItem) bool { return it.Deselect },
		func(it kam.SelectionItem) string {
			return fmt.Sprintf("*%s* — %s · `/kam deselect %s reason=\"…\"`", format.Mrkdwn(it.Account.Name), positionText(it.Current), it.Account.Slug)
		}, "None.")
	group("*Promote?* (strategic or rising, tier below consultant)", func(it kam.SelectionItem) bool { return it.Promote },
		func(it kam.SelectionItem) string {
			return fmt.Sprintf("*%s* — %s, tier %s · `/kam set %s tier=consultant`", format.Mrkdwn(it.Account.Name), positionText(it.Current), it.Account.Tier, it.Account.Slug)
		}, "None.")
	group("*Moved quadrant*", func(it kam.SelectionItem) bool { return it.Moved },
		func(it kam.SelectionItem) string {
			return fmt.Sprintf("*%s* — %s → %s", format.Mrkdwn(it.Account.Name), it.Previous.Quadrant, it.Current.Quadrant)
		}, "None.")
	group("*Scoring missing or over a year old*", func(it kam.SelectionItem) bool { return it.Stale },
		func(it kam.SelectionItem) string {
			when := "never scored"
			if !it.ScoredAt.IsZero() {
				when = "scored " + a.Date(it.ScoredAt)
			}
			return fmt.Sprintf("*%s* — %s · `/kam score %s`", format.Mrkdwn(it.Account.Name), when, it.Account.Slug)
		}, "None: every account was scored within the year.")
	return append(blocks, contextBlock("Record the review: `/kam selection done \"…\"` · de-selected accounts: `/kam selection archived`"))
}

// positionText is a quadrant with its axes: "opportunistic (31.3 / 42.5)".
func positionText(p kam.Position) string {
	if !p.Rated {
		return "not placed"
	}
	return fmt.Sprintf("%s (%s / %s)", p.Quadrant, num1(p.Attractiveness), num1(p.Strength))
}

// archivedList lists the de-selected accounts with when and why.
func (c *Call) archivedList(ctx context.Context) (Reply, error) {
	accts, err := c.method().ArchivedAccounts(ctx, c.TeamID)
	if err != nil {
		return Reply{}, fmt.Errorf("archived accounts: %w", err)
	}
	lines := make([]string, 0, len(accts))
	for _, a := range accts {
		lines = append(lines, fmt.Sprintf("*%s* — de-selected %s: %s · `/kam reactivate %s`", format.Mrkdwn(a.Name), c.Date(a.ArchivedAt),
			format.Mrkdwn(a.ArchiveReason), a.Slug))
	}
	if len(lines) == 0 {
		lines = []string{"No account has been de-selected."}
	}
	return Reply{Blocks: append([]slack.Block{header("De-selected accounts")}, listBlocks("", lines, 5, nil)...)}, nil
}

// SelectionReviewJob sends each workspace's admins and managers their
// selection review by DM. The outbox key holds the year and the person,
// so a re-run (a catch-up after a crash) sends nothing twice.
func (e *Engine) SelectionReviewJob(ctx context.Context, now time.Time) error {
	if e.method == nil || e.intel == nil || e.notifier == nil {
		return nil
	}
	teams, err := e.method.Teams(ctx)
	if err != nil {
		return fmt.Errorf("selection review: %w", err)
	}
	var errs []error
	for _, team := range teams {
		if err := e.sendSelectionReviews(ctx, team, now); err != nil {
			errs = append(errs, fmt.Errorf("workspace %s: %w", team, err))
		}
	}
	e.notifier.Wake()
	if len(errs) > 0 {
		return fmt.Errorf("selection review: %v", errs)
	}
	return nil
}

// sendSelectionReviews queues one workspace's reviews.
func (e *Engine) sendSelectionReviews(ctx context.Context, team string, now time.Time) error {
	managers, err := e.method.RoleHolders(ctx, team, kam.RoleManager)
	if err != nil {
		return err
	}
	people := e.adminsOf(team)
	for _, m := range managers {
		if !slices.Contains(people, m) {
			people = append(people, m)
		}
	}
	for _, user := range people {
		a := e.actor(ctx, team, user)
		a.Now = now.UTC()
		accts, err := a.selectionScope(ctx)
		if err != nil || len(accts) == 0 {
			if kam.ErrorCode(err) == kam.EINTERNAL {
				return err
			}
			continue
		}
		rev, err := a.reviewSelection(ctx, accts)
		if err != nil {
			return err
		}
		blocks := append([]slack.Block{section(fmt.Sprintf("It's time for the yearly selection review of your %s.",
			format.Count(len(accts), "account", "accounts")))}, reviewBlocks(a, rev, nil)...)
		blocks = enforceLimits(blocks, maxMessageBlocks)
		if err := e.notifier.Notify(ctx, team, user, kam.SelectionReviewKey(rev.Year, user), format.Fallback(blocks), blocks); err != nil {
			return err
		}
	}
	return nil
}
