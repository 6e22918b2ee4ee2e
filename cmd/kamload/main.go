// Command kamload measures kambot end to end over loopback: it sends
// Slack-signed slash commands at a fixed concurrency, first to a bare
// net/http handler that only verifies the signature (the ceiling any Slack
// app on this machine can reach) and then to a real "kambot serve" process
// with its own SQLite file: "/kam log" on an account with a channel (the
// normal case: the channel post is queued with the interaction) and
// "/kam show" on it. For each it reports throughput and its ratio to the
// bare handler, p50 and p99 latency, the server's CPU time per request
// (from /proc/<pid>/stat, the steadiest figure on a shared machine) and its
// peak resident memory (VmHWM), split into the anonymous memory (heap,
// stacks, SQLite's caches) and the pages mapped from files (mostly the
// binary's own code) at their highest, sampled during the logs. It runs
// kambot from a copy of the binary, as installed. With -check it exits
// non-zero when a target is missed.
//
//	go build -o kambot ./cmd/kambot && go run ./cmd/kamload -kambot ./kambot -check
//
// With -workspace it measures instead, on a copy of a seeded database of the
// benchmarks, "health all" for an admin and "/kam digest" for the manager
// of every account, as a user meets them: signed commands to kambot serve
// once it has loaded the health inputs ahead, each answer awaited in the
// acknowledgement and through response_url. It reports each run's CPU and
// time to the last answer, and the process's peak memory over each
// command's runs. Then (unless -weekly=false) it runs the weekly digest
// job once, in a kambot serve of its own scheduled to run it a minute
// after its start, and reports its CPU, time and peak the same way.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/benchdb"
	"github.com/kambot/kambot/store"
)

const (
	secret  = "kamload-signing-secret"
	loader  = "ULOAD00001"
	team    = "TLOAD00001"
	account = "Loadtest Holdings"
	channel = "CLOADACCT1"

	showAccount = "Showcase Ltd"
	showChannel = "CLOADSHOW1"
)

// Targets from the product's performance brief.
const (
	maxP99        = 25 * time.Millisecond // /kam log
	minBareRatio  = 0.5                   // /kam log
	maxCPURatio   = 2.5                   // /kam log, CPU per request vs the bare handler's
	maxShowP99    = 50 * time.Millisecond
	minShowRatio  = 0.25
	maxRSSBytes   = 40 << 20 // VmHWM during /kam log
	rssAfterCount = 20000
)

func main() {
	bin := flag.String("kambot", "", "path of the kambot binary to start (required)")
	conc := flag.Int("c", 64, "concurrent requests")
	n := flag.Int("n", 40000, "measured requests per target")
	warm := flag.Int("warmup", 2000, "unmeasured requests before each run")
	check := flag.Bool("check", false, "exit 1 when a target is missed")
	pgURL := flag.String("postgres", "", "also run /kam log through two replicas on this PostgreSQL database (postgres://…; a fresh schema, dropped after)")
	workspace := flag.String("workspace", "", "instead, run health all and the digest of the manager of every account on a copy of this seeded database (the commands' -bench10k benchmarks build them in $TMPDIR/kambot-bench)")
	workspaceRuns := flag.Int("workspace-runs", 3, "runs of each whole-workspace command")
	weekly := flag.Bool("weekly", true, "with -workspace, also run the weekly digest job once, in a kambot serve of its own")
	flag.Parse()

	if addr := os.Getenv("KAMLOAD_BARE_ADDR"); addr != "" {
		serveBare(addr) // child mode: the bare baseline server
		return
	}
	if *bin == "" {
		log.Fatal("kamload: -kambot PATH is required (go build -o kambot ./cmd/kambot)")
	}
	// The binary is run from a copy, as installed: a file just written
	// by the linker maps more of its own pages under load (20.9 MB
	// against 17.1–17.3 MB for a copy here), which a peak of 40 MB feels.
	binDir, err := os.MkdirTemp("", "kamload-bin")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(binDir)
	*bin = installCopy(*bin, binDir)
	if *workspace != "" {
		client := &http.Client{Timeout: 2 * time.Minute}
		w := loadWorkspace(client, *bin, *workspace, *workspaceRuns)
		if *weekly {
			w.cases = append(w.cases, loadWeekly(client, *bin, *workspace))
		}
		w.report(*workspace)
		verdict(w.missed(), *check)
		return
	}
	if *n < rssAfterCount {
		log.Printf("kamload: -n %d is below %d, resident memory is measured after fewer requests", *n, rssAfterCount)
	}
	dir, err := os.MkdirTemp("", "kamload")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	l := &loadRun{conc: *conc, n: *n, warm: *warm,
		client: &http.Client{Transport: &http.Transport{MaxIdleConns: *conc * 2, MaxIdleConnsPerHost: *conc * 2, IdleConnTimeout: time.Minute}, Timeout: 10 * time.Second}}

	// 1. The bare handler, in a process of its own like kambot.
	l.bare = l.runBare()
	// 2. kambot serve in HTTP mode on its own database, Slack's Web API
	// pointed at a local double that accepts everything.
	dbPath := filepath.Join(dir, "load.db")
	srv, base, stop := startKambot(l.client, *bin, dbPath)
	defer stop()
	// 3. /kam log on an account with a channel, then /kam show.
	l.loadLog(srv, base)
	l.loadShow(srv, base)
	srv.Process.Signal(os.Interrupt)
	srv.Wait()
	// 4. Every acknowledged log must be in the database.
	l.stored, l.wantStored = countInteractions(dbPath), int64(*warm+*n+50)
	l.report()
	if *pgURL != "" {
		l.reportPostgres(l.loadPostgres(*bin, *pgURL))
	}
	verdict(l.missed(), *check)
}

// verdict prints the targets missed, and exits non-zero for them when check.
func verdict(missed []string, check bool) {
	if len(missed) == 0 {
		fmt.Println("targets: all met")
		return
	}
	fmt.Println("targets missed: " + strings.Join(missed, "; "))
	if check {
		os.Exit(1)
	}
}

// loadRun is one kamload run: its settings and what it measured.
type loadRun struct {
	client             *http.Client
	conc, n, warm      int
	bare, log, show    result
	showN              int
	rss, hwm           int64 // kambot's resident memory after rssAfterCount logs, and its peak
	peakAnon, peakFile int64 // highest RssAnon and RssFile seen during the logs
	stored, wantStored int64
}

// runBare measures the bare signature-checking handler in a child process.
func (l *loadRun) runBare() result {
	self, _ := os.Executable()
	bareAddr := freeAddr()
	bare := exec.Command(self)
	bare.Env = append(os.Environ(), "KAMLOAD_BARE_ADDR="+bareAddr)
	bare.Stderr = os.Stderr
	must(bare.Start())
	defer bare.Process.Kill()
	waitHealthy(l.client, "http://"+bareAddr+"/healthz")
	cpu0 := cpuOf(bare.Process.Pid)
	res := run(l.client, "http://"+bareAddr+"/slack/commands", l.conc, l.warm, l.n, logText, nil)
	res.cpuPerReq = perRequest(cpuOf(bare.Process.Pid)-cpu0, l.warm+l.n)
	return res
}

// startKambot starts kambot serve on dbPath with a Slack double that
// accepts everything; stop kills both.
func startKambot(client *http.Client, bin, dbPath string) (srv *exec.Cmd, base string, stop func()) {
	apiURL, stopSlack := slackDouble(team)
	addr := freeAddr()
	srv = serveCommand(bin, addr, dbPath, loader, apiURL, "warn")
	srv.Stderr = os.Stderr
	must(srv.Start())
	base = "http://" + addr
	waitHealthy(client, base+"/healthz")
	return srv, base, func() { srv.Process.Kill(); stopSlack() }
}

// slackDouble serves Slack's Web API on loopback, accepting every call as
// team's; stop closes it.
func slackDouble(team string) (apiURL string, stop func()) {
	fake := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"user_id":"UBOT","team_id":"`+team+`","channel":"C1","ts":"1.1"}`)
	})}
	fl, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	go fake.Serve(fl)
	return "http://" + fl.Addr().String() + "/", func() { fake.Close() }
}

// serveCommand is kambot serve in HTTP mode on addr and dbPath, with admin
// as its admin, Slack's Web API at apiURL and no language model.
func serveCommand(bin, addr, dbPath, admin, apiURL, logLevel string) *exec.Cmd {
	srv := exec.Command(bin, "serve")
	srv.Env = append(os.Environ(),
		"KAMBOT_ADDR="+addr, "KAMBOT_DB="+dbPath, "SLACK_BOT_TOKEN=xoxb-kamload",
		"SLACK_SIGNING_SECRET="+secret, "SLACK_APP_TOKEN=", "KAMBOT_ADMINS="+admin,
		"SLACK_API_URL="+apiURL, "OPENAI_API_KEY=", "KAMBOT_LOG_LEVEL="+logLevel)
	return srv
}

// loadLog measures /kam log on an account with a channel: each log also
// queues its channel post, in the same transaction, as in normal use.
func (l *loadRun) loadLog(srv *exec.Cmd, base string) {
	status, body := post(l.client, base+"/slack/commands", fmt.Sprintf(`add "%s" owner=<@%s|loader> tier=partner channel=<#%s|load>`, account, loader, channel))
	if status != 200 || strings.Contains(strings.ToLower(body), "internal error") || strings.Contains(body, "rror") {
		log.Fatalf("kamload: seeding the account failed: %d %s", status, body)
	}
	stopSampling := l.sampleMemory(srv.Process.Pid)
	cpu0 := cpuOf(srv.Process.Pid)
	l.log = run(l.client, base+"/slack/commands", l.conc, l.warm, l.n, logText, func(done int) {
		if done == rssAfterCount {
			l.rss = memory(srv.Process.Pid).rss
		}
	})
	l.log.cpuPerReq = perRequest(cpuOf(srv.Process.Pid)-cpu0, l.warm+l.n)
	stopSampling()
	l.hwm = memory(srv.Process.Pid).hwm
	if l.rss == 0 {
		l.rss = l.hwm
	}
}

// sampleMemory records the highest RssAnon and RssFile of pid every 20 ms
// until the function it returns is called. VmHWM alone cannot tell the
// process's own memory from the binary's pages in the page cache.
func (l *loadRun) sampleMemory(pid int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			m := memory(pid)
			l.peakAnon, l.peakFile = max(l.peakAnon, m.anon), max(l.peakFile, m.file)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// loadShow measures /kam show on an account with 50 interactions, a busy
// account's quarter (the card reads the latest five, health the 90-day
// window).
func (l *loadRun) loadShow(srv *exec.Cmd, base string) {
	status, body := post(l.client, base+"/slack/commands", fmt.Sprintf(`add "%s" owner=<@%s|loader> tier=partner channel=<#%s|show>`, showAccount, loader, showChannel))
	if status != 200 || strings.Contains(body, "rror") {
		log.Fatalf("kamload: seeding the show account failed: %d %s", status, body)
	}
	for i := range 50 {
		if status, body := post(l.client, base+"/slack/commands", fmt.Sprintf("log showc meeting Review %d of the rollout", i)); status != 200 || strings.Contains(body, "rror") {
			log.Fatalf("kamload: seeding the show account failed: %d %s", status, body)
		}
	}
	cpu0 := cpuOf(srv.Process.Pid)
	l.showN = max(l.n/4, 1000)
	l.show = run(l.client, base+"/slack/commands", l.conc, l.warm/4, l.showN, func(int) string { return "show showc" }, nil)
	l.show.cpuPerReq = perRequest(cpuOf(srv.Process.Pid)-cpu0, l.warm/4+l.showN)
}

// report prints the table: every target beside the bare handler.
func (l *loadRun) report() {
	fmt.Printf("kamload: %d concurrent, %d measured requests (show: %d), server and baseline in child processes, over loopback\n", l.conc, l.n, l.showN)
	fmt.Printf("%-40s %9s %6s %9s %9s %9s %8s %7s\n", "target", "req/s", "×bare", "p50", "p99", "max", "cpu µs", "errors")
	line := func(name string, r result) {
		fmt.Printf("%-40s %9.0f %6.2f %9s %9s %9s %8.0f %7d\n", name, r.rps, r.rps/l.bare.rps, r.p50, r.p99, r.max, r.cpuPerReq, r.errors)
	}
	line("bare handler (signature only)", l.bare)
	line("/kam log, account with a channel", l.log)
	line("/kam show, 50 interactions", l.show)
	fmt.Printf("server CPU per /kam log: %.2f× the bare handler's\n", l.log.cpuPerReq/l.bare.cpuPerReq)
	fmt.Printf("kambot resident memory after %d logs: %.1f MB; peak (VmHWM) after the logs: %.1f MB\n", rssAfterCount, float64(l.rss)/(1<<20), float64(l.hwm)/(1<<20))
	fmt.Printf("kambot during the logs, highest sampled: RssAnon %.1f MB, RssFile %.1f MB\n", float64(l.peakAnon)/(1<<20), float64(l.peakFile)/(1<<20))
	fmt.Printf("interactions stored: %d of %d acknowledged\n", l.stored, l.wantStored)
}

// missed lists the targets the run missed.
func (l *loadRun) missed() []string {
	var missed []string
	if l.log.p99 > maxP99 {
		missed = append(missed, fmt.Sprintf("log p99 %s > %s", l.log.p99, maxP99))
	}
	if ratio := l.log.rps / l.bare.rps; ratio < minBareRatio {
		missed = append(missed, fmt.Sprintf("log ratio %.2f < %.2f of the bare handler", ratio, minBareRatio))
	}
	if c := l.log.cpuPerReq / l.bare.cpuPerReq; c > maxCPURatio {
		missed = append(missed, fmt.Sprintf("log CPU %.2f× > %.1f× the bare handler's", c, maxCPURatio))
	}
	if l.hwm > maxRSSBytes {
		missed = append(missed, fmt.Sprintf("peak memory %.1f MB > 40 MB", float64(l.hwm)/(1<<20)))
	}
	if l.show.p99 > maxShowP99 {
		missed = append(missed, fmt.Sprintf("show p99 %s > %s", l.show.p99, maxShowP99))
	}
	if ratio := l.show.rps / l.bare.rps; ratio < minShowRatio {
		missed = append(missed, fmt.Sprintf("show ratio %.2f < %.2f of the bare handler", ratio, minShowRatio))
	}
	if l.show.errors > 0 {
		missed = append(missed, fmt.Sprintf("%d show errors", l.show.errors))
	}
	if l.log.errors > 0 || l.stored != l.wantStored {
		missed = append(missed, fmt.Sprintf("%d errors, %d of %d stored", l.log.errors, l.stored, l.wantStored))
	}
	return missed
}

type result struct {
	rps           float64
	p50, p99, max time.Duration
	errors        int64
	cpuPerReq     float64 // server CPU µs per request, warm-up included
}

// logText is the i-th /kam log.
func logText(i int) string {
	return fmt.Sprintf("log loadt call Call %d about renewal terms with the buyer", i)
}

// run sends warm unmeasured requests, then n measured ones, from conc
// workers; text makes the i-th command; onDone is called with the running
// count of measured requests.
func run(client *http.Client, target string, conc, warm, n int, text func(int) string, onDone func(int)) result {
	send := func(i int) (time.Duration, bool) {
		start := time.Now()
		status, body := post(client, target, text(i))
		return time.Since(start), status == 200 && !strings.Contains(body, "rror")
	}
	drive(conc, warm, func(i int) { send(i) })
	lat := make([]time.Duration, n)
	var errs, done atomic.Int64
	var mu sync.Mutex
	start := time.Now()
	drive(conc, n, func(i int) {
		d, ok := send(warm + i)
		lat[i] = d
		if !ok {
			errs.Add(1)
		}
		if c := done.Add(1); onDone != nil && c == int64(rssAfterCount) {
			mu.Lock()
			onDone(int(c))
			mu.Unlock()
		}
	})
	elapsed := time.Since(start)
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	pct := func(p float64) time.Duration {
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(10 * time.Microsecond)
	}
	return result{rps: float64(n) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99), max: lat[len(lat)-1].Round(10 * time.Microsecond), errors: errs.Load()}
}

func drive(conc, n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// triggers numbers the requests: every slash command Slack sends carries a
// trigger_id of its own, and kambot logs one interaction per trigger_id.
var triggers atomic.Int64

// triggerID is a new trigger_id in Slack's form.
func triggerID() string {
	return fmt.Sprintf("%d.%d.%016x", time.Now().Unix(), 42, triggers.Add(1))
}

// post sends one slash command in Slack's documented form, signed.
func post(client *http.Client, target, text string) (int, string) {
	return postAs(client, target, team, loader, "CLOAD00001", text, "http://127.0.0.1:1/unused")
}

// serveBare is the baseline: slack-go's documented verification of a slash
// command and a fixed ephemeral answer, nothing else.
func serveBare(addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {
		v, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(io.TeeReader(http.MaxBytesReader(w, r.Body, 64<<10), &v))
		if _, err := slack.SlashCommandParse(r); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if err := v.Ensure(); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func waitHealthy(client *http.Client, u string) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	log.Fatalf("kamload: %s did not become healthy", u)
}

// cpuOf is the CPU time a process has used, user and system, from
// /proc/<pid>/stat (0 where that is not available).
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

// perRequest is CPU time in µs per request.
func perRequest(d time.Duration, n int) float64 {
	return float64(d.Microseconds()) / float64(n)
}

// mem is a process's resident memory from /proc/<pid>/status, in bytes.
type mem struct {
	rss, hwm   int64 // resident now, and its peak
	anon, file int64 // resident now: anonymous, and mapped from files
}

// memory reads the process's resident memory from /proc.
func memory(pid int) (m mem) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = kb << 10
		case "VmHWM:":
			m.hwm = kb << 10
		case "RssAnon:":
			m.anon = kb << 10
		case "RssFile:":
			m.file = kb << 10
		}
	}
	return m
}

func countInteractions(path string) int64 {
	db, err := store.Open(path)
	if err != nil {
		log.Printf("kamload: open %s: %v", path, err)
		return -1
	}
	defer db.Close()
	n, err := db.CountInteractions(context.Background(), team)
	if err != nil {
		log.Printf("kamload: count interactions: %v", err)
		return -1
	}
	return n
}

// installCopy copies the binary at bin into dir, as an installation
// does, and returns the copy's path.
func installCopy(bin, dir string) string {
	dst := filepath.Join(dir, filepath.Base(bin))
	must(benchdb.CopyFile(bin, dst))
	must(os.Chmod(dst, 0o755))
	return dst
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer l.Close()
	return l.Addr().String()
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
