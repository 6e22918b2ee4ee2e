package commands

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Token is one word of a /kam command line: a positional value or a
// key=value pair.
type Token struct {
	Key    string // lower-cased key of key=value; "" for a positional word
	Value  string // unquoted, with Slack's &amp; &lt; &gt; decoded
	Raw    string // unquoted but not decoded: mentions are only real here
	Quoted bool   // the value was in double quotes
	Pos    int    // byte offset where the token starts in the text
	End    int    // byte offset just after the token
}

// String renders the token the way a user would type it, for messages.
func (t Token) String() string {
	v := t.Value
	if t.Quoted {
		v = `"` + v + `"`
	}
	if t.Key != "" {
		return t.Key + "=" + v
	}
	return v
}

// isQuote reports whether r opens or closes a quoted value. Slack clients on
// macOS and iOS turn straight quotes into curly ones, and some keyboards
// type „low“ quotes, so all of them count and any may close any.
func isQuote(r rune) bool {
	return r == '"' || r == '“' || r == '”' || r == '„'
}

// Args scans a command line one token at a time, so a command can read its
// leading words and take the rest verbatim (a summary may hold a stray
// quote that would not tokenize).
type Args struct {
	text string
	pos  int
}

// NewArgs returns a scanner over text.
func NewArgs(text string) *Args { return &Args{text: text} }

// Next returns the next token; ok is false at the end of the text. A broken
// token (unclosed quote, stray quote) gives a *kam.Error and leaves the
// scanner where it was.
func (a *Args) Next() (tok Token, ok bool, err error) {
	tok, end, err := scanToken(a.text, a.pos)
	if err != nil || end < 0 {
		return Token{}, false, err
	}
	a.pos = end
	return tok, true, nil
}

// Peek returns the next token without consuming it.
func (a *Args) Peek() (Token, bool, error) {
	tok, end, err := scanToken(a.text, a.pos)
	return tok, end >= 0 && err == nil, err
}

// Rest returns the unscanned remainder of the text, trimmed, and consumes it.
func (a *Args) Rest() string {
	s := strings.TrimSpace(a.text[a.pos:])
	a.pos = len(a.text)
	return s
}

// Empty reports whether only white space is left.
func (a *Args) Empty() bool { return strings.TrimSpace(a.text[a.pos:]) == "" }

// All scans every remaining token.
func (a *Args) All() ([]Token, error) {
	var toks []Token
	for {
		tok, ok, err := a.Next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return toks, nil
		}
		toks = append(toks, tok)
	}
}

// Tokenize splits a whole command line into tokens.
func Tokenize(text string) ([]Token, error) { return NewArgs(text).All() }

// scanToken reads the token at or after pos. end is -1 at the end of the text.
func scanToken(s string, pos int) (tok Token, end int, err error) {
	for pos < len(s) {
		r, w := utf8.DecodeRuneInString(s[pos:])
		if !unicode.IsSpace(r) {
			break
		}
		pos += w
	}
	if pos >= len(s) {
		return Token{}, -1, nil
	}
	tok.Pos = pos
	if r, w := utf8.DecodeRuneInString(s[pos:]); isQuote(r) {
		raw, end, err := scanQuoted(s, pos, pos+w)
		if err != nil {
			return Token{}, -1, err
		}
		tok.Raw, tok.Quoted, tok.End = raw, true, end
		tok.Value = decodeEntities(raw)
		return tok, end, nil
	}

	// A bare word runs to the next space; <…> (Slack's mention and link
	// syntax) is kept whole even when a display name holds a space.
	i := pos
	eq := -1
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			goto done
		case r == '<':
			if j := strings.IndexByte(s[i:], '>'); j > 0 && !strings.ContainsAny(s[i+1:i+j], "<\n") {
				i += j + 1
				continue
			}
		case r == '=' && eq < 0:
			eq = i
			if isKey(s[pos:i]) {
				if q, qw := utf8.DecodeRuneInString(s[i+1:]); i+1 < len(s) && isQuote(q) {
					raw, end, err := scanQuoted(s, pos, i+1+qw)
					if err != nil {
						return Token{}, -1, err
					}
					tok.Key = strings.ToLower(s[pos:i])
					tok.Raw, tok.Quoted, tok.End = raw, true, end
					tok.Value = decodeEntities(raw)
					return tok, end, nil
				}
			}
		case isQuote(r):
			word := s[pos:]
			if k := strings.IndexFunc(word, unicode.IsSpace); k >= 0 {
				word = word[:k]
			}
			return Token{}, -1, kam.Errorf(kam.EINVALID,
				"There's a stray quote in %s — put names with spaces in straight double quotes, e.g. \"Acme Corp\" or name=\"Acme Corp\".", show(word, 40))
		}
		i += w
	}
done:
	tok.End = i
	word := s[pos:i]
	if eq > 0 && isKey(s[pos:eq]) {
		tok.Key = strings.ToLower(s[pos:eq])
		word = s[eq+1 : i]
	}
	tok.Raw = word
	tok.Value = decodeEntities(word)
	return tok, i, nil
}

// scanQuoted reads a quoted value whose content starts at from; start is
// where the token began, for the error message.
func scanQuoted(s string, start, from int) (raw string, end int, err error) {
	for i := from; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !isQuote(r) {
			i += w
			continue
		}
		end = i + w
		if end < len(s) {
			if next, _ := utf8.DecodeRuneInString(s[end:]); !unicode.IsSpace(next) {
				return "", -1, kam.Errorf(kam.EINVALID,
					"Put a space after the closing quote in %s — e.g. \"Acme Corp\" tier=partner.", show(s[start:], 40))
			}
		}
		return s[from:i], end, nil
	}
	return "", -1, kam.Errorf(kam.EINVALID,
		"The quote that starts %s is never closed — put names with spaces in double quotes, e.g. \"Acme Corp\".", show(s[start:], 40))
}

// isKey reports whether s can be the key of key=value: a letter, then
// letters, digits, '-' or '_'.
func isKey(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf && unicode.IsLetter(r):
		case i > 0 && (r == '-' || r == '_' || ('0' <= r && r <= '9')):
		default:
			return false
		}
	}
	return true
}

// decodeEntities undoes Slack's escaping of &, < and > in command text.
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return entityDecoder.Replace(s)
}

var entityDecoder = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// clip shortens s to at most n runes for quoting it in a message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// MaxMoney bounds amounts so that a pipeline of thousands of them still sums
// inside int64: a thousand trillion is far above any real deal.
const MaxMoney int64 = 1_000_000_000_000_000

const moneyHint = "type e.g. 250000, 250k, 1.2m or $1,200"

// ParseMoney reads an amount in whole currency units: 250000, 250k, 1.2m,
// 3b, $1,200 or $1,200.50 (rounded to a whole unit).
func ParseMoney(s string) (int64, error) {
	in := strings.TrimSpace(s)
	bad := func(why string) (int64, error) {
		return 0, kam.Errorf(kam.EINVALID, "“%s” %s — %s.", show(in, 30), why, moneyHint)
	}
	t := in
	if t == "" {
		return 0, kam.Errorf(kam.EINVALID, "The amount is empty — %s.", moneyHint)
	}
	if t[0] == '-' || strings.HasPrefix(t, "$-") || strings.HasPrefix(t, "−") {
		return bad("is negative; amounts can't be")
	}
	t = strings.TrimPrefix(t, "$")

	var mult uint64 = 1
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k', 'K':
			mult, t = 1e3, t[:n-1]
		case 'm', 'M':
			mult, t = 1e6, t[:n-1]
		case 'b', 'B':
			mult, t = 1e9, t[:n-1]
		}
	}
	intPart, frac, hasDot := strings.Cut(t, ".")
	if intPart == "" && !hasDot {
		return bad("isn't an amount")
	}
	// Commas must group thousands (1,200 or 12,345,678), nothing else.
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return bad("isn't an amount")
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return bad("has misplaced commas")
			}
		}
		intPart = strings.Join(groups, "")
	}
	if (intPart != "" && !allDigits(intPart)) || (hasDot && !allDigits(frac)) {
		return bad("isn't an amount")
	}
	if len(frac) > 9 {
		return bad("has too many decimals")
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 18 {
		return bad("is too large")
	}
	var whole uint64
	if intPart != "" {
		whole, _ = strconv.ParseUint(intPart, 10, 64) // at most 18 digits: fits
	}
	if whole > uint64(MaxMoney)/mult {
		return bad("is too large")
	}
	v := whole * mult
	if frac != "" {
		f, _ := strconv.ParseUint(frac, 10, 64) // at most 9 digits
		scale := uint64(math.Pow10(len(frac)))
		// f*mult < 1e9*1e9, inside uint64; round half up to a whole unit.
		v += (f*mult + scale/2) / scale
	}
	if v > uint64(MaxMoney) {
		return bad("is too large")
	}
	return int64(v), nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

const dateHint = "type YYYY-MM-DD, e.g. 2025-03-31"

// ParseDate reads a calendar date as YYYY-MM-DD (UTC midnight); impossible
// dates such as 2025-02-30 are refused.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !allDigits(s[:4]) || !allDigits(s[5:7]) || !allDigits(s[8:]) {
		return time.Time{}, kam.Errorf(kam.EINVALID, "“%s” isn't a date — %s.", show(s, 30), dateHint)
	}
	d, err := time.ParseInLocation("2006-01-02", s, time.UTC)
	if err != nil {
		return time.Time{}, kam.Errorf(kam.EINVALID, "%s isn't a real calendar date — %s.", s, dateHint)
	}
	if y := d.Year(); y < 1970 || y > 2199 {
		return time.Time{}, kam.Errorf(kam.EINVALID, "%s is out of range — %s.", s, dateHint)
	}
	return d, nil
}

// ParsePercent reads a percentage from 0 to 100: 35, 35%, 12.5%.
func ParsePercent(s string) (float64, error) {
	in := strings.TrimSpace(s)
	t := strings.TrimSuffix(in, "%")
	whole, frac, hasDot := strings.Cut(t, ".")
	if !allDigits(whole) || (hasDot && (!allDigits(frac) || len(frac) > 2)) || len(whole) > 3 {
		return 0, kam.Errorf(kam.EINVALID, "“%s” isn't a percentage — type a number from 0 to 100, e.g. 35 or 12.5%%.", show(in, 30))
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || v > 100 {
		return 0, kam.Errorf(kam.EINVALID, "%s is not between 0 and 100 — type a percentage, e.g. 35.", show(in, 30))
	}
	return v, nil
}

// ParseScore reads a 1–5 rating.
func ParseScore(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 1 || s[0] < '1' || s[0] > '5' {
		return 0, kam.Errorf(kam.EINVALID, "“%s” isn't a score — type a whole number from 1 to 5.", show(s, 30))
	}
	return int(s[0] - '0'), nil
}

var (
	userRef    = regexp.MustCompile(`^<@([UW][A-Z0-9]{2,20})(?:\|[^<>]*)?>$`)
	channelRef = regexp.MustCompile(`^<#([CG][A-Z0-9]{2,20})(?:\|[^<>]*)?>$`)
)

// ParseUser reads a Slack user mention (<@U123|ana> or <@U123>) and returns
// the user ID. example is the key=value to show in the error, e.g. "owner=@ana".
func ParseUser(tok Token, example string) (string, error) {
	if m := userRef.FindStringSubmatch(strings.TrimSpace(tok.Raw)); m != nil {
		return m[1], nil
	}
	if example == "" {
		example = "@ana"
	}
	return "", kam.Errorf(kam.EINVALID,
		"“%s” isn't a linked person — mention the person with @ so Slack links them (e.g. %s).", show(tok.Value, 40), example)
}

// ParseChannel reads a Slack channel mention (<#C123|name>) and returns the
// channel ID.
func ParseChannel(tok Token) (string, error) {
	if m := channelRef.FindStringSubmatch(strings.TrimSpace(tok.Raw)); m != nil {
		return m[1], nil
	}
	return "", kam.Errorf(kam.EINVALID,
		"“%s” isn't a linked channel — pick the channel with # so Slack links it (e.g. channel=#acme-team).", show(tok.Value, 40))
}

// CheckText validates free text against a limit with the domain's rules
// (kam.CheckLine, or kam.CheckText when multiline), which the store applies
// too: trimmed, valid UTF-8, on one line unless multiline, no control
// characters but tabs (which become spaces), at most max runes. what names
// the field in the message ("The name", "The summary").
func CheckText(what, s string, max int, multiline bool) (string, error) {
	check := kam.CheckLine
	if multiline {
		check = kam.CheckText
	}
	s, err := check("", "", s, max)
	if err != nil {
		return "", textError(what, err)
	}
	return s, nil
}

// textError words a refusal of the domain's text checks for the input
// called what.
func textError(what string, err error) error {
	if e := kam.AsError(err); e != nil {
		if s := wordText(what, e); s != "" {
			return kam.Errorf(e.Code, "%s", s)
		}
	}
	return err
}

// Options is the set of key=value tokens a command accepted, by key.
type Options map[string]Token

// ParseOptions checks tokens against the allowed keys: a positional word,
// an unknown key or a repeated key is an error that says what to type.
// usage is the command's usage line, shown when a positional word is out of place.
func ParseOptions(toks []Token, allowed []string, usage string) (Options, error) {
	opts := make(Options, len(toks))
	for _, t := range toks {
		if t.Key == "" {
			if len(allowed) == 0 {
				return nil, kam.Errorf(kam.EINVALID, "Unexpected “%s” — type `/kam %s`.", show(t.Value, 40), format.Mrkdwn(usage))
			}
			return nil, kam.Errorf(kam.EINVALID,
				"Unexpected “%s” — values go with a key, e.g. %s=…; put names with spaces in quotes. Usage: `/kam %s`.",
				show(t.Value, 40), allowed[0], format.Mrkdwn(usage))
		}
		if !contains(allowed, t.Key) {
			msg := fmt.Sprintf("Unknown key “%s=”", show(t.Key, 32))
			if s := closest(t.Key, allowed); s != "" {
				msg += fmt.Sprintf(" — did you mean %s=?", s)
			} else {
				msg += "."
			}
			if len(allowed) == 0 {
				return nil, kam.Errorf(kam.EINVALID, "%s This command takes no keys: `/kam %s`.", msg, format.Mrkdwn(usage))
			}
			return nil, kam.Errorf(kam.EINVALID, "%s Keys: %s.", msg, strings.Join(allowed, ", "))
		}
		if _, dup := opts[t.Key]; dup {
			return nil, kam.Errorf(kam.EINVALID, "%s= is given twice — give each key once.", t.Key)
		}
		opts[t.Key] = t
	}
	return opts, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ParseEnum reads one of the allowed values, case-insensitively; the error
// lists them all. what names the value ("kind", "stage").
func ParseEnum[T ~string](what, s string, allowed []T) (T, error) {
	if v, ok := kam.ParseEnum(s, allowed); ok {
		return v, nil
	}
	var zero T
	if strings.TrimSpace(s) == "" {
		return zero, kam.Errorf(kam.EINVALID, "The %s is missing — use %s.", what, kam.Names(allowed))
	}
	names := make([]string, len(allowed))
	for i, v := range allowed {
		names[i] = string(v)
	}
	hint := ""
	if c := closest(strings.ToLower(s), names); c != "" {
		hint = fmt.Sprintf(" Did you mean %s?", c)
	}
	return zero, kam.Errorf(kam.EINVALID, "Unknown %s “%s” — use %s.%s", what, show(s, 30), kam.Names(allowed), hint)
}
