// Package digest builds and sends the weekly manager digest. Digester.Run,
// the nudges scheduler's digest job (nudges.Config.Digest), sends
// each manager (role manager on an account) a DM about the accounts they
// manage: the portfolio's health and its change since the last digest,
// interactions this week by account and by team member, stage movements,
// wins and losses, pipeline value and weighted forecast, overdue reviews and
// tactics, new alerts and NPS, the accounts needing attention first. A copy
// of the whole workspace's digest can go to a channel. Every message goes
// through the outbox with the key digest:<recipient>:<ISO week>:<part>, so a
// run repeated within the week sends nothing twice.
//
// A run reads the workspace once with the store's set-based loaders (health
// inputs, the week's interaction counts and stage moves, two years of survey
// answers, the last digest's snapshots), assesses every account once, and
// slices the result per manager: the cost grows with the portfolio, not
// with the number of managers times their accounts' history. After queuing,
// it records each account's health for the week, which the next digest
// compares with.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Store is what the digest reads and records; *store.DB implements it.
type Store interface {
	// Teams lists the workspaces that have accounts.
	Teams(ctx context.Context) ([]string, error)
	// Accounts lists a workspace's accounts.
	Accounts(ctx context.Context, teamID string) ([]kam.Account, error)
	// AccountsForUser lists the accounts on whose team the user is.
	AccountsForUser(ctx context.Context, teamID, userID string) ([]kam.Account, error)
	// HealthInputsEach loads what kam.AssessHealth needs, satisfaction
	// included, a chunk of accounts at a time, calling fn with each in order.
	HealthInputsEach(ctx context.Context, teamID string, accts []kam.Account, now time.Time, fn func(kam.HealthInput) error) error
	// InteractionCounts counts real contacts in [from, to) by account and person.
	InteractionCounts(ctx context.Context, teamID string, from, to time.Time) ([]kam.InteractionCount, error)
	// StageMoves lists the stage changes in [from, to).
	StageMoves(ctx context.Context, teamID string, from, to time.Time) ([]kam.StageMove, error)
	// SurveyAnswers lists the answers given in (since, until]: the digest
	// asks for the week's, for its detractors; the NPS figures come with
	// the health inputs.
	SurveyAnswers(ctx context.Context, teamID string, since, until time.Time) ([]kam.SurveyAnswer, error)
	// HealthSnapshots returns each account's latest snapshot before the ISO week.
	HealthSnapshots(ctx context.Context, teamID, beforeWeek string) (map[int64]kam.HealthSnapshot, error)
	// SaveHealthSnapshots records the accounts' health for the ISO week.
	SaveHealthSnapshots(ctx context.Context, teamID, week string, snaps []kam.HealthSnapshot) error
}

// Poster queues a message for durable delivery — the outbox; channel may be
// a user ID, for a DM. *outbox.Sender implements it.
type Poster interface {
	Notify(ctx context.Context, teamID, channelID, key, text string, blocks []slack.Block) error
}

// Config configures a Digester. Store is required, and Poster for Run.
type Config struct {
	Store  Store
	Poster Poster
	// Channels copies the whole workspace's digest to a channel, by
	// workspace ID; the key "" serves every workspace
	// (KAMBOT_DIGEST_CHANNEL, see ParseChannels). Nil sends none.
	Channels map[string]string
	// Summary, when set, writes a two-sentence summary of an account for
	// the accounts needing attention (the LLM drafter); ok false leaves it out.
	Summary func(ctx context.Context, acct kam.Account) (summary string, ok bool)
	// SummaryTimeout bounds each Summary call (20 s).
	SummaryTimeout time.Duration
	// Location is the zone of the digest's week and dates (KAMBOT_TZ; UTC).
	Location *time.Location
	// Currency is what amounts are shown in (KAMBOT_CURRENCY; zero: USD).
	Currency format.Currency
	// Scores, when set, places the accounts in the matrix for the
	// portfolio-by-quadrant chart.
	Scores ScoreSource
	// Matrix, when set, posts each recipient's portfolio matrix with the
	// weekly digest; nil sends none.
	Matrix MatrixFunc
	// Prefs gives people's own digest day and hour; those who chose one are
	// left out of the workspace run and served by RunPersonal. Nil: none.
	Prefs  Prefs
	Logger *slog.Logger
}

// Digester builds and sends the weekly digests.
type Digester struct {
	cfg Config
	log *slog.Logger
}

// New checks cfg and returns a Digester.
func New(cfg Config) (*Digester, error) {
	if cfg.Store == nil {
		return nil, errors.New("digest: Config.Store is required")
	}
	for team, ch := range cfg.Channels {
		if !channelIDPattern.MatchString(ch) {
			return nil, fmt.Errorf("digest: %q (for workspace %q) is not a channel ID such as C0123ABCD", ch, team)
		}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.SummaryTimeout <= 0 {
		cfg.SummaryTimeout = 20 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Digester{cfg: cfg, log: cfg.Logger}, nil
}

var (
	channelIDPattern = regexp.MustCompile(`^[CG][A-Z0-9]{2,20}$`)
	teamIDPattern    = regexp.MustCompile(`^[TE][A-Z0-9]{2,20}$`)
)

// ParseChannels reads KAMBOT_DIGEST_CHANNEL: a channel ID
// ("C0123ABCD") for every workspace, or comma-separated
// workspace:channel pairs ("T01AAA:C01BBB,T02CCC:C02DDD"). Empty is none.
func ParseChannels(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		team, ch, paired := strings.Cut(item, ":")
		if !paired {
			team, ch = "", item
		}
		team, ch = strings.TrimSpace(team), strings.TrimSpace(ch)
		if paired && !teamIDPattern.MatchString(team) {
			return nil, fmt.Errorf("KAMBOT_DIGEST_CHANNEL: %q is not a workspace ID such as T0123ABCD", team)
		}
		if !channelIDPattern.MatchString(ch) {
			return nil, fmt.Errorf("KAMBOT_DIGEST_CHANNEL: %q is not a channel ID such as C0123ABCD (copy it from the channel's details)", ch)
		}
		if _, dup := out[team]; dup {
			return nil, fmt.Errorf("KAMBOT_DIGEST_CHANNEL names a channel twice for workspace %q", team)
		}
		out[team] = ch
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Digest is one recipient's digest, split into messages within Slack's
// limits (at most 50 blocks and about 12,000 characters each).
type Digest struct {
	TeamID string
	// Recipient is the manager's user ID, or the digest channel's ID.
	Recipient string
	Week      string // ISO week, e.g. 2025-W11
	Parts     [][]slack.Block
	// Texts are the parts' notification fallbacks.
	Texts []string

	title    string     // what the digest covers, for the matrix's title
	accounts []*account // the accounts it covers, for the matrix
	missing  []int64    // accounts whose words its parts lack (see leaner)
}

// Key is the outbox idempotency key of part i (0-based).
func (d Digest) Key(i int) string {
	return fmt.Sprintf("digest:%s:%s:%d", d.Recipient, d.Week, i+1)
}

// Run is the weekly digest job: for every workspace it queues each
// manager's digest (and the channel copy) in the outbox, then records the
// week's health snapshots. A failure for one recipient does not stop the
// others; the errors are returned together, and a retry within the week
// queues only what is missing.
func (d *Digester) Run(ctx context.Context, now time.Time) error {
	if d.cfg.Poster == nil {
		return errors.New("digest: Config.Poster is required to send digests")
	}
	teams, err := d.cfg.Store.Teams(ctx)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	var errs []error
	for _, team := range teams {
		if err := d.runTeam(ctx, team, now); err != nil {
			errs = append(errs, fmt.Errorf("digest for workspace %s: %w", team, err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

func (d *Digester) runTeam(ctx context.Context, team string, now time.Time) error {
	w, plans, err := d.build(ctx, team, now)
	if err != nil {
		return err
	}
	own, err := d.ownDigests(ctx, team)
	if err != nil {
		return err
	}
	var errs []error
	sent := 0
	// A retry within the week queues only missing parts (their keys); the
	// pictures, which no key guards, are posted once: by the first run.
	pictures := !d.ranThisWeek(ctx, w)
	// Each digest is rendered, queued and dropped before the next: a
	// workspace's digests are never held all at once.
	for _, pl := range plans {
		if own[pl.recipient] {
			continue // on their own day and hour: RunPersonal
		}
		dg, _, _ := w.digestHead(pl.recipient, pl.title, pl.accts, MaxParts)
		if pictures {
			if line := d.postMatrix(ctx, dg); line != "" {
				dg.Parts[0] = append(dg.Parts[0], note(line))
			}
		}
		if err := d.send(ctx, dg); err != nil {
			errs = append(errs, err)
			continue
		}
		sent++
	}
	// Snapshots last: the next digest's "change since the last digest"
	// starts from what this one reported.
	if err := d.cfg.Store.SaveHealthSnapshots(ctx, team, w.week, w.snapshots()); err != nil {
		errs = append(errs, err)
	}
	d.log.Info("weekly digest queued", "team", team, "week", w.week, "recipients", sent, "accounts", len(w.accts), "failures", len(errs))
	return errors.Join(errs...)
}

// send queues a digest's parts in order; the keys make a repeat harmless.
func (d *Digester) send(ctx context.Context, dg Digest) error {
	for i, blocks := range dg.Parts {
		if err := d.cfg.Poster.Notify(ctx, dg.TeamID, dg.Recipient, dg.Key(i), dg.Texts[i], blocks); err != nil {
			return fmt.Errorf("queue digest part %d of %d for %s: %w", i+1, len(dg.Parts), dg.Recipient, err)
		}
	}
	return nil
}

// BuildAll builds every digest of a workspace at now without sending
// anything: one per manager, and the channel copy when configured, each as
// Run sends it (at most MaxParts parts).
func (d *Digester) BuildAll(ctx context.Context, teamID string, now time.Time) ([]Digest, error) {
	w, plans, err := d.build(ctx, teamID, now)
	if err != nil {
		return nil, err
	}
	out := make([]Digest, 0, len(plans))
	for _, pl := range plans {
		dg, _, _ := w.digestHead(pl.recipient, pl.title, pl.accts, MaxParts)
		out = append(out, dg)
	}
	return out, nil
}

// plan is one digest to render from a week: its recipient, title and
// accounts.
type plan struct {
	recipient, title string
	accts            []*account
}

// build loads the workspace's week and lists its digests, in the order
// they go: each manager's by user ID, then the channel copy.
func (d *Digester) build(ctx context.Context, team string, now time.Time) (*week, []plan, error) {
	accts, err := d.cfg.Store.Accounts(ctx, team)
	if err != nil {
		return nil, nil, fmt.Errorf("list accounts: %w", err)
	}
	// The weekly digest covers the seven whole days before the day it
	// runs, so that every day is in exactly one weekly digest.
	y, m, dd := now.In(d.cfg.Location).Date()
	to := time.Date(y, m, dd, 0, 0, 0, 0, d.cfg.Location)
	w, err := d.load(ctx, team, accts, to.AddDate(0, 0, -7), to, now, nil)
	if err != nil {
		return nil, nil, err
	}
	managers := map[string][]*account{}
	for _, a := range w.accts {
		for _, id := range a.managers {
			managers[id] = append(managers[id], a)
		}
	}
	ids := make([]string, 0, len(managers))
	for id := range managers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ch := d.channelFor(team)
	if ch != "" {
		d.summarize(ctx, w.accts)
	} else {
		var managed []*account
		for _, a := range w.accts {
			if len(a.managers) > 0 {
				managed = append(managed, a)
			}
		}
		d.summarize(ctx, managed)
	}
	plans := make([]plan, 0, len(ids)+1)
	for _, id := range ids {
		n := len(managers[id])
		title := fmt.Sprintf("Your portfolio: the %d accounts you manage", n)
		if n == 1 {
			title = "Your portfolio: the account you manage"
		}
		plans = append(plans, plan{id, title, managers[id]})
	}
	if ch != "" && len(w.accts) > 0 {
		plans = append(plans, plan{ch, fmt.Sprintf("All %d accounts of the workspace", len(w.accts)), w.accts})
	}
	return w, plans, nil
}

func (d *Digester) channelFor(team string) string {
	if ch, ok := d.cfg.Channels[team]; ok {
		return ch
	}
	return d.cfg.Channels[""]
}

// UserDigest renders, without sending or recording anything, the digest
// userID would get at now: the accounts they manage or, when they manage
// none, the accounts on whose team they are. It returns no parts when the
// user is on no account's team. This is what /kam digest shows.
func (d *Digester) UserDigest(ctx context.Context, teamID, userID string, now time.Time) ([][]slack.Block, error) {
	parts, _, err := d.UserDigestHead(ctx, teamID, userID, now, -1)
	return parts, err
}

// UserDigestHead is UserDigest keeping only the first keep parts (all when
// keep is negative), with n the number of parts of the whole digest. The
// parts after the first keep are dropped as they are laid out, so a reply
// that shows the start of a long digest never holds all of it.
func (d *Digester) UserDigestHead(ctx context.Context, teamID, userID string, now time.Time, keep int) (head [][]slack.Block, n int, err error) {
	accts, err := d.cfg.Store.AccountsForUser(ctx, teamID, userID)
	if err != nil {
		return nil, 0, fmt.Errorf("digest for %s: %w", userID, err)
	}
	if len(accts) == 0 {
		return nil, 0, nil
	}
	// On demand, the week is the seven days up to now. Keeping a few
	// parts, only the alerts' words the head can show are kept; should the
	// head reach further, it is laid out again from a full load.
	var lean *leaner
	if keep >= 0 {
		lean = newLeaner(userID, keep*maxBlocks)
	}
	for pass := 0; ; pass++ {
		w, err := d.load(ctx, teamID, accts, now.Add(-weekSpan), now, now, lean)
		if err != nil {
			return nil, 0, fmt.Errorf("digest for %s: %w", userID, err)
		}
		title, portfolio := w.userPortfolio(userID)
		d.summarize(ctx, portfolio)
		dg, n, whole := w.digestHead(userID, title, portfolio, keep)
		if whole || lean == nil {
			return dg.Parts, n, nil
		}
		// The head reached lines laid out by their size: load again,
		// keeping those accounts' words too. The layout is the same, so
		// the head is then whole; should the week change in between, the
		// next pass takes a full load.
		if pass == 0 {
			lean = newLeaner(userID, keep*maxBlocks)
			lean.words = make(map[int64]bool, len(dg.missing))
			for _, id := range dg.missing {
				lean.words[id] = true
			}
		} else {
			lean = nil
		}
	}
}

// userPortfolio is what a user's own digest covers: the accounts they
// manage or, when they manage none, every account of the week.
func (w *week) userPortfolio(userID string) (title string, portfolio []*account) {
	var managed []*account
	for _, a := range w.accts {
		if slices.Contains(a.managers, userID) {
			managed = append(managed, a)
		}
	}
	title = fmt.Sprintf("Your portfolio: the %d accounts you manage", len(managed))
	portfolio = managed
	switch {
	case len(managed) == 1:
		title = "Your portfolio: the account you manage"
	case len(managed) == 0:
		portfolio = w.accts
		title = fmt.Sprintf("Your accounts: the %d whose team you are on", len(w.accts))
		if len(w.accts) == 1 {
			title = "Your account: the one whose team you are on"
		}
	}
	return title, portfolio
}

// ---- The week's data -----------------------------------------------------------

// week is one workspace's week, loaded once for every digest built from it.
type week struct {
	team     string
	now      time.Time // health is assessed at now
	from, to time.Time // "this week" is [from, to)
	loc      *time.Location
	cur      format.Currency
	week     string // ISO week of now, in loc
	prevWeek string // ISO week of the latest earlier snapshot; "" when none
	accts    []*account
	// counts are the week's contacts by account and person, of accts'
	// accounts only; each digest sums those of its portfolio by person.
	counts []kam.InteractionCount
	// quadrants holds each fully scored account's quadrant; nil when the
	// digest does not place accounts.
	quadrants map[int64]kam.Quadrant
}

// account is what the digest knows of one account this week. A digest of
// a whole workspace holds one for each of thousands of accounts at once,
// so it keeps only what the digest shows: the account itself is the
// caller's (a pointer into the list loaded), the health is its score and
// alerts, and the alerts new since the last digest are indices.
type account struct {
	acct     *kam.Account
	lname    string   // the name in lower case, for sorting
	critical int      // the critical alerts, counted once for sorting
	managers []string // the team's managers
	health   health
	// prevScore is the health the last digest reported, when hasPrev.
	prevScore int
	hasPrev   bool
	// freshN counts the alerts the last digest did not see (each marked
	// fresh): all of them before the account's first digest.
	freshN    int
	touches   int // real contacts this week
	moves     []kam.StageMove
	openN     int
	openValue int64
	weighted  float64
	nps       kam.NPSStats // the last 12 months
	npsPrev   kam.NPSStats // the 12 months before
	detracted []kam.SurveyAnswer
	needs     bool // it needs attention: attentionReasons words why
	summary   string
	// lean is set when the alerts' words were dropped (see leaner); then
	// attention is the size of the entry under "Needs attention".
	lean      bool
	attention int
	held      int8 // the leaner's heaps holding the account
}

// health is what the digest shows of an account's kam.Health.
type health struct {
	Score  int
	Band   kam.Band
	New    bool
	Alerts []alert // most severe first
}

// alert is what the digest shows of a kam.Alert, its fact worded once (the
// digest lists every alert, some twice); the account is the alert's
// account's. Thousands of accounts' alerts are held at once: the words are
// behind a pointer, which a lean account drops (see leaner).
type alert struct {
	words    *alertWords // nil once dropped
	runes    int32       // the fact's characters in mrkdwn, once its words are dropped
	kind     uint8       // its place in kam.AlertKinds; otherKind: in words
	Severity int8        // a kam.Severity
	fresh    bool        // the last digest did not see it
}

// otherKind marks a kind kam.AlertKinds does not list.
const otherKind = 255

// kindIndex is each kind's place in kam.AlertKinds.
var kindIndex = func() map[kam.AlertKind]uint8 {
	m := make(map[kam.AlertKind]uint8, len(kam.AlertKinds))
	for i, k := range kam.AlertKinds {
		if i < otherKind {
			m[k] = uint8(i)
		}
	}
	return m
}()

// Kind is the alert's kind.
func (al alert) Kind() kam.AlertKind {
	if al.kind != otherKind {
		return kam.AlertKinds[al.kind]
	}
	if al.words == nil {
		return ""
	}
	return al.words.kind
}

// alertWords are an alert's subject and fact, and its kind when
// kam.AlertKinds does not list it.
type alertWords struct {
	subject, fact string
	kind          kam.AlertKind
}

// Fact is the alert's fact in words, as kam.Alert.Fact.
func (al alert) Fact() string {
	if al.words == nil {
		return ""
	}
	return al.words.fact
}

// Subject is the alert's kam.Alert.Subject.
func (al alert) Subject() string {
	if al.words == nil {
		return ""
	}
	return al.words.subject
}

// Sev is the alert's severity.
func (al alert) Sev() kam.Severity { return kam.Severity(al.Severity) }

// appendKey appends the kam.Alert's Key of the alert of account id to b.
func (al alert) appendKey(b []byte, id int64) []byte {
	return kam.Alert{Kind: al.Kind(), AccountID: id, Subject: al.Subject()}.AppendKey(b)
}

// healthOf keeps of h what the digest shows.
func healthOf(h kam.Health) health {
	alerts := make([]alert, len(h.Alerts))
	for i, al := range h.Alerts {
		k, ok := kindIndex[al.Kind]
		words := &alertWords{subject: al.Subject, fact: al.Fact()}
		if !ok {
			k, words.kind = otherKind, al.Kind
		}
		alerts[i] = alert{kind: k, Severity: int8(al.Severity), words: words}
	}
	return health{Score: h.Score, Band: h.Band, New: h.New, Alerts: alerts}
}

// Critical counts the critical alerts, as kam.Health.Critical does.
func (h health) Critical() int {
	n := 0
	for _, a := range h.Alerts {
		if a.Sev() == kam.SeverityCritical {
			n++
		}
	}
	return n
}

// weekSpan is how far back "this week" reaches on demand.
const weekSpan = 7 * 24 * time.Hour

// attentionFall is a health drop since the last digest that needs attention.
const attentionFall = 10

// isoWeek names the ISO week of t in loc, e.g. "2025-W11".
func isoWeek(t time.Time, loc *time.Location) string {
	y, wk := t.In(loc).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, wk)
}

// weekData is what the store holds on a workspace's week, before it is
// sorted by account.
type weekData struct {
	counts  []kam.InteractionCount
	moves   []kam.StageMove
	answers []kam.SurveyAnswer
	snaps   map[int64]kam.HealthSnapshot
}

// load reads a workspace's week for accts and assesses every account once.
// A nil lean keeps every alert's words; see leaner for one that keeps
// only those the head of a digest can show.
func (d *Digester) load(ctx context.Context, team string, accts []kam.Account, from, to, now time.Time, lean *leaner) (*week, error) {
	w := &week{team: team, now: now, from: from, to: to, loc: d.cfg.Location, cur: d.cfg.Currency, week: isoWeek(now, d.cfg.Location)}
	// Read the week with the store's set-based loaders, one query each.
	data, err := d.read(ctx, w)
	if err != nil {
		return nil, err
	}
	// The week's detractors by account, in the order read, so that each
	// account's reasons for attention are known as it is assessed.
	detracted := map[int64][]kam.SurveyAnswer{}
	for _, an := range data.answers {
		if an.Detractor() && !an.At.Before(w.from) && an.At.Before(w.to) {
			detracted[an.AccountID] = append(detracted[an.AccountID], an)
		}
	}
	data.answers = nil
	// Assess each account as its inputs stream in, and tell its alerts new
	// since the last digest; only the assessments are kept. The NPS of the
	// last 12 months and of the 12 before come with the inputs, counted as
	// /kam health counts them.
	prior := w.priorOf(accts, data.snaps)
	data.snaps = nil
	byID := make(map[int64]*account, len(accts))
	w.accts = make([]*account, 0, len(accts))
	i := 0 // the inputs come in the order of accts
	err = d.cfg.Store.HealthInputsEach(ctx, team, accts, now, func(in kam.HealthInput) error {
		var acct *kam.Account
		var last *snapshot
		if i < len(accts) && accts[i].ID == in.Account.ID {
			acct, last = &accts[i], &prior[i]
		} else {
			c := in.Account
			acct = &c
			// Out of order, which the store does not do: found the long way.
			if j := slices.IndexFunc(accts, func(x kam.Account) bool { return x.ID == c.ID }); j >= 0 {
				last = &prior[j]
			} else {
				last = &snapshot{}
			}
		}
		i++
		a := w.assess(acct, in, last)
		if s := in.Satisfaction; s != nil {
			a.nps, a.npsPrev = s.Current, s.Previous
		}
		a.detracted = detracted[a.acct.ID]
		a.needs = len(attentionReasons(a)) > 0
		lean.add(w, a, len(w.accts))
		w.accts = append(w.accts, a)
		byID[a.acct.ID] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load health inputs: %w", err)
	}
	// Hand the week's rows to their accounts.
	if err := d.readActivity(ctx, w, data); err != nil {
		return nil, err
	}
	w.addActivity(byID, data)
	if err := d.place(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// read loads what the assessments compare with: the week's survey
// answers and the last snapshots.
func (d *Digester) read(ctx context.Context, w *week) (*weekData, error) {
	st, team := d.cfg.Store, w.team
	var data weekData
	var err error
	// The week's answers, [from, to): answers are stored to the millisecond.
	if data.answers, err = st.SurveyAnswers(ctx, team, w.from.Add(-time.Millisecond), w.to); err != nil {
		return nil, fmt.Errorf("load survey answers: %w", err)
	}
	if data.snaps, err = st.HealthSnapshots(ctx, team, w.week); err != nil {
		return nil, fmt.Errorf("load health snapshots: %w", err)
	}
	return &data, nil
}

// readActivity loads the week's contacts and stage moves, once the
// accounts are assessed: they are not held while the inputs stream in.
func (d *Digester) readActivity(ctx context.Context, w *week, data *weekData) error {
	st, team := d.cfg.Store, w.team
	var err error
	if data.counts, err = st.InteractionCounts(ctx, team, w.from, w.to); err != nil {
		return fmt.Errorf("load interactions: %w", err)
	}
	if data.moves, err = st.StageMoves(ctx, team, w.from, w.to); err != nil {
		return fmt.Errorf("load stage moves: %w", err)
	}
	return nil
}

// snapshot is what the digest compares an account with: its score and
// alert keys at the last digest, when ok.
type snapshot struct {
	ok     bool
	score  int
	alerts []string
}

// priorOf keeps, by place in accts, the score and alert keys of each
// account's last snapshot, and moves w.prevWeek to the latest: a slice
// the accounts' assessments let go of one by one, where the map read
// would be held whole until the last.
func (w *week) priorOf(accts []kam.Account, snaps map[int64]kam.HealthSnapshot) []snapshot {
	out := make([]snapshot, len(accts))
	for i, ac := range accts {
		if s, ok := snaps[ac.ID]; ok {
			out[i] = snapshot{ok: true, score: s.Score, alerts: s.Alerts}
			w.prevWeek = max(w.prevWeek, s.Week)
		}
	}
	return out
}

// assess scores one account's health and compares its alerts with the
// account's last snapshot, which it then lets go of. acct is the account
// of in, kept by the caller.
func (w *week) assess(acct *kam.Account, in kam.HealthInput, last *snapshot) *account {
	// Only the score and alerts are kept: the digest shows no more.
	a := &account{acct: acct, lname: strings.ToLower(acct.Name), managers: managersOf(in.Members), health: healthOf(kam.AssessHealthSummary(in, w.now))}
	a.critical = a.health.Critical()
	a.openN, a.openValue, a.weighted = pipelineOf(in.Opportunities)
	var known map[string]bool
	if last.ok {
		a.prevScore, a.hasPrev = last.score, true
		known = make(map[string]bool, len(last.alerts))
		for _, k := range last.alerts {
			known[k] = true
		}
	}
	*last = snapshot{}
	var key []byte
	for j := range a.health.Alerts {
		al := &a.health.Alerts[j]
		isNew := !a.hasPrev
		if !isNew {
			key = al.appendKey(key[:0], a.acct.ID)
			isNew = !known[string(key)]
		}
		// Every alert counts, as /kam health counts them: overdue reviews
		// and tactics are listed again under their own heading.
		if isNew {
			al.fresh = true
			a.freshN++
		}
	}
	return a
}

// addActivity adds the week's contacts and stage moves to
// the accounts they belong to; rows of other accounts are skipped.
func (w *week) addActivity(byID map[int64]*account, data *weekData) {
	// The rows of other accounts are dropped in place: the week keeps the
	// rows read, not a copy of each by account.
	w.counts = data.counts[:0]
	for _, c := range data.counts {
		if a := byID[c.AccountID]; a != nil {
			a.touches += c.Count
			w.counts = append(w.counts, c)
		}
	}
	clear(data.counts[len(w.counts):])
	for _, m := range data.moves {
		if a := byID[m.AccountID]; a != nil {
			a.moves = append(a.moves, m)
		}
	}
}

// openStagesByName are the open stages in the order of their names.
var openStagesByName = func() []kam.Stage {
	var open []kam.Stage
	for _, st := range kam.Stages {
		if st.Open() {
			open = append(open, st)
		}
	}
	slices.Sort(open)
	return open
}()

// pipelineOf totals an account's open opportunities, taken from its health
// inputs rather than read again: their count, value, and value weighted by
// each stage's probability. The weighting is applied to each stage's sum,
// stages in the order of their names, as a query grouped by stage would
// add it up, so the forecast is the same to the last bit.
func pipelineOf(opps []kam.Opportunity) (n int, value int64, weighted float64) {
	for _, st := range openStagesByName {
		var sum int64
		var count int
		for _, o := range opps {
			if o.Stage == st {
				sum += o.Value
				count++
			}
		}
		if count > 0 {
			n += count
			value += sum
			weighted += float64(sum) * st.Probability()
		}
	}
	return n, value, weighted
}

// managersOf lists the users with role manager on the team.
func managersOf(members []kam.Member) []string {
	var out []string
	for _, m := range members {
		if m.Role == kam.RoleManager {
			out = append(out, m.UserID)
		}
	}
	return out
}

// attentionReasons says why an account needs a manager's attention: at
// risk, a critical alert, a fall of attentionFall points since the last digest, a
// detractor answer this week, or new warnings.
func attentionReasons(a *account) []string {
	var rs []string
	h := a.health
	if h.Band == kam.BandAtRisk {
		rs = append(rs, "at risk")
	}
	if n := h.Critical(); n > 0 {
		rs = append(rs, plural(n, "critical alert", "critical alerts"))
	}
	if a.hasPrev && a.prevScore-h.Score >= attentionFall {
		rs = append(rs, fmt.Sprintf("health fell %d points", a.prevScore-h.Score))
	}
	if n := len(a.detracted); n > 0 {
		rs = append(rs, plural(n, "detractor answer", "detractor answers"))
	}
	var warn int
	if a.hasPrev { // before the first digest no alert is new
		for _, al := range a.health.Alerts {
			if al.fresh && al.Sev() >= kam.SeverityWarning {
				warn++
			}
		}
	}
	if warn > 0 {
		rs = append(rs, plural(warn, "new warning", "new warnings"))
	}
	return rs
}

// snapshots are the accounts' health to record for the week.
func (w *week) snapshots() []kam.HealthSnapshot {
	out := make([]kam.HealthSnapshot, len(w.accts))
	for i, a := range w.accts {
		keys := make([]string, len(a.health.Alerts))
		var key []byte
		for j, al := range a.health.Alerts {
			key = al.appendKey(key[:0], a.acct.ID)
			keys[j] = string(key)
		}
		out[i] = kam.HealthSnapshot{AccountID: a.acct.ID, Week: w.week, Score: a.health.Score, Alerts: keys}
	}
	return out
}

// summarize asks the configured summary function, a few accounts at a
// time, for a summary of each of the accounts that needs attention.
func (d *Digester) summarize(ctx context.Context, accts []*account) {
	if d.cfg.Summary == nil {
		return
	}
	var todo []*account
	for _, a := range accts {
		if a.needs && a.summary == "" {
			todo = append(todo, a)
		}
	}
	const workers = 4
	var wg sync.WaitGroup
	next := make(chan *account)
	for range min(workers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range next {
				a.summary = d.summaryOf(ctx, *a.acct)
			}
		}()
	}
	for _, a := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- a
	}
	close(next)
	wg.Wait()
}

// summaryOf calls the summary function with its timeout; a panic or a
// timeout costs the summary, never the digest.
func (d *Digester) summaryOf(ctx context.Context, acct kam.Account) (s string) {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("account summary panicked", "team", acct.TeamID, "account", acct.ID, "panic", fmt.Sprint(p))
			s = ""
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, d.cfg.SummaryTimeout)
	defer cancel()
	text, ok := d.cfg.Summary(ctx, acct)
	if !ok || ctx.Err() != nil {
		return ""
	}
	return strings.Join(strings.Fields(text), " ")
}

// plural is n with the word in the right number: "1 answer".
func plural(n int, one, many string) string { return format.Count(n, one, many) }
