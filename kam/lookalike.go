package kam

import (
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/width"
)

// LookAlike is the key under which names that read the same collide:
// full-width letters folded to their usual width, case ignored, Unicode's
// confusable characters (UTS #39: Cyrillic "а" for Latin "a", "０" for "0",
// …) mapped to one prototype, and white space dropped. Two accounts whose
// names differ but share a key would be told apart by nobody reading them.
func LookAlike(name string) string {
	s := strings.ToLower(width.Fold.String(name))
	s = strings.ToLower(confusables.Skeleton(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// isBidiControl reports the characters that reorder text for display
// (embeddings, overrides, isolates and marks): in a name they can make it
// read as another, or hide what follows.
func isBidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case '\u202a' <= r && r <= '\u202e', '\u2066' <= r && r <= '\u2069':
		return true
	}
	return false
}
