package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

// ImportError is the failure of one account of an ImportAccounts call.
// Index counts from 0 in the slice given; nothing of the call was written.
type ImportError struct {
	Index int
	Err   error
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("account %d of the import: %v", e.Index+1, e.Err)
}

// Unwrap returns the account's own error (a *kam.Error when it was refused).
func (e *ImportError) Unwrap() error { return e.Err }

// ImportIndex lets callers that do not import store find the failing
// account with errors.As.
func (e *ImportError) ImportIndex() int { return e.Index }

// ImportAccounts creates or updates the accounts, matched by name
// case-insensitively as UpsertAccountByName does, all in one transaction:
// one refused account writes nothing, and the error is an *ImportError
// naming it. Every account is validated before the transaction starts.
// Each change has its audit entry and keeps the owner's and sponsor's team
// rows in step; an account saved unchanged writes nothing. It fills ID,
// Slug, CreatedAt and UpdatedAt of each element and returns how many were
// created and how many matched an existing account (changed or not).
//
// It costs one statement per row and change, prepared once, and one read
// of the workspace's accounts, so its time grows linearly with the file
// (the lookup cache is invalidated once, at the end).
func (db *DB) ImportAccounts(ctx context.Context, teamID string, accts []kam.Account, actor string) (created, updated int, err error) {
	if err := checkActor(actor); err != nil {
		return 0, 0, err
	}
	if teamID == "" {
		return 0, 0, kam.ErrMissingTeam(kam.EntityAccount)
	}
	norm := make([]kam.Account, len(accts))
	for i, a := range accts {
		if a.TeamID != "" && a.TeamID != teamID {
			return 0, 0, &ImportError{i, fmt.Errorf("account %q belongs to workspace %s, not %s", a.Name, a.TeamID, teamID)}
		}
		a.TeamID = teamID
		if err := a.Validate(); err != nil {
			return 0, 0, &ImportError{i, err}
		}
		a.Slug = accountSlug(a.Name)
		norm[i] = a
	}
	err = db.withDirTx(ctx, func(tx *sql.Tx) error {
		im, err := newImporter(ctx, tx, teamID, actor, db.now())
		if err != nil {
			return err
		}
		defer im.close()
		created, updated = 0, 0
		for i := range norm {
			isNew, err := im.put(ctx, &norm[i])
			if err != nil {
				return &ImportError{i, err}
			}
			if isNew {
				created++
			} else {
				updated++
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	copy(accts, norm)
	return created, updated, nil
}

// importer holds one import's prepared statements and the workspace's
// accounts by name and by slug, so that finding the account a row updates
// and checking that its slug is free cost a map lookup, not a query.
type importer struct {
	tx          *sql.Tx
	team, actor string
	now         int64

	insert, update, putMember, dropMember, audit *sql.Stmt

	byName map[string]*kam.Account // by foldASCII(name): SQLite's NOCASE
	bySlug map[string]*kam.Account
	byLook map[string]*kam.Account // by kam.LookAlike(name)
}

func newImporter(ctx context.Context, tx *sql.Tx, teamID, actor string, now time.Time) (*importer, error) {
	im := &importer{tx: tx, team: teamID, actor: actor, now: now.UnixMilli(),
		byName: map[string]*kam.Account{}, bySlug: map[string]*kam.Account{}, byLook: map[string]*kam.Account{}}
	rows, err := tx.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE team_id = ?`, teamID)
	if err != nil {
		return nil, fmt.Errorf("import accounts: read accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("import accounts: read accounts: %w", err)
		}
		im.remember(&a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("import accounts: read accounts: %w", err)
	}
	// The statements of createAccountTx, updateAccountTx, syncLeads and
	// writeAudit, prepared once on the transaction (a statement prepared by
	// the transaction is used directly: tx.StmtContext would prepare it again).
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&im.insert, `INSERT INTO accounts (team_id, name, slug, tier, level, owner_id, sponsor_id,
			cadence, channel_id, revenue, wallet_pct, segment, region, created_at, updated_at, lookalike)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&im.update, `UPDATE accounts SET name = ?, slug = ?, tier = ?, level = ?, owner_id = ?,
			sponsor_id = ?, cadence = ?, channel_id = ?, revenue = ?, wallet_pct = ?, segment = ?, region = ?,
			updated_at = ?, lookalike = ? WHERE id = ? AND team_id = ?`},
		{&im.putMember, `INSERT INTO members (team_id, account_id, user_id, role, added_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role WHERE role <> excluded.role`},
		{&im.dropMember, `DELETE FROM members WHERE account_id = ? AND user_id = ? AND team_id = ?`},
		{&im.audit, insertAuditSQL},
	} {
		if *p.st, err = tx.PrepareContext(ctx, p.q); err != nil {
			im.close()
			return nil, fmt.Errorf("import accounts: prepare: %w", err)
		}
	}
	return im, nil
}

func (im *importer) close() {
	for _, st := range []*sql.Stmt{im.insert, im.update, im.putMember, im.dropMember, im.audit} {
		if st != nil {
			st.Close()
		}
	}
}

func (im *importer) remember(a *kam.Account) {
	im.byName[foldASCII(a.Name)] = a
	im.bySlug[a.Slug] = a
	im.byLook[kam.LookAlike(a.Name)] = a
}

// put creates or updates one validated account; a.Slug is set.
func (im *importer) put(ctx context.Context, a *kam.Account) (created bool, err error) {
	old, exists := im.byName[foldASCII(a.Name)]
	if other, taken := im.bySlug[a.Slug]; taken && (!exists || other.ID != old.ID) {
		return false, errSlugTaken(a.Name, a.Slug, other.Name)
	}
	if other, taken := im.byLook[kam.LookAlike(a.Name)]; taken && (!exists || other.ID != old.ID) {
		e := kam.ErrConflict(kam.EntityAccount, kam.ReasonLookAlike)
		e.Field, e.Value, e.Other = "name", a.Name, other.Name
		e.Message = fmt.Sprintf("account name %q reads the same as account %q", a.Name, other.Name)
		return false, e
	}
	if !exists {
		return true, im.create(ctx, a)
	}
	return false, im.change(ctx, old, a)
}

func (im *importer) create(ctx context.Context, a *kam.Account) error {
	a.CreatedAt, a.UpdatedAt = fromMS(im.now), fromMS(im.now)
	res, err := im.insert.ExecContext(ctx, im.team, a.Name, a.Slug, string(a.Tier), string(a.Level),
		a.OwnerID, a.SponsorID, string(a.Cadence), a.ChannelID, a.Revenue, a.WalletPct, a.Segment, a.Region, im.now, im.now,
		kam.LookAlike(a.Name))
	if isUnique(err) {
		return errAccountTaken(a.Name)
	} else if err != nil {
		return fmt.Errorf("create account %q: %w", a.Name, err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create account %q: %w", a.Name, err)
	}
	if err := im.syncLeads(ctx, a.ID, leads{}, leads{a.OwnerID, a.SponsorID}); err != nil {
		return fmt.Errorf("create account %q: %w", a.Name, err)
	}
	if err := im.writeAudit(ctx, ActionAccountCreate, a.ID, accountValues(*a)); err != nil {
		return err
	}
	n := *a
	im.remember(&n)
	return nil
}

func (im *importer) change(ctx context.Context, old, a *kam.Account) error {
	a.ID, a.CreatedAt = old.ID, old.CreatedAt
	changes := diffValues(accountValues(*old), accountValues(*a))
	if len(changes) == 0 {
		a.UpdatedAt = old.UpdatedAt
		return nil
	}
	a.UpdatedAt = fromMS(im.now)
	_, err := im.update.ExecContext(ctx, a.Name, a.Slug, string(a.Tier), string(a.Level),
		a.OwnerID, a.SponsorID, string(a.Cadence), a.ChannelID, a.Revenue, a.WalletPct, a.Segment, a.Region,
		im.now, kam.LookAlike(a.Name), a.ID, im.team)
	if isUnique(err) {
		return errAccountTaken(a.Name)
	} else if err != nil {
		return fmt.Errorf("update account %d: %w", a.ID, err)
	}
	if err := im.syncLeads(ctx, a.ID, leads{old.OwnerID, old.SponsorID}, leads{a.OwnerID, a.SponsorID}); err != nil {
		return fmt.Errorf("update account %d: %w", a.ID, err)
	}
	detail := struct {
		Fields  []string               `json:"fields"`
		Changes map[string]fieldChange `json:"changes"`
	}{[]string{}, changes}
	if err := im.writeAudit(ctx, ActionAccountUpdate, a.ID, detail); err != nil {
		return err
	}
	delete(im.bySlug, old.Slug)
	delete(im.byLook, kam.LookAlike(old.Name))
	*old = *a
	im.remember(old)
	return nil
}

// syncLeads is syncLeads (members.go) on the prepared statements.
func (im *importer) syncLeads(ctx context.Context, accountID int64, old, new leads) error {
	for _, u := range [...]string{old.owner, old.sponsor} {
		if u == "" || u == new.owner || u == new.sponsor {
			continue
		}
		if _, err := im.dropMember.ExecContext(ctx, accountID, u, im.team); err != nil {
			return fmt.Errorf("drop previous lead %s: %w", u, err)
		}
	}
	put := func(u string, r kam.Role) error {
		if _, err := im.putMember.ExecContext(ctx, im.team, accountID, u, string(r), im.now); err != nil {
			return fmt.Errorf("put lead %s as %s: %w", u, r, err)
		}
		return nil
	}
	if new.owner != "" {
		if err := put(new.owner, kam.RoleKAM); err != nil {
			return err
		}
	}
	if new.sponsor != "" && new.sponsor != new.owner {
		return put(new.sponsor, kam.RoleSponsor)
	}
	return nil
}

func (im *importer) writeAudit(ctx context.Context, action string, accountID int64, detail any) error {
	entity := auditEntity("account", accountID)
	js, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", action, entity, err)
	}
	if _, err := im.audit.ExecContext(ctx, im.team, im.actor, action, entity, string(js), im.now); err != nil {
		return fmt.Errorf("audit %s %s: %w", action, entity, err)
	}
	return nil
}

// errSlugTaken is the conflict of a name whose slug another account has,
// as checkAccountFree reports it.
func errSlugTaken(name, slug, other string) error {
	e := kam.ErrConflict(kam.EntityAccount, kam.ReasonSlugClash)
	e.Field, e.Value, e.Other = "name", name, other
	e.Message = fmt.Sprintf("account name %q has the slug %q of account %q", name, slug, other)
	return e
}

// foldASCII lower-cases ASCII letters only, as SQLite's NOCASE compares.
func foldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
