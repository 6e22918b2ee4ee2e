package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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

// briefFactsTimeout bounds the loading of an account's records, so that
// with the drafter's own deadline the text arrives within Slack users' 30 s.
const briefFactsTimeout = 4 * time.Second

// BriefExtension adds /kam brief, and, when d has a model, the "Draft a
// review note" button under /kam plan <account> review. dm, when not nil,
// delivers briefs too long for an ephemeral message (brief.Result.PreferDM)
// by direct message; without it (the console) they are shown in place.
func BriefExtension(d BriefDrafter, dm DMSender) Extension {
	b := &briefer{d: d, dm: dm}
	x := Extension{Commands: []Command{b.command()}}
	if d.Enabled() {
		x.Actions = []ActionHandler{{Prefix: reviewNoteActionID, Run: b.reviewNoteAction}}
	}
	return x
}

// briefer runs /kam brief and the review-note button.
type briefer struct {
	d  BriefDrafter
	dm DMSender
}

func (b *briefer) command() Command {
	return Command{
		Name:    "brief",
		Usage:   "brief <account> [review]",
		Summary: "A one-screen brief on the account before you meet the customer, sent privately to you.",
		Details: "The brief says where the relationship stands, who matters, what is in flight, the risks and three things to say, " +
			"from this account's records only: its card, health and alerts, stakeholders, latest interactions, open opportunities, plan and NPS. " +
			"It arrives within 30 seconds, visible only to you; a long brief comes by direct message.\n" +
			"*review* drafts a note for the account plan review instead: progress, what is behind plan, relationships and proposed next steps.\n" +
			"With a language model configured (OPENAI_API_KEY) the text is drafted by the model; otherwise, or when the model fails, " +
			"a template fills the same sections and says so. The executive sponsor, the account's team and admins may ask.",
		Examples: []string{"brief acme", `brief "Acme Corp"`, "brief acme review"},
		// The engine's check and brief.Authorize agree (team, sponsor,
		// owner, admins); Authorize runs again before any record is read.
		Access:  AccessTeamOrAdmin,
		Account: true,
		Action:  "ask for a brief on the account",
		Run:     b.run,
	}
}

func (b *briefer) run(_ context.Context, c *Call) (Reply, error) {
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
// to Later, which the transport runs after the acknowledgement.
func (b *briefer) start(a Actor, acct kam.Account, role kam.Role, kind brief.Kind) (Reply, error) {
	if err := brief.Authorize(acct, a.UserID, role, a.Admin); err != nil {
		return Reply{}, err
	}
	ack := brief.Drafting(acct)
	if kind == brief.KindReview {
		ack = fmt.Sprintf("Drafting a plan review note for *%s*… it will arrive here, visible only to you, within 30 seconds.", show(acct.Name, kam.MaxNameLen))
	}
	return Reply{
		Blocks: []slack.Block{section(ack)},
		Later:  func(ctx context.Context) Reply { return b.deliver(ctx, a, acct, kind) },
	}, nil
}

// deliver drafts the text from the account's records and returns it, or
// sends it by DM when it is long and a DM sender is set.
func (b *briefer) deliver(ctx context.Context, a Actor, acct kam.Account, kind brief.Kind) Reply {
	lctx, cancel := context.WithTimeout(ctx, briefFactsTimeout)
	f, err := a.briefFacts(lctx, acct)
	cancel()
	if err != nil {
		if kam.ErrorCode(err) == kam.EINTERNAL {
			a.Logger().Error("load brief facts", "team", a.TeamID, "user", a.UserID, "account", acct.ID, "kind", kind, "err", err)
		}
		return errorReply(err)
	}
	var r brief.Result
	what := "brief"
	if kind == brief.KindReview {
		r, what = b.d.ReviewNote(ctx, f), "plan review note"
	} else {
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
	lctx, cancel := context.WithTimeout(ctx, briefFactsTimeout)
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
