package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Callback IDs of the shortcuts declared in the app manifest, and of the
// log form they open.
const (
	// ShortcutLogToAccount is the message shortcut "Log to account".
	ShortcutLogToAccount = "log_to_account"
	// ShortcutLogInteraction is the global shortcut "Log an interaction".
	ShortcutLogInteraction = "log_interaction"

	logViewID  = "kam_log"
	editViewID = "kam_log_edit"
)

// Block and action IDs of the log form's inputs (the same for both).
const (
	fieldAccount = "log_account"
	fieldKind    = "log_kind"
	fieldDate    = "log_date"
	fieldWith    = "log_with"
	fieldSummary = "log_summary"
)

// formMeta is the log form's private_metadata. Nothing in it is trusted: the
// account and interaction are loaded again and the user's rights checked
// at submission, and the permalink must be a Slack message link.
type formMeta struct {
	Account     int64  `json:"a,omitempty"` // the account, fixed (editing) or first chosen
	Permalink   string `json:"p,omitempty"` // the message logged from
	Interaction int64  `json:"i,omitempty"` // the interaction being edited
	Edited      int64  `json:"e,omitempty"` // its EditedAt (unix ms) when the form opened
}

func (m formMeta) encode() string {
	b, _ := json.Marshal(m) // a struct of numbers and a string always marshals
	return string(b)
}

func readFormMeta(s string) (formMeta, bool) {
	var m formMeta
	if s == "" {
		return m, true
	}
	return m, json.Unmarshal([]byte(s), &m) == nil && m.Account >= 0 && m.Interaction >= 0
}

// logForm is what the log form opens with.
type logForm struct {
	callbackID string
	title      string
	submit     string
	account    *kam.Account // chosen already; nil: the user picks
	fixed      bool         // the account cannot change (editing)
	kind       kam.InteractionKind
	day        time.Time // the date shown (a date as typed)
	summary    string
	met        []kam.Contact
	meta       formMeta
	intel      bool // stakeholders can be picked
}

// logModal renders the log form: account (type-ahead over the user's
// accounts), kind, day, stakeholders of the chosen account, and summary.
func logModal(f logForm) slack.ModalViewRequest {
	var blocks []slack.Block
	if f.meta.Permalink != "" {
		blocks = append(blocks, contextBlock(":link: Logged from a Slack message: the account card will link to it."))
	}
	if f.fixed && f.account != nil {
		blocks = append(blocks, section("*Account*\n"+format.Mrkdwn(f.account.Name)))
	} else {
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, plain("Type an account name"), fieldAccount)
		zero := 0
		sel.MinQueryLength = &zero
		if f.account != nil {
			sel.InitialOption = accountOption(*f.account)
		}
		blocks = append(blocks, slack.NewInputBlock(fieldAccount, plain("Account"), plain("One of your accounts (its team logs on it)"), sel))
	}
	kinds := make([]*slack.OptionBlockObject, len(kam.InteractionKinds))
	for i, k := range kam.InteractionKinds {
		kinds[i] = option(string(k), kindLabel(k))
	}
	kindSel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Call, meeting, email…"), fieldKind, kinds...)
	for _, o := range kinds {
		if o.Value == string(f.kind) {
			kindSel.InitialOption = o
		}
	}
	blocks = append(blocks, slack.NewInputBlock(fieldKind, plain("Kind"), nil, kindSel))
	date := slack.NewDatePickerBlockElement(fieldDate)
	date.InitialDate = day(f.day)
	blocks = append(blocks, slack.NewInputBlock(fieldDate, plain("Day"), plain("Not after today"), date))
	if f.intel {
		with := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeExternal, plain("Stakeholders met"), fieldWith)
		with.WithMinQueryLength(0)
		for _, c := range f.met {
			with.InitialOptions = append(with.InitialOptions, option(strconv.FormatInt(c.ID, 10), c.Name))
		}
		in := slack.NewInputBlock(fieldWith, plain("With"), plain("From the account's stakeholder map (/kam contact)"), with)
		in.Optional = true
		blocks = append(blocks, in)
	}
	text := slack.NewPlainTextInputBlockElement(plain("What happened, what was agreed, what comes next"), fieldSummary)
	text.Multiline, text.MaxLength, text.InitialValue = true, kam.MaxSummaryLen, clip(f.summary, kam.MaxSummaryLen)
	blocks = append(blocks, slack.NewInputBlock(fieldSummary, plain("Summary"), nil, text))
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      f.callbackID,
		Title:           plain(f.title),
		Submit:          plain(f.submit),
		Close:           plain("Cancel"),
		PrivateMetadata: f.meta.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// kindLabel names a kind in the form's menu.
func kindLabel(k kam.InteractionKind) string {
	if k == kam.KindNote {
		return "note (internal: not posted, not contact)"
	}
	return string(k)
}

// newLogForm is the form for a new interaction.
func newLogForm(in Actor) logForm {
	return logForm{callbackID: logViewID, title: "Log an interaction", submit: "Log", day: in.Today(), intel: in.e.intel != nil}
}

// openLogForm opens the log form for /kam log <account> [kind] with no
// summary; opened is false when there is no trigger or no way to open it
// (the console), and the caller answers with the usage.
func (c *Call) openLogForm(ctx context.Context, kind kam.InteractionKind) (Reply, bool) {
	if err := c.openLog(ctx, c.Request.TriggerID, c.Account, kind); err != nil {
		return Reply{}, false
	}
	return Reply{Blocks: []slack.Block{contextBlock(fmt.Sprintf("The log form is open for *%s*.", format.Mrkdwn(c.Account.Name)))}}, true
}

// errNoForm says a form cannot open here: no trigger, or no Views client.
var errNoForm = errors.New("no form can open here")

// openLog opens the log form with acct chosen (the user may pick another
// of theirs) and kind preselected. /kam log <account> and the Home's *Log
// an interaction* button both open it; the shortcuts open it without an
// account. The caller has checked the user may log on acct; the submission
// checks again.
func (a *Actor) openLog(ctx context.Context, trigger string, acct kam.Account, kind kam.InteractionKind) error {
	if a.Views() == nil || trigger == "" {
		return errNoForm
	}
	f := newLogForm(*a)
	f.account, f.kind, f.meta.Account = &acct, kind, acct.ID
	if err := a.Views().OpenView(ctx, trigger, logModal(f)); err != nil {
		a.Logger().Warn("open log form", "team", a.TeamID, "account", acct.ID, "err", err)
		return fmt.Errorf("open the log form of account %d: %w", acct.ID, err)
	}
	return nil
}

// runLogShortcut opens the log form from a message ("Log to account"),
// prefilled with its text, day and link, and with the account whose
// channel it is in when the user is on that account's team.
func runLogShortcut(ctx context.Context, in *Interaction) (InteractionReply, error) {
	cb := in.Callback
	f := newLogForm(in.Actor)
	if cb.Type == slack.InteractionTypeMessageAction {
		f.summary = strings.TrimSpace(format.Read(cb.Message.Text))
		if t, ok := slackTime(cb.Message.Timestamp); ok {
			f.day = format.Today(t, in.Loc)
		}
		if link, err := kam.CheckPermalink(messageLink(cb)); err == nil {
			f.meta.Permalink = link
		}
		if a, ok := in.channelAccount(ctx, cb.Channel.ID); ok {
			f.account, f.meta.Account = &a, a.ID
		}
	}
	if in.Views() == nil {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "This kambot cannot open forms — type `/kam log <account> <kind> <summary…>`.")
	}
	if err := in.Views().OpenView(ctx, cb.TriggerID, logModal(f)); err != nil {
		return InteractionReply{}, fmt.Errorf("open the log form: %w", err)
	}
	return InteractionReply{}, nil
}

// channelAccount is the one account of the user's whose channel is channel.
func (a *Actor) channelAccount(ctx context.Context, channel string) (kam.Account, bool) {
	if channel == "" {
		return kam.Account{}, false
	}
	accts, err := a.Store().AccountsForUser(ctx, a.TeamID, a.UserID)
	if err != nil {
		a.Logger().Warn("accounts of the user for the log form", "team", a.TeamID, "user", a.UserID, "err", err)
		return kam.Account{}, false
	}
	var found []kam.Account
	for _, acct := range accts {
		if acct.ChannelID == channel {
			found = append(found, acct)
		}
	}
	if len(found) != 1 {
		return kam.Account{}, false
	}
	return found[0], true
}

// slackTime reads a message ts ("1741944600.000100").
func slackTime(ts string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}, false
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000).UTC(), true
}

// messageLink builds a message's permalink from the shortcut payload, as
// chat.getPermalink would, without a Web API call inside the trigger's 3 s:
// https://<workspace>.slack.com/archives/<channel>/p<ts without the dot>,
// with thread_ts and cid for a reply in a thread.
func messageLink(cb *slack.InteractionCallback) string {
	domain, ch, ts := cb.Team.Domain, cb.Channel.ID, cb.Message.Timestamp
	if domain == "" || ch == "" || ts == "" {
		return ""
	}
	link := "https://" + domain + ".slack.com/archives/" + ch + "/p" + strings.Replace(ts, ".", "", 1)
	if th := cb.Message.ThreadTimestamp; th != "" && th != ts {
		link += "?" + url.Values{"thread_ts": {th}, "cid": {ch}}.Encode()
	}
	return link
}

// submitLog stores the interaction the log form describes. Each bad field
// is reported under itself and nothing is stored.
func submitLog(ctx context.Context, in *Interaction) (InteractionReply, error) {
	meta, ok := readFormMeta(in.Callback.View.PrivateMetadata)
	if !ok {
		return InteractionReply{}, staleForm()
	}
	link, err := kam.CheckPermalink(meta.Permalink)
	if err != nil {
		return InteractionReply{}, staleForm()
	}
	st := formState(in.Callback)
	bad := FieldErrors{}
	a, err := in.formAccount(ctx, st.selected(fieldAccount))
	if err != nil {
		bad[fieldAccount] = fieldText(err)
	}
	v, vbad := in.readLogFields(ctx, st, a)
	for k, msg := range vbad {
		bad[k] = msg
	}
	if len(bad) > 0 {
		return InteractionReply{}, bad
	}
	it := kam.Interaction{TeamID: in.TeamID, AccountID: a.ID, UserID: in.UserID, Kind: v.kind, Summary: v.summary, At: v.at, Permalink: link,
		RequestID: in.Callback.TriggerID}
	msg, err := in.logInteraction(ctx, a, it, v.met)
	if err != nil {
		return InteractionReply{}, err
	}
	return InteractionReply{Ack: doneView("Logged", msg, fmt.Sprintf("`/kam show %s` shows it on the card.", a.Slug))}, nil
}

// formAccount loads the account picked in a form (its ID) and checks that
// the user may log on it.
func (a *Actor) formAccount(ctx context.Context, value string) (kam.Account, error) {
	if value == "" {
		return kam.Account{}, kam.Errorf(kam.EINVALID, "Pick one of your accounts.")
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id <= 0 {
		return kam.Account{}, kam.Errorf(kam.EINVALID, "Pick one of your accounts from the list.")
	}
	acct, _, err := a.AccountByID(ctx, id, AccessTeam, "log interactions")
	return acct, err
}

// logFields are the log form's checked values.
type logFields struct {
	kind    kam.InteractionKind
	at      time.Time
	met     []kam.Contact
	summary string
}

// readLogFields checks the kind, day, stakeholders and summary of a log
// form against acct (zero when the account itself is wrong: the fields
// that depend on it are not checked then).
func (a *Actor) readLogFields(ctx context.Context, st formValues, acct kam.Account) (logFields, FieldErrors) {
	var v logFields
	bad := FieldErrors{}
	kind, err := ParseEnum("kind", st.selected(fieldKind), kam.InteractionKinds)
	if err != nil {
		bad[fieldKind] = "Pick the kind of touch."
	}
	v.kind = kind
	d, err := ParseDate(st.date(fieldDate))
	if err != nil {
		bad[fieldDate] = "Pick the day it happened."
	} else if acct.ID > 0 {
		if v.at, err = a.backdateOn(acct, d, ""); err != nil {
			bad[fieldDate] = fieldText(err)
		}
	}
	v.summary, err = CheckText("The summary", st.text(fieldSummary), kam.MaxSummaryLen, true)
	switch {
	case err != nil:
		bad[fieldSummary] = fieldText(err)
	case v.summary == "":
		bad[fieldSummary] = "Say what happened."
	}
	if ids := st.multi(fieldWith); len(ids) > 0 && acct.ID > 0 {
		if v.met, err = a.pickedContacts(ctx, acct, ids); err != nil {
			bad[fieldWith] = fieldText(err)
		}
	}
	return v, bad
}

// pickedContacts resolves the stakeholders picked in a form against the
// account's map: an ID from another account's map (the account was changed
// after picking) is refused.
func (a *Actor) pickedContacts(ctx context.Context, acct kam.Account, ids []string) ([]kam.Contact, error) {
	if a.e.intel == nil {
		return nil, nil
	}
	cs, err := a.e.intel.Contacts(ctx, a.TeamID, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("stakeholders of account %d: %w", acct.ID, err)
	}
	byID := make(map[string]kam.Contact, len(cs))
	for _, c := range cs {
		byID[strconv.FormatInt(c.ID, 10)] = c
	}
	var out []kam.Contact
	for _, id := range ids {
		c, ok := byID[id]
		if !ok {
			return nil, kam.Errorf(kam.EINVALID, "Someone picked is not on %s's stakeholder map — pick again after choosing the account.", format.Mrkdwn(acct.Name))
		}
		out = append(out, c)
	}
	return out, nil
}

// fieldText words an error for a form field, which shows plain text.
func fieldText(err error) string { return clip(format.Read(ErrorText(err)), 150) }

// staleForm is the answer to a form whose hidden data kambot cannot read.
func staleForm() error {
	return kam.Errorf(kam.EINVALID, "This form is out of date — open it again.")
}

// doneView replaces a submitted form with what was done.
func doneView(title, msg, hint string) *slack.ViewSubmissionResponse {
	blocks := []slack.Block{section(msg)}
	if hint != "" {
		blocks = append(blocks, contextBlock(hint))
	}
	v := slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain(title),
		Close:  plain("Done"),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
	return slack.NewUpdateViewSubmissionResponse(&v)
}

// formValues reads a view's state.
type formValues map[string]map[string]slack.BlockAction

func formState(cb *slack.InteractionCallback) formValues {
	if cb.View.State == nil {
		return nil
	}
	return cb.View.State.Values
}

func (f formValues) get(id string) slack.BlockAction { return f[id][id] }

func (f formValues) selected(id string) string { return f.get(id).SelectedOption.Value }
func (f formValues) date(id string) string     { return f.get(id).SelectedDate }
func (f formValues) text(id string) string     { return f.get(id).Value }

func (f formValues) multi(id string) []string {
	var out []string
	for _, o := range f.get(id).SelectedOptions {
		out = append(out, o.Value)
	}
	return out
}

// formAccount is the account a form names, for its stakeholder menu: the
// account menu's current choice, else the one in its private_metadata.
func formAccount(cb *slack.InteractionCallback) int64 {
	if v := formState(cb).selected(fieldAccount); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		return id
	}
	meta, _ := readFormMeta(cb.View.PrivateMetadata)
	return meta.Account
}
