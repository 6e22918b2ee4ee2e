package bot

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/commands"
)

// DefaultMaxBody caps a /slack/* request body; Slack's are a few KiB.
const DefaultMaxBody = 64 << 10

// HTTPConfig configures an HTTPServer.
type HTTPConfig struct {
	// Addr is the listen address of Serve (":3000").
	Addr string
	// SigningSecrets verify /slack/* requests: the current secret first,
	// then, during a rotation, the previous one. With none, the server
	// answers only /healthz, /readyz and /metrics (Socket Mode).
	SigningSecrets []string
	// Engine runs commands; required with SigningSecrets.
	Engine Engine
	// Events receives Events API callbacks; nil acknowledges and drops them.
	Events EventHandler
	// Ready reports whether the bot can serve: the database answers and a
	// write to it commits (store's Ready). Its error is logged, never shown:
	// /readyz answers a fixed sentence that names no file. nil is always
	// ready.
	Ready func(ctx context.Context) error
	// Metrics is required (NewMetrics).
	Metrics *Metrics
	// MetricSet is served on /metrics, usually the set Metrics is on, with
	// whatever writers were registered on it (serve adds the Go runtime and
	// process metrics). nil: no /metrics.
	MetricSet *metrics.Set
	// Logger receives what the transport has to say (nil: discarded).
	Logger *slog.Logger
	// Now is the clock request timestamps are checked against.
	Now func() time.Time
	// HTTPClient posts to response_url (default: 10 s timeout per attempt).
	HTTPClient *http.Client
	// MaxBody caps request bodies (DefaultMaxBody); larger ones get 413.
	MaxBody int64
	// Workers bounds concurrent event handlers (32).
	Workers int
	// Timing tunes deadlines and the shutdown grace period.
	Timing Timing
	// Charts remembers the workspaces that refused chart and table
	// blocks; nil remembers nothing (each reply finds out again).
	Charts *charts.Support
	// Deliveries, if set, records event_ids where every replica sees them
	// (store's FirstDelivery), so that an Events API retry reaching another
	// replica is dropped there too. nil: this process remembers alone.
	Deliveries func(ctx context.Context, eventID string) (first bool, err error)
}

// HTTPServer is kambot's HTTP mode: the /slack/* endpoints Slack calls,
// plus health, readiness and metrics. It is an http.Handler, so tests can
// mount it; Serve runs it with production timeouts.
type HTTPServer struct {
	cfg      HTTPConfig
	core     *core
	verifier *Verifier // nil: /slack/* not served
	metrics  *metrics.Set
	srv      *http.Server
	stopping atomic.Bool
}

// NewHTTPServer checks cfg and builds the server.
func NewHTTPServer(cfg HTTPConfig) (*HTTPServer, error) {
	if cfg.Metrics == nil {
		return nil, errors.New("http server: Metrics is required (bot.NewMetrics)")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Addr == "" {
		cfg.Addr = ":3000"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &HTTPServer{cfg: cfg}
	if len(cfg.SigningSecrets) > 0 {
		if cfg.Engine == nil {
			return nil, errors.New("http server: Engine is required to serve /slack/*")
		}
		v, err := NewVerifier(cfg.Now, cfg.SigningSecrets...)
		if err != nil {
			return nil, fmt.Errorf("http server: %w", err)
		}
		s.verifier = v
	}
	s.core = newCore(coreConfig{engine: cfg.Engine, events: cfg.Events, metrics: cfg.Metrics, log: cfg.Logger,
		now: cfg.Now, timing: cfg.Timing, httpClient: cfg.HTTPClient, workers: cfg.Workers, charts: cfg.Charts,
		deliveries: cfg.Deliveries})
	if cfg.MetricSet != nil {
		// TYPE lines tell Prometheus each family's type, as client_golang's
		// did; the library's switch is process-wide and only ever turned on.
		metrics.ExposeMetadata(true)
		s.metrics = cfg.MetricSet
	}
	s.srv = &http.Server{
		Addr:              cfg.Addr,
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		// Longer than the ack deadline: a slow command still gets its answer out.
		WriteTimeout:   s.core.timing.Ack + 10*time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 32 << 10,
		ErrorLog:       slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Serve listens on the configured address and serves until ctx is
// cancelled, then shuts down gracefully (see Shutdown) within the grace
// period. It returns nil after a clean shutdown.
func (s *HTTPServer) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (KAMBOT_ADDR): %w", s.cfg.Addr, err)
	}
	return s.ServeListener(ctx, ln)
}

// ServeListener is Serve on an existing listener.
func (s *HTTPServer) ServeListener(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.core.timing.ShutdownGrace)
	defer cancel()
	serr := s.Shutdown(sctx)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return serr
}

// Shutdown stops accepting requests, waits for those in flight, then for
// their background work (deferred replies, Later work, response_url
// deliveries), until ctx ends; what is still running then is cancelled.
func (s *HTTPServer) Shutdown(ctx context.Context) error {
	s.stopping.Store(true)
	err := s.srv.Shutdown(ctx)
	if derr := s.core.drain(ctx); err == nil {
		err = derr
	}
	if err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	return nil
}

// ServeHTTP routes a request. Routing is a switch on the path rather than a
// ServeMux: this sits on every request of the hot path.
func (s *HTTPServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, code := pathOther, http.StatusNotFound
	switch r.URL.Path {
	case "/slack/commands":
		path = pathCommands
		code = s.slack(w, r, s.commands)
	case "/slack/interactions":
		path = pathInteractions
		code = s.slack(w, r, s.interactions)
	case "/slack/events":
		path = pathEvents
		code = s.slack(w, r, s.events)
	case "/slack/options":
		// block_suggestion payloads: the same form body, answered with options.
		path = pathOptions
		code = s.slack(w, r, s.interactions)
	case "/healthz":
		path = pathHealthz
		code = s.get(w, r, func() int { return writeText(w, http.StatusOK, "ok") })
	case "/readyz":
		path = pathReadyz
		code = s.get(w, r, func() int { return s.readyz(w, r) })
	case "/metrics":
		path = pathMetrics
		if s.metrics != nil {
			code = s.get(w, r, func() int { return s.serveMetrics(w, r) })
		} else {
			http.NotFound(w, r)
		}
	default:
		http.NotFound(w, r)
	}
	s.cfg.Metrics.httpRequest(path, code)
}

func (s *HTTPServer) get(w http.ResponseWriter, r *http.Request, f func() int) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return writeText(w, http.StatusMethodNotAllowed, "method not allowed")
	}
	return f()
}

// notReadyText is /readyz's body when the readiness check fails.
const notReadyText = "not ready: the database cannot commit writes"

func (s *HTTPServer) readyz(w http.ResponseWriter, r *http.Request) int {
	if s.stopping.Load() {
		return writeText(w, http.StatusServiceUnavailable, "not ready: shutting down")
	}
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.cfg.Logger.Warn("readiness check failed", "err", err)
			// The detail (file paths, driver messages) is for the log only.
			return writeText(w, http.StatusServiceUnavailable, notReadyText)
		}
	}
	return writeText(w, http.StatusOK, "ready")
}

func writeText(w http.ResponseWriter, code int, text string) int {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, text)
	return code
}

// slack verifies a /slack/* request and passes its raw body to h. Nothing
// runs for a request that fails verification.
func (s *HTTPServer) slack(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request, []byte) int) int {
	if s.verifier == nil {
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return writeText(w, http.StatusMethodNotAllowed, "method not allowed")
	}
	ts, sig := r.Header.Get("X-Slack-Request-Timestamp"), r.Header.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return s.refuse(w, r, ErrMissingSignature)
	}
	if r.ContentLength > s.cfg.MaxBody {
		return writeText(w, http.StatusRequestEntityTooLarge, "request body too large")
	}
	buf := getBuf()
	defer putBuf(buf)
	body, err := readBody(buf, r.Body, s.cfg.MaxBody)
	if errors.Is(err, errTooLarge) {
		return writeText(w, http.StatusRequestEntityTooLarge, "request body too large")
	}
	if err != nil {
		s.cfg.Logger.Debug("read slack request body", "err", err)
		return writeText(w, http.StatusBadRequest, "could not read the request body")
	}
	if err := s.verifier.Verify(ts, sig, body); err != nil {
		return s.refuse(w, r, err)
	}
	return h(w, r, body)
}

var errTooLarge = errors.New("request body too large")

// readBody reads r into buf, failing with errTooLarge past max bytes. It
// reads straight into the pooled buffer's spare capacity: no per-request
// allocation once the pool is warm.
func readBody(buf *bytes.Buffer, r io.Reader, max int64) ([]byte, error) {
	for {
		if int64(buf.Len()) > max {
			return nil, errTooLarge
		}
		buf.Grow(512)
		b := buf.AvailableBuffer()
		n, err := r.Read(b[:cap(b)])
		buf.Write(b[:n])
		if err == io.EOF {
			if int64(buf.Len()) > max {
				return nil, errTooLarge
			}
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (s *HTTPServer) refuse(w http.ResponseWriter, r *http.Request, err error) int {
	s.cfg.Metrics.sigFailures.Inc()
	s.cfg.Logger.Warn("refused a request without a valid Slack signature", "path", r.URL.Path,
		"remote", r.RemoteAddr, "reason", err)
	return writeText(w, http.StatusUnauthorized, "invalid Slack signature")
}

// writeReply writes a reply as the JSON body of a 200; an empty reply is
// an empty 200, which Slack takes as "acknowledged, nothing to show".
func (s *HTTPServer) writeReply(w http.ResponseWriter, r commands.Reply) int {
	if empty(r) {
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	return s.writeJSON(w, toWire(r, nil))
}

// jsonType is shared by every JSON answer: net/http only reads header
// values, and Header.Set would allocate a slice per response.
var jsonType = []string{"application/json; charset=utf-8"}

func (s *HTTPServer) writeJSON(w http.ResponseWriter, v any) int {
	buf := getBuf()
	defer putBuf(buf)
	if err := encodeJSON(buf, v); err != nil {
		s.cfg.Logger.Error("render acknowledgement", "err", err)
		buf.Reset()
		_ = encodeJSON(buf, toWire(internalReply, nil))
	}
	w.Header()["Content-Type"] = jsonType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return http.StatusOK
}

func (s *HTTPServer) commands(w http.ResponseWriter, r *http.Request, body []byte) int {
	sc, sslCheck, err := parseSlashForm(body)
	if sslCheck {
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	if err != nil || sc.TeamID == "" || sc.UserID == "" {
		s.cfg.Logger.Warn("unreadable slash command", "err", err, "has_team", sc.TeamID != "", "has_user", sc.UserID != "")
		return s.writeReply(w, unreadable)
	}
	a := s.core.command(requestOf(sc), func(r commands.Reply) { s.writeLate(w, r) })
	if !a.inTime {
		return http.StatusOK
	}
	code := s.writeReply(w, a.ackReply())
	s.core.afterAck(a, false)
	return code
}

// writeLate acknowledges from the deadline timer while the engine still
// runs on the handler's goroutine: a complete response (Content-Length
// set) flushed at once, so Slack has its answer within 3 s.
func (s *HTTPServer) writeLate(w http.ResponseWriter, r commands.Reply) {
	buf := getBuf()
	defer putBuf(buf)
	if !empty(r) {
		if err := encodeJSON(buf, toWire(r, nil)); err != nil {
			s.cfg.Logger.Error("render acknowledgement", "err", err)
			buf.Reset()
		}
	}
	if buf.Len() > 0 {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	if err := http.NewResponseController(w).Flush(); err != nil {
		s.cfg.Logger.Debug("flush late acknowledgement", "err", err)
	}
}

func requestOf(sc slack.SlashCommand) commands.Request {
	return commands.Request{TeamID: sc.TeamID, UserID: sc.UserID, ChannelID: sc.ChannelID,
		Text: sc.Text, TriggerID: sc.TriggerID, ResponseURL: sc.ResponseURL}
}

func (s *HTTPServer) interactions(w http.ResponseWriter, r *http.Request, body []byte) int {
	payload, err := formValue(body, "payload")
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(payload), &cb)
	}
	if err != nil {
		// Nothing to show it to: the ack of an interaction is not a message.
		s.cfg.Logger.Warn("unreadable interaction payload", "err", err)
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	ir, inTime := s.core.interaction(cb, func() { s.writeLate(w, commands.Reply{}) })
	if !inTime {
		return http.StatusOK
	}
	if ir.Ack == nil {
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	return s.writeJSON(w, ir.Ack)
}

// outerEvent is the part of an Events API body needed before the event is
// acknowledged.
type outerEvent struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	EventID   string `json:"event_id"`
	Event     struct {
		Type string `json:"type"`
	} `json:"event"`
}

func (s *HTTPServer) events(w http.ResponseWriter, r *http.Request, body []byte) int {
	var outer outerEvent
	if err := json.Unmarshal(body, &outer); err != nil {
		s.cfg.Logger.Warn("unreadable Events API body", "err", err)
		w.Header().Set("X-Slack-No-Retry", "1") // the same body would fail again
		return writeText(w, http.StatusBadRequest, "invalid JSON")
	}
	switch outer.Type {
	case slackevents.URLVerification:
		s.cfg.Metrics.event(outer.Type, "handled")
		return s.writeJSON(w, struct {
			Challenge string `json:"challenge"`
		}{outer.Challenge})
	case slackevents.CallbackEvent:
	case slackevents.AppRateLimited:
		s.cfg.Logger.Warn("Slack is rate limiting this app's events (30,000 per workspace per hour)")
		s.cfg.Metrics.event(outer.Type, "handled")
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	default:
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	if retry := r.Header.Get("X-Slack-Retry-Num"); retry != "" {
		s.cfg.Logger.Debug("Events API redelivery", "event_id", outer.EventID, "retry", retry,
			"reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	ev, err := slackevents.ParseEvent(bytes.Clone(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// An event type slack-go does not know: nothing kambot handles.
		s.cfg.Logger.Debug("event not parsed", "type", outer.Event.Type, "err", err)
		s.cfg.Metrics.event(outer.Event.Type, "ignored")
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	s.core.event(outer.EventID, ev)
	w.WriteHeader(http.StatusOK)
	return http.StatusOK
}

// serveMetrics writes the metric set in the Prometheus text format,
// gzipped when the scraper accepts it (Prometheus does), as promhttp did.
func (s *HTTPServer) serveMetrics(w http.ResponseWriter, r *http.Request) int {
	h := w.Header()
	h.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
		s.metrics.WritePrometheus(w)
		return http.StatusOK
	}
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	zw := gzip.NewWriter(w)
	s.metrics.WritePrometheus(zw)
	if err := zw.Close(); err != nil {
		s.cfg.Logger.Debug("metrics: scrape not written", "err", err)
	}
	return http.StatusOK
}

// acceptsGzip reports whether an Accept-Encoding header lists gzip with a
// non-zero quality.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.TrimSpace(params), "q=")
		if !ok {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}
