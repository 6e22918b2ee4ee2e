// Package assistant answers questions about key accounts in Slack's
// assistant surface, in direct messages and when kambot is mentioned. A
// language model (any OpenAI-compatible server) answers through tool
// calls over kambot's read-only queries, run with the asker's rights;
// without a model the common questions get deterministic answers.
//
// Every answer is bounded: at most MaxToolCalls tool calls, a token budget,
// a deadline, and a per-user rate limit. What people typed reaches the
// model only as fenced data, and the model's words reach Slack only through
// format.Model, with mentions kept only of people the record named.
package assistant

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/sashabaranov/go-openai"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
)

// Tools are kambot's read-only queries, run for the asker;
// *commands.Engine implements it.
type Tools interface {
	// Ask runs one tool of commands.AskTools (or BriefTool) for the user.
	Ask(ctx context.Context, teamID, userID, name string, args map[string]string) (commands.AskResult, error)
	// AskAccounts lists the accounts the user may ask about.
	AskAccounts(ctx context.Context, teamID, userID string) ([]kam.Account, error)
}

// Defaults of Config.
const (
	DefaultMaxToolCalls = 6
	DefaultDeadline     = 25 * time.Second
	DefaultRate         = 10 // questions per user per DefaultRatePeriod
	DefaultRatePeriod   = 10 * time.Minute
)

// Config configures an Assistant.
type Config struct {
	Tools Tools // required
	// Model is the OpenAI-compatible server (the brief's settings); no API
	// key answers deterministically.
	Model        brief.Config
	MaxToolCalls int           // ≤ 0: DefaultMaxToolCalls
	TokenBudget  int           // tokens per answer, all rounds; ≤ 0: the brief's input budget × 3
	Deadline     time.Duration // ≤ 0: DefaultDeadline
	Rate         int           // questions per user per RatePeriod; ≤ 0: DefaultRate
	RatePeriod   time.Duration // ≤ 0: DefaultRatePeriod
	Logger       *slog.Logger
	Metrics      *metrics.Set // shared by assistants on one set; nil counts nothing
	Now          func() time.Time
}

// Assistant answers questions. It is safe for concurrent use.
type Assistant struct {
	cfg    Config
	client *openai.Client // nil: deterministic answers only
	model  string
	log    *slog.Logger
	m      *meters
	now    func() time.Time

	mu    sync.Mutex
	asked map[string][]time.Time // by team/user: recent questions
}

// New returns an Assistant for cfg.
func New(cfg Config) *Assistant {
	if cfg.Tools == nil {
		panic("assistant: Config.Tools is required")
	}
	if cfg.MaxToolCalls <= 0 {
		cfg.MaxToolCalls = DefaultMaxToolCalls
	}
	if cfg.Deadline <= 0 {
		cfg.Deadline = DefaultDeadline
	}
	if cfg.TokenBudget <= 0 {
		cfg.TokenBudget = 3 * max(cfg.Model.InputBudget, brief.DefaultInputBudget)
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.RatePeriod <= 0 {
		cfg.RatePeriod = DefaultRatePeriod
	}
	a := &Assistant{cfg: cfg, log: cfg.Logger, now: cfg.Now, m: newMetrics(cfg.Metrics), asked: map[string][]time.Time{}}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.client, a.model = newClient(cfg.Model, cfg.Deadline)
	return a
}

// Enabled reports whether a language model answers.
func (a *Assistant) Enabled() bool { return a.client != nil }

// Question is one question to answer.
type Question struct {
	TeamID, UserID string
	Text           string // as the user wrote it, Slack's markup included
}

// Answer is what the asker reads.
type Answer struct {
	// Text is mrkdwn, safe to send: the model's words or kambot's.
	Text string
	// Blocks, when set, is the answer as a command renders it (the
	// deterministic answers); Text is then its plain fallback.
	Blocks []slack.Block
	// Sources are mrkdwn lines citing the records the answer rests on:
	// account, kind, date, author and, when the record holds one, a link
	// to the Slack message (only a real Slack permalink is ever a link).
	// In a model's answer each starts with the [sN] the prose cites.
	Sources []string
	// Read are the /kam queries the answer read, as mrkdwn code spans.
	Read []string
	// Note, when set, is a mrkdwn line to show under the answer (why there
	// is no prose).
	Note string
	// Outcome is for metrics and logs: answered, deterministic, too_slow,
	// rate_limited, model_failed, empty.
	Outcome string
	Tokens  int
	Tools   int // tool calls made
}

// Outcomes.
const (
	OutcomeAnswered      = "answered"
	OutcomeDeterministic = "deterministic"
	OutcomeTooSlow       = "too_slow"
	OutcomeRateLimited   = "rate_limited"
	OutcomeModelFailed   = "model_failed"
	OutcomeEmpty         = "empty"
)

// Answer answers q within the deadline. status, when set, is told what
// the assistant is doing ("is searching the record…") as it works.
func (a *Assistant) Answer(ctx context.Context, q Question, status func(string)) Answer {
	start := a.now()
	if status == nil {
		status = func(string) {}
	}
	var ans Answer
	switch {
	case strings.TrimSpace(q.Text) == "":
		ans = Answer{Text: "Ask me about your accounts, e.g. _How is Acme doing?_ or _What did their CFO say about pricing?_", Outcome: OutcomeEmpty}
	case !a.allow(q.TeamID, q.UserID):
		ans = Answer{Text: rateLimitedText(a.cfg.Rate, a.cfg.RatePeriod), Outcome: OutcomeRateLimited}
	default:
		ctx, cancel := context.WithTimeout(ctx, a.cfg.Deadline)
		defer cancel()
		if a.client != nil {
			ans = a.modelAnswer(ctx, q, status)
		} else {
			ans = a.deterministic(ctx, q, status)
		}
		if ctx.Err() != nil && ans.Outcome != OutcomeAnswered {
			ans = Answer{Text: tooSlowText(a.cfg.Deadline), Outcome: OutcomeTooSlow, Tokens: ans.Tokens, Tools: ans.Tools}
		}
	}
	mode := "deterministic"
	if a.client != nil {
		mode = "model"
	}
	a.m.question(mode, ans.Outcome)
	// Never the question or the answer: they are customer text.
	a.log.Info("assistant answered", "team", q.TeamID, "user", q.UserID, "mode", mode, "outcome", ans.Outcome,
		"tool_calls", ans.Tools, "tokens", ans.Tokens, "ms", a.now().Sub(start).Milliseconds())
	return ans
}

// allow takes one question from the user's allowance; false when they
// asked Rate questions within RatePeriod already.
func (a *Assistant) allow(teamID, userID string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	key, now := teamID+"/"+userID, a.now()
	recent := a.asked[key][:0]
	for _, t := range a.asked[key] {
		if now.Sub(t) < a.cfg.RatePeriod {
			recent = append(recent, t)
		}
	}
	if len(recent) >= a.cfg.Rate {
		a.asked[key] = recent
		return false
	}
	a.asked[key] = append(recent, now)
	if len(a.asked) > 10_000 {
		a.sweep(now)
	}
	return true
}

// sweep forgets users with no question in the period, so the map stays
// as small as the users active in it.
func (a *Assistant) sweep(now time.Time) {
	for k, ts := range a.asked {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= a.cfg.RatePeriod {
			delete(a.asked, k)
		}
	}
}
