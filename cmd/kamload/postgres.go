package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgRun is /kam log through two kambot replicas on one PostgreSQL database.
type pgRun struct {
	log      result
	pgCPU    float64 // PostgreSQL backends' CPU µs per request
	replicas int
	stored   int64
}

// loadPostgres starts two kambot serve processes on a fresh schema of the
// PostgreSQL database at base, seeds the account through the first, and
// sends /kam log to both in turn at the run's concurrency. It reports the
// replicas' CPU per request (both summed) and the PostgreSQL backends'
// (read from /proc, the server being local), to say where the time goes.
func (l *loadRun) loadPostgres(bin, base string) pgRun {
	ctx := context.Background()
	schema := fmt.Sprintf("kamload_%d", time.Now().UnixNano())
	admin, err := pgx.Connect(ctx, base)
	must(err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	must(err)
	defer admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	u, err := url.Parse(base)
	must(err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dsn := u.String()

	// The first migrates; the second starts on the migrated schema.
	srvA, baseA, stopA := startKambot(l.client, bin, dsn)
	defer stopA()
	srvB, baseB, stopB := startKambot(l.client, bin, dsn)
	defer stopB()
	status, body := post(l.client, baseA+"/slack/commands", fmt.Sprintf(`add "%s" owner=<@%s|loader> tier=partner channel=<#%s|load>`, account, loader, channel))
	if status != 200 || strings.Contains(body, "rror") {
		log.Fatalf("kamload: seeding the account on PostgreSQL failed: %d %s", status, body)
	}
	targets := []string{baseA + "/slack/commands", baseB + "/slack/commands"}
	drive(l.conc, l.warm, func(i int) { post(l.client, targets[i%2], logText(i)) })

	backends := pgBackends(ctx, admin)
	cpu0, pg0 := cpuOf(srvA.Process.Pid)+cpuOf(srvB.Process.Pid), cpuOfAll(backends)
	res := runSpread(l.client, targets, l.conc, l.warm, l.n)
	res.cpuPerReq = perRequest(cpuOf(srvA.Process.Pid)+cpuOf(srvB.Process.Pid)-cpu0, l.n)
	out := pgRun{log: res, pgCPU: perRequest(cpuOfAll(backends)-pg0, l.n), replicas: 2}
	srvA.Process.Signal(os.Interrupt)
	srvB.Process.Signal(os.Interrupt)
	srvA.Wait()
	srvB.Wait()
	out.stored = countInteractions(dsn)
	return out
}

// pgBackends are the server processes of kambot's connections.
func pgBackends(ctx context.Context, c *pgx.Conn) []int {
	rows, err := c.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'kambot%'`)
	must(err)
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		must(rows.Scan(&pid))
		pids = append(pids, pid)
	}
	return pids
}

func cpuOfAll(pids []int) time.Duration {
	var d time.Duration
	for _, p := range pids {
		d += cpuOf(p)
	}
	return d
}

// runSpread is run over several servers in turn, measured only (the
// caller warms up).
func runSpread(client *http.Client, targets []string, conc, warm, n int) result {
	lat := make([]time.Duration, n)
	var errs atomic.Int64
	start := time.Now()
	drive(conc, n, func(i int) {
		t0 := time.Now()
		status, body := post(client, targets[i%len(targets)], logText(warm+i))
		lat[i] = time.Since(t0)
		if status != 200 || strings.Contains(body, "rror") {
			errs.Add(1)
		}
	})
	elapsed := time.Since(start)
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	pct := func(p float64) time.Duration {
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(10 * time.Microsecond)
	}
	return result{rps: float64(n) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99), max: lat[len(lat)-1].Round(10 * time.Microsecond), errors: errs.Load()}
}

// reportPostgres prints the PostgreSQL run beside the SQLite one.
func (l *loadRun) reportPostgres(p pgRun) {
	fmt.Printf("%-40s %9.0f %6.2f %9s %9s %9s %8.0f %7d\n", "/kam log, 2 replicas on PostgreSQL", p.log.rps, p.log.rps/l.bare.rps,
		p.log.p50, p.log.p99, p.log.max, p.log.cpuPerReq, p.log.errors)
	fmt.Printf("PostgreSQL vs SQLite, /kam log: throughput %.2f×, p99 %.2f×; CPU per log: replicas %.0f µs, PostgreSQL backends %.0f µs (SQLite kambot: %.0f µs)\n",
		p.log.rps/l.log.rps, float64(p.log.p99)/float64(l.log.p99), p.log.cpuPerReq, p.pgCPU, l.log.cpuPerReq)
	fmt.Printf("interactions stored on PostgreSQL: %d of %d acknowledged\n", p.stored, int64(l.warm+l.n))
}
