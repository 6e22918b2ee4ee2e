package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/commands"
)

// Timing tunes both transports; zero fields take the defaults shown.
type Timing struct {
	// Ack is how long the engine may take before the request is
	// acknowledged with "Working on it…" and the answer follows through
	// response_url (2.5 s, inside Slack's 3 s).
	Ack time.Duration
	// Command bounds one Handle or Interact call (30 s).
	Command time.Duration
	// Later bounds the slow work of a Reply's Later (5 min).
	Later time.Duration
	// Delivery bounds one response_url delivery, retries included (1 min).
	Delivery time.Duration
	// RetryBackoff is the wait before the first response_url retry, doubled
	// for each further one (500 ms).
	RetryBackoff time.Duration
	// ShutdownGrace is how long Serve and Run let in-flight commands and
	// deliveries finish after their context is cancelled (20 s).
	ShutdownGrace time.Duration
}

func (t Timing) withDefaults() Timing {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.Ack, 2500*time.Millisecond)
	def(&t.Command, 30*time.Second)
	def(&t.Later, 5*time.Minute)
	def(&t.Delivery, time.Minute)
	def(&t.RetryBackoff, 500*time.Millisecond)
	def(&t.ShutdownGrace, 20*time.Second)
	return t
}

// core is what both transports share: the engine, its deadlines, the
// background work that outlives a request, and the metrics.
type core struct {
	engine Engine
	events EventHandler
	m      *Metrics
	log    *slog.Logger
	now    func() time.Time
	timing Timing
	resp   *responder
	charts *charts.Support // workspaces that refused chart and table blocks
	dedupe *dedupe
	// deliveries dedupes across replicas; nil: dedupe alone.
	deliveries func(ctx context.Context, eventID string) (bool, error)
	work       *tracker
	sem        chan struct{} // bounds concurrent event handlers and socket envelopes
	// afterFunc arms the ack deadline and the watchdog (time.AfterFunc);
	// tests replace it to fire them when they choose.
	afterFunc func(d time.Duration, f func()) stopper

	// base is the parent of every engine and delivery context; it is
	// cancelled only when the shutdown grace period runs out.
	base   context.Context
	cancel context.CancelFunc
}

type coreConfig struct {
	engine     Engine
	events     EventHandler
	metrics    *Metrics
	log        *slog.Logger
	now        func() time.Time
	timing     Timing
	httpClient *http.Client
	workers    int
	charts     *charts.Support
	deliveries func(ctx context.Context, eventID string) (bool, error)
}

func newCore(cfg coreConfig) *core {
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.workers <= 0 {
		cfg.workers = 32
	}
	t := cfg.timing.withDefaults()
	base, cancel := context.WithCancel(context.Background())
	return &core{
		engine: cfg.engine,
		events: cfg.events,
		m:      cfg.metrics,
		log:    cfg.log,
		now:    cfg.now,
		timing: t,
		resp:   newResponder(cfg.httpClient, cfg.now, cfg.log, cfg.metrics, t.RetryBackoff),
		charts: cfg.charts,
		// Slack retries an event for about an hour at most; Socket Mode
		// redelivers within minutes.
		dedupe:     newDedupe(cfg.now, time.Hour, 100_000),
		deliveries: cfg.deliveries,
		work:       newTracker(),
		sem:        make(chan struct{}, cfg.workers),
		base:       base,
		cancel:     cancel,

		afterFunc: func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) },
	}
}

// stopper is a pending timer, as time.AfterFunc returns it.
type stopper interface{ Stop() bool }

// drain waits for background work until ctx ends, then cancels what is left.
func (c *core) drain(ctx context.Context) error {
	err := c.work.Wait(ctx)
	c.cancel()
	if err != nil {
		return fmt.Errorf("background work still running at the end of the grace period: %w", err)
	}
	return nil
}

// acquire takes a worker slot, waiting at most wait.
func (c *core) acquire(wait time.Duration) bool {
	select {
	case c.sem <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case c.sem <- struct{}{}:
		return true
	case <-t.C:
		return false
	}
}

func (c *core) release() { <-c.sem }

// label is the sub-command metrics label of a command text.
func (c *core) label(text string) (l string) {
	defer func() {
		if recover() != nil {
			l = "unknown"
		}
	}()
	if l = c.engine.SubCommand(text); l == "" {
		l = "unknown"
	}
	return l
}

// ack is what a transport acknowledges a slash command with.
type ack struct {
	label  string
	req    commands.Request
	issued time.Time
	reply  commands.Reply
	// inTime says reply is the engine's own, to be acknowledged with;
	// otherwise the request was already acknowledged late and the engine's
	// reply follows through response_url.
	inTime bool
	// viaURL sends the reply through response_url after an empty ack: it
	// holds charts or tables, and only a response_url answer tells
	// whether the workspace can show them (invalid_blocks otherwise).
	viaURL bool
}

// ackReply is what the acknowledgement carries.
func (a ack) ackReply() commands.Reply {
	if a.viaURL {
		return commands.Reply{}
	}
	return a.reply
}

// deadline arbitrates between the engine, running on the caller's
// goroutine, and the timer that acknowledges for it when it is late:
// whichever takes the lock first decides, and the loser sees it.
type deadline struct {
	mu       sync.Mutex
	state    int // one of the constants below
	timer    stopper
	watchdog stopper // armed by a late ack
}

const (
	running  = iota
	answered // the engine returned in time (or after a late ack)
	late     // acknowledged with "Working on it…"; the answer is awaited
	gaveUp   // the watchdog apologised; a late answer is dropped
)

// finish records that the engine returned and reports the state it found.
func (d *deadline) finish() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.state
	if st == running || st == late {
		d.state = answered
	}
	if st == running {
		d.timer.Stop()
	}
	if d.watchdog != nil {
		d.watchdog.Stop()
	}
	return st
}

// command runs a slash command on the calling goroutine. If the engine has
// not answered by the ack deadline, lateAck is called once, from another
// goroutine, with the "Working on it…" reply to acknowledge with, and the
// engine's reply goes through response_url when it comes; command then
// returns with inTime false. Otherwise the caller acknowledges with
// a.reply and then calls afterAck.
//
// Running the engine here rather than on a goroutine of its own keeps the
// hot path free of a goroutine handoff per request.
func (c *core) command(req commands.Request, lateAck func(commands.Reply)) ack {
	label, issued := c.label(req.Text), c.now()
	d := &deadline{}
	d.timer = c.afterFunc(c.timing.Ack, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.state != running {
			return
		}
		d.state = late
		c.m.deferred.with(label).Inc()
		lateAck(workingReply)
		// The engine's own limit is Command; this only fires for an
		// engine that ignores its context.
		d.watchdog = c.afterFunc(c.timing.Command+time.Second-c.timing.Ack, func() {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.state != late {
				return
			}
			d.state = gaveUp
			c.log.Error("engine ignored its deadline", "command", label, "user", req.UserID)
			c.work.Go(func() { c.deliver(req.TeamID, req.ResponseURL, issued, tooSlowReply, nil) })
		})
	})

	r := c.handle(label, req)
	a := ack{label: label, req: req, issued: issued}
	switch d.finish() {
	case running:
		a.reply, a.inTime = r, true
		if charts.HasRich(r.Blocks) {
			if c.charts.Lacks(req.TeamID) {
				a.reply.Blocks = charts.Plain(r.Blocks)
			} else {
				a.viaURL = true
			}
		}
	case late:
		a.reply = r
		c.follow(a, true)
	}
	return a
}

// afterAck sends through response_url what the acknowledgement did not
// carry: the reply itself when resend (an ack too large for Socket Mode),
// then the result of the reply's Later work.
func (c *core) afterAck(a ack, resend bool) {
	if a.inTime && (resend || a.viaURL || a.reply.Later != nil) {
		c.follow(a, resend || a.viaURL)
	}
}

// follow delivers a.reply when send, then its Later work's result, in the
// background. (A function of its own so that the closure, and the copy of
// a it holds, are only allocated when needed.)
func (c *core) follow(a ack, send bool) {
	c.work.Go(func() {
		if send {
			c.deliver(a.req.TeamID, a.req.ResponseURL, a.issued, a.reply, nil)
		}
		c.runLaterAndDeliver(a.label, a.req.TeamID, a.req.ResponseURL, a.issued, a.reply.Later, nil)
	})
}

// handle calls the engine with the command timeout, recovering a panic
// into an internal error, and records the outcome.
func (c *core) handle(label string, req commands.Request) (reply commands.Reply) {
	ctx, cancel := context.WithTimeout(c.base, c.timing.Command)
	defer cancel()
	start := time.Now()
	outcome := OutcomeInternal
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("command panicked", "command", label, "user", req.UserID, "team", req.TeamID,
				"panic", p, "stack", string(debug.Stack()))
			reply, outcome = internalReply, OutcomeInternal
		}
		c.m.command(label, outcome, time.Since(start))
	}()
	var err error
	reply, err = c.engine.Do(ctx, req)
	outcome = outcomeOfErr(err)
	if ctx.Err() != nil {
		c.log.Warn("command ran out of time", "command", label, "user", req.UserID, "limit", c.timing.Command)
		outcome = OutcomeTimeout
		return tooSlowReply
	}
	return reply
}

// runLaterAndDeliver runs a reply's slow work, if any, and delivers its result.
func (c *core) runLaterAndDeliver(label, team, url string, issued time.Time, later func(context.Context) commands.Reply, replace *bool) {
	if later == nil {
		return
	}
	r := c.runLater(label, later)
	c.deliver(team, url, issued, r, replace)
}

func (c *core) runLater(label string, later func(context.Context) commands.Reply) (reply commands.Reply) {
	ctx, cancel := context.WithTimeout(c.base, c.timing.Later)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("slow part of a command panicked", "command", label, "panic", p, "stack", string(debug.Stack()))
			reply = internalReply
		}
	}()
	reply = later(ctx)
	if ctx.Err() != nil {
		c.log.Warn("slow part of a command ran out of time", "command", label, "limit", c.timing.Later)
		return tooSlowReply
	}
	if reply.Later != nil {
		c.log.Warn("a Later reply asked for more Later work; ignored", "command", label)
	}
	return reply
}

// deliver renders a reply and POSTs it to a response_url. Failures are
// logged: there is nobody else to tell. A reply with charts or tables goes
// plain to a workspace known to refuse them; a refusal (invalid_blocks)
// sends it again plain and is remembered for the workspace.
func (c *core) deliver(team, url string, issued time.Time, r commands.Reply, replace *bool) {
	if empty(r) {
		return
	}
	blocks := r.Blocks
	rich := charts.HasRich(blocks)
	if rich {
		r.Blocks = c.charts.For(team, blocks)
	}
	err := c.post(url, issued, r, replace)
	if rich && charts.IsInvalidBlocks(err) && !c.charts.Lacks(team) {
		c.charts.Refused(team)
		c.log.Info("the workspace refused chart or table blocks; they are sent as text from now on", "team", team)
		r.Blocks = charts.Plain(blocks)
		err = c.post(url, issued, r, replace)
	}
	if err != nil {
		// The URL is a bearer capability: it is not logged.
		c.log.Warn("reply through response_url failed", "err", err)
	}
}

// post renders a reply and POSTs it to a response_url once (with the
// responder's retries of transient failures).
func (c *core) post(url string, issued time.Time, r commands.Reply, replace *bool) error {
	buf := getBuf()
	defer putBuf(buf)
	if err := encodeJSON(buf, toWire(r, replace)); err != nil {
		return fmt.Errorf("render reply for response_url: %w", err)
	}
	ctx, cancel := context.WithTimeout(c.base, c.timing.Delivery)
	defer cancel()
	return c.resp.deliver(ctx, url, issued, buf.Bytes())
}

// interaction runs Interact on the calling goroutine. If the engine has
// not answered by the ack deadline, lateAck is called once, from another
// goroutine, to acknowledge empty; the ack body is then lost (it is logged)
// but a follow-up Reply is still delivered. With inTime, the caller
// acknowledges with ir.Ack; follow-ups are already under way.
func (c *core) interaction(cb slack.InteractionCallback, lateAck func()) (ir commands.InteractionReply, inTime bool) {
	typ := string(cb.Type)
	issued := c.now()
	d := &deadline{}
	d.timer = c.afterFunc(c.timing.Ack, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.state == running {
			d.state = late
			lateAck()
		}
	})

	ir = c.interact(cb)
	inTime = d.finish() == running
	if !inTime && ir.Ack != nil {
		c.log.Warn("interaction answered after the acknowledgement; its ack body is lost", "type", typ)
	}
	if ir.Reply != nil {
		c.work.Go(func() { c.followInteraction(cb, issued, ir) })
	}
	return ir, inTime
}

func (c *core) followInteraction(cb slack.InteractionCallback, issued time.Time, ir commands.InteractionReply) {
	replace := &no
	if ir.ReplaceOriginal {
		replace = &yes
	}
	url := responseURLOf(cb)
	c.deliver(cb.Team.ID, url, issued, *ir.Reply, replace)
	// Later's result is a new message below the one just delivered.
	c.runLaterAndDeliver(string(cb.Type), cb.Team.ID, url, issued, ir.Reply.Later, &no)
}

func (c *core) interact(cb slack.InteractionCallback) (ir commands.InteractionReply) {
	ctx, cancel := context.WithTimeout(c.base, c.timing.Command)
	defer cancel()
	typ := string(cb.Type)
	outcome := OutcomeOK
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("interaction panicked", "type", typ, "user", cb.User.ID, "panic", p, "stack", string(debug.Stack()))
			ir, outcome = commands.InteractionReply{Reply: &internalReply}, OutcomeInternal
		}
		c.m.interaction(typ, outcome)
	}()
	ir = c.engine.Interact(ctx, cb)
	if ctx.Err() != nil {
		outcome = OutcomeTimeout
	} else if ir.Reply != nil {
		outcome = outcomeOfReply(*ir.Reply)
	}
	return ir
}

// responseURLOf is where an interaction's follow-up goes: the payload's
// response_url, or for a modal submission the first conversation the
// modal asked for one (response_url_enabled).
func responseURLOf(cb slack.InteractionCallback) string {
	if cb.ResponseURL != "" {
		return cb.ResponseURL
	}
	for _, u := range cb.ResponseURLs {
		if u.ResponseURL != "" {
			return u.ResponseURL
		}
	}
	return ""
}

// firstDelivery asks the shared record whether another replica handled
// eventID already. When it cannot answer the event is handled: a rare
// double beats a lost event.
func (c *core) firstDelivery(eventID string) bool {
	if c.deliveries == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(c.base, 2*time.Second)
	defer cancel()
	first, err := c.deliveries(ctx, eventID)
	if err != nil {
		c.log.Warn("shared event dedupe failed; handling the event", "event_id", eventID, "err", err)
		return true
	}
	return first
}

// event deduplicates an acknowledged Events API callback on its event_id
// and hands it to the event handler on a worker.
func (c *core) event(eventID string, ev slackevents.EventsAPIEvent) {
	typ := ev.InnerEvent.Type
	if eventID != "" && (!c.dedupe.first(eventID) || !c.firstDelivery(eventID)) {
		c.m.event(typ, "duplicate")
		return
	}
	if c.events == nil {
		c.m.event(typ, "ignored")
		return
	}
	if !c.acquire(time.Second) {
		c.log.Warn("event dropped: every worker is busy", "type", typ, "event_id", eventID)
		c.m.event(typ, "dropped")
		return
	}
	c.work.Go(func() {
		defer c.release()
		ctx, cancel := context.WithTimeout(c.base, c.timing.Command)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				c.log.Error("event handler panicked", "type", typ, "event_id", eventID, "panic", p, "stack", string(debug.Stack()))
				c.m.event(typ, "failed")
			}
		}()
		c.events.HandleEvent(ctx, ev)
		c.m.event(typ, "handled")
	})
}
