package main

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
)

// TestServeAssistant runs kambot serve (no model) against the Slack double
// over HTTP and over Socket Mode: opening the assistant sets suggested
// prompts; a question in the assistant thread shows the status, then the
// answer with its sources in the thread; a mention in a channel is
// answered to the asker alone.
func TestServeAssistant(t *testing.T) {
	for _, mode := range []string{"http", "socket"} {
		t.Run(mode, func(t *testing.T) {
			fs := fakeslack.New(t)
			fs.AddUser(slack.User{ID: testAdmin, Name: "admin"})
			tr := startHomeServe(t, fs, mode)
			tr.slash(testAdmin, `add "Acme Corp" owner=<@`+testAdmin+`|admin>`)
			tr.slash(testAdmin, `log acme call CFO said pricing is too high <!here>`)

			tr.event("Ev1", map[string]any{"type": "assistant_thread_started",
				"assistant_thread": map[string]any{"user_id": testAdmin, "channel_id": "D0ADMIN", "thread_ts": "100.000001"}})
			waitCalls(t, fs, "assistant.threads.setSuggestedPrompts", 1)

			tr.event("Ev2", map[string]any{"type": "message", "channel": "D0ADMIN", "channel_type": "im", "user": testAdmin,
				"text": "What did the CFO say about pricing?", "ts": "100.000002", "thread_ts": "100.000001"})
			waitCalls(t, fs, "chat.postMessage", 1)
			if len(fs.CallsTo("assistant.threads.setStatus")) == 0 || len(fs.CallsTo("assistant.threads.setTitle")) != 1 {
				t.Errorf("no status or title: %d status, %d title calls", len(fs.CallsTo("assistant.threads.setStatus")), len(fs.CallsTo("assistant.threads.setTitle")))
			}
			msgs := fs.Messages("D0ADMIN")
			if len(msgs) != 1 || msgs[0].ThreadTS != "100.000001" {
				t.Fatalf("answer posts %+v", msgs)
			}
			body := msgs[0].Text + string(msgs[0].Blocks)
			for _, want := range []string{"pricing", "Sources", "/kam search"} {
				if !strings.Contains(body, want) {
					t.Errorf("answer lacks %q: %s", want, body)
				}
			}
			if strings.Contains(body, "<!here>") {
				t.Errorf("answer holds a live @here: %s", body)
			}

			tr.event("Ev3", map[string]any{"type": "app_mention", "channel": "C0ACCT001", "user": testAdmin,
				"text": "<@" + fakeslack.BotUserID + "> what did they say about pricing", "ts": "200.000001"})
			calls := waitCalls(t, fs, "chat.postEphemeral", 2)
			if a := calls[1]; a.Form.Get("user") != testAdmin || a.Form.Get("thread_ts") != "200.000001" || !strings.Contains(a.Form.Get("blocks"), "pricing") {
				t.Fatalf("mention answer %+v", a.Form)
			}
			if msgs := fs.Messages("C0ACCT001"); len(msgs) != 0 {
				t.Fatalf("a mention's answer was posted for the channel: %+v", msgs)
			}
		})
	}
}

// waitCalls waits for n calls of the Web API method and returns them.
func waitCalls(t *testing.T, fs *fakeslack.Server, method string, n int) []fakeslack.Call {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if calls := fs.CallsTo(method); len(calls) >= n {
			return calls
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %d %s calls: %d", n, method, len(fs.CallsTo(method)))
	return nil
}
