package bot

import (
	"context"
	"log/slog"
	"regexp"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kambot/kambot/assistant"
	"github.com/kambot/kambot/format"
)

// AssistantAPI is the part of Slack's Web API the assistant surface uses;
// *slack.Client implements it.
type AssistantAPI interface {
	SetAssistantThreadsStatusContext(ctx context.Context, p slack.AssistantThreadsSetStatusParameters) error
	SetAssistantThreadsSuggestedPromptsContext(ctx context.Context, p slack.AssistantThreadsSetSuggestedPromptsParameters) error
	SetAssistantThreadsTitleContext(ctx context.Context, p slack.AssistantThreadsSetTitleParameters) error
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	StartStreamContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	AppendStreamContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, error)
	StopStreamContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, error)
}

// Asker answers questions; *assistant.Assistant implements it.
type Asker interface {
	Answer(ctx context.Context, q assistant.Question, status func(string)) assistant.Answer
}

// AssistantEvents answers questions in Slack's assistant surface
// (assistant_thread_started, message.im in the thread), in plain direct
// messages and when kambot is mentioned in a channel (app_mention). It
// ignores every other event, so it can share the event stream with other
// handlers (see EventHandlers).
type AssistantEvents struct {
	API    AssistantAPI // required
	Asker  Asker        // required
	Logger *slog.Logger // nil: discarded
}

// SuggestedPrompts are offered when a user opens an assistant thread.
var SuggestedPrompts = []slack.AssistantThreadsPrompt{
	{Title: "Which accounts need me?", Message: "Which of my accounts need me this month?"},
	{Title: "How are my accounts?", Message: "How are my accounts doing?"},
	{Title: "My pipeline", Message: "What's in my pipeline?"},
	{Title: "What did a customer say?", Message: "What did the customer say about pricing?"},
}

// HandleEvent handles one Events API callback.
func (h *AssistantEvents) HandleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AssistantThreadStartedEvent:
		h.threadStarted(ctx, e.AssistantThread)
	case *slackevents.AssistantThreadContextChangedEvent:
		// kambot answers from its own record, not from what the user has
		// open in Slack: nothing to keep.
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" || e.BotID != "" || e.SubType != "" || e.User == "" {
			return // kambot's own posts, edits, joins: not questions
		}
		h.answer(ctx, thread{team: teamOf(ev, e.UserTeam), user: e.User, channel: e.Channel, ts: e.ThreadTimeStamp, assistant: e.ThreadTimeStamp != ""}, e.Text)
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || strings.HasPrefix(e.Channel, "D") {
			return // in a DM the message event carries the question
		}
		ts := e.ThreadTimeStamp
		if ts == "" {
			ts = e.TimeStamp
		}
		// In a channel the answer is the asker's alone: the channel may be
		// shared with the customer (Slack Connect), and the record is
		// private to the account's team.
		h.answer(ctx, thread{team: teamOf(ev, e.UserTeam), user: e.User, channel: e.Channel, ts: ts, private: true}, stripMentions(e.Text))
	}
}

// teamOf is the asker's workspace: the event's, unless the user comes from
// another workspace of a shared channel, whose records they never see here.
func teamOf(ev slackevents.EventsAPIEvent, userTeam string) string {
	if userTeam != "" && userTeam != ev.TeamID {
		return ""
	}
	return ev.TeamID
}

// thread is where a question was asked and the answer goes.
type thread struct {
	team, user, channel string
	ts                  string // the thread's ts; "" in a plain DM
	assistant           bool   // an assistant thread: status, title and streaming work there
	private             bool   // a channel: every reply is ephemeral, seen by the asker alone
}

func (h *AssistantEvents) log() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func (h *AssistantEvents) threadStarted(ctx context.Context, t slackevents.AssistantThread) {
	err := h.API.SetAssistantThreadsSuggestedPromptsContext(ctx, slack.AssistantThreadsSetSuggestedPromptsParameters{
		ChannelID: t.ChannelID, ThreadTS: t.ThreadTimeStamp, Title: "Ask about your key accounts", Prompts: SuggestedPrompts})
	if err != nil {
		h.log().Warn("assistant: suggested prompts not set", "channel", t.ChannelID, "err", err)
	}
}

// mentionText finds user mentions, to drop kambot's own from a question.
var mentionText = regexp.MustCompile(`<@[UW][A-Z0-9]+(?:\|[^>]*)?>`)

func stripMentions(s string) string {
	return strings.TrimSpace(mentionText.ReplaceAllString(s, " "))
}

// answer shows a status at once, answers, and delivers the answer: streamed
// in an assistant thread, else as one post that replaces a placeholder.
func (h *AssistantEvents) answer(ctx context.Context, t thread, question string) {
	if t.team == "" {
		h.post(ctx, t, "", []slack.Block{mrkdwnSection("kambot answers only people of the workspace that installed it.")})
		return
	}
	placeholder := h.working(ctx, t, question) // "" when ephemeral: the answer follows it
	status := func(s string) {
		if t.assistant {
			h.setStatus(ctx, t, s)
		}
	}
	ans := h.Asker.Answer(ctx, assistant.Question{TeamID: t.team, UserID: t.user, Text: question}, status)
	blocks := answerBlocks(ans)
	if t.assistant && ans.Blocks == nil && h.stream(ctx, t, ans, blocks) {
		return
	}
	if placeholder != "" {
		if _, _, _, err := h.API.UpdateMessageContext(ctx, t.channel, placeholder,
			slack.MsgOptionText(format.Fallback(blocks), false), slack.MsgOptionBlocks(blocks...)); err == nil {
			return
		}
	}
	h.post(ctx, t, "", blocks)
	if t.assistant {
		h.setStatus(ctx, t, "") // a post clears it; an empty status makes sure
	}
}

// working tells the asker within a second that kambot is on it: the
// assistant status (and the thread's title) in an assistant thread, a
// placeholder post elsewhere, whose ts it returns.
func (h *AssistantEvents) working(ctx context.Context, t thread, question string) string {
	if t.assistant {
		h.setStatus(ctx, t, "is reading the record…")
		title := format.Plain(clipRunes(strings.Join(strings.Fields(question), " "), 60))
		if err := h.API.SetAssistantThreadsTitleContext(ctx, slack.AssistantThreadsSetTitleParameters{ChannelID: t.channel, ThreadTS: t.ts, Title: title}); err != nil {
			h.log().Debug("assistant: title not set", "channel", t.channel, "err", err)
		}
		return ""
	}
	return h.post(ctx, t, "Looking through the record…", nil)
}

func (h *AssistantEvents) setStatus(ctx context.Context, t thread, s string) {
	if err := h.API.SetAssistantThreadsStatusContext(ctx, slack.AssistantThreadsSetStatusParameters{ChannelID: t.channel, ThreadTS: t.ts, Status: s}); err != nil {
		h.log().Debug("assistant: status not set", "channel", t.channel, "err", err)
	}
}

// post posts text or blocks in the thread and returns the message's ts
// ("" for an ephemeral one, which cannot be updated).
func (h *AssistantEvents) post(ctx context.Context, t thread, text string, blocks []slack.Block) string {
	if text == "" {
		text = format.Fallback(blocks)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if blocks != nil {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if t.ts != "" {
		opts = append(opts, slack.MsgOptionTS(t.ts))
	}
	if t.private {
		if _, err := h.API.PostEphemeralContext(ctx, t.channel, t.user, opts...); err != nil {
			h.log().Warn("assistant: answer not posted", "channel", t.channel, "err", err)
		}
		return ""
	}
	_, ts, err := h.API.PostMessageContext(ctx, t.channel, opts...)
	if err != nil {
		h.log().Warn("assistant: answer not posted", "channel", t.channel, "err", err)
	}
	return ts
}

// stream delivers a prose answer with chat.startStream, appendStream and
// stopStream, a paragraph at a time; false when Slack refused the stream
// (the caller posts instead).
func (h *AssistantEvents) stream(ctx context.Context, t thread, ans assistant.Answer, blocks []slack.Block) bool {
	// The stream is read as markdown, where mrkdwn's *bold* would be italic.
	parts := strings.SplitAfter(format.Markdown(ans.Text), "\n")
	_, ts, err := h.API.StartStreamContext(ctx, t.channel, slack.MsgOptionTS(t.ts),
		slack.MsgOptionRecipientTeamID(t.team), slack.MsgOptionRecipientUserID(t.user), slack.MsgOptionMarkdownText(parts[0]))
	if err != nil {
		h.log().Debug("assistant: streaming refused; posting", "channel", t.channel, "err", err)
		return false
	}
	for _, p := range parts[1:] {
		if strings.TrimSpace(p) == "" {
			continue
		}
		if _, _, err := h.API.AppendStreamContext(ctx, t.channel, ts, slack.MsgOptionMarkdownText(p)); err != nil {
			h.log().Warn("assistant: stream cut short", "channel", t.channel, "err", err)
			break
		}
	}
	// The sources and note close the message, below the prose.
	tail := blocks[1:]
	opts := []slack.MsgOption{}
	if len(tail) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(tail...))
	}
	if _, _, err := h.API.StopStreamContext(ctx, t.channel, ts, opts...); err != nil {
		h.log().Warn("assistant: stream not closed", "channel", t.channel, "err", err)
	}
	return true
}

// answerBlocks lays out an answer: the command's blocks or the prose, then
// the sources and the note.
func answerBlocks(ans assistant.Answer) []slack.Block {
	blocks := ans.Blocks
	if blocks == nil {
		blocks = []slack.Block{mrkdwnSection(clipRunes(ans.Text, 2900))}
	}
	var foot []slack.MixedElement
	if len(ans.Sources) > 0 {
		foot = append(foot, slack.NewTextBlockObject(slack.MarkdownType, clipLines("*Sources*\n"+strings.Join(ans.Sources, "\n"), 2000), false, false))
	}
	if len(ans.Read) > 0 {
		foot = append(foot, slack.NewTextBlockObject(slack.MarkdownType, clipLines("Read: "+strings.Join(ans.Read, " · "), 2000), false, false))
	}
	if ans.Note != "" {
		foot = append(foot, slack.NewTextBlockObject(slack.MarkdownType, ans.Note, false, false))
	}
	if len(foot) > 0 {
		blocks = append(blocks[:len(blocks):len(blocks)], slack.NewContextBlock("", foot...))
	}
	return blocks
}

func mrkdwnSection(s string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil)
}

// clipLines keeps the whole lines of s that fit in n characters, so that
// a link or a mention is never cut in half.
func clipLines(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	lines := strings.Split(s, "\n")
	for len(lines) > 1 && len([]rune(strings.Join(lines, "\n")))+2 > n {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 1 {
		return clipRunes(lines[0], n)
	}
	return strings.Join(lines, "\n") + "\n…"
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// EventHandlers hands every event to each handler in turn, so features that
// each handle some event types can share the one event stream.
type EventHandlers []EventHandler

// HandleEvent implements EventHandler.
func (hs EventHandlers) HandleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	for _, h := range hs {
		h.HandleEvent(ctx, ev)
	}
}
