package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/storetest"
)

// homeTransport drives kambot serve over one transport: a slash command,
// an event and an interaction, as Slack sends them.
type homeTransport struct {
	slash    func(user, text string)
	event    func(id string, inner map[string]any)
	interact func(payload map[string]any)
}

// TestServeHome runs kambot serve against the Slack double over HTTP and
// over Socket Mode: opening the Home tab publishes the user's Home, "Show
// more" publishes the next page, and forged clicks publish and change
// nothing.
func TestServeHome(t *testing.T) {
	for _, mode := range []string{"http", "socket"} {
		t.Run(mode, func(t *testing.T) {
			fs := fakeslack.New(t)
			fs.AddUser(slack.User{ID: testAdmin, Name: "admin"})
			tr := startHomeServe(t, fs, mode)
			for i := range 14 {
				tr.slash(testAdmin, fmt.Sprintf(`add "Account %02d" owner=<@%s|admin>`, i, testAdmin))
			}
			tr.event("Ev1", map[string]any{"type": "app_home_opened", "user": testAdmin, "channel": "D0ADMIN", "tab": "home"})
			v := waitPublished(t, fs, 1)
			if v.UserID != testAdmin || !strings.Contains(string(v.View), "Your key accounts") || !strings.Contains(string(v.View), "Accounts 1–12 of 14") {
				t.Fatalf("published %s for %s", v.View, v.UserID)
			}
			var view slack.View
			if err := json.Unmarshal(v.View, &view); err != nil || len(view.Blocks.BlockSet) > 100 {
				t.Fatalf("view of %d blocks: %v", len(view.Blocks.BlockSet), err)
			}
			// The same event again (a retry) is not a second publish.
			tr.event("Ev1", map[string]any{"type": "app_home_opened", "user": testAdmin, "channel": "D0ADMIN", "tab": "home"})

			// Forged clicks: another workspace's value, garbage.
			before := len(fs.CallsTo("views.publish"))
			for _, val := range []string{`{"t":"T0FORGED","p":1}`, `{"t":`} {
				tr.interact(homeClick(val))
			}
			time.Sleep(300 * time.Millisecond)
			if n := len(fs.CallsTo("views.publish")); n != before {
				t.Fatalf("forged clicks published %d views", n-before)
			}
			// Show more: the next page.
			tr.interact(homeClick(fmt.Sprintf(`{"t":%q,"p":1}`, fakeslack.TeamID)))
			v = waitPublished(t, fs, before+1)
			if !strings.Contains(string(v.View), "Accounts 13–14 of 14") {
				t.Fatalf("second page: %s", v.View)
			}
		})
	}
}

func homeClick(value string) map[string]any {
	p := fakeslack.BlockActions(testAdmin, "", "", "home.page.next", value)
	delete(p, "response_url")
	p["container"] = map[string]any{"type": "view", "view_id": "V0HOME"}
	p["view"] = map[string]any{"id": "V0HOME", "type": "home", "team_id": fakeslack.TeamID}
	return p
}

// waitPublished waits for the n-th views.publish and returns it.
func waitPublished(t *testing.T, fs *fakeslack.Server, n int) fakeslack.View {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var pub []fakeslack.View
		for _, v := range fs.Views() {
			if v.UserID != "" {
				pub = append(pub, v)
			}
		}
		if len(pub) >= n {
			return pub[n-1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %d-th views.publish", n)
	return fakeslack.View{}
}

func startHomeServe(t *testing.T, fs *fakeslack.Server, mode string) homeTransport {
	addr := freePort(t)
	db := storetest.DSN(t, "home.db")
	if mode == "socket" {
		serveInBackground(t, env("SLACK_BOT_TOKEN", "xoxb-e2e", "SLACK_APP_TOKEN", "xapp-e2e", "SLACK_API_URL", fs.URL(),
			"KAMBOT_ADDR", addr, "KAMBOT_DB", db, "KAMBOT_ADMINS", testAdmin))
		sock := fs.Socket()
		if err := sock.WaitConnections(1, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		wait := func(id string) {
			if _, err := sock.WaitAck(id, 10*time.Second); err != nil {
				t.Fatal(err)
			}
		}
		return homeTransport{
			slash: func(user, text string) {
				wait(sock.SlashCommand(fakeslack.WithDefaults(slack.SlashCommand{UserID: user, Command: "/kam", Text: text})))
			},
			event:    func(id string, inner map[string]any) { wait(sock.EventsAPI(fakeslack.EventCallback(id, inner), 0)) },
			interact: func(p map[string]any) { wait(sock.Interactive(p)) },
		}
	}
	serveInBackground(t, env("SLACK_BOT_TOKEN", "xoxb-e2e", "SLACK_SIGNING_SECRET", testSecret, "SLACK_API_URL", fs.URL(),
		"KAMBOT_ADDR", addr, "KAMBOT_DB", db, "KAMBOT_ADMINS", testAdmin))
	base := "http://" + addr
	post := func(path string, body []byte) {
		resp, err := http.DefaultClient.Do(fakeslack.SignedRequest(testSecret, time.Now(), base+path, body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	return homeTransport{
		slash: func(user, text string) { slash(t, base, user, text) },
		event: func(id string, inner map[string]any) {
			b, _ := json.Marshal(fakeslack.EventCallback(id, inner))
			post("/slack/events", b)
		},
		interact: func(p map[string]any) { post("/slack/interactions", fakeslack.InteractionForm(p)) },
	}
}
