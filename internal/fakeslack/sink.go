package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Post is one JSON body POSTed to a response_url.
type Post struct {
	// URL is the response_url posted to.
	URL string
	// Body is the raw JSON body.
	Body json.RawMessage
	// Message is Body decoded.
	Message ResponseMessage
	// At is when the post arrived, by the sink's Now.
	At time.Time
}

// ResponseMessage is the part of a response_url body the double understands.
type ResponseMessage struct {
	ResponseType    string          `json:"response_type"`    // "ephemeral" (also when empty) or "in_channel"
	Text            string          `json:"text"`             // text or notification fallback
	Blocks          json.RawMessage `json:"blocks"`           // Block Kit blocks, nil when none
	ReplaceOriginal bool            `json:"replace_original"` // replaces the message holding the button
	DeleteOriginal  bool            `json:"delete_original"`  // deletes that message
}

// ResponseSink is a response_url double: each URL it hands out accepts up
// to five JSON POSTs (Slack's limit; later ones get 404 used_url) and
// records them. Failures can be queued with FailNext.
type ResponseSink struct {
	srv *httptest.Server
	// Now stamps posts.
	Now func() time.Time

	mu      sync.Mutex
	changed chan struct{}
	n       int
	posts   []Post
	uses    map[string]int
	fails   []int // queued status codes, or -1 for a dropped connection
	hang    int   // number of next requests to hold until the client gives up
	noData  bool  // refuse data_visualization and data_table blocks
	refused int   // messages refused for those blocks
	done    chan struct{}
}

// NewResponseSink starts a response_url double closed when the test ends.
func NewResponseSink(t testing.TB) *ResponseSink {
	t.Helper()
	k := &ResponseSink{Now: time.Now, changed: make(chan struct{}), uses: map[string]int{}, done: make(chan struct{})}
	k.srv = httptest.NewServer(http.HandlerFunc(k.serve))
	t.Cleanup(func() {
		close(k.done)
		k.srv.CloseClientConnections()
		k.srv.Close()
	})
	return k
}

// URL returns a fresh response_url, shaped like Slack's hooks URLs.
func (k *ResponseSink) URL() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n++
	return fmt.Sprintf("%s/commands/%s/%d/hook%04d", k.srv.URL, TeamID, 1000+k.n, k.n)
}

// FailNext makes the next times requests answer with status (e.g. 500,
// 404); status -1 drops the connection instead.
func (k *ResponseSink) FailNext(status, times int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for range times {
		k.fails = append(k.fails, status)
	}
}

// HangNext makes the next times requests wait until the client gives up.
func (k *ResponseSink) HangNext(times int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.hang += times
}

// Posts returns every accepted post, oldest first.
func (k *ResponseSink) Posts() []Post {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.posts)
}

// PostsTo returns the accepted posts to one URL.
func (k *ResponseSink) PostsTo(url string) []Post {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []Post
	for _, p := range k.posts {
		if p.URL == url {
			out = append(out, p)
		}
	}
	return out
}

// Wait waits until at least n posts were accepted to url and returns them.
func (k *ResponseSink) Wait(url string, n int, timeout time.Duration) ([]Post, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		k.mu.Lock()
		ch := k.changed
		k.mu.Unlock()
		if got := k.PostsTo(url); len(got) >= n {
			return got, nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return k.PostsTo(url), fmt.Errorf("fakeslack: %d post(s) to %s wanted, %d within %s", n, url, len(k.PostsTo(url)), timeout)
		}
	}
}

func (k *ResponseSink) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	url := "http://" + r.Host + r.URL.Path
	k.mu.Lock()
	fail := 0
	if len(k.fails) > 0 {
		fail, k.fails = k.fails[0], k.fails[1:]
	}
	hang := k.hang > 0
	if hang {
		k.hang--
	}
	k.mu.Unlock()
	switch {
	case hang:
		select {
		case <-r.Context().Done():
		case <-k.done:
		}
		return
	case fail == -1:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
		return
	case fail != 0:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(fail)
		_, _ = fmt.Fprintf(w, `{"ok":false,"error":%q}`, strings.ReplaceAll(strings.ToLower(http.StatusText(fail)), " ", "_"))
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeStatusJSON(w, http.StatusBadRequest, errBody("invalid_payload"))
		return
	}
	var msg ResponseMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		writeStatusJSON(w, http.StatusBadRequest, errBody("invalid_payload"))
		return
	}
	if msg.Text == "" && len(msg.Blocks) == 0 && !msg.DeleteOriginal {
		writeStatusJSON(w, http.StatusBadRequest, errBody("no_text"))
		return
	}
	if k.refuses(msg.Blocks) {
		writeStatusJSON(w, http.StatusBadRequest, errBody("invalid_blocks"))
		return
	}
	k.mu.Lock()
	k.uses[url]++
	if k.uses[url] > 5 {
		k.mu.Unlock()
		writeStatusJSON(w, http.StatusNotFound, errBody("used_url"))
		return
	}
	k.posts = append(k.posts, Post{URL: url, Body: body, Message: msg, At: k.Now()})
	close(k.changed)
	k.changed = make(chan struct{})
	k.mu.Unlock()
	writeJSON(w, obj{"ok": true})
}

func writeStatusJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
