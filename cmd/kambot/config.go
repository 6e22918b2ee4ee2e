package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/nudges"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/store"
)

// Config is kambot's whole configuration: every environment variable the
// README's configuration table lists, read once by LoadConfig and
// validated there. Nothing else reads the environment.
type Config struct {
	// Slack.
	BotToken      string
	AppToken      string // set: Socket Mode
	SigningSecret string
	// PreviousSigningSecret keeps requests signed with the old secret valid
	// while Slack rotates it.
	PreviousSigningSecret string
	SlackAPIURL           string // ends in "/"

	// The process.
	Addr   string
	DBPath string
	// DBSet reports that KAMBOT_DB was set rather than defaulted: console
	// --demo then seeds that database instead of a temporary one.
	DBSet  bool
	TZ     *time.Location
	Admins []string
	// LogLevel is KAMBOT_LOG_LEVEL; nil leaves each sub-command its own
	// default (serve info, console warn).
	LogLevel  *slog.Level
	PprofAddr string // used by builds with -tags pprof
	// MemoryLimitSet: the operator set GOMEMLIMIT, which the runtime
	// applies; otherwise serve sets the collector's limit (memlimit).
	MemoryLimitSet bool
	Currency       string // ISO 4217 code, upper case

	// The language model (brief drafting).
	OpenAIKey        string
	OpenAIBaseURL    string // "" is OpenAI's
	OpenAIModel      string
	OpenAITimeout    time.Duration
	OpenAIMaxRetries int
	BriefBudget      int // prompt size in estimated tokens

	// Scheduling (see the README's nudges section).
	SweepSpec  string // cron spec of the daily nudge sweep
	DigestSpec string // cron spec of the weekly digest
	// SelectionSpec is the cron spec of the yearly selection review, from
	// KAMBOT_SELECTION_DATE (MM-DD, at 09:00).
	SelectionSpec string
	// DigestChannels optionally receive every manager's digest too:
	// workspace ID → channel ID, "" for every workspace.
	DigestChannels map[string]string
}

// Defaults of the variables that have one.
const (
	defaultSlackAPIURL = "https://slack.com/api/"
	defaultAddr        = ":3000"
	defaultDB          = "kambot.db"
	defaultPprofAddr   = "127.0.0.1:6060"
	defaultCurrency    = "USD"
)

// variable is one environment variable: its name, whether its value is a
// secret (never echoed in an error), and how it sets Config. parse gets the
// trimmed value, "" when unset, and fills in the default itself.
type variable struct {
	name   string
	secret bool
	parse  func(c *Config, v string) error
}

// variables is every variable kambot reads, in the README table's order,
// which is also the order LoadConfig reports errors in.
var variables = []variable{
	{"SLACK_BOT_TOKEN", true, func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "xoxb-") {
			return errors.New("SLACK_BOT_TOKEN is not a bot token; use the xoxb-… token from the app's OAuth & Permissions page (see README.md, \"Create the Slack app\")")
		}
		c.BotToken = v
		return nil
	}},
	{"SLACK_APP_TOKEN", true, func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "xapp-") {
			return errors.New("SLACK_APP_TOKEN is not an app-level token; use the xapp-… token with connections:write, or unset it for HTTP mode (see README.md, \"Create the Slack app\")")
		}
		c.AppToken = v
		return nil
	}},
	{"SLACK_SIGNING_SECRET", true, func(c *Config, v string) error { c.SigningSecret = v; return nil }},
	{"SLACK_SIGNING_SECRET_PREVIOUS", true, func(c *Config, v string) error { c.PreviousSigningSecret = v; return nil }},
	{"SLACK_API_URL", false, func(c *Config, v string) error {
		u, err := httpURL("SLACK_API_URL", orDefault(v, defaultSlackAPIURL), "https://slack.com/api/")
		// slack-go appends the method name to the base URL, so it must end in "/".
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		c.SlackAPIURL = u
		return err
	}},
	{"KAMBOT_ADDR", false, func(c *Config, v string) error {
		c.Addr = orDefault(v, defaultAddr)
		return listenAddr("KAMBOT_ADDR", c.Addr, defaultAddr)
	}},
	{"KAMBOT_DB", false, func(c *Config, v string) error {
		c.DBPath, c.DBSet = orDefault(v, defaultDB), v != ""
		return nil
	}},
	{"KAMBOT_TZ", false, func(c *Config, v string) error {
		loc, err := time.LoadLocation(orDefault(v, "UTC"))
		if err != nil {
			return fmt.Errorf("KAMBOT_TZ=%q is not an IANA time zone, e.g. Europe/Berlin", v)
		}
		c.TZ = loc
		return nil
	}},
	{"KAMBOT_ADMINS", false, func(c *Config, v string) error {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id == "" {
				continue
			}
			team, user, scoped := strings.Cut(id, ":")
			if !scoped {
				user = team
			}
			if !slackUserID.MatchString(user) || scoped && !slackTeamID.MatchString(team) {
				return fmt.Errorf("KAMBOT_ADMINS=%q: %q is not a Slack user ID; use comma-separated member IDs such as U0123ABCD (profile → ⋮ → Copy member ID), or T0123ABCD:U0123ABCD for an admin of one workspace only", v, id)
			}
			c.Admins = append(c.Admins, id)
		}
		return nil
	}},
	{"KAMBOT_SWEEP_CRON", false, func(c *Config, v string) error {
		c.SweepSpec = orDefault(v, nudges.DefaultSweepSpec)
		return cronSpec("KAMBOT_SWEEP_CRON", c.SweepSpec, c.TZ, nudges.DefaultSweepSpec)
	}},
	{"KAMBOT_DIGEST_CRON", false, func(c *Config, v string) error {
		c.DigestSpec = orDefault(v, nudges.DefaultDigestSpec)
		return cronSpec("KAMBOT_DIGEST_CRON", c.DigestSpec, c.TZ, nudges.DefaultDigestSpec)
	}},
	{"KAMBOT_DIGEST_CHANNEL", false, func(c *Config, v string) error {
		// ParseChannels' errors name the variable and an example.
		ch, err := digest.ParseChannels(v)
		c.DigestChannels = ch
		return err
	}},
	{"KAMBOT_SELECTION_DATE", false, func(c *Config, v string) error {
		spec, err := selectionSpec(v)
		c.SelectionSpec = spec
		return err
	}},
	{"KAMBOT_LOG_LEVEL", false, func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		l, ok := logLevels[strings.ToLower(v)]
		if !ok {
			return fmt.Errorf("KAMBOT_LOG_LEVEL=%q is not a log level; use debug, info, warn or error", v)
		}
		c.LogLevel = &l
		return nil
	}},
	{"GOMEMLIMIT", false, func(c *Config, v string) error {
		c.MemoryLimitSet = v != ""
		return nil
	}},
	{"KAMBOT_PPROF_ADDR", false, func(c *Config, v string) error {
		c.PprofAddr = orDefault(v, defaultPprofAddr)
		return listenAddr("KAMBOT_PPROF_ADDR", c.PprofAddr, defaultPprofAddr)
	}},
	{"KAMBOT_CURRENCY", false, func(c *Config, v string) error {
		c.Currency = strings.ToUpper(orDefault(v, defaultCurrency))
		if !currencyCode.MatchString(c.Currency) {
			return fmt.Errorf("KAMBOT_CURRENCY=%q is not an ISO 4217 currency code; use three letters such as USD, EUR, GBP or CHF", v)
		}
		return nil
	}},
	{"OPENAI_API_KEY", true, func(c *Config, v string) error { c.OpenAIKey = v; return nil }},
	{"OPENAI_BASE_URL", false, func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		u, err := httpURL("OPENAI_BASE_URL", v, "http://localhost:11434/v1")
		c.OpenAIBaseURL = u
		return err
	}},
	{"OPENAI_MODEL", false, func(c *Config, v string) error {
		c.OpenAIModel = orDefault(v, brief.DefaultModel)
		return nil
	}},
	{"OPENAI_TIMEOUT", false, func(c *Config, v string) error {
		c.OpenAITimeout = brief.DefaultTimeout
		if v == "" {
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 5*time.Minute {
			return fmt.Errorf("OPENAI_TIMEOUT=%q is not a duration from 1s to 5m; use e.g. 25s or 1m30s", v)
		}
		c.OpenAITimeout = d
		return nil
	}},
	{"OPENAI_MAX_RETRIES", false, func(c *Config, v string) error {
		n, err := intIn(v, brief.DefaultRetries, 0, 10)
		if err != nil {
			return fmt.Errorf("OPENAI_MAX_RETRIES=%q is not a whole number from 0 to 10; 0 turns retries off", v)
		}
		c.OpenAIMaxRetries = n
		return nil
	}},
	{"KAMBOT_BRIEF_BUDGET", false, func(c *Config, v string) error {
		n, err := intIn(v, brief.DefaultInputBudget, brief.MinInputBudget, maxBriefBudget)
		if err != nil {
			return fmt.Errorf("KAMBOT_BRIEF_BUDGET=%q is not a number of tokens from %d to %d; use e.g. %d", v, brief.MinInputBudget, maxBriefBudget, brief.DefaultInputBudget)
		}
		c.BriefBudget = n
		return nil
	}},
}

// maxBriefBudget bounds the prompt: beyond it no model in use answers
// within the drafting timeout.
const maxBriefBudget = 200_000

var (
	// Slack member IDs: U… in most workspaces, W… in Enterprise Grid.
	slackUserID  = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	slackTeamID  = regexp.MustCompile(`^[TE][A-Z0-9]{2,20}$`)
	currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)
	logLevels    = map[string]slog.Level{
		"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
	}
)

// LoadConfig reads and validates every variable through getenv (os.Getenv
// outside tests). The first bad value, in the README table's order, is the
// error: one line naming the variable and the values it takes; a secret's
// value is never part of it.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	for _, v := range variables {
		if err := v.parse(&c, strings.TrimSpace(getenv(v.name))); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

// SocketMode reports whether serve should connect over Socket Mode.
func (c Config) SocketMode() bool { return c.AppToken != "" }

// errMissing names the variable serve needs and where the README explains it.
func errMissing(name, why string) error {
	return fmt.Errorf("%s is not set: %s (see README.md, \"Create the Slack app\")", name, why)
}

// ValidateServe checks that serve has the secrets it needs for its mode;
// LoadConfig has already checked the values that are set.
func (c Config) ValidateServe() error {
	switch {
	case c.BotToken == "":
		return errMissing("SLACK_BOT_TOKEN", "the bot token (xoxb-…) from the app's OAuth & Permissions page")
	case !c.SocketMode() && c.SigningSecret == "":
		return errMissing("SLACK_SIGNING_SECRET", "HTTP mode verifies every request with the app's signing secret (Basic Information page); or set SLACK_APP_TOKEN for Socket Mode")
	}
	return nil
}

// Level is the log level: KAMBOT_LOG_LEVEL when set, else def.
func (c Config) Level(def slog.Level) slog.Level {
	if c.LogLevel != nil {
		return *c.LogLevel
	}
	return def
}

// Brief is the drafter's configuration; the caller adds the logger,
// metrics and clock.
func (c Config) Brief() brief.Config {
	retries := c.OpenAIMaxRetries
	if retries == 0 {
		retries = -1 // brief.Config's 0 means its default
	}
	return brief.Config{
		APIKey: c.OpenAIKey, BaseURL: c.OpenAIBaseURL, Model: c.OpenAIModel,
		Timeout: c.OpenAITimeout, InputBudget: c.BriefBudget, MaxRetries: retries,
	}
}

// LogValue renders the configuration for logs with the secrets hidden.
func (c Config) LogValue() slog.Value {
	mode := "http"
	if c.SocketMode() {
		mode = "socket"
	}
	llm := "off (deterministic briefs)"
	if c.OpenAIKey != "" {
		llm = c.OpenAIModel
	}
	tz := ""
	if c.TZ != nil {
		tz = c.TZ.String()
	}
	level := "default"
	if c.LogLevel != nil {
		level = c.LogLevel.String()
	}
	return slog.GroupValue(
		slog.String("mode", mode), slog.String("addr", c.Addr), slog.String("db", store.RedactDSN(c.DBPath)),
		slog.String("tz", tz), slog.Int("admins", len(c.Admins)), slog.String("currency", c.Currency),
		slog.String("log_level", level), slog.String("slack_api", c.SlackAPIURL),
		slog.String("bot_token", redact(c.BotToken)), slog.String("app_token", redact(c.AppToken)),
		slog.String("signing_secret", redact(c.SigningSecret)),
		slog.String("signing_secret_previous", redact(c.PreviousSigningSecret)),
		slog.String("llm", llm), slog.String("llm_url", c.OpenAIBaseURL), slog.String("llm_key", redact(c.OpenAIKey)),
		slog.Duration("llm_timeout", c.OpenAITimeout), slog.Int("llm_retries", c.OpenAIMaxRetries),
		slog.Int("brief_budget", c.BriefBudget),
		slog.String("sweep", c.SweepSpec), slog.String("digest", c.DigestSpec), slog.String("selection", c.SelectionSpec),
		slog.Int("digest_channels", len(c.DigestChannels)),
	)
}

// String renders the configuration as LogValue does, so that printing a
// Config with any fmt verb shows no secret.
func (c Config) String() string {
	var b strings.Builder
	for i, a := range c.LogValue().Group() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", a.Key, a.Value.String())
	}
	return b.String()
}

// GoString keeps %#v from printing the fields, secrets included.
func (c Config) GoString() string { return "main.Config{" + c.String() + "}" }

// redact shows whether a secret is set and its kind (xoxb-, xapp-), never
// its value.
func redact(s string) string {
	switch {
	case s == "":
		return ""
	case s == brief.NoKey:
		return s // not a secret: the keyless local server
	}
	if i := strings.IndexByte(s, '-'); i > 0 && i < 6 {
		return s[:i+1] + "…"
	}
	return "…"
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// httpURL checks that v is an http or https URL with a host.
func httpURL(name, v, example string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := v
		if err == nil {
			shown = u.Redacted() // a password in the URL stays out of the error
		}
		return v, fmt.Errorf("%s=%q is not an http or https URL; use e.g. %s", name, shown, example)
	}
	return v, nil
}

// listenAddr checks that v is host:port or :port.
func listenAddr(name, v, example string) error {
	_, port, err := net.SplitHostPort(v)
	if err == nil {
		var n int
		if n, err = strconv.Atoi(port); err == nil && (n < 0 || n > 65535) {
			err = errors.New("port out of range")
		}
	}
	if err != nil {
		return fmt.Errorf("%s=%q is not a listen address; use host:port or :port, e.g. %s", name, v, example)
	}
	return nil
}

// cronSpec checks a schedule the way the scheduler will run it: a standard
// 5-field spec (or a descriptor such as @daily) that fires at least once.
func cronSpec(name, spec string, tz *time.Location, example string) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("%s=%q is not a cron spec; use 5 fields \"minute hour day-of-month month day-of-week\", e.g. %q", name, spec, example)
	}
	if sched.Next(time.Now().In(tz)).IsZero() {
		return fmt.Errorf("%s=%q never fires; pick a date that exists, e.g. %q", name, spec, example)
	}
	return nil
}

// intIn parses a whole number from lo to hi; "" is def.
func intIn(v string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, errors.New("out of range")
	}
	return n, nil
}

// selectionSpec turns KAMBOT_SELECTION_DATE, a day of the year as MM-DD,
// into the cron spec of the yearly selection review at 09:00; "" is
// 15 January. 29 February is refused: three years in four it never comes.
func selectionSpec(v string) (string, error) {
	if v == "" {
		return nudges.DefaultSelectionSpec, nil
	}
	d, err := time.Parse("01-02", strings.TrimSpace(v))
	if err != nil || (d.Month() == time.February && d.Day() == 29) {
		return "", fmt.Errorf("KAMBOT_SELECTION_DATE=%q is not a day of the year; use MM-DD, e.g. \"01-15\" for 15 January", v)
	}
	return fmt.Sprintf("0 9 %d %d *", d.Day(), int(d.Month())), nil
}
