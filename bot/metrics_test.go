package bot

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/promtext"
)

// hostileLabel is a sub-command label that would end its label and line
// early, and add a series of its own, if it were not escaped.
const hostileLabel = "evil\"} 1\nkambot_injected_total{x=\"y\"} 99\\"

// hostileEngine names the command "evil" with hostileLabel: an engine that
// does not bound its labels must not be able to break /metrics.
type hostileEngine struct{ *fakeEngine }

func (e hostileEngine) SubCommand(text string) string {
	if strings.HasPrefix(text, "evil") {
		return hostileLabel
	}
	return e.fakeEngine.SubCommand(text)
}

// TestMetricsScrape scrapes /metrics of a started server, as Prometheus
// does, and checks the exposition line by line.
func TestMetricsScrape(t *testing.T) {
	set := metrics.NewSet()
	set.RegisterMetricsWriter(metrics.WriteProcessMetrics) // as serve does
	set.RegisterMetricsWriter(metrics.WriteFDMetrics)
	m, err := NewMetrics(set)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewHTTPServer(HTTPConfig{SigningSecrets: []string{secret}, Engine: hostileEngine{&fakeEngine{}},
		Metrics: m, MetricSet: set, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.ServeListener(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := "http://" + ln.Addr().String()
	for _, text := range []string{"log acme call x", "evil payload", "evil again"} {
		body := fakeslack.SlashForm(slack.SlashCommand{Text: text})
		resp, err := http.DefaultClient.Do(fakeslack.SignedRequest(secret, time.Now(), base+"/slack/commands", body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/kam %s: %d", text, resp.StatusCode)
		}
	}

	for _, tt := range []struct {
		name, acceptEncoding string
		gzipped              bool
	}{
		{"Plain", "", false},
		{"Gzip", "gzip", true},
		{"GzipRefused", "gzip;q=0, identity", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := scrape(t, base+"/metrics", tt.acceptEncoding, tt.gzipped)
			e, err := promtext.Parse(text)
			if err != nil {
				t.Fatalf("/metrics is not a valid exposition: %v", err)
			}
			checkExposition(t, e, text)
		})
	}
}

func scrape(t *testing.T, url, acceptEncoding string, gzipped bool) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding) // and so no transparent decompression
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var r io.Reader = resp.Body
	if got := resp.Header.Get("Content-Encoding") == "gzip"; got != gzipped {
		t.Fatalf("Content-Encoding %q with Accept-Encoding %q", resp.Header.Get("Content-Encoding"), acceptEncoding)
	}
	if gzipped {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkExposition(t *testing.T, e *promtext.Exposition, text string) {
	t.Helper()
	for family, typ := range map[string]string{
		"kambot_commands_total":                "counter",
		"kambot_command_duration_seconds":      "histogram",
		"kambot_http_requests_total":           "counter",
		"kambot_signature_failures_total":      "counter",
		"kambot_response_url_deliveries_total": "counter",
		"go_goroutines":                        "gauge",
		"go_gc_duration_seconds":               "summary",
		"process_resident_memory_bytes":        "gauge",
		"process_cpu_seconds_total":            "counter",
		"process_open_fds":                     "gauge",
	} {
		if e.Types[family] != typ {
			t.Errorf("# TYPE %s is %q; want %s", family, e.Types[family], typ)
		}
	}
	for _, tt := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"kambot_commands_total", map[string]string{"command": "log", "outcome": "ok"}, 1},
		{"kambot_commands_total", map[string]string{"command": "log", "outcome": "timeout"}, 0},
		{"kambot_commands_total", map[string]string{"command": hostileLabel, "outcome": "ok"}, 2},
		{"kambot_command_duration_seconds_count", map[string]string{"command": hostileLabel}, 2},
		{"kambot_http_requests_total", map[string]string{"code": "200", "path": "/slack/commands"}, 3},
		{"kambot_signature_failures_total", nil, 0},
		{"kambot_injected_total", nil, -1},
	} {
		if got := e.Value(tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v; want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	// The histogram keeps its le buckets, cumulative, with +Inf last.
	var les []string
	var last float64
	for _, s := range e.Samples {
		if s.Name == "kambot_command_duration_seconds_bucket" && s.Labels["command"] == "log" {
			if s.Value < last {
				t.Errorf("bucket le=%s holds %v, less than the one before", s.Labels["le"], s.Value)
			}
			les, last = append(les, s.Labels["le"]), s.Value
		}
	}
	want := []string{"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "+Inf"}
	if !slices.Equal(les, want) || last != 1 {
		t.Errorf("buckets le=%v ending at %v; want %v ending at 1", les, last, want)
	}
	// Every line is one of ours, a comment, or the runtime's: nothing the
	// hostile label smuggled in.
	for line := range strings.SplitSeq(strings.TrimSuffix(text, "\n"), "\n") {
		if !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "kambot_") && !strings.HasPrefix(line, "go_") && !strings.HasPrefix(line, "process_") {
			t.Errorf("stray line %q", line)
		}
		if strings.HasPrefix(line, "kambot_injected") {
			t.Errorf("the hostile label made a series: %q", line)
		}
	}
}

// BenchmarkCommandMetrics is the metric updates of one slash command in
// HTTP mode: its request by path and code, its outcome and its duration.
func BenchmarkCommandMetrics(b *testing.B) {
	m, err := NewMetrics(metrics.NewSet())
	if err != nil {
		b.Fatal(err)
	}
	update := func() {
		m.httpRequest(pathCommands, http.StatusOK)
		m.command("log", OutcomeOK, 3*time.Millisecond)
	}
	b.Run("Serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			update()
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				update()
			}
		})
	})
}
