// Package outbox delivers every message kambot posts to Slack, durably and
// exactly once.
//
// A message is first written to SQLite with an idempotency key (the same key
// twice is one message), then a background Sender posts it with
// chat.postMessage and marks it sent only after Slack accepted it. The
// Sender keeps Slack's pace, which is per workspace: posts to one channel go
// in order, one at a time, at most one per second after a short burst; the
// posts of one workspace share a workspace-wide rate; a 429 holds the
// channel (and, when the limit hit was evidently the workspace's, every
// channel of that workspace) for its Retry-After. Workspaces are paced and
// held apart, and served fairly: each claim takes one post of every
// workspace with work before a second of any, and within a workspace the
// channel served longest ago first, so that neither a busy workspace nor a
// busy channel delays the others' posts. Network
// errors, timeouts and 5xx answers are retried with exponential backoff and
// jitter, up to a number of attempts; errors the classifier calls permanent
// (channel gone, bot not in the channel) fail the message at once, with the
// reason kept for the admin view.
//
// # Exactly once across crashes and timeouts
//
// Every post carries message metadata {event_type: kambot_outbox,
// event_payload: {key, team}}. An attempt whose outcome is unknown — the
// process died between Slack's answer and recording it, or the call timed
// out or got a 5xx after Slack may have posted — leaves a "verify" stamp on
// the message. Before posting such a message again, the Sender reads the
// channel's history since that stamp (minus a margin for clock skew) with
// include_all_metadata, and if a message carrying the key is there, records
// it as sent instead of posting. Messages a dead process left in "sending"
// are given the stamp once they are older than the call timeout plus a
// grace, so that a post still in flight cannot race the check.
//
// The residual window: when the history cannot be read — the error is one
// the classifier calls permanent, such as a DM without the im:history scope
// or a channel the bot posts to through chat:write.public without being a
// member — the Sender posts again rather than risk losing the message, so
// those posts are at-least-once, and each such case is logged and counted
// (kambot_outbox_verifications_total{outcome="unreadable"}). A message
// deleted from the channel by someone before the check is also posted
// again. One Sender per database is the supported deployment; claims are
// fenced so that a second one cannot settle a message it no longer holds.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/kam"
)

// EventType is the message metadata event type on every post the outbox
// makes; its payload holds the message's key and workspace.
const EventType = "kambot_outbox"

// Store is the persistence the outbox needs; *store.DB implements it.
type Store interface {
	EnqueueOutbox(ctx context.Context, m kam.OutboxMessage) (id int64, created bool, err error)
	ClaimOutboxFair(ctx context.Context, now time.Time, c kam.OutboxClaim) ([]kam.OutboxMessage, error)
	SettleOutbox(ctx context.Context, items []kam.OutboxSettlement) (errs []error, err error)
	OutboxInFlight(ctx context.Context, claimedBefore time.Time) ([]kam.OutboxMessage, error)
	OutboxNextDue(ctx context.Context, after time.Time) (time.Time, bool, error)
	OutboxDepth(ctx context.Context) (int, error)
	OutboxStats(ctx context.Context, teamID string) (kam.OutboxStats, error)
	OutboxFailures(ctx context.Context, teamID string, limit int) ([]kam.OutboxMessage, error)
	RequeueOutbox(ctx context.Context, teamID string, id int64) error
	OutboxMessageByKey(ctx context.Context, teamID, key string) (kam.OutboxMessage, error)
	PruneOutbox(ctx context.Context, before time.Time) (int64, error)
}

// Slack is the part of Slack's Web API the outbox calls. Each call gets a
// context with the configured timeout.
type Slack interface {
	// PostMessage posts with chat.postMessage (channel may be a user ID: the
	// bot's DM with them) and returns the message's ts and channel ID.
	PostMessage(ctx context.Context, channel, text string, blocks []slack.Block, metadata slack.SlackMetadata) (ts, channelID string, err error)
	// History returns the channel's messages posted at or after oldest, in
	// any order, with their metadata (conversations.history with
	// include_all_metadata=true, every page). For a user ID it reads the
	// bot's DM with that user, or fails.
	History(ctx context.Context, channel string, oldest time.Time) ([]Msg, error)
}

// Msg is one message of a channel's history.
type Msg struct {
	TS       string
	Channel  string // the channel ID, when the call resolved it (a DM's D…); may be empty
	Metadata slack.SlackMetadata
}

// Message is one message to deliver.
type Message struct {
	TeamID  string
	Channel string // channel ID, or a user ID for a DM
	// Key makes the message idempotent within the workspace: a second
	// message with the same key is not queued. Name what the message is
	// about, e.g. "stage:42:contracted".
	Key    string
	Text   string // the message, or with Blocks its notification fallback
	Blocks []slack.Block
	// Metadata adds fields to the message metadata payload (IDs, so that a
	// later reader can tell what the message was about); "key" and "team"
	// are the outbox's own.
	Metadata map[string]any
}

// Config configures a Sender. Store, Slack and Classify are required; zero
// values elsewhere take the defaults named.
type Config struct {
	Store Store
	Slack Slack
	// Classify tells how to treat a Slack error: retryAfter > 0 for a 429
	// (wait that long, not counted as a failure); permanent for an error a
	// retry cannot fix (channel_not_found, not_in_channel, is_archived,
	// invalid_blocks…); neither for a transient error (5xx, timeout,
	// network), retried with backoff.
	Classify func(err error) (retryAfter time.Duration, permanent bool)
	// Editor sends the edits and deletions of earlier posts that the store
	// queues (kam.OutboxUpdate, kam.OutboxDelete); nil fails them.
	Editor Editor
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default: discard
	// Metrics is the set the outbox's metrics go on; nil serves them nowhere.
	Metrics *metrics.Set
	// Charts remembers the workspaces that refused chart and table blocks
	// (shared with the transports); nil remembers nothing, so each such
	// message is refused once before it goes as text.
	Charts *charts.Support

	// ChannelInterval and ChannelBurst pace each channel: at most
	// ChannelBurst posts at once, then one per ChannelInterval (default 1 s
	// and 3: Slack allows about one message per second per channel, with
	// short bursts).
	ChannelInterval time.Duration
	ChannelBurst    int
	// GlobalRate (posts per second) and GlobalBurst pace every post of one
	// workspace together; each workspace has its own. chat.postMessage's
	// workspace-wide limit is not published; the default, 5 per second
	// after a burst of 20 (300 a minute), is well above what kambot sends
	// and below the several hundred per minute Slack is known to allow. A
	// workspace-wide 429 holds the workspace's posts for its Retry-After
	// anyway. Negative: no workspace-wide limit.
	GlobalRate  float64
	GlobalBurst int
	// HistoryInterval and HistoryBurst pace conversations.history, a tier-3
	// method (50+ a minute per workspace), in each workspace: default 1.2 s
	// and 3.
	HistoryInterval time.Duration
	HistoryBurst    int
	// MaxInFlight bounds concurrent Slack calls (default 8).
	MaxInFlight int
	// CallTimeout bounds each Slack call (default 10 s).
	CallTimeout time.Duration
	// MaxAttempts is how many failed attempts (429s not counted) a message
	// gets before it is marked failed (default 12: with the default backoff,
	// about half an hour of retrying).
	MaxAttempts int
	// BackoffBase and BackoffMax shape the wait between attempts: doubling
	// from BackoffBase up to BackoffMax, with jitter (default 2 s and 10 min).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// PollInterval is how often the Sender looks for work nobody woke it
	// for (another process's messages, retries falling due) and recovers
	// interrupted messages (default 1 s).
	PollInterval time.Duration
	// StaleAfter is how long after its claim a message left in flight by
	// another (dead) process is recovered (default CallTimeout + 10 s).
	StaleAfter time.Duration
	// HistoryMargin widens the history search before the first uncertain
	// attempt, for clock skew between kambot and Slack (default 5 min).
	HistoryMargin time.Duration
	// ShutdownGrace bounds how long Run waits for posts in flight after its
	// context ends (default CallTimeout).
	ShutdownGrace time.Duration
	// Retention is how long sent and failed messages (and so their keys)
	// are kept (default 90 days; negative: forever).
	Retention time.Duration
	// Tick is the shortest gap between two claims, so that the completions
	// and channels falling ready of one moment are served by one query
	// (default ChannelInterval/10, within 1–50 ms). A later claim does not
	// slow a channel down: its pace is kept from its schedule, not from
	// when it was last served.
	Tick time.Duration
	// Rand returns numbers in [0, 1) for backoff jitter (default math/rand).
	Rand func() float64
}

func (c *Config) setDefaults() {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Rand == nil {
		c.Rand = defaultRand
	}
	def(&c.ChannelInterval, time.Second)
	defInt(&c.ChannelBurst, 3)
	if c.GlobalRate == 0 {
		c.GlobalRate = 5
	}
	defInt(&c.GlobalBurst, 20)
	def(&c.HistoryInterval, 1200*time.Millisecond)
	defInt(&c.HistoryBurst, 3)
	defInt(&c.MaxInFlight, 8)
	def(&c.CallTimeout, 10*time.Second)
	defInt(&c.MaxAttempts, 12)
	def(&c.BackoffBase, 2*time.Second)
	def(&c.BackoffMax, 10*time.Minute)
	def(&c.PollInterval, time.Second)
	def(&c.StaleAfter, c.CallTimeout+10*time.Second)
	def(&c.HistoryMargin, 5*time.Minute)
	def(&c.ShutdownGrace, c.CallTimeout)
	if c.Retention == 0 {
		c.Retention = 90 * 24 * time.Hour
	}
	def(&c.Tick, min(max(c.ChannelInterval/10, time.Millisecond), 50*time.Millisecond))
}

// Sender queues messages and, while Run runs, delivers them.
type Sender struct {
	cfg Config
	st  Store
	sl  Slack
	log *slog.Logger
	m   *meters

	kick     chan struct{}
	inflight atomic.Int64
	running  atomic.Bool
	// passes counts Run's completed dispatch passes, so that a caller can
	// tell the Sender has looked at the queue since a given moment.
	passes  atomic.Uint64
	settles chan settleReq // to Run's settler

	mu        sync.Mutex
	teams     map[string]*workspace // pacing, per workspace as Slack's limits are
	active    map[int64]bool        // messages this Sender is handling
	nextPrune time.Time
	// postInterval is the workspace-wide interval between posts (0: none).
	postInterval time.Duration
}

// workspace is the pacing state of one Slack workspace. Slack's rate limits
// are per workspace and per method, so one workspace's backlog or 429 never
// holds another's posts.
type workspace struct {
	post     *pacer               // chat.postMessage, workspace-wide
	history  *pacer               // conversations.history
	channels map[string]*pacer    // chat.postMessage, per channel
	limited  map[string]time.Time // channels answered 429, until when
}

// idle reports whether the workspace's state holds nothing a fresh one
// would not, so that it can be forgotten.
func (w *workspace) idle(now time.Time) bool {
	return w.post.idle(now) && w.history.idle(now) && len(w.channels) == 0 && len(w.limited) == 0
}

// New returns a Sender. It registers the metrics when cfg.Metrics is set.
func New(cfg Config) (*Sender, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("outbox: Config.Store is required")
	case cfg.Slack == nil:
		return nil, errors.New("outbox: Config.Slack is required")
	case cfg.Classify == nil:
		return nil, errors.New("outbox: Config.Classify is required")
	}
	cfg.setDefaults()
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	var postInterval time.Duration
	if cfg.GlobalRate > 0 {
		postInterval = time.Duration(float64(time.Second) / cfg.GlobalRate)
	}
	return &Sender{
		cfg:     cfg,
		st:      cfg.Store,
		sl:      cfg.Slack,
		log:     cfg.Logger,
		m:       m,
		kick:    make(chan struct{}, 1),
		settles: make(chan settleReq, 256),
		teams:   map[string]*workspace{},
		active:  map[int64]bool{},

		postInterval: postInterval,
	}, nil
}

// Encode turns m into the record the store queues: blocks and metadata as
// JSON. A message that cannot be encoded is a *kam.Error (EINVALID).
func Encode(m Message) (kam.OutboxMessage, error) {
	rec := kam.OutboxMessage{TeamID: m.TeamID, Key: m.Key, Channel: m.Channel, Text: m.Text}
	if len(m.Blocks) > 0 {
		b, err := json.Marshal(m.Blocks)
		if err != nil {
			return kam.OutboxMessage{}, kam.Errorf(kam.EINVALID, "The message blocks cannot be encoded as Block Kit JSON: %v", err)
		}
		rec.Blocks = b
	}
	if len(m.Metadata) > 0 {
		for _, k := range []string{"key", "team"} {
			if _, ok := m.Metadata[k]; ok {
				return kam.OutboxMessage{}, kam.Errorf(kam.EINVALID, "Message metadata cannot set %q; the outbox sets it. Use another field name.", k)
			}
		}
		b, err := json.Marshal(m.Metadata)
		if err != nil {
			return kam.OutboxMessage{}, kam.Errorf(kam.EINVALID, "The message metadata cannot be encoded as JSON: %v", err)
		}
		rec.Metadata = b
	}
	return rec, nil
}

// Enqueue queues m and wakes the Sender. created is false when the
// workspace already had a message with m's key (nothing is queued then). A
// message that cannot be delivered as given is a *kam.Error (EINVALID).
func (s *Sender) Enqueue(ctx context.Context, m Message) (created bool, err error) {
	rec, err := Encode(m)
	if err != nil {
		return false, err
	}
	_, created, err = s.st.EnqueueOutbox(ctx, rec)
	if err != nil {
		return false, err
	}
	if created {
		s.Wake()
	}
	return created, nil
}

// Notify queues a post to a channel and wakes the Sender; it implements
// commands.Notifier. A key already used in the workspace is not an error:
// the message was queued before.
func (s *Sender) Notify(ctx context.Context, teamID, channelID, key, text string, blocks []slack.Block) error {
	_, err := s.Enqueue(ctx, Message{TeamID: teamID, Channel: channelID, Key: key, Text: text, Blocks: blocks})
	return err
}

// Wake asks a running Sender to look for work now rather than at its next
// poll. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Status is a workspace's outbox as an admin sees it (/kam outbox).
type Status struct {
	Pending int // waiting to be sent, retries included
	Sending int // being sent now
	Sent    int // kept for the retention period
	Failed  int
	// OldestPending is when the oldest message still waiting was queued;
	// zero when none waits.
	OldestPending time.Time
	// Failures are the latest failed messages, the latest first.
	Failures []Failure
}

// Failure is a message the outbox gave up on.
type Failure struct {
	ID       int64 // for Retry
	Key      string
	Channel  string
	Reason   string // Slack's error, e.g. "channel_not_found"
	Attempts int
	QueuedAt time.Time
	FailedAt time.Time
}

// Status returns the workspace's outbox counts and its latest limit
// failures (0: all).
func (s *Sender) Status(ctx context.Context, teamID string, limit int) (Status, error) {
	st, err := s.st.OutboxStats(ctx, teamID)
	if err != nil {
		return Status{}, err
	}
	failed, err := s.st.OutboxFailures(ctx, teamID, limit)
	if err != nil {
		return Status{}, err
	}
	out := Status{Pending: st.Pending, Sending: st.Sending, Sent: st.Sent, Failed: st.Failed, OldestPending: st.OldestPending}
	for _, m := range failed {
		out.Failures = append(out.Failures, Failure{ID: m.ID, Key: m.Key, Channel: m.Channel, Reason: m.LastError,
			Attempts: m.Attempts, QueuedAt: m.CreatedAt, FailedAt: m.FailedAt})
	}
	return out, nil
}

// Retry queues a failed message of the workspace again, with a fresh count
// of attempts, and wakes the Sender: for an admin who fixed the cause. A
// message that is not failed is a *kam.Error (ENOTFOUND).
func (s *Sender) Retry(ctx context.Context, teamID string, id int64) error {
	if err := s.st.RequeueOutbox(ctx, teamID, id); err != nil {
		return err
	}
	s.Wake()
	return nil
}
