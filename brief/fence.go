package brief

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kambot/kambot/format"
)

// Fencing. Every string a person typed (names, titles, summaries, comments,
// objectives) reaches the model only inside the data block, as a JSON string:
// quotes, newlines and control characters are escaped by the encoder, and so
// are '<', '>' and '&' (encoding/json's HTML escaping), so the text cannot
// close the block. Characters that merely look like angle brackets are mapped
// to ASCII first, so they are escaped too, and invisible formatting characters
// (zero-width, bidirectional overrides) are dropped because they can hide
// text from the people who read it. The block's tags carry an ID derived from
// the block's own content, which text inside the block cannot predict.

// lookalikes maps characters that render like angle brackets to ASCII.
var lookalikes = strings.NewReplacer(
	"\u2039", "<", "\u203A", ">", // single guillemets
	"\uFF1C", "<", "\uFF1E", ">", // fullwidth
	"\u3008", "<", "\u3009", ">", // CJK angle brackets
	"\u27E8", "<", "\u27E9", ">", // mathematical angle brackets
	"\u2329", "<", "\u232A", ">", // angle brackets (deprecated)
	"\uFE64", "<", "\uFE65", ">", // small less-than / greater-than
	"\u02C2", "<", "\u02C3", ">", // modifier arrowheads
	"\u276C", "<", "\u276D", ">", // ornamental angle brackets
	"\u29FC", "<", "\u29FD", ">", // curved angle brackets
)

// invisible reports characters that change how text displays without being
// seen: zero-width characters, bidirectional controls, the BOM.
func invisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0xFEFF, r == 0x2060:
		return true
	}
	return false
}

// neutralize prepares user-typed text for the data block: look-alike angle
// brackets become ASCII (which the JSON encoder then escapes), invisible
// characters and invalid UTF-8 are dropped, and runs of whitespace collapse
// to one space so a datum stays on one line.
func neutralize(s string) string {
	s = lookalikes.Replace(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1, invisible(r):
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// fenceID derives the data block's tag ID from its content.
func fenceID(data string) string {
	sum := sha256.Sum256([]byte(data))
	return hex.EncodeToString(sum[:6])
}

// cut shortens s to at most max bytes, at a word boundary when one is near,
// without splitting a UTF-8 character, and marks the cut with "…".
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	if max <= len(ellipsis) {
		return ""
	}
	end := max - len(ellipsis)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	// Prefer a word boundary in the last fifth.
	if sp := strings.LastIndexByte(s[:end], ' '); sp > end*4/5 {
		end = sp
	}
	return strings.TrimRight(s[:end], " ,;:-") + ellipsis
}

// inline makes user text fit on one line of at most max bytes.
func inline(s string, max int) string {
	return cut(neutralize(s), max)
}

// datum prepares user text for the data block: Slack's markup is spelled
// out the way the instructions describe it (a mention as the bare user ID,
// a link as its label and URL), then the text is neutralised and cut.
func datum(s string, max int) string {
	if strings.Contains(s, "<") {
		s = anyEntity.ReplaceAllStringFunc(s, func(m string) string {
			inner := m[1 : len(m)-1]
			switch {
			case userMention.MatchString(inner):
				id, _, _ := strings.Cut(inner[1:], "|")
				return id
			case chanMention.MatchString(inner):
				id, label, ok := strings.Cut(inner[1:], "|")
				if ok && label != "" {
					return "#" + label
				}
				return "#" + id
			case strings.HasPrefix(inner, "!"):
				return format.Plain(m) // "@channel": words, never markup
			}
			if l := linkEntity.FindStringSubmatch(inner); l != nil {
				if l[2] == "" || l[2] == l[1] {
					return l[1]
				}
				return l[2] + " (" + l[1] + ")"
			}
			return m
		})
	}
	return cut(neutralize(s), max)
}

var (
	anyEntity   = regexp.MustCompile(`<[^<>]*>`)
	userMention = regexp.MustCompile(`^@[UW][A-Z0-9]{2,20}(\|[^<>|]*)?$`)
	chanMention = regexp.MustCompile(`^#C[A-Z0-9]{2,20}(\|[^<>|]*)?$`)
	linkEntity  = regexp.MustCompile(`^((?:https?|mailto):[^\s|<>]+)(?:\|([^<>]*))?$`)
)

// mrkdwn makes a model's answer safe to show in Slack mrkdwn: look-alike
// angle brackets become ASCII and invisible characters and invalid UTF-8 are
// dropped (they hide text from readers), then format.Model applies the rule
// every string kambot shows follows: mentions stay, special mentions such as
// <!channel> lose their ping, links show their address.
func mrkdwn(s string) string {
	s = lookalikes.Replace(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && size == 1) && !invisible(r) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return format.Model(b.String())
}

// show renders user text for a one-line place in a mrkdwn text.
func show(s string, max int) string {
	return format.Mrkdwn(inline(s, max))
}
