package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// The card's menu on an interaction, and the forms it opens.
const (
	interactionMenu = "ix:menu" // action_id; option values "edit:<id>", "delete:<id>"
	deleteViewID    = "kam_log_delete"
)

// mayEdit reports whether the user may edit or delete an interaction: its
// author while on the account's team, the account's KAM, or an admin.
func (a *Actor) mayEdit(acct kam.Account, role kam.Role, it kam.Interaction) bool {
	return a.Admin || role == kam.RoleKAM || acct.OwnerID == a.UserID || (it.UserID == a.UserID && role != "")
}

// editable loads an interaction of the workspace with its account and
// checks that the user may change it.
func (a *Actor) editable(ctx context.Context, id int64) (kam.Interaction, kam.Account, error) {
	it, err := a.Store().Interaction(ctx, a.TeamID, id)
	if kam.ErrorCode(err) == kam.ENOTFOUND {
		return it, kam.Account{}, kam.Errorf(kam.ENOTFOUND, "That interaction no longer exists — it was deleted.")
	}
	if err != nil {
		return it, kam.Account{}, fmt.Errorf("read interaction %d: %w", id, err)
	}
	acct, role, err := a.AccountByID(ctx, it.AccountID, AccessTeamOrAdmin, "change its interactions")
	if err != nil {
		return it, acct, err
	}
	if !a.mayEdit(acct, role, it) {
		return it, acct, kam.Errorf(kam.EUNAUTHORIZED, "Only the person who logged it, %s's KAM or an admin can change this interaction.", format.Mrkdwn(acct.Name))
	}
	return it, acct, nil
}

// interactionMenuOf is the overflow menu of an interaction on the card:
// the message it was logged from, and edit and delete for those who may.
// The message is offered only when the stored link passes the log form's
// check: an older import or a hand-edited database may hold any address,
// and a menu item shows no address at all.
func interactionMenuOf(it kam.Interaction, canEdit bool) *slack.OverflowBlockElement {
	var opts []*slack.OptionBlockObject
	if link, err := kam.CheckPermalink(it.Permalink); err == nil && link != "" {
		o := option("open:"+strconv.FormatInt(it.ID, 10), "Open the Slack message")
		o.URL = link
		opts = append(opts, o)
	}
	if canEdit {
		id := strconv.FormatInt(it.ID, 10)
		opts = append(opts, option("edit:"+id, "Edit"), option("delete:"+id, "Delete"))
	}
	if len(opts) == 0 {
		return nil
	}
	return slack.NewOverflowBlockElement(interactionMenu, opts...)
}

// runInteractionMenu opens the edit or delete form of the interaction
// picked in the card's menu, after checking the user may change it.
func runInteractionMenu(ctx context.Context, in *Interaction) (InteractionReply, error) {
	op, idText, _ := strings.Cut(in.Action.SelectedOption.Value, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if op == "open" {
		return InteractionReply{}, nil // a link: Slack opened it
	}
	if err != nil || id <= 0 || (op != "edit" && op != "delete") {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "That menu is out of date — show the card again with `/kam show`.")
	}
	it, acct, err := in.editable(ctx, id)
	if err != nil {
		return InteractionReply{}, err
	}
	if in.Views() == nil || in.Callback.TriggerID == "" {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "I can't open a form here — try again from the card in Slack.")
	}
	meta := formMeta{Account: acct.ID, Interaction: it.ID, Edited: editedMS(it)}
	view := deleteModal(it, acct, meta, in.Loc)
	if op == "edit" {
		view, err = in.editForm(ctx, it, acct, meta)
		if err != nil {
			return InteractionReply{}, err
		}
	}
	open := in.Views().OpenView
	if in.Callback.View.Type == slack.VTModal {
		open = in.Views().PushView // the card in a modal (Home's Open card): the form goes over it
	}
	if err := open(ctx, in.Callback.TriggerID, view); err != nil {
		return InteractionReply{}, fmt.Errorf("open the %s form of interaction %d: %w", op, it.ID, err)
	}
	return InteractionReply{}, nil
}

func editedMS(it kam.Interaction) int64 {
	if it.EditedAt.IsZero() {
		return 0
	}
	return it.EditedAt.UnixMilli()
}

// editForm is the log form filled with the interaction, its account fixed.
func (a *Actor) editForm(ctx context.Context, it kam.Interaction, acct kam.Account, meta formMeta) (slack.ModalViewRequest, error) {
	f := logForm{callbackID: editViewID, title: "Edit interaction", submit: "Save", account: &acct, fixed: true,
		kind: it.Kind, day: format.Today(it.At, a.Loc), summary: it.Summary, meta: meta, intel: a.e.intel != nil}
	if a.e.intel != nil && len(it.Contacts) > 0 {
		cs, err := a.e.intel.Contacts(ctx, a.TeamID, acct.ID)
		if err != nil {
			return slack.ModalViewRequest{}, fmt.Errorf("stakeholders of account %d: %w", acct.ID, err)
		}
		for _, c := range cs {
			for _, id := range it.Contacts {
				if c.ID == id {
					f.met = append(f.met, c)
				}
			}
		}
	}
	return logModal(f), nil
}

// deleteModal asks to confirm a deletion.
func deleteModal(it kam.Interaction, acct kam.Account, meta formMeta, loc *time.Location) slack.ModalViewRequest {
	what := fmt.Sprintf("Delete %s with *%s* logged by %s on %s?", kindPhrases[it.Kind], format.Mrkdwn(acct.Name), mention(it.UserID), format.Date(it.At, loc))
	blocks := []slack.Block{
		section(what),
		section("> " + format.Mrkdwn(clip(strings.Join(strings.Fields(it.Summary), " "), confirmSummaryLen))),
	}
	if postsToChannel(it.Kind) {
		blocks = append(blocks, contextBlock("Its post in the account's channel is deleted too. The audit log keeps who deleted it and when."))
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      deleteViewID,
		Title:           plain("Delete interaction"),
		Submit:          plain("Delete"),
		Close:           plain("Keep it"),
		PrivateMetadata: meta.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// formInteraction loads the interaction a submitted edit or delete form is
// about, checks the user may still change it and that nobody changed it
// since the form opened.
func (a *Actor) formInteraction(ctx context.Context, cb *slack.InteractionCallback) (kam.Interaction, kam.Account, error) {
	meta, ok := readFormMeta(cb.View.PrivateMetadata)
	if !ok || meta.Interaction <= 0 {
		return kam.Interaction{}, kam.Account{}, staleForm()
	}
	it, acct, err := a.editable(ctx, meta.Interaction)
	if err != nil {
		return it, acct, err
	}
	if editedMS(it) != meta.Edited {
		return it, acct, editedMeanwhile()
	}
	return it, acct, nil
}

func editedMeanwhile() error {
	return kam.Errorf(kam.ECONFLICT, "Someone changed this interaction after you opened the form, so nothing was saved — close it and open it again from the card.")
}

// submitEdit saves an edit, updates (or deletes, or makes) the channel
// post in the same transaction, and audits it.
func submitEdit(ctx context.Context, in *Interaction) (InteractionReply, error) {
	it, acct, err := in.formInteraction(ctx, in.Callback)
	if err != nil {
		return InteractionReply{}, err
	}
	st := formState(in.Callback)
	sameDay := st.date(fieldDate) == day(format.Today(it.At, in.Loc))
	v, bad := in.readLogFields(ctx, st, acct)
	if sameDay && bad[fieldDate] != "" {
		delete(bad, fieldDate) // the day it already had stays valid
	}
	if len(bad) > 0 {
		return InteractionReply{}, bad
	}
	if sameDay {
		v.at = it.At
	}
	ed := it
	ed.Kind, ed.Summary, ed.At, ed.Contacts = v.kind, v.summary, v.at, nil
	for _, c := range v.met {
		ed.Contacts = append(ed.Contacts, c.ID)
	}
	post := in.editPost(acct, it, ed, v.met)
	if err := in.Store().UpdateInteraction(ctx, &ed, in.UserID, it.EditedAt, post); err != nil {
		return InteractionReply{}, editErr(err, it.ID)
	}
	if post != nil {
		in.Wake()
	}
	msg := fmt.Sprintf("Saved %s with *%s*: %s", kindPhrases[ed.Kind], format.Mrkdwn(acct.Name), echoOf(ed.Summary, v.met))
	return InteractionReply{Ack: doneView("Saved", msg, "The change is in the audit log; the channel post follows it.")}, nil
}

// submitDelete deletes an interaction and its channel post.
func submitDelete(ctx context.Context, in *Interaction) (InteractionReply, error) {
	it, acct, err := in.formInteraction(ctx, in.Callback)
	if err != nil {
		return InteractionReply{}, err
	}
	var post kam.Post[kam.Interaction]
	if postsToChannel(it.Kind) && in.e.notifier != nil {
		post = func(stored kam.Interaction) ([]kam.OutboxMessage, error) {
			return []kam.OutboxMessage{{TeamID: stored.TeamID, Key: stored.PostKey() + ":delete", Target: stored.PostKey(), Op: kam.OutboxDelete}}, nil
		}
	}
	if _, err := in.Store().DeleteInteraction(ctx, in.TeamID, it.ID, in.UserID, it.EditedAt, post); err != nil {
		return InteractionReply{}, editErr(err, it.ID)
	}
	if post != nil {
		in.Wake()
	}
	msg := fmt.Sprintf("Deleted %s with *%s* logged by %s on %s.", kindPhrases[it.Kind], format.Mrkdwn(acct.Name), mention(it.UserID), format.Date(it.At, in.Loc))
	return InteractionReply{Ack: doneView("Deleted", msg, "The audit log keeps who deleted it and when.")}, nil
}

// editErr words a store error of an edit or deletion.
func editErr(err error, id int64) error {
	switch kam.ErrorCode(err) {
	case kam.ECONFLICT:
		return editedMeanwhile()
	case kam.ENOTFOUND:
		return kam.Errorf(kam.ENOTFOUND, "That interaction no longer exists — it was deleted.")
	case kam.EINTERNAL:
		return fmt.Errorf("change interaction %d: %w", id, err)
	}
	return err
}

// echoOf is a summary as confirmations and posts quote it.
func echoOf(summary string, met []kam.Contact) string {
	echo := format.Mrkdwn(clip(strings.Join(strings.Fields(summary), " "), confirmSummaryLen))
	if len(met) > 0 {
		echo = "(met " + contactNames(met) + ") " + echo
	}
	return echo
}

// editPost is what an edit does to the channel post: a customer-facing
// interaction's post is updated; one that became a note is deleted (notes
// stay internal); a note that became customer-facing is posted.
func (a *Actor) editPost(acct kam.Account, old, ed kam.Interaction, met []kam.Contact) kam.Post[kam.Interaction] {
	if a.e.notifier == nil {
		return nil
	}
	blocks := func(stored kam.Interaction) []slack.Block {
		return interactionPost(stored.UserID, acct, stored.Kind, echoOf(stored.Summary, met))
	}
	was, is := postsToChannel(old.Kind), postsToChannel(ed.Kind)
	switch {
	case was && is:
		return func(stored kam.Interaction) ([]kam.OutboxMessage, error) {
			b := blocks(stored)
			m, err := encodePost(stored.TeamID, "", stored.PostKey()+":edit:"+strconv.FormatInt(stored.EditedAt.UnixMilli(), 10), format.Fallback(b), b)
			if err != nil {
				return nil, err
			}
			m[0].Op, m[0].Target = kam.OutboxUpdate, stored.PostKey()
			return m, nil
		}
	case was:
		return func(stored kam.Interaction) ([]kam.OutboxMessage, error) {
			return []kam.OutboxMessage{{TeamID: stored.TeamID, Key: stored.PostKey() + ":delete", Target: stored.PostKey(), Op: kam.OutboxDelete}}, nil
		}
	case is:
		return channelPost(a, acct, kam.Interaction.PostKey, blocks)
	}
	return nil
}
