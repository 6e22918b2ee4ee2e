package format

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Slack's Block Kit limits, in characters, that kambot's output must keep.
const (
	MaxMessageBlocks = 50
	MaxViewBlocks    = 100
	MaxMessageText   = 40000
	MaxSectionText   = 3000
	MaxFields        = 10
	MaxFieldText     = 2000
	MaxHeaderText    = 150
	MaxContextElems  = 10
	MaxActionElems   = 25
	MaxButtonText    = 75
	MaxButtonValue   = 2000
	MaxActionID      = 255
	MaxBlockID       = 255
	MaxViewTitle     = 24
	MaxOptionText    = 75
	MaxOptionValue   = 150
	MaxPlaceholder   = 150
	MaxLabel         = 2000
	MaxPrivateMeta   = 3000
)

// CheckMrkdwn lists what in a mrkdwn text breaks the rule: a live special
// mention, a link whose label hides its address, a reference Slack would
// parse that kambot never writes, or an &, < or > left unescaped.
func CheckMrkdwn(s string) []string {
	var bad []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			if entityAt(s[i:]) == "" {
				bad = append(bad, fmt.Sprintf("unescaped & at %d in %q", i, clipQ(s, i)))
			}
		case '>':
			// A line's leading "> " is mrkdwn's quote mark, which kambot
			// writes; every other > must be escaped.
			if !strings.HasPrefix(s[i:], "> ") || (i > 0 && s[i-1] != '\n') {
				bad = append(bad, fmt.Sprintf("unescaped > at %d in %q", i, clipQ(s, i)))
			}
		case '<':
			j := strings.IndexAny(s[i+1:], "<>")
			if j < 0 || s[i+1+j] != '>' {
				bad = append(bad, fmt.Sprintf("unescaped < at %d in %q", i, clipQ(s, i)))
				continue
			}
			inner := s[i+1 : i+1+j]
			if why := checkRef(inner); why != "" {
				bad = append(bad, fmt.Sprintf("%s: <%s> in %q", why, inner, clipQ(s, i)))
			}
			i += j + 1
		}
	}
	return bad
}

// checkRef says what is wrong with one <…> reference in mrkdwn, or "".
func checkRef(inner string) string {
	switch {
	case userRef.MatchString(inner), chanRef.MatchString(inner), dateRef.MatchString(inner):
		return ""
	case strings.HasPrefix(inner, "!"):
		return "live special mention"
	}
	if g := linkRef.FindStringSubmatch(inner); g != nil {
		if g[2] != "" && g[2] != g[1] {
			return "link label hides its address"
		}
		return ""
	}
	return "unescaped < >"
}

// CheckPlain lists what in a plain_text text would show as raw markup or as
// an escaped entity, neither of which reads as a person typed it.
func CheckPlain(s string) []string {
	var bad []string
	for _, m := range []string{"<!", "<@", "<#", "<http", "<mailto:", "&amp;", "&lt;", "&gt;"} {
		if strings.Contains(s, m) {
			bad = append(bad, fmt.Sprintf("plain_text shows %q: %q", m, clipQ(s, strings.Index(s, m))))
		}
	}
	return bad
}

// CheckMessage lists every way a message breaks the rule or Slack's limits:
// its top-level text is checked as mrkdwn, each block as Block Kit.
func CheckMessage(text string, blocks []slack.Block) []string {
	bad := CheckMrkdwn(text)
	if n := utf8.RuneCountInString(text); n > MaxMessageText {
		bad = append(bad, fmt.Sprintf("text has %d characters, over %d", n, MaxMessageText))
	}
	if len(blocks) > MaxMessageBlocks {
		bad = append(bad, fmt.Sprintf("%d blocks, over %d", len(blocks), MaxMessageBlocks))
	}
	raw, err := json.Marshal(blocks)
	if err != nil {
		return append(bad, fmt.Sprintf("blocks do not marshal: %v", err))
	}
	return append(bad, CheckJSON(raw)...)
}

// CheckView lists every way a modal or Home tab view breaks the rule or
// Slack's limits.
func CheckView(view any) []string {
	raw, err := json.Marshal(view)
	if err != nil {
		return []string{fmt.Sprintf("view does not marshal: %v", err)}
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		return []string{fmt.Sprintf("view is not an object: %v", err)}
	}
	var bad []string
	if bl, ok := v["blocks"].([]any); ok && len(bl) > MaxViewBlocks {
		bad = append(bad, fmt.Sprintf("view has %d blocks, over %d", len(bl), MaxViewBlocks))
	}
	for _, k := range []string{"title", "submit", "close"} {
		if t, ok := v[k].(map[string]any); ok {
			bad = append(bad, limit("view "+k, str(t["text"]), MaxViewTitle)...)
		}
	}
	bad = append(bad, limit("private_metadata", str(v["private_metadata"]), MaxPrivateMeta)...)
	bad = append(bad, limit("callback_id", str(v["callback_id"]), MaxActionID)...)
	return append(bad, CheckJSON(raw)...)
}

// CheckJSON walks any Block Kit JSON (blocks, a view, a whole message) and
// checks every text object and every element against the rule and limits.
func CheckJSON(raw []byte) []string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return []string{fmt.Sprintf("not JSON: %v", err)}
	}
	var bad []string
	walk(v, "", &bad)
	return bad
}

// walk checks node, an element of Block Kit JSON found under the key parent.
func walk(node any, parent string, bad *[]string) {
	switch x := node.(type) {
	case []any:
		for _, e := range x {
			walk(e, parent, bad)
		}
	case map[string]any:
		checkObject(x, parent, bad)
		for k, e := range x {
			walk(e, k, bad)
		}
	}
}

// checkObject checks one JSON object by its type.
func checkObject(o map[string]any, parent string, bad *[]string) {
	add := func(s ...string) { *bad = append(*bad, s...) }
	typ := str(o["type"])
	textOf := func(k string) string {
		if t, ok := o[k].(map[string]any); ok {
			return str(t["text"])
		}
		return ""
	}
	switch typ {
	case "mrkdwn":
		add(CheckMrkdwn(str(o["text"]))...)
	case "plain_text":
		add(CheckPlain(str(o["text"]))...)
	case "section":
		add(limit("section text", textOf("text"), MaxSectionText)...)
		if fs, ok := o["fields"].([]any); ok {
			if len(fs) > MaxFields {
				add(fmt.Sprintf("section has %d fields, over %d", len(fs), MaxFields))
			}
			for _, f := range fs {
				if fm, ok := f.(map[string]any); ok {
					add(limit("section field", str(fm["text"]), MaxFieldText)...)
				}
			}
		}
	case "header":
		add(limit("header", textOf("text"), MaxHeaderText)...)
	case "context":
		if els, ok := o["elements"].([]any); ok && len(els) > MaxContextElems {
			add(fmt.Sprintf("context has %d elements, over %d", len(els), MaxContextElems))
		}
	case "actions":
		if els, ok := o["elements"].([]any); ok && len(els) > MaxActionElems {
			add(fmt.Sprintf("actions has %d elements, over %d", len(els), MaxActionElems))
		}
	case "button":
		add(limit("button text", textOf("text"), MaxButtonText)...)
		add(limit("button value", str(o["value"]), MaxButtonValue)...)
	case "input":
		add(limit("input label", textOf("label"), MaxLabel)...)
	}
	if parent == "options" || parent == "option_groups" {
		add(limit("option text", textOf("text"), MaxOptionText)...)
		add(limit("option value", str(o["value"]), MaxOptionValue)...)
	}
	add(limit("placeholder", textOf("placeholder"), MaxPlaceholder)...)
	add(limit("action_id", str(o["action_id"]), MaxActionID)...)
	add(limit("block_id", str(o["block_id"]), MaxBlockID)...)
}

func limit(what, s string, max int) []string {
	if n := utf8.RuneCountInString(s); n > max {
		return []string{fmt.Sprintf("%s has %d characters, over %d: %q", what, n, max, clipQ(s, 0))}
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// clipQ returns up to 60 bytes of s around i, for a readable report.
func clipQ(s string, i int) string {
	lo, hi := max(0, i-30), min(len(s), i+30)
	return strings.ToValidUTF8(s[lo:hi], "")
}
