package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// The forms of /kam stage <account> and /kam opp <account> add.
const (
	stageViewID = "kam_stage"
	oppViewID   = "kam_opp"

	fieldOpp   = "stage_opp"
	fieldStage = "stage_to"
	fieldNote  = "stage_note"

	fieldOppName  = "opp_name"
	fieldOppValue = "opp_value"
	fieldOppClose = "opp_close"
	fieldOppOwner = "opp_owner"
)

// openStageForm opens the form that moves one of the account's
// opportunities; opened is false when no form can be opened (or the
// account has no opportunity: the usage says how to add one).
func (c *Call) openStageForm(ctx context.Context) (Reply, bool) {
	if err := c.openStage(ctx, c.Request.TriggerID, c.Account); err != nil {
		return Reply{}, false
	}
	return Reply{Blocks: []slack.Block{contextBlock(fmt.Sprintf("The stage form is open for *%s*.", format.Mrkdwn(c.Account.Name)))}}, true
}

// openStage opens the stage form of acct. /kam stage <account> and the
// Home's *Move stage* button both open it; its submission applies the
// qualification gate. An account without opportunities gets an EINVALID
// error saying how to add one.
func (a *Actor) openStage(ctx context.Context, trigger string, acct kam.Account) error {
	if a.Views() == nil || trigger == "" {
		return errNoForm
	}
	opps, err := a.Store().Opportunities(ctx, a.TeamID, acct.ID, false)
	if err != nil {
		return fmt.Errorf("opportunities of account %d: %w", acct.ID, err)
	}
	if len(opps) == 0 {
		return kam.Errorf(kam.EINVALID, "*%s* has no opportunity to move. Add one with `/kam opp %s add \"<name>\"`.", format.Mrkdwn(acct.Name), acct.Slug)
	}
	if err := a.Views().OpenView(ctx, trigger, stageModal(acct, opps)); err != nil {
		a.Logger().Warn("open stage form", "team", a.TeamID, "account", acct.ID, "err", err)
		return fmt.Errorf("open the stage form of account %d: %w", acct.ID, err)
	}
	return nil
}

// stageModal lists the account's opportunities (open ones first, at most
// Slack's 100) and the stages.
func stageModal(a kam.Account, opps []kam.Opportunity) slack.ModalViewRequest {
	var open, closed []*slack.OptionBlockObject
	for _, o := range opps {
		opt := option(strconv.FormatInt(o.ID, 10), o.Name+" — "+string(o.Stage))
		if o.Stage.Open() {
			open = append(open, opt)
		} else {
			closed = append(closed, opt)
		}
	}
	oppOpts := append(open, closed...)[:min(maxOptions, len(open)+len(closed))]
	stages := make([]*slack.OptionBlockObject, len(kam.Stages))
	for i, s := range kam.Stages {
		stages[i] = option(string(s), string(s))
	}
	note := slack.NewPlainTextInputBlockElement(plain("Why it moved (the go reason past qualified; the reason of a no-go)"), fieldNote)
	note.Multiline, note.MaxLength = true, kam.MaxSummaryLen
	noteIn := slack.NewInputBlock(fieldNote, plain("Note"), nil, note)
	noteIn.Optional = true
	blocks := []slack.Block{
		section(fmt.Sprintf("Move an opportunity of *%s*. The move is posted to the account's channel.", format.Mrkdwn(a.Name))),
		slack.NewInputBlock(fieldOpp, plain("Opportunity"), nil,
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick an opportunity"), fieldOpp, oppOpts...)),
		slack.NewInputBlock(fieldStage, plain("New stage"), plain("identified → qualified → pursuing → closing → contracted → engaged; or no-go, lost"),
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick a stage"), fieldStage, stages...)),
		noteIn,
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: stageViewID,
		Title: plain("Move a stage"), Submit: plain("Move"), Close: plain("Cancel"),
		PrivateMetadata: formMeta{Account: a.ID}.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// formAccountOf loads the account of a pipeline form and checks the user
// may still do action on it.
func (a *Actor) formAccountOf(ctx context.Context, cb *slack.InteractionCallback, action string) (kam.Account, error) {
	meta, ok := readFormMeta(cb.View.PrivateMetadata)
	if !ok || meta.Account <= 0 {
		return kam.Account{}, staleForm()
	}
	acct, _, err := a.AccountByID(ctx, meta.Account, AccessTeam, action)
	return acct, err
}

// submitStage moves the opportunity the stage form names.
func submitStage(ctx context.Context, in *Interaction) (InteractionReply, error) {
	acct, err := in.formAccountOf(ctx, in.Callback, "move opportunities")
	if err != nil {
		return InteractionReply{}, err
	}
	st := formState(in.Callback)
	bad := FieldErrors{}
	opps, err := in.Store().Opportunities(ctx, in.TeamID, acct.ID, false)
	if err != nil {
		return InteractionReply{}, fmt.Errorf("opportunities of account %d: %w", acct.ID, err)
	}
	var o kam.Opportunity
	for _, x := range opps {
		if strconv.FormatInt(x.ID, 10) == st.selected(fieldOpp) {
			o = x
		}
	}
	if o.ID == 0 {
		bad[fieldOpp] = "Pick one of the account's opportunities."
	}
	to, err := parseStage(st.selected(fieldStage))
	switch {
	case err != nil:
		bad[fieldStage] = "Pick a stage."
	case o.ID != 0 && o.Stage == to:
		bad[fieldStage] = fmt.Sprintf("It is already %s — pick another stage.", to)
	}
	note, err := CheckText("The note", st.text(fieldNote), kam.MaxSummaryLen, true)
	if err != nil {
		bad[fieldNote] = fieldText(err)
	}
	if len(bad) == 0 {
		note = in.gateNote(o, to, note, fieldNote, bad)
	}
	if len(bad) > 0 {
		return InteractionReply{}, bad
	}
	msg, err := in.moveStage(ctx, acct, o, to, note)
	if err != nil {
		return InteractionReply{}, err
	}
	return InteractionReply{Ack: doneView("Stage moved", msg, fmt.Sprintf("`/kam pipeline %s` shows the pipeline.", acct.Slug))}, nil
}

// openOppForm opens the "Add opportunity" form; opened is false when no
// form can be opened.
func (c *Call) openOppForm(ctx context.Context) (Reply, bool) {
	if c.Views() == nil || c.Request.TriggerID == "" {
		return Reply{}, false
	}
	if err := c.Views().OpenView(ctx, c.Request.TriggerID, oppModal(c.Account, c.UserID)); err != nil {
		c.Logger().Warn("open opportunity form", "team", c.TeamID, "account", c.Account.ID, "err", err)
		return Reply{}, false
	}
	return Reply{Blocks: []slack.Block{contextBlock(fmt.Sprintf("The opportunity form is open for *%s*.", format.Mrkdwn(c.Account.Name)))}}, true
}

func oppModal(a kam.Account, owner string) slack.ModalViewRequest {
	name := slack.NewPlainTextInputBlockElement(plain("e.g. Renewal 2027"), fieldOppName)
	name.MaxLength = kam.MaxNameLen
	value := slack.NewPlainTextInputBlockElement(plain("250000, 250k or 1.2m"), fieldOppValue)
	valueIn := slack.NewInputBlock(fieldOppValue, plain("Value"), nil, value)
	valueIn.Optional = true
	closeIn := slack.NewInputBlock(fieldOppClose, plain("Expected close"), nil, slack.NewDatePickerBlockElement(fieldOppClose))
	closeIn.Optional = true
	who := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Owner"), fieldOppOwner)
	who.InitialUser = owner
	blocks := []slack.Block{
		section(fmt.Sprintf("Add an opportunity to *%s*'s pipeline. It starts as identified.", format.Mrkdwn(a.Name))),
		slack.NewInputBlock(fieldOppName, plain("Name"), nil, name),
		valueIn,
		closeIn,
		slack.NewInputBlock(fieldOppOwner, plain("Owner"), nil, who),
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: oppViewID,
		Title: plain("Add opportunity"), Submit: plain("Add"), Close: plain("Cancel"),
		PrivateMetadata: formMeta{Account: a.ID}.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// submitOpp adds the opportunity the form describes.
func submitOpp(ctx context.Context, in *Interaction) (InteractionReply, error) {
	acct, err := in.formAccountOf(ctx, in.Callback, "add opportunities")
	if err != nil {
		return InteractionReply{}, err
	}
	st := formState(in.Callback)
	bad := FieldErrors{}
	o := kam.Opportunity{TeamID: in.TeamID, AccountID: acct.ID, OwnerID: in.UserID, Stage: kam.StageIdentified, CreatedAt: in.Now}
	if o.Name, err = checkName("The opportunity name", st.text(fieldOppName)); err != nil {
		bad[fieldOppName] = fieldText(err)
	}
	if v := strings.TrimSpace(st.text(fieldOppValue)); v != "" {
		if o.Value, err = ParseMoney(v); err != nil {
			bad[fieldOppValue] = fieldText(err)
		}
	}
	if d := st.date(fieldOppClose); d != "" {
		if o.CloseDate, err = ParseDate(d); err != nil {
			bad[fieldOppClose] = fieldText(err)
		}
	}
	if u := st.get(fieldOppOwner).SelectedUser; u != "" {
		if o.OwnerID, err = in.User(ctx, Token{Value: "<@" + u + ">", Raw: "<@" + u + ">"}, ""); err != nil {
			bad[fieldOppOwner] = fieldText(err)
		}
	}
	if len(bad) > 0 {
		return InteractionReply{}, bad
	}
	msg, err := in.addOpportunity(ctx, acct, o)
	if kam.ErrorCode(err) == kam.ECONFLICT {
		return InteractionReply{}, FieldErrors{fieldOppName: fieldText(err)}
	}
	if err != nil {
		return InteractionReply{}, err
	}
	return InteractionReply{Ack: doneView("Opportunity added", msg, fmt.Sprintf("`/kam stage %s` moves it.", acct.Slug))}, nil
}

// gateNote applies the qualification gate to the stage form: past
// qualified the note is the go decision's reason, and a no-go keeps its
// reason; a missing reason is an error on the note's field. Both the
// stage form and the Home's "Move stage" form use it.
func (a *Actor) gateNote(o kam.Opportunity, to kam.Stage, note, field string, bad FieldErrors) string {
	if a.method() == nil {
		return note
	}
	switch {
	case kam.PastGate(o.Stage, to) && note == "":
		bad[field] = fmt.Sprintf("Moving past %s is a go decision: say why it is a go, e.g. Budget confirmed; we lead on service.", kam.StageQualified)
	case kam.PastGate(o.Stage, to):
		return kam.GoNotePrefix + note
	case to == kam.StageNoGo && note == "":
		bad[field] = "A no-go keeps its reason: say why, e.g. Budget frozen until 2027."
	}
	return note
}
