package promtext_test

import (
	"strings"
	"testing"

	"github.com/VictoriaMetrics/metrics"

	"github.com/kambot/kambot/internal/promtext"
)

func TestSeries(t *testing.T) {
	for _, tt := range []struct {
		name   string
		labels []string
		want   string
	}{
		{"x_total", nil, "x_total"},
		{"x_total", []string{"a", "1", "b", "two"}, `x_total{a="1",b="two"}`},
		{"x_total", []string{"command", "log\"}\nevil_total 1"}, `x_total{command="log\"}\nevil_total 1"}`},
		{"x_total", []string{"command", `back\slash`}, `x_total{command="back\\slash"}`},
		{"x_total", []string{"command", "bad\xffutf8"}, `x_total{command="bad` + "\uFFFD" + `utf8"}`},
	} {
		if got := promtext.Series(tt.name, tt.labels...); got != tt.want {
			t.Errorf("Series(%q, %q) = %q; want %q", tt.name, tt.labels, got, tt.want)
		}
	}
}

// TestRoundTrip: a hostile value written through a Set reads back as it
// was, on one line of its own.
func TestRoundTrip(t *testing.T) {
	set := metrics.NewSet()
	hostile := "log\"} 1\nevil_total{x=\"y\"} 99\\"
	set.GetOrCreateCounter(promtext.Series("x_total", "command", hostile, "outcome", "ok")).Add(3)
	set.NewPrometheusHistogramExt(promtext.Series("d_seconds", "command", hostile), []float64{.5, 1}).Update(.7)
	e, err := promtext.Gather(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"x_total", map[string]string{"command": hostile, "outcome": "ok"}, 3},
		{"d_seconds_bucket", map[string]string{"command": hostile, "le": "0.5"}, 0},
		{"d_seconds_bucket", map[string]string{"command": hostile, "le": "1"}, 1},
		{"d_seconds_bucket", map[string]string{"command": hostile, "le": "+Inf"}, 1},
		{"d_seconds_count", map[string]string{"command": hostile}, 1},
		{"evil_total", nil, -1},
	} {
		if got := e.Value(tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v; want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, bad := range []string{
		"x_total{a=\"1\"\n} 1",
		`x_total{a="1} 1`,
		`x_total{a="1"b="2"} 1`,
		`x_total{a="\q"} 1`,
		`x_total 1 2 3`,
		`x_total`,
		`{a="1"} 1`,
		"x_total 1\n\nx_total 2",
	} {
		if _, err := promtext.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a broken exposition", bad)
		}
	}
	e, err := promtext.Parse("# HELP x_total\n# TYPE x_total counter\nx_total{a=\"1\",b=\"\\\"\"} 2\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Samples[0].Key(); got != `x_total{a="1",b="""}` || e.Types["x_total"] != "counter" {
		t.Errorf("key %q, types %v", got, e.Types)
	}
	if !strings.Contains(e.Samples[0].Labels["b"], `"`) {
		t.Errorf("labels %v", e.Samples[0].Labels)
	}
}

// FuzzSeries: whatever the label value, the series is a valid name for the
// library and reads back as the value (invalid UTF-8 replaced).
func FuzzSeries(f *testing.F) {
	for _, v := range []string{"", "log", `"}`, "a\nb", `\`, `\"`, "\xff", "é\r\t{}=,"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		name := promtext.Series("x_total", "command", v, "outcome", "ok")
		if err := metrics.ValidateMetric(name); err != nil {
			t.Fatalf("Series(%q) = %q: %v", v, name, err)
		}
		set := metrics.NewSet()
		set.GetOrCreateCounter(name).Inc()
		e, err := promtext.Gather(set)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ToValidUTF8(v, "\uFFFD")
		if len(e.Samples) != 1 || e.Samples[0].Labels["command"] != want || e.Samples[0].Labels["outcome"] != "ok" {
			t.Fatalf("Series(%q) read back as %+v", v, e.Samples)
		}
	})
}
