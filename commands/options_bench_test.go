package commands_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// BenchmarkLogAccountOptions answers the log form's account type-ahead
// (block_suggestion) in a workspace of 10,000 accounts for a KAM on 300 of
// them and for a sponsor on all 10,000, through the engine on a real store,
// as a user types: empty, one letter, a prefix, a longer prefix, a typo.
// The -first cases are each user's first keystroke (a fresh engine); the
// -after-*-change cases also change a team (the user's team rows are read
// again) or rename one of the user's accounts (the names held in memory
// take the change) before it. It reports the 99th percentile of the
// answers' wall time and of their CPU time, and the CPU time per answer.
//
//	go test ./commands/ -run '^$' -bench LogAccountOptions -benchtime 2000x
func BenchmarkLogAccountOptions(b *testing.B) {
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, filepath.Join(b.TempDir(), "options.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	accts := make([]kam.Account, 10_000)
	for i := range accts {
		a := kam.Account{TeamID: team, Name: fmt.Sprintf("Account %05d %s", i, []string{"Industries", "Holdings", "GmbH", "Corp"}[i%4]),
			OwnerID: fmt.Sprintf("UKAM%04d", i%500), SponsorID: "USPONSOR1"}
		if i%33 == 0 && i/33 < 300 {
			a.OwnerID = "UHEAVY001" // on 300 accounts
		}
		accts[i] = a
	}
	if _, _, err := db.ImportAccounts(ctx, team, accts, admin); err != nil {
		b.Fatal(err)
	}
	typed := []string{"", "a", "acc", "account 04", "acount 0429"}
	for _, c := range []struct {
		name, user string
		cold       bool   // a fresh engine each time: the user's first keystroke
		change     string // and a change just before it: "team" or "account"
	}{{"on-300", "UHEAVY001", false, ""}, {"on-10000", "USPONSOR1", false, ""}, {"on-300-first", "UHEAVY001", true, ""},
		{"on-10000-first", "USPONSOR1", true, ""}, {"on-10000-first-after-team-change", "USPONSOR1", true, "team"},
		{"on-10000-first-after-account-change", "USPONSOR1", true, "account"}} {
		b.Run(c.name, func(b *testing.B) {
			eng := commands.New(commands.Config{Store: db, Intel: db, Admins: []string{admin}})
			payloads := make([][]byte, len(typed))
			for i, q := range typed {
				p := fakeslack.BlockSuggestion(c.user, "log_account", "log_account", q, "", nil)
				p["team"] = map[string]any{"id": team}
				p["user"] = map[string]any{"id": c.user, "team_id": team}
				payloads[i], _ = json.Marshal(p)
			}
			var lat, cpu []time.Duration
			runtime.LockOSThread() // so that the thread's CPU time is this goroutine's
			defer runtime.UnlockOSThread()
			b.ResetTimer()
			cpu0 := cpuNow()
			for i := 0; b.Loop(); i++ {
				if c.cold {
					b.StopTimer()
					eng = commands.New(commands.Config{Store: db, Intel: db, Admins: []string{admin}})
					switch c.change {
					case "team": // someone joins a team: the names are kept
						m := kam.Member{TeamID: team, AccountID: int64(i%len(accts)) + 1, UserID: "UCHURN01", Role: kam.RoleMember}
						if err := db.PutMember(ctx, m, admin); err != nil {
							b.Fatal(err)
						}
					case "account": // an account the user is on is renamed
						a, err := db.Account(ctx, team, int64(i%len(accts))+1)
						if err != nil {
							b.Fatal(err)
						}
						if n, ok := strings.CutSuffix(a.Name, " (renamed)"); ok {
							a.Name = n
						} else {
							a.Name += " (renamed)"
						}
						if err := db.UpdateAccount(ctx, &a, admin, []string{"name"}, nil); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
				}
				start, tcpu := time.Now(), threadCPU()
				ir := eng.Interact(ctx, payload(b, string(payloads[i%len(payloads)])))
				cpu = append(cpu, threadCPU()-tcpu)
				lat = append(lat, time.Since(start))
				if ir.Ack == nil {
					b.Fatal("no options")
				}
			}
			reportCPUPerOp(b, cpu0)
			b.ReportMetric(p99(lat), "p99-ms")
			b.ReportMetric(p99(cpu), "p99-cpu-ms")
		})
	}
}

func p99(ds []time.Duration) float64 {
	slices.Sort(ds)
	return float64(ds[len(ds)*99/100].Microseconds()) / 1000
}

// threadCPU is the calling thread's CPU time (RUSAGE_THREAD).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil { // 1: RUSAGE_THREAD
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
