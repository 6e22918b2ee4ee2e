package brief

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

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
