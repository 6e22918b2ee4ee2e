package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// asServe makes the test binary act as "kambot serve" in a child process,
// through the real main, so that a test can kill it with SIGKILL or read
// its exit status.
const asServe = "KAMBOT_TEST_RUN_SERVE"

// TestMain runs the suite on SQLite and, when KAMBOT_TEST_POSTGRES_URL is
// set, the whole suite again on PostgreSQL, each test that opens a store
// on its own database cloned from one migrated template.
func TestMain(m *testing.M) {
	if os.Getenv(asServe) == "1" {
		os.Args = []string{os.Args[0], "serve"}
		main() // exits non-zero on an error
		os.Exit(0)
	}
	storetest.Prepare = store.MigrateAt
	os.Exit(storetest.Main(m))
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
	dbPath := storetest.DSN(t, "crash.db")

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
		keys[outboxKey(t, m)]++
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
	raw := storetest.Raw(t, dbPath)
	var sent, other int
	if err := raw.QueryRow(`SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status <> 'sent') FROM outbox`).Scan(&sent, &other); err != nil {
		t.Fatalf("count the outbox: %v", err)
	}
	if sent != n || other != 0 {
		t.Errorf("outbox: %d sent, %d not sent; want %d sent", sent, other, n)
	}
}

// TestServeKilledMidCommands: signed /kam log, /kam stage and /kam survey
// send arrive at kambot serve from many clients while it is killed with
// SIGKILL, and it is started again. Every change that was stored has
// exactly one post in the outbox and reached Slack exactly once; every
// change a user was told about was stored; no post exists for a change that
// was not. A change and its post commit in one transaction, so there is no
// moment at which a kill can separate them.
func TestServeKilledMidCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kambot serve twice")
	}
	const accounts = 6
	fs := fakeslack.New(t)
	fs.AddUser(slack.User{ID: testAdmin, Name: "admin"})
	dbPath := storetest.DSN(t, "crash.db")
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for i := range accounts {
		a := kam.Account{TeamID: fakeslack.TeamID, Name: fmt.Sprintf("Crash Account %d", i), OwnerID: testAdmin,
			Tier: kam.TierPartner, Level: kam.LevelProduct, Cadence: kam.CadenceWeekly, ChannelID: fmt.Sprintf("C0CRASH00%d", i)}
		if err := db.CreateAccount(ctx, &a, testAdmin); err != nil {
			t.Fatal(err)
		}
		o := kam.Opportunity{TeamID: fakeslack.TeamID, AccountID: a.ID, Name: "Deal", Value: 1000}
		if err := db.AddOpportunity(ctx, &o, testAdmin); err != nil {
			t.Fatal(err)
		}
		for j := range 40 {
			fs.AddUser(slack.User{ID: surveyee(i, j), Name: "customer"})
		}
	}
	db.Close()

	addr := freePort(t)
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), asServe+"=1",
			"SLACK_BOT_TOKEN=xoxb-crash", "SLACK_SIGNING_SECRET="+testSecret, "SLACK_APP_TOKEN=",
			"SLACK_API_URL="+fs.URL(), "KAMBOT_ADDR="+addr, "KAMBOT_DB="+dbPath,
			"KAMBOT_ADMINS="+testAdmin, "KAMBOT_LOG_LEVEL=error")
		cmd.Stderr = testLog{t}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	base := "http://" + addr

	// Each account's client sends log, stage and survey commands in turn
	// until the server dies under it; acked records what users were told.
	first := start()
	waitReady(t, base)
	var (
		mu    sync.Mutex
		acked []string // summaries of logs answered "Logged"
		total int      // changes answered as done
	)
	var wg sync.WaitGroup
	stages := []kam.Stage{kam.StageQualified, kam.StagePursuing, kam.StageClosing, kam.StageIdentified}
	for i := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acct := fmt.Sprintf(`"Crash Account %d"`, i)
			for j := 0; ; j++ {
				var cmd, want string
				switch j % 3 {
				case 0:
					cmd, want = fmt.Sprintf("log %s call crash summary %d-%d", acct, i, j), "Logged"
				case 1:
					cmd, want = fmt.Sprintf("stage %s Deal %s", acct, stages[(j/3)%len(stages)]), "Moved"
				case 2:
					cmd, want = fmt.Sprintf("survey %s send <@%s|c>", acct, surveyee(i, j/3)), "Sent the NPS question"
				}
				code, rep, err := trySlash(base, testAdmin, cmd)
				if err != nil || code != 200 {
					return // the server is gone
				}
				if strings.Contains(replyText(rep), want) {
					mu.Lock()
					total++
					if j%3 == 0 {
						acked = append(acked, fmt.Sprintf("crash summary %d-%d", i, j))
					}
					mu.Unlock()
				}
			}
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := total
		mu.Unlock()
		if n >= 30 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d commands done in 30 s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	first.Process.Kill() // SIGKILL, with requests in flight
	first.Wait()
	wg.Wait()
	t.Logf("killed after %d acknowledged changes", total)

	second := start()
	defer func() {
		second.Process.Signal(os.Interrupt)
		second.Wait()
	}()
	raw := storetest.Raw(t, dbPath)
	deadline = time.Now().Add(90 * time.Second)
	for {
		var open int
		if err := raw.QueryRow(`SELECT count(*) FROM outbox WHERE status <> 'sent'`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d posts still undelivered after the restart", open)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Every stored change has its key; every key is a stored change.
	want := map[string]bool{}
	collect := func(q, prefix string) {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			want[fmt.Sprintf("%s:%d", prefix, id)] = true
		}
	}
	collect(`SELECT id FROM interactions`, "interaction")
	collect(`SELECT id FROM stage_changes WHERE from_stage <> ''`, "stage")
	collect(`SELECT id FROM surveys`, "survey")
	queued := map[string]bool{}
	rows, err := raw.Query(`SELECT key FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		queued[k] = true
	}
	rows.Close()
	for k := range want {
		if !queued[k] {
			t.Errorf("%s was stored without its post", k)
		}
	}
	for k := range queued {
		if !want[k] {
			t.Errorf("post %s has no stored change", k)
		}
	}
	// Slack got each post exactly once.
	got := map[string]int{}
	for i := range accounts {
		for _, m := range fs.Messages(fmt.Sprintf("C0CRASH00%d", i)) {
			got[outboxKey(t, m)]++
		}
		for j := range 40 {
			for _, m := range fs.Messages("D" + surveyee(i, j)[1:]) {
				got[outboxKey(t, m)]++
			}
		}
	}
	for k := range want {
		if got[k] != 1 {
			t.Errorf("%s reached Slack %d times", k, got[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("Slack got %d distinct posts, want %d", len(got), len(want))
	}
	// Every log a user was told about is stored.
	count := `SELECT count(*) FROM interactions WHERE summary = ?`
	if storetest.OnPostgres() {
		count = `SELECT count(*) FROM interactions WHERE summary = $1`
	}
	for _, s := range acked {
		var n int
		if err := raw.QueryRow(count, s).Scan(&n); err != nil {
			t.Fatalf("count the log %q: %v", s, err)
		}
		if n != 1 {
			t.Errorf("acknowledged log %q stored %d times", s, n)
		}
	}
	t.Logf("%d changes stored, %d posts delivered once each", len(want), len(got))
}

// surveyee is the j-th customer asked about account i.
func surveyee(i, j int) string { return fmt.Sprintf("U0C%d%03d", i, j) }

// trySlash is slash for a server that may die: errors are returned.
func trySlash(base, user, text string) (int, map[string]any, error) {
	body := fakeslack.SlashForm(fakeslack.WithDefaults(slack.SlashCommand{UserID: user, Text: text, Command: "/kam"}))
	req := fakeslack.SignedRequest(testSecret, time.Now(), base+"/slack/commands", body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var out map[string]any
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			return 0, nil, err
		}
	}
	return resp.StatusCode, out, nil
}

// waitReady waits up to 20 s for /readyz to answer 200.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// outboxKey reads the outbox key from a posted message's metadata.
func outboxKey(t *testing.T, m fakeslack.Message) string {
	t.Helper()
	var md struct {
		Payload struct {
			Key string `json:"key"`
		} `json:"event_payload"`
	}
	if err := json.Unmarshal(m.Metadata, &md); err != nil || md.Payload.Key == "" {
		t.Fatalf("message without an outbox key: %s (%v)", m.Metadata, err)
	}
	return md.Payload.Key
}
