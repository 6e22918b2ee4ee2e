package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// asServe makes the test binary act as "kambot serve" in a child process,
// through the real main, so that a test can kill it with SIGKILL or read
// its exit status.
const asServe = "KAMBOT_TEST_RUN_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(asServe) == "1" {
		os.Args = []string{os.Args[0], "serve"}
		main() // exits non-zero on an error
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestServeKilledMidDelivery: kambot serve finds due nudges, starts
// delivering them, is killed with SIGKILL, and is started again. Slack has
// then received every nudge exactly once.
func TestServeKilledMidDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kambot serve twice")
	}
	const (
		owner = "U0OWNER001"
		n     = 10 // due nudges, all to one DM: paced at one a second after a burst
	)
	fs := fakeslack.New(t)
	fs.AddUser(slack.User{ID: owner, Name: "owner"})
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "crash.db")

	// Accounts added 60 days ago with no contact since: each is due a
	// no-contact nudge to its owner.
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-60 * 24 * time.Hour)
	db.Now = func() time.Time { return past }
	for i := range n {
		a := kam.Account{TeamID: fakeslack.TeamID, Name: fmt.Sprintf("Quiet Account %02d", i), OwnerID: owner,
			Tier: kam.TierVendor, Level: kam.LevelProduct, Cadence: kam.CadenceWeekly}
		if err := db.CreateAccount(ctx, &a, "U0ADMIN001"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), asServe+"=1",
			"SLACK_BOT_TOKEN=xoxb-crash", "SLACK_SIGNING_SECRET="+testSecret, "SLACK_APP_TOKEN=",
			"SLACK_API_URL="+fs.URL(), "KAMBOT_ADDR="+freePort(t), "KAMBOT_DB="+dbPath,
			"KAMBOT_SWEEP_CRON=@every 1s", "KAMBOT_LOG_LEVEL=warn")
		cmd.Stderr = testLog{t}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	dm := "D" + owner[1:]
	waitFor := func(what string, timeout time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(timeout)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (%d messages delivered)", what, len(fs.Messages(dm)))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	first := start()
	waitFor("the first deliveries", 30*time.Second, func() bool { return len(fs.Messages(dm)) >= 4 })
	first.Process.Kill() // SIGKILL: no shutdown code runs
	first.Wait()
	delivered := len(fs.Messages(dm))
	if delivered >= n {
		t.Fatalf("all %d nudges were delivered before the kill; the test proves nothing", delivered)
	}
	t.Logf("killed after %d of %d deliveries", delivered, n)

	second := start()
	defer func() {
		second.Process.Signal(os.Interrupt)
		second.Wait()
	}()
	waitFor("every nudge", 60*time.Second, func() bool { return len(fs.Messages(dm)) >= n })
	time.Sleep(1500 * time.Millisecond) // room for a duplicate to show up

	keys := map[string]int{}
	for _, m := range fs.Messages(dm) {
		var md struct {
			Payload struct {
				Key string `json:"key"`
			} `json:"event_payload"`
		}
		if err := json.Unmarshal(m.Metadata, &md); err != nil || md.Payload.Key == "" {
			t.Fatalf("message without an outbox key: %s (%v)", m.Metadata, err)
		}
		keys[md.Payload.Key]++
	}
	if len(keys) != n {
		t.Errorf("Slack received %d distinct nudges, want %d", len(keys), n)
	}
	for k, c := range keys {
		if c != 1 {
			t.Errorf("%s delivered %d times", k, c)
		}
	}
	// The outbox agrees: every message sent, none pending or failed.
	raw, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var sent, other int
	raw.QueryRow(`SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status <> 'sent') FROM outbox`).Scan(&sent, &other)
	if sent != n || other != 0 {
		t.Errorf("outbox: %d sent, %d not sent; want %d sent", sent, other, n)
	}
}
