package outbox

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the outbox's Prometheus collectors.
type metrics struct {
	sent          prometheus.Counter
	retried       *prometheus.CounterVec // by reason: rate_limited, error, interrupted
	failed        prometheus.Counter
	depth         prometheus.Gauge
	latency       prometheus.Histogram
	verifications *prometheus.CounterVec // by outcome: found, absent, unreadable, error
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "kambot", Subsystem: "outbox", Name: "sent_total",
			Help: "Messages Slack accepted.",
		}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kambot", Subsystem: "outbox", Name: "retries_total",
			Help: "Attempts put off for a later retry, by reason (rate_limited, error, interrupted).",
		}, []string{"reason"}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "kambot", Subsystem: "outbox", Name: "failed_total",
			Help: "Messages given up on: a permanent error, or too many failed attempts.",
		}),
		depth: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "kambot", Subsystem: "outbox", Name: "queue_depth",
			Help: "Messages not yet sent or failed, every workspace together.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "kambot", Subsystem: "outbox", Name: "delivery_seconds",
			Help:    "Time from queueing a message to Slack accepting it.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600},
		}),
		verifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kambot", Subsystem: "outbox", Name: "verifications_total",
			Help: "History checks before re-posting a message whose earlier attempt had an unknown outcome, by outcome (found, absent, unreadable, error).",
		}, []string{"outcome"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.sent, m.retried, m.failed, m.depth, m.latency, m.verifications} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register outbox metrics: %w", err)
		}
	}
	return m, nil
}
