package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/kambot/kambot/kam"
)

// accountCols is the column list scanAccount reads, in its order.
const accountCols = `id, team_id, name, slug, tier, level, owner_id, sponsor_id, cadence, channel_id,
	revenue, wallet_pct, segment, region, created_at, updated_at, archived_at, archive_reason`

// findAccountsSQL matches names and slugs by prefix with half-open ranges,
// [q, q+"\xff"), which SQLite answers from the (team_id, name COLLATE NOCASE)
// and (team_id, slug) indexes; LIKE would scan the workspace. No byte of
// valid UTF-8 is 0xff, so the range holds exactly the strings starting with q.
// Parameters are written +? (see stmt).
const findAccountsSQL = `SELECT ` + accountCols + ` FROM accounts
	WHERE team_id = +?1 AND name COLLATE NOCASE >= ?2 AND name COLLATE NOCASE < ?3
UNION
SELECT ` + accountCols + ` FROM accounts
	WHERE team_id = +?1 AND slug >= ?4 AND slug < ?5
ORDER BY 3 COLLATE NOCASE, 1 LIMIT +?6`

// errAccountNotFound is the error of a missing account, whether it never
// existed or lives in another workspace.
func errAccountNotFound() error { return kam.ErrNotFound(kam.EntityAccount) }

// CreateAccount stores a new account. Empty tier, level and cadence take
// their defaults (vendor, commodity, monthly); the owner and sponsor join the
// team as members with roles kam and sponsor. It fills ID, Slug, CreatedAt
// and UpdatedAt. A name or slug already used in the workspace is ECONFLICT.
func (db *DB) CreateAccount(ctx context.Context, a *kam.Account, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *a
	if err := n.Validate(); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("create account %q: %w", n.Name, err)
	}
	if err := db.withDirTx(ctx, func(tx *sql.Tx) error {
		return db.createAccountTx(ctx, tx, aud, &n, actor)
	}); err != nil {
		return err
	}
	*a = n
	return nil
}

// UpdateAccount saves every field of a, matched by TeamID and ID, renaming
// the slug with the name and keeping the owner's and sponsor's team rows in
// step (see PutMember). The audit entry lists the fields the caller named
// and every value that actually changed; saving an unchanged account writes
// nothing. It fills Slug, CreatedAt and UpdatedAt. The messages post builds
// from the saved account are queued in the same transaction.
func (db *DB) UpdateAccount(ctx context.Context, a *kam.Account, actor string, fields []string, post kam.Post[kam.Account]) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *a
	if err := n.Validate(); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("update account %d: %w", n.ID, err)
	}
	q, err := db.outboxStmts(ctx)
	if err != nil {
		return fmt.Errorf("update account %d: %w", n.ID, err)
	}
	if err := db.withDirTx(ctx, func(tx *sql.Tx) error {
		old, err := accountTx(ctx, tx, n.TeamID, n.ID)
		if err != nil {
			return err
		}
		if err := db.updateAccountTx(ctx, tx, aud, old, &n, actor, fields); err != nil {
			return err
		}
		if err := postTx(ctx, q.in(ctx, tx), post, n, n.UpdatedAt); err != nil {
			return fmt.Errorf("queue the notice of account %d's change: %w", n.ID, err)
		}
		return nil
	}); err != nil {
		return err
	}
	*a = n
	return nil
}

// UpsertAccountByName creates the account, or, when the workspace already
// has one of that name (case-insensitively), saves every field of a over it
// as UpdateAccount does — one transaction either way, with its audit entry.
// It fills ID, Slug, CreatedAt and UpdatedAt, and reports whether the
// account was created.
func (db *DB) UpsertAccountByName(ctx context.Context, a *kam.Account, actor string) (created bool, err error) {
	if err := checkActor(actor); err != nil {
		return false, err
	}
	n := *a
	if err := n.Validate(); err != nil {
		return false, err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return false, fmt.Errorf("upsert account %q: %w", n.Name, err)
	}
	err = db.withDirTx(ctx, func(tx *sql.Tx) error {
		old, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts
			WHERE team_id = ? AND name = ? COLLATE NOCASE`, n.TeamID, n.Name))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = true
			return db.createAccountTx(ctx, tx, aud, &n, actor)
		case err != nil:
			return fmt.Errorf("upsert account %q: %w", n.Name, err)
		}
		n.ID = old.ID
		return db.updateAccountTx(ctx, tx, aud, old, &n, actor, nil)
	})
	if err != nil {
		return false, err
	}
	*a = n
	return created, nil
}

func (db *DB) createAccountTx(ctx context.Context, tx *sql.Tx, aud *sql.Stmt, a *kam.Account, actor string) error {
	a.Slug = accountSlug(a.Name)
	if err := checkAccountFree(ctx, tx, a.TeamID, 0, a.Name, a.Slug); err != nil {
		return err
	}
	a.CreatedAt = db.orNow(a.CreatedAt)
	a.UpdatedAt = a.CreatedAt
	res, err := tx.ExecContext(ctx, `INSERT INTO accounts (team_id, name, slug, tier, level, owner_id, sponsor_id,
		cadence, channel_id, revenue, wallet_pct, segment, region, created_at, updated_at, lookalike)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.TeamID, a.Name, a.Slug, string(a.Tier), string(a.Level), a.OwnerID, a.SponsorID,
		string(a.Cadence), a.ChannelID, a.Revenue, a.WalletPct, a.Segment, a.Region, ms(a.CreatedAt), ms(a.UpdatedAt),
		kam.LookAlike(a.Name))
	if isUnique(err) {
		return errAccountTaken(a.Name)
	} else if err != nil {
		return fmt.Errorf("create account %q: %w", a.Name, err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create account %q: %w", a.Name, err)
	}
	if err := syncLeads(ctx, tx, a.TeamID, a.ID, leads{}, leads{a.OwnerID, a.SponsorID}, a.CreatedAt); err != nil {
		return fmt.Errorf("create account %q: %w", a.Name, err)
	}
	return writeAudit(ctx, tx, aud, a.TeamID, actor, ActionAccountCreate, auditEntity("account", a.ID), accountValues(*a), a.CreatedAt)
}

func (db *DB) updateAccountTx(ctx context.Context, tx *sql.Tx, aud *sql.Stmt, old kam.Account, a *kam.Account, actor string, fields []string) error {
	a.Slug = accountSlug(a.Name)
	a.CreatedAt = old.CreatedAt
	changes := diffValues(accountValues(old), accountValues(*a))
	if len(changes) == 0 {
		a.UpdatedAt = old.UpdatedAt
		return nil
	}
	if a.Slug != old.Slug || !strings.EqualFold(a.Name, old.Name) || kam.LookAlike(a.Name) != kam.LookAlike(old.Name) {
		if err := checkAccountFree(ctx, tx, a.TeamID, a.ID, a.Name, a.Slug); err != nil {
			return err
		}
	}
	a.UpdatedAt = db.now()
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET name = ?, slug = ?, tier = ?, level = ?, owner_id = ?,
		sponsor_id = ?, cadence = ?, channel_id = ?, revenue = ?, wallet_pct = ?, segment = ?, region = ?,
		updated_at = ?, lookalike = ? WHERE id = ? AND team_id = ?`,
		a.Name, a.Slug, string(a.Tier), string(a.Level), a.OwnerID, a.SponsorID, string(a.Cadence),
		a.ChannelID, a.Revenue, a.WalletPct, a.Segment, a.Region, ms(a.UpdatedAt), kam.LookAlike(a.Name), a.ID, a.TeamID)
	if isUnique(err) {
		return errAccountTaken(a.Name)
	} else if err != nil {
		return fmt.Errorf("update account %d: %w", a.ID, err)
	}
	if err := syncLeads(ctx, tx, a.TeamID, a.ID, leads{old.OwnerID, old.SponsorID}, leads{a.OwnerID, a.SponsorID}, a.UpdatedAt); err != nil {
		return fmt.Errorf("update account %d: %w", a.ID, err)
	}
	if fields == nil {
		fields = []string{}
	}
	detail := struct {
		Fields  []string               `json:"fields"`
		Changes map[string]fieldChange `json:"changes"`
	}{fields, changes}
	return writeAudit(ctx, tx, aud, a.TeamID, actor, ActionAccountUpdate, auditEntity("account", a.ID), detail, a.UpdatedAt)
}

// checkAccountFree fails with ECONFLICT when another account of the
// workspace (not id) has the name or the slug. The unique indexes enforce
// the same; asking first gives the user the clashing account's name.
func checkAccountFree(ctx context.Context, tx *sql.Tx, teamID string, id int64, name, slug string) error {
	var other, otherSlug string
	err := tx.QueryRowContext(ctx, `SELECT name, slug FROM accounts
		WHERE team_id = ?1 AND (name = ?2 COLLATE NOCASE OR slug = ?3 OR lookalike = ?5) AND id <> ?4
		ORDER BY name = ?2 COLLATE NOCASE DESC, slug = ?3 DESC LIMIT 1`,
		teamID, name, slug, id, kam.LookAlike(name)).Scan(&other, &otherSlug)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("check account name %q: %w", name, err)
	case strings.EqualFold(other, name):
		return errAccountTaken(other)
	case otherSlug != slug:
		e := kam.ErrConflict(kam.EntityAccount, kam.ReasonLookAlike)
		e.Field, e.Value, e.Other = "name", name, other
		e.Message = fmt.Sprintf("account name %q reads the same as account %q", name, other)
		return e
	}
	e := kam.ErrConflict(kam.EntityAccount, kam.ReasonSlugClash)
	e.Field, e.Value, e.Other = "name", name, other
	e.Message = fmt.Sprintf("account name %q has the slug %q of account %q", name, otherSlug, other)
	return e
}

// errAccountTaken is the conflict of a name another account has.
func errAccountTaken(name string) error {
	e := kam.ErrConflict(kam.EntityAccount, kam.ReasonTaken)
	e.Field, e.Value = "name", name
	return e
}

// Account returns one account of the workspace by ID.
func (db *DB) Account(ctx context.Context, teamID string, id int64) (kam.Account, error) {
	st, err := db.stmt(ctx, db.read, `SELECT `+accountCols+` FROM accounts WHERE id = ? AND team_id = ?`)
	if err != nil {
		return kam.Account{}, fmt.Errorf("read account %d: %w", id, err)
	}
	a, err := scanAccount(st.QueryRowContext(ctx, id, teamID))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Account{}, errAccountNotFound()
	} else if err != nil {
		return kam.Account{}, fmt.Errorf("read account %d: %w", id, err)
	}
	return a, nil
}

// accountTx reads one account inside a write transaction.
func accountTx(ctx context.Context, tx *sql.Tx, teamID string, id int64) (kam.Account, error) {
	a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ? AND team_id = ?`, id, teamID))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Account{}, errAccountNotFound()
	} else if err != nil {
		return kam.Account{}, fmt.Errorf("read account %d: %w", id, err)
	}
	return a, nil
}

// Accounts returns every active account of the workspace, by name:
// de-selected (archived) ones are left out (ArchivedAccounts lists them).
func (db *DB) Accounts(ctx context.Context, teamID string) ([]kam.Account, error) {
	return db.queryAccounts(ctx, "list accounts", `SELECT `+accountCols+` FROM accounts
		WHERE team_id = +? AND archived_at IS NULL ORDER BY name COLLATE NOCASE, id`, teamID)
}

// AccountsForUser returns, by name, the active accounts on whose team the
// user is or which the user owns or sponsors.
func (db *DB) AccountsForUser(ctx context.Context, teamID, userID string) ([]kam.Account, error) {
	return db.queryAccounts(ctx, "list accounts of "+userID, teamAccountsSQL, teamID, userID)
}

// teamAccountsSQL reads the user's active accounts through their team rows
// (the owner and sponsor have theirs too: see members.go): one range of
// members_team_user and a lookup by ID per account, where testing "owner,
// sponsor or member" on each account would pass over every account of the
// workspace. CROSS JOIN fixes that order; "+a.team_id" keeps the
// workspace's index out of the plan.
var teamAccountsSQL = `SELECT ` + qualify("a", accountCols) + ` FROM members m CROSS JOIN accounts a ON a.id = m.account_id
	WHERE m.team_id = ?1 AND m.user_id = ?2 AND +a.team_id = ?1 AND a.archived_at IS NULL
	ORDER BY a.name COLLATE NOCASE, a.id`

// qualify prefixes each column of a column list with a table's alias.
func qualify(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// FindAccounts returns, by name, at most limit accounts (all when limit is 0
// or less) whose name or slug equals or starts with query, ignoring case and
// surrounding space. The slug is matched against kam.Slugify(query), so
// "acme corp" and "ACME_CORP" both find "acme-corp", and "cafe" finds
// "Café Royal". (SQLite folds the case of ASCII letters only; other letters
// in a name match as typed, or through the slug.) An empty query is
// EINVALID.
func (db *DB) FindAccounts(ctx context.Context, teamID, query string, limit int) ([]kam.Account, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, kam.ErrInvalid(kam.EntityAccount, "query", kam.ReasonMissing)
	}
	slug := kam.Slugify(q)
	slugEnd := ""
	if slug != "" {
		slugEnd = slug + db.prefixEnd()
	}
	key, now := findKey{team: teamID, query: q, limit: limit}, time.Now()
	if accts, ok := db.dir.find(key, now); ok {
		return accts, nil
	}
	gen := db.dir.gen.Load()
	accts, err := db.queryAccounts(ctx, "find accounts", findAccountsSQL, teamID, q, q+db.prefixEnd(), slug, slugEnd, sqlLimit(limit))
	if err == nil {
		db.dir.putFind(key, gen, now, accts)
	}
	return accts, err
}

func (db *DB) queryAccounts(ctx context.Context, op, query string, args ...any) ([]kam.Account, error) {
	st, err := db.stmt(ctx, db.read, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer rows.Close()
	var out []kam.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

func scanAccount(r rowSource) (kam.Account, error) {
	var a kam.Account
	var tier, level, cadence string
	var created, updated int64
	var archived sql.NullInt64
	if err := r.Scan(&a.ID, &a.TeamID, &a.Name, &a.Slug, &tier, &level, &a.OwnerID, &a.SponsorID, &cadence,
		&a.ChannelID, &a.Revenue, &a.WalletPct, &a.Segment, &a.Region, &created, &updated, &archived, &a.ArchiveReason); err != nil {
		return kam.Account{}, err
	}
	a.Tier, a.Level, a.Cadence = kam.Tier(tier), kam.Level(level), kam.Cadence(cadence)
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	if archived.Valid {
		a.ArchivedAt = fromMS(archived.Int64)
	}
	return a, nil
}

// accountValues lists an account's user-visible fields under the keys of
// the add command, for the audit log.
func accountValues(a kam.Account) map[string]any {
	return map[string]any{
		"name": a.Name, "tier": a.Tier, "level": a.Level, "owner": a.OwnerID, "sponsor": a.SponsorID,
		"cadence": a.Cadence, "channel": a.ChannelID, "revenue": a.Revenue, "wallet": a.WalletPct,
		"segment": a.Segment, "region": a.Region,
	}
}

// fieldChange is one changed value in an audit detail.
type fieldChange struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// diffValues returns the keys whose values differ, with both values.
func diffValues(old, new map[string]any) map[string]fieldChange {
	out := map[string]fieldChange{}
	for k, v := range new {
		if old[k] != v {
			out[k] = fieldChange{old[k], v}
		}
	}
	return out
}

// accountSlug is the slug an account of that name gets: kam.Slugify(name), or
// for a name without a letter or digit kam.Slugify can keep (say, in Japanese
// script) "acct-" and a hash of the name, so that every account has a short
// ASCII handle.
func accountSlug(name string) string {
	if s := kam.Slugify(name); s != "" {
		return s
	}
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(name)))
	return fmt.Sprintf("acct-%08x", h.Sum32())
}
