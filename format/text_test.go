package format

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// evil is what the renderers' tests put in every field a person types.
const evil = "<!here> <!channel> <!everyone> <!subteam^S1> <https://evil.example|click> & <b>"

func TestMrkdwn(t *testing.T) {
	tests := []struct{ in, mrkdwn, plain string }{
		{"plain words", "plain words", "plain words"},
		{evil, "@here @channel @everyone @subteam click (https://evil.example) &amp; &lt;b&gt;",
			"@here @channel @everyone @subteam click (https://evil.example) & <b>"},
		{"Told them about <!here|here>", "Told them about @here", "Told them about @here"},
		{"<!subteam^S0TEAM|@deals>", "@deals", "@deals"},
		{"ask <@U0ANA> and <@U0BEN|ben> in <#C0DEAL> or <#C0DEAL|deals>",
			"ask <@U0ANA> and <@U0BEN|ben> in <#C0DEAL> or <#C0DEAL|deals>", "ask @U0ANA and @ben in #C0DEAL or #deals"},
		{"<@U0ANA|a&b>", "<@U0ANA|a&amp;b>", "@a&b"},
		{"<https://a.example/x?y=1&z=2>", "https://a.example/x?y=1&amp;z=2", "https://a.example/x?y=1&z=2"},
		{"<https://a.example|https://a.example>", "https://a.example", "https://a.example"},
		{"<mailto:a@b.example|write>", "write (mailto:a@b.example)", "write (mailto:a@b.example)"},
		{"<javascript:alert(1)|x>", "&lt;javascript:alert(1)|x&gt;", "<javascript:alert(1)|x>"},
		{"<!date^1700000000^{date_short}|2023-11-14>", "<!date^1700000000^{date_short}|2023-11-14>", "2023-11-14"},
		{"<!date^1700000000^{date}^https://evil.example|d>", "@d", "@d"},
		{"a < b > c && d", "a &lt; b &gt; c &amp;&amp; d", "a < b > c && d"},
		{"already &amp; &lt;x&gt;", "already &amp;amp; &amp;lt;x&amp;gt;", "already &amp; &lt;x&gt;"},
		{"<<!here>>", "&lt;@here&gt;", "<@here>"},
		{"unclosed <@U0ANA", "unclosed &lt;@U0ANA", "unclosed <@U0ANA"},
		{"<@u0lower>", "&lt;@u0lower&gt;", "<@u0lower>"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Mrkdwn(tt.in); got != tt.mrkdwn {
				t.Errorf("Mrkdwn(%q) =\n %q\nwant\n %q", tt.in, got, tt.mrkdwn)
			}
			if got := Plain(tt.in); got != tt.plain {
				t.Errorf("Plain(%q) = %q, want %q", tt.in, got, tt.plain)
			}
			if bad := CheckMrkdwn(Mrkdwn(tt.in)); len(bad) > 0 {
				t.Errorf("Mrkdwn(%q) fails the check: %v", tt.in, bad)
			}
			if got := Read(Mrkdwn(tt.in)); got != tt.plain {
				t.Errorf("Read(Mrkdwn(%q)) = %q, want %q", tt.in, got, tt.plain)
			}
		})
	}
}

func TestModel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<!channel> renewal is at risk", "@channel renewal is at risk"},
		{"AT&amp;T &lt;b&gt;", "AT&amp;T &lt;b&gt;"},
		{"&lt;!here&gt; hi", "@here hi"},
		{"see <https://evil.example|the deck>", "see the deck (https://evil.example)"},
	}
	for _, tt := range tests {
		if got := Model(tt.in); got != tt.want {
			t.Errorf("Model(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGuard(t *testing.T) {
	tests := []struct{ in, want string }{
		// What kambot composes stays as it is.
		{"*Acme* &amp; Co · <@U0ANA> · <!date^1700000000^{date_short}|2023-11-14> · `/kam show &lt;account&gt;`",
			"*Acme* &amp; Co · <@U0ANA> · <!date^1700000000^{date_short}|2023-11-14> · `/kam show &lt;account&gt;`"},
		// What slipped through unescaped is made inert.
		{"Logged: " + evil, "Logged: @here @channel @everyone @subteam click (https://evil.example) &amp; &lt;b&gt;"},
		{"/kam help <quadrant>", "/kam help &lt;quadrant&gt;"},
	}
	for _, tt := range tests {
		got := Guard(tt.in)
		if got != tt.want {
			t.Errorf("Guard(%q) =\n %q\nwant\n %q", tt.in, got, tt.want)
		}
		if again := Guard(got); again != got {
			t.Errorf("Guard is not idempotent: %q → %q", got, again)
		}
	}
}

func TestFallback(t *testing.T) {
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, Plain("Acme <!here> & Co"), false, false)),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType,
			"*Logged* by <@U0ANA> on <!date^1700000000^{date_short}|2023-11-14>: "+Mrkdwn(evil), false, false), nil, nil),
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "forgot to escape <!channel> <b>", false, false), nil, nil),
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, "_italic_ and snake_case stay", false, false)),
	}
	want := "Acme @here &amp; Co\n" +
		"Logged by @U0ANA on 2023-11-14: @here @channel @everyone @subteam click (https://evil.example) &amp; &lt;b&gt;\n" +
		"forgot to escape @channel &lt;b&gt;\n" +
		"italic and snake_case stay"
	got := Fallback(blocks)
	if got != want {
		t.Fatalf("Fallback =\n%s\nwant\n%s", got, want)
	}
	if bad := CheckMessage(got, blocks[:2]); len(bad) > 0 {
		t.Fatalf("fallback and safe blocks fail the check: %v", bad)
	}
	if got, want := Readable(blocks[:1]), "Acme @here & Co"; got != want {
		t.Fatalf("Readable = %q, want %q", got, want)
	}
}

func TestCheck(t *testing.T) {
	long := strings.Repeat("x", 3001)
	tests := []struct {
		name   string
		text   string
		blocks []slack.Block
		want   string // a substring of one complaint; "" for none
	}{
		{"safe", "a &amp; b <@U0ANA>", []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "ok &lt;b&gt;", false, false), nil, nil)}, ""},
		{"live here in text", "hi <!here>", nil, "live special mention"},
		{"subteam", "hi <!subteam^S1|@x>", nil, "live special mention"},
		{"hidden link", "<https://evil.example|click>", nil, "label hides"},
		{"raw tag in block", "x", []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "<b>", false, false), nil, nil)}, "unescaped < >"},
		{"raw amp", "a & b", nil, "unescaped &"},
		{"markup in plain", "x", []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "<!here>", false, false))}, "plain_text shows"},
		{"escaped in plain", "x", []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "a &amp; b", false, false))}, "plain_text shows"},
		{"long section", "x", []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, long, false, false), nil, nil)}, "section text has 3001"},
		{"long button", "x", []slack.Block{slack.NewActionBlock("a", slack.NewButtonBlockElement("b", "v",
			slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("y", 76), false, false)))}, "button text has 76"},
		{"too many blocks", "x", make51(), "51 blocks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := CheckMessage(tt.text, tt.blocks)
			if tt.want == "" {
				if len(bad) > 0 {
					t.Fatalf("CheckMessage = %v, want nothing", bad)
				}
				return
			}
			for _, b := range bad {
				if strings.Contains(b, tt.want) {
					return
				}
			}
			t.Fatalf("CheckMessage = %v, want a complaint with %q", bad, tt.want)
		})
	}
	view := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("t", 25), false, false)}
	if bad := CheckView(view); len(bad) != 1 || !strings.Contains(bad[0], "view title") {
		t.Fatalf("CheckView(long title) = %v", bad)
	}
}

func make51() []slack.Block {
	out := make([]slack.Block, 51)
	for i := range out {
		out[i] = slack.NewDividerBlock()
	}
	return out
}

// FuzzMrkdwn checks the rule on any text: the output passes the check, a
// reader sees what the person typed (special mentions as words, links with
// their address), text without references reads exactly as typed, and
// Guard leaves the output alone.
func FuzzMrkdwn(f *testing.F) {
	for _, s := range []string{evil, "a & b", "<@U0ANA|ana>", "<#C0DEAL|deals>", "<https://x.example?a=1&b=2|x>",
		"<!date^1700000000^{date_short}|d>", "&amp;lt;", "<<!here>>", "<!here|@>", "<@U0ANA|&amp;>", "<<@U0ANA>>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Mrkdwn(s)
		if bad := CheckMrkdwn(m); len(bad) > 0 {
			t.Fatalf("Mrkdwn(%q) = %q fails: %v", s, m, bad)
		}
		if strings.Contains(m, "<!") && !strings.Contains(m, "<!date^") {
			t.Fatalf("Mrkdwn(%q) = %q holds a special mention", s, m)
		}
		if got, want := Read(m), Plain(s); got != want {
			t.Fatalf("Read(Mrkdwn(%q)) = %q, want %q", s, got, want)
		}
		if !strings.Contains(s, "<") || !strings.Contains(s, ">") {
			if got := Read(m); got != s {
				t.Fatalf("text without references reads %q, typed %q", got, s)
			}
		}
		if g := Guard(m); g != m {
			t.Fatalf("Guard(Mrkdwn(%q)) = %q, changed %q", s, g, m)
		}
	})
}

// FuzzGuard checks that Guard makes any composed text pass the check and
// is idempotent.
func FuzzGuard(f *testing.F) {
	for _, s := range []string{evil, "*a* &amp; <@U0ANA> <!date^1^{date}|x>", "&lt;b&gt; <b>", "<https://a.example|b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := Guard(s)
		if bad := CheckMrkdwn(g); len(bad) > 0 {
			t.Fatalf("Guard(%q) = %q fails: %v", s, g, bad)
		}
		if again := Guard(g); again != g {
			t.Fatalf("Guard not idempotent: %q → %q → %q", s, g, again)
		}
	})
}
