package commands_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
)

func chartsOf(t *testing.T, blocks []slack.Block) []*slack.DataVisualizationBlock {
	t.Helper()
	var out []*slack.DataVisualizationBlock
	for _, b := range blocks {
		if v, ok := b.(*slack.DataVisualizationBlock); ok {
			if err := v.Validate(); err != nil {
				t.Errorf("chart %q: %v", v.Title, err)
			}
			out = append(out, v)
		}
	}
	return out
}

// /kam health <account> draws the last 12 weeks from the digests' snapshots
// (this week live) and NPS by quarter; each number is in the text too.
func TestHealthTrendCharts(t *testing.T) {
	e := newEnv(t, func(c *commands.Config) { c.Intel = c.Store.(commands.IntelStore) })
	ctx := context.Background()
	acme := e.ids[team+"/Acme Corp"]
	// Three earlier weeks; fixedNow is 2025-03-14, ISO week 2025-W11.
	for week, score := range map[string]int{"2025-W01": 41, "2025-W05": 55, "2025-W10": 62} {
		if err := e.db.SaveHealthSnapshots(ctx, team, week, []kam.HealthSnapshot{{AccountID: acme, Score: score}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct {
		who   string
		score int
		days  int
	}{{"jane", 9, 200}, {"li", 6, 190}, {"jane", 10, 20}} {
		ans := kam.SurveyAnswer{TeamID: team, AccountID: acme, Respondent: a.who, Score: a.score, At: fixedNow.AddDate(0, 0, -a.days)}
		if err := e.db.RecordSurveyAnswer(ctx, &ans, ana); err != nil {
			t.Fatal(err)
		}
	}
	rep := e.ok(ana, "health acme")
	cs := chartsOf(t, rep.Blocks)
	if len(cs) != 2 || cs[0].Title != "Health, last 12 weeks" || cs[1].Title != "NPS, last 4 quarters" {
		t.Fatalf("charts %v", cs)
	}
	line := cs[0].Chart.(*slack.DataVisualizationLineChart)
	if n := len(line.AxisConfig.Categories); n != 12 || line.AxisConfig.Categories[11] != "2025-W11" {
		t.Errorf("weeks %v", line.AxisConfig.Categories)
	}
	bar := cs[1].Chart.(*slack.DataVisualizationBarChart)
	js, _ := json.Marshal(bar.AxisConfig.Categories)
	if string(js) != `["Q3 2024","Q1 2025"]` {
		t.Errorf("quarters %s, want only the two with answers", js)
	}
	// The numbers are in the message text, week by week and quarter by quarter.
	rows := map[string]bool{}
	for _, l := range strings.Split(rep.Text, "\n") {
		rows[strings.Join(strings.Fields(l), " ")] = true
	}
	for _, want := range []string{"2025-W05 55", "2025-W10 62", "2025-W02 —", "Q3 2024 0", "Q1 2025 100"} {
		if !rows[want] {
			t.Errorf("text lacks the row %q:\n%s", want, rep.Text)
		}
	}
}
