package kam

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// SearchTerm is one part of a search: a word, a word prefix ("renew*") or
// a phrase ("price increase"). A hit holds every term of a search.
type SearchTerm struct {
	Words  []string // folded: lower case, accents removed
	Prefix bool     // the last word matches any word it starts
}

// Search limits: enough for any question a person types, small enough that
// one search stays cheap.
const (
	MaxSearchTerms    = 8
	MaxSearchWordLen  = 40
	MinSearchPrefix   = 3 // "re*" would match a good part of the language
	maxWordsPerPhrase = 8
)

// ParseSearch splits what a user typed into search terms. Words are what
// the index tokenizer (unicode61) counts as words: runs of letters and
// digits; everything else separates them, so no input can carry query
// syntax. Double quotes group a phrase; a "*" right after a word makes it a
// prefix. Terms past MaxSearchTerms are dropped. It never fails: nothing
// searchable gives no terms.
func ParseSearch(s string) []SearchTerm {
	var terms []SearchTerm
	s = strings.NewReplacer("“", `"`, "”", `"`, "„", `"`, "«", `"`, "»", `"`).Replace(s)
	inPhrase := false
	var phrase []string
	phrasePrefix := false
	flush := func() {
		if len(phrase) > 0 {
			terms = append(terms, SearchTerm{Words: phrase, Prefix: phrasePrefix})
		}
		phrase, phrasePrefix = nil, false
	}
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '"':
			flush()
			inPhrase = !inPhrase
			i++
		case isWordRune(r):
			j := i
			for j < len(rs) && isWordRune(rs[j]) {
				j++
			}
			w := Fold(string(rs[i:j]))
			if len([]rune(w)) > MaxSearchWordLen {
				w = string([]rune(w)[:MaxSearchWordLen])
			}
			prefix := j < len(rs) && rs[j] == '*' && len([]rune(w)) >= MinSearchPrefix
			if w != "" && len(phrase) < maxWordsPerPhrase {
				phrase = append(phrase, w)
				phrasePrefix = prefix
			}
			if !inPhrase || prefix {
				// A prefix ends its phrase: only the last word may be one.
				flush()
			}
			i = j
		default:
			i++
		}
	}
	flush()
	if len(terms) > MaxSearchTerms {
		terms = terms[:MaxSearchTerms]
	}
	return terms
}

// isWordRune is unicode61's idea of a word character: letters, digits,
// marks (so a decomposed accent stays in its word) and private use.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r)
}

// Fold lowers s and removes its accents ("Müller" → "muller"), as the
// search index does, so that highlights find what the index matched.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// String shows the term as a user would type it.
func (t SearchTerm) String() string {
	s := strings.Join(t.Words, " ")
	if t.Prefix {
		s += "*"
	}
	if len(t.Words) > 1 {
		s = `"` + s + `"`
	}
	return s
}

// SearchKind is where a search hit comes from.
type SearchKind string

// Search hit kinds besides the interaction kinds (call, meeting, …).
const (
	SearchObjective   SearchKind = "objective"
	SearchTactic      SearchKind = "tactic"
	SearchReview      SearchKind = "review"
	SearchStakeholder SearchKind = "stakeholder"
	SearchSurvey      SearchKind = "survey"
	SearchStage       SearchKind = "stage"
)

// SearchQuery is one search of one workspace.
type SearchQuery struct {
	TeamID string
	Terms  []SearchTerm
	// Accounts limits the search to these accounts; nil searches the whole
	// workspace (admins). An empty, non-nil list finds nothing.
	Accounts []int64
	Since    time.Time // zero: any date
	Limit    int       // hits returned; ≤ 0: 10
}

// SearchHit is one record that matched, with its bm25 score (higher is
// better).
type SearchHit struct {
	TeamID    string
	AccountID int64
	Kind      SearchKind // an interaction's kind, or one of the Search* kinds
	SourceID  int64      // the row's id in its own table
	Author    string     // Slack user ID; for a survey answer the contact or respondent
	At        time.Time
	Text      string
	Score     float64
}

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

// MatchSpans returns the words of text that a search's terms match, in
// order, as the index folds them: each word of a phrase, and a prefix
// term's last word as a prefix. It is what a highlighter marks.
func MatchSpans(text string, terms []SearchTerm) []Span {
	exact := map[string]bool{}
	var prefixes []string
	for _, t := range terms {
		for i, w := range t.Words {
			if t.Prefix && i == len(t.Words)-1 {
				prefixes = append(prefixes, w)
			} else {
				exact[w] = true
			}
		}
	}
	var out []Span
	start := -1
	check := func(end int) {
		w := Fold(text[start:end])
		hit := exact[w]
		for _, p := range prefixes {
			hit = hit || strings.HasPrefix(w, p)
		}
		if hit {
			out = append(out, Span{start, end})
		}
		start = -1
	}
	for i, r := range text {
		switch {
		case isWordRune(r) && start < 0:
			start = i
		case !isWordRune(r) && start >= 0:
			check(i)
		}
	}
	if start >= 0 {
		check(len(text))
	}
	return out
}
