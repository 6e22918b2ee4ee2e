package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
)

// wireMessage is a message as Slack takes it in a slash command's response
// body, a Socket Mode ack payload and a response_url POST.
type wireMessage struct {
	ResponseType    string        `json:"response_type"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
	ReplaceOriginal *bool         `json:"replace_original,omitempty"`
}

var (
	yes = true
	no  = false
)

// empty reports whether a reply has nothing to show: Slack refuses such a
// message (no_text), so it is acknowledged without a body instead.
func empty(r commands.Reply) bool { return r.Text == "" && len(r.Blocks) == 0 }

// toWire renders a reply. replace is nil for slash command answers, where
// replace_original has no meaning, and set for interaction follow-ups.
// The text is mrkdwn Slack parses; Guard, which leaves the engine's safe
// text alone, is the transport's last line against a live <!here>.
func toWire(r commands.Reply, replace *bool) wireMessage {
	text := r.Text
	if text == "" && len(r.Blocks) > 0 {
		text = format.Fallback(r.Blocks)
	}
	m := wireMessage{ResponseType: "ephemeral", Text: format.Guard(text), Blocks: r.Blocks, ReplaceOriginal: replace}
	if r.InChannel {
		m.ResponseType = "in_channel"
	}
	return m
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// putBuf returns a buffer to the pool unless a rare huge body grew it.
func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 256<<10 {
		bufPool.Put(b)
	}
}

// encodeJSON appends v's JSON to b, without the trailing newline of
// json.Encoder. Slack's <@U123> and <#C123> markup is kept as is rather
// than escaped to \u003c, which Slack would read the same but is larger.
func encodeJSON(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	b.Truncate(b.Len() - 1)
	return nil
}
