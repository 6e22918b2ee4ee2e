package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/promtext"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

const (
	testSecret = "e2e-signing-secret"
	testAdmin  = "U0ADMIN001"
)

// env builds a Getenv from pairs.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func run(t *testing.T, getenv func(string) string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: getenv}
	err := m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

func TestServeRefusesWithoutTokens(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	for _, tc := range []struct {
		name string
		env  func(string) string
		want string
	}{
		{"NoBotToken", env("KAMBOT_DB", db), "SLACK_BOT_TOKEN is not set"},
		{"NotABotToken", env("KAMBOT_DB", db, "SLACK_BOT_TOKEN", "xoxp-user"), "xoxb-"},
		{"HTTPWithoutSecret", env("KAMBOT_DB", db, "SLACK_BOT_TOKEN", "xoxb-1"), "SLACK_SIGNING_SECRET is not set"},
		{"BadAppToken", env("KAMBOT_DB", db, "SLACK_BOT_TOKEN", "xoxb-1", "SLACK_APP_TOKEN", "xoxb-2"), "xapp-"},
		{"BadTZ", env("KAMBOT_DB", db, "KAMBOT_TZ", "Mars/Olympus"), "KAMBOT_TZ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, tc.env, "", "serve")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("serve: %v; want an error naming %q", err, tc.want)
			}
			if tc.name != "BadTZ" && !strings.Contains(err.Error(), "README") {
				t.Errorf("error %q does not say where the README explains it", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestManifest(t *testing.T) {
	out, _, err := run(t, env(), "", "manifest")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"socket_mode_enabled: true", "command: /kam", "should_escape: true", "- chat:write", "- commands",
		"home_tab_enabled: true", "- app_home_opened",
		"callback_id: log_to_account", "type: message", "callback_id: log_interaction", "type: global"} {
		if !strings.Contains(out, want) {
			t.Errorf("socket-mode manifest lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, env(), "", "manifest", "--url", "https://kambot.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"url: https://kambot.example.com/slack/commands", "request_url: https://kambot.example.com/slack/interactions",
		"request_url: https://kambot.example.com/slack/events", "socket_mode_enabled: false",
		"message_menu_options_url: https://kambot.example.com/slack/options"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTTP manifest lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"http://insecure.example.com", "kambot.example.com", "https://"} {
		if _, _, err := run(t, env(), "", "manifest", "--url", bad); err == nil {
			t.Errorf("manifest --url %q: no error", bad)
		}
	}
}

func TestUnknownSubCommand(t *testing.T) {
	if _, errOut, err := run(t, env(), "", "serv"); err == nil || !strings.Contains(errOut, "kambot serve") {
		t.Fatalf("unknown sub-command: %v, usage %q", err, errOut)
	}
	if _, _, err := run(t, env(), ""); err == nil {
		t.Fatal("no sub-command: no error")
	}
}

func TestConsoleDemoPiped(t *testing.T) {
	in := strings.Join([]string{
		"/kam accounts",
		"# a comment line is skipped",
		"/kam show acme",
		"/kam log acme call Walked the COO through the renewal",
		"/kam log acme dance around",
		"/kam pipeline",
		"/kam health acme",
		"/kam brief acme",
		"/slack something",
	}, "\n")
	out, errOut, err := run(t, env("KAMBOT_DB", storetest.DSN(t, "demo.db")), in, "console", "--demo")
	if err != nil {
		t.Fatalf("console: %v\n%s", err, errOut)
	}
	for _, want := range []string{
		"Seeded a demo portfolio of 4 accounts",
		"Acme Logistics", "Borealis Energy",
		"Logged a call with Acme Logistics",
		"Unknown kind “dance”",
		"Weighted forecast",
		"Health",
		"not drafted by a model",
		"Only /kam commands",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
	if strings.Contains(out, "Internal error") {
		t.Errorf("console shows an internal error:\n%s", out)
	}
}

func TestConsoleRespectsAdmins(t *testing.T) {
	getenv := env("KAMBOT_DB", storetest.DSN(t, "k.db"), "KAMBOT_ADMINS", testAdmin)
	out, _, err := run(t, getenv, `/kam add "Acme Corp"`+"\n", "console", "--as", "U0NOBODY01")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "Created") || !strings.Contains(strings.ToLower(out), "admin") {
		t.Fatalf("a non-admin created an account:\n%s", out)
	}
	out, _, err = run(t, getenv, `/kam add "Acme Corp"`+"\n", "console", "--as", testAdmin)
	if err != nil || !strings.Contains(out, "Acme Corp") {
		t.Fatalf("admin add: %v\n%s", err, out)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	csvIn := "name,tier,level,owner,sponsor,cadence,revenue,wallet,segment,region,channel\n" +
		"Acme Corp,partner,value-add,U0ANA0001,U0CHEN001,monthly,2400000,35,Transport,EMEA,C0ACME001\n" +
		"\"Borealis, Energy\",consultant,product,U0BEN0001,,weekly,900000,12.5,Utilities,Nordics,\n"
	src := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(src, []byte(csvIn), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := env("KAMBOT_DB", storetest.DSN(t, "a.db"))
	out, _, err := run(t, getenv, "", "import", "--team", "T0TEAM001", src)
	if err != nil || !strings.Contains(out, "2 created") {
		t.Fatalf("import: %v %s", err, out)
	}
	exported, _, err := run(t, getenv, "", "export")
	if err != nil {
		t.Fatal(err)
	}
	if exported != csvIn {
		t.Fatalf("export differs from import:\n got %q\nwant %q", exported, csvIn)
	}
	// Into a second database and out again: the same file.
	again := filepath.Join(dir, "again.csv")
	os.WriteFile(again, []byte(exported), 0o600)
	getenv2 := env("KAMBOT_DB", storetest.DSN(t, "b.db"))
	if _, _, err := run(t, getenv2, "", "import", "--team", "T0TEAM002", again); err != nil {
		t.Fatal(err)
	}
	if out, _, _ := run(t, getenv2, "", "export"); out != csvIn {
		t.Fatalf("second round trip differs:\n%s", out)
	}
	// Re-import updates instead of duplicating.
	if out, _, err := run(t, getenv, "", "import", src); err != nil || !strings.Contains(out, "0 created, 2 updated") {
		t.Fatalf("re-import: %v %s", err, out)
	}

	// A bad row anywhere: nothing is written.
	for name, body := range map[string]string{
		"BadTier":   "name,tier\nGood Co,partner\nBad Co,platinum\n",
		"BadOwner":  "name,owner\nBad Co,@bob\n",
		"Duplicate": "name\nDup Co\ndup co\n",
		"NoName":    "tier\npartner\n",
		"Unknown":   "name,colour\nX,blue\n",
		"Money":     "name,revenue\nX,-5\n",
		"Empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".csv")
			os.WriteFile(p, []byte(body), 0o600)
			if _, _, err := run(t, getenv, "", "import", p); err == nil {
				t.Fatal("no error")
			}
			if out, _, _ := run(t, getenv, "", "export"); out != csvIn {
				t.Fatalf("a rejected import changed the accounts:\n%s", out)
			}
		})
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveInBackground runs the real serve wiring until the test ends.
func serveInBackground(t *testing.T, getenv func(string) string) (addr string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: testLog{t}, Getenv: getenv, Ready: func(a string) { ready <- a }}
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped at start: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("serve did not become ready")
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = fmt.Errorf("serve did not stop")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { stop() })
	return addr, stop
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func slash(t *testing.T, base, user, text string) (int, map[string]any) {
	t.Helper()
	body := fakeslack.SlashForm(fakeslack.WithDefaults(slack.SlashCommand{UserID: user, Text: text, Command: "/kam"}))
	req := fakeslack.SignedRequest(testSecret, time.Now(), base+"/slack/commands", body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("reply to %q is not JSON: %s", text, b)
		}
	}
	return resp.StatusCode, out
}

func replyText(r map[string]any) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// TestServeHTTPEndToEnd runs kambot serve in HTTP mode against the Slack
// double: signed commands, a channel post delivered through the outbox,
// 64 concurrent logs all stored, health and metrics, a graceful stop.
// scrapeMetrics reads /metrics and parses it strictly.
func scrapeMetrics(t *testing.T, base string) *promtext.Exposition {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	e, err := promtext.Parse(string(b))
	if err != nil {
		t.Fatalf("/metrics is not a valid exposition: %v", err)
	}
	return e
}

func TestServeHTTPEndToEnd(t *testing.T) {
	fs := fakeslack.New(t)
	fs.AddUser(slack.User{ID: testAdmin, Name: "admin"})
	dbPath := storetest.DSN(t, "serve.db")
	addr := freePort(t)
	_, stop := serveInBackground(t, env(
		"SLACK_BOT_TOKEN", "xoxb-e2e", "SLACK_SIGNING_SECRET", testSecret, "SLACK_API_URL", fs.URL(),
		"KAMBOT_ADDR", addr, "KAMBOT_DB", dbPath, "KAMBOT_ADMINS", testAdmin,
	))
	base := "http://" + addr

	// Unsigned: 401, nothing changes.
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader("text=add+Evil"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned request: %v %v", resp, err)
	}

	code, rep := slash(t, base, testAdmin, `add "Acme Corp" tier=partner owner=<@`+testAdmin+`|admin> channel=<#C0ACME001|acme>`)
	if code != 200 || !strings.Contains(replyText(rep), "Acme Corp") {
		t.Fatalf("add: %d %v", code, rep)
	}
	code, rep = slash(t, base, testAdmin, "log acme call Agreed the renewal timeline")
	if code != 200 || !strings.Contains(replyText(rep), "Logged") || rep["response_type"] == "in_channel" {
		t.Fatalf("log: %d %v", code, rep)
	}
	// The channel post goes out through the outbox.
	deadline := time.Now().Add(10 * time.Second)
	for len(fs.Messages("C0ACME001")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if msgs := fs.Messages("C0ACME001"); len(msgs) != 1 || !strings.Contains(string(msgs[0].Blocks)+msgs[0].Text, "renewal timeline") {
		t.Fatalf("account channel got %+v", msgs)
	}
	// An outsider is refused, privately.
	code, rep = slash(t, base, "U0OUTSIDER", "log acme call sneaky")
	if code != 200 || strings.Contains(replyText(rep), "Logged") || rep["response_type"] == "in_channel" {
		t.Fatalf("outsider log: %d %v", code, rep)
	}

	// 64 concurrent signed logs: every one stored, none refused.
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, rep := slash(t, base, testAdmin, fmt.Sprintf("log acme note concurrent note %d", i))
			if code != 200 || !strings.Contains(replyText(rep), "Logged") {
				errs <- fmt.Sprintf("%d: %d %v", i, code, rep)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200} {
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/metrics" && !strings.Contains(string(b), `kambot_commands_total{command="log",outcome="ok"}`) {
			t.Errorf("metrics lack the log counter:\n%.2000s", b)
		}
	}
	// A sub-command that tries to break the exposition counts as unknown.
	if code, _ := slash(t, base, testAdmin, "evil\"}\nkambot_injected_total 1"); code != 200 {
		t.Fatalf("hostile sub-command: %d", code)
	}
	e := scrapeMetrics(t, base)
	for family, typ := range map[string]string{
		"kambot_commands_total": "counter", "kambot_command_duration_seconds": "histogram",
		"kambot_outbox_queue_depth": "gauge", "kambot_outbox_delivery_seconds": "histogram",
		"go_goroutines": "gauge", "process_resident_memory_bytes": "gauge", "process_open_fds": "gauge",
	} {
		if e.Types[family] != typ {
			t.Errorf("# TYPE %s is %q; want %s", family, e.Types[family], typ)
		}
	}
	unknown := 0.0
	for _, smp := range e.Samples {
		if smp.Name == "kambot_commands_total" && smp.Labels["command"] == "unknown" {
			unknown += smp.Value
		}
		if strings.HasPrefix(smp.Name, "kambot_injected") {
			t.Errorf("the hostile sub-command made a series: %s", smp.Key())
		}
	}
	if unknown != 1 {
		t.Errorf("kambot_commands_total{command=\"unknown\"} sums to %v; want 1", unknown)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.CountInteractions(context.Background(), fakeslack.TeamID); err != nil || got != n+1 {
		t.Fatalf("stored %d interactions (%v), want %d", got, err, n+1)
	}
}

// TestServeSocketMode runs kambot serve in Socket Mode: the same engine
// answers a slash command envelope in its ack.
func TestServeSocketMode(t *testing.T) {
	fs := fakeslack.New(t)
	addr := freePort(t)
	serveInBackground(t, env(
		"SLACK_BOT_TOKEN", "xoxb-e2e", "SLACK_APP_TOKEN", "xapp-e2e", "SLACK_API_URL", fs.URL(),
		"KAMBOT_ADDR", addr, "KAMBOT_DB", storetest.DSN(t, "sock.db"), "KAMBOT_ADMINS", testAdmin,
	))
	sock := fs.Socket()
	if err := sock.WaitConnections(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	id := sock.SlashCommand(fakeslack.WithDefaults(slack.SlashCommand{UserID: testAdmin, Command: "/kam", Text: `add "Globex"`}))
	ack, err := sock.WaitAck(id, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ack.Payload), "Globex") {
		t.Fatalf("ack payload: %s", ack.Payload)
	}
	// Health and metrics are served in Socket Mode too; /slack/* is not.
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	if resp, err := http.Post("http://"+addr+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("text=help")); err == nil && resp.StatusCode == 200 {
		t.Fatal("/slack/commands answered in Socket Mode")
	}
	// The ack is counted just after it goes out, so the counters may lag
	// the ack the test saw by a moment: read them until they agree.
	for deadline := time.Now().Add(5 * time.Second); ; {
		e := scrapeMetrics(t, "http://"+addr)
		var wrong []string
		for _, tt := range []struct {
			name   string
			labels map[string]string
			want   float64
		}{
			{"kambot_socket_envelopes_total", map[string]string{"type": "slash_commands"}, 1},
			{"kambot_socket_acks_total", map[string]string{"outcome": "payload"}, 1},
			{"kambot_commands_total", map[string]string{"command": "add", "outcome": "ok"}, 1},
		} {
			if got := e.Value(tt.name, tt.labels); got != tt.want {
				wrong = append(wrong, fmt.Sprintf("%s%v = %v; want %v", tt.name, tt.labels, got, tt.want))
			}
		}
		if len(wrong) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Error(strings.Join(wrong, "; "))
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// After a disconnect the client reconnects and the next envelope works.
	sock.Disconnect("refresh_requested")
	if err := sock.WaitConnections(2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	id = sock.SlashCommand(fakeslack.WithDefaults(slack.SlashCommand{UserID: testAdmin, Command: "/kam", Text: "show globex"}))
	if ack, err := sock.WaitAck(id, 10*time.Second); err != nil || !strings.Contains(string(ack.Payload), "Globex") {
		t.Fatalf("after reconnect: %v %s", err, ack.Payload)
	}
}

// TestConsoleAsksForTeam: with several workspaces in the database the
// console refuses to guess which one is meant.
func TestConsoleAsksForTeam(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.csv")
	os.WriteFile(src, []byte("name\nAcme Corp\n"), 0o600)
	getenv := env("KAMBOT_DB", storetest.DSN(t, "k.db"))
	for _, team := range []string{"T0TEAM001", "T0TEAM002"} {
		if _, _, err := run(t, getenv, "", "import", "--team", team, src); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := run(t, getenv, "/kam accounts all\n", "console"); err == nil || !strings.Contains(err.Error(), "--team") {
		t.Fatalf("console with two workspaces: %v; want it to ask for --team", err)
	}
	out, _, err := run(t, getenv, "/kam show acme\n", "console", "--team", "T0TEAM002")
	if err != nil || !strings.Contains(out, "Acme Corp") {
		t.Fatalf("console --team: %v\n%s", err, out)
	}
}

// TestImportCLI: revenue takes the commands' money syntax; a fresh database
// takes the one workspace the configuration names; a bad row anywhere
// writes nothing and the error names its line; export neutralises formulas.
func TestImportCLI(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "name,tier,level,owner,sponsor,cadence,revenue,wallet,segment,region,channel\n"
	tests := []struct {
		name    string
		env     []string
		csv     string
		wantErr string // substring; "" means success
		want    string // the export afterwards
	}{
		{name: "MoneyAndConfiguredTeam", env: []string{"KAMBOT_ADMINS", "T0TEAM009:" + testAdmin},
			csv:  "name,revenue\nAcme,1.2m\nBorealis,250k\nCobalt,\"$1,200\"\n",
			want: head + "Acme,vendor,commodity,,,monthly,1200000,0,,,\nBorealis,vendor,commodity,,,monthly,250000,0,,,\nCobalt,vendor,commodity,,,monthly,1200,0,,,\n"},
		{name: "DigestChannelNamesTheTeam", env: []string{"KAMBOT_DIGEST_CHANNEL", "T0TEAM009:C0DIGEST1"},
			csv: "name\nAcme\n", want: head + "Acme,vendor,commodity,,,monthly,0,0,,,\n"},
		{name: "NoTeamAnywhere", csv: "name\nAcme\n", wantErr: "pass --team"},
		{name: "TwoConfiguredTeams", env: []string{"KAMBOT_ADMINS", "T0TEAM009:" + testAdmin + ",T0TEAM010:" + testAdmin},
			csv: "name\nAcme\n", wantErr: "pass --team"},
		{name: "FormulasNeutralised", env: []string{"KAMBOT_ADMINS", "T0TEAM009:" + testAdmin},
			csv:  "name,segment\n@SUM(1+1),\"=HYPERLINK(\"\"http://x.example\"\")\"\n",
			want: head + `'@SUM(1+1),vendor,commodity,,,monthly,0,0,"'=HYPERLINK(""http://x.example"")",,` + "\n"},
		{name: "AllOrNothing", env: []string{"KAMBOT_ADMINS", "T0TEAM009:" + testAdmin},
			csv: "name,wallet\nGood Row Co,10\nBad Row Co,NaN\n", wantErr: "line 3: wallet \"NaN\""},
		{name: "AllOrNothingDomainRule", env: []string{"KAMBOT_ADMINS", "T0TEAM009:" + testAdmin},
			csv: "name,wallet\nGood Row Co,10\n!!!,5\n", wantErr: "line 3: name needs a letter or digit"},
		{name: "AllOrNothingSlug", env: []string{"KAMBOT_ADMINS", "T0TEAM009:" + testAdmin},
			csv: "name,wallet\nGood Row Co,10\nGood-Row Co,5\n", wantErr: "line 3: account \"Good-Row Co\" would have the slug \"good-row-co\" of line 2's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := env(append([]string{"KAMBOT_DB", storetest.DSN(t, tt.name+".db")}, tt.env...)...)
			src := write(tt.name+".csv", tt.csv)
			out, _, err := run(t, getenv, "", "import", src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("import = %v, %q; want an error containing %q", err, out, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "pass --team") && !strings.Contains(err.Error(), "nothing was imported") {
					t.Errorf("error %v does not say that nothing was imported", err)
				}
				if out, _, _ := run(t, getenv, "", "export", "--team", "T0TEAM009"); out != head {
					t.Fatalf("a refused import wrote:\n%s", out)
				}
				return
			}
			if err != nil || !strings.Contains(out, "T0TEAM009") {
				t.Fatalf("import: %v %s", err, out)
			}
			if out, _, err := run(t, getenv, "", "export"); err != nil || out != tt.want {
				t.Fatalf("export = %v\n%s\nwant\n%s", err, out, tt.want)
			}
		})
	}
}

// TestConsoleOutbox: /kam outbox works in the console as the README says,
// for admins only.
func TestConsoleOutbox(t *testing.T) {
	getenv := env("KAMBOT_DB", storetest.DSN(t, "k.db"), "KAMBOT_ADMINS", testAdmin)
	for _, tc := range []struct{ as, want, not string }{
		{testAdmin, "No failed messages", "Unknown"},
		{"U0NOBODY01", "admin", "No failed messages"},
	} {
		out, errOut, err := run(t, getenv, "/kam outbox\n", "console", "--as", tc.as)
		if err != nil {
			t.Fatalf("console: %v\n%s", err, errOut)
		}
		if !strings.Contains(out, tc.want) || strings.Contains(out, tc.not) {
			t.Errorf("as %s: /kam outbox said\n%s\nwant %q, not %q", tc.as, out, tc.want, tc.not)
		}
	}
}
