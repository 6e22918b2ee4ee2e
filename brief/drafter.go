package brief

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"
	openai "github.com/sashabaranov/go-openai"
)

// Defaults of Config.
const (
	DefaultModel   = "gpt-4o-mini"
	DefaultTimeout = 25 * time.Second // leaves room to deliver within Slack users' 30 s
	DefaultRetries = 2

	// NoKey, as the API key, enables the model for a server that needs no
	// key (a local Ollama or vLLM): no Authorization header is sent.
	NoKey = "none"
)

// Config configures a Drafter. The zero value drafts every text from the
// template.
type Config struct {
	APIKey      string           // OPENAI_API_KEY; "" disables the model, NoKey uses a keyless server
	BaseURL     string           // OPENAI_BASE_URL; "" is OpenAI's. A URL without a path gets /v1.
	Model       string           // OPENAI_MODEL; DefaultModel when ""
	Timeout     time.Duration    // overall deadline for the model, retries included; DefaultTimeout when ≤ 0
	InputBudget int              // prompt size in estimated tokens; DefaultInputBudget when ≤ 0, at least MinInputBudget
	MaxRetries  int              // retries after a 429, 5xx or refused connection; DefaultRetries when 0, none when < 0
	Logger      *slog.Logger     // discarded when nil
	Metrics     *metrics.Set     // where the drafter counts briefs; shared by drafters on one set; nil counts nothing
	Now         func() time.Time // the clock for facts without Now; time.Now when nil
}

// Drafter drafts briefs, digest summaries and plan review notes with a
// language model, falling back to the template. It is safe for concurrent use.
type Drafter struct {
	client  *openai.Client // nil: the model is disabled
	model   string
	timeout time.Duration
	budget  int
	retries int
	log     *slog.Logger
	m       *meters
	now     func() time.Time
	// sleep waits between attempts; tests replace it to record the waits
	// instead of spending them.
	sleep func(ctx context.Context, d time.Duration) error

	// backoff is the first retry's wait without Retry-After; it doubles.
	backoff time.Duration
}

// Retry waits without a Retry-After header.
const (
	firstBackoff = 500 * time.Millisecond
	maxBackoff   = 8 * time.Second
)

// New returns a Drafter for cfg.
func New(cfg Config) *Drafter {
	d := &Drafter{
		model:   strings.TrimSpace(cfg.Model),
		timeout: cfg.Timeout,
		budget:  cfg.InputBudget,
		retries: cfg.MaxRetries,
		log:     cfg.Logger,
		m:       newMetrics(cfg.Metrics),
		now:     cfg.Now,
		backoff: firstBackoff,
		sleep:   sleep,
	}
	if d.model == "" {
		d.model = DefaultModel
	}
	if d.timeout <= 0 {
		d.timeout = DefaultTimeout
	}
	switch {
	case d.budget <= 0:
		d.budget = DefaultInputBudget
	case d.budget < MinInputBudget:
		d.budget = MinInputBudget
	}
	switch {
	case d.retries == 0:
		d.retries = DefaultRetries
	case d.retries < 0:
		d.retries = 0
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		d.now = time.Now
	}
	key := strings.TrimSpace(cfg.APIKey)
	if key == "" {
		return d
	}
	if key == NoKey {
		key = "" // go-openai sends no Authorization header for an empty key
	}
	oc := openai.DefaultConfig(key)
	if base := normalizeBaseURL(cfg.BaseURL); base != "" {
		oc.BaseURL = base
	}
	// go-openai has no timeout of its own: every call carries a context
	// deadline, and the client's timeouts stop a server that stalls below it.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = d.timeout
	tr.TLSHandshakeTimeout = min(10*time.Second, d.timeout)
	oc.HTTPClient = &http.Client{Transport: tr, Timeout: d.timeout + time.Second}
	d.client = openai.NewClientWithConfig(oc)
	return d
}

// normalizeBaseURL trims the URL and gives a bare host the /v1 path that
// OpenAI-compatible servers (Ollama, vLLM, LM Studio) serve the API under.
func normalizeBaseURL(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil && u.Host != "" && u.Path == "" {
		s += "/v1"
	}
	return s
}

// Enabled reports whether a model is configured.
func (d *Drafter) Enabled() bool { return d.client != nil }

// Model is the configured model name.
func (d *Drafter) Model() string { return d.model }

// Brief drafts the one-screen brief of f's account: Where we stand, Who
// matters, In flight, Risks, Three things to say. It returns within the
// configured timeout plus the time the template takes, whatever the model does.
func (d *Drafter) Brief(ctx context.Context, f Facts) Result { return d.draft(ctx, f, KindBrief) }

// Summary drafts two sentences on the account for the weekly digest.
func (d *Drafter) Summary(ctx context.Context, f Facts) Result { return d.draft(ctx, f, KindSummary) }

// ReviewNote drafts a note for the account plan review: Progress, Behind
// plan, Relationships, Proposed next steps.
func (d *Drafter) ReviewNote(ctx context.Context, f Facts) Result { return d.draft(ctx, f, KindReview) }

// Template lays out kind k from the facts by the deterministic template
// without calling the model, recording reason (one of the Reason
// constants) as why: the caller's way to answer in time when the facts
// themselves were slow to gather. It is counted and logged like a
// fallback of Brief, Summary or ReviewNote.
func (d *Drafter) Template(f Facts, k Kind, reason string) Result {
	start := time.Now()
	if f.Now.IsZero() {
		f.Now = d.now()
	}
	return d.finish(&f, safeFallback(&f, k, reason), start)
}

func (d *Drafter) draft(ctx context.Context, f Facts, k Kind) (res Result) {
	start := time.Now()
	if f.Now.IsZero() {
		f.Now = d.now()
	}
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("brief: drafting failed", "kind", k, "team_id", f.Account.TeamID, "account_id", f.Account.ID, "panic", fmt.Sprint(p))
			res = d.finish(&f, safeFallback(&f, k, ReasonInternal), start)
		}
	}()
	if n := f.foreignRecords(); n > 0 {
		d.log.Warn("brief: ignoring records of other accounts", "kind", k, "team_id", f.Account.TeamID, "account_id", f.Account.ID, "records", n)
	}
	if d.client == nil {
		return d.finish(&f, fallback(&f, k, ReasonDisabled, d.now), start)
	}

	p := buildPrompt(&f, d.budget, k, d.now)
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	ans, reason := d.complete(ctx, p, k, f.Account.TeamID, f.Requester)

	var sections []Section
	if reason == "" {
		sections, reason = parseAnswer(k, ans.text)
		if reason != "" && ans.finish == openai.FinishReasonLength {
			reason = ReasonTruncated
		}
	}
	if reason != "" {
		r := fallback(&f, k, reason, d.now)
		r.Attempts, r.PromptTokens, r.CompletionTokens = ans.attempts, ans.promptTokens, ans.completionTokens
		return d.finish(&f, r, start)
	}
	r := Result{
		Kind:             k,
		Title:            title(k, f.Account.Name),
		Sections:         sections,
		ByModel:          true,
		Model:            d.model,
		Period:           p.Period,
		PromptTokens:     ans.promptTokens,
		CompletionTokens: ans.completionTokens,
		Attempts:         ans.attempts,
	}
	r.Note = sourceNote(k, p.Period, p.Interactions, p.InteractionsTotal, d.model, "")
	r.Text = compose(&r)
	if ans.promptTokens > p.Budget {
		// The estimate undercounted for this model's tokenizer: worth knowing.
		d.log.Warn("brief: prompt exceeded the input budget", "kind", k, "account_id", f.Account.ID, "budget", p.Budget, "estimated", p.Tokens, "prompt_tokens", ans.promptTokens)
	}
	return d.finish(&f, r, start)
}

// finish records the result's latency, metrics and log line. The log holds
// identifiers and numbers only, never text from the account.
func (d *Drafter) finish(f *Facts, r Result, start time.Time) Result {
	r.Latency = time.Since(start)
	d.m.observe(&r)
	source := "model"
	if !r.ByModel {
		source = "fallback"
	}
	d.log.Info("brief: delivered",
		"kind", r.Kind,
		"team_id", f.Account.TeamID,
		"account_id", f.Account.ID,
		"source", source,
		"reason", r.FallbackReason,
		"model", r.Model,
		"attempts", r.Attempts,
		"prompt_tokens", r.PromptTokens,
		"completion_tokens", r.CompletionTokens,
		"latency_ms", r.Latency.Milliseconds(),
	)
	return r
}

// safeFallback is the template, or if even that fails, a short text that
// still says what happened: never an empty answer.
func safeFallback(f *Facts, k Kind, reason string) (r Result) {
	defer func() {
		if recover() != nil {
			r = Result{Kind: k, Title: title(k, f.Account.Name), FallbackReason: reason}
			r.Period = Period{From: f.Now, To: f.Now}
			r.Note = "template, " + FallbackMarker
			r.Sections = []Section{{Title: sectionTitles(k)[0], Body: "This text could not be prepared from the account's records. Try again in a minute, or see `/kam show` for the account card."}}
			r.Text = compose(&r)
		}
	}()
	return fallback(f, k, reason, time.Now)
}

// answer is what the model returned, with what it cost.
type answer struct {
	text             string
	finish           openai.FinishReason
	attempts         int
	promptTokens     int
	completionTokens int
}

// outputTokens caps each kind's answer.
func outputTokens(k Kind) int {
	switch k {
	case KindSummary:
		return 200
	case KindReview:
		return 900
	}
	return 900
}

// request builds the chat-completion request for p.
func (d *Drafter) request(p Prompt, k Kind, teamID, requester string) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model: d.model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: p.System},
			{Role: openai.ChatMessageRoleUser, Content: p.User},
		},
		Temperature: 0.2, // factual, little variation between runs
		// max_tokens rather than max_completion_tokens: every
		// OpenAI-compatible server understands it.
		//lint:ignore SA1019 deprecated only for OpenAI's reasoning models, which get MaxCompletionTokens below
		MaxTokens: outputTokens(k),
	}
	if requester != "" {
		// OpenAI's abuse monitoring asks for a stable end-user ID; a hash
		// tells it apart without revealing who it is.
		sum := sha256.Sum256([]byte(teamID + "/" + requester))
		req.User = "kambot-" + hex.EncodeToString(sum[:8])
	}
	if openai.NewReasoningValidator().Validate(req) != nil {
		// Reasoning models (o-series, gpt-5…) refuse max_tokens and a
		// temperature; their budget also covers the reasoning.
		//lint:ignore SA1019 clearing the field every other server still reads
		req.MaxTokens, req.Temperature = 0, 0
		req.MaxCompletionTokens = 4 * outputTokens(k)
	}
	return req
}

// complete asks the model, retrying 429 and 5xx answers and refused
// connections with backoff while the deadline allows. A reason is returned
// when no usable text came back.
func (d *Drafter) complete(ctx context.Context, p Prompt, k Kind, teamID, requester string) (answer, string) {
	req := d.request(p, k, teamID, requester)
	var ans answer
	for {
		ans.attempts++
		resp, err := d.client.CreateChatCompletion(ctx, req)
		if err == nil {
			ans.promptTokens = resp.Usage.PromptTokens
			if ans.promptTokens == 0 {
				ans.promptTokens = p.Tokens
			}
			if len(resp.Choices) == 0 {
				return ans, ReasonEmptyResponse
			}
			c := resp.Choices[0]
			ans.text, ans.finish = c.Message.Content, c.FinishReason
			ans.completionTokens = resp.Usage.CompletionTokens
			if ans.completionTokens == 0 {
				ans.completionTokens = EstimateTokens(ans.text)
			}
			if strings.TrimSpace(ans.text) == "" {
				return ans, ReasonEmptyResponse
			}
			return ans, ""
		}
		reason, retry := classify(ctx, err)
		d.log.Debug("brief: model request failed", "kind", k, "attempt", ans.attempts, "reason", reason, "error", err.Error())
		if !retry || ans.attempts > d.retries {
			return ans, reason
		}
		wait := retryAfter(resp.Header(), time.Now())
		if wait < 0 {
			wait = d.backoffFor(ans.attempts)
		}
		// Wait only if a new attempt still has a fair chance before the
		// deadline; otherwise fall back now rather than at the deadline.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline)-wait < minAttempt(d.timeout) {
			return ans, reason
		}
		d.m.retried(reason)
		if err := d.sleep(ctx, wait); err != nil {
			r, _ := classify(ctx, err)
			return ans, r
		}
	}
}

// sleep waits d, or until ctx ends and returns its error.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// minAttempt is the least time worth a new attempt: a tenth of the deadline,
// at most 2 s.
func minAttempt(timeout time.Duration) time.Duration { return min(timeout/10, 2*time.Second) }

// backoffFor is the wait before retry n (1, 2, …): doubling from the first
// backoff, capped, with jitter so that many briefs do not retry in step.
func (d *Drafter) backoffFor(n int) time.Duration {
	w := d.backoff << (n - 1)
	if w > maxBackoff || w <= 0 {
		w = maxBackoff
	}
	return w/2 + rand.N(w/2+1)
}

// retryAfter reads how long the server asks to wait: OpenAI's
// retry-after-ms, or Retry-After in seconds or as an HTTP date. It returns
// −1 when the server says nothing usable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return -1
	}
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return -1
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}

// classify names the failure and says whether trying again may help.
func classify(ctx context.Context, err error) (reason string, retry bool) {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return ReasonCanceled, false
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout, false
	}
	status := 0
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	}
	switch {
	case status == http.StatusTooManyRequests:
		return ReasonRateLimited, true
	case status == http.StatusRequestTimeout, status >= 500:
		return ReasonServerError, true
	case status != 0:
		return ReasonHTTPError, false
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return ReasonBadResponse, false
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return ReasonTimeout, false
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// A malformed base URL will not mend by itself; a refused
		// connection may (a server restarting).
		return ReasonUnreachable, urlErr.Op != "parse"
	}
	return ReasonBadResponse, false
}
