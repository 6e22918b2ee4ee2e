package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kambot/kambot/internal/benchdb"
)

// Whole-workspace targets: health all and the digest of a manager of all
// accounts, in a real kambot serve process.
const (
	maxHealthAllCPU  = 500 * time.Millisecond
	maxDigestCPU     = time.Second
	maxWorkspaceRSS  = 120 << 20
	warmUpWait       = 3 * time.Minute
	commandQuietTime = 300 * time.Millisecond
)

// workspaceRun measures whole-workspace commands on a copy of a seeded
// database, as a user meets them: signed slash commands to kambot serve,
// whose answers come back in the acknowledgement or through response_url.
type workspaceRun struct {
	client *http.Client
	runs   int

	startHWM, warmHWM int64 // VmHWM once listening, and once the health inputs are loaded ahead
	warmUp            time.Duration
	settled           time.Duration // until the work started at start was done
	cases             []workspaceCase
}

type workspaceCase struct {
	name      string
	cpu, wall []time.Duration // per run
	hwm       int64           // VmHWM over the case's runs, from what was resident before them
	before    int64           // what was resident before them
	replies   int             // answers received (acknowledgements with a body, response_url posts)
	cpuTarget time.Duration
}

// workspaceServe is kambot serve on a copy of a seeded database, Slack's
// Web API pointed at a double; stop ends both and removes the copy.
type workspaceServe struct {
	srv     *exec.Cmd
	base    string
	started time.Time
	// warmed is closed once the health inputs are loaded ahead, lines[i]
	// at the first log line holding the i-th text watched.
	warmed <-chan struct{}
	lines  []chan struct{}
	stop   func()
}

// startWorkspaceServe copies the seeded database at src, starts kambot serve
// on it with env added, and waits until it answers.
func startWorkspaceServe(client *http.Client, bin, src string, env []string, watch ...string) *workspaceServe {
	dir, err := os.MkdirTemp("", "kamload-workspace")
	must(err)
	dbPath := filepath.Join(dir, "workspace.db")
	must(benchdb.CopyFile(src, dbPath))
	apiURL, stopSlack := slackDouble(benchdb.Team)
	addr := freeAddr()
	srv := serveCommand(bin, addr, dbPath, benchdb.Admin, apiURL, "debug")
	srv.Env = append(srv.Env, env...)
	stderr, err := srv.StderrPipe()
	must(err)
	w := &workspaceServe{srv: srv, base: "http://" + addr, started: time.Now()}
	must(srv.Start())
	w.stop = func() {
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
		stopSlack()
		os.RemoveAll(dir)
	}
	lines := watchLog(stderr, append([]string{"loaded ahead"}, watch...)...)
	w.warmed, w.lines = lines[0], lines[1:]
	waitHealthy(client, w.base+"/healthz")
	return w
}

// waitWarm waits, at most warmUpWait, until the health inputs are loaded
// ahead, and returns how long after the start that was.
func (w *workspaceServe) waitWarm() time.Duration {
	select {
	case <-w.warmed:
	case <-time.After(warmUpWait):
		log.Printf("kamload: the health inputs were not loaded ahead within %s; measuring anyway", warmUpWait)
	}
	return time.Since(w.started)
}

// loadWorkspace starts kambot serve on a copy of the seeded database at
// src, waits until the health inputs are loaded ahead, then runs health all
// (an admin) and /kam digest (the manager of every account) runs times each.
func loadWorkspace(client *http.Client, bin, src string, runs int) *workspaceRun {
	replies := &replyCatcher{}
	rl, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	rs := &http.Server{Handler: replies}
	go rs.Serve(rl)
	defer rs.Close()

	ws := startWorkspaceServe(client, bin, src, nil)
	defer ws.stop()
	srv, base := ws.srv, ws.base

	w := &workspaceRun{client: client, runs: runs}
	w.startHWM = memory(srv.Process.Pid).hwm
	w.warmUp = ws.waitWarm()
	w.warmHWM = memory(srv.Process.Pid).hwm
	// A workspace never swept sweeps at start (reminders, surveys, alerts
	// for every account) and the outbox sends what it queued: measured
	// commands wait until that is done.
	w.settled = waitQuiet(srv.Process.Pid, warmUpWait)
	target := base + "/slack/commands"
	replyURL := "http://" + rl.Addr().String() + "/reply"
	for _, c := range []struct {
		name, user, text string
		cpu              time.Duration
	}{
		{"health all (admin)", benchdb.Admin, "health all", maxHealthAllCPU},
		{"/kam digest (manager of every account)", benchdb.VP, "digest", maxDigestCPU},
	} {
		wc := workspaceCase{name: c.name, cpuTarget: c.cpu}
		resetHWM(srv.Process.Pid)
		wc.before = memory(srv.Process.Pid).hwm
		for range runs {
			cpu, wall, n := runCommandOnce(client, srv.Process.Pid, target, replyURL, c.user, c.text, replies)
			wc.cpu, wc.wall = append(wc.cpu, cpu), append(wc.wall, wall)
			wc.replies += n
		}
		wc.hwm = memory(srv.Process.Pid).hwm
		w.cases = append(w.cases, wc)
	}
	return w
}

// weeklyFirst is when the weekly digest job first fires after a start, as
// kambot's scheduler reads "@every": well after the health inputs are
// loaded ahead.
const weeklyFirst = time.Minute

// loadWeekly measures the weekly digest job in a kambot serve of its own
// on another copy of src: every manager's digest (the VP's of every
// account among them), the workspace's copy for a digest channel and the
// week's snapshots, with the pictures as configured by default. The job
// is scheduled a minute after the start; the case's CPU and wall time run
// from when it starts until its "queued" line, its peak from what was
// resident before it.
func loadWeekly(client *http.Client, bin, src string) workspaceCase {
	ws := startWorkspaceServe(client, bin, src,
		[]string{"KAMBOT_DIGEST_CRON=@every " + weeklyFirst.String(), "KAMBOT_DIGEST_CHANNEL=CBENCHDIGEST"}, "weekly digest queued")
	defer ws.stop()
	srv := ws.srv
	ws.waitWarm()
	waitQuiet(srv.Process.Pid, warmUpWait)
	if since := time.Since(ws.started); since > weeklyFirst-5*time.Second {
		log.Printf("kamload: kambot was busy until %s after start; the weekly job may overlap", since.Round(time.Second))
	}
	resetHWM(srv.Process.Pid)
	wc := workspaceCase{name: "weekly digest job", before: memory(srv.Process.Pid).hwm}
	// The scheduler counts "@every" from its own start, truncated to the
	// second, so the job may fire up to a second before started+weeklyFirst:
	// the quiet process is watched from two seconds before, and the job's
	// time counts from the first 20 ms in which it used 2 ms of CPU.
	time.Sleep(time.Until(ws.started.Add(weeklyFirst - 2*time.Second)))
	cpu0 := cpuOf(srv.Process.Pid)
	var t0 time.Time
	deadline := time.After(warmUpWait)
	for done := false; !done; {
		c := cpuOf(srv.Process.Pid)
		select {
		case <-ws.lines[0]:
			done = true
		case <-deadline:
			log.Fatalf("kamload: the weekly digest job did not finish within %s", warmUpWait)
		case <-time.After(20 * time.Millisecond):
		}
		if t0.IsZero() && (done || cpuOf(srv.Process.Pid)-c >= 2*time.Millisecond) {
			t0 = time.Now()
		}
	}
	wc.cpu, wc.wall = []time.Duration{cpuOf(srv.Process.Pid) - cpu0}, []time.Duration{time.Since(t0)}
	wc.hwm = memory(srv.Process.Pid).hwm
	wc.replies = 1
	return wc
}

// waitQuiet waits, at most limit, until pid has used under 10 ms of CPU in
// each of two half seconds in a row, and returns how long it waited.
func waitQuiet(pid int, limit time.Duration) time.Duration {
	start, quiet := time.Now(), 0
	for quiet < 2 && time.Since(start) < limit {
		c0 := cpuOf(pid)
		time.Sleep(500 * time.Millisecond)
		if cpuOf(pid)-c0 < 10*time.Millisecond {
			quiet++
		} else {
			quiet = 0
		}
	}
	if quiet < 2 {
		log.Printf("kamload: kambot still busy %s after start; measuring anyway", limit)
	}
	return time.Since(start)
}

// watchLog reads kambot's log and closes each returned channel at the
// first line containing its text (all of them when the log ends), then
// keeps draining it.
func watchLog(r io.Reader, texts ...string) []chan struct{} {
	done := make([]chan struct{}, len(texts))
	for i := range done {
		done[i] = make(chan struct{})
	}
	go func() {
		closed := make([]bool, len(texts))
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			for i, t := range texts {
				if !closed[i] && strings.Contains(line, t) {
					log.Printf("kamload: %s", line)
					close(done[i])
					closed[i] = true
				}
			}
		}
		for i := range done {
			if !closed[i] {
				close(done[i])
			}
		}
	}()
	return done
}

// runCommandOnce sends one signed command and waits until its answer is
// in (the acknowledgement, and any response_url posts) and the server has
// gone quiet: the CPU and wall time it took, and how many answers came.
func runCommandOnce(client *http.Client, pid int, target, replyURL, user, text string, replies *replyCatcher) (cpu, wall time.Duration, n int) {
	before := replies.count.Load()
	cpu0, t0 := cpuOf(pid), time.Now()
	status, body := postAs(client, target, benchdb.Team, user, "CBENCH0001", text, replyURL)
	if status != http.StatusOK {
		log.Fatalf("kamload: %q as %s: status %d %s", text, user, status, body)
	}
	last := time.Now()
	if strings.TrimSpace(body) != "" {
		n++
	}
	// Quiet: no new answer and no CPU used for commandQuietTime.
	for {
		c0, r0 := cpuOf(pid), replies.count.Load()
		time.Sleep(commandQuietTime)
		if r := replies.count.Load(); r != r0 {
			last = replies.lastAt()
			continue
		}
		if cpuOf(pid)-c0 < 5*time.Millisecond {
			break
		}
	}
	n += int(replies.count.Load() - before)
	if n == 0 {
		log.Fatalf("kamload: %q as %s got no answer", text, user)
	}
	return cpuOf(pid) - cpu0, last.Sub(t0), n
}

// replyCatcher is the response_url endpoint: it counts the posts.
type replyCatcher struct {
	count atomic.Int64
	mu    sync.Mutex
	last  time.Time
}

func (c *replyCatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	c.mu.Lock()
	c.last = time.Now()
	c.mu.Unlock()
	c.count.Add(1)
	w.WriteHeader(http.StatusOK)
}

func (c *replyCatcher) lastAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// postAs sends a signed slash command as user of team from channel, its
// answers to responseURL.
func postAs(client *http.Client, target, team, user, channel, text, responseURL string) (int, string) {
	form := url.Values{
		"token": {"deprecated"}, "team_id": {team}, "team_domain": {"kamload"},
		"channel_id": {channel}, "channel_name": {"kamload"}, "user_id": {user},
		"user_name": {"kamload"}, "command": {"/kam"}, "text": {text},
		"response_url": {responseURL}, "trigger_id": {triggerID()}, "api_app_id": {"ALOAD"},
	}
	body := form.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+ts+":"+body)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// resetHWM sets the process's VmHWM back to what is resident now, so the
// next reading is the peak of what runs after.
func resetHWM(pid int) {
	if err := os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0); err != nil {
		log.Printf("kamload: cannot reset the peak memory of %d: %v", pid, err)
	}
}

// report prints each case's CPU, wall time and peak beside its target.
func (w *workspaceRun) report(src string) {
	fmt.Printf("\nkamload: whole workspace on a copy of %s, each command %d times, warm (health inputs loaded ahead at start)\n", filepath.Base(src), w.runs)
	fmt.Printf("kambot serve: VmHWM %.1f MB once listening, %.1f MB after loading the health inputs ahead (%.1f s after start); quiet %.1f s later\n",
		float64(w.startHWM)/(1<<20), float64(w.warmHWM)/(1<<20), w.warmUp.Seconds(), w.settled.Seconds())
	fmt.Printf("%-42s %-26s %-26s %10s %10s %8s\n", "command", "CPU per run", "answered in", "resident", "VmHWM", "answers")
	for _, c := range w.cases {
		fmt.Printf("%-42s %-26s %-26s %7.1f MB %7.1f MB %8d\n", c.name, durations(c.cpu), durations(c.wall),
			float64(c.before)/(1<<20), float64(c.hwm)/(1<<20), c.replies)
	}
}

// missed lists the whole-workspace targets missed.
func (w *workspaceRun) missed() []string {
	var missed []string
	for _, c := range w.cases {
		for _, d := range c.cpu {
			if c.cpuTarget > 0 && d > c.cpuTarget {
				missed = append(missed, fmt.Sprintf("%s CPU %s > %s", c.name, d.Round(time.Millisecond), c.cpuTarget))
				break
			}
		}
		if c.hwm > maxWorkspaceRSS {
			missed = append(missed, fmt.Sprintf("%s peak %.1f MB > 120 MB", c.name, float64(c.hwm)/(1<<20)))
		}
	}
	return missed
}

func durations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strconv.FormatInt(d.Milliseconds(), 10)
	}
	return strings.Join(parts, " / ") + " ms"
}
