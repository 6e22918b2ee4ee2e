package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kambot/kambot/kam"
)

// PreviousScores returns, by account ID, the scores of each account's
// scoring before its latest one (accounts scored once are absent), in one
// query: where the matrix draws the arrow from.
func (db *DB) PreviousScores(ctx context.Context, teamID string) (map[int64]kam.Scoring, error) {
	out := map[int64]kam.Scoring{}
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		return scanScoringValue(r, out)
	}, `SELECT s.account_id, s.criteria_version, v.factor, v.score
		FROM scorings s JOIN scoring_values v ON v.scoring_id = s.id
		WHERE s.team_id = ?1 AND s.id IN (
			SELECT (SELECT p.id FROM scorings p
				WHERE p.team_id = ?1 AND p.account_id = l.account_id AND p.id < l.id
				ORDER BY p.id DESC LIMIT 1)
			FROM (SELECT account_id, max(id) AS id FROM scorings WHERE team_id = ?1 GROUP BY account_id) l)`, teamID)
	if err != nil {
		return nil, fmt.Errorf("read previous scores of %s: %w", teamID, err)
	}
	return out, nil
}

// AccountHealthHistory returns an account's weekly health snapshots from
// the ISO week sinceWeek on, oldest first.
func (db *DB) AccountHealthHistory(ctx context.Context, teamID string, accountID int64, sinceWeek string) ([]kam.HealthSnapshot, error) {
	if err := checkWeek(sinceWeek); err != nil {
		return nil, fmt.Errorf("read health history: %w", err)
	}
	var out []kam.HealthSnapshot
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		s := kam.HealthSnapshot{AccountID: accountID}
		var taken int64
		if err := r.Scan(&s.Week, &s.Score, &taken); err != nil {
			return err
		}
		s.TakenAt = fromMS(taken)
		out = append(out, s)
		return nil
	}, `SELECT week, score, taken_at FROM health_snapshots
		WHERE team_id = ? AND account_id = ? AND week >= ? ORDER BY week`, teamID, accountID, sinceWeek)
	if err != nil {
		return nil, fmt.Errorf("read health history of account %d: %w", accountID, err)
	}
	return out, nil
}
