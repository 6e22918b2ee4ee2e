// Package fakeslack provides Slack doubles for tests that speak Slack's real
// wire format: a Web API server (form and JSON methods, tokens, ok/error
// envelopes, 429 with Retry-After), a Socket Mode websocket server, a
// response_url sink, and functions that build Slack-signed requests. Point the
// real slack-go client at it with slack.OptionAPIURL(srv.URL()).
package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// Identity of the workspace and app the double pretends to be.
const (
	TeamID    = "T0KAMBOT1"
	TeamName  = "kambot-test"
	AppID     = "A0KAMBOT1"
	BotID     = "B0KAMBOT1"
	BotUserID = "U0KAMBOT1"
)

// Call is one Web API request the double received.
type Call struct {
	// Method is the Web API method, e.g. "chat.postMessage".
	Method string
	// Token is the bearer token, or the form's token field.
	Token string
	// Form holds a form-encoded body's fields (nil for JSON bodies).
	Form url.Values
	// JSON holds a JSON body (nil for form bodies).
	JSON json.RawMessage
	// At is when the call arrived, by the server's Now.
	At time.Time
}

// Message is a message stored by chat.postMessage.
type Message struct {
	Channel  string          // conversation ID (a DM's D… for a post to a user)
	TS       string          // Slack's seconds.microseconds timestamp
	ThreadTS string          // parent's ts for a reply in a thread
	Text     string          // text as posted
	Blocks   json.RawMessage // as posted; nil when none
	Metadata json.RawMessage // {"event_type":…,"event_payload":…}; nil when none
}

// View is a view sent through views.open, views.push or views.publish.
type View struct {
	ID        string          // assigned by the double, V…
	TriggerID string          // views.open and views.push
	Pushed    bool            // views.push: over the modal the user has open
	UserID    string          // views.publish
	Hash      string          // views.publish
	View      json.RawMessage // the view as sent
}

// Server is a Slack Web API double on 127.0.0.1. It is safe for concurrent use.
type Server struct {
	t    testing.TB
	srv  *httptest.Server
	done chan struct{} // closed at cleanup: ends hanging requests

	// Now stamps message timestamps; set it before the first call.
	Now func() time.Time

	mu       sync.Mutex
	calls    []Call
	faults   map[string][]*fault
	messages map[string][]Message
	users    map[string]slack.User
	views    []View
	seq      int64
	socket   *Socket

	files     map[string]*File // external uploads by file ID
	fileOrder []string
	noData    bool // refuse data_visualization and data_table blocks
}

// New starts a Web API double that is closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		done:     make(chan struct{}),
		Now:      time.Now,
		faults:   map[string][]*fault{},
		messages: map[string][]Message{},
		users:    map[string]slack.User{},
	}
	s.socket = newSocket(s)
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// URL is the Web API base URL, ending in "/" as slack.OptionAPIURL needs.
func (s *Server) URL() string { return s.srv.URL + "/" }

// Client returns a slack-go client for token pointed at the double.
func (s *Server) Client(token string, opts ...slack.Option) *slack.Client {
	return slack.New(token, append([]slack.Option{slack.OptionAPIURL(s.URL())}, opts...)...)
}

// Close ends hanging requests, drops socket connections and stops the server.
// It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
		close(s.done)
	}
	s.mu.Unlock()
	s.socket.closeAll()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Calls returns every call received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the calls of one method, oldest first.
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the messages posted to a channel, oldest first.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages[channel])
}

// AddMessage stores a message as if it had been posted earlier, for
// conversations.history; TS is assigned when empty.
func (s *Server) AddMessage(m Message) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.TS == "" {
		m.TS = s.nextTSLocked()
	}
	s.messages[m.Channel] = append(s.messages[m.Channel], m)
	return m
}

// Views returns the views opened or published so far, oldest first.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.views)
}

// AddUser makes users.info and conversations.open know the user. ID is
// required; a user with Deleted set is returned as deactivated.
func (s *Server) AddUser(u slack.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.TeamID == "" {
		u.TeamID = TeamID
	}
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	s.users[u.ID] = u
}

// Fault is a misbehaviour a method can be told to show.
type Fault struct {
	kind       string
	status     int
	retryAfter int
	code       string
}

// RateLimited answers 429 with a Retry-After header in whole seconds.
func RateLimited(retryAfter time.Duration) Fault {
	return Fault{kind: "ratelimit", retryAfter: int(retryAfter / time.Second)}
}

// Status answers with the HTTP status code and an HTML body, as Slack's
// edge does for 5xx.
func Status(code int) Fault { return Fault{kind: "status", status: code} }

// Error answers 200 {"ok":false,"error":code}.
func Error(code string) Fault { return Fault{kind: "error", code: code} }

// Hang never answers: the request ends when the client gives up.
func Hang() Fault { return Fault{kind: "hang"} }

// Drop closes the connection without answering.
func Drop() Fault { return Fault{kind: "drop"} }

type fault struct {
	Fault
	left int // < 0: forever
}

// Fail makes the next times calls of method show f (times <= 0: every call
// until ClearFaults). Faults queue up in the order they were added.
func (s *Server) Fail(method string, f Fault, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if times <= 0 {
		times = -1
	}
	s.faults[method] = append(s.faults[method], &fault{Fault: f, left: times})
}

// ClearFaults makes every method behave again.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*fault{}
}

func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	if f.left > 0 {
		f.left--
		if f.left == 0 {
			s.faults[method] = q[1:]
		}
	}
	return f.Fault, true
}

// ServeHTTP answers Web API methods under /{method} and the Socket Mode
// websocket under /link/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/link/") {
		s.socket.serveWS(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/upload/") {
		s.serveUpload(w, r)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/")
	call, err := readCall(r, method)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	call.At = s.Now()
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()

	if f, ok := s.takeFault(method); ok {
		s.misbehave(w, r, f)
		return
	}
	if call.Token == "" {
		writeJSON(w, errBody("not_authed"))
		return
	}
	h, ok := s.methods()[method]
	if !ok {
		writeJSON(w, errBody("unknown_method"))
		return
	}
	writeJSON(w, h(call))
}

func (s *Server) misbehave(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f.kind {
	case "ratelimit":
		w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
	case "status":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.status)
		_, _ = fmt.Fprintf(w, "<html><body>%d %s</body></html>", f.status, http.StatusText(f.status))
	case "error":
		writeJSON(w, errBody(f.code))
	case "hang":
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case "drop":
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("fakeslack: response writer cannot hijack")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
}

// readCall decodes a Web API request the way Slack accepts it: a form body
// (token in the form or as a bearer token) or a JSON body with a bearer token.
func readCall(r *http.Request, method string) (Call, error) {
	c := Call{Method: method}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		c.Token = strings.TrimPrefix(auth, "Bearer ")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return c, fmt.Errorf("read body: %w", err)
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if len(body) > 0 && !json.Valid(body) {
			return c, fmt.Errorf("invalid JSON body")
		}
		c.JSON = body
		return c, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return c, fmt.Errorf("parse form: %w", err)
	}
	for k, v := range r.URL.Query() {
		form[k] = append(form[k], v...)
	}
	c.Form = form
	if t := form.Get("token"); t != "" && c.Token == "" {
		c.Token = t
	}
	return c, nil
}

// param reads a parameter from either body kind.
func (c Call) param(name string) string {
	if c.Form != nil {
		return c.Form.Get(name)
	}
	var m map[string]any
	if json.Unmarshal(c.JSON, &m) != nil {
		return ""
	}
	switch v := m[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

type obj = map[string]any

func errBody(code string) obj { return obj{"ok": false, "error": code} }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) methods() map[string]func(Call) obj {
	m := map[string]func(Call) obj{
		"auth.test":              s.authTest,
		"chat.postMessage":       s.postMessage,
		"conversations.history":  s.history,
		"conversations.open":     s.openConversation,
		"users.info":             s.userInfo,
		"views.open":             s.viewsOpen,
		"views.push":             s.viewsPush,
		"views.publish":          s.viewsPublish,
		"apps.connections.open":  s.connectionsOpen,
		"chat.postEphemeral":     s.postEphemeral,
		"chat.update":            s.chatUpdate,
		"chat.delete":            s.chatDelete,
		"conversations.info":     s.conversationInfo,
		"users.lookupByEmail":    func(Call) obj { return errBody("users_not_found") },
		"apps.connections.close": func(Call) obj { return obj{"ok": true} },

		"files.getUploadURLExternal":   s.getUploadURL,
		"files.completeUploadExternal": s.completeUpload,
	}
	s.addAssistantMethods(m)
	return m
}

func (s *Server) authTest(c Call) obj {
	if strings.HasPrefix(c.Token, "xapp-") {
		return errBody("not_allowed_token_type")
	}
	return obj{"ok": true, "url": "https://" + TeamName + ".slack.com/", "team": TeamName,
		"user": "kambot", "team_id": TeamID, "user_id": BotUserID, "bot_id": BotID,
		"is_enterprise_install": false}
}

func (s *Server) nextTSLocked() string {
	s.seq++
	now := s.Now()
	return fmt.Sprintf("%d.%06d", now.Unix(), s.seq%1000000)
}

func (s *Server) postMessage(c Call) obj {
	channel := c.param("channel")
	text, blocks, metadata := c.param("text"), c.param("blocks"), c.param("metadata")
	if channel == "" {
		return errBody("channel_not_found")
	}
	if text == "" && (blocks == "" || blocks == "[]") {
		return errBody("no_text")
	}
	if blocks != "" && (!json.Valid([]byte(blocks)) || s.refusesBlocks(blocks)) {
		return errBody("invalid_blocks")
	}
	if isUser(channel) { // Slack posts to the user's DM with the app
		s.mu.Lock()
		_, known := s.users[channel]
		s.mu.Unlock()
		if !known {
			return errBody("channel_not_found")
		}
		channel = dmID(channel)
	}
	if metadata != "" && !json.Valid([]byte(metadata)) {
		return errBody("invalid_metadata_format")
	}
	s.mu.Lock()
	m := Message{Channel: channel, TS: s.nextTSLocked(), ThreadTS: c.param("thread_ts"), Text: text}
	if blocks != "" {
		m.Blocks = json.RawMessage(blocks)
	}
	if metadata != "" {
		m.Metadata = json.RawMessage(metadata)
	}
	s.messages[channel] = append(s.messages[channel], m)
	s.mu.Unlock()
	return obj{"ok": true, "channel": channel, "ts": m.TS, "message": messageJSON(m, true)}
}

func (s *Server) postEphemeral(c Call) obj {
	if c.param("channel") == "" || c.param("user") == "" {
		return errBody("channel_not_found")
	}
	s.mu.Lock()
	ts := s.nextTSLocked()
	s.mu.Unlock()
	return obj{"ok": true, "message_ts": ts}
}

func (s *Server) chatUpdate(c Call) obj {
	channel, ts := c.param("channel"), c.param("ts")
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.messages[channel]
	for i := range msgs {
		if msgs[i].TS == ts {
			msgs[i].Text = c.param("text")
			if b := c.param("blocks"); b != "" {
				msgs[i].Blocks = json.RawMessage(b)
			}
			return obj{"ok": true, "channel": channel, "ts": ts, "text": msgs[i].Text}
		}
	}
	return errBody("message_not_found")
}

func messageJSON(m Message, withMetadata bool) obj {
	o := obj{"type": "message", "user": BotUserID, "bot_id": BotID, "app_id": AppID,
		"text": m.Text, "ts": m.TS, "team": TeamID}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
	}
	if m.Blocks != nil {
		o["blocks"] = m.Blocks
	}
	if withMetadata && m.Metadata != nil {
		o["metadata"] = m.Metadata
	}
	return o
}

func tsValue(ts string) float64 {
	f, _ := strconv.ParseFloat(ts, 64)
	return f
}

func isUser(id string) bool { return len(id) > 1 && (id[0] == 'U' || id[0] == 'W') }

// dmID is the ID of the app's DM with a user.
func dmID(user string) string { return "D" + user[1:] }

func (s *Server) history(c Call) obj {
	channel := c.param("channel")
	if channel == "" || isUser(channel) {
		return errBody("channel_not_found")
	}
	limit, _ := strconv.Atoi(c.param("limit"))
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	inclusive := c.param("inclusive") == "1" || c.param("inclusive") == "true"
	oldest, latest := c.param("oldest"), c.param("latest")
	withMeta := c.param("include_all_metadata") == "1" || c.param("include_all_metadata") == "true"

	skip := 0 // the cursor is the number of matching messages already returned
	if cur := c.param("cursor"); cur != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cur, "cursor:"))
		if err != nil || n < 0 {
			return errBody("invalid_cursor")
		}
		skip = n
	}

	s.mu.Lock()
	msgs := slices.Clone(s.messages[channel])
	s.mu.Unlock()
	out := []obj{}
	hasMore := false
	seen := 0
	for i := len(msgs) - 1; i >= 0; i-- { // newest first, like Slack
		m := msgs[i]
		v := tsValue(m.TS)
		if oldest != "" && (v < tsValue(oldest) || (!inclusive && v == tsValue(oldest))) {
			continue
		}
		if latest != "" && (v > tsValue(latest) || (!inclusive && v == tsValue(latest))) {
			continue
		}
		if seen++; seen <= skip {
			continue
		}
		if len(out) == limit {
			hasMore = true
			break
		}
		out = append(out, messageJSON(m, withMeta))
	}
	next := ""
	if hasMore {
		next = fmt.Sprintf("cursor:%d", skip+len(out))
	}
	return obj{"ok": true, "messages": out, "has_more": hasMore, "pin_count": 0,
		"response_metadata": obj{"next_cursor": next}}
}

func (s *Server) conversationInfo(c Call) obj {
	ch := c.param("channel")
	if ch == "" {
		return errBody("channel_not_found")
	}
	return obj{"ok": true, "channel": obj{"id": ch, "name": strings.ToLower(ch), "is_channel": true, "is_member": true}}
}

func (s *Server) openConversation(c Call) obj {
	users := c.param("users")
	if users == "" {
		return errBody("users_list_not_supplied")
	}
	if strings.Contains(users, ",") {
		return errBody("not_implemented")
	}
	s.mu.Lock()
	_, known := s.users[users]
	s.mu.Unlock()
	if !known {
		return errBody("user_not_found")
	}
	return obj{"ok": true, "no_op": false, "already_open": false,
		"channel": obj{"id": dmID(users), "is_im": true, "user": users}}
}

func (s *Server) userInfo(c Call) obj {
	id := c.param("user")
	if id == "" {
		return errBody("user_not_found")
	}
	s.mu.Lock()
	u, ok := s.users[id]
	s.mu.Unlock()
	if !ok {
		return errBody("user_not_found")
	}
	return obj{"ok": true, "user": u}
}

func (s *Server) viewsOpen(c Call) obj {
	var req struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if json.Unmarshal(c.JSON, &req) != nil || req.TriggerID == "" {
		return errBody("invalid_arguments")
	}
	if len(req.View) == 0 || string(req.View) == "null" {
		return errBody("invalid_arguments")
	}
	return s.storeView(View{TriggerID: req.TriggerID, View: req.View})
}

// viewsPush stores a view pushed over an open modal; Slack takes the same
// arguments as views.open.
func (s *Server) viewsPush(c Call) obj {
	var req struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if json.Unmarshal(c.JSON, &req) != nil || req.TriggerID == "" || len(req.View) == 0 || string(req.View) == "null" {
		return errBody("invalid_arguments")
	}
	return s.storeView(View{TriggerID: req.TriggerID, View: req.View, Pushed: true})
}

func (s *Server) viewsPublish(c Call) obj {
	var req struct {
		UserID string          `json:"user_id"`
		View   json.RawMessage `json:"view"`
		Hash   *string         `json:"hash"`
	}
	if json.Unmarshal(c.JSON, &req) != nil || req.UserID == "" {
		return errBody("invalid_arguments")
	}
	v := View{UserID: req.UserID, View: req.View}
	if req.Hash != nil {
		v.Hash = *req.Hash
	}
	return s.storeView(v)
}

func (s *Server) storeView(v View) obj {
	s.mu.Lock()
	s.seq++
	v.ID = fmt.Sprintf("V%08d", s.seq)
	s.views = append(s.views, v)
	s.mu.Unlock()
	var view obj
	_ = json.Unmarshal(v.View, &view)
	if view == nil {
		view = obj{}
	}
	view["id"] = v.ID
	view["team_id"] = TeamID
	view["app_id"] = AppID
	view["bot_id"] = BotID
	view["hash"] = fmt.Sprintf("%d.hash", s.Now().Unix())
	return obj{"ok": true, "view": view}
}

func (s *Server) connectionsOpen(c Call) obj {
	if !strings.HasPrefix(c.Token, "xapp-") {
		return errBody("not_allowed_token_type")
	}
	return obj{"ok": true, "url": s.socket.newTicketURL(s.srv.URL)}
}
