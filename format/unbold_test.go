package format

import (
	"regexp"
	"testing"

	"github.com/slack-go/slack"
)

// boldRun is the definition unbold implements.
var boldRun = regexp.MustCompile(`\*(\S(?:[^*\n]*\S)?)\*`)

func TestUnbold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"no marks", "no marks"},
		{"<@U1> logged a call with *Acme Corp*: renewal", "<@U1> logged a call with Acme Corp: renewal"},
		{"*a* and *b c*", "a and b c"},
		{"* not bold *", "* not bold *"},
		{"*a**", "a*"},
		{"***", "*"},
		{"**", "**"},
		{"*a\nb*", "*a\nb*"},
		{"2 * 3 * 4", "2 * 3 * 4"},
		{"*é*", "é"},
		{"*x *y*", "*x y"},
		{"*\xff*", "\xff"},
	}
	for _, tt := range tests {
		if got := unbold(tt.in); got != tt.want {
			t.Errorf("unbold(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if def := boldRun.ReplaceAllString(tt.in, "$1"); def != tt.want {
			t.Errorf("the expression gives %q for %q; the table says %q", def, tt.in, tt.want)
		}
	}
}

// FuzzUnbold holds unbold to the regular expression it replaces.
func FuzzUnbold(f *testing.F) {
	for _, s := range []string{"*a*", "*a**", "***", "** *", "*a b\n*c*", "x*y*z", "*\t*", "*é **", "*\xff\xfe*", "*a* *b*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := unbold(s), boldRun.ReplaceAllString(s, "$1"); got != want {
			t.Fatalf("unbold(%q) = %q; the expression gives %q", s, got, want)
		}
	})
}

// BenchmarkFallbackPost is the fallback text of a /kam log channel post.
func BenchmarkFallbackPost(b *testing.B) {
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType,
		"<@U0123ABCD> logged a call with *Acme Corp*: Call 1 about renewal terms with the buyer", false, false), nil, nil)}
	b.ReportAllocs()
	for b.Loop() {
		Fallback(blocks)
	}
}
