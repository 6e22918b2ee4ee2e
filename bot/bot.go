// Package bot is kambot's Slack transport. It receives slash commands,
// interactions and events — over HTTP (HTTPServer, every request verified
// with Slack's signing secret) or over Socket Mode (SocketRunner) — hands
// them to a command engine, and answers within Slack's three seconds: in the
// acknowledgement when the engine is quick, through response_url when it is
// not. It also wraps the Web API calls the rest of kambot makes (SlackAPI)
// and classifies their errors (Classify).
package bot

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
)

// Engine runs commands and interactions. The transport never looks inside a
// Reply beyond rendering it.
type Engine interface {
	// Do runs one slash command. ctx expires after the transport's command
	// timeout; the reply is shown to the user. The error is what the reply
	// reports — nil, a *kam.Error for the user's mistake (bad input, not
	// found, not allowed), or an internal error — and sets the command's
	// outcome in the metrics.
	Do(ctx context.Context, req commands.Request) (commands.Reply, error)
	// Interact answers a button, modal or shortcut payload.
	Interact(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply
	// SubCommand names the sub-command of a command text ("log", "help"…),
	// used as a metrics label: it must come from a small fixed set.
	SubCommand(text string) string
}

// EventHandler consumes Events API callbacks (app_home_opened,
// app_mention…). Events arrive after they were acknowledged and
// deduplicated on event_id.
type EventHandler interface {
	HandleEvent(ctx context.Context, ev slackevents.EventsAPIEvent)
}

// Outcomes of a command, the outcome label of kambot_commands_total.
const (
	OutcomeOK       = "ok"
	OutcomeError    = "error"
	OutcomeInternal = "internal"
	OutcomeTimeout  = "timeout"
)

// internalText is what kam shows users for an internal error.
var internalText = kam.ErrorMessage(errInternal{})

type errInternal struct{}

func (errInternal) Error() string { return "internal" }

// outcomeOfReply classifies an interaction's reply, which carries no
// error: kambot's internal-error text counts as internal, anything else ok.
func outcomeOfReply(r commands.Reply) string {
	if r.Text == internalText {
		return OutcomeInternal
	}
	return OutcomeOK
}

// outcomeOfErr classifies the error behind a command's reply.
func outcomeOfErr(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case kam.ErrorCode(err) == kam.EINTERNAL:
		return OutcomeInternal
	}
	return OutcomeError
}

// Replies the transport itself gives.
var (
	workingReply  = commands.Reply{Text: "Working on it…"}
	tooSlowReply  = commands.Reply{Text: "Sorry, that took too long and was stopped. Try again in a minute; if it keeps happening, ask your kambot admin to look at the logs."}
	internalReply = commands.Reply{Text: internalText}
	busyReply     = commands.Reply{Text: "kambot is busy right now. Try the command again in a few seconds."}
	unreadable    = commands.Reply{Text: "Sorry, Slack sent a request kambot could not read. Try the command again; if it keeps failing, reinstall the app from its manifest (`kambot manifest`)."}
)
