package kam

import (
	"net/url"
	"regexp"
	"strings"
)

// MaxPermalinkLen bounds a stored message link; Slack's are under 200.
const MaxPermalinkLen = 500

// permalinkPath is a message link's path: /archives/<conversation>/p<ts digits>.
var permalinkPath = regexp.MustCompile(`^/archives/[CDG][A-Z0-9]{2,}/p[0-9]{10,20}$`)

// CheckPermalink accepts only a link to a Slack message
// (https://<workspace>.slack.com/archives/C…/p…, with an optional
// thread_ts and cid), so that an interaction never links to anything else;
// empty is allowed (no link).
func CheckPermalink(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := func() (string, error) {
		e := ErrInvalid(EntityInteraction, "permalink", ReasonMalformed)
		return "", e
	}
	if len(s) > MaxPermalinkLen {
		return bad()
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Fragment != "" || u.Port() != "" {
		return bad()
	}
	host := strings.ToLower(u.Hostname())
	if !strings.HasSuffix(host, ".slack.com") || !validLabels(strings.TrimSuffix(host, ".slack.com")) {
		return bad()
	}
	if !permalinkPath.MatchString(u.EscapedPath()) {
		return bad()
	}
	for k, vs := range u.Query() {
		if (k != "thread_ts" && k != "cid") || len(vs) != 1 || !threadParam.MatchString(vs[0]) {
			return bad()
		}
	}
	return s, nil
}

var threadParam = regexp.MustCompile(`^[A-Z0-9.]{1,40}$`)

// validLabels accepts workspace subdomains: "acme", "acme-eu", "acme.enterprise".
func validLabels(s string) bool {
	if s == "" {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}
