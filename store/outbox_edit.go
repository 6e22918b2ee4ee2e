package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

// queueEdit queues the edit or deletion of an earlier post (m.Op update or
// delete, m.Target its key) in the caller's transaction. A post that never
// left the outbox (pending, or failed) is rewritten or dropped in place, so
// the channel only ever sees the final text; one Slack holds (or may hold:
// sending) gets an update or delete message in the same channel, sent after
// it (when it was never delivered, the sender skips the edit). A target that was never queued (the account had no channel) or is
// long pruned needs nothing.
func queueEdit(ctx context.Context, q *outboxStmts, m kam.OutboxMessage, now time.Time) error {
	if q == nil || q.tx == nil {
		return errors.New("no transaction for an outbox edit")
	}
	if m.Target == "" || m.Target == m.Key {
		return outboxInvalid("target", kam.ReasonMalformed, 0, 0)
	}
	var id int64
	var channel string
	var unsent bool
	// Never claimed, or failed without a doubt that it landed: not in Slack.
	err := q.tx.QueryRowContext(ctx, `SELECT id, channel,
		(status = 'pending' AND attempts = 0) OR (status = 'failed' AND verify_since = 0)
		FROM outbox WHERE team_id = ? AND key = ? AND op = 'post'`,
		m.TeamID, m.Target).Scan(&id, &channel, &unsent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find post %s to %s: %w", m.Target, m.Op, err)
	}
	m.Channel = channel
	if m.Op == kam.OutboxDelete && m.Text == "" {
		m.Text = "(deleted)" // never shown: a delete sends no text
	}
	if err := checkOutboxMessage(&m); err != nil {
		return err
	}
	if unsent {
		if m.Op == kam.OutboxDelete {
			_, err = q.tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id)
		} else {
			_, err = q.tx.ExecContext(ctx, `UPDATE outbox SET text = ?, blocks = ? WHERE id = ?`, m.Text, string(m.Blocks), id)
		}
		if err != nil {
			return fmt.Errorf("%s unsent post %s: %w", m.Op, m.Target, err)
		}
		return nil
	}
	if _, _, err := enqueueOutbox(ctx, q.ins, q.sel, m, now); err != nil {
		return fmt.Errorf("queue %s of post %s: %w", m.Op, m.Target, err)
	}
	return nil
}
