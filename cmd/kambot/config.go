package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Config is kambot's configuration, read from the environment (INTERFACE.md)
// and validated once at start.
type Config struct {
	BotToken      string
	AppToken      string // set: Socket Mode
	SigningSecret string
	// PreviousSigningSecret keeps requests signed with the old secret valid
	// while Slack rotates it.
	PreviousSigningSecret string
	SlackAPIURL           string
	Addr                  string
	DBPath                string
	TZ                    *time.Location
	Admins                []string

	OpenAIKey     string
	OpenAIBaseURL string
	OpenAIModel   string

	// Scheduling (see the README's nudges section).
	SweepSpec  string // cron spec of the daily nudge sweep
	DigestSpec string // cron spec of the weekly digest
	// DigestChannel optionally receives every manager's digest too.
	DigestChannel string
}

// LoadConfig reads the environment. getenv is os.Getenv outside tests.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		BotToken:              strings.TrimSpace(getenv("SLACK_BOT_TOKEN")),
		AppToken:              strings.TrimSpace(getenv("SLACK_APP_TOKEN")),
		SigningSecret:         strings.TrimSpace(getenv("SLACK_SIGNING_SECRET")),
		PreviousSigningSecret: strings.TrimSpace(getenv("SLACK_SIGNING_SECRET_PREVIOUS")),
		SlackAPIURL:           orDefault(getenv("SLACK_API_URL"), "https://slack.com/api/"),
		Addr:                  orDefault(getenv("KAMBOT_ADDR"), ":3000"),
		DBPath:                orDefault(getenv("KAMBOT_DB"), "kambot.db"),
		OpenAIKey:             strings.TrimSpace(getenv("OPENAI_API_KEY")),
		OpenAIBaseURL:         strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		OpenAIModel:           orDefault(getenv("OPENAI_MODEL"), "gpt-4o-mini"),
		SweepSpec:             orDefault(getenv("KAMBOT_SWEEP_CRON"), "0 7 * * *"),
		DigestSpec:            orDefault(getenv("KAMBOT_DIGEST_CRON"), "0 8 * * 1"),
		DigestChannel:         strings.TrimSpace(getenv("KAMBOT_DIGEST_CHANNEL")),
	}
	// slack-go appends the method name to the base URL, so it must end in "/".
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	tz := orDefault(getenv("KAMBOT_TZ"), "UTC")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("KAMBOT_TZ=%q is not an IANA time zone (e.g. Europe/Zurich): %w", tz, err)
	}
	c.TZ = loc
	for _, id := range strings.Split(getenv("KAMBOT_ADMINS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.Admins = append(c.Admins, id)
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

// ValidateServe checks that serve has the tokens it needs for its mode.
func (c Config) ValidateServe() error {
	switch {
	case c.BotToken == "":
		return errMissing("SLACK_BOT_TOKEN", "the bot token (xoxb-…) from the app's OAuth & Permissions page")
	case !strings.HasPrefix(c.BotToken, "xoxb-"):
		return errors.New("SLACK_BOT_TOKEN must be a bot token starting with xoxb- (see README.md, \"Create the Slack app\")")
	case c.SocketMode() && !strings.HasPrefix(c.AppToken, "xapp-"):
		return errors.New("SLACK_APP_TOKEN must be an app-level token starting with xapp- (see README.md, \"Create the Slack app\")")
	case !c.SocketMode() && c.SigningSecret == "":
		return errMissing("SLACK_SIGNING_SECRET", "HTTP mode verifies every request with the app's signing secret (Basic Information page); or set SLACK_APP_TOKEN for Socket Mode")
	}
	return nil
}

// Redacted renders the configuration for the start-up log, secrets hidden.
func (c Config) Redacted() []any {
	mode := "http"
	if c.SocketMode() {
		mode = "socket"
	}
	llm := "off (deterministic briefs)"
	if c.OpenAIKey != "" {
		llm = c.OpenAIModel
	}
	return []any{"mode", mode, "addr", c.Addr, "db", c.DBPath, "tz", c.TZ.String(),
		"admins", len(c.Admins), "slack_api", c.SlackAPIURL, "llm", llm,
		"bot_token", redact(c.BotToken), "app_token", redact(c.AppToken)}
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	if i := strings.IndexByte(s, '-'); i > 0 && i < 6 {
		return s[:i+1] + "…"
	}
	return "…"
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}
