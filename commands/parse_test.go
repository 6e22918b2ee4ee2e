package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

func TestTokenize(t *testing.T) {
	type tk struct{ key, val string }
	tests := []struct {
		name string
		in   string
		want []tk
		err  string // substring of the error message; "" for success
	}{
		{"empty", "", nil, ""},
		{"spaces only", "  \t ", nil, ""},
		{"words", "log acme call", []tk{{"", "log"}, {"", "acme"}, {"", "call"}}, ""},
		{"quoted", `add "Acme Corp" x`, []tk{{"", "add"}, {"", "Acme Corp"}, {"", "x"}}, ""},
		{"curly quotes", "add “Acme Corp”", []tk{{"", "add"}, {"", "Acme Corp"}}, ""},
		{"low quotes", "add „Acme Corp“", []tk{{"", "add"}, {"", "Acme Corp"}}, ""},
		{"empty quoted", `add ""`, []tk{{"", "add"}, {"", ""}}, ""},
		{"key value", "tier=partner Level=Value-add", []tk{{"tier", "partner"}, {"level", "Value-add"}}, ""},
		{"key quoted", `segment="Heavy industry" region=EMEA`, []tk{{"segment", "Heavy industry"}, {"region", "EMEA"}}, ""},
		{"key curly", "segment=“Heavy industry”", []tk{{"segment", "Heavy industry"}}, ""},
		{"empty value", "sponsor=", []tk{{"sponsor", ""}}, ""},
		{"equals in value", "name=a=b", []tk{{"name", "a=b"}}, ""},
		{"not a key", "=x 1=2", []tk{{"", "=x"}, {"", "1=2"}}, ""},
		{"quoted equals stays positional", `"a=b"`, []tk{{"", "a=b"}}, ""},
		{"mention", "owner=<@U123ABC|ana>", []tk{{"owner", "<@U123ABC|ana>"}}, ""},
		{"mention with space in name", "add <@U123ABC|ana maria> role=kam", []tk{{"", "add"}, {"", "<@U123ABC|ana maria>"}, {"role", "kam"}}, ""},
		{"entities", "a&amp;b &lt;x&gt;", []tk{{"", "a&b"}, {"", "<x>"}}, ""},
		{"nbsp separates", "log\u00a0acme", []tk{{"", "log"}, {"", "acme"}}, ""},
		{"unclosed quote", `add "Acme Corp`, nil, "never closed"},
		{"unclosed key quote", `segment="Heavy`, nil, "never closed"},
		{"no space after quote", `add "Acme"Corp`, nil, "space after the closing quote"},
		{"stray quote", `add Ac"me`, nil, "stray quote"},
		{"stray quote in value", `name=Ac"me"`, nil, "stray quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := Tokenize(tt.in)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("Tokenize(%q) = %v, want error containing %q", tt.in, toks, tt.err)
				}
				if kam.ErrorCode(err) != kam.EINVALID || !strings.Contains(ErrorText(err), tt.err) {
					t.Fatalf("error = %v, want EINVALID containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Tokenize(%q): %v", tt.in, err)
			}
			if len(toks) != len(tt.want) {
				t.Fatalf("Tokenize(%q) = %d tokens %v, want %d", tt.in, len(toks), toks, len(tt.want))
			}
			for i, w := range tt.want {
				if toks[i].Key != w.key || toks[i].Value != w.val {
					t.Errorf("token %d = %q=%q, want %q=%q", i, toks[i].Key, toks[i].Value, w.key, w.val)
				}
			}
		})
	}
}

func TestArgsRestKeepsVerbatim(t *testing.T) {
	a := NewArgs(`acme call He said "5" screens & more`)
	for _, want := range []string{"acme", "call"} {
		tok, ok, err := a.Next()
		if err != nil || !ok || tok.Value != want {
			t.Fatalf("Next() = %v %v %v, want %q", tok, ok, err, want)
		}
	}
	if got := a.Rest(); got != `He said "5" screens & more` {
		t.Fatalf("Rest() = %q", got)
	}
	if !a.Empty() {
		t.Fatal("Empty() after Rest() = false")
	}
}

func TestArgsErrorLeavesPosition(t *testing.T) {
	a := NewArgs(`acme Ac"me`)
	if _, _, err := a.Next(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Next(); err == nil {
		t.Fatal("want error for stray quote")
	}
	if got := a.Rest(); got != `Ac"me` {
		t.Fatalf("Rest() after error = %q", got)
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"250000", 250000, ""},
		{"250k", 250000, ""},
		{"250K", 250000, ""},
		{"1.2m", 1200000, ""},
		{"1.2M", 1200000, ""},
		{"3b", 3000000000, ""},
		{"$1,200", 1200, ""},
		{"$1,200.50", 1201, ""},
		{"$1,234,567", 1234567, ""},
		{".5k", 500, ""},
		{"0", 0, ""},
		{"007", 7, ""},
		{"1.2345k", 1235, ""},
		{"1000000000000000", MaxMoney, ""},
		{"1000000000000001", 0, "too large"},
		{"1000001b", 0, "too large"},
		{"99999999999999999999", 0, "too large"},
		{"-5", 0, "negative"},
		{"$-5", 0, "negative"},
		{"−5", 0, "negative"},
		{"", 0, "empty"},
		{"abc", 0, "isn't an amount"},
		{"$", 0, "isn't an amount"},
		{"k", 0, "isn't an amount"},
		{"1.2.3", 0, "isn't an amount"},
		{"1e6", 0, "isn't an amount"},
		{"1,20", 0, "misplaced commas"},
		{",100", 0, "isn't an amount"},
		{"1234,567", 0, "isn't an amount"},
		{"1.", 0, "isn't an amount"},
		{"1.0000000001", 0, "too many decimals"},
		{"12kk", 0, "isn't an amount"},
		{"USD 5", 0, "isn't an amount"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMoney(tt.in)
			if tt.err != "" {
				if err == nil || kam.ErrorCode(err) != kam.EINVALID || !strings.Contains(ErrorText(err), tt.err) {
					t.Fatalf("ParseMoney(%q) = %d, %v; want EINVALID containing %q", tt.in, got, err, tt.err)
				}
				if !strings.Contains(ErrorText(err), "250k") {
					t.Errorf("message %q does not say what to type", ErrorText(err))
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseMoney(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  string
	}{
		{"2025-03-31", "2025-03-31", ""},
		{"2024-02-29", "2024-02-29", ""},
		{" 2025-12-01 ", "2025-12-01", ""},
		{"2025-02-29", "", "real calendar date"},
		{"2025-02-30", "", "real calendar date"},
		{"2025-13-01", "", "real calendar date"},
		{"2025-00-10", "", "real calendar date"},
		{"31/12/2025", "", "isn't a date"},
		{"2025-1-1", "", "isn't a date"},
		{"tomorrow", "", "isn't a date"},
		{"", "", "isn't a date"},
		{"1900-01-01", "", "out of range"},
		{"２０２５-01-01", "", "isn't a date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(ErrorText(err), tt.err) || !strings.Contains(ErrorText(err), "YYYY-MM-DD") {
					t.Fatalf("ParseDate(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got.Format("2006-01-02") != tt.want || got.Location() != time.UTC {
				t.Fatalf("ParseDate(%q) = %v, %v; want %s UTC", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParsePercentAndScore(t *testing.T) {
	for in, want := range map[string]float64{"35": 35, "35%": 35, "12.5%": 12.5, "0": 0, "100": 100} {
		if got, err := ParsePercent(in); err != nil || got != want {
			t.Errorf("ParsePercent(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "101", "100.5", "abc", "1e2", "NaN", "Inf", "0x10", "35%%", "1.234"} {
		if _, err := ParsePercent(in); kam.ErrorCode(err) != kam.EINVALID {
			t.Errorf("ParsePercent(%q) err = %v, want EINVALID", in, err)
		}
	}
	for in, want := range map[string]int{"1": 1, "5": 5, " 3 ": 3} {
		if got, err := ParseScore(in); err != nil || got != want {
			t.Errorf("ParseScore(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"0", "6", "", "12", "a", "2.5"} {
		if _, err := ParseScore(in); kam.ErrorCode(err) != kam.EINVALID {
			t.Errorf("ParseScore(%q) err = %v, want EINVALID", in, err)
		}
	}
}

func TestParseUserAndChannel(t *testing.T) {
	users := map[string]string{
		"<@U123ABC|ana>": "U123ABC",
		"<@U123ABC>":     "U123ABC",
		"<@W0ENT42|bo>":  "W0ENT42",
	}
	for in, want := range users {
		got, err := ParseUser(Token{Raw: in, Value: in}, "owner=@ana")
		if err != nil || got != want {
			t.Errorf("ParseUser(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"@bob", "bob", "", "<@bob>", "<#C123|x>", "&lt;@U123&gt;", "<@u123>"} {
		_, err := ParseUser(Token{Raw: in, Value: decodeEntities(in)}, "owner=@ana")
		if err == nil || !strings.Contains(ErrorText(err), "mention the person with @ so Slack links them (e.g. owner=@ana)") {
			t.Errorf("ParseUser(%q) err = %v", in, err)
		}
	}
	if got, err := ParseChannel(Token{Raw: "<#C0ACME|acme>"}); err != nil || got != "C0ACME" {
		t.Errorf("ParseChannel = %q, %v", got, err)
	}
	if got, err := ParseChannel(Token{Raw: "<#G0PRIV>"}); err != nil || got != "G0PRIV" {
		t.Errorf("ParseChannel = %q, %v", got, err)
	}
	for _, in := range []string{"#acme", "acme", "<@U123>", ""} {
		if _, err := ParseChannel(Token{Raw: in, Value: in}); err == nil || !strings.Contains(ErrorText(err), "pick the channel with #") {
			t.Errorf("ParseChannel(%q) err = %v", in, err)
		}
	}
}

func TestParseOptions(t *testing.T) {
	allowed := []string{"tier", "level", "owner"}
	tests := []struct {
		in  string
		err string
	}{
		{"tier=partner level=product", ""},
		{"", ""},
		{"tier=partner tier=vendor", "given twice"},
		{"colour=red", "Unknown key “colour=”. Keys: tier, level, owner"},
		{"teir=partner", "did you mean tier=?"},
		{"partner", "values go with a key"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			toks, err := Tokenize(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			opts, err := ParseOptions(toks, allowed, "set <account> key=value …")
			if tt.err == "" {
				if err != nil || len(opts) != len(toks) {
					t.Fatalf("ParseOptions(%q) = %v, %v", tt.in, opts, err)
				}
				return
			}
			if err == nil || kam.ErrorCode(err) != kam.EINVALID || !strings.Contains(ErrorText(err), tt.err) {
				t.Fatalf("ParseOptions(%q) err = %v, want %q", tt.in, err, tt.err)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	if got, err := CheckText("The name", "  Acme\tCorp ", 80, false); err != nil || got != "Acme Corp" {
		t.Errorf("CheckText = %q, %v", got, err)
	}
	if got, err := CheckText("The summary", "line one\r\nline two", 80, true); err != nil || got != "line one\nline two" {
		t.Errorf("CheckText multiline = %q, %v", got, err)
	}
	tests := []struct {
		s         string
		multiline bool
		err       string
	}{
		{strings.Repeat("é", 81), false, "81 characters; the limit is 80"},
		{"a\nb", false, "one line"},
		{"a\x00b", true, "control character"},
	}
	for _, tt := range tests {
		if _, err := CheckText("The name", tt.s, 80, tt.multiline); err == nil || !strings.Contains(ErrorText(err), tt.err) {
			t.Errorf("CheckText(%q) err = %v, want %q", tt.s, err, tt.err)
		}
	}
}

func TestParseEnumListsValues(t *testing.T) {
	_, err := ParseEnum("kind", "lunch", kam.InteractionKinds)
	want := "Unknown kind “lunch” — use call, meeting, email, visit, qbr, exec, event or note."
	if ErrorText(err) != want {
		t.Fatalf("message = %q, want %q", ErrorText(err), want)
	}
	_, err = ParseEnum("stage", "qualifed", kam.Stages)
	if !strings.Contains(ErrorText(err), "Did you mean qualified?") {
		t.Fatalf("message = %q, want a suggestion", ErrorText(err))
	}
	if s, err := ParseEnum("tier", " Partner ", kam.Tiers); err != nil || s != kam.TierPartner {
		t.Fatalf("ParseEnum = %v, %v", s, err)
	}
}

func TestClosest(t *testing.T) {
	opts := []string{"help", "accounts", "add", "set", "show", "team", "log", "opp", "stage", "pipeline"}
	tests := map[string]string{
		"lgo": "log", "pipelin": "pipeline", "acounts": "accounts", "shwo": "show", "stag": "stage",
		"x": "", "zzzzzz": "", "": "", "pi": "pipeline", "teh": "team",
	}
	for in, want := range tests {
		if got := closest(in, opts); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}
