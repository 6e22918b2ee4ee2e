package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/kam"
)

// storeTimeout bounds the write that records outcomes; it runs even during
// shutdown, so that a post Slack accepted is not left unrecorded.
const storeTimeout = 10 * time.Second

// Run delivers queued messages until ctx ends, then waits for the posts in
// flight to finish (at most ShutdownGrace; a post cut off there is checked
// against the channel history by the next run) and returns nil. Only one Run
// may run at a time.
func (s *Sender) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("outbox: Run is already running")
	}
	defer s.running.Store(false)

	// Posts run under work, which outlives ctx by the grace period: a post
	// cut off mid-flight would leave an outcome to verify later.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var wg sync.WaitGroup
	settled := make(chan struct{})
	go s.settler(settled)
	defer func() {
		s.settles <- settleReq{} // after every delivery: stop the settler
		<-settled
	}()

	// Maintenance keeps a real-time cadence, so that a clock set back
	// cannot stall it.
	var maintained time.Time
	for ctx.Err() == nil {
		now := s.cfg.Now()
		if time.Since(maintained) >= s.cfg.PollInterval {
			s.maintain(ctx, now)
			maintained = time.Now()
		}
		wakeAt := s.dispatch(ctx, work, &wg, now)
		s.passes.Add(1)
		dispatched := time.Now()

		wait := min(wakeAt.Sub(s.cfg.Now()), s.cfg.PollInterval-time.Since(maintained))
		timer := time.NewTimer(max(wait, s.cfg.Tick))
		select {
		case <-ctx.Done():
		case <-timer.C:
		case <-s.kick:
			// Let the other completions and enqueues of this moment gather
			// for the next claim.
			if d := s.cfg.Tick - time.Since(dispatched); d > 0 {
				sleep(ctx, d)
			}
		}
		timer.Stop()
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	grace := time.NewTimer(s.cfg.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		s.log.Warn("outbox: posts still in flight after the shutdown grace; cutting them off", "in_flight", s.inflight.Load())
		cancelWork()
		<-done
	}
	return nil
}

// dispatch claims as many due messages as the limits allow now, starts
// their delivery, and returns when it should look again. Each workspace is
// paced on its own; the claim shares out what the limits allow round-robin
// over workspaces and, within one, over channels (see kam.OutboxClaim).
func (s *Sender) dispatch(ctx, work context.Context, wg *sync.WaitGroup, now time.Time) time.Time {
	next := now.Add(s.cfg.PollInterval)
	free := s.cfg.MaxInFlight - int(s.inflight.Load())
	if free <= 0 {
		return next // a completion wakes the loop
	}

	var earliest time.Time
	wake := func(t time.Time) {
		if earliest.IsZero() || t.Before(earliest) {
			earliest = t
		}
	}
	claim := kam.OutboxClaim{Limit: free}
	if s.postInterval > 0 {
		claim.PerTeam = max(s.cfg.GlobalBurst, 1) // a workspace with no pacing state yet
	}
	s.mu.Lock()
	for id, w := range s.teams {
		for ch, p := range w.channels {
			switch {
			case p.idle(now):
				delete(w.channels, ch)
			case p.tokens(now) == 0:
				claim.Held = append(claim.Held, kam.OutboxChannel{TeamID: id, Channel: ch})
				wake(p.readyAt())
			}
		}
		if w.idle(now) {
			delete(s.teams, id)
			continue
		}
		n := w.post.tokens(now)
		if n == 0 {
			wake(w.post.readyAt())
		}
		claim.Teams = append(claim.Teams, kam.OutboxTeamTurn{TeamID: id, Max: n, Served: w.post.last})
	}
	s.mu.Unlock()

	claimed, err := s.st.ClaimOutboxFair(ctx, now, claim)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("outbox: claim messages", "err", err)
		}
		return next
	}

	s.mu.Lock()
	for _, m := range claimed {
		w := s.team(m.TeamID)
		w.post.take(now)
		s.channel(w, m.Channel).take(now)
		s.active[m.ID] = true
	}
	for _, m := range claimed {
		// A workspace whose share this claim spent may have more once its
		// pacer refills.
		if w := s.teams[m.TeamID]; w.post.tokens(now) == 0 {
			wake(w.post.readyAt())
		}
	}
	s.mu.Unlock()
	for _, m := range claimed {
		s.inflight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.deliver(ctx, work, m)
		}()
	}

	if len(claimed) == claim.Limit {
		return now // there may be more
	}
	if !earliest.IsZero() && earliest.Before(next) {
		next = earliest
	}
	if due, ok, err := s.st.OutboxNextDue(ctx, now); err == nil && ok && due.Before(next) {
		next = due
	}
	return next
}

// team returns the workspace's pacing state, creating it. Callers hold
// s.mu.
func (s *Sender) team(id string) *workspace {
	w := s.teams[id]
	if w == nil {
		w = &workspace{
			post:     newPacer(s.postInterval, s.cfg.GlobalBurst),
			history:  newPacer(s.cfg.HistoryInterval, s.cfg.HistoryBurst),
			channels: map[string]*pacer{},
			limited:  map[string]time.Time{},
		}
		s.teams[id] = w
	}
	return w
}

// channel returns the pacer of one of the workspace's channels, creating
// it. Callers hold s.mu.
func (s *Sender) channel(w *workspace, channel string) *pacer {
	p := w.channels[channel]
	if p == nil {
		p = newPacer(s.cfg.ChannelInterval, s.cfg.ChannelBurst)
		w.channels[channel] = p
	}
	return p
}

// deliver settles one claimed message: it checks the channel's history
// first when an earlier attempt may have posted it, then posts it.
func (s *Sender) deliver(ctx, work context.Context, m kam.OutboxMessage) {
	// However it ends, the message leaves the in-flight set and the loop
	// looks again.
	defer func() {
		s.mu.Lock()
		delete(s.active, m.ID)
		s.mu.Unlock()
		s.inflight.Add(-1)
		s.Wake()
	}()
	log := s.log.With("outbox_id", m.ID, "key", m.Key, "team", m.TeamID, "channel", m.Channel, "attempt", m.Attempts)

	if isEdit(m) {
		s.edit(ctx, work, m, log)
		return
	}
	// An earlier attempt may have posted it: look before posting again.
	verifySince := m.VerifySince
	if !verifySince.IsZero() {
		if s.verify(ctx, work, m, log) {
			return
		}
		verifySince = time.Time{}
	}
	// Not posted yet (as far as can be told): post it.
	s.post(ctx, work, m, verifySince, log)
}

// verify searches the channel's history for a post of m by an earlier
// attempt (m.VerifySince is set). It reports true when that settled the
// message: found and marked sent, released at shutdown, or set to retry
// because the history could not be read for now. On false the caller posts.
func (s *Sender) verify(ctx, work context.Context, m kam.OutboxMessage, log *slog.Logger) (settled bool) {
	ts, ch, found, err := s.lookup(ctx, work, m)
	switch {
	case errors.Is(err, errShutdown):
		s.release(m, m.VerifySince, log)
		return true
	case err == nil && found:
		s.m.verified("found")
		log.Info("outbox: an earlier attempt had posted the message; not posting again", "ts", ts)
		s.markSent(m, ts, ch, log)
		return true
	case err == nil:
		s.m.verified("absent")
		return false
	}
	retryAfter, permanent := s.cfg.Classify(err)
	if !permanent {
		s.m.verified("error")
		if retryAfter > 0 {
			// conversations.history's limit, of this workspace only.
			s.mu.Lock()
			s.team(m.TeamID).history.block(s.cfg.Now().Add(retryAfter))
			s.mu.Unlock()
		}
		s.retry(m, fmt.Errorf("check channel history: %w", err), retryAfter, m.VerifySince, log)
		return true
	}
	// The history cannot be read: post again rather than lose the
	// message (see the package doc).
	s.m.verified("unreadable")
	log.Warn("outbox: cannot read the channel history to check an earlier attempt; posting again", "err", err)
	return false
}

// post sends m to Slack and records the outcome: sent, failed for good,
// or queued for a retry (with a history check first when Slack may have
// posted it anyway).
func (s *Sender) post(ctx, work context.Context, m kam.OutboxMessage, verifySince time.Time, log *slog.Logger) {
	// Run is stopping and this message has not started: hand it back.
	if ctx.Err() != nil {
		s.release(m, verifySince, log)
		return
	}
	blocks, err := decodeBlocks(m.Blocks)
	if err != nil {
		s.markFailed(m, fmt.Sprintf("stored blocks are not valid Block Kit: %v", err), log)
		return
	}
	ts, ch, err := s.postVariant(work, m, blocks)
	if err == nil {
		s.markSent(m, ts, ch, log)
		return
	}

	if work.Err() != nil {
		// Cut off by the shutdown grace: not the message's failure, but
		// Slack may have posted it.
		if verifySince.IsZero() || m.ClaimedAt.Before(verifySince) {
			verifySince = m.ClaimedAt
		}
		s.release(m, verifySince, log)
		return
	}
	// Slack's answer decides between failing, waiting and checking.
	retryAfter, permanent := s.cfg.Classify(err)
	switch {
	case permanent:
		s.markFailed(m, err.Error(), log)
	case retryAfter > 0:
		s.throttle(m.TeamID, m.Channel, retryAfter, log)
		s.retry(m, err, retryAfter, verifySince, log)
	default:
		// Slack may have posted it: check before posting again.
		if verifySince.IsZero() || m.ClaimedAt.Before(verifySince) {
			verifySince = m.ClaimedAt
		}
		s.retry(m, err, 0, verifySince, log)
	}
}

// postVariant posts the message as the workspace can show it: with charts
// and tables, or with their text twins where Slack refused them before. A
// first refusal (invalid_blocks) is remembered and the message sent again
// without them at once.
func (s *Sender) postVariant(work context.Context, m kam.OutboxMessage, blocks []slack.Block) (ts, ch string, err error) {
	rich := charts.HasRich(blocks)
	send := blocks
	if rich {
		send = s.cfg.Charts.For(m.TeamID, blocks)
	}
	callCtx, cancel := context.WithTimeout(work, s.cfg.CallTimeout)
	ts, ch, err = s.sl.PostMessage(callCtx, m.Channel, m.Text, send, metadataFor(m))
	cancel()
	if rich && charts.IsInvalidBlocks(err) && !s.cfg.Charts.Lacks(m.TeamID) {
		s.cfg.Charts.Refused(m.TeamID)
		s.cfg.Logger.Info("the workspace refused chart or table blocks; they are sent as text from now on", "team", m.TeamID)
		callCtx, cancel := context.WithTimeout(work, s.cfg.CallTimeout)
		ts, ch, err = s.sl.PostMessage(callCtx, m.Channel, m.Text, charts.Plain(blocks), metadataFor(m))
		cancel()
	}
	return ts, ch, err
}

// errShutdown ends a delivery that had not reached Slack when Run was asked
// to stop.
var errShutdown = errors.New("outbox: shutting down")

// lookup searches the channel's history for a post of m by an earlier
// attempt.
func (s *Sender) lookup(ctx, work context.Context, m kam.OutboxMessage) (ts, channel string, found bool, err error) {
	s.mu.Lock()
	wait := s.team(m.TeamID).history.reserve(s.cfg.Now())
	s.mu.Unlock()
	if !sleep(ctx, wait) {
		return "", "", false, errShutdown
	}
	callCtx, cancel := context.WithTimeout(work, s.cfg.CallTimeout)
	defer cancel()
	msgs, err := s.sl.History(callCtx, m.Channel, m.VerifySince.Add(-s.cfg.HistoryMargin))
	if err != nil {
		return "", "", false, err
	}
	for _, h := range msgs {
		if h.Metadata.EventType != EventType {
			continue
		}
		if k, _ := h.Metadata.EventPayload["key"].(string); k != m.Key {
			continue
		}
		if t, ok := h.Metadata.EventPayload["team"].(string); ok && t != m.TeamID {
			continue
		}
		ch := h.Channel
		if ch == "" {
			ch = m.Channel
		}
		return h.TS, ch, true, nil
	}
	return "", "", false, nil
}

// throttle holds the channel for Slack's Retry-After, and every channel of
// the workspace when the limit hit was evidently the workspace's: the post
// came at least an interval after the channel's previous one, or another
// of its channels was limited within the same wait. Other workspaces are
// not held: Slack's limits are per workspace.
func (s *Sender) throttle(team, channel string, retryAfter time.Duration, log *slog.Logger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	until := now.Add(retryAfter)
	w := s.team(team)
	p := s.channel(w, channel)
	p.block(until)
	others := 0
	for ch, t := range w.limited {
		switch {
		case !t.After(now):
			delete(w.limited, ch)
		case ch != channel:
			others++
		}
	}
	w.limited[channel] = until
	if p.lone() || others > 0 {
		w.post.block(until)
		log.Warn("outbox: Slack's workspace rate limit hit; holding the workspace's posts", "retry_after", retryAfter)
		return
	}
	log.Info("outbox: channel rate limit hit; holding the channel", "retry_after", retryAfter)
}

// settleReq asks the settler to record one outcome; the zero value stops
// it.
type settleReq struct {
	item kam.OutboxSettlement
	done chan error
}

// settler records the outcomes of deliveries, as many as have gathered in
// one transaction: a commit costs far more than the updates in it.
func (s *Sender) settler(stopped chan<- struct{}) {
	defer close(stopped)
	for {
		first := <-s.settles
		if first.done == nil {
			return
		}
		batch := []settleReq{first}
		stop := false
		// Wait a moment for the other deliveries in flight: one commit for
		// many outcomes costs far less than one each.
		window := time.NewTimer(s.settleWindow())
	gather:
		for len(batch) < 512 {
			var r settleReq
			if int64(len(batch)) < s.inflight.Load() {
				select {
				case r = <-s.settles:
				case <-window.C:
					break gather
				}
			} else {
				select {
				case r = <-s.settles:
				default:
					break gather
				}
			}
			if r.done == nil {
				stop = true
				break
			}
			batch = append(batch, r)
		}
		window.Stop()
		items := make([]kam.OutboxSettlement, len(batch))
		for i, r := range batch {
			items[i] = r.item
		}
		ctx, cancel := storeCtx()
		errs, err := s.st.SettleOutbox(ctx, items)
		cancel()
		for i, r := range batch {
			if err != nil {
				r.done <- err
			} else {
				r.done <- errs[i]
			}
		}
		if stop {
			return
		}
	}
}

// settleWindow is how long the settler waits for more outcomes before
// committing those it has.
func (s *Sender) settleWindow() time.Duration { return min(s.cfg.Tick, 2*time.Millisecond) }

// settle records an outcome through the settler and waits for it.
func (s *Sender) settle(it kam.OutboxSettlement) error {
	done := make(chan error, 1)
	s.settles <- settleReq{item: it, done: done}
	return <-done
}

// retry records a failed attempt: due again after retryAfter (a 429, not
// counted) or after the backoff, or failed for good after MaxAttempts.
func (s *Sender) retry(m kam.OutboxMessage, cause error, retryAfter time.Duration, verifySince time.Time, log *slog.Logger) {
	now := s.cfg.Now()
	r := kam.OutboxRetry{Err: cause.Error(), VerifySince: verifySince}
	reason := "error"
	if retryAfter > 0 {
		r.Next, r.Throttled, reason = now.Add(retryAfter), true, "rate_limited"
	} else {
		if m.Failures() >= s.cfg.MaxAttempts {
			s.markFailed(m, fmt.Sprintf("gave up after %d attempts: %v", m.Failures(), cause), log)
			return
		}
		r.Next = now.Add(backoff(m.Failures(), s.cfg.BackoffBase, s.cfg.BackoffMax, s.cfg.Rand))
	}
	if err := s.settle(kam.OutboxSettlement{ID: m.ID, Attempt: m.Attempts, Status: kam.OutboxPending, Retry: r}); err != nil {
		log.Error("outbox: record retry", "err", err)
		return
	}
	s.m.retried(reason)
	log.Info("outbox: post failed; will retry", "err", cause, "next", r.Next)
}

// release puts a claim back without counting it as a failure, because Run
// is stopping; verifySince says whether this attempt's post may have landed.
func (s *Sender) release(m kam.OutboxMessage, verifySince time.Time, log *slog.Logger) {
	r := kam.OutboxRetry{Next: s.cfg.Now(), Err: "interrupted by shutdown", Throttled: true, VerifySince: verifySince}
	if err := s.settle(kam.OutboxSettlement{ID: m.ID, Attempt: m.Attempts, Status: kam.OutboxPending, Retry: r}); err != nil {
		log.Error("outbox: release message at shutdown", "err", err)
		return
	}
	s.m.retried("interrupted")
}

func (s *Sender) markSent(m kam.OutboxMessage, ts, channel string, log *slog.Logger) {
	if err := s.settle(kam.OutboxSettlement{ID: m.ID, Attempt: m.Attempts, Status: kam.OutboxSent, TS: ts, Channel: channel}); err != nil {
		// The row stays in flight; recovery finds the post in the history.
		log.Error("outbox: record sent message", "err", err, "ts", ts)
		return
	}
	s.m.latency.Update(s.cfg.Now().Sub(m.CreatedAt).Seconds())
	s.m.sent.Inc()
}

func (s *Sender) markFailed(m kam.OutboxMessage, reason string, log *slog.Logger) {
	if err := s.settle(kam.OutboxSettlement{ID: m.ID, Attempt: m.Attempts, Status: kam.OutboxFailed, Reason: reason}); err != nil {
		log.Error("outbox: record failed message", "err", err, "reason", reason)
		return
	}
	s.m.failed.Inc()
	log.Warn("outbox: message failed; not retrying", "reason", reason)
}

// maintain recovers messages a dead process left in flight, forgets expired
// rate limits, updates the queue-depth gauge and prunes old messages.
func (s *Sender) maintain(ctx context.Context, now time.Time) {
	stale, err := s.st.OutboxInFlight(ctx, now.Add(-s.cfg.StaleAfter))
	if err != nil && ctx.Err() == nil {
		s.log.Error("outbox: list messages in flight", "err", err)
	}
	var items []kam.OutboxSettlement
	var recovered []kam.OutboxMessage
	s.mu.Lock()
	for _, m := range stale {
		if s.active[m.ID] {
			continue
		}
		// Its post may have landed: back to the queue, to be checked
		// against the channel history before it is posted again.
		verify := m.ClaimedAt
		if !m.VerifySince.IsZero() && m.VerifySince.Before(verify) {
			verify = m.VerifySince
		}
		items = append(items, kam.OutboxSettlement{ID: m.ID, Attempt: m.Attempts, Status: kam.OutboxPending,
			Retry: kam.OutboxRetry{Next: now, Err: "interrupted: outcome unknown", VerifySince: verify}})
		recovered = append(recovered, m)
	}
	s.mu.Unlock()
	if len(items) > 0 {
		errs, err := s.st.SettleOutbox(ctx, items)
		if err != nil && ctx.Err() == nil {
			s.log.Error("outbox: recover interrupted messages", "err", err)
		}
		for i, m := range recovered {
			if err != nil || errs[i] != nil {
				continue // settled meanwhile by whoever held it
			}
			s.m.retried("interrupted")
			s.log.Info("outbox: recovered an interrupted message", "outbox_id", m.ID, "key", m.Key, "channel", m.Channel, "claimed_at", m.ClaimedAt)
		}
	}

	s.mu.Lock()
	for _, w := range s.teams {
		for ch, until := range w.limited {
			if !until.After(now) {
				delete(w.limited, ch)
			}
		}
	}
	s.mu.Unlock()

	if n, err := s.st.OutboxDepth(ctx); err == nil {
		s.m.depth.Set(float64(n))
	}

	if s.cfg.Retention > 0 && !now.Before(s.nextPrune) {
		s.nextPrune = now.Add(time.Hour)
		if n, err := s.st.PruneOutbox(ctx, now.Add(-s.cfg.Retention)); err != nil {
			if ctx.Err() == nil {
				s.log.Error("outbox: prune old messages", "err", err)
			}
		} else if n > 0 {
			s.log.Info("outbox: pruned old messages", "deleted", n)
		}
	}
}

// metadataFor is the message metadata a post of m carries.
func metadataFor(m kam.OutboxMessage) slack.SlackMetadata {
	payload := map[string]any{}
	if len(m.Metadata) > 0 {
		// Validated at enqueue; a bad value only loses the extras.
		_ = json.Unmarshal(m.Metadata, &payload)
	}
	payload["key"] = m.Key
	payload["team"] = m.TeamID
	return slack.SlackMetadata{EventType: EventType, EventPayload: payload}
}

func decodeBlocks(raw json.RawMessage) ([]slack.Block, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var b slack.Blocks
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, err
	}
	return b.BlockSet, nil
}

func storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), storeTimeout)
}

// sleep waits d, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
