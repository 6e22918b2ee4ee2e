package commands_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/internal/benchdb"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// homeBenchNow is the clock of the Home benchmark: a minute after the
// seeded history ends.
var homeBenchNow = scaleNow.Add(time.Minute)

// homeBenchUser is on the team of 300 accounts spread over the workspace.
const homeBenchUser = "UHOME0300"

// BenchmarkHomeView builds the Home of a person on 300 accounts (their
// health, pipeline, plans, reminders, deals) in a workspace of 1,000 or
// (-bench10k) 10,000 accounts with 200 interactions each; target < 100 ms.
//
//	go test ./commands/ -run '^$' -bench HomeView -bench10k -benchtime 20x
func BenchmarkHomeView(b *testing.B) {
	for _, s := range scaleSpecs(b) {
		home, db := homeBenchEngine(b, s)
		// cold: every account's health loaded, as after a restart or a
		// change to each; home-cold: the Home's assessments dropped but the
		// store's health inputs kept; warm: the assessments cached since
		// the last view.
		for _, mode := range []string{"cold", "home-cold", "warm"} {
			b.Run(fmt.Sprintf("accounts=%d/%s", s.Accounts, mode), func(b *testing.B) {
				ctx := context.Background()
				if _, err := home.View(ctx, benchdb.Team, homeBenchUser, 0); err != nil {
					b.Fatal(err)
				}
				cpu0 := cpuNow()
				var last slack.HomeTabViewRequest
				for b.Loop() {
					switch mode {
					case "cold":
						db.ForgetHealthInputs()
						home.Invalidate(benchdb.Team, nil)
					case "home-cold":
						home.Invalidate(benchdb.Team, nil)
					}
					v, err := home.View(ctx, benchdb.Team, homeBenchUser, 0)
					if err != nil {
						b.Fatal(err)
					}
					if n := len(v.Blocks.BlockSet); n > 100 || !strings.Contains(format.Readable(v.Blocks.BlockSet), "300 accounts") {
						b.Fatalf("%d blocks: %s", n, format.Readable(v.Blocks.BlockSet))
					}
					last = v
				}
				reportCPUPerOp(b, cpu0)
				payload, err := json.Marshal(last)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(payload)), "view-bytes") // views.publish refuses 250 kB
			})
		}
	}
}

// BenchmarkHomeWarmUp loads every account's health inputs ahead, as
// `kambot serve` does in the background after it starts, and reports its
// CPU, the process's peak memory (VmHWM) before and during it, and the CPU
// of the Home view that follows (the Home's own cache dropped, the store's
// inputs kept: what a first view after a start then costs).
//
//	go test ./commands/ -run '^$' -bench HomeWarmUp -bench10k -benchtime 3x
func BenchmarkHomeWarmUp(b *testing.B) {
	for _, s := range scaleSpecs(b) {
		home, db := homeBenchEngine(b, s)
		b.Run(fmt.Sprintf("accounts=%d", s.Accounts), func(b *testing.B) {
			ctx := context.Background()
			db.ForgetHealthInputs()
			resetPeakRSS()
			before := peakRSS()
			cpu0 := cpuNow()
			n := 0
			for b.Loop() {
				db.ForgetHealthInputs()
				var err error
				if n, err = db.WarmHealthInputs(ctx); err != nil {
					b.Fatal(err)
				}
			}
			reportCPUPerOp(b, cpu0)
			if hwm := peakRSS(); hwm > 0 {
				b.ReportMetric(float64(before)/(1<<20), "start-MB")
				b.ReportMetric(float64(hwm)/(1<<20), "peak-MB")
			}
			b.ReportMetric(float64(n), "accounts")
			home.Invalidate(benchdb.Team, nil)
			cpu0 = cpuNow()
			if _, err := home.View(ctx, benchdb.Team, homeBenchUser, 0); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(cpuNow()-cpu0)/1e6, "view-cpu-ms")
		})
	}
}

// homeBenchEngine opens a copy of the seeded workspace (the shared files
// must not get the person on 300 accounts), puts homeBenchUser on 300
// accounts (once per copy) and builds the Home.
func homeBenchEngine(b *testing.B, s benchdb.Spec) (*commands.Home, *store.DB) {
	b.Helper()
	ctx := context.Background()
	shared, err := benchdb.Path(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	path := strings.TrimSuffix(shared, ".db") + "-home.db"
	if err := copyOnce(shared, path); err != nil {
		b.Fatal(err)
	}
	s.Now = homeBenchNow
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := func() time.Time { return s.Now }
	db.Now = now
	mine, err := db.AccountsForUser(ctx, benchdb.Team, homeBenchUser)
	if err != nil {
		b.Fatal(err)
	}
	step := int64(s.Accounts / 300)
	for i := int64(len(mine)); i < 300; i++ {
		m := kam.Member{TeamID: benchdb.Team, AccountID: 1 + i*step, UserID: homeBenchUser, Role: kam.RoleMember}
		if err := db.PutMember(ctx, m, benchdb.Admin); err != nil {
			b.Fatal(err)
		}
	}
	eng := commands.New(commands.Config{Store: db, Intel: db, Admins: []string{benchdb.Admin}, Now: now,
		Logger: slog.New(slog.DiscardHandler)})
	return commands.NewHome(eng, commands.HomeConfig{Store: db, Prefs: db}), db
}

// copyOnce copies the SQLite file src (with its write-ahead log, as it
// lies between runs) to dst unless dst exists: beside it, then renamed, so
// that an interrupted copy leaves nothing under dst.
func copyOnce(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	tmp := fmt.Sprintf("%s.%d.tmp", dst, os.Getpid())
	defer os.Remove(tmp)
	defer os.Remove(tmp + "-wal")
	for _, suffix := range []string{"", "-wal"} {
		if err := benchdb.CopyFile(src+suffix, tmp+suffix); err != nil && !(suffix != "" && errors.Is(err, fs.ErrNotExist)) {
			return fmt.Errorf("copy %s: %w", src+suffix, err)
		}
	}
	// Opening the copy folds its log into it; the rename keeps them apart.
	db, err := store.OpenMigrated(context.Background(), tmp)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
