package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/internal/fakeslack"
)

// chartReply is a reply with a chart and its text twin, as the engine
// renders it.
func chartReply() commands.Reply {
	c := charts.Chart{ID: "pipeline", Kind: charts.Bar, Title: "Open pipeline by stage",
		Categories: []string{"identified", "qualified"},
		Series:     []charts.Series{{Name: "Value", Values: []float64{120000, 240000}}}}
	blocks := append([]slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Pipeline", false, false))}, c.Blocks()...)
	return commands.Reply{Text: format.Fallback(blocks), Blocks: blocks}
}

func blockTypes(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var bs []struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &bs); err != nil {
		t.Fatalf("blocks %s: %v", raw, err)
	}
	var out []string
	for _, b := range bs {
		out = append(out, b.Type)
	}
	return strings.Join(out, ",")
}

// A reply with a chart is acknowledged empty and sent through response_url,
// whose answer tells whether the workspace shows charts.
func TestChartReplyGoesThroughResponseURL(t *testing.T) {
	rich := &charts.Support{}
	s := newTestServer(t, func(c *HTTPConfig) { c.Charts = rich })
	s.engine.handle = func(context.Context, commands.Request) commands.Reply { return chartReply() }
	u := s.sink.URL()
	resp := s.slash("pipeline", u)
	if resp.Code != 200 || resp.Body.Len() != 0 {
		t.Fatalf("ack %d %q, want an empty 200", resp.Code, resp.Body)
	}
	posts, err := s.sink.Wait(u, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	if got := blockTypes(t, posts[0].Message.Blocks); got != "header,data_visualization" {
		t.Errorf("blocks %s, want the chart without its twin", got)
	}
	if !strings.Contains(posts[0].Message.Text, "$240k") && !strings.Contains(posts[0].Message.Text, "240000") {
		t.Errorf("the message text lacks the chart's numbers: %q", posts[0].Message.Text)
	}
	if len(s.sink.PostsTo(u)) != 1 || rich.Lacks(fakeslack.TeamID) {
		t.Errorf("posts %d, workspace marked lacking %v", len(s.sink.PostsTo(u)), rich.Lacks(fakeslack.TeamID))
	}
}

// A workspace without chart blocks answers invalid_blocks: the same
// message goes again without the chart, with its numbers as text, and the
// next reply is sent plain in the acknowledgement itself.
func TestChartReplyFallsBackAndRemembers(t *testing.T) {
	rich := &charts.Support{}
	s := newTestServer(t, func(c *HTTPConfig) { c.Charts = rich })
	s.sink.WithoutDataBlocks()
	s.engine.handle = func(context.Context, commands.Request) commands.Reply { return chartReply() }
	u := s.sink.URL()
	s.slash("pipeline", u)
	posts, err := s.sink.Wait(u, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s.settle(t)
	if s.sink.Refused() != 1 {
		t.Errorf("refused %d messages, want the first try", s.sink.Refused())
	}
	if got := blockTypes(t, posts[0].Message.Blocks); got != "header,section" {
		t.Errorf("fallback blocks %s, want the header and the text table", got)
	}
	if !strings.Contains(string(posts[0].Message.Blocks), "qualified") {
		t.Errorf("fallback lacks the numbers: %s", posts[0].Message.Blocks)
	}
	if !rich.Lacks(fakeslack.TeamID) || rich.Lacks("TOTHER") {
		t.Fatalf("remembered: this workspace %v, another %v", rich.Lacks(fakeslack.TeamID), rich.Lacks("TOTHER"))
	}

	// Known now: the reply is the acknowledgement, plain, with no second try.
	u2 := s.sink.URL()
	resp := s.slash("pipeline", u2)
	s.settle(t)
	var ack fakeslack.ResponseMessage
	if err := json.Unmarshal(resp.Body.Bytes(), &ack); err != nil {
		t.Fatalf("ack %q: %v", resp.Body, err)
	}
	if got := blockTypes(t, ack.Blocks); got != "header,section" {
		t.Errorf("ack blocks %s, want plain", got)
	}
	if len(s.sink.PostsTo(u2)) != 0 || s.sink.Refused() != 1 {
		t.Errorf("after learning: %d posts through response_url, %d refused", len(s.sink.PostsTo(u2)), s.sink.Refused())
	}
}

// A reply without charts is still answered in the acknowledgement.
func TestPlainReplyStaysInAck(t *testing.T) {
	s := newTestServer(t, func(c *HTTPConfig) { c.Charts = &charts.Support{} })
	u := s.sink.URL()
	resp := s.slash("log acme call hi", u)
	s.settle(t)
	if !strings.Contains(resp.Body.String(), "Logged a call") || len(s.sink.PostsTo(u)) != 0 {
		t.Errorf("ack %q, %d posts", resp.Body, len(s.sink.PostsTo(u)))
	}
}

// In Socket Mode too a chart reply is acknowledged empty and follows
// through response_url, and a refusal falls back and is remembered.
func TestSocketChartReplyFallsBack(t *testing.T) {
	rich := &charts.Support{}
	e := startSocket(t, func(c *SocketConfig) { c.Charts = rich })
	e.sink.WithoutDataBlocks()
	e.engine.handle = func(context.Context, commands.Request) commands.Reply { return chartReply() }
	u := e.sink.URL()
	id := e.sock.SlashCommand(slack.SlashCommand{Text: "pipeline", ResponseURL: u})
	if a := e.ack(t, id); a.Payload != nil {
		t.Fatalf("the ack carried the chart: %s", a.Payload)
	}
	posts, err := e.sink.Wait(u, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	if got := blockTypes(t, posts[0].Message.Blocks); got != "header,section" || e.sink.Refused() != 1 || !rich.Lacks(fakeslack.TeamID) {
		t.Errorf("blocks %s, refused %d, remembered %v", got, e.sink.Refused(), rich.Lacks(fakeslack.TeamID))
	}
	// Now the plain reply rides in the ack.
	id = e.sock.SlashCommand(slack.SlashCommand{Text: "pipeline", ResponseURL: e.sink.URL()})
	if a := e.ack(t, id); !strings.Contains(string(a.Payload), "identified") || strings.Contains(string(a.Payload), "data_visualization") {
		t.Errorf("second ack %s", a.Payload)
	}
}
