package commands

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Trend spans of /kam health <account>.
const (
	healthWeeks = 12
	npsQuarters = 4
)

// healthTrendBlocks are an account's health over the last twelve weeks
// (the weekly digest's snapshots, this week live) and its NPS over the
// last four quarters, as charts with their numbers in text. A trend with
// too little data says so instead.
func (c *Call) healthTrendBlocks(ctx context.Context, acct kam.Account, h kam.Health) ([]slack.Block, error) {
	weeks := isoWeeks(c.Now, c.WorkspaceLoc(), healthWeeks)
	snaps, err := c.intel().AccountHealthHistory(ctx, c.TeamID, acct.ID, weeks[0])
	if err != nil {
		return nil, fmt.Errorf("health history of account %d: %w", acct.ID, err)
	}
	var out []slack.Block
	if hc, ok := healthChart(weeks, snaps, h); ok {
		out = append(out, hc.Blocks()...)
	} else {
		out = append(out, contextBlock("The health trend starts with the first weekly digest: each one keeps the week's score."))
	}
	answers, err := c.Store().AccountSurveyAnswers(ctx, c.TeamID, acct.ID, 0)
	if err != nil {
		return nil, fmt.Errorf("survey answers of account %d: %w", acct.ID, err)
	}
	if nc, ok := npsChart(answers, c.Now, c.Loc); ok {
		out = append(out, nc.Blocks()...)
	} else {
		out = append(out, contextBlock(fmt.Sprintf("No survey answers in the last %d quarters — `/kam survey %s send` asks.", npsQuarters, acct.Slug)))
	}
	return out, nil
}

// isoWeeks names the n ISO weeks up to now's, oldest first ("2026-W07").
func isoWeeks(now time.Time, loc *time.Location, n int) []string {
	out := make([]string, n)
	for i := range n {
		y, w := now.In(loc).AddDate(0, 0, -7*(n-1-i)).ISOWeek()
		out[i] = fmt.Sprintf("%04d-W%02d", y, w)
	}
	return out
}

// healthChart is a line of the weekly scores, this week's the live one;
// false with fewer than two weeks known.
func healthChart(weeks []string, snaps []kam.HealthSnapshot, h kam.Health) (charts.Chart, bool) {
	byWeek := make(map[string]int, len(snaps))
	for _, s := range snaps {
		byWeek[s.Week] = s.Score
	}
	if !h.New {
		byWeek[weeks[len(weeks)-1]] = h.Score
	}
	vals := make([]float64, len(weeks))
	known := 0
	for i, w := range weeks {
		vals[i] = math.NaN()
		if v, ok := byWeek[w]; ok {
			vals[i], known = float64(v), known+1
		}
	}
	if known < 2 {
		return charts.Chart{}, false
	}
	return charts.Chart{ID: "health", Kind: charts.Line, Title: fmt.Sprintf("Health, last %d weeks", len(weeks)),
		XLabel: "ISO week", YLabel: "health 0–100", Categories: weeks,
		Series: []charts.Series{{Name: "Health", Values: vals}}, Value: charts.Number}, true
}

// npsChart is the NPS of each of the last four quarters that had answers
// (a quarter without answers has no NPS, not an NPS of 0); false when none
// had any.
func npsChart(answers []kam.SurveyAnswer, now time.Time, loc *time.Location) (charts.Chart, bool) {
	local := now.In(loc)
	start := time.Date(local.Year(), time.Month((int(local.Month())-1)/3*3+1), 1, 0, 0, 0, 0, loc)
	var cats []string
	var vals []float64
	for i := npsQuarters - 1; i >= 0; i-- {
		from := start.AddDate(0, -3*i, 0)
		to := from.AddDate(0, 3, 0)
		// ScoreNPS counts answers after from and not after to.
		st := kam.ScoreNPS(answers, from.Add(-time.Nanosecond), to.Add(-time.Nanosecond))
		if st.Responses == 0 {
			continue
		}
		cats = append(cats, fmt.Sprintf("Q%d %d", (int(from.Month())-1)/3+1, from.Year()))
		vals = append(vals, format.Round(st.NPS, 0))
	}
	if len(cats) == 0 {
		return charts.Chart{}, false
	}
	return charts.Chart{ID: "nps", Kind: charts.Bar, Title: fmt.Sprintf("NPS, last %d quarters", npsQuarters),
		YLabel: "NPS −100…100", Categories: cats, Series: []charts.Series{{Name: "NPS", Values: vals}},
		Value: format.NPS}, true
}

// pipelineChart is the open pipeline by stage: value and weighted
// forecast, in the workspace currency.
func pipelineChart(opps []kam.Opportunity, cur format.Currency) []slack.Block {
	var cats []string
	var value, weighted []float64
	some := false
	for _, st := range kam.Stages {
		if !st.Open() {
			continue
		}
		var v, w float64
		for _, o := range opps {
			if o.Stage == st {
				v += float64(o.Value)
				w += float64(o.Value) * st.Probability()
				some = true
			}
		}
		cats = append(cats, string(st))
		value, weighted = append(value, v), append(weighted, math.Round(w))
	}
	if !some {
		return nil
	}
	c := charts.Chart{ID: "pipeline", Kind: charts.Bar, Title: "Open pipeline by stage", XLabel: "stage",
		YLabel: "value (" + cur.Code() + ")", Categories: cats,
		Series: []charts.Series{{Name: "Value", Values: value}, {Name: "Weighted", Values: weighted}},
		Value:  func(v float64) string { return cur.Money(int64(v)) }}
	return c.Blocks()
}
