package kam

import (
	"unicode"
	"unicode/utf8"
)

// compareFold compares strings.ToLower(a) with strings.ToLower(b) without
// building either: sorting a portfolio of thousands by name would otherwise
// allocate two strings per comparison. Runes compare in the order of their
// UTF-8 bytes, so comparing lowered runes one by one gives the same order.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		ra, rb = unicode.ToLower(ra), unicode.ToLower(rb)
		if ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}
