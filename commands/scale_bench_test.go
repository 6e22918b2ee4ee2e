package commands_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/benchdb"
	"github.com/kambot/kambot/internal/memlimit"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/store"
)

// bench10k adds the 10,000-account workspaces (2M interactions each) to the
// scale benchmarks. Building one takes a minute the first time; the file
// is cached (see benchdb.Dir).
var bench10k = flag.Bool("bench10k", false, "also run the scale benchmarks on 10,000 accounts / 2M interactions")

// scaleNow is where the seeded history ends.
var scaleNow = time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC)

// scaleSpecs are the workspaces measured: 200 interactions an account over
// two years at 1,000 and at 10,000 accounts, so one account's own data is
// the same size in both.
func scaleSpecs(b *testing.B) []benchdb.Spec {
	specs := []benchdb.Spec{{Accounts: 1000, Interactions: 200_000, SpanDays: 730, Now: scaleNow}}
	if *bench10k {
		specs = append(specs, benchdb.Spec{Accounts: 10_000, Interactions: 2_000_000, SpanDays: 730, Now: scaleNow})
	} else {
		b.Log("10,000 accounts skipped: run with -bench10k")
	}
	return specs
}

// scaleEngine opens a seeded workspace and an engine over it with every
// read feature registered as serve does (brief without a model).
func scaleEngine(b *testing.B, s benchdb.Spec) (*commands.Engine, *store.DB) {
	b.Helper()
	eng, db := openScaleEngine(b, s)
	b.Cleanup(func() { db.Close() })
	return eng, db
}

// openScaleEngine is scaleEngine for a caller that closes the database
// itself.
func openScaleEngine(b *testing.B, s benchdb.Spec) (*commands.Engine, *store.DB) {
	b.Helper()
	ctx := context.Background()
	path, err := benchdb.Path(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	now := func() time.Time { return s.Now.Add(time.Duration(benchSeconds.Load()) * time.Second) }
	db.Now = now
	eng := commands.New(commands.Config{Store: db, Intel: db, Admins: []string{benchdb.Admin}, Now: now,
		Logger: slog.New(slog.DiscardHandler)})
	drafter := brief.New(brief.Config{Now: now, MaxRetries: -1})
	dg, err := digest.New(digest.Config{Store: db})
	if err != nil {
		b.Fatal(err)
	}
	eng.Register(commands.BriefExtension(drafter, nil))
	eng.Register(commands.SurveyExtension(commands.SurveyConfig{Store: db, Notifier: discardNotifier{}}))
	eng.Register(commands.DigestExtension(commands.DigestConfig{Digests: dg}))
	return eng, db
}

// discardNotifier accepts every post and sends none.
type discardNotifier struct{}

func (discardNotifier) Notify(context.Context, string, string, string, string, []slack.Block) error {
	return nil
}
func (discardNotifier) Wake() {}

// runCommand runs one command through the engine, its Later part included,
// and fails on an error or an empty reply.
func runCommand(b *testing.B, eng *commands.Engine, req commands.Request, want string) {
	ctx := context.Background()
	rep, err := eng.Do(ctx, req)
	if err != nil {
		b.Fatalf("%s: %v", req.Text, err)
	}
	if rep.Later != nil {
		rep = rep.Later(ctx)
	}
	text := rep.Text
	for _, bl := range rep.Blocks {
		text += fmt.Sprint(bl)
	}
	if !strings.Contains(text, want) {
		b.Fatalf("%s: reply lacks %q:\n%.2000s", req.Text, want, text)
	}
}

// benchSeconds moves the seeded workspaces' clock on, a second at a time:
// a card is served again only within the second it was rendered in.
var benchSeconds atomic.Int64

// BenchmarkOneAccount runs the one-account reads at 1,000 (and with
// -bench10k 10,000) accounts, for the owner of account 1. The account's own
// data is the same size in both workspaces, so the cost should be too.
// Each runs warm (asked again with nothing changed: show's card is served
// again, the health inputs are kept) and cold (the clock a second on and the
// kept health inputs dropped before each, as after a change to the account).
//
//	go test ./commands/ -run '^$' -bench OneAccount -bench10k
func BenchmarkOneAccount(b *testing.B) {
	slug := benchdb.Slug(1)
	cases := []struct{ name, text, want string }{
		{"show", "show " + slug, "Latest interactions"},
		{"brief", "brief " + slug, "Account 00001"},
		{"health", "health " + slug, "Account 00001"},
		{"pipeline", "pipeline " + slug, "Pipeline"},
		{"plan", "plan " + slug, "Objective 1"},
	}
	for _, s := range scaleSpecs(b) {
		eng, db := scaleEngine(b, s)
		for _, c := range cases {
			for _, cold := range []bool{false, true} {
				name := fmt.Sprintf("%dk/%s", s.Accounts/1000, c.name)
				if cold {
					name += "-cold"
				}
				b.Run(name, func(b *testing.B) {
					req := commands.Request{TeamID: benchdb.Team, UserID: benchdb.Owner(1), Text: c.text}
					runCommand(b, eng, req, c.want) // warm the statement cache
					cpu0 := cpuNow()
					for b.Loop() {
						if cold {
							benchSeconds.Add(1)
							db.ForgetHealthInputs()
						}
						runCommand(b, eng, req, c.want)
					}
					reportCPUPerOp(b, cpu0)
				})
			}
		}
	}
}

// BenchmarkWholeWorkspace runs `health all` (an admin) and the digest of
// the manager of every account at 1,000 and (with -bench10k) 10,000
// accounts, with 200 interactions an account over two years and with all of
// them inside the 90-day health window, and reports the process's peak
// resident memory during the runs. Each runs cold (the health inputs kept
// in memory dropped before every run, as after a restart or a write to
// every account) and then warm (nothing written since the last run). Then
// the weekly digest job: every manager's digest and the workspace's copy
// for a channel, queued, and the week's snapshots saved. As in kambot
// serve, each workspace is opened with every account's health inputs
// loaded ahead and the collector's soft limit set (internal/memlimit;
// GOMEMLIMIT=off in the environment runs without it).
// Targets at 10,000: under 500 ms and 1 s, peak under 120 MB.
//
// One workspace is open at a time: the next one's first case closes the
// last, so that a peak does not hold the other workspace's kept inputs.
// Some of the closed workspace's memory stays with the process (SQLite's
// freed C memory, the heap's fragments), so a workspace selected alone
// (-bench WholeWorkspace/10k/90d/) gives the steadiest peaks.
//
//	go test ./commands/ -run '^$' -bench WholeWorkspace -bench10k -benchtime 5x
func BenchmarkWholeWorkspace(b *testing.B) {
	// The workspace open now, opened by the first case that runs on it (a
	// workspace whose cases -bench filters out is never built) and closed
	// by the first case of the next one or at the end.
	var (
		eng      *commands.Engine
		db       *store.DB
		openSpec benchdb.Spec
	)
	was := debug.SetMemoryLimit(-1)
	b.Cleanup(func() {
		if db != nil {
			db.Close()
		}
		debug.SetMemoryLimit(was)
	})
	use := func(b *testing.B, s benchdb.Spec) {
		if db != nil && openSpec == s {
			return
		}
		if db != nil {
			// Nothing of the last workspace stays referenced: its
			// connections and kept inputs are gone before this one's
			// peak is measured (resetPeakRSS collects and returns them).
			db.Close()
			eng, db = nil, nil
		}
		eng, db = openScaleEngine(b, s)
		openSpec = s
		// As kambot serve does at start: every account's inputs loaded,
		// then the collector's soft limit set for what they keep live
		// (GOMEMLIMIT in the environment, "off" for none, overrides it).
		if _, err := db.WarmHealthInputs(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Logf("memory limit %d MiB", memlimit.Scaled(os.Getenv("GOMEMLIMIT") != "")>>20)
	}
	sizes := []int{1000}
	if *bench10k {
		sizes = append(sizes, 10_000)
	} else {
		b.Log("10,000 accounts skipped: run with -bench10k")
	}
	for _, n := range sizes {
		for _, span := range []int{730, 90} {
			s := benchdb.Spec{Accounts: n, Interactions: 200 * n, SpanDays: span, Now: scaleNow}
			cases := []struct {
				name, user, text, want string
				cold                   bool
			}{
				{"health-all-cold", benchdb.Admin, "health all", "Account", true},
				{"health-all", benchdb.Admin, "health all", "Account", false},
				{"digest-vp-cold", benchdb.VP, "digest", "Account", true},
				{"digest-vp", benchdb.VP, "digest", "Account", false},
			}
			for _, c := range cases {
				b.Run(fmt.Sprintf("%dk/%dd/%s", n/1000, span, c.name), func(b *testing.B) {
					use(b, s)
					req := commands.Request{TeamID: benchdb.Team, UserID: c.user, Text: c.text}
					loopPeak(b, func() {
						if c.cold {
							db.ForgetHealthInputs()
						}
						runCommand(b, eng, req, c.want)
					})
				})
			}
			// The weekly job: every manager's digest (the VP's of every
			// account among them) and the workspace's copy for its
			// channel, queued, and the week's snapshots saved.
			b.Run(fmt.Sprintf("%dk/%dd/weekly", n/1000, span), func(b *testing.B) {
				use(b, s)
				dg, err := digest.New(digest.Config{Store: db, Poster: discardNotifier{}, Channels: map[string]string{"": "CBENCHDIGEST"},
					Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				loopPeak(b, func() {
					if err := dg.Run(context.Background(), db.Now()); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}

// loopPeak runs op b.N times and reports its CPU per op and the process's
// peak resident memory over the runs.
func loopPeak(b *testing.B, op func()) {
	resetPeakRSS()
	cpu0 := cpuNow()
	for b.Loop() {
		op()
	}
	reportCPUPerOp(b, cpu0)
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-MB")
	}
}

// cpuNow is the CPU time the process has used, user and system: on a busy
// machine it measures the work done where wall time also counts waiting.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPUPerOp(b *testing.B, cpu0 time.Duration) {
	if b.N > 0 && cpu0 > 0 {
		b.ReportMetric(float64(cpuNow()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

// resetPeakRSS returns freed memory to the system and resets the kernel's
// peak (VmHWM), so that the peak read after a run is that run's, not the
// seeding's or an earlier benchmark's.
func resetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is VmHWM in bytes (0 where /proc is not available).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
