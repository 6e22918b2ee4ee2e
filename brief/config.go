package brief

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment variables ConfigFromEnv reads.
const (
	EnvAPIKey     = "OPENAI_API_KEY"      // enables drafting; "none" for a keyless local server
	EnvBaseURL    = "OPENAI_BASE_URL"     // any OpenAI-compatible server
	EnvModel      = "OPENAI_MODEL"        // default gpt-4o-mini
	EnvTimeout    = "OPENAI_TIMEOUT"      // Go duration, default 25s
	EnvMaxRetries = "OPENAI_MAX_RETRIES"  // default 2; 0 disables retries
	EnvBudget     = "KAMBOT_BRIEF_BUDGET" // prompt budget in tokens, default 3000
)

// ConfigFromEnv reads the model settings from the environment through
// getenv (os.Getenv). Logger, Metrics and Now are left for the caller. A
// malformed value is an error that names the variable and what it takes.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	cfg := Config{
		APIKey:  get(EnvAPIKey),
		BaseURL: get(EnvBaseURL),
		Model:   get(EnvModel),
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Config{}, fmt.Errorf("%s: want an http or https URL such as http://localhost:11434/v1, got %q", EnvBaseURL, cfg.BaseURL)
		}
	}
	if v := get(EnvTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 5*time.Minute {
			return Config{}, fmt.Errorf("%s: want a duration from 1s to 5m such as 25s, got %q", EnvTimeout, v)
		}
		cfg.Timeout = d
	}
	if v := get(EnvMaxRetries); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10 {
			return Config{}, fmt.Errorf("%s: want a whole number from 0 to 10, got %q", EnvMaxRetries, v)
		}
		cfg.MaxRetries = n
		if n == 0 {
			cfg.MaxRetries = -1 // Config's 0 means the default
		}
	}
	if v := get(EnvBudget); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < MinInputBudget || n > 200_000 {
			return Config{}, fmt.Errorf("%s: want a number of tokens from %d to 200000, got %q", EnvBudget, MinInputBudget, v)
		}
		cfg.InputBudget = n
	}
	return cfg, nil
}
