package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestReplicasExactlyOnce: three kambot serve processes on one PostgreSQL
// database share queued nudges across many channels while signed commands
// go to all three. The replica delivering (the sender's leader) and the
// scheduler's leader are killed with SIGKILL mid-run; another replica takes
// each role over within 15 s, and Slack receives every nudge exactly once.
//
// The default size suits CI on a small machine; KAMBOT_TEST_REPLICAS_FULL=1
// runs the full 10,000 nudges across 500 channels (spread over 50
// workspaces, as each workspace is paced at 5 posts a second).
func TestReplicasExactlyOnce(t *testing.T) {
	base := storetest.PostgresURL()
	if base == "" {
		t.Skip("needs PostgreSQL: set " + storetest.EnvPostgres)
	}
	if testing.Short() {
		t.Skip("starts three kambot serve processes")
	}
	channels, perChannel, teams := 60, 5, 12
	if os.Getenv("KAMBOT_TEST_REPLICAS_FULL") == "1" {
		channels, perChannel, teams = 500, 20, 50
	}
	total := channels * perChannel
	dsn := storetest.NewSchema(t, base)
	fs := fakeslack.New(t)
	fs.AddUser(slack.User{ID: testAdmin, Name: "admin"})
	seedReplicaNudges(t, dsn, channels, perChannel, teams)

	procs := make([]*exec.Cmd, 3)
	addrs := make([]string, 3)
	// A restarted replica gets a new address while the command senders
	// read the others.
	var addrMu sync.Mutex
	addrOf := func(i int) string {
		addrMu.Lock()
		defer addrMu.Unlock()
		return addrs[i]
	}
	start := func(i int) {
		addrMu.Lock()
		addrs[i] = freePort(t)
		addrMu.Unlock()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), asServe+"=1",
			"SLACK_BOT_TOKEN=xoxb-replica", "SLACK_SIGNING_SECRET="+testSecret, "SLACK_APP_TOKEN=",
			"SLACK_API_URL="+fs.URL(), "KAMBOT_ADDR="+addrOf(i), "KAMBOT_DB="+dsn,
			"KAMBOT_ADMINS="+testAdmin, "KAMBOT_SWEEP_CRON=@every 2s", "KAMBOT_LOG_LEVEL=error")
		cmd.Stderr = testLog{t}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[i] = cmd
	}
	for i := range procs {
		start(i)
	}
	t.Cleanup(func() {
		for _, p := range procs {
			p.Process.Signal(os.Interrupt)
			p.Wait()
		}
	})
	for _, a := range addrs {
		waitReady(t, "http://"+a)
	}

	// Signed commands spread over the three replicas for the whole run.
	stopCmds := make(chan struct{})
	// A replica that is down refuses the connection (a load balancer would
	// send the command elsewhere); one that answers must answer 200.
	var cmdsOK, cmdsBad, cmdsSent atomic.Int64
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopCmds:
					return
				default:
				}
				cmdsSent.Add(1)
				code, _, err := trySlash("http://"+addrOf((w+i)%3), testAdmin, "help")
				switch {
				case err == nil && code == 200:
					cmdsOK.Add(1)
				case err == nil:
					cmdsBad.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	delivered := func() int { return countReplicaNudges(t, fs, channels) }
	waitUntil := func(what string, timeout time.Duration, cond func() bool) time.Duration {
		t.Helper()
		began := time.Now()
		for !cond() {
			if time.Since(began) > timeout {
				t.Fatalf("no %s within %v (%d of %d delivered)", what, timeout, delivered(), total)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return time.Since(began)
	}
	waitUntil("first deliveries", 60*time.Second, func() bool { return delivered() >= total/10 })

	// Kill the sender's leader mid-delivery, then the scheduler's.
	keys, err := store.OpenMigrated(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	for _, role := range []struct {
		name string
		key  int64
	}{{"outbox sender", keys.LockKey(store.RoleSender)}, {"scheduler", keys.LockKey(store.RoleScheduler)}} {
		pid := leaderPID(t, base, role.key)
		victim := -1
		for i, p := range procs {
			if p.Process.Pid == pid && p.ProcessState == nil {
				victim = i
			}
		}
		if victim < 0 {
			t.Fatalf("%s leader pid %d is not one of the replicas", role.name, pid)
		}
		before := delivered()
		procs[victim].Process.Kill()
		procs[victim].Wait()
		took := waitUntil("new "+role.name+" leader", 15*time.Second, func() bool {
			p := leaderPID(t, base, role.key)
			return p != 0 && p != pid
		})
		t.Logf("killed the %s leader (replica %d) at %d of %d delivered; a new leader in %v", role.name, victim, before, total, took)
		start(victim) // back to three replicas
		waitReady(t, "http://"+addrs[victim])
	}

	waitUntil("every nudge", 20*time.Minute, func() bool { return delivered() >= total })
	time.Sleep(3 * time.Second) // room for a duplicate to show up
	close(stopCmds)
	wg.Wait()

	seen := map[string]int{}
	for c := range channels {
		for _, m := range fs.Messages(replicaChannel(c)) {
			seen[outboxKey(t, m)]++
		}
	}
	if len(seen) != total {
		t.Errorf("Slack received %d distinct nudges, want %d", len(seen), total)
	}
	dups := 0
	for k, n := range seen {
		if n != 1 {
			dups++
			if dups <= 5 {
				t.Errorf("%s delivered %d times", k, n)
			}
		}
	}
	if cmdsOK.Load() == 0 || cmdsBad.Load() > 0 {
		t.Errorf("%d commands answered 200, %d otherwise (of %d sent)", cmdsOK.Load(), cmdsBad.Load(), cmdsSent.Load())
	}
	t.Logf("%d nudges over %d channels delivered once each; %d of %d commands answered (the rest sent to a killed replica)",
		total, channels, cmdsOK.Load(), cmdsSent.Load())
}

func replicaChannel(c int) string { return fmt.Sprintf("C0REPL%04d", c) }

// seedReplicaNudges queues perChannel nudges to each channel, in the same
// transactions as their nudge records, as the sweep queues them.
func seedReplicaNudges(t *testing.T, dsn string, channels, perChannel, teams int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var batch []kam.NudgeMessage
	for c := range channels {
		team := fakeslack.TeamID
		if c%teams != 0 {
			team = fmt.Sprintf("T0REPL%03d", c%teams)
		}
		a := kam.Account{TeamID: team, Name: fmt.Sprintf("Replica Account %04d", c), OwnerID: testAdmin,
			Tier: kam.TierPartner, Level: kam.LevelProduct, Cadence: kam.CadenceQuarterly, ChannelID: replicaChannel(c)}
		if err := db.CreateAccount(ctx, &a, testAdmin); err != nil {
			t.Fatal(err)
		}
		for j := range perChannel {
			k := kam.NudgeKey{NudgeTopic: kam.NudgeTopic{AccountID: a.ID, Kind: kam.NudgeStalled, Item: strconv.Itoa(j + 1),
				Period: "2026-12-01"}, Recipient: a.ChannelID}
			batch = append(batch, kam.NudgeMessage{TeamID: team, Key: k, Text: fmt.Sprintf("Deal %d has stalled", j+1)})
		}
		if len(batch) >= 500 || c == channels-1 {
			if _, err := db.QueueNudges(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// countReplicaNudges counts the nudges Slack has received.
func countReplicaNudges(t *testing.T, fs *fakeslack.Server, channels int) int {
	n := 0
	for c := range channels {
		n += len(fs.Messages(replicaChannel(c)))
	}
	return n
}

// leaderPID is the process holding the advisory lock key, from the
// application_name of its lock connection; 0 when none holds it.
func leaderPID(t *testing.T, base string, key int64) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var name string
	err = conn.QueryRow(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1
		  AND l.objid::bigint = $2 AND l.objsubid = 1 AND a.datname = current_database()`,
		int64(uint64(key)>>32), int64(uint32(key))).Scan(&name)
	if err == pgx.ErrNoRows {
		return 0
	} else if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimPrefix(name, "kambot leader pid="))
	return pid
}
