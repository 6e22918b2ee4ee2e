package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges"
)

// The nudge buttons. Every nudge the scheduler sends carries its controls
// (package nudges names their action IDs and payload): Mark reviewed, Log an
// interaction (a modal), Snooze… (1 day or 1 week), Snooze until… (a date)
// and Open account. A click is checked
// before anything changes: the payload must decode and name its own account,
// belong to the clicking workspace, match a nudge kambot queued, and the
// user must be on the account's team (any team member may open the
// account; admins off the team may only open it). A refused click changes
// nothing and gets an ephemeral explanation. After acting, the nudge
// message keeps its text and gains a line saying who did what.

// NudgeStore is what the nudge buttons and /kam nudges need of
// persistence; *store.DB implements it. Marks apply to a nudge's topic, for
// every recipient at once.
type NudgeStore interface {
	// NudgeRecord returns the queued nudge with the key; ENOTFOUND if none.
	NudgeRecord(ctx context.Context, teamID, key string) (kam.NudgeRecord, error)
	// NudgeMark returns what people did with a topic so far.
	NudgeMark(ctx context.Context, teamID string, t kam.NudgeTopic) (kam.NudgeMark, error)
	// HandleNudge marks a topic handled; when it already was, the existing
	// mark comes back with an ECONFLICT error and nothing changes.
	HandleNudge(ctx context.Context, teamID string, t kam.NudgeTopic, how, actor string) (kam.NudgeMark, error)
	// UnhandleNudge takes back a HandleNudge whose work then failed.
	UnhandleNudge(ctx context.Context, teamID string, t kam.NudgeTopic, actor string, at time.Time) error
	// CompleteTactic marks tactic number n of an account's plan done;
	// ECONFLICT when it already is, ENOTFOUND when there is none.
	CompleteTactic(ctx context.Context, teamID string, accountID int64, number int, actor string) (kam.Tactic, error)
	// SnoozeNudge snoozes a topic until the given time; when it is handled
	// or already snoozed, the existing mark comes back with an ECONFLICT
	// error and nothing changes.
	SnoozeNudge(ctx context.Context, teamID string, t kam.NudgeTopic, actor string, until time.Time) (kam.NudgeMark, error)
	// RecordPlanReview records a review of an account's plan, filling r.
	RecordPlanReview(ctx context.Context, r *kam.PlanReview, actor string) error
	// SurveyEveryDays is the workspace's survey cadence in days; 0: the default.
	SurveyEveryDays(ctx context.Context, teamID string) (int, error)
	// SetSurveyEveryDays sets it; 0 returns to the default.
	SetSurveyEveryDays(ctx context.Context, teamID string, days int, actor string) error
}

// NudgeConfig configures the nudge buttons and /kam nudges.
type NudgeConfig struct {
	// Store is required.
	Store NudgeStore
	// Snooze is how long "Snooze… 1 week" silences a nudge (7 days).
	Snooze time.Duration
	// HTTPClient posts the update of a nudge message after its "Log an
	// interaction" form is submitted, to the response_url of the click
	// that opened the form (default: 10 s timeout).
	HTTPClient *http.Client
	// SurveyEvery is the survey cadence of workspaces that set none, as
	// the scheduler uses it (kam.SurveyInterval).
	SurveyEvery time.Duration
	// Schedule describes when the sweep and the digest run, for /kam
	// nudges ("daily at 07:00 Europe/Zurich"); optional.
	Schedule string
}

// Limits of the "Log an interaction" form.
const (
	nudgeKindBlock    = "kind"
	nudgeSummaryBlock = "summary"
	// maxPrivateMetadata is Slack's limit on a modal's private_metadata.
	maxPrivateMetadata = 3000
	// nudgeEchoLen bounds the original nudge text the form carries, so
	// the message can be updated after the form is submitted.
	nudgeEchoLen = 1500
)

// NudgeExtension is what nudges add to the engine: the handlers of the
// nudge buttons and of the "Log an interaction" form, and /kam nudges.
func NudgeExtension(cfg NudgeConfig) Extension {
	if cfg.Store == nil {
		panic("commands: NudgeExtension needs a Store")
	}
	if cfg.Snooze <= 0 {
		cfg.Snooze = 7 * 24 * time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.SurveyEvery <= 0 {
		cfg.SurveyEvery = kam.SurveyInterval
	}
	h := &nudgeHandlers{cfg: cfg}
	return Extension{
		Commands: []Command{nudgesCommand(h)},
		Actions:  []ActionHandler{{Prefix: nudges.ActionPrefix, Run: h.click}},
		Views:    []ViewHandler{{CallbackID: nudges.ViewLog, Run: h.submitLog}},
	}
}

type nudgeHandlers struct {
	cfg NudgeConfig
}

// clicked is a nudge button click that passed every check.
type clicked struct {
	value   nudges.ButtonValue
	key     kam.NudgeKey
	account kam.Account
}

// check validates a nudge button payload for the user, before anything
// changes: the refusals are *kam.Error values meant for the user.
func (h *nudgeHandlers) check(ctx context.Context, in *Interaction, raw string, need Access, action string) (clicked, error) {
	v, k, err := nudges.DecodeButtonValue(raw)
	if err != nil {
		in.Logger().Warn("garbled nudge button", "team", in.TeamID, "user", in.UserID, "err", err)
		return clicked{}, kam.Errorf(kam.EINVALID, "This button's data is garbled, so I did nothing. Open the account with `/kam show <account>` instead.")
	}
	if v.TeamID != in.TeamID {
		in.Logger().Warn("nudge button of another workspace", "team", in.TeamID, "button_team", v.TeamID, "user", in.UserID)
		return clicked{}, kam.Errorf(kam.EUNAUTHORIZED, "This button belongs to another Slack workspace, so I did nothing.")
	}
	if _, err := h.cfg.Store.NudgeRecord(ctx, in.TeamID, v.Key); err != nil {
		return clicked{}, nudgeErr(err, "look up nudge %s", v.Key)
	}
	a, _, err := in.AccountByID(ctx, k.AccountID, need, action)
	if err != nil {
		return clicked{}, err
	}
	return clicked{value: v, key: k, account: a}, nil
}

// click answers the nudge buttons, menu and date picker.
func (h *nudgeHandlers) click(ctx context.Context, in *Interaction) (InteractionReply, error) {
	switch in.Action.ActionID {
	case nudges.ActionReview:
		return h.review(ctx, in)
	case nudges.ActionLog:
		return h.openLog(ctx, in)
	case nudges.ActionSnooze, nudges.ActionSnoozeFor, nudges.ActionSnoozeUntil:
		return h.snooze(ctx, in)
	case nudges.ActionOpen:
		return h.open(ctx, in)
	}
	in.Logger().Warn("unknown nudge button", "team", in.TeamID, "action", in.Action.ActionID)
	return InteractionReply{}, kam.Errorf(kam.EINVALID, "I don't know this button, so I did nothing. Open the account with `/kam show <account>` instead.")
}

// review is Mark reviewed: on a plan-review nudge it records a plan review,
// on a tactic nudge it ticks the tactic off; on any nudge it marks the
// topic handled.
func (h *nudgeHandlers) review(ctx context.Context, in *Interaction) (InteractionReply, error) {
	c, err := h.check(ctx, in, in.Action.Value, AccessTeam, "act on its reminders")
	if err != nil {
		return InteractionReply{}, err
	}
	// The mark is taken first, so two people clicking at once record one
	// review; it is taken back if the review cannot be recorded.
	m, err := h.cfg.Store.HandleNudge(ctx, in.TeamID, c.key.NudgeTopic, kam.HowReviewed, in.UserID)
	if err != nil {
		return InteractionReply{}, h.markRefusal(err, m, in.Now, in.Loc)
	}
	done := "marked this reviewed"
	switch c.key.Kind {
	case kam.NudgePlanReview:
		r := kam.PlanReview{TeamID: in.TeamID, AccountID: c.account.ID, Note: "Marked reviewed from a reminder."}
		if err := h.cfg.Store.RecordPlanReview(ctx, &r, in.UserID); err != nil {
			h.undo(ctx, in, c.key.NudgeTopic, m)
			return InteractionReply{}, nudgeErr(err, "record plan review of account %d", c.account.ID)
		}
		done = "marked the plan reviewed"
	case kam.NudgeTactic:
		if done, err = h.tacticDone(ctx, in, c); err != nil {
			h.undo(ctx, in, c.key.NudgeTopic, m)
			return InteractionReply{}, err
		}
	}
	blocks := nudgeDone(nudgeOriginal(in.Callback), c.value, fmt.Sprintf(":white_check_mark: %s %s · %s", mention(in.UserID), done, dateText(in.Now, in.WorkspaceLoc())), true)
	return InteractionReply{Reply: &Reply{Blocks: blocks, InChannel: true}, ReplaceOriginal: true}, nil
}

// tacticDone ticks off the tactic a tactic nudge is about and says what
// happened. A tactic already done or since removed still lets the reminder
// be marked reviewed: there is nothing left to remind of.
func (h *nudgeHandlers) tacticDone(ctx context.Context, in *Interaction, c clicked) (string, error) {
	n, err := strconv.Atoi(c.key.Item)
	if err != nil || n <= 0 {
		return "", kam.Errorf(kam.EINVALID, "This button's data is garbled, so I did nothing. Mark the tactic done with `/kam plan %s done <n>` instead.", c.account.Slug)
	}
	t, err := h.cfg.Store.CompleteTactic(ctx, in.TeamID, c.account.ID, n, in.UserID)
	switch kam.ErrorCode(err) {
	case "":
		return fmt.Sprintf("marked this reviewed and ticked off tactic %d “%s”", n, show(t.Text, confirmSummaryLen)), nil
	case kam.ECONFLICT:
		return fmt.Sprintf("marked this reviewed (tactic %d was already done)", n), nil
	case kam.ENOTFOUND:
		return fmt.Sprintf("marked this reviewed (tactic %d is no longer in the plan)", n), nil
	}
	return "", nudgeErr(err, "complete tactic %d of account %d", n, c.account.ID)
}

// snooze silences a nudge: the legacy Snooze a week button, the "Snooze…"
// menu (1 day, 1 week) or the "Snooze until…" date picker. The menu and the
// picker carry no nudge value of their own; they act on the nudge of the
// buttons beside them, checked like any click.
func (h *nudgeHandlers) snooze(ctx context.Context, in *Interaction) (InteractionReply, error) {
	raw := in.Action.Value
	if in.Action.ActionID != nudges.ActionSnooze {
		raw = nudges.SiblingValue(nudgeOriginal(in.Callback), in.Action.BlockID)
	}
	c, err := h.check(ctx, in, raw, AccessTeam, "act on its reminders")
	if err != nil {
		return InteractionReply{}, err
	}
	until, err := h.snoozeUntil(in)
	if err != nil {
		return InteractionReply{}, err
	}
	m, err := h.cfg.Store.SnoozeNudge(ctx, in.TeamID, c.key.NudgeTopic, in.UserID, until)
	if err != nil {
		return InteractionReply{}, h.markRefusal(err, m, in.Now, in.Loc)
	}
	line := fmt.Sprintf(":zzz: %s snoozed this until %s", mention(in.UserID), dateText(m.SnoozedUntil, in.WorkspaceLoc()))
	blocks := nudgeDone(nudgeOriginal(in.Callback), c.value, line, false)
	return InteractionReply{Reply: &Reply{Blocks: blocks, InChannel: true}, ReplaceOriginal: true}, nil
}

// maxSnooze bounds a snooze to a date.
const maxSnooze = 366 * 24 * time.Hour

// snoozeUntil is when the clicked snooze control ends the snooze. A date
// is snoozed until its start (UTC), so the reminder comes back that day.
func (h *nudgeHandlers) snoozeUntil(in *Interaction) (time.Time, error) {
	switch in.Action.ActionID {
	case nudges.ActionSnooze:
		return in.Now.Add(h.cfg.Snooze), nil
	case nudges.ActionSnoozeFor:
		switch in.Action.SelectedOption.Value {
		case nudges.SnoozeDay:
			return in.Now.Add(24 * time.Hour), nil
		case nudges.SnoozeWeek:
			return in.Now.Add(h.cfg.Snooze), nil
		}
		return time.Time{}, kam.Errorf(kam.EINVALID, "I don't know this snooze, so I did nothing. Pick 1 day, 1 week or a date.")
	}
	d, err := time.ParseInLocation(time.DateOnly, in.Action.SelectedDate, time.UTC)
	if err != nil || !d.After(in.Now) || d.Sub(in.Now) > maxSnooze {
		return time.Time{}, kam.Errorf(kam.EINVALID, "Pick a day after today and within a year to snooze until — nothing changed.")
	}
	return d, nil
}

// open is Open account: the account card, for the clicker only.
func (h *nudgeHandlers) open(ctx context.Context, in *Interaction) (InteractionReply, error) {
	c, err := h.check(ctx, in, in.Action.Value, AccessTeamOrAdmin, "see the account card")
	if err != nil {
		return InteractionReply{}, err
	}
	a := c.account
	members, err := in.Store().Members(ctx, in.TeamID, a.ID)
	if err != nil {
		return InteractionReply{}, fmt.Errorf("team of account %d: %w", a.ID, err)
	}
	ints, err := in.Store().Interactions(ctx, in.TeamID, a.ID, cardInteractions)
	if err != nil {
		return InteractionReply{}, fmt.Errorf("interactions of account %d: %w", a.ID, err)
	}
	opps, err := in.Store().Opportunities(ctx, in.TeamID, a.ID, true)
	if err != nil {
		return InteractionReply{}, fmt.Errorf("opportunities of account %d: %w", a.ID, err)
	}
	call := &Call{Actor: in.Actor}
	extra, _ := call.cardSections(ctx, a)
	return InteractionReply{Reply: &Reply{Blocks: accountCard(a, members, ints, opps, extra, in.Actor)}}, nil
}

// logMeta is what the "Log an interaction" form carries to its submission.
type logMeta struct {
	Value       string `json:"v"`           // the button's value, checked again on submission
	ResponseURL string `json:"r,omitempty"` // of the click, to update the nudge message
	Echo        string `json:"s,omitempty"` // the nudge's first section, for that update
}

// openLog opens the "Log an interaction" form. The trigger lasts three
// seconds, so the checks before it are a few indexed reads.
func (h *nudgeHandlers) openLog(ctx context.Context, in *Interaction) (InteractionReply, error) {
	c, err := h.check(ctx, in, in.Action.Value, AccessTeam, "log interactions")
	if err != nil {
		return InteractionReply{}, err
	}
	if m, err := h.cfg.Store.NudgeMark(ctx, in.TeamID, c.key.NudgeTopic); err != nil {
		return InteractionReply{}, fmt.Errorf("read nudge mark: %w", err)
	} else if m.Handled() {
		return InteractionReply{}, h.handledRefusal(m, in.Now, in.Loc)
	}
	if in.Views() == nil || in.Callback.TriggerID == "" {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "I can't open a form here — type `/kam log %s call <what happened>` instead.", c.account.Slug)
	}
	meta := logMeta{Value: in.Action.Value, ResponseURL: in.Callback.ResponseURL, Echo: clip(nudgeFirstSection(nudgeOriginal(in.Callback)), nudgeEchoLen)}
	raw, _ := json.Marshal(meta) // strings always marshal
	if len(raw) > maxPrivateMetadata {
		meta.Echo = ""
		raw, _ = json.Marshal(meta)
	}
	if err := in.Views().OpenView(ctx, in.Callback.TriggerID, nudgeLogModal(c, string(raw))); err != nil {
		in.Logger().Warn("open nudge log form", "team", in.TeamID, "account", c.account.ID, "err", err)
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "I couldn't open the form — type `/kam log %s call <what happened>` instead.", c.account.Slug)
	}
	return InteractionReply{}, nil
}

// nudgeLogModal is the "Log an interaction" form of a nudge.
func nudgeLogModal(c clicked, meta string) slack.ModalViewRequest {
	opts := make([]*slack.OptionBlockObject, 0, len(kam.InteractionKinds))
	var initial *slack.OptionBlockObject
	for _, k := range kam.InteractionKinds {
		o := slack.NewOptionBlockObject(string(k), plain(string(k)), nil)
		if k == kam.KindCall {
			initial = o
		}
		opts = append(opts, o)
	}
	kind := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Kind of touch"), nudgeKindBlock, opts...)
	kind.InitialOption = initial
	summary := slack.NewPlainTextInputBlockElement(plain("What happened, and what's next?"), nudgeSummaryBlock).WithMaxLength(kam.MaxSummaryLen)
	summary.Multiline = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      nudges.ViewLog,
		Title:           plain("Log an interaction"),
		Submit:          plain("Log it"),
		Close:           plain("Cancel"),
		PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("*%s* — %s", format.Mrkdwn(c.account.Name), strings.ToLower(c.key.Kind.Title()))),
			slack.NewInputBlock(nudgeKindBlock, plain("Kind"), nil, kind),
			slack.NewInputBlock(nudgeSummaryBlock, plain("Summary"), nil, summary),
			contextBlock("A note is internal and does not count as contact with the customer."),
		}},
	}
}

// submitLog logs the interaction from the form, marks the nudge handled
// and updates the nudge message. Bad input stays in the form as field
// errors, with nothing changed.
func (h *nudgeHandlers) submitLog(ctx context.Context, in *Interaction) (InteractionReply, error) {
	view := in.Callback.View
	var meta logMeta
	if err := json.Unmarshal([]byte(view.PrivateMetadata), &meta); err != nil || meta.Value == "" {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "This form is out of date, so I logged nothing. Type `/kam log <account> call <what happened>` instead.")
	}
	c, err := h.check(ctx, in, meta.Value, AccessTeam, "log interactions")
	if err != nil {
		return InteractionReply{}, err
	}
	kind, summary, err := readNudgeLogForm(view.State)
	if err != nil {
		return InteractionReply{}, err
	}
	a := c.account
	// Someone may have handled the nudge while the form was open; the
	// interaction is still worth keeping, the mark stays theirs.
	m, err := h.cfg.Store.HandleNudge(ctx, in.TeamID, c.key.NudgeTopic, kam.HowLogged, in.UserID)
	claimed := err == nil
	if err != nil && kam.ErrorCode(err) != kam.ECONFLICT {
		return InteractionReply{}, nudgeErr(err, "handle nudge %s", c.value.Key)
	}
	it := kam.Interaction{TeamID: in.TeamID, AccountID: a.ID, UserID: in.UserID, Kind: kind, Summary: summary, At: in.Now,
		RequestID: in.Callback.TriggerID}
	echo := format.Mrkdwn(clip(strings.Join(strings.Fields(summary), " "), confirmSummaryLen))
	postBlocks := []slack.Block{section(fmt.Sprintf("%s logged %s with *%s*: %s", mention(in.UserID), kindPhrases[kind], format.Mrkdwn(a.Name), echo))}
	post := channelPost(&in.Actor, a, kam.Interaction.PostKey, func(kam.Interaction) []slack.Block { return postBlocks })
	if err := in.Store().LogInteraction(ctx, &it, in.UserID, post); err != nil {
		if claimed {
			h.undo(ctx, in, c.key.NudgeTopic, m)
		}
		if kam.ErrorCode(err) == kam.EINVALID {
			return InteractionReply{}, FieldErrors{nudgeSummaryBlock: clip(ErrorText(err), 150)}
		}
		return InteractionReply{}, nudgeErr(err, "log interaction for account %d", a.ID)
	}
	if post != nil {
		in.Wake()
	}
	if meta.ResponseURL != "" {
		var orig []slack.Block
		if meta.Echo != "" {
			orig = []slack.Block{section(meta.Echo)}
		} else {
			orig = []slack.Block{section(fmt.Sprintf("*%s — %s*", c.key.Kind.Title(), format.Mrkdwn(a.Name)))}
		}
		line := fmt.Sprintf(":white_check_mark: %s logged %s · %s", mention(in.UserID), kindPhrases[kind], dateText(in.Now, in.WorkspaceLoc()))
		h.updateMessage(ctx, in, meta.ResponseURL, nudgeDone(orig, c.value, line, true))
	}
	return InteractionReply{}, nil
}

// readNudgeLogForm reads and checks the form's fields.
func readNudgeLogForm(state *slack.ViewState) (kam.InteractionKind, string, error) {
	bad := FieldErrors{}
	var kindValue, summary string
	if state != nil {
		kindValue = state.Values[nudgeKindBlock][nudgeKindBlock].SelectedOption.Value
		summary = state.Values[nudgeSummaryBlock][nudgeSummaryBlock].Value
	}
	kind, err := ParseEnum("kind", kindValue, kam.InteractionKinds)
	if err != nil {
		bad[nudgeKindBlock] = clip(ErrorText(err), 150)
	}
	summary, err = CheckText("The summary", summary, kam.MaxSummaryLen, true)
	switch {
	case err != nil:
		bad[nudgeSummaryBlock] = clip(ErrorText(err), 150)
	case summary == "":
		bad[nudgeSummaryBlock] = "Say what happened, e.g. “Called their CFO about the renewal”."
	}
	if len(bad) > 0 {
		return "", "", bad
	}
	return kind, summary, nil
}

// updateMessage replaces the nudge message through a response_url. A
// failure is logged: the work it reports is done.
func (h *nudgeHandlers) updateMessage(ctx context.Context, in *Interaction, url string, blocks []slack.Block) {
	msg := &slack.WebhookMessage{Text: format.Fallback(blocks), Blocks: &slack.Blocks{BlockSet: blocks}, ResponseType: "in_channel", ReplaceOriginal: true}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := slack.PostWebhookCustomHTTPContext(ctx, url, h.cfg.HTTPClient, msg); err != nil {
		// The URL is a bearer capability: it is not logged.
		in.Logger().Warn("update nudge message after the form", "team", in.TeamID, "err", err)
	}
}

// undo takes back a mark whose work failed; a failure is logged, since the
// worse outcome — a nudge marked handled without the work — is rare and
// visible in the audit log.
func (h *nudgeHandlers) undo(ctx context.Context, in *Interaction, t kam.NudgeTopic, m kam.NudgeMark) {
	if err := h.cfg.Store.UnhandleNudge(context.WithoutCancel(ctx), in.TeamID, t, in.UserID, m.HandledAt); err != nil {
		in.Logger().Error("take back nudge mark", "team", in.TeamID, "account", t.AccountID, "kind", t.Kind, "err", err)
	}
}

// markRefusal explains a conflict of HandleNudge or SnoozeNudge from the
// mark that is there; other errors pass through.
func (h *nudgeHandlers) markRefusal(err error, m kam.NudgeMark, now time.Time, loc *time.Location) error {
	if kam.ErrorCode(err) != kam.ECONFLICT {
		return nudgeErr(err, "mark nudge")
	}
	if m.Handled() {
		return h.handledRefusal(m, now, loc)
	}
	if m.Snoozed(now) {
		return kam.Errorf(kam.ECONFLICT, "%s already snoozed this reminder until %s — nothing changed.", mention(m.SnoozedBy), dateText(m.SnoozedUntil, loc))
	}
	return err
}

func (h *nudgeHandlers) handledRefusal(m kam.NudgeMark, now time.Time, loc *time.Location) error {
	did := "handled it"
	switch m.HandledHow {
	case kam.HowReviewed:
		did = "marked it reviewed"
	case kam.HowLogged:
		did = "logged an interaction for it"
	}
	return kam.Errorf(kam.ECONFLICT, "This reminder is already taken care of: %s %s %s — nothing changed.", mention(m.HandledBy), did, dateText(m.HandledAt, loc))
}

// nudgeOriginal are the blocks of the message that holds the clicked
// button, when Slack sent them.
func nudgeOriginal(cb *slack.InteractionCallback) []slack.Block {
	if cb == nil {
		return nil
	}
	return cb.Message.Blocks.BlockSet
}

// nudgeFirstSection is the mrkdwn of the first section block: a nudge's heading
// and fact.
func nudgeFirstSection(blocks []slack.Block) string {
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			return s.Text.Text
		}
	}
	return ""
}

// nudgeDone is the nudge message after someone acted: the original blocks
// (the reminder's text, and what was done before) with a line added saying
// who did what. A handled nudge keeps only its Open
// account button; a snoozed one keeps all of them.
func nudgeDone(orig []slack.Block, v nudges.ButtonValue, line string, handled bool) []slack.Block {
	out := make([]slack.Block, 0, len(orig)+2)
	var actions slack.Block
	lines := 0
	for _, b := range orig {
		if b.BlockType() == slack.MBTAction {
			if handled {
				continue
			}
			actions = b
			continue
		}
		// Earlier "who did what" lines stay: the message keeps its history.
		if c, ok := b.(*slack.ContextBlock); ok && strings.HasPrefix(c.BlockID, nudgeDoneBlock) {
			lines++
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		out = append(out, section("*Reminder*"))
	}
	done := contextBlock(line)
	// A block_id is unique within a message.
	done.BlockID = nudgeDoneBlock
	if lines > 0 {
		done.BlockID = fmt.Sprintf("%s.%d", nudgeDoneBlock, lines+1)
	}
	out = append(out, done)
	if handled {
		val := v.Encode()
		open := slack.NewButtonBlockElement(nudges.ActionOpen, val, plain("Open account"))
		out = append(out, slack.NewActionBlock(nudges.BlockID, open))
	} else if actions != nil {
		out = append(out, actions)
	} else {
		out = append(out, nudges.Buttons(v))
	}
	return out
}

// nudgeDoneBlock is the block_id of the "who did what" line.
const nudgeDoneBlock = "nudge.done"

// nudgeErr passes a *kam.Error through and wraps anything else with what
// was being done, for the log.
func nudgeErr(err error, format string, args ...any) error {
	if err == nil || kam.ErrorCode(err) != kam.EINTERNAL {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
