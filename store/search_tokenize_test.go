package store

import (
	"database/sql"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// ftsTokenizer is the index's own tokenizer, through SQLite's fts3tokenize.
func ftsTokenizer(t testing.TB) func(text string) []string {
	t.Helper()
	raw, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	if _, err := raw.Exec(`CREATE VIRTUAL TABLE temp.tok USING fts3tokenize(unicode61, "remove_diacritics=2")`); err != nil {
		t.Fatal(err)
	}
	return func(text string) []string {
		rows, err := raw.Query(`SELECT token FROM tok WHERE input = ?`, text)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var toks []string
		for rows.Next() {
			var s []byte
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			toks = append(toks, string(s))
		}
		return toks
	}
}

// goTokens is ftsTokens as a list of strings.
func goTokens(text string) []string {
	buf, ends := ftsTokens(text, nil, nil)
	var toks []string
	start := int32(0)
	for _, e := range ends {
		toks = append(toks, string(buf[start:e]))
		start = e
	}
	return toks
}

// TestFTSTokensEveryCodePoint: the Go tokenizer cuts and folds every
// code point as the index's does, as a token's start, inside a token and
// after one, encoded as SQLite reads UTF-8 (surrogates and values past
// U+10FFFF included).
func TestFTSTokensEveryCodePoint(t *testing.T) {
	t.Parallel()
	sqlite := ftsTokenizer(t)
	const chunk = 2048
	for lo := rune(1); lo < 0x110000+chunk; lo += chunk {
		var b strings.Builder
		for c := lo; c < lo+chunk; c++ {
			enc := string(ftsAppendUTF8(nil, c))
			b.WriteString(enc + " x" + enc + "y" + enc + enc + " ")
		}
		text := b.String()
		if got, want := goTokens(text), sqlite(text); !slices.Equal(got, want) {
			for c := lo; c < lo+chunk; c++ {
				enc := string(ftsAppendUTF8(nil, c))
				one := enc + " x" + enc + "y" + enc + enc + " "
				if got, want := goTokens(one), sqlite(one); !slices.Equal(got, want) {
					t.Fatalf("U+%04X: got %q, want %q", c, got, want)
				}
			}
			t.Fatalf("chunk at U+%04X differs", lo)
		}
	}
}

// TestFTSTokensRandomBytes: any bytes, valid UTF-8 or not, are cut as the
// index cuts them (up to a NUL, where SQLite's text ends for the index).
func TestFTSTokensRandomBytes(t *testing.T) {
	t.Parallel()
	sqlite := ftsTokenizer(t)
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "Z", "9", " ", "-", "é", "É", "ß", "İ", "\u0301", "\u0300", "ﬁ", "Ⅻ", "\xc3", "\xa9", "\xe2\x82", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\x80", "\xff", "ǅ", "Ω", "σς", "ⓐ", "𐐀", "\ufeff", "'", "_"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		if got, want := goTokens(text), sqlite(text); !slices.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", text, got, want)
		}
	}
}

func FuzzFTSTokens(f *testing.F) {
	for _, s := range []string{"Müller", "e\u0301", "\xc3(", "a\u0301b c", "ǅx"} {
		f.Add(s)
	}
	sqlite := ftsTokenizer(f)
	f.Fuzz(func(t *testing.T, s string) {
		s, _, _ = strings.Cut(s, "\x00")
		if got, want := goTokens(s), sqlite(s); !slices.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
	})
}
