package format

import (
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Acme is *watch*.", "Acme is **watch**."},
		{"*a* and *b c*", "**a** and **b c**"},
		{"~gone~ now", "~~gone~~ now"},
		{"_italic_ stays", "_italic_ stays"},
		{"in*word*s stay", "in*word*s stay"},
		{"2 * 3 * 4", "2 * 3 * 4"},
		{"* a bullet\n* another", "* a bullet\n* another"},
		{"**already bold**", "**already bold**"},
		{"`*code*` and ```*block*```", "`*code*` and ```*block*```"},
		{"*open `code* span`", "*open `code* span`"},
		{"*across\nlines*", "*across\nlines*"},
		{"unclosed *star", "unclosed *star"},
		{"`unclosed *x*", "`unclosed *x*"},
		{"&lt;!here&gt; *x* <@U0ANA> &amp;", "&lt;!here&gt; **x** <@U0ANA> &amp;"},
		{"(*x*)", "(**x**)"},
		{"*Müller*", "**Müller**"},
		{"", ""},
	} {
		if got := Markdown(tc.in); got != tc.want {
			t.Errorf("Markdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzMarkdown: only emphasis markers are added, never anything else, and
// text that went through Model stays free of live pings.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"Acme is *watch*.", "~x~ `*y*` *z", "<!here> *a* <https://evil.example|b>", "**x** * y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := Model(s)
		out := Markdown(in)
		strip := strings.NewReplacer("*", "", "~", "")
		if strip.Replace(out) != strip.Replace(in) {
			t.Fatalf("Markdown(%q) = %q changed more than markers", in, out)
		}
		if len(out) < len(in) {
			t.Fatalf("Markdown(%q) = %q lost markers", in, out)
		}
		for _, live := range []string{"<!here", "<!channel", "<!everyone", "<http"} {
			if strings.Contains(out, live) {
				t.Fatalf("Markdown(Model(%q)) = %q holds %s", s, out, live)
			}
		}
	})
}
