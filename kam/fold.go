package kam

import (
	"unicode"
	"unicode/utf8"
)

// compareFold compares strings.ToLower(a) with strings.ToLower(b) without
// building either: sorting a portfolio of thousands by name would otherwise
// allocate two strings per comparison. Runes compare in the order of their
// UTF-8 bytes, so comparing lowered runes one by one gives the same order.
// ASCII letters, what most names are made of, are lowered without the
// Unicode tables: unicode.ToLower maps them to the same letters.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		if ca, cb := a[0], b[0]; ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			if 'A' <= ca && ca <= 'Z' {
				ca += 'a' - 'A'
			}
			if 'A' <= cb && cb <= 'Z' {
				cb += 'a' - 'A'
			}
			if ca != cb {
				if ca < cb {
					return -1
				}
				return 1
			}
			a, b = a[1:], b[1:]
			continue
		}
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
