package format

import (
	"regexp"
	"strings"
	"unicode/utf8"

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

// Italics only between word boundaries, so snake_case_names survive.
var italicRun = regexp.MustCompile(`(^|[\s(])_(\S(?:[^_\n]*\S)?)_($|[\s).,;:!?])`)

// unbold drops the marks of every *bold* run: what the regular expression
// \*(\S(?:[^*\n]*\S)?)\* replaced by its group does, leftmost first, without
// the regexp machinery, which was most of the cost of a post's fallback
// text (every /kam log builds two). FuzzUnbold holds it to the expression.
func unbold(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is written or copied
	for i := 0; i < len(s); i++ {
		if s[i] != '*' {
			continue
		}
		end := boldAt(s, i)
		if end < 0 {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		b.WriteString(s[i+1 : end-1])
		done = end
		i = end - 1
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// boldAt is the end of the bold run whose opening mark is s[i], or -1.
// The expression's preferences, in order: the longest run of neither a
// mark nor a newline followed by a non-space and a mark (that non-space
// may be a mark itself: "*a**" is bold "a*"); then that run ending in a
// non-space, closed by the mark after it; then a single non-space closed
// at once.
func boldAt(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i+1:])
	if size == 0 || isSpace(r) {
		return -1
	}
	j := i + 1 + size
	k := j
	for k < len(s) && s[k] != '*' && s[k] != '\n' {
		k++
	}
	switch {
	case k+1 < len(s) && s[k] == '*' && s[k+1] == '*':
		return k + 2
	case k > j && k < len(s) && s[k] == '*' && !isSpace(rune(s[k-1])):
		// A multi-byte rune is never a space, and none of its bytes is one.
		return k + 1
	case j < len(s) && s[j] == '*':
		return j + 1
	}
	return -1
}

// isSpace is \s of Go's regular expressions: ASCII white space but \v.
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

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
		s = unbold(s)
	}
	if strings.IndexByte(s, '_') >= 0 {
		s = italicRun.ReplaceAllString(s, "$1$2$3")
	}
	return s
}
