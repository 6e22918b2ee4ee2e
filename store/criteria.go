package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kambot/kambot/kam"
)

// ActionCriteriaChange is the audit action of every change to the
// selection criteria; the detail holds the change and both versions.
const ActionCriteriaChange = "criteria.change"

// criteriaQ reads a workspace's criteria sets: every version when version
// is 0, only the newest when it is -1, else the one version. Version 0,
// the book's default, is never stored: CriteriaSets.Of supplies it.
func criteriaQ(ctx context.Context, q queryer, teamID string, version int) (kam.CriteriaSets, error) {
	where, args := `s.team_id = ?1`, []any{teamID}
	switch {
	case version < 0:
		where += ` AND s.version = (SELECT max(version) FROM criteria_sets WHERE team_id = ?1)`
	case version > 0:
		where += ` AND s.version = ?2`
		args = append(args, version)
	}
	rows, err := q.QueryContext(ctx, `SELECT s.version, s.last_id, s.created_by, s.created_at,
		f.factor_id, f.factor, f.axis, f.label, f.weight
		FROM criteria_sets s JOIN criteria_factors f ON f.team_id = s.team_id AND f.version = s.version
		WHERE `+where+` ORDER BY s.version, f.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("read criteria of %s: %w", teamID, err)
	}
	defer rows.Close()
	out := kam.CriteriaSets{}
	for rows.Next() {
		var c kam.Criteria
		var f kam.Factor
		var at int64
		var axis string
		if err := rows.Scan(&c.Version, &c.LastID, &c.By, &at, &f.ID, &f.Key, &axis, &f.Label, &f.Weight); err != nil {
			return nil, fmt.Errorf("read criteria of %s: %w", teamID, err)
		}
		f.Axis = kam.Axis(axis)
		if have, ok := out[c.Version]; ok {
			c = have
		} else {
			c.At = fromMS(at)
		}
		c.Factors = append(c.Factors, f)
		out[c.Version] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read criteria of %s: %w", teamID, err)
	}
	return out, nil
}

// Criteria returns the workspace's current selection criteria: its newest
// version, or the book's default set (version 0) when it has none.
func (db *DB) Criteria(ctx context.Context, teamID string) (kam.Criteria, error) {
	sets, err := criteriaQ(ctx, db.read, teamID, -1)
	if err != nil {
		return kam.Criteria{}, err
	}
	return sets.Current(), nil
}

// CriteriaSets returns every version of the workspace's criteria, so that
// each scoring can be read under the set it was made with.
func (db *DB) CriteriaSets(ctx context.Context, teamID string) (kam.CriteriaSets, error) {
	return criteriaQ(ctx, db.read, teamID, 0)
}

// ChangeCriteria applies a change to the workspace's current criteria and
// keeps the result as the next version, with the audit entry, in one
// transaction. A change that cannot be made (kam.Criteria.Apply) changes
// nothing. Scorings already made keep their version.
func (db *DB) ChangeCriteria(ctx context.Context, teamID string, ch kam.CriteriaChange, actor string) (kam.Criteria, error) {
	if err := checkActor(actor); err != nil {
		return kam.Criteria{}, err
	}
	if teamID == "" {
		return kam.Criteria{}, kam.ErrMissingTeam(kam.EntityCriteria)
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return kam.Criteria{}, fmt.Errorf("change criteria of %s: %w", teamID, err)
	}
	var next kam.Criteria
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		sets, err := criteriaQ(ctx, tx, teamID, -1)
		if err != nil {
			return err
		}
		cur := sets.Current()
		if next, err = cur.Apply(ch); err != nil {
			return err
		}
		next.By, next.At = actor, db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO criteria_sets (team_id, version, last_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?)`, teamID, next.Version, next.LastID, actor, ms(next.At)); err != nil {
			return fmt.Errorf("change criteria of %s: %w", teamID, err)
		}
		for i, f := range next.Factors {
			if _, err := tx.ExecContext(ctx, `INSERT INTO criteria_factors (team_id, version, position, factor_id, factor, axis, label, weight)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, teamID, next.Version, i+1, f.ID, f.Key, string(f.Axis), f.Label, f.Weight); err != nil {
				return fmt.Errorf("change criteria of %s: %w", teamID, err)
			}
		}
		detail := struct {
			Change kam.CriteriaChange `json:"change"`
			From   int                `json:"from"`
			To     int                `json:"to"`
		}{ch, cur.Version, next.Version}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionCriteriaChange, "workspace:"+teamID, detail, next.At)
	})
	if err != nil {
		return kam.Criteria{}, err
	}
	return next, nil
}
