package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kambot/kambot/kam"
)

// The account type-ahead's read. A sponsor or VP may be on every account
// of a workspace of 10,000: reading their accounts row by row (one index
// range on members, one lookup per account, each row through the driver)
// costs tens of milliseconds at every keystroke. Instead each workspace's
// names are held in memory, by name, and each user's list is filtered from
// them and kept.
//
// What is held is checked at every call against the workspace's change
// counters (directory_revs, kept by triggers, migration 00170): one row read
// by primary key. After a change to names only the accounts changed since
// the names were read are read again (an index range on names_rev), and
// applied to the names held; after a change to teams only the user's own
// team rows are read again. So a rename, a new or archived account and a
// team change show at the very next keystroke, whichever process or replica
// made them, and a change costs about what it changed.
//
// The full read, when nothing is held (or an account was removed), is one
// row: the database joins the names into one text, so that 10,000 names
// cross the driver once.

// workspaceNamesSQL reads the workspace's change counter and its active
// accounts by name as one text, in one statement (one snapshot): each
// account is "<id>,<name bytes>,<slug bytes>:<name><slug>",
// length-prefixed so that no character of a name can break the reading
// (see parseNames).
const workspaceNamesSQL = `SELECT (SELECT names FROM directory_revs WHERE team_id = ?1),
	(SELECT group_concat(id || ',' || length(CAST(name AS BLOB)) || ',' || length(CAST(slug AS BLOB)) || ':' || name || slug,
	'' ORDER BY name COLLATE NOCASE, id) FROM accounts INDEXED BY accounts_team_name WHERE team_id = ?1 AND archived_at IS NULL)`

// workspaceNamesPG is workspaceNamesSQL in PostgreSQL's words.
const workspaceNamesPG = `SELECT (SELECT names FROM directory_revs WHERE team_id = ?1),
	(SELECT string_agg(id::text || ',' || octet_length(name) || ',' || octet_length(slug) || ':' || name || slug,
	'' ORDER BY kam_nocase(name), id) FROM accounts WHERE team_id = ?1 AND archived_at IS NULL)`

// namesSinceSQL reads, in one statement, the workspace's counters (the
// row with ID 0) and the accounts whose names changed after ?2, archived
// ones included (so that they leave the menu): a range of
// accounts_team_names_rev.
const namesSinceSQL = `SELECT 0, names, names_reset, '', '', 0 FROM directory_revs WHERE team_id = ?1
UNION ALL
SELECT id, names_rev, 0, name, slug, CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END FROM accounts
	WHERE team_id = ?1 AND names_rev > ?2`

// directoryRevsSQL reads the workspace's change counters.
const directoryRevsSQL = `SELECT names, names_reset, teams FROM directory_revs WHERE team_id = ?1`

// userAccountIDsSQL lists the accounts on whose team the user is (the
// owner and sponsor have team rows too, kept by syncLeads) as one text of
// comma-separated IDs: one range of members_team_user, which covers it.
const userAccountIDsSQL = `SELECT group_concat(account_id) FROM members
	WHERE team_id = ?1 AND user_id = ?2`

// namesMax bounds how many workspaces' names, and namesUsersMax how many
// users' lists, are kept; past it that cache starts over.
const (
	namesMax      = 1000
	namesUsersMax = 20_000
)

// nameEntry is one active account as the type-ahead lists it.
type nameEntry struct {
	id         int64
	name, slug string
	key        string // the name as NOCASE compares it (ASCII folded)
}

// nameIndex is one workspace's active accounts by name; never changed
// once built (a change builds a new one).
type nameIndex struct {
	rev     int64       // the workspace's names counter it reflects
	entries []nameEntry // by key, then ID
	pos     map[int64]int32
}

// userNames is one user's list, as filtered from a name index.
type userNames struct {
	names int64 // the nameIndex.rev it was filtered from
	teams int64 // the workspace's teams counter when the user's IDs were read
	ids   []int64
	accts []kam.Account
}

type userKey struct{ team, user string }

// dirRevs is a workspace's change counters (directory_revs).
type dirRevs struct{ names, reset, teams int64 }

// namesCache holds the workspaces' name indexes and the users' lists.
type namesCache struct {
	mu    sync.Mutex
	teams map[string]*nameIndex
	users map[userKey]*userNames
}

// AccountNamesForUser returns, by name, the active accounts on whose team
// the user is (as KAM, member, sponsor or manager), with only ID, TeamID,
// Name and Slug filled: what a type-ahead menu needs, read cheaply at every
// size. The list is shared: callers must not change it. While nothing it
// shows has changed, the same list is returned again, so what a caller
// derives from it may be kept as long as it comes back.
func (db *DB) AccountNamesForUser(ctx context.Context, teamID, userID string) ([]kam.Account, error) {
	revs, err := db.directoryRevs(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("account names of %s: %w", userID, err)
	}
	idx, err := db.workspaceNames(ctx, teamID, revs)
	if err != nil {
		return nil, fmt.Errorf("account names of %s: %w", userID, err)
	}
	c, key := &db.names, userKey{teamID, userID}
	c.mu.Lock()
	u := c.users[key]
	c.mu.Unlock()
	if u != nil && u.names == idx.rev && u.teams == revs.teams {
		return u.accts, nil
	}
	// The team rows are read after the counters: a change between the two
	// is in the IDs and also makes the next call read them again.
	next := &userNames{names: idx.rev, teams: revs.teams}
	if u != nil && u.teams == revs.teams {
		next.ids = u.ids
	} else if next.ids, err = db.userAccountIDs(ctx, teamID, userID); err != nil {
		return nil, fmt.Errorf("account names of %s: %w", userID, err)
	}
	next.accts = idx.filter(teamID, next.ids)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users == nil || len(c.users) >= namesUsersMax {
		c.users = make(map[userKey]*userNames)
	}
	c.users[key] = next
	return next.accts, nil
}

// filter returns, by name, the index's accounts among ids. An ID missing
// from the index is an archived account, or one created after the index's
// counter was read: that creation moved the counter, so the next call has it.
func (idx *nameIndex) filter(teamID string, ids []int64) []kam.Account {
	mine := make([]bool, len(idx.entries))
	n := 0
	for _, id := range ids {
		if p, ok := idx.pos[id]; ok && !mine[p] {
			mine[p] = true
			n++
		}
	}
	out := make([]kam.Account, 0, n)
	for i, ok := range mine {
		if ok {
			e := &idx.entries[i]
			out = append(out, kam.Account{ID: e.id, TeamID: teamID, Name: e.name, Slug: e.slug})
		}
	}
	return out
}

// directoryRevs reads the workspace's change counters; a workspace no
// write has reached yet has them all at zero.
func (db *DB) directoryRevs(ctx context.Context, teamID string) (dirRevs, error) {
	st, err := db.stmt(ctx, db.read, directoryRevsSQL)
	if err != nil {
		return dirRevs{}, fmt.Errorf("change counters: %w", err)
	}
	var r dirRevs
	err = st.QueryRowContext(ctx, teamID).Scan(&r.names, &r.reset, &r.teams)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return dirRevs{}, fmt.Errorf("change counters: %w", err)
	}
	return r, nil
}

// workspaceNames returns the workspace's name index as of revs at least:
// the one held, brought up to date with the accounts changed since it was
// read, or read whole when none is held or an account was removed since.
func (db *DB) workspaceNames(ctx context.Context, teamID string, revs dirRevs) (*nameIndex, error) {
	c := &db.names
	c.mu.Lock()
	idx := c.teams[teamID]
	c.mu.Unlock()
	switch {
	case idx != nil && idx.rev >= revs.names:
		return idx, nil
	case idx != nil && idx.rev >= revs.reset:
		next, err := db.applyNameChanges(ctx, teamID, idx)
		if err != nil {
			return nil, err
		}
		if next != nil {
			idx = next
			break
		}
		fallthrough // a removal came in meanwhile: read them all
	default:
		var err error
		if idx, err = db.readWorkspaceNames(ctx, teamID); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.teams[teamID]; old != nil && old.rev > idx.rev {
		return old, nil // a concurrent call got further
	}
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
	var rev sql.NullInt64
	var list sql.NullString
	if err := st.QueryRowContext(ctx, teamID).Scan(&rev, &list); err != nil {
		return nil, fmt.Errorf("workspace names: %w", err)
	}
	entries, err := parseNames(list.String)
	if err != nil {
		return nil, fmt.Errorf("workspace names: %w", err)
	}
	return newNameIndex(rev.Int64, entries), nil
}

func newNameIndex(rev int64, entries []nameEntry) *nameIndex {
	idx := &nameIndex{rev: rev, entries: entries, pos: make(map[int64]int32, len(entries))}
	for i, e := range entries {
		idx.pos[e.id] = int32(i)
	}
	return idx
}

// applyNameChanges reads the accounts whose names changed since idx was
// read and returns idx with them applied; nil when an account was removed
// since (the caller then reads every name).
func (db *DB) applyNameChanges(ctx context.Context, teamID string, idx *nameIndex) (*nameIndex, error) {
	st, err := db.stmt(ctx, db.read, namesSinceSQL)
	if err != nil {
		return nil, fmt.Errorf("changed account names: %w", err)
	}
	rows, err := st.QueryContext(ctx, teamID, idx.rev)
	if err != nil {
		return nil, fmt.Errorf("changed account names: %w", err)
	}
	defer rows.Close()
	var revs dirRevs
	changed := map[int64]*nameEntry{} // nil: archived
	for rows.Next() {
		var id, rev, reset int64
		var name, slug string
		var archived bool
		if err := rows.Scan(&id, &rev, &reset, &name, &slug, &archived); err != nil {
			return nil, fmt.Errorf("changed account names: %w", err)
		}
		if id == 0 {
			revs.names, revs.reset = rev, reset
			continue
		}
		if archived {
			changed[id] = nil
		} else {
			changed[id] = &nameEntry{id: id, name: name, slug: slug, key: foldASCII(name)}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("changed account names: %w", err)
	}
	if revs.reset > idx.rev {
		return nil, nil
	}
	return idx.with(max(revs.names, idx.rev), changed), nil
}

// with returns a new index: idx's entries less the changed accounts, plus
// those still active, in order.
func (idx *nameIndex) with(rev int64, changed map[int64]*nameEntry) *nameIndex {
	var added []nameEntry
	for _, e := range changed {
		if e != nil {
			added = append(added, *e)
		}
	}
	slices.SortFunc(added, compareNames)
	entries := make([]nameEntry, 0, len(idx.entries)+len(added))
	for _, e := range idx.entries {
		if _, ok := changed[e.id]; ok {
			continue
		}
		for len(added) > 0 && compareNames(added[0], e) < 0 {
			entries, added = append(entries, added[0]), added[1:]
		}
		entries = append(entries, e)
	}
	return newNameIndex(rev, append(entries, added...))
}

// compareNames orders entries as the database does: NOCASE name, then ID.
func compareNames(a, b nameEntry) int {
	return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
}

// parseNames reads the text of workspaceNamesSQL. The names and slugs are
// substrings of it: one allocation for the whole workspace.
func parseNames(s string) ([]nameEntry, error) {
	out := make([]nameEntry, 0, strings.Count(s, ":")) // at least one ':' an account
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
		name := rest[:nl]
		out = append(out, nameEntry{id: id, name: name, slug: rest[nl : nl+sl], key: foldASCII(name)})
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
