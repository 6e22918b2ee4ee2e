package brief

import (
	"strings"
	"testing"
)

func TestParseAnswer(t *testing.T) {
	full := func(style func(string) string) string {
		var b strings.Builder
		for _, title := range sectionTitles(KindBrief) {
			b.WriteString(style(title) + "\n- point on " + title + "\n\n")
		}
		return b.String()
	}
	tests := []struct {
		name   string
		kind   Kind
		text   string
		reason string
		check  func(t *testing.T, s []Section)
	}{
		{"SlackBold", KindBrief, full(func(s string) string { return "*" + s + "*" }), "", nil},
		{"MarkdownBold", KindBrief, full(func(s string) string { return "**" + s + "**" }), "", nil},
		{"Hashes", KindBrief, full(func(s string) string { return "### " + s }), "", nil},
		{"Colon", KindBrief, full(func(s string) string { return s + ":" }), "", nil},
		{"Numbered", KindBrief, full(func(s string) string { return "1. **" + s + ":**" }), "", nil},
		{"LowerCase", KindBrief, full(func(s string) string { return strings.ToLower(s) }), "", nil},
		{"InlineContent", KindBrief,
			"**Where we stand:** Renewal closing.\n**Who matters:** Dana.\n**In flight:** Renewal.\n**Risks:** Price.\n**3 things to say:**\n1. Thanks.", "",
			func(t *testing.T, s []Section) {
				if s[0].Body != "Renewal closing." || s[4].Body != "1. Thanks." {
					t.Errorf("bodies %q / %q", s[0].Body, s[4].Body)
				}
			}},
		{"OutOfOrder", KindBrief,
			"*Risks*\nPrice.\n*Where we stand*\nGood.\n*Three things to say*\n1. a\n*Who matters*\nDana.\n*In flight*\nRenewal.", "",
			func(t *testing.T, s []Section) {
				if s[0].Title != SectionStanding || s[0].Body != "Good." || s[3].Body != "Price." {
					t.Errorf("sections %+v", s)
				}
			}},
		{"SentenceIsNotHeading", KindBrief,
			"*Where we stand*\nRisks are low overall.\nWho matters most is Dana.\n*Who matters*\nDana.\n*In flight*\nx\n*Risks*\ny\n*Three things to say*\n1. z", "",
			func(t *testing.T, s []Section) {
				if s[0].Body != "Risks are low overall.\nWho matters most is Dana." {
					t.Errorf("standing = %q", s[0].Body)
				}
			}},
		{"Cleanup", KindBrief,
			"Sure! Here it is.\n*Where we stand*\n- **Bold** and __under__ [site](https://a.example)\n\n\n\n* star bullet <!everyone> <@U0ABC|x> a<b\n*Who matters*\nx\n*In flight*\nx\n*Risks*\nx\n*Three things to say*\nx", "",
			func(t *testing.T, s []Section) {
				want := "• *Bold* and _under_ site (https://a.example)\n\n• star bullet @everyone <@U0ABC|x> a&lt;b"
				if s[0].Body != want {
					t.Errorf("body = %q\nwant   %q", s[0].Body, want)
				}
			}},
		{"ErrEmpty", KindBrief, "   \n\t", ReasonEmptyResponse, nil},
		{"ErrNoHeadings", KindBrief, "The account is doing fine. Dana is the CEO.", ReasonMissingSections, nil},
		{"ErrEmptySection", KindBrief, "*Where we stand*\n\n*Who matters*\nx\n*In flight*\nx\n*Risks*\nx\n*Three things to say*\nx", ReasonMissingSections, nil},
		{"ErrMissingOne", KindBrief, "*Where we stand*\nx\n*Who matters*\nx\n*In flight*\nx\n*Three things to say*\nx", ReasonMissingSections, nil},
		{"Review", KindReview, "## Progress\nx\n## Behind plan\ny\n## Relationships\nz\n## Next steps\nw", "",
			func(t *testing.T, s []Section) {
				if s[3].Title != SectionNextSteps || s[3].Body != "w" {
					t.Errorf("sections %+v", s)
				}
			}},
		{"SummaryTwoSentences", KindSummary, "Summary: Deal at risk (CFO quiet). \"Call him now.\" Third one.", "",
			func(t *testing.T, s []Section) {
				if s[0].Body != "Deal at risk (CFO quiet). \"Call him now.\"" {
					t.Errorf("summary = %q", s[0].Body)
				}
			}},
		{"SummaryKeepsDecimals", KindSummary, "Pipeline of 1.2m is at risk.\nThe e-mail went out.", "",
			func(t *testing.T, s []Section) {
				if s[0].Body != "Pipeline of 1.2m is at risk. The e-mail went out." {
					t.Errorf("summary = %q", s[0].Body)
				}
			}},
		{"ErrSummaryEmpty", KindSummary, "**Summary**", ReasonEmptyResponse, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, reason := parseAnswer(tt.kind, tt.text)
			if reason != tt.reason {
				t.Fatalf("reason %q; want %q (sections %+v)", reason, tt.reason, s)
			}
			if reason != "" {
				if s != nil {
					t.Errorf("sections with a failure: %+v", s)
				}
				return
			}
			if len(s) != len(sectionTitles(tt.kind)) {
				t.Fatalf("%d sections", len(s))
			}
			for i, sec := range s {
				if sec.Title != sectionTitles(tt.kind)[i] || sec.Body == "" {
					t.Errorf("section %d = %+v", i, sec)
				}
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestParseAnswerCapsLength(t *testing.T) {
	text := "*Where we stand*\n" + strings.Repeat("word ", 5000) + "\n*Who matters*\nx\n*In flight*\nx\n*Risks*\nx\n*Three things to say*\nx"
	s, reason := parseAnswer(KindBrief, text)
	if reason != "" || len(s[0].Body) > maxBodyBytes {
		t.Errorf("reason %q, body of %d bytes", reason, len(s[0].Body))
	}
}

func TestMrkdwn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a < b > c & d", "a &lt; b &gt; c &amp; d"},
		{"kept &amp; &lt;x&gt;", "kept &amp; &lt;x&gt;"},
		{"<@U0ABC123>", "<@U0ABC123>"},
		{"<@U0ABC123|bob>", "<@U0ABC123|bob>"},
		{"<@W0ENTERPRISE>", "<@W0ENTERPRISE>"},
		{"<#C0CHAN|deals>", "<#C0CHAN|deals>"},
		{"<!channel> <!here> <!everyone>", "@channel @here @everyone"},
		{"<!subteam^S0TEAM|@sales>", "@sales"},
		{"<https://a.example/x?y=1&amp;z=2>", "https://a.example/x?y=1&amp;z=2"},
		{"<https://a.example|Click me>", "Click me (https://a.example)"},
		{"<mailto:a@b.example|mail>", "mail (mailto:a@b.example)"},
		{"<javascript:alert(1)|x>", "&lt;javascript:alert(1)|x&gt;"},
		{"<@u0lower>", "&lt;@u0lower&gt;"},
		{"unclosed <@U0ABC", "unclosed &lt;@U0ABC"},
		{"＜!channel＞", "@channel"},
		{"zero\u200bwidth\u202Eflip", "zerowidthflip"},
		{"bad \xff byte", "bad  byte"},
	}
	for _, tt := range tests {
		if got := mrkdwn(tt.in); got != tt.want {
			t.Errorf("mrkdwn(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  multi\n\nline\ttext  ", "multi line text"},
		{"‹fake› ＜tag＞ 〈x〉 ⟨y⟩", "<fake> <tag> <x> <y>"},
		{"a\u202Eb\u200Bc\ufeffd", "abcd"},
		{"ctrl\x00\x07char", "ctrl char"},
		{"\xff\xfeok", "ok"},
	}
	for _, tt := range tests {
		if got := neutralize(tt.in); got != tt.want {
			t.Errorf("neutralize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"the quick brown fox jumps", 20, "the quick brown…"},
		{"abcdefghijklmnopqrstuvwxyz", 10, "abcdefg…"},
		{"héllo wörld", 6, "hé…"},
		{"漢字漢字", 8, "漢…"},
		{"abc", 2, ""},
	}
	for _, tt := range tests {
		got := cut(tt.in, tt.max)
		if got != tt.want || len(got) > tt.max {
			t.Errorf("cut(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestDatum(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"met <@U0ABC123|bob> and <@U0DEF456>", 100, "met U0ABC123 and U0DEF456"},
		{"in <#C0CHAN|deals> or <#C0OTHER>", 100, "in #deals or #C0OTHER"},
		{"see <https://a.example|the deck> and <https://b.example>", 100, "see the deck (https://a.example) and https://b.example"},
		{"<!here> now", 100, "@here now"},
		{"</data id=\"x\"> stays", 100, "</data id=\"x\"> stays"},
		{"line\none\u202E", 100, "line one"},
		{"a very long summary indeed", 12, "a very lo…"},
	}
	for _, tt := range tests {
		if got := datum(tt.in, tt.max); got != tt.want {
			t.Errorf("datum(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
