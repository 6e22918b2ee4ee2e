package kam

import (
	"net/url"
	"strings"
	"testing"
)

func TestCheckPermalink(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"", true},
		{"https://acme.slack.com/archives/C0123ABCD/p1741944600000100", true},
		{"https://acme-eu.enterprise.slack.com/archives/G0123ABCD/p1741944600000100", true},
		{"https://acme.slack.com/archives/D0123ABCD/p1741944600000100?thread_ts=1741944500.000100&cid=D0123ABCD", true},
		{"http://acme.slack.com/archives/C0123ABCD/p1741944600000100", false},
		{"https://slack.com/archives/C0123ABCD/p1741944600000100", false},
		{"https://acme.slack.com.evil.io/archives/C0123ABCD/p1741944600000100", false},
		{"https://acme.slack.com:8443/archives/C0123ABCD/p1741944600000100", false},
		{"https://acme.slack.com/archives/C0123ABCD/p1741944600000100#x", false},
		{"https://acme.slack.com/archives/C0123ABCD/p1741944600000100?redirect=https://evil.io", false},
		{"https://acme.slack.com/archives/C0123ABCD/p1741944600000100|click", false},
		{"https://acme.slack.com/archives/C0123ABCD/../../files/x", false},
		{"https://ac_me.slack.com/archives/C0123ABCD/p1741944600000100", false},
		{"javascript:alert(1)", false},
		{"https://acme.slack.com/archives/C0123ABCD/p" + strings.Repeat("1", 500), false},
	} {
		_, err := CheckPermalink(c.in)
		if (err == nil) != c.ok {
			t.Errorf("CheckPermalink(%q) = %v, want ok %v", c.in, err, c.ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("CheckPermalink(%q): code %s", c.in, ErrorCode(err))
		}
	}
}

// FuzzCheckPermalink: whatever is accepted is an https link to a message on
// a slack.com workspace, with nothing that could break out of a link in
// mrkdwn.
func FuzzCheckPermalink(f *testing.F) {
	for _, s := range []string{"https://acme.slack.com/archives/C0123ABCD/p1741944600000100",
		"https://a.slack.com/archives/C01/p1741944600?thread_ts=1.2&cid=C01", "https://x.slack.com/archives/C0A/p1234567890|<!here>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CheckPermalink(s)
		if err != nil || got == "" {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || u.Scheme != "https" || !strings.HasSuffix(u.Hostname(), ".slack.com") || !strings.HasPrefix(u.Path, "/archives/") {
			t.Fatalf("accepted %q", got)
		}
		if strings.ContainsAny(got, "<>| \n\t\"'`") {
			t.Fatalf("accepted %q, which could break out of a link", got)
		}
	})
}
