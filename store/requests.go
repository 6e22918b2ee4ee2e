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
	// requestRecordSQL remembers the request an interaction was logged
	// from, and does nothing when the workspace's request is known already.
	requestRecordSQL = `INSERT INTO interaction_requests (team_id, request_id, interaction_id, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (team_id, request_id) DO NOTHING`
	// requestSeenSQL is the interaction a known request logged, if that was
	// within the window and the interaction still exists. It cannot be the
	// one just inserted: an interaction ID is never given twice (migration
	// 00130 on SQLite, a sequence on PostgreSQL).
	requestSeenSQL = `SELECT r.interaction_id FROM interaction_requests r
		JOIN interactions i ON i.id = r.interaction_id AND i.team_id = r.team_id
		WHERE r.team_id = ? AND r.request_id = ? AND r.seen_at >= ?`
	requestRenewSQL = `UPDATE interaction_requests SET interaction_id = ?, seen_at = ? WHERE team_id = ? AND request_id = ?`
	requestUndoSQL  = `DELETE FROM interactions WHERE id = ? AND team_id = ?`
	requestPruneSQL = `DELETE FROM interaction_requests WHERE seen_at < ?`
)

// requestStmts are the statements that deduplicate interactions by the
// request they were logged from, prepared once per database. Only record
// runs on every log; the others serve a request seen before.
type requestStmts struct{ record, seen, renew, undo *sql.Stmt }

func (db *DB) requestStmts(ctx context.Context) (*requestStmts, error) {
	var q requestStmts
	for _, s := range []struct {
		st    **sql.Stmt
		query string
	}{{&q.record, requestRecordSQL}, {&q.seen, requestSeenSQL}, {&q.renew, requestRenewSQL}, {&q.undo, requestUndoSQL}} {
		st, err := db.stmt(ctx, db.write, s.query)
		if err != nil {
			return nil, err
		}
		*s.st = st
	}
	return &q, nil
}

// claimRequest records that the request logged interaction id, just
// inserted in tx, and returns id. When the workspace's request already
// logged an interaction that still exists, within RequestWindow, it
// deletes id again and returns that first interaction instead.
//
// The interaction is inserted first and the request recorded after it, so
// the usual case — a request never seen — costs one insert and no read.
// Both run inside the write transaction, which every replica takes in turn
// (SQLite's write lock, or PostgreSQL's write advisory lock), so no other
// process can log the same request in between.
func (db *DB) claimRequest(ctx context.Context, tx *sql.Tx, q *requestStmts, teamID, requestID string, id int64, now time.Time) (int64, error) {
	res, err := tx.StmtContext(ctx, q.record).ExecContext(ctx, teamID, requestID, id, ms(now))
	if err != nil {
		return 0, fmt.Errorf("record request %s: %w", requestID, err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("record request %s: %w", requestID, err)
	} else if k == 0 {
		// Known: the first interaction wins, unless it is gone or too old.
		first, err := db.loggedBefore(ctx, tx, q, teamID, requestID, now)
		if err != nil {
			return 0, err
		}
		if first != 0 {
			if _, err := tx.StmtContext(ctx, q.undo).ExecContext(ctx, id, teamID); err != nil {
				return 0, fmt.Errorf("drop the second log of request %s: %w", requestID, err)
			}
			return first, nil
		}
		if _, err := tx.StmtContext(ctx, q.renew).ExecContext(ctx, id, ms(now), teamID, requestID); err != nil {
			return 0, fmt.Errorf("record request %s: %w", requestID, err)
		}
	}
	if err := db.pruneRequests(ctx, tx, now); err != nil {
		return 0, err
	}
	return id, nil
}

// loggedBefore returns the interaction the workspace's request already
// logged within RequestWindow, 0 when none (or when it was deleted since).
func (db *DB) loggedBefore(ctx context.Context, tx *sql.Tx, q *requestStmts, teamID, requestID string, now time.Time) (int64, error) {
	var first int64
	err := tx.StmtContext(ctx, q.seen).QueryRowContext(ctx, teamID, requestID, ms(now.Add(-RequestWindow))).Scan(&first)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look up request %s: %w", requestID, err)
	}
	return first, nil
}

// pruneRequests forgets, once a minute, the requests older than
// RequestWindow.
func (db *DB) pruneRequests(ctx context.Context, tx *sql.Tx, now time.Time) error {
	if last := db.prunedRequests.Load(); last < ms(now)-int64(time.Minute/time.Millisecond) && db.prunedRequests.CompareAndSwap(last, ms(now)) {
		if _, err := tx.ExecContext(ctx, requestPruneSQL, ms(now.Add(-RequestWindow))); err != nil {
			return fmt.Errorf("forget old requests: %w", err)
		}
	}
	return nil
}
