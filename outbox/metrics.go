package outbox

import (
	"errors"
	"slices"

	"github.com/VictoriaMetrics/metrics"

	"github.com/kambot/kambot/internal/promtext"
)

// Names of the outbox's metrics; what each counts is in the README's
// Operations section.
const (
	mSent          = "kambot_outbox_sent_total"
	mRetries       = "kambot_outbox_retries_total" // {reason}: rate_limited, error, interrupted
	mFailed        = "kambot_outbox_failed_total"
	mDepth         = "kambot_outbox_queue_depth"
	mLatency       = "kambot_outbox_delivery_seconds"
	mVerifications = "kambot_outbox_verifications_total" // {outcome}: found, absent, unreadable, error
)

// latencyBuckets are the le bounds of kambot_outbox_delivery_seconds.
var latencyBuckets = []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}

// meters are the outbox's series. Every message moves sent and latency,
// created here; the labelled counters move on a retry or a check, rare
// enough to find their series by name each time.
type meters struct {
	set     *metrics.Set
	sent    *metrics.Counter
	failed  *metrics.Counter
	depth   *metrics.Gauge
	latency *metrics.PrometheusHistogram
}

// newMetrics creates the outbox's series on set; nil keeps them on a set
// of their own that nothing serves. A set holds one outbox's metrics.
func newMetrics(set *metrics.Set) (*meters, error) {
	if set == nil {
		set = metrics.NewSet()
	}
	if slices.Contains(set.ListMetricNames(), mSent) {
		return nil, errors.New("register outbox metrics: the set already has them")
	}
	return &meters{
		set:     set,
		sent:    set.NewCounter(mSent),
		failed:  set.NewCounter(mFailed),
		depth:   set.NewGauge(mDepth, nil),
		latency: set.NewPrometheusHistogramExt(mLatency, latencyBuckets),
	}, nil
}

func (m *meters) retried(reason string) {
	m.set.GetOrCreateCounter(promtext.Series(mRetries, "reason", reason)).Inc()
}

func (m *meters) verified(outcome string) {
	m.set.GetOrCreateCounter(promtext.Series(mVerifications, "outcome", outcome)).Inc()
}
