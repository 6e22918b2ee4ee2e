package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kambot/kambot/kam"
)

// The account type-ahead's read. A sponsor or VP may be on every account
// of a workspace of 10,000: reading their accounts row by row (one index
// range on members, one lookup per account, each row through the driver)
// costs tens of milliseconds on their first keystroke. Instead each
// workspace's names are held in memory, by name, read in one range of the
// accounts' name index when first needed and again after any change to
// accounts or members (the lookup cache's generation, which other replicas
// bump through LISTEN/NOTIFY) or after namesTTL (writers in other
// processes on the same file). The user's own accounts are one row: their
// team rows' account IDs, joined by the database; the names are filtered
// by that set in Go.

// workspaceNamesSQL reads a workspace's accounts by name: one range of the
// accounts_team_name index, in its order.
const workspaceNamesSQL = `SELECT id, name, slug FROM accounts
	WHERE team_id = ?1 ORDER BY name COLLATE NOCASE, id`

// userAccountIDsSQL lists the accounts on whose team the user is (the
// owner and sponsor have team rows too, kept by syncLeads) as one text of
// comma-separated IDs: one range of members_team_user, which covers it.
const userAccountIDsSQL = `SELECT group_concat(account_id) FROM members
	WHERE team_id = ?1 AND user_id = ?2`

// namesTTL bounds how long a workspace's names are served without a change
// seen in this process. Staleness only changes what a menu offers, never
// what is allowed: a form's submission checks the user's rights.
const namesTTL = 20 * time.Second

// namesMax bounds how many workspaces' names are kept; past it the cache
// starts over.
const namesMax = 1000

// nameIndex is one workspace's account names; never changed once built.
type nameIndex struct {
	gen     uint64
	expires time.Time
	accts   []kam.Account   // by name (NOCASE), then ID; ID, TeamID, Name, Slug
	pos     map[int64]int32 // account ID → index in accts
}

// namesCache holds the workspaces' name indexes.
type namesCache struct {
	mu    sync.Mutex
	teams map[string]*nameIndex
}

// AccountNamesForUser returns, by name, the accounts on whose team the user
// is (as KAM, member, sponsor or manager), with only ID, TeamID, Name and
// Slug filled: what a type-ahead menu needs, read cheaply at every size.
func (db *DB) AccountNamesForUser(ctx context.Context, teamID, userID string) ([]kam.Account, error) {
	idx, err := db.workspaceNames(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("account names of %s: %w", userID, err)
	}
	ids, err := db.userAccountIDs(ctx, teamID, userID)
	if err != nil {
		return nil, fmt.Errorf("account names of %s: %w", userID, err)
	}
	mine := make([]bool, len(idx.accts))
	n := 0
	for _, id := range ids {
		// An ID missing from the index is an account created since it was
		// read; that write bumped the generation, so the next call has it.
		if p, ok := idx.pos[id]; ok && !mine[p] {
			mine[p] = true
			n++
		}
	}
	out := make([]kam.Account, 0, n)
	for i, ok := range mine {
		if ok {
			out = append(out, idx.accts[i])
		}
	}
	return out, nil
}

// workspaceNames returns the workspace's name index, reading it when the
// one held is missing, stale or unsafe to serve.
func (db *DB) workspaceNames(ctx context.Context, teamID string) (*nameIndex, error) {
	now := time.Now()
	gen := db.dir.gen.Load()
	c := &db.names
	c.mu.Lock()
	idx := c.teams[teamID]
	c.mu.Unlock()
	if idx != nil && idx.gen == gen && now.Before(idx.expires) && !db.dir.blind.Load() {
		return idx, nil
	}
	idx, err := db.readWorkspaceNames(ctx, teamID)
	if err != nil {
		return nil, err
	}
	idx.gen, idx.expires = gen, now.Add(namesTTL)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.teams == nil || len(c.teams) >= namesMax {
		c.teams = make(map[string]*nameIndex)
	}
	c.teams[teamID] = idx
	return idx, nil
}

// readWorkspaceNames reads the workspace's names from the database.
func (db *DB) readWorkspaceNames(ctx context.Context, teamID string) (*nameIndex, error) {
	st, err := db.stmt(ctx, db.read, workspaceNamesSQL)
	if err != nil {
		return nil, fmt.Errorf("workspace names: %w", err)
	}
	rows, err := st.QueryContext(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("workspace names: %w", err)
	}
	defer rows.Close()
	idx := &nameIndex{}
	for rows.Next() {
		a := kam.Account{TeamID: teamID}
		if err := rows.Scan(&a.ID, &a.Name, &a.Slug); err != nil {
			return nil, fmt.Errorf("workspace names: %w", err)
		}
		idx.accts = append(idx.accts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("workspace names: %w", err)
	}
	idx.pos = make(map[int64]int32, len(idx.accts))
	for i, a := range idx.accts {
		idx.pos[a.ID] = int32(i)
	}
	return idx, nil
}

// userAccountIDs lists the IDs of the accounts on whose team the user is.
func (db *DB) userAccountIDs(ctx context.Context, teamID, userID string) ([]int64, error) {
	st, err := db.stmt(ctx, db.read, userAccountIDsSQL)
	if err != nil {
		return nil, fmt.Errorf("accounts of the user: %w", err)
	}
	var list sql.NullString
	if err := st.QueryRowContext(ctx, teamID, userID).Scan(&list); err != nil {
		return nil, fmt.Errorf("accounts of the user: %w", err)
	}
	if !list.Valid || list.String == "" {
		return nil, nil
	}
	ids := make([]int64, 0, strings.Count(list.String, ",")+1)
	for s := range strings.SplitSeq(list.String, ",") {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("accounts of the user: account ID %q: %w", s, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
