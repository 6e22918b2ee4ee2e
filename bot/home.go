package bot

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack/slackevents"
	"golang.org/x/time/rate"

	"github.com/kambot/kambot/kam"
)

// HomeChanges is the change feed the Home refresher polls; *store.DB
// implements it.
type HomeChanges interface {
	// LastAuditID is where polling starts.
	LastAuditID(ctx context.Context) (int64, error)
	// HomeChanges returns the changes after an ID and the ID to go on from.
	HomeChanges(ctx context.Context, after int64, limit int) ([]kam.HomeChange, int64, error)
	// HomeViewers lists who opened Home among the accounts' teams (everyone
	// who opened it for no accounts).
	HomeViewers(ctx context.Context, teamID string, accountIDs []int64) ([]string, error)
	// LastNudgeID is where reminder polling starts.
	LastNudgeID(ctx context.Context) (int64, error)
	// QueuedReminders returns the recipients of the reminders queued after
	// an ID and the ID to go on from.
	QueuedReminders(ctx context.Context, after int64, limit int) ([]kam.HomeRecipient, int64, error)
}

// HomeConfig configures a HomeRefresher.
type HomeConfig struct {
	// Publish builds and publishes a user's Home (commands.Home.Publish
	// on their last page); required.
	Publish func(ctx context.Context, teamID, userID string) error
	// Changes is the change feed; nil: Home is refreshed only when opened.
	Changes HomeChanges
	// Admins lists a workspace's admins, whose Home counts every change.
	Admins func(teamID string) []string
	// Invalidate, when set, is told which accounts changed (none: the
	// whole workspace) before their viewers' Homes are rebuilt.
	Invalidate func(teamID string, accountIDs []int64)
	// MinGap is the least time between two publishes to one user (10 s):
	// a burst of changes is coalesced into one refresh.
	MinGap time.Duration
	// PerMinute bounds views.publish calls per workspace (Slack's tier 4
	// allows 100+ a minute; default 90), with a burst of 20.
	PerMinute int
	// Poll is how often the change feed is read (2 s).
	Poll   time.Duration
	Logger *slog.Logger
}

// HomeRefresher keeps people's Home tabs current: it publishes a Home when
// its user opens it (app_home_opened) and when a change touches one of
// their accounts, at most once per MinGap per user and within the
// workspace's views.publish rate. It is the bot's EventHandler.
type HomeRefresher struct {
	cfg HomeConfig
	log *slog.Logger

	mu       sync.Mutex
	due      map[homeKey]time.Time // requested refreshes and when they may run
	last     map[homeKey]time.Time // the latest publish per user
	limiters map[string]*rate.Limiter
	wake     chan struct{}
}

type homeKey struct{ team, user string }

// NewHomeRefresher builds the refresher; Run starts it.
func NewHomeRefresher(cfg HomeConfig) *HomeRefresher {
	if cfg.MinGap <= 0 {
		cfg.MinGap = 10 * time.Second
	}
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = 90
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &HomeRefresher{cfg: cfg, log: cfg.Logger, due: map[homeKey]time.Time{}, last: map[homeKey]time.Time{},
		limiters: map[string]*rate.Limiter{}, wake: make(chan struct{}, 1)}
}

// HandleEvent implements EventHandler: an opened Home tab is refreshed.
func (r *HomeRefresher) HandleEvent(_ context.Context, ev slackevents.EventsAPIEvent) {
	e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || e.Tab != "home" || e.User == "" || ev.TeamID == "" {
		return
	}
	r.Request(ev.TeamID, e.User)
}

// Request asks for a user's Home to be refreshed as soon as the limits
// allow; requests made meanwhile are one refresh.
func (r *HomeRefresher) Request(teamID, userID string) {
	k := homeKey{teamID, userID}
	r.mu.Lock()
	if _, pending := r.due[k]; !pending {
		at := time.Now()
		if last, ok := r.last[k]; ok && at.Before(last.Add(r.cfg.MinGap)) {
			at = last.Add(r.cfg.MinGap)
		}
		r.due[k] = at
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes requested refreshes and polls the change feed until ctx
// ends.
func (r *HomeRefresher) Run(ctx context.Context) error {
	var after, afterNudge int64
	if r.cfg.Changes != nil {
		var err error
		if after, err = r.cfg.Changes.LastAuditID(ctx); err != nil {
			return err
		}
		if afterNudge, err = r.cfg.Changes.LastNudgeID(ctx); err != nil {
			return err
		}
	}
	poll := time.NewTicker(r.cfg.Poll)
	defer poll.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		timer.Reset(r.publishDue(ctx))
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
			after = r.pollChanges(ctx, after)
			afterNudge = r.pollReminders(ctx, afterNudge)
		case <-r.wake:
		case <-timer.C:
		}
	}
}

// publishDue publishes the refreshes whose time came and that the
// workspace's rate allows, and returns how long until the next is due.
func (r *HomeRefresher) publishDue(ctx context.Context) time.Duration {
	now := time.Now()
	var ready []homeKey
	next := time.Hour
	r.mu.Lock()
	for k, at := range r.due {
		if wait := at.Sub(now); wait > 0 {
			next = min(next, wait)
			continue
		}
		lim := r.limiter(k.team)
		if res := lim.ReserveN(now, 1); res.DelayFrom(now) > 0 {
			res.CancelAt(now)
			next = min(next, time.Second*60/time.Duration(r.cfg.PerMinute))
			continue
		}
		ready = append(ready, k)
		delete(r.due, k)
		r.last[k] = now
	}
	r.mu.Unlock()
	for _, k := range ready {
		if err := r.cfg.Publish(ctx, k.team, k.user); err != nil {
			r.log.Warn("publish home", "team", k.team, "user", k.user, "err", err)
		}
	}
	return next
}

func (r *HomeRefresher) limiter(team string) *rate.Limiter {
	l, ok := r.limiters[team]
	if !ok {
		l = rate.NewLimiter(rate.Every(time.Minute/time.Duration(r.cfg.PerMinute)), 20)
		r.limiters[team] = l
	}
	return l
}

// pollChanges reads the change feed and requests the Home of everyone whose
// accounts changed, and of the admins who opened Home.
func (r *HomeRefresher) pollChanges(ctx context.Context, after int64) int64 {
	if r.cfg.Changes == nil {
		return after
	}
	changes, next, err := r.cfg.Changes.HomeChanges(ctx, after, 1000)
	if err != nil {
		r.log.Warn("read changes for home", "err", err)
		return after
	}
	type teamChanges struct {
		accounts []int64
		wide     bool
	}
	byTeam := map[string]*teamChanges{}
	for _, c := range changes {
		tc := byTeam[c.TeamID]
		if tc == nil {
			tc = &teamChanges{}
			byTeam[c.TeamID] = tc
		}
		if c.AccountID == 0 {
			tc.wide = true
		} else if !slices.Contains(tc.accounts, c.AccountID) {
			tc.accounts = append(tc.accounts, c.AccountID)
		}
	}
	for team, tc := range byTeam {
		if r.cfg.Invalidate != nil {
			if tc.wide {
				r.cfg.Invalidate(team, nil)
			} else {
				r.cfg.Invalidate(team, tc.accounts)
			}
		}
		r.requestViewers(ctx, team, tc.accounts, tc.wide)
	}
	return next
}

// pollReminders requests the Home of each person who opened it and was
// just sent a reminder: Home lists the week's open reminders.
func (r *HomeRefresher) pollReminders(ctx context.Context, after int64) int64 {
	if r.cfg.Changes == nil {
		return after
	}
	sent, next, err := r.cfg.Changes.QueuedReminders(ctx, after, 1000)
	if err != nil {
		r.log.Warn("read reminders for home", "err", err)
		return after
	}
	// Only those who opened Home: a sweep sends thousands of reminders, and
	// publishing for everyone would spend the workspace's views.publish rate.
	viewers := map[string]map[string]bool{}
	for _, to := range sent {
		seen, ok := viewers[to.TeamID]
		if !ok {
			all, err := r.cfg.Changes.HomeViewers(ctx, to.TeamID, nil)
			if err != nil {
				r.log.Warn("find home viewers", "team", to.TeamID, "err", err)
				return after
			}
			seen = make(map[string]bool, len(all))
			for _, u := range all {
				seen[u] = true
			}
			viewers[to.TeamID] = seen
		}
		if seen[to.UserID] {
			r.Request(to.TeamID, to.UserID)
		}
	}
	return next
}

// requestViewers requests the Homes a workspace's changes touch.
func (r *HomeRefresher) requestViewers(ctx context.Context, team string, accounts []int64, wide bool) {
	all, err := r.cfg.Changes.HomeViewers(ctx, team, nil)
	if err != nil {
		r.log.Warn("find home viewers", "team", team, "err", err)
		return
	}
	users := all
	if !wide {
		if users, err = r.cfg.Changes.HomeViewers(ctx, team, accounts); err != nil {
			r.log.Warn("find home viewers", "team", team, "err", err)
			return
		}
		// Admins see workspace totals: any change counts for them.
		if r.cfg.Admins != nil {
			for _, a := range r.cfg.Admins(team) {
				if slices.Contains(all, a) {
					users = append(users, a)
				}
			}
		}
	}
	for _, u := range users {
		r.Request(team, u)
	}
}
