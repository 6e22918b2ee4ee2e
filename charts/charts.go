// Package charts builds Slack's native chart (data_visualization) and table
// (data_table) blocks, each paired with a plain twin that shows the same
// numbers as text, and picks the variant a workspace can show.
//
// A workspace whose Slack lacks these blocks answers invalid_blocks; the
// sender then sends the same message again with the twins in place of the
// charts and tables, and remembers that for the workspace (Support). The
// twins also put every number into the message's top-level text, where
// notifications and screen readers read it.
package charts

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Block ID prefixes that pair a rich block with its plain twin.
const (
	richPrefix  = "rich:"
	plainPrefix = "plain:"
)

// Slack's limits on chart blocks (docs.slack.dev, data-visualization-block).
const (
	MaxChartsPerMessage = 2
	MaxLabel            = 20 // category, series name and segment label, in characters
	MaxCategories       = 20 // points per series
	MaxSeries           = 6  // series per chart (slack-go validates 1–6)
	MaxSegments         = 6  // slices of a pie
	MaxTitle            = 50
	MaxAxisLabel        = 50
	MaxTableRows        = 100 // a data_table's page size tops out at 100; longer lists stay bullets
)

// IsRich reports whether a block is one only some workspaces can show.
func IsRich(b slack.Block) bool {
	switch b.BlockType() {
	case slack.MBTDataVisualization, slack.MBTDataTable:
		return true
	}
	return strings.HasPrefix(b.ID(), richPrefix)
}

// isTwin reports whether a block stands in for a rich one.
func isTwin(b slack.Block) bool { return strings.HasPrefix(b.ID(), plainPrefix) }

// HasRich reports whether any block is a chart or a table.
func HasRich(blocks []slack.Block) bool {
	for _, b := range blocks {
		if IsRich(b) {
			return true
		}
	}
	return false
}

// Rich is the message for a workspace that shows charts and tables: the
// plain twins are left out. Blocks without a twin pass through.
func Rich(blocks []slack.Block) []slack.Block {
	if !HasRich(blocks) {
		return blocks
	}
	out := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		if !isTwin(b) {
			out = append(out, b)
		}
	}
	return out
}

// Plain is the message without charts and tables: each is replaced by its
// twin (a text table, or the bullet list the table stood for).
func Plain(blocks []slack.Block) []slack.Block {
	out := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		if !IsRich(b) {
			out = append(out, b)
		}
	}
	return out
}

// Cap keeps at most MaxChartsPerMessage charts: a chart beyond is dropped
// and its twin shown in its place whatever the workspace. Call it on a
// whole message, after the parts are put together.
func Cap(blocks []slack.Block) []slack.Block {
	n := 0
	dropped := map[string]bool{}
	out := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		if b.BlockType() == slack.MBTDataVisualization {
			if n++; n > MaxChartsPerMessage {
				dropped[strings.TrimPrefix(b.ID(), richPrefix)] = true
				continue
			}
		}
		out = append(out, b)
	}
	if len(dropped) == 0 {
		return out
	}
	for i, b := range out {
		if id, ok := strings.CutPrefix(b.ID(), plainPrefix); ok && dropped[twinOf(id)] {
			out[i] = promote(b, id)
		}
	}
	return out
}

// twinOf is the pair's name of a twin block's ID ("health" of
// "health" or "health.2").
func twinOf(id string) string {
	name, _, _ := strings.Cut(id, ".")
	return name
}

// promote renames a twin so both variants keep it.
func promote(b slack.Block, id string) slack.Block {
	if s, ok := b.(*slack.SectionBlock); ok {
		c := *s
		c.BlockID = "shown:" + id
		return &c
	}
	return b
}

// IsInvalidBlocks reports whether Slack refused a message for its blocks.
// A chat.postMessage error says so in its code; a response_url answer in
// its body.
func IsInvalidBlocks(err error) bool {
	if err == nil {
		return false
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err == "invalid_blocks"
	}
	return strings.Contains(err.Error(), "invalid_blocks")
}

// Support remembers the workspaces whose Slack refused charts or tables,
// so that later messages go plain at once. The zero value is ready; it is
// safe for concurrent use. A nil *Support remembers nothing.
type Support struct{ lacking sync.Map }

// Lacks reports whether the workspace is known to refuse the blocks.
func (s *Support) Lacks(teamID string) bool {
	if s == nil {
		return false
	}
	_, ok := s.lacking.Load(teamID)
	return ok
}

// Refused records that the workspace refused the blocks.
func (s *Support) Refused(teamID string) {
	if s != nil {
		s.lacking.Store(teamID, true)
	}
}

// For picks the variant of blocks for the workspace.
func (s *Support) For(teamID string, blocks []slack.Block) []slack.Block {
	if s.Lacks(teamID) {
		return Plain(blocks)
	}
	return Rich(blocks)
}

// Label fits a label into Slack's 20 characters, keeping its start.
func Label(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= MaxLabel {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:MaxLabel-1])) + "…"
}

// uniqueLabels clips labels and numbers any that clash after clipping:
// Slack refuses duplicate categories.
func uniqueLabels(in []string) []string {
	out := make([]string, len(in))
	seen := map[string]int{}
	for i, s := range in {
		l := Label(s)
		if l == "" {
			l = "–"
		}
		for seen[l] > 0 {
			seen[l]++
			suffix := fmt.Sprintf(" %d", seen[l])
			r := []rune(Label(s))
			l = string(r[:min(len(r), MaxLabel-utf8.RuneCountInString(suffix))]) + suffix
		}
		seen[l]++
		out[i] = l
	}
	return out
}

// Units groups blocks so that a chart or table and its twins stay
// together when a long message is cut into several: each unit is one
// block, or a rich block followed by its twins.
func Units(blocks []slack.Block) [][]slack.Block {
	var out [][]slack.Block
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		id, rich := strings.CutPrefix(b.ID(), richPrefix)
		if !rich {
			out = append(out, []slack.Block{b})
			continue
		}
		unit := []slack.Block{b}
		for i+1 < len(blocks) && twinOf(strings.TrimPrefix(blocks[i+1].ID(), plainPrefix)) == id && isTwin(blocks[i+1]) {
			i++
			unit = append(unit, blocks[i])
		}
		out = append(out, unit)
	}
	return out
}

// Chars estimates the characters of text a chart or table block carries,
// toward Slack's limit on a message's blocks.
func Chars(b slack.Block) int {
	n := 0
	switch x := b.(type) {
	case *slack.DataTableBlock:
		n += utf8.RuneCountInString(x.Caption)
		for _, row := range x.Rows {
			for _, c := range row {
				switch c := c.(type) {
				case *slack.DataTableRawTextCell:
					n += utf8.RuneCountInString(c.Text)
				case *slack.DataTableRawNumberCell:
					n += utf8.RuneCountInString(c.Text) + 8
				default:
					n += 16
				}
			}
		}
	case *slack.DataVisualizationBlock:
		n += utf8.RuneCountInString(x.Title) + 200
	}
	return n
}
