package bot

import (
	"bytes"
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
)

// SharePicture posts a PNG in a channel, or in the bot's DM with a user,
// with Slack's external upload: files.getUploadURLExternal, the file sent
// to the URL it returns, then files.completeUploadExternal sharing it with
// the comment. It implements commands.Files. An error names the step that
// failed; a failed step shares nothing.
func (a *SlackAPI) SharePicture(ctx context.Context, teamID, channel string, p commands.Picture) (string, error) {
	if channel == "" {
		return "", permanent("files upload: no channel")
	}
	if len(p.PNG) == 0 {
		return "", permanent("files upload: empty picture")
	}
	if isUserID(channel) {
		dm, err := a.OpenDM(ctx, channel)
		if err != nil {
			return "", err
		}
		channel = dm
	}
	_, err := a.client.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:         bytes.NewReader(p.PNG),
		FileSize:       len(p.PNG),
		Filename:       p.Name,
		Title:          p.Title,
		AltTxt:         p.AltText,
		InitialComment: p.Comment,
		Channel:        channel,
	})
	if err != nil {
		return "", fmt.Errorf("upload %s to %s: %w", p.Name, channel, err)
	}
	return "", nil
}
