package bot

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the transport's Prometheus metrics, shared by HTTPServer and
// SocketRunner. Create one per registry with NewMetrics.
type Metrics struct {
	commands     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	deferred     *prometheus.CounterVec
	interactions *prometheus.CounterVec
	events       *prometheus.CounterVec
	httpRequests *prometheus.CounterVec
	sigFailures  prometheus.Counter
	envelopes    *prometheus.CounterVec
	acks         *prometheus.CounterVec
	refused      *prometheus.CounterVec
	socketConn   *prometheus.CounterVec
	deliveries   *prometheus.CounterVec
	retries      prometheus.Counter

	// Resolved children of httpRequests: looking one up by label values
	// hashes and allocates, and this counter moves on every request.
	mu       sync.RWMutex
	requests map[int]prometheus.Counter // pathIndex*1000 + status code
	cmds     map[string]*commandMetrics // by sub-command label
}

// commandMetrics are the resolved children of one sub-command.
type commandMetrics struct {
	outcomes map[string]prometheus.Counter
	duration prometheus.Observer
}

// NewMetrics creates the transport's metrics and registers them on reg
// (a registry of the caller's, not the global default).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_commands_total",
			Help: "Slash commands handled, by sub-command and outcome (ok, error: the user's mistake, internal, timeout).",
		}, []string{"command", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kambot_command_duration_seconds",
			Help:    "Time the engine took to answer a slash command, by sub-command.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"command"}),
		deferred: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_commands_deferred_total",
			Help: "Slash commands whose answer missed the acknowledgement deadline and went through response_url.",
		}, []string{"command"}),
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_interactions_total",
			Help: "Interaction payloads handled, by payload type and outcome.",
		}, []string{"type", "outcome"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_events_total",
			Help: "Events API callbacks received, by event type and outcome (handled, duplicate, dropped).",
		}, []string{"type", "outcome"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_http_requests_total",
			Help: "HTTP requests served, by path and status code.",
		}, []string{"path", "code"}),
		sigFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kambot_signature_failures_total",
			Help: "Requests to /slack/* refused because their Slack signature or timestamp was missing or wrong.",
		}),
		envelopes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_socket_envelopes_total",
			Help: "Socket Mode envelopes received, by type (slash_commands, interactive, events_api, bad_message).",
		}, []string{"type"}),
		acks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_socket_acks_total",
			Help: "Socket Mode acknowledgements sent, by outcome (payload, empty, failed).",
		}, []string{"outcome"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_socket_refused_total",
			Help: "Socket Mode envelopes refused because every worker was busy, by type.",
		}, []string{"type"}),
		socketConn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_socket_connection_events_total",
			Help: "Socket Mode connection life-cycle events (connecting, connected, hello, connection_error, invalid_auth, disconnect).",
		}, []string{"event"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_response_url_deliveries_total",
			Help: "Messages sent through response_url, by outcome (ok, failed, expired, used_up, invalid_url, no_url).",
		}, []string{"outcome"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kambot_response_url_retries_total",
			Help: "response_url POSTs retried after a transient failure.",
		}),
		requests: map[int]prometheus.Counter{},
		cmds:     map[string]*commandMetrics{},
	}
	for _, c := range []prometheus.Collector{m.commands, m.duration, m.deferred, m.interactions,
		m.events, m.httpRequests, m.sigFailures, m.envelopes, m.acks, m.refused, m.socketConn, m.deliveries, m.retries} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register transport metrics: %w", err)
		}
	}
	for _, o := range []string{"ok", "failed"} {
		m.deliveries.WithLabelValues(o)
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
	key := path*1000 + code
	m.mu.RLock()
	c, ok := m.requests[key]
	m.mu.RUnlock()
	if !ok {
		c = m.httpRequests.WithLabelValues(pathLabels[path], strconv.Itoa(code))
		m.mu.Lock()
		m.requests[key] = c
		m.mu.Unlock()
	}
	c.Inc()
}

func (m *Metrics) command(label, outcome string, d time.Duration) {
	m.mu.RLock()
	cm, ok := m.cmds[label]
	m.mu.RUnlock()
	if !ok {
		cm = &commandMetrics{outcomes: map[string]prometheus.Counter{}, duration: m.duration.WithLabelValues(label)}
		for _, o := range []string{OutcomeOK, OutcomeError, OutcomeInternal, OutcomeTimeout} {
			cm.outcomes[o] = m.commands.WithLabelValues(label, o)
		}
		m.mu.Lock()
		m.cmds[label] = cm
		m.mu.Unlock()
	}
	cm.outcomes[outcome].Inc()
	cm.duration.Observe(d.Seconds())
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
	m.interactions.WithLabelValues(typ, outcome).Inc()
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
	m.events.WithLabelValues(typ, outcome).Inc()
}
