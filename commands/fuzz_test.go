package commands

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		`add "Acme Corp" tier=partner owner=<@U123|ana>`,
		`set acme segment="Heavy industry" region=EMEA`,
		"log acme call “curly” &amp; &lt;b&gt;",
		`add "unclosed`,
		`add "a"b`,
		`x="" ""`,
		`<@U1|a b> <#C1|c> <https://x|y z>`,
		"\u00a0\t\n",
		`k=v=w =x 1=2 a"b`,
		"„low“ ”odd“",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks, err := Tokenize(s)
		if err != nil {
			if kam.ErrorCode(err) != kam.EINVALID || ErrorText(err) == "" {
				t.Fatalf("Tokenize(%q): error %v is not a user error", s, err)
			}
			return
		}
		prev := 0
		for _, tok := range toks {
			if tok.Pos < prev || tok.End <= tok.Pos || tok.End > len(s) {
				t.Fatalf("Tokenize(%q): token %+v out of order (prev end %d)", s, tok, prev)
			}
			prev = tok.End
			if tok.Value != decodeEntities(tok.Raw) {
				t.Fatalf("Tokenize(%q): value %q is not the decoded raw %q", s, tok.Value, tok.Raw)
			}
			if tok.Key != "" && (!isKey(tok.Key) || tok.Key != strings.ToLower(tok.Key)) {
				t.Fatalf("Tokenize(%q): bad key %q", s, tok.Key)
			}
		}
		// Quoting every raw value gives a line that tokenizes the same.
		var b strings.Builder
		for _, tok := range toks {
			if strings.ContainsFunc(tok.Raw, isQuote) {
				return // a quote inside <…>: cannot be re-quoted
			}
			if tok.Key != "" {
				b.WriteString(tok.Key + "=")
			}
			b.WriteString(`"` + tok.Raw + `" `)
		}
		again, err := Tokenize(b.String())
		if err != nil {
			t.Fatalf("re-quoted %q of %q: %v", b.String(), s, err)
		}
		if len(again) != len(toks) {
			t.Fatalf("re-quoted %q: %d tokens, want %d", b.String(), len(again), len(toks))
		}
		for i := range toks {
			if again[i].Key != toks[i].Key || again[i].Raw != toks[i].Raw || again[i].Value != toks[i].Value {
				t.Fatalf("re-quoted token %d = %+v, want %+v", i, again[i], toks[i])
			}
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"250000", "250k", "1.2m", "$1,200", "$1,200.50", "-5", "1e6", "1,20", "999999999999999999999",
		".5k", "1.000000001b", "$", "0", "1000000000000000", "1,000,000,000,000,000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseMoney(s)
		if err != nil {
			if kam.ErrorCode(err) != kam.EINVALID {
				t.Fatalf("ParseMoney(%q): %v is not a user error", s, err)
			}
			return
		}
		if v < 0 || v > MaxMoney {
			t.Fatalf("ParseMoney(%q) = %d, out of range", s, v)
		}
		// Plain digits mean exactly what strconv reads.
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && n != v {
			t.Fatalf("ParseMoney(%q) = %d, strconv says %d", s, v, n)
		}
		// The canonical spelling reads back the same.
		if back, err := ParseMoney(strconv.FormatInt(v, 10)); err != nil || back != v {
			t.Fatalf("ParseMoney(%d) = %d, %v", v, back, err)
		}
		if out := format.CurrencyOf("USD").Money(v); !strings.HasPrefix(out, "$") || !utf8.ValidString(out) {
			t.Fatalf("Money(%d) = %q", v, out)
		}
	})
}
