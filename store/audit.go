package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/kambot/kambot/kam"
)

// AuditEntry is one row of the audit log: who changed what, and when.
type AuditEntry struct {
	ID     int64
	TeamID string
	Actor  string          // Slack user ID of whoever made the change
	Action string          // e.g. account.create, member.put, opportunity.stage
	Entity string          // e.g. account:12, interaction:40, opportunity:7
	Detail json.RawMessage // JSON object describing the change
	At     time.Time
}

// Audit actions written by the core store.
const (
	ActionAccountCreate    = "account.create"
	ActionAccountUpdate    = "account.update"
	ActionMemberPut        = "member.put"
	ActionMemberRemove     = "member.remove"
	ActionInteractionLog   = "interaction.log"
	ActionOpportunityAdd   = "opportunity.add"
	ActionOpportunityStage = "opportunity.stage"
)

// Audit actions written by the account-intelligence store.
const (
	ActionContactAdd    = "contact.add"
	ActionContactUpdate = "contact.update"
	ActionContactRemove = "contact.remove"
	ActionScoringSave   = "scoring.save"
	ActionObjectiveAdd  = "plan.objective"
	ActionTacticAdd     = "plan.tactic"
	ActionTacticDone    = "plan.done"
	ActionPlanReview    = "plan.review"
)

const insertAuditSQL = `INSERT INTO audit_log (team_id, actor, action, entity, detail, at) VALUES (?, ?, ?, ?, ?, ?)`

// Audit returns the workspace's latest audit entries, newest first; limit 0
// or less returns them all.
func (db *DB) Audit(ctx context.Context, teamID string, limit int) ([]AuditEntry, error) {
	st, err := db.stmt(ctx, db.read, `SELECT id, team_id, actor, action, entity, detail, at FROM audit_log
		WHERE team_id = +? ORDER BY at DESC, id DESC LIMIT +?`)
	if err != nil {
		return nil, fmt.Errorf("read audit log of %s: %w", teamID, err)
	}
	rows, err := st.QueryContext(ctx, teamID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read audit log of %s: %w", teamID, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var detail string
		var at int64
		if err := rows.Scan(&e.ID, &e.TeamID, &e.Actor, &e.Action, &e.Entity, &detail, &at); err != nil {
			return nil, fmt.Errorf("read audit log of %s: %w", teamID, err)
		}
		e.Detail = json.RawMessage(detail)
		e.At = fromMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log of %s: %w", teamID, err)
	}
	return out, nil
}

// auditStmt is the cached audit insert; fetch it before opening the
// transaction that uses it (see stmt).
func (db *DB) auditStmt(ctx context.Context) (*sql.Stmt, error) {
	return db.stmt(ctx, db.write, insertAuditSQL)
}

// writeAudit records one change inside the transaction that makes it, so the
// log never claims a change that was rolled back nor misses one that was not.
// detail is marshalled to JSON unless it already is raw JSON; it is bound as
// text, since SQLite reads a blob as binary JSONB.
func writeAudit(ctx context.Context, tx *sql.Tx, st *sql.Stmt, teamID, actor, action, entity string, detail any, at time.Time) error {
	var js []byte
	switch d := detail.(type) {
	case json.RawMessage:
		js = d
	case nil:
		js = []byte("{}")
	default:
		var err error
		if js, err = json.Marshal(detail); err != nil {
			return fmt.Errorf("audit %s %s: %w", action, entity, err)
		}
	}
	if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, teamID, actor, action, entity, string(js), ms(at)); err != nil {
		return fmt.Errorf("audit %s %s: %w", action, entity, err)
	}
	return nil
}

// entity names a record in the audit log: "account:12".
func auditEntity(kind string, id int64) string {
	return kind + ":" + strconv.FormatInt(id, 10)
}

// checkActor rejects a change that nobody can be held to account for.
func checkActor(actor string) error {
	if actor == "" {
		return kam.ErrMissingActor
	}
	return nil
}
