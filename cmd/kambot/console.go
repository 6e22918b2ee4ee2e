package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/assistant"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/internal/demo"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

// consoleTeam is the workspace ID the console uses for a fresh database.
const consoleTeam = "TCONSOLE"

// console runs the command engine on a terminal: one /kam line in, the
// reply out as plain text. It works interactively and with piped input.
func (m *Main) console(ctx context.Context, cfg Config, args []string) error {
	// Flags: who to act as, whether to seed a demo, which workspace.
	fs := m.flags("console")
	as := fs.String("as", demo.You, "Slack user ID to act as")
	withDemo := fs.Bool("demo", false, "seed a sample portfolio (in a temporary database unless KAMBOT_DB is set)")
	teamFlag := fs.String("team", "", "Slack workspace ID (default: the only one in the database, else "+consoleTeam+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// A demo without KAMBOT_DB gets a throwaway database, removed on exit.
	path := cfg.DBPath
	if *withDemo && !cfg.DBSet {
		dir, err := os.MkdirTemp("", "kambot-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "demo.db")
	}
	db, err := m.openDB(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()

	// A new database gets the console's own workspace.
	teamID, err := team(ctx, db, *teamFlag, nil, consoleTeam)
	if err != nil {
		return err
	}
	// The person at the terminal already holds the database file, so with no
	// admins configured they are the admin; with KAMBOT_ADMINS set, the
	// console applies the same rights as Slack (useful to try permissions).
	admins := cfg.Admins
	if len(admins) == 0 {
		admins = []string{*as}
	}
	// The console keeps the terminal for replies: only warnings are logged.
	log := m.logger(cfg, slog.LevelWarn)
	notifier := &consoleNotifier{w: m.Stdout, db: db, log: log}
	app, err := newApp(appConfig{DB: db, Admins: admins, Logger: log, Notifier: notifier, Config: cfg, Brief: cfg.Brief(),
		Outbox: consoleOutbox{db: db, wake: notifier.Wake}, Files: consoleFiles{}})
	if err != nil {
		return err
	}
	// The demo portfolio goes into an empty workspace only.
	if *withDemo {
		if err := m.seedDemo(ctx, db, teamID, *as); err != nil {
			return err
		}
	}
	// The assistant answers questions in plain words, as in Slack: with the
	// configured model, else deterministically.
	asker := assistant.New(assistant.Config{Tools: app.engine, Model: cfg.Brief(), Logger: log})
	// Then one line at a time until the input ends.
	return m.readLoop(ctx, app.engine, asker, teamID, *as)
}

// seedDemo fills teamID with the sample portfolio unless it already has
// accounts, and tells the person at the terminal how to start.
func (m *Main) seedDemo(ctx context.Context, db *store.DB, teamID, as string) error {
	if accts, err := db.Accounts(ctx, teamID); err != nil {
		return err
	} else if len(accts) == 0 {
		n, err := demo.Seed(ctx, demo.Store(db), teamID, time.Now())
		if err != nil {
			return fmt.Errorf("seed demo portfolio: %w", err)
		}
		fmt.Fprintf(m.Stdout, "Seeded a demo portfolio of %d accounts. You are %s. Try: /kam accounts, /kam show acme, /kam pipeline, /kam help, or ask in plain words: ask How is Acme doing?\n", n, as)
	}
	return nil
}

// consoleAsker answers questions in plain words; *assistant.Assistant
// implements it.
type consoleAsker interface {
	Answer(ctx context.Context, q assistant.Question, status func(string)) assistant.Answer
}

// readLoop reads lines from m.Stdin and prints the engine's reply to each
// /kam line, and the assistant's answer to each question (see question),
// acting as user as in teamID. It returns at the end of input, on quit or
// exit, or when ctx is cancelled.
func (m *Main) readLoop(ctx context.Context, engine *commands.Engine, asker consoleAsker, teamID, as string) error {
	interactive := isTerminal(m.Stdin)
	in := bufio.NewScanner(m.Stdin)
	in.Buffer(make([]byte, 64<<10), 1<<20)
	prompt := func() {
		if interactive {
			fmt.Fprint(m.Stdout, "kam> ")
		}
	}
	prompt()
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			prompt()
			continue
		case line == "quit" || line == "exit":
			return nil
		}
		text := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, "/kam"), " "))
		if q, ok := question(engine, line, text); ok {
			ans := asker.Answer(ctx, assistant.Question{TeamID: teamID, UserID: as, Text: q}, nil)
			printAnswer(m.Stdout, ans)
			prompt()
			continue
		}
		if strings.HasPrefix(line, "/") && !strings.HasPrefix(line, "/kam") {
			fmt.Fprintln(m.Stdout, "Only /kam commands are understood here, e.g. /kam help")
			prompt()
			continue
		}
		req := commands.Request{TeamID: teamID, UserID: as, ChannelID: "CCONSOLE", Text: text}
		rep := engine.Handle(ctx, req)
		printReply(m.Stdout, rep)
		if rep.Later != nil {
			printReply(m.Stdout, rep.Later(ctx))
		}
		prompt()
		if ctx.Err() != nil {
			return nil
		}
	}
	return in.Err()
}

// question reports whether a console line is a question for the assistant
// rather than a /kam command, and returns the question: a line starting
// with "ask" ("ask How is Acme doing?"), or a line without the /kam prefix
// that ends in "?" and does not start with a command's name. Commands keep
// every line they had: "ask" is no command, and a command's line is never
// taken for a question.
func question(engine *commands.Engine, line, text string) (string, bool) {
	if engine.SubCommand(text) != "unknown" {
		return "", false
	}
	first, rest, _ := strings.Cut(text, " ")
	if strings.EqualFold(first, "ask") {
		return strings.TrimSpace(rest), true
	}
	if !strings.HasPrefix(line, "/") && strings.HasSuffix(line, "?") {
		return line, true
	}
	return "", false
}

// printAnswer prints the assistant's answer as a person reads it: the
// answer, its sources one a line, the queries it read and the note.
func printAnswer(w io.Writer, ans assistant.Answer) {
	text := format.Read(ans.Text)
	if len(ans.Blocks) > 0 {
		text = commands.PlainText(ans.Blocks)
	}
	fmt.Fprintln(w, strings.TrimRight(text, "\n"))
	if len(ans.Sources) > 0 {
		fmt.Fprintln(w, "Sources:")
		for _, s := range ans.Sources {
			fmt.Fprintln(w, "  "+plainLine(s))
		}
	}
	if len(ans.Read) > 0 {
		fmt.Fprintln(w, "Read: "+format.Read(strings.Join(ans.Read, " · ")))
	}
	if ans.Note != "" {
		fmt.Fprintln(w, plainLine(ans.Note))
	}
	fmt.Fprintln(w)
}

// plainLine is a line of mrkdwn as a terminal shows a reply's blocks: what
// a reader sees, without the *bold* and _italic_ marks (a line in italics
// as a whole loses its marks even when it holds a snake_case name).
func plainLine(mrkdwn string) string {
	s := commands.PlainText([]slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false), nil, nil)})
	if len(s) > 2 && strings.HasPrefix(s, "_") && strings.HasSuffix(s, "_") {
		s = s[1 : len(s)-1]
	}
	return s
}

func printReply(w io.Writer, rep commands.Reply) {
	text := rep.Text
	if len(rep.Blocks) > 0 {
		text = commands.PlainText(rep.Blocks)
	}
	fmt.Fprintln(w, strings.TrimRight(text, "\n"))
	fmt.Fprintln(w)
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// consoleNotifier shows the posts Slack would receive: those sent through
// it, and those queued in the outbox with the change they report.
type consoleNotifier struct {
	mu  sync.Mutex
	w   io.Writer
	db  outbox.Store
	log *slog.Logger
}

func (n *consoleNotifier) Notify(_ context.Context, _, channelID, _, text string, blocks []slack.Block) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(blocks) > 0 {
		text = commands.PlainText(blocks)
	}
	n.show(channelID, text)
	return nil
}

// Wake shows, and marks sent, every post queued in the outbox.
func (n *consoleNotifier) Wake() {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, err := outbox.Drain(context.Background(), n.db, time.Now(), func(m kam.OutboxMessage, _ string) error {
		// Shown as a person reads it, like the posts sent through Notify.
		text := m.Text
		if len(m.Blocks) > 0 {
			var bs slack.Blocks
			if err := json.Unmarshal(m.Blocks, &bs); err != nil {
				return fmt.Errorf("read the blocks of %s: %w", m.Key, err)
			}
			text = commands.PlainText(bs.BlockSet)
		}
		n.show(m.Channel, text)
		return nil
	})
	if err != nil {
		n.log.Warn("show queued posts", "err", err)
	}
}

func (n *consoleNotifier) show(channelID, text string) {
	fmt.Fprintf(n.w, "  ↳ posted to <#%s>: %s\n", channelID, strings.ReplaceAll(strings.TrimSpace(text), "\n", " "))
}

// consoleOutbox is /kam outbox in the console: the same counts and failed
// messages as in Slack, read from the database; a retry queues the message
// again and the console shows it, as it shows every queued post.
type consoleOutbox struct {
	db   outbox.Store
	wake func()
}

func (o consoleOutbox) Status(ctx context.Context, teamID string, limit int) (outbox.Status, error) {
	st, err := o.db.OutboxStats(ctx, teamID)
	if err != nil {
		return outbox.Status{}, fmt.Errorf("outbox counts: %w", err)
	}
	failed, err := o.db.OutboxFailures(ctx, teamID, limit)
	if err != nil {
		return outbox.Status{}, fmt.Errorf("outbox failures: %w", err)
	}
	out := outbox.Status{Pending: st.Pending, Sending: st.Sending, Sent: st.Sent, Failed: st.Failed, OldestPending: st.OldestPending}
	for _, m := range failed {
		out.Failures = append(out.Failures, outbox.Failure{ID: m.ID, Key: m.Key, Channel: m.Channel, Reason: m.LastError,
			Attempts: m.Attempts, QueuedAt: m.CreatedAt, FailedAt: m.FailedAt})
	}
	return out, nil
}

func (o consoleOutbox) Retry(ctx context.Context, teamID string, id int64) error {
	if err := o.db.RequeueOutbox(ctx, teamID, id); err != nil {
		return err
	}
	o.wake()
	return nil
}
