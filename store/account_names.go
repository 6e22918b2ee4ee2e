package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kambot/kambot/kam"
)

// The account type-ahead's read. A sponsor or VP may be on every account
// of a workspace of 10,000: reading their accounts row by row (one index
// range on members, one lookup per account, each row through the driver)
// costs tens of milliseconds on their first keystroke. Instead each
// workspace's names are held in memory, by name, read when first needed and
// again after any change to accounts in this process (a change to a team
// leaves the names as they are), any change notice from another replica
// (LISTEN/NOTIFY, as for the lookup cache) or after namesTTL (writers in other
// processes on the same file). That read is one row: the database joins the
// names into one text, so they cross the driver once. The user's own accounts are one row: their
// team rows' account IDs, joined by the database; the names are filtered
// by that set in Go.

// workspaceNamesSQL reads a workspace's accounts by name as one text, so
// that 10,000 names cross the driver once: each account is
// "<id>,<name bytes>,<slug bytes>:<name><slug>", length-prefixed so that
// no character of a name can break the reading (see parseNames).
const workspaceNamesSQL = `SELECT group_concat(id || ',' || length(CAST(name AS BLOB)) || ',' || length(CAST(slug AS BLOB)) || ':' || name || slug,
	'' ORDER BY name COLLATE NOCASE, id) FROM accounts WHERE team_id = ?1`

// workspaceNamesPG is workspaceNamesSQL in PostgreSQL's words.
const workspaceNamesPG = `SELECT string_agg(id::text || ',' || octet_length(name) || ',' || octet_length(slug) || ':' || name || slug,
	'' ORDER BY kam_nocase(name), id) FROM accounts WHERE team_id = ?1`

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
	// gen counts the changes to accounts (not to teams) of this process,
	// and every change notice of another replica.
	gen   atomic.Uint64
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
	c := &db.names
	gen := c.gen.Load()
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
	var list sql.NullString
	if err := st.QueryRowContext(ctx, teamID).Scan(&list); err != nil {
		return nil, fmt.Errorf("workspace names: %w", err)
	}
	accts, err := parseNames(teamID, list.String)
	if err != nil {
		return nil, fmt.Errorf("workspace names: %w", err)
	}
	idx := &nameIndex{accts: accts, pos: make(map[int64]int32, len(accts))}
	for i, a := range accts {
		idx.pos[a.ID] = int32(i)
	}
	return idx, nil
}

// parseNames reads the text of workspaceNamesSQL. The names and slugs are
// substrings of it: one allocation for the whole workspace.
func parseNames(teamID, s string) ([]kam.Account, error) {
	out := make([]kam.Account, 0, strings.Count(s, ":")) // at least one ':' an account
	for s != "" {
		head, rest, ok := strings.Cut(s, ":")
		if !ok {
			return nil, fmt.Errorf("account name list cut short: %q", clipText(s, 40))
		}
		f := strings.Split(head, ",")
		if len(f) != 3 {
			return nil, fmt.Errorf("account name list: bad entry %q", clipText(head, 40))
		}
		id, err1 := strconv.ParseInt(f[0], 10, 64)
		nl, err2 := strconv.Atoi(f[1])
		sl, err3 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil || err3 != nil || nl < 0 || sl < 0 || nl+sl > len(rest) {
			return nil, fmt.Errorf("account name list: bad entry %q", clipText(head, 40))
		}
		out = append(out, kam.Account{ID: id, TeamID: teamID, Name: rest[:nl], Slug: rest[nl : nl+sl]})
		s = rest[nl+sl:]
	}
	return out, nil
}

// clipText shortens s for an error message.
func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
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
