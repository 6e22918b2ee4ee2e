package nudges

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kambot/kambot/kam"
)

// sweepChunk is how many accounts the sweep loads at once: the loaders are
// set-based, so a chunk costs a fixed number of queries, and memory stays
// bounded however large the portfolio.
const sweepChunk = 500

// queueBatch is how many messages one store transaction queues; short
// transactions keep the shared write connection free for commands.
const queueBatch = 200

// SweepReport says what a sweep found and did.
type SweepReport struct {
	Workspaces int
	Accounts   int
	// Due counts the nudge topics found due; Quiet those skipped because
	// someone handled or snoozed them; Unaddressed those with nobody to
	// tell (no owner, no channel).
	Due, Quiet, Unaddressed int
	// Queued counts the messages queued now; Already those an earlier
	// sweep queued; Deferred the DMs held for their recipient's own
	// morning (or the end of their quiet hours), queued by a later pass.
	Queued, Already, Deferred int
	// Bundles counts the morning DMs that each carry a person's reminders.
	Bundles int
	// ByKind counts the messages queued now by kind.
	ByKind map[kam.NudgeKind]int
	// Pruned counts the old nudge records and marks forgotten.
	Pruned int64
}

func (r SweepReport) logAttrs() []any {
	return []any{"workspaces", r.Workspaces, "accounts", r.Accounts, "due", r.Due, "quiet", r.Quiet,
		"unaddressed", r.Unaddressed, "queued", r.Queued, "already", r.Already, "deferred", r.Deferred, "bundles", r.Bundles, "pruned", r.Pruned}
}

// Sweep finds every nudge due at now in every workspace and queues the
// ones not yet queued, not handled for their period and not snoozed. It is
// safe to run at any time and any number of times: a key is queued once.
// A workspace that fails is logged and the others are still swept; the
// errors are returned together.
func (s *Scheduler) Sweep(ctx context.Context, now time.Time) (SweepReport, error) {
	return s.sweep(ctx, now, false)
}

// sweep is Sweep; dmOnly leaves channel posts for the daily sweep (the
// hourly pass that delivers reminders in each person's morning).
func (s *Scheduler) sweep(ctx context.Context, now time.Time, dmOnly bool) (SweepReport, error) {
	rep := SweepReport{ByKind: map[kam.NudgeKind]int{}}
	teams, err := s.cfg.Store.Teams(ctx)
	if err != nil {
		return rep, fmt.Errorf("sweep: %w", err)
	}
	var errs []error
	for _, team := range teams {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		if err := s.sweepTeam(ctx, team, now, dmOnly, &rep); err != nil {
			s.log.Error("nudge sweep of a workspace failed", "team", team, "err", err)
			errs = append(errs, fmt.Errorf("sweep workspace %s: %w", team, err))
		}
		rep.Workspaces++
	}
	if n, err := s.cfg.Store.PruneNudges(ctx, now.Add(-s.cfg.Retention)); err != nil {
		errs = append(errs, fmt.Errorf("sweep: %w", err))
	} else {
		rep.Pruned = n
	}
	if rep.Queued > 0 && s.cfg.Outbox != nil {
		s.cfg.Outbox.Wake()
	}
	return rep, errors.Join(errs...)
}

func (s *Scheduler) sweepTeam(ctx context.Context, team string, now time.Time, dmOnly bool, rep *SweepReport) error {
	accts, err := s.cfg.Store.Accounts(ctx, team)
	if err != nil {
		return err
	}
	every := s.cfg.SurveyEvery
	if days, err := s.cfg.Store.SurveyEveryDays(ctx, team); err != nil {
		return err
	} else if days > 0 && every > 0 {
		every = time.Duration(days) * day
	}
	for len(accts) > 0 {
		n := min(len(accts), sweepChunk)
		if err := s.sweepChunk(ctx, team, accts[:n], every, now, dmOnly, rep); err != nil {
			return err
		}
		accts = accts[n:]
	}
	return nil
}

// sweepChunk sweeps some of a workspace's accounts.
func (s *Scheduler) sweepChunk(ctx context.Context, team string, accts []kam.Account, surveyEvery time.Duration, now time.Time, dmOnly bool, rep *SweepReport) error {
	// Read the chunk's health inputs, surveys and marks, one query each.
	in, err := s.loadChunk(ctx, team, accts, surveyEvery, now)
	if err != nil {
		return err
	}
	// Keys first: the daily sweep finds most of them queued already, and
	// only the rest is worth rendering.
	cands := s.candidates(team, in, now, rep)
	if dmOnly {
		cands = slices.DeleteFunc(cands, func(c candidate) bool { return !isUser(c.to.id) })
	}
	if len(cands) == 0 {
		return nil
	}
	// Render and queue the ones not queued yet.
	return s.queueFresh(ctx, team, cands, now, rep)
}

// chunkInput is what the sweep reads for a chunk of accounts.
type chunkInput struct {
	inputs      []kam.HealthInput
	surveyEvery time.Duration
	surveys     map[int64]time.Time // latest survey by account; nil when surveys are off
	marks       map[kam.NudgeTopic]kam.NudgeMark
	snoozed     map[kam.NudgeSubject]time.Time // latest snooze end per subject
}

// loadChunk reads the chunk's health inputs, with every opportunity's
// owner, its latest surveys and its handled and snoozed marks.
func (s *Scheduler) loadChunk(ctx context.Context, team string, accts []kam.Account, surveyEvery time.Duration, now time.Time) (*chunkInput, error) {
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	c := &chunkInput{surveyEvery: surveyEvery}
	var err error
	if c.inputs, err = s.cfg.Store.HealthInputs(ctx, team, accts, now); err != nil {
		return nil, err
	}
	// The health loader may leave out who owns an opportunity; the stall
	// and close-date nudges go to them.
	owners, err := s.cfg.Store.OpportunityOwners(ctx, team, ids)
	if err != nil {
		return nil, err
	}
	for i := range c.inputs {
		for j := range c.inputs[i].Opportunities {
			if o := &c.inputs[i].Opportunities[j]; o.OwnerID == "" {
				o.OwnerID = owners[o.ID]
			}
		}
	}
	if surveyEvery > 0 {
		if c.surveys, err = s.cfg.Store.LastSurveys(ctx, team, ids); err != nil {
			return nil, err
		}
	}
	markList, err := s.cfg.Store.NudgeMarks(ctx, team, ids)
	if err != nil {
		return nil, err
	}
	c.marks = make(map[kam.NudgeTopic]kam.NudgeMark, len(markList))
	c.snoozed = make(map[kam.NudgeSubject]time.Time)
	for _, m := range markList {
		c.marks[m.NudgeTopic] = m
		if until, sub := m.SnoozedUntil, m.NudgeTopic.Subject(); until.After(c.snoozed[sub]) {
			c.snoozed[sub] = until
		}
	}
	return c, nil
}

// candidate is one nudge to one recipient, keyed but not rendered.
type candidate struct {
	d  *dueNudge
	to recipient
	k  kam.NudgeKey
}

// candidates assesses each account and keys the nudges due that are
// neither handled nor snoozed, one per recipient.
func (s *Scheduler) candidates(team string, c *chunkInput, now time.Time, rep *SweepReport) []candidate {
	var cands []candidate
	for _, in := range c.inputs {
		rep.Accounts++
		h := kam.AssessHealth(in, now)
		for _, d := range dueNudges(in, h, surveyInfo{last: c.surveys[in.Account.ID], every: c.surveyEvery}, now, s.cfg.TZ) {
			rep.Due++
			m, marked := c.marks[d.topic]
			if marked && m.Handled() || now.Before(c.snoozed[d.topic.Subject()]) {
				rep.Quiet++
				continue
			}
			if len(d.to) == 0 {
				rep.Unaddressed++
				s.log.Debug("nudge due but nobody to tell", "team", team, "account", d.account.ID, "kind", d.topic.Kind)
				continue
			}
			round := ""
			if marked && !m.SnoozedUntil.IsZero() {
				// A snooze of this period ended and the nudge is still due:
				// remind once more.
				round = kam.Day(m.SnoozedUntil.In(s.cfg.TZ))
			}
			for _, r := range d.to {
				k := kam.NudgeKey{NudgeTopic: d.topic, Recipient: r.id, Round: round}
				if err := k.Validate(); err != nil {
					s.log.Warn("nudge skipped: bad key", "team", team, "account", d.account.ID, "err", err)
					continue
				}
				cands = append(cands, candidate{d: &d, to: r, k: k})
			}
		}
	}
	return cands
}

// queueFresh renders the candidates whose keys are not queued yet and
// queues them in batches of queueBatch.
func (s *Scheduler) queueFresh(ctx context.Context, team string, cands []candidate, now time.Time, rep *SweepReport) error {
	keys := make([]string, len(cands))
	for i, c := range cands {
		keys[i] = c.k.String()
	}
	queued, err := s.cfg.Store.QueuedNudgeKeys(ctx, team, keys)
	if err != nil {
		return err
	}
	var fresh []kam.NudgeMessage
	var freshCands []candidate
	for i, c := range cands {
		if queued[keys[i]] {
			rep.Already++
			continue
		}
		fresh = append(fresh, renderNudge(team, *c.d, c.to, c.k))
		freshCands = append(freshCands, c)
	}
	if s.cfg.Prefs != nil {
		// Each person's own schedule: their morning, quiet hours, bundle.
		if fresh, err = s.personalise(ctx, team, freshCands, fresh, now, rep); err != nil {
			return err
		}
	}
	for len(fresh) > 0 {
		n := min(len(fresh), queueBatch)
		done, err := s.cfg.Store.QueueNudges(ctx, fresh[:n])
		if err != nil {
			return err
		}
		rep.Queued += len(done)
		rep.Already += n - len(done)
		for _, i := range done {
			rep.ByKind[fresh[i].Key.Kind]++
		}
		fresh = fresh[n:]
	}
	return nil
}
