// Command kambot is a self-hosted Slack bot for key-account teams.
//
//	kambot serve                      run the bot (Socket Mode or HTTP)
//	kambot console [--as U…] [--demo] the command engine on a terminal
//	kambot manifest [--url https://…] print the Slack app manifest
//	kambot migrate                    bring the database schema up to date
//	kambot import accounts.csv        load accounts from CSV
//	kambot export                     write accounts as CSV
//
// main only reads configuration and wires the parts together; each part
// lives in its own package.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // KAMBOT_TZ works on machines without zoneinfo
)

const usage = `kambot — key-account management in Slack

Usage:
  kambot serve                        run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP on KAMBOT_ADDR)
  kambot console [--as USER_ID] [--demo] [--team TEAM_ID]
                                      type /kam commands on a terminal, no Slack needed
  kambot manifest [--url https://host] print the Slack app manifest (YAML)
  kambot migrate                      apply database migrations
  kambot copy --from kambot.db --to postgres://…
                                      copy a SQLite database into a new, empty PostgreSQL one
  kambot import [--team TEAM_ID] accounts.csv
                                      create or update accounts from CSV
  kambot export [--team TEAM_ID]      print accounts as CSV

Configuration is read from the environment; see README.md.
`

// Main is the program, with its inputs and outputs injectable so that
// end-to-end tests run the real wiring. Getenv is read only by LoadConfig.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, when set, is told the address serve listens on.
	Ready func(addr string)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kambot:", err)
		}
		os.Exit(1)
	}
}

// Run dispatches a sub-command. Those that run kambot's parts load and
// validate the configuration first, so a bad value stops them before
// anything starts.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errors.New("no sub-command given")
	}
	var run func(context.Context, Config, []string) error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		run = m.serve
	case "console":
		run = m.console
	case "migrate":
		run = m.migrate
	case "copy":
		run = m.copyDB
	case "import":
		run = m.importCSV
	case "export":
		run = m.exportCSV
	case "manifest":
		return m.manifest(rest)
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	default:
		fmt.Fprint(m.Stderr, usage)
		return fmt.Errorf("unknown sub-command %q", cmd)
	}
	cfg, err := LoadConfig(m.Getenv)
	if err != nil {
		return err
	}
	return run(ctx, cfg, args[1:])
}

// manifest prints the Slack app manifest; it needs no configuration.
func (m *Main) manifest(args []string) error {
	fs := m.flags("manifest")
	u := fs.String("url", "", "public https base URL for HTTP mode (omit for Socket Mode)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	out, err := Manifest(*u)
	if err != nil {
		return err
	}
	_, err = io.WriteString(m.Stdout, out)
	return err
}

func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("kambot "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// logger writes structured logs to stderr at KAMBOT_LOG_LEVEL, else at def.
func (m *Main) logger(cfg Config, def slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: cfg.Level(def)}))
}
