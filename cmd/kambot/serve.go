package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	vmetrics "github.com/VictoriaMetrics/metrics"
	"github.com/slack-go/slack"
	"golang.org/x/sync/errgroup"

	"github.com/kambot/kambot/assistant"
	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/memlimit"
	"github.com/kambot/kambot/nudges"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

// shutdownGrace bounds how long in-flight work may take after SIGTERM.
const shutdownGrace = 20 * time.Second

// startPprof, set by builds with -tags pprof, serves net/http/pprof on
// KAMBOT_PPROF_ADDR.
var startPprof func(addr string, log *slog.Logger)

// serve runs the bot: Slack transport (Socket Mode or HTTP), the outbox
// sender and the scheduler, until ctx is cancelled (SIGINT/SIGTERM).
func (m *Main) serve(ctx context.Context, cfg Config, args []string) error {
	// Flags and configuration are checked before anything is opened.
	if err := m.flags("serve").Parse(args); err != nil {
		return err
	}
	if err := cfg.ValidateServe(); err != nil {
		return err
	}
	log := m.logger(cfg, slog.LevelInfo)
	log.Info("kambot starting", "config", cfg)
	if startPprof != nil {
		startPprof(cfg.PprofAddr, log)
	}

	// The database is shared by every part and closed last.
	db, err := m.openDB(ctx, cfg.DBPath)
	if err != nil {
		return err
	}
	defer db.Close()

	// Build every part, then run them until ctx is cancelled.
	p, err := buildServer(cfg, db, log)
	if err != nil {
		return err
	}
	return m.runServer(ctx, cfg, p, log)
}

// server is what serve builds before it starts anything: the parts that
// run until shutdown, and what the Socket Mode runner is built from.
type server struct {
	db       *store.DB
	sender   *outbox.Sender
	sched    *nudges.Scheduler
	schedCfg nudges.Config // for a new scheduler each time this replica leads
	httpSrv  *bot.HTTPServer
	engine   *commands.Engine
	metrics  *bot.Metrics
	events   bot.EventHandler
	charts   *charts.Support // workspaces that refused chart and table blocks
	home     *bot.HomeRefresher
}

// buildServer wires the Slack client, outbox, command engine, scheduler
// and HTTP server around db. Nothing is started yet.
func buildServer(cfg Config, db *store.DB, log *slog.Logger) (*server, error) {
	// One set holds the transport, outbox, brief and assistant metrics;
	// /metrics adds the Go runtime and process metrics after them.
	reg := vmetrics.NewSet()
	reg.RegisterMetricsWriter(vmetrics.WriteProcessMetrics)
	reg.RegisterMetricsWriter(vmetrics.WriteFDMetrics) // process_open_fds, process_max_fds
	bcfg := cfg.Brief()
	bcfg.Metrics = reg

	// The Web API client posts through the outbox, which the engine and the
	// scheduler both queue to.
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: cfg.BotToken, APIURL: cfg.SlackAPIURL, Logger: log})
	if err != nil {
		return nil, err
	}
	// Transports and outbox share what they learn of each workspace's
	// support for chart and table blocks.
	rich := &charts.Support{}
	sender, err := outbox.New(outbox.Config{Store: db, Slack: outboxSlack{api}, Editor: api, Classify: bot.Classify, Logger: log, Metrics: reg, Charts: rich})
	if err != nil {
		return nil, err
	}
	app, err := newApp(appConfig{
		Config: cfg, DB: db, Admins: cfg.Admins, Logger: log,
		Notifier: sender, DM: commands.DMVia(sender), Views: api, Dir: api, Zones: api, Outbox: sender, Brief: bcfg,
		Files: api, Publisher: api,
	})
	if err != nil {
		return nil, err
	}
	schedCfg := nudges.Config{
		Store: db, Outbox: sender, Digest: app.digester.Run, TZ: cfg.TZ,
		Prefs: db, Zones: api, Personal: app.digester.RunPersonal,
		SweepSpec: cfg.SweepSpec, DigestSpec: cfg.DigestSpec, Logger: log,
		Selection: app.engine.SelectionReviewJob, SelectionSpec: cfg.SelectionSpec,
	}
	sched, err := nudges.New(schedCfg)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	metrics, err := bot.NewMetrics(reg)
	if err != nil {
		return nil, err
	}

	// In Socket Mode the HTTP server still answers /healthz, /readyz and
	// /metrics; with no signing secrets it serves no /slack/* endpoint.
	home := bot.NewHomeRefresher(bot.HomeConfig{
		Publish: func(ctx context.Context, teamID, userID string) error {
			return app.home.Publish(ctx, teamID, userID, -1)
		},
		Changes: db, Admins: app.home.Admins, Invalidate: app.home.Invalidate, Logger: log,
	})
	app.homeChanged = home.Request
	asker := assistant.New(assistant.Config{Tools: app.engine, Model: bcfg, Logger: log, Metrics: reg})
	events := bot.EventHandlers{&bot.AssistantEvents{API: api.Client(), Asker: asker, Logger: log}, home}
	httpCfg := bot.HTTPConfig{Addr: cfg.Addr, Engine: app.engine, Events: events, Ready: db.Ready, Metrics: metrics, MetricSet: reg, Logger: log, Charts: rich,
		Deliveries: sharedDeliveries(db)}
	if !cfg.SocketMode() {
		httpCfg.SigningSecrets = nonEmpty(cfg.SigningSecret, cfg.PreviousSigningSecret)
	}
	httpSrv, err := bot.NewHTTPServer(httpCfg)
	if err != nil {
		return nil, err
	}
	return &server{db: db, sender: sender, sched: sched, schedCfg: schedCfg, httpSrv: httpSrv, engine: app.engine, metrics: metrics, events: events, charts: rich, home: home}, nil
}

// runServer starts the outbox sender, the HTTP server, Socket Mode (if
// configured) and the scheduler, reports ready, and on cancellation stops
// them within the grace period.
func (m *Main) runServer(ctx context.Context, cfg Config, p *server, log *slog.Logger) error {
	g, gctx := errgroup.WithContext(ctx)
	memlimit.Set(0, cfg.MemoryLimitSet) // the floor until the health inputs are loaded
	// The outbox outlives the transport by the grace period, so replies
	// queued by in-flight commands still go out.
	senderCtx, stopSender := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSender()
	senderDone := make(chan error, 1)
	// On PostgreSQL one replica at a time delivers (see runLeader), so that
	// pacing and Slack's back-off hold across replicas.
	go func() {
		p.db.Lead(senderCtx, store.RoleSender, func(ctx context.Context) {
			if err := p.sender.Run(ctx); err != nil {
				log.Error("outbox sender", "err", err)
			}
		}, leaderLog(log, "outbox sender"))
		senderDone <- nil
	}()

	// Listen before reporting ready, so that a caller told the address can
	// connect at once.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		stopSender()
		return fmt.Errorf("listen on KAMBOT_ADDR=%s: %w", cfg.Addr, err)
	}
	g.Go(func() error { return p.httpSrv.ServeListener(gctx, ln) })
	if cfg.SocketMode() {
		sock, err := bot.NewSocketRunner(bot.SocketConfig{
			BotToken: cfg.BotToken, AppToken: cfg.AppToken, APIURL: cfg.SlackAPIURL,
			Engine: p.engine, Events: p.events, Metrics: p.metrics, Logger: log, Charts: p.charts,
			Deliveries: sharedDeliveries(p.db),
		})
		if err != nil {
			return err
		}
		g.Go(func() error { return sock.Run(gctx) })
	}
	g.Go(func() error { return p.home.Run(gctx) })
	// Records older than the search index are indexed in the background
	// (kambot migrate does it up front, with progress).
	g.Go(func() error {
		err := p.db.BuildSearchIndex(gctx, func(done, total int64) {
			log.Debug("search index", "done", done, "total", total)
		})
		if err != nil && gctx.Err() == nil {
			log.Warn("search index not built", "err", err)
		}
		return nil
	})
	// Every account's health inputs are loaded into memory in the
	// background, resting between chunks, so that the first Home views,
	// `health all` and digests after a start do not each load them.
	g.Go(func() error {
		n, err := p.db.WarmHealthInputs(gctx)
		if err != nil && gctx.Err() == nil {
			log.Warn("health inputs not loaded ahead", "err", err, "accounts", n)
			return nil
		}
		log.Debug("health inputs loaded ahead", "accounts", n)
		// The collector's soft limit grows with what the workspace
		// keeps live (see memlimit).
		if gctx.Err() == nil {
			log.Info("memory limit", "mib", memlimit.Scaled(cfg.MemoryLimitSet)>>20, "set_by_operator", cfg.MemoryLimitSet)
		}
		return nil
	})
	// Keep the planner's statistics fresh as the workspace grows.
	g.Go(func() error {
		t := time.NewTicker(store.OptimizeEvery)
		defer t.Stop()
		for {
			select {
			case <-gctx.Done():
				return nil
			case <-t.C:
				if err := p.db.Optimize(gctx); err != nil {
					log.Warn("optimize database", "err", err)
				}
			}
		}
	})
	if p.db.Postgres() {
		// Several replicas share the database: the one holding the
		// scheduler lock runs the jobs, the others stand by.
		g.Go(func() error {
			p.db.Lead(gctx, store.RoleScheduler, func(ctx context.Context) { p.runSchedulerTerm(ctx, log) },
				leaderLog(log, "scheduler"))
			return nil
		})
	} else if err := p.sched.Start(gctx); err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	if m.Ready != nil {
		m.Ready(ln.Addr().String())
	}
	log.Info("kambot ready", "addr", cfg.Addr, "next", p.sched.Next(time.Now()))

	// Wait for the transport to end, then stop the rest in order.
	runErr := g.Wait()
	log.Info("kambot stopping")
	stopServer(ctx, p.sched, stopSender, senderDone, log)
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	log.Info("kambot stopped")
	return nil
}

// stopServer stops the scheduler, then the outbox sender, giving both
// together shutdownGrace; what does not stop in time is logged and left.
func stopServer(ctx context.Context, sched *nudges.Scheduler, stopSender context.CancelFunc, senderDone <-chan error, log *slog.Logger) {
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := sched.Stop(shutdownCtx); err != nil {
		log.Warn("scheduler did not stop in time", "err", err)
	}
	stopSender()
	select {
	case err := <-senderDone:
		if err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("outbox sender", "err", err)
		}
	case <-shutdownCtx.Done():
		log.Warn("outbox sender did not stop in time")
	}
}

// runSchedulerTerm runs a new scheduler while this replica leads (ctx): it
// catches up, once, any run missed while no replica led (job_runs records
// what every run covered), and stops within the grace period when the lead
// ends.
func (p *server) runSchedulerTerm(ctx context.Context, log *slog.Logger) {
	sched, err := nudges.New(p.schedCfg)
	if err != nil {
		log.Error("scheduler", "err", err)
		return
	}
	if err := sched.Start(ctx); err != nil {
		log.Error("start scheduler", "err", err)
		return
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := sched.Stop(stopCtx); err != nil {
		log.Warn("scheduler did not stop in time", "err", err)
	}
}

// sharedDeliveries is the store's event dedupe where replicas share the
// database; a SQLite file has one process, whose own memory suffices.
func sharedDeliveries(db *store.DB) func(context.Context, string) (bool, error) {
	if !db.Postgres() {
		return nil
	}
	return db.FirstDelivery
}

// leaderLog logs each gain and loss of a role's lead.
func leaderLog(log *slog.Logger, role string) func(bool, error) {
	return func(leading bool, err error) {
		switch {
		case leading:
			log.Info("leading", "role", role)
		case err != nil:
			log.Warn("not leading", "role", role, "err", err)
		default:
			log.Info("stepped down", "role", role)
		}
	}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// outboxSlack adapts the Web API client to what the outbox calls.
type outboxSlack struct{ api *bot.SlackAPI }

func (s outboxSlack) PostMessage(ctx context.Context, channel, text string, blocks []slack.Block, md slack.SlackMetadata) (string, string, error) {
	return s.api.Post(ctx, channel, text, blocks, slack.MsgOptionMetadata(md))
}

func (s outboxSlack) History(ctx context.Context, channel string, oldest time.Time) ([]outbox.Msg, error) {
	msgs, channelID, err := s.api.History(ctx, channel, oldest)
	if err != nil {
		return nil, err
	}
	out := make([]outbox.Msg, len(msgs))
	for i, m := range msgs {
		out[i] = outbox.Msg{TS: m.Timestamp, Channel: channelID, Metadata: m.Metadata}
	}
	return out, nil
}
