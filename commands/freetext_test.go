package commands

import (
	"strings"
	"testing"
)

// freeTextByTokens is freeText's unquoting as it was first written:
// tokenize the whole text, unwrap it when it is one quoted token.
func freeTextByTokens(rest string) string {
	s := strings.TrimSpace(rest)
	if toks, err := Tokenize(s); err == nil && len(toks) == 1 && toks[0].Quoted && toks[0].Key == "" && toks[0].End == len(s) {
		s = toks[0].Raw
	}
	return s
}

// FuzzFreeTextUnquote checks that freeText, which scans only the first
// token, unwraps exactly the texts a full tokenization would.
func FuzzFreeTextUnquote(f *testing.F) {
	for _, s := range []string{
		`Talked renewal timing`, `"Talked renewal timing"`, `  "quoted" and more`, `"open quote`,
		`“curly quotes”`, `stray " quote`, `key="value"`, `"a" "b"`, `""`, ``, `"<@U123|ana> said &lt;hi&gt;"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := decodeEntities(freeTextByTokens(s))
		got, err := freeText(s, "The summary", 1<<20)
		if err != nil {
			return // refused for another reason (too long, controls): nothing unwrapped to compare
		}
		if wantChecked, werr := CheckText("The summary", want, 1<<20, true); werr != nil || got != wantChecked {
			t.Fatalf("freeText(%q) = %q, want %q (%v)", s, got, wantChecked, werr)
		}
	})
}
