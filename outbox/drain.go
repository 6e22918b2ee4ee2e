package outbox

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kambot/kambot/kam"
)

// Drain delivers every message due at now through deliver, in the calling
// goroutine, and settles each as sent under the timestamp deliver is given:
// the delivery of a front end that has no Slack to post to (the console
// shows the posts it would make). A message deliver fails on stays claimed,
// as a crashed sender's would.
func Drain(ctx context.Context, st Store, now time.Time, deliver func(m kam.OutboxMessage, ts string) error) (int, error) {
	n := 0
	for {
		// One claim returns each channel's head; the next head of a channel
		// is due once the previous one is settled.
		batch, err := st.ClaimOutboxFair(ctx, now, kam.OutboxClaim{Limit: 100})
		if err != nil {
			return n, fmt.Errorf("drain outbox: %w", err)
		}
		if len(batch) == 0 {
			return n, nil
		}
		done := make([]kam.OutboxSettlement, 0, len(batch))
		for _, m := range batch {
			ts := strconv.FormatInt(m.ID, 10) + ".000000"
			if err := deliver(m, ts); err != nil {
				return n, fmt.Errorf("deliver %s: %w", m.Key, err)
			}
			done = append(done, kam.OutboxSettlement{ID: m.ID, Attempt: m.Attempts, Status: kam.OutboxSent, TS: ts, Channel: m.Channel})
			n++
		}
		errs, err := st.SettleOutbox(ctx, done)
		if err != nil {
			return n, fmt.Errorf("drain outbox: %w", err)
		}
		for _, err := range errs {
			if err != nil {
				return n, fmt.Errorf("drain outbox: %w", err)
			}
		}
	}
}
