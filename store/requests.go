package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RequestWindow is how long the Slack request an interaction was logged
// from is remembered: retries and redeliveries come within minutes.
const RequestWindow = time.Hour

// maxRequestID bounds a request id kept for deduplication; Slack's
// trigger_ids are far shorter, so a longer one is not one of them and the
// interaction is logged without it rather than refused.
const maxRequestID = 255

const (
	requestSeenSQL   = `SELECT interaction_id FROM interaction_requests WHERE team_id = ? AND request_id = ? AND seen_at >= ?`
	requestRecordSQL = `INSERT INTO interaction_requests (team_id, request_id, interaction_id, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (team_id, request_id) DO UPDATE SET interaction_id = excluded.interaction_id, seen_at = excluded.seen_at`
	requestPruneSQL = `DELETE FROM interaction_requests WHERE seen_at < ?`
)

// requestStmts are the statements that deduplicate interactions by the
// request they were logged from, prepared once per database.
type requestStmts struct{ seen, record *sql.Stmt }

func (db *DB) requestStmts(ctx context.Context) (*requestStmts, error) {
	seen, err := db.stmt(ctx, db.write, requestSeenSQL)
	if err != nil {
		return nil, err
	}
	record, err := db.stmt(ctx, db.write, requestRecordSQL)
	if err != nil {
		return nil, err
	}
	return &requestStmts{seen: seen, record: record}, nil
}

// loggedBefore returns the interaction the workspace's request already
// logged within RequestWindow, 0 when none. It runs inside the write
// transaction, which every replica takes in turn (SQLite's write lock, or
// PostgreSQL's write advisory lock), so no other process can log the same
// request between this check and recordRequest.
func (db *DB) loggedBefore(ctx context.Context, tx *sql.Tx, q *requestStmts, teamID, requestID string, now time.Time) (int64, error) {
	var id int64
	err := tx.StmtContext(ctx, q.seen).QueryRowContext(ctx, teamID, requestID, ms(now.Add(-RequestWindow))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look up request %s: %w", requestID, err)
	}
	return id, nil
}

// recordRequest remembers that the request logged interaction id, and
// once a minute forgets requests older than RequestWindow.
func (db *DB) recordRequest(ctx context.Context, tx *sql.Tx, q *requestStmts, teamID, requestID string, id int64, now time.Time) error {
	if _, err := tx.StmtContext(ctx, q.record).ExecContext(ctx, teamID, requestID, id, ms(now)); err != nil {
		return fmt.Errorf("record request %s: %w", requestID, err)
	}
	if last := db.prunedRequests.Load(); last < ms(now)-int64(time.Minute/time.Millisecond) && db.prunedRequests.CompareAndSwap(last, ms(now)) {
		if _, err := tx.ExecContext(ctx, requestPruneSQL, ms(now.Add(-RequestWindow))); err != nil {
			return fmt.Errorf("forget old requests: %w", err)
		}
	}
	return nil
}
