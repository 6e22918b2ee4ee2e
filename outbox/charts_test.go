package outbox

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
)

// A workspace without chart blocks refuses the first such message with
// invalid_blocks: the outbox sends it again at once without the chart (its
// numbers as text), marks it sent, and sends later ones plain directly.
func TestChartsFallBackInTheOutbox(t *testing.T) {
	ctx := context.Background()
	srv := fakeslack.New(t)
	srv.WithoutDataBlocks()
	rich := &charts.Support{}
	r := newRig(t, false, func(c *Config) {
		c.Slack = newSlackAPI(strings.TrimSuffix(srv.URL(), "/"))
		c.Charts = rich
	})
	chart := charts.Chart{ID: "quadrants", Kind: charts.Pie, Title: "Portfolio by quadrant",
		Categories: []string{"strategic", "develop"}, Series: []charts.Series{{Name: "Accounts", Values: []float64{3, 2}}}}
	blocks := append([]slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Your portfolio", false, false), nil, nil)}, chart.Blocks()...)
	for _, key := range []string{"digest:1", "digest:2"} {
		if _, err := r.s.Enqueue(ctx, Message{TeamID: "T1", Channel: "C0MGR", Key: key, Text: "Your portfolio", Blocks: blocks}); err != nil {
			t.Fatal(err)
		}
	}
	r.start()
	r.waitSettled("T1", "digest:1", "digest:2")
	for _, key := range []string{"digest:1", "digest:2"} {
		if m := r.row("T1", key); m.Status != kam.OutboxSent {
			t.Errorf("%s: %s (%s), want sent", key, m.Status, m.LastError)
		}
	}
	msgs := srv.Messages("C0MGR")
	if len(msgs) != 2 {
		t.Fatalf("%d messages in the channel, want 2", len(msgs))
	}
	for _, m := range msgs {
		if strings.Contains(string(m.Blocks), "data_visualization") || !strings.Contains(string(m.Blocks), "strategic") {
			t.Errorf("posted blocks %s, want the text table without the chart", m.Blocks)
		}
	}
	if n := len(srv.CallsTo("chat.postMessage")); n != 3 {
		t.Errorf("%d chat.postMessage calls, want 3: one refused, its resend, then the second plain at once", n)
	}
	if !rich.Lacks("T1") {
		t.Error("the workspace's refusal was not remembered")
	}
}
