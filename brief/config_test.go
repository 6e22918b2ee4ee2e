package brief

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// settingsOf is the comparable part of a Config.
type settingsOf struct {
	APIKey, BaseURL, Model  string
	Timeout                 time.Duration
	InputBudget, MaxRetries int
}

func settings(c Config) settingsOf {
	return settingsOf{c.APIKey, c.BaseURL, c.Model, c.Timeout, c.InputBudget, c.MaxRetries}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		getenv  func(string) string
		want    Config
		wantErr string
	}{
		{"Unset", env(), Config{}, ""},
		{"OpenAI", env(EnvAPIKey, " sk-abc ", EnvModel, "gpt-4o"), Config{APIKey: "sk-abc", Model: "gpt-4o"}, ""},
		{"Ollama", env(EnvAPIKey, "none", EnvBaseURL, "http://localhost:11434/v1", EnvModel, "llama3.1:8b", EnvTimeout, "20s"),
			Config{APIKey: "none", BaseURL: "http://localhost:11434/v1", Model: "llama3.1:8b", Timeout: 20 * time.Second}, ""},
		{"RetriesOff", env(EnvMaxRetries, "0"), Config{MaxRetries: -1}, ""},
		{"Budget", env(EnvMaxRetries, "4", EnvBudget, "6000"), Config{MaxRetries: 4, InputBudget: 6000}, ""},
		{"ErrTimeoutNotDuration", env(EnvTimeout, "25"), Config{}, EnvTimeout},
		{"ErrTimeoutTooShort", env(EnvTimeout, "10ms"), Config{}, EnvTimeout},
		{"ErrTimeoutTooLong", env(EnvTimeout, "1h"), Config{}, EnvTimeout},
		{"ErrBaseURLNoScheme", env(EnvBaseURL, "localhost:11434"), Config{}, EnvBaseURL},
		{"ErrBaseURLFTP", env(EnvBaseURL, "ftp://host/v1"), Config{}, EnvBaseURL},
		{"ErrRetriesNegative", env(EnvMaxRetries, "-1"), Config{}, EnvMaxRetries},
		{"ErrRetriesWord", env(EnvMaxRetries, "three"), Config{}, EnvMaxRetries},
		{"ErrBudgetSmall", env(EnvBudget, "100"), Config{}, EnvBudget},
		{"ErrBudgetWord", env(EnvBudget, "lots"), Config{}, EnvBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConfigFromEnv(tt.getenv)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want one naming %s", err, tt.wantErr)
				}
				if settings(got) != (settingsOf{}) {
					t.Errorf("config %+v returned with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if settings(got) != settings(tt.want) {
				t.Errorf("config = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	tests := []struct {
		name            string
		cfg             Config
		enabled         bool
		model           string
		timeout         time.Duration
		budget, retries int
	}{
		{"Zero", Config{}, false, DefaultModel, DefaultTimeout, DefaultInputBudget, DefaultRetries},
		{"BlankKey", Config{APIKey: "  "}, false, DefaultModel, DefaultTimeout, DefaultInputBudget, DefaultRetries},
		{"Set", Config{APIKey: "k", Model: "m", Timeout: time.Second, InputBudget: 5000, MaxRetries: 5}, true, "m", time.Second, 5000, 5},
		{"BudgetRaised", Config{APIKey: "k", InputBudget: 10, MaxRetries: -3}, true, DefaultModel, DefaultTimeout, MinInputBudget, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(tt.cfg)
			if d.Enabled() != tt.enabled || d.Model() != tt.model || d.timeout != tt.timeout || d.budget != tt.budget || d.retries != tt.retries {
				t.Errorf("got enabled %v model %q timeout %v budget %d retries %d", d.Enabled(), d.Model(), d.timeout, d.budget, d.retries)
			}
		})
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"http://localhost:11434", "http://localhost:11434/v1"},
		{"http://localhost:11434/", "http://localhost:11434/v1"},
		{"http://localhost:11434/v1/", "http://localhost:11434/v1"},
		{"https://gw.example/openai/v1", "https://gw.example/openai/v1"},
	} {
		if got := normalizeBaseURL(tt.in); got != tt.want {
			t.Errorf("normalizeBaseURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	at := time.Date(2025, 3, 3, 9, 30, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"None", http.Header{}, -1},
		{"Nil", nil, -1},
		{"Seconds", http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{"Milliseconds", http.Header{"Retry-After-Ms": {"1500"}, "Retry-After": {"9"}}, 1500 * time.Millisecond},
		{"HTTPDate", http.Header{"Retry-After": {at.Add(7 * time.Second).Format(http.TimeFormat)}}, 7 * time.Second},
		{"PastDate", http.Header{"Retry-After": {at.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{"Garbage", http.Header{"Retry-After": {"soon"}}, -1},
		{"Negative", http.Header{"Retry-After": {"-4"}}, -1},
	} {
		if got := retryAfter(tt.h, at); got != tt.want {
			t.Errorf("%s: retryAfter = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	d := New(Config{})
	for n := 1; n <= 10; n++ {
		w := d.backoffFor(n)
		ceiling := min(firstBackoff<<(n-1), maxBackoff)
		if w < ceiling/2 || w > ceiling {
			t.Errorf("backoff %d = %v; want within [%v, %v]", n, w, ceiling/2, ceiling)
		}
	}
}

func TestAuthorize(t *testing.T) {
	a := kam.Account{Name: "Acme Corp", Slug: "acme-corp", OwnerID: "U0KAMOWNER", SponsorID: "U0SPONSOR1"}
	tests := []struct {
		name   string
		acct   kam.Account
		user   string
		role   kam.Role
		admin  bool
		wantOK bool
		msg    string
	}{
		{"Sponsor", a, "U0SPONSOR1", "", false, true, ""},
		{"SponsorRole", a, "U0OTHER", kam.RoleSponsor, false, true, ""},
		{"Owner", a, "U0KAMOWNER", "", false, true, ""},
		{"Member", a, "U0MEMBER01", kam.RoleMember, false, true, ""},
		{"Manager", a, "U0MANAGER1", kam.RoleManager, false, true, ""},
		{"Admin", a, "U0ADMIN001", "", true, true, ""},
		{"ErrStranger", a, "U0STRANGER", "", false, false, "Ask <@U0KAMOWNER> to add you: `/kam team acme-corp add @you role=member`"},
		{"ErrNoOwner", kam.Account{Name: "Solo", Slug: "solo"}, "U0STRANGER", "", false, false, "Ask an admin"},
		{"ErrNoUser", a, "", "", false, false, "Briefs on Acme Corp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorize(tt.acct, tt.user, tt.role, tt.admin)
			if tt.wantOK {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if kam.ErrorCode(err) != kam.EUNAUTHORIZED || !strings.Contains(kam.ErrorMessage(err), tt.msg) {
				t.Errorf("err = %v; want unauthorized saying %q", err, tt.msg)
			}
		})
	}
	if got := Drafting(a); !strings.Contains(got, "*Acme Corp*") || !strings.Contains(got, "30 seconds") {
		t.Errorf("Drafting = %q", got)
	}
}
