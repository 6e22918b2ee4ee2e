package bot_test

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"os/signal"

	"github.com/VictoriaMetrics/metrics"

	"github.com/kambot/kambot/bot"
)

// HTTP mode: Slack calls /slack/*; health and metrics on the same port.
func ExampleNewHTTPServer() {
	var (
		engine bot.Engine // the command engine
		db     *sql.DB    // the store's database
		log    = slog.New(slog.NewTextHandler(os.Stderr, nil))
	)
	reg := metrics.NewSet()
	m, err := bot.NewMetrics(reg)
	if err != nil {
		log.Error("metrics", "err", err)
		return
	}
	srv, err := bot.NewHTTPServer(bot.HTTPConfig{
		Addr:           os.Getenv("KAMBOT_ADDR"),
		SigningSecrets: []string{os.Getenv("SLACK_SIGNING_SECRET")},
		Engine:         engine,
		Ready:          db.PingContext,
		Metrics:        m,
		MetricSet:      reg,
		Logger:         log,
	})
	if err != nil {
		log.Error("http server", "err", err)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := srv.Serve(ctx); err != nil { // returns after a graceful shutdown
		log.Error("serve", "err", err)
	}
}

// Socket Mode: the runner holds the websocket; an HTTP server without
// signing secrets still answers /healthz, /readyz and /metrics.
func ExampleNewSocketRunner() {
	var (
		engine bot.Engine
		log    = slog.New(slog.NewTextHandler(os.Stderr, nil))
	)
	reg := metrics.NewSet()
	m, _ := bot.NewMetrics(reg)
	runner, err := bot.NewSocketRunner(bot.SocketConfig{
		BotToken: os.Getenv("SLACK_BOT_TOKEN"),
		AppToken: os.Getenv("SLACK_APP_TOKEN"),
		APIURL:   os.Getenv("SLACK_API_URL"),
		Engine:   engine,
		Metrics:  m,
		Logger:   log,
	})
	if err != nil {
		log.Error("socket mode", "err", err)
		return
	}
	ops, _ := bot.NewHTTPServer(bot.HTTPConfig{Addr: ":3000", Metrics: m, MetricSet: reg, Logger: log})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() { _ = ops.Serve(ctx) }()
	if err := runner.Run(ctx); err != nil { // bad tokens, link disabled…
		log.Error("socket mode stopped", "err", err)
	}
}
