package brief

import (
	"regexp"
	"strings"
)

// Limits on a model's answer once parsed.
const (
	maxBodyBytes    = 2500 // one section
	maxSummaryBytes = 600  // the digest summary
)

// headingAliases maps other spellings a model may use to the fixed titles.
var headingAliases = map[string]string{
	"3 things to say":     SectionSay,
	"three things to say": SectionSay,
	"next steps":          SectionNextSteps,
}

var (
	listNumber  = regexp.MustCompile(`^\d{1,2}[.)]\s+`)
	mdBold      = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
	mdUnderline = regexp.MustCompile(`__([^_\n]+)__`)
	mdLink      = regexp.MustCompile(`\[([^\]\n]+)\]\((https?://[^)\s]+)\)`)
	mdBullet    = regexp.MustCompile(`^(\s*)[-*+]\s+`)
	mdHeading   = regexp.MustCompile(`^#{1,6}\s+(.*)$`)
	sentenceEnd = regexp.MustCompile(`[.!?](?:["'”’)]*)\s+`)
)

// parseAnswer turns a model's answer into the sections of kind k, or says
// why it cannot be used.
func parseAnswer(k Kind, text string) ([]Section, string) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return nil, ReasonEmptyResponse
	}
	if k == KindSummary {
		s := summaryText(text)
		if s == "" {
			return nil, ReasonEmptyResponse
		}
		return []Section{{SectionSummary, s}}, ""
	}
	titles := sectionTitles(k)
	bodies := make([][]string, len(titles))
	current := -1
	for _, line := range strings.Split(text, "\n") {
		if i, rest, ok := heading(line, titles); ok {
			current = i
			if rest != "" {
				bodies[i] = append(bodies[i], rest)
			}
			continue
		}
		if current >= 0 {
			bodies[current] = append(bodies[current], line)
		}
		// Anything before the first heading is preamble ("Here is the brief:").
	}
	out := make([]Section, len(titles))
	for i, t := range titles {
		body := cleanBody(bodies[i])
		if body == "" {
			return nil, ReasonMissingSections
		}
		out[i] = Section{t, body}
	}
	return out, ""
}

// heading reports whether line introduces one of the titles, in any of the
// ways models write headings ("## Risks", "**Risks**", "*Risks:*", "4. Risks",
// "**Risks:** text"), and returns text that follows on the same line.
func heading(line string, titles []string) (int, string, bool) {
	t := strings.TrimLeft(strings.TrimSpace(line), "#>*_ \t")
	t = listNumber.ReplaceAllString(t, "")
	t = strings.TrimLeft(t, "*_ ")
	lower := strings.ToLower(t)
	match := func(name string) (string, bool) {
		if !strings.HasPrefix(lower, strings.ToLower(name)) {
			return "", false
		}
		rest := strings.TrimLeft(t[len(name):], "*_")
		switch {
		case strings.TrimSpace(rest) == "":
			return "", true
		case strings.HasPrefix(rest, ":"), strings.HasPrefix(rest, " —"), strings.HasPrefix(rest, " -"), strings.HasPrefix(rest, " –"):
			rest = strings.TrimLeft(rest, ":—–- \t*_")
			return strings.TrimSpace(rest), true
		}
		return "", false // a sentence that merely starts with the words
	}
	for i, title := range titles {
		if rest, ok := match(title); ok {
			return i, rest, true
		}
	}
	for alias, title := range headingAliases {
		for i, tt := range titles {
			if tt != title {
				continue
			}
			if rest, ok := match(alias); ok {
				return i, rest, true
			}
		}
	}
	return 0, "", false
}

// cleanBody turns a section's lines into safe Slack mrkdwn: Markdown bold,
// bullets, headings and links become their mrkdwn forms, blank runs collapse,
// and anything that could ping or link is neutralised.
func cleanBody(lines []string) string {
	var out []string
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) == "" {
			blank = len(out) > 0
			continue
		}
		if m := mdHeading.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			l = "*" + strings.Trim(m[1], "*_ ") + "*"
		}
		l = mdBullet.ReplaceAllString(l, "$1• ")
		l = mdBold.ReplaceAllString(l, "*$1*")
		l = mdUnderline.ReplaceAllString(l, "_${1}_")
		l = mdLink.ReplaceAllString(l, "$1 ($2)")
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, mrkdwn(l))
	}
	return cut(strings.Join(out, "\n"), maxBodyBytes)
}

// summaryText keeps the first two sentences of a summary, on one line.
func summaryText(text string) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		// Drop a title line such as "**Summary**" or "Acme Corp:" alone.
		if i, rest, ok := heading(l, []string{SectionSummary}); ok && i == 0 {
			if rest == "" {
				continue
			}
			l = rest
		}
		lines = append(lines, strings.TrimLeft(mdBullet.ReplaceAllString(l, ""), " "))
	}
	s := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	s = mdBold.ReplaceAllString(s, "*$1*")
	if ends := sentenceEnd.FindAllStringIndex(s, 2); len(ends) == 2 {
		// Cut after the second sentence, with its closing quotes or brackets.
		s = strings.TrimSpace(s[:ends[1][1]])
	}
	return cut(mrkdwn(s), maxSummaryBytes)
}
