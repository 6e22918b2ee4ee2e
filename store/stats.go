package store

import (
	"context"
	"fmt"
)

// Teams returns the Slack workspaces that have accounts, for the command-line
// tools that work on one workspace and can pick it when there is only one.
func (db *DB) Teams(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT team_id FROM accounts ORDER BY team_id`)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	var teams []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("list workspaces: %w", err)
		}
		teams = append(teams, t)
	}
	return teams, rows.Err()
}

// CountInteractions counts a workspace's logged interactions.
func (db *DB) CountInteractions(ctx context.Context, teamID string) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM interactions WHERE team_id = ?`, teamID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count interactions of %s: %w", teamID, err)
	}
	return n, nil
}

// countAccountInteractionsSQL counts along the account's own index.
const countAccountInteractionsSQL = `SELECT count(*) FROM interactions INDEXED BY interactions_account_at WHERE account_id = +?1
	AND EXISTS (SELECT 1 FROM accounts WHERE id = +?1 AND +team_id = +?2)`

// CountAccountInteractions counts one account's logged interactions. The
// workspace is checked on the account, so the count reads only the
// (account_id, at) index, not 50,000 rows.
func (db *DB) CountAccountInteractions(ctx context.Context, teamID string, accountID int64) (int, error) {
	var n int
	st, err := db.stmt(ctx, db.read, countAccountInteractionsSQL)
	if err == nil {
		err = st.QueryRowContext(ctx, accountID, teamID).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("count interactions of account %d: %w", accountID, err)
	}
	return n, nil
}
