package commands

import (
	"testing"
	"time"
)

func TestSourceLine(t *testing.T) {
	at := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	base := Source{Account: "Acme & Co", Kind: "call", At: at, Author: "U0ANA0001"}
	for _, tc := range []struct {
		name, link, want string
	}{
		{"no link", "", "*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001>"},
		{"OK Slack message", "https://acme.slack.com/archives/C0ACME001/p1764000000123456",
			"*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001> · <https://acme.slack.com/archives/C0ACME001/p1764000000123456|message>"},
		{"OK thread reply", "https://acme.slack.com/archives/C0ACME001/p1764000000123456?thread_ts=1764000000.000100&cid=C0ACME001",
			"*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001> · <https://acme.slack.com/archives/C0ACME001/p1764000000123456?thread_ts=1764000000.000100&cid=C0ACME001|message>"},
		{"ErrOtherHost", "https://evil.example/archives/C0ACME001/p1764000000123456",
			"*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001> · message: https://evil.example/archives/C0ACME001/p1764000000123456"},
		{"ErrLookalikeHost", "https://acme.slack.com.evil.example/archives/C0ACME001/p1764000000123456",
			"*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001> · message: https://acme.slack.com.evil.example/archives/C0ACME001/p1764000000123456"},
		{"ErrPlainHTTP", "http://acme.slack.com/archives/C0ACME001/p1764000000123456",
			"*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001> · message: http://acme.slack.com/archives/C0ACME001/p1764000000123456"},
		{"ErrLabelInjected", "https://acme.slack.com/archives/C0ACME001/p1764000000123456|click here",
			"*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001> · message: https://acme.slack.com/archives/C0ACME001/p1764000000123456|click here"},
		{"ErrSpecialMention", "<!channel> https://acme.slack.com/archives/C0ACME001/p1",
			"*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001> · message: @channel https://acme.slack.com/archives/C0ACME001/p1"},
		{"ErrScript", "javascript:alert(1)", "*Acme &amp; Co* · call · 2026-11-27 · <@U0ANA0001> · message: javascript:alert(1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			s.Permalink = tc.link
			if got := SourceLine(s, time.UTC); got != tc.want {
				t.Errorf("SourceLine\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
