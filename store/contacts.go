package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

const contactCols = `c.id, c.team_id, c.account_id, c.name, c.title, c.role, c.influence, c.stance, c.mirror_id,
	c.created_at, c.updated_at, (SELECT max(at) FROM interaction_contacts ic WHERE ic.contact_id = c.id),
	c.business_agenda, c.personal_agenda, c.measured_by`

// scanContact reads a row of contactCols, followed by columns scanned into
// extra if the query reads more.
func scanContact(r rowSource, extra ...any) (kam.Contact, error) {
	var c kam.Contact
	var role string
	var created, updated int64
	var last sql.NullInt64
	dest := append(make([]any, 0, 15+len(extra)), &c.ID, &c.TeamID, &c.AccountID, &c.Name, &c.Title, &role, &c.Influence, &c.Stance, &c.MirrorID,
		&created, &updated, &last, &c.BusinessAgenda, &c.PersonalAgenda, &c.MeasuredBy)
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return kam.Contact{}, err
	}
	c.Role, c.CreatedAt, c.UpdatedAt = kam.ContactRole(role), fromMS(created), fromMS(updated)
	if last.Valid {
		c.LastContact = fromMS(last.Int64)
	}
	return c, nil
}

func errContactNotFound() error { return kam.ErrNotFound(kam.EntityContact) }

// errContactTaken is the conflict of a name another stakeholder of the
// account has.
func errContactTaken(name string) error {
	e := kam.ErrConflict(kam.EntityContact, kam.ReasonTaken)
	e.Field, e.Value = "name", name
	return e
}

// contactValues lists a contact's fields under the keys of the contact command, for
// the audit log.
func contactValues(c kam.Contact) map[string]any {
	return map[string]any{"name": c.Name, "title": c.Title, "role": string(c.Role), "influence": c.Influence,
		"stance": c.Stance, "mirror": c.MirrorID, "agenda": c.BusinessAgenda, "personal": c.PersonalAgenda, "measured": c.MeasuredBy}
}

// AddContact puts a stakeholder on an account's map, filling ID, CreatedAt
// and UpdatedAt. Influence 0 means the default (3). A name already on the
// account (case-insensitively) is ECONFLICT; an account of another
// workspace is ENOTFOUND.
func (db *DB) AddContact(ctx context.Context, c *kam.Contact, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *c
	if err := n.Validate(); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add contact to account %d: %w", n.AccountID, err)
	}
	n.CreatedAt = db.now()
	n.UpdatedAt = n.CreatedAt
	n.LastContact = time.Time{}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO contacts (team_id, account_id, name, title, role, influence, stance,
			mirror_id, created_at, updated_at, business_agenda, personal_agenda, measured_by)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			n.TeamID, n.AccountID, n.Name, n.Title, string(n.Role), n.Influence, n.Stance, n.MirrorID, ms(n.CreatedAt),
			n.BusinessAgenda, n.PersonalAgenda, n.MeasuredBy)
		if isUnique(err) {
			return errContactTaken(n.Name)
		} else if err != nil {
			return fmt.Errorf("add contact to account %d: %w", n.AccountID, err)
		}
		if n.ID, err = insertedForAccount(res); err != nil {
			return fmt.Errorf("add contact to account %d: %w", n.AccountID, err)
		}
		d := contactValues(n)
		d["account"] = n.AccountID
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionContactAdd, auditEntity("contact", n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*c = n
	return nil
}

// UpdateContact saves every field of c, matched by TeamID, AccountID and
// ID; fields names the keys the caller set, for the audit log. Saving an
// unchanged contact writes nothing. It fills CreatedAt, UpdatedAt and
// LastContact.
func (db *DB) UpdateContact(ctx context.Context, c *kam.Contact, actor string, fields []string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *c
	if err := n.Validate(); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("update contact %d: %w", n.ID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		old, err := contactTx(ctx, tx, n.TeamID, n.AccountID, n.ID)
		if err != nil {
			return err
		}
		n.CreatedAt, n.LastContact = old.CreatedAt, old.LastContact
		changes := diffValues(contactValues(old), contactValues(n))
		if len(changes) == 0 {
			n.UpdatedAt = old.UpdatedAt
			return nil
		}
		n.UpdatedAt = db.now()
		_, err = tx.ExecContext(ctx, `UPDATE contacts SET name = ?, title = ?, role = ?, influence = ?, stance = ?,
			mirror_id = ?, updated_at = ?, business_agenda = ?, personal_agenda = ?, measured_by = ?
			WHERE id = ? AND account_id = ? AND team_id = ?`,
			n.Name, n.Title, string(n.Role), n.Influence, n.Stance, n.MirrorID, ms(n.UpdatedAt),
			n.BusinessAgenda, n.PersonalAgenda, n.MeasuredBy, n.ID, n.AccountID, n.TeamID)
		if isUnique(err) {
			return errContactTaken(n.Name)
		} else if err != nil {
			return fmt.Errorf("update contact %d: %w", n.ID, err)
		}
		if fields == nil {
			fields = []string{}
		}
		detail := struct {
			Account int64                  `json:"account"`
			Fields  []string               `json:"fields"`
			Changes map[string]fieldChange `json:"changes"`
		}{n.AccountID, fields, changes}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionContactUpdate, auditEntity("contact", n.ID), detail, n.UpdatedAt)
	})
	if err != nil {
		return err
	}
	*c = n
	return nil
}

// RemoveContact takes a stakeholder off the map; the interactions that
// named them stay, without the link. ENOTFOUND when absent.
func (db *DB) RemoveContact(ctx context.Context, teamID string, accountID, contactID int64, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("remove contact %d: %w", contactID, err)
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		old, err := contactTx(ctx, tx, teamID, accountID, contactID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = ? AND account_id = ? AND team_id = ?`,
			contactID, accountID, teamID); err != nil {
			return fmt.Errorf("remove contact %d: %w", contactID, err)
		}
		d := contactValues(old)
		d["account"] = accountID
		return writeAudit(ctx, tx, aud, teamID, actor, ActionContactRemove, auditEntity("contact", contactID), d, db.now())
	})
}

func contactTx(ctx context.Context, tx *sql.Tx, teamID string, accountID, id int64) (kam.Contact, error) {
	c, err := scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts c
		WHERE c.id = ? AND c.account_id = ? AND c.team_id = ?`, id, accountID, teamID))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Contact{}, errContactNotFound()
	} else if err != nil {
		return kam.Contact{}, fmt.Errorf("read contact %d: %w", id, err)
	}
	return c, nil
}

// Contacts returns an account's stakeholders by name, each with the time of
// the latest interaction that named them.
func (db *DB) Contacts(ctx context.Context, teamID string, accountID int64) ([]kam.Contact, error) {
	st, err := db.stmt(ctx, db.read, `SELECT `+contactCols+` FROM contacts c
		WHERE c.account_id = ? AND c.team_id = ? ORDER BY c.name COLLATE NOCASE, c.id`)
	if err != nil {
		return nil, fmt.Errorf("list contacts of account %d: %w", accountID, err)
	}
	rows, err := st.QueryContext(ctx, accountID, teamID)
	if err != nil {
		return nil, fmt.Errorf("list contacts of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []kam.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("list contacts of account %d: %w", accountID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contacts of account %d: %w", accountID, err)
	}
	return out, nil
}
