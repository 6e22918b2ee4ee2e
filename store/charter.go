package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kambot/kambot/kam"
)

// Audit actions of the strategy charter.
const (
	ActionCharterAdd     = "plan.charter"
	ActionCharterDrop    = "plan.charter_drop"
	ActionStrategyAdd    = "plan.strategy"
	ActionStrategyDrop   = "plan.strategy_drop"
	charterEntryEntity   = "charter"
	charterStrategyTable = "strategy"
)

// AddCharterEntry adds a line to an account's strategy charter, numbered
// after the last of its kind, filling ID, Number, AuthorID and CreatedAt.
func (db *DB) AddCharterEntry(ctx context.Context, c *kam.CharterEntry, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *c
	if err := n.Validate(); err != nil {
		return err
	}
	n.AuthorID, n.CreatedAt = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add charter entry to account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, n.TeamID, n.AccountID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) + 1 FROM plan_charter
			WHERE account_id = ? AND team_id = ? AND kind = ?`, n.AccountID, n.TeamID, string(n.Kind)).Scan(&n.Number); err != nil {
			return fmt.Errorf("number charter entry of account %d: %w", n.AccountID, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_charter (team_id, account_id, kind, number, text, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, n.TeamID, n.AccountID, string(n.Kind), n.Number, n.Text, n.AuthorID, ms(n.CreatedAt))
		if err == nil {
			n.ID, err = res.LastInsertId()
		}
		if err != nil {
			return fmt.Errorf("add charter entry to account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "kind": n.Kind, "number": n.Number, "text": n.Text}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionCharterAdd, auditEntity(charterEntryEntity, n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*c = n
	return nil
}

// AddStrategy adds a strategy to an account's plan, numbered after the
// last one, filling ID, Number, AuthorID and CreatedAt. ObjectiveID, when
// set, must be one of the account's own objectives (ENOTFOUND otherwise).
func (db *DB) AddStrategy(ctx context.Context, s *kam.Strategy, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *s
	if err := n.Validate(); err != nil {
		return err
	}
	n.AuthorID, n.CreatedAt = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add strategy to account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, n.TeamID, n.AccountID); err != nil {
			return err
		}
		var obj any
		if n.ObjectiveID != 0 {
			var ok bool
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM plan_objectives WHERE id = ? AND account_id = ? AND team_id = ?)`,
				n.ObjectiveID, n.AccountID, n.TeamID).Scan(&ok)
			if err != nil {
				return fmt.Errorf("find objective %d: %w", n.ObjectiveID, err)
			}
			if !ok {
				return kam.ErrNotFound(kam.EntityObjective)
			}
			obj = n.ObjectiveID
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) + 1 FROM plan_strategies WHERE account_id = ? AND team_id = ?`,
			n.AccountID, n.TeamID).Scan(&n.Number); err != nil {
			return fmt.Errorf("number strategy of account %d: %w", n.AccountID, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_strategies (team_id, account_id, number, objective_id, text, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, n.TeamID, n.AccountID, n.Number, obj, n.Text, n.AuthorID, ms(n.CreatedAt))
		if err == nil {
			n.ID, err = res.LastInsertId()
		}
		if err != nil {
			return fmt.Errorf("add strategy to account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "number": n.Number, "objective": n.ObjectiveID, "text": n.Text}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionStrategyAdd, auditEntity(charterStrategyTable, n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*s = n
	return nil
}

// DropCharterEntry retires line number of a kind ("strategy" for a
// strategy) from an account's charter; it stays in the database.
// ENOTFOUND when there is no such live line. It returns the line's text.
func (db *DB) DropCharterEntry(ctx context.Context, teamID string, accountID int64, kind string, number int, actor string) (string, error) {
	if err := checkActor(actor); err != nil {
		return "", err
	}
	table, entity, action, where := "plan_charter", charterEntryEntity, ActionCharterDrop, " AND kind = ?4"
	args := []any{accountID, teamID, number}
	if kind == "strategy" {
		table, entity, action, where = "plan_strategies", charterStrategyTable, ActionStrategyDrop, ""
	} else {
		args = append(args, kind)
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return "", fmt.Errorf("drop %s %d of account %d: %w", kind, number, accountID, err)
	}
	var text string
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id, text FROM `+table+` WHERE account_id = ?1 AND team_id = ?2 AND number = ?3
			AND retired_at IS NULL`+where, args...).Scan(&id, &text)
		if errors.Is(err, sql.ErrNoRows) {
			e := kam.ErrNotFound(kam.EntityCharter)
			e.ID, e.Value = int64(number), kind
			return e
		} else if err != nil {
			return fmt.Errorf("drop %s %d of account %d: %w", kind, number, accountID, err)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET retired_at = ?, retired_by = ? WHERE id = ?`, ms(now), actor, id); err != nil {
			return fmt.Errorf("drop %s %d of account %d: %w", kind, number, accountID, err)
		}
		d := map[string]any{"account": accountID, "kind": kind, "number": number}
		return writeAudit(ctx, tx, aud, teamID, actor, action, auditEntity(entity, id), d, now)
	})
	return text, err
}

// strategyExists checks, inside a transaction, that a tactic's strategy
// is a live strategy of the account; 0 (none) always passes.
func strategyExists(ctx context.Context, tx *sql.Tx, teamID string, accountID int64, number int) error {
	if number == 0 {
		return nil
	}
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM plan_strategies WHERE account_id = ? AND team_id = ?
		AND number = ? AND retired_at IS NULL)`, accountID, teamID, number).Scan(&ok)
	if err != nil {
		return fmt.Errorf("find strategy %d: %w", number, err)
	}
	if !ok {
		e := kam.ErrNotFound(kam.EntityStrategy)
		e.ID = int64(number)
		return e
	}
	return nil
}

// The charter queries start from the accounts (see healthTeamSQL).
const (
	planCharterSQL = `SELECT c.id, c.account_id, c.kind, c.number, c.text, c.author_id, c.created_at
	FROM json_each(?2) a CROSS JOIN plan_charter c INDEXED BY plan_charter_team ON c.team_id = +?1 AND c.account_id = a.value
	WHERE c.retired_at IS NULL ORDER BY c.account_id, c.number, c.id`

	planStrategiesSQL = `SELECT s.id, s.account_id, s.number, coalesce(s.objective_id, 0), s.text, s.author_id, s.created_at
	FROM json_each(?2) a CROSS JOIN plan_strategies s INDEXED BY plan_strategies_team ON s.team_id = +?1 AND s.account_id = a.value
	WHERE s.retired_at IS NULL ORDER BY s.account_id, s.number`
)

// planMethod adds the live charter lines, strategies and targets to plans.
func (db *DB) planMethod(ctx context.Context, teamID string, ids []int64, out map[int64]kam.Plan) error {
	list := idList(ids)
	get := func(id int64) kam.Plan { p := out[id]; p.AccountID = id; return p }
	err := db.each(ctx, func(r *sql.Rows) error {
		c := kam.CharterEntry{TeamID: teamID}
		var kind string
		var at int64
		if err := r.Scan(&c.ID, &c.AccountID, &kind, &c.Number, &c.Text, &c.AuthorID, &at); err != nil {
			return err
		}
		c.Kind, c.CreatedAt = kam.CharterKind(kind), fromMS(at)
		p := get(c.AccountID)
		p.Charter.Entries = append(p.Charter.Entries, c)
		out[c.AccountID] = p
		return nil
	}, planCharterSQL, teamID, list)
	if err != nil {
		return fmt.Errorf("read plan charters: %w", err)
	}
	for id, p := range out {
		p.Charter.Entries = sortCharter(p.Charter.Entries)
		out[id] = p
	}
	err = db.each(ctx, func(r *sql.Rows) error {
		s := kam.Strategy{TeamID: teamID}
		var at int64
		if err := r.Scan(&s.ID, &s.AccountID, &s.Number, &s.ObjectiveID, &s.Text, &s.AuthorID, &at); err != nil {
			return err
		}
		s.CreatedAt = fromMS(at)
		p := get(s.AccountID)
		p.Charter.Strategies = append(p.Charter.Strategies, s)
		out[s.AccountID] = p
		return nil
	}, planStrategiesSQL, teamID, list)
	if err != nil {
		return fmt.Errorf("read plan strategies: %w", err)
	}
	targets, err := db.Targets(ctx, teamID, ids)
	if err != nil {
		return err
	}
	for id, ts := range targets {
		p := get(id)
		p.Targets = ts
		out[id] = p
	}
	return nil
}

// sortCharter orders lines by kind as kam.CharterKinds lists them, keeping
// each kind's number order.
func sortCharter(es []kam.CharterEntry) []kam.CharterEntry {
	if len(es) < 2 {
		return es
	}
	out := make([]kam.CharterEntry, 0, len(es))
	for _, k := range kam.CharterKinds {
		for _, e := range es {
			if e.Kind == k {
				out = append(out, e)
			}
		}
	}
	return out
}
