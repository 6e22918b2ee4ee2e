package brief

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// FallbackMarker appears in the source line of every text that was not
// drafted by a model, so a reader can never mistake a template for a draft.
const FallbackMarker = "not drafted by a model"

// Slack Block Kit limits (characters; lengths here are counted in bytes,
// which is never fewer).
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
)

// title is the plain-text title of a result.
func title(k Kind, name string) string {
	name = inline(name, maxName)
	if name == "" {
		name = "this account"
	}
	switch k {
	case KindSummary:
		return name
	case KindReview:
		return "Plan review note: " + name
	}
	return "Brief: " + name
}

// sourceNote is the line under the title: what the text covers and how it
// was made.
func sourceNote(k Kind, p Period, shown, total int, model, reason string) string {
	var parts []string
	if k != KindSummary {
		loc := p.To.Location()
		switch {
		case total == 0:
			parts = append(parts, "As of "+day(p.To, loc)+" · no interactions logged")
		default:
			parts = append(parts, fmt.Sprintf("Covers %s to %s · %s of %s interactions", day(p.From, loc), day(p.To, loc), count(shown), count(total)))
		}
	}
	if model != "" {
		parts = append(parts, "drafted by "+format.Mrkdwn(inline(model, 60))+" from this account's records only; check before quoting")
	} else {
		parts = append(parts, "template from this account's records, "+FallbackMarker+" ("+reasonText(reason)+")")
	}
	return strings.Join(parts, " · ")
}

// compose renders the whole mrkdwn text of a result.
func compose(r *Result) string {
	var b strings.Builder
	if r.Kind == KindSummary {
		body := ""
		if len(r.Sections) > 0 {
			body = r.Sections[0].Body
		}
		fmt.Fprintf(&b, "*%s*: %s\n_%s_", mrkdwn(r.Title), body, r.Note)
		return b.String()
	}
	fmt.Fprintf(&b, "*%s*\n_%s_", mrkdwn(r.Title), r.Note)
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "\n\n*%s*\n%s", s.Title, s.Body)
	}
	return b.String()
}

// Blocks renders a result as Block Kit: a header, the source line as
// context, and one section per part (split at line ends to stay within
// Slack's 3,000 characters a section), never more than 50 blocks.
func Blocks(r Result) []slack.Block {
	t := r.Title
	if t == "" {
		t = title(r.Kind, "")
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, cut(format.Plain(t), maxHeaderText), false, false)),
	}
	if r.Note != "" {
		// Under the title, so nobody reads a template as a model's draft.
		note := cut("_"+r.Note+"_", maxSectionText)
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, note, false, false)))
	}
	var chunks []string
	for _, s := range r.Sections {
		text := s.Body
		if r.Kind != KindSummary {
			text = "*" + s.Title + "*\n" + s.Body
		}
		chunks = append(chunks, split(text, maxSectionText)...)
	}
	if len(chunks) == 0 && r.Text != "" {
		chunks = split(r.Text, maxSectionText)
	}
	room := maxBlocks - len(blocks)
	if len(chunks) > room {
		chunks = chunks[:room]
		chunks[room-1] = cut(chunks[room-1], maxSectionText-40) + "\n_(shortened)_"
	}
	for _, c := range chunks {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, c, false, false), nil, nil))
	}
	return blocks
}

// split cuts text into pieces of at most max bytes, at line ends where it can.
func split(text string, max int) []string {
	var out []string
	for len(text) > max {
		i := strings.LastIndexByte(text[:max], '\n')
		if i <= 0 {
			piece := cut(text, max)
			out = append(out, piece)
			// cut ends with "…" which was not in text: resume where it stopped.
			text = strings.TrimLeft(text[len(strings.TrimSuffix(piece, "…")):], " ")
			continue
		}
		out = append(out, text[:i])
		text = text[i+1:]
	}
	if strings.TrimSpace(text) != "" {
		out = append(out, text)
	}
	return out
}

// Formatting shared by the templates.

// count writes n with thousands separators: 50,000.
func count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + count(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// days is the whole number of days from a to b.
func days(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// ago says how long before now t was, in words.
func ago(t, now time.Time) string {
	d := days(t, now)
	switch {
	case d < 0:
		return fmt.Sprintf("in %d days", -d)
	case d == 0:
		return "today"
	case d == 1:
		return "yesterday"
	case d < 60:
		return fmt.Sprintf("%d days ago", d)
	case d < 730:
		return fmt.Sprintf("%d months ago", d/30)
	}
	return fmt.Sprintf("%d years ago", d/365)
}

// stanceWord names a stance from −2 to +2.
func stanceWord(s int) string {
	switch {
	case s <= -2:
		return "hostile"
	case s == -1:
		return "sceptical"
	case s == 0:
		return "neutral"
	case s == 1:
		return "supportive"
	}
	return "advocate"
}

var slackID = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)

// user mentions a Slack user by ID, or shows what was given when it is not one.
func user(id string) string {
	if slackID.MatchString(id) {
		return "<@" + id + ">"
	}
	return show(id, 40)
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// capital upper-cases the first letter of an enum value for a sentence start.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// tierText is "Partner tier", or "" when unknown.
func tierText(t kam.Tier) string {
	if t == "" {
		return ""
	}
	return capital(format.Mrkdwn(inline(string(t), 20))) + " tier"
}
