package store

import (
	"context"
	"database/sql"

	"github.com/kambot/kambot/kam"
)

// StageHistories returns the stage changes of the opportunities, oldest
// first, by opportunity ID, in one query along each one's own index.
func (db *DB) StageHistories(ctx context.Context, teamID string, oppIDs []int64) (map[int64][]kam.StageChange, error) {
	out := make(map[int64][]kam.StageChange, len(oppIDs))
	err := db.each(ctx, func(r *sql.Rows) error {
		var sc kam.StageChange
		var from, to string
		var at int64
		if err := r.Scan(&sc.ID, &sc.OpportunityID, &from, &to, &sc.UserID, &sc.Note, &at); err != nil {
			return err
		}
		sc.TeamID, sc.From, sc.To, sc.At = teamID, kam.Stage(from), kam.Stage(to), fromMS(at)
		out[sc.OpportunityID] = append(out[sc.OpportunityID], sc)
		return nil
	}, `SELECT s.id, s.opportunity_id, s.from_stage, s.to_stage, s.user_id, s.note, s.at
		FROM json_each(?2) a CROSS JOIN stage_changes s INDEXED BY stage_changes_opp ON s.opportunity_id = a.value
		WHERE +s.team_id = +?1 ORDER BY s.opportunity_id, s.at, s.id`, teamID, idList(oppIDs))
	return out, wrapErr(err, "read stage histories")
}
