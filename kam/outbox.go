package kam

import (
	"encoding/json"
	"errors"
	"time"
)

// Outbox operations: a message posts, or edits or deletes an earlier post.
const (
	OutboxPost   = "post"
	OutboxUpdate = "update"
	OutboxDelete = "delete"
)

// Outbox message states. A message moves pending → sending (claimed by the
// sender) → sent or failed; a retry moves it from sending back to pending.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// OutboxMessage is one message in the durable outbox.
type OutboxMessage struct {
	ID      int64
	TeamID  string
	Key     string // idempotency key, unique per workspace
	Channel string // channel ID, or a user ID for a DM
	Text    string
	// Blocks is a JSON array of Block Kit blocks; empty for none.
	Blocks json.RawMessage
	// Metadata is a JSON object added to the Slack message metadata
	// payload; empty for none.
	Metadata json.RawMessage
	// Op is what the message does: OutboxPost (empty means it too), or
	// OutboxUpdate / OutboxDelete of the earlier post whose key is Target.
	Op     string
	Target string

	Status    string
	Attempts  int // claims so far
	Throttles int // claims that never reached Slack; they don't count as failures

	NextAttemptAt time.Time
	ClaimedAt     time.Time // the latest claim; zero before the first
	// VerifySince is the earliest claim whose post may have reached Slack
	// without the answer reaching us (timeout, crash); zero when every
	// earlier attempt is known not to have posted.
	VerifySince time.Time
	LastError   string

	CreatedAt    time.Time
	SentAt       time.Time
	FailedAt     time.Time
	SlackTS      string
	SlackChannel string
}

// Failures is the number of claims that reached Slack (or may have) and
// did not succeed; the sender gives up after a configured number of them.
func (m OutboxMessage) Failures() int { return m.Attempts - m.Throttles }

// OutboxRetry is what MarkOutboxRetry records about a claim that did not
// deliver its message.
type OutboxRetry struct {
	// Next is when the message is due again.
	Next time.Time
	// Err says why the claim did not deliver, for the admin view.
	Err string
	// Throttled marks a claim that never reached Slack (a 429, a shutdown
	// before the post): it does not count as a failure.
	Throttled bool
	// VerifySince replaces the message's VerifySince (zero clears it): the
	// sender sets it when a post may have landed unseen, so that the next
	// attempt looks in the channel's history before posting again.
	VerifySince time.Time
}

// OutboxStats counts a workspace's outbox messages by state.
type OutboxStats struct {
	Pending, Sending, Sent, Failed int
	// OldestPending is when the oldest message still waiting (pending or
	// sending) was queued; zero when none waits.
	OldestPending time.Time
}

// ErrOutboxClaimLost reports that a settlement named a claim that no longer
// holds the message: another sender recovered it, or it was already settled.
var ErrOutboxClaimLost = errors.New("outbox claim lost")

// OutboxSettlement is the outcome of one claim, for SettleOutbox.
type OutboxSettlement struct {
	ID      int64
	Attempt int // the message's Attempts when claimed: the claim's fence
	// Status is OutboxSent, OutboxFailed, or OutboxPending for a retry.
	Status string
	// TS and Channel are the posted message's, for OutboxSent.
	TS, Channel string
	// Reason says why, for OutboxFailed.
	Reason string
	// Retry describes the retry, for OutboxPending.
	Retry OutboxRetry
}

// Post builds the messages that report a change, from the change as stored
// (with its ID). The store runs it inside the change's transaction and
// queues what it returns there, so the change and its posts commit together
// or not at all. No messages means nothing to post; a nil Post too.
type Post[T any] func(stored T) ([]OutboxMessage, error)
