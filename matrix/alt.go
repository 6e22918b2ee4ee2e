package matrix

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kambot/kambot/kam"
)

// AltText describes the picture in words for screen readers: every
// account's position, quadrant by quadrant, with where it was before and
// its health band. It is plain text (Slack does not parse alt text).
func (c Chart) AltText() string {
	if len(c.Accounts) == 0 {
		return "No scored account to place in the matrix."
	}
	split := c.split()
	var b strings.Builder
	fmt.Fprintf(&b, "Directional policy matrix of %d %s: customer attractiveness up, our relative strength across, "+
		"quadrants split at %g; bubbles sized by revenue, coloured by health band.", len(c.Accounts), plural(len(c.Accounts), "account"), split)
	accts := c.ordered()
	for _, q := range kam.Quadrants {
		var lines []string
		for _, a := range accts {
			if quadrantAt(a.At, split) != q {
				continue
			}
			lines = append(lines, describe(a, split))
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d): %s.", titleCase(string(q)), len(lines), strings.Join(lines, "; "))
	}
	return b.String()
}

// MaxAltText is Slack's limit on a file's alt text (alt_txt_too_large).
const MaxAltText = 1000

// AltTextWithin is AltText cut to at most limit characters at an
// account's boundary, saying how many accounts it left out; full is false
// then, and the caller shows the whole AltText elsewhere (the message).
func (c Chart) AltTextWithin(limit int) (text string, full bool) {
	all := c.AltText()
	if utf8.RuneCountInString(all) <= limit {
		return all, true
	}
	lines := strings.Split(all, "\n")
	tail := func(n int) string {
		return fmt.Sprintf(" …and %d more %s: the message lists every position.", n, plural(n, "account"))
	}
	var b strings.Builder
	b.WriteString(lines[0])
	left := len(c.Accounts)
	for _, line := range lines[1:] {
		// "Develop (3): a; b; c." — take whole accounts while they fit.
		head, rest, _ := strings.Cut(line, ": ")
		items := strings.Split(strings.TrimSuffix(rest, "."), "; ")
		taken := 0
		var part strings.Builder
		part.WriteString("\n" + head + ":")
		for _, it := range items {
			next := part.String() + " " + it + ";"
			if utf8.RuneCountInString(b.String()+next+tail(left-1)) > limit {
				break
			}
			part.Reset()
			part.WriteString(next)
			taken++
			left--
		}
		if taken > 0 {
			b.WriteString(strings.TrimSuffix(part.String(), ";") + ".")
		}
		if taken < len(items) {
			break
		}
	}
	if left > 0 {
		b.WriteString(tail(left))
	}
	return b.String(), false
}

// describe is one account: "Acme Corp at attractiveness 72.5, strength
// 61, from 65/58 (develop), health good".
func describe(a Account, split float64) string {
	s := fmt.Sprintf("%s at attractiveness %g, strength %g", oneLine(a.Name), a.At.Attractiveness, a.At.Strength)
	if a.moved() {
		s += fmt.Sprintf(", from %g/%g", a.Previous.Attractiveness, a.Previous.Strength)
		if was := quadrantAt(*a.Previous, split); was != quadrantAt(a.At, split) {
			s += " (" + string(was) + ")"
		}
	}
	if a.Band != "" {
		s += ", health " + string(a.Band)
	}
	return s
}

// quadrantAt reads a point at the chart's split; at the line counts as
// high, as kam.QuadrantOf has it.
func quadrantAt(p Point, split float64) kam.Quadrant {
	hiA, hiS := p.Attractiveness >= split, p.Strength >= split
	switch {
	case hiA && hiS:
		return kam.QuadrantStrategic
	case hiA:
		return kam.QuadrantDevelop
	case hiS:
		return kam.QuadrantMaintain
	}
	return kam.QuadrantOpportunistic
}

// oneLine folds a name onto one line of ordinary spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
