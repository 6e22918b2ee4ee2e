package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

// A user holds one role per account (the members primary key is account and
// user). The account's owner_id and sponsor_id fields and the team rows are
// the same fact kept in two places, and every write keeps them in step:
//
//   - the owner has a row with role kam, the sponsor a row with role sponsor;
//     when one person is both, the row says kam, the stronger role;
//   - when the owner or sponsor changes, the previous holder's row goes
//     (unless they hold the other post); adding them to the team brings them back;
//   - putting someone in with role kam or sponsor makes them the account's
//     owner or sponsor; giving the owner or sponsor another role, or removing
//     them, leaves that post empty.
//
// Roles rank kam > member > sponsor > manager: the owner runs the account,
// diamond-team members work it, sponsors and managers follow it.

// memberRoleSQL is one lookup on the members primary key.
const memberRoleSQL = `SELECT role FROM members WHERE account_id = ? AND user_id = ? AND team_id = ?`

// roleOrder sorts team rows strongest role first.
const roleOrder = `CASE role WHEN 'kam' THEN 0 WHEN 'member' THEN 1 WHEN 'sponsor' THEN 2 WHEN 'manager' THEN 3 ELSE 4 END`

// membersSQL reads one account's team along the primary key: "+team_id"
// keeps the workspace's (team_id, user_id) index, which an unanalyzed
// database was seen to prefer, out of the planner's choice.
var membersSQL = `SELECT team_id, account_id, user_id, role, function, added_at FROM members
	WHERE account_id = +?1 AND +team_id = +?2 ORDER BY ` + roleOrder + `, added_at, user_id`

// leads are an account's owner and sponsor (Slack user IDs, "" when unset).
type leads struct{ owner, sponsor string }

// syncLeads brings the team rows in line with a change of the owner and
// sponsor fields from old to new, inside the transaction that changes them.
func syncLeads(ctx context.Context, tx *sql.Tx, teamID string, accountID int64, old, new leads, at time.Time) error {
	for _, u := range [...]string{old.owner, old.sponsor} {
		if u == "" || u == new.owner || u == new.sponsor {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM members WHERE account_id = ? AND user_id = ? AND team_id = ?`,
			accountID, u, teamID); err != nil {
			return fmt.Errorf("drop previous lead %s: %w", u, err)
		}
	}
	put := func(u string, r kam.Role) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO members (team_id, account_id, user_id, role, added_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role WHERE role <> excluded.role`,
			teamID, accountID, u, string(r), ms(at))
		if err != nil {
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
		if err := put(new.sponsor, kam.RoleSponsor); err != nil {
			return err
		}
	}
	return nil
}

// leadsTx reads an account's owner and sponsor; ENOTFOUND when the account
// is not the workspace's.
func leadsTx(ctx context.Context, tx *sql.Tx, teamID string, accountID int64) (leads, error) {
	var l leads
	err := tx.QueryRowContext(ctx, `SELECT owner_id, sponsor_id FROM accounts WHERE id = ? AND team_id = ?`,
		accountID, teamID).Scan(&l.owner, &l.sponsor)
	if errors.Is(err, sql.ErrNoRows) {
		return l, errAccountNotFound()
	} else if err != nil {
		return l, fmt.Errorf("read account %d: %w", accountID, err)
	}
	return l, nil
}

// setLeads saves changed owner and sponsor fields and syncs the team rows.
func setLeads(ctx context.Context, tx *sql.Tx, teamID string, accountID int64, old, new leads, at time.Time) error {
	if old == new {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET owner_id = ?, sponsor_id = ?, updated_at = ? WHERE id = ? AND team_id = ?`,
		new.owner, new.sponsor, ms(at), accountID, teamID); err != nil {
		return fmt.Errorf("set leads of account %d: %w", accountID, err)
	}
	return syncLeads(ctx, tx, teamID, accountID, old, new, at)
}

// leadChanges describes a change of owner or sponsor for the audit log.
func leadChanges(old, new leads) (owner, sponsor *fieldChange) {
	if old.owner != new.owner {
		owner = &fieldChange{old.owner, new.owner}
	}
	if old.sponsor != new.sponsor {
		sponsor = &fieldChange{old.sponsor, new.sponsor}
	}
	return owner, sponsor
}

// memberDetail is the audit detail of member.put and member.remove.
type memberDetail struct {
	User         string       `json:"user"`
	Role         kam.Role     `json:"role"`
	Function     string       `json:"function"`
	PrevRole     kam.Role     `json:"previous_role,omitempty"`
	PrevFunction string       `json:"previous_function,omitempty"`
	Owner        *fieldChange `json:"owner,omitempty"`
	Sponsor      *fieldChange `json:"sponsor,omitempty"`
}

// Members returns an account's team, owner and sponsor included, strongest
// role first, then by the time they joined.
func (db *DB) Members(ctx context.Context, teamID string, accountID int64) ([]kam.Member, error) {
	st, err := db.stmt(ctx, db.read, membersSQL)
	if err != nil {
		return nil, fmt.Errorf("list team of account %d: %w", accountID, err)
	}
	rows, err := st.QueryContext(ctx, accountID, teamID)
	if err != nil {
		return nil, fmt.Errorf("list team of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []kam.Member
	for rows.Next() {
		var m kam.Member
		var role string
		var added int64
		if err := rows.Scan(&m.TeamID, &m.AccountID, &m.UserID, &role, &m.Function, &added); err != nil {
			return nil, fmt.Errorf("list team of account %d: %w", accountID, err)
		}
		m.Role, m.AddedAt = kam.Role(role), fromMS(added)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list team of account %d: %w", accountID, err)
	}
	if len(out) == 0 {
		// An empty team is fine; a missing account is not.
		if _, err := db.Account(ctx, teamID, accountID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MemberRole returns the user's role on the account, or "" when the user is
// not on its team or the account is not the workspace's. It is one lookup
// on the members primary key: it runs on every command.
func (db *DB) MemberRole(ctx context.Context, teamID string, accountID int64, userID string) (kam.Role, error) {
	key, now := roleKey{team: teamID, account: accountID, user: userID}, time.Now()
	if r, ok := db.dir.role(key, now); ok {
		return r, nil
	}
	gen := db.dir.gen.Load()
	st, err := db.stmt(ctx, db.read, memberRoleSQL)
	if err != nil {
		return "", fmt.Errorf("role of %s on account %d: %w", userID, accountID, err)
	}
	var role string
	err = st.QueryRowContext(ctx, accountID, userID, teamID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		role = ""
	} else if err != nil {
		return "", fmt.Errorf("role of %s on account %d: %w", userID, accountID, err)
	}
	db.dir.putRole(key, gen, now, kam.Role(role))
	return kam.Role(role), nil
}

// PutMember adds the user to the account's team or updates their role and
// function. An empty Role means member; an empty Function keeps the current
// one; AddedAt, when zero, is now (it never changes for an existing member).
// Role kam makes the user the account's owner, role sponsor its sponsor (see
// the rules at the top of this file). Putting a member unchanged writes
// nothing.
func (db *DB) PutMember(ctx context.Context, m kam.Member, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("put %s on account %d: %w", m.UserID, m.AccountID, err)
	}
	return db.withTeamTx(ctx, func(tx *sql.Tx) error {
		old, err := leadsTx(ctx, tx, m.TeamID, m.AccountID)
		if err != nil {
			return err
		}
		var prevRole, prevFunc string
		var prevAdded int64
		err = tx.QueryRowContext(ctx, `SELECT role, function, added_at FROM members
			WHERE account_id = ? AND user_id = ? AND team_id = ?`, m.AccountID, m.UserID, m.TeamID).Scan(&prevRole, &prevFunc, &prevAdded)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("put %s on account %d: %w", m.UserID, m.AccountID, err)
		}
		if m.Function == "" {
			m.Function = prevFunc
		}
		now := db.now()
		added := ms(db.orNow(m.AddedAt))
		if exists {
			added = prevAdded
		}

		nl := old
		switch m.Role {
		case kam.RoleKAM:
			nl.owner = m.UserID
			if nl.sponsor == m.UserID {
				nl.sponsor = ""
			}
		case kam.RoleSponsor:
			nl.sponsor = m.UserID
			if nl.owner == m.UserID {
				nl.owner = ""
			}
		default:
			if nl.owner == m.UserID {
				nl.owner = ""
			}
			if nl.sponsor == m.UserID {
				nl.sponsor = ""
			}
		}
		if exists && kam.Role(prevRole) == m.Role && prevFunc == m.Function && nl == old {
			return nil
		}
		// Leads first: syncLeads may drop this user's old row as a former
		// owner or sponsor, and the upsert below puts it back as asked.
		if err := setLeads(ctx, tx, m.TeamID, m.AccountID, old, nl, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO members (team_id, account_id, user_id, role, function, added_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role, function = excluded.function`,
			m.TeamID, m.AccountID, m.UserID, string(m.Role), m.Function, added); err != nil {
			return fmt.Errorf("put %s on account %d: %w", m.UserID, m.AccountID, err)
		}
		d := memberDetail{User: m.UserID, Role: m.Role, Function: m.Function}
		if exists {
			d.PrevRole, d.PrevFunction = kam.Role(prevRole), prevFunc
		}
		d.Owner, d.Sponsor = leadChanges(old, nl)
		return writeAudit(ctx, tx, aud, m.TeamID, actor, ActionMemberPut, auditEntity("account", m.AccountID), d, now)
	})
}

// RemoveMember takes the user off the account's team; if they were its
// owner or sponsor, that post is left empty. ENOTFOUND when the user is not
// on the team.
func (db *DB) RemoveMember(ctx context.Context, teamID string, accountID int64, userID, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if userID == "" {
		return kam.ErrInvalid(kam.EntityMember, "leaver", kam.ReasonMissing)
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("remove %s from account %d: %w", userID, accountID, err)
	}
	return db.withTeamTx(ctx, func(tx *sql.Tx) error {
		old, err := leadsTx(ctx, tx, teamID, accountID)
		if err != nil {
			return err
		}
		var role, function string
		err = tx.QueryRowContext(ctx, `DELETE FROM members WHERE account_id = ? AND user_id = ? AND team_id = ?
			RETURNING role, function`, accountID, userID, teamID).Scan(&role, &function)
		if errors.Is(err, sql.ErrNoRows) {
			e := kam.ErrNotFound(kam.EntityMember)
			e.Value = userID
			return e
		} else if err != nil {
			return fmt.Errorf("remove %s from account %d: %w", userID, accountID, err)
		}
		nl := old
		if nl.owner == userID {
			nl.owner = ""
		}
		if nl.sponsor == userID {
			nl.sponsor = ""
		}
		now := db.now()
		if err := setLeads(ctx, tx, teamID, accountID, old, nl, now); err != nil {
			return err
		}
		d := memberDetail{User: userID, Role: kam.Role(role), Function: function}
		d.Owner, d.Sponsor = leadChanges(old, nl)
		return writeAudit(ctx, tx, aud, teamID, actor, ActionMemberRemove, auditEntity("account", accountID), d, now)
	})
}
