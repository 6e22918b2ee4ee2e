package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Account briefs: /kam brief <account> drafts the executive sponsor's
// one-screen brief, /kam brief <account> review a note for the plan review
// (also offered by a button under /kam plan <account> review when a model
// is configured), and DigestSummary gives the weekly digest two sentences
// per account needing attention. The texts come from package brief, which
// falls back to a template from the same facts when no model is configured
// or the model fails.

// BriefDrafter drafts texts about one account from its facts;
// *brief.Drafter implements it.
type BriefDrafter interface {
	// Enabled reports whether a language model is configured.
	Enabled() bool
	// Brief drafts the sponsor's one-screen brief.
	Brief(ctx context.Context, f brief.Facts) brief.Result
	// Summary drafts two sentences for the weekly digest.
	Summary(ctx context.Context, f brief.Facts) brief.Result
	// ReviewNote drafts a note for the account plan review.
	ReviewNote(ctx context.Context, f brief.Facts) brief.Result
	// Template lays out kind k by the deterministic template, without the
	// model; reason is one of brief's Reason constants.
	Template(f brief.Facts, k brief.Kind, reason string) brief.Result
}

// DMSender sends a user a direct message from the app. Implementations
// queue it durably and deliver it in the background; key makes the message
// idempotent. DMVia adapts the outbox.
type DMSender interface {
	// SendDM queues text (the notification fallback) and blocks for the
	// user's direct messages with the app.
	SendDM(ctx context.Context, teamID, userID, key, text string, blocks []slack.Block) error
}

// DMVia makes a DMSender of a poster that takes a user ID as the channel,
// as the outbox does (chat.postMessage to a user ID posts in the app's DM
// with that user).
func DMVia(n Notifier) DMSender { return dmVia{n} }

type dmVia struct{ n Notifier }

func (d dmVia) SendDM(ctx context.Context, teamID, userID, key, text string, blocks []slack.Block) error {
	return d.n.Notify(ctx, teamID, userID, key, text, blocks)
}

// reviewNoteActionID is the action of the "Draft a review note" button;
// its value is the account ID.
const reviewNoteActionID = "brief:review-note"

// BriefLimits bounds the work of /kam brief under load. Zero fields take
// the defaults.
type BriefLimits struct {
	// FactsTimeout is how long the account's records may take to load and
	// still leave the model its time within Slack users' 30 s; records that
	// arrive later are laid out by the template without the model.
	// DefaultBriefFactsTimeout when ≤ 0.
	FactsTimeout time.Duration
	// FactsDeadline is how long a requester waits for the records at all,
	// queueing included; past it they are told kambot is busy.
	// DefaultBriefFactsDeadline when ≤ 0.
	FactsDeadline time.Duration
	// Loads is how many briefs may load records at once, process-wide; the
	// others queue in order of arrival. DefaultBriefLoads when ≤ 0.
	Loads int
}

// Defaults of BriefLimits.
const (
	// DefaultBriefFactsTimeout, with the drafter's own deadline, keeps a
	// model-drafted text within Slack users' 30 s.
	DefaultBriefFactsTimeout = 4 * time.Second
	// DefaultBriefFactsDeadline leaves the template time to arrive within 30 s.
	DefaultBriefFactsDeadline = 20 * time.Second
	// DefaultBriefLoads is a few more than the store's read connections:
	// more loads at once only share the same connections, so that every
	// one of them finishes late instead of most of them finishing early.
	DefaultBriefLoads = 8
)

// briefLease bounds how long one request holds its requester's slot: Later
// work that never runs (the transport gave up on the command) must not
// lock the user out of briefs for good. It is far longer than any brief.
const briefLease = 2 * time.Minute

// BriefExtension adds /kam brief, and, when d has a model, the "Draft a
// review note" button under /kam plan <account> review. dm, when not nil,
// delivers briefs too long for an ephemeral message (brief.Result.PreferDM)
// by direct message; without it (the console) they are shown in place.
// The default BriefLimits apply.
func BriefExtension(d BriefDrafter, dm DMSender) Extension {
	return BriefExtensionLimited(d, dm, BriefLimits{})
}

// BriefExtensionLimited is BriefExtension with the given limits.
func BriefExtensionLimited(d BriefDrafter, dm DMSender, l BriefLimits) Extension {
	if l.FactsTimeout <= 0 {
		l.FactsTimeout = DefaultBriefFactsTimeout
	}
	if l.FactsDeadline <= 0 {
		l.FactsDeadline = DefaultBriefFactsDeadline
	}
	l.FactsDeadline = max(l.FactsDeadline, l.FactsTimeout)
	if l.Loads <= 0 {
		l.Loads = DefaultBriefLoads
	}
	b := &briefer{d: d, dm: dm, lim: l, loads: make(chan struct{}, l.Loads), busy: map[string]briefSlot{}}
	x := Extension{Commands: []Command{b.command()}}
	if d.Enabled() {
		x.Actions = []ActionHandler{{Prefix: reviewNoteActionID, Run: b.reviewNoteAction}}
	}
	return x
}

// briefer runs /kam brief and the review-note button.
type briefer struct {
	d     BriefDrafter
	dm    DMSender
	lim   BriefLimits
	loads chan struct{} // a token per record load in progress

	mu   sync.Mutex
	seq  uint64
	busy map[string]briefSlot // by workspace and user: the brief in flight
}

// briefSlot is one requester's brief in flight.
type briefSlot struct {
	id    uint64
	until time.Time // the lease ends; see briefLease
}

// hold takes the requester's slot; false when a brief of theirs is still
// in flight. The lease runs on the wall clock, not the engine's, which
// tests may stop.
func (b *briefer) hold(teamID, userID string) (release func(), ok bool) {
	key := teamID + "/" + userID
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, held := b.busy[key]; held && now.Before(s.until) {
		return nil, false
	}
	b.seq++
	id := b.seq
	b.busy[key] = briefSlot{id: id, until: now.Add(briefLease)}
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		// A lease that ran out may have passed to a newer request.
		if b.busy[key].id == id {
			delete(b.busy, key)
		}
	}, true
}

func (b *briefer) command() Command {
	return Command{
		Name:    "brief",
		Usage:   "brief <account> [review] | brief mine",
		Summary: "A one-screen brief on the account before you meet the customer, sent privately to you.",
		Details: "The brief says where the relationship stands, who matters, what is in flight, the risks and three things to say, " +
			"from this account's records only: its card, health and alerts, stakeholders, latest interactions, open opportunities, plan and NPS. " +
			"It arrives within 30 seconds, visible only to you; a long brief comes by direct message.\n" +
			"*review* drafts a note for the account plan review instead: progress, what is behind plan, relationships and proposed next steps.\n" +
			"With a language model configured (OPENAI_API_KEY) the text is drafted by the model; otherwise, or when the model fails, " +
			"a template fills the same sections and says so. The executive sponsor, the account's team and admins may ask.\n" +
			"*mine* is the executive sponsor's portfolio: every account you sponsor, worst first, a paragraph each, " +
			"with what needs you personally (no touch from you this quarter, decision-makers nobody mirrors, your overdue tactics).",
		Examples: []string{"brief acme", `brief "Acme Corp"`, "brief acme review", "brief mine"},
		// The account is resolved in run, so that "mine" is not taken for
		// an account's name. The check there and brief.Authorize agree
		// (team, sponsor, owner, admins); Authorize runs again before any
		// record is read.
		Access: AccessAnyone,
		Action: "ask for a brief on the account",
		Run:    b.run,
	}
}

func (b *briefer) run(ctx context.Context, c *Call) (Reply, error) {
	first, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok || first.Key != "" {
		return Reply{}, c.Usage("Which account? Name it first, or `mine` for every account you sponsor")
	}
	if strings.EqualFold(first.Value, "mine") && !first.Quoted {
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		return sponsorPortfolio(ctx, c)
	}
	c.Account, c.Role, err = c.ResolveAccount(ctx, first.Value, AccessTeamOrAdmin, "ask for a brief on the account")
	if err != nil {
		return Reply{}, err
	}
	kind := brief.KindBrief
	tok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if ok {
		if tok.Key != "" || tok.Quoted || !strings.EqualFold(tok.Value, "review") {
			return Reply{}, c.Usage("Unexpected “%s” — quote names with spaces, e.g. \"Acme Corp\"; add `review` for a plan review note", show(tok.String(), 40))
		}
		kind = brief.KindReview
	}
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	return b.start(c.Actor, c.Account, c.Role, kind)
}

// start authorizes the user, acknowledges at once and leaves the drafting
// to Later, which the transport runs after the acknowledgement. A user
// with a brief still in flight in this workspace is asked to wait for it.
func (b *briefer) start(a Actor, acct kam.Account, role kam.Role, kind brief.Kind) (Reply, error) {
	if err := brief.Authorize(acct, a.UserID, role, a.Admin); err != nil {
		return Reply{}, err
	}
	release, ok := b.hold(a.TeamID, a.UserID)
	if !ok {
		return Reply{Blocks: []slack.Block{section(
			"A brief you asked for is still being prepared: it will arrive here, visible only to you. Ask for the next one once it has.")}}, nil
	}
	ack := brief.Drafting(acct)
	if kind == brief.KindReview {
		ack = fmt.Sprintf("Drafting a plan review note for *%s*… it will arrive here, visible only to you, within 30 seconds.", show(acct.Name, kam.MaxNameLen))
	}
	return Reply{
		Blocks: []slack.Block{section(ack)},
		Later: func(ctx context.Context) Reply {
			defer release()
			return b.deliver(ctx, a, acct, kind)
		},
	}, nil
}

// deliver drafts the text from the account's records and returns it, or
// sends it by DM when it is long and a DM sender is set. It never answers
// with an error for a slow load: records that arrive after FactsTimeout
// are laid out by the template, and records that do not arrive by
// FactsDeadline give a "busy, try again" reply.
func (b *briefer) deliver(ctx context.Context, a Actor, acct kam.Account, kind brief.Kind) Reply {
	f, late, err := b.loadFacts(ctx, a, acct)
	if err != nil {
		if errors.Is(err, errBriefBusy) {
			a.Logger().Warn("brief facts not loaded in time", "team", a.TeamID, "user", a.UserID, "account", acct.ID, "kind", kind, "err", err)
			return Reply{Blocks: []slack.Block{section(fmt.Sprintf(
				"Kambot is busy and could not gather *%s*'s records in time. Nothing was changed: try `/kam brief %s` again in a minute.",
				show(acct.Name, kam.MaxNameLen), acct.Slug))}}
		}
		if kam.ErrorCode(err) == kam.EINTERNAL {
			a.Logger().Error("load brief facts", "team", a.TeamID, "user", a.UserID, "account", acct.ID, "kind", kind, "err", err)
		}
		return errorReply(err)
	}
	var r brief.Result
	what := "brief"
	if kind == brief.KindReview {
		what = "plan review note"
	}
	switch {
	case late:
		// The model's time went on the records: the template answers now.
		r = b.d.Template(f, kind, brief.ReasonBusy)
	case kind == brief.KindReview:
		r = b.d.ReviewNote(ctx, f)
	default:
		r = b.d.Brief(ctx, f)
	}
	blocks := brief.Blocks(r)
	if r.PreferDM() && b.dm != nil {
		key := fmt.Sprintf("brief:%s:%d:%s:%d", kind, acct.ID, a.UserID, a.Now.UnixMilli())
		// Queued durably: a request cancelled now must not lose the DM.
		err := b.dm.SendDM(context.WithoutCancel(ctx), a.TeamID, a.UserID, key, format.Mrkdwn(r.Title), blocks)
		if err == nil {
			return Reply{Blocks: []slack.Block{section(fmt.Sprintf(
				"Sent you the %s on *%s* by direct message: it is long, and a DM keeps it.", what, show(acct.Name, kam.MaxNameLen)))}}
		}
		a.Logger().Warn("send brief by DM; showing it here instead", "team", a.TeamID, "user", a.UserID, "account", acct.ID, "err", err)
	}
	return Reply{Blocks: blocks}
}

// errBriefBusy is a load of brief facts that ran out of time, queueing
// included.
var errBriefBusy = errors.New("brief facts: busy")

// loadFacts loads the account's records once one of the process's load
// slots is free, within FactsDeadline. late reports that FactsTimeout had
// passed by the time they arrived.
func (b *briefer) loadFacts(ctx context.Context, a Actor, acct kam.Account) (f brief.Facts, late bool, err error) {
	soft := time.NewTimer(b.lim.FactsTimeout)
	defer soft.Stop()
	hctx, cancel := context.WithTimeout(ctx, b.lim.FactsDeadline)
	defer cancel()

	select {
	case b.loads <- struct{}{}:
	case <-hctx.Done():
		return brief.Facts{}, false, fmt.Errorf("%w: waiting for a load slot: %w", errBriefBusy, hctx.Err())
	}
	f, err = a.briefFacts(hctx, acct)
	<-b.loads
	if err != nil {
		if hctx.Err() != nil || kam.ErrorCode(err) == kam.EINTERNAL && isBusyErr(err) {
			return brief.Facts{}, false, fmt.Errorf("%w: %w", errBriefBusy, err)
		}
		return brief.Facts{}, false, err
	}
	select {
	case <-soft.C:
		late = true
	default:
	}
	return f, late, nil
}

// isBusyErr reports whether err is SQLite's "database is locked" or
// "database table is locked": load, not a fault.
func isBusyErr(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "database table is locked")
}

// reviewNoteAction answers the "Draft a review note" button.
func (b *briefer) reviewNoteAction(ctx context.Context, in *Interaction) (InteractionReply, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(in.Action.Value), 10, 64)
	if err != nil || id <= 0 {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "This button no longer works — type `/kam brief <account> review` for a drafted review note.")
	}
	acct, role, err := in.AccountByID(ctx, id, AccessTeamOrAdmin, "draft a review note for the account")
	if err != nil {
		return InteractionReply{}, err
	}
	rep, err := b.start(in.Actor, acct, role, brief.KindReview)
	if err != nil {
		return InteractionReply{}, err
	}
	return InteractionReply{Reply: &rep}, nil
}

// reviewNoteOffer is what /kam plan <account> review adds under its
// confirmation when review notes are drafted by a model: a button that
// drafts one. Nil when the brief extension is off or has no model.
func (a *Actor) reviewNoteOffer(acct kam.Account) []slack.Block {
	if !a.e.hasAction(reviewNoteActionID) {
		return nil
	}
	btn := slack.NewButtonBlockElement(reviewNoteActionID, strconv.FormatInt(acct.ID, 10), plain("Draft a review note"))
	return []slack.Block{
		slack.NewActionBlock("brief-review-note", btn),
		contextBlock(fmt.Sprintf("Drafted from %s's records by a language model, visible only to you · `/kam brief %s review` does the same",
			show(acct.Name, kam.MaxNameLen), acct.Slug)),
	}
}

// hasAction reports whether an action handler is registered under prefix.
func (e *Engine) hasAction(prefix string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, h := range e.actions {
		if h.Prefix == prefix {
			return true
		}
	}
	return false
}

// DigestSummary returns the weekly digest's summary function: two
// sentences on one account, drafted by the model from that account's
// records only (read in the account's own workspace). ok is false when no
// model is configured, the account's records cannot be read, or the model
// was not used (it failed, was slow or answered badly): the digest then
// goes without rather than showing template text as a summary.
func DigestSummary(e *Engine, d BriefDrafter) func(ctx context.Context, acct kam.Account) (string, bool) {
	return func(ctx context.Context, acct kam.Account) (string, bool) {
		if d == nil || !d.Enabled() {
			return "", false
		}
		return e.summarize(ctx, d, acct)
	}
}

// summarize drafts the digest summary of acct; "" and false unless the
// model wrote it.
func (e *Engine) summarize(ctx context.Context, d BriefDrafter, acct kam.Account) (string, bool) {
	a := e.actor(ctx, acct.TeamID, "")
	lctx, cancel := context.WithTimeout(ctx, DefaultBriefFactsTimeout)
	f, err := a.briefFacts(lctx, acct)
	cancel()
	if err != nil {
		e.log.Warn("digest summary: load facts", "team", acct.TeamID, "account", acct.ID, "err", err)
		return "", false
	}
	r := d.Summary(ctx, f)
	if !r.ByModel || len(r.Sections) == 0 {
		return "", false
	}
	s := strings.TrimSpace(r.Sections[0].Body)
	return s, s != ""
}
