package charts

import (
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
)

// Cell is one cell of a table: text, or a number Slack can sort by (Text,
// when set, is how the number is shown: "$1.2M").
type Cell struct {
	Text    string
	Number  float64
	Numeric bool
	User    string // a Slack user ID: the cell shows the person's name
}

// User is a cell naming a person; "" shows a dash.
func User(id string) Cell {
	if id == "" {
		return Text("—")
	}
	return Cell{User: id}
}

// Text is a text cell.
func Text(s string) Cell { return Cell{Text: s} }

// Num is a number cell shown as text.
func Num(v float64, shown string) Cell { return Cell{Text: shown, Number: v, Numeric: true} }

// Table is a list that reads better as a table than as bullets.
type Table struct {
	// ID pairs the table with its twin; unique within a message, no dots.
	ID      string
	Caption string
	Header  []string
	Rows    [][]Cell
}

// Blocks renders the data_table block followed by the blocks it stands for
// in a workspace without tables (the bullet list the message had before),
// which become its twins. A table longer than MaxTableRows, or without
// rows, is left out: the bullets alone are sent.
func (t Table) Blocks(bullets []slack.Block) []slack.Block {
	if t.Bare() {
		return bullets
	}
	tb := slack.NewDataTableBlock(clipTo(t.Caption, 150), slack.DataTableBlockOptionBlockID(richPrefix+t.ID)).
		WithPageSize(min(len(t.Rows), 20))
	head := make([]slack.DataTableCell, len(t.Header))
	for i, h := range t.Header {
		head[i] = slack.NewDataTableRawTextCell(h)
	}
	tb.AddRow(head...)
	for _, r := range t.Rows {
		cells := make([]slack.DataTableCell, len(r))
		for i, c := range r {
			// raw_text is not parsed by Slack: a person's text goes in as
			// they would read it, never as markup.
			switch {
			case c.User != "":
				cells[i] = slack.NewDataTableRichTextCell(slack.NewRichTextSection(slack.NewRichTextSectionUserElement(c.User, nil)))
			case c.Numeric:
				cells[i] = slack.NewDataTableRawNumberCell(c.Number).WithText(format.Plain(c.Text))
			default:
				cells[i] = slack.NewDataTableRawTextCell(format.Plain(c.Text))
			}
		}
		tb.AddRow(cells...)
	}
	out := []slack.Block{tb}
	for i, b := range bullets {
		out = append(out, twin(b, t.ID, i))
	}
	return out
}

// twin marks a bullet block as standing in for table id.
func twin(b slack.Block, id string, i int) slack.Block {
	tid := plainPrefix + id + "." + itoa(i)
	switch x := b.(type) {
	case *slack.SectionBlock:
		c := *x
		c.BlockID = tid
		return &c
	case *slack.ContextBlock:
		c := *x
		c.BlockID = tid
		return &c
	}
	return b
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Bare reports whether Blocks returns the bullets alone, with no table:
// when there is no row, or more than a table holds.
func (t Table) Bare() bool { return len(t.Rows) == 0 || len(t.Rows) > MaxTableRows }
