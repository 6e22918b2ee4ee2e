package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/kambot/kambot/kam"
)

// warmAccountsSQL pages through the active accounts of every workspace by
// ID, along the primary key.
const warmAccountsSQL = `SELECT id, team_id FROM accounts WHERE id > +?1 AND archived_at IS NULL ORDER BY id LIMIT +?2`

// WarmHealthInputs loads the health inputs of every active account of
// every workspace into memory (see healthCache), a chunk at a time, so
// that the first Home view, `health all` or digest after a start reads
// them from memory instead of the database. It is meant to run in the
// background once the process is ready: after each chunk it rests as long
// as the chunk took, leaving at least half of a core to requests, and it
// stops at the first error, when ctx is done, or once the kept inputs
// fill three quarters of their memory budget (beyond that each chunk
// would push out another). Memory is a chunk of accounts beyond what is
// kept. It returns how many accounts it loaded.
func (db *DB) WarmHealthInputs(ctx context.Context) (int, error) {
	var after int64
	loaded := 0
	for {
		if db.health.full() {
			return loaded, nil
		}
		start := time.Now()
		var ids []int64
		var teams []string
		err := db.each(ctx, func(r *sql.Rows) error {
			var id int64
			var team string
			if err := r.Scan(&id, &team); err != nil {
				return err
			}
			ids, teams = append(ids, id), append(teams, team)
			return nil
		}, warmAccountsSQL, after, healthChunk)
		if err != nil {
			return loaded, wrapErr(err, "warm health inputs: list accounts")
		}
		if len(ids) == 0 {
			return loaded, nil
		}
		after = ids[len(ids)-1]
		// The chunk, workspace by workspace; the health inputs need only
		// each account's ID and workspace.
		byTeam := map[string][]kam.Account{}
		for i, id := range ids {
			byTeam[teams[i]] = append(byTeam[teams[i]], kam.Account{ID: id, TeamID: teams[i]})
		}
		for team, accts := range byTeam {
			err := db.HealthInputsEach(ctx, team, accts, db.now(), func(kam.HealthInput) error { return nil })
			if err != nil {
				return loaded, wrapErr(err, "warm health inputs")
			}
			loaded += len(accts)
		}
		select {
		case <-ctx.Done():
			return loaded, ctx.Err()
		case <-time.After(time.Since(start)):
		}
	}
}
