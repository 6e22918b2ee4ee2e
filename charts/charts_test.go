package charts

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

func series(n, points int) []Series {
	out := make([]Series, n)
	for i := range out {
		vals := make([]float64, points)
		for j := range vals {
			vals[j] = float64(i*10 + j)
		}
		out[i] = Series{Name: fmt.Sprintf("A very long series name number %d", i), Values: vals}
	}
	return out
}

func categories(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Category with a long label %02d", i) // clips to the same 20 characters
	}
	return out
}

// Every chart kind stays within Slack's limits whatever it is given, as
// slack-go's validation of the block checks them.
func TestChartLimits(t *testing.T) {
	cases := []struct {
		name  string
		chart Chart
		cats  int // categories expected in the block
	}{
		{"line, 12 weeks", Chart{ID: "h", Kind: Line, Title: "Health", Categories: categories(12), Series: series(1, 12)}, 12},
		{"bar, 30 categories keep the latest 20", Chart{ID: "b", Kind: Bar, Title: "Bars", Categories: categories(30), Series: series(2, 30)}, 20},
		{"area, 13 series keep 6", Chart{ID: "a", Kind: Area, Title: strings.Repeat("Long title ", 10), Categories: categories(3), Series: series(13, 3)}, 3},
		{"pie, zeros left out", Chart{ID: "p", Kind: Pie, Title: "Pie", Categories: []string{"a", "b", "c"}, Series: []Series{{Name: "n", Values: []float64{0, 2, 1}}}}, 2},
		{"pie, 9 slices keep 6", Chart{ID: "p", Kind: Pie, Title: "Pie", Categories: categories(9), Series: series(1, 9)}, 6},
		{"gaps", Chart{ID: "g", Kind: Line, Title: "Gaps", Categories: []string{"w1", "w2"}, Series: []Series{{Name: "x", Values: []float64{math.NaN(), 3}}}}, 2},
		{"duplicate labels", Chart{ID: "d", Kind: Bar, Title: "Dups", Categories: []string{"same", "same", "same"}, Series: series(1, 3)}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bs := tc.chart.Blocks()
			if len(bs) != 2 {
				t.Fatalf("%d blocks, want the chart and its twin", len(bs))
			}
			viz, ok := bs[0].(*slack.DataVisualizationBlock)
			if !ok {
				t.Fatalf("first block %T", bs[0])
			}
			if err := viz.Validate(); err != nil {
				t.Fatalf("Slack would refuse it: %v", err)
			}
			var got int
			switch c := viz.Chart.(type) {
			case *slack.DataVisualizationPieChart:
				got = len(c.Segments)
			case *slack.DataVisualizationBarChart:
				got = len(c.AxisConfig.Categories)
			case *slack.DataVisualizationLineChart:
				got = len(c.AxisConfig.Categories)
			case *slack.DataVisualizationAreaChart:
				got = len(c.AxisConfig.Categories)
				if len(c.Series) != MaxSeries {
					t.Errorf("%d series", len(c.Series))
				}
			}
			if got != tc.cats {
				t.Errorf("%d categories, want %d", got, tc.cats)
			}
			if utf8.RuneCountInString(viz.Title) > MaxTitle {
				t.Errorf("title %q too long", viz.Title)
			}
			// The twin holds every number, even those the chart left out.
			twin := bs[1].(*slack.SectionBlock).Text.Text
			for _, s := range tc.chart.Series {
				for _, v := range s.Values {
					if !math.IsNaN(v) && !strings.Contains(twin, fmt.Sprint(v)) {
						t.Errorf("twin lacks %v:\n%s", v, twin)
					}
				}
			}
		})
	}
}

func TestChartWithoutDataHasNoBlocks(t *testing.T) {
	if bs := (Chart{ID: "x", Kind: Line}).Blocks(); bs != nil {
		t.Errorf("blocks %v", bs)
	}
	// A pie of zeros cannot be drawn: the twin alone is shown, in both variants.
	bs := Chart{ID: "z", Kind: Pie, Title: "Zero", Categories: []string{"a"}, Series: []Series{{Name: "n", Values: []float64{0}}}}.Blocks()
	if len(bs) != 1 || HasRich(bs) || len(Rich(bs)) != 1 || len(Plain(bs)) != 1 {
		t.Errorf("blocks %d, rich %v", len(bs), HasRich(bs))
	}
}

func twoAnd(n int) []slack.Block {
	var out []slack.Block
	for i := range n {
		c := Chart{ID: fmt.Sprintf("c%d", i), Kind: Bar, Title: "T", Categories: []string{"a"}, Series: series(1, 1)}
		out = append(out, c.Blocks()...)
	}
	return out
}

// At most two charts in a message: a third is dropped and its twin shown
// in every variant.
func TestCapTwoChartsPerMessage(t *testing.T) {
	capped := Cap(twoAnd(3))
	charts := 0
	for _, b := range Rich(capped) {
		if b.BlockType() == slack.MBTDataVisualization {
			charts++
		}
	}
	if charts != MaxChartsPerMessage {
		t.Errorf("%d charts, want %d", charts, MaxChartsPerMessage)
	}
	if n := len(Rich(capped)); n != 3 {
		t.Errorf("rich variant has %d blocks, want 2 charts and the third's twin", n)
	}
	if n := len(Plain(capped)); n != 3 {
		t.Errorf("plain variant has %d blocks, want 3 twins", n)
	}
	if n := len(Cap(twoAnd(2))); n != 4 {
		t.Errorf("two charts capped to %d blocks", n)
	}
}

func TestTableBlocks(t *testing.T) {
	bullets := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Acme* <!here>", false, false), nil, nil)}
	tb := Table{ID: "accounts", Caption: "Accounts", Header: []string{"Account", "KAM", "Revenue"},
		Rows: [][]Cell{{Text("Acme <!here> & Co"), User("U1"), Num(1200000, "$1.2M")}, {Text("Beta"), User(""), Num(0, "—")}}}
	bs := tb.Blocks(bullets)
	if len(bs) != 2 || bs[0].BlockType() != slack.MBTDataTable {
		t.Fatalf("blocks %v", bs)
	}
	if got := Plain(bs); len(got) != 1 || got[0].ID() != "plain:accounts.0" {
		t.Errorf("plain variant %v", got)
	}
	if got := Rich(bs); len(got) != 1 || got[0].BlockType() != slack.MBTDataTable {
		t.Errorf("rich variant %v", got)
	}
	dt := bs[0].(*slack.DataTableBlock)
	if cell := dt.Rows[1][0].(*slack.DataTableRawTextCell); strings.Contains(cell.Text, "<!here>") {
		t.Errorf("a typed @here reached the table live: %q", cell.Text)
	}
	// Too long for one table: the bullets alone.
	long := Table{ID: "l", Rows: make([][]Cell, MaxTableRows+1)}
	if got := long.Blocks(bullets); len(got) != 1 || HasRich(got) {
		t.Errorf("a %d-row table gave %v", MaxTableRows+1, got)
	}
}

func TestSupport(t *testing.T) {
	var nilSupport *Support
	if nilSupport.Lacks("T1") {
		t.Error("nil support lacks")
	}
	nilSupport.Refused("T1") // no panic
	s := &Support{}
	bs := twoAnd(1)
	if got := s.For("T1", bs); len(got) != 1 || !HasRich(got) {
		t.Errorf("unknown workspace gets %v", got)
	}
	s.Refused("T1")
	if got := s.For("T1", bs); len(got) != 1 || HasRich(got) {
		t.Errorf("refusing workspace gets %v", got)
	}
	if !HasRich(s.For("T2", bs)) {
		t.Error("another workspace lost its charts")
	}
}

func TestIsInvalidBlocks(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{fmt.Errorf("post: %w", slack.SlackErrorResponse{Err: "invalid_blocks"}), true},
		{slack.SlackErrorResponse{Err: "channel_not_found"}, false},
		{errors.New(`status 400: {"ok":false,"error":"invalid_blocks"}`), true},
		{errors.New("status 500"), false},
	}
	for _, tc := range cases {
		if got := IsInvalidBlocks(tc.err); got != tc.want {
			t.Errorf("IsInvalidBlocks(%v) = %v", tc.err, got)
		}
	}
}

func TestAlignedTable(t *testing.T) {
	got := AlignedTable([]string{"", "Value", "Weighted"}, [][]string{{"identified", "$120k", "$12k"}, {"closing", "$1.2M", "$960k"}})
	want := "            Value  Weighted\nidentified  $120k      $12k\nclosing     $1.2M     $960k"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := CodeTable(nil, [][]string{{"a`b", "<!here>"}}); strings.Contains(got, "a`b") || strings.Contains(got, "<!here>") {
		t.Errorf("code table lets markup through: %s", got)
	}
}

// FuzzChartLabels: whatever names and numbers come in (account names,
// quarters, stages), the chart block is one Slack accepts.
func FuzzChartLabels(f *testing.F) {
	f.Add("identified", "qualified", "Value", 1.5, -3.0)
	f.Add("", "", "", 0.0, 0.0)
	f.Add("ünïcödé with a very long label indeed", "ünïcödé with a very long label indeed!", "<!here> & co", math.NaN(), 1e12)
	f.Add("a", "b", "inf", math.Inf(1), math.Inf(-1))
	f.Fuzz(func(t *testing.T, a, b, name string, x, y float64) {
		for _, k := range []Kind{Line, Bar, Area, Pie} {
			c := Chart{ID: "f", Kind: k, Title: name, Categories: []string{a, b}, Series: []Series{{Name: name, Values: []float64{x, y}}}}
			bs := c.Blocks()
			if len(bs) == 0 {
				t.Fatal("no blocks")
			}
			if _, err := json.Marshal(bs); err != nil {
				t.Fatalf("%s chart cannot be sent: %v", k, err)
			}
			if viz, ok := bs[0].(*slack.DataVisualizationBlock); ok {
				if err := viz.Validate(); err != nil {
					t.Fatalf("%s chart of %q, %q: %v", k, a, b, err)
				}
			}
		}
	})
}
