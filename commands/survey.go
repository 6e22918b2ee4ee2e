package commands

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Satisfaction surveys. `/kam survey <account> send` posts the NPS question
// (eleven buttons, 0–10, and "Add a comment", which opens a modal) to a
// channel — a Slack Connect channel shared with the customer, say — or to
// one person by DM, through the outbox. Each respondent's answer counts once
// per survey; a second click updates it. `/kam survey <account> record`
// stores an answer given outside Slack. A detractor answer (0–6) queues a DM
// to the account's owner at once.
//
// A click is checked before anything changes: the button's value must
// parse and agree with its action_id, name a survey by ID and its random
// token, come from the survey's workspace — or, for a customer in a Slack
// Connect channel, from the survey's own channel — and from the message the
// outbox posted, and the survey must still be open. A refused click gets an
// ephemeral explanation and changes nothing.

// SurveyStore is what the survey commands need of persistence; *store.DB
// implements it.
type SurveyStore interface {
	// CreateSurvey records a survey being sent, filling its ID and token,
	// and queues the question that post builds in the same transaction.
	CreateSurvey(ctx context.Context, s *kam.Survey, actor string, post kam.Post[kam.Survey]) error
	// SurveyByToken finds a survey by ID and token, whatever its workspace.
	SurveyByToken(ctx context.Context, id int64, token string) (kam.Survey, error)
	// Surveys lists an account's surveys, newest first.
	Surveys(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Survey, error)
	// AnswerSurvey stores or updates a Slack user's answer.
	AnswerSurvey(ctx context.Context, a *kam.SurveyAnswer, setComment bool) (prev kam.SurveyAnswer, existed bool, err error)
	// RecordSurveyAnswer stores an answer given outside Slack.
	RecordSurveyAnswer(ctx context.Context, a *kam.SurveyAnswer, actor string) error
	// SurveyAnswerOf returns a user's answer to a survey; ENOTFOUND if none.
	SurveyAnswerOf(ctx context.Context, teamID string, surveyID int64, userID string) (kam.SurveyAnswer, error)
	// AccountSurveyAnswers lists an account's answers, latest first.
	AccountSurveyAnswers(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.SurveyAnswer, error)
	// NPSSummaries summarises the accounts' surveys for health.
	NPSSummaries(ctx context.Context, teamID string, ids []int64, now time.Time) (map[int64]*kam.NPSSummary, error)
	// Contacts lists an account's stakeholders, to match contact= names.
	Contacts(ctx context.Context, teamID string, accountID int64) ([]kam.Contact, error)
}

// SurveyConfig configures the survey command and buttons.
type SurveyConfig struct {
	// Store is required.
	Store SurveyStore
	// Notifier is required: it queues the survey posts and the detractor
	// alerts in the outbox (*outbox.Sender).
	Notifier Notifier
}

// Action IDs and callback ID of the survey's interactive parts.
const (
	surveyScorePrefix = "survey.score." // + the score, 0–10
	surveyCommentID   = "survey.comment"
	surveyScoresBlock = "survey.scores"
	surveyMoreBlock   = "survey.more"
	surveyScoreInput  = "score"
	surveyTextInput   = "comment"
	surveyInputAction = "value"
	// surveyAnswersShown is how many answers /kam survey <account> lists.
	surveyAnswersShown = 10
	surveysShown       = 5
)

// SurveyExtension is what surveys add to the engine: /kam survey, the
// score and comment buttons, and the comment modal.
func SurveyExtension(cfg SurveyConfig) Extension {
	if cfg.Store == nil || cfg.Notifier == nil {
		panic("commands: SurveyExtension needs a Store and a Notifier")
	}
	h := &surveyHandlers{cfg: cfg}
	return Extension{
		Commands: []Command{{
			Name:    "survey",
			Usage:   `survey <account> [send [#channel|@user] | record <0-10> ["comment"] [contact="<name>"] [date=<date>]]`,
			Summary: "Ask the NPS question in a channel or by DM, record an answer given elsewhere, or see the account's NPS.",
			Details: "*send*: posts the question (0–10 buttons and an optional comment) to the channel or person named, " +
				"else to the account's channel — a Slack Connect channel shared with the customer works, and customers can answer there. " +
				"Each person's answer counts once; clicking again changes it. The survey takes answers for " +
				strconv.Itoa(int(kam.SurveyOpenFor/(24*time.Hour))) + " days.\n" +
				"*record*: an answer taken outside Slack; *contact* is the stakeholder's name, *date* (YYYY-MM-DD) when it was given (default today).\n" +
				"Without a verb: the account's NPS over the last 12 months, its trend and the latest answers. " +
				"A detractor answer (0–6) alerts the account's owner by DM at once.",
			Examples: []string{"survey acme send #acme-shared", "survey acme send @jane", `survey acme record 6 "Support is slow" contact="Jane Doe"`, "survey acme"},
			Access:   AccessTeamOrAdmin,
			Account:  true,
			Action:   "see its surveys",
			Run:      h.run,
		}},
		Actions: []ActionHandler{
			{Prefix: surveyScorePrefix, Run: h.score},
			{Prefix: surveyCommentID, Run: h.openComment},
		},
		Views: []ViewHandler{{CallbackID: surveyCommentID, Run: h.submitComment}},
	}
}

type surveyHandlers struct {
	cfg SurveyConfig
}

// run dispatches /kam survey <account> [send|record|show].
func (h *surveyHandlers) run(ctx context.Context, c *Call) (Reply, error) {
	verb, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		return h.show(ctx, c)
	}
	if verb.Key != "" || verb.Quoted {
		return Reply{}, c.Usage("Unexpected “%s” — say send, record, or nothing to see the results", show(verb.String(), 40))
	}
	switch strings.ToLower(verb.Value) {
	case "send":
		return h.send(ctx, c)
	case "record":
		return h.record(ctx, c)
	case "show", "results":
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		return h.show(ctx, c)
	}
	return Reply{}, c.Usage("Unknown “%s” — say send, record, or nothing to see the results", show(verb.Value, 40))
}

// send records a survey and queues its post.
func (h *surveyHandlers) send(ctx context.Context, c *Call) (Reply, error) {
	a := c.Account
	if err := c.Allow(a, c.Role, AccessTeam, "send surveys"); err != nil {
		return Reply{}, err
	}
	s := kam.Survey{TeamID: c.TeamID, AccountID: a.ID}
	tok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	switch raw := strings.TrimSpace(tok.Raw); {
	case !ok:
		if a.ChannelID == "" {
			return Reply{}, kam.Errorf(kam.EINVALID, "*%s* has no channel, so say where to ask: `/kam survey %s send #channel` or `/kam survey %s send @person`.",
				format.Mrkdwn(a.Name), a.Slug, a.Slug)
		}
		s.ChannelID = a.ChannelID
	case tok.Key != "":
		return Reply{}, c.Usage("Unexpected “%s” — name a #channel or an @person", show(tok.String(), 40))
	case strings.HasPrefix(raw, "<#"):
		if s.ChannelID, err = ParseChannel(tok); err != nil {
			return Reply{}, err
		}
	case strings.HasPrefix(raw, "<@"):
		if s.UserID, err = c.User(ctx, tok, "@jane"); err != nil {
			return Reply{}, err
		}
	default:
		return Reply{}, kam.Errorf(kam.EINVALID, "“%s” isn't a channel or a person — pick the channel with # or mention the person with @, e.g. `/kam survey %s send #%s-shared`.",
			show(tok.Value, 40), a.Slug, a.Slug)
	}
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	// The question is queued with the survey: a survey nobody was asked
	// must not exist, nor a question about a survey that does not.
	post := func(stored kam.Survey) ([]kam.OutboxMessage, error) {
		blocks := surveyMessage(a, stored, c.zoneFor(ctx, stored.UserID))
		return encodePost(stored.TeamID, stored.Recipient(), kam.SurveyKey(stored.ID), format.Fallback(blocks[:1]), blocks)
	}
	if err := h.cfg.Store.CreateSurvey(ctx, &s, c.UserID, post); err != nil {
		return Reply{}, userErr(err, "create survey for account %d", a.ID)
	}
	h.cfg.Notifier.Wake()
	where := channelRefText(s.ChannelID)
	hint := "kambot has to be in that channel to post there: `/invite @kambot` if it isn't."
	if s.UserID != "" {
		where = mention(s.UserID) + " by DM"
		hint = "Only they can answer it."
	}
	alert := "A detractor answer (0–6) alerts " + alertTarget(a) + " at once."
	msg := fmt.Sprintf("Sent the NPS question about *%s* to %s. It takes answers until %s; each person's answer counts once, and clicking again changes it. %s",
		format.Mrkdwn(a.Name), where, dateText(s.ClosesAt, c.Loc), alert)
	return Reply{Blocks: []slack.Block{section(msg), contextBlock(hint + fmt.Sprintf(" Results: `/kam survey %s`.", a.Slug))}}, nil
}

// record stores an answer given outside Slack.
func (h *surveyHandlers) record(ctx context.Context, c *Call) (Reply, error) {
	a := c.Account
	if err := c.Allow(a, c.Role, AccessTeam, "record survey answers"); err != nil {
		return Reply{}, err
	}
	// Read the answer: the score, then a quoted comment and options.
	ans, onMap, err := h.parseRecordedAnswer(ctx, c)
	if err != nil {
		return Reply{}, err
	}
	// One clock: an answer stamped later than c.Now would fall outside the
	// NPS window read below with c.Now, leaving itself out.
	if ans.At.IsZero() {
		ans.At = c.Now
	}
	if err := h.cfg.Store.RecordSurveyAnswer(ctx, &ans, c.UserID); err != nil {
		return Reply{}, userErr(err, "record survey answer for account %d", a.ID)
	}
	// Confirm it, saying who, if anyone, was alerted about a detractor.
	msg := fmt.Sprintf("Recorded *%d* (%s) from %s for *%s*, given %s.",
		ans.Score, npsCategory(ans.Score), respondentText(ans, onMap), format.Mrkdwn(a.Name), c.Date(ans.At))
	if ans.Detractor() {
		msg += h.alertRecorded(ctx, c, ans)
	}
	// Show the account's NPS with the new answer counted.
	sums, err := h.cfg.Store.NPSSummaries(ctx, c.TeamID, []int64{a.ID}, c.Now)
	if err != nil {
		return Reply{}, fmt.Errorf("NPS of account %d: %w", a.ID, err)
	}
	blocks := []slack.Block{section(msg)}
	if s := sums[a.ID]; s != nil && s.Responses > 0 {
		blocks = append(blocks, contextBlock(fmt.Sprintf("NPS of %s over the last 12 months: %s %s. Details: `/kam survey %s`.",
			format.Mrkdwn(a.Name), format.NPS(s.NPS), format.Answers(s.Responses), a.Slug)))
	}
	return Reply{Blocks: blocks}, nil
}

// parseRecordedAnswer reads the arguments of /kam survey record into an
// answer; onMap reports whether contact= named someone on the stakeholder
// map, whose spelling the answer then takes.
func (h *surveyHandlers) parseRecordedAnswer(ctx context.Context, c *Call) (ans kam.SurveyAnswer, onMap bool, err error) {
	a := c.Account
	// The score comes first and bare.
	scoreTok, ok, err := c.Args.Next()
	if err != nil {
		return ans, false, err
	}
	if !ok || scoreTok.Key != "" {
		return ans, false, c.Usage("Give the score from 0 to 10 first, e.g. `/kam survey %s record 8`", a.Slug)
	}
	score, err := parseNPSScore(scoreTok.Value)
	if err != nil {
		return ans, false, err
	}
	ans = kam.SurveyAnswer{TeamID: c.TeamID, AccountID: a.ID, Score: score}
	// Then one quoted comment, with key=value options around it.
	toks, err := c.Args.All()
	if err != nil {
		return ans, false, err
	}
	var keyed []Token
	for _, t := range toks {
		switch {
		case t.Key != "":
			keyed = append(keyed, t)
		case t.Quoted && ans.Comment == "":
			if ans.Comment, err = CheckText("The comment", t.Value, kam.MaxSurveyComment, true); err != nil {
				return ans, false, err
			}
		case t.Quoted:
			return ans, false, kam.Errorf(kam.EINVALID, "Give one comment, in one pair of quotes: `/kam survey %s record %d \"what they said\"`.", a.Slug, score)
		default:
			return ans, false, kam.Errorf(kam.EINVALID, "Put the comment in quotes: `/kam survey %s record %d \"%s\"`.", a.Slug, score, show(t.Value, 40))
		}
	}
	opts, err := ParseOptions(keyed, []string{"contact", "date"}, c.Command.Usage)
	if err != nil {
		return ans, false, err
	}
	if t, ok := opts["contact"]; ok {
		if onMap, err = h.recordedContact(ctx, c, &ans, t); err != nil {
			return ans, false, err
		}
	}
	if t, ok := opts["date"]; ok {
		if err := recordedDate(c, &ans, t); err != nil {
			return ans, false, err
		}
	}
	return ans, onMap, nil
}

// recordedContact sets the answer's contact from contact=, spelt as on the
// stakeholder map when the name is there, and reports whether it was.
func (h *surveyHandlers) recordedContact(ctx context.Context, c *Call, ans *kam.SurveyAnswer, t Token) (bool, error) {
	var err error
	if ans.Contact, err = CheckText("The contact's name", t.Value, kam.MaxNameLen, false); err != nil {
		return false, err
	}
	contacts, err := h.cfg.Store.Contacts(ctx, c.TeamID, ans.AccountID)
	if err != nil {
		return false, fmt.Errorf("stakeholders of account %d: %w", ans.AccountID, err)
	}
	for _, k := range contacts {
		if strings.EqualFold(k.Name, ans.Contact) {
			ans.Contact = k.Name
			return true, nil
		}
	}
	return false, nil
}

// recordedDate sets the day the answer was given from date=; today leaves
// it zero, which the store reads as now.
func recordedDate(c *Call, ans *kam.SurveyAnswer, t Token) error {
	d, err := ParseDate(t.Value)
	if err != nil {
		return err
	}
	// The user's today, not UTC's: east of UTC after local midnight
	// their today is already tomorrow in UTC.
	today := c.Today()
	if d.After(today) {
		return kam.Errorf(kam.EINVALID, "%s is in the future — give the day the answer was given, e.g. date=%s.", day(d), day(today))
	}
	if d.Before(today) {
		// Noon of that day in the user's zone reads as that day in every
		// zone within twelve hours of theirs.
		ans.At = time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, c.Loc)
	}
	return nil
}

// respondentText names who gave a recorded answer.
func respondentText(ans kam.SurveyAnswer, onMap bool) string {
	if ans.Contact == "" {
		return "an unnamed respondent"
	}
	from := format.Mrkdwn(ans.Contact)
	if !onMap {
		from += " (not on the stakeholder map)"
	}
	return from
}

// alertRecorded alerts the account's lead about a recorded detractor
// answer, unless the lead recorded it, and returns the sentence that says so.
func (h *surveyHandlers) alertRecorded(ctx context.Context, c *Call, ans kam.SurveyAnswer) string {
	a := c.Account
	switch to := alertRecipient(a); {
	case to == "":
		return fmt.Sprintf(" Nobody was alerted: the account has no owner or sponsor (set one with `/kam set %s owner=@person`).", a.Slug)
	case to != c.UserID:
		h.alert(ctx, &c.Actor, a, nil, ans, fmt.Sprintf("detractor:recorded:%d", ans.ID), false)
		return " " + mention(to) + " has been alerted."
	}
	return ""
}

// show renders the account's NPS, trend, latest answers and surveys.
func (h *surveyHandlers) show(ctx context.Context, c *Call) (Reply, error) {
	a := c.Account
	sums, err := h.cfg.Store.NPSSummaries(ctx, c.TeamID, []int64{a.ID}, c.Now)
	if err != nil {
		return Reply{}, fmt.Errorf("NPS of account %d: %w", a.ID, err)
	}
	answers, err := h.cfg.Store.AccountSurveyAnswers(ctx, c.TeamID, a.ID, surveyAnswersShown+1)
	if err != nil {
		return Reply{}, fmt.Errorf("answers of account %d: %w", a.ID, err)
	}
	surveys, err := h.cfg.Store.Surveys(ctx, c.TeamID, a.ID, surveysShown+1)
	if err != nil {
		return Reply{}, fmt.Errorf("surveys of account %d: %w", a.ID, err)
	}
	return Reply{Blocks: satisfactionBlocks(a, sums[a.ID], answers, surveys, c.Now, c.Loc)}, nil
}

// ---- Buttons and modal ---------------------------------------------------------------

// surveyRef is what a survey button or modal carries to name its survey.
type surveyRef struct {
	id    int64
	token string
}

func errSurveyButton() error {
	return kam.Errorf(kam.EINVALID, "That survey button is damaged or out of date, so I didn't count the click. Use the buttons on the survey message itself.")
}

// parseSurveyRef reads "<id>:<token>".
func parseSurveyRef(v string) (surveyRef, error) {
	id, token, ok := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 || len(token) != 16 || strings.Trim(token, "0123456789abcdef") != "" {
		return surveyRef{}, errSurveyButton()
	}
	return surveyRef{n, token}, nil
}

// scoreValue is a score button's value: "<id>:<score>:<token>".
func scoreValue(s kam.Survey, score int) string {
	return fmt.Sprintf("%d:%d:%s", s.ID, score, s.Token)
}

// parseScoreClick reads a score button: its action_id and value must agree.
func parseScoreClick(actionID, value string) (surveyRef, int, error) {
	idPart, rest, ok := strings.Cut(value, ":")
	scorePart, token, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || actionID != surveyScorePrefix+scorePart {
		return surveyRef{}, 0, errSurveyButton()
	}
	score, err := parseNPSScore(scorePart)
	if err != nil {
		return surveyRef{}, 0, errSurveyButton()
	}
	ref, err := parseSurveyRef(idPart + ":" + token)
	return ref, score, err
}

// parseNPSScore reads a whole number from 0 to 10.
func parseNPSScore(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2 || !allDigits(s) {
		return 0, kam.Errorf(kam.EINVALID, "“%s” isn't a score — type a whole number from 0 (not at all likely to recommend) to 10 (extremely likely).", show(s, 20))
	}
	n, _ := strconv.Atoi(s) // at most two digits
	if n > 10 {
		return 0, kam.Errorf(kam.EINVALID, "%d is above 10 — the score goes from 0 (not at all likely to recommend) to 10 (extremely likely).", n)
	}
	return n, nil
}

// survey finds the survey a payload names and checks that the click may
// count: it must come from the survey's workspace, or — a customer in a
// Slack Connect channel — from the survey's own channel.
func (h *surveyHandlers) survey(ctx context.Context, in *Interaction, ref surveyRef, channel string) (kam.Survey, kam.Account, error) {
	s, err := h.cfg.Store.SurveyByToken(ctx, ref.id, ref.token)
	if err != nil {
		if kam.ErrorCode(err) == kam.ENOTFOUND {
			return kam.Survey{}, kam.Account{}, kam.Errorf(kam.ENOTFOUND, "I can't find that survey any more, so I didn't count the click. Ask the account team for a new one.")
		}
		return kam.Survey{}, kam.Account{}, fmt.Errorf("read survey %d: %w", ref.id, err)
	}
	if in.TeamID != s.TeamID && (s.ChannelID == "" || channel != s.ChannelID) {
		return kam.Survey{}, kam.Account{}, kam.Errorf(kam.EUNAUTHORIZED, "This survey belongs to another Slack workspace, so an answer from here can't count.")
	}
	acct, err := in.Store().Account(ctx, s.TeamID, s.AccountID)
	if err != nil {
		if kam.ErrorCode(err) == kam.ENOTFOUND {
			return kam.Survey{}, kam.Account{}, kam.Errorf(kam.ENOTFOUND, "The account this survey was about no longer exists, so I didn't count the click.")
		}
		return kam.Survey{}, kam.Account{}, fmt.Errorf("read account %d of survey %d: %w", s.AccountID, s.ID, err)
	}
	if s.UserID != "" && s.UserID != in.UserID {
		return kam.Survey{}, kam.Account{}, kam.Errorf(kam.EUNAUTHORIZED, "This survey was sent to %s alone, so only they can answer it.", mention(s.UserID))
	}
	if !s.Open(in.Now) {
		return kam.Survey{}, kam.Account{}, kam.Errorf(kam.ECONFLICT, "This survey closed on %s, so it takes no more answers. Thank you all the same.", dateText(s.ClosesAt, in.Loc))
	}
	return s, acct, nil
}

// onMessage checks that a click came from the message the outbox posted,
// once its place is known: a copy of the buttons elsewhere does not count.
func onMessage(s kam.Survey, cb *slack.InteractionCallback) error {
	if s.MessageTS == "" {
		return nil
	}
	ch := cmp.Or(cb.Container.ChannelID, cb.Channel.ID)
	if cb.Container.MessageTs != s.MessageTS || (s.MessageChannel != "" && ch != s.MessageChannel) {
		return kam.Errorf(kam.EINVALID, "These buttons aren't on the survey message I posted, so I didn't count the click. Answer on the survey message itself.")
	}
	return nil
}

// clickChannel is the channel a block action came from.
func clickChannel(cb *slack.InteractionCallback) string {
	return cmp.Or(cb.Container.ChannelID, cb.Channel.ID)
}

// score stores the clicked score and thanks the respondent ephemerally.
func (h *surveyHandlers) score(ctx context.Context, in *Interaction) (InteractionReply, error) {
	ref, score, err := parseScoreClick(in.Action.ActionID, in.Action.Value)
	if err != nil {
		return InteractionReply{}, err
	}
	s, acct, err := h.survey(ctx, in, ref, clickChannel(in.Callback))
	if err != nil {
		return InteractionReply{}, err
	}
	if err := onMessage(s, in.Callback); err != nil {
		return InteractionReply{}, err
	}
	ans := kam.SurveyAnswer{TeamID: s.TeamID, SurveyID: s.ID, UserID: in.UserID, UserTeam: cmp.Or(in.Callback.User.TeamID, in.TeamID), Score: score}
	prev, existed, err := h.cfg.Store.AnswerSurvey(ctx, &ans, false)
	if err != nil {
		return InteractionReply{}, userErr(err, "answer survey %d", s.ID)
	}
	h.afterAnswer(ctx, in, acct, s, ans, prev, existed)
	msg := fmt.Sprintf("Thank you! You answered *%d*.", score)
	if existed && prev.Score != score {
		msg = fmt.Sprintf("Thank you! I changed your answer from %d to *%d*.", prev.Score, score)
	}
	msg += fmt.Sprintf(" You can change it until %s, or tell us more with *Add a comment*.", dateText(s.ClosesAt, in.Loc))
	return InteractionReply{Reply: &Reply{Blocks: []slack.Block{section(msg)}}}, nil
}

// afterAnswer alerts the account's owner the first time an answer to a
// survey turns a detractor, and passes on a comment that comes after.
func (h *surveyHandlers) afterAnswer(ctx context.Context, in *Interaction, acct kam.Account, s kam.Survey, ans, prev kam.SurveyAnswer, existed bool) {
	if !ans.Detractor() {
		return
	}
	key := fmt.Sprintf("detractor:%d:%s", s.ID, ans.Respondent)
	switch {
	case !existed || !prev.Detractor():
		h.alert(ctx, &in.Actor, acct, &s, ans, key, false)
	case ans.Comment != "" && prev.Comment == "":
		h.alert(ctx, &in.Actor, acct, &s, ans, key+":comment", true)
	}
}

// openComment opens the comment modal, with the respondent's answer so far.
func (h *surveyHandlers) openComment(ctx context.Context, in *Interaction) (InteractionReply, error) {
	ref, err := parseSurveyRef(in.Action.Value)
	if err != nil || in.Action.ActionID != surveyCommentID {
		return InteractionReply{}, errSurveyButton()
	}
	channel := clickChannel(in.Callback)
	s, acct, err := h.survey(ctx, in, ref, channel)
	if err != nil {
		return InteractionReply{}, err
	}
	if err := onMessage(s, in.Callback); err != nil {
		return InteractionReply{}, err
	}
	if in.Views() == nil || in.Callback.TriggerID == "" {
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "I can't open a form here. Pick a number on the survey instead; the account team can record a comment for you.")
	}
	var prev *kam.SurveyAnswer
	if p, err := h.cfg.Store.SurveyAnswerOf(ctx, s.TeamID, s.ID, in.UserID); err == nil {
		prev = &p
	} else if kam.ErrorCode(err) != kam.ENOTFOUND {
		return InteractionReply{}, fmt.Errorf("read answer to survey %d: %w", s.ID, err)
	}
	meta := fmt.Sprintf("%d:%s:%s", s.ID, s.Token, channel)
	if err := in.Views().OpenView(ctx, in.Callback.TriggerID, surveyModal(acct, prev, meta)); err != nil {
		in.Logger().Warn("open survey comment form", "team", s.TeamID, "survey", s.ID, "err", err)
		return InteractionReply{}, kam.Errorf(kam.EINVALID, "I couldn't open the comment form. Try *Add a comment* again in a moment.")
	}
	return InteractionReply{}, nil
}

// submitComment stores the modal's score and comment.
func (h *surveyHandlers) submitComment(ctx context.Context, in *Interaction) (InteractionReply, error) {
	v := in.Callback.View
	idTok, channel, _ := strings.Cut(v.PrivateMetadata, ":")
	tok, channel, _ := strings.Cut(channel, ":")
	ref, err := parseSurveyRef(idTok + ":" + tok)
	if err != nil {
		return InteractionReply{}, err
	}
	s, acct, err := h.survey(ctx, in, ref, channel)
	if err != nil {
		return InteractionReply{}, err
	}
	bad := FieldErrors{}
	var score int
	var comment string
	if v.State == nil {
		return InteractionReply{}, errSurveyButton()
	}
	if sel := v.State.Values[surveyScoreInput][surveyInputAction].SelectedOption.Value; sel == "" {
		bad[surveyScoreInput] = "Pick a number from 0 to 10."
	} else if score, err = parseNPSScore(sel); err != nil {
		bad[surveyScoreInput] = "Pick a number from 0 to 10 in the list."
	}
	raw := v.State.Values[surveyTextInput][surveyInputAction].Value
	if comment, err = CheckText("Your comment", raw, kam.MaxSurveyComment, true); err != nil {
		bad[surveyTextInput] = ErrorText(err)
	} else if comment == "" {
		bad[surveyTextInput] = "Write a few words, or close this form to keep your answer as it is."
	}
	if len(bad) > 0 {
		return InteractionReply{}, bad
	}
	ans := kam.SurveyAnswer{TeamID: s.TeamID, SurveyID: s.ID, UserID: in.UserID, UserTeam: cmp.Or(in.Callback.User.TeamID, in.TeamID), Score: score, Comment: comment}
	prev, existed, err := h.cfg.Store.AnswerSurvey(ctx, &ans, true)
	if err != nil {
		if kam.ErrorCode(err) == kam.EINVALID {
			return InteractionReply{}, FieldErrors{surveyTextInput: ErrorText(err)}
		}
		return InteractionReply{}, userErr(err, "comment on survey %d", s.ID)
	}
	h.afterAnswer(ctx, in, acct, s, ans, prev, existed)
	done := slack.ModalViewRequest{
		Type:   slack.VTModal,
		Title:  plain("Thank you"),
		Close:  plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{section(fmt.Sprintf("Thank you! Your answer (*%d*) and your comment are saved; the team looking after %s will read them.", score, format.Mrkdwn(acct.Name)))}},
	}
	return InteractionReply{Ack: slack.NewUpdateViewSubmissionResponse(&done)}, nil
}

// alertRecipient is whom a detractor answer alerts: the account's owner,
// else its sponsor; "" when it has neither. Alerts never go to the account
// channel, which may be shared with the customer.
func alertRecipient(a kam.Account) string { return cmp.Or(a.OwnerID, a.SponsorID) }

// alertTarget names whom a detractor answer alerts, for messages.
func alertTarget(a kam.Account) string {
	if to := alertRecipient(a); to != "" {
		return mention(to)
	}
	return fmt.Sprintf("nobody, as the account has no owner or sponsor (set one with `/kam set %s owner=@person`),", a.Slug)
}

// alert queues the detractor DM. A failure is logged: the answer it is
// about is stored, and health shows it as a detractor alert anyway.
func (h *surveyHandlers) alert(ctx context.Context, actor *Actor, acct kam.Account, s *kam.Survey, ans kam.SurveyAnswer, key string, followUp bool) {
	to := alertRecipient(acct)
	if to == "" {
		actor.Logger().Warn("detractor answer on an account without owner or sponsor", "team", acct.TeamID, "account", acct.ID)
		return
	}
	blocks := detractorAlert(acct, s, ans, followUp, actor.zoneFor(ctx, to))
	if err := h.cfg.Notifier.Notify(context.WithoutCancel(ctx), acct.TeamID, to, key, format.Fallback(blocks[:1]), blocks); err != nil {
		actor.Logger().Error("queue detractor alert", "team", acct.TeamID, "account", acct.ID, "key", key, "err", err)
	}
}
