package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// The qualification gate: an opportunity moves past qualified only with a
// go decision and its reason (go="…" or the form), and a no-go keeps its
// reason. Both stay in the stage history as the change's note.

// Form identifiers of the gate's modal.
const (
	gateCallbackID = "stage_gate"
	gateDecisionID = "gate_decision"
	gateReasonID   = "gate_reason"
)

// gateMeta is what the gate's form carries between opening and submission.
type gateMeta struct {
	Account     int64     `json:"a"`
	Opportunity int64     `json:"o"`
	To          kam.Stage `json:"to"`
}

// goOption takes go="<reason>" from the start or the end of the text after
// the stage.
func goOption(rest string) (reason, text string, err error) {
	v, text, found, err := logOption(rest, "go", `Put go="…" right after the stage or at the very end, e.g. `+
		"`/kam stage acme renewal pursuing go=\"Budget confirmed; we lead on service\"`.")
	if err != nil || !found {
		return "", text, err
	}
	reason, err = CheckText("The go reason", v, kam.MaxTextLen, false)
	if err == nil && reason == "" {
		err = kam.Errorf(kam.EINVALID, "Say why it is a go, e.g. `go=\"Budget confirmed; we lead on service\"`.")
	}
	return reason, text, err
}

// gate applies the qualification gate to a move of o to stage to. It
// returns the note to store, or a reply when the move waits for the
// decision form. Without the method the gate is off.
func (c *Call) gate(ctx context.Context, o kam.Opportunity, to kam.Stage, goReason, note string) (string, *Reply, error) {
	if c.method() == nil {
		if goReason != "" {
			return "", nil, kam.Errorf(kam.EINVALID, "go= is not available on this kambot — put the reason in the note.")
		}
		return note, nil, nil
	}
	a := c.Account
	switch {
	case kam.PastGate(o.Stage, to) && goReason != "":
		return joinNote(kam.GoNotePrefix+goReason, note), nil, nil
	case kam.PastGate(o.Stage, to):
		rep, err := c.openGate(ctx, o, to)
		return "", rep, err
	case goReason != "":
		return "", nil, kam.Errorf(kam.EINVALID, "go= is the decision at the qualification gate, from %s to %s or later — *%s* moves from %s to %s. Put the reason in the note instead.",
			kam.StageQualified, kam.StagePursuing, format.Mrkdwn(o.Name), o.Stage, to)
	case to == kam.StageNoGo && note == "":
		return "", nil, kam.Errorf(kam.EINVALID, "A no-go keeps its reason: `/kam stage %s \"%s\" no-go Budget frozen until 2027`.", a.Slug, show(o.Name, 40))
	}
	return note, nil, nil
}

// joinNote puts the decision first and the rest of the note after it.
func joinNote(decision, note string) string {
	if note == "" {
		return decision
	}
	return decision + " — " + note
}

// openGate opens the go/no-go form, or explains how to decide by typing.
func (c *Call) openGate(ctx context.Context, o kam.Opportunity, to kam.Stage) (*Reply, error) {
	a := c.Account
	typed := fmt.Sprintf("`/kam stage %s \"%s\" %s go=\"<why it is a go>\"`, or `/kam stage %s \"%s\" no-go <why not>`",
		a.Slug, show(o.Name, 40), to, a.Slug, show(o.Name, 40))
	refusal := kam.Errorf(kam.EINVALID, "Moving *%s* past qualified takes a go/no-go decision with its reason: %s.", format.Mrkdwn(o.Name), typed)
	if c.Views() == nil || c.Request.TriggerID == "" {
		return nil, refusal
	}
	if err := c.Views().OpenView(ctx, c.Request.TriggerID, gateModal(a, o, to)); err != nil {
		c.Logger().Warn("open the go/no-go form", "team", c.TeamID, "opportunity", o.ID, "err", err)
		return nil, refusal
	}
	return &Reply{Blocks: []slack.Block{section(fmt.Sprintf("*%s* is at the qualification gate — the go/no-go form is open. Nothing moves until you submit it.",
		format.Mrkdwn(o.Name)))}}, nil
}

// gateModal asks for the decision and its reason.
func gateModal(a kam.Account, o kam.Opportunity, to kam.Stage) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	goOpt := slack.NewOptionBlockObject("go", plain(fmt.Sprintf("Go — move it to %s", to)), nil)
	noOpt := slack.NewOptionBlockObject("no-go", plain("No-go — stop here"), nil)
	decision := slack.NewRadioButtonsBlockElement(gateDecisionID, goOpt, noOpt)
	reason := slack.NewPlainTextInputBlockElement(plain("Budget confirmed; we lead on service"), gateReasonID)
	reason.Multiline = true
	reason.MaxLength = kam.MaxTextLen
	meta, _ := json.Marshal(gateMeta{Account: a.ID, Opportunity: o.ID, To: to}) // plain values always marshal
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: gateCallbackID,
		Title:      plain("Go / no-go"),
		Submit:     plain("Decide"),
		Close:      plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("*%s* (%s) is %s. Before it is pursued: is it worth winning, can we win it, and is it right for the account?",
				format.Mrkdwn(o.Name), format.Mrkdwn(a.Name), o.Stage)),
			slack.NewInputBlock(gateDecisionID, plain("Decision"), nil, decision),
			slack.NewInputBlock(gateReasonID, plain("Reason"), plain("Kept in the stage history."), reason),
		}},
		PrivateMetadata: string(meta),
	}
}

// submitGateView moves the opportunity as decided: to the stage asked for
// on a go, to no-go otherwise, with the reason as the note.
func submitGateView(ctx context.Context, in *Interaction) (InteractionReply, error) {
	v := in.Callback.View
	var meta gateMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.Account <= 0 || meta.Opportunity <= 0 {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "This form is out of date — run `/kam stage` again.")
	}
	a, _, err := in.AccountByID(ctx, meta.Account, AccessTeam, "move opportunities")
	if err != nil {
		return InteractionReply{}, err
	}
	var decision, reason string
	if v.State != nil {
		decision = v.State.Values[gateDecisionID][gateDecisionID].SelectedOption.Value
		reason = v.State.Values[gateReasonID][gateReasonID].Value
	}
	bad := FieldErrors{}
	if decision != "go" && decision != "no-go" {
		bad[gateDecisionID] = "Pick go or no-go."
	}
	reason, err = CheckText("The reason", reason, kam.MaxTextLen, false)
	if err != nil {
		bad[gateReasonID] = clip(ErrorText(err), 150)
	} else if reason == "" {
		bad[gateReasonID] = "Say why — it stays in the stage history."
	}
	if len(bad) > 0 {
		return InteractionReply{}, bad
	}
	o, err := in.opportunityByID(ctx, a, meta.Opportunity)
	if err != nil {
		return InteractionReply{}, err
	}
	to, note := meta.To, kam.GoNotePrefix+reason
	if decision == "no-go" {
		to, note = kam.StageNoGo, reason
	}
	if !kam.PastGate(o.Stage, meta.To) {
		return InteractionReply{}, kam.Errorf(kam.ECONFLICT, "*%s* has moved on to %s since the form opened — nothing changed.", format.Mrkdwn(o.Name), o.Stage)
	}
	rep, err := in.moveOpportunity(ctx, a, o, to, note)
	if err != nil {
		return InteractionReply{}, err
	}
	return InteractionReply{Reply: &rep}, nil
}

// opportunityByID finds one of the account's opportunities.
func (a *Actor) opportunityByID(ctx context.Context, acct kam.Account, id int64) (kam.Opportunity, error) {
	opps, err := a.Store().Opportunities(ctx, a.TeamID, acct.ID, false)
	if err != nil {
		return kam.Opportunity{}, fmt.Errorf("opportunities of account %d: %w", acct.ID, err)
	}
	for _, o := range opps {
		if o.ID == id {
			return o, nil
		}
	}
	return kam.Opportunity{}, kam.Errorf(kam.ENOTFOUND, "That opportunity is no longer on %s — `/kam pipeline %s` lists them.", format.Mrkdwn(acct.Name), acct.Slug)
}

// derefReply is the reply a pointer holds, or none.
func derefReply(r *Reply) Reply {
	if r == nil {
		return Reply{}
	}
	return *r
}

// gateDetails explain the gate in /kam help stage.
const gateDetails = "\n*The qualification gate*: moving an opportunity from identified or qualified to pursuing or later takes a go decision " +
	"with its reason — `go=\"…\"` after the stage, or the go/no-go form when you leave it out; `no-go` takes its reason as the note. " +
	"Both stay in the stage history."

// velocityBlocks add the pipeline's velocity: median days per stage, win
// rate and average deal age.
func velocityBlocks(v kam.Velocity) []slack.Block {
	var stages []string
	for _, s := range kam.Stages {
		if d, ok := v.MedianDays[s]; ok {
			stages = append(stages, fmt.Sprintf("%s %s d (%d)", s, format.Points(d), v.Stays[s]))
		}
	}
	median := "no completed stage yet"
	if len(stages) > 0 {
		median = strings.Join(stages, " · ")
	}
	win := "none decided yet"
	if pct, ok := v.WinRate(); ok {
		win = fmt.Sprintf("%s (%d won, %d lost; %d no-go)", format.Percent(format.Round(pct, 0)), v.Won, v.Lost, v.NoGo)
	}
	age := "no open deals"
	if v.Open > 0 {
		age = fmt.Sprintf("%s days over %s", format.Points(format.Round(v.AvgAgeDays, 0)), format.Count(v.Open, "open deal", "open deals"))
	}
	return []slack.Block{fields(
		"*Median days per stage* (stays)\n"+median,
		"*Win rate*\n"+win,
		"*Average deal age*\n"+age,
	)}
}

// withVelocity adds the pipeline's velocity when the method is on: the
// median days per stage, the win rate and the average deal age of opps.
func (c *Call) withVelocity(ctx context.Context, blocks []slack.Block, opps []kam.Opportunity) (Reply, error) {
	if c.method() == nil || len(opps) == 0 {
		return Reply{Blocks: blocks}, nil
	}
	ids := make([]int64, len(opps))
	for i, o := range opps {
		ids[i] = o.ID
	}
	hist, err := c.method().StageHistories(ctx, c.TeamID, ids)
	if err != nil {
		return Reply{}, fmt.Errorf("pipeline velocity: %w", err)
	}
	v := kam.PipelineVelocity(opps, hist, c.Now)
	return Reply{Blocks: append(blocks, velocityBlocks(v)...)}, nil
}
