package commands

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// The rest of the KAM method, beside account intelligence: the strategy
// charter on the plan, revenue targets with the dated history of results
// and the KPIs read from them, de-selection, and the yearly selection
// review. It is on when Config.Method is set (with Config.Intel).

// TargetStore keeps revenue targets and the dated history of results.
type TargetStore interface {
	// SetTarget appends a target for an account and year, filling t.
	SetTarget(ctx context.Context, t *kam.Target, actor string) error
	// RecordYearRevenue appends a past year's revenue, dated the year's end,
	// leaving the current revenue as it is.
	RecordYearRevenue(ctx context.Context, teamID string, accountID int64, year int, amount int64, actor string) error
	// Histories returns the dated history of the accounts, oldest first.
	Histories(ctx context.Context, teamID string, accountIDs []int64) (map[int64]kam.History, error)
	// Targets returns the target settings of the accounts, oldest first.
	Targets(ctx context.Context, teamID string, accountIDs []int64) (map[int64]kam.Targets, error)
}

// ArchiveStore de-selects accounts and brings them back.
type ArchiveStore interface {
	// ArchiveAccount hides the account from lists, keeping its history;
	// ECONFLICT when it is archived already.
	ArchiveAccount(ctx context.Context, teamID string, accountID int64, reason, actor string) (kam.Account, error)
	// ReactivateAccount brings it back; ECONFLICT when it is active.
	ReactivateAccount(ctx context.Context, teamID string, accountID int64, actor string) (kam.Account, error)
	// ArchivedAccounts lists the de-selected accounts by name.
	ArchivedAccounts(ctx context.Context, teamID string) ([]kam.Account, error)
}

// MethodStore is what the method's commands need of persistence;
// *store.DB implements it.
type MethodStore interface {
	CharterStore
	TargetStore
	ArchiveStore
	SelectionStore
	// StageHistories returns the opportunities' stage changes, oldest
	// first, by opportunity ID.
	StageHistories(ctx context.Context, teamID string, oppIDs []int64) (map[int64][]kam.StageChange, error)
}

// methodExtension is what the method adds to the engine.
func methodExtension() Extension {
	return Extension{
		Commands:     []Command{kpisCommand(), selectionCommand(), deselectCommand(), reactivateCommand()},
		Views:        []ViewHandler{{CallbackID: gateCallbackID, Run: submitGateView}},
		CardSections: []CardSection{{Name: "method", Render: renderMethodCard}},
	}
}

// renderMethodCard adds to the show card that the account was de-selected,
// and this year's target against revenue.
func renderMethodCard(ctx context.Context, a *Actor, acct kam.Account) ([]slack.Block, error) {
	if a.method() == nil {
		return nil, nil
	}
	var blocks []slack.Block
	if acct.Archived() {
		blocks = append(blocks, section(fmt.Sprintf("🗄 *De-selected* %s: %s — off the lists, its history kept. `/kam reactivate %s`",
			a.Date(acct.ArchivedAt), format.Mrkdwn(acct.ArchiveReason), acct.Slug)))
	}
	ts, err := a.method().Targets(ctx, a.TeamID, []int64{acct.ID})
	if err != nil {
		return nil, err
	}
	year := a.Now.In(a.Loc).Year()
	if t, ok := ts[acct.ID].For(year); ok && t.Amount > 0 {
		pct := format.Percent(format.Round(100*float64(acct.Revenue)/float64(t.Amount), 0))
		blocks = append(blocks, contextBlock(fmt.Sprintf("%d target %s · revenue at %s of it · `/kam kpis %s`", year, a.Money(t.Amount), pct, acct.Slug)))
	}
	return blocks, nil
}
