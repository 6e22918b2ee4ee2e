package commands

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

func TestPlainText(t *testing.T) {
	blocks := []slack.Block{
		header("Acme Corp"),
		section("*Team* <@U1|ana> &amp; <@U2> in <#C1|acme> since <!date^1700000000^{date_short}|2023-11-14> see <https://x.test|docs> &lt;x&gt; 5 * 3"),
		fields("*Tier*\npartner", "*KAM*\n<@U1>"),
		contextBlock("one", "*two*"),
		divider(),
	}
	want := "Acme Corp\nTeam @ana & @U2 in #acme since 2023-11-14 see docs (https://x.test) <x> 5 * 3\nTier: partner\nKAM: @U1\none · two\n—"
	if got := PlainText(blocks); got != want {
		t.Fatalf("PlainText =\n%s\nwant\n%s", got, want)
	}
	if got := PlainText([]slack.Block{section("sponsor → _(cleared)_, keep snake_case_name and _italic_.")}); got != "sponsor → (cleared), keep snake_case_name and italic." {
		t.Fatalf("italics: %q", got)
	}
	if PlainText(nil) != "" {
		t.Fatal("PlainText(nil) not empty")
	}
}

func TestListBlocksNeverDropsSilently(t *testing.T) {
	var lines []string
	for i := range 500 {
		lines = append(lines, fmt.Sprintf("• line %03d %s", i, strings.Repeat("x", 60)))
	}
	blocks := listBlocks("*Title*", lines, 3, nil)
	if len(blocks) != 3 {
		t.Fatalf("got %d sections, want 3", len(blocks))
	}
	shown := 0
	for _, b := range blocks {
		text := b.(*slack.SectionBlock).Text.Text
		if n := utf8.RuneCountInString(text); n > maxSectionText {
			t.Fatalf("section has %d characters", n)
		}
		shown += strings.Count(text, "• line")
	}
	last := blocks[2].(*slack.SectionBlock).Text.Text
	if !strings.HasSuffix(last, fmt.Sprintf("…and %d more", 500-shown)) {
		t.Fatalf("last section does not announce the rest: …%s", last[len(last)-40:])
	}
	if got := listBlocks("", lines[:3], 3, nil); len(got) != 1 || strings.Contains(got[0].(*slack.SectionBlock).Text.Text, "more") {
		t.Fatalf("short list = %v", got)
	}
}

func TestEnforceLimits(t *testing.T) {
	var blocks []slack.Block
	var fs []string
	for i := range 23 {
		fs = append(fs, fmt.Sprintf("f%d", i))
	}
	blocks = append(blocks, fields(fs...), section(strings.Repeat("y", 3500)))
	var els []string
	for range 12 {
		els = append(els, "c")
	}
	blocks = append(blocks, contextBlock(els...))
	for range 60 {
		blocks = append(blocks, divider())
	}
	out := enforceLimits(blocks, maxMessageBlocks)
	if len(out) != maxMessageBlocks {
		t.Fatalf("got %d blocks, want %d", len(out), maxMessageBlocks)
	}
	for i := range 3 {
		if n := len(out[i].(*slack.SectionBlock).Fields); n > maxFields {
			t.Fatalf("section %d has %d fields", i, n)
		}
	}
	if n := utf8.RuneCountInString(out[3].(*slack.SectionBlock).Text.Text); n > maxSectionText {
		t.Fatalf("section text %d characters", n)
	}
	if n := len(out[4].(*slack.ContextBlock).ContextElements.Elements); n != maxContextElems {
		t.Fatalf("context has %d elements", n)
	}
	last := PlainText(out[len(out)-1:])
	if !strings.Contains(last, "more sections not shown") {
		t.Fatalf("last block = %q", last)
	}
}

func TestOverdue(t *testing.T) {
	now := time.Date(2025, 3, 14, 23, 0, 0, 0, time.UTC)
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	cases := []struct {
		close string
		stage string
		want  bool
	}{
		{"2025-03-13", "pursuing", true},
		{"2025-03-14", "pursuing", false},
		{"2025-03-13", "lost", false},
		{"", "pursuing", false},
	}
	for _, c := range cases {
		o := kam.Opportunity{Stage: kam.Stage(c.stage)}
		if c.close != "" {
			o.CloseDate = d(c.close)
		}
		if got := overdue(o, now); got != c.want {
			t.Errorf("overdue(%s, %s) = %v", c.close, c.stage, got)
		}
	}
}

// TestListBlocksOf: the lazy list is listBlocks, and words no line past
// the one that did not fit.
func TestListBlocksOf(t *testing.T) {
	tests := []struct {
		name        string
		n, width    int
		maxSections int
		cut         bool
	}{
		{"empty", 0, 10, 3, false},
		{"all fit", 40, 50, 3, false},
		{"cut after three sections", 10_000, 120, 3, true},
		{"cut in the first section", 500, 2000, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines := make([]string, tc.n)
			for i := range lines {
				lines[i] = fmt.Sprintf("%05d %s", i, strings.Repeat("x", tc.width))
			}
			more := func(n int) string { return fmt.Sprintf("…and %d more", n) }
			want := listBlocks("*Title*", lines, tc.maxSections, more)
			worded := 0
			got := listBlocksOf("*Title*", tc.n, func(i int) string { worded++; return lines[i] }, tc.maxSections, more)
			text := format.Readable(got)
			if text != format.Readable(want) || len(got) != len(want) {
				t.Fatalf("lazy list differs:\n%s\nwant\n%s", text, format.Readable(want))
			}
			shown := strings.Count(text, strings.Repeat("x", tc.width))
			switch {
			case tc.cut && (worded != shown+1 || shown >= tc.n):
				t.Errorf("worded %d lines and showed %d of %d: want one more worded than shown", worded, shown, tc.n)
			case !tc.cut && (worded != tc.n || shown != tc.n):
				t.Errorf("worded %d and showed %d of %d lines of a list that fits", worded, shown, tc.n)
			case tc.cut && !strings.Contains(text, fmt.Sprintf("…and %d more", tc.n-shown)):
				t.Errorf("cut list does not say how many more: %s", text)
			}
		})
	}
}
