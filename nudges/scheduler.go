package nudges

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kambot/kambot/kam"
)

// Job names, as the store records their runs.
const (
	JobSweep     = "sweep"
	JobDigest    = "digest"
	JobSelection = "selection-review"
)

// Default schedules and tuning.
const (
	DefaultSweepSpec  = "0 7 * * *" // every day at 07:00
	DefaultDigestSpec = "0 8 * * 1" // Mondays at 08:00
	// DefaultSelectionSpec is the yearly selection review: 15 January at 09:00.
	DefaultSelectionSpec = "0 9 15 1 *"
	DefaultRetryEvery    = 15 * time.Minute
	// DefaultRetention is how long queued nudges and marks are remembered:
	// longer than the longest period (a yearly survey window), or a nudge
	// could be queued again within its period.
	DefaultRetention = 400 * day
)

// Store is what the scheduler needs of persistence; *store.DB implements it.
type Store interface {
	// Teams lists the workspaces that have accounts.
	Teams(ctx context.Context) ([]string, error)
	// Accounts lists a workspace's accounts.
	Accounts(ctx context.Context, teamID string) ([]kam.Account, error)
	// HealthInputs loads what kam.AssessHealth needs for many accounts at
	// once, with a fixed number of queries.
	HealthInputs(ctx context.Context, teamID string, accts []kam.Account, now time.Time) ([]kam.HealthInput, error)
	// OpportunityOwners returns the owners of the accounts' open
	// opportunities, by opportunity ID.
	OpportunityOwners(ctx context.Context, teamID string, accountIDs []int64) (map[int64]string, error)
	// LastSurveys says when each account's latest survey was sent or answered.
	LastSurveys(ctx context.Context, teamID string, accountIDs []int64) (map[int64]time.Time, error)
	// SurveyEveryDays is the workspace's survey cadence; 0 for the default.
	SurveyEveryDays(ctx context.Context, teamID string) (int, error)
	// NudgeMarks returns what people did with the accounts' nudges.
	NudgeMarks(ctx context.Context, teamID string, accountIDs []int64) ([]kam.NudgeMark, error)
	// QueuedNudgeKeys says which of the keys were queued before.
	QueuedNudgeKeys(ctx context.Context, teamID string, keys []string) (map[string]bool, error)
	// QueueNudges records nudges and queues their messages in the outbox,
	// atomically, and returns the indexes of those queued now; keys queued
	// before are skipped.
	QueueNudges(ctx context.Context, msgs []kam.NudgeMessage) ([]int, error)
	// PruneNudges forgets nudges and marks older than the given time.
	PruneNudges(ctx context.Context, before time.Time) (int64, error)

	// JobCoveredUntil is the time up to which a job's schedule was served,
	// recording at as the baseline for a job never seen.
	JobCoveredUntil(ctx context.Context, job string, at time.Time) (time.Time, error)
	// RecordJobRun records a completed run that started at covered.
	RecordJobRun(ctx context.Context, job string, covered, finished time.Time) error
	// RecordJobFailure records a failed run.
	RecordJobFailure(ctx context.Context, job string, at time.Time, reason string) error
}

// Waker is told when a sweep queued messages, so that the outbox sender
// delivers them now rather than at its next poll; *outbox.Sender implements it.
type Waker interface {
	Wake()
}

// Config configures a Scheduler. Store is required; the rest defaults.
type Config struct {
	Store Store
	// Outbox, when set, is woken after a sweep queued messages.
	Outbox Waker
	// Digest is the weekly digest job; nil schedules no digest.
	Digest func(ctx context.Context, now time.Time) error
	// Selection is the yearly selection review job; nil schedules none.
	// SelectionSpec is its cron spec (DefaultSelectionSpec when empty).
	Selection     func(ctx context.Context, now time.Time) error
	SelectionSpec string
	// Now is the clock the jobs read (time.Now).
	Now func() time.Time
	// TZ is the time zone of the schedules and of the periods nudges are
	// counted in (KAMBOT_TZ; UTC).
	TZ *time.Location
	// SweepSpec and DigestSpec are 5-field cron specs (KAMBOT_SWEEP_CRON,
	// KAMBOT_DIGEST_CRON); descriptors such as @daily work too.
	SweepSpec  string
	DigestSpec string
	// RetryEvery is how often, while running, the scheduler looks for a
	// run that failed or was missed and makes it up (15 min).
	RetryEvery time.Duration
	// Retention is how long queued nudges and marks are kept (400 days).
	Retention time.Duration
	// SurveyEvery is the survey cadence of workspaces that set none
	// (kam.SurveyInterval, a year); negative turns survey nudges off.
	SurveyEvery time.Duration
	// Prefs turns on personal schedules: reminder DMs in each person's
	// own morning, quiet hours, bundles; nil sends every DM at sweep time.
	Prefs PrefsStore
	// Zones reads people's Slack time zones for Prefs (refreshed daily).
	Zones Zones
	// Personal, when set, runs every hour with Prefs: the digests of
	// people who chose their own day and hour.
	Personal func(ctx context.Context, now time.Time) error
	Logger   *slog.Logger
}

// job is one scheduled job.
type job struct {
	name  string
	spec  string
	sched cron.Schedule
	run   func(ctx context.Context, now time.Time) error
	// mu serialises runs of the job: a cron tick that arrives while a
	// catch-up run works waits for it, then finds nothing left to do.
	mu sync.Mutex
}

// Scheduler runs the sweep and the digest on their schedules.
type Scheduler struct {
	cfg  Config
	log  *slog.Logger
	jobs []*job

	mu      sync.Mutex
	cron    *cron.Cron
	started bool
	stopped bool
	cancel  context.CancelFunc
	bg      sync.WaitGroup // catch-up and retry runs started outside cron
}

// New checks cfg and returns a stopped Scheduler.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Store == nil {
		return nil, errors.New("nudges: Config.Store is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TZ == nil {
		cfg.TZ = time.UTC
	}
	if cfg.SweepSpec == "" {
		cfg.SweepSpec = DefaultSweepSpec
	}
	if cfg.DigestSpec == "" {
		cfg.DigestSpec = DefaultDigestSpec
	}
	if cfg.RetryEvery <= 0 {
		cfg.RetryEvery = DefaultRetryEvery
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.SurveyEvery == 0 {
		cfg.SurveyEvery = kam.SurveyInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{cfg: cfg, log: cfg.Logger}
	sweep, err := parseSpec("sweep", "KAMBOT_SWEEP_CRON", cfg.SweepSpec, cfg.TZ, cfg.Now())
	if err != nil {
		return nil, err
	}
	s.jobs = append(s.jobs, &job{name: JobSweep, spec: cfg.SweepSpec, sched: sweep, run: func(ctx context.Context, now time.Time) error {
		rep, err := s.Sweep(ctx, now)
		s.log.Info("nudge sweep done", rep.logAttrs()...)
		return err
	}})
	if cfg.Digest != nil {
		digest, err := parseSpec("digest", "KAMBOT_DIGEST_CRON", cfg.DigestSpec, cfg.TZ, cfg.Now())
		if err != nil {
			return nil, err
		}
		s.jobs = append(s.jobs, &job{name: JobDigest, spec: cfg.DigestSpec, sched: digest, run: cfg.Digest})
	}
	if cfg.Selection != nil {
		if cfg.SelectionSpec == "" {
			cfg.SelectionSpec = DefaultSelectionSpec
		}
		sel, err := parseSpec("selection review", "KAMBOT_SELECTION_DATE", cfg.SelectionSpec, cfg.TZ, cfg.Now())
		if err != nil {
			return nil, err
		}
		s.jobs = append(s.jobs, &job{name: JobSelection, spec: cfg.SelectionSpec, sched: sel, run: cfg.Selection})
	}
	return s, nil
}

// parseSpec reads a standard 5-field cron spec and checks that it fires.
func parseSpec(what, env, spec string, tz *time.Location, now time.Time) (cron.Schedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("nudges: the %s schedule %q (%s) is not a cron spec like \"0 7 * * *\" (minute hour day month weekday): %w",
			what, spec, env, err)
	}
	if sched.Next(now.In(tz)).IsZero() {
		return nil, fmt.Errorf("nudges: the %s schedule %q (%s) never fires; pick a date that exists, like \"0 7 * * *\"", what, spec, env)
	}
	return sched, nil
}

// Start records a baseline for jobs never run, makes up once any run
// missed while the process was down (in the background), and starts the
// cron schedules. ctx bounds the jobs' work until Stop.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.started:
		return errors.New("nudges: scheduler already started")
	case s.stopped:
		return errors.New("nudges: scheduler was stopped; make a new one")
	}
	now := s.cfg.Now()
	for _, j := range s.jobs {
		if _, err := s.cfg.Store.JobCoveredUntil(ctx, j.name, now); err != nil {
			return fmt.Errorf("nudges: start: %w", err)
		}
	}
	jobCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel

	l := cronLogger{s.log}
	c := cron.New(cron.WithLocation(s.cfg.TZ), cron.WithLogger(l),
		// Recover inside SkipIfStillRunning: in cron v3.0.1 a panic that
		// escapes SkipIfStillRunning leaves the job skipped forever.
		cron.WithChain(cron.SkipIfStillRunning(l), cron.Recover(l)))
	for _, j := range s.jobs {
		c.Schedule(j.sched, cron.FuncJob(func() {
			if _, err := s.runJob(jobCtx, j, s.cfg.Now()); err != nil {
				s.log.Error("scheduled job failed", "job", j.name, "err", err)
			}
		}))
	}
	if s.cfg.Prefs != nil {
		c.Schedule(cron.Every(time.Hour), cron.FuncJob(func() { s.hourly(jobCtx, s.cfg.Now()) }))
	}
	c.Schedule(cron.Every(s.cfg.RetryEvery), cron.FuncJob(func() {
		if err := s.RunDue(jobCtx, s.cfg.Now()); err != nil {
			s.log.Error("retry of a missed or failed job failed", "err", err)
		}
	}))
	s.cron = c
	s.started = true
	c.Start()

	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		if err := s.RunDue(jobCtx, now); err != nil {
			s.log.Error("catching up missed jobs failed", "err", err)
		}
	}()
	for _, j := range s.jobs {
		s.log.Info("job scheduled", "job", j.name, "spec", j.spec, "tz", s.cfg.TZ.String(), "next", j.sched.Next(now.In(s.cfg.TZ)))
	}
	return nil
}

// Stop stops the schedules and waits for running jobs until ctx ends;
// then it cancels them and returns ctx's error. A job cut off is retried at
// the next start: its run was not recorded.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.started || s.stopped {
		s.stopped = true
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	c, cancel := s.cron, s.cancel
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		<-c.Stop().Done()
		s.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
		cancel()
		return nil
	case <-ctx.Done():
		cancel()
		<-done
		return fmt.Errorf("nudges: stop: jobs still running at the end of the grace period were cancelled: %w", ctx.Err())
	}
}

// RunDue runs, once each, the jobs with a scheduled time after their last
// completed run and at or before now: what cron's ticks, the catch-up at
// start and the retries all come down to. Tests drive it with a fake clock.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) error {
	var errs []error
	for _, j := range s.jobs {
		if _, err := s.runJob(ctx, j, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runJob runs j if a scheduled time passed since its last completed run,
// and records the outcome. ran is false when nothing was due.
func (s *Scheduler) runJob(ctx context.Context, j *job, now time.Time) (ran bool, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	covered, err := s.cfg.Store.JobCoveredUntil(ctx, j.name, now)
	if err != nil {
		return false, fmt.Errorf("job %s: %w", j.name, err)
	}
	next := j.sched.Next(covered.In(s.cfg.TZ))
	if next.IsZero() || next.After(now) {
		return false, nil
	}
	start := time.Now()
	s.log.Info("job starting", "job", j.name, "scheduled", next, "now", now)
	err = s.protect(ctx, j, now)
	if err != nil {
		if rerr := s.cfg.Store.RecordJobFailure(context.WithoutCancel(ctx), j.name, s.cfg.Now(), err.Error()); rerr != nil {
			s.log.Error("record job failure", "job", j.name, "err", rerr)
		}
		return true, fmt.Errorf("job %s: %w", j.name, err)
	}
	if err := s.cfg.Store.RecordJobRun(context.WithoutCancel(ctx), j.name, now, s.cfg.Now()); err != nil {
		return true, fmt.Errorf("job %s ran but its run was not recorded (it will run again): %w", j.name, err)
	}
	s.log.Info("job done", "job", j.name, "took", time.Since(start).Round(time.Millisecond))
	return true, nil
}

// protect runs a job, turning a panic into an error so the run is recorded
// as failed and retried.
func (s *Scheduler) protect(ctx context.Context, j *job, now time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("job panicked", "job", j.name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.run(ctx, now)
}

// Schedule describes the jobs' schedules for people, e.g. for /kam nudges:
// "sweep `0 7 * * *`, digest `0 8 * * 1` (cron, Europe/Zurich time)".
func (s *Scheduler) Schedule() string {
	var parts []string
	for _, j := range s.jobs {
		parts = append(parts, fmt.Sprintf("%s `%s`", j.name, j.spec))
	}
	return fmt.Sprintf("%s (cron, %s time)", strings.Join(parts, ", "), s.cfg.TZ)
}

// Next returns when each job runs next after now, by job name.
func (s *Scheduler) Next(now time.Time) map[string]time.Time {
	out := make(map[string]time.Time, len(s.jobs))
	for _, j := range s.jobs {
		out[j.name] = j.sched.Next(now.In(s.cfg.TZ))
	}
	return out
}

// cronLogger adapts slog to cron's logger; cron's routine chatter (every
// wake-up) is debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// hourly is the personal pass: the reminder DMs whose recipients' morning
// came since the daily sweep, and personal digests. It shares the sweep's
// lock, so the two never queue the same person's bundle at once.
func (s *Scheduler) hourly(ctx context.Context, now time.Time) {
	for _, j := range s.jobs {
		if j.name != JobSweep {
			continue
		}
		j.mu.Lock()
		rep, err := s.sweep(ctx, now, true)
		j.mu.Unlock()
		if err != nil {
			s.log.Error("personal reminder pass failed", "err", err)
		} else if rep.Queued > 0 {
			s.log.Info("personal reminders queued", rep.logAttrs()...)
		}
	}
	if s.cfg.Personal != nil {
		if err := s.cfg.Personal(ctx, now); err != nil {
			s.log.Error("personal digests failed", "err", err)
		}
	}
}

// Hourly runs the personal pass at now, as the schedule does every hour.
func (s *Scheduler) Hourly(ctx context.Context, now time.Time) { s.hourly(ctx, now) }
