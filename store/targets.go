package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/kambot/kambot/kam"
)

// Audit actions of targets, past results and selection.
const (
	ActionTargetSet         = "account.target"
	ActionRevenueRecord     = "account.revenue_year"
	ActionAccountArchive    = "account.archive"
	ActionAccountReactivate = "account.reactivate"
)

// SetTarget appends a revenue target for an account and year, filling ID,
// UserID and At: the latest setting of a year is its target, earlier ones
// stay as history.
func (db *DB) SetTarget(ctx context.Context, t *kam.Target, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *t
	if err := n.Validate(); err != nil {
		return err
	}
	n.UserID, n.At = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("set target of account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO account_targets (team_id, account_id, year, amount, user_id, at)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			n.TeamID, n.AccountID, n.Year, n.Amount, n.UserID, ms(n.At))
		if err == nil {
			n.ID, err = insertedForAccount(res)
		}
		if err != nil {
			return wrapErr(err, fmt.Sprintf("set target of account %d", n.AccountID))
		}
		d := map[string]any{"account": n.AccountID, "year": n.Year, "amount": n.Amount}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionTargetSet, auditEntity("account", n.AccountID), d, n.At)
	})
	if err != nil {
		return err
	}
	*t = n
	return nil
}

// RecordYearRevenue appends what an account earned in a past year, dated
// the year's last instant, without changing its current revenue: growth
// year on year needs last year's figure for accounts added this year.
func (db *DB) RecordYearRevenue(ctx context.Context, teamID string, accountID int64, year int, amount int64, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if err := (kam.Target{TeamID: teamID, AccountID: accountID, Year: year, Amount: amount}).Validate(); err != nil {
		return err
	}
	at, now := kam.EndOfYear(year), db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("record %d revenue of account %d: %w", year, accountID, err)
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO account_history (team_id, account_id, field, value, at)
			SELECT ?1, ?2, 'revenue', ?3, ?4 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			teamID, accountID, strconv.FormatInt(amount, 10), ms(at))
		if err == nil {
			_, err = insertedForAccount(res)
		}
		if err != nil {
			return wrapErr(err, fmt.Sprintf("record %d revenue of account %d", year, accountID))
		}
		d := map[string]any{"account": accountID, "year": year, "revenue": amount}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionRevenueRecord, auditEntity("account", accountID), d, now)
	})
}

// Histories returns the dated history of the accounts, oldest first, by
// account ID; an account without entries is absent.
func (db *DB) Histories(ctx context.Context, teamID string, accountIDs []int64) (map[int64]kam.History, error) {
	out := map[int64]kam.History{}
	err := db.each(ctx, func(r *sql.Rows) error {
		var e kam.HistoryEntry
		var field string
		var at int64
		if err := r.Scan(&e.AccountID, &field, &e.Value, &at); err != nil {
			return err
		}
		e.Field, e.At = kam.HistoryField(field), fromMS(at)
		out[e.AccountID] = append(out[e.AccountID], e)
		return nil
	}, `SELECT h.account_id, h.field, h.value, h.at FROM json_each(?2) a
		CROSS JOIN account_history h INDEXED BY account_history_account ON h.team_id = +?1 AND h.account_id = a.value
		ORDER BY h.account_id, h.at, h.id`, teamID, idList(accountIDs))
	return out, wrapErr(err, "read account history")
}

// Targets returns the target settings of the accounts, oldest first, by
// account ID; an account without targets is absent.
func (db *DB) Targets(ctx context.Context, teamID string, accountIDs []int64) (map[int64]kam.Targets, error) {
	out := map[int64]kam.Targets{}
	err := db.each(ctx, func(r *sql.Rows) error {
		t := kam.Target{TeamID: teamID}
		var at int64
		if err := r.Scan(&t.ID, &t.AccountID, &t.Year, &t.Amount, &t.UserID, &at); err != nil {
			return err
		}
		t.At = fromMS(at)
		out[t.AccountID] = append(out[t.AccountID], t)
		return nil
	}, `SELECT t.id, t.account_id, t.year, t.amount, t.user_id, t.at FROM json_each(?2) a
		CROSS JOIN account_targets t INDEXED BY account_targets_account ON t.team_id = +?1 AND t.account_id = a.value
		ORDER BY t.account_id, t.id`, teamID, idList(accountIDs))
	return out, wrapErr(err, "read account targets")
}

// ArchiveAccount de-selects an account: hidden from lists, its history
// kept. ECONFLICT when it is archived already.
func (db *DB) ArchiveAccount(ctx context.Context, teamID string, accountID int64, reason, actor string) (kam.Account, error) {
	if err := checkActor(actor); err != nil {
		return kam.Account{}, err
	}
	r, err := kam.CheckText(kam.EntityAccount, "reason", reason, kam.MaxTextLen)
	if err != nil {
		return kam.Account{}, err
	}
	if r == "" {
		return kam.Account{}, kam.ErrInvalid(kam.EntityAccount, "reason", kam.ReasonMissing)
	}
	return db.setArchived(ctx, teamID, accountID, true, r, actor)
}

// ReactivateAccount brings a de-selected account back into the lists.
// ECONFLICT when it is active.
func (db *DB) ReactivateAccount(ctx context.Context, teamID string, accountID int64, actor string) (kam.Account, error) {
	if err := checkActor(actor); err != nil {
		return kam.Account{}, err
	}
	return db.setArchived(ctx, teamID, accountID, false, "", actor)
}

func (db *DB) setArchived(ctx context.Context, teamID string, accountID int64, archive bool, reason, actor string) (kam.Account, error) {
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return kam.Account{}, fmt.Errorf("archive account %d: %w", accountID, err)
	}
	var a kam.Account
	err = db.withDirTx(ctx, func(tx *sql.Tx) error {
		if a, err = accountTx(ctx, tx, teamID, accountID); err != nil {
			return err
		}
		if a.Archived() == archive {
			e := kam.ErrConflict(kam.EntityAccount, reasonArchived(archive))
			e.Value, e.Since = a.Name, a.ArchivedAt
			return e
		}
		now := db.now()
		var at any
		action := ActionAccountReactivate
		if archive {
			at, action = ms(now), ActionAccountArchive
			a.ArchivedAt, a.ArchiveReason = now, reason
		} else {
			a.ArchivedAt, a.ArchiveReason = time.Time{}, ""
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET archived_at = ?, archive_reason = ? WHERE id = ? AND team_id = ?`,
			at, reason, accountID, teamID); err != nil {
			return fmt.Errorf("archive account %d: %w", accountID, err)
		}
		d := map[string]any{"account": accountID, "reason": reason}
		return writeAudit(ctx, tx, aud, teamID, actor, action, auditEntity("account", accountID), d, now)
	})
	if err != nil {
		return kam.Account{}, err
	}
	return a, nil
}

func reasonArchived(archive bool) string {
	if archive {
		return kam.ReasonArchived
	}
	return kam.ReasonActive
}

// ArchivedAccounts returns the workspace's de-selected accounts, by name.
func (db *DB) ArchivedAccounts(ctx context.Context, teamID string) ([]kam.Account, error) {
	return db.queryAccounts(ctx, "list archived accounts", `SELECT `+accountCols+` FROM accounts
		WHERE team_id = +? AND archived_at IS NOT NULL ORDER BY name COLLATE NOCASE, id`, teamID)
}

// surveyEvery is the workspace's survey cadence for health; 0 when it set
// none (health then uses kam.SurveyInterval).
func (db *DB) surveyEvery(ctx context.Context, teamID string) (time.Duration, error) {
	days, err := db.SurveyEveryDays(ctx, teamID)
	if err != nil {
		return 0, fmt.Errorf("health inputs: %w", err)
	}
	return time.Duration(days) * 24 * time.Hour, nil
}
