package fakeslack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// Ack is an acknowledgement a Socket Mode client sent for an envelope.
type Ack struct {
	EnvelopeID string          // the envelope acknowledged
	Payload    json.RawMessage // nil when the ack carried none
	At         time.Time       // when it arrived, by the server's Now
}

// Socket is the Socket Mode side of the double: apps.connections.open hands
// out one-time URLs of this websocket server, which greets each connection
// with hello, pings it, sends the envelopes a test pushes and records acks.
// Envelopes pushed while no connection is live wait for the next one.
type Socket struct {
	s *Server
	// PingInterval is how often live connections are pinged; Slack pings
	// every few seconds and slack-go reconnects after 30 s without one.
	PingInterval time.Duration

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	tickets  map[string]bool
	ticketN  int
	conns    int // connections ever greeted with hello
	live     *wsConn
	pending  [][]byte
	acks     []Ack
	envN     int
	upgrader websocket.Upgrader
}

type wsConn struct {
	c        *websocket.Conn
	wmu      sync.Mutex
	closed   chan struct{}
	stopping bool // a disconnect was sent: no more envelopes on this one
}

func newSocket(s *Server) *Socket {
	return &Socket{
		s:            s,
		PingInterval: 2 * time.Second,
		changed:      make(chan struct{}),
		tickets:      map[string]bool{},
		upgrader:     websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
}

// Socket returns the Socket Mode double served next to the Web API.
func (s *Server) Socket() *Socket { return s.socket }

// notifyLocked wakes everyone waiting for a state change; k.mu is held.
func (k *Socket) notifyLocked() {
	close(k.changed)
	k.changed = make(chan struct{})
}

// waitFor polls cond (under k.mu) on every state change until it holds or
// the timeout passes.
func (k *Socket) waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		k.mu.Lock()
		ok, ch := cond(), k.changed
		k.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		case <-k.s.done:
			return false
		}
	}
}

func (k *Socket) newTicketURL(httpURL string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.ticketN++
	t := fmt.Sprintf("ticket-%d", k.ticketN)
	k.tickets[t] = true
	return "ws" + strings.TrimPrefix(httpURL, "http") + "/link/?ticket=" + t + "&app_id=" + AppID
}

func (k *Socket) serveWS(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("ticket")
	k.mu.Lock()
	valid := k.tickets[t]
	delete(k.tickets, t) // one-time URLs, like Slack's
	k.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	c, err := k.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	wc := &wsConn{c: c, closed: make(chan struct{})}
	k.mu.Lock()
	old := k.live
	k.live = wc
	k.conns++
	k.mu.Unlock()
	if old != nil {
		old.close()
	}
	hello := map[string]any{"type": "hello", "num_connections": 1,
		"debug_info":      map[string]any{"host": "fakeslack", "build_number": 1, "approximate_connection_time": 3600},
		"connection_info": map[string]any{"app_id": AppID}}
	b, _ := json.Marshal(hello)
	if wc.write(b) != nil {
		wc.close()
		return
	}
	k.mu.Lock()
	k.notifyLocked()
	k.mu.Unlock()

	go k.pinger(wc)
	go k.writer(wc)
	k.reader(wc)
}

func (wc *wsConn) write(b []byte) error {
	wc.wmu.Lock()
	defer wc.wmu.Unlock()
	_ = wc.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return wc.c.WriteMessage(websocket.TextMessage, b)
}

func (wc *wsConn) close() {
	wc.wmu.Lock()
	defer wc.wmu.Unlock()
	select {
	case <-wc.closed:
	default:
		close(wc.closed)
		_ = wc.c.Close()
	}
}

func (k *Socket) pinger(wc *wsConn) {
	t := time.NewTicker(k.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-wc.closed:
			return
		case <-t.C:
			if wc.c.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)) != nil {
				return
			}
		}
	}
}

// writer sends pending envelopes, in order, while wc is the live connection.
func (k *Socket) writer(wc *wsConn) {
	for {
		k.mu.Lock()
		var msg []byte
		if k.live == wc && !wc.stopping && len(k.pending) > 0 {
			msg = k.pending[0]
			k.pending = k.pending[1:]
		}
		ch := k.changed
		k.mu.Unlock()
		if msg == nil {
			select {
			case <-ch:
				continue
			case <-wc.closed:
				return
			}
		}
		if err := wc.write(msg); err != nil {
			k.mu.Lock()
			k.pending = append([][]byte{msg}, k.pending...) // for the next connection
			k.mu.Unlock()
			wc.close()
			return
		}
	}
}

func (k *Socket) reader(wc *wsConn) {
	defer func() {
		wc.close()
		k.mu.Lock()
		if k.live == wc {
			k.live = nil
		}
		k.notifyLocked()
		k.mu.Unlock()
	}()
	for {
		_, data, err := wc.c.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		a := Ack{EnvelopeID: ack.EnvelopeID, At: k.s.Now()}
		if len(ack.Payload) > 0 && string(ack.Payload) != "null" {
			a.Payload = ack.Payload
		}
		k.mu.Lock()
		k.acks = append(k.acks, a)
		k.notifyLocked()
		k.mu.Unlock()
	}
}

func (k *Socket) closeAll() {
	k.mu.Lock()
	live := k.live
	k.live = nil
	k.mu.Unlock()
	if live != nil {
		live.close()
	}
}

// Send queues an envelope of type typ ("slash_commands", "interactive",
// "events_api") with payload and returns its envelope_id.
func (k *Socket) Send(typ string, payload any, acceptsResponsePayload bool, retryAttempt int) string {
	raw, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("fakeslack: marshal payload: %v", err))
	}
	k.mu.Lock()
	k.envN++
	id := fmt.Sprintf("env-%04d-%s", k.envN, strings.ReplaceAll(typ, "_", "-"))
	k.mu.Unlock()
	env := map[string]any{"type": typ, "envelope_id": id, "payload": json.RawMessage(raw),
		"accepts_response_payload": acceptsResponsePayload}
	if typ == "events_api" {
		env["retry_attempt"] = retryAttempt
		env["retry_reason"] = ""
		if retryAttempt > 0 {
			env["retry_reason"] = "timeout"
		}
	}
	b, _ := json.Marshal(env)
	k.SendRaw(b)
	return id
}

// SendRaw queues a raw websocket message.
func (k *Socket) SendRaw(msg []byte) {
	k.mu.Lock()
	k.pending = append(k.pending, msg)
	k.notifyLocked()
	k.mu.Unlock()
}

// SlashCommand queues a slash_commands envelope; empty fields of cmd get
// the defaults of WithDefaults.
func (k *Socket) SlashCommand(cmd slack.SlashCommand) string {
	return k.Send("slash_commands", WithDefaults(cmd), true, 0)
}

// Interactive queues an interactive envelope (block_actions,
// view_submission, shortcut … payload).
func (k *Socket) Interactive(payload any) string {
	return k.Send("interactive", payload, true, 0)
}

// EventsAPI queues an events_api envelope; retryAttempt > 0 marks a redelivery.
func (k *Socket) EventsAPI(payload any, retryAttempt int) string {
	return k.Send("events_api", payload, false, retryAttempt)
}

// Disconnect sends a disconnect message with the reason ("warning",
// "refresh_requested", "link_disabled") on the live connection and sends it
// nothing more. It reports whether a connection was live.
func (k *Socket) Disconnect(reason string) bool {
	k.mu.Lock()
	wc := k.live
	if wc != nil {
		wc.stopping = true
	}
	k.mu.Unlock()
	if wc == nil {
		return false
	}
	b, _ := json.Marshal(map[string]any{"type": "disconnect", "reason": reason,
		"debug_info": map[string]any{"host": "fakeslack"}})
	return wc.write(b) == nil
}

// DropConnection closes the live connection without a disconnect message,
// as a network failure would.
func (k *Socket) DropConnection() {
	k.closeAll()
}

// Connections is how many connections were greeted with hello so far.
func (k *Socket) Connections() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.conns
}

// Live reports whether a connection is open.
func (k *Socket) Live() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.live != nil
}

// WaitConnections waits until at least n connections were greeted and one
// is live.
func (k *Socket) WaitConnections(n int, timeout time.Duration) error {
	if !k.waitFor(timeout, func() bool { return k.conns >= n && k.live != nil }) {
		return fmt.Errorf("fakeslack: %d live connection(s) wanted, %d seen within %s", n, k.Connections(), timeout)
	}
	return nil
}

// Acks returns every ack received, oldest first.
func (k *Socket) Acks() []Ack {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.acks)
}

// AcksFor returns the acks received for one envelope.
func (k *Socket) AcksFor(envelopeID string) []Ack {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []Ack
	for _, a := range k.acks {
		if a.EnvelopeID == envelopeID {
			out = append(out, a)
		}
	}
	return out
}

// ErrNoAck is returned by WaitAck when no ack arrived in time.
var ErrNoAck = errors.New("fakeslack: no ack")

// WaitAck waits for the ack of an envelope.
func (k *Socket) WaitAck(envelopeID string, timeout time.Duration) (Ack, error) {
	var got Ack
	ok := k.waitFor(timeout, func() bool {
		for _, a := range k.acks {
			if a.EnvelopeID == envelopeID {
				got = a
				return true
			}
		}
		return false
	})
	if !ok {
		return Ack{}, fmt.Errorf("%w for %s within %s", ErrNoAck, envelopeID, timeout)
	}
	return got, nil
}
