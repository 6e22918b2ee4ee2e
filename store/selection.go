package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kambot/kambot/kam"
)

// ActionSelectionReview is the audit action of a recorded selection review.
const ActionSelectionReview = "selection.review"

// RecordSelectionReview records a yearly selection review, filling ID,
// UserID and At.
func (db *DB) RecordSelectionReview(ctx context.Context, r *kam.SelectionRecord, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *r
	if n.TeamID == "" {
		return kam.ErrInvalid(kam.EntitySelection, kam.FieldTeam, kam.ReasonMissing)
	}
	var err error
	if n.Note, err = kam.CheckText(kam.EntitySelection, "note", n.Note, kam.MaxSummaryLen); err != nil {
		return err
	}
	n.UserID, n.At = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("record selection review: %w", err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO selection_reviews (team_id, year, user_id, note, accounts, stale, moved, deselect, promote, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.TeamID, n.Year, n.UserID, n.Note, n.Accounts, n.Stale, n.Moved, n.Deselect, n.Promote, ms(n.At))
		if err == nil {
			n.ID, err = res.LastInsertId()
		}
		if err != nil {
			return fmt.Errorf("record selection review: %w", err)
		}
		d := map[string]any{"year": n.Year, "note": n.Note, "accounts": n.Accounts, "deselect": n.Deselect, "promote": n.Promote}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionSelectionReview, auditEntity("selection", n.ID), d, n.At)
	})
	if err != nil {
		return err
	}
	*r = n
	return nil
}

// LastSelectionReview returns the workspace's latest recorded review;
// ok false when there was none.
func (db *DB) LastSelectionReview(ctx context.Context, teamID string) (kam.SelectionRecord, bool, error) {
	r := kam.SelectionRecord{TeamID: teamID}
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT id, year, user_id, note, accounts, stale, moved, deselect, promote, at
		FROM selection_reviews WHERE team_id = ? ORDER BY at DESC, id DESC LIMIT 1`, teamID).
		Scan(&r.ID, &r.Year, &r.UserID, &r.Note, &r.Accounts, &r.Stale, &r.Moved, &r.Deselect, &r.Promote, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return kam.SelectionRecord{}, false, nil
	} else if err != nil {
		return kam.SelectionRecord{}, false, fmt.Errorf("read last selection review: %w", err)
	}
	r.At = fromMS(at)
	return r, true, nil
}

// LatestScorings returns each account's latest n scorings, newest first,
// with their full scores, in two queries.
func (db *DB) LatestScorings(ctx context.Context, teamID string, accountIDs []int64, n int) (map[int64][]kam.Scoring, error) {
	out := map[int64][]kam.Scoring{}
	var ids []int64
	where := map[int64][2]int{} // scoring ID → account, position
	err := db.each(ctx, func(r *sql.Rows) error {
		var s kam.Scoring
		var at int64
		if err := r.Scan(&s.ID, &s.AccountID, &s.UserID, &at, &s.Criteria); err != nil {
			return err
		}
		s.TeamID, s.At, s.Scores = teamID, fromMS(at), kam.Scores{}
		where[s.ID] = [2]int{int(s.AccountID), len(out[s.AccountID])}
		out[s.AccountID] = append(out[s.AccountID], s)
		ids = append(ids, s.ID)
		return nil
	}, `SELECT s.id, s.account_id, s.user_id, s.at, s.criteria_version FROM json_each(?2) a
		CROSS JOIN scorings s INDEXED BY scorings_team_account ON s.team_id = +?1 AND s.account_id = a.value
		WHERE s.id IN (SELECT x.id FROM scorings x INDEXED BY scorings_team_account
			WHERE x.team_id = +?1 AND x.account_id = a.value ORDER BY x.id DESC LIMIT +?3)
		ORDER BY s.account_id, s.id DESC`, teamID, idList(accountIDs), n)
	if err != nil {
		return nil, fmt.Errorf("read latest scorings: %w", err)
	}
	err = db.each(ctx, func(r *sql.Rows) error {
		var id int64
		var factor string
		var score int
		if err := r.Scan(&id, &factor, &score); err != nil {
			return err
		}
		w := where[id]
		out[int64(w[0])][w[1]].Scores[factor] = score
		return nil
	}, `SELECT v.scoring_id, v.factor, v.score FROM json_each(?2) a
		CROSS JOIN scoring_values v ON v.scoring_id = a.value WHERE +v.team_id = +?1`, teamID, idList(ids))
	if err != nil {
		return nil, fmt.Errorf("read latest scoring values: %w", err)
	}
	return out, nil
}

// RoleHolders lists the users with a role on any active account of the
// workspace, each once, in ID order: the managers the selection review goes to.
func (db *DB) RoleHolders(ctx context.Context, teamID string, role kam.Role) ([]string, error) {
	var out []string
	err := db.each(ctx, func(r *sql.Rows) error {
		var u string
		err := r.Scan(&u)
		out = append(out, u)
		return err
	}, `SELECT DISTINCT m.user_id FROM members m JOIN accounts a ON a.id = m.account_id AND a.archived_at IS NULL
		WHERE m.team_id = ? AND m.role = ? ORDER BY m.user_id`, teamID, string(role))
	return out, wrapErr(err, "list "+string(role)+"s")
}
