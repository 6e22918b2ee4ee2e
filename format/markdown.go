package format

import "strings"

// Markdown renders safe mrkdwn (what Mrkdwn, Model or Guard made) for a
// field Slack reads as markdown, such as a streamed answer's
// markdown_text: bold *x* becomes **x** and strike ~x~ becomes ~~x~~, as
// mrkdwn meant them (in markdown *x* is italic). _x_ means italic in both.
// Code spans and blocks are left as they are, and so is every other
// character: the escaping that keeps text from pinging or hiding a link
// (entities, references) carries over unchanged.
func Markdown(mrkdwn string) string {
	if !strings.ContainsAny(mrkdwn, "*~") {
		return mrkdwn
	}
	var b strings.Builder
	b.Grow(len(mrkdwn) + 8)
	s := mrkdwn
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '`':
			fence := "`"
			if strings.HasPrefix(s[i:], "```") {
				fence = "```"
			}
			end := strings.Index(s[i+len(fence):], fence)
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			j := i + len(fence) + end + len(fence)
			b.WriteString(s[i:j])
			i = j
		case (c == '*' || c == '~') && opensEmphasis(s, i):
			j := closesEmphasis(s, i)
			if j < 0 {
				b.WriteByte(c)
				i++
				continue
			}
			b.WriteByte(c)
			b.WriteByte(c)
			b.WriteString(s[i+1 : j])
			b.WriteByte(c)
			b.WriteByte(c)
			i = j + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// opensEmphasis says whether the marker at i can open emphasis, as in
// mrkdwn: not inside a word or a run of markers, and followed by text.
func opensEmphasis(s string, i int) bool {
	c := s[i]
	if i > 0 && (wordByte(s[i-1]) || s[i-1] == c) {
		return false
	}
	return i+1 < len(s) && s[i+1] != c && !spaceByte(s[i+1])
}

// closesEmphasis finds the marker that closes the one at i on the same
// line, or -1: it follows text and is not followed by a word or another
// marker.
func closesEmphasis(s string, i int) int {
	c := s[i]
	for j := i + 2; j < len(s); j++ {
		switch {
		case s[j] == '\n':
			return -1
		case s[j] == '`':
			return -1 // a code span inside: leave the markers as typed
		case s[j] == c && !spaceByte(s[j-1]) && s[j-1] != c &&
			(j+1 == len(s) || (!wordByte(s[j+1]) && s[j+1] != c)):
			return j
		}
	}
	return -1
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func spaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
