package digest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
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

// TestSplitter: blocks added one group at a time come out as messages
// holding every block once, in order; each message within the limits
// (maxBlocks and maxChars, less the room kept for the part and matrix
// lines) unless one unit alone is over them; a chart never apart from its
// text twin; and each message as full as it can be: the unit opening the
// next one did not fit.
func TestSplitter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var in []slack.Block
	var parts [][]slack.Block
	s := &splitter{emit: func(p []slack.Block) { parts = append(parts, p) }}
	// First messages just at the limits: 48 blocks, then 11,900
	// characters, each to the last.
	for range maxBlocks - 2 {
		b := divider()
		in = append(in, b)
		s.add(b)
	}
	for _, n := range []int{2950, 2950, 2950, 2950, 100} {
		b := section(strings.Repeat("x", n))
		in = append(in, b)
		s.add(b)
	}
	for i := range 3000 {
		var group []slack.Block
		switch rng.IntN(10) {
		case 0, 1, 2:
			group = append(group, divider())
		case 3, 4, 5:
			group = append(group, section(strings.Repeat("é", 1+rng.IntN(50))))
		case 6:
			c := charts.Chart{ID: fmt.Sprintf("c%d", i), Kind: charts.Bar, Title: "Chart", Categories: []string{"a", "b"},
				Series: []charts.Series{{Name: "n", Values: []float64{1, 2}}}, Value: charts.Number}
			group = c.Blocks()
		default:
			group = append(group, section(strings.Repeat("é", 1+rng.IntN(sectionText))))
		}
		in = append(in, group...)
		s.add(group...)
	}
	s.flush()
	if len(parts) < 3 || len(parts[0]) != maxBlocks-2 || len(parts[1]) != 5 {
		t.Fatalf("the first messages hold %d and %d blocks, want %d and 5", len(parts[0]), len(parts[1]), maxBlocks-2)
	}
	var out []slack.Block
	for i, p := range parts {
		out = append(out, p...)
		n, units := 0, charts.Units(p)
		for _, b := range p {
			n += blockChars(b)
		}
		if len(units) > 1 && (len(p) > maxBlocks-2 || n > maxChars-reserveChars) {
			t.Errorf("part %d: %d blocks, %d characters", i+1, len(p), n)
		}
		if i+1 < len(parts) {
			next := charts.Units(parts[i+1])[0]
			k := 0
			for _, b := range next {
				k += blockChars(b)
			}
			if len(p)+len(next) <= maxBlocks-2 && n+k <= maxChars-reserveChars {
				t.Errorf("part %d ends before a unit that fits it", i+1)
			}
		}
		if strings.HasPrefix(p[0].ID(), "plain:") {
			t.Errorf("part %d opens with a chart's twin, apart from its chart", i+1)
		}
	}
	if len(out) != len(in) {
		t.Fatalf("%d blocks out, %d in", len(out), len(in))
	}
	for i := range in {
		if out[i] != in[i] {
			t.Fatalf("block %d out of order", i)
		}
	}
}
