package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

func errTacticNotFound(n int) error {
	e := kam.ErrNotFound(kam.EntityTactic)
	e.ID = int64(n)
	return e
}

// AddObjective adds an objective to an account's plan, filling ID,
// AuthorID (the actor) and CreatedAt. An empty For means ours.
func (db *DB) AddObjective(ctx context.Context, o *kam.Objective, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *o
	if err := n.Validate(); err != nil {
		return err
	}
	n.AuthorID, n.CreatedAt = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add objective to account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_objectives (team_id, account_id, owner, text, author_id, created_at)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			n.TeamID, n.AccountID, string(n.For), n.Text, n.AuthorID, ms(n.CreatedAt))
		if err == nil {
			n.ID, err = insertedForAccount(res)
		}
		if err != nil {
			return fmt.Errorf("add objective to account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "for": n.For, "text": n.Text}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionObjectiveAdd, auditEntity("objective", n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*o = n
	return nil
}

// AddTactic adds a tactic to an account's plan, numbering it after the
// last one, and fills ID, Number, AuthorID (the actor) and CreatedAt. Due is
// kept as a calendar date.
func (db *DB) AddTactic(ctx context.Context, t *kam.Tactic, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *t
	if err := n.Validate(); err != nil {
		return err
	}
	n.Done, n.DoneAt, n.DoneBy = false, time.Time{}, ""
	n.AuthorID, n.CreatedAt = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add tactic to account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, n.TeamID, n.AccountID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) + 1 FROM plan_tactics WHERE account_id = ? AND team_id = ?`,
			n.AccountID, n.TeamID).Scan(&n.Number); err != nil {
			return fmt.Errorf("number tactic of account %d: %w", n.AccountID, err)
		}
		if err := strategyExists(ctx, tx, n.TeamID, n.AccountID, n.Strategy); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_tactics (team_id, account_id, number, text, quarter, owner_id, due,
			author_id, created_at, strategy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.TeamID, n.AccountID, n.Number, n.Text, n.Quarter, n.OwnerID, closeDateString(n.Due), n.AuthorID, ms(n.CreatedAt), n.Strategy)
		if err != nil {
			return fmt.Errorf("add tactic to account %d: %w", n.AccountID, err)
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("add tactic to account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "number": n.Number, "text": n.Text, "quarter": n.Quarter,
			"owner": n.OwnerID, "due": closeDateString(n.Due), "strategy": n.Strategy}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionTacticAdd, auditEntity("tactic", n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*t = n
	return nil
}

// CompleteTactic marks tactic number n of an account's plan done by the
// actor. ENOTFOUND when there is no such tactic; ECONFLICT when it is
// already done (nothing changes).
func (db *DB) CompleteTactic(ctx context.Context, teamID string, accountID int64, number int, actor string) (kam.Tactic, error) {
	if err := checkActor(actor); err != nil {
		return kam.Tactic{}, err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return kam.Tactic{}, fmt.Errorf("complete tactic %d of account %d: %w", number, accountID, err)
	}
	var t kam.Tactic
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		t, err = scanTactic(tx.QueryRowContext(ctx, `SELECT `+tacticCols+` FROM plan_tactics
			WHERE account_id = ? AND team_id = ? AND number = ?`, accountID, teamID, number))
		if errors.Is(err, sql.ErrNoRows) {
			return errTacticNotFound(number)
		} else if err != nil {
			return fmt.Errorf("complete tactic %d of account %d: %w", number, accountID, err)
		}
		if t.Done {
			e := kam.ErrConflict(kam.EntityTactic, kam.ReasonDone)
			e.ID, e.Value, e.Since = int64(number), t.Text, t.DoneAt
			return e
		}
		t.Done, t.DoneAt, t.DoneBy = true, db.now(), actor
		if _, err := tx.ExecContext(ctx, `UPDATE plan_tactics SET done_at = ?, done_by = ? WHERE id = ? AND team_id = ?`,
			ms(t.DoneAt), t.DoneBy, t.ID, teamID); err != nil {
			return fmt.Errorf("complete tactic %d of account %d: %w", number, accountID, err)
		}
		d := map[string]any{"account": accountID, "number": number}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionTacticDone, auditEntity("tactic", t.ID), d, t.DoneAt)
	})
	if err != nil {
		return kam.Tactic{}, err
	}
	return t, nil
}

// RecordPlanReview records that the actor reviewed an account's plan now,
// filling ID, UserID and At. The next review falls due one cadence period later.
func (db *DB) RecordPlanReview(ctx context.Context, r *kam.PlanReview, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *r
	if n.AccountID <= 0 || n.TeamID == "" {
		return errAccountNotFound()
	}
	var err error
	if n.Note, err = kam.CheckText(kam.EntityPlanReview, "note", n.Note, kam.MaxSummaryLen); err != nil {
		return err
	}
	n.UserID, n.At = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("review plan of account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_reviews (team_id, account_id, user_id, note, at)
			SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			n.TeamID, n.AccountID, n.UserID, n.Note, ms(n.At))
		if err == nil {
			n.ID, err = insertedForAccount(res)
		}
		if err != nil {
			return fmt.Errorf("review plan of account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "note": n.Note}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionPlanReview, auditEntity("review", n.ID), d, n.At)
	})
	if err != nil {
		return err
	}
	*r = n
	return nil
}

const tacticCols = `id, team_id, account_id, number, text, quarter, owner_id, due, done_at, done_by, author_id, created_at, strategy`

func scanTactic(r rowSource) (kam.Tactic, error) {
	var t kam.Tactic
	var due string
	var doneAt sql.NullInt64
	var created int64
	if err := r.Scan(&t.ID, &t.TeamID, &t.AccountID, &t.Number, &t.Text, &t.Quarter, &t.OwnerID, &due, &doneAt,
		&t.DoneBy, &t.AuthorID, &created, &t.Strategy); err != nil {
		return kam.Tactic{}, err
	}
	if due != "" {
		d, err := time.Parse(closeDateLayout, due)
		if err != nil {
			return kam.Tactic{}, fmt.Errorf("tactic %d due date: %w", t.ID, err)
		}
		t.Due = d
	}
	if doneAt.Valid {
		t.Done, t.DoneAt = true, fromMS(doneAt.Int64)
	}
	t.CreatedAt = fromMS(created)
	return t, nil
}

const objectiveCols = `id, team_id, account_id, owner, text, author_id, created_at`

func scanObjective(r rowSource) (kam.Objective, error) {
	var o kam.Objective
	var owner string
	var created int64
	if err := r.Scan(&o.ID, &o.TeamID, &o.AccountID, &owner, &o.Text, &o.AuthorID, &created); err != nil {
		return kam.Objective{}, err
	}
	o.For, o.CreatedAt = kam.ObjectiveFor(owner), fromMS(created)
	return o, nil
}

const reviewCols = `id, team_id, account_id, user_id, note, at`

func scanReview(r rowSource) (kam.PlanReview, error) {
	var p kam.PlanReview
	var at int64
	if err := r.Scan(&p.ID, &p.TeamID, &p.AccountID, &p.UserID, &p.Note, &at); err != nil {
		return kam.PlanReview{}, err
	}
	p.At = fromMS(at)
	return p, nil
}

// Plan returns an account's plan: objectives (customer's first), tactics by
// number, the latest review and how many there were.
func (db *DB) Plan(ctx context.Context, teamID string, accountID int64) (kam.Plan, error) {
	plans, err := db.plans(ctx, teamID, []int64{accountID})
	if err != nil {
		return kam.Plan{}, err
	}
	p := plans[accountID]
	p.AccountID = accountID
	return p, nil
}

// The plan queries start from the accounts (see healthTeamSQL).
const (
	planObjectivesSQL = `SELECT ` + objectiveCols + ` FROM plan_objectives INDEXED BY plan_objectives_account
	WHERE account_id IN (SELECT value FROM json_each(?2)) AND +team_id = +?1
	ORDER BY account_id, CASE owner WHEN 'customer' THEN 0 ELSE 1 END, id`

	planTacticsSQL = `SELECT ` + tacticCols + ` FROM plan_tactics
	WHERE account_id IN (SELECT value FROM json_each(?2)) AND +team_id = +?1 ORDER BY account_id, number`

	// The latest review of each account is one step back along its index,
	// and the count a range of it: the cost does not grow with the
	// account's history of reviews, as a window over all of them did.
	planLatestReviewsSQL = `SELECT ` + reviewCols + `,
	(SELECT count(*) FROM plan_reviews c INDEXED BY plan_reviews_team WHERE c.team_id = r.team_id AND c.account_id = r.account_id)
	FROM plan_reviews r WHERE r.id IN (SELECT (SELECT p.id FROM plan_reviews p INDEXED BY plan_reviews_team
		WHERE p.team_id = +?1 AND p.account_id = a.value ORDER BY p.at DESC, p.id DESC LIMIT 1) FROM json_each(?2) a)`
)

// plans loads the plans of many accounts in three queries.
func (db *DB) plans(ctx context.Context, teamID string, ids []int64) (map[int64]kam.Plan, error) {
	list := idList(ids)
	out := make(map[int64]kam.Plan, len(ids))
	get := func(id int64) kam.Plan { p := out[id]; p.AccountID = id; return p }

	if err := db.each(ctx, func(r *sql.Rows) error {
		o, err := scanObjective(r)
		if err == nil {
			p := get(o.AccountID)
			p.Objectives = append(p.Objectives, o)
			out[o.AccountID] = p
		}
		return err
	}, planObjectivesSQL, teamID, list); err != nil {
		return nil, fmt.Errorf("read plan objectives: %w", err)
	}
	if err := db.each(ctx, func(r *sql.Rows) error {
		t, err := scanTactic(r)
		if err == nil {
			p := get(t.AccountID)
			p.Tactics = append(p.Tactics, t)
			out[t.AccountID] = p
		}
		return err
	}, planTacticsSQL, teamID, list); err != nil {
		return nil, fmt.Errorf("read plan tactics: %w", err)
	}
	if err := db.each(ctx, func(r *sql.Rows) error {
		var rev kam.PlanReview
		var at int64
		var n int
		if err := r.Scan(&rev.ID, &rev.TeamID, &rev.AccountID, &rev.UserID, &rev.Note, &at, &n); err != nil {
			return err
		}
		rev.At = fromMS(at)
		p := get(rev.AccountID)
		p.LastReview, p.Reviews = &rev, n
		out[rev.AccountID] = p
		return nil
	}, planLatestReviewsSQL, teamID, list); err != nil {
		return nil, fmt.Errorf("read plan reviews: %w", err)
	}
	// The strategy charter and the targets (store/charter.go).
	if err := db.planMethod(ctx, teamID, ids, out); err != nil {
		return nil, err
	}
	return out, nil
}

// planReviewsSQL reads one account's reviews back along its own index.
const planReviewsSQL = `SELECT ` + reviewCols + ` FROM plan_reviews INDEXED BY plan_reviews_account
	WHERE account_id = +?1 AND +team_id = +?2 ORDER BY at DESC, id DESC LIMIT +?3`

// PlanReviews returns an account's plan reviews, newest first, at most
// limit of them (all when limit is 0 or less).
func (db *DB) PlanReviews(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.PlanReview, error) {
	var out []kam.PlanReview
	err := db.each(ctx, func(r *sql.Rows) error {
		p, err := scanReview(r)
		out = append(out, p)
		return err
	}, planReviewsSQL,
		accountID, teamID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list plan reviews of account %d: %w", accountID, err)
	}
	return out, nil
}
