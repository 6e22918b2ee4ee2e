package bot

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
)

// parseSlashForm agrees with slack.SlashCommandParse on the fields a
// Request uses.
func TestParseSlashFormMatchesSlackGo(t *testing.T) {
	bodies := [][]byte{
		fakeslack.SlashForm(slack.SlashCommand{Text: "log acme call Renewal talk", ResponseURL: "https://hooks.slack.com/commands/T1/2/x"}),
		fakeslack.SlashForm(slack.SlashCommand{Text: `add "Acme & Sons" owner=<@U0BOB0001|bob> note=100%+ünï`}),
		fakeslack.SlashForm(slack.SlashCommand{Text: "", EnterpriseID: "E0001", EnterpriseName: "Big Co"}),
		[]byte("text=a+b%2Bc&user_id=U1&team_id=T1&&channel_id=C1&unknown=zz&text2=no"),
		[]byte("user_id=U1&team_id=T1&text"),
		[]byte("=x&user_id=U1"),
	}
	for _, body := range bodies {
		got, _, err := parseSlashForm(body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		r, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		want, err := slack.SlashCommandParse(r)
		if err != nil {
			t.Fatal(err)
		}
		if requestOf(got) != requestOf(want) || got.EnterpriseID != want.EnterpriseID {
			t.Errorf("%s\n got %+v\nwant %+v", body, requestOf(got), requestOf(want))
		}
	}
}

func TestParseSlashFormErrors(t *testing.T) {
	for _, body := range []string{"text=%zz", "user_id=%", "response_url=%4"} {
		if _, _, err := parseSlashForm([]byte(body)); err == nil {
			t.Errorf("%q: want an error", body)
		}
	}
	if _, ssl, _ := parseSlashForm([]byte("token=x&ssl_check=1")); !ssl {
		t.Error("ssl_check not seen")
	}
}

func TestFormValue(t *testing.T) {
	body := fakeslack.InteractionForm(map[string]string{"type": "block_actions", "x": "a&b=c%"})
	v, err := formValue(body, "payload")
	if err != nil || v != `{"type":"block_actions","x":"a\u0026b=c%"}` {
		t.Errorf("payload %q, %v", v, err)
	}
	if _, err := formValue([]byte("a=1"), "payload"); err == nil {
		t.Error("missing payload: want an error")
	}
}

// FuzzParseSlashForm checks the hand-written parser against url.ParseQuery.
func FuzzParseSlashForm(f *testing.F) {
	f.Add([]byte("text=log+acme&user_id=U1&team_id=T1"))
	f.Add(fakeslack.SlashForm(slack.SlashCommand{Text: "add \"A&B\" x=<@U1|a>"}))
	f.Add([]byte("text=%zz&&=&text=second"))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, _, err := parseSlashForm(body)
		vals, qerr := url.ParseQuery(string(body))
		if qerr != nil {
			return // ParseQuery stops at the first bad pair; we may or may not
		}
		if err != nil {
			t.Fatalf("%q: parse error %v where url.ParseQuery succeeds", body, err)
		}
		// The last occurrence of a key wins in ours; ParseQuery keeps all.
		last := func(k string) string {
			v := vals[k]
			if len(v) == 0 {
				return ""
			}
			return v[len(v)-1]
		}
		for k, v := range map[string]string{"text": got.Text, "user_id": got.UserID, "team_id": got.TeamID,
			"channel_id": got.ChannelID, "response_url": got.ResponseURL, "trigger_id": got.TriggerID} {
			if last(k) != v {
				t.Fatalf("%q: %s = %q, url.ParseQuery says %q", body, k, v, last(k))
			}
		}
	})
}

func TestDedupe(t *testing.T) {
	clock := newClock(testNow)
	d := newDedupe(clock.Now, time.Hour, 3)
	if !d.first("a") || d.first("a") {
		t.Fatal("a: first then duplicate")
	}
	clock.Add(59 * time.Minute)
	if d.first("a") {
		t.Error("a forgotten before the TTL")
	}
	clock.Add(2 * time.Minute)
	if !d.first("a") {
		t.Error("a remembered past the TTL")
	}
	// Bounded: the oldest go first.
	for _, id := range []string{"b", "c", "d"} {
		d.first(id)
	}
	if !d.first("a") {
		t.Error("a kept beyond the size bound")
	}
	if d.first("d") {
		t.Error("d, the newest, was evicted")
	}
	d.forget("d")
	if !d.first("d") {
		t.Error("forgotten id still remembered")
	}
}

func TestDedupeStaysBounded(t *testing.T) {
	clock := newClock(testNow)
	d := newDedupe(clock.Now, time.Hour, 100)
	for i := range 10_000 {
		d.first(fmt.Sprint(i))
		clock.Add(time.Millisecond)
	}
	if len(d.seen) > 100 || len(d.order) > 2200 {
		t.Errorf("%d ids and %d queue entries kept", len(d.seen), len(d.order))
	}
}

func TestTracker(t *testing.T) {
	tr := newTracker()
	if err := tr.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	tr.Go(func() { <-release })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tr.Wait(ctx); err == nil {
		t.Error("Wait returned while work was running")
	}
	close(release)
	if err := tr.Wait(context.Background()); err != nil {
		t.Error(err)
	}
}
