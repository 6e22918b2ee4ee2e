package store

import (
	"context"
	"fmt"

	"github.com/kambot/kambot/kam"
)

// accountNamesSQL reads the user's accounts through their team rows (the
// owner and sponsor have theirs too, kept by syncLeads): one index range
// on members, one primary-key lookup per account, three columns each.
const accountNamesSQL = `SELECT a.id, a.name, a.slug FROM members m CROSS JOIN accounts a ON a.id = m.account_id
	WHERE m.team_id = ?1 AND m.user_id = ?2 AND a.team_id = ?1
	ORDER BY a.name COLLATE NOCASE, a.id`

// AccountNamesForUser returns, by name, the accounts on whose team the user
// is (as KAM, member, sponsor or manager), with only ID, TeamID, Name and
// Slug filled: what a type-ahead menu needs, read cheaply at every size.
func (db *DB) AccountNamesForUser(ctx context.Context, teamID, userID string) ([]kam.Account, error) {
	st, err := db.stmt(ctx, db.read, accountNamesSQL)
	if err != nil {
		return nil, fmt.Errorf("account names of %s: %w", userID, err)
	}
	rows, err := st.QueryContext(ctx, teamID, userID)
	if err != nil {
		return nil, fmt.Errorf("account names of %s: %w", userID, err)
	}
	defer rows.Close()
	var out []kam.Account
	for rows.Next() {
		a := kam.Account{TeamID: teamID}
		if err := rows.Scan(&a.ID, &a.Name, &a.Slug); err != nil {
			return nil, fmt.Errorf("account names of %s: %w", userID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account names of %s: %w", userID, err)
	}
	return out, nil
}
