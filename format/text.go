package format

import (
	"regexp"
	"strings"
)

// Mrkdwn renders text a person typed (a name, a summary, a note, a comment)
// for a mrkdwn field, so that Slack shows what they meant and nothing more:
// user and channel mentions stay, special mentions become their words
// ("@here"), links show their address ("click (https://…)") and every other
// &, < and > is escaped. Stored text is unescaped (Slack's &amp;, &lt; and
// &gt; are decoded on the way in), so every & is escaped here, once.
func Mrkdwn(s string) string { return render(s, modeUser) }

// Model renders a language model's answer for a mrkdwn field. Models echo
// Slack's entities (&amp;) as often as they write the character, so entities
// are read as the characters they stand for; then the answer passes the same
// rule as a person's text: a model that answers <!channel> pings nobody.
func Model(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = entityDecoder.Replace(s)
	}
	return render(s, modeUser)
}

// Plain renders text a person typed for a plain_text field (headers, modal
// titles, button labels, options), which Slack does not parse: markup is
// shown as the words a person reads, "@here", "@ana", "#deals",
// "click (https://…)", and &, < and > stay as they are.
func Plain(s string) string { return render(s, modePlain) }

// Guard makes mrkdwn that kambot composed safe to send, whatever went into
// it: the entities and references it wrote (&amp;, <@U…>, <#C…>,
// <!date^…|…>) stay, and anything that could ping or hide a link is made
// inert as Mrkdwn does. It is idempotent, and it changes nothing in text
// whose every user-typed part went through Mrkdwn.
func Guard(s string) string { return render(s, modeComposed) }

// Read returns what a person reads in a mrkdwn text: references shown as
// Slack shows them ("@ana", "#deals", a date's fallback), entities decoded.
// It is the inverse of Mrkdwn for display: Read(Mrkdwn(s)) == Plain(s).
func Read(mrkdwn string) string { return render(mrkdwn, modeRead) }

type mode int

const (
	modeUser     mode = iota // person's or model's text → mrkdwn
	modeComposed             // kambot's mrkdwn → mrkdwn, entities kept
	modePlain                // person's text → plain_text
	modeRead                 // mrkdwn → what a reader sees
	modeFallback             // mrkdwn → mrkdwn without references, entities kept
)

// escaper escapes every &, < and > for mrkdwn.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

var (
	entityDecoder = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
	userRef       = regexp.MustCompile(`^@([UW][A-Z0-9]{1,20})(?:\|([^|]*))?$`)
	chanRef       = regexp.MustCompile(`^#([CG][A-Z0-9]{1,20})(?:\|([^|]*))?$`)
	// A date is kept only without its optional link part (^https://…),
	// which would make the date a link its author did not show.
	dateRef = regexp.MustCompile(`^!date\^(\d{1,12})\^([^\^|&]{1,100})\|(.*)$`)
	linkRef = regexp.MustCompile(`^((?:https?://|mailto:)[^\s|]+)(?:\|(.*))?$`)
)

// render applies the rule in one of its modes; see the exported functions.
func render(s string, m mode) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '<':
			if j := strings.IndexAny(s[i+1:], "<>"); j >= 0 && s[i+1+j] == '>' {
				if out, ok := ref(s[i+1:i+1+j], m); ok {
					b.WriteString(out)
					i += j + 2
					continue
				}
			}
			b.WriteString(char('<', m))
		case '>':
			b.WriteString(char('>', m))
		case '&':
			if m == modeComposed || m == modeRead || m == modeFallback {
				if e := entityAt(s[i:]); e != "" {
					if m == modeRead {
						b.WriteString(entityDecoder.Replace(e))
					} else {
						b.WriteString(e)
					}
					i += len(e)
					continue
				}
			}
			b.WriteString(char('&', m))
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// char renders one &, < or > that is not part of a reference.
func char(c byte, m mode) string {
	if m == modePlain || m == modeRead {
		return string(c)
	}
	switch c {
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	}
	return "&amp;"
}

// entityAt returns the entity s starts with, if any.
func entityAt(s string) string {
	for _, e := range []string{"&amp;", "&lt;", "&gt;"} {
		if strings.HasPrefix(s, e) {
			return e
		}
	}
	return ""
}

// ref renders the inside of one <…> reference; ok is false when inner is
// no Slack reference (a typed "<b>"), which is then shown literally.
func ref(inner string, m mode) (string, bool) {
	label := func(l string) string { return text(l, m) }
	words := m == modePlain || m == modeRead || m == modeFallback
	if g := userRef.FindStringSubmatch(inner); g != nil {
		if words {
			return "@" + label(or(g[2], g[1])), true
		}
		if g[2] != "" {
			return "<@" + g[1] + "|" + label(g[2]) + ">", true
		}
		return "<@" + g[1] + ">", true
	}
	if g := chanRef.FindStringSubmatch(inner); g != nil {
		if words {
			return "#" + label(or(g[2], g[1])), true
		}
		if g[2] != "" {
			return "<#" + g[1] + "|" + label(g[2]) + ">", true
		}
		return "<#" + g[1] + ">", true
	}
	if g := dateRef.FindStringSubmatch(inner); g != nil {
		if words {
			return label(g[3]), true
		}
		return "<!date^" + g[1] + "^" + g[2] + "|" + label(g[3]) + ">", true
	}
	if strings.HasPrefix(inner, "!") {
		// <!here>, <!channel>, <!subteam^S1|@team>: the words, never a ping.
		name, l, ok := strings.Cut(inner[1:], "|")
		if ok && strings.TrimPrefix(l, "@") != "" {
			name = l
		} else if k := strings.IndexByte(name, '^'); k >= 0 {
			name = name[:k]
		}
		return "@" + label(strings.TrimPrefix(name, "@")), true
	}
	if g := linkRef.FindStringSubmatch(inner); g != nil {
		url := label(g[1])
		if g[2] == "" || g[2] == g[1] {
			return url, true
		}
		return label(g[2]) + " (" + url + ")", true
	}
	return "", false
}

// text renders a reference's label or address in mode m: escaped for
// mrkdwn, as it is for plain text. Labels hold no < or > (the reference
// would have ended), so only & needs care.
func text(s string, m mode) string {
	switch m {
	case modePlain:
		return s
	case modeRead:
		return entityDecoder.Replace(s)
	case modeComposed, modeFallback:
		return render(s, modeComposed)
	}
	return strings.ReplaceAll(s, "&", "&amp;")
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
