package commands

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
)

// The App Home tab: each person's accounts, worst health first, with what
// needs them (tactics, reminders, deals closing), buttons to act on an
// account, a manager's portfolio summary, an admin's workspace totals and
// their own schedule. The data is read per request, a page of accounts at a
// time on screen; every view stays inside Slack's 100 blocks.

// HomeStore is what the Home tab needs of persistence; *store.DB
// implements it. Every method is scoped to the workspace.
type HomeStore interface {
	// HealthInputsEach loads the accounts' health inputs a chunk at a time.
	HealthInputsEach(ctx context.Context, teamID string, accts []kam.Account, now time.Time, fn func(kam.HealthInput) error) error
	// OpenReminders lists the nudges sent to the user since the given time
	// that are neither handled nor snoozed at now, newest first.
	OpenReminders(ctx context.Context, teamID, userID string, since, now time.Time, limit int) ([]kam.NudgeRecord, error)
	// WorkspaceTotals counts the workspace for an admin.
	WorkspaceTotals(ctx context.Context, teamID string, since time.Time) (kam.WorkspaceTotals, error)
	// RecordHomeView notes who opened Home and on which page.
	RecordHomeView(ctx context.Context, teamID, userID string, page int, at time.Time) error
	// HomePage is the page the user last looked at.
	HomePage(ctx context.Context, teamID, userID string) (int, error)
}

// Publisher sets a user's Home tab (views.publish).
type Publisher interface {
	PublishView(ctx context.Context, userID string, view slack.HomeTabViewRequest, hash string) error
}

// AccountModals opens the forms the Home's account buttons lead to. By
// default they are the log and stage forms of /kam log and /kam stage.
type AccountModals interface {
	// OpenLog opens the "Log an interaction" form for the account.
	OpenLog(ctx context.Context, in *Interaction, acct kam.Account) error
	// OpenStage opens the "Move stage" form for the account.
	OpenStage(ctx context.Context, in *Interaction, acct kam.Account) error
}

// HomeConfig configures the Home tab.
type HomeConfig struct {
	// Store and Prefs are required.
	Store HomeStore
	Prefs PrefsStore
	// Publisher sets the Home tab; nil: the view is built but never sent
	// (the console).
	Publisher Publisher
	// Modals opens the account forms; nil: the shared log and stage forms.
	Modals AccountModals
	// DM delivers briefs asked for from Home; nil: the Brief button says to
	// type /kam brief.
	DM DMSender
	// PageSize is how many accounts one page shows (12; at most 30).
	PageSize int
	// WorkspaceDigest says when the workspace digest runs, for the schedule
	// section.
	WorkspaceDigest string
}

// Limits of the Home view.
const (
	defaultHomePage  = 12
	maxHomePage      = 30
	maxHomeBlocks    = 100
	homeListLines    = 12 // lines per list (tactics, reminders, deals)
	homeReminderDays = 7
	homeDealDays     = 30
	homeTacticDays   = 14
)

// Home builds and publishes Home tabs.
type Home struct {
	cfg   HomeConfig
	e     *Engine
	cache *homeCache
}

// NewHome registers the Home's buttons and forms on the engine and
// returns the Home that builds and publishes the tab.
func NewHome(e *Engine, cfg HomeConfig) *Home {
	if cfg.Store == nil || cfg.Prefs == nil {
		panic("commands: NewHome needs a Store and Prefs")
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = defaultHomePage
	}
	cfg.PageSize = min(cfg.PageSize, maxHomePage)
	h := &Home{cfg: cfg, e: e, cache: newHomeCache()}
	if h.cfg.Modals == nil {
		h.cfg.Modals = sharedForms{}
	}
	e.Register(h.extension())
	return h
}

// homeAccount is one account as the Home shows it.
type homeAccount struct {
	health   kam.Health
	role     kam.Role
	pipeline int64
	weighted float64
	review   time.Time // next plan review; zero without a plan
}

// homeData is everything one Home view shows.
type homeData struct {
	accounts  []homeAccount // worst health first
	tactics   []homeTactic
	deals     []homeDeal
	reminders []kam.NudgeRecord
	names     map[int64]string
	manages   []homeAccount // the accounts the user manages (role manager)
	totals    *kam.WorkspaceTotals
	prefs     kam.UserPrefs
}

type homeTactic struct {
	account string
	tactic  kam.Tactic
}

type homeDeal struct {
	account string
	opp     kam.Opportunity
}

// load reads what the user's Home shows.
func (h *Home) load(ctx context.Context, a *Actor) (*homeData, error) {
	accts, err := a.Store().AccountsForUser(ctx, a.TeamID, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("accounts of %s: %w", a.UserID, err)
	}
	d := &homeData{names: make(map[int64]string, len(accts)), accounts: make([]homeAccount, 0, len(accts))}
	today := a.Today()
	// Unchanged accounts come from the cache; the rest are loaded.
	hit, miss := h.cache.get(a.TeamID, accts, a.Now)
	if err := h.loadMissing(ctx, a, miss, hit); err != nil {
		return nil, err
	}
	for _, acct := range accts {
		d.names[acct.ID] = acct.Name
		d.add(a, acct, hit[acct.ID], today)
	}
	for _, x := range d.accounts {
		if x.role == kam.RoleManager {
			d.manages = append(d.manages, x)
		}
	}
	d.sort()
	if d.reminders, err = h.cfg.Store.OpenReminders(ctx, a.TeamID, a.UserID, a.Now.AddDate(0, 0, -homeReminderDays), a.Now, 100); err != nil {
		return nil, err
	}
	if a.Admin {
		t, err := h.cfg.Store.WorkspaceTotals(ctx, a.TeamID, a.Now.AddDate(0, 0, -7))
		if err != nil {
			return nil, err
		}
		d.totals = &t
	}
	if d.prefs, err = h.cfg.Prefs.UserPrefs(ctx, a.TeamID, a.UserID); err != nil {
		return nil, fmt.Errorf("prefs of %s: %w", a.UserID, err)
	}
	return d, nil
}

// loadMissing loads the assessment and the open deals of the accounts the
// cache misses, keeps them in the cache and adds them to hit. The deals
// are the health inputs' open opportunities, which carry their value.
func (h *Home) loadMissing(ctx context.Context, a *Actor, miss []kam.Account, hit map[int64]homeCached) error {
	if len(miss) == 0 {
		return nil
	}
	err := h.cfg.Store.HealthInputsEach(ctx, a.TeamID, miss, a.Now, func(in kam.HealthInput) error {
		e := cachedOf(in, a.Now)
		h.cache.put(a.TeamID, in.Account.ID, e)
		hit[in.Account.ID] = e
		return nil
	})
	if err != nil {
		return fmt.Errorf("health of %s's accounts: %w", a.UserID, err)
	}
	return nil
}

// add places one account, as it is now, with its assessment and open
// pipeline, and picks out the user's tactics and the deals closing within
// homeDealDays (or past their close date).
func (d *homeData) add(a *Actor, acct kam.Account, c homeCached, today time.Time) {
	c.health.Account = acct
	ha := homeAccount{health: c.health, role: roleIn(acct, c.members, a.UserID), review: c.review}
	for _, t := range c.tactics {
		mine := t.OwnerID == a.UserID || t.OwnerID == "" && acct.OwnerID == a.UserID
		if mine && t.Due.Before(today.AddDate(0, 0, homeTacticDays+1)) {
			d.tactics = append(d.tactics, homeTactic{account: acct.Name, tactic: t})
		}
	}
	for _, o := range c.deals {
		ha.pipeline += o.Value
		ha.weighted += float64(o.Value) * o.Stage.Probability()
		if !o.CloseDate.IsZero() && o.CloseDate.Before(today.AddDate(0, 0, homeDealDays+1)) {
			d.deals = append(d.deals, homeDeal{account: acct.Name, opp: o})
		}
	}
	d.accounts = append(d.accounts, ha)
}

// roleIn is the user's role on the account: the KAM, the sponsor, else
// their team role.
func roleIn(acct kam.Account, members []kam.Member, userID string) kam.Role {
	switch userID {
	case acct.OwnerID:
		return kam.RoleKAM
	case acct.SponsorID:
		return kam.RoleSponsor
	}
	for _, m := range members {
		if m.UserID == userID {
			return m.Role
		}
	}
	return ""
}

// sort orders accounts worst health first (new accounts last), tactics
// and deals by date.
func (d *homeData) sort() {
	hs := make([]kam.Health, len(d.accounts))
	byID := make(map[int64]homeAccount, len(d.accounts))
	for i, x := range d.accounts {
		hs[i] = x.health
		byID[x.health.Account.ID] = x
	}
	kam.SortWorstFirst(hs)
	for i, h := range hs {
		d.accounts[i] = byID[h.Account.ID]
	}
	slices.SortStableFunc(d.tactics, func(x, y homeTactic) int { return x.tactic.Due.Compare(y.tactic.Due) })
	// The deals come in no order: every tie is broken, so the list is the
	// same whatever order the store gives.
	slices.SortFunc(d.deals, func(x, y homeDeal) int {
		if c := cmp.Or(x.opp.CloseDate.Compare(y.opp.CloseDate), cmp.Compare(y.opp.Value, x.opp.Value)); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(strings.ToLower(x.account), strings.ToLower(y.account)),
			strings.Compare(strings.ToLower(x.opp.Name), strings.ToLower(y.opp.Name)), cmp.Compare(x.opp.ID, y.opp.ID))
	})
}

// View builds the user's Home tab showing the given page of accounts
// (clamped to the pages there are).
func (h *Home) View(ctx context.Context, teamID, userID string, page int) (slack.HomeTabViewRequest, error) {
	a := h.e.actor(ctx, teamID, userID)
	d, err := h.load(ctx, &a)
	if err != nil {
		return slack.HomeTabViewRequest{}, err
	}
	blocks := enforceLimits(h.render(&a, d, page), maxHomeBlocks)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, CallbackID: "home", Blocks: slack.Blocks{BlockSet: blocks}}, nil
}

// Publish builds the user's Home on the page they last looked at (page < 0)
// or the page given, records it, and sends it to Slack.
func (h *Home) Publish(ctx context.Context, teamID, userID string, page int) error {
	if page < 0 {
		p, err := h.cfg.Store.HomePage(ctx, teamID, userID)
		if err != nil {
			return err
		}
		page = p
	}
	view, err := h.View(ctx, teamID, userID, page)
	if err != nil {
		return err
	}
	if err := h.cfg.Store.RecordHomeView(ctx, teamID, userID, page, h.e.now()); err != nil {
		return err
	}
	if h.cfg.Publisher == nil {
		return nil
	}
	if err := h.cfg.Publisher.PublishView(ctx, userID, view, ""); err != nil {
		return fmt.Errorf("publish home of %s: %w", userID, err)
	}
	return nil
}

// Admins lists the workspace's admins, whose Home sums up the workspace.
func (h *Home) Admins(teamID string) []string { return h.e.adminsOf(teamID) }
