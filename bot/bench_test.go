package bot

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
)

// quickEngine answers at once, like "/kam log" on a warm database.
type quickEngine struct{}

func (quickEngine) Do(ctx context.Context, req commands.Request) (commands.Reply, error) {
	return commands.Reply{Text: "Logged a call on Loadtest Holdings."}, nil
}

func (quickEngine) Interact(ctx context.Context, cb slack.InteractionCallback) commands.InteractionReply {
	return commands.InteractionReply{}
}

func (quickEngine) SubCommand(text string) string { return "log" }

func benchServer(b *testing.B) *HTTPServer {
	b.Helper()
	reg := metrics.NewSet()
	m, err := NewMetrics(reg)
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewHTTPServer(HTTPConfig{SigningSecrets: []string{secret}, Engine: quickEngine{}, Metrics: m, MetricSet: reg})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// discardWriter is a reusable ResponseWriter, so the benchmark measures the
// handler rather than httptest.ResponseRecorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

func loadForm(i int) []byte {
	return fakeslack.SlashForm(slack.SlashCommand{
		TeamID: "TLOAD00001", UserID: "ULOAD00001", ChannelID: "CLOAD00001",
		Text:        "log loadt call Call " + strconv.Itoa(i) + " about renewal terms with the buyer",
		ResponseURL: "https://hooks.slack.com/commands/TLOAD00001/123/abc",
	})
}

// BenchmarkSignedCommand is the hot path of HTTP mode in one goroutine:
// verify the signature, parse the form, run a quick engine, render the
// reply.
func BenchmarkSignedCommand(b *testing.B) {
	s := benchServer(b)
	body := loadForm(1)
	req := fakeslack.SignedRequest(secret, time.Now(), "/slack/commands", body)
	rd := bytes.NewReader(body)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		clear(w.h)
		s.ServeHTTP(w, req)
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}

// BenchmarkSignedCommandLoopback drives a real server on 127.0.0.1 with
// parallel keep-alive clients: requests per second end to end, net/http
// and the client included, against the quick engine.
func BenchmarkSignedCommandLoopback(b *testing.B) {
	s := benchServer(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeListener(ctx, ln) }()
	defer func() { cancel(); <-done }()
	loopback(b, "http://"+ln.Addr().String()+"/slack/commands")
}

// BenchmarkBareLoopback is the baseline of BenchmarkSignedCommandLoopback:
// slack-go's documented verification and parsing of a slash command and a
// fixed answer, nothing else — what any Slack app on this machine costs.
func BenchmarkBareLoopback(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(io.TeeReader(http.MaxBytesReader(w, r.Body, DefaultMaxBody), &v))
		if _, err := slack.SlashCommandParse(r); err != nil || v.Ensure() != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	loopback(b, srv.URL+"/slack/commands")
}

// loopback posts signed "/kam log" commands to url from 64 keep-alive
// clients and reports requests per second.
func loopback(b *testing.B, url string) {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256}}
	defer client.CloseIdleConnections()
	body := loadForm(1)
	b.SetParallelism(32) // 64 concurrent clients on 2 cores, like kamload
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := fakeslack.SignedRequest(secret, time.Now(), url, body)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	b.StopTimer() // shutting the server down is not part of the measure
}
