package assistant_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sashabaranov/go-openai"
)

// llm is an OpenAI-compatible chat-completions double that answers each
// request with the next step of its script (the last step repeats), and
// keeps every request it received.
type llm struct {
	srv *httptest.Server

	mu     sync.Mutex
	script []step
	reqs   []openai.ChatCompletionRequest
}

// step is one scripted answer: a tool call, text, an HTTP error or a hang.
type step struct {
	calls      []openai.ToolCall
	text       string
	status     int           // non-zero: answer with this HTTP status
	retryAfter string        // with status 429
	hang       time.Duration // wait this long first (or until the client gives up)
	// onlyWithTools: when the request offers no tools, answer with text
	// "final answer" instead (a model told to answer now).
	onlyWithTools bool
}

func call(id, name, args string) openai.ToolCall {
	return openai.ToolCall{ID: id, Type: openai.ToolTypeFunction, Function: openai.FunctionCall{Name: name, Arguments: args}}
}

func newLLM(t *testing.T, script ...step) *llm {
	t.Helper()
	d := &llm{script: script}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *llm) serve(w http.ResponseWriter, r *http.Request) {
	var req openai.ChatCompletionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	n := len(d.reqs)
	d.reqs = append(d.reqs, req)
	s := d.script[min(n, len(d.script)-1)]
	d.mu.Unlock()
	if s.hang > 0 {
		select {
		case <-time.After(s.hang):
		case <-r.Context().Done():
			return
		}
	}
	if s.status != 0 {
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		w.WriteHeader(s.status)
		fmt.Fprintf(w, `{"error":{"message":"scripted %d","type":"rate_limit"}}`, s.status)
		return
	}
	msg := openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: s.text, ToolCalls: s.calls}
	if s.onlyWithTools && len(req.Tools) == 0 {
		msg = openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: "final answer"}
	}
	finish := openai.FinishReasonStop
	if len(msg.ToolCalls) > 0 {
		finish = openai.FinishReasonToolCalls
	}
	json.NewEncoder(w).Encode(openai.ChatCompletionResponse{
		ID: fmt.Sprint("r", n), Object: "chat.completion", Model: req.Model,
		Choices: []openai.ChatCompletionChoice{{Message: msg, FinishReason: finish}},
		Usage:   openai.Usage{PromptTokens: 100, CompletionTokens: 20, TotalTokens: 120},
	})
}

func (d *llm) requests() []openai.ChatCompletionRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]openai.ChatCompletionRequest(nil), d.reqs...)
}

// toolResults are the tool messages the model was sent, in order.
func (d *llm) toolResults() []string {
	reqs := d.requests()
	if len(reqs) == 0 {
		return nil
	}
	var out []string
	for _, m := range reqs[len(reqs)-1].Messages {
		if m.Role == openai.ChatMessageRoleTool {
			out = append(out, m.Content)
		}
	}
	return out
}
