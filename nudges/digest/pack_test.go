package digest

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// TestPacker: lines go into sections of at most sectionText characters,
// in order, none dropped, a line too long for a list clipped; an empty
// list is its title alone.
func TestPacker(t *testing.T) {
	tests := []struct {
		name     string
		lines    []string
		sections int
	}{
		{"title only", nil, 1},
		{"one section", []string{"a", "b", "c"}, 1},
		{"just fits", []string{strings.Repeat("x", 2000), strings.Repeat("y", sectionText-len("*T*")-2002)}, 1},
		{"one over", []string{strings.Repeat("x", 2000), strings.Repeat("y", sectionText-len("*T*")-2001)}, 2},
		{"many", func() []string {
			var ls []string
			for range 100 {
				ls = append(ls, strings.Repeat("é", 250))
			}
			return ls
		}(), 10},
		{"clipped", []string{strings.Repeat("y", lineText+500)}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacker("*T*")
			for _, l := range tc.lines {
				p.add(l)
			}
			blocks := p.blocks()
			if len(blocks) != tc.sections {
				t.Errorf("%d sections, want %d", len(blocks), tc.sections)
			}
			var texts []string
			for _, b := range blocks {
				text := b.(*slack.SectionBlock).Text.Text
				if n := utf8.RuneCountInString(text); n > sectionText {
					t.Errorf("a section of %d characters", n)
				}
				texts = append(texts, text)
			}
			joined := strings.Join(texts, "\n")
			want := strings.Join(append([]string{"*T*"}, tc.lines...), "\n")
			if tc.name == "clipped" {
				want = "*T*\n" + clip(tc.lines[0], lineText)
			}
			if joined != want {
				t.Errorf("lines changed or lost: %d characters, want %d", len(joined), len(want))
			}
			if p.lines != len(tc.lines) {
				t.Errorf("counted %d lines, want %d", p.lines, len(tc.lines))
			}
		})
	}
}
