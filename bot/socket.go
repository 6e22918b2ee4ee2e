package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/commands"
)

// maxAck is the largest Socket Mode response slack-go sends: Slack drops
// responses of 20 KB or more.
const maxAck = 20 * 1024

// SocketConfig configures a SocketRunner.
type SocketConfig struct {
	// Deliveries, if set, dedupes events across replicas (see HTTPConfig).
	Deliveries func(ctx context.Context, eventID string) (first bool, err error)
	// BotToken (xoxb-…) is required.
	BotToken string
	// AppToken (xapp-…, with connections:write) is required.
	AppToken string
	// APIURL is the Web API base URL ending in "/" (https://slack.com/api/).
	APIURL string
	// Engine runs commands and interactions; required.
	Engine Engine
	// Events receives Events API callbacks; nil acknowledges and drops them.
	Events EventHandler
	// Metrics is required (NewMetrics).
	Metrics *Metrics
	// Logger receives what the transport has to say (nil: discarded).
	Logger *slog.Logger
	// Now is the clock of deduplication and response_url bookkeeping.
	Now func() time.Time
	// HTTPClient is used for apps.connections.open and response_url.
	HTTPClient *http.Client
	// Workers bounds envelopes handled at once (32); beyond it a slash
	// command is told to retry in a moment.
	Workers int
	// Timing tunes deadlines and the shutdown grace period.
	Timing Timing
	// Options are passed to socketmode.New (e.g. socketmode.OptionPingInterval).
	Options []socketmode.Option
	// Charts remembers the workspaces that refused chart and table
	// blocks; nil remembers nothing (each reply finds out again).
	Charts *charts.Support
}

// SocketRunner is kambot's Socket Mode: it holds the websocket connection
// to Slack (slack-go reconnects on disconnect and network failures), acks
// every envelope, and runs the engine on a bounded pool of workers.
type SocketRunner struct {
	cfg    SocketConfig
	core   *core
	client *socketmode.Client
}

// NewSocketRunner checks cfg and builds the Socket Mode client.
func NewSocketRunner(cfg SocketConfig) (*SocketRunner, error) {
	switch {
	case cfg.BotToken == "":
		return nil, errors.New("socket mode: bot token is required (SLACK_BOT_TOKEN)")
	case cfg.AppToken == "":
		return nil, errors.New("socket mode: app-level token is required (SLACK_APP_TOKEN)")
	case cfg.Engine == nil:
		return nil, errors.New("socket mode: Engine is required")
	case cfg.Metrics == nil:
		return nil, errors.New("socket mode: Metrics is required (bot.NewMetrics)")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = slack.APIURL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	opts := []slack.Option{slack.OptionAppLevelToken(cfg.AppToken), slack.OptionAPIURL(cfg.APIURL)}
	if cfg.HTTPClient != nil {
		opts = append(opts, slack.OptionHTTPClient(cfg.HTTPClient))
	}
	r := &SocketRunner{cfg: cfg}
	// The library's own log (only written with socketmode.OptionDebug) goes
	// to our logger at debug level.
	smOpts := append([]socketmode.Option{socketmode.OptionLog(slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug))}, cfg.Options...)
	r.client = socketmode.New(slack.New(cfg.BotToken, opts...), smOpts...)
	r.core = newCore(coreConfig{engine: cfg.Engine, events: cfg.Events, metrics: cfg.Metrics, log: cfg.Logger,
		now: cfg.Now, timing: cfg.Timing, httpClient: cfg.HTTPClient, workers: cfg.Workers, charts: cfg.Charts,
		deliveries: cfg.Deliveries})
	return r, nil
}

// ErrLinkDisabled is returned by Run when a disconnect message with reason
// link_disabled reaches it. (slack-go v0.35 keeps disconnect messages to
// itself and reconnects; Run then ends on the reconnect's permanent error.)
var ErrLinkDisabled = errors.New("socket mode link disabled by Slack (link_disabled): enable Socket Mode for the app again")

// Run connects and handles envelopes until ctx is cancelled (it then stops
// taking work, lets in-flight work finish within the grace period and
// returns nil) or the connection fails for good: bad tokens, a disabled
// link, a permanent Slack error (it returns that error).
func (r *SocketRunner) Run(ctx context.Context) error {
	cctx, ccancel := context.WithCancel(context.Background())
	defer ccancel()
	runErr := make(chan error, 1)
	go func() { runErr <- r.client.RunContext(cctx) }()

	var fatal error
	running := true
	for running {
		select {
		case <-ctx.Done():
			running = false
		case err := <-runErr:
			runErr <- err // seen again after the drain
			fatal = fmt.Errorf("socket mode connection failed: %w", err)
			running = false
		case evt := <-r.client.Events:
			if err := r.dispatch(evt, false); err != nil {
				fatal = err
				running = false
			}
		}
	}

	// Keep reading events while in-flight work finishes, so the library
	// keeps answering pings and our acks still go out.
	gctx, gcancel := context.WithTimeout(context.Background(), r.core.timing.ShutdownGrace)
	defer gcancel()
	drained := make(chan error, 1)
	go func() { drained <- r.core.drain(gctx) }()
	var derr error
	for waiting := true; waiting; {
		select {
		case derr = <-drained:
			waiting = false
		case evt := <-r.client.Events:
			_ = r.dispatch(evt, true)
		}
	}
	ccancel()
	select {
	case <-runErr:
	case <-time.After(5 * time.Second):
		r.cfg.Logger.Warn("socket mode client did not stop within 5s")
	}
	if fatal != nil {
		return fatal
	}
	return derr
}

// dispatch handles one event of the client. While stopping, new work is
// refused. A non-nil error is fatal.
func (r *SocketRunner) dispatch(evt socketmode.Event, stopping bool) error {
	// Envelopes that carry work go to a worker; everything else reports on
	// the connection.
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		r.dispatchSlash(evt, stopping)
	case socketmode.EventTypeInteractive:
		r.dispatchInteractive(evt, stopping)
	case socketmode.EventTypeEventsAPI:
		r.dispatchEvent(evt, stopping)
	default:
		return r.connectionEvent(evt)
	}
	return nil
}

// connectionEvent counts and logs an event about the connection itself.
// It returns an error when reconnecting cannot help.
func (r *SocketRunner) connectionEvent(evt socketmode.Event) error {
	log, m := r.cfg.Logger, r.cfg.Metrics
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		m.socketConn.with("connecting").Inc()
		log.Debug("connecting to Slack in Socket Mode")
	case socketmode.EventTypeConnected:
		m.socketConn.with("connected").Inc()
		log.Info("connected to Slack in Socket Mode")
	case socketmode.EventTypeHello:
		m.socketConn.with("hello").Inc()
	case socketmode.EventTypeDisconnect:
		m.socketConn.with("disconnect").Inc()
		if evt.Request != nil && evt.Request.Reason == "link_disabled" {
			return ErrLinkDisabled
		}
	case socketmode.EventTypeConnectionError:
		m.socketConn.with("connection_error").Inc()
		if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			// After link_disabled, or once the app token lost its rights,
			// reconnecting keeps failing the same way: give up.
			if _, permanent := Classify(ce.ErrorObj); permanent {
				return fmt.Errorf("socket mode: cannot reconnect: %w", ce.ErrorObj)
			}
			log.Warn("socket mode connection failed; retrying", "attempt", ce.Attempt, "backoff", ce.Backoff, "err", ce.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		m.socketConn.with("invalid_auth").Inc()
		log.Error("Slack refused the app-level token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeIncomingError:
		m.socketConn.with("incoming_error").Inc()
		log.Warn("socket mode read failed", "data", evt.Data)
	case socketmode.EventTypeErrorWriteFailed:
		m.acks.with("failed").Inc()
		log.Warn("socket mode write failed", "data", evt.Data)
	case socketmode.EventTypeErrorBadMessage:
		m.envelopes.with("bad_message").Inc()
		r.ackBadMessage(evt)
	default:
		log.Debug("socket mode event ignored", "type", evt.Type)
	}
	return nil
}

// dispatchSlash runs a slash command on a worker. While stopping, or when
// no worker is free in time, the ack itself tells the user to retry.
func (r *SocketRunner) dispatchSlash(evt socketmode.Event, stopping bool) {
	log, m := r.cfg.Logger, r.cfg.Metrics
	m.envelopes.with(socketmode.RequestTypeSlashCommands).Inc()
	sc, ok := evt.Data.(slack.SlashCommand)
	if !ok || evt.Request == nil {
		return
	}
	req := evt.Request
	if stopping {
		r.ack(req, r.payload(req, commands.Reply{Text: "kambot is restarting. Try the command again in a few seconds."}))
		return
	}
	if !r.core.acquire(500 * time.Millisecond) {
		log.Warn("slash command refused: every worker is busy")
		m.refused.with(socketmode.RequestTypeSlashCommands).Inc()
		r.ack(req, r.payload(req, busyReply))
		return
	}
	r.core.work.Go(func() {
		defer r.core.release()
		r.slash(req, sc)
	})
}

// dispatchInteractive runs a click or view submission on a worker.
func (r *SocketRunner) dispatchInteractive(evt socketmode.Event, stopping bool) {
	log, m := r.cfg.Logger, r.cfg.Metrics
	m.envelopes.with(socketmode.RequestTypeInteractive).Inc()
	cb, ok := evt.Data.(slack.InteractionCallback)
	if !ok || evt.Request == nil {
		return
	}
	// Not acknowledged when no worker is free or while stopping: Slack
	// then shows the user an error and keeps a modal open for a retry,
	// where an empty ack would silently lose the click or submission.
	if stopping || !r.core.acquire(500*time.Millisecond) {
		m.refused.with(socketmode.RequestTypeInteractive).Inc()
		log.Warn("interaction not taken: shutting down or every worker busy", "type", cb.Type)
		return
	}
	req := evt.Request
	r.core.work.Go(func() {
		defer r.core.release()
		r.interactive(req, cb)
	})
}

// dispatchEvent acknowledges an Events API envelope and hands the event to
// the core. While stopping it is left unacked.
func (r *SocketRunner) dispatchEvent(evt socketmode.Event, stopping bool) {
	r.cfg.Metrics.envelopes.with(socketmode.RequestTypeEventsAPI).Inc()
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok || evt.Request == nil || stopping { // unacked: Slack redelivers elsewhere
		return
	}
	r.ack(evt.Request, nil)
	var id string
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		id = cb.EventID
	}
	r.core.event(id, ev)
}

// ackBadMessage acknowledges an envelope slack-go could not parse (an
// event type it does not know, say), so that Slack does not redeliver it.
func (r *SocketRunner) ackBadMessage(evt socketmode.Event) {
	bm, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	if json.Unmarshal(bm.Message, &env) != nil || env.EnvelopeID == "" {
		r.cfg.Logger.Warn("unreadable socket mode message", "err", bm.Cause)
		return
	}
	r.cfg.Logger.Debug("socket mode envelope not understood; acknowledged", "type", env.Type, "err", bm.Cause)
	r.ack(&socketmode.Request{EnvelopeID: env.EnvelopeID}, nil)
}

// payload renders a reply for an ack, or returns nil when the ack cannot
// carry it (the envelope takes no payload, or it is too large).
func (r *SocketRunner) payload(req *socketmode.Request, reply commands.Reply) json.RawMessage {
	if empty(reply) || !req.AcceptsResponsePayload {
		return nil
	}
	buf := getBuf()
	defer putBuf(buf)
	if err := encodeJSON(buf, toWire(reply, nil)); err != nil {
		r.cfg.Logger.Error("render acknowledgement", "err", err)
		return nil
	}
	// {"envelope_id":"…","payload":…} must stay under Slack's limit.
	if buf.Len()+len(req.EnvelopeID)+32 >= maxAck {
		return nil
	}
	return json.RawMessage(bytes.Clone(buf.Bytes()))
}

// ack acknowledges an envelope, with payload when non-nil.
func (r *SocketRunner) ack(req *socketmode.Request, payload json.RawMessage) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var err error
	outcome := "empty"
	if payload != nil {
		outcome = "payload"
		err = r.client.AckCtx(ctx, req.EnvelopeID, payload)
	} else {
		err = r.client.AckCtx(ctx, req.EnvelopeID, nil)
	}
	if err != nil {
		outcome = "failed"
		r.cfg.Logger.Warn("socket mode ack failed", "envelope_id", req.EnvelopeID, "err", err)
	}
	r.cfg.Metrics.acks.with(outcome).Inc()
}

func (r *SocketRunner) slash(req *socketmode.Request, sc slack.SlashCommand) {
	a := r.core.command(requestOf(sc), func(working commands.Reply) { r.ack(req, r.payload(req, working)) })
	if !a.inTime {
		return
	}
	p := r.payload(req, a.ackReply())
	r.ack(req, p)
	// A reply the ack could not carry goes through response_url.
	r.core.afterAck(a, p == nil && !empty(a.ackReply()))
}

func (r *SocketRunner) interactive(req *socketmode.Request, cb slack.InteractionCallback) {
	ir, inTime := r.core.interaction(cb, func() { r.ack(req, nil) })
	if !inTime {
		return
	}
	if ir.Ack == nil || !req.AcceptsResponsePayload {
		r.ack(req, nil)
		return
	}
	b, err := json.Marshal(ir.Ack)
	if err != nil || len(b)+len(req.EnvelopeID)+32 >= maxAck {
		r.cfg.Logger.Error("interaction ack cannot be sent; acknowledged empty", "type", cb.Type, "bytes", len(b), "err", err)
		r.ack(req, nil)
		return
	}
	r.ack(req, b)
}
