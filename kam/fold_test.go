package kam

import (
	"cmp"
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

func FuzzCompareFold(f *testing.F) {
	f.Add("Acme", "acme corp")
	f.Add("İ", "i")
	f.Fuzz(func(t *testing.T, x, y string) {
		if got, want := compareFold(x, y), cmp.Compare(strings.ToLower(x), strings.ToLower(y)); got != want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", x, y, got, want)
		}
	})
}
