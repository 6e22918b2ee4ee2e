package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kambot/kambot/kam"
)

// Pipeline rules. An opportunity may move from any stage to any other —
// forward, skipping stages, or back when a deal slips — with two
// exceptions: it can't "move" to the stage it is in, and once dropped
// (no-go) or lost it can only be re-opened, at identified or qualified,
// where the go/no-go decision is taken again. Every move is kept in
// stage_changes with its author, time and note, and may not be dated before
// the opportunity entered its current stage nor in the future, so the
// history reads in order.

// closeDateLayout is how close dates are stored: a calendar date, no zone.
const closeDateLayout = "2006-01-02"

// clockSkew is how far ahead of the clock a stage change may be dated.
const clockSkew = time.Minute

const oppCols = `id, team_id, account_id, name, value, close_date, owner_id, stage, stage_since, created_at`

// stageOrder sorts opportunities in pipeline order (kam.Stages).
var stageOrder = func() string {
	var b strings.Builder
	b.WriteString("CASE stage")
	for i, s := range kam.Stages {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", s, i)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(kam.Stages))
	return b.String()
}()

// openStages is the SQL list of the stages kam.Stage.Open reports true for.
var openStages = func() string {
	var open []string
	for _, s := range kam.Stages {
		if s.Open() {
			open = append(open, "'"+string(s)+"'")
		}
	}
	return "(" + strings.Join(open, ", ") + ")"
}()

func errOpportunityNotFound() error { return kam.ErrNotFound(kam.EntityOpportunity) }

// opportunityDetail is the audit detail of opportunity.add.
type opportunityDetail struct {
	Account int64     `json:"account"`
	Name    string    `json:"name"`
	Value   int64     `json:"value"`
	Close   string    `json:"close,omitempty"`
	Owner   string    `json:"owner,omitempty"`
	Stage   kam.Stage `json:"stage"`
}

// stageDetail is the audit detail of opportunity.stage.
type stageDetail struct {
	From kam.Stage `json:"from"`
	To   kam.Stage `json:"to"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

// AddOpportunity stores an opportunity on one of the workspace's accounts
// with the creation entry of its stage history (from "" to its stage),
// filling ID. An empty Stage is identified; zero CreatedAt is now; zero
// StageSince is CreatedAt. CloseDate keeps only its calendar date. A name
// already used on the account (ignoring case) is ECONFLICT.
func (db *DB) AddOpportunity(ctx context.Context, o *kam.Opportunity, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *o
	if err := db.normalizeOpportunity(&n); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add opportunity %q: %w", n.Name, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		var account string
		err := tx.QueryRowContext(ctx, `SELECT name FROM accounts WHERE id = ? AND team_id = ?`, n.AccountID, n.TeamID).Scan(&account)
		if errors.Is(err, sql.ErrNoRows) {
			return errAccountNotFound()
		} else if err != nil {
			return fmt.Errorf("add opportunity %q: %w", n.Name, err)
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT name FROM opportunities WHERE account_id = ? AND name = ? COLLATE NOCASE`,
			n.AccountID, n.Name).Scan(&other)
		if err == nil {
			return errOpportunityTaken(other, account)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("add opportunity %q: %w", n.Name, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO opportunities (team_id, account_id, name, value, close_date, owner_id,
			stage, stage_since, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.TeamID, n.AccountID, n.Name, n.Value, closeDateString(n.CloseDate), n.OwnerID, string(n.Stage),
			ms(n.StageSince), ms(n.CreatedAt))
		if isUnique(err) {
			return errOpportunityTaken(n.Name, account)
		} else if err != nil {
			return fmt.Errorf("add opportunity %q: %w", n.Name, err)
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("add opportunity %q: %w", n.Name, err)
		}
		if _, err := insertStageChange(ctx, tx, n.TeamID, n.ID, "", n.Stage, actor, "", n.StageSince); err != nil {
			return err
		}
		d := opportunityDetail{Account: n.AccountID, Name: n.Name, Value: n.Value, Close: closeDateString(n.CloseDate),
			Owner: n.OwnerID, Stage: n.Stage}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionOpportunityAdd, auditEntity("opportunity", n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*o = n
	return nil
}

// errOpportunityTaken is the conflict of a name another opportunity of the
// account has.
func errOpportunityTaken(name, account string) error {
	e := kam.ErrConflict(kam.EntityOpportunity, kam.ReasonTaken)
	e.Field, e.Value, e.Other = "name", name, account
	return e
}

// normalizeOpportunity validates o on the domain type and fills the times
// the store owns.
func (db *DB) normalizeOpportunity(o *kam.Opportunity) error {
	if err := o.Validate(); err != nil {
		return err
	}
	o.CreatedAt = db.orNow(o.CreatedAt)
	if o.StageSince.IsZero() {
		o.StageSince = o.CreatedAt
	} else {
		o.StageSince = fromMS(ms(o.StageSince))
	}
	return nil
}

// Opportunities returns an account's opportunities, or every account's
// when accountID is 0, only the open ones (kam.Stage.Open) when openOnly,
// in pipeline order, then by name. ENOTFOUND when a non-zero accountID is
// not the workspace's.
func (db *DB) Opportunities(ctx context.Context, teamID string, accountID int64, openOnly bool) ([]kam.Opportunity, error) {
	args := []any{teamID}
	if accountID != 0 {
		args = append(args, accountID)
	}
	st, err := db.stmt(ctx, db.read, opportunitiesSQL(accountID != 0, openOnly))
	if err != nil {
		return nil, fmt.Errorf("list opportunities: %w", err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("list opportunities: %w", err)
	}
	defer rows.Close()
	var out []kam.Opportunity
	for rows.Next() {
		o, err := scanOpportunity(rows)
		if err != nil {
			return nil, fmt.Errorf("list opportunities: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list opportunities: %w", err)
	}
	if len(out) == 0 && accountID != 0 {
		if _, err := db.Account(ctx, teamID, accountID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AccountsOpportunities returns the opportunities of the accounts, which
// must be the workspace's, by stage then name: a user's pipeline reads only
// their accounts' rows, not the workspace's.
func (db *DB) AccountsOpportunities(ctx context.Context, teamID string, accountIDs []int64) ([]kam.Opportunity, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	var out []kam.Opportunity
	err := db.each(ctx, func(r *sql.Rows) error {
		o, err := scanOpportunity(r)
		out = append(out, o)
		return err
	}, accountsOppsSQL, teamID, idList(accountIDs))
	if err != nil {
		return nil, fmt.Errorf("list opportunities of %d accounts: %w", len(accountIDs), err)
	}
	return out, nil
}

// accountsOppsSQL reads each account's opportunities along its own index.
var accountsOppsSQL = `SELECT ` + oppCols + ` FROM opportunities INDEXED BY opportunities_account_name
	WHERE account_id IN (SELECT value FROM json_each(?2)) AND +team_id = +?1 ORDER BY ` + stageOrder + `, name COLLATE NOCASE, id`

// opportunitiesSQL lists the workspace's opportunities, or one account's
// along its own index ("+team_id" keeps the workspace's index out of the
// planner's choice).
func opportunitiesSQL(oneAccount, openOnly bool) string {
	q := `SELECT ` + oppCols + ` FROM opportunities WHERE team_id = +?`
	if oneAccount {
		q = `SELECT ` + oppCols + ` FROM opportunities INDEXED BY opportunities_account_name WHERE +team_id = +? AND account_id = +?`
	}
	if openOnly {
		q += ` AND stage IN ` + openStages
	}
	return q + ` ORDER BY ` + stageOrder + `, name COLLATE NOCASE, id`
}

// MoveStage moves an opportunity to another stage and records the change
// with its author, time (now when at is zero) and note, in one transaction.
// See the pipeline rules at the top of this file; a move they forbid is
// EINVALID.
func (db *DB) MoveStage(ctx context.Context, teamID string, oppID int64, to kam.Stage, actor, note string, at time.Time, post kam.Post[kam.StageChange]) (kam.StageChange, error) {
	if err := checkActor(actor); err != nil {
		return kam.StageChange{}, err
	}
	to, ok := kam.ParseEnum(string(to), kam.Stages)
	if !ok {
		e := kam.ErrInvalid(kam.EntityStageChange, "stage", kam.ReasonUnknown)
		e.Value = string(to)
		return kam.StageChange{}, e
	}
	note, err := kam.CheckText(kam.EntityStageChange, "note", note, kam.MaxSummaryLen)
	if err != nil {
		return kam.StageChange{}, err
	}
	now := db.now()
	at = db.orNow(at)
	if at.After(now.Add(clockSkew)) {
		e := kam.ErrInvalid(kam.EntityStageChange, "at", kam.ReasonFuture)
		e.Until = now
		return kam.StageChange{}, e
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return kam.StageChange{}, fmt.Errorf("move opportunity %d: %w", oppID, err)
	}
	q, err := db.outboxStmts(ctx)
	if err != nil {
		return kam.StageChange{}, fmt.Errorf("move opportunity %d: %w", oppID, err)
	}
	var sc kam.StageChange
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		var name, from string
		var since int64
		err := tx.QueryRowContext(ctx, `SELECT name, stage, stage_since FROM opportunities WHERE id = ? AND team_id = ?`,
			oppID, teamID).Scan(&name, &from, &since)
		if errors.Is(err, sql.ErrNoRows) {
			return errOpportunityNotFound()
		} else if err != nil {
			return fmt.Errorf("move opportunity %d: %w", oppID, err)
		}
		if err := kam.CheckMove(name, kam.Stage(from), to); err != nil {
			return err
		}
		if ms(at) < since {
			e := kam.ErrInvalid(kam.EntityStageChange, "at", kam.ReasonBeforeLast)
			e.Value, e.Other, e.Since = name, from, fromMS(since)
			return e
		}
		if _, err := tx.ExecContext(ctx, `UPDATE opportunities SET stage = ?, stage_since = ? WHERE id = ? AND team_id = ?`,
			string(to), ms(at), oppID, teamID); err != nil {
			return fmt.Errorf("move opportunity %d: %w", oppID, err)
		}
		if sc, err = insertStageChange(ctx, tx, teamID, oppID, kam.Stage(from), to, actor, note, at); err != nil {
			return err
		}
		d := stageDetail{From: sc.From, To: sc.To, Note: note, At: at}
		if err := writeAudit(ctx, tx, aud, teamID, actor, ActionOpportunityStage, auditEntity("opportunity", oppID), d, now); err != nil {
			return err
		}
		if err := postTx(ctx, q.in(ctx, tx), post, sc, now); err != nil {
			return fmt.Errorf("queue the post of stage change %d: %w", sc.ID, err)
		}
		return nil
	})
	if err != nil {
		return kam.StageChange{}, err
	}
	return sc, nil
}

func insertStageChange(ctx context.Context, tx *sql.Tx, teamID string, oppID int64, from, to kam.Stage, actor, note string, at time.Time) (kam.StageChange, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO stage_changes (team_id, opportunity_id, from_stage, to_stage, user_id, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, teamID, oppID, string(from), string(to), actor, note, ms(at))
	if err != nil {
		return kam.StageChange{}, fmt.Errorf("record stage of opportunity %d: %w", oppID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return kam.StageChange{}, fmt.Errorf("record stage of opportunity %d: %w", oppID, err)
	}
	return kam.StageChange{ID: id, TeamID: teamID, OpportunityID: oppID, From: from, To: to, UserID: actor, Note: note, At: at}, nil
}

// StageHistory returns an opportunity's stage changes, oldest first, its
// creation entry (From "") included. ENOTFOUND when the opportunity is not
// the workspace's.
func (db *DB) StageHistory(ctx context.Context, teamID string, oppID int64) ([]kam.StageChange, error) {
	st, err := db.stmt(ctx, db.read, `SELECT id, team_id, opportunity_id, from_stage, to_stage, user_id, note, at
		FROM stage_changes WHERE opportunity_id = +? AND team_id = +? ORDER BY at, id`)
	if err != nil {
		return nil, fmt.Errorf("stage history of opportunity %d: %w", oppID, err)
	}
	rows, err := st.QueryContext(ctx, oppID, teamID)
	if err != nil {
		return nil, fmt.Errorf("stage history of opportunity %d: %w", oppID, err)
	}
	defer rows.Close()
	var out []kam.StageChange
	for rows.Next() {
		var sc kam.StageChange
		var from, to string
		var at int64
		if err := rows.Scan(&sc.ID, &sc.TeamID, &sc.OpportunityID, &from, &to, &sc.UserID, &sc.Note, &at); err != nil {
			return nil, fmt.Errorf("stage history of opportunity %d: %w", oppID, err)
		}
		sc.From, sc.To, sc.At = kam.Stage(from), kam.Stage(to), fromMS(at)
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stage history of opportunity %d: %w", oppID, err)
	}
	if len(out) == 0 {
		var one int
		err := db.read.QueryRowContext(ctx, `SELECT 1 FROM opportunities WHERE id = ? AND team_id = ?`, oppID, teamID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errOpportunityNotFound()
		} else if err != nil {
			return nil, fmt.Errorf("stage history of opportunity %d: %w", oppID, err)
		}
	}
	return out, nil
}

func scanOpportunity(r rowSource) (kam.Opportunity, error) {
	var o kam.Opportunity
	var closeDate, stage string
	var since, created int64
	if err := r.Scan(&o.ID, &o.TeamID, &o.AccountID, &o.Name, &o.Value, &closeDate, &o.OwnerID, &stage, &since, &created); err != nil {
		return kam.Opportunity{}, err
	}
	if closeDate != "" {
		d, err := time.Parse(closeDateLayout, closeDate)
		if err != nil {
			return kam.Opportunity{}, fmt.Errorf("opportunity %d close date: %w", o.ID, err)
		}
		o.CloseDate = d
	}
	o.Stage, o.StageSince, o.CreatedAt = kam.Stage(stage), fromMS(since), fromMS(created)
	return o, nil
}

// closeDateString is the stored form of a close date: "" when unset.
func closeDateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(closeDateLayout)
}
