package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// The Home's buttons and forms. A click is checked before anything
// changes: its value must decode, name the clicking workspace and an
// account of it on which the user may do what the button does. The Home
// tab has no response_url, so a refusal is shown in a small modal.

// Callback IDs of the Home's forms.
const (
	homeViewLog   = "home.log"
	homeViewStage = "home.stage"
	homeViewPrefs = "home.prefs"
)

// maxHomeValue bounds a button value kambot wrote (Slack allows 2000).
const maxHomeValue = 200

func (h *Home) extension() Extension {
	return Extension{
		Actions: []ActionHandler{{Prefix: homeActionPrefix, Run: h.guard(h.click)}},
		Views: []ViewHandler{
			{CallbackID: homeViewLog, Run: h.submitLog},
			{CallbackID: homeViewStage, Run: h.submitStage},
			{CallbackID: homeViewPrefs, Run: h.submitPrefs},
		},
	}
}

// decodeHomeValue reads a value written by homeValue.encode; anything else
// is refused.
func decodeHomeValue(s string) (homeValue, error) {
	var v homeValue
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if len(s) > maxHomeValue || dec.Decode(&v) != nil || dec.More() || v.TeamID == "" || v.AccountID < 0 || v.Page < 0 {
		return homeValue{}, kam.Errorf(kam.EINVALID, "This button's data is garbled, so I did nothing. Reopen the Home tab and try again.")
	}
	return v, nil
}

// checkValue decodes a button or form value and checks it against the
// clicking workspace; with need, it loads the account and checks the
// user's right to do action on it.
func (h *Home) checkValue(ctx context.Context, in *Interaction, raw string, need Access, action string) (homeValue, kam.Account, error) {
	v, err := decodeHomeValue(raw)
	if err != nil {
		in.Logger().Warn("garbled home value", "team", in.TeamID, "user", in.UserID)
		return homeValue{}, kam.Account{}, err
	}
	if v.TeamID != in.TeamID {
		in.Logger().Warn("home value of another workspace", "team", in.TeamID, "value_team", v.TeamID, "user", in.UserID)
		return homeValue{}, kam.Account{}, kam.Errorf(kam.EUNAUTHORIZED, "This button belongs to another Slack workspace, so I did nothing.")
	}
	if v.AccountID == 0 {
		return v, kam.Account{}, nil
	}
	a, _, err := in.AccountByID(ctx, v.AccountID, need, action)
	return v, a, err
}

// guard shows a Home click's refusal or failure in a modal, since a Home
// click has nowhere else to answer.
func (h *Home) guard(run InteractionFunc) InteractionFunc {
	return func(ctx context.Context, in *Interaction) (InteractionReply, error) {
		rep, err := run(ctx, in)
		if err == nil {
			return rep, nil
		}
		if kam.ErrorCode(err) == kam.EINTERNAL {
			in.Logger().Error("home action failed", "team", in.TeamID, "user", in.UserID, "action", in.Action.ActionID, "err", err)
		}
		if in.Views() == nil || in.Callback.TriggerID == "" {
			return InteractionReply{}, err
		}
		if oerr := in.Views().OpenView(ctx, in.Callback.TriggerID, noticeModal(ErrorText(err))); oerr != nil {
			in.Logger().Warn("show home refusal", "team", in.TeamID, "err", oerr)
		}
		return InteractionReply{}, nil
	}
}

// noticeModal is a modal that only says something.
func noticeModal(mrkdwnText string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain("kambot"),
		Close:  plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(format.Guard(mrkdwnText))}},
	}
}

// click routes a Home button.
func (h *Home) click(ctx context.Context, in *Interaction) (InteractionReply, error) {
	id := in.Action.ActionID
	switch {
	case strings.HasPrefix(id, homeActPage):
		v, _, err := h.checkValue(ctx, in, in.Action.Value, AccessAnyone, "")
		if err != nil {
			return InteractionReply{}, err
		}
		return InteractionReply{}, h.Publish(ctx, in.TeamID, in.UserID, v.Page)
	case id == homeActPrefs:
		if _, _, err := h.checkValue(ctx, in, in.Action.Value, AccessAnyone, ""); err != nil {
			return InteractionReply{}, err
		}
		return InteractionReply{}, h.openPrefs(ctx, in)
	case id == homeActLog:
		return h.withAccount(ctx, in, AccessTeam, "log interactions", h.cfg.Modals.OpenLog)
	case id == homeActStage:
		return h.withAccount(ctx, in, AccessTeam, "move opportunities", h.cfg.Modals.OpenStage)
	case id == homeActCard:
		return h.withAccount(ctx, in, AccessTeamOrAdmin, "see the account card", h.openCard)
	case id == homeActBrief:
		return h.withAccount(ctx, in, AccessTeamOrAdmin, "ask for a brief", h.brief)
	}
	in.Logger().Warn("unknown home button", "team", in.TeamID, "action", id)
	return InteractionReply{}, nil
}

// withAccount checks an account button and runs open on its account.
func (h *Home) withAccount(ctx context.Context, in *Interaction, need Access, action string, open func(context.Context, *Interaction, kam.Account) error) (InteractionReply, error) {
	_, a, err := h.checkValue(ctx, in, in.Action.Value, need, action)
	if err != nil {
		return InteractionReply{}, err
	}
	return InteractionReply{}, open(ctx, in, a)
}

// openView opens a modal, or says what to type where none can open.
func openView(ctx context.Context, in *Interaction, v slack.ModalViewRequest, instead string) error {
	if in.Views() == nil || in.Callback.TriggerID == "" {
		return kam.Errorf(kam.EINVALID, "I can't open a form here — type `%s` instead.", instead)
	}
	if err := in.Views().OpenView(ctx, in.Callback.TriggerID, v); err != nil {
		in.Logger().Warn("open home form", "team", in.TeamID, "form", v.CallbackID, "err", err)
		return kam.Errorf(kam.EINVALID, "I couldn't open the form — type `%s` instead.", instead)
	}
	return nil
}

// openCard shows the account card in a modal.
func (h *Home) openCard(ctx context.Context, in *Interaction, a kam.Account) error {
	members, err := in.Store().Members(ctx, in.TeamID, a.ID)
	if err != nil {
		return fmt.Errorf("team of account %d: %w", a.ID, err)
	}
	ints, err := in.Store().Interactions(ctx, in.TeamID, a.ID, cardInteractions)
	if err != nil {
		return fmt.Errorf("interactions of account %d: %w", a.ID, err)
	}
	opps, err := in.Store().Opportunities(ctx, in.TeamID, a.ID, true)
	if err != nil {
		return fmt.Errorf("opportunities of account %d: %w", a.ID, err)
	}
	call := &Call{Actor: in.Actor}
	sections, _ := call.cardSections(ctx, a)
	card := enforceLimits(accountCard(a, members, ints, opps, sections, in.Actor), maxHomeBlocks)
	v := slack.ModalViewRequest{Type: slack.VTModal, Title: plain(clip(a.Name, 24)), Close: plain("Close"),
		Blocks: slack.Blocks{BlockSet: card}}
	return openView(ctx, in, v, "/kam show "+a.Slug)
}

// brief asks for the account's brief as /kam brief would and sends it by
// DM; a modal says it is on its way, or why not.
func (h *Home) brief(ctx context.Context, in *Interaction, a kam.Account) error {
	instead := "/kam brief " + a.Slug
	if h.cfg.DM == nil || h.e.lookup("brief") == nil {
		return kam.Errorf(kam.EINVALID, "Briefs from Home are not set up here — type `%s` instead.", instead)
	}
	req := Request{TeamID: in.TeamID, UserID: in.UserID, Text: "brief " + a.Slug}
	rep, err := h.e.Do(ctx, req)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("home-brief:%s:%d:%d", in.UserID, a.ID, in.Now.UnixMilli())
	if rep.Later == nil {
		return h.cfg.DM.SendDM(ctx, in.TeamID, in.UserID, key, rep.Text, rep.Blocks)
	}
	go func() {
		// The brief outlives the click: it takes up to half a minute.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		r := rep.Later(bctx)
		if err := h.cfg.DM.SendDM(bctx, in.TeamID, in.UserID, key, r.Text, r.Blocks); err != nil {
			in.Logger().Warn("send home brief", "team", in.TeamID, "account", a.ID, "err", err)
		}
	}()
	msg := fmt.Sprintf("Preparing the brief of *%s* — it arrives in your messages with kambot within 30 seconds.", format.Mrkdwn(a.Name))
	return openView(ctx, in, noticeModal(msg), instead)
}

// accountMeta is what the Home's account forms carry to their submission.
func accountMeta(teamID string, accountID int64) string {
	return homeValue{TeamID: teamID, AccountID: accountID}.encode()
}

// builtinModals are the Home's own log and stage forms.
type builtinModals struct{ h *Home }

// OpenLog opens the "Log an interaction" form: kind and summary, as the
// nudge's form.
func (m builtinModals) OpenLog(ctx context.Context, in *Interaction, a kam.Account) error {
	v := nudgeLogModal(clicked{account: a}, accountMeta(in.TeamID, a.ID))
	v.CallbackID = homeViewLog
	v.Blocks.BlockSet[0] = section(fmt.Sprintf("*%s*", format.Mrkdwn(a.Name)))
	return openView(ctx, in, v, "/kam log "+a.Slug+" call <what happened>")
}

// submitLog logs the interaction from the Home's form; bad input stays in
// the form, with nothing changed.
func (h *Home) submitLog(ctx context.Context, in *Interaction) (InteractionReply, error) {
	_, a, err := h.checkValue(ctx, in, in.Callback.View.PrivateMetadata, AccessTeam, "log interactions")
	if err != nil {
		return InteractionReply{}, err
	}
	kind, summary, err := readNudgeLogForm(in.Callback.View.State)
	if err != nil {
		return InteractionReply{}, err
	}
	it := kam.Interaction{TeamID: in.TeamID, AccountID: a.ID, UserID: in.UserID, Kind: kind, Summary: summary, At: in.Now,
		RequestID: in.Callback.TriggerID}
	echo := format.Mrkdwn(clip(strings.Join(strings.Fields(summary), " "), confirmSummaryLen))
	blocks := []slack.Block{section(fmt.Sprintf("%s logged %s with *%s*: %s", mention(in.UserID), kindPhrases[kind], format.Mrkdwn(a.Name), echo))}
	var post kam.Post[kam.Interaction]
	if postsToChannel(kind) {
		post = channelPost(&in.Actor, a, kam.Interaction.PostKey, func(kam.Interaction) []slack.Block { return blocks })
	}
	if err := in.Store().LogInteraction(ctx, &it, in.UserID, post); err != nil {
		if kam.ErrorCode(err) == kam.EINVALID {
			return InteractionReply{}, FieldErrors{nudgeSummaryBlock: clip(ErrorText(err), 150)}
		}
		return InteractionReply{}, fmt.Errorf("log interaction for account %d: %w", a.ID, err)
	}
	h.Invalidate(in.TeamID, []int64{a.ID})
	if post != nil {
		in.Wake()
	}
	return InteractionReply{}, nil
}

// Blocks of the stage form.
const (
	stageOppBlock   = "opportunity"
	stageStageBlock = "stage"
	stageNoteBlock  = "note"
)

// OpenStage opens the "Move stage" form: one of the account's open
// opportunities (at most 100, Slack's limit on options), the stage, a note.
func (m builtinModals) OpenStage(ctx context.Context, in *Interaction, a kam.Account) error {
	instead := fmt.Sprintf("/kam stage %s \"<opportunity>\" <stage>", a.Slug)
	opps, err := in.Store().Opportunities(ctx, in.TeamID, a.ID, true)
	if err != nil {
		return fmt.Errorf("opportunities of account %d: %w", a.ID, err)
	}
	if len(opps) == 0 {
		return kam.Errorf(kam.EINVALID, "*%s* has no open opportunity to move. Add one with `/kam opp %s add \"<name>\"`.", format.Mrkdwn(a.Name), a.Slug)
	}
	var oppOpts []*slack.OptionBlockObject
	for _, o := range opps[:min(len(opps), 100)] {
		label := clip(fmt.Sprintf("%s (%s)", o.Name, o.Stage), 75)
		oppOpts = append(oppOpts, slack.NewOptionBlockObject(strconv.FormatInt(o.ID, 10), plain(label), nil))
	}
	stageOpts := make([]*slack.OptionBlockObject, len(kam.Stages))
	for i, s := range kam.Stages {
		stageOpts[i] = slack.NewOptionBlockObject(string(s), plain(string(s)), nil)
	}
	note := slack.NewPlainTextInputBlockElement(plain("Why, what's next"), stageNoteBlock).WithMaxLength(kam.MaxSummaryLen)
	noteInput := slack.NewInputBlock(stageNoteBlock, plain("Note"), nil, note)
	noteInput.Optional = true
	v := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: homeViewStage, PrivateMetadata: accountMeta(in.TeamID, a.ID),
		Title: plain("Move stage"), Submit: plain("Move"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("*%s*", format.Mrkdwn(a.Name))),
			slack.NewInputBlock(stageOppBlock, plain("Opportunity"), nil, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick one"), stageOppBlock, oppOpts...)),
			slack.NewInputBlock(stageStageBlock, plain("New stage"), nil, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick one"), stageStageBlock, stageOpts...)),
			noteInput,
		}},
	}
	return openView(ctx, in, v, instead)
}

// submitStage moves the opportunity picked in the form and posts the move
// to the account channel, in one transaction.
func (h *Home) submitStage(ctx context.Context, in *Interaction) (InteractionReply, error) {
	_, a, err := h.checkValue(ctx, in, in.Callback.View.PrivateMetadata, AccessTeam, "move opportunities")
	if err != nil {
		return InteractionReply{}, err
	}
	o, to, note, err := readStageForm(ctx, in, a)
	if err != nil {
		return InteractionReply{}, err
	}
	bad := FieldErrors{}
	if note = in.gateNote(o, to, note, stageNoteBlock, bad); len(bad) > 0 {
		return InteractionReply{}, bad // the qualification gate
	}
	noteText := ""
	if note != "" {
		noteText = ": " + format.Mrkdwn(clip(strings.Join(strings.Fields(note), " "), confirmSummaryLen))
	}
	blocks := []slack.Block{section(fmt.Sprintf("%s moved *%s* (%s) from %s to *%s*%s",
		mention(in.UserID), format.Mrkdwn(o.Name), format.Mrkdwn(a.Name), o.Stage, to, noteText))}
	post := channelPost(&in.Actor, a, kam.StageChange.PostKey, func(kam.StageChange) []slack.Block { return blocks })
	if _, err := in.Store().MoveStage(ctx, in.TeamID, o.ID, to, in.UserID, note, in.Now, post); err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return InteractionReply{}, FieldErrors{stageStageBlock: clip(ErrorText(err), 150)}
		}
		return InteractionReply{}, fmt.Errorf("move opportunity %d to %s: %w", o.ID, to, err)
	}
	h.Invalidate(in.TeamID, []int64{a.ID})
	if post != nil {
		in.Wake()
	}
	return InteractionReply{}, nil
}

// readStageForm reads and checks the stage form against the account's
// opportunities as they are now.
func readStageForm(ctx context.Context, in *Interaction, a kam.Account) (kam.Opportunity, kam.Stage, string, error) {
	var oppID, stage, note string
	if st := in.Callback.View.State; st != nil {
		oppID = st.Values[stageOppBlock][stageOppBlock].SelectedOption.Value
		stage = st.Values[stageStageBlock][stageStageBlock].SelectedOption.Value
		note = st.Values[stageNoteBlock][stageNoteBlock].Value
	}
	bad := FieldErrors{}
	var o kam.Opportunity
	id, _ := strconv.ParseInt(oppID, 10, 64)
	opps, err := in.Store().Opportunities(ctx, in.TeamID, a.ID, true)
	if err != nil {
		return o, "", "", fmt.Errorf("opportunities of account %d: %w", a.ID, err)
	}
	for _, x := range opps {
		if x.ID == id {
			o = x
		}
	}
	if o.ID == 0 {
		bad[stageOppBlock] = "Pick one of the account's open opportunities."
	}
	to, err := parseStage(stage)
	switch {
	case err != nil:
		bad[stageStageBlock] = clip(ErrorText(err), 150)
	case o.ID != 0 && o.Stage == to:
		bad[stageStageBlock] = fmt.Sprintf("It is already %s — pick another stage.", to)
	}
	if note, err = CheckText("The note", note, kam.MaxSummaryLen, true); err != nil {
		bad[stageNoteBlock] = clip(ErrorText(err), 150)
	}
	if len(bad) > 0 {
		return o, "", "", bad
	}
	return o, to, note, nil
}
