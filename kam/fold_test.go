package kam

import (
	"cmp"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCompareFold(t *testing.T) {
	words := []string{"", "a", "A", "ab", "Ab", "b", "Zeta", "zeta", "Émile", "émile", "Ölmez", "straße", "STRASSE", "ǅ", "ǆ", "İstanbul", "istanbul", "\xff", "a\xffb"}
	for _, x := range words {
		for _, y := range words {
			want := cmp.Compare(strings.ToLower(x), strings.ToLower(y))
			if got := compareFold(x, y); got != want {
				t.Errorf("compareFold(%q, %q) = %d, want %d", x, y, got, want)
			}
		}
	}
}

// TestCompareFoldDrawn compares pairs of names drawn from ASCII letters
// of both cases, digits, punctuation and a few runes with case, often
// sharing a prefix, as a portfolio's names do.
func TestCompareFoldDrawn(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "A", "z", "Z", "m", "M", "0", "9", " ", "-", "_", "@", "[", "`", "{", "~", "\x7f", "É", "é", "İ", "i", "ß", "ǅ", "\xff", "Ω", "ω"}
	word := func() string {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 200_000 {
		prefix := word()
		x, y := prefix+word(), prefix+word()
		if r.IntN(4) == 0 {
			y = strings.ToUpper(x)
		}
		if got, want := compareFold(x, y), cmp.Compare(strings.ToLower(x), strings.ToLower(y)); got != want {
			t.Fatalf("compareFold(%q, %q) = %d, want %d", x, y, got, want)
		}
	}
}

func FuzzCompareFold(f *testing.F) {
	f.Add("Acme", "acme corp")
	f.Add("İ", "i")
	f.Fuzz(func(t *testing.T, x, y string) {
		if got, want := compareFold(x, y), cmp.Compare(strings.ToLower(x), strings.ToLower(y)); got != want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", x, y, got, want)
		}
	})
}
