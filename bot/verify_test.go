package bot

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
)

func TestSignatureMatrix(t *testing.T) {
	body := fakeslack.SlashForm(slack.SlashCommand{Text: "log acme call Renewal talk"})
	big := append(bytes.Repeat([]byte("x"), DefaultMaxBody), body...)

	signed := func(sec string, ts time.Time, b []byte) func() *http.Request {
		return func() *http.Request { return fakeslack.SignedRequest(sec, ts, "/slack/commands", b) }
	}
	tests := []struct {
		name string
		req  func() *http.Request
		code int
	}{
		{"OK", signed(secret, testNow, body), http.StatusOK},
		{"OKPreviousSecret", signed(prevSecret, testNow, body), http.StatusOK},
		{"OKClockSkewWithinWindow", signed(secret, testNow.Add(-4*time.Minute), body), http.StatusOK},
		{"OKUpperCaseHex", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Header.Set("X-Slack-Signature", "v0="+strings.ToUpper(strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0=")))
			return r
		}, http.StatusOK},
		{"ErrUnknownSecret", signed("not-the-secret", testNow, body), http.StatusUnauthorized},
		{"ErrBadSignature", func() *http.Request {
			r := signed(secret, testNow, body)()
			sig := []byte(r.Header.Get("X-Slack-Signature"))
			sig[10] ^= 1
			r.Header.Set("X-Slack-Signature", string(sig))
			return r
		}, http.StatusUnauthorized},
		{"ErrBodyTampered", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte("Renewal"), []byte("Renewed"), 1)))
			return r
		}, http.StatusUnauthorized},
		{"ErrTimestampNotSigned", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Header.Set("X-Slack-Request-Timestamp", "1741944414") // another time, same signature
			return r
		}, http.StatusUnauthorized},
		{"ErrMissingSignature", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"ErrMissingTimestamp", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"ErrNoHeaders", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, "/slack/commands", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, http.StatusUnauthorized},
		{"ErrStaleTimestamp", signed(secret, testNow.Add(-5*time.Minute-time.Second), body), http.StatusUnauthorized},
		{"ErrFutureTimestamp", signed(secret, testNow.Add(5*time.Minute+time.Second), body), http.StatusUnauthorized},
		{"ErrGarbageTimestamp", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Header.Set("X-Slack-Request-Timestamp", "yesterday")
			return r
		}, http.StatusUnauthorized},
		{"ErrNoVersionPrefix", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Header.Set("X-Slack-Signature", strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0="))
			return r
		}, http.StatusUnauthorized},
		{"ErrShortSignature", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Header.Set("X-Slack-Signature", r.Header.Get("X-Slack-Signature")[:40])
			return r
		}, http.StatusUnauthorized},
		{"ErrOversizedBody", signed(secret, testNow, big), http.StatusRequestEntityTooLarge},
		{"ErrOversizedBodyUnknownLength", func() *http.Request {
			r := signed(secret, testNow, big)()
			r.ContentLength = -1
			r.Body = io.NopCloser(bytes.NewReader(big))
			return r
		}, http.StatusRequestEntityTooLarge},
		{"ErrGetMethod", func() *http.Request {
			r := signed(secret, testNow, body)()
			r.Method = http.MethodGet
			return r
		}, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, nil)
			w := s.do(tt.req())
			if w.Code != tt.code {
				t.Fatalf("status %d, want %d (body %q)", w.Code, tt.code, w.Body.String())
			}
			calls := len(s.engine.requests())
			fails := metric(t, s.reg, "kambot_signature_failures_total", nil)
			if tt.code == http.StatusOK {
				if calls != 1 {
					t.Errorf("engine called %d times, want 1", calls)
				}
				if fails != 0 {
					t.Errorf("signature failures = %v, want 0", fails)
				}
				return
			}
			if calls != 0 {
				t.Errorf("engine called %d times for a refused request", calls)
			}
			if tt.code == http.StatusUnauthorized && fails != 1 {
				t.Errorf("signature failures = %v, want 1", fails)
			}
		})
	}
}

// Every /slack/* endpoint is behind the signature check.
func TestSignatureRequiredOnEveryEndpoint(t *testing.T) {
	events := newFakeEvents()
	s := newTestServer(t, func(c *HTTPConfig) { c.Events = events })
	bodies := map[string][]byte{
		"/slack/commands":     fakeslack.SlashForm(slack.SlashCommand{Text: "help"}),
		"/slack/interactions": fakeslack.InteractionForm(fakeslack.BlockActions("U1", "C1", "", "a", "v")),
		"/slack/events":       []byte(`{"type":"url_verification","challenge":"abc"}`),
	}
	for path, body := range bodies {
		w := s.do(fakeslack.SignedRequest("wrong", testNow, path, body))
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s with a bad signature: status %d, want 401", path, w.Code)
		}
		if strings.Contains(w.Body.String(), "abc") {
			t.Errorf("%s echoed the challenge without a valid signature", path)
		}
	}
	if n := len(s.engine.requests()) + len(s.engine.callbacks()) + events.count(); n != 0 {
		t.Errorf("%d calls reached the engine", n)
	}
}

func TestNewVerifier(t *testing.T) {
	if _, err := NewVerifier(nil); err == nil {
		t.Error("no secret: want an error")
	}
	if _, err := NewVerifier(nil, secret, ""); err == nil {
		t.Error("empty previous secret: want an error")
	}
	v, err := NewVerifier(func() time.Time { return testNow }, secret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("a=b")
	ts, sig := fakeslack.Sign(secret, testNow, body)
	if err := v.Verify(ts, sig, body); err != nil {
		t.Errorf("good signature: %v", err)
	}
	for _, tt := range []struct {
		ts, sig string
		want    error
	}{
		{"", sig, ErrMissingSignature},
		{ts, "", ErrMissingSignature},
		{"12x", sig, ErrBadTimestamp},
		{"1", sig, ErrStaleTimestamp},
		{ts, "v0=zz" + sig[5:], ErrBadSignature},
		{ts, "v1=" + sig[3:], ErrBadSignature},
	} {
		if err := v.Verify(tt.ts, tt.sig, body); !errors.Is(err, tt.want) {
			t.Errorf("Verify(%q, %q) = %v, want %v", tt.ts, tt.sig, err, tt.want)
		}
	}
}

// The hand-written verifier agrees with slack-go's on the same inputs.
func TestVerifierAgreesWithSlackGo(t *testing.T) {
	v, err := NewVerifier(time.Now, secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, body := range [][]byte{nil, []byte("x"), fakeslack.SlashForm(slack.SlashCommand{Text: "log acme call ünïcode & more"})} {
		for _, sec := range []string{secret, "other"} {
			ts, sig := fakeslack.Sign(sec, now, body)
			h := http.Header{}
			h.Set("X-Slack-Request-Timestamp", ts)
			h.Set("X-Slack-Signature", sig)
			sv, err := slack.NewSecretsVerifier(h, secret)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = sv.Write(body)
			theirs := sv.Ensure() == nil
			ours := v.Verify(ts, sig, body) == nil
			if theirs != ours {
				t.Errorf("body %q secret %q: slack-go ok=%v, ours ok=%v", body, sec, theirs, ours)
			}
		}
	}
}

func BenchmarkVerifyOnly(b *testing.B) {
	v, err := NewVerifier(time.Now, secret)
	if err != nil {
		b.Fatal(err)
	}
	body := fakeslack.SlashForm(slack.SlashCommand{Text: "log acme call Call 123 about renewal terms with the buyer", ResponseURL: "https://hooks.slack.com/commands/T1/2/abc"})
	ts, sig := fakeslack.Sign(secret, time.Now(), body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := v.Verify(ts, sig, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySlackGo is the same check with slack.NewSecretsVerifier,
// the reference the hand-written verifier must beat.
func BenchmarkVerifySlackGo(b *testing.B) {
	body := fakeslack.SlashForm(slack.SlashCommand{Text: "log acme call Call 123 about renewal terms with the buyer", ResponseURL: "https://hooks.slack.com/commands/T1/2/abc"})
	ts, sig := fakeslack.Sign(secret, time.Now(), body)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", sig)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		sv, err := slack.NewSecretsVerifier(h, secret)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = sv.Write(body)
		if err := sv.Ensure(); err != nil {
			b.Fatal(err)
		}
	}
}
