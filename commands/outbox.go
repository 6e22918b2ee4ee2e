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
	"github.com/kambot/kambot/outbox"
)

// OutboxAdmin is the durable outbox as /kam outbox sees it; *outbox.Sender
// implements it.
type OutboxAdmin interface {
	// Status counts the workspace's messages and returns its latest limit
	// failures, the latest first.
	Status(ctx context.Context, teamID string, limit int) (outbox.Status, error)
	// Retry queues a failed message again; ENOTFOUND when the workspace
	// has no failed message with that ID.
	Retry(ctx context.Context, teamID string, id int64) error
}

// outboxFailuresShown is how many failed messages /kam outbox lists.
const outboxFailuresShown = 20

// OutboxExtension adds /kam outbox (admins): what waits to be posted, and
// the messages Slack refused for good, with the reason, latest first.
func OutboxExtension(o OutboxAdmin) Extension {
	if o == nil {
		panic("commands: OutboxExtension needs the outbox")
	}
	return Extension{Commands: []Command{{
		Name:  "outbox",
		Usage: "outbox [retry <id>]",
		Summary: "Messages waiting to be posted, and those that failed with the reason; " +
			"`retry <id>` sends a failed one again.",
		Details: "Every message kambot posts (reminders, digests, channel updates) waits in the outbox until Slack accepts it. " +
			"A message Slack refuses for good — the channel was archived, kambot is not in it, the person left — is kept " +
			"with the reason. Fix the cause (e.g. `/invite @kambot` in the channel), then `/kam outbox retry <id>`.",
		Examples: []string{"outbox", "outbox retry 42"},
		Access:   AccessAdmin,
		Action:   "see the outbox",
		Run: func(ctx context.Context, c *Call) (Reply, error) {
			return runOutbox(ctx, c, o)
		},
	}}}
}

func runOutbox(ctx context.Context, c *Call, o OutboxAdmin) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	switch {
	case len(toks) == 0:
	case strings.EqualFold(toks[0].Value, "retry") && toks[0].Key == "" && !toks[0].Quoted:
		if len(toks) != 2 || toks[1].Key != "" {
			return Reply{}, c.Usage("Name one failed message by its number, e.g. `/kam outbox retry 42`")
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(toks[1].Value, "#"), 10, 64)
		if err != nil || id <= 0 {
			return Reply{}, kam.Errorf(kam.EINVALID, "“%s” is not a message number — `/kam outbox` lists the failed messages with theirs, e.g. `/kam outbox retry 42`.", show(toks[1].Value, 30))
		}
		if err := o.Retry(ctx, c.TeamID, id); err != nil {
			return Reply{}, nudgeErr(err, "retry outbox message %d", id)
		}
		return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Message #%d is queued again; kambot posts it in a moment. `/kam outbox` shows whether it went through.", id))}}, nil
	default:
		return Reply{}, c.Usage("Unexpected “%s”", show(toks[0].String(), 40))
	}
	st, err := o.Status(ctx, c.TeamID, outboxFailuresShown+1)
	if err != nil {
		return Reply{}, fmt.Errorf("read outbox status: %w", err)
	}
	return Reply{Blocks: outboxBlocks(st, c.Now)}, nil
}

// outboxBlocks renders /kam outbox.
func outboxBlocks(st outbox.Status, now time.Time) []slack.Block {
	waiting := st.Pending + st.Sending
	pending := fmt.Sprintf("*Waiting*\n%d", waiting)
	if waiting > 0 && !st.OldestPending.IsZero() {
		pending += fmt.Sprintf(" · oldest queued %s", outboxAgo(now.Sub(st.OldestPending)))
	}
	if st.Sending > 0 {
		pending += fmt.Sprintf(" · %d being sent", st.Sending)
	}
	blocks := []slack.Block{
		header("Outbox"),
		fields(pending, fmt.Sprintf("*Failed*\n%d", st.Failed), fmt.Sprintf("*Sent*\n%d", st.Sent)),
	}
	if len(st.Failures) == 0 {
		return append(blocks, section("No failed messages. :white_check_mark:"))
	}
	shown := st.Failures
	if len(shown) > outboxFailuresShown {
		shown = shown[:outboxFailuresShown]
	}
	lines := make([]string, len(shown))
	for i, f := range shown {
		reason := f.Reason
		if reason == "" {
			reason = "no reason recorded"
		}
		attempts := fmt.Sprintf("%d attempts", f.Attempts)
		if f.Attempts == 1 {
			attempts = "1 attempt"
		}
		lines[i] = fmt.Sprintf("• *#%d* to %s — `%s` · failed %s after %s · queued %s · `%s`",
			f.ID, outboxRecipient(f.Channel), format.Mrkdwn(clip(reason, 200)), outboxTime(f.FailedAt), attempts,
			outboxTime(f.QueuedAt), format.Mrkdwn(clip(f.Key, 120)))
	}
	title := "*Failed messages, latest first*"
	blocks = append(blocks, listBlocks(title, lines, 4, nil)...)
	if more := st.Failed - len(shown); more > 0 {
		blocks = append(blocks, contextBlock(fmt.Sprintf("…and %d older failed messages.", more)))
	}
	return append(blocks, contextBlock("Fix the cause (e.g. `/invite @kambot` in the channel), then `/kam outbox retry &lt;id&gt;`."))
}

// outboxRecipient renders an outbox channel: a channel link, or a person for
// a DM.
func outboxRecipient(ch string) string {
	switch {
	case ch == "":
		return "—"
	case ch[0] == 'U' || ch[0] == 'W':
		return mention(ch)
	case ch[0] == 'C' || ch[0] == 'G':
		return channelRefText(ch)
	}
	return "`" + format.Mrkdwn(ch) + "`"
}

// outboxTime renders a moment in the reader's time zone, with a UTC
// fallback for plain text.
func outboxTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return fmt.Sprintf("<!date^%d^{date_short} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// outboxAgo says how long ago in words: "just now", "5 min ago", "3 h ago", "2 days ago".
func outboxAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}
