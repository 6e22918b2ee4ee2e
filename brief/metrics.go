package brief

import (
	"github.com/VictoriaMetrics/metrics"

	"github.com/kambot/kambot/internal/promtext"
)

// latencyBuckets are the le bounds of kambot_brief_latency_seconds.
var latencyBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 12, 16, 20, 25, 30}

// meters writes the drafter's series on its set: kambot_brief_requests_total
// {kind,reason,source}, kambot_brief_tokens_total{kind,type},
// kambot_brief_latency_seconds{kind,source} and
// kambot_brief_model_retries_total{reason}. Every label value is one of the
// package's constants. Series are got or created by name, so that several
// drafters on one set share them; a brief is seconds of model time, so
// formatting the names per brief costs nothing that matters.
type meters struct {
	set *metrics.Set // nil: nothing is counted
}

func newMetrics(set *metrics.Set) *meters { return &meters{set: set} }

func (m *meters) observe(r *Result) {
	if m.set == nil {
		return
	}
	source, reason := "model", "none"
	if !r.ByModel {
		source, reason = "fallback", r.FallbackReason
	}
	kind := string(r.Kind)
	m.set.GetOrCreateCounter(promtext.Series("kambot_brief_requests_total", "kind", kind, "reason", reason, "source", source)).Inc()
	m.set.GetOrCreateCounter(promtext.Series("kambot_brief_tokens_total", "kind", kind, "type", "prompt")).Add(r.PromptTokens)
	m.set.GetOrCreateCounter(promtext.Series("kambot_brief_tokens_total", "kind", kind, "type", "completion")).Add(r.CompletionTokens)
	m.set.GetOrCreatePrometheusHistogramExt(promtext.Series("kambot_brief_latency_seconds", "kind", kind, "source", source), latencyBuckets).
		Update(r.Latency.Seconds())
}

func (m *meters) retried(reason string) {
	if m.set != nil {
		m.set.GetOrCreateCounter(promtext.Series("kambot_brief_model_retries_total", "reason", reason)).Inc()
	}
}
