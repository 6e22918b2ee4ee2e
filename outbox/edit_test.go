package outbox

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
)

// recordingEditor records edits; failWith, when set, is its answer.
type recordingEditor struct {
	mu       sync.Mutex
	calls    []string
	failWith error
}

func (e *recordingEditor) UpdateMessage(_ context.Context, channel, ts, text string, _ []slack.Block) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, fmt.Sprintf("update %s %s %s", channel, ts, text))
	return e.failWith
}

func (e *recordingEditor) DeleteMessage(_ context.Context, channel, ts string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, fmt.Sprintf("delete %s %s", channel, ts))
	return e.failWith
}

func (e *recordingEditor) seen() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.calls...)
}

// TestEditsFollowTheirPost: an update and a delete queued behind a post in
// its channel are sent after it, on the ts Slack gave the post; an edit
// of a post Slack never had is settled without a call; one whose post was
// deleted in Slack meanwhile counts as done.
func TestEditsFollowTheirPost(t *testing.T) {
	ed := &recordingEditor{}
	r := newRig(t, false, func(c *Config) { c.Editor = ed })
	ctx := context.Background()
	r.enqueue("T1", "C1", "interaction:1")
	for _, m := range []kam.OutboxMessage{
		{TeamID: "T1", Channel: "C1", Key: "interaction:1:edit:1", Text: "edited", Op: kam.OutboxUpdate, Target: "interaction:1"},
		{TeamID: "T1", Channel: "C1", Key: "interaction:1:delete", Text: "x", Op: kam.OutboxDelete, Target: "interaction:1"},
		{TeamID: "T1", Channel: "C2", Key: "interaction:9:edit:1", Text: "edited", Op: kam.OutboxUpdate, Target: "interaction:9"},
	} {
		if _, _, err := r.db.EnqueueOutbox(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	r.start()
	r.waitSettled("T1", "interaction:1", "interaction:1:edit:1", "interaction:1:delete", "interaction:9:edit:1")
	post := r.row("T1", "interaction:1")
	want := []string{"update C1 " + post.SlackTS + " edited", "delete C1 " + post.SlackTS}
	if got := ed.seen(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("edits %q, want %q", got, want)
	}
	for _, k := range []string{"interaction:1:edit:1", "interaction:1:delete", "interaction:9:edit:1"} {
		if m := r.row("T1", k); m.Status != kam.OutboxSent {
			t.Errorf("%s is %s, want sent", k, m.Status)
		}
	}

	// A post someone already deleted in Slack: the edit is done.
	ed.mu.Lock()
	ed.failWith = slack.SlackErrorResponse{Err: "message_not_found"}
	ed.mu.Unlock()
	if _, _, err := r.db.EnqueueOutbox(ctx, kam.OutboxMessage{TeamID: "T1", Channel: "C1", Key: "interaction:1:edit:2", Text: "again",
		Op: kam.OutboxUpdate, Target: "interaction:1"}); err != nil {
		t.Fatal(err)
	}
	r.s.Wake()
	r.waitSettled("T1", "interaction:1:edit:2")
	if m := r.row("T1", "interaction:1:edit:2"); m.Status != kam.OutboxSent {
		t.Errorf("edit of a vanished post is %s (%s), want sent", m.Status, m.LastError)
	}
}
