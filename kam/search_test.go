package kam

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseSearch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Renewal  PRICING", []string{"renewal", "pricing"}},
		{`"too high" cfo`, []string{`"too high"`, "cfo"}},
		{`“too high”`, []string{`"too high"`}},
		{"renew* re*", []string{"renew*", "re"}},
		{`"price incr*"`, []string{`"price incr*"`}},
		{"Müller-Lüdenscheidt", []string{"muller", "ludenscheidt"}},
		{`body:x OR (y) NEAR/3 -z ^a`, []string{"body", "x", "or", "y", "near", "3", "z", "a"}},
		{"a b c d e f g h i j", []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{`"" * ** !!`, nil},
	} {
		var got []string
		for _, term := range ParseSearch(tc.in) {
			got = append(got, term.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ParseSearch(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestMatchSpans(t *testing.T) {
	t.Parallel()
	text := "CFO Müller: pricing, Pricing and renewal."
	var got []string
	for _, s := range MatchSpans(text, ParseSearch("muller pric*")) {
		got = append(got, text[s.Start:s.End])
	}
	if want := []string{"Müller", "pricing", "Pricing"}; !slices.Equal(got, want) {
		t.Fatalf("spans %q; want %q", got, want)
	}
}

// FuzzParseSearch: whatever is typed, every term is a few folded words of
// letters and digits only (nothing the index's query syntax could read),
// and highlights fall on word boundaries of the text.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{"renewal", `"too high"`, "pric*", `"`, "a*b*", `NEAR/2 OR "x`, "\xff\xfe", "Zoë*", "١٢٣ ٤"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms := ParseSearch(s)
		if len(terms) > MaxSearchTerms {
			t.Fatalf("%d terms", len(terms))
		}
		for _, term := range terms {
			if len(term.Words) == 0 || len(term.Words) > maxWordsPerPhrase {
				t.Fatalf("term %+v", term)
			}
			for _, w := range term.Words {
				if w == "" || strings.ContainsFunc(w, func(r rune) bool { return !isWordRune(r) }) || w != strings.ToLower(w) {
					t.Fatalf("word %q of %q", w, s)
				}
			}
		}
		for _, sp := range MatchSpans(s, terms) {
			if sp.Start < 0 || sp.End > len(s) || sp.Start >= sp.End || !utf8.ValidString(s[sp.Start:sp.End]) && utf8.ValidString(s) {
				t.Fatalf("span %+v of %q", sp, s)
			}
		}
	})
}
