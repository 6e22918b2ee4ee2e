package kam

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Slugify turns a name into a slug: lower-case ASCII letters and digits,
// with one hyphen for each run of anything else and none at either end
// ("Acme Corp." → "acme-corp"). Latin letters with diacritics fold to their
// base letter first ("Café Müller" → "cafe-muller", "Straße" → "strasse"),
// so that such names keep a readable slug. It returns "" when nothing is
// left.
func Slugify(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	gap := false // a run of other characters since the last letter kept
	for _, r := range name {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		} else if r >= utf8.RuneSelf {
			r = unicode.ToLower(r)
		}
		fold := ""
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
			f, ok := latinFold[r]
			if !ok {
				gap = true
				continue
			}
			fold = f
		}
		if gap && b.Len() > 0 {
			b.WriteByte('-')
		}
		gap = false
		if fold != "" {
			b.WriteString(fold)
		} else {
			b.WriteByte(byte(r))
		}
	}
	return b.String()
}

// latinFold maps lower-case Latin-1 and Latin Extended-A letters to ASCII.
var latinFold = func() map[rune]string {
	groups := map[string]string{
		"a": "àáâãäåāăą", "ae": "æ", "c": "çćĉċč", "d": "ďđð", "e": "èéêëēĕėęě",
		"g": "ĝğġģ", "h": "ĥħ", "i": "ìíîïĩīĭįı", "ij": "ĳ", "j": "ĵ", "k": "ķĸ",
		"l": "ĺļľŀł", "n": "ñńņňŉŋ", "o": "òóôõöøōŏő", "oe": "œ", "r": "ŕŗř",
		"s": "śŝşšſ", "ss": "ß", "t": "ţťŧ", "th": "þ", "u": "ùúûüũūŭůűų",
		"w": "ŵ", "y": "ýÿŷ", "z": "źżž",
	}
	m := make(map[rune]string, 160)
	for to, from := range groups {
		for _, r := range from {
			m[r] = to
		}
	}
	return m
}()
