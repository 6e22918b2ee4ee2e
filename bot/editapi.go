package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// UpdateMessage replaces the text and blocks of a message the bot posted
// (chat.update); it implements outbox.Editor.
func (a *SlackAPI) UpdateMessage(ctx context.Context, channel, ts, text string, blocks []slack.Block) error {
	if channel == "" || ts == "" {
		return permanent("chat.update: no channel or ts")
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	// An empty block list clears the blocks; without it Slack keeps them.
	opts = append(opts, slack.MsgOptionBlocks(blocks...))
	if _, _, _, err := a.client.UpdateMessageContext(ctx, channel, ts, opts...); err != nil {
		return fmt.Errorf("chat.update in %s: %w", channel, err)
	}
	return nil
}

// DeleteMessage deletes a message the bot posted (chat.delete); it
// implements outbox.Editor.
func (a *SlackAPI) DeleteMessage(ctx context.Context, channel, ts string) error {
	if channel == "" || ts == "" {
		return permanent("chat.delete: no channel or ts")
	}
	if _, _, err := a.client.DeleteMessageContext(ctx, channel, ts); err != nil {
		return fmt.Errorf("chat.delete in %s: %w", channel, err)
	}
	return nil
}
