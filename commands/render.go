package commands

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/format"
)

// Slack's Block Kit limits for messages.
const (
	maxMessageBlocks = 50
	maxSectionText   = 3000
	maxFields        = 10
	maxFieldText     = 2000
	maxHeaderText    = 150
	maxContextElems  = 10
)

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// plain is a plain_text object showing s (which may hold a name as typed)
// as a person reads it: "@here", never markup.
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, format.Plain(s), true, false)
}

// header is a header block; the text, a name as typed, is shown as a
// person reads it and cut to Slack's limit.
func header(s string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(format.Plain(s), maxHeaderText), true, false))
}

// section is a mrkdwn section block.
func section(s string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(s), nil, nil)
}

// fields is a section of up to ten two-column mrkdwn fields.
func fields(fs ...string) *slack.SectionBlock {
	objs := make([]*slack.TextBlockObject, 0, len(fs))
	for _, f := range fs {
		objs = append(objs, mrkdwn(f))
	}
	return slack.NewSectionBlock(nil, objs, nil)
}

// contextBlock is a context block of mrkdwn elements.
func contextBlock(texts ...string) *slack.ContextBlock {
	els := make([]slack.MixedElement, 0, len(texts))
	for _, t := range texts {
		els = append(els, mrkdwn(t))
	}
	return slack.NewContextBlock("", els...)
}

func divider() *slack.DividerBlock { return slack.NewDividerBlock() }

// listBlocks renders a titled list as few sections as Slack allows: lines
// are packed into sections of at most 3000 characters, at most maxSections
// of them, and what does not fit is announced with more(n) ("…and 4 more"),
// never dropped silently.
func listBlocks(title string, lines []string, maxSections int, more func(n int) string) []slack.Block {
	return listBlocksOf(title, len(lines), func(i int) string { return lines[i] }, maxSections, more)
}

// listBlocksOf is listBlocks over n lines worded by line(i) only when
// they are laid out: a list of thousands that Slack cuts after a few
// hundred words only those.
func listBlocksOf(title string, n int, line func(i int) string, maxSections int, more func(n int) string) []slack.Block {
	if more == nil {
		more = func(n int) string { return fmt.Sprintf("…and %d more", n) }
	}
	var blocks []slack.Block
	var b strings.Builder
	if title != "" {
		b.WriteString(title)
	}
	// Room kept in each section for the "…and N more" line.
	const reserve = 200
	for i := range n {
		line := line(i)
		if utf8.RuneCountInString(line) > maxSectionText-reserve {
			line = clip(line, maxSectionText-reserve)
		}
		need := utf8.RuneCountInString(line) + 1
		if utf8.RuneCountInString(b.String())+need > maxSectionText-reserve {
			if len(blocks)+1 >= maxSections {
				b.WriteString("\n" + more(n-i))
				blocks = append(blocks, section(b.String()))
				return blocks
			}
			blocks = append(blocks, section(b.String()))
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	if b.Len() > 0 {
		blocks = append(blocks, section(b.String()))
	}
	return blocks
}

// enforceLimits is the last line of defence for blocks from any command:
// over-long texts are cut with a visible mark, extra fields move to another
// section and extra blocks are replaced by a note saying how many.
func enforceLimits(blocks []slack.Block, maxBlocks int) []slack.Block {
	var out []slack.Block
	for _, bl := range blocks {
		switch b := bl.(type) {
		case *slack.HeaderBlock:
			if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > maxHeaderText {
				b.Text.Text = clip(b.Text.Text, maxHeaderText)
			}
			out = append(out, b)
		case *slack.SectionBlock:
			if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > maxSectionText {
				b.Text.Text = clip(b.Text.Text, maxSectionText-12) + " (trimmed)"
			}
			for _, f := range b.Fields {
				if f != nil && utf8.RuneCountInString(f.Text) > maxFieldText {
					f.Text = clip(f.Text, maxFieldText-12) + " (trimmed)"
				}
			}
			if len(b.Fields) <= maxFields {
				out = append(out, b)
				continue
			}
			rest := b.Fields[maxFields:]
			b.Fields = b.Fields[:maxFields]
			out = append(out, b)
			for len(rest) > 0 {
				n := min(len(rest), maxFields)
				out = append(out, slack.NewSectionBlock(nil, rest[:n], nil))
				rest = rest[n:]
			}
		case *slack.ContextBlock:
			if els := b.ContextElements.Elements; len(els) > maxContextElems {
				b.ContextElements.Elements = append(els[:maxContextElems-1:maxContextElems-1],
					mrkdwn(fmt.Sprintf("…and %d more", len(els)-maxContextElems+1)))
			}
			out = append(out, b)
		default:
			out = append(out, bl)
		}
	}
	if len(out) > maxBlocks {
		n := len(out) - maxBlocks + 1
		out = append(out[:maxBlocks-1:maxBlocks-1], contextBlock(fmt.Sprintf("…and %d more sections not shown", n)))
	}
	return out
}

// formatPercent renders a share: 35%, 12.5%.
func formatPercent(p float64) string { return format.Percent(p) }

// mention renders a Slack user mention, or an em dash for nobody.
func mention(userID string) string {
	if userID == "" {
		return "—"
	}
	return "<@" + userID + ">"
}

// channelRefText renders a Slack channel link, or an em dash for none.
func channelRefText(channelID string) string {
	if channelID == "" {
		return "—"
	}
	return "<#" + channelID + ">"
}

// dateText renders an instant's day the way Slack shows dates, in each
// reader's own zone, with its day in loc (the reader's zone as kambot
// knows it) for notifications and the console.
func dateText(t time.Time, loc *time.Location) string { return format.SlackDate(t, loc) }

// day renders a calendar date (close and due dates carry no time of day).
func day(t time.Time) string { return format.Day(t) }

// PlainText renders Block Kit as text for a terminal (the console):
// mentions become @U123 (or @name), channel links #name, dates their
// fallback, links "label (url)", and *bold* and _italic_ lose their marks.
// It is never sent to Slack: a message's top-level text is format.Fallback.
func PlainText(blocks []slack.Block) string {
	text := format.Readable(charts.Plain(blocks))
	if !strings.Contains(text, "```") {
		return text
	}
	// A terminal shows a table's columns without the code fences.
	lines := strings.Split(text, "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.TrimSpace(l) != "```" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
