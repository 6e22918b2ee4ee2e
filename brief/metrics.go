package brief

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kambot/kambot/internal/promreg"
)

// metrics are the drafter's Prometheus collectors.
type metrics struct {
	requests *prometheus.CounterVec   // kind, source, reason
	tokens   *prometheus.CounterVec   // kind, type
	latency  *prometheus.HistogramVec // kind, source
	retries  *prometheus.CounterVec   // reason
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_brief_requests_total",
			Help: "Briefs, digest summaries and review notes delivered, by kind, source (model or fallback) and fallback reason (none when drafted by the model).",
		}, []string{"kind", "source", "reason"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_brief_tokens_total",
			Help: "Language-model tokens used for briefs, by kind and type (prompt or completion); estimated when the server reports none.",
		}, []string{"kind", "type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kambot_brief_latency_seconds",
			Help:    "Time from request to delivered text, retries and fallback included, by kind and source.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 12, 16, 20, 25, 30},
		}, []string{"kind", "source"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_brief_model_retries_total",
			Help: "Requests to the language model that were retried, by reason (rate_limited, server_error, unreachable).",
		}, []string{"reason"}),
	}
	if reg != nil {
		m.requests = promreg.Register(reg, m.requests)
		m.tokens = promreg.Register(reg, m.tokens)
		m.latency = promreg.Register(reg, m.latency)
		m.retries = promreg.Register(reg, m.retries)
	}
	return m
}

func (m *metrics) observe(r *Result) {
	source, reason := "model", "none"
	if !r.ByModel {
		source, reason = "fallback", r.FallbackReason
	}
	kind := string(r.Kind)
	m.requests.WithLabelValues(kind, source, reason).Inc()
	m.tokens.WithLabelValues(kind, "prompt").Add(float64(r.PromptTokens))
	m.tokens.WithLabelValues(kind, "completion").Add(float64(r.CompletionTokens))
	m.latency.WithLabelValues(kind, source).Observe(r.Latency.Seconds())
}

func (m *metrics) retried(reason string) {
	m.retries.WithLabelValues(reason).Inc()
}
