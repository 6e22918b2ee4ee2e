package bot

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/kambot/kambot/internal/promtext"
)

// Metrics are the transport's metrics, shared by HTTPServer and
// SocketRunner. Create one per metrics.Set with NewMetrics.
//
// A labelled series is created on the set at its first use, as
// client_golang's vectors did, and found again through a small map of its
// own, so that a hot path formats no series name.
type Metrics struct {
	set          *metrics.Set
	deferred     *vec[string]    // command
	interactions *vec[[2]string] // outcome, type
	events       *vec[[2]string] // outcome, type
	httpRequests *vec[int]       // pathIndex*1000 + status code
	sigFailures  *metrics.Counter
	envelopes    *vec[string] // type
	acks         *vec[string] // outcome
	refused      *vec[string] // type
	socketConn   *vec[string] // event
	deliveries   *vec[string] // outcome
	retries      *metrics.Counter

	mu   sync.RWMutex
	cmds map[string]*commandMetrics // by sub-command label
}

// commandMetrics are the series of one sub-command.
type commandMetrics struct {
	outcomes [len(commandOutcomes)]*metrics.Counter
	duration *metrics.PrometheusHistogram
}

// commandOutcomes are the outcome label values of kambot_commands_total;
// outcomeIndex maps a value to its place.
var commandOutcomes = [...]string{OutcomeOK, OutcomeError, OutcomeInternal, OutcomeTimeout}

func outcomeIndex(o string) int {
	switch o {
	case OutcomeOK:
		return 0
	case OutcomeError:
		return 1
	case OutcomeTimeout:
		return 3
	}
	return 2
}

// commandBuckets are the le bounds of kambot_command_duration_seconds.
var commandBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// The transport's metric names; what each counts is in the README's
// Operations section.
const (
	mCommands     = "kambot_commands_total"
	mDuration     = "kambot_command_duration_seconds"
	mDeferred     = "kambot_commands_deferred_total"
	mInteractions = "kambot_interactions_total"
	mEvents       = "kambot_events_total"
	mHTTPRequests = "kambot_http_requests_total"
	mSigFailures  = "kambot_signature_failures_total"
	mEnvelopes    = "kambot_socket_envelopes_total"
	mAcks         = "kambot_socket_acks_total"
	mRefused      = "kambot_socket_refused_total"
	mSocketConn   = "kambot_socket_connection_events_total"
	mDeliveries   = "kambot_response_url_deliveries_total"
	mRetries      = "kambot_response_url_retries_total"
)

// NewMetrics creates the transport's metrics on set (the caller's, not the
// library's global default set). A set holds one transport's metrics: a
// second NewMetrics on it is an error.
func NewMetrics(set *metrics.Set) (*Metrics, error) {
	if set == nil {
		return nil, errors.New("transport metrics: no metrics set")
	}
	if slices.Contains(set.ListMetricNames(), mSigFailures) {
		return nil, errors.New("register transport metrics: the set already has them")
	}
	m := &Metrics{
		set:          set,
		deferred:     newVec1(set, mDeferred, "command"),
		interactions: newVec2(set, mInteractions, "outcome", "type"),
		events:       newVec2(set, mEvents, "outcome", "type"),
		httpRequests: newVec(set, func(k int) string {
			return promtext.Series(mHTTPRequests, "code", strconv.Itoa(k%1000), "path", pathLabels[k/1000])
		}),
		sigFailures: set.NewCounter(mSigFailures),
		envelopes:   newVec1(set, mEnvelopes, "type"),
		acks:        newVec1(set, mAcks, "outcome"),
		refused:     newVec1(set, mRefused, "type"),
		socketConn:  newVec1(set, mSocketConn, "event"),
		deliveries:  newVec1(set, mDeliveries, "outcome"),
		retries:     set.NewCounter(mRetries),
		cmds:        map[string]*commandMetrics{},
	}
	for _, o := range []string{"ok", "failed"} {
		m.deliveries.with(o)
	}
	return m, nil
}

// Label values of the path label; anything else is "other".
var pathLabels = [...]string{"other", "/slack/commands", "/slack/interactions", "/slack/events", "/healthz", "/readyz", "/metrics", "/slack/options"}

const (
	pathOther = iota
	pathCommands
	pathInteractions
	pathEvents
	pathHealthz
	pathReadyz
	pathMetrics
	pathOptions
)

func (m *Metrics) httpRequest(path, code int) {
	m.httpRequests.with(path*1000 + code).Inc()
}

// command counts a command and observes its duration. The label comes from
// the engine (its sub-command names, or "unknown"); Series escapes it all
// the same.
func (m *Metrics) command(label, outcome string, d time.Duration) {
	m.mu.RLock()
	cm, ok := m.cmds[label]
	m.mu.RUnlock()
	if !ok {
		cm = m.newCommand(label)
	}
	cm.outcomes[outcomeIndex(outcome)].Inc()
	cm.duration.Update(d.Seconds())
}

// newCommand creates a sub-command's series, every outcome at once so that
// a rate over any of them starts from zero.
func (m *Metrics) newCommand(label string) *commandMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cm, ok := m.cmds[label]; ok {
		return cm
	}
	cm := &commandMetrics{
		duration: m.set.GetOrCreatePrometheusHistogramExt(promtext.Series(mDuration, "command", label), commandBuckets),
	}
	for i, o := range commandOutcomes {
		cm.outcomes[i] = m.set.GetOrCreateCounter(promtext.Series(mCommands, "command", label, "outcome", o))
	}
	m.cmds[label] = cm
	return cm
}

// interactionTypes bounds the type label to Slack's payload types.
var interactionTypes = map[string]bool{
	"block_actions": true, "view_submission": true, "view_closed": true, "shortcut": true,
	"message_action": true, "block_suggestion": true, "interactive_message": true,
}

func (m *Metrics) interaction(typ, outcome string) {
	if !interactionTypes[typ] {
		typ = "other"
	}
	m.interactions.with([2]string{outcome, typ}).Inc()
}

// eventTypes bounds the type label of kambot_events_total.
var eventTypes = map[string]bool{
	"app_home_opened": true, "app_mention": true, "message": true, "app_uninstalled": true,
	"tokens_revoked": true, "member_joined_channel": true, "channel_archive": true,
	"channel_deleted": true, "url_verification": true, "app_rate_limited": true,
}

func (m *Metrics) event(typ, outcome string) {
	if !eventTypes[typ] {
		typ = "other"
	}
	m.events.with([2]string{outcome, typ}).Inc()
}

// vec is a labelled counter family whose series are created on first use
// and then found by their label values without formatting a name.
type vec[K comparable] struct {
	set    *metrics.Set
	series func(K) string
	mu     sync.RWMutex
	m      map[K]*metrics.Counter
}

func newVec[K comparable](set *metrics.Set, series func(K) string) *vec[K] {
	return &vec[K]{set: set, series: series, m: map[K]*metrics.Counter{}}
}

// newVec1 is a family of one label.
func newVec1(set *metrics.Set, name, label string) *vec[string] {
	return newVec(set, func(v string) string { return promtext.Series(name, label, v) })
}

// newVec2 is a family of two labels, given sorted by name.
func newVec2(set *metrics.Set, name, label1, label2 string) *vec[[2]string] {
	return newVec(set, func(v [2]string) string { return promtext.Series(name, label1, v[0], label2, v[1]) })
}

func (v *vec[K]) with(k K) *metrics.Counter {
	v.mu.RLock()
	c := v.m[k]
	v.mu.RUnlock()
	if c != nil {
		return c
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if c = v.m[k]; c == nil {
		c = v.set.GetOrCreateCounter(v.series(k))
		v.m[k] = c
	}
	return c
}
