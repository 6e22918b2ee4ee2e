package charts

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
)

// Kind is a chart type of the data_visualization block.
type Kind string

// The chart kinds Slack draws.
const (
	Line Kind = "line"
	Bar  Kind = "bar"
	Area Kind = "area"
	Pie  Kind = "pie"
)

// Series is one named line, set of bars or area; a pie has one series.
type Series struct {
	Name   string
	Values []float64 // one per category; NaN for a gap (no data that week)
}

// Chart is one chart and the numbers behind it.
type Chart struct {
	// ID pairs the chart with its twin; unique within a message, no dots.
	ID             string
	Kind           Kind
	Title          string
	XLabel, YLabel string
	Categories     []string
	Series         []Series
	// Value renders a number for the text table (money, a score);
	// nil: the number as it is.
	Value func(float64) string
}

// Blocks renders the chart and its twin: a text table with the same
// numbers. A chart without categories or series has no blocks.
func (c Chart) Blocks() []slack.Block {
	if len(c.Categories) == 0 || len(c.Series) == 0 {
		return nil
	}
	twin := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, c.Text(), false, false), nil, nil)
	twin.BlockID = plainPrefix + c.ID
	viz := c.block()
	if viz == nil { // nothing Slack would draw (a pie of zeros)
		twin.BlockID = "shown:" + c.ID
		return []slack.Block{twin}
	}
	return []slack.Block{viz, twin}
}

// block builds the data_visualization block within Slack's limits: the
// latest MaxCategories categories, the first MaxSeries series, labels
// clipped to 20 characters and made unique.
func (c Chart) block() *slack.DataVisualizationBlock {
	cats := c.Categories
	first := 0
	if len(cats) > MaxCategories {
		first = len(cats) - MaxCategories
	}
	labels := uniqueLabels(cats[first:])
	series := c.Series[:min(len(c.Series), MaxSeries)]
	names := make([]string, len(series))
	for i, s := range series {
		names[i] = s.Name
	}
	names = uniqueLabels(names)
	var chart slack.DataVisualizationChart
	if c.Kind == Pie {
		var segs []slack.DataVisualizationSegment
		for i, v := range series[0].Values[first:] {
			if v > 0 && !math.IsInf(v, 0) && len(segs) < MaxSegments { // Slack draws positive slices only
				segs = append(segs, slack.NewDataVisualizationSegment(labels[i], v))
			}
		}
		if len(segs) == 0 {
			return nil
		}
		chart = slack.NewDataVisualizationPieChart(segs...)
	} else {
		axis := slack.NewDataVisualizationAxisConfig(labels...).WithXLabel(clipTo(c.XLabel, MaxAxisLabel)).WithYLabel(clipTo(c.YLabel, MaxAxisLabel))
		var out []slack.DataVisualizationDataSeries
		for k, s := range series {
			pts := make([]slack.DataVisualizationDataPoint, len(labels))
			for i := range labels {
				v := valueAt(s.Values, first+i)
				if math.IsNaN(v) || math.IsInf(v, 0) {
					v = 0 // Slack wants a point per category; the twin says "—"
				}
				pts[i] = slack.NewDataVisualizationDataPoint(labels[i], v)
			}
			out = append(out, slack.NewDataVisualizationDataSeries(names[k], pts...))
		}
		switch c.Kind {
		case Bar:
			chart = slack.NewDataVisualizationBarChart(axis, out...)
		case Area:
			chart = slack.NewDataVisualizationAreaChart(axis, out...)
		default:
			chart = slack.NewDataVisualizationLineChart(axis, out...)
		}
	}
	title := clipTo(c.Title, MaxTitle)
	if title == "" {
		title = "Chart" // Slack requires a title
	}
	return slack.NewDataVisualizationBlock(title, chart,
		slack.DataVisualizationBlockOptionBlockID(richPrefix+c.ID))
}

func valueAt(vs []float64, i int) float64 {
	if i < len(vs) {
		return vs[i]
	}
	return math.NaN()
}

// Text is the chart as mrkdwn: its title in bold over an aligned table in a
// code block, one row per category, one column per series.
func (c Chart) Text() string {
	header := []string{""}
	for _, s := range c.Series {
		header = append(header, s.Name)
	}
	rows := make([][]string, len(c.Categories))
	for i, cat := range c.Categories {
		row := []string{cat}
		for _, s := range c.Series {
			row = append(row, c.show(valueAt(s.Values, i)))
		}
		rows[i] = row
	}
	return "*" + format.Mrkdwn(c.Title) + "*\n" + CodeTable(header, rows)
}

func (c Chart) show(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	if c.Value != nil {
		return c.Value(v)
	}
	return strconv.FormatFloat(format.Round(v, 1), 'f', -1, 64)
}

// CodeTable lays rows out as an aligned table in a mrkdwn code block: the
// first column left-aligned, the others right-aligned, as figures read.
// Cells are escaped; a backquote, which would end the block, becomes '.
func CodeTable(header []string, rows [][]string) string {
	return "```\n" + format.Mrkdwn(strings.ReplaceAll(AlignedTable(header, rows), "`", "'")) + "\n```"
}

// AlignedTable lays rows out as plain text columns (for a terminal): the
// first column left-aligned, the others right-aligned. An empty header is
// left out.
func AlignedTable(header []string, rows [][]string) string {
	all := rows
	hasHeader := false
	for _, h := range header {
		if h != "" {
			hasHeader = true
		}
	}
	if hasHeader {
		all = append([][]string{header}, rows...)
	}
	var widths []int
	for _, r := range all {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(oneLine(cell)))
		}
	}
	var b strings.Builder
	for k, r := range all {
		if k > 0 {
			b.WriteByte('\n')
		}
		var line strings.Builder
		for i, cell := range r {
			cell = oneLine(cell)
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i > 0 {
				line.WriteString("  ")
			}
			if i == 0 {
				line.WriteString(cell + pad)
			} else {
				line.WriteString(pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clipTo(s string, n int) string {
	s = oneLine(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Number renders a whole number for a table: "12".
func Number(v float64) string { return fmt.Sprintf("%.0f", v) }
