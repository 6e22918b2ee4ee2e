package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kambot/kambot/kam"
)

// insertInteractionSQL inserts only when the account belongs to the
// workspace, so the ownership check costs no extra round trip on the
// busiest write of the product.
const insertInteractionSQL = `INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at)
	SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`

const insertInteractionContactSQL = `INSERT OR IGNORE INTO interaction_contacts (interaction_id, contact_id, team_id, at)
	VALUES (?, ?, ?, ?)`

// interactionDetail is the audit detail of interaction.log; the summary
// itself stays in the interactions table.
type interactionDetail struct {
	Account  int64               `json:"account"`
	User     string              `json:"user"`
	Kind     kam.InteractionKind `json:"kind"`
	Contacts []int64             `json:"contacts,omitempty"`
	At       time.Time           `json:"at"`
}

// LogInteraction stores an interaction and the stakeholders met, filling
// ID. An empty UserID means the actor; a zero At means now. The summary is
// trimmed and may span lines. Contacts are the stakeholder-map IDs of the
// people met; duplicates are dropped.
func (db *DB) LogInteraction(ctx context.Context, in *kam.Interaction, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *in
	if err := db.normalizeInteraction(&n, actor); err != nil {
		return err
	}
	ins, err := db.stmt(ctx, db.write, insertInteractionSQL)
	if err != nil {
		return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
	}
	var con *sql.Stmt
	if len(n.Contacts) > 0 {
		if con, err = db.stmt(ctx, db.write, insertInteractionContactSQL); err != nil {
			return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
		}
	}
	at := ms(n.At)
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, ins).ExecContext(ctx, n.TeamID, n.AccountID, n.UserID, string(n.Kind), n.Summary, at)
		if err != nil {
			return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
		} else if k == 0 {
			return errAccountNotFound()
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
		}
		if con != nil {
			c := tx.StmtContext(ctx, con)
			for _, id := range n.Contacts {
				if _, err := c.ExecContext(ctx, n.ID, id, n.TeamID, at); err != nil {
					return fmt.Errorf("log contact %d of interaction %d: %w", id, n.ID, err)
				}
			}
		}
		d := interactionDetail{Account: n.AccountID, User: n.UserID, Kind: n.Kind, Contacts: n.Contacts, At: n.At}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionInteractionLog, auditEntity("interaction", n.ID), d, n.At)
	})
	if err != nil {
		return err
	}
	*in = n
	return nil
}

func (db *DB) normalizeInteraction(in *kam.Interaction, actor string) error {
	if in.TeamID == "" {
		return kam.Errorf(kam.EINVALID, "This request carries no Slack workspace, so I can't tell whose account it is.")
	}
	if in.AccountID <= 0 {
		return errAccountNotFound()
	}
	if in.UserID == "" {
		in.UserID = actor
	}
	var err error
	if in.UserID, err = normID("The person", in.UserID, "@person"); err != nil {
		return err
	}
	k, ok := kam.ParseEnum(string(in.Kind), kam.InteractionKinds)
	if !ok {
		return kam.Errorf(kam.EINVALID, "%q is not a kind of interaction; type one of %s, e.g. `/kam log acme call Discussed the renewal`.",
			string(in.Kind), kam.Names(kam.InteractionKinds))
	}
	in.Kind = k
	if in.Summary, err = normText("A summary", in.Summary, kam.MaxSummaryLen); err != nil {
		return err
	}
	if in.Summary == "" {
		return kam.Errorf(kam.EINVALID, "Say what happened after the kind, e.g. `/kam log acme call Discussed the renewal`.")
	}
	if len(in.Contacts) > 0 {
		cs := slices.Clone(in.Contacts)
		slices.Sort(cs)
		in.Contacts = slices.Compact(cs)
		if in.Contacts[0] <= 0 {
			return kam.Errorf(kam.EINVALID, "One of the people met is not on the stakeholder map. Add them with `/kam contact <account> add \"<name>\"` first.")
		}
	}
	in.At = db.orNow(in.At)
	return nil
}

// Interactions returns an account's latest interactions, newest first, at
// most limit of them (all when limit is 0 or less). ENOTFOUND when the
// account is not the workspace's.
func (db *DB) Interactions(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Interaction, error) {
	st, err := db.stmt(ctx, db.read, `SELECT id, team_id, account_id, user_id, kind, summary, at,
		(SELECT group_concat(contact_id) FROM interaction_contacts c WHERE c.interaction_id = i.id)
		FROM interactions i WHERE account_id = ? AND team_id = ? ORDER BY at DESC, id DESC LIMIT ? + 0`)
	if err != nil {
		return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
	}
	rows, err := st.QueryContext(ctx, accountID, teamID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []kam.Interaction
	for rows.Next() {
		var in kam.Interaction
		var kind string
		var at int64
		var contacts sql.NullString
		if err := rows.Scan(&in.ID, &in.TeamID, &in.AccountID, &in.UserID, &kind, &in.Summary, &at, &contacts); err != nil {
			return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
		}
		in.Kind, in.At = kam.InteractionKind(kind), fromMS(at)
		if in.Contacts, err = parseIDs(contacts.String); err != nil {
			return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
	}
	if len(out) == 0 {
		if _, err := db.Account(ctx, teamID, accountID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseIDs parses group_concat's comma-separated IDs, sorted.
func parseIDs(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse contact ids %q: %w", s, err)
		}
		ids[i] = id
	}
	slices.Sort(ids)
	return ids, nil
}
