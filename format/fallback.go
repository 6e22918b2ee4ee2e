package format

import (
	"regexp"
	"strings"

	"github.com/slack-go/slack"
)

// Fallback builds a message's top-level text (what notifications, mobile
// previews and screen readers show) from its blocks. The text is mrkdwn
// too, so it is built from the blocks' safe text without ever decoding it:
// entities stay escaped; mentions, channels and dates become the words a
// reader sees (@ana, #deals, 2025-03-14) so the text holds no reference at
// all; *bold* and _italic_ lose their marks; plain_text is escaped.
func Fallback(blocks []slack.Block) string {
	var b strings.Builder
	line := func(s string) {
		s = strings.TrimRight(s, " \n")
		if s == "" {
			return
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	for _, bl := range blocks {
		switch x := bl.(type) {
		case *slack.HeaderBlock:
			line(fallbackOf(x.Text))
		case *slack.SectionBlock:
			line(fallbackOf(x.Text))
			for _, f := range x.Fields {
				line(strings.ReplaceAll(fallbackOf(f), "\n", ": "))
			}
			if x.Accessory != nil && x.Accessory.ButtonElement != nil && x.Accessory.ButtonElement.Text != nil {
				line("[" + fallbackOf(x.Accessory.ButtonElement.Text) + "]")
			}
		case *slack.ContextBlock:
			var parts []string
			for _, el := range x.ContextElements.Elements {
				if t, ok := el.(*slack.TextBlockObject); ok {
					parts = append(parts, fallbackOf(t))
				}
			}
			line(strings.Join(parts, " · "))
		case *slack.DividerBlock:
			line("—")
		case *slack.ActionBlock:
			if x.Elements == nil {
				continue
			}
			var parts []string
			for _, el := range x.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.Text != nil {
					parts = append(parts, "["+fallbackOf(btn.Text)+"]")
				}
			}
			line(strings.Join(parts, " "))
		case *slack.MarkdownBlock:
			line(render(x.Text, modeFallback))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// Readable renders blocks as text for a terminal (the console), where
// nothing is parsed: Fallback's text with entities shown as characters.
// It is never sent to Slack.
func Readable(blocks []slack.Block) string {
	return Read(Fallback(blocks))
}

var (
	boldRun = regexp.MustCompile(`\*(\S(?:[^*\n]*\S)?)\*`)
	// Italics only between word boundaries, so snake_case_names survive.
	italicRun = regexp.MustCompile(`(^|[\s(])_(\S(?:[^_\n]*\S)?)_($|[\s).,;:!?])`)
)

// fallbackOf renders one text object as fallback mrkdwn.
func fallbackOf(t *slack.TextBlockObject) string {
	if t == nil {
		return ""
	}
	if t.Type != slack.MarkdownType {
		return escaper.Replace(t.Text)
	}
	// The regexps run only where their marker occurs: this runs for every
	// reply's notification text, on the hot path.
	s := render(t.Text, modeFallback)
	if strings.IndexByte(s, '*') >= 0 {
		s = boldRun.ReplaceAllString(s, "$1")
	}
	if strings.IndexByte(s, '_') >= 0 {
		s = italicRun.ReplaceAllString(s, "$1$2$3")
	}
	return s
}
