package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DeliveryWindow is how long an event_id is remembered: Slack retries an
// event for about an hour at most.
const DeliveryWindow = time.Hour

// FirstDelivery records an Events API event_id and reports whether no
// process sharing the database had recorded it within DeliveryWindow, so
// that a retry reaching another replica is dropped there too. Once a
// minute it also forgets ids older than the window.
func (db *DB) FirstDelivery(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return false, errors.New("first delivery: empty event id")
	}
	now := db.now()
	var first bool
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		if db.prunedDeliveries.Load() < ms(now)-int64(time.Minute/time.Millisecond) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM event_deliveries WHERE seen_at < ?`, ms(now.Add(-DeliveryWindow))); err != nil {
				return err
			}
			db.prunedDeliveries.Store(ms(now))
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO event_deliveries (event_id, seen_at) VALUES (?, ?)
			ON CONFLICT (event_id) DO UPDATE SET seen_at = excluded.seen_at WHERE event_deliveries.seen_at < ?`,
			eventID, ms(now), ms(now.Add(-DeliveryWindow)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		first = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record event %s: %w", eventID, err)
	}
	return first, nil
}
