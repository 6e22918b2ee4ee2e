package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Callback IDs of the Home's own form (the schedule), and of the log and
// stage forms the Home had before it opened the shared ones.
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
			{CallbackID: homeViewLog, Run: retiredForm},
			{CallbackID: homeViewStage, Run: retiredForm},
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

// sharedForms opens, from the Home's buttons, the log and stage forms that
// /kam log <account>, /kam stage <account> and the shortcuts open: one
// form each, one submission path that checks the workspace, the user's
// rights and every field again.
type sharedForms struct{}

// OpenLog opens the log form with the account chosen.
func (sharedForms) OpenLog(ctx context.Context, in *Interaction, a kam.Account) error {
	return formOpened(in, in.openLog(ctx, in.Callback.TriggerID, a, ""), "/kam log "+a.Slug+" call <what happened>")
}

// OpenStage opens the stage form of the account.
func (sharedForms) OpenStage(ctx context.Context, in *Interaction, a kam.Account) error {
	return formOpened(in, in.openStage(ctx, in.Callback.TriggerID, a), fmt.Sprintf("/kam stage %s \"<opportunity>\" <stage>", a.Slug))
}

// formOpened words a form that did not open as what to type instead; a
// refusal (an account without opportunities) is shown as it is.
func formOpened(in *Interaction, err error, instead string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNoForm):
		return kam.Errorf(kam.EINVALID, "I can't open a form here — type `%s` instead.", instead)
	case kam.ErrorCode(err) == kam.EINVALID:
		return err
	}
	in.Logger().Warn("open home form", "team", in.TeamID, "user", in.UserID, "err", err)
	return kam.Errorf(kam.EINVALID, "I couldn't open the form — type `%s` instead.", instead)
}

// retiredForm answers the submission of a Home form of an earlier version
// (the Home now opens the shared forms): nothing changes, and the user is
// told to open the form again.
func retiredForm(context.Context, *Interaction) (InteractionReply, error) {
	return InteractionReply{}, staleForm()
}
