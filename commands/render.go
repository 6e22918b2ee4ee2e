package commands

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
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

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc escapes text for mrkdwn so Slack shows it literally.
func esc(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return escaper.Replace(s)
}

// slackRef matches the user and channel mentions kept in stored text. Other
// <…> forms (<!channel>, links) are escaped: a logged summary must not ping
// a whole channel.
var slackRef = regexp.MustCompile(`^<(?:@[UW][A-Z0-9]{2,20}|#[CG][A-Z0-9]{2,20})(?:\|[^<>]*)?>$`)

// slackRefs finds the same references inside a text.
var slackRefs = regexp.MustCompile(`<(?:@[UW][A-Z0-9]{2,20}|#[CG][A-Z0-9]{2,20})(?:\|[^<>]*)?>`)

// escKeepRefs escapes text for mrkdwn but keeps user and channel mentions.
func escKeepRefs(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range slackRefs.FindAllStringIndex(s, -1) {
		b.WriteString(esc(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(esc(s[last:]))
	return b.String()
}

// escStray escapes the < and > of s that do not form a Slack reference
// (mention, channel, date, link), leaving everything else as it is. Error
// messages written as "`/kam show <account>`" then show literally instead
// of turning into a broken link.
func escStray(s string) string {
	if !strings.ContainsAny(s, "<>") {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexAny(s, "<>")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		if s[i] == '<' {
			if j := strings.IndexAny(s[i+1:], "<>"); j >= 0 && s[i+1+j] == '>' && isSlackRef(s[i+1:i+1+j]) {
				b.WriteString(s[i : i+j+2])
				s = s[i+j+2:]
				continue
			}
			b.WriteString("&lt;")
		} else {
			b.WriteString("&gt;")
		}
		s = s[i+1:]
	}
	return b.String()
}

// isSlackRef reports whether inner (the text between < and >) is one of
// Slack's references.
func isSlackRef(inner string) bool {
	target, _, _ := strings.Cut(inner, "|")
	for _, p := range []string{"http://", "https://", "mailto:", "!date^", "!subteam^", "!here", "!channel", "!everyone"} {
		if strings.HasPrefix(target, p) {
			return true
		}
	}
	return slackRef.MatchString("<" + inner + ">")
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// header is a header block; the text is plain and cut to Slack's limit.
func header(s string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(plain(clip(s, maxHeaderText)))
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
	for i, line := range lines {
		if utf8.RuneCountInString(line) > maxSectionText-reserve {
			line = clip(line, maxSectionText-reserve)
		}
		need := utf8.RuneCountInString(line) + 1
		if utf8.RuneCountInString(b.String())+need > maxSectionText-reserve {
			if len(blocks)+1 >= maxSections {
				b.WriteString("\n" + more(len(lines)-i))
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

// FormatMoney renders an amount briefly: $950, $1.5k, $250k, $1.2M, $3B.
func FormatMoney(v int64) string {
	if v < 0 {
		if v == math.MinInt64 {
			v++ // cannot negate; a unit off is invisible at this size
		}
		return "-" + FormatMoney(-v)
	}
	if v < 1000 {
		return "$" + strconv.FormatInt(v, 10)
	}
	units := []struct {
		scale  int64
		suffix string
	}{{1e3, "k"}, {1e6, "M"}, {1e9, "B"}, {1e12, "T"}}
	for i, u := range units {
		// Under 100 units, one decimal when it is not zero: $1.2M, $12.5k.
		if t := roundDiv(v, u.scale/10); t < 1000 {
			if t%10 == 0 {
				return "$" + strconv.FormatInt(t/10, 10) + u.suffix
			}
			return "$" + strconv.FormatInt(t/10, 10) + "." + strconv.FormatInt(t%10, 10) + u.suffix
		}
		// 1000 of this unit reads better as 1 of the next.
		if w := roundDiv(v, u.scale); w < 1000 || i == len(units)-1 {
			return "$" + strconv.FormatInt(w, 10) + u.suffix
		}
	}
	return "$" + strconv.FormatInt(v, 10) // not reached: the last unit always returns
}

// roundDiv divides non-negative v by d, rounding half up, without overflow.
func roundDiv(v, d int64) int64 {
	q, r := v/d, v%d
	if r >= d-r {
		q++
	}
	return q
}

// formatPercent renders a share: 35%, 12.5%.
func formatPercent(p float64) string {
	return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64) + "%"
}

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

// dateText renders a day the way Slack shows dates in the reader's own
// time zone, falling back to YYYY-MM-DD (UTC) for plain text.
func dateText(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short}|%s>", t.Unix(), t.UTC().Format("2006-01-02"))
}

// day renders a calendar date (close dates carry no time of day).
func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// PlainText renders Block Kit as readable text, for the console and for
// notification fallbacks: mentions become @U123 (or @name), channel links
// #name, dates their fallback, links "label (url)", and *bold* and _italic_
// lose their marks.
func PlainText(blocks []slack.Block) string {
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
			if x.Text != nil {
				line(plainOf(x.Text))
			}
		case *slack.SectionBlock:
			if x.Text != nil {
				line(plainOf(x.Text))
			}
			for _, f := range x.Fields {
				if f != nil {
					line(strings.ReplaceAll(plainOf(f), "\n", ": "))
				}
			}
			if x.Accessory != nil && x.Accessory.ButtonElement != nil && x.Accessory.ButtonElement.Text != nil {
				line("[" + plainOf(x.Accessory.ButtonElement.Text) + "]")
			}
		case *slack.ContextBlock:
			var parts []string
			for _, el := range x.ContextElements.Elements {
				if t, ok := el.(*slack.TextBlockObject); ok {
					parts = append(parts, plainOf(t))
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
					parts = append(parts, "["+plainOf(btn.Text)+"]")
				}
			}
			line(strings.Join(parts, " "))
		case *slack.MarkdownBlock:
			line(x.Text)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

var (
	angleRef = regexp.MustCompile(`<([^<>]*)>`)
	boldRun  = regexp.MustCompile(`\*(\S(?:[^*\n]*\S)?)\*`)
	// Italics only between word boundaries, so snake_case_names survive.
	italicRun = regexp.MustCompile(`(^|[\s(])_(\S(?:[^_\n]*\S)?)_($|[\s).,;:!?])`)
)

// plainOf renders one text object as plain text.
func plainOf(t *slack.TextBlockObject) string {
	if t.Type != slack.MarkdownType {
		return t.Text
	}
	// The regexps run only where their marker occurs: this runs for every
	// reply's notification text, on the hot path.
	s := t.Text
	if strings.IndexByte(s, '<') >= 0 {
		s = angleRef.ReplaceAllStringFunc(s, angleText)
	}
	if strings.IndexByte(s, '*') >= 0 {
		s = boldRun.ReplaceAllString(s, "$1")
	}
	if strings.IndexByte(s, '_') >= 0 {
		s = italicRun.ReplaceAllString(s, "$1$2$3")
	}
	return decodeEntities(s)
}

// angleText renders one <…> reference as plain text.
func angleText(m string) string {
	inner := m[1 : len(m)-1]
	target, label, hasLabel := strings.Cut(inner, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		if hasLabel && label != "" {
			return "@" + label
		}
		return target
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!date^"):
		if hasLabel {
			return label
		}
		return target
	case strings.HasPrefix(target, "!subteam^"):
		return label
	case strings.HasPrefix(target, "!"):
		return "@" + strings.TrimPrefix(target, "!")
	case hasLabel:
		return label + " (" + target + ")"
	}
	return target
}
