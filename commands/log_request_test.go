package commands_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/store"
)

// TestLogOncePerTrigger: the same /kam log (one trigger_id) reaching two
// replicas — a retried request, a redelivery — logs one interaction and
// queues one channel post; both answer with the same confirmation. A new
// request with the same words is a new log.
func TestLogOncePerTrigger(t *testing.T) {
	e := newEnv(t)
	other, err := store.Open(e.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	other.Now = func() time.Time { return fixedNow }
	replica := commands.New(commands.Config{Store: other, Notifier: e.notes, Directory: directory{}, Admins: []string{admin},
		Now: func() time.Time { return fixedNow }, Logger: slog.New(slog.DiscardHandler)})

	const text = "log acme call Renewal terms agreed with procurement"
	ask := func(eng *commands.Engine, trigger string) string {
		t.Helper()
		rep, err := eng.Do(context.Background(), commands.Request{TeamID: team, UserID: ana, ChannelID: "C0SOMEWHERE", Text: text, TriggerID: trigger})
		if err != nil {
			t.Fatalf("/kam %s: %v", text, err)
		}
		return rep.Text
	}
	logs, posts := count(t, e.path, "interactions"), count(t, e.path, "outbox")
	first := ask(e.eng, "13345224609.1.aaaa")
	if again := ask(replica, "13345224609.1.aaaa"); again != first {
		t.Errorf("the retry answered %q; want the first answer %q", again, first)
	}
	ask(e.eng, "13345224609.1.aaaa")
	if got := count(t, e.path, "interactions"); got != logs+1 {
		t.Errorf("one request logged %d interactions", got-logs)
	}
	if got := count(t, e.path, "outbox"); got != posts+1 {
		t.Errorf("one request queued %d channel posts", got-posts)
	}
	ask(replica, "13345224609.2.bbbb")
	if got := count(t, e.path, "interactions"); got != logs+2 {
		t.Errorf("a second request with the same words: %d interactions in all; want %d", got-logs, 2)
	}
}
