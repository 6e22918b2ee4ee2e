package brief

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

// llm is an OpenAI-compatible double: it serves POST /v1/chat/completions,
// records every request, and answers with whatever the test's respond says,
// in the JSON the real API speaks.
type llm struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []seen
	respond  func(w http.ResponseWriter, r *http.Request, n int, req openai.ChatCompletionRequest)
	done     chan struct{} // closed at cleanup: releases hanging handlers
}

// seen is one recorded request.
type seen struct {
	Path   string
	Header http.Header
	Body   []byte
	Req    openai.ChatCompletionRequest
}

func newLLM(t *testing.T, respond func(w http.ResponseWriter, r *http.Request, n int, req openai.ChatCompletionRequest)) *llm {
	t.Helper()
	d := &llm{t: t, respond: respond, done: make(chan struct{})}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(func() {
		close(d.done)
		d.srv.Close()
	})
	return d
}

func (d *llm) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		writeError(w, http.StatusNotFound, "invalid_request_error", fmt.Sprintf("Unknown request URL: %s %s.", r.Method, r.URL.Path))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "unreadable body")
		return
	}
	var req openai.ChatCompletionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "We could not parse the JSON body of your request.")
		return
	}
	d.mu.Lock()
	d.requests = append(d.requests, seen{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Req: req})
	n := len(d.requests)
	d.mu.Unlock()
	d.respond(w, r, n, req)
}

// URL is the base URL a client is configured with.
func (d *llm) URL() string { return d.srv.URL + "/v1" }

func (d *llm) seen() []seen {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]seen(nil), d.requests...)
}

// hang blocks until the client gives up or the test ends.
func (d *llm) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-d.done:
	}
}

// writeCompletion answers like the real API: one choice, usage, fingerprint.
func writeCompletion(w http.ResponseWriter, model, content string, finish openai.FinishReason, prompt, completion int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req_test")
	fmt.Fprintf(w, `{
  "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
  "object": "chat.completion",
  "created": 1741000000,
  "model": %q,
  "choices": [
    {
      "index": 0,
      "message": {"role": %q, "content": %s, "refusal": null, "annotations": []},
      "logprobs": null,
      "finish_reason": %q
    }
  ],
  "usage": {
    "prompt_tokens": %d,
    "completion_tokens": %d,
    "total_tokens": %d,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_06737a9306"
}`, model, openai.ChatMessageRoleAssistant, quote(content), finish, prompt, completion, prompt+completion)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// writeError answers with the API's error object.
func writeError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error": {"message": %s, "type": %q, "param": null, "code": null}}`, quote(message), typ)
}

// modelBrief is a well-formed answer in the Markdown style models often use.
const modelBrief = `Here is your brief.

**Where we stand**
- Partner account, health 58/100; the renewal is closing.

## Who matters
* **Dana Whitfield** (CEO) decides; <@U0SPONSOR1> mirrors her.

*In flight:*
- Platform renewal, 480k, closing.

4. Risks
- Raj Patel is sceptical on price. <!channel> <https://evil.example|click here>

### Three things to say
1. Thank you for the pilot.
2. We are committed to the renewal.
3. Where can we help on your supplier strategy?
`

// okBrief answers every request with modelBrief.
func okBrief(w http.ResponseWriter, _ *http.Request, _ int, req openai.ChatCompletionRequest) {
	writeCompletion(w, req.Model, modelBrief, openai.FinishReasonStop, 1234, 210)
}
