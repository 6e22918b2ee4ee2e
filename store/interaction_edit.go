package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kambot/kambot/kam"
)

// Audit actions of edited and deleted interactions.
const (
	ActionInteractionEdit   = "interaction.edit"
	ActionInteractionDelete = "interaction.delete"
)

// interactionCols are an interaction's columns as scanInteraction reads
// them, on interactions aliased i.
const interactionCols = `i.id, i.team_id, i.account_id, i.user_id, i.kind, i.summary, i.at, i.permalink, i.edited_at,
	(SELECT group_concat(contact_id) FROM interaction_contacts c WHERE c.interaction_id = i.id)`

type scanner interface{ Scan(dest ...any) error }

func scanInteraction(r scanner) (kam.Interaction, error) {
	var in kam.Interaction
	var kind string
	var at, edited int64
	var contacts sql.NullString
	if err := r.Scan(&in.ID, &in.TeamID, &in.AccountID, &in.UserID, &kind, &in.Summary, &at, &in.Permalink, &edited, &contacts); err != nil {
		return in, err
	}
	in.Kind, in.At, in.EditedAt = kam.InteractionKind(kind), fromMS(at), optMS(edited)
	var err error
	in.Contacts, err = parseIDs(contacts.String)
	return in, err
}

func errInteractionNotFound() error { return kam.ErrNotFound(kam.EntityInteraction) }

// Interaction returns one interaction of the workspace; ENOTFOUND when it
// is not the workspace's (or no longer exists).
func (db *DB) Interaction(ctx context.Context, teamID string, id int64) (kam.Interaction, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+interactionCols+` FROM interactions i WHERE i.id = ? AND i.team_id = ?`, id, teamID)
	in, err := scanInteraction(row)
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Interaction{}, errInteractionNotFound()
	}
	if err != nil {
		return kam.Interaction{}, fmt.Errorf("read interaction %d: %w", id, err)
	}
	return in, nil
}

// interactionEdit is the audit detail of interaction.edit and
// interaction.delete: what the interaction was and, for an edit, what it
// became. Summaries stay out of the log, as for interaction.log.
type interactionEdit struct {
	Account        int64               `json:"account"`
	User           string              `json:"user"`
	Kind           kam.InteractionKind `json:"kind"`
	At             time.Time           `json:"at"`
	Contacts       []int64             `json:"contacts,omitempty"`
	NewKind        kam.InteractionKind `json:"new_kind,omitempty"`
	NewAt          *time.Time          `json:"new_at,omitempty"`
	NewContacts    []int64             `json:"new_contacts,omitempty"`
	SummaryChanged bool                `json:"summary_changed,omitempty"`
}

// current reads the interaction inside tx and checks that it is the
// version the caller read: seen is its EditedAt then. A later edit is
// ECONFLICT (ReasonStale), so a form opened before it changes nothing.
func current(ctx context.Context, tx *sql.Tx, teamID string, id int64, seen time.Time) (kam.Interaction, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+interactionCols+` FROM interactions i WHERE i.id = ? AND i.team_id = ?`, id, teamID)
	old, err := scanInteraction(row)
	if errors.Is(err, sql.ErrNoRows) {
		return old, errInteractionNotFound()
	}
	if err != nil {
		return old, fmt.Errorf("read interaction %d: %w", id, err)
	}
	if !old.EditedAt.Equal(seen) {
		e := kam.ErrConflict(kam.EntityInteraction, kam.ReasonStale)
		e.Since = old.EditedAt
		return old, e
	}
	return old, nil
}

// UpdateInteraction saves an edit of an interaction (matched by TeamID and
// ID; its account and author stay): kind, summary, day and stakeholders.
// seen is the EditedAt the editor read; if it changed since, nothing is
// saved (ECONFLICT). The audit entry and the post that post builds (the
// channel post's update, say) are written in the same transaction. It sets
// in.EditedAt.
func (db *DB) UpdateInteraction(ctx context.Context, in *kam.Interaction, actor string, seen time.Time, post kam.Post[kam.Interaction]) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *in
	if n.UserID == "" {
		n.UserID = actor
	}
	if err := n.Validate(); err != nil {
		return err
	}
	n.At = db.orNow(n.At)
	q, err := db.outboxStmts(ctx)
	if err != nil {
		return fmt.Errorf("edit interaction %d: %w", n.ID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		old, err := current(ctx, tx, n.TeamID, n.ID, seen)
		if err != nil {
			return err
		}
		n.AccountID, n.UserID, n.Permalink = old.AccountID, old.UserID, old.Permalink
		n.EditedAt = db.now()
		if !n.EditedAt.After(old.EditedAt) { // two edits in one millisecond
			n.EditedAt = old.EditedAt.Add(time.Millisecond)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE interactions SET kind = ?, summary = ?, at = ?, edited_at = ? WHERE id = ?`,
			string(n.Kind), n.Summary, ms(n.At), ms(n.EditedAt), n.ID); err != nil {
			return fmt.Errorf("edit interaction %d: %w", n.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM interaction_contacts WHERE interaction_id = ?`, n.ID); err != nil {
			return fmt.Errorf("edit contacts of interaction %d: %w", n.ID, err)
		}
		for _, c := range n.Contacts {
			if _, err := tx.ExecContext(ctx, insertInteractionContactSQL, n.ID, c, n.TeamID, ms(n.At)); err != nil {
				return fmt.Errorf("edit contacts of interaction %d: %w", n.ID, err)
			}
		}
		d := interactionEdit{Account: old.AccountID, User: old.UserID, Kind: old.Kind, At: old.At, Contacts: old.Contacts,
			SummaryChanged: old.Summary != n.Summary}
		if n.Kind != old.Kind {
			d.NewKind = n.Kind
		}
		if !n.At.Equal(old.At) {
			d.NewAt = &n.At
		}
		if !slices.Equal(n.Contacts, old.Contacts) {
			d.NewContacts = n.Contacts
		}
		if err := db.audit(ctx, tx, n.TeamID, actor, ActionInteractionEdit, n.ID, d); err != nil {
			return err
		}
		if err := postTx(ctx, q.in(ctx, tx), post, n, db.now()); err != nil {
			return fmt.Errorf("queue the post update of interaction %d: %w", n.ID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*in = n
	return nil
}

// DeleteInteraction deletes an interaction of the workspace and its
// stakeholder links; seen is as for UpdateInteraction. The audit entry keeps
// what it was (but its summary), and post (the channel post's deletion)
// is queued in the same transaction. It returns the deleted interaction.
func (db *DB) DeleteInteraction(ctx context.Context, teamID string, id int64, actor string, seen time.Time, post kam.Post[kam.Interaction]) (kam.Interaction, error) {
	if err := checkActor(actor); err != nil {
		return kam.Interaction{}, err
	}
	q, err := db.outboxStmts(ctx)
	if err != nil {
		return kam.Interaction{}, fmt.Errorf("delete interaction %d: %w", id, err)
	}
	var old kam.Interaction
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if old, err = current(ctx, tx, teamID, id, seen); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM interactions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete interaction %d: %w", id, err)
		}
		d := interactionEdit{Account: old.AccountID, User: old.UserID, Kind: old.Kind, At: old.At, Contacts: old.Contacts}
		if err := db.audit(ctx, tx, teamID, actor, ActionInteractionDelete, id, d); err != nil {
			return err
		}
		if err := postTx(ctx, q.in(ctx, tx), post, old, db.now()); err != nil {
			return fmt.Errorf("queue the post deletion of interaction %d: %w", id, err)
		}
		return nil
	})
	return old, err
}

// audit writes one interaction audit entry in tx.
func (db *DB) audit(ctx context.Context, tx *sql.Tx, teamID, actor, action string, id int64, detail any) error {
	st, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return writeAudit(ctx, tx, st, teamID, actor, action, auditEntity("interaction", id), detail, db.now())
}
